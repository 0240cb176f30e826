"""Block translation: straight runs of guest instructions compiled into Python functions.

The CPU interprets an instruction the first times it meets it; once an
address has started an instruction ``HOT_COUNT`` times, the straight run of
instructions from there is translated into the source of one Python
function, compiled, and put in the decoded-instruction cache in place of the
first instruction. The function runs the whole run as one step of the run
loop and, when its last instruction branches back to its first, goes round
again as long as the run loop's budget (the instructions left before the
next clock event) holds another full pass.

A run ends after a branch (BC, BCR, BCT, BCTR, BAL, BALR, BAS, BASR, BXH,
BXLE), before an instruction that may make an interruption takeable or
reads the clock (the privileged ones, SVC), before EX, an opcode that is not
installed or the address of a native routine, at the end of the page when
translation is on (an instruction fetch there may fault), and after
``MAX_INSTRUCTIONS``.

Each instruction becomes a few lines of source from its template in
``_TEMPLATES`` with its fields and the constant parts of its addresses
folded in, and the PSW key, storage size, address size and translation mode
of the cache the block lives in fixed as constants (there is one cache per
such mode, so a block is never run in another). An instruction without a
template calls its bound handler. The general registers live in local
variables when every instruction of the block has a template; the
condition code is computed only where something may see it: an instruction
whose code a later one of the same block replaces, with nothing between
them that may read it, raise or leave the block, does not compute it.

Loops do less each pass than the interpreter (``_counted_loop``,
``_deferred_cc``, ``overflow_range``): a BCT or BCTR loop whose counter no
other instruction uses is counted in closed form as the block starts; the
last condition code of a loop ending in a branch that ignores it is
computed only where the block leaves; tests on registers the loop never
writes are made once, before it.

What stays exact, as the interpreter has it:

- the instruction address, ILC and instruction count when an exception
  leaves the block: the line the exception passed through names the
  instruction (``traceback.tb_lineno``), and the tables of the block give
  its next address and length;
- time: a block runs only when a full pass fits in the budget, otherwise
  the CPU steps its first instruction; the run loop's counter is advanced by
  the instructions the block executed, so ``CPU.sync_clock`` and the clock
  events see the same counts as with stepping;
- stores into code: a store into a granule holding cached code drops the
  blocks there (``CPU._code_written``); the running block then leaves right
  after the store, with the PSW pointing at the next instruction, which is
  decoded afresh;
- DAT: blocks are cached by logical address like decoded instructions and
  dropped with them on every purge; their operand accesses translate
  exactly as the handlers do, so the associative array's counts are those
  of the interpreter;
- instruction observers: the run loop steps instructions one by one while
  any is registered (``block_step``).

``Block.source`` is the generated text, for people who want to see what
their program became (``vm370 bare --show-blocks``, ``CPU.translated_blocks``).
"""

from __future__ import annotations

import operator
import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FunctionType

from vm370.hardware import hfp, isa
from vm370.hardware.dat import PAGE_SHIFT
from vm370.hardware.interrupts import (
    ADDRESSING,
    FIXED_POINT_OVERFLOW,
    MASK_FIXED_POINT_OVERFLOW,
    PROTECTION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.storage import BLOCK_SHIFT, GRANULE_SHIFT

HOT_COUNT = 24
# Times the blocks at one address may be dropped by stores before it stays
# interpreted (CPU._install_block).
MAX_BLOCK_DROPS = 4
MAX_INSTRUCTIONS = 32

# Compiled code by source text, shared by every CPU: machines built again
# and again (tests, many guests running the same CMS) compile a block once.
_CODE_CACHE_LIMIT = 4096
_code_cache: OrderedDict[str, CodeType] = OrderedDict()
_source_cache: OrderedDict[tuple, tuple[str, tuple[bytes, ...]]] = OrderedDict()

# Opcodes that never go into a block: the interpreter steps them.
_STEPPED = {
    0x0A,  # SVC: an interruption
    0x44,  # EX: its subject is fetched at run time
}

_BRANCHES = {0x05, 0x06, 0x07, 0x0D, 0x45, 0x46, 0x47, 0x4D, 0x86, 0x87}

# Names of the namespace every block takes as parameters (local variables).
LOCAL_NAMES = (
    "cpu",
    "gpr",
    "fpr",
    "mem",
    "keys",
    "granules",
    "dat",
    "translate",
    "length_hint",
    "overflow",
    "unpack_half",
    "pack_half",
    "unpack_word",
    "pack_word",
    "unpack_double",
    "pack_double",
)


@dataclass
class Block:
    """One translated run of instructions."""

    start: int
    addresses: tuple[int, ...]
    mnemonics: tuple[str, ...]
    source: str
    translation: bool
    key: int
    function: Callable[[], None] | None = None
    real_granules: set[int] = field(default_factory=set)
    # The granules of the first instruction alone: a store elsewhere in the
    # block leaves it decoded, as the interpreter would (CPU._code_written).
    first_granules: frozenset[int] = frozenset()

    def listing(self) -> str:
        """The block as a person reads it: where it is, what it holds, its source."""
        where = "virtual" if self.translation else "real"
        header = f"# block at {where} {self.start:06X}, key {self.key}: " + " ".join(
            f"{a:06X} {m}" for a, m in zip(self.addresses, self.mnemonics, strict=True)
        )
        return header + "\n" + self.source


@dataclass
class _Instruction:
    address: int
    raw: bytes
    opcode: int
    mnemonic: str
    next_address: int
    ilc: int


class _Writer:
    """Source lines of one block, with what each line belongs to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.owner: list[int] = []  # instruction index of each line, -1 outside any
        # Operand translations in line of a block without handlers: how many
        # a pass has reached at each line (the test of the last page counts).
        self.sites = 0
        self.sites_at: list[int] = []

    def add(self, indent: int, text: str, index: int = -1) -> None:
        self.lines.append("    " * indent + text)
        self.owner.append(index)
        self.sites_at.append(self.sites)


class _Context:
    """What a template needs: the block's mode and how registers are reached."""

    def __init__(self, cpu, translation: bool, key: int, address_mask: int, use_locals: bool):
        self.storage_size = cpu.storage_size
        self.translation = translation
        self.key = key
        self.address_mask = address_mask
        self.use_locals = use_locals
        self.registers_used: set[int] = set()
        self.registers_written: set[int] = set()
        self.float_registers: set[int] = set()
        # Registers no instruction of the block writes (known on the second
        # generation), and those whose sign test is computed once before the loop.
        self.invariant: set[int] = set()
        # Values computed once before the loop: name -> expression.
        self.hoisted: dict[str, str] = {}
        # The registers the instructions before the last one use (first generation).
        self.body_registers: set[int] = set()
        # The counter of a BCT or BCTR loop counted in closed form (_counted_loop).
        self.counter: int | None = None
        # Whether the generated block goes round again (set by _generate).
        self.loops = False

    def may_loop(self, instructions: list[_Instruction], start: int) -> bool:
        """Whether the block generated with this context may go round (first generation)."""
        return self.loops or (
            _counted_loop(instructions, start, self.body_registers, self.registers_written)
            is not None
        )

    def _invariant(self, operand: str) -> int | None:
        """The number of the register ``operand`` names if the block never writes it."""
        if self.use_locals and operand[:1] == "r" and operand[1:].isdigit():
            number = int(operand[1:])
            if number in self.invariant:
                return number
        return None

    def positive(self, operand: str) -> str:
        """The test ``operand < 0x80000000``; once per block for an unchanging register."""
        number = self._invariant(operand)
        if number is None:
            return f"({operand} < 0x80000000)"
        self.hoisted[f"s{number}"] = f"r{number} < 0x80000000"
        return f"s{number}"

    def overflow_range(self, operand: str, subtract: bool) -> tuple[str, str] | None:
        """Names of the bounds between which a first operand overflows, for an unchanging second."""
        number = self._invariant(operand)
        if number is None:
            return None
        low, high = (f"sl{number}", f"sh{number}") if subtract else (f"al{number}", f"ah{number}")
        self.hoisted[f"{low}, {high}"] = f"overflow_range(r{number}, {subtract})"
        return low, high

    def reg(self, number: int) -> str:
        self.registers_used.add(number)
        return f"r{number}" if self.use_locals else f"gpr[{number}]"

    def set_reg(self, number: int) -> str:
        self.registers_used.add(number)
        self.registers_written.add(number)
        return f"r{number}" if self.use_locals else f"gpr[{number}]"

    def float_reg(self, index: int) -> str:
        """Floating-point register 2 * ``index``, read and written."""
        if not self.use_locals:
            return f"fpr[{index}]"
        self.float_registers.add(index)
        return f"f{index}"

    def address(self, displacement: int, index: int, base: int) -> str:
        """The expression of D(X,B), masked; a constant when X and B are 0."""
        parts = [str(displacement)] if displacement else []
        if index:
            parts.append(self.reg(index))
        if base:
            parts.append(self.reg(base))
        if not parts:
            return "0"
        if len(parts) == 1 and not (index or base):
            return str(displacement & self.address_mask)
        return f"({' + '.join(parts)}) & {self.address_mask:#x}"


def _constant(expression: str) -> int | None:
    return int(expression) if expression.isdigit() else None


# The last translated page and its frame in the locals of a block without
# handlers; the page is -2 (none) when the frame is not wholly in storage.
_LAST_PAGE = (
    "lf = dat._last_frame",
    "lp = dat._last_page if lf <= {last} else -2",
)


class _Emitter:
    """Emits the lines of one instruction (index ``index``) with the exits it needs."""

    def __init__(self, writer: _Writer, context: _Context, index: int, exit_lines, ins_next=0):
        self.writer = writer
        self.context = context
        self.index = index
        self.ins_next = ins_next  # the address after the instruction
        self.exit_lines = exit_lines  # (indent, next address) -> emits a leave-the-block

    def line(self, indent: int, text: str) -> None:
        self.writer.add(indent, text, self.index)

    def check_alignment(self, indent: int, address: str, mask: int) -> None:
        self.line(indent, f"if {address} & {mask}:")
        self.line(indent + 1, "raise ProgramInterrupt(SPECIFICATION)")

    def real_address(self, indent: int, expression: str, length: int, alignment: int) -> str:
        """The checked real address of an operand: a constant, or ``a`` (translated if on)."""
        context = self.context
        constant = _constant(expression)
        if constant is not None and not context.translation:
            if constant & alignment:
                self.line(indent, "raise ProgramInterrupt(SPECIFICATION)")
            elif constant + length > context.storage_size:
                self.line(indent, "raise ProgramInterrupt(ADDRESSING)")
            return str(constant)
        if constant is None:
            self.line(indent, f"a = {expression}")
            if alignment:
                self.check_alignment(indent, "a", alignment)
            page, offset, virtual = "a >> 12", "(a & 0xFFF)", "a"
        elif constant & alignment:
            self.line(indent, "raise ProgramInterrupt(SPECIFICATION)")
            page, offset, virtual = "-1", "0", str(constant)
        else:
            page, offset, virtual = str(constant >> 12), str(constant & 0xFFF), str(constant)
        if context.translation:
            # DynamicAddressTranslator.translate's first test, in line: the
            # same page as the previous access is a hit that changes nothing else.
            if context.use_locals:
                # Only translate changes the last page inside a block without
                # handlers: it is kept in ``lp`` and ``lf``, read again after.
                # The hits are not counted one by one: the block knows the
                # translations it reached, and counts in ``m`` those that
                # called translate (_generate).
                self.writer.sites += 1
                self.line(indent, f"if lp == {page}:")
                self.line(indent + 1, f"a = lf | {offset}")
                self.line(indent, "else:")
                self.line(indent + 1, "m += 1")
                self.line(indent + 1, f"a = translate({virtual})")
            else:
                self.line(indent, f"if dat._last_page == {page}:")
                # Counted in ``hits`` and added to the array's count as the block leaves.
                self.line(indent + 1, "hits += 1")
                self.line(indent + 1, f"a = dat._last_frame | {offset}")
                self.line(indent, "else:")
                self.line(indent + 1, f"a = translate({virtual})")
            if context.use_locals:
                # ``lp`` names a page only while its frame lies wholly in
                # storage: an aligned operand there needs no addressing test.
                for text in _LAST_PAGE:
                    self.line(indent + 1, text.format(last=context.storage_size - 4096))
                self.line(indent + 1, f"if a > {context.storage_size - length}:")
                self.line(indent + 2, "raise ProgramInterrupt(ADDRESSING)")
                return "a"
        self.line(indent, f"if a > {context.storage_size - length}:")
        self.line(indent + 1, "raise ProgramInterrupt(ADDRESSING)")
        return "a"

    @staticmethod
    def _shifted(address: str, shift: int) -> str:
        return str(int(address) >> shift) if address.isdigit() else f"{address} >> {shift}"

    def fetch_check(self, indent: int, address: str) -> None:
        key = self.context.key
        if key:
            self.line(indent, f"k = keys[{self._shifted(address, 11)}]")
            self.line(indent, f"if k & 8 and k >> 4 != {key}:")
            self.line(indent + 1, "raise ProgramInterrupt(PROTECTION)")

    def store_check(self, indent: int, address: str) -> None:
        key = self.context.key
        if key:
            self.line(indent, f"if keys[{self._shifted(address, 11)}] >> 4 != {key}:")
            self.line(indent + 1, "raise ProgramInterrupt(PROTECTION)")

    def after_store(self, indent: int, address: str, length: int, next_address: int) -> None:
        # A store into cached code: drop it and leave right after this instruction.
        # Aligned operands of up to 8 bytes lie in one granule.
        self.line(indent, f"if granules[{self._shifted(address, 3)}]:")
        self.line(indent + 1, f"cpu._code_written({address}, {length})")
        self.exit_lines(indent + 1, next_address, self.index)

    def fetch(self, indent: int, expression: str, length: int, target: str) -> None:
        alignment = {1: 0, 2: 1, 4: 3, 8: 7}[length]
        address = self.real_address(indent, expression, length, alignment)
        self.fetch_check(indent, address)
        reader = {
            1: f"mem[{address}]",
            2: f"unpack_half(mem, {address})[0]",
            4: f"unpack_word(mem, {address})[0]",
            8: f"unpack_double(mem, {address})[0]",
        }[length]
        self.line(indent, f"{target} = {reader}")

    def store(
        self,
        indent: int,
        expression: str,
        length: int,
        value: str,
        next_address: int,
        then: tuple[str, ...] = (),
    ) -> None:
        """Store ``value``; ``then`` are the instruction's lines after its store."""
        alignment = {1: 0, 2: 1, 4: 3, 8: 7}[length]
        address = self.real_address(indent, expression, length, alignment)
        self.store_check(indent, address)
        writer = {
            1: f"mem[{address}] = {value}",
            2: f"pack_half(mem, {address}, {value})",
            4: f"pack_word(mem, {address}, {value})",
            8: f"pack_double(mem, {address}, {value})",
        }[length]
        self.line(indent, writer)
        for text in then:
            self.line(indent, text)
        self.after_store(indent, address, length, next_address)


def _signed_cc(result: str) -> str:
    return f"(2 if {result} < 0x80000000 else 1) if {result} else 0"


# ``set_cc`` of the block's last code-setting instruction when its code is
# kept in ``z`` and computed only as the block leaves (_deferred_cc).
DEFER = "defer"
# How the deferred code is computed from ``z``, by opcode (register operands only).
_DEFERRED_CC = {
    0x1A: _signed_cc("z"),  # AR
    0x1B: _signed_cc("z"),  # SR
    0x12: _signed_cc("z"),  # LTR
    0x14: "1 if z else 0",  # NR
    0x16: "1 if z else 0",  # OR
    0x17: "1 if z else 0",  # XR
    0x1E: "(2 if z > 0xFFFFFFFF else 0) | (1 if z & 0xFFFFFFFF else 0)",  # ALR
    0x1F: "(2 if z > 0xFFFFFFFF else 0) | (1 if z & 0xFFFFFFFF else 0)",  # SLR
}
# Last instructions that neither read the condition code nor set it.
_CC_BLIND_BRANCHES = {0x06, 0x46, 0x86, 0x87}  # BCTR, BCT, BXH, BXLE


# Templates: ``template(e, i, ins, set_cc)`` writes the lines of instruction
# ``ins`` through the emitter ``e`` at indentation ``i``; with ``set_cc``
# False a later instruction of the block replaces the condition code unseen.


def _rr_fields(ins: _Instruction) -> tuple[int, int]:
    return ins.raw[1] >> 4, ins.raw[1] & 15


def _rx_fields(ins: _Instruction) -> tuple[int, int, int, int]:
    raw = ins.raw
    return raw[1] >> 4, raw[1] & 15, raw[2] >> 4, (raw[2] & 15) << 8 | raw[3]


def _si_fields(ins: _Instruction) -> tuple[int, int, int]:
    raw = ins.raw
    return raw[1], raw[2] >> 4, (raw[2] & 15) << 8 | raw[3]


def _load_register(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    r1, r2 = _rr_fields(ins)
    c = e.context
    e.line(i, f"{c.set_reg(r1)} = {c.reg(r2)}")


def _load_and_test_register(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    r1, r2 = _rr_fields(ins)
    c = e.context
    if set_cc == DEFER:
        e.line(i, f"z = {c.set_reg(r1)} = {c.reg(r2)}")
        return
    e.line(i, f"v = {c.set_reg(r1)} = {c.reg(r2)}")
    if set_cc:
        e.line(i, f"cpu.cc = {_signed_cc('v')}")


def _arith(e: _Emitter, i: int, r1: int, second: str, subtract: bool, set_cc) -> None:
    c = e.context
    first = c.reg(r1)
    if not c.use_locals:
        e.line(i, f"x = {first}")
        first = "x"
    if second.startswith("gpr"):
        e.line(i, f"y = {second}")
        second = "y"
    # Comparisons rather than masks: CPython makes no new int for a bool.
    bounds = c.overflow_range(second, subtract)
    if subtract:
        e.line(i, f"v = {first} - {second}")
        e.line(i, "if v < 0:")
        e.line(i + 1, "v += 0x100000000")
    else:
        e.line(i, f"v = {first} + {second}")
        e.line(i, "if v > 0xFFFFFFFF:")
        e.line(i + 1, "v -= 0x100000000")
    if bounds is not None:
        # The second operand does not change: the first overflows in one range.
        e.line(i, f"if {bounds[0]} <= {first} < {bounds[1]}:")
    elif subtract:
        e.line(i, f"s = {c.positive(first)}")
        e.line(i, f"if s != {c.positive(second)} and s != (v < 0x80000000):")
    else:
        e.line(i, f"if {c.positive(first)} == {c.positive(second)} != (v < 0x80000000):")
    # The sum goes in before the overflow interruption: the instruction completes.
    e.line(i + 1, f"{c.set_reg(r1)} = v")
    e.line(i + 1, "overflow()")
    if set_cc == DEFER:
        # The code is 3 now, not the deferred one: leave the block here.
        e.exit_lines(i + 1, e.ins_next, e.index)
    e.line(i, "else:")
    if set_cc == DEFER:
        e.line(i + 1, f"z = {c.set_reg(r1)} = v")
        return
    e.line(i + 1, f"{c.set_reg(r1)} = v")
    if set_cc:
        e.line(i + 1, f"cpu.cc = {_signed_cc('v')}")


def overflow_range(value: int, subtract: bool) -> tuple[int, int]:
    """The first operands (unsigned words) that overflow adding or subtracting ``value``.

    Adding a signed b >= 0 overflows from 2**31 - b up to 2**31 (positive
    operands); adding b < 0 from 2**31 up to 2**31 - b (negative ones);
    subtracting b adds -b. The range is empty for 0.
    """
    b = value - ((value & 0x80000000) << 1)
    if subtract:
        b = -b
    if b >= 0:
        return 0x80000000 - b, 0x80000000
    return 0x80000000, 0x80000000 - b


def _logical_arith(e: _Emitter, i: int, r1: int, second: str, subtract: bool, set_cc):
    c = e.context
    if subtract:
        e.line(i, f"t = {c.reg(r1)} + ({second} ^ 0xFFFFFFFF) + 1")
    else:
        e.line(i, f"t = {c.reg(r1)} + {second}")
    e.line(i, f"v = {c.set_reg(r1)} = t & 0xFFFFFFFF")
    if set_cc == DEFER:
        e.line(i, "z = t")
    elif set_cc:
        e.line(i, "cpu.cc = (2 if t > 0xFFFFFFFF else 0) | (1 if v else 0)")


def _compare(e: _Emitter, i: int, first: str, second: str, signed: bool, set_cc: bool):
    if not set_cc:
        return
    if signed:
        e.line(i, f"x = {first} ^ 0x80000000")
        e.line(i, f"y = {second} ^ 0x80000000")
    else:
        e.line(i, f"x = {first}")
        e.line(i, f"y = {second}")
    e.line(i, "cpu.cc = 0 if x == y else (1 if x < y else 2)")


def _bitwise(e: _Emitter, i: int, r1: int, second: str, operator_text: str, set_cc):
    c = e.context
    if set_cc == DEFER:
        e.line(i, f"z = {c.set_reg(r1)} = {c.reg(r1)} {operator_text} {second}")
        return
    e.line(i, f"v = {c.set_reg(r1)} = {c.reg(r1)} {operator_text} {second}")
    if set_cc:
        e.line(i, "cpu.cc = 1 if v else 0")


def _rr_template(kind: str, **options):
    def template(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
        r1, r2 = _rr_fields(ins)
        c = e.context
        second = c.reg(r2)
        if kind == "arith":
            _arith(e, i, r1, second, options["subtract"], set_cc)
        elif kind == "logical":
            _logical_arith(e, i, r1, second, options["subtract"], set_cc)
        elif kind == "compare":
            _compare(e, i, c.reg(r1), second, options["signed"], set_cc)
        else:
            _bitwise(e, i, r1, second, options["operator"], set_cc)

    return template


def _rx_template(kind: str, length: int = 4, **options):
    def template(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
        r1, x2, b2, d2 = _rx_fields(ins)
        c = e.context
        if kind == "load" and length == 4:
            e.fetch(i, c.address(d2, x2, b2), length, c.set_reg(r1))
            return
        e.fetch(i, c.address(d2, x2, b2), length, "w")
        second = "w"
        if length == 2:
            # A halfword operand is sign-extended to 32 bits.
            e.line(i, "w = (w - ((w & 0x8000) << 1)) & 0xFFFFFFFF")
        if kind == "arith":
            _arith(e, i, r1, second, options["subtract"], set_cc)
        elif kind == "logical":
            _logical_arith(e, i, r1, second, options["subtract"], set_cc)
        elif kind == "compare":
            _compare(e, i, c.reg(r1), second, options["signed"], set_cc)
        elif kind == "load":
            e.line(i, f"{c.set_reg(r1)} = w")
        else:
            _bitwise(e, i, r1, second, options["operator"], set_cc)

    return template


def _insert_character(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    r1, x2, b2, d2 = _rx_fields(ins)
    c = e.context
    e.fetch(i, c.address(d2, x2, b2), 1, "w")
    e.line(i, f"{c.set_reg(r1)} = ({c.reg(r1)} & 0xFFFFFF00) | w")


def _load_address(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    r1, x2, b2, d2 = _rx_fields(ins)
    c = e.context
    e.line(i, f"{c.set_reg(r1)} = {c.address(d2, x2, b2)}")


def _store_template(length: int):
    mask = {1: "0xFF", 2: "0xFFFF", 4: ""}[length]

    def template(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
        r1, x2, b2, d2 = _rx_fields(ins)
        c = e.context
        value = f"{c.reg(r1)} & {mask}" if mask else c.reg(r1)
        e.store(i, c.address(d2, x2, b2), length, value, ins.next_address)

    return template


def _move_immediate(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    i2, b1, d1 = _si_fields(ins)
    e.store(i, e.context.address(d1, 0, b1), 1, str(i2), ins.next_address)


def _compare_logical_immediate(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    i2, b1, d1 = _si_fields(ins)
    e.fetch(i, e.context.address(d1, 0, b1), 1, "w")
    if set_cc:
        e.line(i, f"cpu.cc = 0 if w == {i2} else (1 if w < {i2} else 2)")


def _test_under_mask(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    i2, b1, d1 = _si_fields(ins)
    e.fetch(i, e.context.address(d1, 0, b1), 1, "w")
    if set_cc:
        e.line(i, f"w &= {i2}")
        e.line(i, f"cpu.cc = 0 if w == 0 else (3 if w == {i2} else 1)")


def _si_update_template(operator_text: str):
    def template(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
        i2, b1, d1 = _si_fields(ins)
        address = e.context.address(d1, 0, b1)
        # Fetch, then store, each translated and checked as the handler does.
        e.fetch(i, address, 1, "v")
        e.line(i, f"v {operator_text}= {i2}")
        e.store(i, address, 1, "v", ins.next_address, ("cpu.cc = 1 if v else 0",))

    return template


def _shift_template(left: bool):
    def template(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
        r1, _r3, b2, d2 = _rx_fields(ins)
        c = e.context
        # The amount is the low six bits of the second-operand address; in
        # parentheses, since << and >> bind tighter than & in Python.
        amount = str(d2 & 63) if not b2 else f"(({d2} + {c.reg(b2)}) & 63)"
        if left:
            e.line(i, f"{c.set_reg(r1)} = ({c.reg(r1)} << {amount}) & 0xFFFFFFFF")
        else:
            e.line(i, f"{c.set_reg(r1)} = {c.reg(r1)} >> {amount}")

    return template


def _add_normalized_long(e: _Emitter, i: int, ins: _Instruction, set_cc: bool) -> None:
    r1, x2, b2, d2 = _rx_fields(ins)
    if r1 & 9:
        e.line(i, "raise ProgramInterrupt(SPECIFICATION)")
        return
    e.fetch(i, e.context.address(d2, x2, b2), 8, "w")
    # The common case of hfp.add for two long operands in line (one guard digit,
    # postnormalization); a zero fraction or a characteristic out of range goes
    # to hfp.add, where the program mask decides.
    register = e.context.float_reg(r1 >> 1)
    for text in (
        f"x = {register}",
        "c = x >> 56",
        "d = w >> 56",
        "f = (x & 0xFFFFFFFFFFFFFF) << 4",
        "g = (w & 0xFFFFFFFFFFFFFF) << 4",
        "if c > 0x7F:",
        "    c -= 0x80",
        "if d > 0x7F:",
        "    d -= 0x80",
        # The magnitudes are aligned, then signed: digits shifted out are
        # lost, where Python's >> of a negative number would round it down.
        "if c > d:",
        "    g >>= (c - d) << 2",
        "elif c < d:",
        "    f >>= (d - c) << 2",
        "    c = d",
        "if x >> 63:",
        "    f = -f",
        "if w >> 63:",
        "    g = -g",
        "t = f + g",
        "if t < 0:",
        "    t = -t",
        "    s = 0x8000000000000000",
        "else:",
        "    s = 0",
        "if t >= 0x1000000000000000:",
        "    t >>= 4",
        "    c += 1",
        "elif t < 0x100000000000000:",
        "    if t:",
        "        n = (60 - t.bit_length()) >> 2",
        "        t <<= n << 2",
        "        c -= n",
        "    else:",
        "        c = -1",
        "if 0 <= c <= 127:",
        f"    {register} = s | c << 56 | t >> 4",
        "    cpu.cc = 1 if s else 2",
        "else:",
        "    v, cc, interrupt = hfp_add(x, w, 14, cpu.program_mask)",
        f"    {register} = v",
        "    cpu.cc = cc",
        "    if interrupt is not None:",
        "        raise ProgramInterrupt(interrupt)",
    ):
        depth = (len(text) - len(text.lstrip())) // 4
        e.line(i + depth, text.strip())


# Templates, and what each does to the condition code: "sets", "reads" or "".
# "raises" marks instructions that may raise before they set the code.
_TEMPLATES: dict[int, tuple[Callable, str, bool]] = {
    0x18: (_load_register, "", False),
    0x12: (_load_and_test_register, "sets", False),
    0x1A: (_rr_template("arith", subtract=False), "sets", False),
    0x1B: (_rr_template("arith", subtract=True), "sets", False),
    0x1E: (_rr_template("logical", subtract=False), "sets", False),
    0x1F: (_rr_template("logical", subtract=True), "sets", False),
    0x19: (_rr_template("compare", signed=True), "sets", False),
    0x15: (_rr_template("compare", signed=False), "sets", False),
    0x14: (_rr_template("bitwise", operator="&"), "sets", False),
    0x16: (_rr_template("bitwise", operator="|"), "sets", False),
    0x17: (_rr_template("bitwise", operator="^"), "sets", False),
    0x58: (_rx_template("load"), "", True),
    0x48: (_rx_template("load", length=2), "", True),
    0x5A: (_rx_template("arith", subtract=False), "sets", True),
    0x5B: (_rx_template("arith", subtract=True), "sets", True),
    0x4A: (_rx_template("arith", length=2, subtract=False), "sets", True),
    0x4B: (_rx_template("arith", length=2, subtract=True), "sets", True),
    0x5E: (_rx_template("logical", subtract=False), "sets", True),
    0x5F: (_rx_template("logical", subtract=True), "sets", True),
    0x59: (_rx_template("compare", signed=True), "sets", True),
    0x49: (_rx_template("compare", length=2, signed=True), "sets", True),
    0x55: (_rx_template("compare", signed=False), "sets", True),
    0x54: (_rx_template("bitwise", operator="&"), "sets", True),
    0x56: (_rx_template("bitwise", operator="|"), "sets", True),
    0x57: (_rx_template("bitwise", operator="^"), "sets", True),
    0x43: (_insert_character, "", True),
    0x41: (_load_address, "", False),
    0x50: (_store_template(4), "", True),
    0x40: (_store_template(2), "", True),
    0x42: (_store_template(1), "", True),
    0x92: (_move_immediate, "", True),
    0x95: (_compare_logical_immediate, "sets", True),
    0x91: (_test_under_mask, "sets", True),
    0x94: (_si_update_template("&"), "sets", True),
    0x96: (_si_update_template("|"), "sets", True),
    0x97: (_si_update_template("^"), "sets", True),
    0x89: (_shift_template(left=True), "", False),
    0x88: (_shift_template(left=False), "", False),
    0x6A: (_add_normalized_long, "sets", True),
}


class Translator:
    """Builds blocks for one CPU, whose state and helpers every block takes as parameters."""

    def __init__(self, cpu) -> None:
        self.cpu = cpu

        def overflow() -> None:
            cpu.cc = 3
            if cpu.program_mask & MASK_FIXED_POINT_OVERFLOW:
                raise ProgramInterrupt(FIXED_POINT_OVERFLOW)

        self.namespace = {
            "__builtins__": __builtins__,
            "cpu": cpu,
            "gpr": cpu.gpr,
            "fpr": cpu.fpr,
            "mem": cpu.mem,
            "keys": cpu.keys,
            "granules": cpu.code_granules,
            "translate": cpu.dat.translate,
            "dat": cpu.dat,
            "length_hint": operator.length_hint,
            "overflow": overflow,
            "overflow_range": overflow_range,
            "hfp_add": hfp.add,
            "unpack_half": struct.Struct(">H").unpack_from,
            "pack_half": struct.Struct(">H").pack_into,
            "unpack_word": struct.Struct(">I").unpack_from,
            "pack_word": struct.Struct(">I").pack_into,
            "unpack_double": struct.Struct(">Q").unpack_from,
            "pack_double": struct.Struct(">Q").pack_into,
            "ProgramInterrupt": ProgramInterrupt,
            "SPECIFICATION": SPECIFICATION,
            "ADDRESSING": ADDRESSING,
            "PROTECTION": PROTECTION,
        }

    def scan(self, start: int) -> list[_Instruction]:
        """The instructions a block starting at ``start`` would hold (maybe none)."""
        cpu = self.cpu
        translation = cpu.translation
        address_mask = cpu.address_mask
        key = cpu.key
        page = start >> PAGE_SHIFT
        frame = None
        if translation:
            frame = cpu.dat.frame_quietly(start)
            if frame is None:
                return []
        dispatch = cpu._dispatch
        natives = cpu.native_routines
        size = cpu.storage_size
        mem = cpu.mem
        found: list[_Instruction] = []
        address = start
        while len(found) < MAX_INSTRUCTIONS:
            if address & 1:
                break
            if translation:
                if address >> PAGE_SHIFT != page:
                    break
                real = frame | (address & 0xFFF)
            else:
                if address in natives:
                    break
                real = address
            if real + 2 > size:
                break
            opcode = mem[real]
            length = isa.instruction_length(opcode)
            end = real + length
            if end > size or (translation and ((address + length - 1) >> PAGE_SHIFT) != page):
                break
            if (end - 1) & address_mask != (end - 1):
                break
            if key and not self._fetchable(real, end, key):
                break
            handler, _fmt, privileged = dispatch[opcode]
            if handler is None or privileged or opcode in _STEPPED:
                break
            row = isa.BY_OPCODE[opcode]
            next_address = (address + length) & address_mask
            found.append(
                _Instruction(
                    address, bytes(mem[real:end]), opcode, row.mnemonic, next_address, length >> 1
                )
            )
            if opcode in _BRANCHES:
                break
            address = next_address
        return found

    def _fetchable(self, real: int, end: int, key: int) -> bool:
        keys = self.cpu.keys
        for block in range(real >> BLOCK_SHIFT, ((end - 1) >> BLOCK_SHIFT) + 1):
            block_key = keys[block]
            if block_key & 0x08 and block_key >> 4 != key:
                return False
        return True

    def build(self, start: int, first_step: tuple) -> Block | None:
        """Translate the run of instructions at ``start``; None if not worth a block."""
        instructions = self.scan(start)
        if len(instructions) < 2:
            return None
        cpu = self.cpu
        # The same instructions in the same mode give the same source: after a
        # purge (CP switching guests) a block is made again without generating.
        mode = (cpu.translation, cpu.key, cpu.address_mask, cpu.storage_size)
        source_key = (mode, tuple((ins.address, ins.raw) for ins in instructions))
        generated = _source_cache.get(source_key)
        if generated is None:
            use_locals = all(
                ins.opcode in _TEMPLATES or ins.opcode in _BRANCHES for ins in instructions
            )
            context = _Context(cpu, cpu.translation, cpu.key, cpu.address_mask, use_locals)
            generated = _generate(context, start, instructions)
            if use_locals and context.may_loop(instructions, start):
                # Again, knowing the registers the block never writes, whose
                # tests are made once before the loop.
                written = context.registers_written
                body_registers = context.body_registers
                context = _Context(cpu, cpu.translation, cpu.key, cpu.address_mask, use_locals)
                context.invariant = set(range(16)) - written
                context.counter = _counted_loop(instructions, start, body_registers, written)
                generated = _generate(context, start, instructions)
            _source_cache[source_key] = generated
            if len(_source_cache) > _CODE_CACHE_LIMIT:
                _source_cache.popitem(last=False)
        else:
            _source_cache.move_to_end(source_key)
        source, handled = generated
        defaults = [cpu.bind(raw) for raw in handled]
        block = Block(
            start=start,
            addresses=tuple(ins.address for ins in instructions),
            mnemonics=tuple(ins.mnemonic for ins in instructions),
            source=source,
            translation=cpu.translation,
            key=cpu.key,
        )
        code = _code_cache.get(source)
        if code is None:
            module = compile(source, f"<block {start:06X}>", "exec")
            code = next(const for const in module.co_consts if isinstance(const, CodeType))
            _code_cache[source] = code
            if len(_code_cache) > _CODE_CACHE_LIMIT:
                _code_cache.popitem(last=False)
        else:
            _code_cache.move_to_end(source)
        # The CPU's state and helpers come in as parameters with defaults, so
        # the block reads them as local variables, the fastest in CPython.
        namespace = self.namespace
        local_values = tuple(namespace[name] for name in LOCAL_NAMES)
        function = FunctionType(
            code, namespace, code.co_name, (first_step[0], *defaults, *local_values)
        )
        function.block_step = first_step
        block.function = function
        for ins in instructions:
            first = self._real(ins.address)
            last = self._real(ins.address + len(ins.raw) - 1)
            granules = {first >> GRANULE_SHIFT, last >> GRANULE_SHIFT}
            block.real_granules.update(granules)
            if not block.first_granules:
                block.first_granules = frozenset(granules)
        return block

    def _real(self, address: int) -> int:
        cpu = self.cpu
        if not cpu.translation:
            return address
        return cpu.dat.frame_quietly(address) | (address & 0xFFF)


def _cc_plan(instructions: list[_Instruction]) -> list[bool]:
    """For each instruction, whether its condition code must be computed.

    Its code may be skipped only when a later instruction of the same pass
    sets the code, and every instruction between them neither reads the
    code, nor may raise or leave the block (stores), nor is run by its
    handler; the later one must not raise before it sets the code.
    """
    plan = []
    for position, ins in enumerate(instructions):
        template = _TEMPLATES.get(ins.opcode)
        needed = True
        # NI, OI, XI set the code after their store, which may leave the block.
        if template is not None and template[1] == "sets" and ins.opcode not in (0x94, 0x96, 0x97):
            for later in instructions[position + 1 :]:
                later_template = _TEMPLATES.get(later.opcode)
                if later_template is None:
                    break
                _function, effect, raises = later_template
                if effect == "sets" and not raises:
                    needed = False
                    break
                if effect or raises:
                    break
        plan.append(needed)
    return plan


def _loop_target(ins: _Instruction) -> tuple[int, int, int] | None:
    """BCT's or BCTR's target as (displacement, index, base); None for BCTR R1,0."""
    if ins.opcode == 0x46:
        _r1, x2, b2, d2 = _rx_fields(ins)
        return d2, x2, b2
    _r1, r2 = _rr_fields(ins)
    return (0, r2, 0) if r2 else None


def _counted_loop(
    instructions: list[_Instruction], start: int, body_registers: set[int], written: set[int]
) -> int | None:
    """The counter register when the block's BCT or BCTR loop can be counted in closed form.

    When no instruction before the branch uses the counter and the target's
    registers do not change, the number of passes left is known as the
    block starts: the counter (or 2**32 passes when it is 0). The loop then
    runs the passes that fit in the budget without counting each one, and
    the counter is brought up to date where the block leaves.
    """
    last = instructions[-1]
    if last.opcode not in (0x46, 0x06):
        return None
    counter = last.raw[1] >> 4
    target = _loop_target(last)
    if counter in body_registers or target is None:
        return None
    displacement, index, base = target
    registers = {index, base} - {0}
    if registers & written:
        return None
    if not registers and displacement != start:
        return None
    return counter


def _deferred_cc(instructions: list[_Instruction]) -> tuple[int, int] | None:
    """The first and last code-setting instructions, when the last one's code may be deferred.

    In a block ending in a branch that ignores the condition code (BCT,
    BCTR, BXH, BXLE) the code the last setter computes is seen only when the
    block leaves: the next pass's first setter replaces it. So the last
    setter keeps its result in ``z`` and the exits compute the code from it:
    those after it in the pass, and those before the first setter in a pass
    after the first. The last setter must take only registers (it raises
    only after an overflow, and then leaves the block with code 3), and the
    first must not raise before it sets the code, unless it is the last.
    """
    if instructions[-1].opcode not in _CC_BLIND_BRANCHES:
        return None
    setters = [
        index
        for index, ins in enumerate(instructions[:-1])
        if _TEMPLATES.get(ins.opcode, (None, "reads"))[1]
    ]
    if not setters:
        return None
    first, last = setters[0], setters[-1]
    if any(_TEMPLATES[instructions[index].opcode][1] != "sets" for index in setters):
        return None
    if instructions[last].opcode not in _DEFERRED_CC:
        return None
    if first != last and _TEMPLATES[instructions[first].opcode][2]:
        return None
    return first, last


def _advance(more: str) -> list[str]:
    """Lines that advance the run loop's counter by ``more`` instructions after the first.

    The run loop counted the block's first instruction. Its counter is a
    range iterator, whose index is set in one step (consuming the items one
    by one cost a tenth of a long loop's time); ``left`` is what the block
    found left in it.
    """
    return [
        f"cpu._block.__setstate__(cpu._block_budget - left + {more})",
        "cpu.blocks_advanced = True",
    ]


def _generate(
    context: _Context, start: int, instructions: list[_Instruction]
) -> tuple[str, tuple[bytes, ...]]:
    """The source of the block's function, and the instructions its handlers run.

    The function takes the bound handlers of those instructions, in order,
    as its parameters after ``step``.
    """
    body = _Writer()
    count = len(instructions)
    nexts = tuple(ins.next_address for ins in instructions)
    ilcs = tuple(ins.ilc for ins in instructions)
    handled: list[bytes] = []
    generic_names: list[str] = []
    writeback_marker = "#WRITEBACK"

    deferred = _deferred_cc(instructions) if context.use_locals else None
    plan = _cc_plan(instructions)
    if deferred is not None:
        first_setter, last_setter = deferred
        plan[last_setter] = DEFER
        deferred_cc = f"cpu.cc = {_DEFERRED_CC[instructions[last_setter].opcode]}"

    def exit_lines(indent: int, next_address: int, index: int) -> None:
        if deferred is not None:
            # After the last setter of this pass, or before the first setter
            # of a pass after the first, the code is the one deferred.
            if index > last_setter:
                body.add(indent, deferred_cc, index)
            elif index < first_setter:
                body.add(indent, "if passes:", index)
                body.add(indent + 1, deferred_cc, index)
        body.add(indent, writeback_marker, index)
        body.add(indent, f"cpu.ia = {next_address}", index)
        body.add(indent, f"cpu.ilc = {ilcs[index]}", index)
        done = f"passes * {count} + {index}" if index else f"passes * {count}"
        for statement in _advance(done):
            body.add(indent, statement, index)
        body.add(indent, "return", index)

    indent = 3
    for index, ins in enumerate(
        instructions[:-1] if instructions[-1].opcode in _BRANCHES else instructions
    ):
        emitter = _Emitter(body, context, index, exit_lines, ins.next_address)
        body.add(indent, f"# {ins.address:06X} {ins.mnemonic} {ins.raw.hex().upper()}", index)
        template = _TEMPLATES.get(ins.opcode)
        if template is not None:
            template[0](emitter, indent, ins, plan[index])
            continue
        # No template: the bound handler, with the PSW as the interpreter has it.
        name = f"H{index}"
        generic_names.append(name)
        handled.append(ins.raw)
        emitter.line(indent, f"cpu.ia = {ins.next_address}")
        emitter.line(indent, f"cpu.ilc = {ins.ilc}")
        emitter.line(indent, f"{name}()")
        emitter.line(indent, "if cpu.code_changed:")
        emitter.line(indent + 1, "cpu.code_changed = False")
        exit_lines(indent + 1, ins.next_address, index)
    last = instructions[-1]
    last_index = count - 1
    context.body_registers = set(context.registers_used)
    counter = context.counter
    if counter is not None:
        # The passes are counted before the loop and the counter set after it.
        displacement, index, base = _loop_target(last)
        loop_target = context.address(displacement, index, base)
        counter_name = context.set_reg(counter)
    elif last.opcode in _BRANCHES:
        body.add(
            indent, f"# {last.address:06X} {last.mnemonic} {last.raw.hex().upper()}", last_index
        )
        _branch(body, context, indent, last, last_index, start, count, exit_lines)
    else:
        exit_lines(indent, last.next_address, last_index)

    written = sorted(context.registers_written)
    writeback = (
        [
            f"gpr[{r}] = (r{r} - passes) & 0xFFFFFFFF" if r == counter else f"gpr[{r}] = r{r}"
            for r in written
        ]
        if context.use_locals
        else []
    )
    writeback += [f"fpr[{f}] = f{f}" for f in sorted(context.float_registers)]
    counts_hits = any("hits += 1" in text for text in body.lines)
    if counts_hits:
        writeback.append("dat.hits += hits")
    # Translations in line per pass: each reached and not sent to translate is a hit.
    sites = body.sites

    def hits_after(done: str) -> list[str]:
        return [f"dat.hits += {done} - m"] if sites else []

    name = f"block_{start:06X}"
    parameters = ", ".join(["step", *generic_names, *LOCAL_NAMES])
    loops = counter is not None or any(text.strip() == "continue" for text in body.lines)
    context.loops = loops
    # The run loop's budget left after the first instruction: a block runs
    # only when a whole pass fits, otherwise its first instruction is stepped.
    lines = [
        f"def {name}({parameters}):",
        "    left = length_hint(cpu._block)",
        f"    if left < {count - 1}:",
        "        step()",
        "        return",
    ]
    if loops:
        lines.append(f"    limit = (left + 1) // {count}")
    lines.append("    passes = 0")
    if counts_hits:
        lines.append("    hits = 0")
    if sites:
        lines.append("    m = 0")
        lines += ["    " + text.format(last=context.storage_size - 4096) for text in _LAST_PAGE]
    if context.use_locals:
        for r in sorted(context.registers_used):
            lines.append(f"    r{r} = gpr[{r}]")
        for names, expression in context.hoisted.items():
            lines.append(f"    {names} = {expression}")
        for f in sorted(context.float_registers):
            lines.append(f"    f{f} = fpr[{f}]")
    if counter is not None:
        # The passes the counter allows (2**32 from 0), if fewer than the budget's.
        lines += [f"    if 0 < {counter_name} < limit:", f"        limit = {counter_name}"]
        if _constant(loop_target) is None:
            # A target elsewhere: one pass, then leave for it.
            # (In ``lt``: the templates' temporaries change inside the loop.)
            lines += [f"    lt = {loop_target}", f"    if lt != {start}:", "        limit = 1"]
            loop_target = "lt"
    if loops:
        # Round again while a whole pass fits in the budget; the last pass that
        # branches back to the start leaves through the code after the loop.
        lines += ["    try:", "        for passes in range(limit):"]
    else:
        # One pass, which leaves through one of its exits.
        lines += ["    try:", "        if True:"]
    first_body_line = len(lines) + 1
    owner_of_line: list[int] = []
    sites_of_line: list[int] = []
    for text, owner, reached in zip(body.lines, body.owner, body.sites_at, strict=True):
        if text.strip() == writeback_marker:
            pad = text[: len(text) - len(text.lstrip())]
            statements = writeback + hits_after(f"passes * {sites} + {reached}")
            for statement in statements:
                lines.append(pad + statement)
                owner_of_line.append(owner)
                sites_of_line.append(reached)
            continue
        lines.append(text)
        owner_of_line.append(owner)
        sites_of_line.append(reached)
    if loops:
        if counter is None:
            ending = [*writeback]
            target_after = str(start)
        else:
            ending = [f"n = ({counter_name} - limit) & 0xFFFFFFFF", f"gpr[{counter}] = n"]
            mine = f"gpr[{counter}] "
            ending += [statement for statement in writeback if not statement.startswith(mine)]
            target_after = f"{loop_target} if n else {last.next_address}"
        if deferred is not None:
            ending.append(deferred_cc)
        ending += hits_after(f"limit * {sites}")
        ending += [f"cpu.ia = {target_after}", f"cpu.ilc = {ilcs[-1]}"]
        ending += _advance(f"limit * {count} - 1")
        lines += [f"        {statement}" for statement in ending]
        owner_of_line += [count - 1] * len(ending)
        sites_of_line += [sites] * len(ending)
    index_of_line = tuple(max(owner, 0) for owner in owner_of_line)
    lines += [
        # Any exception: a program interruption leaves the PSW, ILC and count
        # exact; anything else (Ctrl+C in a served machine) at least keeps the
        # registers and the count of the instructions done.
        "    except BaseException as exception:",
        f"        x = exception.__traceback__.tb_lineno - {first_body_line}",
        f"        k = {index_of_line!r}[x]",
    ]
    lines += [f"        {statement}" for statement in writeback]
    if sites:
        table = tuple(sites_of_line)
        lines += [
            f"        {statement}" for statement in hits_after(f"passes * {sites} + {table!r}[x]")
        ]
    if deferred is not None:
        # The last setter itself raises only after an overflow, whose code 3 stands.
        test = f"k > {last_setter}"
        if first_setter:
            test += f" or (k < {first_setter} and passes)"
        lines += [f"        if {test}:", f"            {deferred_cc}"]
    lines += [
        f"        cpu.ia = {nexts!r}[k]",
        f"        cpu.ilc = {ilcs!r}[k]",
        *(f"        {statement}" for statement in _advance(f"passes * {count} + k")),
        "        raise",
    ]
    return "\n".join(lines) + "\n", tuple(handled)


def _branch(
    body: _Writer,
    context: _Context,
    indent: int,
    ins: _Instruction,
    index: int,
    start: int,
    count: int,
    exit_lines,
) -> None:
    """The block's last instruction: branch, loop back to the start, or leave."""
    c = context
    opcode = ins.opcode

    def line(depth: int, text: str) -> None:
        body.add(depth, text, index)

    def go(depth: int, target: str) -> None:
        # Taken: round again if the target is the block's start and a pass fits.
        constant = _constant(target)
        if constant is not None and constant != start:
            exit_lines(depth, constant, index)
            return
        if constant is None:
            line(depth, f"t = {target}")
            line(depth, f"if t == {start}:")
            line(depth + 1, "continue")
            exit_lines(depth, "t", index)
        else:
            line(depth, "continue")

    def fall(depth: int) -> None:
        exit_lines(depth, ins.next_address, index)

    if opcode in (0x47, 0x07):  # BC, BCR
        if opcode == 0x47:
            m1, x2, b2, d2 = _rx_fields(ins)
            target = c.address(d2, x2, b2)
        else:
            m1, r2 = _rr_fields(ins)
            target = f"{c.reg(r2)} & {c.address_mask:#x}" if r2 else None
        if not m1 or target is None:
            fall(indent)
            return
        if m1 == 15:
            go(indent, target)
            return
        line(indent, f"if {m1} & (8 >> cpu.cc):")
        go(indent + 1, target)
        fall(indent)
        return
    if opcode in (0x46, 0x06):  # BCT, BCTR
        if opcode == 0x46:
            r1, x2, b2, d2 = _rx_fields(ins)
            target = c.address(d2, x2, b2)
        else:
            r1, r2 = _rr_fields(ins)
            target = f"{c.reg(r2)} & {c.address_mask:#x}" if r2 else None
        if target is not None and _constant(target) is None:
            line(indent, f"t = {target}")
            target = "t"
        counter = c.set_reg(r1)
        line(indent, f"{counter} = {counter} - 1 if {counter} else 0xFFFFFFFF")
        if target is None:
            fall(indent)
            return
        line(indent, f"if {counter}:")
        go(indent + 1, target)
        fall(indent)
        return
    if opcode in (0x45, 0x05, 0x4D, 0x0D):  # BAL, BALR, BAS, BASR
        if opcode in (0x45, 0x4D):
            r1, x2, b2, d2 = _rx_fields(ins)
            target = c.address(d2, x2, b2)
        else:
            r1, r2 = _rr_fields(ins)
            target = f"{c.reg(r2)} & {c.address_mask:#x}" if r2 else None
        if target is not None and _constant(target) is None:
            line(indent, f"t = {target}")
            target = "t"
        if opcode in (0x45, 0x05) and c.address_mask == 0xFFFFFF:
            # BC mode link: ILC, condition code, program mask, next address.
            line(
                indent,
                f"{c.set_reg(r1)} = {ins.ilc << 30 | ins.next_address} | "
                "cpu.cc << 28 | cpu.program_mask << 24",
            )
        else:
            line(indent, f"{c.set_reg(r1)} = {ins.next_address}")
        if target is None:
            fall(indent)
        else:
            go(indent, target)
        return
    # BXH, BXLE
    r1, r3, b2, d2 = _rx_fields(ins)
    target = c.address(d2, 0, b2)
    if _constant(target) is None:
        line(indent, f"t = {target}")
        target = "t"
    line(indent, f"i = {c.reg(r3)}")
    line(indent, f"n = {c.reg(r3 | 1)}")
    line(indent, f"v = {c.set_reg(r1)} = ({c.reg(r1)} + i) & 0xFFFFFFFF")
    compare = ">" if opcode == 0x86 else "<="
    line(indent, f"if (v ^ 0x80000000) {compare} (n ^ 0x80000000):")
    go(indent + 1, target)
    fall(indent)

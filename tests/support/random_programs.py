"""Seeded random problem-state programs for differential tests.

``generate(seed)`` builds a core image that any System/360-compatible CPU can
run from a BC-mode PSW to a disabled wait, so its final registers and storage
can be compared between our emulator and a reference (Hercules in S/370
mode, tests/support/hercules.py). The same seed always gives the same program.

Layout of the image (all addresses real):

- 0x000-0x0FF low storage: every new PSW is a disabled wait (SVC new PSW at
  X'60' waits at ``SVC_WAIT_ADDRESS``, program new PSW at X'68' at
  ``PROGRAM_WAIT_ADDRESS``), so the program ends with an SVC, or with a
  program interruption whose old PSW at X'28' holds the code and ILC;
- 0x100 the data address as a word, for the first instruction;
- 0x200-0xFFF code: a preamble loads every register from the data area and
  sets the condition code and program mask with SPM, then come the random
  instructions, then an SVC with a random number;
- 0x1000-0x18FF data, addressed from register 12 (as base or as index):
  initial register values, words, floating-point numbers, packed-decimal
  fields, character fields, the TR/TRT tables and edit patterns, all random;
- after the final SVC, the targets of EX instructions.

Only instructions whose results the S/360 and S/370 architectures define
alike are generated (the reasons are the manuals'):

- operands are always aligned: the S/360 requires alignment (specification
  exception, PoO GA22-6821 "Program Interruptions") where S/370 accepts
  unaligned operands of most RX instructions;
- the PSW's bit 12 is always off: it is the ASCII bit on the S/360 and the
  EC-mode bit on the S/370, so decimal signs and zones are always EBCDIC;
- no instruction that S/370 added (MVCL, CLCL, ICM, STCM, CLM, SRP, the
  extended-precision floating point, ...) and none of the Model 67's BAS and
  BASR, which S/370 in BC mode does not have;
- HER and HDR only on operands whose leading fraction digit is 2 or more:
  the S/360 halve "shifts the fraction right one bit ... no normalization"
  (GA22-6821), while S/370 normalizes the result, so the two differ exactly
  when the leading digit is 1;
- no privileged, I/O or translation instructions (problem state), and fields
  of SS instructions overlap only where both architectures define the result
  (MVC one byte to the right; decimal operands whose rightmost bytes coincide).

Every branch goes forward (BC, BAL, BCT, BXH, BXLE) except the BCT that
closes a counted loop (``_loop``: register 11 set to 1-4 by LA, left alone by
the body, which nothing outside may branch into), so every program ends.

What the programs do: fixed-point, logical, shift, compare and halfword
instructions on registers and aligned words (a third of them boundary values
such as X'7FFFFFFF'); LM/STM, with register wrap-around; MVC, CLC, NC, OC,
XC, MVN, MVZ, TR, TRT (some fields overlapping); MVI and the other SI
instructions; PACK, UNPK, MVO, CVB, CVD; AP, SP, ZAP, CP, MP, DP on packed
fields (mostly valid, some with a bad digit or sign, some MP/DP with bad
lengths); ED and EDMK with generated patterns; short and long floating point
(mostly normalized operands, some zero, extreme, unnormalized); EX of SS,
SI, RR, RX, SVC and EX targets (the register ORing into the SS length, the SI
immediate or the SVC number); BALR/BCTR without branching
and SPM mid-program; byte fetches through a random base register (addressing
exceptions, both machines having ``STORAGE_SIZE``); counted loops whose
body may patch one of its own later instructions; and, in 3% of the
programs, a PSW key that no storage key matches, so the first store is a
protection exception. The program mask is 0 in two programs of three, so
overflows complete; otherwise they end the program with a program
interruption, whose old PSW is compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from vm370.hardware.isa import BY_MNEMONIC, BY_OPCODE

CODE_ADDRESS = 0x200
CODE_LIMIT = 0x1000
DATA_ADDRESS = 0x1000
DATA_LENGTH = 0x900
DATA_ADDRESS_WORD = 0x100
DATA_BASE = 12
SVC_WAIT_ADDRESS = 0x000111
PROGRAM_WAIT_ADDRESS = 0x000222
OTHER_WAIT_ADDRESS = 0x000333
IMAGE_LENGTH = DATA_ADDRESS + DATA_LENGTH
# Hercules' smallest storage, and ours to match: addressing exceptions agree.
STORAGE_SIZE = 2 * 1024 * 1024

SVC_OLD_PSW = 0x20
PROGRAM_OLD_PSW = 0x28

# Offsets in the data area.
REGISTER_INIT = 0x000  # 16 words
FLOAT_INIT = 0x040  # 4 doublewords
SPM_WORD = 0x060
WORDS = 0x080  # 0x080-0x1FF words and halfwords
WORDS_END = 0x200
FLOATS = 0x200  # 32 long floating-point numbers
FLOAT_COUNT = 32
DECIMALS = 0x300  # 16 slots of 16 bytes, one packed field at the start of each
DECIMAL_SLOTS = 16
CHARACTERS = 0x400  # 0x400-0x4FF and 0x700-0x7FF: any bytes
TRANSLATE_TABLE = 0x500
TEST_TABLE = 0x600  # mostly zero: the TRT function bytes
CHARACTERS_HIGH = 0x700
PATTERNS = 0x800  # 8 edit patterns of 32 bytes, copied by MVC before each ED/EDMK
PATTERN_LENGTH = 32
PATTERN_COUNT = 8

# Ranges to compare after the run: the SVC and program old PSWs, and the data.
COMPARE_RANGES = ((SVC_OLD_PSW, 16), (DATA_ADDRESS, DATA_LENGTH))

# Registers an instruction may change: all but the data base register.
WRITABLE = tuple(r for r in range(16) if r != DATA_BASE)
EVEN_PAIRS = tuple(r for r in range(0, 16, 2) if r != DATA_BASE)
FLOAT_REGISTERS = (0, 2, 4, 6)


def rr(mnemonic: str, r1: int, r2: int) -> bytes:
    """An RR instruction (for SVC, r1 and r2 are the halves of I)."""
    return bytes((BY_MNEMONIC[mnemonic].opcode, r1 << 4 | r2))


def rx(mnemonic: str, r1: int, d2: int, b2: int = DATA_BASE, x2: int = 0) -> bytes:
    """An RX instruction; the base defaults to the data base register."""
    return bytes((BY_MNEMONIC[mnemonic].opcode, r1 << 4 | x2, b2 << 4 | d2 >> 8, d2 & 0xFF))


def rs(mnemonic: str, r1: int, r3: int, d2: int, b2: int = DATA_BASE) -> bytes:
    """An RS instruction (R3 is 0 for the shifts)."""
    return bytes((BY_MNEMONIC[mnemonic].opcode, r1 << 4 | r3, b2 << 4 | d2 >> 8, d2 & 0xFF))


def si(mnemonic: str, d1: int, i2: int, b1: int = DATA_BASE) -> bytes:
    """An SI instruction."""
    return bytes((BY_MNEMONIC[mnemonic].opcode, i2, b1 << 4 | d1 >> 8, d1 & 0xFF))


def ss(
    mnemonic: str, length_byte: int, d1: int, d2: int, b1: int = DATA_BASE, b2: int = DATA_BASE
) -> bytes:
    """An SS instruction; ``length_byte`` is the whole L (or L1, L2) byte."""
    return bytes(
        (
            BY_MNEMONIC[mnemonic].opcode,
            length_byte,
            b1 << 4 | d1 >> 8,
            d1 & 0xFF,
            b2 << 4 | d2 >> 8,
            d2 & 0xFF,
        )
    )


def _text(instruction: bytes) -> str:
    """A short listing line: hex and operands by format (good enough for a failure message)."""
    row = BY_OPCODE[instruction[0]]
    b = instruction
    if row.operands == "I":
        operands = f"{b[1]}"
    elif row.operands == "R1":
        operands = f"{b[1] >> 4}"
    elif row.format == "RR":
        operands = f"{b[1] >> 4},{b[1] & 15}"
    elif row.format == "RX":
        operands = f"{b[1] >> 4},{(b[2] & 15) << 8 | b[3]:X}({b[1] & 15},{b[2] >> 4})"
    elif row.operands == "R1,D2(B2)":
        operands = f"{b[1] >> 4},{(b[2] & 15) << 8 | b[3]:X}({b[2] >> 4})"
    elif row.format == "RS":
        operands = f"{b[1] >> 4},{b[1] & 15},{(b[2] & 15) << 8 | b[3]:X}({b[2] >> 4})"
    elif row.format == "SI":
        operands = f"{(b[2] & 15) << 8 | b[3]:X}({b[2] >> 4}),X'{b[1]:02X}'"
    else:
        d1 = (b[2] & 15) << 8 | b[3]
        d2 = (b[4] & 15) << 8 | b[5]
        if row.operands == "D1(L1,B1),D2(L2,B2)":
            first, second = f"{(b[1] >> 4) + 1}", f"{(b[1] & 15) + 1}"
            operands = f"{d1:X}({first},{b[2] >> 4}),{d2:X}({second},{b[4] >> 4})"
        else:
            operands = f"{d1:X}({b[1] + 1},{b[2] >> 4}),{d2:X}({b[4] >> 4})"
    return f"{b.hex().upper():<12} {row.mnemonic:<5} {operands}"


@dataclass
class _Branch:
    """A branch (RX or RS format, base 0) whose target address is fixed at layout.

    ``r1`` is the mask of BC; ``r3`` is used by BXH and BXLE only. Without a
    ``target`` (an index into the code) it goes to a random later instruction.
    """

    mnemonic: str
    r1: int
    r3: int = 0
    target: int | None = None


@dataclass
class _PatchImmediate:
    """MVI into the immediate byte of the SI instruction at index ``target``."""

    value: int
    target: int


@dataclass
class _Execute:
    """EX of an instruction kept after the final SVC (``target`` indexes those)."""

    r1: int
    target: int


@dataclass(frozen=True)
class RandomProgram:
    """A generated program: its image, start PSW and a listing for messages."""

    seed: int
    image: bytes
    psw: int
    listing: tuple[str, ...]
    compare_ranges: tuple[tuple[int, int], ...] = COMPARE_RANGES
    storage_size: int = STORAGE_SIZE

    def describe(self) -> str:
        return f"seed {self.seed}, PSW {self.psw:016X}\n" + "\n".join(self.listing)

    def mnemonic_at(self, address: int) -> str | None:
        """The mnemonic of the listed instruction that starts at ``address``, if any."""
        for line in self.listing:
            fields = line.split()
            if int(fields[0], 16) == address:
                return fields[2]
        return None


@dataclass
class _Builder:
    rng: random.Random
    data: bytearray = field(default_factory=lambda: bytearray(DATA_LENGTH))
    code: list = field(default_factory=list)
    decimal_lengths: list[int] = field(default_factory=list)
    # Indices of instructions no branch may land on: the second of a pair
    # whose first instruction prepares its operand.
    glued: set[int] = field(default_factory=set)
    execute_targets: list[bytes] = field(default_factory=list)
    patterns_used: int = 0
    # Registers no instruction may change: the loop counter while in a loop.
    reserved: frozenset[int] = frozenset()
    loops: int = 0

    def emit(
        self, instruction: bytes | _Branch | _Execute | _PatchImmediate, glued: bool = False
    ) -> None:
        if glued:
            self.glued.add(len(self.code))
        self.code.append(instruction)

    def pick(self, mnemonics: str) -> str:
        """One of the space-separated mnemonics (repeats weigh more)."""
        return self.rng.choice(mnemonics.split())

    def register(self) -> int:
        """A register the instruction may change."""
        return self.rng.choice([r for r in WRITABLE if r not in self.reserved])

    def any_register(self) -> int:
        return self.rng.randrange(16)

    def even_register(self) -> int:
        """The even register of a pair the instruction may change."""
        return self.rng.choice(
            [r for r in EVEN_PAIRS if r not in self.reserved and r + 1 not in self.reserved]
        )

    def word_offset(self, size: int = 4, alignment: int | None = None) -> int:
        """An offset in the word area for ``size`` bytes, aligned (S/360 rule)."""
        step = alignment or size
        return self.rng.randrange(WORDS, WORDS_END - size + 1, step)

    def character_field(self, length: int) -> int:
        area = self.rng.choice((CHARACTERS, CHARACTERS_HIGH))
        return area + self.rng.randrange(0, 256 - length + 1)

    def rx(self, mnemonic: str, r1: int, offset: int) -> bytes:
        """An RX instruction on the data area, register 12 as base or as index."""
        if self.rng.random() < 0.25:
            return rx(mnemonic, r1, offset, b2=0, x2=DATA_BASE)
        return rx(mnemonic, r1, offset)

    def float_offset(self, store: bool = False) -> int:
        """A long operand; STE and STD write only the upper half of the numbers.

        The lower half stays as generated, so HER/HDR can rely on its values.
        """
        low = FLOAT_COUNT // 2 if store else 0
        return FLOATS + 8 * self.rng.randrange(low, FLOAT_COUNT)

    def float_register(self) -> int:
        return self.rng.choice(FLOAT_REGISTERS)


def _random_float(rng: random.Random) -> bytes:
    """A long floating-point number: mostly normalized, now and then zero,
    extreme, unnormalized or with a zero fraction and a nonzero characteristic."""
    roll = rng.random()
    if roll < 0.05:
        return bytes(8) if rng.random() < 0.5 else bytes((0x80,)) + bytes(7)
    if roll < 0.07:
        return bytes((rng.randrange(256),)) + bytes(7)
    if roll < 0.12:
        characteristic = rng.randrange(0x3C, 0x45)
        fraction = rng.getrandbits(56) >> rng.randrange(4, 40, 4)
        return (rng.getrandbits(1) << 63 | characteristic << 56 | fraction).to_bytes(8, "big")
    if roll < 0.12:
        characteristic = rng.choice((rng.randrange(0, 6), rng.randrange(0x7A, 0x80)))
    else:
        characteristic = rng.randrange(0x3C, 0x45)
    fraction = rng.randrange(1, 16) << 52 | rng.getrandbits(52)
    sign = rng.getrandbits(1)
    return (sign << 63 | characteristic << 56 | fraction).to_bytes(8, "big")


# Boundary values where arithmetic goes wrong first: overflow, sign, carry.
_INTERESTING_WORDS = (
    0x0000_0000,
    0x0000_0001,
    0xFFFF_FFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0x8000_0001,
    0x7FFF_FFFE,
    0x0000_7FFF,
    0x0000_8000,
    0xFFFF_8000,
    0x0000_FFFF,
    0x0001_0000,
)


def _interesting_words(rng: random.Random, data: bytearray, start: int, end: int) -> None:
    """Put boundary values into about a third of the words of data[start:end]."""
    for offset in range(start, end, 4):
        if rng.random() < 0.3:
            data[offset : offset + 4] = rng.choice(_INTERESTING_WORDS).to_bytes(4, "big")


def _packed(rng: random.Random, length: int) -> bytes:
    """A packed-decimal field of ``length`` bytes, occasionally invalid."""
    capacity = 2 * length - 1
    roll = rng.random()
    if roll < 0.1:
        value = "9" * capacity
    elif roll < 0.15:
        value = "0" * capacity
    else:
        count = rng.randint(0, capacity)
        value = "".join(rng.choice("0123456789") for _ in range(count)).rjust(capacity, "0")
    sign = rng.choice("CDCDCDCDABEF")
    nibbles = [int(c) for c in value] + [int(sign, 16)]
    if rng.random() < 0.03:
        # An invalid digit or sign: a data exception for the arithmetic.
        position = rng.randrange(len(nibbles))
        nibbles[position] = rng.randrange(10, 16) if position < capacity else rng.randrange(10)
    return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def _fill_data(builder: _Builder, program_mask: int) -> None:
    rng = builder.rng
    data = builder.data
    data[:] = rng.randbytes(DATA_LENGTH)
    _interesting_words(rng, data, REGISTER_INIT, REGISTER_INIT + 64)
    _interesting_words(rng, data, WORDS, WORDS_END)
    data[REGISTER_INIT + 4 * DATA_BASE : REGISTER_INIT + 4 * DATA_BASE + 4] = bytes(4)
    for index in range(4):
        offset = FLOAT_INIT + 8 * index
        data[offset : offset + 8] = _random_float(rng)
    condition_code = rng.randrange(4)
    data[SPM_WORD : SPM_WORD + 4] = bytes((condition_code << 4 | program_mask, 0, 0, 0))
    for index in range(FLOAT_COUNT):
        offset = FLOATS + 8 * index
        data[offset : offset + 8] = _random_float(rng)
    builder.decimal_lengths = [rng.randint(1, 16) for _ in range(DECIMAL_SLOTS)]
    for slot, length in enumerate(builder.decimal_lengths):
        offset = DECIMALS + 16 * slot
        data[offset : offset + length] = _packed(rng, length)
    table = bytearray(256)
    for _ in range(rng.randint(1, 12)):
        table[rng.randrange(256)] = rng.randrange(1, 256)
    data[TEST_TABLE : TEST_TABLE + 256] = table


def _preamble(builder: _Builder) -> None:
    emit = builder.emit
    emit(rx("L", DATA_BASE, DATA_ADDRESS_WORD, b2=0))
    emit(rx("L", 1, SPM_WORD))
    emit(rr("SPM", 1, 0))
    emit(rs("LM", 0, 11, REGISTER_INIT))
    emit(rs("LM", 13, 15, REGISTER_INIT + 4 * 13))
    for index, register in enumerate(FLOAT_REGISTERS):
        emit(rx("LD", register, FLOAT_INIT + 8 * index))


def _fixed_register(b: _Builder) -> None:
    mnemonic = b.pick("AR SR LR CR LTR LCR LNR LPR ALR SLR CLR NR OR XR AR SR ALR SLR")
    b.emit(rr(mnemonic, b.register(), b.any_register()))


def _fixed_storage(b: _Builder) -> None:
    mnemonic = b.pick("L A S C AL SL N O X CL ST L A S ST")
    register = b.any_register() if mnemonic == "ST" else b.register()
    b.emit(b.rx(mnemonic, register, b.word_offset()))


def _halfword(b: _Builder) -> None:
    mnemonic = b.pick("LH AH SH CH MH STH")
    register = b.any_register() if mnemonic == "STH" else b.register()
    b.emit(b.rx(mnemonic, register, b.word_offset(2)))


def _wild_fetch(b: _Builder) -> None:
    """A one-byte-aligned fetch from wherever a random base register points.

    Mostly past the end of storage (an addressing exception), sometimes inside
    it. Only byte operands: a random word address would not be aligned.
    """
    base = b.rng.choice([r for r in range(1, 16) if r != DATA_BASE])
    displacement = b.rng.randrange(4096)
    mnemonic = b.pick("IC CLI TM CLC")
    if mnemonic == "IC":
        b.emit(rx("IC", b.register(), displacement, b2=base))
    elif mnemonic == "CLC":
        length = b.rng.randint(1, 16)
        b.emit(ss("CLC", length - 1, displacement, b.character_field(length), b1=base))
    else:
        b.emit(si(mnemonic, displacement, b.rng.randrange(256), b1=base))


def _character_register(b: _Builder) -> None:
    mnemonic = b.rng.choice(("IC", "STC"))
    register = b.any_register() if mnemonic == "STC" else b.register()
    b.emit(b.rx(mnemonic, register, b.word_offset(1)))


def _load_address(b: _Builder) -> None:
    # LA only computes an address, so any index and base registers will do.
    b.emit(rx("LA", b.register(), b.rng.randrange(4096), b.any_register(), b.any_register()))


def _multiply_divide(b: _Builder) -> None:
    mnemonic = b.pick("MR M MR M MR M DR D")
    if mnemonic.endswith("R"):
        b.emit(rr(mnemonic, b.even_register(), b.any_register()))
    else:
        b.emit(b.rx(mnemonic, b.even_register(), b.word_offset()))


def _shift(b: _Builder) -> None:
    mnemonic = b.pick("SLL SRL SLA SRA SLDL SRDL SLDA SRDA")
    register = b.even_register() if mnemonic[2] == "D" else b.register()
    # The shift amount is the low six bits of the address: sometimes from a
    # register, sometimes one LA has just set to a small amount, which the
    # displacement may carry past 63 (only the sum's low six bits count).
    roll = b.rng.random()
    base = b.any_register() if roll < 0.2 else 0
    if roll < 0.1:
        base = b.register()
        b.emit(rx("LA", base, b.rng.randrange(64), b2=0))
    b.emit(rs(mnemonic, register, 0, b.rng.randrange(64), b2=base), glued=roll < 0.1)


def _multiple(b: _Builder) -> None:
    first = b.rng.randrange(16)
    count = b.rng.randint(1, 16)
    if b.rng.random() < 0.5:
        registers = [(first + i) % 16 for i in range(count)]
        for kept in (DATA_BASE, *b.reserved):
            if kept in registers:
                registers = registers[: registers.index(kept)]
        if not registers:
            return
        mnemonic, count = "LM", len(registers)
    else:
        mnemonic = "STM"
    last = (first + count - 1) % 16
    b.emit(rs(mnemonic, first, last, b.word_offset(4 * count, 4)))


def _immediate(b: _Builder) -> None:
    mnemonic = b.pick("MVI CLI NI OI XI TM TS CLI TM")
    immediate = 0 if mnemonic == "TS" else b.rng.randrange(256)
    b.emit(si(mnemonic, b.character_field(1), immediate))


def _characters(b: _Builder) -> None:
    mnemonic = b.pick("MVC CLC NC OC XC MVN MVZ MVC CLC")
    length = b.rng.randint(1, 16) if b.rng.random() < 0.9 else b.rng.randint(1, 256)
    if length > 128:
        first, second = CHARACTERS, CHARACTERS_HIGH
        if b.rng.random() < 0.5:
            first, second = second, first
        first += b.rng.randrange(0, 257 - length)
        second += b.rng.randrange(0, 257 - length)
    elif mnemonic == "MVC" and b.rng.random() < 0.15:
        # One byte to the right: the first byte is propagated, in both architectures.
        second = b.character_field(length + 1)
        first = second + 1
    elif b.rng.random() < 0.15:
        # Overlapping fields: both architectures define these operations as if
        # processed left to right one byte at a time (XC X,X clears a field).
        span = length + b.rng.randrange(length)
        start = b.character_field(span)
        first, second = start, start + span - length
        if b.rng.random() < 0.5:
            first, second = second, first
    else:
        first = b.character_field(length)
        second = b.character_field(length)
        while abs(first - second) < length:
            second = b.character_field(length)
    b.emit(ss(mnemonic, length - 1, first, second))


def _translate(b: _Builder) -> None:
    length = b.rng.randint(1, 32)
    if b.rng.random() < 0.5:
        b.emit(ss("TR", length - 1, b.character_field(length), TRANSLATE_TABLE))
    else:
        b.emit(ss("TRT", length - 1, b.character_field(length), TEST_TABLE))


def _decimal_slot(b: _Builder, maximum_length: int = 16, minimum_length: int = 1) -> int | None:
    slots = [
        s
        for s, length in enumerate(b.decimal_lengths)
        if minimum_length <= length <= maximum_length
    ]
    return b.rng.choice(slots) if slots else None


def _decimal_field(b: _Builder, slot: int) -> tuple[int, int]:
    return DECIMALS + 16 * slot, b.decimal_lengths[slot]


def _decimal(b: _Builder) -> None:
    mnemonic = b.pick("AP SP ZAP CP AP SP ZAP CP MP DP")
    if mnemonic in ("MP", "DP"):
        _multiply_divide_decimal(b, mnemonic)
        return
    first = _decimal_slot(b)
    second = _decimal_slot(b)
    if first is None or second is None:
        return
    # The same field as both operands: the rightmost bytes coincide, which
    # both architectures allow (GA22-6821 "Decimal Arithmetic").
    (d1, l1), (d2, l2) = _decimal_field(b, first), _decimal_field(b, second)
    b.emit(ss(mnemonic, (l1 - 1) << 4 | (l2 - 1), d1, d2))


def _multiply_divide_decimal(b: _Builder, mnemonic: str) -> None:
    """A ZAP that leaves leading zeros, then MP or DP: mostly valid, sometimes not."""
    target = _decimal_slot(b, 16, 3)
    if target is None:
        return
    d1, l1 = _decimal_field(b, target)
    l2 = b.rng.randint(1, min(8, l1 - 1))
    source = _decimal_slot(b, max(1, l1 - l2))
    operand = _decimal_slot(b, l2, l2)
    if source is None or source == target:
        return
    ds, ls = _decimal_field(b, source)
    b.emit(ss("ZAP", (l1 - 1) << 4 | (ls - 1), d1, ds))
    if operand is None or operand in (target, source):
        return
    d2, _ = _decimal_field(b, operand)
    length_byte = (l1 - 1) << 4 | (l2 - 1)
    if b.rng.random() < 0.05:
        # L2 over 8 or not less than L1: a specification exception.
        length_byte = (l1 - 1) << 4 | b.rng.choice((8, 15, l1 - 1))
    b.emit(ss(mnemonic, length_byte, d1, d2), glued=True)


def _pack_unpack(b: _Builder) -> None:
    mnemonic = b.rng.choice(("PACK", "UNPK", "MVO"))
    l1 = b.rng.randint(1, 16)
    l2 = b.rng.randint(1, 16)
    first = b.character_field(l1)
    second = b.character_field(l2)
    while first < second + l2 and second < first + l1:
        second = b.character_field(l2)
    b.emit(ss(mnemonic, (l1 - 1) << 4 | (l2 - 1), first, second))


def _convert(b: _Builder) -> None:
    mnemonic = b.rng.choice(("CVB", "CVD", "CVD"))
    register = b.register() if mnemonic == "CVB" else b.any_register()
    if mnemonic == "CVB":
        # An 8-byte field made valid by ZAP from a decimal slot first.
        slot = _decimal_slot(b, 8)
        offset = b.rng.randrange(WORDS, WORDS_END - 8 + 1, 8)
        if slot is not None:
            d2, l2 = _decimal_field(b, slot)
            b.emit(ss("ZAP", 7 << 4 | (l2 - 1), offset, d2))
        b.emit(b.rx("CVB", register, offset), glued=slot is not None)
    else:
        b.emit(b.rx("CVD", register, b.rng.randrange(WORDS, WORDS_END - 8 + 1, 8)))


def _float_register_op(b: _Builder) -> None:
    mnemonic = b.pick(
        "LER LDR AER ADR SER SDR AUR AWR SUR SWR MER MDR DER DDR CER CDR "
        "LTER LTDR LCER LCDR LNER LNDR LPER LPDR ADR AER SDR CDR"
    )
    b.emit(rr(mnemonic, b.float_register(), b.float_register()))


def _float_storage_op(b: _Builder) -> None:
    mnemonic = b.pick("LE LD AE AD SE SD AU AW SU SW ME MD DE DD CE CD STE STD LD AD LE")
    offset = b.float_offset(store=mnemonic in ("STE", "STD"))
    b.emit(b.rx(mnemonic, b.float_register(), offset))


def _halve(b: _Builder) -> None:
    """HER/HDR of a freshly loaded operand whose leading fraction digit is 2 or more."""
    long = b.rng.random() < 0.5
    candidates = [
        FLOATS + 8 * i for i in range(FLOAT_COUNT // 2) if b.data[FLOATS + 8 * i + 1] >> 4 >= 2
    ]
    if not candidates:
        return
    source = b.float_register()
    b.emit(b.rx("LD" if long else "LE", source, b.rng.choice(candidates)))
    b.emit(rr("HDR" if long else "HER", b.float_register(), source), glued=True)


def _link_count_mask(b: _Builder) -> None:
    """BALR R1,0 (link information, no branch), BCTR R1,0 (count, no branch) or SPM."""
    mnemonic = b.pick("BALR BALR BCTR SPM")
    b.emit(rr(mnemonic, b.register() if mnemonic != "SPM" else b.any_register(), 0))


def _branch(b: _Builder) -> None:
    mnemonic = b.pick("BC BC BC BC BAL BCT BXH BXLE")
    if mnemonic == "BC":
        b.emit(_Branch(mnemonic, b.rng.randrange(16)))
    elif mnemonic in ("BXH", "BXLE"):
        b.emit(_Branch(mnemonic, b.register(), b.any_register()))
    else:
        b.emit(_Branch(mnemonic, b.register()))


LOOP_COUNTER = 11


def _loop(b: _Builder) -> None:
    """LA 11,n; a body that leaves register 11 alone; BCT 11 back to the body's start.

    Half the bodies patch, with MVI, the immediate byte of an SI instruction
    later in the body, so from the second time round the CPU runs changed
    code (which an instruction cache must notice). Nothing may branch into
    the body from outside, so the body and the BCT are glued.
    """
    if b.reserved or b.loops == 2:
        return
    b.loops += 1
    b.emit(rx("LA", LOOP_COUNTER, b.rng.randint(1, 4), b2=0))
    start = len(b.code)
    b.reserved = frozenset((LOOP_COUNTER,))
    body = [family for family, _ in _FAMILIES if family not in (_loop, _edit, _halve)]
    patch = None
    if b.rng.random() < 0.5:
        patch = len(b.code)
        b.emit(_PatchImmediate(b.rng.randrange(256), -1), glued=True)
    for _ in range(b.rng.randint(2, 8)):
        before = len(b.code)
        b.rng.choice(body)(b)
        b.glued.update(range(before, len(b.code)))
    if patch is not None:
        b.emit(si(b.pick("MVI CLI TM OI NI XI"), b.character_field(1), 0), glued=True)
        b.code[patch].target = len(b.code) - 1
    b.reserved = frozenset()
    b.emit(_Branch("BCT", LOOP_COUNTER, target=start), glued=True)


def _execute(b: _Builder) -> None:
    """EX of an instruction kept after the final SVC; the register's low byte ORs into byte 1.

    With a nonzero register only targets where any byte 1 is harmless: the
    length of a one-length SS instruction (its fields are the two whole
    256-byte character areas, so any length fits), the immediate byte of an
    SI instruction, the I field of SVC (which ends the program). Other
    targets are executed unchanged, with register 0.
    """
    kind = b.rng.random()
    register = 0 if b.rng.random() < 0.3 else b.any_register()
    if kind < 0.05:
        # EX of EX: an execute exception in both architectures.
        target = rx("EX", 0, 0, b2=0)
    elif kind < 0.08:
        target = rr("SVC", 0, b.rng.randrange(16))
    elif kind < 0.25:
        target = si(b.pick("MVI CLI TM NI OI XI"), b.character_field(1), b.rng.randrange(256))
    elif kind < 0.45:
        register = 0
        mnemonic = b.pick("AR SR LR CR NR OR XR LTR LCR BALR")
        target = rr(mnemonic, b.register(), 0 if mnemonic == "BALR" else b.any_register())
    elif kind < 0.55:
        register = 0
        target = rx(b.pick("L A C N IC LA"), b.register(), b.word_offset())
    else:
        mnemonic = b.pick("MVC CLC NC OC XC MVN MVZ TR")
        second = TRANSLATE_TABLE if mnemonic == "TR" else CHARACTERS_HIGH
        target = ss(mnemonic, b.rng.randrange(16), CHARACTERS, second)
    b.execute_targets.append(target)
    b.emit(_Execute(register, len(b.execute_targets) - 1))


def _edit_pattern(rng: random.Random, digits: int) -> bytes:
    """An ED pattern: fill byte, then ``digits`` digit selectors and starters among messages."""
    fill = rng.choice((0x40, 0x5C, 0x00, 0xC1))
    pattern = [fill]
    for digit in range(digits):
        if rng.random() < 0.25:
            pattern.append(rng.choice((0x4B, 0x6B, 0xC3, 0xD9, 0x60)))
        if rng.random() < 0.03 and digit:
            pattern.append(0x22)  # field separator: a new field starts
        pattern.append(0x21 if rng.random() < 0.15 else 0x20)
    while rng.random() < 0.4 and len(pattern) < PATTERN_LENGTH:
        pattern.append(rng.choice((0xC3, 0xD9, 0x40, 0x60)))
    return bytes(pattern[:PATTERN_LENGTH])


def _edit(b: _Builder) -> None:
    """MVC of a fresh pattern into a work field, then ED or EDMK of a packed slot into it."""
    if b.patterns_used == PATTERN_COUNT:
        return
    slot = _decimal_slot(b, 8)
    if slot is None:
        return
    source, length = _decimal_field(b, slot)
    pattern = _edit_pattern(b.rng, 2 * length - 1)
    offset = PATTERNS + PATTERN_LENGTH * b.patterns_used
    b.patterns_used += 1
    b.data[offset : offset + len(pattern)] = pattern
    work = b.character_field(len(pattern))
    b.emit(ss("MVC", len(pattern) - 1, work, offset))
    b.emit(ss(b.pick("ED ED EDMK"), len(pattern) - 1, work, source), glued=True)


_FAMILIES = (
    (_fixed_register, 12),
    (_fixed_storage, 10),
    (_halfword, 5),
    (_character_register, 3),
    (_load_address, 2),
    (_multiply_divide, 2),
    (_shift, 5),
    (_multiple, 3),
    (_immediate, 5),
    (_characters, 7),
    (_translate, 2),
    (_decimal, 6),
    (_pack_unpack, 3),
    (_convert, 2),
    (_float_register_op, 6),
    (_float_storage_op, 6),
    (_halve, 1),
    (_link_count_mask, 2),
    (_branch, 6),
    (_execute, 2),
    (_edit, 2),
    (_wild_fetch, 1),
    (_loop, 1),
)


def generate(seed: int, length: int = 40, *, program_mask: int | None = None) -> RandomProgram:
    """A random program of about ``length`` instructions after the preamble.

    The program mask is random unless given: 0 (no overflow or underflow
    interrupts) two times in three, any value otherwise.
    """
    rng = random.Random(seed)
    if program_mask is None:
        program_mask = 0 if rng.random() < 2 / 3 else rng.randrange(16)
    builder = _Builder(rng)
    _fill_data(builder, program_mask)
    _preamble(builder)
    preamble_length = len(builder.code)
    families = [family for family, _ in _FAMILIES]
    weights = [weight for _, weight in _FAMILIES]
    while len(builder.code) - preamble_length < length:
        rng.choices(families, weights)[0](builder)
    svc_number = rng.randrange(256)
    builder.emit(rr("SVC", svc_number >> 4, svc_number & 15))
    return _assemble(builder, seed)


def _assemble(builder: _Builder, seed: int) -> RandomProgram:
    rng = builder.rng
    code = builder.code + builder.execute_targets
    addresses = []
    address = CODE_ADDRESS
    for item in code:
        addresses.append(address)
        address += 4 if isinstance(item, _Branch | _Execute | _PatchImmediate) else len(item)
    if address > CODE_LIMIT:
        raise ValueError(f"program of seed {seed} is too long for the code area")
    first_execute_target = len(builder.code)
    image = bytearray(IMAGE_LENGTH)
    listing = []
    for index, item in enumerate(code):
        if isinstance(item, _Branch):
            if item.target is not None:
                target = addresses[item.target]
            else:
                # Forward only, at most to the final SVC, so every program ends.
                later = range(index + 1, len(builder.code))
                target = addresses[rng.choice([t for t in later if t not in builder.glued])]
            if item.mnemonic in ("BXH", "BXLE"):
                item = rs(item.mnemonic, item.r1, item.r3, target, b2=0)
            else:
                item = rx(item.mnemonic, item.r1, target, b2=0)
        elif isinstance(item, _PatchImmediate):
            item = si("MVI", addresses[item.target] + 1, item.value, b1=0)
        elif isinstance(item, _Execute):
            item = rx("EX", item.r1, addresses[first_execute_target + item.target], b2=0)
        image[addresses[index] : addresses[index] + len(item)] = item
        listing.append(f"{addresses[index]:06X}  {_text(item)}")
    _install_low_storage(image)
    image[DATA_ADDRESS:IMAGE_LENGTH] = builder.data
    psw = START_PSW
    if rng.random() < 0.03:
        # A PSW key that matches no storage key (all are 0): the first store
        # is a protection exception.
        psw |= rng.randrange(1, 16) << 52
    return RandomProgram(seed=seed, image=bytes(image), psw=psw, listing=tuple(listing))


def _install_low_storage(image: bytearray) -> None:
    image[DATA_ADDRESS_WORD : DATA_ADDRESS_WORD + 4] = DATA_ADDRESS.to_bytes(4, "big")
    for new_psw, address in (
        (0x58, OTHER_WAIT_ADDRESS),  # external
        (0x60, SVC_WAIT_ADDRESS),
        (0x68, PROGRAM_WAIT_ADDRESS),
        (0x70, OTHER_WAIT_ADDRESS),  # machine check
        (0x78, OTHER_WAIT_ADDRESS),  # I/O
    ):
        image[new_psw : new_psw + 8] = disabled_wait_psw(address).to_bytes(8, "big")


def build_image(code: bytes, data: bytes = b"") -> bytes:
    """A core image in the generator's layout for a hand-written program.

    ``code`` goes at ``CODE_ADDRESS`` (run it with ``START_PSW``), ``data``
    at ``DATA_ADDRESS``; end the code with an SVC. Register 12 is not set:
    start with ``L 12,X'100'`` to address the data from it.
    """
    if CODE_ADDRESS + len(code) > CODE_LIMIT or len(data) > DATA_LENGTH:
        raise ValueError("code or data too long for the layout")
    image = bytearray(IMAGE_LENGTH)
    _install_low_storage(image)
    image[CODE_ADDRESS : CODE_ADDRESS + len(code)] = code
    image[DATA_ADDRESS : DATA_ADDRESS + len(data)] = data
    return bytes(image)


# Problem state, key 0, every interruption disabled; CC and mask come from SPM.
START_PSW = 0x0001_0000_0000_0000 | CODE_ADDRESS


def disabled_wait_psw(address: int) -> int:
    """A BC-mode PSW in the wait state with every interruption masked off."""
    return 0x0002_0000_0000_0000 | address

"""The System/360 Model 67 CPU: state, storage access, the run loop, EC mode and DAT.

Sources: IBM System/360 Principles of Operation (GA22-6821), Model 67
Functional Characteristics (GA27-2719).

How it runs (SIMH style): ``run`` executes instructions in blocks that end at
the next clock event or the instruction limit; interruptions and events are
looked at only between blocks. An instruction that may make a pending
interruption takeable (LPSW, SSM, the I/O instructions, SVC, a native
routine) ends its block by raising ``RecheckInterruptions`` after it has
completed. The virtual clock advances at the end of each block, one
microsecond an instruction; the I/O instructions and native routines call
``sync_clock`` first, so devices and CP see the time of their instruction.
When an interruption's new PSW leads to a native routine (a trap to CP) and
``run`` would find nothing to do before it, the routine runs at once as the
next instruction of the same block (``_native_after_interruption``).

Instructions are decoded once and kept in a cache keyed by their address: an
entry is ``(bound handler, next instruction address, ILC)``, the handler
bound to its decoded fields with ``functools.partial``. A fresh entry counts
its runs (``_warm``); once hot, the run of instructions from its address is
translated into a Python function (vm370/hardware/blocks.py) that takes the
entry's place and runs the run as one step, advancing the step counter by
the instructions it executed. The storage granules (8 bytes) that hold
cached instructions and blocks are marked in ``Storage.code_granules``; a
store into a marked granule (by the CPU, a channel, or an interruption's PSW
swap) drops the entries there. There is one cache per PSW key, because
fetch protection depends on the key; SSK drops the entries of the block
whose key changed.

A program interruption loop that can change nothing (the new PSW addresses
an instruction that fails before doing anything, as with low storage all
zeros) is counted rather than run between clock events
(``_skip_interruption_loop``); ``interruption_loop`` describes it.

Storage access: handlers touch storage only through ``fetch``/``store`` and
their sized variants, and ``check_access``, with logical addresses. With the
PSW's translation bit on (EC mode, bit 5) the CPU's class is
``TranslatingCPU``, whose versions of these methods translate through the
DAT unit (``dat``, vm370/hardware/dat.py) and hand real addresses to the
methods here, which check storage keys on them; ``load_psw`` switches the
class. Every purge of the associative array (a CR0 load) empties the
decoded-instruction caches, which are kept by logical address, one per PSW
key, translation on or off, and 24- or 32-bit mode. While the PSW addresses
a native routine in the supervisor state the class may stay the translating
one (``_match_class``): a routine makes no storage access through the CPU,
and a trap from a translated guest to CP's routine and back then changes
the class no more than it changes the translation the guest runs with.

Extended-control mode (CR6 bit 8, GA27-2719; docs/model67.md): PSWs have the
EC format in ``load_psw``, ``current_psw`` and the swaps, interruption codes
go to their halfwords in low storage, and a channel interrupts when PSW bit
6 and its CR4 bit are on.

Handler signatures are in ``vm370.hardware.instructions``. SVC gets its I
field split as the RR format splits it: ``r1 = I >> 4``, ``r2 = I & 15``.

Interruptions are taken between instructions in the PoO's order (machine
check, external, I/O; a program or SVC interruption is taken as its
instruction ends), each new PSW possibly enabling the next. The wait state
lets virtual time jump to the next event; ``run`` stops when nothing could
ever end the wait.

Where the manuals leave a choice:

- an instruction that cannot be fetched (odd address, addressing,
  protection or translation exception) leaves the old PSW addressing it,
  with ILC 0, so the old address less twice the ILC is always the
  instruction's;
- the ILC in external and I/O old PSWs (PoO: unpredictable) is that of the
  last instruction;
- machine checks happen only when something calls ``request_machine_check``
  (fault injection, teaching); no log-out is stored.
"""

from __future__ import annotations

import struct
import types
import warnings
from collections.abc import Callable
from functools import partial
from operator import length_hint

from vm370.hardware import isa
from vm370.hardware.blocks import HOT_COUNT, MAX_BLOCK_DROPS, Block, Translator
from vm370.hardware.clock import Clock
from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    EC_ADDRESSING_32,
    EC_EXTERNAL_MASK,
    EC_INTERRUPTION_CODE,
    EC_IO_MASK,
    EC_TRANSLATION,
    EXTENDED_CHANNEL_MASK_REGISTER,
    MODE_REGISTER,
    ControlRegisters,
)
from vm370.hardware.dat import PAGE_SIZE, DynamicAddressTranslator
from vm370.hardware.instructions import build_dispatch
from vm370.hardware.interrupts import (
    ADDRESSING,
    EXECUTE,
    OPERATION,
    PRIVILEGED_OPERATION,
    PROTECTION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.psw import (
    EXTERNAL_MASK,
    EXTERNAL_NEW_PSW,
    EXTERNAL_OLD_PSW,
    EXTERNAL_TIMER,
    IO_NEW_PSW,
    IO_OLD_PSW,
    MACHINE_CHECK_NEW_PSW,
    MACHINE_CHECK_OLD_PSW,
    PROGRAM_NEW_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
    SVC_OLD_PSW,
    RecheckInterruptions,
    channel_mask_bit,
)
from vm370.hardware.storage import BLOCK_SHIFT, GRANULE_SHIFT, Storage
from vm370.hardware.timer import IntervalTimer
from vm370.hardware.translated_access import TranslatedStorageAccess

NativeRoutine = Callable[["CPU"], None]

# struct is several times faster than slicing plus int.from_bytes here.
_unpack_halfword = struct.Struct(">H").unpack_from
_pack_halfword = struct.Struct(">H").pack_into
_unpack_word = struct.Struct(">I").unpack_from
_pack_word = struct.Struct(">I").pack_into
_unpack_doubleword = struct.Struct(">Q").unpack_from
_pack_doubleword = struct.Struct(">Q").pack_into
_pack_words = struct.Struct(">II").pack_into

ADDRESS_MASK_24 = 0xFFFFFF
PROGRAM_INTERRUPTION_CODE = EC_INTERRUPTION_CODE[PROGRAM_OLD_PSW]
ADDRESS_MASK_32 = 0xFFFFFFFF

INTERRUPTION_CLASSES = {
    MACHINE_CHECK_OLD_PSW: "machine-check",
    SVC_OLD_PSW: "svc",
    PROGRAM_OLD_PSW: "program",
    EXTERNAL_OLD_PSW: "external",
    IO_OLD_PSW: "io",
}

DISABLED_WAIT = "disabled-wait"
ENABLED_WAIT = "enabled-wait"
LIMIT = "limit"


def _operation_exception() -> None:
    raise ProgramInterrupt(OPERATION)


# The exception every trap to a CP begins with. Building one per trap is
# a third of raising it, so one instance serves; its traceback is dropped at
# each raise, which keeps it from growing and from holding old frames.
_PRIVILEGED_OPERATION = ProgramInterrupt(PRIVILEGED_OPERATION)


def _privileged(cpu: CPU, bound: Callable[[], None]) -> None:
    # PoO: a privileged instruction in the problem state is suppressed.
    if cpu.problem_state:
        raise _PRIVILEGED_OPERATION.with_traceback(None)
    bound()


class CPU:
    """One System/360 Model 67 CPU (BC mode) attached to storage, a clock and channels."""

    __slots__ = (
        "storage",
        "mem",
        "keys",
        "storage_size",
        "code_granules",
        "clock",
        "channels",
        "timer",
        "gpr",
        "fpr",
        "ia",
        "ilc",
        "cc",
        "program_mask",
        "system_mask",
        "key",
        "ascii",
        "machine_check_mask",
        "wait",
        "problem_state",
        "interruption_code",
        "address_mask",
        "external_pending",
        "machine_check_pending",
        "native_routines",
        "interruption_observers",
        "instruction_observers",
        "instructions_executed",
        "dat",
        "control",
        "translation",
        "_variants",
        "_ec_psw_fixed",
        "_caches",
        "_cache",
        "_granule_owners",
        "_dispatch",
        "_block",
        "_block_budget",
        "_block_synced",
        "code_changed",
        "_translator",
        "_heat",
        "_blocks",
        "block_hot_count",
        "blocks_advanced",
        "_block_drops",
        "interruption_loop",
        "_quiet_program_check",
        "_loop_signature",
    )

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        channels: object | None = None,
        *,
        interval_timer: bool = True,
    ) -> None:
        self.storage = storage
        self.mem = storage.mem
        self.keys = storage.keys
        self.storage_size = storage.size
        self.code_granules = storage.code_granules
        self.clock = clock
        self.channels = channels
        self.gpr = [0] * 16
        self.fpr = [0] * 4
        self.ia = 0
        self.ilc = 0
        self.cc = 0
        self.program_mask = 0
        self.system_mask = 0
        self.key = 0
        self.ascii = False
        self.machine_check_mask = False
        self.wait = False
        self.problem_state = False
        self.interruption_code = 0
        self.address_mask = ADDRESS_MASK_24
        self.translation = False
        # The classes for translation off and on (_match_class).
        self._variants = (_variant(type(self), False), _variant(type(self), True))
        # Bits 4-15 of the EC PSW's high word as they stand (_ec_psw_high), -1
        # when not known: set by an EC PSW's load, dropped when SSM or a mode
        # change moves one of them. Only a load or SSM changes them (S/360 has
        # no instruction that sets the key alone), so on a trap to CP they are
        # those of the PSW CP loaded to run the guest.
        self._ec_psw_fixed = -1
        self.external_pending = 0
        self.machine_check_pending = False
        self.native_routines: dict[int, NativeRoutine] = {}
        # Called after every PSW swap with the class and the old PSW, for
        # teaching panels and traces; they must only look, never change.
        self.interruption_observers: list[Callable[[str, int], None]] = []
        # Called with the instruction address before each instruction while
        # any is registered (traces, single-stepping panels); none costs nothing.
        self.instruction_observers: list[Callable[[int], None]] = []
        self.instructions_executed = 0
        # The Model 67's control registers and translation unit. Decoded
        # instructions are kept by logical address, so every purge of the
        # associative array (a CR0 load) must drop them.
        self.control = ControlRegisters()
        self.dat = DynamicAddressTranslator(storage, self.control)
        self.dat.on_purge = self.flush_instruction_cache
        # One cache per key, translation on or off, and 24- or 32-bit mode:
        # the same logical address names different instructions in each.
        self._caches: list[dict[int, tuple]] = [{} for _ in range(64)]
        self._cache = self._caches[0]
        self._granule_owners: dict[int, list[int]] = {}
        self._dispatch = build_dispatch()
        self._block = None
        self._block_budget = 0
        self._block_synced = 0
        # Block translation (blocks.py): how often each decoded address has
        # started an instruction, and the blocks made, by start address.
        # Starts of an instruction at an address before a block is made from
        # there; 0 turns block translation off (everything is interpreted).
        self.block_hot_count = HOT_COUNT
        self.code_changed = False
        self.blocks_advanced = False
        self._translator = Translator(self)
        self._heat: dict[int, int] = {}
        self._blocks: dict[int, list[Block]] = {}
        self._block_drops: dict[int, int] = {}
        # A program interruption that changed nothing but the PSW swap, and
        # what the last one left (run's interruption-loop detection).
        self._quiet_program_check = False
        self._loop_signature: tuple | None = None
        self.interruption_loop: dict | None = None
        storage.code_written = self._code_written
        self.timer = IntervalTimer(storage, clock, self.request_timer_interruption)
        if interval_timer:
            self.timer.start()

    # A checkpoint (vm370/cp/checkpoint.py) keeps the architected state and the
    # counters; the decoded instructions and translated blocks are the host's
    # work, not the machine's, and are made again as the restored machine runs.
    _REBUILT_ON_RESTORE = frozenset(
        (
            "_caches",
            "_cache",
            "_granule_owners",
            "_dispatch",
            "_block",
            "_translator",
            "_heat",
            "_blocks",
            "_block_drops",
            "_variants",
        )
    )

    def __getstate__(self) -> dict:
        self.flush_instruction_cache()
        return {
            name: getattr(self, name)
            for name in CPU.__slots__
            if name not in self._REBUILT_ON_RESTORE and hasattr(self, name)
        }

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._variants = (_variant(type(self), False), _variant(type(self), True))
        self._caches = [{} for _ in range(64)]
        self._cache = self._caches[0]
        self._set_addressing(self.translation, self.address_mask)  # the PSW's cache
        self._granule_owners = {}
        self._dispatch = build_dispatch()
        self._block = None
        self._translator = Translator(self)
        self._heat = {}
        self._blocks = {}
        self._block_drops = {}

    def reset(self) -> None:
        """CPU reset (PoO "System Reset"): PSW zero, nothing pending; registers stay.

        The control registers go back to their initial values too (BC mode,
        no segment table), so the PSW of zero is a BC-mode one.
        """
        self.control.reset()
        self.load_psw(0)
        self.external_pending = 0
        self.machine_check_pending = False
        self.flush_instruction_cache()

    @property
    def extended_control_mode(self) -> bool:
        """CR6 bit 8: PSWs are in the Model 67's EC format (GA27-2719)."""
        return self.control.extended_control_mode

    def current_psw(self, interruption_code: int | None = None) -> int:
        """The current PSW as a 64-bit integer: BC format, or EC format when CR6 says so.

        ``interruption_code`` only goes into a BC-mode PSW; the EC-mode PSW
        has no field for it (interruptions store it in low storage).
        """
        if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:
            return self._ec_psw_high() << 32 | (self.ia & self.address_mask)
        code = self.interruption_code if interruption_code is None else interruption_code
        return (
            self.system_mask << 56
            | self.key << 52
            | self.ascii << 51
            | self.machine_check_mask << 50
            | self.wait << 49
            | self.problem_state << 48
            | (code & 0xFFFF) << 32
            | (self.ilc & 3) << 30
            | self.cc << 28
            | self.program_mask << 24
            | (self.ia & ADDRESS_MASK_24)
        )

    def _ec_psw_high(self) -> int:
        """The high word of the current PSW in EC format (GA27-2719; docs/model67.md)."""
        fixed = self._ec_psw_fixed
        if fixed < 0:
            system_mask = self.system_mask
            fixed = self._ec_psw_fixed = (
                (self.address_mask == ADDRESS_MASK_32) << 27
                | self.translation << 26
                | (system_mask & 0xFE != 0) << 25
                | (system_mask & EXTERNAL_MASK) << 24
                | self.key << 20
                | self.ascii << 19
                | self.machine_check_mask << 18
                | self.wait << 17
                | self.problem_state << 16
            )
        return fixed | (self.ilc & 3) << 14 | self.cc << 12 | self.program_mask << 8

    def load_psw(self, value: int) -> None:
        """Make a 64-bit PSW current (LPSW, an interruption, the operator).

        The PSW is in the EC format when CR6 bit 8 is on, else in the BC format.
        """
        # The fields of psw.BCPSW and ECPSW, taken apart inline: every
        # interruption comes through here.
        high = value >> 32
        if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:
            # The fields of the high word, taken apart once for each value
            # seen (_ec_psw_fields): a CP loads the same few PSWs on every trap.
            fields = _EC_PSW_FIELDS.get(high)
            if fields is None:
                fields = _ec_psw_fields(high)
            (
                self.system_mask,
                self.ascii,
                self.machine_check_mask,
                self.wait,
                self.problem_state,
                self.ilc,
                self.cc,
                self.program_mask,
                self.key,
                translation,
                address_mask,
                mode,
            ) = fields
            self.interruption_code = 0
            # Bits 4-15 are the fields just taken apart, as _ec_psw_high
            # would put them back (the spare bits 0-3 are not kept).
            self._ec_psw_fixed = high & 0x0FFF0000
            # _set_addressing, inline.
            self.translation = translation
            self.address_mask = address_mask
            self._cache = self._caches[self.key | mode]
            ia = self.ia = value & address_mask
            # _match_class, inline.
            variant = self._variants[translation]
            if self.__class__ is not variant and (
                translation or self.problem_state or ia not in self.native_routines
            ):
                self.__class__ = variant
            return
        self.system_mask = high >> 24
        self.ascii = bool(high & 0x00080000)
        self.machine_check_mask = bool(high & 0x00040000)
        self.wait = bool(high & 0x00020000)
        self.problem_state = bool(high & 0x00010000)
        self.interruption_code = high & 0xFFFF
        # Kept so a wait PSW reads back as loaded; the next instruction sets its own.
        self.ilc = (value >> 30) & 3
        self.cc = (value >> 28) & 3
        self.program_mask = (value >> 24) & 15
        self.ia = value & ADDRESS_MASK_24
        self.key = (high >> 20) & 15
        # BC mode: no translation, 24-bit addresses.
        self._set_addressing(False, ADDRESS_MASK_24)

    def _set_addressing(self, translation: bool, address_mask: int) -> None:
        """Take the PSW's translation bit and address size into use (after its key and address)."""
        self._ec_psw_fixed = -1
        self.translation = translation
        self.address_mask = address_mask
        # Caches 0-15 by key; +16 with translation on, +32 in the 32-bit mode.
        mode = (16 if translation else 0) | (32 if address_mask == ADDRESS_MASK_32 else 0)
        self._cache = self._caches[self.key | mode]
        self._match_class()

    def _match_class(self) -> None:
        """Give the CPU the class of its translation mode, unless a native routine runs next.

        The translating variant has the same slots: storage accesses then go
        through the DAT unit (translated_access.py). With translation off
        and the PSW at a native routine in the supervisor state the class is
        left as it is: the routine makes no storage access through the CPU,
        and the class is matched again when it has run (``_enter_native``,
        ``_native_after_interruption``) or at the next PSW loaded.
        """
        variant = self._variants[self.translation]
        if self.__class__ is not variant and (
            self.translation or self.problem_state or self.ia not in self.native_routines
        ):
            self.__class__ = variant

    def set_system_mask(self, mask: int) -> None:
        """SSM: set PSW bits 0-7.

        In EC mode those bits are spare (0-3), the 32-bit mode, translation,
        the I/O summary mask and the external mask (GA27-2719).
        """
        self._ec_psw_fixed = -1
        if not self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:
            self.system_mask = mask
            return
        self.system_mask = (0xFE if mask & 0x02 else 0) | (mask & EXTERNAL_MASK)
        address_mask = ADDRESS_MASK_32 if mask & 0x08 else ADDRESS_MASK_24
        self._set_addressing(bool(mask & 0x04), address_mask)
        self.ia &= address_mask

    def control_registers_loaded(self, was_extended_control_mode: bool) -> None:
        """Bring the PSW in line with the control registers after LMC.

        Loading CR6 may switch modes (our choice where GA27-2719 is silent):
        BC to EC, the channel masks become the I/O summary mask, on if any
        was on; EC to BC, translation goes off, addresses are 24 bits, and
        the summary mask becomes every channel mask.
        """
        extended = self.extended_control_mode
        if extended == was_extended_control_mode:
            return
        self._ec_psw_fixed = -1
        if extended:
            system_mask = self.system_mask
            self.system_mask = (0xFE if system_mask & 0xFE else 0) | (system_mask & EXTERNAL_MASK)
        else:
            self._set_addressing(False, ADDRESS_MASK_24)
            self.ia &= ADDRESS_MASK_24

    def _address_error(self, address: int, length: int) -> None:
        """Raise addressing unless every byte, wrapping at the address space, is installed."""
        space = self.address_mask + 1
        for offset in range(length):
            if (address + offset) % space >= self.storage_size:
                raise ProgramInterrupt(ADDRESSING)

    def _pieces(self, address: int, length: int) -> list[tuple[int, int]]:
        """Split an operand that wraps at the end of the address space into real pieces."""
        space = self.address_mask + 1
        address %= space
        pieces = []
        while length > 0:
            run = min(length, space - address)
            pieces.append((address, run))
            length -= run
            address = 0
        return pieces

    def check_access(self, address: int, length: int, store: bool) -> None:
        """Raise the addressing or protection exception an access would cause."""
        self._check_real_access(address, length, store)

    def _check_real_access(self, address: int, length: int, store: bool) -> None:
        # The access methods call this, never ``self.check_access``: a
        # translating subclass overrides the public methods, and what they
        # hand down here is already a real address.
        if length <= 0:
            return
        end = address + length
        if end > self.storage_size:
            self._address_error(address, length)
            for start, run in self._pieces(address, length):
                self._check_key(start, start + run, store)
            return
        if self.key:
            self._check_key(address, end, store)

    def _check_key(self, address: int, end: int, store: bool) -> None:
        key = self.key
        if not key:
            return
        keys = self.keys
        for block in range(address >> BLOCK_SHIFT, ((end - 1) >> BLOCK_SHIFT) + 1):
            block_key = keys[block]
            # PoO "Protection": stores need a matching key; fetches too when
            # the block's fetch-protection bit is on.
            if block_key >> 4 != key and (store or block_key & 0x08):
                raise ProgramInterrupt(PROTECTION)

    def fetch(self, address: int, length: int) -> bytes:
        """Fetch ``length`` bytes (1-256 in practice) with addressing and protection."""
        end = address + length
        if end > self.storage_size:
            self._check_real_access(address, length, False)
            return b"".join(bytes(self.mem[s : s + n]) for s, n in self._pieces(address, length))
        if self.key:
            self._check_key(address, end, False)
        return bytes(self.mem[address:end])

    def store(self, address: int, data: bytes) -> None:
        """Store ``data`` with addressing and protection checked before any byte changes."""
        length = len(data)
        if not length:
            return
        end = address + length
        if end > self.storage_size:
            self._check_real_access(address, length, True)
            offset = 0
            for start, run in self._pieces(address, length):
                self._store_real(start, data[offset : offset + run])
                offset += run
            return
        if self.key:
            self._check_key(address, end, True)
        self.mem[address:end] = data
        if self.code_granules.find(1, address >> 3, ((end - 1) >> 3) + 1) >= 0:
            self._code_written(address, length)

    def _store_real(self, address: int, data: bytes) -> None:
        end = address + len(data)
        self.mem[address:end] = data
        if self.code_granules.find(1, address >> 3, ((end - 1) >> 3) + 1) >= 0:
            self._code_written(address, len(data))

    def fetch_byte(self, address: int) -> int:
        if address >= self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        key = self.key
        if key:
            block_key = self.keys[address >> BLOCK_SHIFT]
            if block_key & 0x08 and block_key >> 4 != key:
                raise ProgramInterrupt(PROTECTION)
        return self.mem[address]

    def store_byte(self, address: int, value: int) -> None:
        if address >= self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        key = self.key
        if key and self.keys[address >> BLOCK_SHIFT] >> 4 != key:
            raise ProgramInterrupt(PROTECTION)
        self.mem[address] = value & 0xFF
        if self.code_granules[address >> 3]:
            self._code_written(address, 1)

    def fetch_halfword(self, address: int) -> int:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        end = address + 2
        if end > self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        key = self.key
        if key:
            block_key = self.keys[address >> BLOCK_SHIFT]
            if block_key & 0x08 and block_key >> 4 != key:
                raise ProgramInterrupt(PROTECTION)
        return _unpack_halfword(self.mem, address)[0]

    def store_halfword(self, address: int, value: int) -> None:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        end = address + 2
        if end > self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        key = self.key
        if key and self.keys[address >> BLOCK_SHIFT] >> 4 != key:
            raise ProgramInterrupt(PROTECTION)
        _pack_halfword(self.mem, address, value & 0xFFFF)
        if self.code_granules[address >> 3]:
            self._code_written(address, 2)

    def fetch_word(self, address: int) -> int:
        if address & 3 or address + 4 > self.storage_size:
            raise ProgramInterrupt(ADDRESSING if not address & 3 else SPECIFICATION)
        key = self.key
        if key:
            block_key = self.keys[address >> BLOCK_SHIFT]
            if block_key & 0x08 and block_key >> 4 != key:
                raise ProgramInterrupt(PROTECTION)
        return _unpack_word(self.mem, address)[0]

    def store_word(self, address: int, value: int) -> None:
        if address & 3 or address + 4 > self.storage_size:
            raise ProgramInterrupt(ADDRESSING if not address & 3 else SPECIFICATION)
        key = self.key
        if key and self.keys[address >> BLOCK_SHIFT] >> 4 != key:
            raise ProgramInterrupt(PROTECTION)
        _pack_word(self.mem, address, value & 0xFFFFFFFF)
        if self.code_granules[address >> 3]:
            self._code_written(address, 4)

    def fetch_doubleword(self, address: int) -> int:
        if address & 7:
            raise ProgramInterrupt(SPECIFICATION)
        end = address + 8
        if end > self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        if self.key:
            self._check_key(address, end, False)
        return _unpack_doubleword(self.mem, address)[0]

    def store_doubleword(self, address: int, value: int) -> None:
        if address & 7:
            raise ProgramInterrupt(SPECIFICATION)
        end = address + 8
        if end > self.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        if self.key:
            self._check_key(address, end, True)
        _pack_doubleword(self.mem, address, value & 0xFFFFFFFFFFFFFFFF)
        if self.code_granules[address >> 3]:
            self._code_written(address, 8)

    def set_storage_key(self, address: int, key_byte: int) -> None:
        """SSK's effect on the block holding real ``address``.

        Storage.set_key tells the CPU, which forgets the instructions it
        decoded there under the old key.
        """
        self.storage.set_key(address, key_byte)

    def _code_written(self, address: int, length: int) -> None:
        """Drop cached instructions and blocks in the granules address..address+length-1 touch.

        A translated block that is running sees ``code_changed`` after a
        handler's store and leaves at once (blocks.py).
        """
        granules = self.storage.code_granules
        owners = self._granule_owners
        caches = self._caches
        blocks = self._blocks
        first = address >> GRANULE_SHIFT
        last = (address + length - 1) >> GRANULE_SHIFT
        dropped: list[Block] = []
        removed: list[tuple[dict, int, tuple]] = []
        granule = granules.find(1, first, last + 1)
        while granule >= 0:
            granules[granule] = 0
            for instruction_address in owners.pop(granule, ()):
                for cache in caches:
                    entry = cache.pop(instruction_address, None)
                    if entry is not None:
                        removed.append((cache, instruction_address, entry))
                starting_here = blocks.pop(instruction_address, None)
                if starting_here is not None:
                    dropped += starting_here
                    drops = self._block_drops
                    drops[instruction_address] = drops.get(instruction_address, 0) + 1
            granule = granules.find(1, granule + 1, last + 1)
        if dropped:
            self._keep_first_instructions(dropped, removed, first, last)
        self.code_changed = True

    def _keep_first_instructions(
        self, dropped: list[Block], removed: list[tuple[dict, int, tuple]], first: int, last: int
    ) -> None:
        """After a store into granules ``first``..``last``: what dropping ``dropped`` leaves.

        A block dropped by a store into one of its later instructions gives
        its place back to its first instruction, decoded and able to warm up
        again, as the interpreter would have kept it (decoding it again would
        fetch it, which counts references in the associative array). The
        block's marks on the granules the store left alone go with it.
        """
        owners = self._granule_owners
        granules = self.storage.code_granules
        by_function = {id(block.function): block for block in dropped}
        for block in dropped:
            for granule in block.real_granules:
                if not first <= granule <= last:
                    marked = owners.get(granule)
                    if marked is not None and block.start in marked:
                        marked.remove(block.start)
                        if not marked:
                            del owners[granule]
                            granules[granule] = 0
        for cache, address, (bound, next_address, ilc) in removed:
            block = by_function.get(id(bound))
            if block is None or any(first <= g <= last for g in block.first_granules):
                continue
            step_bound, _next_address, _ilc = bound.block_step
            cache[address] = (
                partial(self._warm, address, step_bound, next_address, ilc),
                next_address,
                ilc,
            )

    def flush_instruction_cache(self) -> None:
        """Forget every decoded instruction and block (translation changed, storage replaced).

        Costs what was cached: only the granules marked are cleared.
        """
        for cache in self._caches:
            if cache:
                cache.clear()
        granules = self.storage.code_granules
        for granule in self._granule_owners:
            granules[granule] = 0
        self._granule_owners.clear()
        self._heat.clear()
        self._blocks.clear()
        self._block_drops.clear()

    def translated_blocks(self) -> list[Block]:
        """The translated blocks now cached, by start address (for people and tests)."""
        return [block for start in sorted(self._blocks) for block in self._blocks[start]]

    def _warm(self, address: int, bound: Callable[[], None], next_address: int, ilc: int) -> None:
        """Run a freshly decoded instruction, translating a block from it once it is hot."""
        hot_count = self.block_hot_count
        heat = self._heat
        count = heat.get(address, 0) + 1
        if not hot_count:
            self._cache[address] = (bound, next_address, ilc)
        elif count < hot_count:
            heat[address] = count
        else:
            heat.pop(address, None)
            self._install_block(address, (bound, next_address, ilc))
        bound()

    def _install_block(self, address: int, step: tuple) -> None:
        """Put the block starting at ``address`` in the cache, or the plain instruction."""
        # Code that keeps storing into itself (or data sharing its granules)
        # would be translated again and again: after a few drops it stays
        # interpreted.
        block = None
        if self._block_drops.get(address, 0) < MAX_BLOCK_DROPS:
            try:
                block = self._translator.build(address, step)
            except Exception as error:  # a translator bug must not stop the machine
                # The instructions run interpreted, as they would with
                # translation off; the warning says where.
                warnings.warn(f"no block at {address:06X}: {error!r}", stacklevel=2)
        if block is None:
            self._cache[address] = step
            return
        self._cache[address] = (block.function, step[1], step[2])
        self._blocks.setdefault(address, []).append(block)
        # The rest of the run is inside the block now: its instructions start
        # blocks of their own only if entered often on their own (a branch
        # into the middle), not because this pass is still interpreting them.
        heat = self._heat
        for inside in block.addresses[1:]:
            heat[inside] = -4 * self.block_hot_count
        granules = self.storage.code_granules
        owners = self._granule_owners
        for granule in block.real_granules:
            if granule < len(granules):
                granules[granule] = 1
                owners.setdefault(granule, []).append(address)

    def _fetch_instruction(self, address: int) -> bytes:
        """Fetch the instruction at ``address`` as instruction fetching does (PoO)."""
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        first = self.fetch(address, 2)
        length = isa.instruction_length(first[0])
        if length == 2:
            return first
        return first + self.fetch((address + 2) & self.address_mask, length - 2)

    def bind(self, raw: bytes) -> Callable[[], None]:
        """Bind the handler of the instruction ``raw`` to its decoded fields."""
        handler, fmt, privileged = self._dispatch[raw[0]]
        if handler is None:
            if privileged:
                return partial(_privileged, self, _operation_exception)
            return _operation_exception
        byte1 = raw[1]
        if fmt == "RR":
            bound = partial(handler, self, byte1 >> 4, byte1 & 15)
        else:
            byte2 = raw[2]
            displacement = (byte2 & 15) << 8 | raw[3]
            if fmt == "RX" or fmt == "RS":
                bound = partial(handler, self, byte1 >> 4, byte1 & 15, byte2 >> 4, displacement)
            elif fmt == "SI":
                bound = partial(handler, self, byte1, byte2 >> 4, displacement)
            else:
                bound = partial(
                    handler,
                    self,
                    byte1,
                    byte2 >> 4,
                    displacement,
                    raw[4] >> 4,
                    (raw[4] & 15) << 8 | raw[5],
                )
        if privileged:
            return partial(_privileged, self, bound)
        return bound

    def _decode(self, address: int) -> tuple:
        """Decode the instruction at ``address`` and remember it in the cache."""
        # Native routines sit at real addresses: with translation on the
        # address is a virtual one and names whatever the tables say.
        routine = None if self.translation else self.native_routines.get(address)
        if routine is not None:
            entry = (partial(self._enter_native, address, routine), address, 0)
            self._cache[address] = entry
            return entry
        try:
            raw = self._fetch_instruction(address)
        except ProgramInterrupt:
            # The instruction address is left at the instruction that could
            # not be fetched, and its length is not known: ILC 0.
            self.ilc = 0
            raise
        length = len(raw)
        next_address = (address + length) & self.address_mask
        bound = self.bind(raw)
        entry = (
            partial(self._warm, address, bound, next_address, length >> 1),
            next_address,
            length >> 1,
        )
        self._cache[address] = entry
        self._mark_code(address, length)
        return entry

    def _mark_code(self, address: int, length: int) -> None:
        """Mark the granules of the instruction at ``address`` as holding cached code.

        ``address`` is the cache key. With translation on the marks go on the
        real granules the instruction translates to (stores arrive with real
        addresses), with the logical address as their owner.
        """
        granules = self.storage.code_granules
        owners = self._granule_owners
        last = address + length - 1
        if self.translation:
            # The instruction was just fetched, so both ends translate.
            translate = self.dat.translate
            real_granules = {
                translate(address) >> GRANULE_SHIFT,
                translate(last & self.address_mask) >> GRANULE_SHIFT,
            }
        else:
            real_granules = {address >> GRANULE_SHIFT, last >> GRANULE_SHIFT}
        for granule in real_granules:
            if granule < len(granules):
                granules[granule] = 1
                owners.setdefault(granule, []).append(address)

    def execute_target(self, address: int, modifier: int) -> None:
        """EX: run the instruction at ``address`` with its second byte OR ``modifier``.

        The instruction address already points past the EX and the ILC is
        EX's, as the PoO asks for the subject instruction's interruptions
        and links.
        """
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        raw = self._fetch_instruction(address)
        if raw[0] == 0x44:
            raise ProgramInterrupt(EXECUTE)
        if modifier:
            raw = bytes((raw[0], raw[1] | modifier)) + raw[2:]
        self.bind(raw)()

    def register_native(self, address: int, routine: NativeRoutine) -> None:
        """Run ``routine(cpu)`` instead of the instruction at real ``address`` in supervisor state.

        The routine acts as supervisor code: it must leave by changing the
        PSW (``cpu.load_psw``) or ``cpu.ia``; it counts as one instruction.
        """
        self.native_routines[address] = routine
        # A block may hold the instruction at ``address``: forget them all.
        self.flush_instruction_cache()

    def _enter_native(self, address: int, routine: NativeRoutine) -> None:
        if self.problem_state:
            raw = self._fetch_instruction(address)
            self.ia = (address + len(raw)) & self.address_mask
            self.ilc = len(raw) >> 1
            self.bind(raw)()
            return
        self.ia = address
        self.sync_clock()
        routine(self)
        self._match_class()  # the routine may have set the address alone
        raise RecheckInterruptions

    def _swap_psw(self, old_location: int, new_location: int, code: int) -> None:
        """Store the current PSW at ``old_location`` and load the one at ``new_location``."""
        mem = self.mem
        if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:
            # Stored by words (every trap to CP comes here): the high word's
            # fields are small numbers.
            high = self._ec_psw_high()
            low = self.ia & self.address_mask
            # The EC-mode PSW has no interruption code: it goes to a halfword
            # of its own in low storage (docs/model67.md).
            code_location = EC_INTERRUPTION_CODE[old_location]
            _pack_halfword(mem, code_location, code & 0xFFFF)
            if self.code_granules[code_location >> GRANULE_SHIFT]:
                self._code_written(code_location, 2)
            # Real doublewords in low storage: no keys, no translation.
            _pack_words(mem, old_location, high, low)
        else:
            old_psw = self.current_psw(code)
            _pack_doubleword(mem, old_location, old_psw)
        if self.code_granules[old_location >> GRANULE_SHIFT]:
            self._code_written(old_location, 8)
        self.load_psw(_unpack_doubleword(mem, new_location)[0])
        if self.interruption_observers:
            old_psw = _unpack_doubleword(mem, old_location)[0]
            for observer in self.interruption_observers:
                observer(INTERRUPTION_CLASSES[old_location], old_psw)

    def program_interruption(self, code: int) -> None:
        """Perform a program interruption with ``code`` (PoO "Program Interruption").

        The old PSW holds the instruction address as it stands: past the
        instruction, whose length is in the ILC, or at it with ILC 0 when
        it could not be fetched (PoO GA22-6821, "Instruction-Length Code").
        The Model 67's segment- and page-translation exceptions follow the
        same rule, unlike System/370's nullification (docs/model67.md): the
        supervisor finds the instruction to retry by backing the address up
        by the ILC.
        """
        self._swap_psw(PROGRAM_OLD_PSW, PROGRAM_NEW_PSW, code)

    def supervisor_call(self, number: int) -> None:
        """Perform the SVC interruption for SVC ``number`` (the instruction has completed)."""
        self._swap_psw(SVC_OLD_PSW, SVC_NEW_PSW, number & 0xFF)
        raise RecheckInterruptions

    def request_timer_interruption(self) -> None:
        self.external_pending |= EXTERNAL_TIMER

    def request_external_interruption(self, code_bits: int) -> None:
        """Make external interruption bits (24-31 of the code) pending: 0x40 interrupt key."""
        self.external_pending |= code_bits & 0xFF

    def request_machine_check(self) -> None:
        """Signal a machine malfunction (for fault injection and teaching; nothing else does)."""
        self.machine_check_pending = True

    def _channel_enabled(self, channel: int) -> bool:
        if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:
            # GA27-2719: PSW bit 6 is a summary mask, CR4 bit n masks channel n.
            return bool(self.system_mask & 0xFE) and self.control.channel_masked_on(channel)
        return bool(self.system_mask & channel_mask_bit(channel))

    def _io_masked_off(self) -> bool:
        """No channel at all may interrupt (in EC mode: summary mask or CR4 all off)."""
        if not self.system_mask & 0xFE:
            return True
        return bool(
            self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE
            and not self.control.values[EXTENDED_CHANNEL_MASK_REGISTER]
        )

    def take_interruptions(self) -> bool:
        """Take every pending interruption the PSW allows: machine check, external, I/O.

        Each new PSW may enable the next class, which is then taken at once
        with that new PSW as its old PSW (PoO, "Priority of Interruptions").
        """
        taken = False
        while True:
            if self.machine_check_pending and self.machine_check_mask:
                # PoO: the interruption code is zero; the diagnostic log-out
                # a real model stores from location 128 is not modelled.
                self.machine_check_pending = False
                self._swap_psw(MACHINE_CHECK_OLD_PSW, MACHINE_CHECK_NEW_PSW, 0)
                taken = True
                continue
            if self.external_pending and self.system_mask & EXTERNAL_MASK:
                # PoO: the pending external conditions are presented together.
                code = self.external_pending
                self.external_pending = 0
                self._swap_psw(EXTERNAL_OLD_PSW, EXTERNAL_NEW_PSW, code)
                taken = True
                continue
            channels = self.channels
            if channels is not None and channels.interrupt_pending and self.system_mask & 0xFE:
                device = channels.take_interrupt(self._channel_enabled)
                if device is not None:
                    self._swap_psw(IO_OLD_PSW, IO_NEW_PSW, device)
                    taken = True
                    continue
            return taken

    def execute(self, budget: int) -> int:
        """Run at most ``budget`` instructions; return how many were started.

        Stops early after an instruction that may have made an interruption
        takeable, or after a program interruption, unless the interruption
        led to a native routine that gave the CPU back to a problem-state
        program with nothing to take first (``_native_after_interruption``):
        a trap to CP and back is then one block.
        """
        if self.instruction_observers:
            return self._execute_observed(budget)
        count = 0
        # Instruction fetches with translation on are counted as the block
        # leaves (or a native routine stops it): from ``first_address``, -1
        # if translation was off, the instructions after the first ``counted``.
        first_address = self.ia if self.translation else -1
        counted = 0
        block = self._start_block(budget)
        try:
            while True:
                cache = self._cache
                try:
                    # A translated block advances ``block`` by the instructions it ran
                    # and says so in ``blocks_advanced``; then ``count`` is behind.
                    for count in block:  # noqa: B007 - count is the result
                        ia = self.ia
                        try:
                            bound, self.ia, self.ilc = cache[ia]
                        except KeyError:
                            bound, self.ia, self.ilc = self._decode(ia)
                        bound()
                    break
                except ProgramInterrupt as interrupt:
                    # Operation and privileged-operation exceptions and instructions
                    # that could not be fetched (ILC 0) change nothing but the PSW.
                    self._quiet_program_check = (
                        interrupt.code <= PRIVILEGED_OPERATION or not self.ilc
                    )
                    self.program_interruption(interrupt.code)
                except RecheckInterruptions:
                    # An SVC's new PSW, like a program interruption's, may lead to a native routine.
                    pass
                going_on = self._native_after_interruption(block, first_address, counted)
                if not going_on:
                    if going_on is not None:
                        first_address = -1  # counted before the routine ran
                    break
                first_address = self.ia if self.translation else -1
                counted = self._block_budget - length_hint(block)
        finally:
            if self.blocks_advanced:
                self.blocks_advanced = False
                count = budget - length_hint(block)
            self._end_block(count)
            if first_address >= 0:
                self.dat.count_instruction_fetches(first_address, count - counted)
        return count

    def _native_after_interruption(self, block, first_address: int, counted: int) -> bool | None:
        """Run the native routine the new PSW leads to, in the same block.

        After a program interruption, or an instruction that ends its block
        (an SVC's interruption, LPSW): what ``run`` would do next, done at
        once, when the PSW addresses a native routine in the supervisor
        state with translation off, the block has room for one more
        instruction, and ``run`` would find no clock event due and no
        interruption the PSW enables before it (so it would start that
        routine as the next instruction). The routine counts as the block's
        next instruction. The instruction fetches the block made translated
        (from ``first_address``, -1 if none, after the first ``counted``
        instructions) are counted first, as the end of the block would have
        counted them.

        Returns None if no routine ran. Else whether the block may run on
        with the PSW the routine loaded: yes when that PSW is a
        problem-state program's, not a wait, no observer watches
        instructions, what is left of the block ends by the clock's next
        event (the routine may have set the timer), and no interruption the
        PSW enables is pending, so that ``run`` would only start a new block
        at this same point, with the same budget.
        """
        if self.translation or not self.native_routines:
            return None
        routine = self.native_routines.get(self.ia)
        if routine is None:
            return None
        left = length_hint(block)
        clock = self.clock
        executed = self._block_budget - left
        if (
            not left
            or self.problem_state
            or self.wait
            or clock.now + (executed - self._block_synced) >= clock.next_due
            or (self.machine_check_pending and self.machine_check_mask)
            or (self.external_pending and self.system_mask & EXTERNAL_MASK)
            or (
                self.system_mask & 0xFE
                and self.channels is not None
                and self.channels.interrupt_pending
            )
        ):
            return None
        if first_address >= 0:
            self.dat.count_instruction_fetches(first_address, executed - counted)
        self._quiet_program_check = False
        next(block)
        self.blocks_advanced = True  # the block's count is taken from its counter
        self.ilc = 0
        # sync_clock, inline: the routine sees the time of its own instruction.
        executed += 1
        clock.now += executed - self._block_synced
        self._block_synced = executed
        try:
            routine(self)
        except ProgramInterrupt as interrupt:
            self._quiet_program_check = interrupt.code <= PRIVILEGED_OPERATION or not self.ilc
            self.program_interruption(interrupt.code)
            return False
        except RecheckInterruptions:
            return False
        if self.__class__ is not self._variants[self.translation]:
            self._match_class()  # the routine may have set the address alone
        # The block's end (now plus what is left of it) against the next event.
        return (
            left > 1
            and self.problem_state
            and not self.wait
            and not self.instruction_observers
            and clock.now + self._block_budget - self._block_synced <= clock.next_due
            and not (self.machine_check_pending and self.machine_check_mask)
            and not (self.external_pending and self.system_mask & EXTERNAL_MASK)
            and not (
                self.system_mask & 0xFE
                and self.channels is not None
                and self.channels.interrupt_pending
            )
        )

    def _start_block(self, budget: int):
        # The block's counter is a range iterator kept here, so sync_clock can
        # ask it how far the block has got without the loop counting twice.
        block = iter(range(1, budget + 1))
        self._block = block
        self._block_budget = budget
        self._block_synced = 0
        return block

    def _end_block(self, count: int) -> None:
        self._block = None
        self.clock.now += count - self._block_synced

    def sync_clock(self) -> None:
        """Bring ``clock.now`` up to the instruction being executed.

        Between blocks the clock is exact; inside one it advances only when
        the block ends. An I/O instruction (whose device schedules its
        completion) and a native routine (which may read or set timers) call
        this first, so the time they see is that of their own instruction.
        """
        block = self._block
        if block is None:
            return
        executed = self._block_budget - length_hint(block)
        self.clock.now += executed - self._block_synced
        self._block_synced = executed

    def _execute_observed(self, budget: int) -> int:
        """``execute`` calling each instruction observer with the address before each one."""
        observers = tuple(self.instruction_observers)
        block = self._start_block(budget)
        try:
            for _ in block:
                ia = self.ia
                for observer in observers:
                    observer(ia)
                entry = self._cache.get(ia) or self._decode(ia)
                bound, self.ia, self.ilc = entry
                # A translated block's first instruction alone: observers see each one.
                step = getattr(bound, "block_step", None)
                if step is not None:
                    bound, self.ia, self.ilc = step
                bound()
        except ProgramInterrupt as interrupt:
            self.program_interruption(interrupt.code)
        except RecheckInterruptions:
            pass
        finally:
            count = budget - length_hint(block)
            self._end_block(count)
        return count

    def run(self, max_instructions: int) -> str:
        """Run until a wait that nothing can end or ``max_instructions``; return why it stopped.

        Returns ``"disabled-wait"``, ``"enabled-wait"`` or ``"limit"``.
        """
        clock = self.clock
        executed = 0
        self.interruption_loop = None
        self._loop_signature = None
        # Each time the wait state lets time pass counts as one step against the
        # limit, so a wait that devices keep busy forever (a channel program
        # looping on TIC) still ends at the limit. Instructions are counted apart.
        wait_steps = 0
        try:
            self.take_interruptions()
            while True:
                if self.wait:
                    if executed + wait_steps >= max_instructions:
                        return LIMIT
                    stop = self._wait()
                    if stop is not None:
                        return stop
                    wait_steps += 1
                    continue
                remaining = max_instructions - executed - wait_steps
                if remaining <= 0:
                    return LIMIT
                budget = clock.next_due - clock.now
                if budget > remaining:
                    budget = remaining
                elif budget < 1:
                    budget = 1
                count = self.execute(budget)
                executed += count
                if clock.now >= clock.next_due:
                    clock.run_due()
                self.take_interruptions()
                if self._quiet_program_check:
                    self._quiet_program_check = False
                    if count == 1:
                        if self._loop_signature is None:
                            # The first of a possible run: nothing to compare yet
                            # (CP's traps, one at a time, stop here).
                            self._loop_signature = ()
                        else:
                            executed += self._skip_interruption_loop(
                                max_instructions - executed - wait_steps
                            )
                        continue
                # Only back-to-back repeats make a loop.
                if self._loop_signature is not None:
                    self._loop_signature = None
                    self.interruption_loop = None
        finally:
            self.instructions_executed += executed

    def _skip_interruption_loop(self, remaining: int) -> int:
        """Pass over the repeats of a program-interruption loop that can change nothing.

        Called after a program interruption of the first instruction of a
        step that changed nothing but the PSW swap (low storage all zeros:
        the new PSW addresses an invalid operation). When two in a row leave
        the same PSW and the same old PSW in storage, every repeat until
        the next clock event is that same step again: they are counted, and
        the clock moved, without running them. Returns how many were
        skipped. Translation (whose array counts each fetch) and observers
        (who want to see each one) always run them.
        """
        if self.translation or self.interruption_observers or self.instruction_observers:
            return 0
        mem = self.mem
        signature = (
            self.current_psw(),
            bytes(mem[PROGRAM_OLD_PSW : PROGRAM_OLD_PSW + 8]),
            bytes(mem[PROGRAM_INTERRUPTION_CODE : PROGRAM_INTERRUPTION_CODE + 2]),
        )
        if signature != self._loop_signature:
            self._loop_signature = signature
            self.interruption_loop = None
            return 0
        if self.interruption_loop is None:
            old_psw = int.from_bytes(signature[1], "big")
            code = (
                int.from_bytes(signature[2], "big")
                if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE
                else (old_psw >> 32) & 0xFFFF
            )
            self.interruption_loop = {
                "class": "program",
                "code": f"{code:04X}",
                "old_psw": f"{old_psw:016X}",
                "psw": f"{signature[0]:016X}",
            }
        clock = self.clock
        skipped = min(clock.next_due - 1 - clock.now, remaining)
        if skipped <= 0:
            return 0
        clock.now += skipped
        return skipped

    def _wait(self) -> str | None:
        """One step of the wait state: take an interruption, let time pass, or stop."""
        if self.take_interruptions():
            return None
        io_masked_off = self._io_masked_off()
        if io_masked_off and not self.system_mask & EXTERNAL_MASK:
            return DISABLED_WAIT
        timer_can_end = self.system_mask & EXTERNAL_MASK and self.timer.running
        devices_can_end = not io_masked_off and self.clock.pending() > self.timer.scheduled_events()
        if not (timer_can_end or devices_can_end):
            return ENABLED_WAIT
        if timer_can_end:
            self.timer.schedule_for_wait()
        if not self.clock.advance_to_next_event():
            return ENABLED_WAIT  # a paced run's horizon: nothing more happens yet
        self.clock.run_due()
        self.timer.resume()
        self.take_interruptions()
        return None


# EC-mode PSW high words taken apart (CPU._load_ec_psw), by value.
_EC_PSW_FIELDS: dict[int, tuple] = {}
_EC_PSW_FIELDS_LIMIT = 4096


def _ec_psw_fields(high: int) -> tuple:
    """The CPU's fields for an EC-mode PSW's high word, remembered for the next load.

    The run loop reads the BC-style system mask: the EC I/O summary mask
    (bit 6) is kept there as every channel bit, CR4 then decides per channel
    (_channel_enabled); the external mask (bit 7) as bit 7. The spare bits
    0-3 and 24-31 are ignored (docs/model67.md, choice 10). The last field is
    the cache's mode offset (_set_addressing).
    """
    translation = bool(high & EC_TRANSLATION)
    address_mask = ADDRESS_MASK_32 if high & EC_ADDRESSING_32 else ADDRESS_MASK_24
    fields = (
        (0xFE if high & EC_IO_MASK else 0) | (EXTERNAL_MASK if high & EC_EXTERNAL_MASK else 0),
        bool(high & 0x00080000),
        bool(high & 0x00040000),
        bool(high & 0x00020000),
        bool(high & 0x00010000),
        (high >> 14) & 3,
        (high >> 12) & 3,
        (high >> 8) & 15,
        (high >> 20) & 15,
        translation,
        address_mask,
        (16 if translation else 0) | (32 if address_mask == ADDRESS_MASK_32 else 0),
    )
    if len(_EC_PSW_FIELDS) >= _EC_PSW_FIELDS_LIMIT:
        _EC_PSW_FIELDS.clear()
    _EC_PSW_FIELDS[high] = fields
    return fields


_real_fetch = CPU.fetch
_real_store = CPU.store
_real_check_access = CPU.check_access
_real_fetch_byte = CPU.fetch_byte
_real_store_byte = CPU.store_byte
_real_fetch_halfword = CPU.fetch_halfword
_real_store_halfword = CPU.store_halfword
_real_fetch_word = CPU.fetch_word
_real_store_word = CPU.store_word
_translated_fetch = TranslatedStorageAccess.fetch
_translated_store = TranslatedStorageAccess.store
_translated_check_access = TranslatedStorageAccess.check_access


class TranslatingCPU(TranslatedStorageAccess, CPU):
    """The CPU while the PSW has translation on: every storage access goes through DAT.

    Never built directly: a CPU becomes one (``__class__``) when it loads a
    PSW with the translation bit on, and goes back when it loads one without.
    The commonest accesses call the real CPU methods directly rather than
    through ``super()`` (same rules as translated_access.py), and an operand
    within one page is translated in line, with the one translation
    ``translate_range`` would make.
    """

    __slots__ = ()

    def fetch(self, address: int, length: int) -> bytes:
        address &= self.address_mask
        if 0 < length <= PAGE_SIZE - (address & (PAGE_SIZE - 1)):
            return _real_fetch(self, self.dat.translate(address), length)
        return _translated_fetch(self, address, length)

    def store(self, address: int, data: bytes) -> None:
        address &= self.address_mask
        if 0 < len(data) <= PAGE_SIZE - (address & (PAGE_SIZE - 1)):
            _real_store(self, self.dat.translate(address), data)
            return
        _translated_store(self, address, data)

    def check_access(self, address: int, length: int, store: bool) -> None:
        address &= self.address_mask
        if 0 < length <= PAGE_SIZE - (address & (PAGE_SIZE - 1)):
            _real_check_access(self, self.dat.translate(address), length, store)
            return
        _translated_check_access(self, address, length, store)

    def fetch_byte(self, address: int) -> int:
        return _real_fetch_byte(self, self.dat.translate(address))

    def store_byte(self, address: int, value: int) -> None:
        _real_store_byte(self, self.dat.translate(address), value)

    def fetch_halfword(self, address: int) -> int:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        return _real_fetch_halfword(self, self.dat.translate(address))

    def store_halfword(self, address: int, value: int) -> None:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        _real_store_halfword(self, self.dat.translate(address), value)

    def fetch_word(self, address: int) -> int:
        if address & 3:
            raise ProgramInterrupt(SPECIFICATION)
        return _real_fetch_word(self, self.dat.translate(address))

    def store_word(self, address: int, value: int) -> None:
        if address & 3:
            raise ProgramInterrupt(SPECIFICATION)
        _real_store_word(self, self.dat.translate(address), value)


# CPython keeps its specialized attribute accesses in the code of each
# function, for one class at a time. A CPU changes class (CPU <->
# TranslatingCPU) whenever the translation its programs run with changes, so
# the methods that run on each side of that change get a copy of their own in
# the translating class, whose accesses then stay specialized for it. (So a
# change to one of these methods made at run time must be made to both.)
_COPIED_FOR_EACH_CLASS = (
    "execute",
    "load_psw",
    "_swap_psw",
    "_ec_psw_high",
    "program_interruption",
    "_native_after_interruption",
    "sync_clock",
    "_start_block",
    "_end_block",
    "take_interruptions",
)


def _copy_methods(translating_class: type, real_class: type) -> None:
    """Give ``translating_class`` its own copies of ``real_class``'s hottest methods."""
    for name in _COPIED_FOR_EACH_CLASS:
        function = getattr(real_class, name)
        copy = types.FunctionType(
            function.__code__.replace(),
            function.__globals__,
            function.__name__,
            function.__defaults__,
            function.__closure__,
        )
        copy.__doc__ = function.__doc__
        copy.__qualname__ = function.__qualname__
        copy.__kwdefaults__ = function.__kwdefaults__
        setattr(translating_class, name, copy)


_copy_methods(TranslatingCPU, CPU)

_VARIANTS: dict[tuple[type, bool], type] = {
    (CPU, True): TranslatingCPU,
    (CPU, False): CPU,
    (TranslatingCPU, True): TranslatingCPU,
    (TranslatingCPU, False): CPU,
}


def _variant(cpu_class: type, translation: bool) -> type:
    """The class a CPU of ``cpu_class`` becomes with translation on or off.

    A subclass of CPU gets a translating twin made on first use, so a
    subclass keeps its own methods while translating.
    """
    variant = _VARIANTS.get((cpu_class, translation))
    if variant is None:
        real_class = next(
            base
            for base in cpu_class.__mro__
            if issubclass(base, CPU) and not issubclass(base, TranslatedStorageAccess)
        )
        translating_class = type(
            f"Translating{real_class.__name__}",
            (TranslatedStorageAccess, real_class),
            {"__slots__": ()},
        )
        _copy_methods(translating_class, real_class)
        for each in (cpu_class, real_class, translating_class):
            _VARIANTS[each, False] = real_class
            _VARIANTS[each, True] = translating_class
        variant = _VARIANTS[cpu_class, translation]
    return variant

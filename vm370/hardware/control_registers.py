"""The Model 67's control registers and its extended-control (EC) mode PSW.

Facts from the IBM System/360 Model 67 Functional Characteristics
(GA27-2719-2, "Table 4. Control Registers" and "Instruction Fetching and
Execution"); see docs/model67.md for the full list of sources and of the
choices made where the sources are silent.

Control registers (16 of 32 bits, loaded by LMC and stored by STMC):

    CR0      segment table register: bits 0-7 segment table length, bits 8-31
             segment table origin (DAT, vm370/hardware/dat.py)
    CR2      translation (relocation) exception address register: the virtual
             address whose translation failed
    CR4      extended channel masks: bit n masks I/O interruptions of channel n
    CR5      reserved for the masks of channels 32-63 (not installed: reads 0)
    CR6      bits 0-1 machine-check mask extensions for channel controllers 0
             and 1; bit 8 extended-control mode; bit 9 configuration control;
             bits 24-31 extensions of the PSW's mask bits (kept, not decoded)
    CR8-14   partitioning sensing registers: the switch settings of the 2167
             configuration unit (read-only; a fixed simplex configuration)
    CR1, CR3, CR7, CR15  unassigned: loads are ignored, stores give zero

The EC-mode PSW (bit 8 of CR6 on), 64 bits:

    bits  0-3   spare (zero)
    bit   4     32-bit addressing mode (0: 24-bit)
    bit   5     translation (DAT) on
    bit   6     I/O mask (summary; CR4 holds the per-channel masks)
    bit   7     external mask (summary)
    bits  8-11  protection key
    bit   12    ASCII, 13 machine-check mask, 14 wait, 15 problem state
    bits 16-17  instruction-length code
    bits 18-19  condition code
    bits 20-23  program mask
    bits 24-31  spare (zero)
    bits 32-63  instruction address

An EC-mode PSW has no interruption-code field: the interruption codes are
stored in low storage instead (``EC_INTERRUPTION_CODE``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

NUMBER_OF_CONTROL_REGISTERS = 16

SEGMENT_TABLE_REGISTER = 0
TRANSLATION_EXCEPTION_ADDRESS_REGISTER = 2
EXTENDED_CHANNEL_MASK_REGISTER = 4
EXTENDED_CHANNEL_MASK_REGISTER_HIGH = 5
MODE_REGISTER = 6
PARTITIONING_SENSING_REGISTERS = range(8, 15)

# CR6 bits (bit 0 is the leftmost of the 32).
CR6_MACHINE_CHECK_MASK_CC0 = 0x80000000
CR6_MACHINE_CHECK_MASK_CC1 = 0x40000000
CR6_EXTENDED_CONTROL_MODE = 0x00800000
CR6_CONFIGURATION_CONTROL = 0x00400000
CR6_MASK_EXTENSIONS = 0x000000FF
# Which bits of each register exist; the others read back as zero. Registers
# not listed (the unassigned ones, CR5 for the uninstalled channels 32-63, and
# the read-only CR8-14, see PARTITIONING_SENSING_VALUES) keep nothing loaded.
LOADABLE_BITS = tuple(
    {
        SEGMENT_TABLE_REGISTER: 0xFFFFFFFF,
        TRANSLATION_EXCEPTION_ADDRESS_REGISTER: 0xFFFFFFFF,
        EXTENDED_CHANNEL_MASK_REGISTER: 0xFFFFFFFF,
        MODE_REGISTER: CR6_MACHINE_CHECK_MASK_CC0
        | CR6_MACHINE_CHECK_MASK_CC1
        | CR6_EXTENDED_CONTROL_MODE
        | CR6_CONFIGURATION_CONTROL
        | CR6_MASK_EXTENSIONS,
    }.get(number, 0)
    for number in range(NUMBER_OF_CONTROL_REGISTERS)
)

# What the partitioning sensing registers read back on a simplex Model 67
# (one CPU, its storage and channels in one partition). GA27-2719's bit-level
# layout of these registers was not available to us; these are the values the
# SIMH 360/67 model returns for a simplex system (a fact about a
# configuration, not code), recorded here so that STMC gives a stable answer.
PARTITIONING_SENSING_VALUES = {
    8: 0x88888888,
    9: 0x88884444,
    10: 0x02468ACE,
    11: 0x80000000,
    12: 0xAAAAAAAA,
    13: 0xAAAAAAAA,
    14: 0x00000200,
}

# Where an EC-mode interruption stores its 16-bit interruption code (the
# EC-mode PSW has no room for it), keyed by the old-PSW location of the class.
# External X'0E', SVC X'10', program X'12' and I/O X'16' are as the SIMH
# 360/67 model stores them; machine check X'14' is inferred from the order of
# the old PSWs (external, SVC, program, machine check, I/O), see
# docs/model67.md.
EXTERNAL_CODE_LOCATION = 0x0E
SVC_CODE_LOCATION = 0x10
PROGRAM_CODE_LOCATION = 0x12
MACHINE_CHECK_CODE_LOCATION = 0x14
IO_CODE_LOCATION = 0x16
EC_INTERRUPTION_CODE = {
    0x18: EXTERNAL_CODE_LOCATION,
    0x20: SVC_CODE_LOCATION,
    0x28: PROGRAM_CODE_LOCATION,
    0x30: MACHINE_CHECK_CODE_LOCATION,
    0x38: IO_CODE_LOCATION,
}

# EC-mode PSW bits in the leftmost word.
EC_ADDRESSING_32 = 0x08000000
EC_TRANSLATION = 0x04000000
EC_IO_MASK = 0x02000000
EC_EXTERNAL_MASK = 0x01000000
EC_SPARE_BITS = 0xF00000FF_00000000


class ControlRegisterError(ValueError):
    """A control-register number outside 0-15."""


def control_register_numbers(first: int, last: int) -> list[int]:
    """The registers LMC/STMC R1,R3 touch: R1 up to R3, wrapping from 15 to 0."""
    if not (0 <= first < NUMBER_OF_CONTROL_REGISTERS and 0 <= last < NUMBER_OF_CONTROL_REGISTERS):
        raise ControlRegisterError(f"control registers {first}-{last}: numbers must be 0-15")
    count = (last - first) % NUMBER_OF_CONTROL_REGISTERS + 1
    return [(first + i) % NUMBER_OF_CONTROL_REGISTERS for i in range(count)]


def parse_control_register_setting(text: str) -> tuple[int, int]:
    """Parse ``N=HEX`` (as ``vm370 bare --cr`` takes it) into (register, value).

    ``N`` is decimal 0-15; ``HEX`` is one to eight hex digits. Raises
    ValueError with a message that says what was expected.
    """
    number_text, separator, value_text = text.partition("=")
    number_text, value_text = number_text.strip(), value_text.strip().replace("_", "")
    if not separator or not number_text.isdigit() or not 0 <= int(number_text) <= 15:
        raise ValueError(f"control register setting {text!r} must be N=HEX with N from 0 to 15")
    if not 1 <= len(value_text) <= 8 or any(c not in "0123456789abcdefABCDEF" for c in value_text):
        raise ValueError(f"control register setting {text!r}: the value must be 1-8 hex digits")
    return int(number_text), int(value_text, 16)


class ControlRegisters:
    """The sixteen control registers of one Model 67 CPU.

    ``on_segment_table_load`` is called with the new CR0 value every time CR0
    is loaded (even with the same value): the DAT unit uses it to purge its
    associative array, as loading the segment table register does on the 67.
    """

    __slots__ = ("values", "on_segment_table_load")

    def __init__(self) -> None:
        self.values = [0] * NUMBER_OF_CONTROL_REGISTERS
        self.on_segment_table_load: Callable[[int], None] | None = None
        self.reset()

    def reset(self) -> None:
        """Initial CPU reset: BC mode, no segment table, all masks off."""
        for number in range(NUMBER_OF_CONTROL_REGISTERS):
            self.values[number] = PARTITIONING_SENSING_VALUES.get(number, 0)
        if self.on_segment_table_load is not None:
            self.on_segment_table_load(0)

    def load(self, number: int, value: int) -> None:
        """Load one register as LMC does; bits the register lacks are dropped."""
        if not 0 <= number < NUMBER_OF_CONTROL_REGISTERS:
            raise ControlRegisterError(f"control register {number}: numbers must be 0-15")
        if number in PARTITIONING_SENSING_VALUES:
            return  # sensing registers show switch settings; software cannot set them
        self.values[number] = value & LOADABLE_BITS[number]
        if number == SEGMENT_TABLE_REGISTER and self.on_segment_table_load is not None:
            self.on_segment_table_load(self.values[0])

    def store(self, number: int) -> int:
        """The word STMC stores for one register."""
        if not 0 <= number < NUMBER_OF_CONTROL_REGISTERS:
            raise ControlRegisterError(f"control register {number}: numbers must be 0-15")
        return self.values[number]

    def load_multiple(self, first: int, last: int, words: Sequence[int]) -> None:
        """LMC R1,R3: load registers R1 to R3 (wrapping) from consecutive words."""
        numbers = control_register_numbers(first, last)
        if len(words) != len(numbers):
            raise ValueError(f"LMC {first},{last} needs {len(numbers)} words, got {len(words)}")
        for number, word in zip(numbers, words, strict=True):
            self.load(number, word)

    def store_multiple(self, first: int, last: int) -> list[int]:
        """STMC R1,R3: the words to store for registers R1 to R3 (wrapping)."""
        return [self.store(number) for number in control_register_numbers(first, last)]

    def as_hex(self) -> list[str]:
        """The sixteen registers as 8 hex digits each (the bare runner's JSON)."""
        return [f"{value:08X}" for value in self.values]

    @property
    def extended_control_mode(self) -> bool:
        """CR6 bit 8: PSWs are in the EC format and interruption codes go low."""
        return bool(self.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE)

    @property
    def segment_table_length(self) -> int:
        """CR0 bits 0-7 as loaded (the table has 16 x (value + 1) entries)."""
        return self.values[SEGMENT_TABLE_REGISTER] >> 24

    @property
    def segment_table_origin(self) -> int:
        """CR0 bits 8-31 as loaded (see dat.py for the boundary the DAT uses)."""
        return self.values[SEGMENT_TABLE_REGISTER] & 0x00FFFFFF

    @property
    def translation_exception_address(self) -> int:
        return self.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER]

    def channel_masked_on(self, channel: int) -> bool:
        """CR4's mask bit for ``channel`` (bit 0 is channel 0); False past 31.

        In EC mode a channel may interrupt when PSW bit 6 and this bit are both
        on (GA27-2719: bit 6 is a summary mask, CR4 holds the channel masks).
        """
        if not 0 <= channel < 32:
            return False
        return bool(self.values[EXTENDED_CHANNEL_MASK_REGISTER] & (0x80000000 >> channel))


@dataclass(slots=True)
class ECPSW:
    """A Model 67 extended-control-mode PSW taken apart into its fields."""

    addressing_32: bool = False
    translation: bool = False
    io_mask: bool = False
    external_mask: bool = False
    key: int = 0
    ascii: bool = False
    machine_check_mask: bool = False
    wait: bool = False
    problem_state: bool = False
    ilc: int = 0
    cc: int = 0
    program_mask: int = 0
    instruction_address: int = 0

    @classmethod
    def from_int(cls, value: int) -> ECPSW:
        """Split a 64-bit EC-mode PSW image into its fields (spare bits dropped)."""
        high = (value >> 32) & 0xFFFFFFFF
        return cls(
            addressing_32=bool(high & EC_ADDRESSING_32),
            translation=bool(high & EC_TRANSLATION),
            io_mask=bool(high & EC_IO_MASK),
            external_mask=bool(high & EC_EXTERNAL_MASK),
            key=(high >> 20) & 0xF,
            ascii=bool(high & 0x00080000),
            machine_check_mask=bool(high & 0x00040000),
            wait=bool(high & 0x00020000),
            problem_state=bool(high & 0x00010000),
            ilc=(high >> 14) & 3,
            cc=(high >> 12) & 3,
            program_mask=(high >> 8) & 0xF,
            instruction_address=value & 0xFFFFFFFF,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ECPSW:
        return cls.from_int(int.from_bytes(data[:8], "big"))

    def to_int(self) -> int:
        """The 64-bit EC-mode PSW image (spare bits zero)."""
        high = (
            self.addressing_32 * EC_ADDRESSING_32
            | self.translation * EC_TRANSLATION
            | self.io_mask * EC_IO_MASK
            | self.external_mask * EC_EXTERNAL_MASK
            | (self.key & 0xF) << 20
            | self.ascii << 19
            | self.machine_check_mask << 18
            | self.wait << 17
            | self.problem_state << 16
            | (self.ilc & 3) << 14
            | (self.cc & 3) << 12
            | (self.program_mask & 0xF) << 8
        )
        return high << 32 | (self.instruction_address & 0xFFFFFFFF)

    def to_bytes(self) -> bytes:
        return self.to_int().to_bytes(8, "big")

    @property
    def address_mask(self) -> int:
        """The mask for effective addresses: 32 bits with bit 4 on, else 24."""
        return 0xFFFFFFFF if self.addressing_32 else 0x00FFFFFF

    def __str__(self) -> str:
        return f"{self.to_int():016X}"


def ec_psw_spare_bits(value: int) -> int:
    """The spare bits (0-3, 24-31) that are on in an EC-mode PSW image.

    GA27-2719 calls them spare; whether a PSW with them on is a specification
    exception is left to the CPU (this module only reports them).
    """
    return value & EC_SPARE_BITS

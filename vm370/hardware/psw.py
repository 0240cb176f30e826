"""The program status word and the fixed low-storage locations.

The basic-control (BC) mode PSW of the System/360 (PoO GA22-6821, "Program
Status Word"), 64 bits:

    bits  0-7   system mask: 0-6 channel masks for channels 0-6, 7 external mask
    bits  8-11  protection key
    bit   12    ASCII (A)
    bit   13    machine-check mask (M)
    bit   14    wait state (W)
    bit   15    problem state (P)
    bits 16-31  interruption code
    bits 32-33  instruction-length code (ILC)
    bits 34-35  condition code
    bits 36-39  program mask
    bits 40-63  instruction address

The Model 67's extended-control PSW (GA27-2719) is ``ECPSW`` in
control_registers.py; the CPU uses it while CR6 bit 8 is on.
"""

from __future__ import annotations

from dataclasses import dataclass

# Permanently assigned real storage locations (PoO, "Permanent Storage Assignment").
IPL_PSW = 0x00
IPL_CCW1 = 0x08
IPL_CCW2 = 0x10
EXTERNAL_OLD_PSW = 0x18
SVC_OLD_PSW = 0x20
PROGRAM_OLD_PSW = 0x28
MACHINE_CHECK_OLD_PSW = 0x30
IO_OLD_PSW = 0x38
CSW = 0x40
CAW = 0x48
INTERVAL_TIMER = 0x50
EXTERNAL_NEW_PSW = 0x58
SVC_NEW_PSW = 0x60
PROGRAM_NEW_PSW = 0x68
MACHINE_CHECK_NEW_PSW = 0x70
IO_NEW_PSW = 0x78

# System-mask bits (PSW bits 0-7).
EXTERNAL_MASK = 0x01

# External interruption code bits (PoO, "External Interruption"): bit 24 the
# timer, bit 25 the interrupt key, bits 26-31 external signals 2 to 7.
EXTERNAL_TIMER = 0x80
EXTERNAL_INTERRUPT_KEY = 0x40


def channel_mask_bit(channel: int) -> int:
    """The system-mask bit that enables I/O interruptions from ``channel``.

    Channels 0-5 have bits 0-5; bit 6 masks channel 6 and every higher channel
    (PoO: "bit 6 ... channels 6 and up").
    """
    return 0x80 >> min(channel, 6)


@dataclass(slots=True)
class BCPSW:
    """A BC-mode PSW taken apart into its fields."""

    system_mask: int = 0
    key: int = 0
    ascii: bool = False
    machine_check_mask: bool = False
    wait: bool = False
    problem_state: bool = False
    interruption_code: int = 0
    ilc: int = 0
    cc: int = 0
    program_mask: int = 0
    instruction_address: int = 0

    @classmethod
    def from_int(cls, value: int) -> BCPSW:
        """Split a 64-bit PSW image into its fields."""
        high = value >> 32
        low = value & 0xFFFFFFFF
        return cls(
            system_mask=high >> 24,
            key=(high >> 20) & 0xF,
            ascii=bool(high & 0x00080000),
            machine_check_mask=bool(high & 0x00040000),
            wait=bool(high & 0x00020000),
            problem_state=bool(high & 0x00010000),
            interruption_code=high & 0xFFFF,
            ilc=low >> 30,
            cc=(low >> 28) & 3,
            program_mask=(low >> 24) & 0xF,
            instruction_address=low & 0xFFFFFF,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> BCPSW:
        return cls.from_int(int.from_bytes(data[:8], "big"))

    def to_int(self) -> int:
        """The 64-bit PSW image."""
        high = (
            (self.system_mask & 0xFF) << 24
            | (self.key & 0xF) << 20
            | self.ascii << 19
            | self.machine_check_mask << 18
            | self.wait << 17
            | self.problem_state << 16
            | (self.interruption_code & 0xFFFF)
        )
        low = (
            (self.ilc & 3) << 30
            | (self.cc & 3) << 28
            | (self.program_mask & 0xF) << 24
            | (self.instruction_address & 0xFFFFFF)
        )
        return high << 32 | low

    def to_bytes(self) -> bytes:
        return self.to_int().to_bytes(8, "big")

    def __str__(self) -> str:
        return f"{self.to_int():016X}"


def parse_psw(text: str) -> int:
    """Parse 16 hex digits (spaces allowed) into a PSW image; ValueError if not."""
    digits = text.replace(" ", "").replace("_", "")
    if len(digits) != 16 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError(f"PSW {text!r} must be exactly 16 hex digits")
    return int(digits, 16)


class RecheckInterruptions(Exception):  # noqa: N818 - a signal, not an error
    """Raised by an instruction after it completes when it may have made an interruption takeable.

    LPSW, SSM, SVC, the I/O instructions and native routines raise it; the
    CPU's run loop catches it, ends the block and looks at the pending
    interruptions before the next instruction.
    """

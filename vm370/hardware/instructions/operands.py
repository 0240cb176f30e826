"""Operand helpers the instruction families share: effective addresses and register pairs.

PoO (GA22-6821), "Address Generation": base and index register 0 mean no
register; the sum wraps at the PSW's address size (``cpu.address_mask``).
The fixed-point and branch handlers, and AD and AP, compute their addresses
inline instead, to save a call on the paths loops run most.
"""

from __future__ import annotations

from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt

WORD = 0xFFFFFFFF


def rx_address(cpu, x2: int, b2: int, d2: int) -> int:
    """The effective address D2(X2,B2)."""
    gpr = cpu.gpr
    return (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask


def bd_address(cpu, b: int, d: int) -> int:
    """The effective address D(B) of an SI or RS operand."""
    return (d + (cpu.gpr[b] if b else 0)) & cpu.address_mask


def ss_addresses(cpu, b1: int, d1: int, b2: int, d2: int) -> tuple[int, int]:
    """The two effective addresses D1(B1) and D2(B2) of an SS instruction."""
    gpr = cpu.gpr
    mask = cpu.address_mask
    return (d1 + (gpr[b1] if b1 else 0)) & mask, (d2 + (gpr[b2] if b2 else 0)) & mask


def shift_amount(cpu, b2: int, d2: int) -> int:
    """The shift count of an RS shift: the low six bits of D2(B2)."""
    return (d2 + (cpu.gpr[b2] if b2 else 0)) & 63


def even_pair(cpu, r1: int) -> int:
    """The 64-bit value of the pair R1, R1+1; specification unless R1 is even."""
    if r1 & 1:
        raise ProgramInterrupt(SPECIFICATION)
    return cpu.gpr[r1] << 32 | cpu.gpr[r1 + 1]


def set_pair(cpu, r1: int, value: int) -> None:
    """Put a 64-bit value into the (even) pair R1, R1+1."""
    cpu.gpr[r1] = (value >> 32) & WORD
    cpu.gpr[r1 + 1] = value & WORD

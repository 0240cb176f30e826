"""Branching instructions and EXECUTE.

PoO (GA22-6821), "Branching". The branch address is computed before any
register the instruction changes is updated, so a base or index register
that is also R1 gives its old value. A register field of 0 in BALR, BASR,
BCTR and BCR means "do not branch".

In BC mode BAL and BALR leave the link information of the PSW's right half
in R1: ILC in bits 0-1, condition code 2-3, program mask 4-7 and the
updated instruction address 8-31. The Model 67's BAS and BASR (GA27-2719)
leave only the address, with zeros on the left in 24-bit mode; in 32-bit
addressing mode BAL and BALR leave the whole 32-bit address too.
"""

from __future__ import annotations

from vm370.hardware.instructions.operands import WORD


def _link(cpu) -> int:
    if cpu.address_mask != 0xFFFFFF:
        return cpu.ia
    return cpu.ilc << 30 | cpu.cc << 28 | cpu.program_mask << 24 | cpu.ia


def branch_on_condition(cpu, r1, x2, b2, d2):
    """47 BC Branch on Condition [RX]"""
    if (8 >> cpu.cc) & r1:
        gpr = cpu.gpr
        cpu.ia = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask


def branch_on_condition_register(cpu, r1, r2):
    """07 BCR Branch on Condition [RR]"""
    if r2 and (8 >> cpu.cc) & r1:
        cpu.ia = cpu.gpr[r2] & cpu.address_mask


def branch_and_link(cpu, r1, x2, b2, d2):
    """45 BAL Branch and Link [RX]"""
    gpr = cpu.gpr
    target = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    gpr[r1] = _link(cpu)
    cpu.ia = target


def branch_and_link_register(cpu, r1, r2):
    """05 BALR Branch and Link [RR]"""
    target = cpu.gpr[r2] & cpu.address_mask
    cpu.gpr[r1] = _link(cpu)
    if r2:
        cpu.ia = target


def branch_and_store(cpu, r1, x2, b2, d2):
    """4D BAS Branch and Store [RX]"""
    gpr = cpu.gpr
    target = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    gpr[r1] = cpu.ia
    cpu.ia = target


def branch_and_store_register(cpu, r1, r2):
    """0D BASR Branch and Store [RR]"""
    target = cpu.gpr[r2] & cpu.address_mask
    cpu.gpr[r1] = cpu.ia
    if r2:
        cpu.ia = target


def branch_on_count(cpu, r1, x2, b2, d2):
    """46 BCT Branch on Count [RX]"""
    gpr = cpu.gpr
    target = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    count = (gpr[r1] - 1) & WORD
    gpr[r1] = count
    if count:
        cpu.ia = target


def branch_on_count_register(cpu, r1, r2):
    """06 BCTR Branch on Count [RR]"""
    gpr = cpu.gpr
    target = gpr[r2] & cpu.address_mask
    count = (gpr[r1] - 1) & WORD
    gpr[r1] = count
    if count and r2:
        cpu.ia = target


def _index_step(cpu, r1: int, r3: int) -> tuple[int, int]:
    """Add R3 to R1; return the signed sum and the signed comparand (R3 made odd)."""
    gpr = cpu.gpr
    increment = gpr[r3]
    comparand = gpr[r3 | 1]
    total = (gpr[r1] + increment) & WORD
    gpr[r1] = total
    return total - ((total & 0x80000000) << 1), comparand - ((comparand & 0x80000000) << 1)


def branch_on_index_high(cpu, r1, r3, b2, d2):
    """86 BXH Branch on Index High [RS]"""
    target = (d2 + (cpu.gpr[b2] if b2 else 0)) & cpu.address_mask
    total, comparand = _index_step(cpu, r1, r3)
    if total > comparand:
        cpu.ia = target


def branch_on_index_low_or_equal(cpu, r1, r3, b2, d2):
    """87 BXLE Branch on Index Low or Equal [RS]"""
    target = (d2 + (cpu.gpr[b2] if b2 else 0)) & cpu.address_mask
    total, comparand = _index_step(cpu, r1, r3)
    if total <= comparand:
        cpu.ia = target


def execute(cpu, r1, x2, b2, d2):
    """44 EX Execute [RX]"""
    gpr = cpu.gpr
    target = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    # PoO: bits 8-15 of the subject are ORed with bits 24-31 of R1 (not for R1 = 0).
    cpu.execute_target(target, gpr[r1] & 0xFF if r1 else 0)

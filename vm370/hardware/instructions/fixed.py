"""Fixed-point instructions: load, store, add, subtract, multiply, divide, compare, shift.

PoO (GA22-6821), "Fixed-Point Arithmetic". Registers hold unsigned 32-bit
images; signed values are derived where the arithmetic needs them. An
overflow sets condition code 3 and, with program-mask bit 8 on, causes a
fixed-point-overflow interruption after the result is stored (the
instruction is completed).
"""

from __future__ import annotations

from vm370.hardware.instructions.operands import WORD, even_pair, set_pair, shift_amount
from vm370.hardware.interrupts import (
    FIXED_POINT_DIVIDE,
    FIXED_POINT_OVERFLOW,
    MASK_FIXED_POINT_OVERFLOW,
    SPECIFICATION,
    ProgramInterrupt,
)

SIGN = 0x80000000


def signed(value: int) -> int:
    """The signed value of a 32-bit image."""
    return value - ((value & SIGN) << 1)


def _halfword_value(halfword: int) -> int:
    return halfword - ((halfword & 0x8000) << 1)


def _set_cc_for(cpu, result: int) -> None:
    cpu.cc = 0 if result == 0 else (1 if result & SIGN else 2)


def _overflow(cpu) -> None:
    cpu.cc = 3
    if cpu.program_mask & MASK_FIXED_POINT_OVERFLOW:
        raise ProgramInterrupt(FIXED_POINT_OVERFLOW)


def _add(cpu, r1: int, first: int, second: int) -> None:
    result = (first + second) & WORD
    cpu.gpr[r1] = result
    if (first ^ result) & (second ^ result) & SIGN:
        _overflow(cpu)
    else:
        cpu.cc = 0 if result == 0 else (1 if result & SIGN else 2)


def _subtract(cpu, r1: int, first: int, second: int) -> None:
    result = (first - second) & WORD
    cpu.gpr[r1] = result
    if (first ^ second) & (first ^ result) & SIGN:
        _overflow(cpu)
    else:
        cpu.cc = 0 if result == 0 else (1 if result & SIGN else 2)


def _add_logical(cpu, r1: int, first: int, second: int) -> None:
    total = first + second
    result = total & WORD
    cpu.gpr[r1] = result
    cpu.cc = (2 if total > WORD else 0) | (1 if result else 0)


def _subtract_logical(cpu, r1: int, first: int, second: int) -> None:
    # PoO: the second operand's ones complement and a one are added; the
    # carry out of bit 0 is the condition code's left bit.
    total = first + (second ^ WORD) + 1
    result = total & WORD
    cpu.gpr[r1] = result
    cpu.cc = (2 if total > WORD else 0) | (1 if result else 0)


def _compare(cpu, first: int, second: int) -> None:
    cpu.cc = 0 if first == second else (1 if first < second else 2)


def load_register(cpu, r1, r2):
    """18 LR Load [RR]"""
    cpu.gpr[r1] = cpu.gpr[r2]


def load(cpu, r1, x2, b2, d2):
    """58 L Load [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    gpr[r1] = cpu.fetch_word(address)


def load_halfword(cpu, r1, x2, b2, d2):
    """48 LH Load Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    gpr[r1] = _halfword_value(cpu.fetch_halfword(address)) & WORD


def load_address(cpu, r1, x2, b2, d2):
    """41 LA Load Address [RX]"""
    gpr = cpu.gpr
    gpr[r1] = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask


def load_multiple(cpu, r1, r3, b2, d2):
    """98 LM Load Multiple [RS]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[b2] if b2 else 0)) & cpu.address_mask
    if address & 3:
        raise ProgramInterrupt(SPECIFICATION)
    count = ((r3 - r1) & 15) + 1
    data = cpu.fetch(address, 4 * count)
    for index in range(count):
        gpr[(r1 + index) & 15] = int.from_bytes(data[4 * index : 4 * index + 4], "big")


def store(cpu, r1, x2, b2, d2):
    """50 ST Store [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    cpu.store_word(address, gpr[r1])


def store_halfword(cpu, r1, x2, b2, d2):
    """40 STH Store Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    cpu.store_halfword(address, gpr[r1] & 0xFFFF)


def store_multiple(cpu, r1, r3, b2, d2):
    """90 STM Store Multiple [RS]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[b2] if b2 else 0)) & cpu.address_mask
    if address & 3:
        raise ProgramInterrupt(SPECIFICATION)
    count = ((r3 - r1) & 15) + 1
    data = b"".join(gpr[(r1 + index) & 15].to_bytes(4, "big") for index in range(count))
    cpu.store(address, data)


def load_and_test_register(cpu, r1, r2):
    """12 LTR Load and Test [RR]"""
    value = cpu.gpr[r2]
    cpu.gpr[r1] = value
    cpu.cc = 0 if value == 0 else (1 if value & SIGN else 2)


def load_complement_register(cpu, r1, r2):
    """13 LCR Load Complement [RR]"""
    value = cpu.gpr[r2]
    result = -value & WORD
    cpu.gpr[r1] = result
    if value == SIGN:
        _overflow(cpu)
    else:
        _set_cc_for(cpu, result)


def load_positive_register(cpu, r1, r2):
    """10 LPR Load Positive [RR]"""
    value = cpu.gpr[r2]
    result = (-value & WORD) if value & SIGN else value
    cpu.gpr[r1] = result
    if value == SIGN:
        _overflow(cpu)
    else:
        cpu.cc = 0 if result == 0 else 2


def load_negative_register(cpu, r1, r2):
    """11 LNR Load Negative [RR]"""
    value = cpu.gpr[r2]
    result = value if value & SIGN or value == 0 else -value & WORD
    cpu.gpr[r1] = result
    cpu.cc = 0 if result == 0 else 1


def add_register(cpu, r1, r2):
    """1A AR Add [RR]"""
    gpr = cpu.gpr
    first = gpr[r1]
    second = gpr[r2]
    result = (first + second) & WORD
    gpr[r1] = result
    if (first ^ result) & (second ^ result) & SIGN:
        _overflow(cpu)
    else:
        cpu.cc = 0 if result == 0 else (1 if result & SIGN else 2)


def add(cpu, r1, x2, b2, d2):
    """5A A Add [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _add(cpu, r1, gpr[r1], cpu.fetch_word(address))


def add_halfword(cpu, r1, x2, b2, d2):
    """4A AH Add Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _add(cpu, r1, gpr[r1], _halfword_value(cpu.fetch_halfword(address)) & WORD)


def add_logical_register(cpu, r1, r2):
    """1E ALR Add Logical [RR]"""
    _add_logical(cpu, r1, cpu.gpr[r1], cpu.gpr[r2])


def add_logical(cpu, r1, x2, b2, d2):
    """5E AL Add Logical [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _add_logical(cpu, r1, gpr[r1], cpu.fetch_word(address))


def subtract_register(cpu, r1, r2):
    """1B SR Subtract [RR]"""
    _subtract(cpu, r1, cpu.gpr[r1], cpu.gpr[r2])


def subtract(cpu, r1, x2, b2, d2):
    """5B S Subtract [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _subtract(cpu, r1, gpr[r1], cpu.fetch_word(address))


def subtract_halfword(cpu, r1, x2, b2, d2):
    """4B SH Subtract Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _subtract(cpu, r1, gpr[r1], _halfword_value(cpu.fetch_halfword(address)) & WORD)


def subtract_logical_register(cpu, r1, r2):
    """1F SLR Subtract Logical [RR]"""
    _subtract_logical(cpu, r1, cpu.gpr[r1], cpu.gpr[r2])


def subtract_logical(cpu, r1, x2, b2, d2):
    """5F SL Subtract Logical [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _subtract_logical(cpu, r1, gpr[r1], cpu.fetch_word(address))


def compare_register(cpu, r1, r2):
    """19 CR Compare [RR]"""
    _compare(cpu, signed(cpu.gpr[r1]), signed(cpu.gpr[r2]))


def compare(cpu, r1, x2, b2, d2):
    """59 C Compare [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _compare(cpu, signed(gpr[r1]), signed(cpu.fetch_word(address)))


def compare_halfword(cpu, r1, x2, b2, d2):
    """49 CH Compare Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _compare(cpu, signed(gpr[r1]), _halfword_value(cpu.fetch_halfword(address)))


def _multiply(cpu, r1: int, multiplier: int) -> None:
    # The callers have checked that R1 is even, before any operand access.
    gpr = cpu.gpr
    product = (signed(gpr[r1 + 1]) * multiplier) & 0xFFFFFFFFFFFFFFFF
    gpr[r1] = product >> 32
    gpr[r1 + 1] = product & WORD


def multiply_register(cpu, r1, r2):
    """1C MR Multiply [RR]"""
    if r1 & 1:
        raise ProgramInterrupt(SPECIFICATION)
    _multiply(cpu, r1, signed(cpu.gpr[r2]))


def multiply(cpu, r1, x2, b2, d2):
    """5C M Multiply [RX]"""
    if r1 & 1:
        raise ProgramInterrupt(SPECIFICATION)
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _multiply(cpu, r1, signed(cpu.fetch_word(address)))


def multiply_halfword(cpu, r1, x2, b2, d2):
    """4C MH Multiply Halfword [RX]"""
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    multiplier = _halfword_value(cpu.fetch_halfword(address))
    # PoO: only the low-order 32 bits of the product are kept; no overflow.
    gpr[r1] = (signed(gpr[r1]) * multiplier) & WORD


def _divide(cpu, r1: int, divisor: int) -> None:
    gpr = cpu.gpr
    dividend = gpr[r1] << 32 | gpr[r1 + 1]
    dividend -= (dividend & (1 << 63)) << 1
    if divisor == 0:
        raise ProgramInterrupt(FIXED_POINT_DIVIDE)
    quotient = abs(dividend) // abs(divisor)
    if (dividend < 0) != (divisor < 0):
        quotient = -quotient
    remainder = dividend - quotient * divisor
    # PoO: a quotient that does not fit in 32 bits suppresses the division.
    if not -(1 << 31) <= quotient < (1 << 31):
        raise ProgramInterrupt(FIXED_POINT_DIVIDE)
    gpr[r1] = remainder & WORD
    gpr[r1 + 1] = quotient & WORD


def divide_register(cpu, r1, r2):
    """1D DR Divide [RR]"""
    if r1 & 1:
        raise ProgramInterrupt(SPECIFICATION)
    _divide(cpu, r1, signed(cpu.gpr[r2]))


def divide(cpu, r1, x2, b2, d2):
    """5D D Divide [RX]"""
    if r1 & 1:
        raise ProgramInterrupt(SPECIFICATION)
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    _divide(cpu, r1, signed(cpu.fetch_word(address)))


def shift_left_single(cpu, r1, r3, b2, d2):
    """8B SLA Shift Left Single [RS]"""
    value = cpu.gpr[r1]
    shifted = signed(value) << shift_amount(cpu, b2, d2)
    # PoO: the sign stays; overflow when a bit unlike the sign leaves bit 1.
    result = (value & SIGN) | (shifted & 0x7FFFFFFF)
    cpu.gpr[r1] = result
    if not -(1 << 31) <= shifted < (1 << 31):
        _overflow(cpu)
    else:
        _set_cc_for(cpu, result)


def shift_right_single(cpu, r1, r3, b2, d2):
    """8A SRA Shift Right Single [RS]"""
    result = (signed(cpu.gpr[r1]) >> shift_amount(cpu, b2, d2)) & WORD
    cpu.gpr[r1] = result
    _set_cc_for(cpu, result)


def _set_cc_for_double(cpu, value: int) -> None:
    cpu.cc = 0 if value == 0 else (1 if value >> 63 else 2)


def shift_left_double(cpu, r1, r3, b2, d2):
    """8F SLDA Shift Left Double [RS]"""
    value = even_pair(cpu, r1)
    signed_value = value - ((value & (1 << 63)) << 1)
    shifted = signed_value << shift_amount(cpu, b2, d2)
    result = (value & (1 << 63)) | (shifted & ((1 << 63) - 1))
    set_pair(cpu, r1, result)
    if not -(1 << 63) <= shifted < (1 << 63):
        _overflow(cpu)
    else:
        _set_cc_for_double(cpu, result)


def shift_right_double(cpu, r1, r3, b2, d2):
    """8E SRDA Shift Right Double [RS]"""
    value = even_pair(cpu, r1)
    signed_value = value - ((value & (1 << 63)) << 1)
    result = (signed_value >> shift_amount(cpu, b2, d2)) & 0xFFFFFFFFFFFFFFFF
    set_pair(cpu, r1, result)
    _set_cc_for_double(cpu, result)

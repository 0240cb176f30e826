"""Decimal instructions: AP SP ZAP CP MP DP, PACK UNPK MVO, CVB CVD, ED EDMK.

Thin wrappers around ``vm370.hardware.packed_decimal``: they form the
operand addresses, fetch through the CPU's storage methods, call the pure
functions, store, set the condition code and raise ``ProgramInterrupt``.
PoO (GA22-6821), "Decimal Arithmetic", and "Fixed-Point Arithmetic" for
CVB/CVD, "Logical Operations" for ED/EDMK.

Results are stored with one ``cpu.store`` call, which checks addressing and
protection for the whole field before any byte changes, so an access
exception leaves storage and the condition code as they were. Decimal
overflow sets condition code 3 and interrupts only with program-mask bit 4
on, after the result is stored.
"""

from __future__ import annotations

from vm370.hardware import packed_decimal
from vm370.hardware.instructions.operands import rx_address, ss_addresses
from vm370.hardware.interrupts import (
    DECIMAL_OVERFLOW,
    FIXED_POINT_DIVIDE,
    MASK_DECIMAL_OVERFLOW,
    ProgramInterrupt,
)


def _store_signed_result(cpu, address: int, result: packed_decimal.DecimalResult) -> None:
    cpu.store(address, result.field)
    cpu.cc = result.cc
    if result.overflow and cpu.program_mask & MASK_DECIMAL_OVERFLOW:
        raise ProgramInterrupt(DECIMAL_OVERFLOW)


def add_decimal(cpu, l, b1, d1, b2, d2):
    """FA AP Add Decimal [SS]"""
    # Written out, without helpers: AP is the decimal instruction loops use most.
    gpr = cpu.gpr
    mask = cpu.address_mask
    first = (d1 + (gpr[b1] if b1 else 0)) & mask
    second = (d2 + (gpr[b2] if b2 else 0)) & mask
    operand1 = cpu.fetch(first, (l >> 4) + 1)
    operand2 = cpu.fetch(second, (l & 15) + 1)
    field, cc, overflow = packed_decimal.add_decimal(operand1, operand2, cpu.ascii)
    cpu.store(first, field)
    cpu.cc = cc
    if overflow and cpu.program_mask & MASK_DECIMAL_OVERFLOW:
        raise ProgramInterrupt(DECIMAL_OVERFLOW)


def subtract_decimal(cpu, l, b1, d1, b2, d2):
    """FB SP Subtract Decimal [SS]"""
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    operand1 = cpu.fetch(first, (l >> 4) + 1)
    operand2 = cpu.fetch(second, (l & 15) + 1)
    result = packed_decimal.subtract_decimal(operand1, operand2, cpu.ascii)
    _store_signed_result(cpu, first, result)


def zero_and_add(cpu, l, b1, d1, b2, d2):
    """F8 ZAP Zero and Add [SS]"""
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    length1 = (l >> 4) + 1
    # PoO: the first operand is not fetched, so only its store access matters.
    cpu.check_access(first, length1, True)
    operand2 = cpu.fetch(second, (l & 15) + 1)
    result = packed_decimal.zero_and_add(length1, operand2, cpu.ascii)
    _store_signed_result(cpu, first, result)


def compare_decimal(cpu, l, b1, d1, b2, d2):
    """F9 CP Compare Decimal [SS]"""
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    operand1 = cpu.fetch(first, (l >> 4) + 1)
    operand2 = cpu.fetch(second, (l & 15) + 1)
    cpu.cc = packed_decimal.compare_decimal(operand1, operand2)


def _multiply_or_divide(cpu, l, b1, d1, b2, d2, operation) -> None:
    length1, length2 = (l >> 4) + 1, (l & 15) + 1
    # The length rule is a specification exception, recognized before any access.
    packed_decimal.check_multiply_divide_lengths(length1, length2)
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    operand1 = cpu.fetch(first, length1)
    operand2 = cpu.fetch(second, length2)
    cpu.store(first, operation(operand1, operand2, cpu.ascii))


def multiply_decimal(cpu, l, b1, d1, b2, d2):
    """FC MP Multiply Decimal [SS]"""
    _multiply_or_divide(cpu, l, b1, d1, b2, d2, packed_decimal.multiply_decimal)


def divide_decimal(cpu, l, b1, d1, b2, d2):
    """FD DP Divide Decimal [SS]"""
    _multiply_or_divide(cpu, l, b1, d1, b2, d2, packed_decimal.divide_decimal)


def _in_place(cpu, l, b1, d1, b2, d2, operation, *extra) -> None:
    """Run PACK/UNPK/MVO over a work copy that overlaps as storage does.

    PoO: these process their fields right to left a byte at a time, so
    overlapping operands see bytes already stored. When the two fields
    overlap (neither wrapping past the end of the address space), the work
    copy is the one span covering both; otherwise the two fields side by side.
    """
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    length1, length2 = (l >> 4) + 1, (l & 15) + 1
    cpu.check_access(first, length1, True)
    space = cpu.address_mask + 1
    end1, end2 = first + length1, second + length2
    if end1 <= space and end2 <= space and first < end2 and second < end1:
        start = min(first, second)
        work = bytearray(cpu.fetch(start, max(end1, end2) - start))
        offset1, offset2 = first - start, second - start
    else:
        work = bytearray(cpu.fetch(first, length1) + cpu.fetch(second, length2))
        offset1, offset2 = 0, length1
    operation(work, offset1, length1, offset2, length2, *extra)
    cpu.store(first, bytes(work[offset1 : offset1 + length1]))


def pack(cpu, l, b1, d1, b2, d2):
    """F2 PACK Pack [SS]"""
    _in_place(cpu, l, b1, d1, b2, d2, packed_decimal.pack)


def unpack(cpu, l, b1, d1, b2, d2):
    """F3 UNPK Unpack [SS]"""
    _in_place(cpu, l, b1, d1, b2, d2, packed_decimal.unpack, cpu.ascii)


def move_with_offset(cpu, l, b1, d1, b2, d2):
    """F1 MVO Move with Offset [SS]"""
    _in_place(cpu, l, b1, d1, b2, d2, packed_decimal.move_with_offset)


def convert_to_binary(cpu, r1, x2, b2, d2):
    """4F CVB Convert to Binary [RX]"""
    address = rx_address(cpu, x2, b2, d2)
    # S/360: the operand must be on a doubleword boundary (specification).
    doubleword = cpu.fetch_doubleword(address)
    value, overflow = packed_decimal.convert_to_binary(doubleword.to_bytes(8, "big"))
    cpu.gpr[r1] = value
    if overflow:
        raise ProgramInterrupt(FIXED_POINT_DIVIDE)


def convert_to_decimal(cpu, r1, x2, b2, d2):
    """4E CVD Convert to Decimal [RX]"""
    address = rx_address(cpu, x2, b2, d2)
    field = packed_decimal.convert_to_decimal(cpu.gpr[r1], cpu.ascii)
    cpu.store_doubleword(address, int.from_bytes(field, "big"))


def _set_mark(cpu, first: int, mark: int | None) -> None:
    if mark is not None:
        # PoO: the address of the first significant result byte goes into
        # bits 8-31 of register 1; bits 0-7 are unchanged. In the Model 67's
        # 32-bit mode the whole register gets the address, as TRT does.
        gpr = cpu.gpr
        address = (first + mark) & cpu.address_mask
        if cpu.address_mask == 0xFFFFFF:
            gpr[1] = (gpr[1] & 0xFF000000) | address
        else:
            gpr[1] = address


def _edit(cpu, l, b1, d1, b2, d2, mark: bool) -> None:
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    pattern = cpu.fetch(first, l + 1)
    mask = cpu.address_mask

    def source(index: int) -> int:
        return cpu.fetch((second + index) & mask, 1)[0]

    try:
        result = packed_decimal.edit(pattern, source, cpu.ascii)
    except packed_decimal.EditDataException as exception:
        # The operation is terminated: the bytes edited so far stay stored.
        cpu.store(first, exception.partial)
        if mark:
            _set_mark(cpu, first, exception.mark)
        raise
    cpu.store(first, result.field)
    cpu.cc = result.cc
    if mark:
        _set_mark(cpu, first, result.mark)


def edit(cpu, l, b1, d1, b2, d2):
    """DE ED Edit [SS]"""
    _edit(cpu, l, b1, d1, b2, d2, mark=False)


def edit_and_mark(cpu, l, b1, d1, b2, d2):
    """DF EDMK Edit and Mark [SS]"""
    _edit(cpu, l, b1, d1, b2, d2, mark=True)

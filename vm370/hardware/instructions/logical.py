"""Logical instructions: compare logical, AND, OR, exclusive OR, moves, translate, logical shifts.

PoO (GA22-6821), "Logical Operations". Storage-to-storage instructions work
left to right one byte at a time as far as the program can tell: when the
first operand starts inside the second, a later byte sees the result already
stored in an earlier one (the MVC propagation idiom). Every operand is
checked before any byte is stored, so an access exception suppresses the
instruction.
"""

from __future__ import annotations

from vm370.hardware.instructions.operands import (
    WORD,
    bd_address,
    even_pair,
    rx_address,
    set_pair,
    shift_amount,
    ss_addresses,
)
from vm370.hardware.interrupts import ProgramInterrupt


def _set_cc_nonzero(cpu, result: int) -> None:
    cpu.cc = 1 if result else 0


def _compare_logical(cpu, first, second) -> None:
    cpu.cc = 0 if first == second else (1 if first < second else 2)


def _overlap_distance(cpu, first: int, second: int, length: int) -> int:
    """How far the first operand starts after the second, if inside it; else 0."""
    distance = (first - second) & cpu.address_mask
    return distance if 0 < distance < length else 0


def _combine(cpu, l: int, b1: int, d1: int, b2: int, d2: int, operation) -> bytes:
    """Store op1[i] = operation(op1[i], op2[i]) left to right; return the result.

    ``operation`` works on ints; bytes are combined as one big integer when
    the operands do not overlap destructively, byte by byte when they do.
    """
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    length = l + 1
    cpu.check_access(first, length, True)
    target = cpu.fetch(first, length)
    source = cpu.fetch(second, length)
    distance = _overlap_distance(cpu, first, second, length)
    if not distance:
        combined = operation(int.from_bytes(target, "big"), int.from_bytes(source, "big"))
        result = (combined & ((1 << (8 * length)) - 1)).to_bytes(length, "big")
    else:
        moved = bytearray(length)
        for index in range(length):
            byte = moved[index - distance] if index >= distance else source[index]
            moved[index] = operation(target[index], byte) & 0xFF
        result = bytes(moved)
    cpu.store(first, result)
    return result


def compare_logical_register(cpu, r1, r2):
    """15 CLR Compare Logical [RR]"""
    _compare_logical(cpu, cpu.gpr[r1], cpu.gpr[r2])


def compare_logical(cpu, r1, x2, b2, d2):
    """55 CL Compare Logical [RX]"""
    _compare_logical(cpu, cpu.gpr[r1], cpu.fetch_word(rx_address(cpu, x2, b2, d2)))


def compare_logical_immediate(cpu, i2, b1, d1):
    """95 CLI Compare Logical [SI]"""
    _compare_logical(cpu, cpu.fetch_byte(bd_address(cpu, b1, d1)), i2)


def compare_logical_characters(cpu, l, b1, d1, b2, d2):
    """D5 CLC Compare Logical [SS]"""
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    _compare_logical(cpu, cpu.fetch(first, l + 1), cpu.fetch(second, l + 1))


def and_register(cpu, r1, r2):
    """14 NR AND [RR]"""
    result = cpu.gpr[r1] & cpu.gpr[r2]
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def and_(cpu, r1, x2, b2, d2):
    """54 N AND [RX]"""
    result = cpu.gpr[r1] & cpu.fetch_word(rx_address(cpu, x2, b2, d2))
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def and_immediate(cpu, i2, b1, d1):
    """94 NI AND [SI]"""
    address = bd_address(cpu, b1, d1)
    result = cpu.fetch_byte(address) & i2
    cpu.store_byte(address, result)
    cpu.cc = 1 if result else 0


def and_characters(cpu, l, b1, d1, b2, d2):
    """D4 NC AND [SS]"""
    _set_cc_nonzero(cpu, any(_combine(cpu, l, b1, d1, b2, d2, int.__and__)))


def or_register(cpu, r1, r2):
    """16 OR OR [RR]"""
    result = cpu.gpr[r1] | cpu.gpr[r2]
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def or_(cpu, r1, x2, b2, d2):
    """56 O OR [RX]"""
    result = cpu.gpr[r1] | cpu.fetch_word(rx_address(cpu, x2, b2, d2))
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def or_immediate(cpu, i2, b1, d1):
    """96 OI OR [SI]"""
    address = bd_address(cpu, b1, d1)
    result = cpu.fetch_byte(address) | i2
    cpu.store_byte(address, result)
    cpu.cc = 1 if result else 0


def or_characters(cpu, l, b1, d1, b2, d2):
    """D6 OC OR [SS]"""
    _set_cc_nonzero(cpu, any(_combine(cpu, l, b1, d1, b2, d2, int.__or__)))


def exclusive_or_register(cpu, r1, r2):
    """17 XR Exclusive OR [RR]"""
    result = cpu.gpr[r1] ^ cpu.gpr[r2]
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def exclusive_or(cpu, r1, x2, b2, d2):
    """57 X Exclusive OR [RX]"""
    result = cpu.gpr[r1] ^ cpu.fetch_word(rx_address(cpu, x2, b2, d2))
    cpu.gpr[r1] = result
    cpu.cc = 1 if result else 0


def exclusive_or_immediate(cpu, i2, b1, d1):
    """97 XI Exclusive OR [SI]"""
    address = bd_address(cpu, b1, d1)
    result = cpu.fetch_byte(address) ^ i2
    cpu.store_byte(address, result)
    cpu.cc = 1 if result else 0


def exclusive_or_characters(cpu, l, b1, d1, b2, d2):
    """D7 XC Exclusive OR [SS]"""
    _set_cc_nonzero(cpu, any(_combine(cpu, l, b1, d1, b2, d2, int.__xor__)))


def test_under_mask(cpu, i2, b1, d1):
    """91 TM Test under Mask [SI]"""
    selected = cpu.fetch_byte(bd_address(cpu, b1, d1)) & i2
    cpu.cc = 0 if selected == 0 else (3 if selected == i2 else 1)


def test_and_set(cpu, i2, b1, d1):
    """93 TS Test and Set [SI]"""
    address = bd_address(cpu, b1, d1)
    byte = cpu.fetch_byte(address)
    cpu.store_byte(address, 0xFF)
    cpu.cc = byte >> 7


def insert_character(cpu, r1, x2, b2, d2):
    """43 IC Insert Character [RX]"""
    byte = cpu.fetch_byte(rx_address(cpu, x2, b2, d2))
    cpu.gpr[r1] = (cpu.gpr[r1] & 0xFFFFFF00) | byte


def store_character(cpu, r1, x2, b2, d2):
    """42 STC Store Character [RX]"""
    cpu.store_byte(rx_address(cpu, x2, b2, d2), cpu.gpr[r1] & 0xFF)


def move_immediate(cpu, i2, b1, d1):
    """92 MVI Move [SI]"""
    cpu.store_byte(bd_address(cpu, b1, d1), i2)


def move_characters(cpu, l, b1, d1, b2, d2):
    """D2 MVC Move [SS]"""
    first, second = ss_addresses(cpu, b1, d1, b2, d2)
    length = l + 1
    cpu.check_access(first, length, True)
    data = cpu.fetch(second, length)
    distance = _overlap_distance(cpu, first, second, length)
    if distance:
        moved = bytearray(data)
        for index in range(distance, length):
            moved[index] = moved[index - distance]
        data = bytes(moved)
    cpu.store(first, data)


_ZONES = int.from_bytes(b"\xf0" * 256, "big")
_NUMERICS = int.from_bytes(b"\x0f" * 256, "big")


def move_numerics(cpu, l, b1, d1, b2, d2):
    """D1 MVN Move Numerics [SS]"""
    # The masks are wider than any operand; the extra high bits are dropped.
    _combine(cpu, l, b1, d1, b2, d2, lambda target, source: target & _ZONES | source & _NUMERICS)


def move_zones(cpu, l, b1, d1, b2, d2):
    """D3 MVZ Move Zones [SS]"""
    _combine(cpu, l, b1, d1, b2, d2, lambda target, source: target & _NUMERICS | source & _ZONES)


def _ranges_overlap(cpu, start1: int, length1: int, start2: int, length2: int) -> bool:
    mask = cpu.address_mask
    return ((start2 - start1) & mask) < length1 or ((start1 - start2) & mask) < length2


def _table_reader(cpu, table: int):
    """A function giving table byte i, checking access only for the bytes used."""
    try:
        whole = cpu.fetch(table, 256)
    except ProgramInterrupt:
        return lambda index: cpu.fetch((table + index) & cpu.address_mask, 1)[0]
    return whole.__getitem__


def translate(cpu, l, b1, d1, b2, d2):
    """DC TR Translate [SS]"""
    first, table = ss_addresses(cpu, b1, d1, b2, d2)
    length = l + 1
    cpu.check_access(first, length, True)
    if _ranges_overlap(cpu, first, length, table, 256):
        # The table can change as bytes are translated: go byte by byte.
        for index in range(length):
            address = (first + index) & cpu.address_mask
            byte = cpu.fetch(address, 1)[0]
            cpu.store(address, cpu.fetch((table + byte) & cpu.address_mask, 1))
        return
    data = cpu.fetch(first, length)
    try:
        whole_table = cpu.fetch(table, 256)
    except ProgramInterrupt:
        # Only the bytes actually used must be accessible.
        lookup = _table_reader(cpu, table)
        cpu.store(first, bytes(lookup(byte) for byte in data))
        return
    cpu.store(first, data.translate(whole_table))


def _first_function_byte(cpu, data: bytes, table: int) -> tuple[int, int]:
    """Index and value of the first nonzero function byte for ``data`` (value 0: none)."""
    try:
        functions = data.translate(cpu.fetch(table, 256))
    except ProgramInterrupt:
        # Only the table bytes actually used must be accessible.
        for index, byte in enumerate(data):
            function = cpu.fetch((table + byte) & cpu.address_mask, 1)[0]
            if function:
                return index, function
        return len(data), 0
    # The first nonzero byte, found by C loops rather than a Python one.
    index = len(functions) - len(functions.lstrip(b"\x00"))
    return index, functions[index] if index < len(functions) else 0


def translate_and_test(cpu, l, b1, d1, b2, d2):
    """DD TRT Translate and Test [SS]"""
    first, table = ss_addresses(cpu, b1, d1, b2, d2)
    length = l + 1
    index, function = _first_function_byte(cpu, cpu.fetch(first, length), table)
    if not function:
        cpu.cc = 0
        return
    address = (first + index) & cpu.address_mask
    gpr = cpu.gpr
    # PoO: the address goes to bits 8-31 of GR1 (bits 0-7 unchanged) and the
    # function byte to bits 24-31 of GR2.
    if cpu.address_mask == 0xFFFFFF:
        gpr[1] = (gpr[1] & 0xFF000000) | address
    else:
        gpr[1] = address
    gpr[2] = (gpr[2] & 0xFFFFFF00) | function
    cpu.cc = 1 if index < length - 1 else 2


def shift_left_single_logical(cpu, r1, r3, b2, d2):
    """89 SLL Shift Left Single Logical [RS]"""
    cpu.gpr[r1] = (cpu.gpr[r1] << shift_amount(cpu, b2, d2)) & WORD


def shift_right_single_logical(cpu, r1, r3, b2, d2):
    """88 SRL Shift Right Single Logical [RS]"""
    cpu.gpr[r1] = cpu.gpr[r1] >> shift_amount(cpu, b2, d2)


def shift_left_double_logical(cpu, r1, r3, b2, d2):
    """8D SLDL Shift Left Double Logical [RS]"""
    set_pair(cpu, r1, even_pair(cpu, r1) << shift_amount(cpu, b2, d2))


def shift_right_double_logical(cpu, r1, r3, b2, d2):
    """8C SRDL Shift Right Double Logical [RS]"""
    set_pair(cpu, r1, even_pair(cpu, r1) >> shift_amount(cpu, b2, d2))

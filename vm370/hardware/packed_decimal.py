"""Packed and zoned decimal arithmetic of the System/360, as pure functions.

Rules from the Principles of Operation (GA22-6821), "Decimal Arithmetic" and
"Logical Operations" (ED, EDMK) and "Fixed-Point Arithmetic" (CVB, CVD).
Nothing here touches the CPU: operands come in as ``bytes``, results go out
as ``bytes`` plus a condition code and an overflow flag, and exceptions that
are never masked (data, specification, decimal divide) are raised as
``ProgramInterrupt``. The instruction handlers in
``vm370.hardware.instructions.decimal`` fetch, call and store.

Packed decimal: two digits a byte, the rightmost four bits a sign. Digit
codes 0-9; plus signs A C E F, minus signs B D (PoO "Decimal Data Format").
The preferred signs generated depend on the PSW's ASCII bit (PoO "USASCII-8
and EBCDIC"): EBCDIC plus C, minus D, zone F; USASCII-8 plus A, minus B,
zone 5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from vm370.hardware.interrupts import (
    DATA,
    DECIMAL_DIVIDE,
    SPECIFICATION,
    ProgramInterrupt,
)

PLUS_SIGNS = frozenset({0xA, 0xC, 0xE, 0xF})
MINUS_SIGNS = frozenset({0xB, 0xD})

EBCDIC_PLUS, EBCDIC_MINUS, EBCDIC_ZONE = 0xC, 0xD, 0xF
ASCII_PLUS, ASCII_MINUS, ASCII_ZONE = 0xA, 0xB, 0x5

# Sign digits as bytes.hex() spells them.
_PLUS_HEX = frozenset("acef")
_MINUS_HEX = frozenset("bd")
# The preferred sign digit, by [ascii][negative].
_SIGN_TEXT = (("c", "d"), ("a", "b"))
# 10 ** (digits in a field of n bytes), by n (1-16).
_DIGIT_LIMIT = [10 ** (2 * n - 1) for n in range(17)]


def preferred_sign(negative: bool, ascii: bool) -> int:
    """The sign code the CPU generates (PoO: C/D in EBCDIC, A/B in USASCII-8)."""
    if ascii:
        return ASCII_MINUS if negative else ASCII_PLUS
    return EBCDIC_MINUS if negative else EBCDIC_PLUS


def zone(ascii: bool) -> int:
    """The zone the CPU generates in UNPK and ED: F in EBCDIC, 5 in USASCII-8."""
    return ASCII_ZONE if ascii else EBCDIC_ZONE


def is_valid_packed(data: bytes) -> bool:
    """True if every digit position holds 0-9 and the sign position a sign code."""
    text = data.hex()
    return bool(text) and text[:-1].isdigit() and text[-1] in "abcdef"


def decode_packed(data: bytes) -> int:
    """The signed value of a packed field; data exception if a code is invalid.

    Minus zero decodes to 0: the sign of a zero operand matters only to MP
    and DP, which use ``decode_packed_signed``.
    """
    # The hot path of AP/SP/CP: one hex() and one int(), no further calls.
    text = data.hex()
    digits = text[:-1]
    if digits.isdigit():
        sign = text[-1]
        if sign in _PLUS_HEX:
            return int(digits)
        if sign in _MINUS_HEX:
            return -int(digits)
    raise ProgramInterrupt(DATA)


def decode_packed_signed(data: bytes) -> tuple[int, bool]:
    """(magnitude, negative) of a packed field; data exception if invalid."""
    text = data.hex()
    digits, sign = text[:-1], text[-1]
    # str.isdigit() is false for "" (a one-byte field has one digit, never none).
    if not digits.isdigit():
        raise ProgramInterrupt(DATA)
    if sign in _PLUS_HEX:
        return int(digits), False
    if sign in _MINUS_HEX:
        return int(digits), True
    raise ProgramInterrupt(DATA)


def encode_packed(magnitude: int, negative: bool, length: int, ascii: bool) -> tuple[bytes, bool]:
    """A packed field of ``length`` bytes holding the low digits of ``magnitude``.

    Returns (field, overflow): overflow when significant digits did not fit.
    The sign is the preferred sign for ``negative`` as given: the caller
    applies the PoO's rules for the sign of a zero result.
    """
    digit_count = 2 * length - 1
    modulus = 10**digit_count
    kept = magnitude % modulus
    text = f"{kept:0{digit_count}d}{preferred_sign(negative, ascii):x}"
    return bytes.fromhex(text), magnitude >= modulus


class DecimalResult(NamedTuple):
    """A decimal result field, the condition code and the overflow flag."""

    field: bytes
    cc: int
    overflow: bool


def _signed_result(value: int, length: int, ascii: bool) -> DecimalResult:
    # PoO AP/SP/ZAP: "A zero sum is always positive. When high-order digits
    # are lost because of overflow, a zero result has the sign of the correct
    # sum." So the sign follows the true value, and a true zero is plus.
    negative = value < 0
    magnitude = -value if negative else value
    digit_count = 2 * length - 1
    modulus = _DIGIT_LIMIT[length]
    sign = _SIGN_TEXT[ascii][negative]
    if magnitude >= modulus:
        field = bytes.fromhex(str(magnitude % modulus).zfill(digit_count) + sign)
        return DecimalResult(field, 3, True)
    field = bytes.fromhex(str(magnitude).zfill(digit_count) + sign)
    return DecimalResult(field, 0 if value == 0 else 1 if negative else 2, False)


def add_decimal(first: bytes, second: bytes, ascii: bool) -> DecimalResult:
    """AP: first + second, in a field the length of ``first``."""
    value = decode_packed(first) + decode_packed(second)
    return _signed_result(value, len(first), ascii)


def subtract_decimal(first: bytes, second: bytes, ascii: bool) -> DecimalResult:
    """SP: first - second, in a field the length of ``first``."""
    value = decode_packed(first) - decode_packed(second)
    return _signed_result(value, len(first), ascii)


def zero_and_add(length1: int, second: bytes, ascii: bool) -> DecimalResult:
    """ZAP: the second operand in a field of ``length1`` bytes.

    PoO: only the second operand is checked for valid codes; the first
    operand's old contents do not matter.
    """
    return _signed_result(decode_packed(second), length1, ascii)


def compare_decimal(first: bytes, second: bytes) -> int:
    """CP: condition code 0 equal, 1 first low, 2 first high (+0 equals -0)."""
    a, b = decode_packed(first), decode_packed(second)
    return 0 if a == b else 1 if a < b else 2


def check_multiply_divide_lengths(length1: int, length2: int) -> None:
    """MP/DP: specification exception unless L2 <= 8 bytes and L2 < L1.

    PoO "Decimal Arithmetic Exceptions": a multiplier or divisor of more
    than 15 digits and sign, or not shorter than the first operand.
    """
    if length2 > 8 or length2 >= length1:
        raise ProgramInterrupt(SPECIFICATION)


def multiply_decimal(first: bytes, second: bytes, ascii: bool) -> bytes:
    """MP: the product in the first operand's field (condition code unchanged).

    PoO: the multiplicand must have at least as many bytes of high-order
    zero digits as the multiplier field has bytes, else a data exception;
    the product's sign follows the rules of algebra even when an operand is
    zero.
    """
    length1, length2 = len(first), len(second)
    check_multiply_divide_lengths(length1, length2)
    multiplicand, negative1 = decode_packed_signed(first)
    multiplier, negative2 = decode_packed_signed(second)
    if first.hex()[: 2 * length2].strip("0"):
        raise ProgramInterrupt(DATA)
    field, _ = encode_packed(multiplicand * multiplier, negative1 != negative2, length1, ascii)
    return field


def divide_decimal(first: bytes, second: bytes, ascii: bool) -> bytes:
    """DP: quotient (leftmost L1-L2 bytes) and remainder (rightmost L2 bytes).

    PoO: decimal divide exception, with the operation suppressed, when the
    divisor is zero or the quotient does not fit its field. The quotient's
    sign follows the rules of algebra and the remainder has the dividend's
    sign, even when they are zero.
    """
    length1, length2 = len(first), len(second)
    check_multiply_divide_lengths(length1, length2)
    dividend, negative1 = decode_packed_signed(first)
    divisor, negative2 = decode_packed_signed(second)
    quotient_length = length1 - length2
    if divisor == 0 or dividend >= divisor * 10 ** (2 * quotient_length - 1):
        raise ProgramInterrupt(DECIMAL_DIVIDE)
    quotient, remainder = divmod(dividend, divisor)
    quotient_field, _ = encode_packed(quotient, negative1 != negative2, quotient_length, ascii)
    remainder_field, _ = encode_packed(remainder, negative1, length2, ascii)
    return quotient_field + remainder_field


def pack(work: bytearray, first: int, length1: int, second: int, length2: int) -> None:
    """PACK in place: zoned ``work[second:second+length2]`` to packed at ``first``.

    ``work`` holds both operands (overlapping or not) at the given offsets.
    PoO: the fields are processed right to left a byte at a time, each
    result byte stored as soon as the operand bytes it needs are fetched, so
    overlapping operands behave as on the machine. Codes are not checked;
    the rightmost byte has its halves swapped, the other zones are dropped,
    and the result is padded with zeros on the left or the extra source
    digits ignored.
    """
    end1, end2 = first + length1 - 1, second + length2 - 1
    byte = work[end2]
    work[end1] = ((byte & 0x0F) << 4) | (byte >> 4)
    source = end2 - 1
    for target in range(end1 - 1, first - 1, -1):
        low = work[source] & 0x0F if source >= second else 0
        high = work[source - 1] & 0x0F if source - 1 >= second else 0
        source -= 2
        work[target] = (high << 4) | low


def unpack(
    work: bytearray, first: int, length1: int, second: int, length2: int, ascii: bool
) -> None:
    """UNPK in place: packed ``work`` at ``second`` to zoned at ``first``.

    PoO: right to left a byte at a time; codes are not checked; the
    rightmost byte has its halves swapped, every other digit gets the zone
    (F, or 5 with the PSW's ASCII bit), and zero digits fill the left.
    """
    zone_bits = zone(ascii) << 4
    end1, end2 = first + length1 - 1, second + length2 - 1
    byte = work[end2]
    work[end1] = ((byte & 0x0F) << 4) | (byte >> 4)
    source = end2 - 1
    target = end1 - 1
    while target >= first:
        byte = work[source] if source >= second else 0
        source -= 1
        work[target] = zone_bits | (byte & 0x0F)
        target -= 1
        if target >= first:
            work[target] = zone_bits | (byte >> 4)
            target -= 1


def move_with_offset(work: bytearray, first: int, length1: int, second: int, length2: int) -> None:
    """MVO in place: the second operand placed left of the first's rightmost 4 bits.

    PoO: right to left a byte at a time; no codes checked; the first
    operand is padded with zeros on the left or the extra second-operand
    digits ignored.
    """
    end1, end2 = first + length1 - 1, second + length2 - 1
    source = end2
    carry = work[source]
    work[end1] = ((carry & 0x0F) << 4) | (work[end1] & 0x0F)
    carry >>= 4
    for target in range(end1 - 1, first - 1, -1):
        source -= 1
        byte = work[source] if source >= second else 0
        work[target] = ((byte & 0x0F) << 4) | carry
        carry = byte >> 4


def convert_to_binary(doubleword: bytes) -> tuple[int, bool]:
    """CVB: (unsigned 32-bit register image, overflow) of an 8-byte packed field.

    PoO: data exception for invalid codes; a value outside the 32-bit
    signed range gives a fixed-point divide exception, the operation
    completed with the rightmost 32 bits of the binary result in the
    register.
    """
    value = decode_packed(doubleword)
    overflow = not -(1 << 31) <= value < (1 << 31)
    return value & 0xFFFFFFFF, overflow


def convert_to_decimal(register: int, ascii: bool) -> bytes:
    """CVD: the 8-byte packed form of a 32-bit register (preferred sign)."""
    value = register - (1 << 32) if register & 0x80000000 else register
    field, _ = encode_packed(abs(value), value < 0, 8, ascii)
    return field


DIGIT_SELECTOR = 0x20
SIGNIFICANCE_STARTER = 0x21
FIELD_SEPARATOR = 0x22


class EditDataException(ProgramInterrupt):
    """The data exception of ED/EDMK, with the result bytes stored before it.

    PoO "Edit": an invalid source digit terminates the operation; the
    pattern bytes already processed have been replaced (``partial`` is the
    whole field as it then stands) and EDMK's ``mark`` is as far as it got.
    """

    def __init__(self, partial: bytes, mark: int | None):
        super().__init__(DATA)
        self.partial = partial
        self.mark = mark


class EditResult(NamedTuple):
    """What ED/EDMK produced.

    ``field`` replaces the pattern; ``cc`` is the condition code;
    ``source_length`` is how many source bytes were used; ``mark`` is the
    offset in the pattern of the first digit that turned significance on
    (EDMK's register 1), or None.
    """

    field: bytes
    cc: int
    source_length: int
    mark: int | None


def edit(pattern: bytes, source: Callable[[int], int], ascii: bool) -> EditResult:
    """ED/EDMK: edit packed source digits under control of ``pattern``.

    ``source(i)`` returns source byte i; it is called only for the bytes the
    pattern consumes, in order, so the handler fetches exactly those.
    PoO "Edit": the first pattern byte is the fill byte; a digit selector
    (20) or significance starter (21) takes the next source digit, storing
    the fill byte while the significance trigger is off and the digit is
    zero, else the zoned digit; a starter then turns the trigger on; a plus
    sign in the right half of a source byte turns it off (minus leaves it);
    a field separator (22) stores the fill byte and turns it off; a message
    byte is kept while the trigger is on, else replaced by the fill byte.
    Condition code for the last field: 0 zero (or no digits), 1 nonzero
    with the trigger on (less than zero), 2 nonzero with it off.
    """
    fill = pattern[0]
    zone_bits = zone(ascii) << 4
    result = bytearray(pattern)
    significance = False
    nonzero = False
    mark: int | None = None
    source_index = 0
    current = 0
    right_half_pending = False
    for position, code in enumerate(pattern):
        if code in (DIGIT_SELECTOR, SIGNIFICANCE_STARTER):
            if right_half_pending:
                digit = current & 0x0F
                right_half_pending = False
                sign_follows = False
            else:
                current = source(source_index)
                source_index += 1
                digit = current >> 4
                if digit > 9:
                    raise EditDataException(bytes(result), mark)
                sign_follows = (current & 0x0F) > 9
                right_half_pending = not sign_follows
            if digit:
                nonzero = True
                if not significance:
                    mark = position
                    significance = True
            if significance:
                result[position] = zone_bits | digit
            else:
                result[position] = fill
            if code == SIGNIFICANCE_STARTER:
                significance = True
            if sign_follows and (current & 0x0F) in PLUS_SIGNS:
                significance = False
        elif code == FIELD_SEPARATOR:
            result[position] = fill
            significance = False
            nonzero = False
        elif not significance:
            result[position] = fill
    cc = 0 if not nonzero else 1 if significance else 2
    return EditResult(bytes(result), cc, source_index, mark)

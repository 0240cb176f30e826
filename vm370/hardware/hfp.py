"""System/360 hexadecimal floating point, short and long, as pure functions.

Rules from the Principles of Operation (GA22-6821), "Floating-Point
Arithmetic". A number is a sign bit, a 7-bit characteristic (the exponent of
16 plus 64) and a fraction of 6 (short) or 14 (long) hexadecimal digits with
the radix point on its left. Operands and results are the unsigned integer
images of the formats: 32 bits for short, 64 bits for long. Nothing here
touches the CPU; the handlers in ``vm370.hardware.instructions.floating``
fetch, call and store.

Each arithmetic function returns a ``FloatResult``: the result image, the
condition code (None where the instruction leaves it unchanged) and the
program-interruption code to raise after the result is stored (None if
none). Exponent overflow always interrupts; exponent underflow and
significance interrupt only when their program-mask bit is on, and
otherwise make the result a true zero (PoO "True Zero"). A zero divisor
fraction raises ``ProgramInterrupt`` at once: the division is suppressed.

Where the first edition of the manual (A22-6821-0, 1964) and the machines
after IBM's field change to System/360 floating point (about 1967) differ,
this module follows the later rules, which S/370 kept: one guard digit
in short and long addition, subtraction and comparison, normalized before it
is truncated; an underflowed result with the mask on keeps its fraction with
the characteristic made 128 larger (the first edition made it zero); MDR/MD
keep the guard digit when the product needs its one postnormalizing left
shift (the first edition truncated first). MER/ME multiply short operands
into a long product whose two rightmost digits are zero, as both editions
say ("all 14 result fraction digits"). Still S/360 and not S/370: an
exponent overflow in an addition sets condition code 3, and HER/HDR do not
normalize.
"""

from __future__ import annotations

from typing import NamedTuple

from vm370.hardware.interrupts import (
    EXPONENT_OVERFLOW,
    EXPONENT_UNDERFLOW,
    FLOATING_POINT_DIVIDE,
    MASK_EXPONENT_UNDERFLOW,
    MASK_SIGNIFICANCE,
    SIGNIFICANCE,
    ProgramInterrupt,
)

SHORT = 6  # fraction digits of the short format
LONG = 14  # fraction digits of the long format


class FloatResult(NamedTuple):
    """A floating-point result image, its condition code and any interruption."""

    value: int
    cc: int | None
    interrupt: int | None


def split(value: int, digits: int) -> tuple[bool, int, int]:
    """(negative, characteristic, fraction) of a short or long image."""
    bits = 4 * digits
    return bool(value >> (bits + 7)), (value >> bits) & 0x7F, value & ((1 << bits) - 1)


def join(negative: bool, characteristic: int, fraction: int, digits: int) -> int:
    """The image of sign, characteristic (0-127) and fraction."""
    bits = 4 * digits
    return (int(negative) << (bits + 7)) | (characteristic << bits) | fraction


def _cc(negative: bool, fraction: int) -> int:
    return 0 if fraction == 0 else 1 if negative else 2


def _normalize(fraction: int, characteristic: int, digits: int) -> tuple[int, int]:
    """Shift a nonzero fraction left until its high digit is nonzero."""
    top = 1 << (4 * digits - 4)
    while fraction < top:
        fraction <<= 4
        characteristic -= 1
    return fraction, characteristic


def _finish(
    negative: bool, characteristic: int, fraction: int, digits: int, program_mask: int
) -> FloatResult:
    """Apply exponent overflow and underflow to a nonzero normalized result."""
    if characteristic > 127:
        # PoO: exponent overflow completes with the characteristic 128 too small.
        image = join(negative, characteristic - 128, fraction, digits)
        return FloatResult(image, 3, EXPONENT_OVERFLOW)
    if characteristic < 0:
        if program_mask & MASK_EXPONENT_UNDERFLOW:
            image = join(negative, characteristic + 128, fraction, digits)
            return FloatResult(image, _cc(negative, fraction), EXPONENT_UNDERFLOW)
        return FloatResult(0, 0, None)
    return FloatResult(
        join(negative, characteristic, fraction, digits), _cc(negative, fraction), None
    )


def _aligned_sum(first: int, second: int, digits: int, subtract: bool) -> tuple[bool, int, int]:
    """The intermediate sum of PoO "Add Normalized": (negative, characteristic, magnitude).

    The magnitude has ``digits`` + 1 hexadecimal digits, the last the guard
    digit: the fraction with the smaller characteristic is shifted right,
    the last digit shifted out kept as the guard digit and any further ones
    lost. A carry out of the high digit shifts the sum right one digit and
    adds one to the characteristic (which may then exceed 127).
    """
    # The fields taken apart in line (this is the hot path of AD/AE and CD/CE);
    # the fractions get the guard digit position on their right.
    bits = 4 * digits
    fraction_mask = (1 << bits) - 1
    negative1 = first >> (bits + 7)
    negative2 = (second >> (bits + 7)) ^ subtract
    characteristic1 = (first >> bits) & 0x7F
    characteristic2 = (second >> bits) & 0x7F
    fraction1 = (first & fraction_mask) << 4
    fraction2 = (second & fraction_mask) << 4
    if characteristic1 >= characteristic2:
        characteristic = characteristic1
        fraction2 >>= 4 * (characteristic1 - characteristic2)
    else:
        characteristic = characteristic2
        fraction1 >>= 4 * (characteristic2 - characteristic1)
    total = (-fraction1 if negative1 else fraction1) + (-fraction2 if negative2 else fraction2)
    negative = total < 0
    magnitude = -total if negative else total
    if magnitude >> (4 * digits + 4):
        magnitude >>= 4
        characteristic += 1
    return negative, characteristic, magnitude


def add(
    first: int,
    second: int,
    digits: int,
    program_mask: int,
    normalize: bool = True,
    subtract: bool = False,
) -> FloatResult:
    """AE/AD/AU/AW (and SE/SD/SU/SW with ``subtract``): first +/- second.

    Condition code 0 zero fraction, 1 less than zero, 2 greater than zero,
    3 exponent overflow. A zero result fraction is a significance exception:
    with the mask off the result is a true zero; with it on the result keeps
    the intermediate characteristic, with a plus sign (PoO: "The sign of a
    sum ... with a zero fraction is positive").
    """
    negative, characteristic, magnitude = _aligned_sum(first, second, digits, subtract)
    if normalize and magnitude:
        top = 1 << (4 * digits)
        while magnitude < top:
            magnitude <<= 4
            characteristic -= 1
    # Truncate the guard digit to the result length.
    fraction = magnitude >> 4
    if fraction == 0:
        if program_mask & MASK_SIGNIFICANCE:
            return FloatResult(join(False, characteristic & 0x7F, 0, digits), 0, SIGNIFICANCE)
        return FloatResult(0, 0, None)
    if not normalize:
        # Unnormalized addition shifts right at most once, so only overflow.
        if characteristic > 127:
            image = join(negative, characteristic - 128, fraction, digits)
            return FloatResult(image, 3, EXPONENT_OVERFLOW)
        return FloatResult(
            join(negative, characteristic, fraction, digits), _cc(negative, fraction), None
        )
    if 0 <= characteristic <= 127:
        image = (negative << (4 * digits + 7)) | (characteristic << (4 * digits)) | fraction
        return FloatResult(image, 1 if negative else 2, None)
    return _finish(negative, characteristic, fraction, digits, program_mask)


def compare(first: int, second: int, digits: int) -> int:
    """CE/CD: condition code 0 equal, 1 first low, 2 first high.

    PoO: the comparison is a normalized subtraction, guard digit and all,
    without storing; fractions that are zero compare equal whatever their
    signs and characteristics.
    """
    negative, _, magnitude = _aligned_sum(first, second, digits, subtract=True)
    return _cc(negative, magnitude)


def _prenormalize(value: int, digits: int) -> tuple[bool, int, int]:
    negative, characteristic, fraction = split(value, digits)
    if fraction:
        fraction, characteristic = _normalize(fraction, characteristic, digits)
    return negative, characteristic, fraction


def multiply(first: int, second: int, digits: int, program_mask: int) -> FloatResult:
    """MER/ME (short operands, long product) and MDR/MD: first * second.

    PoO: the operands are prenormalized, the characteristic of the
    intermediate product is the sum of theirs less 64, the product fraction
    is the exact product shifted left at most one digit (then truncated).
    A zero operand fraction gives a true zero. The condition code is
    unchanged and significance is never recognized.
    """
    negative1, characteristic1, fraction1 = _prenormalize(first, digits)
    negative2, characteristic2, fraction2 = _prenormalize(second, digits)
    if fraction1 == 0 or fraction2 == 0:
        return FloatResult(0, None, None)
    characteristic = characteristic1 + characteristic2 - 64
    product = fraction1 * fraction2
    if product >> (8 * digits - 4) == 0:
        product <<= 4
        characteristic -= 1
    if digits == SHORT:
        # Twelve product digits in the fourteen of the long format.
        fraction = product << 8
    else:
        fraction = product >> (4 * LONG)
    result = _finish(negative1 != negative2, characteristic, fraction, LONG, program_mask)
    return FloatResult(result.value, None, result.interrupt)


def divide(first: int, second: int, digits: int, program_mask: int) -> FloatResult:
    """DER/DE/DDR/DD: first / second, the quotient truncated, no remainder.

    PoO: a divisor with a zero fraction is a floating-point divide exception
    and the division is suppressed (raised here); a dividend with a zero
    fraction gives a true zero. The operands are prenormalized; if the
    dividend fraction is not less than the divisor's it is shifted right one
    digit, all its digits taking part. The condition code is unchanged.
    """
    negative1, characteristic1, fraction1 = _prenormalize(first, digits)
    negative2, characteristic2, fraction2 = _prenormalize(second, digits)
    if fraction2 == 0:
        raise ProgramInterrupt(FLOATING_POINT_DIVIDE)
    if fraction1 == 0:
        return FloatResult(0, None, None)
    characteristic = characteristic1 - characteristic2 + 64
    if fraction1 >= fraction2:
        quotient = (fraction1 << (4 * digits - 4)) // fraction2
        characteristic += 1
    else:
        quotient = (fraction1 << (4 * digits)) // fraction2
    result = _finish(negative1 != negative2, characteristic, quotient, digits, program_mask)
    return FloatResult(result.value, None, result.interrupt)


def halve(value: int, digits: int) -> int:
    """HER/HDR: the fraction shifted right one bit; sign and characteristic kept.

    PoO (S/360): no normalization and no zero test; no exceptions.
    """
    mask = (1 << (4 * digits)) - 1
    return (value & ~mask) | ((value & mask) >> 1)


def load_and_test(value: int, digits: int) -> tuple[int, int]:
    """LTER/LTDR: the operand unchanged; cc 0 zero fraction, 1 minus, 2 plus."""
    negative, _, fraction = split(value, digits)
    return value, _cc(negative, fraction)


def load_complement(value: int, digits: int) -> tuple[int, int]:
    """LCER/LCDR: the sign inverted, even for a zero fraction."""
    value ^= 1 << (4 * digits + 7)
    return load_and_test(value, digits)


def load_positive(value: int, digits: int) -> tuple[int, int]:
    """LPER/LPDR: the sign made plus."""
    return load_and_test(value & ~(1 << (4 * digits + 7)), digits)


def load_negative(value: int, digits: int) -> tuple[int, int]:
    """LNER/LNDR: the sign made minus, even for a zero fraction."""
    return load_and_test(value | (1 << (4 * digits + 7)), digits)

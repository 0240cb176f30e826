"""Hexadecimal floating point, checked against an exact rational model.

The model works on ``fractions.Fraction`` values and applies the truncation
rules of the Principles of Operation in value terms: the operand with the
smaller exponent is truncated to one digit (the guard digit) beyond the
other's fraction, the exact sum is then truncated to the result length;
products and quotients are the exact values truncated to the result length.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware import hfp
from vm370.hardware.interrupts import (
    EXPONENT_OVERFLOW,
    EXPONENT_UNDERFLOW,
    FLOATING_POINT_DIVIDE,
    SIGNIFICANCE,
    ProgramInterrupt,
)

SETTINGS = settings(max_examples=200, deadline=None)
MASK_UNDERFLOW = 2
MASK_SIGNIFICANCE = 1


def exact(image: int, digits: int) -> Fraction:
    """The value of an image, decoded bit by bit (not with the module under test)."""
    bits = 4 * digits
    sign = -1 if image >> (bits + 7) & 1 else 1
    characteristic = (image >> bits) & 0x7F
    fraction = Fraction(image & ((1 << bits) - 1), 16**digits)
    return sign * fraction * Fraction(16) ** (characteristic - 64)


def truncate(value: Fraction, unit: Fraction) -> Fraction:
    """Truncate toward zero to a multiple of ``unit``."""
    magnitude = abs(value) // unit * unit
    return magnitude if value >= 0 else -magnitude


def exponent_of(value: Fraction) -> int:
    """e with 16**(e-1) <= |value| < 16**e."""
    e = 0
    magnitude = abs(value)
    while magnitude >= Fraction(16) ** e:
        e += 1
    while magnitude < Fraction(16) ** (e - 1):
        e -= 1
    return e


def encode(value: Fraction, exponent: int, digits: int, wrap: int = 0) -> int:
    """Image of value = +-fraction * 16**exponent, its characteristic exponent+64+wrap."""
    fraction = abs(value) / Fraction(16) ** exponent * 16**digits
    assert fraction.denominator == 1 and fraction < 16**digits
    characteristic = exponent + 64 + wrap
    assert 0 <= characteristic <= 127
    negative = value < 0
    return (int(negative) << (4 * digits + 7)) | (characteristic << (4 * digits)) | int(fraction)


def model_finish(value: Fraction, exponent: int, digits: int, mask: int, cc: bool):
    """Overflow / underflow handling of a nonzero normalized value (PoO)."""
    if exponent > 63:
        image = encode(value, exponent, digits, wrap=-128)
        return image, 3 if cc else None, EXPONENT_OVERFLOW
    if exponent < -64:
        if mask & MASK_UNDERFLOW:
            image = encode(value, exponent, digits, wrap=128)
            return image, (1 if value < 0 else 2) if cc else None, EXPONENT_UNDERFLOW
        return 0, 0 if cc else None, None
    return encode(value, exponent, digits), (1 if value < 0 else 2) if cc else None, None


def model_add(first: int, second: int, digits: int, mask: int, normalize: bool, subtract: bool):
    a, b = exact(first, digits), exact(second, digits)
    if subtract:
        b = -b
    char_a = (first >> (4 * digits)) & 0x7F
    char_b = (second >> (4 * digits)) & 0x7F
    exponent = max(char_a, char_b) - 64
    guard_unit = Fraction(16) ** (exponent - digits - 1)
    if char_a < char_b:
        a = truncate(a, guard_unit)
    else:
        b = truncate(b, guard_unit)
    total = a + b
    if abs(total) >= Fraction(16) ** exponent:
        exponent += 1
    if total == 0 or (not normalize and truncate(total, Fraction(16) ** (exponent - digits)) == 0):
        if mask & MASK_SIGNIFICANCE:
            return ((exponent + 64) & 0x7F) << (4 * digits), 0, SIGNIFICANCE
        return 0, 0, None
    if normalize:
        exponent = exponent_of(total)
    result = truncate(total, Fraction(16) ** (exponent - digits))
    if not normalize and exponent <= 63:
        return encode(result, exponent, digits), (1 if result < 0 else 2), None
    return model_finish(result, exponent, digits, mask, cc=True)


def images(digits: int):
    """Any image, with extra weight on normalized numbers and range edges."""
    bits = 4 * digits
    fraction = st.one_of(
        st.integers(0, (1 << bits) - 1),
        st.integers(1 << (bits - 4), (1 << bits) - 1),
        st.sampled_from([0, 1, (1 << bits) - 1, 1 << (bits - 4)]),
    )
    characteristic = st.one_of(st.integers(0, 127), st.sampled_from([0, 1, 63, 64, 65, 126, 127]))
    return st.builds(
        lambda s, c, f: (s << (bits + 7)) | (c << bits) | f,
        st.integers(0, 1),
        characteristic,
        fraction,
    )


def near(digits: int):
    """Pairs of images whose characteristics are close, so the fractions interact."""
    bits = 4 * digits

    @st.composite
    def pair(draw):
        c = draw(st.integers(0, 127))
        d = draw(st.integers(-(digits + 2), digits + 2))
        c2 = min(127, max(0, c + d))
        f1 = draw(st.integers(0, (1 << bits) - 1))
        f2 = draw(st.integers(0, (1 << bits) - 1))
        s1, s2 = draw(st.integers(0, 1)), draw(st.integers(0, 1))
        return (s1 << (bits + 7)) | (c << bits) | f1, (s2 << (bits + 7)) | (c2 << bits) | f2

    return pair()


MASKS = st.integers(0, 15)


@SETTINGS
@given(st.sampled_from([hfp.SHORT, hfp.LONG]), st.data(), MASKS, st.booleans(), st.booleans())
def test_add_matches_rational_model(digits, data, mask, normalize, subtract):
    first, second = data.draw(st.one_of(near(digits), st.tuples(images(digits), images(digits))))
    expected = model_add(first, second, digits, mask, normalize, subtract)
    result = hfp.add(first, second, digits, mask, normalize=normalize, subtract=subtract)
    assert tuple(result) == expected


def test_add_short_example_one_plus_one():
    assert hfp.add(0x41100000, 0x41100000, hfp.SHORT, 0) == (0x41200000, 2, None)


def test_add_guard_digit_keeps_precision_in_subtraction():
    # 1.0 - 0x0.FFFFFF*16**-1... : 0x41100000 - 0x40FFFFFF = 16**-7 exactly with the guard digit.
    result = hfp.add(0x41100000, 0x40FFFFFF, hfp.SHORT, 0, subtract=True)
    assert result == (0x3B100000, 2, None)


def test_add_digits_beyond_guard_digit_are_truncated():
    # 0x40FFFFFF shifted two digits keeps one F as the guard digit and loses the
    # last: 1000000 - 00FFFFF = 0F00001, normalized to F00001.
    result = hfp.add(0x42100000, 0x40FFFFFF, hfp.SHORT, 0, subtract=True)
    assert result == (0x41F00001, 2, None)


def test_add_carry_shifts_right_and_raises_characteristic():
    assert hfp.add(0x41800000, 0x41800000, hfp.SHORT, 0) == (0x42100000, 2, None)


def test_add_exponent_overflow_wraps_characteristic():
    result = hfp.add(0x7F800000, 0x7F800000, hfp.SHORT, 0)
    assert result == (0x00100000, 3, EXPONENT_OVERFLOW)


def test_add_exponent_underflow_mask_off_gives_true_zero():
    result = hfp.add(0x00100000, 0x80080000, hfp.SHORT, 0)
    assert result == (0, 0, None)


def test_add_exponent_underflow_mask_on_wraps_characteristic():
    result = hfp.add(0x00100000, 0x80080000, hfp.SHORT, MASK_UNDERFLOW)
    assert result == (0x7F800000, 2, EXPONENT_UNDERFLOW)


def test_add_zero_sum_significance_mask_off_is_true_zero():
    assert hfp.add(0xC2123456, 0x42123456, hfp.SHORT, 0) == (0, 0, None)


def test_add_zero_sum_significance_mask_on_keeps_characteristic_plus():
    result = hfp.add(0xC2123456, 0x42123456, hfp.SHORT, MASK_SIGNIFICANCE)
    assert result == (0x42000000, 0, SIGNIFICANCE)


def test_add_unnormalized_keeps_leading_zeros():
    result = hfp.add(0x42001000, 0x42000100, hfp.SHORT, 0, normalize=False)
    assert result == (0x42001100, 2, None)


def test_add_long_example():
    one = 0x4110000000000000
    tenth = 0x401999999999999A
    # The tenth loses its last digit A into the guard digit, then truncation drops it.
    assert hfp.add(one, tenth, hfp.LONG, 0) == (0x4111999999999999, 2, None)


@SETTINGS
@given(st.sampled_from([hfp.SHORT, hfp.LONG]), st.data())
def test_compare_matches_sign_of_guarded_difference(digits, data):
    first, second = data.draw(st.one_of(near(digits), st.tuples(images(digits), images(digits))))
    a, b = exact(first, digits), exact(second, digits)
    char_a = (first >> (4 * digits)) & 0x7F
    char_b = (second >> (4 * digits)) & 0x7F
    unit = Fraction(16) ** (max(char_a, char_b) - 64 - digits - 1)
    if char_a < char_b:
        a = truncate(a, unit)
    else:
        b = truncate(b, unit)
    expected = 0 if a == b else 1 if a < b else 2
    assert hfp.compare(first, second, digits) == expected


def test_compare_zero_fractions_equal_whatever_sign_and_characteristic():
    assert hfp.compare(0x80000000, 0x7F000000, hfp.SHORT) == 0


def test_compare_normalized_examples():
    assert hfp.compare(0x41100000, 0x41200000, hfp.SHORT) == 1
    assert hfp.compare(0x41200000, 0xC1300000, hfp.SHORT) == 2


def model_multiply_or_divide(first: int, second: int, digits: int, mask: int, divide: bool):
    a, b = exact(first, digits), exact(second, digits)
    result_digits = hfp.LONG if not divide else digits
    if b == 0 and divide:
        return "divide"
    if a == 0 or b == 0:
        return 0, None, None
    value = a / b if divide else a * b
    exponent = exponent_of(value)
    result = truncate(value, Fraction(16) ** (exponent - (digits if divide else result_digits)))
    if not divide and digits == hfp.SHORT:
        assert result == value  # six digits times six digits is exact in fourteen
    return model_finish(result, exponent, result_digits, mask, cc=False)


@SETTINGS
@given(st.sampled_from([hfp.SHORT, hfp.LONG]), images(14), images(14), MASKS)
def test_multiply_matches_rational_model(digits, first, second, mask):
    if digits == hfp.SHORT:
        first, second = first >> 32, second >> 32
    expected = model_multiply_or_divide(first, second, digits, mask, divide=False)
    assert tuple(hfp.multiply(first, second, digits, mask)) == expected


@SETTINGS
@given(st.sampled_from([hfp.SHORT, hfp.LONG]), images(14), images(14), MASKS)
def test_divide_matches_rational_model(digits, first, second, mask):
    if digits == hfp.SHORT:
        first, second = first >> 32, second >> 32
    expected = model_multiply_or_divide(first, second, digits, mask, divide=True)
    if expected == "divide":
        with pytest.raises(ProgramInterrupt) as caught:
            hfp.divide(first, second, digits, mask)
        assert caught.value.code == FLOATING_POINT_DIVIDE
    else:
        assert tuple(hfp.divide(first, second, digits, mask)) == expected


def test_multiply_short_gives_long_product():
    # 2 * 3 = 6; 0x123456 squared is 0x14B66CB0CE4, normalized one digit left
    # and kept whole in the fourteen digits of the long format.
    assert hfp.multiply(0x41200000, 0x41300000, hfp.SHORT, 0).value == 0x4160000000000000
    assert hfp.multiply(0x41123456, 0x41123456, hfp.SHORT, 0).value == 0x4114B66CB0CE4000


def test_multiply_prenormalizes_unnormalized_operands():
    assert hfp.multiply(0x42010000, 0x41200000, hfp.SHORT, 0).value == 0x4120000000000000


def test_multiply_zero_operand_gives_true_zero():
    assert hfp.multiply(0xC1000000, 0x7F123456, hfp.SHORT, 0) == (0, None, None)


def test_multiply_overflow_and_underflow():
    assert hfp.multiply(0x7F100000, 0x7F100000, hfp.SHORT, 0) == (
        0x3D10000000000000,
        None,
        EXPONENT_OVERFLOW,
    )
    assert hfp.multiply(0x01100000, 0x01100000, hfp.SHORT, 0) == (0, None, None)
    assert hfp.multiply(0x01100000, 0x01100000, hfp.SHORT, MASK_UNDERFLOW) == (
        0x4110000000000000,
        None,
        EXPONENT_UNDERFLOW,
    )


def test_divide_examples():
    assert hfp.divide(0x41600000, 0x41200000, hfp.SHORT, 0) == (0x41300000, None, None)
    assert hfp.divide(0x41100000, 0x41300000, hfp.SHORT, 0) == (0x40555555, None, None)


def test_divide_by_zero_fraction_is_floating_point_divide():
    with pytest.raises(ProgramInterrupt) as caught:
        hfp.divide(0x41100000, 0x45000000, hfp.SHORT, 0)
    assert caught.value.code == FLOATING_POINT_DIVIDE


def test_divide_zero_dividend_gives_true_zero():
    assert hfp.divide(0xC5000000, 0x41100000, hfp.SHORT, 0) == (0, None, None)


def test_halve_shifts_fraction_without_normalizing():
    assert hfp.halve(0x41100000, hfp.SHORT) == 0x41080000
    assert hfp.halve(0xC1000001, hfp.SHORT) == 0xC1000000
    assert hfp.halve(0x4110000000000001, hfp.LONG) == 0x4108000000000000


def test_sign_control_instructions():
    assert hfp.load_and_test(0xC1100000, hfp.SHORT) == (0xC1100000, 1)
    assert hfp.load_and_test(0x81000000, hfp.SHORT) == (0x81000000, 0)
    assert hfp.load_complement(0x41100000, hfp.SHORT) == (0xC1100000, 1)
    assert hfp.load_complement(0x00000000, hfp.SHORT) == (0x80000000, 0)
    assert hfp.load_positive(0xC1100000, hfp.SHORT) == (0x41100000, 2)
    assert hfp.load_negative(0x41100000, hfp.SHORT) == (0xC1100000, 1)
    assert hfp.load_negative(0x41000000, hfp.SHORT) == (0xC1000000, 0)
    assert hfp.load_complement(0xC110000000000000, hfp.LONG) == (0x4110000000000000, 2)

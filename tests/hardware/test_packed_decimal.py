"""Packed and zoned decimal rules, checked against a plain Python-int model
and against hand-worked examples in the style of the Principles of Operation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware import packed_decimal as pd
from vm370.hardware.interrupts import DATA, DECIMAL_DIVIDE, SPECIFICATION, ProgramInterrupt

SETTINGS = settings(max_examples=150, deadline=None)

PLUS_CODES = [0xA, 0xC, 0xE, 0xF]
MINUS_CODES = [0xB, 0xD]


def model_field(magnitude: int, sign_code: int, length: int) -> bytes:
    """Build a packed field nibble by nibble from the low digits of magnitude."""
    nibbles = []
    for _ in range(2 * length - 1):
        nibbles.append(magnitude % 10)
        magnitude //= 10
    nibbles.reverse()
    nibbles.append(sign_code)
    return bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))


@st.composite
def packed(draw, min_length: int = 1, max_length: int = 16):
    """(field bytes, signed value, negative flag) of a valid packed field."""
    length = draw(st.integers(min_length, max_length))
    magnitude = draw(
        st.one_of(
            st.integers(0, 10 ** (2 * length - 1) - 1),
            st.sampled_from([0, 10 ** (2 * length - 1) - 1]),
        )
    )
    sign = draw(st.sampled_from(PLUS_CODES + MINUS_CODES))
    negative = sign in MINUS_CODES
    return model_field(magnitude, sign, length), (-magnitude if negative else magnitude), negative


def expected_signed(value: int, length: int, ascii: bool) -> tuple[bytes, int, bool]:
    digits = 2 * length - 1
    overflow = abs(value) >= 10**digits
    plus, minus = (0xA, 0xB) if ascii else (0xC, 0xD)
    field = model_field(abs(value) % 10**digits, minus if value < 0 else plus, length)
    cc = 3 if overflow else 0 if value == 0 else 1 if value < 0 else 2
    return field, cc, overflow


def test_decode_reads_digits_and_every_sign_code():
    assert pd.decode_packed(bytes.fromhex("12345C")) == 12345
    assert pd.decode_packed(bytes.fromhex("12345D")) == -12345
    assert pd.decode_packed(bytes.fromhex("12345B")) == -12345
    for plus in "ACEF":
        assert pd.decode_packed(bytes.fromhex("9" + plus)) == 9


@pytest.mark.parametrize("text", ["1A3C", "12F4", "1234", "0C0C"])
def test_decode_invalid_digit_or_sign_is_data_exception(text):
    with pytest.raises(ProgramInterrupt) as caught:
        pd.decode_packed(bytes.fromhex(text))
    assert caught.value.code == DATA


def test_is_valid_packed():
    assert pd.is_valid_packed(bytes.fromhex("001C"))
    assert not pd.is_valid_packed(bytes.fromhex("0A1C"))
    assert not pd.is_valid_packed(bytes.fromhex("0019"))
    assert not pd.is_valid_packed(b"")


@SETTINGS
@given(packed(), packed(), st.booleans())
def test_add_decimal_matches_integer_model(first, second, ascii):
    field1, value1, _ = first
    field2, value2, _ = second
    result = pd.add_decimal(field1, field2, ascii)
    assert result == expected_signed(value1 + value2, len(field1), ascii)


@SETTINGS
@given(packed(), packed(), st.booleans())
def test_subtract_decimal_matches_integer_model(first, second, ascii):
    field1, value1, _ = first
    field2, value2, _ = second
    result = pd.subtract_decimal(field1, field2, ascii)
    assert result == expected_signed(value1 - value2, len(field1), ascii)


def test_add_decimal_example_with_carry_and_preferred_sign():
    result = pd.add_decimal(bytes.fromhex("0099999C"), bytes.fromhex("1F"), False)
    assert result == (bytes.fromhex("0100000C"), 2, False)


def test_add_decimal_zero_sum_is_plus():
    result = pd.add_decimal(bytes.fromhex("123D"), bytes.fromhex("123C"), False)
    assert result == (bytes.fromhex("000C"), 0, False)


def test_add_decimal_overflow_zero_keeps_sign_of_true_sum():
    # -999 + -1 = -1000: the three digits kept are zero, the sign stays minus.
    result = pd.add_decimal(bytes.fromhex("999D"), bytes.fromhex("1D"), False)
    assert result == (bytes.fromhex("000D"), 3, True)


def test_add_decimal_ascii_signs():
    assert pd.add_decimal(bytes.fromhex("5C"), bytes.fromhex("2C"), True).field == bytes([0x7A])
    assert pd.add_decimal(bytes.fromhex("5D"), bytes.fromhex("2C"), True).field == bytes([0x3B])


def test_add_decimal_checks_both_operands():
    with pytest.raises(ProgramInterrupt) as caught:
        pd.add_decimal(bytes.fromhex("1C"), bytes.fromhex("A1"), False)
    assert caught.value.code == DATA
    with pytest.raises(ProgramInterrupt):
        pd.add_decimal(bytes.fromhex("F1"), bytes.fromhex("1C"), False)


@SETTINGS
@given(st.integers(1, 16), packed(), st.booleans())
def test_zero_and_add_matches_model(length1, second, ascii):
    field2, value2, _ = second
    assert pd.zero_and_add(length1, field2, ascii) == expected_signed(value2, length1, ascii)


def test_zero_and_add_minus_zero_gives_plus_zero():
    assert pd.zero_and_add(2, bytes.fromhex("0D"), False) == (bytes.fromhex("000C"), 0, False)


@SETTINGS
@given(packed(), packed())
def test_compare_decimal_matches_model(first, second):
    field1, value1, _ = first
    field2, value2, _ = second
    expected = 0 if value1 == value2 else 1 if value1 < value2 else 2
    assert pd.compare_decimal(field1, field2) == expected


def test_compare_decimal_plus_zero_equals_minus_zero():
    assert pd.compare_decimal(bytes.fromhex("000C"), bytes.fromhex("0D")) == 0


@SETTINGS
@given(packed(max_length=8), st.data(), st.booleans())
def test_multiply_decimal_matches_model(second, data, ascii):
    field2, value2, negative2 = second
    length2 = len(field2)
    length1 = data.draw(st.integers(length2 + 1, 16))
    # The multiplicand needs length2 bytes of leading zero digits.
    digits = 2 * (length1 - length2) - 1
    magnitude = data.draw(st.integers(0, 10**digits - 1))
    sign = data.draw(st.sampled_from(PLUS_CODES + MINUS_CODES))
    field1 = model_field(magnitude, sign, length1)
    negative = (sign in MINUS_CODES) != negative2
    plus, minus = (0xA, 0xB) if ascii else (0xC, 0xD)
    expected = model_field(magnitude * abs(value2), minus if negative else plus, length1)
    assert pd.multiply_decimal(field1, field2, ascii) == expected


def test_multiply_decimal_example():
    product = pd.multiply_decimal(bytes.fromhex("00001234567C"), bytes.fromhex("321D"), False)
    assert product == bytes.fromhex("00396296007D")


def test_multiply_decimal_zero_product_keeps_algebraic_sign():
    assert pd.multiply_decimal(
        bytes.fromhex("00000C"), bytes.fromhex("5D"), False
    ) == bytes.fromhex("00000D")


@pytest.mark.parametrize(
    ("length1", "length2"),
    [(9, 9), (16, 9), (3, 3), (2, 4)],
    ids=["L2>8", "L2>8-long", "equal", "L2>L1"],
)
def test_multiply_decimal_length_rules_are_specification(length1, length2):
    with pytest.raises(ProgramInterrupt) as caught:
        pd.multiply_decimal(bytes(length1 - 1) + b"\x0c", bytes(length2 - 1) + b"\x1c", False)
    assert caught.value.code == SPECIFICATION


def test_multiply_decimal_without_leading_zeros_is_data_exception():
    with pytest.raises(ProgramInterrupt) as caught:
        pd.multiply_decimal(bytes.fromhex("01234C"), bytes.fromhex("2C"), False)
    assert caught.value.code == DATA


@SETTINGS
@given(packed(max_length=8), st.data(), st.booleans())
def test_divide_decimal_matches_model(second, data, ascii):
    field2, value2, negative2 = second
    length2 = len(field2)
    length1 = data.draw(st.integers(length2 + 1, 16))
    magnitude = data.draw(st.integers(0, 10 ** (2 * length1 - 1) - 1))
    sign = data.draw(st.sampled_from(PLUS_CODES + MINUS_CODES))
    negative1 = sign in MINUS_CODES
    field1 = model_field(magnitude, sign, length1)
    divisor = abs(value2)
    quotient_length = length1 - length2
    plus, minus = (0xA, 0xB) if ascii else (0xC, 0xD)
    if divisor == 0 or magnitude // divisor >= 10 ** (2 * quotient_length - 1):
        with pytest.raises(ProgramInterrupt) as caught:
            pd.divide_decimal(field1, field2, ascii)
        assert caught.value.code == DECIMAL_DIVIDE
        return
    quotient, remainder = magnitude // divisor, magnitude % divisor
    expected = model_field(
        quotient, minus if negative1 != negative2 else plus, quotient_length
    ) + model_field(remainder, minus if negative1 else plus, length2)
    assert pd.divide_decimal(field1, field2, ascii) == expected


def test_divide_decimal_example():
    # 1234567 / -321 = -3846 remainder 1 (the remainder takes the dividend's sign).
    result = pd.divide_decimal(bytes.fromhex("0000001234567C"), bytes.fromhex("321D"), False)
    assert result == bytes.fromhex("000003846D001C")


def test_divide_decimal_by_zero_is_decimal_divide():
    with pytest.raises(ProgramInterrupt) as caught:
        pd.divide_decimal(bytes.fromhex("00100C"), bytes.fromhex("0C"), False)
    assert caught.value.code == DECIMAL_DIVIDE


def test_divide_decimal_quotient_too_large_is_decimal_divide():
    # A one-byte quotient field holds one digit: 99 / 10 fits, 100 / 10 does not.
    result = pd.divide_decimal(bytes.fromhex("00099C"), bytes.fromhex("010C"), False)
    assert result == bytes.fromhex("9C009C")
    with pytest.raises(ProgramInterrupt) as caught:
        pd.divide_decimal(bytes.fromhex("00100C"), bytes.fromhex("010C"), False)
    assert caught.value.code == DECIMAL_DIVIDE


def test_divide_decimal_length_rules_are_specification():
    with pytest.raises(ProgramInterrupt) as caught:
        pd.divide_decimal(bytes.fromhex("1C"), bytes.fromhex("1C"), False)
    assert caught.value.code == SPECIFICATION


def run_pack(text1: str, text2: str) -> bytes:
    work = bytearray.fromhex(text1 + text2)
    length1 = len(text1) // 2
    pd.pack(work, 0, length1, length1, len(text2) // 2)
    return bytes(work[:length1])


def test_pack_example_pads_with_zeros():
    assert run_pack("00000000", "F1F2F3F4C5") == bytes.fromhex("0012345C")


def test_pack_drops_extra_source_digits():
    assert run_pack("0000", "F1F2F3F4C5") == bytes.fromhex("345C")


def test_pack_does_not_check_codes():
    assert run_pack("000000", "A1B2C3") == bytes.fromhex("00123C")


def test_pack_in_place_same_field():
    work = bytearray.fromhex("F1F2C3")
    pd.pack(work, 0, 3, 0, 3)
    assert work == bytearray.fromhex("00123C")


@SETTINGS
@given(st.binary(min_size=1, max_size=16), st.integers(1, 16))
def test_pack_matches_nibble_model(source, length1):
    expected_nibbles = [source[-1] >> 4, source[-1] & 15]
    digits = [b & 15 for b in source[:-1]]
    while len(expected_nibbles) < 2 * length1:
        expected_nibbles.append(digits.pop() if digits else 0)
    expected_nibbles.reverse()
    expected = bytes(
        (expected_nibbles[i] << 4) | expected_nibbles[i + 1] for i in range(0, 2 * length1, 2)
    )
    assert run_pack("00" * length1, source.hex()) == expected


def run_unpack(length1: int, text2: str, ascii: bool = False) -> bytes:
    work = bytearray(length1) + bytearray.fromhex(text2)
    pd.unpack(work, 0, length1, length1, len(text2) // 2, ascii)
    return bytes(work[:length1])


def test_unpack_example():
    assert run_unpack(5, "01234C") == bytes.fromhex("F0F1F2F3C4")


def test_unpack_ascii_zone():
    assert run_unpack(4, "123C", ascii=True) == bytes.fromhex("505152C3")


def test_unpack_truncates_on_the_left():
    assert run_unpack(2, "12345C") == bytes.fromhex("F4C5")


@SETTINGS
@given(st.binary(min_size=1, max_size=16), st.integers(1, 16), st.booleans())
def test_unpack_matches_nibble_model(source, length1, ascii):
    zone = 0x50 if ascii else 0xF0
    digits = []
    for byte in source[:-1]:
        digits += [byte >> 4, byte & 15]
    expected = [((source[-1] & 15) << 4) | (source[-1] >> 4)]
    while len(expected) < length1:
        expected.append(zone | (digits.pop() if digits else 0))
    expected.reverse()
    assert run_unpack(length1, source.hex(), ascii) == bytes(expected)


def run_mvo(text1: str, text2: str) -> bytes:
    work = bytearray.fromhex(text1 + text2)
    length1 = len(text1) // 2
    pd.move_with_offset(work, 0, length1, length1, len(text2) // 2)
    return bytes(work[:length1])


def test_move_with_offset_example():
    assert run_mvo("7788990C", "123456") == bytes.fromhex("0123456C")


def test_move_with_offset_truncates_high_digits():
    assert run_mvo("000F", "123456") == bytes.fromhex("456F")


def test_move_with_offset_overlapping_right_shift_in_place():
    # MVO X(3),X(2): shift the first two bytes one digit right, keep X's sign.
    work = bytearray.fromhex("12345C")
    pd.move_with_offset(work, 0, 3, 0, 2)
    assert work == bytearray.fromhex("01234C")


@SETTINGS
@given(st.binary(min_size=1, max_size=16), st.binary(min_size=1, max_size=16))
def test_move_with_offset_matches_nibble_model(first, second):
    digits = []
    for byte in second:
        digits += [byte >> 4, byte & 15]
    nibbles = [first[-1] & 15]
    while len(nibbles) < 2 * len(first):
        nibbles.append(digits.pop() if digits else 0)
    nibbles.reverse()
    expected = bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))
    assert run_mvo(first.hex(), second.hex()) == expected


def test_convert_to_binary_examples():
    assert pd.convert_to_binary(bytes.fromhex("000000000000123C")) == (123, False)
    assert pd.convert_to_binary(bytes.fromhex("000000000000001D")) == (0xFFFFFFFF, False)
    assert pd.convert_to_binary(bytes.fromhex("000002147483648D")) == (0x80000000, False)


def test_convert_to_binary_overflow_keeps_low_32_bits():
    value, overflow = pd.convert_to_binary(bytes.fromhex("000002147483648C"))
    assert (value, overflow) == (0x80000000, True)
    value, overflow = pd.convert_to_binary(bytes.fromhex("999999999999999C"))
    assert overflow and value == 999999999999999 & 0xFFFFFFFF


def test_convert_to_binary_invalid_is_data_exception():
    with pytest.raises(ProgramInterrupt) as caught:
        pd.convert_to_binary(bytes.fromhex("00000000000012FC"))
    assert caught.value.code == DATA


@SETTINGS
@given(st.integers(-(1 << 31), (1 << 31) - 1), st.booleans())
def test_convert_to_decimal_then_binary_round_trips(value, ascii):
    field = pd.convert_to_decimal(value & 0xFFFFFFFF, ascii)
    plus, minus = (0xA, 0xB) if ascii else (0xC, 0xD)
    assert field == model_field(abs(value), minus if value < 0 else plus, 8)
    assert pd.convert_to_binary(field) == (value & 0xFFFFFFFF, False)


def test_convert_to_decimal_most_negative():
    assert pd.convert_to_decimal(0x80000000, False) == bytes.fromhex("000002147483648D")


def run_edit(pattern: str, source: str, ascii: bool = False) -> pd.EditResult:
    return pd.edit(bytes.fromhex(pattern), bytes.fromhex(source).__getitem__, ascii)


def test_edit_negative_amount_keeps_credit_symbol():
    result = run_edit("4020206B2021204B202040C3D9", "0257426D")
    assert result.field == bytes.fromhex("4040F26BF5F7F44BF2F640C3D9")
    assert (result.cc, result.source_length, result.mark) == (1, 4, 2)


def test_edit_positive_amount_blanks_credit_symbol():
    result = run_edit("4020206B2021204B202040C3D9", "0257426C")
    assert result.field == bytes.fromhex("4040F26BF5F7F44BF2F6404040")
    assert result.cc == 2


def test_edit_significance_starter_forces_zeros_after_it():
    result = run_edit("4020214B20", "000C")
    assert result.field == bytes.fromhex("4040404BF0")
    assert (result.cc, result.mark) == (0, None)


def test_edit_field_separator_resets_condition_for_last_field():
    result = run_edit("40202220", "1C0C")
    assert result.field == bytes.fromhex("40F14040")
    assert result.cc == 0
    assert result.source_length == 2


def test_edit_fill_byte_that_is_a_digit_selector():
    result = run_edit("202020", "012C")
    assert result.field == bytes.fromhex("20F1F2")
    assert result.cc == 2


def test_edit_ascii_zone():
    assert run_edit("402020", "12", ascii=True).field == bytes.fromhex("405152")


def test_edit_invalid_source_digit_is_data_exception():
    with pytest.raises(ProgramInterrupt) as caught:
        run_edit("402020", "A1")
    assert caught.value.code == DATA


def test_edit_reads_only_the_source_bytes_the_pattern_needs():
    fetched = []

    def source(index):
        fetched.append(index)
        return [0x12, 0x3C][index]

    pd.edit(bytes.fromhex("40202020"), source, False)
    assert fetched == [0, 1]


def test_edit_mark_is_last_digit_that_started_significance():
    # Significance starts at pattern byte 1, stops at the field separator, restarts at 4.
    result = run_edit("4020202220", "102C")
    assert result.field == bytes.fromhex("40F1F040F2")
    assert (result.mark, result.cc) == (4, 2)

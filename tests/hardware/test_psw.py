"""The BC-mode PSW (vm370/hardware/psw.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.psw import BCPSW, channel_mask_bit, parse_psw


def test_fields_land_on_their_architected_bits():
    psw = BCPSW(
        system_mask=0xFE,
        key=0xA,
        ascii=True,
        machine_check_mask=True,
        wait=True,
        problem_state=True,
        interruption_code=0x1234,
        ilc=2,
        cc=3,
        program_mask=0x5,
        instruction_address=0xABCDEF,
    )
    assert f"{psw.to_int():016X}" == "FEAF1234B5ABCDEF"


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**64 - 1))
def test_from_int_and_to_int_round_trip(value):
    assert BCPSW.from_int(value).to_int() == value


def test_parse_psw_accepts_16_hex_digits_with_spaces():
    assert parse_psw("00020000 0000ABCD") == 0x000200000000ABCD


@pytest.mark.parametrize("text", ["123", "0002000000000000FF", "000200000000ABCG", ""])
def test_parse_psw_rejects_anything_but_16_hex_digits(text):
    with pytest.raises(ValueError, match="16 hex digits"):
        parse_psw(text)


def test_channel_mask_bits_with_bit_6_for_channel_6_and_up():
    assert channel_mask_bit(0) == 0x80
    assert channel_mask_bit(5) == 0x04
    assert channel_mask_bit(6) == 0x02
    assert channel_mask_bit(9) == 0x02

"""Model 67 control registers, the EC-mode PSW and its interruption-code locations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    EC_INTERRUPTION_CODE,
    ECPSW,
    MODE_REGISTER,
    ControlRegisterError,
    ControlRegisters,
    control_register_numbers,
    ec_psw_spare_bits,
    parse_control_register_setting,
)
from vm370.hardware.machine import Machine


def test_ec_psw_packs_every_field_at_its_bit_position():
    psw = ECPSW(
        addressing_32=True,
        translation=True,
        io_mask=True,
        external_mask=False,
        key=5,
        ascii=False,
        machine_check_mask=True,
        wait=False,
        problem_state=True,
        ilc=2,
        cc=1,
        program_mask=0xA,
        instruction_address=0x12345678,
    )
    # byte 0: 0000 1 1 1 0; byte 1: key 0101, A M W P = 0 1 0 1;
    # byte 2: ILC 10, CC 01, mask 1010; byte 3 spare; then the 32-bit address.
    assert psw.to_int() == 0x0E559A00_12345678
    assert psw.to_bytes() == bytes.fromhex("0E559A0012345678")


def test_ec_psw_unpacks_translation_and_the_summary_masks():
    psw = ECPSW.from_int(0x07000000_00001000)
    assert psw.translation and psw.io_mask and psw.external_mask
    assert not psw.addressing_32
    assert psw.instruction_address == 0x1000
    assert psw.address_mask == 0x00FFFFFF


def test_ec_psw_unpacks_wait_key_and_condition_code():
    psw = ECPSW.from_bytes(bytes.fromhex("08F2300080000000"))
    assert psw.addressing_32 and psw.address_mask == 0xFFFFFFFF
    assert psw.key == 0xF and psw.wait and not psw.problem_state
    assert (psw.ilc, psw.cc, psw.program_mask) == (0, 3, 0)
    assert psw.instruction_address == 0x80000000


def test_ec_psw_spare_bits_are_reported_and_dropped():
    value = 0xF00000FF_00000000 | 0x04000000_00000010
    assert ec_psw_spare_bits(value) == 0xF00000FF_00000000
    assert ECPSW.from_int(value).to_int() == 0x04000000_00000010
    assert ec_psw_spare_bits(0x0FFFFF00_FFFFFFFF) == 0


@settings(max_examples=200, deadline=None)
@given(st.integers(0, (1 << 64) - 1))
def test_ec_psw_round_trips_every_assigned_bit(value):
    assert ECPSW.from_int(value).to_int() == value & ~0xF00000FF_00000000


def test_ec_mode_interruption_codes_go_to_their_low_storage_halfwords():
    assert EC_INTERRUPTION_CODE == {
        0x18: 0x0E,  # external
        0x20: 0x10,  # supervisor call
        0x28: 0x12,  # program
        0x30: 0x14,  # machine check
        0x38: 0x16,  # input/output
    }


def test_reset_leaves_basic_control_mode_and_an_empty_cr0():
    control = ControlRegisters()
    assert not control.extended_control_mode
    assert control.values[0] == 0 and control.values[6] == 0


def test_cr6_bit_8_selects_extended_control_mode():
    control = ControlRegisters()
    control.load(6, 0x00800000)
    assert control.extended_control_mode
    control.load(6, 0x7F7FFF00)
    assert not control.extended_control_mode


def test_cr6_keeps_only_its_assigned_bits():
    control = ControlRegisters()
    control.load(6, 0xFFFFFFFF)
    assert control.store(6) == 0xC0C000FF


def test_cr0_fields_and_load_notifies_the_dat_unit_every_time():
    control = ControlRegisters()
    loads = []
    control.on_segment_table_load = loads.append
    control.load(0, 0x0F012340)
    control.load(0, 0x0F012340)
    assert loads == [0x0F012340, 0x0F012340]
    assert control.segment_table_length == 0x0F
    assert control.segment_table_origin == 0x012340


def test_cr2_is_the_translation_exception_address_and_may_be_loaded():
    control = ControlRegisters()
    control.load(2, 0x89ABCDEF)
    assert control.translation_exception_address == 0x89ABCDEF


def test_cr4_bit_n_is_the_mask_of_channel_n():
    control = ControlRegisters()
    control.load(4, 0xA0000001)
    assert [control.channel_masked_on(n) for n in (0, 1, 2, 3, 31, 32)] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]


def test_unassigned_and_uninstalled_registers_read_zero():
    control = ControlRegisters()
    for number in (1, 3, 5, 7, 15):
        control.load(number, 0xFFFFFFFF)
        assert control.store(number) == 0


def test_partitioning_sensing_registers_read_a_fixed_simplex_configuration():
    control = ControlRegisters()
    before = control.store_multiple(8, 14)
    control.load_multiple(8, 14, [0] * 7)
    assert control.store_multiple(8, 14) == before
    assert before[0] == 0x88888888 and before[6] == 0x00000200


def test_lmc_and_stmc_wrap_from_register_15_to_register_0():
    assert control_register_numbers(14, 2) == [14, 15, 0, 1, 2]
    assert control_register_numbers(6, 6) == [6]
    assert control_register_numbers(0, 15) == list(range(16))
    control = ControlRegisters()
    control.load_multiple(15, 2, [0x11111111, 0x00001000, 0x22222222, 0x33333333])
    assert control.store_multiple(15, 2) == [0, 0x00001000, 0, 0x33333333]


def test_lmc_with_the_wrong_number_of_words_is_refused():
    with pytest.raises(ValueError, match="needs 3 words"):
        ControlRegisters().load_multiple(0, 2, [1, 2])


def test_register_numbers_outside_0_to_15_are_refused():
    control = ControlRegisters()
    with pytest.raises(ControlRegisterError):
        control.load(16, 0)
    with pytest.raises(ControlRegisterError):
        control.store(-1)
    with pytest.raises(ControlRegisterError):
        control_register_numbers(0, 16)


def test_cr_settings_parse_as_decimal_register_and_hex_value():
    assert parse_control_register_setting("0=00001000") == (0, 0x1000)
    assert parse_control_register_setting("6=800000") == (6, 0x00800000)
    assert parse_control_register_setting(" 15 = FFFF_FFFF ") == (15, 0xFFFFFFFF)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "N=HEX"),
        ("16=0", "0 to 15"),
        ("x=1", "N=HEX"),
        ("4=", "1-8 hex digits"),
        ("4=123456789", "1-8 hex digits"),
        ("4=12G4", "1-8 hex digits"),
    ],
)
def test_bad_cr_settings_are_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_control_register_setting(text)


def test_registers_render_as_sixteen_words_of_hex():
    control = ControlRegisters()
    control.load(0, 0x00ABC000)
    rendered = control.as_hex()
    assert len(rendered) == 16
    assert rendered[0] == "00ABC000" and rendered[1] == "00000000" and rendered[8] == "88888888"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, (1 << 64) - 1), st.integers(0, 255))
def test_the_cpu_stores_the_ec_psw_it_loaded_and_then_the_mask_ssm_set(value, mask):
    # The CPU keeps bits 4-15 of the loaded PSW for the next PSW it stores:
    # what it stores must still be the PSW as loaded, and after SSM the PSW
    # with the new bits 0-7.
    cpu = Machine(64 * 1024).cpu
    cpu.control.load(MODE_REGISTER, CR6_EXTENDED_CONTROL_MODE)
    loaded = ECPSW.from_int(value)
    loaded.instruction_address &= loaded.address_mask
    cpu.load_psw(value)
    assert cpu.current_psw() == loaded.to_int()
    cpu.set_system_mask(mask)
    loaded.addressing_32 = bool(mask & 0x08)
    loaded.translation = bool(mask & 0x04)
    loaded.io_mask = bool(mask & 0x02)
    loaded.external_mask = bool(mask & 0x01)
    loaded.instruction_address &= loaded.address_mask
    assert cpu.current_psw() == loaded.to_int()

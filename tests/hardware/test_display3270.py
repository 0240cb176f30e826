"""The 3270 display model: addressing, orders, WCC, fields, reads, operator keys."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_NONE,
    AID_PA1,
    AID_PF,
    ATTRIBUTE_MDT,
    MODELS,
    DataStreamError,
    Display3270,
    decode_address,
    encode_address,
)

SF, SBA, IC, PT, RA, EUA, SFE, GE = 0x1D, 0x11, 0x13, 0x05, 0x3C, 0x12, 0x29, 0x08
PROTECTED, UNPROTECTED, NUMERIC, INTENSIFIED, NONDISPLAY = 0x60, 0x40, 0x50, 0xC8, 0x4C
RESTORE = 0x02


def e(text: str) -> bytes:
    return text.encode("cp037")


def sba(address: int) -> bytes:
    return bytes((SBA,)) + encode_address(address)


def login_screen() -> Display3270:
    """Row 0: a protected label, an unprotected field of 8, a protected stop, a nondisplay field."""
    display = Display3270()
    display.write(
        bytes((RESTORE,))
        + bytes((SF, PROTECTED))
        + e("USERID:")
        + bytes((SF, UNPROTECTED, IC))
        + sba(17)
        + bytes((SF, PROTECTED))
        + sba(80)
        + bytes((SF, NONDISPLAY))
        + sba(90)
        + bytes((SF, 0xF0)),  # autoskip: protected numeric
        erase=True,
    )
    return display


def test_twelve_bit_address_codes_match_the_component_description_examples():
    # GA27-2749 buffer address table: row 1 column 1 is 40 40, address 80 is C1 50,
    # address 1919 (row 24 column 80) is 5D 7F.
    assert encode_address(0) == b"\x40\x40"
    assert encode_address(80) == b"\xc1\x50"
    assert encode_address(1919) == b"\x5d\x7f"


def test_fourteen_bit_addresses_are_binary_when_the_top_bits_are_zero():
    assert decode_address(0x1F, 0xFF) == 0x1FFF
    assert encode_address(5000, size=62 * 160) == bytes((5000 >> 8, 5000 & 0xFF))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=4095))
def test_every_twelve_bit_address_round_trips(address):
    first, second = encode_address(address)
    assert decode_address(first, second) == address


def test_erase_write_places_text_fields_and_cursor():
    display = login_screen()
    assert display.row_text(0).startswith(" USERID:  ")
    assert display.cursor == 9
    assert display.field_starts() == [0, 8, 17, 80, 90]
    assert not display.keyboard_locked


def test_write_without_sba_starts_at_the_cursor():
    display = login_screen()
    display.write(bytes((0,)) + e("AB"))
    assert display.characters[9:11] == e("AB")


def test_writing_text_over_an_attribute_removes_the_field():
    display = login_screen()
    display.write(bytes((0,)) + sba(8) + e("X"))
    assert 8 not in display.field_starts()


def test_repeat_to_address_fills_up_to_the_stop_address():
    display = Display3270()
    display.write(bytes((0,)) + sba(10) + bytes((RA,)) + encode_address(15) + e("*"), erase=True)
    assert display.characters[9:16] == b"\x00" + e("*****") + b"\x00"


def test_repeat_to_address_with_graphic_escape():
    display = Display3270()
    display.write(bytes((0, RA)) + encode_address(3) + bytes((GE, 0xC5)), erase=True)
    assert display.characters[0:4] == bytes((0xC5, 0xC5, 0xC5, 0))


def test_repeat_to_the_current_address_fills_the_whole_buffer():
    display = Display3270()
    display.write(bytes((0,)) + sba(5) + bytes((RA,)) + encode_address(5) + e("-"), erase=True)
    assert set(display.characters) == {0x60}


def test_erase_unprotected_to_address_leaves_protected_text():
    display = login_screen()
    display.write(bytes((0,)) + sba(9) + e("JOHN"))
    display.write(bytes((0,)) + sba(0) + bytes((EUA,)) + encode_address(80))
    assert display.row_text(0).startswith(" USERID:  ")
    assert display.characters[9:13] == bytes(4)


def test_program_tab_after_text_nulls_the_rest_of_the_field_and_moves_on():
    display = login_screen()
    display.write(bytes((0,)) + sba(9) + e("ABCDEFGH"))
    display.write(bytes((0,)) + sba(9) + e("XY") + bytes((PT,)) + e("Z"))
    assert display.characters[9:17] == e("XY") + bytes(6)
    # the next unprotected field after 17 is the nondisplay one at 80
    assert display.characters[81] == e("Z")[0]


def test_program_tab_with_no_unprotected_field_left_goes_to_address_zero():
    display = login_screen()
    display.write(bytes((0,)) + sba(85) + bytes((PT,)) + e("Q"))
    assert display.characters[0] == e("Q")[0]


def test_start_field_extended_keeps_the_basic_attribute_and_colour():
    display = Display3270()
    display.write(bytes((0, SFE, 2, 0xC0, 0x60, 0x42, 0xF2)) + e("RED"), erase=True)
    assert display.attributes[0] == 0x20
    assert display.extended[0] == {0x42: 0xF2}


def test_wcc_reset_mdt_and_alarm():
    display = login_screen()
    display.type_text("AB")
    assert display.attributes[8] & ATTRIBUTE_MDT
    display.write(bytes((0x01 | 0x04,)))
    assert not display.attributes[8] & ATTRIBUTE_MDT
    assert display.alarms == 1


def test_erase_write_alternate_uses_the_alternate_size():
    display = Display3270(MODELS[5])
    display.write(bytes((0,)), erase=True, alternate=True)
    assert (display.rows, display.columns) == (27, 132)
    display.write(bytes((0,)), erase=True)
    assert (display.rows, display.columns) == (24, 80)


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (bytes((0, SBA, 0x40)), "SBA order"),
        (bytes((0,)) + sba(0)[:1] + bytes((0x7F, 0x7F)), "outside"),
        (bytes((0, SF)), "SF order"),
        (bytes((0, SFE, 3, 0xC0)), "SFE order promises"),
        (bytes((0, RA)) + encode_address(4), "RA order has no character"),
        (bytes((0, SBA, 0x80, 0x01)), "reserved"),
    ],
)
def test_bad_orders_raise_a_data_stream_error(stream, message):
    display = Display3270()
    with pytest.raises(DataStreamError, match=message):
        display.write(stream, erase=True)


def test_keyboard_restore_applies_even_when_the_stream_is_bad():
    display = Display3270()
    display.keyboard_locked = True
    with pytest.raises(DataStreamError):
        display.write(bytes((RESTORE, SBA)))
    assert not display.keyboard_locked


def test_process_outbound_accepts_local_and_remote_command_codes():
    for command in (0x05, 0xF5):
        display = Display3270()
        display.process_outbound(bytes((command, 0)) + e("HI"))
        assert display.row_text(0).startswith("HI")
    with pytest.raises(DataStreamError, match="unknown 3270 command"):
        Display3270().process_outbound(b"\x99\x00")


def test_read_buffer_sends_every_position_with_attributes_as_start_field():
    display = login_screen()
    record = display.read_buffer()
    assert record[0] == AID_NONE
    assert decode_address(record[1], record[2]) == 9
    assert record[3:5] == bytes((SF, PROTECTED))
    assert record[5:12] == e("USERID:")
    assert len(record) == 3 + 1920 + len(display.field_starts())


def test_read_modified_sends_only_modified_fields_without_nulls():
    display = login_screen()
    display.type_text("JOHN")
    record = display.press_aid(AID_ENTER)
    assert record == bytes((AID_ENTER,)) + encode_address(13) + sba(9) + e("JOHN")
    assert display.keyboard_locked


def test_short_reads_for_pa_keys_and_clear():
    display = login_screen()
    display.type_text("X")
    assert display.press_aid(AID_PA1) == bytes((AID_PA1,))
    display.restore_keyboard()
    assert display.press_aid(AID_CLEAR) == bytes((AID_CLEAR,))
    assert not display.formatted
    assert display.cursor == 0


def test_read_modified_of_an_unformatted_screen_sends_the_text():
    display = Display3270()
    display.write(bytes((RESTORE,)) + e("HELLO") + sba(100) + e("THERE"), erase=True)
    record = display.read_modified(AID_ENTER)
    assert record[3:] == e("HELLOTHERE")


def test_locked_keyboard_refuses_keys_until_keyboard_restore():
    display = login_screen()
    display.press_aid(AID_PF[3])
    assert display.press_aid(AID_ENTER) is None
    assert not display.type_character(0xC1)
    display.write(bytes((RESTORE,)))
    assert display.type_character(0xC1)


def test_typing_into_a_protected_field_is_refused_with_x_prot():
    display = login_screen()
    display.cursor = 2
    assert not display.type_character(0xC1)
    assert display.lock_reason == "X PROT"
    display.reset()
    assert not display.keyboard_locked


def test_numeric_field_refuses_letters():
    display = Display3270()
    display.write(bytes((RESTORE, SF, NUMERIC, IC)), erase=True)
    assert display.type_text("12") == 2
    assert display.type_text("A") == 0
    assert display.lock_reason == "X NUM"


def test_typing_off_the_end_of_a_field_skips_an_autoskip_field():
    display = login_screen()
    display.cursor = 81
    display.write(bytes((0,)) + sba(81))
    display.type_text("SECRET12X")  # 9 positions 81-89, then autoskip at 90
    # the only unprotected fields are at 9 and 81: the cursor goes round to 9
    assert display.cursor == 9


def test_nondisplay_field_text_is_never_shown():
    display = login_screen()
    display.cursor = 81
    display.type_text("SECRET")
    assert "SECRET" not in display.row_text(1)
    assert display.field_text(80).startswith("SECRET")


def test_tab_and_backtab_move_between_unprotected_fields():
    display = login_screen()
    display.tab()
    assert display.cursor == 81
    display.tab()
    assert display.cursor == 9
    display.backtab()
    assert display.cursor == 81
    display.move_cursor(columns=3)
    display.backtab()
    assert display.cursor == 81


def test_insert_mode_shifts_right_and_refuses_when_the_field_is_full():
    display = login_screen()
    display.type_text("ACD")
    display.cursor = 10
    display.toggle_insert()
    assert display.type_text("B") == 1
    assert display.field_text(8).rstrip() == "ABCD"
    display.type_text("EFGH")
    assert display.field_text(8) == "ABEFGHCD"
    assert not display.type_character(0xC1)
    assert display.lock_reason == "X OVERFLOW"


def test_erase_eof_and_delete_and_erase_input():
    display = login_screen()
    display.type_text("ABCDEF")
    display.cursor = 11
    display.delete_character()
    assert display.field_text(8).rstrip() == "ABDEF"
    display.erase_end_of_field()
    assert display.field_text(8).rstrip() == "AB"
    display.erase_input()
    assert display.field_text(8).strip() == ""
    assert not display.attributes[8] & ATTRIBUTE_MDT
    assert display.cursor == 9


def test_apply_inbound_copies_modified_fields_into_the_buffer():
    terminal = login_screen()
    device = login_screen()
    terminal.type_text("MAINT")
    record = terminal.press_aid(AID_ENTER)
    assert device.apply_inbound(record) == AID_ENTER
    assert device.field_text(8).rstrip() == "MAINT"
    assert device.read_modified() == record


def test_erase_write_image_rebuilds_the_same_screen():
    original = login_screen()
    original.type_text("ABC")
    copy = Display3270()
    copy.process_outbound(original.erase_write_image())
    assert copy.screen_text() == original.screen_text()
    assert copy.attributes == original.attributes
    assert copy.cursor == original.cursor


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_write_data_never_breaks_the_model(data):
    display = Display3270()
    with contextlib.suppress(DataStreamError):
        display.write(bytes((RESTORE,)) + data, erase=True)
    assert len(display.characters) == display.size
    assert 0 <= display.cursor < display.size
    display.read_buffer()
    display.read_modified(AID_ENTER)
    copy = Display3270()
    copy.process_outbound(display.erase_write_image())
    assert copy.characters == display.characters


OPERATOR_ACTIONS = st.lists(
    st.one_of(
        st.text(alphabet="AB9 .-", min_size=1, max_size=3).map(lambda t: ("type", t)),
        st.sampled_from(
            [
                ("tab", None),
                ("backtab", None),
                ("home", None),
                ("newline", None),
                ("insert", None),
                ("reset", None),
                ("delete", None),
                ("erase_previous", None),
                ("erase_eof", None),
                ("erase_input", None),
                ("enter", None),
                ("restore", None),
            ]
        ),
        st.tuples(st.just("move"), st.integers(-100, 100)),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(OPERATOR_ACTIONS)
def test_any_keying_keeps_protected_fields_and_the_cursor_valid(actions):
    display = login_screen()
    protected_before = bytes(display.characters[0:8])
    for action, argument in actions:
        if action == "type":
            display.type_text(argument)
        elif action == "move":
            display.move_cursor(columns=argument)
        elif action == "insert":
            display.toggle_insert()
        elif action == "erase_eof":
            display.erase_end_of_field()
        elif action == "enter":
            record = display.press_aid(AID_ENTER)
            if record is not None:
                copy = login_screen()
                copy.apply_inbound(record)
        elif action == "restore":
            display.restore_keyboard()
        else:
            getattr(display, action if action != "delete" else "delete_character")()
        assert 0 <= display.cursor < display.size
    assert bytes(display.characters[0:8]) == protected_before
    assert display.field_starts() == [0, 8, 17, 80, 90]

"""The VM/370 console screen: every write applied to a 3270 display model, checked on screen.

Rows and columns are 1-based here, as a person counts them on the screen
and as the issue and VM/370's manuals give them.
"""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.cp.console import (
    Attention,
    ConsoleInputError,
    ConsoleScreen,
    ConsoleStateError,
    FunctionKey,
    InputLine,
    Interrupt,
)
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_PA1,
    AID_PA2,
    AID_PA3,
    AID_PF,
    ERASE_WRITE,
    ERASE_WRITE_ALTERNATE,
    MODELS,
    ORDER_SBA,
    WRITE,
    Display3270,
    encode_address,
    is_intensified,
    is_nondisplay,
    is_protected,
)

SECOND = INSTRUCTIONS_PER_SECOND


class Terminal:
    """A console screen wired to a 3270 display model, with a virtual clock."""

    def __init__(self, model: int = 2, typeahead_lines: int = 1) -> None:
        self.model = MODELS[model]
        self.time = 0
        self.screen = ConsoleScreen(self.model, lambda: self.time, typeahead_lines)
        self.display = Display3270(self.model)
        self.sent: list[bytes] = []

    def address(self, row: int, column: int) -> int:
        return (row - 1) * self.model.columns + (column - 1)

    def flush(self) -> list[bytes]:
        records = self.screen.outbound()
        for record in records:
            self.display.process_outbound(record)
        self.sent.extend(records)
        return records

    def row(self, row: int) -> str:
        return self.display.row_text(row - 1)

    def text_at(self, row: int, column: int, length: int) -> str:
        start = self.address(row, column)
        return "".join(self.display.text(a) for a in range(start, start + length))

    def status_area(self) -> str:
        return self.text_at(self.model.rows, 61, 20)

    def press(self, aid: int, typed: str = "") -> list:
        if typed:
            assert self.display.type_text(typed) == len(typed)
        record = self.display.press_aid(aid)
        assert record is not None, "the keyboard was locked"
        events = self.screen.inbound(record)
        self.flush()
        return events

    def advance(self, seconds: float) -> None:
        self.time += int(seconds * SECOND)
        self.screen.tick()
        self.flush()


@pytest.fixture
def terminal() -> Terminal:
    terminal = Terminal()
    terminal.screen.show_logo()
    terminal.flush()
    return terminal


def enter_record(terminal: Terminal, text: str, field_row: int = 23, field_column: int = 1):
    """Enter as a 3270 sends it: AID, cursor address, SBA to the field, its data."""
    size = terminal.model.size
    field = terminal.address(field_row, field_column)
    cursor = field + len(text)
    return (
        bytes((AID_ENTER,))
        + encode_address(cursor, size)
        + bytes((ORDER_SBA,))
        + encode_address(field, size)
        + text.encode("cp037")
    )


# The logo and the layout


def test_logo_screen_names_the_project_and_ends_in_vm370_online(terminal):
    rows = terminal.display.screen_text()
    written = [row.strip() for row in rows[:22] if row.strip()]
    assert written[-1] == "VM/370 ONLINE"
    assert any("vm370" in row and "CP-67/CMS" in row for row in written)
    assert rows[23][60:] == "RUNNING".ljust(20)


def test_first_write_is_an_erase_write_that_formats_the_model_2_screen(terminal):
    assert terminal.sent[0][0] == ERASE_WRITE
    assert (terminal.display.rows, terminal.display.columns) == (24, 80)


def test_input_area_is_one_unprotected_field_of_139_positions_at_row_23_column_1(terminal):
    display = terminal.display
    first = terminal.address(23, 1)
    start = display.field_start(first)
    assert start == first - 1, "the field's attribute is just before row 23 column 1"
    assert not is_protected(display.attributes[start])
    assert len(display.field_positions(start)) == 139
    assert display.cursor == first
    assert display.protected_at(terminal.address(24, 61))
    assert display.protected_at(terminal.address(1, 1))
    assert display.protected_at(terminal.address(22, 79))


def test_a_full_input_field_of_139_characters_is_read_whole(terminal):
    terminal.screen.request_read("VM READ")
    terminal.flush()
    typed = "X" * 139
    events = terminal.press(AID_ENTER, typed)
    assert events == [InputLine(typed, hidden=False, kind="VM READ")]


@pytest.mark.parametrize("kind", ["VM READ", "CP READ"])
def test_a_read_shows_its_kind_padded_in_the_status_area(terminal, kind):
    terminal.screen.request_read(kind)
    terminal.flush()
    assert terminal.status_area() == kind.ljust(20)
    assert terminal.screen.status == kind


def test_screen_snapshot_after_a_short_conversation():
    terminal = Terminal()
    terminal.screen.write_line("VM/370 ONLINE")
    terminal.screen.request_read("CP READ")
    terminal.flush()
    terminal.press(AID_ENTER, "logon maint")
    terminal.screen.write_line("ENTER PASSWORD:")
    terminal.flush()
    expected = ["VM/370 ONLINE", "logon maint", "ENTER PASSWORD:"] + [""] * 19
    assert [row.rstrip() for row in terminal.display.screen_text()[:22]] == expected
    assert terminal.row(23).strip() == ""
    assert terminal.row(24) == " " * 60 + "RUNNING".ljust(20)
    assert terminal.screen.lines() == terminal.display.screen_text()


# Output


def test_lines_fill_the_output_area_from_the_top(terminal):
    terminal.screen.show_logo()
    terminal.flush()
    logo_rows = sum(1 for row in terminal.display.screen_text()[:22] if row.strip()) + 1
    terminal.screen.write_line("READY;")
    terminal.flush()
    assert terminal.row(logo_rows + 1).rstrip() == "READY;"


def test_a_long_line_wraps_at_the_screen_width():
    terminal = Terminal()
    line = "".join(chr(ord("A") + i % 26) for i in range(130))
    terminal.screen.write_line(line)
    terminal.flush()
    assert terminal.row(1) == line[:80]
    assert terminal.row(2).rstrip() == line[80:]


def test_control_characters_in_output_show_as_blanks_and_never_act_as_orders():
    terminal = Terminal()
    terminal.screen.write_line("A\x11B\x1dC\x05D")
    terminal.flush()
    assert terminal.row(1).rstrip() == "A B C D"
    assert terminal.display.field_starts() == [terminal.address(22, 80), terminal.address(24, 60)]


def test_an_update_is_one_write_with_only_what_changed():
    terminal = Terminal()
    terminal.flush()
    assert terminal.flush() == []
    terminal.screen.write_line("HELLO")
    (record,) = terminal.flush()
    assert record[0] == WRITE
    row_1 = bytes((ORDER_SBA,)) + encode_address(0)
    assert record[2:] == row_1 + "HELLO".encode("cp037")


def fill_screen(terminal: Terminal, count: int = 22) -> None:
    for number in range(1, count + 1):
        terminal.screen.write_line(f"LINE {number}")
    terminal.flush()


def test_22_lines_fill_a_model_2_output_area_without_more(terminal):
    terminal.screen.show_logo()
    terminal.screen.inbound(bytes((AID_PA2,)))
    fill_screen(terminal)
    assert terminal.row(22).rstrip() == "LINE 22"
    assert terminal.status_area() == "RUNNING".ljust(20)
    assert terminal.screen.next_deadline() is None


def test_a_full_width_last_line_waits_rather_than_overwrite_the_input_field_attribute():
    terminal = Terminal()
    fill_screen(terminal, 21)
    terminal.screen.write_line("W" * 80)
    terminal.flush()
    assert terminal.screen.status == "MORE..."
    assert terminal.row(22).strip() == ""
    assert terminal.display.field_start(terminal.address(23, 1)) == terminal.address(22, 80)


def test_more_sounds_the_alarm_after_50_seconds_and_clears_after_60():
    terminal = Terminal()
    fill_screen(terminal, 23)
    assert terminal.status_area() == "MORE...".ljust(20)
    assert terminal.row(22).rstrip() == "LINE 22"
    assert terminal.screen.next_deadline() == 50 * SECOND
    terminal.advance(49.9)
    assert terminal.display.alarms == 0
    terminal.advance(0.1)
    assert terminal.display.alarms == 1
    assert terminal.row(1).rstrip() == "LINE 1"
    assert terminal.screen.next_deadline() == 60 * SECOND
    terminal.advance(10)
    assert terminal.row(1).rstrip() == "LINE 23"
    assert terminal.row(2).strip() == ""
    assert terminal.status_area() == "RUNNING".ljust(20)
    assert terminal.screen.next_deadline() is None


def test_enter_in_more_holds_the_screen_until_pa2():
    terminal = Terminal()
    fill_screen(terminal, 23)
    assert terminal.press(AID_ENTER) == []
    assert terminal.status_area() == "HOLDING".ljust(20)
    assert terminal.screen.next_deadline() is None
    terminal.advance(3600)
    assert terminal.row(22).rstrip() == "LINE 22"
    terminal.press(AID_PA2)
    assert terminal.row(1).rstrip() == "LINE 23"
    assert terminal.status_area() == "RUNNING".ljust(20)


def test_enter_in_holding_goes_back_to_more_with_a_new_delay():
    terminal = Terminal()
    fill_screen(terminal, 23)
    terminal.press(AID_ENTER)
    terminal.time = 100 * SECOND
    terminal.press(AID_ENTER)
    assert terminal.screen.status == "MORE..."
    assert terminal.screen.next_deadline() == 150 * SECOND


def test_clear_in_holding_redraws_the_whole_screen_with_the_waiting_output():
    terminal = Terminal()
    fill_screen(terminal, 23)
    terminal.press(AID_ENTER)
    terminal.press(AID_CLEAR)
    assert terminal.sent[-1][0] == ERASE_WRITE
    assert terminal.row(1).rstrip() == "LINE 23"
    assert terminal.status_area() == "RUNNING".ljust(20)
    assert terminal.display.field_start(terminal.address(23, 1)) == terminal.address(22, 80)
    assert terminal.display.cursor == terminal.address(23, 1)


def test_output_written_during_more_waits_in_order():
    terminal = Terminal()
    fill_screen(terminal, 23)
    terminal.screen.write_line("LATE 1")
    terminal.screen.write_line("LATE 2")
    assert terminal.screen.output_waiting == 3
    terminal.advance(60)
    assert [terminal.row(r).rstrip() for r in (1, 2, 3)] == ["LINE 23", "LATE 1", "LATE 2"]


def test_pa2_clears_the_output_area_and_keeps_the_read(terminal):
    terminal.screen.request_read("CP READ")
    terminal.flush()
    terminal.press(AID_PA2)
    assert all(row.strip() == "" for row in terminal.display.screen_text()[:22])
    assert terminal.status_area() == "CP READ".ljust(20)
    assert terminal.press(AID_ENTER, "q time") == [InputLine("q time", False, "CP READ")]


def test_clear_redraws_the_console_format_the_key_erased(terminal):
    terminal.screen.request_read("VM READ")
    terminal.flush()
    terminal.press(AID_CLEAR)
    display = terminal.display
    assert display.field_starts() == [terminal.address(22, 80), terminal.address(24, 60)]
    assert terminal.status_area() == "VM READ".ljust(20)
    assert all(row.strip() == "" for row in display.screen_text()[:22])


# Reads, attention and PA1


def test_entered_line_answers_the_read_and_is_shown_in_the_output_area():
    terminal = Terminal()
    terminal.screen.request_read("VM READ")
    terminal.flush()
    events = terminal.press(AID_ENTER, "listfile * * a")
    assert events == [InputLine("listfile * * a", hidden=False, kind="VM READ")]
    assert terminal.row(1).rstrip() == "listfile * * a"
    assert terminal.row(23).strip() == ""
    assert terminal.status_area() == "RUNNING".ljust(20)


def test_an_empty_enter_answers_a_read_with_an_empty_line():
    terminal = Terminal()
    terminal.screen.request_read("VM READ")
    terminal.flush()
    assert terminal.press(AID_ENTER) == [InputLine("", False, "VM READ")]


def test_a_record_built_by_hand_is_read_from_the_input_field():
    terminal = Terminal()
    terminal.screen.request_read("CP READ")
    terminal.flush()
    events = terminal.screen.inbound(enter_record(terminal, "logon maint"))
    assert events == [InputLine("logon maint", False, "CP READ")]


def test_fields_other_than_the_input_field_are_ignored():
    terminal = Terminal()
    terminal.screen.request_read("CP READ")
    record = enter_record(terminal, "ignored", field_row=5, field_column=1)
    assert terminal.screen.inbound(record) == [InputLine("", False, "CP READ")]


def test_enter_with_nothing_typed_while_running_asks_for_attention(terminal):
    assert terminal.press(AID_ENTER) == [Attention(line_waiting=False)]


def test_pa1_while_running_asks_cp_for_cp_mode(terminal):
    assert terminal.press(AID_PA1) == [Interrupt()]


def test_pa1_during_a_vm_read_ends_the_read(terminal):
    terminal.screen.request_read("VM READ")
    terminal.flush()
    assert terminal.press(AID_PA1) == [Interrupt()]
    assert terminal.screen.reading is None
    assert terminal.status_area() == "RUNNING".ljust(20)
    terminal.screen.request_read("CP READ")
    terminal.flush()
    assert terminal.status_area() == "CP READ".ljust(20)


def test_pa1_in_more_clears_the_screen_and_interrupts():
    terminal = Terminal()
    fill_screen(terminal, 23)
    assert terminal.press(AID_PA1) == [Interrupt()]
    assert terminal.row(1).rstrip() == "LINE 23"


@pytest.mark.parametrize("number", [1, 12, 24])
def test_pf_keys_are_passed_to_cp(terminal, number):
    assert terminal.press(AID_PF[number]) == [FunctionKey(number)]


def test_pa3_is_pf6_as_in_vm370(terminal):
    assert terminal.press(AID_PA3) == [FunctionKey(6)]


def test_every_key_gets_the_keyboard_back(terminal):
    for aid in (AID_ENTER, AID_PA1, AID_PA2, AID_PF[3], AID_CLEAR):
        terminal.press(aid)
        assert not terminal.display.keyboard_locked


def test_a_second_read_while_one_waits_is_refused():
    terminal = Terminal()
    terminal.screen.request_read("VM READ")
    with pytest.raises(ConsoleStateError, match="VM READ is already waiting"):
        terminal.screen.request_read("CP READ")


def test_a_read_of_an_unknown_kind_is_refused():
    terminal = Terminal()
    with pytest.raises(ValueError, match="READ NOW"):
        terminal.screen.request_read("READ NOW")


def test_cancel_read_and_set_running_show_running(terminal):
    terminal.screen.request_read("VM READ")
    terminal.flush()
    terminal.screen.cancel_read()
    terminal.flush()
    assert terminal.status_area() == "RUNNING".ljust(20)
    terminal.screen.request_read("CP READ")
    terminal.screen.set_running()
    terminal.flush()
    assert terminal.status_area() == "RUNNING".ljust(20)
    assert terminal.screen.reading is None


# Hidden reads (the password)


def test_a_hidden_read_makes_the_input_field_non_display(terminal):
    terminal.screen.request_read("CP READ", hidden=True)
    terminal.flush()
    display = terminal.display
    start = display.field_start(terminal.address(23, 1))
    assert is_nondisplay(display.attributes[start])
    display.type_text("SECRET")
    assert terminal.row(23).strip() == ""


def test_a_password_is_returned_once_and_kept_nowhere(terminal):
    password = "PW4MAINT"
    terminal.screen.request_read("CP READ", hidden=True)
    terminal.flush()
    events = terminal.press(AID_ENTER, password)
    assert events == [InputLine(password, hidden=True, kind="CP READ")]
    assert password not in repr(events[0])
    encoded = password.encode("cp037")
    assert all(encoded not in record for record in terminal.sent)
    assert encoded not in bytes(terminal.display.characters)
    assert all(password not in row for row in terminal.screen.lines())
    screen = terminal.screen
    del events
    gc.collect()
    assert not any(
        password in str(obj)
        for obj in gc.get_referents(screen, *vars(screen).values())
        if isinstance(obj, str | list | tuple | dict)
    )
    start = terminal.display.field_start(terminal.address(23, 1))
    assert not is_nondisplay(terminal.display.attributes[start])


def test_a_hidden_read_echoes_an_empty_line(terminal):
    terminal.screen.inbound(bytes((AID_PA2,)))
    terminal.screen.request_read("CP READ", hidden=True)
    terminal.flush()
    terminal.press(AID_ENTER, "PW")
    terminal.screen.write_line("LOGON AT 10:00")
    terminal.flush()
    assert terminal.row(1).strip() == ""
    assert terminal.row(2).rstrip() == "LOGON AT 10:00"


def test_text_typed_before_a_hidden_read_is_erased_not_sent_with_the_password(terminal):
    terminal.display.type_text("visible")
    terminal.screen.request_read("CP READ", hidden=True)
    terminal.flush()
    assert terminal.press(AID_ENTER, "pw") == [InputLine("pw", True, "CP READ")]


# Typed ahead while nothing reads


def test_a_line_typed_while_running_waits_for_the_next_read(terminal):
    events = terminal.press(AID_ENTER, "hx")
    assert events == [Attention(line_waiting=True)]
    assert terminal.row(23).strip() == ""
    assert "hx" in [row.rstrip() for row in terminal.display.screen_text()[:22]]
    assert terminal.screen.request_read("VM READ") == [InputLine("hx", False, "VM READ")]
    assert terminal.screen.lines_waiting == 0
    assert terminal.screen.request_read("CP READ") == []


def test_a_second_line_while_one_waits_is_not_accepted_for_3_seconds(terminal):
    terminal.press(AID_ENTER, "first")
    assert terminal.press(AID_ENTER, "second") == []
    assert terminal.status_area() == "NOT ACCEPTED".ljust(20)
    assert terminal.row(23).rstrip() == "second", "the refused text stays to be entered again"
    assert terminal.screen.next_deadline() == 3 * SECOND
    terminal.advance(3)
    assert terminal.status_area() == "RUNNING".ljust(20)
    assert terminal.screen.request_read("VM READ") == [InputLine("first", False, "VM READ")]
    assert terminal.screen.request_read("VM READ") == []
    terminal.flush()
    assert terminal.press(AID_ENTER) == [InputLine("second", False, "VM READ")]


def test_typed_lines_are_kept_in_order_up_to_the_limit():
    terminal = Terminal(typeahead_lines=3)
    terminal.flush()
    for line in ("one", "two", "three"):
        assert terminal.press(AID_ENTER, line) == [Attention(line_waiting=True)]
    assert terminal.press(AID_ENTER, "four") == []
    assert terminal.screen.status == "NOT ACCEPTED"
    answers = [terminal.screen.request_read("VM READ")[0].text for _ in range(3)]
    assert answers == ["one", "two", "three"]


# Bad input


def test_an_empty_record_is_refused_and_the_keyboard_is_still_restored(terminal):
    terminal.display.press_aid(AID_ENTER)
    with pytest.raises(ConsoleInputError, match="no AID"):
        terminal.screen.inbound(b"")
    terminal.flush()
    assert not terminal.display.keyboard_locked


def test_a_record_cut_inside_an_sba_is_refused(terminal):
    with pytest.raises(ConsoleInputError, match="SBA"):
        terminal.screen.inbound(bytes((AID_ENTER, 0x40, 0x40, ORDER_SBA, 0x5B)))


def test_a_field_address_outside_the_screen_is_refused(terminal):
    record = bytes((AID_ENTER, 0x40, 0x40, ORDER_SBA)) + encode_address(3000, 4096)
    with pytest.raises(ConsoleInputError, match="outside"):
        terminal.screen.inbound(record + b"\xc1")


# Larger screens


@pytest.mark.parametrize(("model", "rows", "columns"), [(3, 32, 80), (4, 43, 80), (5, 27, 132)])
def test_larger_models_keep_the_layout_at_their_last_two_rows(model, rows, columns):
    terminal = Terminal(model)
    terminal.screen.request_read("CP READ")
    terminal.flush()
    display = terminal.display
    assert terminal.sent[0][0] == ERASE_WRITE_ALTERNATE
    assert (display.rows, display.columns) == (rows, columns)
    first = terminal.address(rows - 1, 1)
    assert display.field_start(first) == first - 1
    assert len(display.field_positions(first - 1)) == 2 * columns - 21
    assert display.row_text(rows - 1)[-20:] == "CP READ".ljust(20)
    for number in range(1, rows - 1):
        terminal.screen.write_line(f"LINE {number}")
    terminal.flush()
    assert terminal.row(rows - 2).rstrip() == f"LINE {rows - 2}"
    assert terminal.screen.status == "CP READ"
    terminal.screen.write_line("ONE MORE")
    terminal.flush()
    assert terminal.screen.status == "MORE..."


def test_model_2_status_is_at_row_24_column_61(terminal):
    assert terminal.display.row_text(23)[60:67] == "RUNNING"
    assert terminal.display.field_start(terminal.address(24, 61)) == terminal.address(24, 60)


# Through the real 3277 device, and under any sequence of events


def test_every_write_is_a_channel_program_the_3277_device_accepts():
    from vm370.hardware.devices import NORMAL_END
    from vm370.hardware.devices.display3277 import Display3277

    terminal = Terminal()
    device = Display3277(2)
    terminal.screen.show_logo()
    terminal.flush()
    terminal.screen.request_read("CP READ", hidden=True)
    terminal.flush()
    terminal.press(AID_ENTER, "secret")
    fill_screen(terminal, 30)
    terminal.press(AID_ENTER)
    terminal.press(AID_CLEAR)
    for record in terminal.sent:
        result = device.execute(record[0], record[1:], len(record) - 1, False)
        assert result.status == NORMAL_END
    assert device.display.screen_text() == terminal.display.screen_text()


operations = st.one_of(
    st.tuples(st.just("write"), st.text(max_size=200)),
    st.tuples(st.just("read"), st.sampled_from(["VM READ", "CP READ"]), st.booleans()),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("enter"), st.text(alphabet="abcXYZ 019*", max_size=20)),
    st.tuples(st.just("key"), st.sampled_from([AID_PA1, AID_PA2, AID_CLEAR, AID_PF[5]])),
    st.tuples(st.just("wait"), st.integers(min_value=0, max_value=70)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(operations, max_size=40), st.sampled_from([2, 3, 5]))
def test_the_screen_keeps_its_format_and_shows_its_state_after_any_events(steps, model):
    terminal = Terminal(model)
    terminal.screen.show_logo()
    terminal.flush()
    layout = terminal.screen.layout
    for step in steps:
        if step[0] == "write":
            terminal.screen.write_line(step[1])
        elif step[0] == "read" and terminal.screen.reading is None:
            terminal.screen.request_read(step[1], hidden=step[2])
        elif step[0] == "cancel":
            terminal.screen.cancel_read()
        elif step[0] == "enter":
            terminal.display.erase_input()
            terminal.press(AID_ENTER, step[1])
        elif step[0] == "key":
            terminal.press(step[1])
        elif step[0] == "wait":
            terminal.advance(step[1])
        terminal.flush()
        display = terminal.display
        assert display.field_starts() == [layout.input_attribute, layout.status_attribute]
        expected = terminal.screen.lines()
        shown = display.screen_text()
        assert shown[: layout.output_rows] == expected[: layout.output_rows]
        assert shown[-1][-20:] == terminal.screen.status.ljust(20)
        assert not display.keyboard_locked
        deadline = terminal.screen.next_deadline()
        assert deadline is None or deadline > terminal.time


# Full-screen writes (DIAGNOSE X'58'), as CMS EDIT's display mode uses them.


def test_a_full_screen_row_can_be_intensified_and_the_mark_moves(terminal):
    screen = terminal.screen
    screen.display_at(0, "FIRST".ljust(80) + "SECOND", erase=True)
    screen.display_at(5, "CURRENT LINE", highlight=True)
    screen.display_at(6, "AFTER")
    terminal.flush()
    assert terminal.row(1).startswith("FIRST") and terminal.row(2).startswith("SECOND")
    assert terminal.row(6).startswith("CURRENT LINE")
    current = terminal.address(6, 1)
    assert is_intensified(terminal.display.field_attribute(current))
    assert not is_intensified(terminal.display.field_attribute(terminal.address(7, 1)))
    assert not is_intensified(terminal.display.field_attribute(terminal.address(5, 1)))
    assert screen.highlighted_row == 5
    # The next screen marks another row: the old one is plain again.
    screen.display_at(5, "NOW PLAIN")
    screen.display_at(8, "NEW CURRENT", highlight=True)
    terminal.flush()
    assert terminal.row(6).startswith("NOW PLAIN")
    assert not is_intensified(terminal.display.field_attribute(current))
    assert is_intensified(terminal.display.field_attribute(terminal.address(9, 1)))
    assert screen.highlighted_row == 8


def test_an_intensified_row_holds_one_position_less(terminal):
    terminal.screen.display_at(3, "X" * 80, highlight=True)
    terminal.flush()
    assert terminal.row(4).rstrip() == "X" * 79


def test_what_is_entered_on_a_full_screen_is_not_shown_again(terminal):
    screen = terminal.screen
    screen.display_at(0, "THE FILE", erase=True)
    screen.request_read("VM READ")
    terminal.flush()
    events = terminal.press(AID_ENTER, "DOWN 5")
    assert events == [InputLine("DOWN 5", False, "VM READ")]
    assert not any("DOWN 5" in terminal.row(row) for row in range(1, 23))
    assert terminal.row(1).startswith("THE FILE")


def test_cancelling_the_full_screen_clears_it_and_lines_start_at_the_top(terminal):
    screen = terminal.screen
    screen.display_at(0, "STATUS".ljust(80 * 22), erase=True)
    screen.display_at(9, "CURRENT", highlight=True)
    terminal.flush()
    screen.cancel_display()
    screen.write_line("R;")
    terminal.flush()
    assert terminal.row(1).rstrip() == "R;"
    assert all(terminal.row(row).strip() == "" for row in range(2, 23))
    assert screen.highlighted_row is None
    assert screen.status != "MORE..."


def test_a_line_written_over_a_full_screen_waits_at_more(terminal):
    screen = terminal.screen
    screen.display_at(0, "X" * (80 * 22), erase=True)
    screen.write_line("A LINE")
    terminal.flush()
    assert screen.status == "MORE..."


def test_a_full_screen_write_keeps_the_input_field(terminal):
    screen = terminal.screen
    screen.display_at(0, "Y" * (80 * 22), erase=True)
    screen.request_read("VM READ")
    terminal.flush()
    assert terminal.row(22).rstrip() == "Y" * 79
    assert terminal.press(AID_ENTER, "TOP") == [InputLine("TOP", False, "VM READ")]

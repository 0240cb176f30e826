"""The line-mode (typewriter) console: bytes a telnet client sends in, bytes it prints out."""

from __future__ import annotations

import pytest

from vm370.cp.console import (
    Attention,
    ConsoleStateError,
    InputLine,
    Interrupt,
    LineModeConsole,
)

IAC, WILL, WONT, DO, SB, SE, IP, BRK, EC, EL = 255, 251, 252, 253, 250, 240, 244, 243, 247, 248
ECHO = 1


class Typewriter:
    """A console and everything it sent, as the client would print it."""

    def __init__(self, **options) -> None:
        self.console = LineModeConsole(lambda: 0, **options)
        self.received = bytearray()

    def flush(self) -> bytes:
        chunks = self.console.outbound()
        assert len(chunks) <= 1
        data = b"".join(chunks)
        self.received += data
        return data

    def send(self, data: bytes) -> list:
        events = self.console.inbound(data)
        self.flush()
        return events


@pytest.fixture
def typewriter() -> Typewriter:
    return Typewriter()


def test_output_lines_end_in_cr_lf(typewriter):
    typewriter.console.write_line("VM/370 ONLINE")
    assert typewriter.flush() == b"VM/370 ONLINE\r\n"
    assert typewriter.flush() == b""


def test_the_logo_ends_in_vm370_online(typewriter):
    typewriter.console.show_logo()
    printed = typewriter.flush().decode("ascii").split("\r\n")
    assert printed[-2:] == ["VM/370 ONLINE", ""]
    assert any("vm370" in line for line in printed)


def test_non_ascii_and_control_characters_never_reach_the_client_raw(typewriter):
    typewriter.console.write_line("caf\u00e9\x07\x1b[2J")
    assert typewriter.flush() == b"caf?  [2J\r\n"


def test_a_cp_read_types_its_prompt_and_a_line_answers_it(typewriter):
    typewriter.console.request_read("CP READ")
    assert typewriter.flush() == b"!"
    assert typewriter.send(b"logon maint\r\n") == [InputLine("logon maint", False, "CP READ")]
    assert typewriter.console.status == "RUNNING"
    assert typewriter.console.lines()[-1] == "!logon maint"


def test_a_vm_read_types_no_prompt(typewriter):
    typewriter.console.request_read("VM READ")
    assert typewriter.flush() == b""
    assert typewriter.console.status == "VM READ"
    assert typewriter.send(b"listfile\n") == [InputLine("listfile", False, "VM READ")]


def test_output_during_a_read_starts_a_new_line_and_prompts_again(typewriter):
    typewriter.console.request_read("CP READ")
    typewriter.flush()
    typewriter.console.write_line("MSG FROM OPERATOR: HELLO")
    assert typewriter.flush() == b"\r\nMSG FROM OPERATOR: HELLO\r\n!"


@pytest.mark.parametrize("ending", [b"\r\n", b"\r\x00", b"\n", b"\r"])
def test_every_telnet_line_ending_ends_exactly_one_line(typewriter, ending):
    typewriter.console.request_read("VM READ")
    events = typewriter.send(b"one" + ending + b"two" + ending)
    assert events == [InputLine("one", False, "VM READ"), Attention(line_waiting=True)]
    assert typewriter.console.request_read("VM READ") == [InputLine("two", False, "VM READ")]


def test_a_line_ending_split_across_packets_ends_one_line(typewriter):
    typewriter.console.request_read("VM READ")
    assert typewriter.send(b"query\r") == [InputLine("query", False, "VM READ")]
    assert typewriter.send(b"\n") == []


def test_a_character_mode_client_can_erase_what_it_typed(typewriter):
    typewriter.console.request_read("CP READ")
    events = typewriter.send(b"qx\x08 timx\x7f" + bytes((IAC, EC)) + b"me\r\n")
    assert events == [InputLine("q time", False, "CP READ")]
    typewriter.console.request_read("CP READ")
    assert typewriter.send(b"junk" + bytes((IAC, EL)) + b"ok\r\n")[0].text == "ok"


def test_a_hidden_read_turns_the_clients_echo_off_and_back_on(typewriter):
    typewriter.console.request_read("CP READ", hidden=True)
    assert typewriter.flush() == b"!" + bytes((IAC, WILL, ECHO))
    events = typewriter.send(b"s3cret\r\n")
    assert events == [InputLine("s3cret", True, "CP READ")]
    assert typewriter.received.endswith(bytes((IAC, WONT, ECHO)) + b"\r\n")
    assert b"s3cret" not in typewriter.received
    assert all("s3cret" not in line for line in typewriter.console.lines())
    assert "s3cret" not in repr(vars(typewriter.console))


def test_telnet_interrupt_process_break_and_ctrl_c_are_the_attention_key(typewriter):
    for key in (bytes((IAC, IP)), bytes((IAC, BRK)), b"\x03"):
        assert typewriter.send(key) == [Interrupt()]


def test_the_attention_key_ends_a_read_and_drops_what_was_typed(typewriter):
    typewriter.console.request_read("CP READ", hidden=True)
    typewriter.flush()
    assert typewriter.send(b"half" + bytes((IAC, IP))) == [Interrupt()]
    assert typewriter.console.reading is None
    assert typewriter.received.endswith(bytes((IAC, WONT, ECHO)) + b"\r\n")
    typewriter.console.request_read("CP READ")
    assert typewriter.send(b"begin\r\n") == [InputLine("begin", False, "CP READ")]


def test_option_negotiation_and_subnegotiation_are_skipped(typewriter):
    typewriter.console.request_read("VM READ")
    noise = bytes((IAC, DO, ECHO, IAC, SB, 24, 0)) + b"xterm" + bytes((IAC, SE))
    events = typewriter.send(noise + b"ab" + bytes((IAC, IAC)) + b"c\r\n")
    assert events == [InputLine("ab?c", False, "VM READ")]


def test_an_empty_line_while_nothing_reads_is_an_attention(typewriter):
    assert typewriter.send(b"\r\n") == [Attention(line_waiting=False)]


def test_a_second_line_typed_ahead_is_not_accepted(typewriter):
    assert typewriter.send(b"first\r\n") == [Attention(line_waiting=True)]
    assert typewriter.send(b"second\r\n") == []
    assert typewriter.received.endswith(b"NOT ACCEPTED\r\n")
    assert typewriter.console.request_read("VM READ") == [InputLine("first", False, "VM READ")]


def test_typed_ahead_lines_keep_their_order():
    typewriter = Typewriter(typeahead_lines=2)
    typewriter.send(b"one\r\ntwo\r\nthree\r\n")
    assert typewriter.console.lines_waiting == 2
    assert [typewriter.console.request_read("VM READ")[0].text for _ in range(2)] == ["one", "two"]


def test_a_runaway_line_is_cut_at_1024_characters(typewriter):
    typewriter.console.request_read("VM READ")
    (event,) = typewriter.send(b"x" * 5000 + b"\r\n")
    assert len(event.text) == 1024


def test_a_second_read_while_one_waits_is_refused(typewriter):
    typewriter.console.request_read("VM READ")
    with pytest.raises(ConsoleStateError):
        typewriter.console.request_read("CP READ")


def test_nothing_on_a_typewriter_waits_for_time(typewriter):
    typewriter.console.write_line("x")
    assert typewriter.console.next_deadline() is None

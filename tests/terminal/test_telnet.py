"""Telnet byte handling without sockets."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.terminal.telnet import (
    DO,
    EOR,
    IAC,
    NOP,
    OPTION_BINARY,
    OPTION_TERMINAL_TYPE,
    SB,
    SE,
    WILL,
    Command,
    Negotiation,
    OptionState,
    Record,
    Subnegotiation,
    TelnetError,
    TelnetReader,
    escape,
    record,
    terminal_type_is,
)


def test_negotiations_and_records_come_out_as_events():
    reader = TelnetReader()
    events = reader.feed(bytes((IAC, WILL, OPTION_BINARY)) + b"\x7d\x40\x40" + bytes((IAC, EOR)))
    assert events == [Negotiation(WILL, OPTION_BINARY), Record(b"\x7d\x40\x40")]
    assert not reader.partial


def test_doubled_iac_in_data_is_one_ff_byte():
    assert TelnetReader().feed(b"a\xff\xffb\xff\xef") == [Record(b"a\xffb")]


def test_escape_doubles_iac_and_record_ends_with_iac_eor():
    assert escape(b"\xff\x00\xff") == b"\xff\xff\x00\xff\xff"
    assert record(b"\xff") == b"\xff\xff\xff\xef"


def test_terminal_type_subnegotiation_is_parsed():
    events = TelnetReader().feed(terminal_type_is("IBM-3278-2-E"))
    assert events == [Subnegotiation(OPTION_TERMINAL_TYPE, b"\x00IBM-3278-2-E")]


def test_bytes_may_arrive_one_at_a_time():
    wire = bytes((IAC, DO, OPTION_BINARY)) + terminal_type_is("IBM-DYNAMIC") + record(b"\x01\xff")
    reader = TelnetReader()
    events = []
    for byte in wire:
        events += reader.feed(bytes((byte,)))
    assert events == [
        Negotiation(DO, OPTION_BINARY),
        Subnegotiation(OPTION_TERMINAL_TYPE, b"\x00IBM-DYNAMIC"),
        Record(b"\x01\xff"),
    ]


def test_half_a_record_is_partial():
    reader = TelnetReader()
    assert reader.feed(b"\x7d\x40") == []
    assert reader.partial


def test_other_commands_are_reported():
    assert TelnetReader().feed(bytes((IAC, NOP))) == [Command(NOP)]


def test_a_record_over_the_limit_is_refused():
    reader = TelnetReader(max_record=100)
    with pytest.raises(TelnetError, match="record longer than 100"):
        reader.feed(b"x" * 101)


def test_a_subnegotiation_over_the_limit_is_refused():
    reader = TelnetReader(max_subnegotiation=10)
    with pytest.raises(TelnetError, match="subnegotiation longer"):
        reader.feed(bytes((IAC, SB, OPTION_TERMINAL_TYPE)) + b"y" * 11)


def test_a_stray_se_or_bad_byte_in_a_subnegotiation_is_refused():
    with pytest.raises(TelnetError):
        TelnetReader().feed(bytes((IAC, SE)))
    with pytest.raises(TelnetError):
        TelnetReader().feed(bytes((IAC, SB, 24, IAC, 1)))


def test_option_state_tracks_both_directions():
    options = OptionState()
    options.note(Negotiation(DO, OPTION_BINARY))
    assert not options.both(OPTION_BINARY)
    options.note(Negotiation(WILL, OPTION_BINARY))
    assert options.both(OPTION_BINARY)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=5))
def test_records_round_trip_through_the_wire_format(payloads):
    wire = b"".join(record(p) for p in payloads)
    assert TelnetReader().feed(wire) == [Record(p) for p in payloads]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=500))
def test_garbage_gives_events_or_a_telnet_error_never_anything_else(garbage):
    reader = TelnetReader(max_record=200, max_subnegotiation=50)
    with contextlib.suppress(TelnetError):
        reader.feed(garbage)

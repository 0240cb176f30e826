"""The 2741 line: writes reach the terminal, what it sends waits for a read, attention and drops."""

from __future__ import annotations

from vm370.hardware.devices import ATTENTION, NORMAL_END, UNIT_CHECK, UNIT_EXCEPTION
from vm370.hardware.devices.terminal2741 import READ, WRITE, LinePort, Terminal2741


class Session:
    def __init__(self) -> None:
        self.typed = bytearray()
        self.detached_reason = None

    def outbound(self, data: bytes) -> None:
        self.typed += data

    def detached(self, reason: str) -> None:
        self.detached_reason = reason


class Statuses(Terminal2741):
    """A line that records the unsolicited statuses it presents (no channel attached)."""

    def __init__(self) -> None:
        super().__init__()
        self.presented: list[int] = []

    def present_status(self, unit_status: int) -> None:
        self.presented.append(unit_status)


def test_a_write_is_typed_at_the_connected_terminal_only():
    line = Statuses()
    assert line.start_ccw(WRITE, b"nobody\r\n", 8, False).status == NORMAL_END
    session = Session()
    assert line.port.try_connect(session)
    line.poll()
    result = line.start_ccw(WRITE, b"hello\r\n", 7, False)
    assert (result.status, result.length) == (NORMAL_END, 7)
    assert bytes(session.typed) == b"hello\r\n"


def test_input_waits_for_reads_and_each_arrival_is_an_attention():
    line = Statuses()
    session = Session()
    line.port.try_connect(session)
    assert line.poll() == 1 and line.presented == [ATTENTION]  # a caller: CP greets it
    line.port.send(session, b"LOGON ")
    line.port.send(session, b"USER1\r\n")
    assert line.poll() == 1 and line.presented == [ATTENTION, ATTENTION]
    first = line.start_ccw(READ, b"", 6, False)
    assert first.data == b"LOGON "
    rest = line.start_ccw(READ, b"", 100, False)
    assert (rest.data, rest.length) == (b"USER1\r\n", 7)
    assert line.start_ccw(READ, b"", 100, False).length == 0
    assert line.poll() == 0


def test_a_dropped_line_is_a_unit_exception_and_its_unread_input_is_gone():
    line = Statuses()
    session = Session()
    line.port.try_connect(session)
    line.poll()
    line.port.send(session, b"half a line")
    line.port.disconnect(session)
    line.poll()
    assert line.presented[-1] == UNIT_EXCEPTION
    assert line.start_ccw(READ, b"", 100, False).length == 0
    newcomer = Session()
    assert line.port.try_connect(newcomer)
    line.port.send(session, b"from the old caller")  # ignored: not the line's terminal
    line.poll()
    assert line.presented[-1] == ATTENTION
    assert line.start_ccw(READ, b"", 100, False).length == 0


def test_one_terminal_at_a_time_and_an_unknown_command_is_rejected():
    port = LinePort(0x20)
    first, second = Session(), Session()
    assert port.try_connect(first) and not port.try_connect(second)
    assert port.name == "020"
    line = Terminal2741()
    assert line.start_ccw(0x05, b"", 1, False).status == NORMAL_END | UNIT_CHECK


def test_the_machine_stopping_lets_the_terminal_go():
    line = Terminal2741()
    session = Session()
    line.port.try_connect(session)
    line.poll()
    line.close()
    assert session.detached_reason == "the machine stopped"

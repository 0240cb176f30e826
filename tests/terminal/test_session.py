"""vm370 session's transcript: every new row of the output area once, in order."""

from __future__ import annotations

from vm370.hardware.display3270 import ERASE_WRITE, ORDER_SBA, WRITE, encode_address
from vm370.terminal.session import HIDDEN, TranscriptTerminal

COLUMNS = 80


class Port:
    """A terminal port that only hands the terminal what the test writes."""

    def connect(self, terminal, model=None) -> None:
        self.terminal = terminal

    def send(self, terminal, record: bytes) -> None:
        pass

    def disconnect(self, terminal) -> None:
        pass


def at(row: int, text: str) -> bytes:
    return bytes((ORDER_SBA,)) + encode_address(row * COLUMNS) + text.encode("cp037")


def write(terminal, *rows: tuple[int, str], erase: bool = False) -> None:
    command = ERASE_WRITE if erase else WRITE
    body = b"".join(at(row, text) for row, text in rows)
    terminal.outbound(bytes((command, 0x00)) + body)


def test_rows_are_taken_once_in_order_and_a_cleared_area_starts_a_new_page():
    terminal = TranscriptTerminal(Port())
    write(terminal, (0, "FIRST"), erase=True)
    write(terminal, (1, ""), (2, "THIRD"))
    write(terminal, (3, "FOURTH"))
    write(terminal, (0, "NEXT PAGE"), erase=True)
    assert terminal.lines == ["FIRST", "", "THIRD", "FOURTH", "NEXT PAGE"]


def test_the_input_and_status_rows_are_not_output():
    terminal = TranscriptTerminal(Port())
    write(terminal, (0, "OUTPUT"), (22, "TYPED"), (23, " " * 60 + "VM READ"), erase=True)
    assert terminal.lines == ["OUTPUT"]
    assert terminal.status() == "VM READ"


def test_the_password_is_hidden_and_not_accepted_is_counted():
    terminal = TranscriptTerminal(Port())
    terminal.secret = "Sesame"
    write(terminal, (0, "YOU TYPED SESAME HERE"), erase=True)
    write(terminal, (1, "NOT ACCEPTED"))
    assert terminal.lines == [f"YOU TYPED {HIDDEN} HERE", "NOT ACCEPTED"]
    assert terminal.not_accepted == 1

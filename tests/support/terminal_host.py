"""A scripted host for terminal tests: plays the program side of 3277 ports.

It does to each port what the echo demo program in ``decks/`` does through
the channel (format a screen, wait for an AID, read the modified field,
write it back), directly in Python and on its own thread, so the server and
the TUI can be tested without a CPU. Its polling loop is bounded by
``stop()``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_NAMES,
    ORDER_IC,
    ORDER_SBA,
    ORDER_SF,
    Display3270,
    encode_address,
)

INPUT_ADDRESS = 2 * 80 + 8


class Terminal:
    """A terminal session kept in the test: its own Display3270 follows the outbound records."""

    def __init__(self) -> None:
        self.display = Display3270()
        self.records: list[bytes] = []
        self.detached_reason = None

    def outbound(self, record: bytes) -> None:
        self.records.append(record)
        self.display.process_outbound(record)

    def detached(self, reason: str) -> None:
        self.detached_reason = reason


def _sba(address: int) -> bytes:
    return bytes((ORDER_SBA,)) + encode_address(address)


def echo_screen(port: TerminalPort, echo: str = "", aid: str = "") -> bytes:
    """Erase/Write: a title, an input field at row 3 column 9, and what came back."""
    text = lambda s: s.encode("cp037")  # noqa: E731
    return (
        bytes((0x05, 0x02, ORDER_SF, 0x60))
        + text(f"ECHO DEMO ON 3277 {port.name}")
        + _sba(2 * 80)
        + bytes((ORDER_SF, 0x60))
        + text("INPUT:")
        + _sba(INPUT_ADDRESS - 1)
        + bytes((ORDER_SF, 0x40, ORDER_IC))
        + _sba(INPUT_ADDRESS + 30)
        + bytes((ORDER_SF, 0x60))
        + _sba(4 * 80)
        + text(f"ECHO: {echo}")
        + _sba(5 * 80)
        + text(f"AID: {aid}")
        + _sba(6 * 80)
        + bytes((ORDER_SF, 0x4C))  # a nondisplay field for passwords
        + _sba(6 * 80 + 20)
        + bytes((ORDER_SF, 0x60))
    )


class EchoHost:
    """Polls its ports on a thread; answers each AID with a rewritten screen."""

    def __init__(self, ports: list[TerminalPort], interval: float = 0.005) -> None:
        self.ports = ports
        self.interval = interval
        self.answered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="echo-host", daemon=True)
        self.modified: list[bytes] = []

    def start(self) -> EchoHost:
        for port in self.ports:
            self.write(port, echo_screen(port))
        self._thread.start()
        return self

    def write(self, port: TerminalPort, record: bytes) -> None:
        port.display.process_outbound(record)
        port.emit(record)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for port in self.ports:
                for aid in port.drain():
                    self.answer(port, aid)

    def answer(self, port: TerminalPort, aid: int) -> None:
        display = port.display
        record = display.read_modified()
        self.modified.append(record)
        echo = ""
        start = INPUT_ADDRESS - 1
        if display.is_field_attribute(start):
            echo = display.field_text(start).rstrip()
        name = AID_NAMES.get(aid, f"{aid:02X}").upper()
        if aid == AID_CLEAR:
            echo = ""
        self.write(port, echo_screen(port, echo, name))
        self.answered += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


ECHO_DECK = Path(__file__).resolve().parents[2] / "decks" / "echo3277.asm"
ECHO_LOAD_ADDRESS = 0x2000
ECHO_END_ADDRESS = 0xEC0  # the disabled wait PSW's address after PF3


def program_machine(source: str, deck_name: str, address: int = 0x0C0):
    """``source`` assembled, loaded at 2000 and ready to run, with a 3277 at ``address``."""
    from assembler import assemble
    from assembler.loader import load
    from vm370.hardware.devices.display3277 import Display3277
    from vm370.hardware.machine import Machine

    result = assemble(source, deck_name=deck_name)
    assert result.return_code == 0, result.diagnostics
    machine = Machine(64 * 1024)
    load([(result.object_deck, ECHO_LOAD_ADDRESS)], machine.storage)
    device = Display3277()
    machine.attach(address, device)
    machine.set_psw(ECHO_LOAD_ADDRESS)
    return machine, device


def echo_demo_machine(address: int = 0x0C0):
    """The echo demo of decks/ assembled, loaded at 2000 and ready to run, with its 3277."""
    return program_machine(ECHO_DECK.read_text(), "ECHO", address)

"""A person at a 3270, played by a program: reads the screen, types lines, presses keys.

``ScriptedTerminal`` connects to a 3277's terminal port like any TN3270
client or the Textual terminal: it keeps its own copy of the screen from
the records the device sends, types into the unprotected input field and
sends the Read Modified record of an AID key. ``run_until`` runs a system
(anything with ``run``, ``poll_terminals`` and ``clock``) in slices until
the screen shows what a script waits for: the way labs, grading, the
``vm370 session`` command and the tests drive the system.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_PA1,
    AID_PA2,
    AID_PF,
    MODELS,
    Display3270,
    ScreenModel,
)

STATUS_COLUMN = 60  # VM/370's status area: row 24 (the last row), column 61
INPUT_ROWS = 2  # VM/370's input area: the last two rows
# Erase/Write and Erase/Write Alternate, in the local and the remote command codes.
ERASE_WRITES = {0x05, 0x0D, 0xF5, 0x7E}
SLICE = 20_000
KEYS = {
    "ENTER": AID_ENTER,
    "PA1": AID_PA1,
    "PA2": AID_PA2,
    "CLEAR": AID_CLEAR,
    **{f"PF{number}": aid for number, aid in AID_PF.items()},
}


class ScriptError(Exception):
    """The screen never showed what the script waited for."""


class ScriptedTerminal:
    """A terminal session on a 3277 port, driven by a program."""

    def __init__(self, port: TerminalPort, model: ScreenModel | None = None) -> None:
        self.port = port
        self.display = Display3270(model or MODELS[2])
        self.lock = threading.Lock()
        self.writes = 0
        self.detached_reason: str | None = None
        # Every line that appeared in the output area, in order (what a person
        # read, even after MORE... cleared it).
        self.transcript: list[str] = []
        self._shown: list[str] = []
        port.connect(self, model)

    # The port's side (the machine's thread)

    def outbound(self, record: bytes) -> None:
        with self.lock:
            self.display.process_outbound(record)
            self.writes += 1
            if record[:1] and record[0] in ERASE_WRITES:
                self._shown = []  # a new screen: every line on it is new
            self._note_new_lines()

    def _note_new_lines(self) -> None:
        rows = [row.rstrip() for row in self.display.screen_text()[:-INPUT_ROWS]]
        if len(self._shown) != len(rows):
            self._shown = [""] * len(rows)
        for index, row in enumerate(rows):
            if row != self._shown[index] and row:
                self.transcript.append(row)
        self._shown = rows

    def detached(self, reason: str) -> None:
        self.detached_reason = reason

    # What the person sees

    def rows(self) -> list[str]:
        with self.lock:
            return self.display.screen_text()

    def status(self) -> str:
        return self.rows()[-1][STATUS_COLUMN:].strip()

    def text(self) -> str:
        return "\n".join(row.rstrip() for row in self.rows())

    def history(self) -> str:
        """Every output line shown so far, then the screen as it is now."""
        with self.lock:
            lines = list(self.transcript)
        return "\n".join(lines) + "\n" + self.text()

    def keyboard_locked(self) -> bool:
        with self.lock:
            return self.display.keyboard_locked

    # What the person does

    def type_line(self, text: str) -> bool:
        """Type ``text`` into the input field and press Enter; False if the keyboard is locked."""
        with self.lock:
            display = self.display
            if display.keyboard_locked:
                return False
            display.erase_input()
            display.type_text(text)
            record = display.press_aid(AID_ENTER)
        if record is None:
            return False
        self.port.send(self, record)
        return True

    def press(self, key: str) -> bool:
        """Press ENTER, PA1, PA2, CLEAR or PF1-PF24 (with what the input area holds)."""
        with self.lock:
            record = self.display.press_aid(KEYS[key.upper()])
        if record is None:
            return False
        self.port.send(self, record)
        return True

    def disconnect(self) -> None:
        self.port.disconnect(self)


def run_until(
    system,
    condition: Callable[[], bool],
    max_instructions: int = 20_000_000,
    slice_instructions: int = SLICE,
) -> int:
    """Run ``system`` until ``condition()`` holds; the instructions it took.

    Raises ScriptError when the limit passes first, or when the machine
    stops with nothing left to do and the condition still does not hold.
    """
    start = system.clock.now
    while True:
        taken = system.poll_terminals()
        if condition():
            return system.clock.now - start
        if system.clock.now - start > max_instructions:
            raise ScriptError(f"not reached after {max_instructions} instructions")
        before = system.clock.now
        reason = system.run(slice_instructions)
        if reason.endswith("wait") and system.clock.now == before and not taken:
            system.poll_terminals()
            if not condition():
                raise ScriptError(
                    f"the system waits ({reason}) with nothing to do, and the screen is not ready"
                )

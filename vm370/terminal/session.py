"""A scripted session at a VM/370 console: ``vm370 session``.

One terminal logs on, types each line of a script at the next VM READ or
CP READ (a line ``#PA1``, ``#PA2``, ``#CLEAR`` or ``#ENTER`` presses that
key instead), logs off if the script did not, and leaves a transcript:
the lines of the console's output area in the order they appeared, as
plain text. The terminal is a ``ScriptedTerminal`` either on a display of
a system in this process (``InProcessDriver``: the machine runs only while
the script waits, so a run is deterministic) or on a TN3270 server
(``RemoteDriver``: a client on a thread of its own, waited for by the wall
clock).

The transcript follows every write to the screen: each new row of the
output area is one line; when the output area is cleared (a full screen,
PA2, Clear, LOGOFF) the next page starts. The password is typed into the
console's non-display field, so it never reaches the output area; the
transcript replaces it anyway, should a program ever type it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from vm370.hardware.display3270 import MODELS, ScreenModel
from vm370.terminal.scripted import ScriptedTerminal, ScriptError, run_until
from vm370.terminal.tn3270_client import TN3270Client, TN3270ClientError

KEY_LINES = {"#PA1": "PA1", "#PA2": "PA2", "#CLEAR": "CLEAR", "#ENTER": "ENTER"}
READS = ("VM READ", "CP READ")
LOGO_LINE = "VM/370 ONLINE"
HIDDEN = "********"

# How long a script waits for the system, in instructions (in process) or seconds (remote).
READ_WAIT_INSTRUCTIONS = 200_000_000
KEY_WAIT_INSTRUCTIONS = 5_000_000
READ_WAIT_SECONDS = 60.0
KEY_WAIT_SECONDS = 5.0
POLL_SECONDS = 0.01


class SessionError(Exception):
    """The session could not go on (the system never answered, the connection broke)."""


class TranscriptTerminal(ScriptedTerminal):
    """A scripted terminal that records each new line of the output area as it appears."""

    def __init__(self, port, model: ScreenModel | None = None) -> None:
        self.output_rows = (model or MODELS[2]).rows - 2
        self.page: list[str] = []
        self.lines: list[str] = []
        self.secret: str | None = None
        self.not_accepted = 0
        self.changed = threading.Event()
        self.on_line: Callable[[str], None] | None = None
        super().__init__(port, model)

    def outbound(self, record: bytes) -> None:
        super().outbound(record)
        rows = self.rows()
        with self.lock:
            self._follow(rows)
            if rows[-1][60:].strip() == "NOT ACCEPTED":
                self.not_accepted += 1
        self.changed.set()

    def _follow(self, rows: list[str]) -> None:
        area = [row.rstrip() for row in rows[: self.output_rows]]
        while area and not area[-1]:
            area.pop()
        if area[: len(self.page)] == self.page:
            new = area[len(self.page) :]
        else:
            new = area  # the output area was cleared and filled again
        self.page = area
        for line in new:
            if line.strip() == "NOT ACCEPTED":  # CP's answer when a line finds no read
                self.not_accepted += 1
            if self.secret and self.secret.upper() in line.upper():
                line = line.upper().replace(self.secret.upper(), HIDDEN)
            self.lines.append(line)
            if self.on_line is not None:
                self.on_line(line)

    def ready(self) -> bool:
        """A read waits and the keyboard is free."""
        return not self.keyboard_locked() and self.status() in READS


class InProcessDriver:
    """Waits by running a system in this process (``run``, ``poll_terminals``, ``clock``)."""

    def __init__(self, system, display_index: int = 0, model: ScreenModel | None = None):
        self.system = system
        self.terminal = TranscriptTerminal(system.displays[display_index].port, model)

    def wait(self, condition: Callable[[], bool], patient: bool = True) -> bool:
        limit = READ_WAIT_INSTRUCTIONS if patient else KEY_WAIT_INSTRUCTIONS
        try:
            run_until(self.system, condition, max_instructions=limit)
        except ScriptError:  # the condition never came (or the system has nothing left to do)
            return condition()
        return True

    def close(self) -> None:
        self.terminal.disconnect()
        run_until(self.system, lambda: True)


class RemotePort:
    """A 3277 on a TN3270 server, looking like a local terminal port to a ScriptedTerminal."""

    def __init__(self, host: str, port: int, terminal_type: str) -> None:
        self.name = f"{host}:{port}"
        self.terminal: ScriptedTerminal | None = None
        self.closed = threading.Event()
        self.reason = ""
        self._loop = asyncio.new_event_loop()
        self._client = TN3270Client(host, port, self._record, terminal_type)
        self._thread: threading.Thread | None = None
        self._connected = threading.Event()
        self._failure: Exception | None = None

    def _record(self, record: bytes) -> None:
        self.terminal.outbound(record)

    def connect(self, terminal, model=None) -> None:
        self.terminal = terminal
        self._thread = threading.Thread(target=self._run, name="tn3270-client", daemon=True)
        self._thread.start()
        self._connected.wait()
        if self._failure is not None:
            raise SessionError(str(self._failure))

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._client.connect())
        except TN3270ClientError as error:
            self._failure = error
            self._connected.set()
            return
        self._connected.set()
        try:
            self.reason = self._loop.run_until_complete(self._client.run())
        except TN3270ClientError as error:
            self.reason = str(error)
        finally:
            self.closed.set()
            if self.terminal is not None:
                self.terminal.changed.set()

    def send(self, terminal, record: bytes) -> None:
        if not self.closed.is_set():
            self._loop.call_soon_threadsafe(self._client.send, record)

    def disconnect(self, terminal) -> None:
        if self._thread is None:
            return
        if not self.closed.is_set():
            future = asyncio.run_coroutine_threadsafe(self._client.close(), self._loop)
            with contextlib.suppress(Exception):
                future.result(5)
        self._thread.join(5)


class RemoteDriver:
    """Waits on the wall clock for a TN3270 server's screens."""

    def __init__(self, host: str, port: int, model: int = 2) -> None:
        self.port = RemotePort(host, port, f"IBM-3278-{model}")
        self.terminal = TranscriptTerminal(self.port, MODELS[model])

    def wait(self, condition: Callable[[], bool], patient: bool = True) -> bool:
        deadline = time.monotonic() + (READ_WAIT_SECONDS if patient else KEY_WAIT_SECONDS)
        while not condition():
            if self.port.closed.is_set():
                raise SessionError(f"the server ended the session: {self.port.reason}")
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.terminal.changed.wait(min(left, POLL_SECONDS * 10))
            self.terminal.changed.clear()
        return True

    def close(self) -> None:
        self.terminal.disconnect()


@dataclass
class SessionResult:
    logged_on: bool = False
    not_accepted: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 0 if self.logged_on and not self.not_accepted and not self.problems else 1


def run_session(
    driver,
    userid: str,
    password: str,
    script: Iterable[str],
    out: TextIO,
    *,
    resumed: bool = False,
) -> SessionResult:
    """Log on, play ``script``, log off; the transcript goes to ``out`` line by line.

    ``resumed``: the user is logged on at the driver's display already (a restored
    checkpoint); the script goes on there from the screen as it was, without LOGON.
    """
    terminal = driver.terminal
    result = SessionResult()
    state = {"on": False}

    def follow(line: str) -> None:
        text = line.strip()
        if text.startswith(("LOGON AT", "RECONNECTED AT")):
            state["on"] = True
        elif text.startswith(("LOGOFF AT", "DISCONNECT AT")) or text == LOGO_LINE:
            state["on"] = False  # CP may redraw the logo before, or instead of, its last lines
        out.write(line + "\n")
        out.flush()

    with terminal.lock:
        terminal.secret = password
        terminal.on_line = follow
        earlier = list(terminal.lines)
    for line in earlier:
        follow(line)
    try:
        if resumed:
            if not driver.wait(_ready_skipping_more(terminal)):
                raise SessionError(f"{userid}'s restored screen never came to a read")
            state["on"] = True
        elif not driver.wait(lambda: terminal.ready() and LOGO_LINE in terminal.text()):
            raise SessionError("the terminal never showed the VM/370 logo at CP READ")
        else:
            _log_on(driver, terminal, userid, password, state)
        if not state["on"]:
            result.problems.append(f"LOGON {userid} failed")
            return result
        result.logged_on = True
        for raw in script:
            line = raw.rstrip("\r\n")
            _play(driver, terminal, line)
            if not state["on"]:
                break
        if state["on"]:
            _log_off(driver, terminal, state)
    except SessionError as error:
        result.problems.append(str(error))
    finally:
        result.not_accepted = terminal.not_accepted
        driver.close()
    return result


def _log_on(driver, terminal: TranscriptTerminal, userid: str, password: str, state) -> None:
    terminal.type_line(f"LOGON {userid}")
    if not driver.wait(lambda: terminal.ready() or "ENTER PASSWORD:" in terminal.text()):
        raise SessionError("no answer to LOGON")
    if "ENTER PASSWORD:" in terminal.text():
        driver.wait(terminal.ready)
        terminal.type_line(password)
        driver.wait(lambda: terminal.ready() or state["on"])
        driver.wait(terminal.ready)


def _play(driver, terminal: TranscriptTerminal, line: str) -> None:
    key = KEY_LINES.get(line.strip().upper())
    if key is not None:
        driver.wait(terminal.ready, patient=False)
        _wait_unlocked(driver, terminal)
        terminal.press(key)
        return
    if not driver.wait(_ready_skipping_more(terminal)):
        raise SessionError(f"no VM READ or CP READ came for the line {line!r}")
    terminal.type_line(line)


def _wait_unlocked(driver, terminal: TranscriptTerminal) -> None:
    if not driver.wait(lambda: not terminal.keyboard_locked()):
        raise SessionError("the keyboard stayed locked")


def _ready_skipping_more(terminal: TranscriptTerminal) -> Callable[[], bool]:
    """A read waits; a full screen (MORE...) is cleared with PA2 on the way, as a reader would."""

    def condition() -> bool:
        if terminal.ready():
            return True
        if terminal.status() == "MORE..." and not terminal.keyboard_locked():
            terminal.press("PA2")
        return False

    return condition


def _log_off(driver, terminal: TranscriptTerminal, state: dict) -> None:
    if not driver.wait(_ready_skipping_more(terminal)):
        raise SessionError("no read came to log off at")
    if terminal.status() == "VM READ":
        terminal.press("PA1")
        if not driver.wait(lambda: terminal.ready() and terminal.status() == "CP READ"):
            raise SessionError("PA1 did not bring CP READ to log off at")
    terminal.type_line("LOGOFF")
    if not driver.wait(lambda: not state["on"]):
        raise SessionError("LOGOFF was not answered")
    driver.wait(terminal.ready, patient=False)  # the lines CP writes after the logo

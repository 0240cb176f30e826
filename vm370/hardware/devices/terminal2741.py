"""A 2741 typewriter terminal on a line of a 2702 transmission control, and its terminal side.

The line carries what a typewriter conversation needs and no more: bytes the
program writes are typed at the terminal, bytes the terminal sends wait in
the line's buffer for the program to read, and the terminal's sending is an
attention. Here the "typewriter" is a telnet client (vm370/terminal/
telnet_server.py), so the bytes are the telnet network virtual terminal's
(ASCII, CR LF, telnet commands), which CP's line-mode console speaks
(vm370/cp/console/linemode.py).

Channel commands (a simplified 2702: the line is always enabled, there is
no Prepare and no transmission code to translate):

    01 Write   the data goes to the terminal as it is
    02 Read    the bytes the terminal sent since the last read (at most the
               count; the rest stay for the next read); none: a zero-length read
    03 No-operation                      04 Sense (command reject 80)

The terminal side (``LinePort``) works like a 3277's ``TerminalPort``: the
telnet server's thread only queues what happened (``connect``, ``send``,
``disconnect``); the device takes it in on the machine's thread in
``poll()``, which the runner calls between slices, and presents attention
for new input and for a new connection (so CP can greet it), and unit
exception when the terminal went away (the line dropped: CP disconnects
whoever was there, so the next caller does not find their session). Writes reach
the connected session's ``outbound(data)`` on the machine's thread.
"""

from __future__ import annotations

import collections
import threading
from typing import Protocol

from vm370.hardware.devices import (
    ATTENTION,
    NORMAL_END,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
    HostConnection,
    register,
)

WRITE = 0x01
READ = 0x02
NOP = 0x03
# A 2741 types about 15 characters a second; the program does not wait for
# the paper here (telnet clients are fast), only for the line's transfer.
COMMAND_DELAY = 50
BYTES_PER_INSTRUCTION = 2
# More input than this waiting unread means a runaway client: the excess is dropped.
MAX_BUFFERED_INPUT = 64 * 1024


class LineSession(Protocol):
    """What a terminal implements to be plugged into a line."""

    def outbound(self, data: bytes) -> None:
        """Bytes to type at the terminal; called on the machine's thread."""

    def detached(self, reason: str) -> None:
        """The device let go of this session (the machine stopped)."""


class LineBusyError(Exception):
    """The line already has a terminal connected."""


class LinePort(HostConnection):
    """A line's terminal connection: the queue between the server's thread and the machine's."""

    def __init__(self, address: int = 0) -> None:
        self.address = address
        self.session: LineSession | None = None
        self._lock = threading.Lock()
        self._inbound: collections.deque[tuple[str, object, bytes]] = collections.deque()
        self._claimed_by: LineSession | None = None
        # Set whenever the terminal side queues something: a paced runner sleeps on it.
        self.activity = threading.Event()

    @property
    def name(self) -> str:
        return f"{self.address:03X}"

    # Any thread (the terminal side)

    def try_connect(self, session: LineSession) -> bool:
        with self._lock:
            if self._claimed_by is not None:
                return False
            self._claimed_by = session
            self._inbound.append(("connect", session, b""))
        self.activity.set()
        return True

    def send(self, session: LineSession, data: bytes) -> None:
        with self._lock:
            if self._claimed_by is session:
                self._inbound.append(("data", session, bytes(data)))
        self.activity.set()

    def disconnect(self, session: LineSession) -> None:
        with self._lock:
            if self._claimed_by is session:
                self._claimed_by = None
                self._inbound.append(("disconnect", session, b""))
        self.activity.set()

    # The machine's thread

    def drain(self) -> tuple[bool, bool, bytes]:
        """(a terminal went away, a terminal connected, the bytes it sent) since the last drain."""
        dropped = connected = False
        data = bytearray()
        while True:
            with self._lock:
                if not self._inbound:
                    return dropped, connected, bytes(data)
                kind, session, payload = self._inbound.popleft()
            if kind == "connect":
                self.session = session  # type: ignore[assignment]
                connected = True
                data.clear()  # what an earlier terminal sent is not this one's
            elif kind == "disconnect":
                if self.session is session:
                    self.session = None
                    dropped = True
                    data.clear()  # a line that dropped delivers nothing more
            elif session is self.session:
                data += payload

    def emit(self, data: bytes) -> None:
        if self.session is not None:
            self.session.outbound(data)

    def release(self, reason: str) -> None:
        session = self.session
        self.session = None
        with self._lock:
            self._claimed_by = None
            self._inbound.clear()
        if session is not None:
            session.detached(reason)


@register
class Terminal2741(Device):
    """A 2741 on a 2702 line (see the module docstring)."""

    device_type = "2741"

    def __init__(self) -> None:
        super().__init__()
        self.port = LinePort()
        self.buffer = bytearray()
        self.attentions = 0

    def bind(self, channels, address: int | None) -> None:
        super().bind(channels, address)
        if address is not None:
            self.port.address = address
        else:
            self.port.release("the line was detached")

    def poll(self) -> int:
        """Take in what the terminal did (machine thread): unit exception for a dropped line,
        attention for input or a connection."""
        dropped, connected, data = self.port.drain()
        if dropped or connected:
            self.buffer.clear()
        room = MAX_BUFFERED_INPUT - len(self.buffer)
        self.buffer += data[: max(0, room)]
        status = (UNIT_EXCEPTION if dropped else 0) | (ATTENTION if connected or data else 0)
        if status:
            self.attentions += 1
            self.present_status(status)
            return 1
        return 0

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command == WRITE:
            text = bytes(data[:count])
            self.port.emit(text)
            return CCWResult(
                NORMAL_END, count, delay=COMMAND_DELAY + count // BYTES_PER_INSTRUCTION
            )
        if command == READ:
            taken = bytes(self.buffer[:count])
            del self.buffer[:count]
            delay = COMMAND_DELAY + len(taken) // BYTES_PER_INSTRUCTION
            return CCWResult(NORMAL_END, len(taken), taken, delay=delay)
        if command == NOP:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()

    def close(self) -> None:
        self.port.release("the machine stopped")

    def describe(self) -> str:
        terminal = "a terminal connected" if self.port.session else "no terminal"
        return f"2741 line, {terminal}"

"""How the TUI reaches a 3277: in process through a ``TerminalPort``, or over TN3270.

Both put outbound records in a ``RecordMailbox`` and take inbound records
with ``send``. The mailbox posts one ``RecordsWaiting`` message to the app
(thread-safe in Textual) when it goes from empty to not empty, not one
message per record: a machine writing hundreds of screens a second would
otherwise keep the app's message queue full, and Textual, which takes queued
messages back to back, would starve its own screen updates (the frame rate
fell to one or two a second). The app empties the mailbox in one go and
redraws once, so however fast the host writes, the app handles one message
per frame it can paint.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from textual.message import Message

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import ScreenModel
from vm370.terminal.tn3270_client import TN3270Client


@dataclass
class RecordsWaiting(Message):
    """Records from the host are in the link's mailbox (``take_records``)."""


class RecordMailbox:
    """Outbound records on their way to the app: put on any thread, taken on the app's."""

    def __init__(self) -> None:
        self._records: collections.deque[bytes] = collections.deque()
        self._lock = threading.Lock()
        self._announced = False
        self.app = None

    def attach(self, app) -> None:
        """Announce to ``app`` from now on (and at once, if records already wait)."""
        with self._lock:
            self.app = app
            if not self._records or self._announced:
                return
            self._announced = True
        app.post_message(RecordsWaiting())

    def put(self, record: bytes) -> None:
        with self._lock:
            self._records.append(record)
            if self._announced or self.app is None:
                return
            self._announced = True
        self.app.post_message(RecordsWaiting())

    def take(self) -> list[bytes]:
        """Every record waiting, oldest first; the next ``put`` announces itself again."""
        with self._lock:
            records = list(self._records)
            self._records.clear()
            self._announced = False
        return records


@dataclass
class Detached(Message):
    """The host let go of the terminal."""

    reason: str


@dataclass
class MachineStopped(Message):
    """The machine in this process stopped (a disabled wait)."""

    reason: str


class InProcessLink:
    """The TUI as the terminal of a 3277 in this process (a TerminalSession)."""

    # The 3277 sends only writes it has already applied to its own buffer.
    records_checked = True

    def __init__(self, port: TerminalPort, model: ScreenModel | None = None) -> None:
        self.port = port
        self.model = model
        self.app = None
        self.mailbox = RecordMailbox()

    @property
    def name(self) -> str:
        return self.port.name

    async def open(self, app) -> None:
        self.app = app
        self.mailbox.attach(app)
        self.port.connect(self, self.model)

    def outbound(self, record: bytes) -> None:
        """A record the 3277 wrote (the machine's thread)."""
        self.mailbox.put(record)

    def take_records(self) -> list[bytes]:
        return self.mailbox.take()

    def detached(self, reason: str) -> None:
        if self.app is not None:
            self.app.post_message(Detached(reason))

    def send(self, record: bytes) -> None:
        self.port.send(self, record)

    async def close(self) -> None:
        self.port.disconnect(self)


class TN3270Link:
    """The TUI as a TN3270 client of any server (this project's, Hercules...)."""

    records_checked = False

    def __init__(self, host: str, port: int, terminal_type: str = "IBM-3278-2") -> None:
        self.mailbox = RecordMailbox()
        self.client = TN3270Client(host, port, self.mailbox.put, terminal_type)
        self.app = None

    @property
    def name(self) -> str:
        return self.client.name

    async def open(self, app) -> None:
        self.app = app
        self.mailbox.attach(app)
        await self.client.connect()

    def take_records(self) -> list[bytes]:
        return self.mailbox.take()

    async def run(self) -> str:
        return await self.client.run()

    def send(self, record: bytes) -> None:
        self.client.send(record)

    async def close(self) -> None:
        await self.client.close()

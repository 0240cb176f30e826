"""How the TUI reaches a 3277: in process through a ``TerminalPort``, or over TN3270.

Both turn outbound records into ``app.post_message(Outbound(record))``
(thread-safe in Textual) and take inbound records with ``send``.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import ScreenModel
from vm370.terminal.tn3270_client import TN3270Client


@dataclass
class Outbound(Message):
    """A record from the host for the screen."""

    record: bytes


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

    def __init__(self, port: TerminalPort, model: ScreenModel | None = None) -> None:
        self.port = port
        self.model = model
        self.app = None

    @property
    def name(self) -> str:
        return self.port.name

    async def open(self, app) -> None:
        self.app = app
        self.port.connect(self, self.model)

    def outbound(self, record: bytes) -> None:
        if self.app is not None:
            self.app.post_message(Outbound(record))

    def detached(self, reason: str) -> None:
        if self.app is not None:
            self.app.post_message(Detached(reason))

    def send(self, record: bytes) -> None:
        self.port.send(self, record)

    async def close(self) -> None:
        self.port.disconnect(self)


class TN3270Link:
    """The TUI as a TN3270 client of any server (this project's, Hercules...)."""

    def __init__(self, host: str, port: int, terminal_type: str = "IBM-3278-2") -> None:
        self.client = TN3270Client(host, port, self._record, terminal_type)
        self.app = None

    @property
    def name(self) -> str:
        return self.client.name

    def _record(self, record: bytes) -> None:
        if self.app is not None:
            self.app.post_message(Outbound(record))

    async def open(self, app) -> None:
        self.app = app
        await self.client.connect()

    async def run(self) -> str:
        return await self.client.run()

    def send(self, record: bytes) -> None:
        self.client.send(record)

    async def close(self) -> None:
        await self.client.close()

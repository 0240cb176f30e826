"""A TN3270 client (asyncio): what the TUI uses to reach any TN3270 server.

It answers the server's negotiation the way a plain TN3270 (RFC 1576)
terminal does: WILL TERMINAL-TYPE and the type when asked, BINARY and
END-OF-RECORD both ways, and it refuses TN3270E and every other option. It
then hands each record the server sends to ``on_record`` and sends the
terminal's inbound records, so it works against this project's server and
against Hercules alike.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from vm370.terminal import telnet
from vm370.terminal.telnet import (
    OPTION_BINARY,
    OPTION_END_OF_RECORD,
    OPTION_TERMINAL_TYPE,
    TERMINAL_TYPE_SEND,
    Negotiation,
    OptionState,
    Record,
    Subnegotiation,
    TelnetError,
    TelnetReader,
)

CONNECT_TIMEOUT = 10.0
_ACCEPTED = (OPTION_BINARY, OPTION_END_OF_RECORD, OPTION_TERMINAL_TYPE)


class TN3270ClientError(Exception):
    """The server cannot be reached or broke the protocol."""


def parse_host_port(text: str, default_port: int = 23) -> tuple[str, int]:
    """'HOST:PORT' (or 'HOST', or '[v6]:PORT') into its parts; ValueError when malformed."""
    host, colon, port_text = text.rpartition(":")
    if not colon:
        host, port_text = text, str(default_port)
    host = host.strip("[]")
    if not host:
        raise ValueError(f"{text!r} has no host: give HOST:PORT, e.g. 127.0.0.1:3270")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"port {port_text!r} in {text!r} is not a number from 0 to 65535")
    return host, int(port_text)


class TN3270Client:
    """One connection to a TN3270 server."""

    def __init__(
        self,
        host: str,
        port: int,
        on_record: Callable[[bytes], None],
        terminal_type: str = "IBM-3278-2",
    ) -> None:
        self.host = host
        self.port = port
        self.on_record = on_record
        self.terminal_type = terminal_type
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.telnet = TelnetReader(max_record=1 << 20)
        self.options = OptionState(accept_local=_ACCEPTED, accept_remote=_ACCEPTED)

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"

    async def connect(self) -> None:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        except (OSError, TimeoutError, UnicodeError) as error:
            # UnicodeError: a host name the resolver cannot even encode (a label over 63).
            reason = getattr(error, "strerror", None) or error or "timed out"
            raise TN3270ClientError(f"cannot connect to {self.name}: {reason}") from None

    async def run(self) -> str:
        """Read until the server closes; return why the session ended."""
        assert self.reader is not None and self.writer is not None
        try:
            return await self._read_until_closed()
        except OSError as error:  # a reset connection, a broken pipe
            reason = error.strerror or error
            raise TN3270ClientError(f"{self.name}: connection lost: {reason}") from None

    async def _read_until_closed(self) -> str:
        while True:
            chunk = await self.reader.read(65536)
            if not chunk:
                return f"{self.name} closed the connection"
            try:
                events = self.telnet.feed(chunk)
            except TelnetError as error:
                raise TN3270ClientError(f"{self.name}: {error}") from None
            for event in events:
                if isinstance(event, Negotiation):
                    reply = self.options.answer(event)
                    if reply:
                        self.writer.write(reply)
                elif isinstance(event, Subnegotiation):
                    if event.option == OPTION_TERMINAL_TYPE and event.payload[:1] == bytes(
                        (TERMINAL_TYPE_SEND,)
                    ):
                        self.writer.write(telnet.terminal_type_is(self.terminal_type))
                elif isinstance(event, Record):
                    self.on_record(event.data)
            await self.writer.drain()

    def send(self, record: bytes) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(telnet.record(record))

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self.writer.wait_closed()

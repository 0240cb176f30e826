"""A line-mode telnet server: each client is the typewriter of a free 2741 line.

Any telnet client (``telnet``, ``nc``, PuTTY) connects; the server gives it
the first free line (vm370/hardware/devices/terminal2741.py) and from then
on only carries bytes: what the client sends goes to the line's port, what
CP types on the line goes back to the client. The telnet conversation
itself (prompts, echo off for a password, the attention key) is CP's
line-mode console's (vm370/cp/console/linemode.py), so the server
negotiates nothing. With every line in use the client is told so and
closed.

It runs on a thread of its own with its own event loop (``start_in_thread``,
``stop``), beside the machine's thread, like the TN3270 server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from vm370.hardware.devices.terminal2741 import LinePort
from vm370.terminal.threaded import ThreadedServer

log = logging.getLogger(__name__)

READ_CHUNK = 4096
MAX_CONNECTIONS = 64


class _LineSession:
    """One client on one line: the port's session (machine thread) and its reader (loop)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, writer: asyncio.StreamWriter) -> None:
        self.loop = loop
        self.writer = writer

    def outbound(self, data: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            self.loop.call_soon_threadsafe(self._write, data)

    def _write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def detached(self, reason: str) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._close, reason)

    def _close(self, reason: str) -> None:
        if not self.writer.is_closing():
            self.writer.write(f"\r\nvm370: {reason}\r\n".encode("ascii", "replace"))
            self.writer.close()


class TelnetServer(ThreadedServer):
    """Serves ``ports`` (the machine's 2741 lines) to telnet clients."""

    thread_name = "telnet"

    def __init__(self, ports: Sequence[LinePort], host: str, port: int) -> None:
        self.ports = list(ports)
        self.host = host
        self.port = port
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        session = _LineSession(asyncio.get_running_loop(), writer)
        line = next((port for port in self.ports if port.try_connect(session)), None)
        if line is None or len(self._tasks) > MAX_CONNECTIONS:
            if line is not None:
                line.disconnect(session)
            writer.write(f"vm370: all {len(self.ports)} lines are in use; try later\r\n".encode())
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
            return
        try:
            while True:
                data = await reader.read(READ_CHUNK)
                if not data:
                    break
                line.send(session, data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        except Exception:  # one broken session never stops the server
            log.exception("telnet: session failed")
        finally:
            line.disconnect(session)
            writer.close()

    async def start(self) -> int:
        """Listen; return the bound port (useful when asked for port 0)."""
        self._server = await asyncio.start_server(self._track, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

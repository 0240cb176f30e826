"""The TN3270 server in front of CP: connections that never log on, and many from one address."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.terminal.tn3270 import TN3270Server
from vm370.terminal.tn3270_client import TN3270Client


def _session_until_closed(port: int, seconds: float) -> tuple[str | None, float]:
    """Connect as a TN3270 terminal, wait to be dropped; (why it ended, how long it took)."""
    records: list[bytes] = []

    async def run() -> str:
        client = TN3270Client("127.0.0.1", port, records.append)
        await client.connect()
        async with asyncio.timeout(seconds):
            return await client.run()

    started = time.monotonic()
    try:
        reason = asyncio.run(run())
    except TimeoutError:
        reason = None
    return reason, time.monotonic() - started


def test_a_session_where_nobody_logs_on_is_dropped_and_the_display_freed():
    display = TerminalPort(0x0C0)
    display.set_signed_on(False)  # CP's logo: nobody logged on
    server = TN3270Server([display], port=0, negotiation_timeout=3.0)
    server.sign_on_timeout = 0.5
    port = server.start_in_thread()
    try:
        reason, took = _session_until_closed(port, seconds=10)
        assert reason is not None, "the idle session was never dropped"
        assert took < 5
        deadline = time.monotonic() + 5
        while not display.free and time.monotonic() < deadline:
            time.sleep(0.05)
        assert display.free
    finally:
        server.stop()


def test_a_signed_on_session_is_not_dropped():
    display = TerminalPort(0x0C0)
    display.set_signed_on(False)
    display.set_signed_on(True)
    server = TN3270Server([display], port=0, negotiation_timeout=3.0)
    server.sign_on_timeout = 0.3
    port = server.start_in_thread()
    try:
        reason, _ = _session_until_closed(port, seconds=1.5)
        assert reason is None  # still connected when the client gave up waiting
    finally:
        server.stop()


def test_connections_from_one_address_are_limited():
    displays = [TerminalPort(0x0C0 + n) for n in range(4)]
    server = TN3270Server(displays, port=0, negotiation_timeout=5.0)
    server.max_connections_per_address = 2
    port = server.start_in_thread()
    sockets = []
    try:
        for _ in range(3):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        # The third is closed at once: reading it gives end of file.
        sockets[2].settimeout(5)
        data = b""
        try:
            data = sockets[2].recv(4096)
        except TimeoutError:
            data = b"timeout"
        assert data == b""
        # The first two are still being served (their negotiation was started).
        sockets[0].settimeout(5)
        assert sockets[0].recv(4096)
    finally:
        for connection in sockets:
            connection.close()
        server.stop()


def test_the_per_address_count_falls_when_connections_close():
    display = TerminalPort(0x0C0)
    server = TN3270Server([display], port=0, negotiation_timeout=5.0)
    server.max_connections_per_address = 1
    port = server.start_in_thread()
    try:
        first = socket.create_connection(("127.0.0.1", port), timeout=5)
        first.settimeout(5)
        assert first.recv(4096)
        first.close()
        done = threading.Event()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not done.is_set():
            second = socket.create_connection(("127.0.0.1", port), timeout=5)
            second.settimeout(2)
            try:
                if second.recv(4096):
                    done.set()
            except TimeoutError:
                pass
            second.close()
        assert done.is_set()
    finally:
        server.stop()


def test_a_server_with_many_displays_takes_a_connection_for_each():
    # More displays than the least connection limit (64): a user at each can connect.
    displays = [TerminalPort(0x100 + n) for n in range(70)]
    server = TN3270Server(displays, port=0, negotiation_timeout=10.0)
    port = server.start_in_thread()
    sockets = []
    try:
        for n in range(70):
            # one loopback address for each, as the per-address limit wants
            connection = socket.socket()
            connection.bind((f"127.0.2.{n + 1}", 0))
            connection.settimeout(5)
            connection.connect(("127.0.0.1", port))
            sockets.append(connection)
        # every one is being served: the server asks each for its terminal type
        assert all(connection.recv(4096) for connection in sockets)
    finally:
        for connection in sockets:
            connection.close()
        server.stop()

"""The Textual 3270 terminal as a web page, through textual-serve (``vm370 serve --web``).

textual-serve answers HTTP with a page that runs a terminal in the browser
and, for each browser that opens it, starts one process of a command with
Textual's web driver, relaying its screen and keys over a websocket. The
command here is ``vm370 tui --connect`` to the TN3270 server ``vm370 serve``
runs, so each browser is one more TN3270 client of the system, taking a
free 3277 like x3270 would; the page holds no state of its own.

The server runs on an asyncio loop of its own thread, beside the machine's
thread and the TN3270 server's, so Ctrl+C and SIGTERM stay with ``serve``.
textual-serve is an optional dependency (the ``web`` extra).
"""

from __future__ import annotations

import asyncio
import ipaddress
import shlex
import sys
import threading

INSTALL_HINT = "pip install 'vm370[web]'"
PAGE_TITLE = "vm370: VM/370 3270 terminal"


class WebUnavailable(Exception):
    """textual-serve is not installed (the message says how to install it)."""


def connect_address(host: str, port: int) -> str:
    """HOST:PORT for a client on this machine of a server listening on ``host``:``port``.

    A server on every interface (0.0.0.0 or ::) is reached through the loopback."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def terminal_command(tn3270_host: str, tn3270_port: int) -> str:
    """The shell command textual-serve starts for each browser: this Python's ``vm370 tui``."""
    return shlex.join(
        [
            sys.executable,
            "-m",
            "vm370",
            "tui",
            "--connect",
            connect_address(tn3270_host, tn3270_port),
        ]
    )


def require_textual_serve():
    """textual-serve's ``Server`` class; WebUnavailable when it is not installed."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise WebUnavailable(
            f"--web needs textual-serve, which is not installed: {INSTALL_HINT}"
        ) from None
    return Server


class WebTerminalServer:
    """textual-serve's server for ``command`` on ``host``:``port`` (port 0: a free one)."""

    def __init__(self, command: str, host: str, port: int) -> None:
        server_class = require_textual_serve()

        class QuietServer(server_class):
            """textual-serve's server without its banner (``serve`` prints its own line), whose
            page points the browser back at the address the browser used, so port 0 and a
            server on every interface give a page that works."""

            async def on_startup(self, app) -> None:
                pass

            async def handle_index(self, request):
                self.public_url = f"{request.scheme}://{request.host}"
                return await super().handle_index(request)

        self.server = QuietServer(command, host=host, port=port, title=PAGE_TITLE)
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None

    def start_in_thread(self) -> int:
        """Listen and serve on a thread of its own; the port listened on (OSError if it cannot)."""
        ready = threading.Event()
        outcome: list = []

        async def serve() -> None:
            from aiohttp import web

            self._stopping = asyncio.Event()
            # textual-serve builds its routes and page templates here; its own serve() would
            # also take over the process's signals, which belong to ``vm370 serve``.
            app = await self.server._make_app()
            runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2)
            await runner.setup()
            try:
                site = web.TCPSite(runner, self.host, self.port)
                await site.start()
            except BaseException as error:
                outcome.append(error)
                ready.set()
                await runner.cleanup()
                return
            outcome.append(runner.addresses[0][1])
            ready.set()
            try:
                await self._stopping.wait()
            finally:
                await runner.cleanup()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(serve())
            except BaseException as error:
                if not ready.is_set():
                    outcome.append(error)
                    ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="web terminal", daemon=True)
        self._thread.start()
        ready.wait()
        if isinstance(outcome[0], BaseException):
            self._thread.join()
            raise outcome[0]
        self.port = outcome[0]
        return self.port

    def stop(self) -> None:
        """Close the page's server and every terminal process it started."""
        if self._thread is None or not self._thread.is_alive():
            return
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)

"""A whole system run for people at terminals: ``vm370`` (the Textual terminal) and ``vm370 serve``.

The system is anything that runs like a machine (``clock``, ``cpu``,
``run``, ``poll_terminals``) and has ``displays`` (its 3277s), ``machine``
(the real machine, for the teaching panels) and ``shutdown()``: CP's
``RealSystem``. It runs paced on one thread (``PacedRunner``); the TN3270
server serves every display to clients, on a thread of its own (and
``--web``'s page server, vm370/terminal/web.py, on another); the
Textual terminal is the first display's terminal in this process. The
functions return when the run ends (Ctrl+C, SIGTERM, the TUI quit) with
the machine's thread stopped; the caller then shuts the system down
(every user logged off, the packs flushed).

``log_lines`` (a callable giving the lines the system logged since the
last call) is polled between slices and its lines go to ``log``: CP's log
of logons, logoffs and errors, which never holds a password.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from vm370.terminal.runner import DISABLED_WAIT, PacedRunner
from vm370.terminal.tn3270 import TN3270Server


class HostError(Exception):
    """The system cannot be served as asked (the message says why)."""


class _LoggingSystem:
    """The system as the runner sees it, copying the log out after each slice."""

    def __init__(self, system, log_lines: Callable[[], list[str]], log: TextIO) -> None:
        self.system = system
        self.clock = system.clock
        self.cpu = system.cpu
        self.log_lines = log_lines
        self.log = log

    def run(self, max_instructions: int) -> str:
        reason = self.system.run(max_instructions)
        self.copy_log()
        return reason

    def copy_log(self) -> None:
        lines = self.log_lines()
        if lines:
            stamp = time.strftime("%H:%M:%S")
            for line in lines:
                print(f"{stamp} vm370: {line}", file=self.log, flush=True)


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event):
    """SIGINT and SIGTERM set ``stop`` (on the main thread; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def serve_system(
    system,
    tn3270: tuple[str, int],
    log_lines: Callable[[], list[str]] = list,
    out: TextIO = sys.stdout,
    log: TextIO = sys.stderr,
    stop: threading.Event | None = None,
    displays: int | None = None,
    telnet: tuple[str, int] | None = None,
    web: tuple[str, int] | None = None,
) -> None:
    """Serve ``system``'s displays (the first ``displays`` of them) over TN3270, its 2741
    lines (``system.lines``) over telnet and the Textual terminal as a web page (a TN3270
    client of this server, vm370/terminal/web.py) when asked, until stopped."""
    from vm370.terminal.telnet_server import TelnetServer

    stop = stop or threading.Event()
    served = system.displays[:displays] if displays else list(system.displays)
    lines = list(getattr(system, "lines", []))
    logging_system = _LoggingSystem(system, log_lines, log)
    runner = PacedRunner(logging_system, [*system.displays, *lines])
    servers = [TN3270Server([d.port for d in served], tn3270[0], tn3270[1])]
    if telnet is not None:
        servers.append(TelnetServer([line.port for line in lines], telnet[0], telnet[1]))
    ports = []
    try:
        for server, (host, wanted) in zip(servers, (tn3270, telnet), strict=False):
            try:
                ports.append(server.start_in_thread())
            except (OSError, UnicodeError) as error:
                reason = getattr(error, "strerror", None) or error
                raise HostError(f"cannot listen on {host}:{wanted}: {reason}") from None
        names = ", ".join(d.port.name for d in served)
        print(
            f"vm370: serving 3277 {names} on {tn3270[0]}:{ports[0]} (TN3270); Ctrl+C shuts down",
            file=out,
            flush=True,
        )
        if telnet is not None:
            names = ", ".join(line.port.name for line in lines)
            print(
                f"vm370: serving 2741 {names} on {telnet[0]}:{ports[1]} (telnet)",
                file=out,
                flush=True,
            )
        if web is not None:
            # first in the list, so its terminals close before the TN3270 server they use
            servers.insert(0, _start_web_terminal(web, tn3270[0], ports[0], out))
        with _stop_on_signals(stop):
            reason = runner.run(stop)
            if reason == DISABLED_WAIT:
                print("vm370: the real machine stopped (disabled wait)", file=log, flush=True)
    finally:
        for server in servers:
            server.stop()
        logging_system.copy_log()


def _start_web_terminal(web: tuple[str, int], tn3270_host: str, tn3270_port: int, out: TextIO):
    """textual-serve's server for the Textual terminal on ``web``, listening (HostError if not)."""
    from vm370.terminal.web import WebTerminalServer, WebUnavailable, terminal_command

    host, wanted = web
    try:
        server = WebTerminalServer(terminal_command(tn3270_host, tn3270_port), host, wanted)
        port = server.start_in_thread()
    except WebUnavailable as error:
        raise HostError(str(error)) from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise HostError(f"cannot listen on {host}:{wanted}: {reason}") from None
    shown = f"[{host}]" if ":" in host else host
    print(
        f"vm370: serving the 3270 terminal as a web page on http://{shown}:{port}/",
        file=out,
        flush=True,
    )
    return server


def terminal_app(
    system,
    log_lines: Callable[[], list[str]] = list,
    log: TextIO | None = None,
    observer: Callable[[], list] | None = None,
):
    """(the Textual terminal on the first display, the paced runner to run the system with).

    ``observer`` gives the virtual-machines panel its rows (vm370/cp/observe.py)."""
    from vm370.terminal.tui.connection import InProcessLink
    from vm370.terminal.tui.system_app import SystemTerminalApp

    runner = PacedRunner(_LoggingSystem(system, log_lines, log or _Discard()), system.displays)
    first = system.displays[0]
    app = SystemTerminalApp(
        InProcessLink(first.port, first.display.alternate),
        model=first.display.alternate,
        machine=system.machine,
        runner=runner,
        observer=observer,
    )
    return app, runner


def run_terminal(
    system,
    log_lines: Callable[[], list[str]] = list,
    log: TextIO | None = None,
    observer: Callable[[], list] | None = None,
    stop: threading.Event | None = None,
):
    """The Textual terminal on the first display, the system running beside it, until it quits
    (or ``stop`` is set: the terminal then closes too)."""
    from vm370.terminal.tui.connection import MachineStopped

    app, runner = terminal_app(system, log_lines, log, observer)
    stop = stop or threading.Event()
    failure: list[BaseException] = []

    def run_machine() -> None:
        try:
            reason = runner.run(stop)
            if reason == DISABLED_WAIT:
                while not app.is_running and not stop.wait(0.1):
                    pass
                app.post_message(MachineStopped("the real machine is in a disabled wait"))
            elif app.is_running:
                app.call_from_thread(app.exit)  # the system was shut down (SHUTDOWN)
        except Exception as error:  # reported on the main thread below
            failure.append(error)

    thread = threading.Thread(target=run_machine, name="machine", daemon=True)
    thread.start()
    try:
        app.run()
    finally:
        stop.set()
        thread.join(10)
    if failure:
        raise failure[0]


class _Discard:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

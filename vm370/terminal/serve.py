"""``vm370 bare --tn3270`` and ``--tui``: a bare machine run for people at 3270s.

The machine is prepared as ``vm370 bare`` prepares it (files, decks,
devices, IPL or PSW), then runs paced (``PacedRunner``) while its attached
3277s are served: to TN3270 clients by a server on its own thread, and/or to
the Textual terminal in this process. When the program ends in a disabled
wait the screens stay up (and the server keeps serving them) until the user
interrupts (Ctrl+C) or quits the TUI; then the machine's report is returned
as ``vm370 bare`` prints it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import sys
import threading
from typing import TextIO

from vm370.hardware.devices.display3277 import Display3277
from vm370.hardware.machine import BareRun, Machine, MachineError, bare_report, prepare_bare
from vm370.terminal.runner import DISABLED_WAIT, PacedRunner
from vm370.terminal.tn3270 import DEFAULT_HOST, DEFAULT_PORT, TN3270Server
from vm370.terminal.tn3270_client import parse_host_port

POLL_AFTER_STOP = 0.1


def parse_listen_address(text: str) -> tuple[str, int]:
    """--tn3270's HOST:PORT, where a PORT alone means the loopback address; ValueError if bad."""
    if text.isdigit():
        text = f"{DEFAULT_HOST}:{text}"
    return parse_host_port(text, default_port=DEFAULT_PORT)


def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine's loopback interface.

    "0", "0.0.0.0", "::" and network addresses serve other machines; a host
    name counts as loopback only if every address it resolves to is.
    """
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(address.split("%")[0]).is_loopback for address in addresses
    )


def attached_displays(machine: Machine) -> list[Display3277]:
    devices = machine.channels.devices if machine.channels is not None else {}
    return [devices[a] for a in sorted(devices) if isinstance(devices[a], Display3277)]


def serve_bare(
    request: BareRun,
    machine: Machine | None = None,
    tn3270: tuple[str, int] | None = None,
    tui: bool = False,
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
    tls: ssl.SSLContext | None = None,
) -> dict:
    """Run the bare machine for its 3277s until interrupted; return the report."""
    attached: list = []
    try:
        machine, attached = prepare_bare(request, machine)
        displays = attached_displays(machine)
        if not displays:
            raise MachineError("no 3277 is attached to serve: add one, e.g. --attach 0C0=3277")
        stop = stop or threading.Event()
        runner = PacedRunner(machine, displays)
        server = None
        if tn3270 is not None:
            server = TN3270Server([d.port for d in displays], tn3270[0], tn3270[1], tls=tls)
            try:
                port = server.start_in_thread()
            except (OSError, UnicodeError) as error:  # UnicodeError: a host name over 63
                reason = getattr(error, "strerror", None) or error
                raise MachineError(f"cannot listen on {tn3270[0]}:{tn3270[1]}: {reason}") from None
            names = ", ".join(d.port.name for d in displays)
            over = " over TLS" if tls is not None else ""
            print(f"tn3270: serving 3277 {names} on {tn3270[0]}:{port}{over}", file=out, flush=True)
            if not is_loopback(tn3270[0]):
                encryption = (
                    "sessions are encrypted (TLS)"
                    if tls is not None
                    else "sessions are NOT encrypted (see --tls-cert)"
                )
                print(
                    f"tn3270: public: {tn3270[0]}:{port} can be reached from other machines and "
                    f"anyone who connects gets a 3277; {encryption}",
                    file=sys.stderr,
                    flush=True,
                )
        before = machine.cpu.instructions_executed
        result: list[str] = []

        failure: list[BaseException] = []
        app = None
        if tui:
            from vm370.terminal.tui.app import TerminalApp
            from vm370.terminal.tui.connection import InProcessLink, MachineStopped

            first = displays[0]
            app = TerminalApp(
                InProcessLink(first.port, first.display.alternate),
                model=first.display.alternate,
                machine=machine,
                runner=runner,
            )

        def run_machine() -> None:
            try:
                reason = runner.run(stop)
            except Exception as error:  # reported on the main thread below
                failure.append(error)
                stop.set()
                return
            result.append(reason)
            if reason != DISABLED_WAIT:
                return
            if app is not None:
                while not app.is_running and not stop.wait(POLL_AFTER_STOP):
                    pass  # a message needs the app's event loop
                app.post_message(MachineStopped("the machine is in a disabled wait"))
            else:
                print(
                    "the machine is in a disabled wait; screens stay up until Ctrl+C",
                    file=out,
                    flush=True,
                )
            # Terminals may still connect (or reconnect) to see the last screen.
            while not stop.wait(POLL_AFTER_STOP):
                runner.poll_terminals()

        try:
            if app is not None:
                thread = threading.Thread(target=run_machine, name="machine", daemon=True)
                thread.start()
                app.run()
                stop.set()
                thread.join(5)
            else:
                with contextlib.suppress(KeyboardInterrupt):
                    run_machine()
        finally:
            stop.set()
            if server is not None:
                server.stop()
        if failure:
            raise failure[0]
        reason = result[0] if result else "stopped"
        return bare_report(machine, request, reason, machine.cpu.instructions_executed - before)
    finally:
        for device in attached:
            device.close()
        if machine is not None and machine.channels is not None:
            machine.channels.close()

"""Hercules 3.13 as a reference CPU for differential tests.

Hercules runs in daemon mode (``hercules -d``) in S/370 architecture mode with
no console. Its panel commands come from the file named by ``HERCULES_RC``,
which here is a named pipe that this module keeps open and writes to; its
messages come back on stdout. After every command the driver writes a
comment line (``* vm370-sync-N``), which Hercules echoes once the command
before it has finished, so each reply is read exactly up to that marker.

One ``HerculesSession`` serves many programs: for each one it stops the CPU,
clears the system (``sysclear``: storage, keys and registers to zero), loads
the core image (``loadcore``), sets the PSW field by field (``psw``) and
starts the CPU (``start``). The program ends when Hercules reports a disabled
wait (message HHCCP011I); the driver then reads the registers (``gpr``,
``fpr``, ``psw``) and the requested storage ranges (``savecore`` into a
temporary file). A program that does not reach a disabled wait in time ends
the session (the process group is killed) and raises ``HerculesTimeout``;
the next ``run`` starts a new Hercules. Hercules is started under
``setpriv --pdeathsig KILL`` where that exists, so it cannot outlive a test
process that is killed outright.

Use::

    with HerculesSession() as hercules:
        result = hercules.run(image, psw, dumps=[(0x1000, 0x100)])
    result.gpr, result.fpr, result.psw, result.dump(0x1000, 4)

or ``run_program(image, psw, ...)`` for a single program.

Facts about Hercules 3.13 this relies on, found by experiment:

- the configuration needs at least one device and ``MAINSIZE`` is in whole
  megabytes with a minimum of 2;
- ``loadcore``, ``sysclear`` and ``savecore`` are rejected while the CPU is
  not stopped (HHCPN111E, HHCPN053E, HHCPN102E), and a CPU that loads a
  disabled-wait PSW stops a moment after it reports HHCCP011I, so those
  commands are retried until accepted;
- ``savecore`` refuses to overwrite a file, so every dump gets a new name;
- the disabled-wait message has two lines, the second one the wait PSW;
- messages of the CPU thread (program-check traces, the disabled wait) can be
  interleaved with command output in mid-line, so program-check tracing is
  off (``OSTAILOR QUIET``) and no command is sent between ``start`` and the
  disabled-wait message;
- in S/370 mode the interval timer at location 80 runs on its own, even with
  the CPU stopped: compare storage around it, never over it.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import itertools
import math
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERCULES_EXECUTABLE = "hercules"
MEGABYTE = 1 << 20
MINIMUM_STORAGE = 2 * MEGABYTE

# Command rejections that mean "the CPU has not finished stopping yet".
_NOT_STOPPED = ("HHCPN111E", "HHCPN053E", "HHCPN102E")
_DISABLED_WAIT = "HHCCP011I"
_GPR_PATTERN = re.compile(r"GR([0-9A-F]{2})=([0-9A-F]{8})")
_FPR_PATTERN = re.compile(r"FPR([0246])=([0-9A-F]{8}) ([0-9A-F]{8})")
_PSW_PATTERN = re.compile(r"^PSW=([0-9A-F]{8}) ([0-9A-F]{8})\s*$")


class HerculesError(Exception):
    """Hercules could not be started or did something the driver did not expect."""


class HerculesUnavailable(HerculesError):
    """The ``hercules`` executable is not installed."""


class HerculesTimeout(HerculesError):
    """Hercules did not answer, or the program did not reach a disabled wait, in time."""


def hercules_path() -> str | None:
    """Where the ``hercules`` executable is, or None when it is not on PATH."""
    return shutil.which(HERCULES_EXECUTABLE)


@dataclass(frozen=True)
class HerculesResult:
    """The machine state at the disabled wait that ended a program."""

    psw: int
    gpr: tuple[int, ...]
    fpr: tuple[int, ...]
    storage: dict[int, bytes]

    @property
    def condition_code(self) -> int:
        """PSW bits 34-35 of the wait PSW."""
        return (self.psw >> 28) & 3

    @property
    def instruction_address(self) -> int:
        """PSW bits 40-63 of the wait PSW."""
        return self.psw & 0xFFFFFF

    def dump(self, address: int, length: int) -> bytes:
        """``length`` bytes at ``address`` from one of the saved ranges."""
        for start, data in self.storage.items():
            if start <= address and address + length <= start + len(data):
                return data[address - start : address - start + length]
        raise KeyError(f"storage {address:06X}+{length:X} was not saved")


def _psw_operands(psw: int) -> str:
    """The ``psw`` panel command's operands that set a BC-mode PSW."""
    system_mask = (psw >> 56) & 0xFF
    key = (psw >> 52) & 0xF
    cmwp = (psw >> 48) & 0xF
    if cmwp & 0x8:
        # S/370 bit 12 is the EC-mode bit (the S/360 ASCII bit): BC mode only.
        raise ValueError(f"PSW {psw:016X} has bit 12 on; only BC-mode PSWs can be run")
    condition_code = (psw >> 28) & 3
    program_mask = (psw >> 24) & 0xF
    address = psw & 0xFFFFFF
    return (
        f"sm={system_mask:02X} pk={key} cmwp={cmwp:X} cc={condition_code} "
        f"pm={program_mask:X} ia={address:X}"
    )


def _dying_with_parent(command: list[str]) -> list[str]:
    """``command`` run so that Linux kills it if the test process dies first.

    Without this a test run killed outright would leave Hercules running:
    when the command pipe's writer goes, Hercules only stops reading
    commands. util-linux's ``setpriv`` sets the parent-death signal and execs
    (a ``preexec_fn`` would do the same but is unsafe with threads, which
    pytest-xdist workers have).
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return command
    return [setpriv, "--pdeathsig", "KILL", "--", *command]


def _kill_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _cleanup(process: subprocess.Popen | None, pipe_fd: int | None, directory: str) -> None:
    """Last-resort cleanup, also run by the finalizer if a session is never closed."""
    if pipe_fd is not None:
        with contextlib.suppress(OSError):
            os.close(pipe_fd)
    if process is not None:
        _kill_process_group(process)
        if process.stdout is not None:
            process.stdout.close()
    shutil.rmtree(directory, ignore_errors=True)


class HerculesSession:
    """One running Hercules process that runs programs one after another.

    Use as a context manager, or call ``close()``; both always stop the
    process and remove the temporary directory. After a timeout or a crash
    the process is gone; the next ``run`` starts a fresh one. Not thread-safe.
    """

    def __init__(
        self,
        storage_size: int = MINIMUM_STORAGE,
        *,
        executable: str | None = None,
        command_timeout: float = 10.0,
    ) -> None:
        path = executable or hercules_path()
        if path is None:
            raise HerculesUnavailable("hercules is not installed (Debian package 'hercules')")
        self.executable = path
        self.storage_size = storage_size
        self.command_timeout = command_timeout
        self._directory = ""
        self._process: subprocess.Popen | None = None
        self._pipe_fd: int | None = None
        self._pending = b""
        # The last lines Hercules wrote, for error messages.
        self._recent: collections.deque[str] = collections.deque(maxlen=40)
        self._serial = itertools.count(1)
        self._finalizer: weakref.finalize | None = None
        self._start()

    def __enter__(self) -> HerculesSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _start(self) -> None:
        """Start Hercules in a new temporary directory; on any failure leave nothing behind."""
        self._directory = tempfile.mkdtemp(prefix="vm370-hercules-")
        self._process = None
        self._pipe_fd = None
        self._pending = b""
        self._finalizer = weakref.finalize(self, _cleanup, None, None, self._directory)
        try:
            self._launch()
        except BaseException:
            self.close()
            raise

    def _launch(self) -> None:
        directory = Path(self._directory)
        megabytes = max(2, math.ceil(self.storage_size / MEGABYTE))
        config = directory / "vm370.cnf"
        # Hercules refuses a configuration without devices; the printer is never used.
        config.write_text(
            f"ARCHMODE S/370\nMAINSIZE {megabytes}\nNUMCPU 1\nCPUSERIAL 000360\n"
            "CPUMODEL 0067\nOSTAILOR QUIET\n000E 1403 /dev/null\n"
        )
        pipe = directory / "commands.fifo"
        os.mkfifo(pipe)
        environment = dict(os.environ, HERCULES_RC=str(pipe))
        self._process = subprocess.Popen(
            _dying_with_parent([self.executable, "-d", "-f", str(config)]),
            cwd=directory,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _cleanup, self._process, None, self._directory)
        deadline = time.monotonic() + self.command_timeout
        while True:
            try:
                self._pipe_fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as error:
                if error.errno != errno.ENXIO:
                    raise
            if self._process.poll() is not None:
                raise HerculesError(f"hercules exited at start-up: {self._read_available()}")
            if time.monotonic() > deadline:
                raise HerculesTimeout("hercules did not open its command pipe")
            time.sleep(0.005)
        os.set_blocking(self._pipe_fd, True)
        self._finalizer.detach()
        self._finalizer = weakref.finalize(
            self, _cleanup, self._process, self._pipe_fd, self._directory
        )
        self.command("* vm370 session start")

    def _read_available(self) -> str:
        if self._process is None or self._process.stdout is None:
            return ""
        with contextlib.suppress(OSError):
            os.set_blocking(self._process.stdout.fileno(), False)
            return os.read(self._process.stdout.fileno(), 65536).decode(errors="replace")
        return ""

    def _next_line(self, deadline: float) -> str:
        """The next line of Hercules' output; HerculesTimeout at the deadline."""
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout.fileno()
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HerculesTimeout(
                    "hercules did not answer in time; its last lines:\n" + "\n".join(self._recent)
                )
            ready, _, _ = select.select([stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(stdout, 65536)
            if not chunk:
                raise HerculesError("hercules exited unexpectedly")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        text = line.decode(errors="replace").rstrip("\r")
        self._recent.append(text)
        return text

    def _send(self, text: str) -> None:
        if not self.alive or self._pipe_fd is None:
            raise HerculesError("hercules is not running")
        try:
            os.write(self._pipe_fd, text.encode() + b"\n")
        except BrokenPipeError as error:
            raise HerculesError("hercules stopped reading commands") from error

    def command(self, text: str, timeout: float | None = None) -> list[str]:
        """Run one panel command; return the lines Hercules wrote until it finished."""
        marker = f"* vm370-sync-{next(self._serial)}"
        self._send(text)
        self._send(marker)
        deadline = time.monotonic() + (timeout or self.command_timeout)
        lines = []
        while marker not in (line := self._next_line(deadline)):
            lines.append(line)
        return lines

    def _command_when_stopped(self, text: str) -> list[str]:
        """Run a command that needs a stopped CPU, retrying while the CPU stops."""
        deadline = time.monotonic() + self.command_timeout
        while True:
            lines = self.command(text)
            if not any(code in line for line in lines for code in _NOT_STOPPED):
                return lines
            if time.monotonic() > deadline:
                raise HerculesTimeout(f"the CPU did not stop for {text!r}")
            time.sleep(0.002)

    def _check(self, lines: Sequence[str], success: str, what: str) -> None:
        if not any(success in line for line in lines):
            raise HerculesError(f"{what} failed: {' | '.join(lines)}")

    def run(
        self,
        image: bytes,
        psw: int,
        *,
        load_address: int = 0,
        dumps: Iterable[tuple[int, int]] = (),
        timeout: float = 5.0,
    ) -> HerculesResult:
        """Load ``image`` at ``load_address``, run from BC-mode ``psw`` to a disabled wait.

        ``dumps`` are (address, length) ranges of storage to return. On a
        timeout or any other error the process is killed and the error
        raised; the next ``run`` starts a new process.
        """
        operands = _psw_operands(psw)
        if not self.alive:
            self._start()
        serial = next(self._serial)
        core = Path(self._directory) / f"core-{serial}.bin"
        core.write_bytes(image)
        try:
            self.command("stop")
            self._command_when_stopped("sysclear")
            lines = self._command_when_stopped(f"loadcore {core} {load_address:X}")
            self._check(lines, "HHCPN113I", "loadcore")
            lines = self.command(f"psw {operands}")
            self._check(lines, "PSW=", "psw")
            # No marker after "start": the CPU thread's message must not be
            # interleaved with the echo of another command.
            self._send("start")
            deadline = time.monotonic() + timeout
            while _DISABLED_WAIT not in self._next_line(deadline):
                pass
            self._next_line(deadline)  # the wait PSW, the message's second line
            return self._collect(list(dumps))
        except HerculesError:
            self.close()
            raise
        finally:
            core.unlink(missing_ok=True)

    def _collect(self, dumps: list[tuple[int, int]]) -> HerculesResult:
        gpr = [0] * 16
        for line in self.command("gpr"):
            for number, value in _GPR_PATTERN.findall(line):
                gpr[int(number)] = int(value, 16)
        fpr = [0] * 4
        for line in self.command("fpr"):
            for number, high, low in _FPR_PATTERN.findall(line):
                fpr[int(number) // 2] = int(high + low, 16)
        psw = None
        for line in self.command("psw"):
            match = _PSW_PATTERN.match(line.strip())
            if match:
                psw = int(match.group(1) + match.group(2), 16)
        if psw is None:
            raise HerculesError("psw display not understood")
        storage = {}
        for address, length in dumps:
            if length <= 0:
                continue
            path = Path(self._directory) / f"dump-{next(self._serial)}.bin"
            lines = self._command_when_stopped(
                f"savecore {path} {address:X} {address + length - 1:X}"
            )
            self._check(lines, "HHCPN170I", "savecore")
            storage[address] = path.read_bytes()
            path.unlink()
            if len(storage[address]) != length:
                raise HerculesError(f"savecore wrote {len(storage[address])} bytes, not {length}")
        return HerculesResult(psw=psw, gpr=tuple(gpr), fpr=tuple(fpr), storage=storage)

    def close(self) -> None:
        """Quit Hercules (killing it if it does not go) and remove the temporary files."""
        if self.alive and self._pipe_fd is not None:
            with contextlib.suppress(OSError):
                os.write(self._pipe_fd, b"quit\n")
            with contextlib.suppress(subprocess.TimeoutExpired):
                assert self._process is not None
                self._process.wait(timeout=3)
        if self._finalizer is not None:
            self._finalizer()
        self._pipe_fd = None
        self._process = None


def run_program(
    image: bytes,
    psw: int,
    *,
    storage_size: int = MINIMUM_STORAGE,
    load_address: int = 0,
    dumps: Iterable[tuple[int, int]] = (),
    timeout: float = 5.0,
) -> HerculesResult:
    """Run one program in a Hercules started for it alone."""
    with HerculesSession(storage_size) as session:
        return session.run(image, psw, load_address=load_address, dumps=dumps, timeout=timeout)

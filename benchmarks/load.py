"""Load and faults: many users at once, malformed clients, and a server killed mid-write.

    python benchmarks/load.py [users|garbage|kill|all] [--users N] [--commands N]
                              [--streams N] [--rounds N] [--sessions N]

Every part generates a system with ``vm370 init DIR --users N`` in a
temporary folder, widens its DISPLAY line so each client has a 3277, and
runs ``vm370 serve`` as a separate process on 127.0.0.1 (port 0). Clients
are this project's TN3270 client (vm370/terminal/session.py's RemoteDriver,
one thread each), light enough for 50 at once.

- users: N users (default 50) log on at once; each types COMMANDS (default
  10) CMS commands in turn (QUERY DISK, LISTFILE); prints the p50 and p95
  time from Enter to CMS's ready line at the next VM READ.
- garbage: STREAMS (default 1,000) malformed connections (random bytes,
  broken telnet negotiations, oversized records, bad 3270 data after a good
  negotiation), four at a time, while two good users keep typing QUERY
  DISK; prints how many good round trips failed and the time taken.
- kill: ROUNDS (default 25) of SESSIONS (default 4) ``vm370 session``
  processes (100 sessions), each copying files with COPYFILE, while
  ``vm370 serve`` is killed with SIGKILL at a random moment (1 to 8 seconds
  in, so some sessions are still logging on and some are copying); the
  system is started again and
  stopped, then ``vm370 cms check`` and ``vm370 cms list`` read every
  user's 191: prints how many files CMS reported written (its ``R;``) and
  how many of those are missing.

A benchmark, not a test: it prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from vm370.hardware.display3270 import MODELS  # noqa: E402
from vm370.terminal.session import (  # noqa: E402
    RemoteDriver,
    RemotePort,
    SessionError,
    TranscriptTerminal,
)
from vm370.terminal.tn3270_client import CONNECT_TIMEOUT, TN3270Client, TN3270ClientError  # noqa: E402

HOST = "127.0.0.1"
ROUND_TRIP_SECONDS = 120.0
LOGON_SECONDS = 90.0
KILL_AFTER_SECONDS = (1.0, 8.0)  # when, after the sessions start, serve is killed
IAC, SB, SE, WILL, DO, EOR = 255, 250, 240, 251, 253, 239


def vm370(*arguments: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vm370", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        **options,
    )


def generate(folder: Path, users: int, displays: int) -> dict[str, str]:
    """A standard system with ``displays`` 3277s; returns each user's password."""
    result = vm370("init", str(folder), "--users", str(users))
    if result.returncode:
        raise SystemExit(f"vm370 init failed: {result.stderr.strip()}")
    conf = folder / "system.conf"
    last = 0xC0 + displays - 1
    text = re.sub(
        r"^DISPLAY .*$",
        f"DISPLAY 0C0-{last:03X} 3277 MODEL 2",
        conf.read_text(),
        flags=re.MULTILINE,
    )
    conf.write_text(text)
    passwords = {}
    for line in (folder / "passwords.txt").read_text().splitlines():
        userid, password = line.split()
        passwords[userid] = password
    return passwords


class Server:
    """``vm370 serve`` in its own process; its port from the first line it prints."""

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vm370",
                "serve",
                "--data",
                str(folder),
                "--tn3270",
                f"{HOST}:0",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(folder / "serve.log").open("w"),
            text=True,
        )
        self.log = folder / "serve.log"
        line = self.process.stdout.readline()
        found = re.search(r"on 127\.0\.0\.1:(\d+)", line)
        if not found:
            self.process.kill()
            raise SystemExit(f"vm370 serve did not start: {line!r}")
        self.port = int(found.group(1))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


class SourcedClient(TN3270Client):
    """A TN3270 client that connects from a chosen loopback address.

    The server lets at most 8 connections come from one address, so each good
    user here comes from its own 127.0.1.N (all of 127/8 is the loopback).
    """

    def __init__(self, host: str, port: int, on_record, source: str) -> None:
        super().__init__(host, port, on_record)
        self.source = source

    async def connect(self) -> None:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                self.reader, self.writer = await asyncio.open_connection(
                    self.host, self.port, local_addr=(self.source, 0)
                )
        except (OSError, TimeoutError) as error:
            raise TN3270ClientError(f"cannot connect to {self.name}: {error}") from None


def remote_driver(port: int, source: str) -> RemoteDriver:
    driver = RemoteDriver.__new__(RemoteDriver)
    driver.port = RemotePort(HOST, port, "IBM-3278-2")
    driver.port._client = SourcedClient(HOST, port, driver.port._record, source)
    driver.terminal = TranscriptTerminal(driver.port, MODELS[2])
    return driver


def close_driver(driver: RemoteDriver) -> None:
    """Disconnect, then close the client's event loop (its thread has ended)."""
    driver.close()
    if not driver.port._loop.is_running():
        driver.port._loop.close()


def log_on(port: int, userid: str, password: str) -> RemoteDriver:
    driver = remote_driver(port, f"127.0.1.{int(userid.removeprefix('USER'))}")
    terminal = driver.terminal
    if not driver.wait(lambda: terminal.ready() and "VM/370 ONLINE" in terminal.text()):
        raise SessionError("no logo")
    terminal.type_line(f"LOGON {userid}")
    if not driver.wait(lambda: "ENTER PASSWORD:" in terminal.text() and terminal.ready()):
        raise SessionError("no password prompt")
    terminal.type_line(password)
    deadline = time.monotonic() + LOGON_SECONDS
    while not driver.wait(lambda: terminal.status() == "VM READ" and terminal.ready()):
        if time.monotonic() > deadline:
            raise SessionError(f"{userid} did not reach CMS")
    return driver


def round_trip(driver: RemoteDriver, command: str) -> float:
    """Type ``command`` at VM READ; seconds until CMS's ready line and the next VM READ."""
    terminal = driver.terminal
    start_line = len(terminal.lines)

    def answered() -> bool:
        if terminal.status() == "MORE..." and not terminal.keyboard_locked():
            terminal.press("PA2")
            return False
        new = terminal.lines[start_line:]
        return (
            any(line.startswith(("R;", "R(")) for line in new)
            and terminal.ready()
            and terminal.status() == "VM READ"
        )

    started = time.perf_counter()
    if not terminal.type_line(command):
        raise SessionError("the keyboard was locked")
    deadline = started + ROUND_TRIP_SECONDS
    while not driver.wait(answered):
        if time.perf_counter() > deadline:
            raise SessionError(f"no answer to {command}")
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def many_users(users: int, commands: int) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        passwords = generate(folder, users, users)
        server = Server(folder)
        times: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        gate = threading.Barrier(users)
        logged_on = {"count": 0, "seconds": 0.0}

        def user(index: int) -> None:
            userid = f"USER{index + 1}"
            driver = None
            try:
                try:
                    driver = log_on(server.port, userid, passwords[userid])
                    with lock:
                        logged_on["count"] += 1
                        logged_on["seconds"] = time.perf_counter() - started
                finally:
                    gate.wait(LOGON_SECONDS + 60)  # the commands start when every LOGON is done
                if driver is None:
                    return
                for number in range(commands):
                    took = round_trip(driver, ("QUERY DISK", "LISTFILE")[number % 2])
                    with lock:
                        times.append(took)
            except (SessionError, threading.BrokenBarrierError) as error:
                with lock:
                    failures.append(str(error).replace(userid, "USERn"))
            finally:
                if driver is not None:
                    close_driver(driver)

        started = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server.stop()
        log_tail = server.log.read_text().splitlines()[-3:] if failures else []
    for line in log_tail:
        print(f"  serve: {line}")
    print(f"{users} users at once, {commands} CMS commands each (QUERY DISK, LISTFILE):")
    if times:
        print(
            f"  Enter to VM READ: p50 {percentile(times, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.0f} ms, "
            f"mean {statistics.mean(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
    print(
        f"  {logged_on['count']} logged on at once in {logged_on['seconds']:.1f} s; "
        f"{len(times)} round trips, {len(failures)} users failed, {elapsed:.1f} s in all"
    )
    for reason, count in collections.Counter(failures).most_common(5):
        print(f"  {count} failed: {reason}")


def malformed(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 4096))
    if kind == 1:  # a subnegotiation that never ends
        return bytes([IAC, SB, 24, 0]) + rng.randbytes(rng.randrange(1, 2000))
    if kind == 2:  # negotiation requests over and over
        return bytes([IAC, DO, 24, IAC, WILL, 0, IAC, DO, 25]) * rng.randrange(1, 3000)
    if kind == 3:  # an oversized record
        return bytes([IAC, WILL, 0, IAC, WILL, 25]) + b"\x7d" * rng.randrange(70_000, 300_000)
    if kind == 4:  # a good negotiation, then 3270 data that is not
        good = bytes([IAC, WILL, 24, IAC, SB, 24, 0]) + b"IBM-3278-2" + bytes([IAC, SE])
        good += bytes([IAC, WILL, 0, IAC, DO, 0, IAC, WILL, 25, IAC, DO, 25])
        return good + rng.randbytes(rng.randrange(1, 500)) + bytes([IAC, EOR])
    return bytes([IAC]) * rng.randrange(1, 100) + bytes([IAC, SE, IAC, 0])


def bad_client(port: int, payload: bytes, rng: random.Random) -> None:
    try:
        with socket.create_connection((HOST, port), timeout=5) as sock:
            sock.settimeout(0.5)
            try:
                sock.sendall(payload)
                if rng.random() < 0.5:
                    sock.recv(65536)
            except OSError:
                pass
            if rng.random() < 0.3:  # a reset instead of a close
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    except OSError:
        pass


def garbage(streams: int, good_users: int = 2, workers: int = 4) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        passwords = generate(folder, good_users, good_users + workers + 2)
        server = Server(folder)
        drivers = [
            log_on(server.port, f"USER{i + 1}", passwords[f"USER{i + 1}"])
            for i in range(good_users)
        ]
        done = threading.Event()
        counts = {"good": 0, "failed": 0}
        lock = threading.Lock()

        def good(driver: RemoteDriver) -> None:
            while not done.is_set():
                try:
                    round_trip(driver, "QUERY DISK")
                    outcome = "good"
                except SessionError:
                    outcome = "failed"
                with lock:
                    counts[outcome] += 1
                if outcome == "failed":
                    return

        sent = {"count": 0}

        def attacker(seed: int) -> None:
            rng = random.Random(seed)
            while True:
                with lock:
                    if sent["count"] >= streams:
                        return
                    sent["count"] += 1
                bad_client(server.port, malformed(rng), rng)

        goods = [threading.Thread(target=good, args=(d,)) for d in drivers]
        bads = [threading.Thread(target=attacker, args=(seed,)) for seed in range(workers)]
        started = time.perf_counter()
        for thread in goods + bads:
            thread.start()
        for thread in bads:
            thread.join()
        elapsed = time.perf_counter() - started
        done.set()
        for thread in goods:
            thread.join(ROUND_TRIP_SECONDS)
        after = 0
        for driver in drivers:
            try:
                round_trip(driver, "QUERY DISK")
                after += 1
            except SessionError:
                pass
            close_driver(driver)
        alive = server.process.poll() is None
        server.stop()
    print(f"{streams} malformed streams ({workers} at a time) against vm370 serve:")
    print(
        f"  {elapsed:.1f} s; good round trips meanwhile: {counts['good']} answered, "
        f"{counts['failed']} failed; after: {after} of {good_users} users answer; "
        f"server {'still running' if alive else 'GONE'}"
    )


WRITTEN = re.compile(r"COPYFILE HELLO ASSEMBLE A (\w+) ASSEMBLE A")


def reported_written(transcript: str) -> set[str]:
    """The files whose COPYFILE line is followed by CMS's ``R;``."""
    files = set()
    lines = transcript.splitlines()
    for index, line in enumerate(lines):
        match = WRITTEN.fullmatch(line.strip())
        if match and index + 1 < len(lines) and lines[index + 1].startswith("R;"):
            files.add(match.group(1))
    return files


def _communicate(child: subprocess.Popen, script: str, outputs: dict, userid: str) -> None:
    outputs[userid] = child.communicate(script, timeout=300)[0]


def kill_rounds(rounds: int, sessions: int, files_each: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    written: dict[str, set[str]] = {}
    totals = {"sessions": 0, "kills": 0, "missing": 0, "check_failed": 0, "restarts": 0}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        passwords = generate(folder, sessions, sessions)
        for round_number in range(rounds):
            server = Server(folder)
            children = []
            for index in range(sessions):
                userid = f"USER{index + 1}"
                script = "".join(
                    f"COPYFILE HELLO ASSEMBLE A R{round_number:02d}S{index}N{n:02d} ASSEMBLE A\n"
                    for n in range(files_each)
                )
                child = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "vm370",
                        "session",
                        "--connect",
                        f"{HOST}:{server.port}",
                        "--user",
                        userid,
                    ],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                    env={**os.environ, "VM370_PASSWORD": passwords[userid]},
                )
                children.append((userid, child, script))
            readers = []
            outputs: dict[str, str] = {}
            for userid, child, script in children:
                thread = threading.Thread(
                    target=_communicate, args=(child, script, outputs, userid)
                )
                thread.start()
                readers.append(thread)
            time.sleep(rng.uniform(KILL_AFTER_SECONDS[0], KILL_AFTER_SECONDS[1]))
            if server.process.poll() is None:
                server.kill()
                totals["kills"] += 1
            for thread in readers:
                thread.join()
            totals["sessions"] += sessions
            for userid, text in outputs.items():
                written.setdefault(userid, set()).update(reported_written(text))
            again = Server(folder)  # the stale lock of the killed server is cleared
            totals["restarts"] += 1
            again.stop()
        for userid, files in written.items():
            check = vm370("cms", "check", "--data", str(folder), "--user", userid, "--cuu", "191")
            if check.returncode:
                totals["check_failed"] += 1
                print(f"  {userid}: {check.stdout.strip()} {check.stderr.strip()}")
            listing = vm370("cms", "list", "--data", str(folder), "--user", userid, "--cuu", "191")
            present = {line.split()[0] for line in listing.stdout.splitlines()[2:] if line.split()}
            totals["missing"] += len(files - present)
    reported = sum(len(files) for files in written.values())
    print(
        f"kill -9 of vm370 serve during COPYFILE sessions: {rounds} rounds, "
        f"{totals['sessions']} sessions, {totals['kills']} kills, {totals['restarts']} restarts"
    )
    print(
        f"  {reported} files CMS reported written, {totals['missing']} missing; "
        f"{totals['check_failed']} of {len(written)} disks failed vm370 cms check"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part", nargs="?", default="all", choices=("users", "garbage", "kill", "all")
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--commands", type=int, default=10)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--files", type=int, default=30)
    args = parser.parse_args()
    if not 1 <= args.users <= 99:
        parser.error("--users is from 1 to 99")
    if args.part in ("users", "all"):
        many_users(args.users, args.commands)
    if args.part in ("garbage", "all"):
        garbage(args.streams)
    if args.part in ("kill", "all"):
        kill_rounds(args.rounds, args.sessions, args.files)


if __name__ == "__main__":
    main()

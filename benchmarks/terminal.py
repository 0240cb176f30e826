"""3270 speed: TN3270 round trips with s3270, and TUI frames for full-screen writes.

    python benchmarks/terminal.py [ROUND_TRIPS] [SECONDS]

Round trips: the echo demo (decks/echo3277.asm) runs on the emulated CPU,
paced, behind the TN3270 server; s3270 types a line, presses Enter and waits
until the program has read it, echoed it and unlocked the keyboard. Each
round trip is the whole path: telnet, the 3277's queue, attention, the I/O
interruption, Read Modified, the echo write, and back to the client.

TUI frames: a small program on the emulated CPU writes full 24x80 screens
(Erase/Write of 1,920 characters) as fast as its channel lets it; the
Textual terminal, headless, applies each record and redraws. The figures
are records applied and screen frames drawn per second of wall time.

A benchmark, not a test: it prints figures and never fails on speed. The
s3270 part is skipped when s3270 is not installed.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from assembler import assemble  # noqa: E402
from assembler.loader import load  # noqa: E402
from vm370.hardware.devices.display3277 import Display3277  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402
from vm370.terminal.runner import PacedRunner  # noqa: E402
from vm370.terminal.tn3270 import TN3270Server  # noqa: E402

LOAD_ADDRESS = 0x2000

# Erase/Write a full screen of one letter, forever, stepping the letter.
FULL_SCREEN_WRITER = """\
WRITER   START 0
         BALR  12,0
         USING *,12
         MVC   120(8,0),IONEW
AGAIN    LA    1,CCW
         ST    1,72(0,0)
         SIO   X'0C0'(0)
         BC    7,AGAIN
         LPSW  WAITPSW
IOINT    TM    68(0),X'04'          device end?
         BZ    WAITMORE
         TR    TEXT,NEXT            step every letter A-I
         B     AGAIN
WAITMORE LPSW  WAITPSW
         DS    0D
IONEW    DC    X'00000000',A(IOINT)
WAITPSW  DC    X'80020000',A(0)
CCW      CCW   X'05',DATA,X'20',TEXTEND-DATA
DATA     DC    X'C3'
TEXT     DC    1920C'A'
TEXTEND  EQU   *
NEXT     DC    256X'00'
         ORG   NEXT+C'A'
         DC    C'BCDEFGHIA'
         ORG
         END   WRITER
"""


def machine_with(source: str, name: str) -> tuple[Machine, Display3277]:
    result = assemble(source, deck_name=name)
    if result.return_code:
        raise SystemExit(f"{name} does not assemble: {result.diagnostics}")
    machine = Machine(64 * 1024)
    load([(result.object_deck, LOAD_ADDRESS)], machine.storage)
    device = Display3277()
    machine.attach(0x0C0, device)
    machine.set_psw(LOAD_ADDRESS)
    return machine, device


def round_trips(count: int) -> None:
    from s3270_driver import S3270

    source = (ROOT / "decks" / "echo3277.asm").read_text()
    machine, device = machine_with(source, "ECHO")
    runner = PacedRunner(machine, [device], slice_instructions=5_000)
    stop = threading.Event()
    thread = runner.start_in_thread(stop)
    server = TN3270Server([device.port], port=0)
    server.start_in_thread()
    terminal = S3270("-model", "3278-2")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.wait_for_text("ECHO DEMO")
        terminal.do("Wait(5,InputField)")
        started = time.perf_counter()
        for number in range(count):
            terminal.do(f'String("round trip {number}")')
            terminal.do("Enter()")
            terminal.do("Wait(5,Unlock)")
        elapsed = time.perf_counter() - started
        last = terminal.screen()[5]
    finally:
        terminal.close()
        server.stop()
        stop.set()
        thread.join(5)
    if f"round trip {count - 1}" not in last:
        raise SystemExit(f"the last echo is missing: {last!r}")
    print(f"tn3270 round trips (s3270, echo demo on the CPU): {count / elapsed:8.1f} per second")
    print(f"  {count} round trips in {elapsed:.2f} s, {elapsed / count * 1000:.2f} ms each")


def tui_frames(seconds: float) -> None:
    from vm370.terminal.tui.app import TerminalApp
    from vm370.terminal.tui.connection import InProcessLink

    machine, device = machine_with(FULL_SCREEN_WRITER, "WRIT")
    runner = PacedRunner(machine, [device], slice_instructions=5_000)
    stop = threading.Event()

    async def measure() -> tuple[int, int, int, float]:
        app = TerminalApp(InProcessLink(device.port))
        async with app.run_test(size=(100, 30)) as pilot:
            thread = runner.start_in_thread(stop)
            await pilot.pause(0.5)
            screen = app.screen3270
            records, frames = app.records_received, screen.painted
            writes = device.port.outbound_records
            started = time.perf_counter()
            await pilot.pause(seconds)
            elapsed = time.perf_counter() - started
            records = app.records_received - records
            frames = screen.painted - frames
            writes = device.port.outbound_records - writes
            stop.set()
            thread.join(5)
            return records, frames, writes, elapsed

    records, frames, writes, elapsed = asyncio.run(measure())
    print(f"tui, full-screen writes from the CPU: {records / elapsed:8.1f} records applied/s")
    print(f"  {frames / elapsed:.1f} frames/s painted, {writes / elapsed:.1f} screens/s written")
    print(f"  by the machine, over {elapsed:.1f} s (headless Textual)")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    if shutil.which("s3270"):
        round_trips(count)
    else:
        print("tn3270 round trips: skipped, s3270 is not installed")
    tui_frames(seconds)


if __name__ == "__main__":
    main()

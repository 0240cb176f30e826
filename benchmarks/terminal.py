"""3270 speed: TN3270 round trips with s3270, and TUI frames for full-screen writes.

    python benchmarks/terminal.py [ROUND_TRIPS] [SECONDS]

Round trips: the echo demo (decks/echo3277.asm) runs on the emulated CPU,
paced, behind the TN3270 server; s3270 types a line, presses Enter and waits
until the program has read it, echoed it and unlocked the keyboard. Each
round trip is the whole path: telnet, the 3277's queue, attention, the I/O
interruption, Read Modified, the echo write, and back to the client.

TUI frames: a small program on the emulated CPU writes full 24x80 screens
(Erase/Write of 1,920 characters) as fast as its channel lets it; the
Textual terminal, headless, takes the records in batches and redraws. The
figures are screen frames painted and records received per second of wall
time, and the keystroke-to-screen latency of keys typed meanwhile (posted
from another thread, as a terminal driver posts them).

TUI round trips (ROUND_TRIPS of them, at most 50): the echo demo on the
CPU with the TUI in process; the time from Enter to the first painted frame
that shows the echo (through the 3277's queue, the program's Read Modified
and echo write, and the TUI's batch and frame).

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

from terminal_host import program_machine  # noqa: E402

from vm370.terminal.runner import PacedRunner  # noqa: E402
from vm370.terminal.tn3270 import TN3270Server  # noqa: E402

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


def round_trips(count: int) -> None:
    from s3270_driver import S3270

    source = (ROOT / "decks" / "echo3277.asm").read_text()
    machine, device = program_machine(source, "ECHO")
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
    from textual import events

    from vm370.terminal.tui.app import TerminalApp
    from vm370.terminal.tui.connection import InProcessLink

    machine, device = program_machine(FULL_SCREEN_WRITER, "WRIT")
    runner = PacedRunner(machine, [device], slice_instructions=5_000)
    stop = threading.Event()
    latencies: list[float] = []

    async def measure() -> tuple[int, int, int, int, float]:
        app = TerminalApp(InProcessLink(device.port))
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen3270
            keystroke = KeystrokeTimer(app, screen, latencies)
            thread = runner.start_in_thread(stop)
            await pilot.pause(0.5)
            records, hidden, frames = app.records_received, app.records_hidden, screen.painted
            writes = device.port.outbound_records
            keyboard = threading.Thread(target=keystroke.type_keys, args=(events,), daemon=True)
            started = time.perf_counter()
            keyboard.start()
            await pilot.pause(seconds)
            elapsed = time.perf_counter() - started
            keystroke.stop.set()
            keyboard.join(5)
            records = app.records_received - records
            hidden = app.records_hidden - hidden
            frames = screen.painted - frames
            writes = device.port.outbound_records - writes
            stop.set()
            thread.join(5)
            await pilot.pause(0.1)  # the last key, if any, is handled before the app closes
            return records, hidden, frames, writes, elapsed

    records, hidden, frames, writes, elapsed = asyncio.run(measure())
    print(f"tui, full-screen writes from the CPU: {frames / elapsed:8.1f} frames/s painted")
    print(f"  {records / elapsed:.1f} records/s received ({hidden / elapsed:.1f}/s cleared by a")
    print(f"  later Erase/Write before their frame), {writes / elapsed:.1f} screens/s written")
    print(f"  by the machine, over {elapsed:.1f} s (headless Textual)")
    if latencies:
        latencies.sort()
        median = latencies[len(latencies) // 2] * 1000
        worst = latencies[-1] * 1000
        print(
            f"  keystroke to screen: median {median:.1f} ms, worst {worst:.1f} ms"
            f" ({len(latencies)} keys)"
        )
    else:
        print("  keystroke to screen: no keystroke reached the screen")


def tui_round_trips(count: int) -> None:
    from textual import events

    from vm370.terminal.tui.app import TerminalApp
    from vm370.terminal.tui.connection import InProcessLink

    source = (ROOT / "decks" / "echo3277.asm").read_text()
    machine, device = program_machine(source, "ECHO")
    runner = PacedRunner(machine, [device])  # the slice `vm370 bare --tui` runs
    stop = threading.Event()
    times: list[float] = []

    async def measure() -> None:
        app = TerminalApp(InProcessLink(device.port), machine=machine, runner=runner)
        async with app.run_test(size=(100, 30)) as pilot:
            watcher = PaintWatcher(app.screen3270)
            thread = runner.start_in_thread(stop)
            try:
                await watcher.until(0, "ECHO DEMO")
                for number in range(count):
                    text = f"trip {number}"
                    await pilot.press(*text)
                    started = time.perf_counter()
                    app.post_message(events.Key("enter", None))
                    await watcher.until(5, f"YOU TYPED: {text}")
                    times.append(time.perf_counter() - started)
            finally:
                stop.set()
                thread.join(5)

    asyncio.run(measure())
    times.sort()
    median, worst = times[len(times) // 2] * 1000, times[-1] * 1000
    print(f"tui round trips (Enter to the echo painted, echo demo on the CPU): {count}")
    print(f"  median {median:.1f} ms, worst {worst:.1f} ms (headless Textual)")


class PaintWatcher:
    """Waits until a painted frame shows some text on a row of the 3270 screen."""

    def __init__(self, screen) -> None:
        self.screen = screen
        self.row = -1
        self.text = ""
        self.seen = asyncio.Event()
        render_line = screen.render_line

        def watched_render_line(y: int):
            strip = render_line(y)
            if y == self.row and self.text in screen.station.row_text(y):
                self.seen.set()
            return strip

        screen.render_line = watched_render_line

    async def until(self, row: int, text: str, timeout: float = 10.0) -> None:
        self.row, self.text = row, text
        self.seen.clear()
        self.screen.redraw()  # the text may already be on the last frame
        try:
            await asyncio.wait_for(self.seen.wait(), timeout)
        except TimeoutError:
            raise SystemExit(f"the TUI never painted {text!r} on row {row + 1}") from None


class KeystrokeTimer:
    """Types Insert from another thread, as a terminal driver does, and times its paint.

    Insert toggles insert mode, which the machine's writes never change and the
    operator information line shows (^): the time from posting the key to the
    first painted OIA showing the new mode is the keystroke-to-screen latency.
    """

    INTERVAL = 0.1

    def __init__(self, app, screen, latencies: list[float]) -> None:
        self.app = app
        self.screen = screen
        self.latencies = latencies
        self.stop = threading.Event()
        self.posted_at: float | None = None
        self.expected = False
        render_line = screen.render_line

        def timed_render_line(y: int):
            strip = render_line(y)
            shown = y == screen.station.rows and screen.station.insert_mode == self.expected
            if shown and self.posted_at is not None:
                self.latencies.append(time.perf_counter() - self.posted_at)
                self.posted_at = None
            return strip

        screen.render_line = timed_render_line

    def type_keys(self, events) -> None:
        while not self.stop.wait(self.INTERVAL):
            if self.posted_at is not None:
                continue  # the last key has not reached the screen yet
            self.expected = not self.screen.station.insert_mode
            self.posted_at = time.perf_counter()
            self.app.post_message(events.Key("insert", None))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    if shutil.which("s3270"):
        round_trips(count)
    else:
        print("tn3270 round trips: skipped, s3270 is not installed")
    tui_frames(seconds)
    tui_round_trips(min(count, 50))


if __name__ == "__main__":
    main()

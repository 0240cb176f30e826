"""CP command round trips through TN3270: a user at s3270 types QUERY TIME again and again.

    python benchmarks/cp_commands.py [ROUND_TRIPS]

A small system in a temporary data folder (two 2314 packs, four 3277s, one
user), brought up with the paced runner behind the TN3270 server. s3270
connects, logs on (the password in the non-display field), and then types
``QUERY TIME`` and presses Enter ROUND_TRIPS times, each time waiting for
CP's answer and the unlocked keyboard. Each round trip is the whole path:
telnet, the 3277's queue, its attention interruption, CP's Read Modified,
the command, the console screen's write, and back to the client. Prints
round trips per second of wall time and the milliseconds each took.

A benchmark, not a test: it prints figures and never fails on speed. It is
skipped when s3270 is not installed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from vm370.cp.realsystem import RealSystem  # noqa: E402
from vm370.hardware.devices.ckd_image import create_image  # noqa: E402
from vm370.terminal.runner import PacedRunner  # noqa: E402
from vm370.terminal.tn3270 import TN3270Server  # noqa: E402

SYSTEM = """\
STORAGE 1M
PACK SYSRES 2314 130 packs/sysres.ckd
AREA SYSRES PAGE 1 10
AREA SYSRES SPOOL 11 10
DISPLAY 0C0-0C3 3277 MODEL 2
"""
DIRECTORY = """\
DIRECTORY 130 2314 SYSRES
USER BENCH BENCHPW 256K 1M G
 CONSOLE 009 3215
"""


def round_trips(count: int) -> None:
    from s3270_driver import S3270

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "packs").mkdir()
        (root / "system.conf").write_text(SYSTEM)
        (root / "user.direct").write_text(DIRECTORY)
        create_image(root / "packs" / "sysres.ckd", "2314", cylinders=30)
        system = RealSystem(root)
        runner = PacedRunner(system, system.displays, slice_instructions=5_000)
        stop = threading.Event()
        thread = runner.start_in_thread(stop)
        server = TN3270Server([display.port for display in system.displays], port=0)
        server.start_in_thread()
        terminal = S3270("-model", "3278-2")
        try:
            terminal.do(f"Connect(127.0.0.1:{server.port})")
            terminal.wait_for_text("VM/370 ONLINE")
            terminal.do("Wait(5,Unlock)")
            terminal.do('String("LOGON BENCH")')
            terminal.do("Enter()")
            terminal.wait_for_text("ENTER PASSWORD:")
            terminal.do("Wait(5,Unlock)")
            terminal.do('String("BENCHPW")')
            terminal.do("Enter()")
            terminal.wait_for_text("LOGON AT")
            terminal.do("Wait(5,Unlock)")
            started = time.perf_counter()
            for _ in range(count):
                terminal.do("Clear()")  # room on the screen: no MORE... in the way
                terminal.do("Wait(5,Unlock)")
                terminal.do('String("QUERY TIME")')
                terminal.do("Enter()")
                terminal.wait_for_text("TIME IS")
                terminal.do("Wait(5,Unlock)")
            elapsed = time.perf_counter() - started
        finally:
            terminal.close()
            server.stop()
            stop.set()
            thread.join(5)
            system.shutdown()
    print(f"CP command round trips (s3270, QUERY TIME): {count / elapsed:8.1f} per second")
    print(f"  {count} round trips in {elapsed:.2f} s, {elapsed / count * 1000:.1f} ms each")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    if not shutil.which("s3270"):
        print("CP command round trips: skipped, s3270 is not installed")
        return
    round_trips(count)


if __name__ == "__main__":
    main()

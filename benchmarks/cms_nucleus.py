"""CMS on the bare machine: build, IPL to ready, LISTFILE and file rates (not a test).

    python benchmarks/cms_nucleus.py [FILES]

Builds the nucleus onto a scratch 2314, IPLs it, and times: the build;
IPL to the first console read (wall clock and instructions); LISTFILE of
FILES one-record files (default 1,000) on a 191 the host tools wrote;
TYPE of a 1,200-record file (read rate) and COPYFILE of it (read and write
rate), in KB of guest data a second of wall-clock time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cms.build import build_nucleus, build_system_disk  # noqa: E402
from cms.filesystem import CMSDisk, text_to_records  # noqa: E402
from cms.minidisk import Minidisk  # noqa: E402
from vm370.hardware.devices.ckd_image import CKDImage, create_image  # noqa: E402
from vm370.hardware.devices.console1052 import Console1052  # noqa: E402
from vm370.hardware.devices.dasd import Dasd2314  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402

RECORDS = 1200  # of 80 bytes: 96,000 bytes


def run(system: Path, user: Path, typed: list[str]) -> tuple[float, int, list[str]]:
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    for line in typed:
        console.type_line(line)
    devices = [Dasd2314(system), Dasd2314(user)]
    machine.attach(0x009, console)
    machine.attach(0x190, devices[0])
    machine.attach(0x191, devices[1])
    start = time.perf_counter()
    machine.ipl(0x190)
    machine.run(500_000_000)
    elapsed = time.perf_counter() - start
    for device in devices:
        device.close()
    return elapsed, machine.cpu.instructions_executed, "".join(console.transcript).splitlines()


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        system = create_image(folder / "system.2314", "2314", 5)
        start = time.perf_counter()
        nucleus = build_nucleus()
        build_system_disk(system, 0, 5, nucleus)
        print(f"build: {time.perf_counter() - start:.2f} s, nucleus {len(nucleus.image):,} bytes")

        # 12 cylinders: the most this nucleus writes (1,680 blocks).
        user = create_image(folder / "user.2314", "2314", 12)
        image = CKDImage(user)
        disk = CMSDisk.format(Minidisk(image, 0, 12), "BENCH")
        text = "".join(f"record {n:05d} " + "x" * 60 + "\n" for n in range(RECORDS))
        disk.write("BIG", "DATA", text_to_records(text), "F", 80)
        image.close()
        ipl, instructions, _ = run(system, user, [])
        print(f"IPL to ready: {ipl * 1000:.1f} ms, {instructions:,} instructions")

        typed, _, _ = run(system, user, ["type big data"])
        print(
            f"TYPE of {RECORDS * 80 // 1000} KB: {typed - ipl:.2f} s, "
            f"{RECORDS * 80 / 1024 / (typed - ipl):.0f} KB/s read and typed"
        )
        copy, _, lines = run(system, user, ["copyfile big data a copy data a"])
        assert lines[-1] == "R;", lines
        print(
            f"COPYFILE of {RECORDS * 80 // 1000} KB: {copy - ipl:.2f} s, "
            f"{RECORDS * 80 / 1024 / (copy - ipl):.0f} KB/s read and written"
        )

        many = create_image(folder / "many.2314", "2314", 40)
        image = CKDImage(many)
        disk = CMSDisk.format(Minidisk(image, 0, 40), "MANY")
        for n in range(files):
            disk.write(f"F{n:05d}", "DATA", [b"\x40" * 80], "F", 80)
        image.close()
        listed, _, lines = run(system, many, ["listfile * data"])
        print(f"LISTFILE of {len(lines) - 3:,} files: {listed - ipl:.2f} s")


if __name__ == "__main__":
    main()

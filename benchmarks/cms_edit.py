"""CMS EDIT on the bare machine: LOCATE through a 5,000-line file (not a test).

    python benchmarks/cms_edit.py [LINES]

Writes a file of LINES F 80 records (default 5,000) whose last line alone
holds the string, IPLs CMS with 1M of storage, and runs EDIT twice: once to
read the file and QQUIT, once to read it, LOCATE the string and QQUIT. The
difference is the LOCATE: guest instructions and host time. Also prints
what reading the file into EDIT costs.
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


def run(system: Path, user: Path, typed: list[str]) -> tuple[float, int, list[str]]:
    machine = Machine(1024 * 1024)
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
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        system = create_image(folder / "system.2314", "2314", 5)
        build_system_disk(system, 0, 5, build_nucleus())
        user = create_image(folder / "user.2314", "2314", 12)
        image = CKDImage(user)
        disk = CMSDisk.format(Minidisk(image, 0, 12), "BENCH")
        text = "".join(f"LINE {n:05d} " + "ABCDEFGHIJ" * 6 + "\n" for n in range(lines - 1))
        disk.write("BIG", "DATA", text_to_records(text + "THE NEEDLE\n"), "F", 80)
        image.close()
        ipl, ipl_count, _ = run(system, user, [])
        read, read_count, _ = run(system, user, ["edit big data", "qquit"])
        found, found_count, output = run(
            system, user, ["edit big data", "locate /NEEDLE/", "qquit"]
        )
        assert "THE NEEDLE" in output, output[-5:]
        print(
            f"EDIT reading {lines:,} lines: {read_count - ipl_count:,} instructions, "
            f"{read - ipl:.2f} s"
        )
        print(
            f"LOCATE through {lines:,} lines: {found_count - read_count:,} instructions, "
            f"{found - read:.2f} s host time"
        )


if __name__ == "__main__":
    main()

"""The CMS host tools' speed on a whole 2314 pack (a benchmark, not a test).

    python benchmarks/cms_host_fs.py [FILES]

Formats a scratch 200-cylinder 2314 as one CMS minidisk, writes and reads
back the largest file the format allows (16,060 blocks of 800 bytes), then
writes FILES small files (default 200) one update each, and opens and lists
the disk. Wall-clock times; every update includes its two fsyncs.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# The tree this script sits in, not whatever vm370 is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cms.filesystem import CMSDisk  # noqa: E402
from cms.minidisk import Minidisk  # noqa: E402
from vm370.hardware.devices.ckd_image import CKDImage, create_image  # noqa: E402

BLOCKS = 16060
BLOCK = 800


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as scratch:
        image = CKDImage(create_image(Path(scratch) / "bench.2314", "2314", 200))
        device = Minidisk(image, 0, 200)
        start = time.perf_counter()
        disk = CMSDisk.format(device, "BENCH")
        print(f"format 200 cylinders (28,000 blocks): {time.perf_counter() - start:.2f} s")
        records = [bytes([n % 256]) * BLOCK for n in range(BLOCKS)]
        kilobytes = BLOCKS * BLOCK / 1024
        start = time.perf_counter()
        disk.write("BIG", "FILE", records, "F", BLOCK)
        elapsed = time.perf_counter() - start
        print(f"write {kilobytes:,.0f} KB: {elapsed:.2f} s, {kilobytes / elapsed:,.0f} KB/s")
        start = time.perf_counter()
        assert CMSDisk.open(device).read("BIG", "FILE") == records
        elapsed = time.perf_counter() - start
        print(f"read it back: {elapsed:.2f} s, {kilobytes / elapsed:,.0f} KB/s")
        start = time.perf_counter()
        for n in range(files):
            disk.write(f"F{n}", "DATA", [b"\xc1" * 80], "F")
        elapsed = time.perf_counter() - start
        print(f"{files} small files: {elapsed:.2f} s, {1000 * elapsed / files:.1f} ms each")
        start = time.perf_counter()
        listed = len(CMSDisk.open(device).files())
        print(f"open and list {listed} files: {time.perf_counter() - start:.3f} s")
        image.close()


if __name__ == "__main__":
    main()

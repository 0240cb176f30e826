"""A crash at any write of an update leaves the disk as it was before, or as after.

Each update is run once to count its block and track writes, then again from
the same starting image with the process "killed" (an exception that nothing
catches) after 0, 1, 2 ... of those writes. Whatever the image holds then
must open cleanly, pass the chain check with no lost blocks, and show the
files exactly as before the update; only the update whose last write (the
MFD) completed shows the new state. One test kills a real writer process
with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, DiskFormatError
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage, create_image

START, CYLINDERS = 2, 10


class SimulatedCrash(BaseException):
    """The process dies here: no handler in the file system may swallow it."""


class CrashingMinidisk(Minidisk):
    """A minidisk whose process dies before its (limit+1)-th write."""

    def __init__(self, image: CKDImage, start: int, cylinders: int, limit: int | None) -> None:
        super().__init__(image, start, cylinders)
        self.limit = limit
        self.writes = 0

    def _count(self) -> None:
        if self.limit is not None and self.writes >= self.limit:
            raise SimulatedCrash
        self.writes += 1

    def write_block(self, block: int, data: bytes) -> None:
        self._count()
        super().write_block(block, data)

    def format_track(self, cylinder: int, head: int, contents: dict[int, bytes]) -> None:
        self._count()
        super().format_track(cylinder, head, contents)


def state(path: Path) -> tuple[dict, int]:
    with opened(path, START, CYLINDERS, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == [], "blocks marked in use that no file owns"
        files = {
            entry.fileid: (entry.recfm, entry.lrecl, disk.read(entry.filename, entry.filetype))
            for entry in disk.files()
        }
        return files, disk.blocks_used


def run(path: Path, update, limit: int | None) -> int:
    image = CKDImage(path)
    try:
        device = CrashingMinidisk(image, START, CYLINDERS, limit)
        with contextlib.suppress(SimulatedCrash):
            update(device)
        return device.writes
    finally:
        image.close()


def records(count: int, fill: int, length: int = 80) -> list[bytes]:
    return [bytes([fill]) * length for _ in range(count)]


def write(name, contents, recfm="F"):
    return lambda device: CMSDisk.open(device).write(name, "DATA", contents, recfm)


UPDATES = {
    "new small file": write("NEW", records(3, 0xC1)),
    "new file with an Nth chain link": write("NEW", records(700, 0xC2)),
    "replace a file": write("OLD", [b"\xc3" * 5, b"\xc4" * 900], "V"),
    "erase a file": lambda device: CMSDisk.open(device).erase("OLD", "DATA"),
    "twenty-first file (a second FST block)": write("F20", records(1, 0xC5)),
}


@pytest.fixture
def starting_disk(formatted, tmp_path):
    with opened(formatted, START, CYLINDERS) as device:
        disk = CMSDisk.open(device)
        disk.write("OLD", "DATA", records(200, 0xD6), "F")
        for n in range(19):
            disk.write(f"F{n}", "DATA", records(1, 0xF0 + n % 10), "F")
    return formatted


@pytest.mark.parametrize("update", UPDATES.values(), ids=UPDATES.keys())
def test_crash_at_every_write_leaves_the_old_state(starting_disk, tmp_path, update):
    before = state(starting_disk)
    finished = tmp_path / "finished.2311"
    shutil.copy(starting_disk, finished)
    total = run(finished, update, None)
    after = state(finished)
    assert after != before
    assert total >= 2  # at least the new FST block and the MFD
    for limit in range(total):
        crashed = tmp_path / f"crash{limit}.2311"
        shutil.copy(starting_disk, crashed)
        assert run(crashed, update, limit) == limit
        assert state(crashed) == before, f"crash after {limit} of {total} writes"
        crashed.unlink()


def test_crash_during_format_leaves_no_valid_looking_disk(starting_disk, tmp_path):
    before = state(starting_disk)
    reformat = lambda device: CMSDisk.format(device, "NEW")  # noqa: E731
    finished = tmp_path / "finished.2311"
    shutil.copy(starting_disk, finished)
    total = run(finished, reformat, None)
    assert state(finished) == ({}, 5)
    for limit in range(total):
        crashed = tmp_path / "crashed.2311"
        shutil.copy(starting_disk, crashed)
        run(crashed, reformat, limit)
        if limit == 0:
            assert state(crashed) == before
        else:
            with pytest.raises(DiskFormatError, match="not a CMS disk"):
                state(crashed)


WRITER = """
import sys
from cms.filesystem import CMSDisk
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage
disk = CMSDisk.open(Minidisk(CKDImage(sys.argv[1]), 2, 10))
n = 0
while True:
    n += 1
    disk.write("LOOP", "DATA", [bytes([0xC1 + n % 9]) * 800] * (40 + n % 50), "F", 800)
    print(n, flush=True)
"""


def test_killed_writer_process_leaves_a_readable_disk(starting_disk):
    before_files, _ = state(starting_disk)
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    for delay in (0.3, 0.5, 0.8):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(starting_disk)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        reported = int(writer.stdout.readline())  # one write is committed
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        files, _ = state(starting_disk)
        loop = files.pop("LOOP DATA A1")
        assert files == before_files
        (block,) = set(loop[2])
        assert len(loop[2]) >= 40 and reported >= 1
        assert all(record == block for record in loop[2])


# A whole 2314 pack: a bitmap of 3,500 bytes, the MFD's 215 and five QMSK extension blocks,
# all rewritten to fresh blocks by every update; the filler takes the blocks up to past 1,720,
# so the new file's blocks are marked in the first extension block.
PACK_CYLINDERS = 200


def pack_state(path: Path) -> tuple[dict, int]:
    with opened(path, 0, PACK_CYLINDERS, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == [], "blocks marked in use that no file owns"
        files = {entry.fileid: disk.read(entry.filename, entry.filetype) for entry in disk.files()}
        return files, disk.blocks_used


def run_on_pack(path: Path, update, limit: int | None) -> int:
    image = CKDImage(path)
    try:
        device = CrashingMinidisk(image, 0, PACK_CYLINDERS, limit)
        with contextlib.suppress(SimulatedCrash):
            update(device)
        return device.writes
    finally:
        image.close()


PACK_UPDATES = {
    "new file on a whole pack": write("NEW", records(3, 0xC1)),
    "erase the filler": lambda device: CMSDisk.open(device).erase("FILLER", "DATA"),
}


@pytest.mark.parametrize("update", PACK_UPDATES.values(), ids=PACK_UPDATES.keys())
def test_crash_at_every_write_of_a_whole_pack_update_leaves_the_old_state(tmp_path, update):
    start = create_image(tmp_path / "start.2314", "2314", PACK_CYLINDERS)
    with opened(start, 0, PACK_CYLINDERS) as device:
        disk = CMSDisk.format(device, "PACK")
        disk.write("FILLER", "DATA", records(1_800, 0xC6, 800), "F")
        assert len(disk._extension_blocks) == 5
    before = pack_state(start)
    finished = tmp_path / "finished.2314"
    shutil.copy(start, finished)
    total = run_on_pack(finished, update, None)
    assert pack_state(finished) != before
    assert total >= 7  # at least an FST block, the five extension blocks and the MFD
    crashed = tmp_path / "crashed.2314"
    for limit in range(total):
        shutil.copy(start, crashed)
        assert run_on_pack(crashed, update, limit) == limit
        assert pack_state(crashed) == before, f"crash after {limit} of {total} writes"

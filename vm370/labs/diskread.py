"""Lab 4's experiment: a minidisk block read through DIAGNOSE X'18' and through SIO."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vm370.labs import DECKS, LabError
from vm370.labs.equivalence import ORIGIN, assemble_file

MINIDISK_ADDRESS = 0x191
REAL_DISK_ADDRESS = 0x130
MINIDISK_START_CYLINDER = 1
BLOCK_TEXT = "LAB 4: BLOCK 1 OF MINIDISK 191"
BLOCK_SIZE = 800
BUFFER = 0x2200
RESULT = 0x2100
READS = 100


@dataclass
class DiskReadRun:
    """One run of diskread.asm under CP."""

    method: str
    instructions: int  # the guest's, all its reads
    privops: int
    reflected: int
    diagnoses: int
    channel_programs: int  # channel programs CP translated
    ccws: int  # CCWs CP translated
    host_seconds: float  # CPU time of this process: varies from run to run
    block: bytes  # what the guest found in its buffer
    result: bytes  # the last DIAGNOSE's R15, or the last CSW


def _write_block(pack: Path) -> None:
    from vm370.hardware.devices.ckd_image import CKDImage, Record

    image = CKDImage(pack)
    try:
        track = image.read_track(MINIDISK_START_CYLINDER, 0)
        data = BLOCK_TEXT.encode("cp037").ljust(BLOCK_SIZE, b"\x40")
        track.records[1:] = [Record(MINIDISK_START_CYLINDER, 0, 1, b"", data)]
        image.write_track(MINIDISK_START_CYLINDER, 0, track)
    finally:
        image.close()


def run_disk_read(pack: Path, object_deck: bytes, method: str) -> DiskReadRun:
    """diskread.asm's deck as the only guest of a CP with a real 2314 holding its minidisk."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.cp.vdevices import Extent, TranslatedDevice
    from vm370.cp.vmblock import RunState
    from vm370.hardware.devices import create_device
    from vm370.hardware.machine import Machine

    storage = 64 * 1024
    machine = Machine(512 * 1024)
    real = create_device("2314", str(pack))
    try:
        machine.attach(REAL_DISK_ADDRESS, real)
        cp = ControlProgram(machine)
        cp.enable_virtual_devices()
        supervisor = Supervisor(cp)
        guest = cp.create_virtual_machine("LAB4", storage)
        extent = Extent(MINIDISK_START_CYLINDER, 5, real.image.heads)
        disk = TranslatedDevice("2314", REAL_DISK_ADDRESS, real, extent, False)
        guest.devices[MINIDISK_ADDRESS] = disk
        guest.channel.attach(MINIDISK_ADDRESS, disk)
        image = bytearray(storage)
        load([(object_deck, ORIGIN)], image)
        cp.load("LAB4", 0, bytes(image))
        cp.set_psw("LAB4", ORIGIN)
        started = time.process_time()
        supervisor.run(READS * 20_000)
        host_seconds = time.process_time() - started
        if guest.state is not RunState.DISABLED_WAIT:
            raise LabError(f"the {method} run did not finish: the guest is {guest.state.value}")
        counters = guest.counters
        return DiskReadRun(
            method=method,
            instructions=supervisor.guest_instructions,
            privops=counters.privops,
            reflected=counters.reflected,
            diagnoses=counters.diagnoses,
            channel_programs=cp.translator.translations,
            ccws=cp.translator.ccws_translated,
            host_seconds=host_seconds,
            block=cp.read("LAB4", BUFFER, BLOCK_SIZE),
            result=cp.read("LAB4", RESULT, 8),
        )
    finally:
        real.close()


def disk_reads() -> tuple[DiskReadRun, DiskReadRun]:
    """Lab 4: the DIAGNOSE run and the SIO run of decks/labs/diskread.asm."""
    source = DECKS / "diskread.asm"
    with tempfile.TemporaryDirectory() as folder:
        from vm370.hardware.devices.ckd_image import create_image

        pack = create_image(Path(folder) / "lab4.ckd", "2314", cylinders=10)
        _write_block(pack)
        diagnose = run_disk_read(pack, assemble_file(source), "DIAGNOSE X'18'")
        start_io = run_disk_read(pack, assemble_file(source, sysparm="SIO"), "SIO")
    return diagnose, start_io


def disk_read_lines() -> list[str]:
    diagnose, start_io = disk_reads()
    runs = (diagnose, start_io)

    def row(label: str, values: list[str]) -> str:
        return f"{label:34s}" + "".join(f"{value:>18s}" for value in values)

    def per_read(value: int) -> str:
        return f"{value / READS:.2f}"

    lines = [
        f"lab 4: {READS} reads of one {BLOCK_SIZE}-byte block of minidisk "
        f"{MINIDISK_ADDRESS:03X} (real 2314 at {REAL_DISK_ADDRESS:03X})",
        row("", ["DIAGNOSE X'18'", "SIO"]),
        row("guest instructions per read", [per_read(run.instructions) for run in runs]),
        row("privileged instructions per read", [per_read(run.privops) for run in runs]),
        row("  of them DIAGNOSEs", [per_read(run.diagnoses) for run in runs]),
        row("interruptions reflected per read", [per_read(run.reflected) for run in runs]),
        row("channel programs CP translated", [str(run.channel_programs) for run in runs]),
        row("CCWs CP translated", [str(run.ccws) for run in runs]),
        row(
            "host microseconds per read (varies)",
            [f"{run.host_seconds / READS * 1e6:.0f}" for run in runs],
        ),
        row("the block read", [run.block[:12].decode("cp037") + "..." for run in runs]),
        row(
            "last R15 (DIAG) / CSW (SIO)",
            [diagnose.result[:4].hex().upper(), start_io.result.hex().upper()],
        ),
    ]
    return lines

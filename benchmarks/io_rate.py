"""CCWs per second for DASD reads of 800-byte records (a benchmark, not a test).

    python benchmarks/io_rate.py [PROGRAMS]

A scratch 2314 pack gets one track of seven 800-byte records (what a 2314
track holds). Each channel program seeks, then reads the seven records by
search ID equal, TIC *-8 and read data: 22 CCWs, 5600 bytes. The programs
are started with Start I/O and their events run straight off the clock, with
no CPU, so the figure is the cost of the channel and the CKD logic alone.
Host time is measured with the wall clock; virtual time is reported too.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# The tree this script sits in, not whatever vm370 is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vm370.hardware.channel import CAW_LOCATION, CHAIN_COMMAND, ChannelSubsystem  # noqa: E402
from vm370.hardware.channel import make_ccw as ccw  # noqa: E402
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND, Clock  # noqa: E402
from vm370.hardware.devices.ckd_image import CKDImage, Record, create_image  # noqa: E402
from vm370.hardware.devices.dasd import Dasd2314  # noqa: E402
from vm370.hardware.storage import Storage  # noqa: E402

RECORDS = 7
RECORD_LENGTH = 800
CYLINDER, HEAD = 3, 5
PROGRAM = 0x1000
SEEK_ARGUMENT = 0x800
SEARCH_ARGUMENTS = 0x900
BUFFERS = 0x4000


def build(pack: Path) -> tuple[Storage, Clock, ChannelSubsystem]:
    image = CKDImage(pack)
    track = image.read_track(CYLINDER, HEAD)
    track.records += [
        Record(CYLINDER, HEAD, n, b"", bytes([n]) * RECORD_LENGTH) for n in range(1, RECORDS + 1)
    ]
    image.write_track(CYLINDER, HEAD, track)
    image.close()
    storage = Storage(256 * 1024)
    clock = Clock()
    channels = ChannelSubsystem(storage, clock)
    channels.attach(0x190, Dasd2314(pack))
    storage.write(SEEK_ARGUMENT, bytes(2) + CYLINDER.to_bytes(2, "big") + HEAD.to_bytes(2, "big"))
    program = [ccw(0x07, SEEK_ARGUMENT, CHAIN_COMMAND, 6)]
    for n in range(1, RECORDS + 1):
        argument = SEARCH_ARGUMENTS + 8 * n
        storage.write(argument, CYLINDER.to_bytes(2, "big") + HEAD.to_bytes(2, "big") + bytes((n,)))
        search_address = PROGRAM + 8 * len(program)
        last = n == RECORDS
        program += [
            ccw(0x31, argument, CHAIN_COMMAND, 5),
            ccw(0x08, search_address, 0, 0),
            ccw(0x06, BUFFERS + RECORD_LENGTH * n, 0 if last else CHAIN_COMMAND, RECORD_LENGTH),
        ]
    storage.write(PROGRAM, b"".join(program))
    storage.write_word(CAW_LOCATION, PROGRAM)
    return storage, clock, channels


def run(programs: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        pack = create_image(Path(scratch) / "bench.2314", "2314", cylinders=5)
        storage, clock, channels = build(pack)
        start_ccws = channels.ccws_executed
        started = time.perf_counter()
        for _ in range(programs):
            if channels.start_io(0x190) != 0:
                raise SystemExit("Start I/O did not start the program")
            while not channels.interrupt_pending:
                clock.advance_to_next_event()
                clock.run_due()
            channels.take_interrupt(lambda channel: True)
            if storage.mem[68:70] != b"\x0c\x00":
                raise SystemExit(f"program ended with CSW status {storage.mem[68:70].hex()}")
        elapsed = time.perf_counter() - started
        channels.close()
    ccws = channels.ccws_executed - start_ccws
    data = programs * RECORDS * RECORD_LENGTH
    print(f"{programs} channel programs, {ccws} CCWs (TICs not counted), {data} bytes read")
    print(
        f"host time {elapsed:.3f} s: {ccws / elapsed:,.0f} CCWs/s, {data / elapsed / 1e6:.1f} MB/s"
    )
    virtual = clock.now / INSTRUCTIONS_PER_SECOND
    print(f"virtual time {virtual:.3f} s ({data / virtual / 1e3:,.0f} KB/s virtual transfer rate)")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)

"""Virtual I/O: a minidisk read through DIAGNOSE X'18' against SIO with CCW translation.

    python benchmarks/virtual_io.py [BLOCKS] [REPEATS]

A guest reads the same 800-byte block of its minidisk BLOCKS times, once
with DIAGNOSE X'18' (the CMS fast path: CP runs the standard channel
program and the guest goes on when it is done) and once with SIO of the
same channel program, waiting for the I/O interruption in an enabled wait
(CP translates the program, runs it on the real 2314, reflects the
interruption). Prints, for each: blocks per second of host time, host
microseconds per request, and the guest instructions each request took
(the virtual cost a student compares in lab 4). Host times are CPU seconds
of this process, the best of REPEATS runs. A benchmark, never a test.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# The tree this script sits in, not whatever vm370 is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assembler import assemble  # noqa: E402
from assembler.loader import load  # noqa: E402
from vm370.cp.supervisor import Supervisor  # noqa: E402
from vm370.cp.system import ControlProgram  # noqa: E402
from vm370.cp.vdevices import Extent, TranslatedDevice  # noqa: E402
from vm370.cp.vmblock import RunState  # noqa: E402
from vm370.hardware.devices import create_device  # noqa: E402
from vm370.hardware.devices.ckd_image import CKDImage, Record, create_image  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402

ORIGIN = 0x2000
STORAGE = 64 * 1024

COMMON = """\
BENCH    CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         L     9,COUNT
LOOP     DS    0H
{request}
         BCT   9,LOOP
         LPSW  DONE
IODONE   BR    14
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'FE020000',A(0)
DONE     DC    X'00020000',A(X'0EEE')
COUNT    DC    F'{blocks}'
PROGRAM  CCW   X'07',SEEKARG,X'40',6
SEARCH   CCW   X'31',SEEKARG+2,X'40',5
         CCW   X'08',SEARCH,0,0
         CCW   X'06',BUFFER,X'20',800
SEEKARG  DC    H'0',H'0',H'0',X'01'
BUFFER   DS    CL800
         END
"""

DIAGNOSE = """\
         LA    4,X'191'
         LA    5,PROGRAM
         LA    15,1
         DC    X'83450018'          DIAG 4,5,X'18'"""

START_IO = """\
         LA    1,PROGRAM
         ST    1,X'48'
         BAL   14,SIO
         B     NEXT
SIO      SIO   X'191'
         LPSW  WAITIO
NEXT     DS    0H"""


def run(pack: Path, request: str, blocks: int) -> tuple[float, int]:
    machine = Machine(512 * 1024)
    real = create_device("2314", str(pack))
    machine.attach(0x130, real)
    cp = ControlProgram(machine)
    cp.enable_virtual_devices()
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("BENCH", STORAGE)
    disk = TranslatedDevice("2314", 0x130, real, Extent(1, 5, real.image.heads), False)
    guest.devices[0x191] = disk
    guest.channel.attach(0x191, disk)
    result = assemble(COMMON.format(request=request, blocks=blocks), deck_name="BENCH")
    assert result.return_code == 0, result.diagnostics
    image = bytearray(STORAGE)
    load([result.object_deck], image, ORIGIN)
    cp.load("BENCH", 0, bytes(image))
    cp.set_psw("BENCH", ORIGIN)
    started = time.process_time()
    supervisor.run(blocks * 20_000)
    elapsed = time.process_time() - started
    if guest.state is not RunState.DISABLED_WAIT:
        raise SystemExit(f"the guest did not finish: {guest.state}")
    real.close()
    return elapsed, guest.counters.instructions


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        pack = create_image(Path(folder) / "bench.ckd", "2314", cylinders=10)
        image = CKDImage(pack)
        track = image.read_track(1, 0)
        track.records[1:] = [Record(1, 0, 1, b"", bytes(800))]
        image.write_track(1, 0, track)
        image.close()
        print(f"{blocks} reads of one 800-byte minidisk block, best of {repeats}:")
        for name, request in (("DIAGNOSE X'18'", DIAGNOSE), ("SIO + CCW translation", START_IO)):
            best, instructions = min(run(pack, request, blocks) for _ in range(repeats))
            print(
                f"  {name:24s} {blocks / best:9.0f} blocks/s  {best / blocks * 1e6:7.1f} us host "
                f"per request  {instructions / blocks:6.1f} guest instructions per request"
            )


if __name__ == "__main__":
    main()

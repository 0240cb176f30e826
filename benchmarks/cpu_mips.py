"""Instructions per second of the CPU on four small loops (a benchmark, not a test).

    python benchmarks/cpu_mips.py [ITERATIONS] [REPEATS]

Each loop runs on a bare Machine with the interval timer counting and the
interruption checks of the run loop active, as in any real run, twice in
turn: interpreted (block translation off, ``cpu.block_hot_count = 0``) and
as it normally runs (hot loops translated into Python blocks, blocks.py).
The mixed loop (L+AR+ST+LA+BCT) runs again in the Model 67's EC mode with
translation on, through identity-mapped pages. A loop whose instructions
are not implemented ends in a program interruption and is reported as such.

When ``hercules`` is installed, Hercules runs the same image (its S/370 mode
in BC mode) in the same run, with enough iterations for about half a second
of its time, and the line shows its figure and how many times faster it is.

Times are CPU seconds (``time.process_time`` here, the Hercules process's
user and system time from /proc for Hercules, less a one-iteration run's);
each figure is the median of REPEATS runs: the machine is shared, and wall
clock time would measure the neighbours as much as the emulators.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

# The tree this script sits in, not whatever vm370 is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vm370.hardware.control_registers import (  # noqa: E402
    CR6_EXTENDED_CONTROL_MODE,
    ECPSW,
    MODE_REGISTER,
    SEGMENT_TABLE_REGISTER,
)
from vm370.hardware.dat import page_table_entry, segment_table_entry, segment_table_register  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402
from vm370.hardware.psw import PROGRAM_NEW_PSW, PROGRAM_OLD_PSW, SVC_NEW_PSW  # noqa: E402

ORIGIN = 0x200
START = 0x1FC  # LA 1,1 before the loop: register 1 is the AR's addend
COUNT = 0x400
WAIT_PSW = 0x408
DISABLED_WAIT = 0x0002_0000_0000_0000
PROGRAM_CHECK_MARK = 0xBAD0

# Hand-encoded: LA 1,1; L 3,COUNT; the loop body; BCT 3,LOOP; LPSW WAIT_PSW.
LOOPS = {
    "AR+BCT": "1A21 4630 0204",
    "L+AR+ST+LA+BCT": "5820 0500 1A21 5020 0500 4144 0001 4630 0204",
    # AP of a 1-byte field to a 5-byte one (L1 = 4, L2 = 0), as Hercules' loop.
    "AP+BCT": "FA40 0510 0518 4630 0204",
    "AD+BCT": "6A00 0520 4630 0204",
}
DATA = {
    0x500: "00000000",
    0x510: "000000000C",
    0x518: "1C",
    0x520: "4110000000000000",
}
INSTRUCTIONS_PER_ITERATION = {"AR+BCT": 2, "L+AR+ST+LA+BCT": 5, "AP+BCT": 2, "AD+BCT": 2}

SEGMENT_TABLE = 0x10000
PAGE_TABLE = 0x10100
TRANSLATED_LOOP = "L+AR+ST+LA+BCT"


def image(body: str, iterations: int, wait: int = DISABLED_WAIT) -> bytes:
    """The loop's core image from location 0, BC mode, as both machines run it."""
    memory = bytearray(0x600)
    code = bytes.fromhex("41100001 58300400" + body.replace(" ", "") + "82000408")
    memory[START : START + len(code)] = code
    memory[COUNT : COUNT + 4] = iterations.to_bytes(4, "big")
    memory[WAIT_PSW : WAIT_PSW + 8] = wait.to_bytes(8, "big")
    memory[PROGRAM_NEW_PSW : PROGRAM_NEW_PSW + 8] = (wait | PROGRAM_CHECK_MARK).to_bytes(8, "big")
    for address, value in DATA.items():
        data = bytes.fromhex(value)
        memory[address : address + len(data)] = data
    return bytes(memory)


def measure(
    body: str, iterations: int, translated: bool = False, blocks: bool = True
) -> tuple[int, float, int | None]:
    machine = Machine(256 * 1024)
    if not blocks:
        machine.cpu.block_hot_count = 0
    wait = ECPSW(wait=True).to_int() if translated else DISABLED_WAIT
    machine.load(0, image(body, iterations, wait))
    if translated:
        _identity_map(machine)
        machine.set_psw(ECPSW(translation=True, instruction_address=START).to_int())
    else:
        machine.set_psw(START)
    started = time.process_time()
    machine.run(100 * iterations)
    elapsed = time.process_time() - started
    cpu = machine.cpu
    failed = None
    if cpu.ia == PROGRAM_CHECK_MARK:
        failed = int.from_bytes(machine.storage.mem[PROGRAM_OLD_PSW + 2 : PROGRAM_OLD_PSW + 4])
    return cpu.instructions_executed, elapsed, failed


def _identity_map(machine: Machine) -> None:
    """EC mode, translation through a page table mapping the first 64K to itself."""
    machine.load(SEGMENT_TABLE, segment_table_entry(PAGE_TABLE, 16).to_bytes(4, "big"))
    for index in range(1, 16):
        machine.load(SEGMENT_TABLE + 4 * index, segment_table_entry(None).to_bytes(4, "big"))
    for page in range(16):
        machine.load(PAGE_TABLE + 2 * page, page_table_entry(page << 12).to_bytes(2, "big"))
    control = machine.cpu.control
    control.load(MODE_REGISTER, CR6_EXTENDED_CONTROL_MODE)
    control.load(SEGMENT_TABLE_REGISTER, segment_table_register(SEGMENT_TABLE, 16))


def median_rate(body: str, iterations: int, repeats: int, **options) -> float | int:
    """Median instructions per second, or the program-interruption code that stopped it."""
    rates = []
    for _ in range(repeats):
        executed, elapsed, failed = measure(body, iterations, **options)
        if failed is not None:
            return failed
        rates.append(executed / elapsed)
    return statistics.median(rates)


def measure_traps(iterations: int) -> float:
    """Round trips a second of the path CP will live on: a privileged instruction in
    the problem state, the program interruption, a native routine that resumes."""
    machine = Machine(64 * 1024)
    # SSM (privileged: a trap); BCT back to it; SVC to end, in the problem state.
    machine.load(ORIGIN, bytes.fromhex("80000800 46300200 0A00"))
    machine.load(SVC_NEW_PSW, DISABLED_WAIT.to_bytes(8, "big"))
    machine.load(PROGRAM_NEW_PSW, (0x300).to_bytes(8, "big"))

    def resume(cpu) -> None:
        cpu.load_psw(int.from_bytes(cpu.mem[PROGRAM_OLD_PSW : PROGRAM_OLD_PSW + 8], "big"))

    machine.cpu.register_native(0x300, resume)
    machine.cpu.gpr[3] = iterations
    machine.set_psw(0x0001_0000_0000_0000 | ORIGIN)
    started = time.process_time()
    stop = machine.run(10 * iterations)
    elapsed = time.process_time() - started
    if stop != "disabled-wait" or machine.cpu.gpr[3] != 0:
        raise RuntimeError("the trap loop did not run to its end")
    return iterations / elapsed


class HerculesTimer:
    """Hercules (tests/support/hercules.py) running the loop images, timed in CPU seconds."""

    def __init__(self) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
        from hercules import HerculesSession, hercules_path

        self.session = HerculesSession() if hercules_path() else None

    def close(self) -> None:
        if self.session is not None:
            self.session.close()

    def _cpu_seconds(self) -> float:
        pid = self.session._process.pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime and stime, the 14th and 15th fields (the 12th and 13th after the name).
        return (int(fields[11]) + int(fields[12])) / _clock_ticks()

    def _run(self, body: str, iterations: int) -> float:
        started = self._cpu_seconds()
        result = self.session.run(image(body, iterations), START, timeout=60.0)
        if result.instruction_address == PROGRAM_CHECK_MARK:
            raise RuntimeError("the loop ended in a program interruption on Hercules")
        return self._cpu_seconds() - started

    def rate(self, name: str, body: str, repeats: int) -> float | None:
        """Median instructions per CPU second of Hercules on the loop, or None."""
        if self.session is None:
            return None
        per_iteration = INSTRUCTIONS_PER_ITERATION[name]
        # About half a second of Hercules' time: its clock ticks are 10 ms.
        trial = 2_000_000 // per_iteration
        seconds = max(self._run(body, trial) - self._run(body, 1), 0.01)
        iterations = min(int(trial * 0.5 / seconds), 0x7FFFFFFF)
        rates = []
        for _ in range(repeats):
            overhead = self._run(body, 1)
            elapsed = self._run(body, iterations) - overhead
            if elapsed > 0:
                rates.append((iterations * per_iteration + 3) / elapsed)
        return statistics.median(rates) if rates else None


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    iterations = int(argv[1]) if len(argv) > 1 else 200_000
    repeats = int(argv[2]) if len(argv) > 2 else 3
    hercules = HerculesTimer()
    try:
        print(
            f"{'loop':<19} {'interpreted':>11} {'translated':>10} {'speedup':>7}"
            f" {'Hercules':>9} {'Hercules/ours':>13}   (MIPS, medians of {repeats})"
        )
        translated_rates = {}
        for name, body, dat in [(name, body, False) for name, body in LOOPS.items()] + [
            (TRANSLATED_LOOP, LOOPS[TRANSLATED_LOOP], True)
        ]:
            label = f"{name} DAT" if dat else name
            interpreted = median_rate(body, iterations, repeats, translated=dat, blocks=False)
            translated = median_rate(body, iterations, repeats, translated=dat)
            if isinstance(interpreted, int) or isinstance(translated, int):
                code = interpreted if isinstance(interpreted, int) else translated
                print(f"{label:<19} stopped by program interruption code {code:02X}")
                continue
            translated_rates[label] = translated
            line = (
                f"{label:<19} {interpreted / 1e6:>11.2f} {translated / 1e6:>10.2f}"
                f" {translated / interpreted:>6.2f}x"
            )
            reference = None if dat else hercules.rate(name, body, repeats)
            if reference is not None:
                line += f" {reference / 1e6:>9.1f} {reference / translated:>12.1f}x"
            if dat and name in translated_rates:
                line += f"  ({translated_rates[name] / translated:.2f}x slower than without DAT)"
            print(line, flush=True)
    finally:
        hercules.close()
    traps = statistics.median(measure_traps(iterations // 4) for _ in range(repeats))
    print(f"privileged-operation trap to a native routine and back: {traps:,.0f} a second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

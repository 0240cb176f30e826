"""Instructions per second of the CPU on four small loops (a benchmark, not a test).

    python benchmarks/cpu_mips.py [ITERATIONS] [REPEATS]

Each loop runs on a bare Machine with the interval timer counting and the
interruption checks of the run loop active, as in any real run. The mixed
loop (L+AR+ST+LA+BCT) runs a second time in the Model 67's EC mode with
translation on, through identity-mapped pages (target: at most 1.5 times
slower than with translation off), and the line shows the ratio. A loop whose
instructions are not implemented yet ends in a program interruption and is
reported as such instead of with a figure.

Times are CPU seconds of this process (``time.process_time``), the best of
REPEATS runs: the machine is shared, and wall-clock time would measure the
neighbours as much as the emulator.
"""

from __future__ import annotations

import sys
import time

from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    ECPSW,
    MODE_REGISTER,
    SEGMENT_TABLE_REGISTER,
)
from vm370.hardware.dat import page_table_entry, segment_table_entry, segment_table_register
from vm370.hardware.machine import Machine
from vm370.hardware.psw import PROGRAM_NEW_PSW, PROGRAM_OLD_PSW, SVC_NEW_PSW

ORIGIN = 0x200
COUNT = 0x400
WAIT_PSW = 0x408
DISABLED_WAIT = 0x0002_0000_0000_0000
PROGRAM_CHECK_MARK = 0xBAD0

# Hand-encoded: L 3,COUNT; the loop body; BCT 3,LOOP; LPSW WAIT_PSW.
LOOPS = {
    "AR+BCT": "1A21 4630 0204",
    "L+AR+ST+LA+BCT": "5820 0500 1A21 5020 0500 4144 0001 4630 0204",
    "AP+BCT": "FA30 0510 0518 4630 0204",
    "AD+BCT": "6A00 0520 4630 0204",
}
DATA = {
    0x500: "00000000",
    0x510: "0000000C",
    0x518: "1C",
    0x520: "4110000000000000",
}


SEGMENT_TABLE = 0x10000
PAGE_TABLE = 0x10100
TRANSLATED_LOOP = "L+AR+ST+LA+BCT"


def measure(body: str, iterations: int, translated: bool = False) -> tuple[int, float, int | None]:
    machine = Machine(256 * 1024)
    code = bytes.fromhex("5830 0400".replace(" ", "") + body.replace(" ", "") + "82000408")
    machine.load(ORIGIN, code)
    machine.load(COUNT, iterations.to_bytes(4, "big"))
    wait, program_check = DISABLED_WAIT, DISABLED_WAIT | PROGRAM_CHECK_MARK
    if translated:
        wait = ECPSW(wait=True).to_int()
        program_check = ECPSW(wait=True, instruction_address=PROGRAM_CHECK_MARK).to_int()
    machine.load(WAIT_PSW, wait.to_bytes(8, "big"))
    machine.load(PROGRAM_NEW_PSW, program_check.to_bytes(8, "big"))
    for address, value in DATA.items():
        machine.load(address, bytes.fromhex(value))
    machine.cpu.gpr[1] = 1
    if translated:
        _identity_map(machine)
        machine.set_psw(ECPSW(translation=True, instruction_address=ORIGIN).to_int())
    else:
        machine.set_psw(ORIGIN)
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


def main(argv: list[str]) -> int:
    iterations = int(argv[1]) if len(argv) > 1 else 200_000
    repeats = int(argv[2]) if len(argv) > 2 else 3
    print(f"{'loop':<19} {'instructions':>12} {'seconds':>8} {'MIPS':>6}")
    rates = {}
    for name, body, translated in [(name, body, False) for name, body in LOOPS.items()] + [
        (TRANSLATED_LOOP, LOOPS[TRANSLATED_LOOP], True)
    ]:
        runs = [measure(body, iterations, translated) for _ in range(repeats)]
        executed, elapsed, failed = min(runs, key=lambda run: run[1])
        label = f"{name} DAT" if translated else name
        if failed is not None:
            print(
                f"{label:<19} stopped by program interruption code {failed:02X} (not implemented?)"
            )
            continue
        rates[label] = executed / elapsed
        line = f"{label:<19} {executed:>12} {elapsed:>8.3f} {executed / elapsed / 1e6:>6.2f}"
        if translated and name in rates:
            line += f"  ({rates[name] / rates[label]:.2f}x slower than without DAT)"
        print(line)
    traps = max(measure_traps(iterations // 4) for _ in range(repeats))
    print(f"privileged-operation trap to a native routine and back: {traps:,.0f} a second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

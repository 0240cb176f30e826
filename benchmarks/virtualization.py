"""What virtualization costs: a guest under CP against the bare machine (a benchmark, not a test).

    python benchmarks/virtualization.py [ITERATIONS] [REPEATS]

Prints:

- the mixed loop of benchmarks/cpu_mips.py (L, AR, ST, LA, BCT) on the bare
  machine and in a virtual machine under CP, and the slowdown (issue 8's
  target: at most 1.3);
- the cost of one simulated privileged instruction (SSM, and LPSW, whose
  simulation loads a whole PSW) and of one reflected SVC (with the guest's
  return by LPSW, itself simulated, taken off), in host microseconds: a
  guest loop with the instruction, minus the same loop with LA in its place
  (that loop run ten times longer), per iteration; and each as a ratio to
  one iteration of that loop without traps (LA, BCT under CP) in the same
  run, a figure that does not move with the host's load;
- the same for a page fault: a loop whose load touches a new page on each
  iteration, against the same loop on pages already in;
- the SSM again with ten more machines logged on, idle in an enabled wait
  (CP looks at each of them at every dispatch).

Times are CPU seconds of this process (``time.process_time``): the MIPS
figures the best of REPEATS runs, the trap figures their median.

"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# The tree this script sits in, not whatever vm370 is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vm370.cp.supervisor import Supervisor  # noqa: E402
from vm370.cp.system import ControlProgram  # noqa: E402
from vm370.cp.vmblock import RunState  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402
from vm370.hardware.psw import PROGRAM_NEW_PSW, SVC_NEW_PSW  # noqa: E402

ORIGIN = 0x200
COUNT = 0x400
WAIT_PSW = 0x408
DISABLED_WAIT = 0x0002_0000_0000_0000
STORAGE = 256 * 1024

MIXED = "5820 0500 1A21 5020 0500 4144 0001 4630 0204"
PLAIN = "4100 0000 4630 0204"  # LA 0,0; BCT
PRIVILEGED = "8000 0410 4630 0204"  # SSM X'410' (all masks stay off); BCT
LOAD_PSW = "8200 0418 4630 0204"  # LPSW X'418', a PSW that goes on at the BCT; BCT
SUPERVISOR_CALL = "0A00 4630 0204"  # SVC 0 (the SVC new PSW returns by LPSW X'20'); BCT
SVC_HANDLER = 0x600


def image(body: str, iterations: int) -> dict[int, bytes]:
    code = bytes.fromhex(("5830 0400" + body + "8200 0408").replace(" ", ""))
    return {
        ORIGIN: code,
        COUNT: iterations.to_bytes(4, "big"),
        WAIT_PSW: DISABLED_WAIT.to_bytes(8, "big"),
        0x410: b"\x00",
        0x418: (ORIGIN + 8).to_bytes(8, "big"),  # LOAD_PSW's PSW: at its BCT
        0x500: bytes(4),
        SVC_NEW_PSW: SVC_HANDLER.to_bytes(8, "big"),  # SVC new PSW: supervisor, disabled
        SVC_HANDLER: bytes.fromhex("82000020"),  # LPSW X'20': back after the SVC
        PROGRAM_NEW_PSW: (DISABLED_WAIT | 0xBAD).to_bytes(8, "big"),
    }


def bare_seconds(body: str, iterations: int) -> tuple[float, int]:
    machine = Machine(STORAGE)
    for address, data in image(body, iterations).items():
        machine.load(address, data)
    machine.cpu.gpr[1] = 1
    machine.set_psw(ORIGIN)
    started = time.process_time()
    machine.run(100 * iterations)
    return time.process_time() - started, machine.cpu.instructions_executed


ENABLED_WAIT = 0xFE02_0000_0000_0000  # BC mode: channel masks on, wait (for I/O that never comes)
WAITING_MACHINES = 10


def guest_seconds(body: str, iterations: int, waiting: int = 0) -> tuple[float, int]:
    """The guest running ``body``; ``waiting`` more machines logged on, idle in an enabled wait."""
    cp = ControlProgram(Machine(STORAGE + 64 * 1024 + waiting * 8 * 1024))
    supervisor = Supervisor(cp)
    for number in range(waiting):
        name = f"IDLE{number}"
        cp.create_virtual_machine(name, 4096)
        cp.set_psw(name, ENABLED_WAIT)
    guest = cp.create_virtual_machine("BENCH", STORAGE)
    for address, data in image(body, iterations).items():
        cp.load("BENCH", address, data)
    guest.gpr[1] = 1
    cp.set_psw("BENCH", ORIGIN)
    started = time.process_time()
    supervisor.run(200 * iterations)
    elapsed = time.process_time() - started
    if guest.state is not RunState.DISABLED_WAIT or guest.psw.instruction_address == 0xBAD:
        raise RuntimeError(f"the guest did not finish: {cp.state('BENCH')}")
    return elapsed, supervisor.guest_instructions


FAULT_PAGES = 1000  # a new page for each iteration: 4 MB of guest storage
FAULT_LOOP = "5800 2000 4122 0800 4122 0800 4630 0204"  # L 0,0(2); LA 2,2048(2) twice; BCT


def fault_seconds(kind: str, pages: int) -> tuple[float, int]:
    """A guest loading one word from each of ``pages`` pages.

    "faulting": the pages were never touched, so each load is a page fault CP
    resolves with a fresh frame; "resident": the same loop run a second time
    over the same pages, which are in (what the first pass cost is not timed).
    """
    size = (pages + 1) * 4096 + 0x1000
    cp = ControlProgram(Machine(size + 256 * 1024))
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("BENCH", size)
    for address, data in image(FAULT_LOOP, pages).items():
        cp.load("BENCH", address, data)
    passes = 2 if kind == "resident" else 1
    elapsed = 0.0
    for _ in range(passes):
        guest.gpr[1] = 1
        guest.gpr[2] = 0x1000
        cp.set_psw("BENCH", ORIGIN)
        started = time.process_time()
        supervisor.run(200 * pages)
        elapsed = time.process_time() - started
        if guest.state is not RunState.DISABLED_WAIT or guest.psw.instruction_address == 0xBAD:
            raise RuntimeError(f"the guest did not finish: {cp.state('BENCH')}")
    return elapsed, supervisor.guest_instructions


def waiting_seconds(body: str, iterations: int) -> tuple[float, int]:
    return guest_seconds(body, iterations, WAITING_MACHINES)


def best(function, body: str, iterations: int, repeats: int) -> tuple[float, int]:
    return min(function(body, iterations) for _ in range(repeats))


def median(function, body: str, iterations: int, repeats: int) -> float:
    times = sorted(function(body, iterations)[0] for _ in range(repeats))
    return times[len(times) // 2]


def main(argv: list[str]) -> int:
    iterations = int(argv[1]) if len(argv) > 1 else 100_000
    repeats = int(argv[2]) if len(argv) > 2 else 3
    bare, bare_count = best(bare_seconds, MIXED, iterations, repeats)
    guest, guest_count = best(guest_seconds, MIXED, iterations, repeats)
    print(f"{'mixed loop':<24} {'instructions':>12} {'seconds':>8} {'MIPS':>6}")
    for name, count, seconds in (
        ("bare machine", bare_count, bare),
        ("guest under CP", guest_count, guest),
    ):
        print(f"{name:<24} {count:>12} {seconds:>8.3f} {count / seconds / 1e6:>6.2f}")
    print(f"slowdown under CP: {guest / bare:.2f}x (target at most 1.3x)")
    loops = max(1, iterations // 10)
    iteration = median(guest_seconds, PLAIN, iterations, repeats) / iterations
    privileged = median(guest_seconds, PRIVILEGED, loops, repeats) / loops
    load_psw = median(guest_seconds, LOAD_PSW, loops, repeats) / loops
    supervisor_call = median(guest_seconds, SUPERVISOR_CALL, loops, repeats) / loops
    privop_cost = privileged - iteration
    load_psw_cost = load_psw - iteration
    svc_cost = supervisor_call - iteration - load_psw_cost
    crowded = median(waiting_seconds, PRIVILEGED, loops, repeats) / loops
    crowded_plain = median(waiting_seconds, PLAIN, loops, repeats) / loops
    crowded_cost = crowded - crowded_plain
    faults = min(loops, FAULT_PAGES)
    touched = median(fault_seconds, "resident", faults, repeats)
    faulted = median(fault_seconds, "faulting", faults, repeats)
    fault_cost = (faulted - touched) / faults
    print(f"one iteration of LA+BCT under CP: {iteration * 1e6:8.2f} us")
    for name, cost in (
        ("one simulated privileged instruction (SSM)", privop_cost),
        ("one simulated LPSW", load_psw_cost),
        ("one reflected SVC (its LPSW return taken off)", svc_cost),
        ("one page fault (a page CP has never given out)", fault_cost),
        (f"the SSM with {WAITING_MACHINES} more machines waiting", crowded_cost),
    ):
        print(f"{name + ':':<48} {cost * 1e6:8.2f} us {cost / iteration:7.1f} iterations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

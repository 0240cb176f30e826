"""``vm370 bare --under-cp``: a standalone program run as the guest of CP.

The same request as the bare machine (vm370.hardware.machine.BareRun), the
same JSON, plus ``"cp"`` (CP's counters), ``"stop_reason"`` (a sentence:
why the run ended, in CP's words when CP stopped the guest) and
``"cp_log"`` (CP's log: the guest's DIAGNOSE X'0100' lines, its disabled
wait, why CP stopped it): the program runs in a virtual machine whose
storage is the size the request asks for, on a real machine with that much
storage and room for CP (or less, to page under pressure), so the two runs
can be compared from outside: the definition of full virtualization.

Differences the reports may show, all allowed by the manuals or by what a
virtual machine is:

- ``instructions`` counts the guest's instructions (a simulated privileged
  instruction counts as one, as on the bare machine; an instruction a page
  fault interrupted, once); the limit ``max_instructions`` counts real
  instructions, CP's included;
- the interval timer at location 80 counts the guest's time, updated when
  CP takes the guest off the CPU (vtimer.py);
- ``cr`` is the guest's (virtual) control registers; ``tlb`` counts the real
  associative array, through which CP's guest makes every access (its
  pages are always translated), so it is not the bare run's;
- I/O: the guest has no devices yet, so --attach and --ipl are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vm370.cp.frames import FRAME_SIZE
from vm370.cp.supervisor import Supervisor, SupervisorError
from vm370.cp.system import ControlProgram, ControlProgramError
from vm370.cp.vmblock import RunState
from vm370.hardware.control_registers import CR6_EXTENDED_CONTROL_MODE, MODE_REGISTER
from vm370.hardware.machine import NOTHING_TO_RUN, BareRun, Machine, MachineError
from vm370.hardware.storage import MAX_STORAGE

GUEST_NAME = "BARE"
# Real storage beyond the guest's: CP's low storage and the guest's tables.
CP_ROOM = 64 * 1024


def run_under_cp(
    request: BareRun,
    real_storage: int | None = None,
    machine_factory: Callable[[int], Machine] = Machine,
    preloaded: Machine | None = None,
) -> dict:
    """Run ``request``'s program as CP's only guest; report as ``run_bare`` does, plus "cp".

    ``preloaded`` is a bare machine whose storage already holds part of the
    program (the object decks ``--load-deck`` loaded): its pages that are
    not all zeros are copied into the guest first. Raises MachineError for
    anything wrong with the request, before running.
    """
    if request.attaches or request.ipl is not None:
        raise MachineError(
            "--attach and --ipl are not available with --under-cp: "
            "virtual machines have no I/O devices yet"
        )
    if request.storage_size % FRAME_SIZE:
        raise MachineError(
            f"a virtual machine's storage is whole 4K pages: {request.storage_size // 1024}K is not"
        )
    if request.max_instructions < 0:
        raise MachineError("--max-instructions must not be negative")
    if real_storage is None:
        real_storage = min(MAX_STORAGE, request.storage_size + CP_ROOM)
    machine = machine_factory(real_storage)
    try:
        cp = ControlProgram(machine)
    except ControlProgramError as error:
        raise MachineError(str(error)) from None
    try:
        supervisor = Supervisor(cp)
    except SupervisorError as error:
        raise MachineError(str(error)) from None
    try:
        guest = cp.create_virtual_machine(GUEST_NAME, request.storage_size)
        if preloaded is not None:
            _copy_pages(cp, preloaded, request.storage_size)
        for path, address in request.loads:
            try:
                data = Path(path).read_bytes()
            except OSError as error:
                raise MachineError(f"cannot read {path}: {error.strerror or error}") from None
            try:
                cp.load(GUEST_NAME, address, data)
            except ControlProgramError as error:
                raise MachineError(f"{path}: {error}") from None
        for _label, address, length in request.dumps:
            cp.read(GUEST_NAME, address, length)
        # --cr and --ec load the guest's (virtual) control registers, as the
        # bare runner loads the real ones, before the PSW is read.
        for number, value in request.control_registers:
            guest.control.load(number, value)
        if request.extended_control_mode:
            guest.control.load(
                MODE_REGISTER, guest.control.values[MODE_REGISTER] | CR6_EXTENDED_CONTROL_MODE
            )
        psw = request.psw
        if psw is None:
            psw = int.from_bytes(cp.read(GUEST_NAME, 0, 8), "big")
            if psw == 0:
                raise MachineError(NOTHING_TO_RUN)
        cp.set_psw(GUEST_NAME, psw)
    except ControlProgramError as error:
        raise MachineError(str(error)) from None
    dat = machine.cpu.dat
    dat.reset_counters()
    real_stop = supervisor.run(request.max_instructions)
    stop, reason = _why_it_stopped(guest.state, real_stop, cp.log, request.max_instructions)
    state = cp.state(GUEST_NAME)
    return {
        "stop": stop,
        "psw": state["psw"],
        "gpr": state["gpr"],
        "fpr": state["fpr"],
        "instructions": supervisor.guest_instructions,
        "dump": {
            label: cp.read(GUEST_NAME, address, length).hex().upper()
            for label, address, length in request.dumps
        },
        "cr": state["cr"],
        "tlb": {"hits": dat.hits, "misses": dat.misses},
        "cp": state["cp"],
        "stop_reason": reason,
        "cp_log": _report_lines(cp.log),
    }


def _why_it_stopped(
    guest_state: RunState, real_stop: str, log: list[str], max_instructions: int
) -> tuple[str, str]:
    """The report's "stop" and a sentence saying why, from the guest's state and CP's log.

    A guest CP had to stop (real storage or the paging device ran out) or
    a failure of CP itself is "stopped", never the instruction limit: the
    real CPU may still have run to its limit while CP had nothing to run.
    """
    if guest_state is RunState.DISABLED_WAIT:
        return "disabled-wait", "the guest entered a disabled wait"
    if guest_state is RunState.ENABLED_WAIT:
        return "enabled-wait", "the guest waits, enabled, for an interruption nothing will cause"
    cp_said = [
        line
        for line in log
        if line.startswith((f"{GUEST_NAME} stopped:", "CP failure:", "CP: "))
    ]
    if guest_state is RunState.STOPPED or real_stop != "limit":
        return "stopped", cp_said[-1] if cp_said else "CP stopped the guest"
    return "limit", f"the instruction limit ({max_instructions:,}) was reached"


# A guest can write CP's log without end (DIAGNOSE X'0100'): the report keeps
# the first lines and counts the rest.
MAX_LOG_LINES_REPORTED = 1000


def _report_lines(log: list[str]) -> list[str]:
    if len(log) <= MAX_LOG_LINES_REPORTED:
        return list(log)
    kept = log[: MAX_LOG_LINES_REPORTED - 1]
    return [*kept, f"... {len(log) - len(kept)} more lines of CP's log"]


def _copy_pages(cp: ControlProgram, preloaded: Machine, storage_size: int) -> None:
    """Copy the pages of ``preloaded``'s storage that hold anything into the guest."""
    mem = preloaded.storage.mem
    if len(mem) > storage_size and any(mem[storage_size:]):
        raise MachineError(
            f"the loaded decks go past the virtual machine's {storage_size // 1024}K of storage"
        )
    for address in range(0, min(len(mem), storage_size), FRAME_SIZE):
        page = bytes(mem[address : address + FRAME_SIZE])
        if any(page):
            cp.load(GUEST_NAME, address, page)

"""CP takes the real machine: native entry points, traps, and the dispatch loop.

CP owns real low storage. It puts the real CPU in extended-control mode
(CR6 bit 8, GA27-2719) and makes every new PSW an EC-mode, supervisor-state,
disabled, untranslated PSW whose instruction address is one of CP's entry
points, registered as native routines: when an interruption happens the
hardware swaps PSWs as always, and the "instruction" at the new PSW's address
is CP's Python.

A virtual machine runs in the real problem state with translation on (its
address space's tables, or its shadow tables), its own key, condition code
and program mask, and the real I/O and external masks on (the real interval
timer is CP's time slice). Everything else about its PSW is virtual and
lives in the VMBLOK. So the machine traps to CP exactly when it:

- executes a privileged instruction: program interruption, code 2;
- touches a page that is not in a frame, or makes a translation exception
  in its own tables: codes X'10'/X'11';
- makes any other program exception, or issues an SVC: CP reflects it;
- uses up its time slice: the real timer's external interruption.

Each entry point saves the guest's state (registers from the CPU, the
condition code, program mask, ILC and instruction address from the real
old PSW), lets CP act on the VMBLOK, and ends in ``dispatch``, which picks
the next machine and loads its state and a real PSW, or puts the real CPU
in a wait until the next event.

The entry points are at real X'F00'-X'F28' in CP's frame 0. The CPU looks
native routines up only with translation off, and a guest always runs
translated, so a guest's own instruction at a virtual X'F00' is never taken
for CP.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable

from vm370.cp import debugging, reflect
from vm370.cp.dispatch import slice_timer_units
from vm370.cp.frames import Frame, FrameError
from vm370.cp.paging import PagingError
from vm370.cp.privops import (
    EXTENDED_CONTROL,
    SIMULATIONS,
    handle_privileged_operation,
    trapped_instruction,
)
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState, VirtualMachine
from vm370.cp.vtimer import charge_timer, instructions_until_interruption
from vm370.hardware.channel import CSW_LOCATION
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    EC_ADDRESSING_32,
    EC_EXTERNAL_MASK,
    EC_IO_MASK,
    EC_TRANSLATION,
    ECPSW,
    EXTENDED_CHANNEL_MASK_REGISTER,
    EXTERNAL_CODE_LOCATION,
    IO_CODE_LOCATION,
    MODE_REGISTER,
    PROGRAM_CODE_LOCATION,
    SEGMENT_TABLE_REGISTER,
    SVC_CODE_LOCATION,
    TRANSLATION_EXCEPTION_ADDRESS_REGISTER,
)
from vm370.hardware.interrupts import (
    PAGE_TRANSLATION,
    PRIVILEGED_OPERATION,
    SEGMENT_TRANSLATION,
    ProgramInterrupt,
)
from vm370.hardware.psw import (
    EXTERNAL_NEW_PSW,
    EXTERNAL_OLD_PSW,
    EXTERNAL_TIMER,
    INTERVAL_TIMER,
    IO_NEW_PSW,
    IO_OLD_PSW,
    MACHINE_CHECK_NEW_PSW,
    PROGRAM_NEW_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
    SVC_OLD_PSW,
)
from vm370.hardware.timer import UNITS_PER_SECOND

EXTERNAL_ENTRY = 0xF00
SVC_ENTRY = 0xF08
PROGRAM_ENTRY = 0xF10
MACHINE_CHECK_ENTRY = 0xF18
IO_ENTRY = 0xF20
DISPATCH_ENTRY = 0xF28
SLICE_EXPIRED = 1 << 62
EC_PROBLEM_STATE = 0x00010000  # in the high word of an EC-mode PSW (GA27-2719)
# A guest's real PSW: translated, the real I/O and external masks on, problem state.
GUEST_PSW_BITS = (EC_TRANSLATION | EC_IO_MASK | EC_EXTERNAL_MASK | EC_PROBLEM_STATE) << 32
_unpack_psw = struct.Struct(">II").unpack_from
_unpack_halfword = struct.Struct(">H").unpack_from
# The simulations of the Model 67's instructions a machine without ECMODE lacks.
EXTENDED_SIMULATIONS = frozenset(SIMULATIONS[mnemonic] for mnemonic in EXTENDED_CONTROL)


class SupervisorError(Exception):
    """The real machine cannot host CP (no translation hardware)."""


class Supervisor:
    """CP's hold on the real CPU: its interruption handlers and its dispatcher."""

    # For a checkpoint taken before the dispatcher kept it (it then starts
    # counting the waiting machines' waits afresh at its first dispatch).
    last_scan = 0

    def __init__(self, cp: ControlProgram) -> None:
        cpu = cp.machine.cpu
        if getattr(cpu, "dat", None) is None or getattr(cpu, "control", None) is None:
            raise SupervisorError(
                "the CPU has no dynamic address translation wired in: "
                "CP cannot run virtual machines on it yet"
            )
        self.cp = cp
        self.cpu = cpu
        self.clock = cp.machine.clock
        self.storage = cp.storage
        self.current: VirtualMachine | None = None
        self.slice_started = 0
        self.loaded_space: tuple[str, int] | None = None
        # The clock at the last dispatch (_wake_waiting_machines).
        self.last_scan = 0
        # The machine CP took off the CPU at this entry, and the instructions
        # it used since it was dispatched (for the dispatcher's accounting).
        self._returning: tuple[VirtualMachine, int] | None = None
        # Exact counts for ``guest_instructions``: CP's own entries (each one
        # instruction to the CPU) and instructions stopped by a page fault
        # CP resolved (the CPU starts them twice).
        self.native_entries = 0
        self.retried_instructions = 0
        # Page table entries were made invalid since the last purge (system.py);
        # ``in_cp`` while one of CP's entry points runs.
        self.purge_pending = False
        self.in_cp = False
        self.real_instructions = 0
        # The frames paged in for the instruction the current guest is
        # retrying, locked until it completes (see ``_pin_for_instruction``),
        # and which attempt they are for: (machine, instruction address,
        # instructions it had completed).
        self.pinned_frames: list[Frame] = []
        self._pinned_for: tuple[str, int, int] | None = None
        # The real timer was set to take the running guest off the CPU at
        # once (an interruption for it arrived while it ran, see ``preempt``).
        self.preempting = False
        self.timer_clobbered = False
        cp.supervisor = self
        # Real keys of guest frames change through the CPU's SSK path, which
        # also forgets instructions decoded under the old key.
        cp.pager.set_real_key = cpu.set_storage_key
        self._take_the_machine()

    def _take_the_machine(self) -> None:
        cpu = self.cpu
        cpu.control.load(MODE_REGISTER, CR6_EXTENDED_CONTROL_MODE)
        cpu.control.load(EXTENDED_CHANNEL_MASK_REGISTER, 0xFFFFFFFF)
        for new_location, entry, routine in (
            (EXTERNAL_NEW_PSW, EXTERNAL_ENTRY, self.external_interruption),
            (SVC_NEW_PSW, SVC_ENTRY, self.supervisor_call_interruption),
            (PROGRAM_NEW_PSW, PROGRAM_ENTRY, self.program_interruption),
            (MACHINE_CHECK_NEW_PSW, MACHINE_CHECK_ENTRY, self.machine_check_interruption),
            (IO_NEW_PSW, IO_ENTRY, self.io_interruption),
        ):
            self.storage.write_doubleword(new_location, ECPSW(instruction_address=entry).to_int())
            cpu.register_native(entry, self._counted(routine))
        cpu.register_native(DISPATCH_ENTRY, self._counted(self.dispatch_routine))
        cpu.load_psw(ECPSW(instruction_address=DISPATCH_ENTRY).to_int())

    def _counted(self, routine: Callable[[object], None]) -> Callable[[object], None]:
        """The entry point ``routine``, counting its entries (each one is an instruction).

        A partial of a module function, not a closure, so that a checkpoint can keep it.
        """
        entry = functools.partial(_enter_cp, self, routine)
        entry.__doc__ = routine.__doc__
        return entry

    def _machine_cannot_go_on(self, error: Exception) -> None:
        """Real storage or the paging device ran out for a guest: stop it, run the others."""
        machine = self._returning[0] if self._returning is not None else self.current
        self.current = None
        self.release_pinned_frames()
        if machine is not None:
            machine.state = RunState.STOPPED
            self.cp.write_log(f"{machine.name} stopped: {error}")
        else:
            self.cp.write_log(f"CP: {error}")
        self.dispatch()

    def run(self, max_instructions: int) -> str:
        """Run the real machine (CP and its guests); the CPU's stop reason."""
        before = self.cpu.instructions_executed
        try:
            return self.cpu.run(max_instructions)
        finally:
            self.real_instructions += self.cpu.instructions_executed - before
            self.sync()
            # Between runs the pages are anyone's (CP's API may page).
            self.release_pinned_frames()

    @property
    def guest_instructions(self) -> int:
        """All the instructions guests have executed in ``run``, exactly.

        The real CPU's count, less CP's entry points and the second start of
        each instruction a resolved page fault stopped: with one guest, that
        guest's count, comparable with the bare machine's.
        """
        return self.real_instructions - self.native_entries - self.retried_instructions

    def sync(self) -> None:
        """Bring the VMBLOKs up to date without taking the running guest off the CPU.

        The waiting machines' timers too: as charged at every dispatch, up
        to the last one (see ``_wake_waiting_machines``).
        """
        for waiting in self.cp.machines.values():
            self._charge_wait(waiting, self.last_scan)
        machine = self.current
        if machine is None or not self.cpu.problem_state:
            return
        cpu = self.cpu
        machine.gpr[:] = cpu.gpr
        machine.fpr[:] = cpu.fpr
        psw = machine.psw
        psw.cc = cpu.cc
        psw.program_mask = cpu.program_mask
        psw.instruction_address = cpu.ia & machine.address_mask
        self._account(machine, in_cp=False)

    def _account(self, machine: VirtualMachine, in_cp: bool = True) -> int:
        """Charge the machine with the instructions it ran since it was dispatched.

        The CPU brings the clock up to the current instruction before a
        native routine runs (``sync_clock``), so inside one of CP's entry
        points the clock counts that entry too, which is CP's, not the guest's.
        """
        now = self.clock.now
        used = max(0, now - self.slice_started - (1 if in_cp else 0))
        self.slice_started = now
        machine.counters.instructions += used
        charge_timer(machine, used)
        return used

    def _save_guest(self, old_location: int) -> VirtualMachine | None:
        """Take the interrupted guest off the CPU into its VMBLOK; None if CP was idle."""
        machine = self.current
        if machine is None:
            return None
        if machine.debug is not None:
            debugging.detach_observer(self.cp, machine)
        # CP's PSWs are EC-mode (GA27-2719): the fields are taken from the
        # old PSW's image in place, on every trap, without building an ECPSW.
        high, instruction_address = _unpack_psw(self.storage.mem, old_location)
        if not high & EC_PROBLEM_STATE:
            return None
        cpu = self.cpu
        machine.gpr[:] = cpu.gpr
        machine.fpr[:] = cpu.fpr
        psw = machine.psw
        psw.cc = (high >> 12) & 3
        psw.program_mask = (high >> 8) & 15
        psw.ilc = (high >> 14) & 3
        if psw.__class__ is ECPSW and psw.addressing_32:
            psw.instruction_address = instruction_address & 0xFFFFFFFF
        else:
            psw.instruction_address = instruction_address & 0x00FFFFFF
        self.current = None
        # _account, inline: the clock counts this entry too, which is CP's.
        now = self.clock.now
        used = now - self.slice_started - 1
        if used < 0:
            used = 0
        self.slice_started = now
        machine.counters.instructions += used
        # charge_timer's common case inline: less than a timer unit, no credit.
        if machine.timer_credit:
            charge_timer(machine, used)
        elif used:
            total = used * UNITS_PER_SECOND + machine.timer_fraction
            if total < INSTRUCTIONS_PER_SECOND:
                machine.timer_fraction = total
            else:
                charge_timer(machine, used)
        self._returning = (machine, used)
        return machine

    def _code(self, location: int) -> int:
        return _unpack_halfword(self.storage.mem, location)[0]

    def program_interruption(self, cpu) -> None:
        """CP's program-interruption entry: simulate, page, or reflect."""
        machine = self._save_guest(PROGRAM_OLD_PSW)
        if machine is None:
            self._cp_failure("program interruption in CP")
            return
        code = _unpack_halfword(self.storage.mem, PROGRAM_CODE_LOCATION)[0]
        ilc = machine.psw.ilc
        if code not in (SEGMENT_TRANSLATION, PAGE_TRANSLATION) and (
            self._pinned_for is not None or self.pinned_frames
        ):
            self.release_pinned_frames()
        if code == PRIVILEGED_OPERATION:
            try:
                instruction, ilc = trapped_instruction(machine)
            except ProgramInterrupt as interrupt:
                reflect.reflect_program_interruption(machine, interrupt.code, ilc)
            else:
                psw = machine.psw
                simulation = SIMULATIONS.get(instruction.row.mnemonic)
                if (
                    simulation is not None
                    and not psw.problem_state
                    and machine.debug is None
                    and (machine.extended_control or simulation not in EXTENDED_SIMULATIONS)
                ):
                    # handle_privileged_operation's common case, inline: simulate.
                    psw.ilc = ilc
                    machine.counters.privops += 1
                    try:
                        simulation(self.cp, machine, instruction)
                    except ProgramInterrupt as interrupt:
                        reflect.reflect_program_interruption(machine, interrupt.code, ilc)
                    reflect.present_pending(machine)
                else:
                    simulated = not psw.problem_state
                    handle_privileged_operation(self.cp, machine, instruction, ilc)
                    if machine.debug is not None and simulated:
                        debugging.privileged(self.cp, machine, instruction)
        elif code in (SEGMENT_TRANSLATION, PAGE_TRANSLATION):
            self._translation_exception(machine, ilc)
        else:
            reflect.reflect_program_interruption(machine, code, ilc)
            reflect.present_pending(machine)
        self.dispatch()

    def _translation_exception(self, machine: VirtualMachine, ilc: int) -> None:
        address = self.cpu.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER]
        try:
            real_address = self.cp.resolve_translation_exception(machine, address)
        except ProgramInterrupt as interrupt:
            self.release_pinned_frames()
            # The guest's own exception: the real one left the PSW past the
            # instruction with its ILC, as the guest's virtual 360/67 would.
            reflect.reflect_program_interruption(machine, interrupt.code, ilc)
            reflect.present_pending(machine)
        else:
            # The Model 67 suppresses on a translation exception, as a
            # System/360 suppresses (PoO GA22-6821, "Program Interruption"):
            # the old PSW points past the instruction, whose length is in the
            # ILC; System/370's nullification came later (docs/model67.md has
            # the sources, GA27-2719 among them). As CP-67 did, back it up by
            # the ILC so the guest starts the instruction again once the page
            # is in.
            psw = machine.psw
            psw.instruction_address = (psw.instruction_address - 2 * ilc) & (machine.address_mask)
            # The instruction will be started again: count it once.
            self.retried_instructions += 1
            machine.counters.instructions -= 1
            machine.timer_credit += 1
            self._pin_for_instruction(machine, real_address)

    def _pin_for_instruction(self, machine: VirtualMachine, real_address: int) -> None:
        """Keep the page just brought in until the instruction that needed it completes.

        One instruction may need up to eight pages at once. Were the pages it
        faulted in stealable while it faults for the rest, the clock could
        take one back each time, and the instruction would page for ever. So
        the pages of one attempt stay locked: each fault adds one, at most
        eight are locked, and CP keeps at least eight frames for pages
        (frames.PAGES_PER_INSTRUCTION), so the attempt always succeeds. The
        locks go at CP's next entry for anything else, or when the guest's
        attempt changes (another instruction, or one completed in between).
        """
        attempt = (machine.name, machine.psw.instruction_address, machine.counters.instructions)
        if attempt != self._pinned_for:
            self.release_pinned_frames()
            self._pinned_for = attempt
        frame = self.cp.frames.frame_of(real_address)
        if frame.owner == machine.name and not frame.locked:
            self.cp.frames.lock(frame)
            self.pinned_frames.append(frame)

    def release_pinned_frames(self) -> None:
        """Unlock the frames a retried instruction held (its attempt ended)."""
        if self._pinned_for is None and not self.pinned_frames:
            return
        for frame in self.pinned_frames:
            if frame.lock_count:
                self.cp.frames.unlock(frame)
        self.pinned_frames.clear()
        self._pinned_for = None

    def supervisor_call_interruption(self, cpu) -> None:
        """CP's SVC entry: every SVC a guest issues is its own."""
        machine = self._save_guest(SVC_OLD_PSW)
        if self._pinned_for is not None or self.pinned_frames:
            self.release_pinned_frames()
        if machine is None:
            self._cp_failure("SVC in CP")
            return
        code = _unpack_halfword(self.storage.mem, SVC_CODE_LOCATION)[0]
        if machine.debug is not None and debugging.supervisor_call(self.cp, machine, code):
            self.dispatch()
            return
        reflect.reflect_supervisor_call(machine, code, machine.psw.ilc)
        reflect.present_pending(machine)
        self.dispatch()

    def external_interruption(self, cpu) -> None:
        """CP's external entry: the real timer ends a time slice or an idle wait."""
        code = self._code(EXTERNAL_CODE_LOCATION)
        machine = self._save_guest(EXTERNAL_OLD_PSW)
        self.release_pinned_frames()
        if machine is not None and code & EXTERNAL_TIMER and not self.preempting:
            # The real timer is the measure of the slice: it is over, whatever
            # the clock, which lags within a block, made of it so far.
            self._returning = (machine, SLICE_EXPIRED)
        self.preempting = False
        if code & ~EXTERNAL_TIMER & 0xFF:
            self.cp.write_log(f"external interruption {code:04X} for the operator")
        if machine is not None:
            reflect.present_pending(machine)
        self.dispatch()

    def io_interruption(self, cpu) -> None:
        """CP's I/O entry: a real device's status, for the console manager or the log."""
        device = self._code(IO_CODE_LOCATION)
        machine = self._save_guest(IO_OLD_PSW)
        self.release_pinned_frames()
        csw = self.storage.read(CSW_LOCATION, 8)
        if not self.cp.real_interruption(device, csw):
            self.cp.write_log(f"unsolicited I/O interruption from device {device:03X}")
        if machine is not None:
            reflect.present_pending(machine)
        self.dispatch()

    def machine_check_interruption(self, cpu) -> None:
        """CP's machine-check entry: log it and go on (nothing is modelled to repair)."""
        self.cp.write_log("machine check")
        self.release_pinned_frames()
        self.dispatch()

    def dispatch_routine(self, cpu) -> None:
        """CP's first instruction after taking the machine."""
        self.dispatch()

    def _cp_failure(self, what: str) -> None:
        self.cp.write_log(f"CP failure: {what}; the real CPU stops")
        self.cpu.load_psw(ECPSW(wait=True, instruction_address=0xDEAD).to_int())

    def dispatch(self) -> None:
        """Give the real CPU to the next machine, or wait for the next event."""
        cp = self.cp
        dispatcher = cp.dispatcher
        if self._returning is not None:
            previous, used = self._returning
            self._returning = None
            if not cp.service_requested:
                remaining = dispatcher.resume_after_trap(previous, used)
                if remaining is not None:
                    # The common end of a trap: the machine goes on with its
                    # slice. Alone on the system, it is the only machine that
                    # could be waiting, and it is not.
                    if len(cp.machines) > 1:
                        self._wake_waiting_machines()
                    if self.timer_clobbered:
                        self._resume(previous, remaining)
                    else:
                        self._enter(previous)
                    return
            if previous.state is RunState.ENABLED_WAIT:
                self._wait_begins(previous, self.clock.now)
            elif previous.state is RunState.DISABLED_WAIT:
                cp.write_log(f"{previous.name} entered a disabled wait")
                for handler in cp.on_disabled_wait:
                    handler(previous)
            elif previous.stopped_by_reflection is not None:
                message = previous.stopped_by_reflection
                previous.stopped_by_reflection = None
                cp.write_log(f"{previous.name} stopped: {message}")
                for handler in cp.on_reflection_stop:
                    handler(previous, message)
            dispatcher.slice_ended(previous, used)
        if cp.service_requested:
            cp.service()
        self._wake_waiting_machines()
        chosen = dispatcher.select()
        if chosen is None:
            self._idle()
            return
        machine, instructions = chosen
        if not dispatcher.resumed:
            self.timer_clobbered = True
        self._resume(machine, instructions)

    def _resume(self, machine: VirtualMachine, instructions: int) -> None:
        """Give the machine the CPU for ``instructions`` more of its slice."""
        if self.timer_clobbered:
            self.timer_clobbered = False
            # A new slice; a machine back from a trap finishes the one the
            # real timer is still counting down.
            if machine.external_enabled:
                instructions = min(instructions, instructions_until_interruption(machine))
            self._set_real_timer(slice_timer_units(instructions))
        self._enter(machine)

    def _wake_waiting_machines(self) -> None:
        """Run the waiting machines' timers on to now; wake those with something to take.

        This runs at every dispatch, so its cost for each machine logged on
        is paid on every trap. A waiting machine's timer is therefore not
        charged here at each dispatch but when it matters: once the clock
        has reached the time by which it may go negative (``wait_deadline``,
        reckoned from the timer when the wait began or was last charged),
        and when it is found to have left the wait (up to the previous
        dispatch, while it still waited). The sums are those of charging it
        at every dispatch, as a timer charged in parts ends where one charged
        at once does (vtimer.charge_timer), and its going negative is seen at
        the same dispatch. What it has pending is looked at only when its
        count begins or its timer is charged: a machine in a wait cannot
        change what it enables, and CP wakes it at once when anything else
        becomes pending for it.
        """
        now = self.clock.now
        previous_scan = self.last_scan
        self.last_scan = now
        enabled_wait = RunState.ENABLED_WAIT
        for machine in self.cp.machines.values():
            since = machine.wait_since
            if machine.state is not enabled_wait:
                if since >= 0:
                    # Woken, stopped or reset since the last dispatch.
                    self._charge_wait(machine, previous_scan)
                    machine.wait_since = -1
                continue
            if since < 0:
                self._wait_begins(machine, now)
            elif now >= machine.wait_deadline:
                self._charge_wait(machine, now)
                self._wait_begins(machine, now)
            elif since != now:
                # Nothing new: what was pending when its count began (or
                # last restarted) it could not take, and whatever has been
                # made pending since woke it there and then (ControlProgram.wake).
                continue
            if machine.pending_external or machine.channel.interrupt_pending:
                self.cp.wake(machine)
                if machine.state is not enabled_wait:
                    machine.wait_since = -1

    @staticmethod
    def _charge_wait(machine: VirtualMachine, until: int) -> None:
        """Charge a machine CP counts as waiting with its wait up to ``until``."""
        since = machine.wait_since
        if 0 <= since < until:
            charge_timer(machine, until - since)
            machine.wait_since = until

    @staticmethod
    def _wait_begins(machine: VirtualMachine, now: int) -> None:
        """Count the machine as waiting from ``now``, its timer charged up to then.

        Its deadline is when its timer would go negative were it charged
        with every instruction from now on; one it has credit for (a
        retried instruction) only delays that, and the charge at the
        deadline then sets the next.
        """
        machine.wait_since = now
        machine.wait_deadline = now + instructions_until_interruption(machine)

    def _idle(self) -> None:
        """No machine can run: wait for the earliest virtual timer, or for I/O."""
        soonest = None
        now = self.clock.now
        for machine in self.cp.machines.values():
            if machine.state is RunState.ENABLED_WAIT and machine.external_enabled:
                self._charge_wait(machine, now)  # for the time its timer has left
                needed = instructions_until_interruption(machine)
                soonest = needed if soonest is None else min(soonest, needed)
        if soonest is not None:
            self._set_real_timer(slice_timer_units(soonest))
        # The I/O mask stays on for real devices; the external mask only when
        # a virtual timer can end the wait (else nothing could, and the real
        # CPU reports the wait instead of idling forever).
        self.cpu.load_psw(
            ECPSW(
                io_mask=True,
                external_mask=soonest is not None,
                wait=True,
                instruction_address=DISPATCH_ENTRY,
            ).to_int()
        )

    def _set_real_timer(self, units: int) -> None:
        """Set the real interval timer to go off after ``units`` (at most the largest positive)."""
        timer = self.cpu.timer
        timer.update()
        self.storage.write_word(INTERVAL_TIMER, min(units, 0x7FFFFFFF))
        timer.resume()

    def _enter(self, machine: VirtualMachine) -> None:
        """Load the machine onto the real CPU: its tables, registers and a real PSW."""
        cpu = self.cpu
        psw = machine.psw
        if psw.__class__ is ECPSW and psw.translation:
            register = machine.shadow.segment_table_register
        else:
            register = machine.address_space.segment_table_register
        loaded = self.loaded_space
        if loaded is None or loaded[1] != register or loaded[0] != machine.name:
            cpu.control.load(SEGMENT_TABLE_REGISTER, register)  # which purges
            self.loaded_space = (machine.name, register)
        elif self.purge_pending:
            cpu.dat.purge()
        self.purge_pending = False
        cpu.gpr[:] = machine.gpr
        cpu.fpr[:] = machine.fpr
        # The real PSW's image built in place (the fields of ECPSW.to_int).
        real = (
            GUEST_PSW_BITS
            | (psw.key & 15) << 52
            | psw.ascii << 51
            | (psw.cc & 3) << 44
            | (psw.program_mask & 15) << 40
            | (psw.instruction_address & 0xFFFFFFFF)
        )
        if psw.__class__ is ECPSW and psw.addressing_32:
            real |= EC_ADDRESSING_32 << 32
        cpu.load_psw(real)
        self.current = machine
        self.slice_started = self.clock.now
        if machine.debug is not None:
            debugging.attach_observer(self.cp, machine)

    def preempt(self, machine: VirtualMachine) -> None:
        """Take ``machine`` off the real CPU at its next instruction (CP has news for it).

        An interruption for the running guest (its virtual device ended)
        must be presented by CP, which holds the guest's PSW only once the
        guest is off the CPU: the real interval timer is made to expire at
        once, and the external entry that follows presents it without
        counting the slice as used up.
        """
        if self.current is not machine or self.in_cp:
            return
        self.preempting = True
        self.timer_clobbered = True
        self._set_real_timer(0)

    def stop_machine(self, machine: VirtualMachine) -> None:
        """The machine stops (console function mode): off the CPU at once if it runs."""
        self.preempt(machine)

    def wake_up(self) -> None:
        """A machine became ready from outside CP's entry points: end CP's idle wait."""
        cpu = self.cpu
        if not self.in_cp and self.current is None and cpu.wait:
            cpu.load_psw(ECPSW(instruction_address=DISPATCH_ENTRY).to_int())

    def machine_gone(self, machine: VirtualMachine) -> None:
        """The machine logged off: forget it, and load CR0 afresh at the next dispatch."""
        if self._pinned_for is not None and self._pinned_for[0] == machine.name:
            # Its frames are free already (Pager.unregister dropped their locks).
            self.pinned_frames.clear()
            self._pinned_for = None
        self.loaded_space = None
        if machine.debug is not None:
            debugging.detach_observer(self.cp, machine)
        if self.current is machine:
            self.current = None
        if self._returning is not None and self._returning[0] is machine:
            self._returning = None


def _enter_cp(supervisor: Supervisor, routine: Callable[[object], None], cpu: object) -> None:
    """One entry into CP through ``routine`` (Supervisor._counted)."""
    supervisor.native_entries += 1
    supervisor.in_cp = True
    try:
        routine(cpu)
    except (PagingError, FrameError) as error:
        supervisor._machine_cannot_go_on(error)
    finally:
        supervisor.in_cp = False

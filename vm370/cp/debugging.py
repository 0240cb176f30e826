"""What CP does for a user debugging their virtual machine: ADSTOP and TRACE.

A machine that nobody debugs has ``machine.debug`` None, and CP's trap
handlers test only that one attribute, so debugging costs other machines
nothing. A machine with an address stop or a trace gets a ``DebugState``:

- ADSTOP, as VM/370 did it (DMKCFD): the two bytes at the address are
  replaced by ``SVC X'B3'``; when the guest issues that SVC there, CP puts
  the bytes back, points the PSW at the address, says ``ADSTOP AT xxxxxx``
  and leaves the user in CP mode.
- TRACE (DMKTRA/DMKTRC/DMKTRD): interruptions are traced where CP reflects
  them (reflect.py), privileged and I/O instructions where CP simulates
  them (supervisor.py), in VM/370's line formats. Branches and every
  instruction come from an instruction observer on the real CPU, attached
  only while the traced machine is on it (VM/370 planted ``SVC B1``/``B2``
  after each instruction instead; the 360/67 has no PER). Mnemonics come
  from the one ISA table through the disassembler.

With NORUN (the default) the machine stops in CP mode after each traced
event, as VM/370 paused for the terminal; with RUN it goes on. Output goes
to the terminal, to the virtual printer's spool file, or both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vm370.hardware import isa
from vm370.hardware.disassembler import disassemble_one
from vm370.hardware.instructions.operands import bd_address
from vm370.hardware.interrupts import ProgramInterrupt
from vm370.hardware.psw import (
    EXTERNAL_OLD_PSW,
    IO_OLD_PSW,
    PROGRAM_OLD_PSW,
    SVC_OLD_PSW,
    RecheckInterruptions,
)

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram
    from vm370.cp.vmblock import VirtualMachine

ADSTOP_SVC = 0xB3
ADSTOP_BYTES = bytes((0x0A, ADSTOP_SVC))

SVC = "SVC"
IO = "I/O"
PROGRAM = "PROGRAM"
EXTERNAL = "EXTERNAL"
PRIV = "PRIV"
BRANCH = "BRANCH"
INSTRUCT = "INSTRUCT"
SIO = "SIO"
EVENTS = (SVC, IO, PROGRAM, EXTERNAL, PRIV, BRANCH, INSTRUCT, SIO)

IO_INSTRUCTIONS = frozenset({"SIO", "TIO", "HIO", "TCH"})
BRANCHES = frozenset({"BC", "BCR", "BAL", "BALR", "BCT", "BCTR", "BXH", "BXLE"})
_INTERRUPTION_NAMES = {
    SVC_OLD_PSW: ("SVC ", SVC),
    PROGRAM_OLD_PSW: ("PROG", PROGRAM),
    EXTERNAL_OLD_PSW: ("EXT ", EXTERNAL),
    IO_OLD_PSW: ("I/O ", IO),
}
PRINT_COMMAND = 0x09  # write, then space one line


@dataclass
class TraceOptions:
    """What one TRACE traces and where its lines go."""

    events: set[str] = field(default_factory=set)
    terminal: bool = True
    printer: bool = False
    run: bool = False

    @property
    def instructions(self) -> bool:
        return bool(self.events & {BRANCH, INSTRUCT})


@dataclass
class DebugState:
    """A machine's address stop and trace (the VMBLOK's ADSTOP buffer and TRACE block)."""

    cp: Any = None
    adstop_address: int | None = None
    adstop_saved: bytes = b""
    trace: TraceOptions | None = None
    # The instruction the observer saw last: (address, its bytes).
    previous: tuple[int, bytes] | None = None
    observer: Any = None

    @property
    def idle(self) -> bool:
        return self.adstop_address is None and self.trace is None


def state_of(cp: ControlProgram, machine: VirtualMachine) -> DebugState:
    if machine.debug is None:
        machine.debug = DebugState(cp)
    return machine.debug


def forget_if_idle(machine: VirtualMachine) -> None:
    if machine.debug is not None and machine.debug.idle:
        machine.debug = None


# ADSTOP


def set_adstop(cp: ControlProgram, machine: VirtualMachine, address: int) -> None:
    """Plant the stop at ``address`` (any previous one is removed first)."""
    clear_adstop(machine)
    state = state_of(cp, machine)
    state.adstop_saved = machine.storage.read_real(address, 2)
    machine.storage.write_real(address, ADSTOP_BYTES)
    state.adstop_address = address


def clear_adstop(machine: VirtualMachine) -> None:
    """Put the instruction back, byte by byte where the guest left the SVC (DMKCFD)."""
    state = machine.debug
    if state is None or state.adstop_address is None:
        return
    address, saved = state.adstop_address, state.adstop_saved
    current = machine.storage.read_real(address, 2)
    restored = bytes(saved[i] if current[i] == ADSTOP_BYTES[i] else current[i] for i in range(2))
    machine.storage.write_real(address, restored)
    state.adstop_address = None
    state.adstop_saved = b""
    forget_if_idle(machine)


def supervisor_call(cp: ControlProgram, machine: VirtualMachine, number: int) -> bool:
    """The guest's SVC, before CP reflects it; True when it was the address stop."""
    state = machine.debug
    at = (machine.psw.instruction_address - 2) & machine.address_mask
    if number == ADSTOP_SVC and state.adstop_address is not None and at == state.adstop_address:
        clear_adstop(machine)
        machine.psw.instruction_address = at
        stop(cp, machine, [f"ADSTOP AT {at:06X}"])
        return True
    return False


# TRACE


def _user(cp: ControlProgram, machine: VirtualMachine):
    users = getattr(cp, "users", None)
    return None if users is None else users.users.get(machine.name)


def printer_of(machine: VirtualMachine):
    """The virtual printer whose spool file takes printed trace lines, if any."""
    from vm370.cp.vdevices import SpooledPrinter

    for address in sorted(machine.devices):
        device = machine.devices[address]
        if isinstance(device, SpooledPrinter) and device.sink is not None:
            return device
    return None


def stop(cp: ControlProgram, machine: VirtualMachine, lines: list[str]) -> None:
    """Show ``lines`` and leave the user in CP mode (CP READ), as after PA1."""
    user = _user(cp, machine)
    if user is None:
        return
    consoles = getattr(cp, "consoles", None)
    if consoles is not None:
        consoles.stop_in_cp_mode(user, lines)
    else:
        for line in lines:
            user.guest_output(line)
        cp.users.enter_cp_mode(user)


def emit(cp: ControlProgram, machine: VirtualMachine, line: str, pause: bool = True) -> None:
    """One trace line to where the trace sends it; then pause unless RUN."""
    trace = machine.debug.trace
    if trace.printer:
        printer = printer_of(machine)
        if printer is not None:
            record = bytes((PRINT_COMMAND,)) + line.encode("cp037", errors="replace")
            if printer.sink.spool_record(printer, record) is False:
                # The spool is full: VM/370 ended the trace (DMKTRC).
                end_trace(cp, machine)
                user = _user(cp, machine)
                if user is not None:
                    user.guest_output("TRACE ENDED")
                return
    if not trace.terminal:
        return
    if trace.run or not pause:
        user = _user(cp, machine)
        if user is not None:
            user.guest_output(line)
        return
    stop(cp, machine, [line])


def _tracing(machine: VirtualMachine, event: str) -> bool:
    state = machine.debug
    return state is not None and state.trace is not None and event in state.trace.events


def interruption(
    cp: ControlProgram, machine: VirtualMachine, old_location: int, code: int, old: int, new: int
) -> None:
    """An interruption CP has just reflected: ``*** VVVVVV TYPE  CODE ==> TTTTTT`` (DMKTRC)."""
    name, event = _INTERRUPTION_NAMES.get(old_location, (None, None))
    if name is None or not _tracing(machine, event):
        return
    address = old & 0xFFFFFF
    if old_location == SVC_OLD_PSW:
        ilc = (old >> 46) & 3 if machine.ec_mode else (old >> 30) & 3
        address = (address - 2 * (ilc or 1)) & 0xFFFFFF
    line = f"*** {address:06X} {name}  {code & 0xFFFF:04X} ==> {new & 0xFFFFFF:06X}"
    if old_location == IO_OLD_PSW:
        csw = machine.storage.read_real(0x40, 8)
        line += f"  CSW {int.from_bytes(csw[4:6], 'big'):04X}"
    emit(cp, machine, line)


def _device_name(device) -> str:
    kind = type(device).__name__
    if kind == "VirtualConsole":
        return "CONS"
    if kind == "SpooledReader":
        return "RDR "
    if kind == "SpooledPunch":
        return "PUN "
    if kind == "SpooledPrinter":
        return "PRT "
    device_type = str(getattr(device, "device_type", ""))
    if device_type.startswith(("23", "33")):
        return "DASD"
    if device_type.startswith("24"):
        return "TAPE"
    return "DEV "


def privileged(cp: ControlProgram, machine: VirtualMachine, instruction) -> None:
    """A privileged instruction CP has just simulated (DMKTRD for I/O, DMKTRC for the rest)."""
    mnemonic = instruction.mnemonic
    raw = instruction.raw
    address = instruction.address & 0xFFFFFF
    if mnemonic in IO_INSTRUCTIONS:
        if not _tracing(machine, SIO):  # I/O traces the interruptions (DMKTRA)
            return
        device_address = bd_address(machine, instruction.b1, instruction.d1) & 0xFFFF
        device = machine.devices.get(device_address & 0x7FF)
        kind = _device_name(device) if device is not None else "DEV "
        line = (
            f"I/O {address:06X} {mnemonic:<5} {raw.hex().upper():<8}  "
            f"{kind} {device_address:04X}  CC {machine.psw.cc}"
        )
        if mnemonic != "TCH" and device is not None:
            real = getattr(device, "real_address", None)
            real_text = f"{real:04X}" if real is not None else f"{device_address:04X}"
            csw = machine.storage.read_real(0x40, 8)
            line += f"  {kind} {real_text}  CSW {int.from_bytes(csw[4:6], 'big'):04X}"
            if mnemonic == "SIO" and machine.psw.cc in (0, 1):
                line += f"  CAW {machine.storage.read_word(0x48):08X}"
        emit(cp, machine, line)
        return
    if not _tracing(machine, PRIV):
        return
    line = f"::: {address:06X} {mnemonic:<5} {raw.hex().upper():<8}"
    if mnemonic == "SSM" and hasattr(machine.psw, "system_mask"):
        line += f" {machine.psw.system_mask:02X}"
    elif mnemonic == "LPSW" and not machine.psw.wait:
        line += f" ==> {machine.psw_image() & 0xFFFFFFFFFFFFFFFF:016X}"
    emit(cp, machine, line.rstrip())


def _instruction_bytes(cpu, address: int) -> bytes | None:
    """The instruction the guest is about to execute, as the real CPU fetches it.

    Through the real CPU's translation, so nothing is paged in behind the
    guest's back: an instruction whose page is out is read when it is
    started again, after the page fault.
    """
    try:
        first = cpu.fetch(address, 2)
        length = isa.instruction_length(first[0])
        return first if length == 2 else cpu.fetch(address, length)
    except ProgramInterrupt:
        return None


def instruction_line(address: int, raw: bytes, target: int | None = None) -> str:
    """``    VVVVVV MNEM  XXXXXXXXXXXX`` with ``==> TTTTTT`` after a branch (DMKTRC)."""
    _, mnemonic, _ = disassemble_one(raw)
    text = f"    {address & 0xFFFFFF:06X} {mnemonic:<5} {raw.hex().upper():<12}"
    if target is not None:
        text = text[:26] + f"==> {target & 0xFFFFFF:06X}"
    return text.rstrip()


def make_observer(cp: ControlProgram, machine: VirtualMachine):
    """The real CPU's instruction observer for one traced machine (BRANCH, INSTRUCT)."""
    cpu = cp.machine.cpu
    user = _user(cp, machine)

    def observe(ia: int) -> None:
        state = machine.debug
        if cp.supervisor.current is not machine or not cpu.problem_state or state is None:
            return
        trace = state.trace
        if trace is None or (user is not None and user.cp_mode):
            return
        previous = state.previous
        line = None
        if previous is not None and previous[0] != ia:
            last_address, raw = previous
            fell_through = ia == (last_address + len(raw)) & machine.address_mask
            _, mnemonic, _ = disassemble_one(raw)
            if INSTRUCT in trace.events:
                line = instruction_line(last_address, raw)
            elif mnemonic in BRANCHES and not fell_through:
                line = instruction_line(last_address, raw, ia)
        raw = _instruction_bytes(cpu, ia)
        state.previous = None if raw is None else (ia, raw)
        if line is not None:
            emit(cp, machine, line)
            if user is not None and user.cp_mode:
                # NORUN: the traced instruction has completed and the next one
                # must not start. The block ends here, before it, and the real
                # timer's interruption takes the machine off the CPU at once
                # (CP's preemption, see Supervisor.preempt).
                cpu.request_timer_interruption()
                raise RecheckInterruptions

    return observe


def end_trace(cp: ControlProgram, machine: VirtualMachine) -> None:
    """TRACE END: the observer goes, and the state if nothing else needs it."""
    detach_observer(cp, machine)
    if machine.debug is not None:
        machine.debug.trace = None
        forget_if_idle(machine)


def attach_observer(cp: ControlProgram, machine: VirtualMachine) -> None:
    """The traced machine goes on the real CPU: watch its instructions."""
    state = machine.debug
    if state is None or state.trace is None or not state.trace.instructions:
        return
    if state.observer is None:
        state.observer = make_observer(cp, machine)
    observers = cp.machine.cpu.instruction_observers
    if state.observer not in observers:
        observers.append(state.observer)


def detach_observer(cp: ControlProgram, machine: VirtualMachine) -> None:
    """The machine left the real CPU: other machines run unobserved, at full speed."""
    state = machine.debug
    if state is None or state.observer is None:
        return
    observers = cp.machine.cpu.instruction_observers
    if state.observer in observers:
        observers.remove(state.observer)

"""ADSTOP, SYSTEM, EXTERNAL and INDICATE: the console functions of a virtual machine.

Operands, responses and messages are VM/370 Release 6's: ADSTOP (DMKCFD),
SYSTEM and EXTERNAL (DMKCPB), INDICATE (DMKTHI). DISPLAY and STORE are in
display.py, TRACE in trace.py.
"""

from __future__ import annotations

import string

from vm370.cp import debugging, reflect
from vm370.cp.commands import CommandContext, CommandError, command
from vm370.cp.dispatch import Queue
from vm370.cp.frames import FRAME_SHIFT
from vm370.cp.vdevices import SpooledPrinter, SpooledPunch, SpooledReader
from vm370.cp.vmblock import RunState
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.psw import BCPSW

INTERRUPT_KEY = 0x40
HEX_DIGITS = set(string.hexdigits.upper())


def _user(context: CommandContext):
    if context.session is None or context.machine is None:
        raise CommandError("DMKCFM001E UNKNOWN CP COMMAND")
    return context.session


def _hexadecimal(text: str) -> int | None:
    return int(text, 16) if text and set(text) <= HEX_DIGITS else None


@command(
    "ADSTOP",
    6,
    "G",
    "ADSTOP: stop your virtual machine when it reaches an instruction.\n"
    "Format: ADSTOP hexloc | OFF",
)
def adstop(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    machine = user.machine
    if not operands:
        raise CommandError("DMKCFD026E OPERAND MISSING OR INVALID")
    operand = operands[0].upper()
    if len(operand) > 6:
        raise CommandError(f"DMKCFD004E INVALID HEXLOC - {operand}")
    if "OFF".startswith(operand) and operand:
        debugging.clear_adstop(machine)
        return
    address = _hexadecimal(operand)
    if address is None:
        raise CommandError(f"DMKCFD004E INVALID HEXLOC - {operand}")
    if address >= machine.storage_size:
        raise CommandError(f"DMKCFD160E HEXLOC {operand} EXCEEDS STORAGE")
    if address % 2:
        raise CommandError(f"DMKCFD004E INVALID HEXLOC - {operand}")
    debugging.set_adstop(context.cp, machine, address)


def system_reset(context: CommandContext, machine) -> None:
    """The virtual machine's system reset (PoO): PSW, control registers, channels, interruptions."""
    machine.psw = BCPSW()
    machine.control.reset()
    machine.pending_external = 0
    machine.channel.reset()
    if machine.state is not RunState.STOPPED:
        machine.state = RunState.STOPPED
        context.cp.dispatcher.remove(machine)


@command(
    "SYSTEM",
    3,
    "G",
    "SYSTEM: the system-reset, clear-storage and restart keys of your virtual machine.\n"
    "Format: SYStem CLEAR | RESET | RESTART",
)
def system(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    machine = user.machine
    word = operands[0].upper() if operands else ""
    users = context.cp.users
    if word and len(word) >= 5 and "CLEAR".startswith(word):
        users.enter_cp_mode(user)
        debugging.clear_adstop(machine)
        system_reset(context, machine)
        pages = machine.storage_size >> FRAME_SHIFT
        context.cp.pager.release_pages(machine.name, 0, pages - 1)
        machine.storage_keys[:] = bytes(len(machine.storage_keys))
        context.respond("STORAGE CLEARED - SYSTEM RESET")
    elif word and len(word) >= 5 and "RESET".startswith(word):
        users.enter_cp_mode(user)
        system_reset(context, machine)
        context.respond("SYSTEM RESET")
    elif word and len(word) >= 7 and "RESTART".startswith(word):
        restart(context, user)
    else:
        raise CommandError("DMKCPB026E OPERAND MISSING OR INVALID")


def restart(context: CommandContext, user) -> None:
    """PSW restart (DMKCPB): the current PSW to location 8, the PSW from location 0, run."""
    machine = user.machine
    storage = machine.storage
    storage.write_doubleword(8, machine.psw.to_int())
    image = storage.read_doubleword(0)
    if machine.ec_mode and ECPSW.from_int(image).to_int() != image:
        raise CommandError(f"DMKCPB012E INVALID PSW - {image >> 32:08X}  {image & 0xFFFFFFFF:08X}")
    machine.psw = ECPSW.from_int(image) if machine.ec_mode else BCPSW.from_int(image)
    _run(context, user)


def _run(context: CommandContext, user) -> None:
    """Leave CP mode and let the machine take what is pending."""
    context.cp.users.begin(user)
    if user.machine.state is not RunState.STOPPED:
        context.cp.wake(user.machine)


@command(
    "EXTERNAL",
    3,
    "G",
    "EXTERNAL: press your virtual machine's interrupt key (an external interruption)\n"
    "and let it run.  Format: EXTernal [code]   (the code is X'40' unless given)",
)
def external(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    code = INTERRUPT_KEY
    if operands:
        operand = operands[0].upper()
        value = _hexadecimal(operand) if len(operand) <= 8 else None
        # A 360/67 virtual machine has the eight external code bits only.
        if value is None or not 0 < value <= 0xFF:
            raise CommandError(f"DMKCPB005E INVALID HEXDATA - {operand}")
        code = value
    reflect.make_external_pending(user.machine, code)
    _run(context, user)


def _minutes_seconds(microseconds: int) -> str:
    seconds = (microseconds + 500_000) // 1_000_000
    return f"{min(seconds // 60, 999):03d}:{seconds % 60:02d}"


def _counted(value: int, digits: int) -> str:
    return f"{min(value, 10**digits - 1):0{digits}d}"


def indicate_user(context: CommandContext, userid: str) -> None:
    users = context.cp.users.users
    target = users.get(userid)
    if target is None:
        raise CommandError(f"DMKTHI045E {userid} NOT LOGGED ON")
    machine = target.machine
    pager = context.cp.pager
    pages = machine.storage_size >> FRAME_SHIFT
    resident = sum(1 for page in range(pages) if pager.resident_frame(machine.name, page))
    counters = machine.counters
    # No paging drum: every page out of storage is on the paging disk.
    on_disk = pager.store.pages_held(machine.name)
    context.respond(
        f"PAGES: RES-{_counted(resident, 4)} WS-{_counted(resident, 4)} "
        f"READS={_counted(counters.page_reads, 6)} WRITES={_counted(counters.page_writes, 6)} "
        f"DISK-{_counted(on_disk, 4)} DRUM-0000"
    )
    io_count = counters.start_ios
    devices = list(machine.devices.values())
    reader = sum(d.records for d in devices if isinstance(d, SpooledReader))
    printer = sum(d.records for d in devices if isinstance(d, SpooledPrinter))
    punch = sum(d.records for d in devices if isinstance(d, SpooledPunch))
    # One instruction is one microsecond of the virtual clock.
    context.respond(
        f"VTIME={_minutes_seconds(counters.instructions)} "
        f"TTIME={_minutes_seconds(counters.instructions)} SIO={_counted(io_count, 6)} "
        f"RDR-{_counted(reader, 6)} PRT-{_counted(printer, 6)} PCH-{_counted(punch, 6)}"
    )


def indicate_load(context: CommandContext) -> None:
    cp = context.cp
    supervisor = cp.supervisor
    clock = cp.machine.clock.now if supervisor is not None else 0
    busy = 0
    if supervisor is not None and clock:
        busy = min(100, round(100 * supervisor.real_instructions / clock))
    queues = cp.dispatcher.queues
    interactive = len(queues[Queue.INTERACTIVE])
    batch = len(queues[Queue.NON_INTERACTIVE])
    frames = cp.frames
    pageable = max(1, frames.page_frames)
    used = pageable - frames.free_count
    storage = min(100, round(100 * used / pageable))
    context.respond(
        f"CPU-{busy:03d}%  APU-000%  Q1-{min(interactive, 99):02d}  Q2-{min(batch, 99):02d}  "
        f"STORAGE-{storage:03d}%  RATIO-01.0"
    )


@command(
    "INDICATE",
    3,
    "EG",
    "INDICATE: how loaded the system is, and what your virtual machine has used.\n"
    "Format: INDicate [LOAD | USER [*|userid]]   (another user's: class E)",
)
def indicate(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        indicate_load(context)
        return
    option = operands[0].upper()
    if len(option) > 8:
        raise CommandError(f"DMKTHI003E INVALID OPTION - {option}")
    if len(option) >= 3 and "LOAD".startswith(option):
        indicate_load(context)
        return
    if not (len(option) >= 3 and "USER".startswith(option)):
        raise CommandError(f"DMKTHI003E INVALID OPTION - {option}")
    own = context.userid
    userid = operands[1].upper() if len(operands) > 1 else "*"
    if len(userid) > 8:
        raise CommandError(f"DMKTHI003E INVALID OPTION - {userid}")
    if userid == "*":
        userid = own or ""
    if userid != own and "E" not in context.classes:
        raise CommandError(f"DMKTHI003E INVALID OPTION - {userid}")
    indicate_user(context, userid)

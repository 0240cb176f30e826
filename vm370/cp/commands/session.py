"""The commands of a user's session: LOGOFF, DISCONNECT, BEGIN, IPL.

Abbreviations and classes are VM/370's (DMKCFC's command table): LOGOFF
(LOG), DISCONN (DISC), BEGIN (B), IPL (I). LOGON itself is the console
manager's dialogue (terminals.py), before any user is there to run commands.
"""

from __future__ import annotations

from vm370.cp.commands import CommandContext, CommandError, command
from vm370.cp.ipl import VirtualIPLError, ipl_device

# Named systems: VM/370 IPLed these from pages saved on a CP-owned pack
# (SAVESYS); here a name stands for the system disk it is IPLed from, at the
# address every user's directory entry links it (the CMS system disk, 190).
NAMED_SYSTEMS = {"CMS": 0x190}


def _user(context: CommandContext):
    user = context.session
    if user is None:
        raise CommandError("DMKCFM001E UNKNOWN CP COMMAND")
    return user


def _connect_time(context: CommandContext, user) -> str:
    elapsed = context.cp.time_of_day() - user.logged_on_at
    seconds = int(elapsed.total_seconds())
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _cpu_time(instructions: int) -> str:
    """mmm:ss.hh of virtual CPU time (instructions are virtual microseconds)."""
    hundredths = instructions // 10_000
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes:03d}:{rest // 100:02d}.{rest % 100:02d}"


def session_times(context: CommandContext, user) -> str:
    """DMKACO's ``CONNECT= hh:mm:ss VIRTCPU= mmm:ss.hh TOTCPU= mmm:ss.hh`` line."""
    used = _cpu_time(user.machine.counters.instructions)
    return f"CONNECT= {_connect_time(context, user)} VIRTCPU= {used} TOTCPU= {used}"


@command(
    "LOGOFF",
    3,
    "",
    "LOGOFF: end your session; your virtual machine and its devices go.\n"
    "Format: LOGoff",
)
def logoff(context: CommandContext, operands: list[str]) -> None:
    from vm370.cp.terminals import stamp

    user = _user(context)
    context.respond(session_times(context, user))
    context.respond(f"LOGOFF AT {stamp(context.cp)}")
    context.cp.consoles.logoff(user)


@command(
    "LOGOUT",
    4,
    "",
    "LOGOUT: the same as LOGOFF.",
)
def logout(context: CommandContext, operands: list[str]) -> None:
    logoff(context, operands)


@command(
    "DISCONN",
    4,
    "",
    "DISCONN: leave your terminal; your virtual machine goes on running.\n"
    "Log on again to reconnect.  Format: DISConn",
)
def disconnect(context: CommandContext, operands: list[str]) -> None:
    from vm370.cp.terminals import stamp

    user = _user(context)
    context.respond(f"DISCONNECT AT {stamp(context.cp)}")
    context.cp.consoles.disconnect(user)


@command(
    "BEGIN",
    1,
    "G",
    "BEGIN: leave CP mode; the virtual machine goes on from its PSW.\n"
    "Format: Begin [hexloc]",
)
def begin(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    if operands:
        try:
            address = int(operands[0], 16)
        except ValueError:
            raise CommandError(f"DMKCFC004E INVALID HEXLOC - {operands[0].upper()}") from None
        if address >= user.machine.storage_size:
            raise CommandError(f"DMKCFC004E INVALID HEXLOC - {operands[0].upper()}")
        user.machine.psw.instruction_address = address
    context.cp.consoles.users.begin(user)


@command(
    "IPL",
    1,
    "G",
    "IPL: load and start a system in your virtual machine from a device,\n"
    "or a named system (CMS: the system disk at 190).\n"
    "Format: Ipl vaddr | Ipl systemname",
)
def ipl(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    if not operands:
        raise CommandError("DMKCFG022E VADDR MISSING OR INVALID")
    target = operands[0].upper()
    named = NAMED_SYSTEMS.get(target)
    if named is not None:
        if named not in user.machine.devices:
            raise CommandError(f"DMKCFG173E SYSTEM {target} REQUIRES DASD {named:03X}")
        address = named
    else:
        try:
            address = int(target, 16)
        except ValueError:
            raise CommandError(f"DMKCFG044E SYSTEM {target} DOES NOT EXIST") from None
    try:
        ipl_device(context.cp, user.machine, address & 0x7FF)
    except VirtualIPLError as error:
        raise CommandError(str(error)) from None
    user.cp_mode = False

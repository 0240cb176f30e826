"""QUERY: one command, many operands, each declared by the family it belongs to.

``QUERY READER`` is declared by the spool commands (spool.py), ``QUERY
TIME`` here, with ``@query_operand`` (commands/__init__.py): the operand's
minimum abbreviation and classes work as a command's do. VM/370 (DMKCFC's
QRYLIST) looked the operand up among those of the user's classes, so an
operand of another class is an invalid option to them (DMKCFC003E).

The responses are laid out in the columns of VM/370's modules: DMKCQY
(TIME, LOGMSG, NAMES, USERS, PF, USERID), DMKCQG (VIRTUAL), DMKCQP (the
real DASD and STORAGE of class B, LINKS), DMKCQR (SET). Where a class B
user and a class G user both have an operand (DASD, STORAGE), class B gets
the real machine's answer, as DMKCFC's table lists the class B entry first.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370 import __version__
from vm370.cp.commands import (
    QUERY_OPERANDS,
    CommandContext,
    CommandError,
    allowed,
    command,
    query_operand,
)
from vm370.cp.vdevices import (
    SpooledPrinter,
    SpooledPunch,
    SpooledReader,
    TranslatedDevice,
    VirtualConsole,
)

QUERY_HELP = """QUERY operand ...
  Ask CP about the system, your virtual machine and your spool files:
  QUERY TIME, NAMES, USERS [userid], USERID, LOGMSG, SET, PF [nn], CPLEVEL,
  QUERY VIRTUAL [ALL|STORAGE|CONSOLE|DASD|UR|vaddr], STORAGE, DASD, LINKS vaddr,
  QUERY READER|PUNCH|PRINTER [ALL|spoolid], QUERY FILES"""

MISSING = "DMKCFC026E OPERAND MISSING OR INVALID"
DASD_TYPES = ("2311", "2314", "2319", "3330", "3340", "3350", "3380", "2305")
NAMES_PER_LINE = 4
LINKS_PER_LINE = 4

# Other families' lines for a virtual device in QUERY VIRTUAL (the spool's
# reader, punch and printer options): each returns the lines, or None when
# the device is not theirs.
VIRTUAL_DEVICE_LINES: list[Callable[[CommandContext, int, object], list[str] | None]] = []


def find_operand(word: str, classes: str = ""):
    """The QUERY operand a word names among those the classes may use."""
    for declared in QUERY_OPERANDS.values():
        if declared.matches(word) and (not classes or allowed(declared, classes)):
            return declared
    return None


@command("QUERY", 1, "", QUERY_HELP)
def query(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        raise CommandError(MISSING, 26)
    word, rest = operands[0], operands[1:]
    if len(word) > 2 and word[:2].upper() == "PF" and word[2:].isdigit():
        # DMKCQY takes the key's number joined to PF: QUERY PF12.
        word, rest = "PF", [word[2:], *rest]
    declared = find_operand(word, context.classes)
    if declared is None:
        raise CommandError(f"DMKCFC003E INVALID OPTION - {operands[0].upper()}", 3)
    declared.handler(context, rest)


def _place(line: list[str], column: int, text: str) -> None:
    """Put ``text`` into a fixed-column response line at ``column``."""
    if len(line) < column + len(text):
        line.extend(" " * (column + len(text) - len(line)))
    line[column : column + len(text)] = text


def _columns(*fields: tuple[int, str]) -> str:
    line: list[str] = []
    for column, text in fields:
        _place(line, column, text)
    return "".join(line).rstrip()


def _no_more(operands: list[str], module: str = "DMKCQY") -> None:
    if operands:
        raise CommandError(f"{module}003E INVALID OPTION - {operands[0].upper()}", 3)


def _user(context: CommandContext):
    if context.session is None:
        raise CommandError("DMKCQG045E SYSTEM NOT LOGGED ON", 45)
    return context.session


def _terminal_field(user) -> str:
    terminal = user.terminal
    return "DSC" if terminal is None else f"{terminal.address:03X}"


def _users(context: CommandContext) -> list:
    manager = getattr(context.cp, "users", None)
    return [] if manager is None else list(manager.users.values())


def _hex_address(word: str, message: str) -> int:
    try:
        address = int(word, 16)
    except ValueError:
        raise CommandError(message, 22) from None
    if not 0 <= address <= 0xFFF or len(word) > 3:
        raise CommandError(message, 22)
    return address


@query_operand("TIME", 1, "G", "QUERY TIME: the time of day and your session's times")
def query_time(context: CommandContext, operands: list[str]) -> None:
    from vm370.cp.commands.session import session_times
    from vm370.cp.terminals import stamp

    _no_more(operands)
    context.respond(f"TIME IS {stamp(context.cp)}")
    if context.session is not None:
        context.respond(session_times(context, context.session))


@query_operand("LOGMSG", 3, "ABCDEFG", "QUERY LOGMSG: the message of the day")
def query_logmsg(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands)
    for line in context.cp.logmsg:
        context.respond(line)


@query_operand("NAMES", 1, "ABCDEFG", "QUERY NAMES: who is logged on, and at which terminal")
def query_names(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands)
    entries = [f"{user.userid:<8} - {_terminal_field(user)}" for user in _users(context)]
    for start in range(0, len(entries), NAMES_PER_LINE):
        context.respond(", ".join(entries[start : start + NAMES_PER_LINE]))


@query_operand("USERS", 1, "ABCDEFG", "QUERY USERS [userid]: how many users, or where one is")
def query_users(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        context.respond(f"{len(_users(context)):03d} USERS, 000 DIALED")
        return
    if len(operands) > 1:
        raise CommandError(f"DMKCQY003E INVALID OPTION - {operands[1].upper()}", 3)
    userid = operands[0].upper()
    if len(userid) > 8:
        raise CommandError("DMKCQY020E USERID MISSING OR INVALID", 20)
    for user in _users(context):
        if user.userid == userid:
            context.respond(f"{user.userid:<8} - {_terminal_field(user)}")
            return
    raise CommandError(f"DMKCQY045E {userid} NOT LOGGED ON", 45)


@query_operand("PF", 2, "GH", "QUERY PF[nn]: what your program function keys do")
def query_pf(context: CommandContext, operands: list[str]) -> None:
    from vm370.cp.usersettings import PF_KEYS

    user = _user(context)
    if not operands:
        keys = list(PF_KEYS)
    else:
        word = operands[0]
        if len(operands) > 1 or not word.isdigit() or int(word) not in PF_KEYS:
            raise CommandError("DMKCQY026E OPERAND MISSING OR INVALID", 26)
        keys = [int(word)]
    for number in keys:
        setting = user.settings.pf.get(number)
        if setting is None:
            context.respond(f"PF{number:02d} UNDEFINED")
        else:
            kind = "IMMED" if setting.immediate else "DELAY"
            context.respond(f"PF{number:02d} {kind} {setting.text}".rstrip())


@query_operand("USERID", 5, "G", "QUERY USERID: your userid")
def query_userid(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands)
    context.respond(_user(context).userid)


@query_operand("CPLEVEL", 2, "G", "QUERY CPLEVEL: the level of this CP")
def query_cplevel(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands)
    context.respond(f"VM/370 RELEASE 6 CONTROL PROGRAM, VM370 {__version__}")


@query_operand("SET", 1, "G", "QUERY SET: what you have SET")
def query_set(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQR")
    settings = _user(context).settings

    def on(flag: bool) -> str:
        return "ON " if flag else "OFF"

    # DMKCQR's lines; ACNT, LINEDIT, ISAM, SMSG, AFFINITY and NOTRANS show
    # what this CP does (no accounting records, no line editing, ...).
    context.respond(
        f"MSG {on(settings.msg)}, WNG {on(settings.wng)}, EMSG {settings.emsg:<4}, "
        f"ACNT OFF, RUN {on(settings.run)}".rstrip()
    )
    context.respond(f"LINEDIT OFF, TIMER ON  , ISAM OFF, ECMODE {on(settings.ecmode)}".rstrip())
    context.respond(f"IMSG {on(settings.imsg)}, SMSG OFF, AFFINITY NONE   , NOTRANS OFF")


def _storage_line(size: int) -> str:
    return f"STORAGE = {size // 1024:05d}K"


def device_class(device) -> str:
    """DMKCQG's class of a virtual device: CONS, DASD, UR or OTHER."""
    if isinstance(device, VirtualConsole):
        return "CONSOLE"
    if isinstance(device, SpooledReader | SpooledPunch | SpooledPrinter):
        return "UR"
    if isinstance(device, TranslatedDevice) and device.device_type in DASD_TYPES:
        return "DASD"
    return "OTHER"


def _real_name(device) -> str:
    kind = device_class(device)
    return {"DASD": "DASD", "CONSOLE": "CONS", "UR": "UR"}.get(kind, "DEV")


def virtual_device_lines(context: CommandContext, user, address: int, device) -> list[str]:
    """QUERY VIRTUAL's lines for one device, in DMKCQG's columns."""
    for provider in VIRTUAL_DEVICE_LINES:
        lines = provider(context, address, device)
        if lines is not None:
            return lines
    cuu = f"{address:03X}"
    if isinstance(device, VirtualConsole):
        terminal = user.terminal
        if terminal is None:
            return [
                _columns((0, "CONS"), (5, cuu), (9, "DISCONNECTED"), (24, "TERM"), (29, "STOP"))
            ]
        real = f"{terminal.address:03X}"
        return [
            _columns(
                (0, "CONS"),
                (5, cuu),
                (9, "ON "),
                (12, "GRAF"),
                (17, real),
                (24, "TERM"),
                (29, "STOP"),
            )
        ]
    if isinstance(device, SpooledReader):
        return [_columns((0, "RDR"), (5, cuu))]
    if isinstance(device, SpooledPunch):
        return [_columns((0, "PUN"), (5, cuu))]
    if isinstance(device, SpooledPrinter):
        return [_columns((0, "PRT"), (5, cuu))]
    if isinstance(device, TranslatedDevice):
        kind = "DASD" if device.device_type in DASD_TYPES else "DEV"
        if device.extent is None:
            real = f"{device.real_address:03X}"
            return [_columns((0, kind), (5, cuu), (9, "ON "), (12, kind), (17, real))]
        volume = device.volser or "(TEMP)"
        if getattr(device, "temporary", False):
            volume = "(TEMP)"
        access = "R/O" if device.read_only else "R/W"
        return [
            _columns(
                (0, "DASD"),
                (5, cuu),
                (9, device.device_type),
                (14, volume),
                (21, access),
                (25, f"{device.extent.cylinders:04d}"),
                (30, "CYL"),
            )
        ]
    return [_columns((0, "DEV"), (5, cuu))]


VIRTUAL_CLASSES = {"CONSOLE": 3, "DASD": 2, "UR": 2, "STORAGE": 4, "ALL": 3}


def _virtual_class(word: str) -> str | None:
    upper = word.upper()
    for name, minimum in VIRTUAL_CLASSES.items():
        if minimum <= len(upper) <= len(name) and name.startswith(upper):
            return name
    return None


def query_virtual_of(context: CommandContext, user, what: str | None) -> None:
    machine = user.machine
    if what in (None, "ALL", "STORAGE"):
        context.respond(_storage_line(machine.storage_size))
        if what == "STORAGE":
            return
    for address in sorted(machine.devices):
        device = machine.devices[address]
        if what in (None, "ALL") or device_class(device) == what:
            for line in virtual_device_lines(context, user, address, device):
                context.respond(line)


@query_operand("VIRTUAL", 1, "G", "QUERY VIRTUAL [ALL|STORAGE|CONSOLE|DASD|UR|vaddr]")
def query_virtual(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    if not operands:
        query_virtual_of(context, user, None)
        return
    if len(operands) > 1:
        raise CommandError(f"DMKCQG003E INVALID OPTION - {operands[1].upper()}", 3)
    what = _virtual_class(operands[0])
    if what is not None:
        query_virtual_of(context, user, what)
        return
    address = _hex_address(operands[0], "DMKCQG022E VADDR MISSING OR INVALID")
    device = user.machine.devices.get(address)
    if device is None:
        raise CommandError(f"DMKCQG040E DEV {address:03X} DOES NOT EXIST", 40)
    for line in virtual_device_lines(context, user, address, device):
        context.respond(line)


@query_operand("CONSOLE", 3, "G", "QUERY CONSOLE: your virtual console")
def query_console(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQG")
    query_virtual_of(context, _user(context), "CONSOLE")


@query_operand("UR", 2, "G", "QUERY UR: your virtual reader, punch and printer")
def query_ur(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQG")
    query_virtual_of(context, _user(context), "UR")


@query_operand("ALL", 3, "G", "QUERY ALL: your virtual machine's storage and devices")
def query_all(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQG")
    query_virtual_of(context, _user(context), "ALL")


@query_operand("STORAGE", 4, "BG", "QUERY STORAGE: your storage (class B: the real machine's)")
def query_storage(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQP")
    if "B" in context.classes:
        context.respond(_storage_line(context.cp.storage.size))
        return
    context.respond(_storage_line(_user(context).machine.storage_size))


def _pack_users(context: CommandContext, real_address: int) -> list[tuple[str, int, object]]:
    found = []
    for user in _users(context):
        for address, device in user.machine.devices.items():
            if isinstance(device, TranslatedDevice) and device.real_address == real_address:
                found.append((user.userid, address, device))
    return found


@query_operand("DASD", 2, "BG", "QUERY DASD: your minidisks (class B: the real packs)")
def query_dasd(context: CommandContext, operands: list[str]) -> None:
    _no_more(operands, "DMKCQP")
    if "B" not in context.classes:
        query_virtual_of(context, _user(context), "DASD")
        return
    config = context.cp.real_config
    if config is None:
        return
    for volser, pack in sorted(config.packs.items(), key=lambda item: item[1].address):
        real = f"{pack.address:03X}"
        holders = _pack_users(context, pack.address)
        attached = [h for h in holders if h[2].extent is None]
        if attached:
            userid, address, _ = attached[0]
            context.respond(
                _columns(
                    (0, "DASD"), (5, real), (9, "ATTACH TO"), (19, userid), (28, f"{address:03X}")
                )
            )
            continue
        owned = any(area.kind != "PERM" for area in pack.areas)
        context.respond(
            _columns(
                (0, "DASD"),
                (5, real),
                (9, "CP OWNED" if owned else "CP SYSTEM"),
                (19, volser),
                (29, f"{len({h[0] for h in holders}):03d}"),
            )
        )


@query_operand("LINKS", 1, "G", "QUERY LINKS vaddr: who shares your minidisk at vaddr")
def query_links(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    if not operands:
        raise CommandError("DMKCQP022E VADDR MISSING OR INVALID", 22)
    if len(operands) > 1:
        raise CommandError(f"DMKCQP003E INVALID OPTION - {operands[1].upper()}", 3)
    address = _hex_address(operands[0], "DMKCQP022E VADDR MISSING OR INVALID")
    device = user.machine.devices.get(address)
    if device is None:
        raise CommandError(f"DMKCQP040E DEV {address:03X} DOES NOT EXIST", 40)
    if device_class(device) != "DASD" or device.extent is None:
        raise CommandError(f"DMKCQP006E INVALID DEVICE TYPE - {address:03X}", 6)
    entries = []
    for userid, vaddr, other in _pack_users(context, device.real_address):
        if other.extent == device.extent:
            access = "R/O" if other.read_only else "R/W"
            entries.append(f"{userid:<8} {vaddr:03X} {access}")
    for start in range(0, len(entries), LINKS_PER_LINE):
        context.respond(", ".join(entries[start : start + LINKS_PER_LINE]))

"""A virtual machine's devices after LOGON: LINK, DETACH, DEFINE and ATTACH.

- LINK (DMKLNK): ``LINK [TO] userid vaddr1 [AS] vaddr2 [mode] [[PASS=] password]``;
  the mode is R when none is given, ``*`` is the user's own userid. When the
  link needs a password that is not on the line, CP asks ``ENTER READ
  PASSWORD:`` (WRITE, MULT) and reads the answer in the non-display field,
  as DMKLNK's DMKEPSWD did. The rules and messages are UserManager.link's.
- DETACH (DMKVDD): ``DETACH vaddr ...`` a user's own devices; class B
  ``DETACH raddr FROM userid`` takes back a real device ATTACHed to a user.
- DEFINE (DMKDEF, DMKDEH): ``DEFINE STORAGE nK|nM`` (the machine is reset,
  as DMKDEH did, and stays in CP mode), ``DEFINE T2314 [AS] vaddr CYL n`` (a
  temporary disk from the TDSK areas), ``DEFINE READER|PUNCH|PRINTER|CONSOLE
  [AS] vaddr``, and ``DEFINE vaddr1 AS vaddr2`` (a device moved to another
  address).
- ATTACH (DMKVDE, class B): ``ATTACH raddr [TO] userid [AS] vaddr [R/O]``
  dedicates a real pack no user's minidisk is on and CP does not own.

Valid virtual addresses are those of the 360's channels 0-6 (000-6FF).
Normal responses (``DASD 192 DEFINED 0010 CYL``, ``DASD 191 DETACHED``)
are informational: SET IMSG OFF suppresses them, as in VM/370.
"""

from __future__ import annotations

from vm370.cp.commands import CommandContext, CommandError, command
from vm370.cp.commands.query import device_class
from vm370.cp.users import linked_by
from vm370.cp.vdevices import (
    SpooledPrinter,
    SpooledPunch,
    SpooledReader,
    TranslatedDevice,
    VirtualConsole,
)
from vm370.cp.vmblock import MAXIMUM_STORAGE

MAX_VIRTUAL_ADDRESS = 0x6FF
LINK_HELP = """LINK: use another user's minidisk.
  Format: LINK [TO] userid vaddr1 [AS] vaddr2 [mode] [[PASS=] password]
  mode: R (the default), RR, W, WR, M, MR or MW.  When the password is
  not on the line, CP asks for it in a field that does not show it."""
DETACH_HELP = """DETACH vaddr ...: remove devices from your virtual machine.
  Class B: DETACH raddr FROM userid takes back a real device."""
DEFINE_HELP = """DEFINE: change your virtual machine's configuration.
  DEFINE STORAGE nK|nM (the machine is reset)
  DEFINE T2314 [AS] vaddr CYL n (a temporary disk)
  DEFINE READER|PUNCH|PRINTER|CONSOLE [AS] vaddr
  DEFINE vaddr1 AS vaddr2 (move a device to another address)"""
ATTACH_HELP = """ATTACH raddr [TO] userid [AS] vaddr [R/O]: dedicate a real device (class B)."""

# DEFINE's device names (DMKDEF's table: the shortest form VM/370 took).
SPOOLED = {
    "READER": ("RDR", 1),
    "RDR": ("RDR", 3),
    "PUNCH": ("PUN", 2),
    "PCH": ("PUN", 3),
    "PRINTER": ("PRT", 2),
    "PRT": ("PRT", 3),
    "PTR": ("PRT", 3),
    "1403": ("PRT", 4),
    "CONSOLE": ("CONS", 3),
}
TDISK_TYPES = ("T2311", "T2314", "T2319")
SPOOLED_TYPES = {"RDR": "2540R", "PUN": "2540P", "PRT": "1403"}


def _user(context: CommandContext):
    if context.session is None:
        raise CommandError("DMKCFM001E UNKNOWN CP COMMAND", 1)
    return context.session


def inform(context: CommandContext, line: str) -> None:
    """An informational response, which SET IMSG OFF suppresses."""
    session = context.session
    if session is None or session.settings.imsg:
        context.respond(line)


def parse_address(word: str | None, message: str) -> int:
    """A virtual or real device address (1-3 hex digits, 000-6FF)."""
    if word is None or not 1 <= len(word) <= 3:
        raise CommandError(message, 22)
    try:
        address = int(word, 16)
    except ValueError:
        raise CommandError(message, 22) from None
    if address > MAX_VIRTUAL_ADDRESS:
        raise CommandError(message, 22)
    return address


def type_name(device) -> str:
    """DMKSCNVN's four-letter name of a device (DASD, CONS, RDR, PUN, PRT, DEV)."""
    if isinstance(device, SpooledReader):
        return "RDR"
    if isinstance(device, SpooledPunch):
        return "PUN"
    if isinstance(device, SpooledPrinter):
        return "PRT"
    kind = device_class(device)
    return {"CONSOLE": "CONS", "DASD": "DASD"}.get(kind, "DEV")


def _name_field(device) -> str:
    return f"{type_name(device):<4}"


# LINK


@command("LINK", 4, "G", LINK_HELP)
def link(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    words = list(operands)
    if words and words[0].upper() == "TO":
        words = words[1:]
    if not words or len(words[0]) > 8:
        raise CommandError("DMKLNK020E USERID MISSING OR INVALID", 20)
    owner = user.userid if words[0] == "*" else words[0].upper()
    words = words[1:]
    target = parse_address(words[0] if words else None, "DMKLNK022E VADDR MISSING OR INVALID")
    words = words[1:]
    if words and words[0].upper() == "AS":
        words = words[1:]
    address = parse_address(words[0] if words else None, "DMKLNK022E VADDR MISSING OR INVALID")
    words = words[1:]
    mode = "R"
    if words and words[0].upper() not in ("PASS=",) and not words[0].upper().startswith("PASS="):
        mode = words[0].upper()
        words = words[1:]
    password = None
    if words and words[0].upper() == "PASS=":
        words = words[1:]
    elif words and words[0].upper().startswith("PASS="):
        words = [words[0][5:], *words[1:]]
    if words:
        password = words[0]
        words = words[1:]
    if words:
        raise CommandError(
            f"DMKLNK118E {owner} {target:03X} NOT LINKED; COMMAND FORMAT NOT VALID", 118
        )
    manager = context.cp.users

    def answered(given: str) -> None:
        # The answer comes after the command returned: its messages are all there is.
        messages = manager.link(user, owner, target, address, mode, given)
        for message in messages or _linked(context, user, owner, target, address):
            context.respond(message)

    wanted = manager.link_password_wanted(user, owner, target, mode)
    if password is None and wanted is not None and context.ask is not None:
        context.ask(f"ENTER {wanted} PASSWORD:", answered, True)
        return
    messages = manager.link(user, owner, target, address, mode, password)
    for message in messages:
        if message[9] == "E":
            raise CommandError(message, int(message[6:9]))
        context.respond(message)
    if not messages:
        for message in _linked(context, user, owner, target, address):
            context.respond(message)


def _linked(context: CommandContext, user, owner: str, target: int, address: int) -> list[str]:
    """DMKLNK's response to a link made as asked: ``DASD 291 LINKED R/O; R/W BY BOB``.

    The plain ``LINKED`` line is for a LINK typed at the terminal (DMKLNK left
    it out for a virtual machine's DIAGNOSE X'08'); the one naming others who
    have the disk is given either way.
    """
    access = "R/O" if user.machine.devices[address].read_only else "R/W"
    writers, readers = context.cp.users.linked(owner, target)
    writers = [userid for userid in writers if userid != user.userid]
    readers = [userid for userid in readers if userid != user.userid]
    line = f"DASD {address:03X} LINKED {access}"
    if writers:
        line += f"; R/W BY {linked_by(writers)}"
    if readers:
        line += f"; R/O BY {linked_by(readers)}"
    if writers or readers or context.ask is not None:
        return [line]
    return []


# DETACH


@command("DETACH", 3, "BG", DETACH_HELP)
def detach(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        raise CommandError("DMKVDD022E VADDR MISSING OR INVALID", 22)
    upper = [word.upper() for word in operands]
    names_user = (len(upper) == 3 and upper[1] == "FROM") or (
        len(upper) == 2 and not _looks_like_address(upper[1])
    )
    if "B" in context.classes and names_user:
        _detach_real(context, upper)
        return
    if "G" not in context.classes:
        raise CommandError("DMKVDD020E USERID MISSING OR INVALID", 20)
    user = _user(context)
    addresses = [parse_address(word, "DMKVDD022E VADDR MISSING OR INVALID") for word in upper]
    for address in addresses:
        if address not in user.machine.devices:
            raise CommandError(f"DMKVDD040E DEV {address:03X} DOES NOT EXIST", 40)
    for address in addresses:
        device = user.machine.devices[address]
        context.cp.users.detach(user, address)
        inform(context, f"{_name_field(device)} {address:03X} DETACHED")


def _looks_like_address(word: str) -> bool:
    return 1 <= len(word) <= 3 and all(c in "0123456789ABCDEF" for c in word)


def _detach_real(context: CommandContext, words: list[str]) -> None:
    """DETACH raddr [FROM] userid: a dedicated real device goes back to the system."""
    real_address = parse_address(words[0], "DMKVDD021E RADDR MISSING OR INVALID")
    userid = words[-1]
    if len(userid) > 8:
        raise CommandError("DMKVDD020E USERID MISSING OR INVALID", 20)
    manager = context.cp.users
    user = manager.users.get(userid)
    if user is None:
        raise CommandError(f"DMKVDD045E {userid} NOT LOGGED ON", 45)
    for address, device in user.machine.devices.items():
        if (
            isinstance(device, TranslatedDevice)
            and device.extent is None
            and device.real_address == real_address
        ):
            manager.detach(user, address)
            kind = _name_field(device)
            context.respond(f"{kind} {real_address:03X} DETACHED {userid:<8} {address:03X}")
            if user.terminal is not None and user is not context.session:
                user.terminal.write_line(
                    f"{kind} {address:03X} DETACHED BY {context.userid or 'SYSTEM'}"
                )
            return
    raise CommandError(f"DMKVDD121E DASD {real_address:03X} NOT ATTACHED TO {userid}", 121)


# DEFINE


@command("DEFINE", 3, "G", DEFINE_HELP)
def define(context: CommandContext, operands: list[str]) -> None:
    user = _user(context)
    if not operands:
        raise CommandError("DMKDEF026E OPERAND MISSING OR INVALID", 26)
    kind = operands[0].upper()
    rest = [word.upper() for word in operands[1:]]
    if 3 <= len(kind) <= len("STORAGE") and "STORAGE".startswith(kind):
        _define_storage(context, user, rest)
        return
    if kind in TDISK_TYPES:
        _define_tdisk(context, user, kind[1:], rest)
        return
    spooled = _spooled_name(kind)
    if spooled is not None:
        _define_unit(context, user, spooled, rest)
        return
    if rest and rest[0] == "AS":
        _redefine(context, user, kind, rest[1:])
        return
    raise CommandError(f"DMKDEF003E INVALID OPTION - {kind}", 3)


def _spooled_name(word: str) -> str | None:
    for name, (short, minimum) in SPOOLED.items():
        if minimum <= len(word) <= len(name) and name.startswith(word):
            return short
    return None


def _new_address(user, words: list[str]) -> tuple[int, list[str]]:
    if words and words[0] == "AS":
        words = words[1:]
    address = parse_address(words[0] if words else None, "DMKDEF022E VADDR MISSING OR INVALID")
    existing = user.machine.devices.get(address)
    if existing is not None:
        raise CommandError(
            f"DMKDEF092E DEV {address:03X} NOT DEFINED; "
            f"{type_name(existing)} {address:03X} ALREADY DEFINED",
            92,
        )
    return address, words[1:]


def _define_unit(context: CommandContext, user, kind: str, words: list[str]) -> None:
    address, words = _new_address(user, words)
    if words:
        raise CommandError(f"DMKDEF003E INVALID OPTION - {words[0]}", 3)
    manager = context.cp.users
    spool = context.cp.spool
    if kind == "CONS":
        if user.console is not None:
            current = next(a for a, d in user.machine.devices.items() if d is user.console)
            raise CommandError(
                f"DMKDEF092E DEV {address:03X} NOT DEFINED; CONS {current:03X} ALREADY DEFINED",
                92,
            )
        device = VirtualConsole(user)
        user.console = device
        manager.add_device(user, address, device)
    elif spool is not None and hasattr(spool, "define_device"):
        # The spool builds its own devices and binds them (class A, as DMKDEF's default).
        spool.define_device(user.machine, address, SPOOLED_TYPES[kind], "A")
    else:
        device = {"RDR": SpooledReader, "PUN": SpooledPunch, "PRT": SpooledPrinter}[kind](spool)
        manager.add_device(user, address, device)
    inform(context, f"{kind:<4} {address:03X} DEFINED")


def _define_tdisk(context: CommandContext, user, device_type: str, words: list[str]) -> None:
    address, words = _new_address(user, words)
    if len(words) != 2 or words[0] != "CYL" or not words[1].isdigit() or int(words[1]) == 0:
        raise CommandError("DMKDEF026E OPERAND MISSING OR INVALID", 26)
    cylinders = int(words[1])
    tdisks = context.cp.users.tdisks
    device = None if tdisks is None else tdisks.allocate(device_type, cylinders)
    if device is None:
        raise CommandError(
            f"DMKDEF091E DASD {address:03X} NOT DEFINED; TEMP SPACE NOT AVAILABLE", 91
        )
    context.cp.users.add_device(user, address, device)
    inform(context, f"DASD {address:03X} DEFINED {cylinders:04d} CYL")


def _redefine(context: CommandContext, user, old_word: str, words: list[str]) -> None:
    """DEFINE vaddr1 AS vaddr2: the device moves; links and settings go with it."""
    old = parse_address(old_word, "DMKDEF022E VADDR MISSING OR INVALID")
    device = user.machine.devices.get(old)
    if device is None:
        raise CommandError(f"DMKDEF040E DEV {old:03X} DOES NOT EXIST", 40)
    new, words = _new_address(user, words)
    if words:
        raise CommandError(f"DMKDEF003E INVALID OPTION - {words[0]}", 3)
    machine = user.machine
    link = user.links.pop(old, None)
    machine.devices.pop(old)
    machine.channel.detach(old)
    context.cp.users.add_device(user, new, device)
    if link is not None:
        user.links[new] = link
    inform(context, f"{_name_field(device)} {new:03X} DEFINED")


def _define_storage(context: CommandContext, user, words: list[str]) -> None:
    if len(words) != 1:
        raise CommandError("DMKDEH025E STORAGE MISSING OR INVALID", 25)
    size = _storage_size(words[0])
    if size is None:
        raise CommandError("DMKDEH025E STORAGE MISSING OR INVALID", 25)
    if size > user.entry.max_storage:
        raise CommandError("DMKDEH094E STORAGE EXCEEDS ALLOWED MAXIMUM", 94)
    if size != user.machine.storage_size:
        _rebuild_machine(context, user, size)
    else:
        # DMKDEH answers without a reset when the size does not change.
        pass
    inform(context, f"STORAGE = {size // 1024:05d}K")


def _storage_size(word: str) -> int | None:
    """DMKDEH's rules: nK (8K-16384K, rounded up to 4K) or nM (1M-16M), at most 5 digits."""
    unit, digits = word[-1:], word[:-1]
    if unit not in ("K", "M") or not digits.isdigit() or len(digits) > 5:
        return None
    number = int(digits)
    if unit == "M":
        if not 1 <= number <= 16:
            return None
        return number * 1024 * 1024
    if not 8 <= number <= 16384:
        return None
    size = (number + 3) // 4 * 4 * 1024
    return min(size, MAXIMUM_STORAGE)


def _rebuild_machine(context: CommandContext, user, size: int) -> None:
    """A new virtual machine of ``size`` with the old one's devices, stopped in CP mode."""
    cp = context.cp
    old = user.machine
    devices = dict(old.devices)
    for address in devices:
        old.channel.detach(address)
    old.devices.clear()
    cp.destroy_virtual_machine(user.userid)
    machine = cp.create_virtual_machine(user.userid, size)
    machine.classes = old.classes
    machine.extended_control = old.extended_control
    user.machine = machine
    for address, device in devices.items():
        machine.devices[address] = device
        machine.channel.attach(address, device)
    user.cp_mode = True
    user.settings.interrupted = False
    cp.write_log(f"{user.userid} storage redefined as {size // 1024}K; the machine was reset")


# ATTACH


@command("ATTACH", 3, "B", ATTACH_HELP)
def attach(context: CommandContext, operands: list[str]) -> None:
    words = [word.upper() for word in operands]
    real_address = parse_address(words[0] if words else None, "DMKVDE021E RADDR MISSING OR INVALID")
    words = words[1:]
    if words and words[0] == "TO":
        words = words[1:]
    if not words or len(words[0]) > 8:
        raise CommandError("DMKVDE020E USERID MISSING OR INVALID", 20)
    userid = words[0]
    words = words[1:]
    if words and words[0] == "AS":
        words = words[1:]
    address = parse_address(words[0] if words else None, "DMKVDE022E VADDR MISSING OR INVALID")
    words = words[1:]
    read_only = False
    if words and words[0] in ("R/O", "RO"):
        read_only, words = True, words[1:]
    if words:
        raise CommandError(f"DMKVDE003E INVALID OPTION - {words[0]}", 3)
    cp = context.cp
    manager = cp.users
    config = cp.real_config
    pack = None if config is None else config.pack_at(real_address)
    if pack is None:
        if config is not None and config.device_at(real_address) is not None:
            raise CommandError(f"DMKVDE143E DEV {real_address:03X} IN USE BY SYSTEM", 143)
        raise CommandError(f"DMKVDE040E DEV {real_address:03X} DOES NOT EXIST", 40)
    if any(area.kind != "PERM" for area in pack.areas):
        raise CommandError(f"DMKVDE123E DASD {real_address:03X} CP OWNED", 123)
    holders = []
    for other in manager.users.values():
        for other_address, device in other.machine.devices.items():
            if isinstance(device, TranslatedDevice) and device.real_address == real_address:
                holders.append((other.userid, other_address, device))
    for holder, _, device in holders:
        if device.extent is None:
            raise CommandError(f"DMKVDE140E DASD {real_address:03X} ATTACHED TO {holder}", 140)
    if holders:
        count = len({holder for holder, _, _ in holders})
        raise CommandError(f"DMKVDE124E DASD {real_address:03X} IN USE BY {count:03d} USERS", 124)
    user = manager.users.get(userid)
    if user is None:
        raise CommandError(f"DMKVDE045E {userid} NOT LOGGED ON", 45)
    if address in user.machine.devices:
        raise CommandError(
            f"DMKVDE120E DASD {real_address:03X} NOT ATTACHED; "
            f"{userid} {address:03X} ALREADY DEFINED",
            120,
        )
    real = manager.packs[pack.volser][1]
    device = TranslatedDevice(pack.device_type, real_address, real, None, read_only, pack.volser)
    manager.add_device(user, address, device)
    context.respond(f"DASD {real_address:03X} ATTACHED TO {userid:<8} {address:03X}")
    if user.terminal is not None and user is not context.session:
        user.terminal.write_line(f"DASD {address:03X} ATTACHED")

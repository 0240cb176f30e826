"""The spooling commands: SPOOL, CLOSE, TRANSFER, PURGE, ORDER, CHANGE and QUERY's spool operands.

Operands, responses and messages as VM/370 Release 6 has them (DMKCSP:
SPOOL; DMKCSQ: CLOSE; DMKCSU: CHANGE; DMKCSV: ORDER, PURGE, TRANSFER;
DMKCQH: QUERY READER/PRINTER/PUNCH; DMKCQR: QUERY FILES). Class G users
act on their own files; class D users (the spooling operator) name any
user's files with a userid operand before the device type, or all files
with SYSTEM, as VM/370 allowed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from vm370.cp.commands import CommandContext, CommandError, Handler, command, query_operand
from vm370.cp.spool import (
    ANY_CLASS,
    CLASSES,
    MAX_COPIES,
    MAX_SPOOLID,
    PRINTER,
    PUNCH,
    READER,
    SpoolDevice,
    SpoolError,
    SpoolFile,
    SpoolManager,
)

OPERATOR_CLASSES = "D"  # DMKCFC: CHANGE, ORDER, PURGE, TRANSFER are D+G; D acts on anyone's
SPOOL_ERROR_RC = 999
# Device type words and their minimum abbreviations (the CP Command Reference).
DEVICE_WORDS = (("READER", 1, READER), ("PRINTER", 1, PRINTER), ("PUNCH", 2, PUNCH))
SHORT_NAMES = {"RDR": READER, "PRT": PRINTER, "PCH": PUNCH, "PUN": PUNCH}


def _abbreviates(word: str, name: str, minimum: int) -> bool:
    word = word.upper()
    return minimum <= len(word) <= len(name) and name.startswith(word)


def device_kind(word: str) -> str | None:
    """RDR, PRT or PUN for a device type word (READER, RDR, R, PRINTER, PRT, P, PUNCH, PCH, PU)."""
    upper = word.upper()
    if upper in SHORT_NAMES:
        return SHORT_NAMES[upper]
    for name, minimum, kind in DEVICE_WORDS:
        if _abbreviates(upper, name, minimum):
            return kind
    return None


def _address(word: str) -> int | None:
    if not 1 <= len(word) <= 3:
        return None
    try:
        return int(word, 16)
    except ValueError:
        return None


def spool_errors(handler: Handler) -> Handler:
    """The spool's own failures (its pack's I/O) as a one-line response, never a traceback."""

    @functools.wraps(handler)
    def guarded(context: CommandContext, operands: list[str]) -> None:
        try:
            handler(context, operands)
        except SpoolError as error:
            raise CommandError(f"SPOOL I/O ERROR - {error}", SPOOL_ERROR_RC) from None

    return guarded


def _spool(context: CommandContext) -> SpoolManager:
    spool = getattr(context.cp, "spool", None)
    if spool is None:
        raise CommandError("DMKCFM003E INVALID OPTION - SPOOLING IS NOT AVAILABLE", 3)
    return spool


def _user(context: CommandContext) -> str:
    if context.userid is None:
        raise CommandError("DMKCFM020E USERID MISSING OR INVALID", 20)
    return context.userid.upper()


def _operator(context: CommandContext) -> bool:
    return bool(set(context.classes) & set(OPERATOR_CLASSES))


def _check_class(module: str, word: str | None) -> str:
    if word is None or len(word) != 1 or word.upper() not in CLASSES:
        raise CommandError(f"{module}028E CLASS MISSING OR INVALID", 28)
    return word.upper()


def _check_name(module: str, word: str | None, code: int, what: str) -> str:
    if word is None or not 1 <= len(word) <= 8:
        raise CommandError(f"{module}{code:03d}E {what} MISSING OR INVALID", code)
    return word.upper()


def _check_copies(module: str, word: str | None) -> int:
    if word is None or not word.isdigit() or not 1 <= int(word) <= MAX_COPIES:
        raise CommandError(f"{module}030E COPIES MISSING OR INVALID", 30)
    return int(word)


def _check_userid(module: str, spool: SpoolManager, word: str | None) -> str:
    if word is None or not 1 <= len(word) <= 8:
        raise CommandError(f"{module}020E USERID MISSING OR INVALID", 20)
    userid = word.upper()
    if not spool.user_exists(userid):
        raise CommandError(f"{module}053E {userid} NOT IN CP DIRECTORY", 53)
    return userid


def _devices(
    module: str, context: CommandContext, spool: SpoolManager, word: str | None
) -> list[SpoolDevice]:
    """The user's spooled devices a device operand names (a type, or one address)."""
    userid = _user(context)
    if word is None:
        raise CommandError(f"{module}022E VADDR MISSING OR INVALID", 22)
    kind = device_kind(word)
    if kind is not None:
        return spool.user_devices(userid, kind)
    address = _address(word)
    if address is None:
        raise CommandError(f"{module}022E VADDR MISSING OR INVALID", 22)
    binding = spool.device(userid, address)
    if binding is None:
        machine = context.machine
        if machine is not None and address in machine.devices:
            raise CommandError(f"{module}006E INVALID DEVICE TYPE - {address:03X}", 6)
        raise CommandError(f"{module}040E DEV {address:03X} DOES NOT EXIST", 40)
    return [binding]


@dataclass
class SpoolOptions:
    """What a SPOOL command asked for (None: left as it was)."""

    spool_class: str | None = None
    to: str | None = None
    to_off: bool = False
    for_user: str | None = None
    cont: bool | None = None
    hold: bool | None = None
    copies: int | None = None
    form: str | None = None
    dist: str | None = None
    # The first option typed that only a punch or printer takes (TO, FOR, COPY, FORM, DIST).
    output_only: str | None = None


SPOOL_HELP = """SPOOL READER|PUNCH|PRINTER|vaddr options
  Set the spooling options of your virtual reader, punch or printer:
  CLASS c, TO userid|*|OFF, FOR userid|OFF, CONT|NOCONT, HOLD|NOHOLD,
  COPY n, FORM name, DIST code. SPOOL PUNCH TO BOB sends what you punch
  to BOB's reader."""


@command("SPOOL", 2, "G", SPOOL_HELP)
@spool_errors
def spool_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSP"
    spool = _spool(context)
    if not operands:
        raise CommandError(f"{module}022E VADDR MISSING OR INVALID", 22)
    devices = _devices(module, context, spool, operands[0])
    options = _parse_spool_options(module, spool, context, operands[1:])
    for binding in devices:
        _apply(module, binding, options)


def _parse_spool_options(
    module: str, spool: SpoolManager, context: CommandContext, words: list[str]
) -> SpoolOptions:
    if not words:
        raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
    options = SpoolOptions()
    seen: set[str] = set()
    remaining = list(words)

    def once(name: str, word: str) -> None:
        if name in seen:
            raise CommandError(f"{module}013E CONFLICTING OPTION - {word.upper()}", 13)
        seen.add(name)

    while remaining:
        word = remaining.pop(0)
        upper = word.upper()
        following = remaining[0] if remaining else None
        if _abbreviates(upper, "CLASS", 2):
            once("CLASS", word)
            any_class = following == ANY_CLASS
            options.spool_class = ANY_CLASS if any_class else _check_class(module, following)
            remaining.pop(0)
        elif upper == "TO":
            once("TO", word)
            if following is not None and following.upper() == "OFF":
                options.to_off = True
            elif following == "*":
                options.to = _user(context)
            else:
                options.to = _check_userid(module, spool, following)
            remaining.pop(0)
        elif upper == "FOR":
            once("TO", word)
            if following is not None and following.upper() == "OFF":
                options.to_off = True
            else:
                options.for_user = _check_userid(module, spool, following)
            remaining.pop(0)
        elif upper in ("CONT", "NOCONT") or _abbreviates(upper, "NOCONT", 5):
            once("CONT", word)
            options.cont = upper == "CONT"
        elif _abbreviates(upper, "HOLD", 2) or _abbreviates(upper, "NOHOLD", 3):
            once("HOLD", word)
            options.hold = upper.startswith("HO")
        elif _abbreviates(upper, "COPY", 2):
            once("COPY", word)
            options.copies = _check_copies(module, following)
            remaining.pop(0)
        elif _abbreviates(upper, "FORM", 2):
            once("FORM", word)
            options.form = _check_name(module, following, 26, "OPERAND")
            remaining.pop(0)
        elif _abbreviates(upper, "DIST", 2):
            once("DIST", word)
            options.dist = _check_name(module, following, 32, "DISTCODE")
            remaining.pop(0)
        else:
            raise CommandError(f"{module}003E INVALID OPTION - {upper}", 3)
        if options.output_only is None and seen & {"TO", "COPY", "FORM", "DIST"}:
            options.output_only = upper
    return options


def _apply(module: str, binding: SpoolDevice, options: SpoolOptions) -> None:
    reader = binding.kind == READER
    if reader and options.output_only is not None:
        raise CommandError(f"{module}003E INVALID OPTION - {options.output_only}", 3)
    if options.spool_class == ANY_CLASS and not reader:
        raise CommandError(f"{module}028E CLASS MISSING OR INVALID", 28)
    if options.spool_class is not None:
        binding.spool_class = options.spool_class
    if options.to_off:
        binding.to = binding.for_user = None
    if options.to is not None:
        binding.to, binding.for_user = options.to, None
    if options.for_user is not None:
        binding.for_user, binding.to = options.for_user, None
    if options.cont is not None:
        binding.cont = options.cont
    if options.hold is not None:
        binding.hold = options.hold
    if options.copies is not None:
        binding.copies = options.copies
    if options.form is not None:
        binding.form = options.form
    if options.dist is not None:
        binding.dist = options.dist


CLOSE_HELP = """CLOSE READER|PUNCH|PRINTER|vaddr [HOLD|NOHOLD] [PURGE] [NAME fn [ft]] [DIST code]
  End the spool file of a virtual punch or printer (it goes where SPOOL
  said), or stop reading the reader's file."""


@command("CLOSE", 1, "G", CLOSE_HELP)
@spool_errors
def close_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSQ"
    spool = _spool(context)
    devices = _devices(module, context, spool, operands[0] if operands else None)
    hold: bool | None = None
    purge = False
    name: tuple[str, str] | None = None
    dist: str | None = None
    output_only = None  # the first option a reader does not take (PURGE, DIST, NAME)
    remaining = list(operands[1:])
    while remaining:
        upper = remaining.pop(0).upper()
        if output_only is None and not (
            _abbreviates(upper, "HOLD", 2) or _abbreviates(upper, "NOHOLD", 3)
        ):
            output_only = upper
        if _abbreviates(upper, "HOLD", 2) or _abbreviates(upper, "NOHOLD", 3):
            if hold is not None:
                raise CommandError(f"{module}013E CONFLICTING OPTION - {upper}", 13)
            hold = upper.startswith("HO")
        elif _abbreviates(upper, "PURGE", 2):
            if purge:
                raise CommandError(f"{module}013E CONFLICTING OPTION - {upper}", 13)
            purge = True
        elif _abbreviates(upper, "DIST", 2):
            if dist is not None:
                raise CommandError(f"{module}013E CONFLICTING OPTION - {upper}", 13)
            dist = _check_name(module, remaining.pop(0) if remaining else None, 32, "DISTCODE")
        elif _abbreviates(upper, "NAME", 2):
            name, remaining = _file_name(module, remaining)
        else:
            raise CommandError(f"{module}003E INVALID OPTION - {upper}", 3)
    if purge and (hold is not None or dist is not None or name is not None):
        raise CommandError(f"{module}003E INVALID OPTION - PURGE", 3)
    for binding in devices:
        if binding.kind == READER:
            if output_only is not None:
                raise CommandError(f"{module}003E INVALID OPTION - {output_only}", 3)
            spool.close_reader(binding, hold)
            continue
        lines = spool.close_output(binding, hold=hold, purge=purge, name=name, dist=dist)
        for line in lines:
            context.respond(line)


def _file_name(module: str, words: list[str]) -> tuple[tuple[str, str], list[str]]:
    """NAME fn [ft]: the name and type, and the words after them."""
    if not words or not 1 <= len(words[0]) <= 8:
        raise CommandError(f"{module}029E FNAME FTYPE MISSING OR INVALID", 29)
    filename = words[0].upper()
    rest = words[1:]
    filetype = ""
    keywords = ("HOLD", "NOHOLD", "PURGE", "DIST", "NAME", "CLASS", "COPY", "FORM")
    if rest and not any(_abbreviates(rest[0], k, 2) for k in keywords):
        if len(rest[0]) > 8:
            raise CommandError(f"{module}029E FNAME FTYPE MISSING OR INVALID", 29)
        filetype, rest = rest[0].upper(), rest[1:]
    return (filename, filetype), rest


@dataclass
class Selection:
    """Which files a TRANSFER, PURGE, ORDER, CHANGE or QUERY names."""

    owner: str | None  # None: every user's (class D SYSTEM)
    kinds: tuple[str, ...]
    spoolids: list[int]
    spool_class: str | None
    every: bool

    def matches(self, spool_file: SpoolFile) -> bool:
        if spool_file.queue not in self.kinds:
            return False
        if self.owner is not None and spool_file.owner != self.owner:
            return False
        if self.every:
            return True
        if self.spool_class is not None:
            return spool_file.spool_class == self.spool_class
        return spool_file.spoolid in self.spoolids


def _owner_operand(
    module: str, context: CommandContext, spool: SpoolManager, words: list[str]
) -> tuple[str | None, list[str]]:
    """Class D: a leading userid or SYSTEM names whose files; class G: always one's own."""
    own = _user(context) if context.userid is not None else None
    if not words or not _operator(context) or device_kind(words[0]) is not None:
        return own, words
    if words[0].upper() == "ALL" and module == "DMKCSV":
        return own, words
    if words[0].upper() == "SYSTEM":
        return None, words[1:]
    return _check_userid(module, spool, words[0]), words[1:]


def _selection(
    module: str, owner: str | None, kinds: tuple[str, ...], words: list[str], *, stop: tuple = ()
) -> tuple[Selection, list[str]]:
    """spoolid ... | CLASS c | ALL, up to a word in ``stop``."""
    spoolids: list[int] = []
    spool_class = None
    every = False
    remaining = list(words)
    while remaining and remaining[0].upper() not in stop:
        word = remaining.pop(0)
        upper = word.upper()
        if upper == "ALL":
            every = True
        elif _abbreviates(upper, "CLASS", 2):
            spool_class = _check_class(module, remaining.pop(0) if remaining else None)
        elif upper.isdigit():
            spoolid = int(upper)
            if not 1 <= spoolid <= MAX_SPOOLID:
                raise CommandError(f"{module}008E INVALID SPOOLID - {upper}", 8)
            spoolids.append(spoolid)
        elif spoolids or every or spool_class:
            break
        else:
            raise CommandError(f"{module}027E SPOOLID MISSING OR INVALID", 27)
    if not spoolids and spool_class is None and not every:
        raise CommandError(f"{module}027E SPOOLID MISSING OR INVALID", 27)
    return Selection(owner, kinds, spoolids, spool_class, every), remaining


def _chosen(module: str, spool: SpoolManager, selection: Selection) -> list[SpoolFile]:
    """The files a selection names; a spoolid that is not there is DMKxxx042E."""
    files = [f for f in spool.files if selection.matches(f)]
    found = {f.spoolid for f in files}
    for spoolid in selection.spoolids:
        if spoolid not in found:
            raise CommandError(f"{module}042E SPOOLID {spoolid:04d} DOES NOT EXIST", 42)
    if selection.spoolids and not selection.every and selection.spool_class is None:
        by_id = {f.spoolid: f for f in files}
        files = [by_id[spoolid] for spoolid in dict.fromkeys(selection.spoolids)]
    return files


def _count_message(count: int, verb: str) -> str:
    # DMKCSU/DMKCSV: "0003 FILES PURGED", "0001 FILE  PURGED", " NO  FILES PURGED".
    number = f"{count:04d}" if count else " NO "
    files = "FILE " if count == 1 else "FILES"
    return f"{number} {files} {verb}"


def _kind_operand(module: str, words: list[str], allow_all: bool = False) -> tuple[tuple, list]:
    if not words:
        raise CommandError(f"{module}035E DEVICE TYPE MISSING OR INVALID", 35)
    if allow_all and words[0].upper() == "ALL":
        return QUERY_KINDS, words[1:]
    kind = device_kind(words[0])
    if kind is None:
        raise CommandError(f"{module}006E INVALID DEVICE TYPE - {words[0].upper()}", 6)
    return (kind,), words[1:]


QUERY_KINDS = (READER, PRINTER, PUNCH)

PURGE_HELP = """PURGE READER|PRINTER|PUNCH|ALL [spoolid ...|CLASS c|ALL]
  Remove your spool files. Class D: PURGE userid|SYSTEM READER|PRINTER|PUNCH|ALL ..."""


@command("PURGE", 3, "GD", PURGE_HELP)
@spool_errors
def purge_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSV"
    spool = _spool(context)
    owner, words = _owner_operand(module, context, spool, operands)
    kinds, words = _kind_operand(module, words, allow_all=True)
    if words:
        selection, rest = _selection(module, owner, kinds, words)
        if rest:
            raise CommandError(f"{module}003E INVALID OPTION - {rest[0].upper()}", 3)
    else:
        selection = Selection(owner, kinds, [], None, True)
    chosen = _chosen(module, spool, selection)
    for spool_file in chosen:
        spool.purge(spool_file)
    context.respond(_count_message(len(chosen), "PURGED"))


ORDER_HELP = """ORDER READER|PRINTER|PUNCH spoolid|CLASS c ...
  Put your files first in their queue, in the order given."""


@command("ORDER", 3, "GD", ORDER_HELP)
@spool_errors
def order_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSV"
    spool = _spool(context)
    owner, words = _owner_operand(module, context, spool, operands)
    kinds, words = _kind_operand(module, words)
    if owner is None:
        raise CommandError(f"{module}020E USERID MISSING OR INVALID", 20)
    chosen: list[SpoolFile] = []
    while words:
        selection, words = _selection(module, owner, kinds, words)
        if selection.every:
            raise CommandError(f"{module}003E INVALID OPTION - ALL", 3)
        chosen += [f for f in _chosen(module, spool, selection) if f not in chosen]
    if not chosen and not words:
        raise CommandError(f"{module}027E SPOOLID MISSING OR INVALID", 27)
    spool.order(kinds[0], owner, chosen)
    context.respond(_count_message(len(chosen), "ORDERED"))


TRANSFER_HELP = """TRANSFER [READER|PRINTER|PUNCH] spoolid|CLASS c|ALL TO|FROM userid [type]
  Give your files to another user's reader (TO), or take back files you
  made from another user's queue (FROM)."""


@command("TRANSFER", 4, "GD", TRANSFER_HELP)
@spool_errors
def transfer_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSV"
    spool = _spool(context)
    owner, words = _owner_operand(module, context, spool, operands)
    kinds: tuple[str, ...] = (READER,)
    if words and device_kind(words[0]) is not None:
        kinds, words = _kind_operand(module, words)
    selection, words = _selection(module, owner, kinds, words, stop=("TO", "FROM", "T", "F"))
    if not words or words[0].upper() not in ("TO", "FROM", "T", "F"):
        raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
    direction = "TO" if words[0].upper().startswith("T") else "FROM"
    userid = _check_userid(module, spool, words[1] if len(words) > 1 else None)
    target = READER
    if len(words) > 2:
        kind = device_kind(words[2])
        if kind is None or len(words) > 3:
            raise CommandError(f"{module}003E INVALID OPTION - {words[2].upper()}", 3)
        target = kind
    me = _user(context)
    if direction == "FROM":
        # The files of ``userid``'s queue that this user made come back to this user.
        selection.owner = userid
        chosen = [f for f in _chosen(module, spool, selection) if f.origin == me or owner is None]
        receiver = me
    else:
        chosen = _chosen(module, spool, selection)
        receiver = userid
    for spool_file in chosen:
        if target != READER and spool_file.made_by != target:
            raise CommandError(f"{module}006E INVALID DEVICE TYPE - {target}", 6)
    moved = 0
    for spool_file in chosen:
        try:
            spool.transfer(spool_file, receiver, target)
        except SpoolError:
            continue
        moved += 1
        if receiver != me:
            spool.tell(receiver, spool.file_message(spool_file, "FROM ", me))
    context.respond(_count_message(moved, "TRANSFERRED"))


CHANGE_HELP = """CHANGE READER|PRINTER|PUNCH spoolid|CLASS c|ALL options
  Change closed files: CLASS c, COPY n, HOLD|NOHOLD, NAME fn [ft], DIST code, FORM name."""


@command("CHANGE", 2, "GD", CHANGE_HELP)
@spool_errors
def change_command(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCSU"
    spool = _spool(context)
    owner, words = _owner_operand(module, context, spool, operands)
    kinds, words = _kind_operand(module, words)
    keywords = ("CLASS", "CL", "COPY", "CO", "HOLD", "HO", "NOHOLD", "NOH", "NAME", "NA")
    keywords += ("DIST", "DI", "FORM", "FO")
    selection, words = _selection(module, owner, kinds, words, stop=keywords)
    changes: dict[str, object] = {}
    remaining = list(words)
    while remaining:
        upper = remaining.pop(0).upper()
        following = remaining[0] if remaining else None
        if _abbreviates(upper, "CLASS", 2):
            key, value = "spool_class", _check_class(module, following)
            remaining.pop(0)
        elif _abbreviates(upper, "COPY", 2):
            key, value = "copies", _check_copies(module, following)
            remaining.pop(0)
        elif _abbreviates(upper, "HOLD", 2) or _abbreviates(upper, "NOHOLD", 3):
            key, value = "user_hold", upper.startswith("HO")
        elif _abbreviates(upper, "DIST", 2):
            key, value = "dist", _check_name(module, following, 32, "DISTCODE")
            remaining.pop(0)
        elif _abbreviates(upper, "FORM", 2):
            key, value = "form", _check_name(module, following, 26, "OPERAND")
            remaining.pop(0)
        elif _abbreviates(upper, "NAME", 2):
            key = "name"
            value, remaining = _file_name(module, remaining)
        else:
            raise CommandError(f"{module}003E INVALID OPTION - {upper}", 3)
        if key in changes:
            raise CommandError(f"{module}013E CONFLICTING OPTION - {upper}", 13)
        changes[key] = value
    if not changes:
        raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
    chosen = _chosen(module, spool, selection)
    for spool_file in chosen:
        for key, value in changes.items():
            if key == "name":
                spool_file.filename, spool_file.filetype = value
            else:
                setattr(spool_file, key, value)
    for spool_file in chosen:
        spool.changed(spool_file)
    context.respond(_count_message(len(chosen), "CHANGED"))


def virtual_device_lines(binding: SpoolDevice) -> list[str]:
    """QUERY VIRTUAL's lines for a spooled device, in DMKCQG's columns.

    RDR  00C CL A NOCONT NOHOLD NOEOF    READY
    PUN  00D CL A NOCONT NOHOLD COPY 01    READY
             TO  BOB      DIST ALICE
    """
    name = {READER: "RDR", PUNCH: "PUN", PRINTER: "PRT"}[binding.kind]
    cont = "  CONT" if binding.cont else "NOCONT"
    hold = "  HOLD" if binding.hold else "NOHOLD"
    first = f"{name:<4} {binding.address:03X} CL {binding.spool_class}  {cont} {hold} "
    if binding.kind == READER:
        return [first + "NOEOF    READY"]
    first += f"COPY {binding.copies % 100:02d}    READY"
    word, userid = "FOR", binding.userid
    if binding.to is not None:
        word, userid = "TO ", binding.to
    elif binding.for_user is not None:
        userid = binding.for_user
    second = f"{'':9}{word} {userid:<8} DIST {binding.dist or binding.userid:<8}"
    if binding.kind == PRINTER:
        second += "  FLASHC 00"
    return [first, second.rstrip()]


QUERY_HEADER = "ORIGINID FILE CLASS RECDS  CPY HOLD "
QUERY_HEADER_LONG = "DATE  TIME     NAME        TYPE     DIST"


def file_line(spool_file: SpoolFile, long_form: bool, owner_view: bool) -> str:
    """One file in DMKCQH's layout (the columns of QUERY_HEADER)."""
    hold = "NONE"
    if spool_file.user_hold and spool_file.system_hold:
        hold = "USYS"
    elif spool_file.user_hold:
        hold = "USER"
    elif spool_file.system_hold:
        hold = "SYS "
    who = spool_file.owner if owner_view else spool_file.origin
    line = (
        f"{who:<8} {spool_file.spoolid:04d} {spool_file.spool_class} {spool_file.made_by} "
        f"{spool_file.record_count % 1_000_000:06d}  {spool_file.copies % 100:02d} {hold}"
    )
    if long_form:
        created = spool_file.created
        line += (
            f" {created:%m/%d} {created:%H:%M:%S} {spool_file.filename:<12}"
            f"{spool_file.filetype:<8} {spool_file.dist:<8}"
        )
    return line.rstrip()


def _query_queue(context: CommandContext, operands: list[str], kind: str) -> None:
    module = "DMKCQH"
    spool = _spool(context)
    operator = _operator(context)
    owner: str | None = None if operator else _user(context)
    owner_view = operator
    long_form = False
    spoolid = None
    words = list(operands)
    if words:
        upper = words.pop(0).upper()
        if upper == "ALL":
            long_form = True
        elif upper.isdigit():
            spoolid = int(upper)
            long_form = True
        elif operator and upper not in ("*",) and not words:
            owner = _check_userid(module, spool, upper)
            owner_view = False
        else:
            raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
        if words and operator:
            target = words.pop(0).upper()
            owner = _user(context) if target == "*" else _check_userid(module, spool, target)
            owner_view = False
        if words:
            raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
    files = spool.queue(kind, owner)
    if spoolid is not None:
        files = [f for f in files if f.spoolid == spoolid]
        if not files:
            raise CommandError(f"{module}042E SPOOLID {spoolid:04d} DOES NOT EXIST", 42)
    if not files:
        context.respond(f"NO {kind} FILES")
        return
    header = QUERY_HEADER + (QUERY_HEADER_LONG if long_form else "")
    if owner_view:
        header = "OWNERID " + header[8:]
    context.respond(header.rstrip())
    for spool_file in files:
        context.respond(file_line(spool_file, long_form, owner_view))


# QUERY READER/RDR, PRINTER/PRT, PUNCH/PCH: the queue's files, by name or
# VM/370's three-letter form, each with its own shortest abbreviation.
_QUEUE_OPERANDS = (
    ("READER", 1, READER, "the files in your reader"),
    ("RDR", 3, READER, "the files in your reader"),
    ("PRINTER", 1, PRINTER, "your files for the printer"),
    ("PRT", 3, PRINTER, "your files for the printer"),
    ("PUNCH", 2, PUNCH, "your files for the punch"),
    ("PCH", 3, PUNCH, "your files for the punch"),
)


def _declare_queue_query(name: str, minimum: int, queue, what: str) -> None:
    @query_operand(name, minimum, "GD", f"QUERY {name} [ALL|spoolid]: {what}")
    @spool_errors
    def query_queue(context: CommandContext, operands: list[str]) -> None:
        _query_queue(context, operands, queue)


for _name, _minimum, _queue, _what in _QUEUE_OPERANDS:
    _declare_queue_query(_name, _minimum, _queue, _what)


@query_operand("FILES", 1, "GD", "QUERY FILES [CLASS c]: how many spool files you have")
@spool_errors
def query_files(context: CommandContext, operands: list[str]) -> None:
    module = "DMKCQR"
    spool = _spool(context)
    spool_class = None
    if operands:
        if len(operands) != 2 or not _abbreviates(operands[0], "CLASS", 2):
            raise CommandError(f"{module}026E OPERAND MISSING OR INVALID", 26)
        spool_class = _check_class(module, operands[1])
    owner = None if _operator(context) and context.userid is None else _user(context)
    counts = []
    for kind in QUERY_KINDS:
        count = sum(
            1
            for f in spool.queue(kind, owner)
            if not spool.reading(f) and spool_class in (None, f.spool_class)
        )
        # DMKCQR: the count in four positions, a leading zero blanked; "NO" for none.
        digits = f"{count:04d}"
        counts.append("  NO" if not count else " " + digits[1:] if digits[0] == "0" else digits)
    context.respond(f"FILES:{counts[0]} RDR,{counts[1]} PRT,{counts[2]} PUN")

"""The user directory: who may log on, with what storage, classes and virtual devices.

The format is VM/370's (the input of DMKDIR, Release 6): one statement a
line, ``DIRECTORY`` first, then for each user a ``USER`` statement and the
statements that follow it up to the next ``USER``. Statement names may be
abbreviated as DMKDIR allows (``U`` for USER, ``DIR`` for DIRECTORY). Lark
(``directory.lark``) parses each line; the reader then checks each field and,
across the whole file, what no single line shows: duplicate users and
addresses, overlapping minidisks, links to disks that do not exist, volumes
the real configuration does not have. ``DirectoryError`` lists every problem,
each as ``FILE:LINE:COL: message``; no message ever contains a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lark import Lark, Transformer, v_args
from lark.exceptions import LarkError, VisitError

from vm370.cp.configfile import (
    ConfigFileError,
    Diagnostic,
    FieldError,
    StatementSyntax,
    parse_statement,
    read_text,
    statement_lines,
)
from vm370.cp.passwords import Password, PasswordFormatError
from vm370.cp.sysconfig import SystemConfig
from vm370.hardware.devices.ckd_image import GEOMETRIES


class DirectoryError(ConfigFileError):
    """A directory with problems; ``str()`` is one ``FILE:LINE:COL: message`` a line."""


DASD_TYPES = tuple(sorted(GEOMETRIES))
CONSOLE_TYPES = ("1052", "3210", "3215")
# The spooled unit record devices this machine has (DMKDIR also knows 1443, 3211, 3203, 2501,
# 3505, 3525, which the hardware here does not).
SPOOL_TYPES = ("1403", "2540")
LINK_MODES = ("R", "RR", "W", "WR", "M", "MR", "MW")
PRIVILEGE_CLASSES = "ABCDEFGH"

# DMKDIR defaults: storage 128K, maximum 1M, class G, priority 50, MDISK mode W, LINK mode R,
# console class T, spool class A.
DEFAULT_STORAGE = 128 * 1024
DEFAULT_MAX_STORAGE = 1024 * 1024
DEFAULT_CLASSES = "G"
DEFAULT_PRIORITY = 50
MIN_STORAGE, MAX_STORAGE = 8 * 1024, 16 * 1024 * 1024
PAGE_SIZE = 4096

# A password of NOLOG means the user can never log on (DMKLOG treats it as an unknown user);
# a minidisk read password of ALL lets anyone link it read-only without one (DMKLNK).
NOLOG = "NOLOG"
ALL = "ALL"

# DMKDIR's statement names in the order it tries them, each with the shortest abbreviation
# it accepts. SPECIAL is recognized only to say it is not supported.
_STATEMENT_NAMES = (
    ("USER", 1),
    ("ACCOUNT", 1),
    ("OPTION", 1),
    ("MDISK", 1),
    ("SPOOL", 1),
    ("DEDICATE", 1),
    ("LINK", 1),
    ("IPL", 1),
    ("SPECIAL", 3),
    ("CONSOLE", 1),
    ("DIRECTORY", 3),
)

# DMKDIR's OPTION keywords in the order it tries them; any leading part of a name selects the
# first that it begins (so A is ACCT, AF is AFFINITY). CPUID and AFFINITY take a value.
_OPTION_NAMES = (
    "REALTIMER",
    "ECMODE",
    "ISAM",
    "VIRT=REAL",
    "ACCT",
    "SVCOFF",
    "BMX",
    "CPUID",
    "AFFINITY",
)

_SYNTAX = {
    "DIRECTORY": StatementSyntax(
        "DIRECTORY cuu devtype volser",
        ("the device address", "the device type", "the volume serial"),
    ),
    "USER": StatementSyntax(
        "USER userid password [storage [maxstorage [classes [priority]]]]",
        (
            "the userid",
            "the password",
            "a storage size (as 512K or 1M)",
            "a maximum storage size (as 1M)",
            "the privilege classes (letters A-H)",
            "a priority (1-99)",
        ),
        echo=False,
    ),
    "ACCOUNT": StatementSyntax(
        "ACCOUNT number [distribution]", ("the account number", "the distribution code")
    ),
    "OPTION": StatementSyntax("OPTION option...", ()),
    "IPL": StatementSyntax("IPL cuu|sysname", ("the device address or system name",)),
    "CONSOLE": StatementSyntax(
        "CONSOLE cuu devtype [class]",
        ("the virtual address (1-3 hex digits)", "the device type (1052, 3210, 3215)", "a class"),
    ),
    "SPOOL": StatementSyntax(
        "SPOOL cuu 2540 READER|PUNCH [class] or SPOOL cuu 1403 [class]",
        (
            "the virtual address (1-3 hex digits)",
            "the device type (2540 or 1403)",
            "READER, PUNCH or a class",
            "a class",
        ),
    ),
    "LINK": StatementSyntax(
        "LINK userid cuu [vaddr [mode]]",
        (
            "the userid linked to",
            "that user's device address (1-3 hex digits)",
            "this user's virtual address (1-3 hex digits)",
            "an access mode (R, RR, W, WR, M, MR or MW)",
        ),
    ),
    "MDISK": StatementSyntax(
        "MDISK cuu devtype start count volser [mode [readpw [writepw [multipw]]]]",
        (
            "the virtual address (1-3 hex digits)",
            "the device type (2311 or 2314)",
            "the first cylinder (a decimal number) or T-DISK",
            "the number of cylinders (a decimal number)",
            "the volume serial",
            "an access mode (R, RR, W, WR, M, MR or MW)",
            "the read password",
            "the write password",
            "the multiple-write password",
        ),
        echo=False,
    ),
    "DEDICATE": StatementSyntax(
        "DEDICATE cuu realcuu",
        ("the virtual address (1-3 hex digits)", "the real device address (1-3 hex digits)"),
    ),
}

# Typical mistakes, recognized by where the parser stops (Lark's match_examples).
_MISTAKES = {
    "LINK": {
        "the mode comes after this user's virtual address, as LINK MAINT 190 190 RR": [
            "LINK MAINT 190 RR",
            "LINK MAINT 190 W",
        ],
    },
    "SPOOL": {
        "the device type comes before READER or PUNCH, as SPOOL 00C 2540 READER A": [
            "SPOOL 00C READER A",
            "SPOOL 00C PUNCH",
        ],
    },
}

_GRAMMAR = Lark.open(
    "directory.lark",
    rel_to=__file__,
    parser="lalr",
    lexer="contextual",
    start=[
        "directory_statement",
        "user_statement",
        "account_statement",
        "option_statement",
        "ipl_statement",
        "console_statement",
        "spool_statement",
        "link_statement",
        "mdisk_statement",
        "dedicate_statement",
    ],
    maybe_placeholders=True,
)

_NAME = re.compile(r"[A-Z0-9@#$]{1,8}")
_VOLSER = re.compile(r"[A-Z0-9@#$]{1,6}")


@dataclass(frozen=True)
class DirectoryVolume:
    """The DIRECTORY statement: the pack VM/370 would have written the directory on."""

    cuu: int
    device_type: str
    volser: str
    line: int


@dataclass(frozen=True)
class VirtualDeviceSpec:
    """A CONSOLE or SPOOL statement: a device CP simulates for the user."""

    cuu: int
    device_type: str  # "1052", "3210", "3215", "2540", "1403"
    unit: str  # "CONSOLE", "READER", "PUNCH" or "PRINTER"
    spool_class: str
    line: int


@dataclass(frozen=True)
class LinkSpec:
    """A LINK statement: at LOGON, ``userid``'s device ``target_cuu`` appears at ``cuu``."""

    userid: str
    target_cuu: int
    cuu: int
    mode: str
    line: int


@dataclass(frozen=True)
class MinidiskSpec:
    """An MDISK statement: cylinders ``start_cylinder``.. of the pack ``volser``.

    The passwords are ``Password`` objects (or None): they check a candidate and never
    show themselves.
    """

    cuu: int
    device_type: str
    start_cylinder: int
    cylinders: int
    volser: str
    mode: str
    read_password: Password | None = field(default=None, repr=False, compare=False)
    write_password: Password | None = field(default=None, repr=False, compare=False)
    multi_password: Password | None = field(default=None, repr=False, compare=False)
    line: int = 0

    @property
    def end_cylinder(self) -> int:
        """The last cylinder of the extent."""
        return self.start_cylinder + self.cylinders - 1

    @property
    def readable_by_all(self) -> bool:
        """A read password of ALL: any user may link it read-only without a password."""
        return self.read_password is not None and self.read_password.is_literally(ALL)


@dataclass(frozen=True)
class TemporaryDiskSpec:
    """``MDISK cuu devtype T-DISK count``: cylinders CP finds in TDSK space at LOGON."""

    cuu: int
    device_type: str
    cylinders: int
    line: int


@dataclass(frozen=True)
class DedicateSpec:
    """A DEDICATE statement: the real device ``real_address`` is the user's at ``cuu``."""

    cuu: int
    real_address: int
    line: int


@dataclass(frozen=True)
class Extent:
    """One minidisk's cylinders on a volume, for overlap checks and for CP's allocation."""

    volser: str
    start_cylinder: int
    cylinders: int
    userid: str
    cuu: int
    line: int

    @property
    def end_cylinder(self) -> int:
        return self.start_cylinder + self.cylinders - 1


@dataclass
class UserEntry:
    """One user's directory entry: the USER statement and those after it."""

    userid: str
    storage: int
    max_storage: int
    classes: str
    priority: int = DEFAULT_PRIORITY
    account: str = ""
    distribution: str | None = None
    options: set[str] = field(default_factory=set)
    cpuid: int | None = None
    affinity: int | None = None
    ipl: str | None = None
    console: VirtualDeviceSpec | None = None
    spool: list[VirtualDeviceSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    minidisks: dict[int, MinidiskSpec] = field(default_factory=dict)
    temporary_disks: dict[int, TemporaryDiskSpec] = field(default_factory=dict)
    dedicates: list[DedicateSpec] = field(default_factory=list)
    line: int = 0
    _password: Password | None = field(default=None, repr=False, compare=False)

    def check_password(self, candidate: str) -> bool:
        """Whether ``candidate`` is the password (never true for NOLOG); constant time."""
        if self._password is None or self._password.is_literally(NOLOG):
            return False
        return self._password.matches(candidate)

    @property
    def can_log_on(self) -> bool:
        """False for a user whose password is NOLOG (a disk owner, never a person)."""
        return self._password is not None and not self._password.is_literally(NOLOG)

    def device_addresses(self) -> list[tuple[int, str]]:
        """Every virtual address the entry defines, with what is there, in address order."""
        devices: list[tuple[int, str]] = []
        if self.console is not None:
            devices.append((self.console.cuu, "CONSOLE"))
        devices += [(spec.cuu, spec.unit) for spec in self.spool]
        devices += [(cuu, "MDISK") for cuu in self.minidisks]
        devices += [(cuu, "T-DISK") for cuu in self.temporary_disks]
        devices += [(link.cuu, f"LINK {link.userid} {link.target_cuu:03X}") for link in self.links]
        devices += [(spec.cuu, f"DEDICATE {spec.real_address:03X}") for spec in self.dedicates]
        return sorted(devices)


@dataclass
class Directory:
    """A parsed, checked directory."""

    filename: str
    volume: DirectoryVolume | None
    users: dict[str, UserEntry]

    def volume_extents(self) -> dict[str, list[Extent]]:
        """For each volume serial, its minidisks' extents in cylinder order."""
        extents: dict[str, list[Extent]] = {}
        for user in self.users.values():
            for disk in user.minidisks.values():
                extents.setdefault(disk.volser, []).append(
                    Extent(
                        disk.volser,
                        disk.start_cylinder,
                        disk.cylinders,
                        user.userid,
                        disk.cuu,
                        disk.line,
                    )
                )
        for volume in extents.values():
            volume.sort(key=lambda extent: (extent.start_cylinder, extent.userid, extent.cuu))
        return extents


@dataclass
class _Statement:
    """One parsed line: its statement name and each field as (value, column)."""

    name: str
    line: int
    fields: dict[str, tuple[object, int]]
    keyword_column: int = 1

    def value(self, key: str, default=None):
        found = self.fields.get(key)
        return default if found is None else found[0]

    def column(self, key: str | None) -> int:
        found = self.fields.get(key) if key else None
        return self.keyword_column if found is None else found[1]


def _size(token, what: str) -> int:
    """512K or 1M in bytes, rounded up to 4K as DMKDIR does; 8K to 16M."""
    number, unit = int(token[:-1]), token[-1]
    size = number * (1024 if unit == "K" else 1024 * 1024)
    size = -(-size // PAGE_SIZE) * PAGE_SIZE
    if not MIN_STORAGE <= size <= MAX_STORAGE:
        raise FieldError(f"{what} {token} is outside 8K to 16M", token.column)
    return size


def _name(token, what: str, pattern: re.Pattern = _NAME, length: int = 8) -> str:
    if not pattern.fullmatch(token):
        raise FieldError(
            f"{what} {str(token)!r} must be 1 to {length} letters, digits, @, # or $",
            token.column,
        )
    return str(token)


def _device_type(token, allowed: tuple[str, ...], what: str) -> str:
    if token not in allowed:
        raise FieldError(
            f"{what} {token} is not one this machine has (expected {', '.join(allowed)})",
            token.column,
        )
    return str(token)


def _password(token, what: str) -> Password:
    try:
        return Password(str(token))
    except PasswordFormatError as error:
        raise FieldError(f"{what}: {error}", token.column) from None


def _spool_class(token, what: str, any_class: bool = False) -> str:
    """A spool class: one letter or digit; a reader may also take ``*``, every class."""
    if any_class and token == "*":
        return "*"
    if len(token) != 1 or not token.isalnum():
        choices = "one letter or digit, or *" if any_class else "one letter or digit"
        raise FieldError(f"{what} {str(token)!r} must be {choices}", token.column)
    return str(token)


def _field(token, value) -> tuple[object, int] | None:
    return None if token is None else (value, token.column)


@v_args(inline=True)
class _ToStatement(Transformer):
    """A statement line's tree -> ``_Statement`` with every field checked and converted."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line

    def _statement(self, statement_name: str, **fields) -> _Statement:
        present = {key: item for key, item in fields.items() if item is not None}
        return _Statement(statement_name, self.line, present)

    def directory_statement(self, cuu, device_type, volser):
        return self._statement(
            "DIRECTORY",
            cuu=_field(cuu, int(cuu, 16)),
            device_type=_field(device_type, _device_type(device_type, DASD_TYPES, "device type")),
            volser=_field(volser, _name(volser, "volume serial", _VOLSER, 6)),
        )

    def user_statement(self, userid, password, storage, max_storage, classes, priority):
        if classes is not None:
            letters = str(classes)
            for offset, letter in enumerate(letters):
                if letter not in PRIVILEGE_CLASSES:
                    raise FieldError(
                        f"privilege class {letter} is not one of A-H", classes.column + offset
                    )
                if letters.index(letter) != offset:
                    raise FieldError(
                        f"privilege class {letter} is given twice", classes.column + offset
                    )
        if priority is not None and not 1 <= int(priority) <= 99:
            raise FieldError(f"priority {priority} is not 1 to 99", priority.column)
        return self._statement(
            "USER",
            userid=_field(userid, _name(userid, "userid")),
            password=_field(password, _password(password, "the password")),
            storage=_field(storage, storage and _size(storage, "storage")),
            max_storage=_field(max_storage, max_storage and _size(max_storage, "maximum storage")),
            classes=_field(classes, classes and str(classes)),
            priority=_field(priority, priority and int(priority)),
        )

    def account_statement(self, number, distribution):
        return self._statement(
            "ACCOUNT",
            number=_field(number, _name(number, "account number")),
            distribution=_field(
                distribution, distribution and _name(distribution, "distribution code")
            ),
        )

    def option_statement(self, *words):
        options: dict[str, tuple[object, int]] = {}
        remaining = list(words)
        while remaining:
            word = remaining.pop(0)
            option = next((name for name in _OPTION_NAMES if name.startswith(word)), None)
            if option is None:
                raise FieldError(
                    f"unknown option {str(word)!r} (expected {', '.join(_OPTION_NAMES)})",
                    word.column,
                )
            value = None
            if option in ("CPUID", "AFFINITY"):
                if not remaining:
                    raise FieldError(f"OPTION {option} needs a value after it", word.column)
                value = remaining.pop(0)
                if option == "CPUID" and not re.fullmatch(r"[0-9A-F]{1,6}", value):
                    raise FieldError(f"CPUID {value!r} must be 1 to 6 hex digits", value.column)
                if option == "AFFINITY" and not (value.isdigit() and int(value) <= 63):
                    raise FieldError(f"AFFINITY {value!r} must be 0 to 63", value.column)
                value = int(value, 16 if option == "CPUID" else 10)
            options[option] = (value, word.column)
        return _Statement("OPTION", self.line, options)

    def ipl_statement(self, name):
        return self._statement("IPL", name=_field(name, _name(name, "IPL device or system")))

    def console_statement(self, cuu, device_type, spool_class):
        return self._statement(
            "CONSOLE",
            cuu=_field(cuu, int(cuu, 16)),
            device_type=_field(
                device_type, _device_type(device_type, CONSOLE_TYPES, "console type")
            ),
            spool_class=_field(spool_class, spool_class and _spool_class(spool_class, "class")),
        )

    def spool_statement(self, cuu, device_type, first, second):
        kind = _device_type(device_type, SPOOL_TYPES, "spool device type")
        spool_class = first
        if kind == "2540":
            if first is None:
                raise FieldError(
                    "a 2540 is a READER or a PUNCH: say which, as SPOOL 00C 2540 READER A",
                    device_type.column + len(device_type) + 1,
                )
            unit = next((u for u in ("READER", "PUNCH") if u.startswith(first)), None)
            if unit is None:
                raise FieldError(f"{str(first)!r} is not READER or PUNCH", first.column)
            unit_token, spool_class = first, second
        else:
            if second is not None:
                raise FieldError(
                    f"{str(second)!r} is one operand too many (a 1403 takes only a class)",
                    second.column,
                )
            unit, unit_token = "PRINTER", device_type
        return self._statement(
            "SPOOL",
            cuu=_field(cuu, int(cuu, 16)),
            device_type=_field(device_type, kind),
            unit=_field(unit_token, unit),
            spool_class=_field(
                spool_class,
                spool_class and _spool_class(spool_class, "class", any_class=unit == "READER"),
            ),
        )

    def link_statement(self, userid, target_cuu, cuu, mode):
        return self._statement(
            "LINK",
            userid=_field(userid, _name(userid, "userid")),
            target_cuu=_field(target_cuu, int(target_cuu, 16)),
            cuu=_field(cuu, cuu and int(cuu, 16)),
            mode=_field(mode, mode and str(mode)),
        )

    def minidisk(self, cuu, device_type, start, count, volser, mode, read_pw, write_pw, multi_pw):
        return self._statement(
            "MDISK",
            cuu=_field(cuu, int(cuu, 16)),
            device_type=_field(device_type, _device_type(device_type, DASD_TYPES, "device type")),
            start=_field(start, int(start)),
            count=_field(count, int(count)),
            volser=_field(volser, _name(volser, "volume serial", _VOLSER, 6)),
            mode=_field(mode, mode and str(mode)),
            read_password=_field(read_pw, read_pw and _password(read_pw, "the read password")),
            write_password=_field(write_pw, write_pw and _password(write_pw, "the write password")),
            multi_password=_field(
                multi_pw, multi_pw and _password(multi_pw, "the multiple-write password")
            ),
        )

    def temporary_disk(self, cuu, device_type, _tdisk, count):
        return self._statement(
            "T-DISK",
            cuu=_field(cuu, int(cuu, 16)),
            device_type=_field(device_type, _device_type(device_type, DASD_TYPES, "device type")),
            count=_field(count, int(count)),
        )

    def dedicate_statement(self, cuu, real_address):
        return self._statement(
            "DEDICATE",
            cuu=_field(cuu, int(cuu, 16)),
            real_address=_field(real_address, int(real_address, 16)),
        )


def _statement_name(word: str) -> str | None:
    """The statement a first word names, abbreviations resolved as DMKDIR does, or None."""
    for name, shortest in _STATEMENT_NAMES:
        if shortest <= len(word) <= len(name) and name.startswith(word):
            return name
    return None


def _read_statement(number: int, text: str) -> _Statement:
    """One upper-cased statement line -> ``_Statement``; raises ``FieldError``."""
    first = text.split()[0]
    keyword_column = text.index(first) + 1
    name = _statement_name(first)
    if name is None:
        raise FieldError(
            f"unknown statement {first!r} (expected DIRECTORY, USER, ACCOUNT, OPTION, IPL, "
            "CONSOLE, SPOOL, LINK, MDISK or DEDICATE)",
            keyword_column,
        )
    if name == "SPECIAL":
        raise FieldError(
            "SPECIAL devices (2701-2703 lines, 3270 display stations, CTCA, TIMER) "
            "are not supported by this CP",
            keyword_column,
        )
    # The line with its statement name in full; columns after it are shifted back below.
    end = keyword_column - 1 + len(first)
    shift = len(name) - len(first)
    canonical = text[: keyword_column - 1] + name + text[end:]
    try:
        tree = parse_statement(
            _GRAMMAR,
            f"{name.lower()}_statement",
            canonical,
            _SYNTAX[name],
            _MISTAKES.get(name),
        )
        statement = _ToStatement(number).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, FieldError):
            raise _shifted(error.orig_exc, end, shift) from None
        raise
    except FieldError as error:
        raise _shifted(error, end, shift) from None
    statement.fields = {
        key: (value, column - shift if column > end + shift else column)
        for key, (value, column) in statement.fields.items()
    }
    statement.keyword_column = keyword_column
    return statement


def _shifted(error: FieldError, end: int, shift: int) -> FieldError:
    if error.column > end + shift:
        return FieldError(error.message, error.column - shift)
    return error


def parse_directory(
    text: str, filename: str = "<directory>", system: SystemConfig | None = None
) -> Directory:
    """Parse and check a directory; raise ``DirectoryError`` listing every problem."""
    diagnostics: list[Diagnostic] = []
    statements: list[_Statement] = []
    for number, line, _ in statement_lines(text, filename, diagnostics):
        try:
            statements.append(_read_statement(number, line))
        except FieldError as error:
            diagnostics.append(Diagnostic(filename, number, error.column, error.message))
        except LarkError:
            diagnostics.append(Diagnostic(filename, number, 1, "the statement cannot be read"))
    builder = _Builder(filename, system, diagnostics)
    directory = builder.build(statements)
    if diagnostics:
        raise DirectoryError(diagnostics)
    return directory


def load_directory(path: str | Path, system: SystemConfig | None = None) -> Directory:
    """Read, parse and check the directory file ``path``."""
    try:
        text = read_text(path)
    except ConfigFileError as error:
        raise DirectoryError(error.diagnostics) from None
    return parse_directory(text, str(path), system)


_MACHINE_STATEMENTS = ("ACCOUNT", "OPTION", "IPL")


class _Builder:
    """Statements -> ``Directory``, with the checks that span lines and users."""

    def __init__(self, filename: str, system: SystemConfig | None, diagnostics: list[Diagnostic]):
        self.filename = filename
        self.system = system
        self.diagnostics = diagnostics
        self.volume: DirectoryVolume | None = None
        self.users: dict[str, UserEntry] = {}
        self.user_lines: dict[str, int] = {}
        self.addresses: dict[int, tuple[str, int]] = {}
        self.devices_started = False
        self.statement_lines: dict[str, int] = {}
        self.link_statements: list[tuple[UserEntry, LinkSpec, _Statement]] = []
        self.disk_statements: list[tuple[str, int, _Statement]] = []
        self.volume_types: dict[str, tuple[str, int]] = {}

    def error(self, statement: _Statement, key: str | None, message: str) -> None:
        column = statement.column(key)
        self.diagnostics.append(Diagnostic(self.filename, statement.line, column, message))

    def build(self, statements: list[_Statement]) -> Directory:
        current: UserEntry | None = None
        if statements and statements[0].name != "DIRECTORY":
            self.error(statements[0], None, "the DIRECTORY statement must come first")
        if not statements:
            self.diagnostics.append(
                Diagnostic(self.filename, 0, 0, "no statements: the DIRECTORY statement is missing")
            )
        for index, statement in enumerate(statements):
            if statement.name == "DIRECTORY":
                self.directory_statement(statement, first=index == 0)
            elif statement.name == "USER":
                current = self.user_statement(statement)
            elif current is None:
                self.error(statement, None, f"{statement.name} must follow a USER statement")
            else:
                getattr(self, f"_{statement.name.lower().replace('-', '_')}")(current, statement)
        self.check_links()
        self.check_extents()
        return Directory(self.filename, self.volume, self.users)

    def directory_statement(self, statement: _Statement, first: bool) -> None:
        if self.volume is not None:
            self.error(
                statement,
                None,
                f"a second DIRECTORY statement (the first is line {self.volume.line})",
            )
            return
        if not first:
            self.error(statement, None, "the DIRECTORY statement must come before all others")
        self.volume = DirectoryVolume(
            statement.value("cuu"),
            statement.value("device_type"),
            statement.value("volser"),
            statement.line,
        )
        if self.system is not None:
            pack = self.system.packs.get(self.volume.volser)
            if pack is None:
                self.error(statement, "volser", self._unknown_volume(self.volume.volser))
            elif pack.device_type != self.volume.device_type:
                self.error(
                    statement,
                    "device_type",
                    f"{pack.volser} is a {pack.device_type} in the real configuration",
                )
            elif pack.address != self.volume.cuu:
                self.error(
                    statement,
                    "cuu",
                    f"{pack.volser} is at real address {pack.address:03X} "
                    "in the real configuration",
                )

    def _unknown_volume(self, volser: str) -> str:
        known = ", ".join(sorted(self.system.packs)) or "none"
        return f"volume {volser} is not a pack of the real configuration (packs: {known})"

    def user_statement(self, statement: _Statement) -> UserEntry | None:
        userid = statement.value("userid")
        storage = statement.value("storage", DEFAULT_STORAGE)
        max_storage = statement.value("max_storage", DEFAULT_MAX_STORAGE)
        if storage > max_storage:
            self.error(
                statement,
                "storage",
                f"storage {storage // 1024}K is more than the maximum {max_storage // 1024}K",
            )
        user = UserEntry(
            userid=userid,
            storage=storage,
            max_storage=max_storage,
            classes=statement.value("classes", DEFAULT_CLASSES),
            priority=statement.value("priority", DEFAULT_PRIORITY),
            account=userid,
            line=statement.line,
            _password=statement.value("password"),
        )
        self.addresses = {}
        self.devices_started = False
        self.statement_lines = {}
        if userid in self.users:
            self.error(
                statement,
                "userid",
                f"user {userid} is already defined at line {self.users[userid].line}",
            )
            # The rest of the entry is still checked, against a user that is not kept.
            return user
        self.users[userid] = user
        return user

    def _machine_statement(self, user: UserEntry, statement: _Statement) -> bool:
        """ACCOUNT, OPTION and IPL come before the first device (DMKDIR's sequence rule)."""
        if self.devices_started:
            self.error(
                statement,
                None,
                f"{statement.name} must come before the first device statement of user "
                f"{user.userid}",
            )
            return False
        if statement.name != "OPTION" and statement.name in self.statement_lines:
            self.error(
                statement,
                None,
                f"a second {statement.name} statement for user {user.userid} "
                f"(the first is line {self.statement_lines[statement.name]})",
            )
            return False
        self.statement_lines[statement.name] = statement.line
        return True

    def _account(self, user: UserEntry, statement: _Statement) -> None:
        if self._machine_statement(user, statement):
            user.account = statement.value("number")
            user.distribution = statement.value("distribution")

    def _option(self, user: UserEntry, statement: _Statement) -> None:
        if self._machine_statement(user, statement):
            for option, (value, _) in statement.fields.items():
                user.options.add(option)
                if option == "CPUID":
                    user.cpuid = value
                elif option == "AFFINITY":
                    user.affinity = value

    def _ipl(self, user: UserEntry, statement: _Statement) -> None:
        if self._machine_statement(user, statement):
            user.ipl = statement.value("name")

    def _device_address(self, user: UserEntry, statement: _Statement, key: str = "cuu") -> bool:
        """Claim a virtual address for this user; False (and an error) if it is taken."""
        self.devices_started = True
        cuu = statement.value(key)
        if cuu in self.addresses:
            what, line = self.addresses[cuu]
            self.error(
                statement,
                key,
                f"virtual address {cuu:03X} of user {user.userid} is already the {what} "
                f"at line {line}",
            )
            return False
        self.addresses[cuu] = (statement.name, statement.line)
        return True

    def _console(self, user: UserEntry, statement: _Statement) -> None:
        if not self._device_address(user, statement):
            return
        if user.console is not None:
            self.error(
                statement,
                None,
                f"user {user.userid} already has a console (line {user.console.line})",
            )
            return
        user.console = VirtualDeviceSpec(
            statement.value("cuu"),
            statement.value("device_type"),
            "CONSOLE",
            statement.value("spool_class", "T"),
            statement.line,
        )

    def _spool(self, user: UserEntry, statement: _Statement) -> None:
        if self._device_address(user, statement):
            user.spool.append(
                VirtualDeviceSpec(
                    statement.value("cuu"),
                    statement.value("device_type"),
                    statement.value("unit"),
                    statement.value("spool_class", "A"),
                    statement.line,
                )
            )

    def _link(self, user: UserEntry, statement: _Statement) -> None:
        target_cuu = statement.value("target_cuu")
        if statement.value("cuu") is None:
            statement.fields["cuu"] = (target_cuu, statement.column("target_cuu"))
        if self._device_address(user, statement):
            link = LinkSpec(
                statement.value("userid"),
                target_cuu,
                statement.value("cuu"),
                statement.value("mode", "R"),
                statement.line,
            )
            user.links.append(link)
            self.link_statements.append((user, link, statement))

    def _mdisk(self, user: UserEntry, statement: _Statement) -> None:
        if not self._device_address(user, statement):
            return
        device_type = statement.value("device_type")
        start, count = statement.value("start"), statement.value("count")
        volser = statement.value("volser")
        geometry = GEOMETRIES[device_type]
        extent_ok = True
        if count < 1:
            self.error(statement, "count", "a minidisk has at least 1 cylinder")
            extent_ok = False
        elif start + count > geometry.cylinders:
            # IBM 2314 (GA26-3599) and 2311 (GA26-5988) component descriptions: 200 primary
            # cylinders, 0-199; the 3 alternate cylinders stand in for defective tracks and
            # are never allocated.
            self.error(
                statement,
                "count",
                f"cylinders {start}-{start + count - 1} run past the end of a {device_type} "
                f"(cylinders 0-{geometry.cylinders - 1}; alternate cylinders are not allocated)",
            )
            extent_ok = False
        known_type = self.volume_types.setdefault(volser, (device_type, statement.line))
        if known_type[0] != device_type:
            self.error(
                statement,
                "device_type",
                f"volume {volser} is a {known_type[0]} at line {known_type[1]}, "
                f"not a {device_type}",
            )
            extent_ok = False
        if self.system is not None and extent_ok:
            extent_ok = self._check_against_pack(statement, device_type, volser, start, count)
        disk = MinidiskSpec(
            statement.value("cuu"),
            device_type,
            start,
            count,
            volser,
            statement.value("mode", "W"),
            statement.value("read_password"),
            statement.value("write_password"),
            statement.value("multi_password"),
            statement.line,
        )
        user.minidisks[disk.cuu] = disk
        if extent_ok:
            self.disk_statements.append((user.userid, disk.cuu, statement))

    def _check_against_pack(self, statement, device_type, volser, start, count) -> bool:
        pack = self.system.packs.get(volser)
        if pack is None:
            self.error(statement, "volser", self._unknown_volume(volser))
            return False
        if pack.device_type != device_type:
            self.error(
                statement,
                "device_type",
                f"volume {volser} is a {pack.device_type} in the real configuration",
            )
            return False
        end = start + count - 1
        for area in pack.areas:
            if area.kind != "PERM" and start <= area.end and area.start <= end:
                self.error(
                    statement,
                    "start",
                    f"cylinders {start}-{end} of {volser} overlap CP's {area.kind} area "
                    f"(cylinders {area.start}-{area.end}, real configuration line {area.line})",
                )
                return False
        return True

    def _t_disk(self, user: UserEntry, statement: _Statement) -> None:
        if not self._device_address(user, statement):
            return
        device_type, count = statement.value("device_type"), statement.value("count")
        if not 1 <= count <= GEOMETRIES[device_type].cylinders:
            self.error(
                statement,
                "count",
                f"a {device_type} temporary disk has 1 to {GEOMETRIES[device_type].cylinders} "
                "cylinders",
            )
            return
        user.temporary_disks[statement.value("cuu")] = TemporaryDiskSpec(
            statement.value("cuu"), device_type, count, statement.line
        )

    def _dedicate(self, user: UserEntry, statement: _Statement) -> None:
        if not self._device_address(user, statement):
            return
        real_address = statement.value("real_address")
        if self.system is not None:
            owner = self.system.device_at(real_address)
            if owner is not None:
                self.error(
                    statement,
                    "real_address",
                    f"real device {real_address:03X} is {owner}, which CP uses itself",
                )
                return
        user.dedicates.append(DedicateSpec(statement.value("cuu"), real_address, statement.line))

    def check_links(self) -> None:
        for _, link, statement in self.link_statements:
            target = self.users.get(link.userid)
            if target is None:
                self.error(
                    statement, "userid", f"LINK to user {link.userid}, who is not in the directory"
                )
            elif link.target_cuu not in target.minidisks:
                self.error(
                    statement,
                    "target_cuu",
                    f"LINK to {link.userid} {link.target_cuu:03X}: user {link.userid} has no "
                    f"minidisk {link.target_cuu:03X}",
                )

    def check_extents(self) -> None:
        """Minidisks on one volume must not share a cylinder, whoever owns them."""
        by_volume: dict[str, list[tuple[int, int, str, int, _Statement]]] = {}
        for userid, cuu, statement in self.disk_statements:
            start = statement.value("start")
            end = start + statement.value("count") - 1
            by_volume.setdefault(statement.value("volser"), []).append(
                (start, end, userid, cuu, statement)
            )
        for volser, extents in by_volume.items():
            extents.sort(key=lambda extent: (extent[0], extent[4].line))
            reach: tuple[int, int, str, int, _Statement] | None = None
            for extent in extents:
                start, end, userid, cuu, statement = extent
                if reach is not None and start <= reach[1]:
                    other = reach
                    self.error(
                        statement,
                        "start",
                        f"cylinders {start}-{end} of {volser} ({userid} {cuu:03X}) overlap "
                        f"cylinders {other[0]}-{other[1]} ({other[2]} {other[3]:03X}, "
                        f"line {other[4].line})",
                    )
                if reach is None or end > reach[1]:
                    reach = extent

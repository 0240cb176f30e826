"""The system's real configuration (``system.conf``): the real machine CP runs on.

One statement a line, ``*`` comments, names in any case (file names keep theirs)::

    STORAGE 2M                              real storage, 64K to 16M, a multiple of 4K
    PACK volser devtype address image       a 2311 or 2314 pack and its image file
    AREA volser kind start count            CP's cylinders on a pack: PAGE, SPOOL, TDSK, PERM
    DISPLAY first[-last] 3277 [MODEL n]     3277 displays (model 2-5, default 2)
    READER address 2540 file                the real card reader and the deck it reads
    PUNCH address 2540 file                 the real card punch and where its cards go
    PRINTER address 1403 file               the real printer and where its lines go

Image and unit-record files are relative to the data folder and stay inside it.
An AREA is VM/370's allocation of a CP-owned volume (DMKFMT): PAGE holds
paging slots, SPOOL spool files, TDSK temporary disks, PERM minidisks. VM/370
Release 6 kept paging and spooling together in TEMP areas; here they are
separate so that each has a known size. Minidisks may lie anywhere outside
PAGE, SPOOL and TDSK areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePath

from lark import Lark, Transformer, v_args
from lark.exceptions import VisitError

from vm370.cp.configfile import (
    ConfigFileError,
    Diagnostic,
    FieldError,
    StatementSyntax,
    parse_statement,
    read_text,
    statement_lines,
)
from vm370.hardware.devices.ckd_image import GEOMETRIES
from vm370.hardware.display3270 import MODELS


class SystemConfigError(ConfigFileError):
    """A real configuration with problems; ``str()`` is one ``FILE:LINE:COL: message`` a line."""


AREA_KINDS = ("PAGE", "SPOOL", "TDSK", "PERM")
MIN_REAL_STORAGE, MAX_REAL_STORAGE = 64 * 1024, 16 * 1024 * 1024
PAGE_SIZE = 4096
# Channels 0-6, as the machine's device addresses are.
MAX_REAL_ADDRESS = 0x6FF
DEFAULT_DISPLAY_MODEL = 2

_UNIT_RECORD_TYPES = {"READER": "2540", "PUNCH": "2540", "PRINTER": "1403"}

_SYNTAX = {
    "STORAGE": StatementSyntax("STORAGE size", ("the real storage size (as 2M or 512K)",)),
    "PACK": StatementSyntax(
        "PACK volser devtype address image",
        (
            "the volume serial",
            "the device type (2311 or 2314)",
            "the real device address (1-3 hex digits)",
            "the image file",
        ),
    ),
    "AREA": StatementSyntax(
        "AREA volser PAGE|SPOOL|TDSK|PERM start count",
        (
            "the volume serial",
            "the kind of area (PAGE, SPOOL, TDSK or PERM)",
            "the first cylinder (a decimal number)",
            "the number of cylinders (a decimal number)",
        ),
    ),
    "DISPLAY": StatementSyntax(
        "DISPLAY address[-address] 3277 [MODEL n]",
        (
            "a real device address or range (as 0C0 or 0C0-0C3)",
            "the device type (3277)",
            "MODEL",
            "the model number (2-5)",
        ),
    ),
    "TERMINAL": StatementSyntax(
        "TERMINAL address[-address] 2741",
        (
            "a real device address or range (as 020 or 020-023)",
            "the device type (2741)",
        ),
    ),
}
for _unit, _type in _UNIT_RECORD_TYPES.items():
    _SYNTAX[_unit] = StatementSyntax(
        f"{_unit} address {_type} file",
        ("the real device address (1-3 hex digits)", f"the device type ({_type})", "the file"),
    )

_GRAMMAR = Lark.open(
    "sysconfig.lark",
    rel_to=__file__,
    parser="lalr",
    lexer="contextual",
    start=[f"{name.lower()}_statement" for name in _SYNTAX],
    maybe_placeholders=True,
)


@dataclass(frozen=True)
class Area:
    """Cylinders ``start``..``end`` of a pack that CP keeps for one purpose."""

    kind: str  # "PAGE", "SPOOL", "TDSK" or "PERM"
    start: int
    count: int
    line: int = 0

    @property
    def end(self) -> int:
        return self.start + self.count - 1


@dataclass
class PackSpec:
    """A real 2311 or 2314 pack: its volume serial, address, image file and CP's areas on it."""

    volser: str
    device_type: str
    image: Path  # relative to the data folder
    address: int
    areas: list[Area] = field(default_factory=list)
    line: int = 0

    @property
    def cylinders(self) -> int:
        """The primary cylinders of the device type (alternate cylinders are not allocated)."""
        return GEOMETRIES[self.device_type].cylinders


@dataclass(frozen=True)
class DisplaySpec:
    """A real 3277 display station."""

    address: int
    model: int
    line: int = 0


@dataclass(frozen=True)
class LineTerminalSpec:
    """A real 2741 typewriter terminal line (reached by telnet clients)."""

    address: int
    line: int = 0


@dataclass(frozen=True)
class UnitRecordSpec:
    """The real reader, punch or printer and the host file it reads or writes."""

    address: int
    device_type: str
    file: Path  # relative to the data folder
    line: int = 0


@dataclass
class SystemConfig:
    """A parsed, checked real configuration."""

    filename: str
    storage_size: int
    packs: dict[str, PackSpec]
    displays: list[DisplaySpec]
    reader: UnitRecordSpec | None = None
    punch: UnitRecordSpec | None = None
    printer: UnitRecordSpec | None = None
    terminals: list[LineTerminalSpec] = field(default_factory=list)

    def areas(self, kind: str) -> list[tuple[PackSpec, Area]]:
        """Every area of ``kind`` with its pack, in the order of the file."""
        found = [(pack, area) for pack in self.packs.values() for area in pack.areas]
        return sorted(
            ((pack, area) for pack, area in found if area.kind == kind),
            key=lambda item: item[1].line,
        )

    def pack_at(self, address: int) -> PackSpec | None:
        """The pack at real ``address``, or None."""
        return next((pack for pack in self.packs.values() if pack.address == address), None)

    def device_at(self, address: int) -> str | None:
        """What the configuration has at real ``address`` (as "pack VMSRES"), or None."""
        pack = self.pack_at(address)
        if pack is not None:
            return f"the pack {pack.volser}"
        for display in self.displays:
            if display.address == address:
                return "a 3277 display"
        for terminal in self.terminals:
            if terminal.address == address:
                return "a 2741 terminal line"
        for unit in ("reader", "punch", "printer"):
            spec = getattr(self, unit)
            if spec is not None and spec.address == address:
                return f"the real {unit}"
        return None


def _relative_file(token, original: str, what: str) -> Path:
    """The file named at ``token``'s place in the original (case-kept) line, checked."""
    text = original[token.column - 1 : token.column - 1 + len(token)]
    path = PurePath(text)
    if path.is_absolute() or text.startswith(("/", "\\")) or ".." in path.parts:
        raise FieldError(
            f"{what} {text!r} must be a path inside the data folder (relative, without ..)",
            token.column,
        )
    return Path(text)


def _address(text: str, column: int) -> int:
    address = int(text, 16)
    if address > MAX_REAL_ADDRESS:
        raise FieldError(
            f"real device address {text} is not 000-{MAX_REAL_ADDRESS:03X} (channels 0-6)",
            column,
        )
    return address


def _device_type(token, allowed: tuple[str, ...]) -> str:
    if token not in allowed:
        raise FieldError(
            f"device type {token} is not one this machine has here (expected {', '.join(allowed)})",
            token.column,
        )
    return str(token)


@dataclass
class _Statement:
    name: str
    line: int
    values: dict
    columns: dict


@v_args(inline=True)
class _ToStatement(Transformer):
    """A statement line's tree -> ``_Statement`` with every field checked and converted."""

    def __init__(self, line: int, original: str):
        super().__init__()
        self.line = line
        self.original = original

    def _statement(self, statement_name: str, **fields) -> _Statement:
        present = {key: item for key, item in fields.items() if item is not None}
        return _Statement(
            statement_name,
            self.line,
            {key: value for key, (value, _) in present.items()},
            {key: column for key, (_, column) in present.items()},
        )

    def storage_statement(self, size):
        number, unit = int(size[:-1]), size[-1]
        value = number * (1024 if unit == "K" else 1024 * 1024)
        if value % PAGE_SIZE or not MIN_REAL_STORAGE <= value <= MAX_REAL_STORAGE:
            raise FieldError(
                f"real storage {size} must be a multiple of 4K from 64K to 16M", size.column
            )
        return self._statement("STORAGE", size=(value, size.column))

    def pack_statement(self, volser, device_type, address, image):
        if not (1 <= len(volser) <= 6 and all(c.isalnum() or c in "@#$" for c in volser)):
            raise FieldError(
                f"volume serial {str(volser)!r} must be 1 to 6 letters, digits, @, # or $",
                volser.column,
            )
        return self._statement(
            "PACK",
            volser=(str(volser), volser.column),
            device_type=(_device_type(device_type, tuple(sorted(GEOMETRIES))), device_type.column),
            address=(_address(address, address.column), address.column),
            image=(_relative_file(image, self.original, "the image file"), image.column),
        )

    def area_statement(self, volser, kind, start, count):
        if kind == "TEMP":
            raise FieldError(
                "TEMP (VM/370's paging and spooling space together) is split here: "
                "name PAGE or SPOOL",
                kind.column,
            )
        if kind not in AREA_KINDS:
            raise FieldError(
                f"area kind {str(kind)!r} is not PAGE, SPOOL, TDSK or PERM", kind.column
            )
        return self._statement(
            "AREA",
            volser=(str(volser), volser.column),
            kind=(str(kind), kind.column),
            start=(int(start), start.column),
            count=(int(count), count.column),
        )

    def display_statement(self, addresses, device_type, model):
        first_text, _, last_text = addresses.partition("-")
        first = _address(first_text, addresses.column)
        last = _address(last_text, addresses.column) if last_text else first
        if last < first:
            raise FieldError(f"address range {addresses} runs backwards", addresses.column)
        model_number = DEFAULT_DISPLAY_MODEL if model is None else int(model)
        if model_number not in MODELS:
            raise FieldError(
                f"3277 model {model} is not one of {', '.join(map(str, sorted(MODELS)))}",
                model.column,
            )
        return self._statement(
            "DISPLAY",
            addresses=((first, last), addresses.column),
            device_type=(_device_type(device_type, ("3277",)), device_type.column),
            model=(model_number, model.column if model is not None else device_type.column),
        )

    def terminal_statement(self, addresses, device_type):
        first_text, _, last_text = addresses.partition("-")
        first = _address(first_text, addresses.column)
        last = _address(last_text, addresses.column) if last_text else first
        if last < first:
            raise FieldError(f"address range {addresses} runs backwards", addresses.column)
        return self._statement(
            "TERMINAL",
            addresses=((first, last), addresses.column),
            device_type=(_device_type(device_type, ("2741",)), device_type.column),
        )

    def _unit_record(self, name, address, device_type, file):
        return self._statement(
            name,
            address=(_address(address, address.column), address.column),
            device_type=(
                _device_type(device_type, (_UNIT_RECORD_TYPES[name],)),
                device_type.column,
            ),
            file=(_relative_file(file, self.original, f"the {name.lower()}'s file"), file.column),
        )

    def reader_statement(self, address, device_type, file):
        return self._unit_record("READER", address, device_type, file)

    def punch_statement(self, address, device_type, file):
        return self._unit_record("PUNCH", address, device_type, file)

    def printer_statement(self, address, device_type, file):
        return self._unit_record("PRINTER", address, device_type, file)


def _read_statement(number: int, text: str, original: str) -> _Statement:
    first = text.split()[0]
    column = text.index(first) + 1
    if first not in _SYNTAX:
        raise FieldError(f"unknown statement {first!r} (expected {', '.join(_SYNTAX)})", column)
    try:
        tree = parse_statement(_GRAMMAR, f"{first.lower()}_statement", text, _SYNTAX[first])
        return _ToStatement(number, original).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, FieldError):
            raise error.orig_exc from None
        raise


def parse_system(text: str, filename: str = "<system>") -> SystemConfig:
    """Parse and check a real configuration; raise ``SystemConfigError`` listing every problem."""
    diagnostics: list[Diagnostic] = []
    statements: list[_Statement] = []
    unreadable: set[str] = set()
    for number, line, original in statement_lines(text, filename, diagnostics):
        try:
            statements.append(_read_statement(number, line, original))
        except FieldError as error:
            diagnostics.append(Diagnostic(filename, number, error.column, error.message))
            unreadable.add(line.split()[0])
    config = _build(statements, filename, diagnostics, unreadable)
    if diagnostics:
        raise SystemConfigError(diagnostics)
    return config


def load_system(path: str | Path) -> SystemConfig:
    """Read, parse and check the real configuration file ``path``."""
    try:
        text = read_text(path)
    except ConfigFileError as error:
        raise SystemConfigError(error.diagnostics) from None
    return parse_system(text, str(path))


def _build(
    statements: list[_Statement],
    filename: str,
    diagnostics: list[Diagnostic],
    unreadable: set[str],
):
    """The configuration from its statements; ``unreadable`` names statements already in error
    (so that a bad STORAGE line is not also reported as a missing one)."""

    def error(statement: _Statement, key: str | None, message: str) -> None:
        column = statement.columns.get(key, 1) if key else 1
        diagnostics.append(Diagnostic(filename, statement.line, column, message))

    storage: _Statement | None = None
    packs: dict[str, PackSpec] = {}
    displays: list[DisplaySpec] = []
    terminals: list[LineTerminalSpec] = []
    units: dict[str, UnitRecordSpec] = {}
    addresses: dict[int, int] = {}
    areas: list[_Statement] = []

    def claim(statement: _Statement, address: int, key: str) -> bool:
        if address in addresses:
            error(
                statement,
                key,
                f"real address {address:03X} is already used at line {addresses[address]}",
            )
            return False
        addresses[address] = statement.line
        return True

    for statement in statements:
        values = statement.values
        if statement.name == "STORAGE":
            if storage is not None:
                error(
                    statement,
                    None,
                    f"a second STORAGE statement (the first is line {storage.line})",
                )
            else:
                storage = statement
        elif statement.name == "PACK":
            if values["volser"] in packs:
                error(
                    statement,
                    "volser",
                    f"pack {values['volser']} is already defined at line "
                    f"{packs[values['volser']].line}",
                )
            elif claim(statement, values["address"], "address"):
                packs[values["volser"]] = PackSpec(
                    values["volser"],
                    values["device_type"],
                    values["image"],
                    values["address"],
                    line=statement.line,
                )
        elif statement.name == "AREA":
            areas.append(statement)
        elif statement.name == "DISPLAY":
            first, last = values["addresses"]
            for address in range(first, last + 1):
                if claim(statement, address, "addresses"):
                    displays.append(DisplaySpec(address, values["model"], statement.line))
        elif statement.name == "TERMINAL":
            first, last = values["addresses"]
            for address in range(first, last + 1):
                if claim(statement, address, "addresses"):
                    terminals.append(LineTerminalSpec(address, statement.line))
        else:
            unit = statement.name.lower()
            if unit in units:
                error(
                    statement,
                    None,
                    f"a second {statement.name} statement (the first is line {units[unit].line})",
                )
            elif claim(statement, values["address"], "address"):
                units[unit] = UnitRecordSpec(
                    values["address"], values["device_type"], values["file"], statement.line
                )
    for statement in areas:
        _add_area(statement, packs, error)
    if storage is None and "STORAGE" not in unreadable:
        diagnostics.append(
            Diagnostic(filename, 0, 0, "no STORAGE statement: the real storage size is missing")
        )
    for kind, purpose in (("PAGE", "paging"), ("SPOOL", "spool files")):
        if "AREA" in unreadable or "PACK" in unreadable:
            break
        if not any(area.kind == kind for pack in packs.values() for area in pack.areas):
            diagnostics.append(
                Diagnostic(
                    filename, 0, 0, f"no {kind} area: CP needs space for {purpose} on some pack"
                )
            )
    return SystemConfig(
        filename,
        storage.values["size"] if storage is not None else 0,
        packs,
        displays,
        units.get("reader"),
        units.get("punch"),
        units.get("printer"),
        terminals,
    )


def _add_area(statement: _Statement, packs: dict[str, PackSpec], error) -> None:
    values = statement.values
    pack = packs.get(values["volser"])
    if pack is None:
        known = ", ".join(sorted(packs)) or "none"
        error(
            statement, "volser", f"AREA on {values['volser']}, which no PACK names (packs: {known})"
        )
        return
    area = Area(values["kind"], values["start"], values["count"], statement.line)
    if area.count < 1:
        error(statement, "count", "an area has at least 1 cylinder")
        return
    if area.end >= pack.cylinders:
        # 2311 and 2314: 200 primary cylinders (component descriptions GA26-5988, GA26-3599);
        # the 3 alternates replace defective tracks and are never allocated.
        error(
            statement,
            "count",
            f"cylinders {area.start}-{area.end} run past the end of a {pack.device_type} "
            f"(cylinders 0-{pack.cylinders - 1}; alternate cylinders are not allocated)",
        )
        return
    for other in pack.areas:
        if area.start <= other.end and other.start <= area.end:
            error(
                statement,
                "start",
                f"cylinders {area.start}-{area.end} of {pack.volser} overlap the {other.kind} "
                f"area at line {other.line} (cylinders {other.start}-{other.end})",
            )
            return
    pack.areas.append(area)

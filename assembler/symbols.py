"""Control sections, external symbols and the symbol table.

Every relocatable value names the section it moves with by a key: the ESD
ID for control sections, common sections and external references (what the
loader relocates), a negative number for dummy sections (which have no ESD
item and are only ever addressed through USING).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assembler.expressions import Value


@dataclass(slots=True)
class Section:
    """A control section (SD), private code (PC), common (CM) or dummy section."""

    name: str  # blank for private code and blank COM
    kind: str  # "SD", "PC", "CM" or "DSECT"
    key: int  # ESD ID, or a negative number for a DSECT
    origin: int
    location: int
    high: int

    @property
    def in_esd(self) -> bool:
        return self.kind != "DSECT"

    @property
    def length(self) -> int:
        return self.high - self.origin

    def advance_to(self, location: int) -> None:
        self.location = location
        if location > self.high:
            self.high = location


@dataclass(slots=True)
class ExternalSymbol:
    """An EXTRN (ER), WXTRN (WX) or V-constant reference, or an external dummy section
    (PR: a DXD, or a DSECT named in a Q-type constant), with its ESD ID."""

    name: str
    kind: str  # "ER", "WX" or "PR"
    key: int
    length: int = 0  # PR: bytes of the external dummy section
    alignment: int = 1  # PR: its boundary (1, 2, 4 or 8)


@dataclass(slots=True)
class Symbol:
    name: str
    value: Value
    length: int
    type_attribute: str  # the T' attribute: I instruction, F/C/... constant type, U unknown
    statement: int  # where it is defined
    references: list[int] = field(default_factory=list)


@dataclass(slots=True)
class EntryPoint:
    """A symbol named on ENTRY: an LD item."""

    name: str
    statement: int
    column: int


class SymbolTable:
    """Symbols, sections and external symbols of one assembly."""

    def __init__(self) -> None:
        self.symbols: dict[str, Symbol] = {}
        self.sections: list[Section] = []
        self.sections_by_key: dict[int, Section] = {}
        self.externals: dict[str, ExternalSymbol] = {}
        self.externals_by_key: dict[int, ExternalSymbol] = {}
        self.entries: list[EntryPoint] = []
        self._next_esdid = 1
        self._next_dsect_key = -1

    def new_section(self, name: str, kind: str, origin: int, key: int | None = None) -> Section:
        """A new section; ``key`` reuses the ESD ID of an external symbol it replaces."""
        if kind == "DSECT":
            key = self._next_dsect_key
            self._next_dsect_key -= 1
        elif key is None:
            key = self._take_esdid()
        section = Section(name, kind, key, origin, origin, origin)
        self.sections.append(section)
        self.sections_by_key[key] = section
        return section

    def new_external(
        self, name: str, kind: str, length: int = 0, alignment: int = 1
    ) -> ExternalSymbol:
        external = ExternalSymbol(name, kind, self._take_esdid(), length, alignment)
        self.externals[name] = external
        self.externals_by_key[external.key] = external
        return external

    def drop_external(self, name: str) -> int:
        """Forget an external symbol; its ESD ID is returned for reuse."""
        external = self.externals.pop(name)
        del self.externals_by_key[external.key]
        return external.key

    def _take_esdid(self) -> int:
        esdid = self._next_esdid
        self._next_esdid += 1
        return esdid

    def section_named(self, name: str, kinds: tuple[str, ...]) -> Section | None:
        for section in self.sections:
            if section.name == name and section.kind in kinds:
                return section
        return None

    def entry_points(self) -> list[tuple[str, int, Section]]:
        """(name, address, section) of each ENTRY symbol that is an address in a control
        section: the LD items of the ESD. ENTRY checks report the others."""
        found = []
        seen = set()
        for entry in self.entries:
            symbol = self.symbols.get(entry.name)
            key = symbol.value.simple_section if symbol else None
            section = self.sections_by_key.get(key) if key is not None else None
            if section is None or section.kind not in ("SD", "PC") or entry.name in seen:
                continue
            seen.add(entry.name)
            found.append((entry.name, symbol.value.offset, section))
        return found

    def describe_key(self, key: int) -> str:
        """A section's or external symbol's name for messages."""
        if key in self.sections_by_key:
            section = self.sections_by_key[key]
            return section.name or "(private code)"
        if key in self.externals_by_key:
            return self.externals_by_key[key].name
        return f"section {key}"

"""The assembler listing, laid out after Assembler F (GC28-6514, "The Listing").

Pages begin with a form feed, the TITLE text and the page number, then the
column heading of the part being printed: the external symbol dictionary,
the source and object code, the relocation dictionary, the cross-reference
and the diagnostics. In the source part each statement shows its location,
up to six bytes of object code, the implied addresses of its storage
operands (ADDR1 ADDR2), its statement number and the card as written; a
literal pool is printed where LTORG or END placed it.
"""

from __future__ import annotations

from assembler.assembly import Assembly
from assembler.nodes import Number, Operand, SymbolRef
from assembler.statements import Statement

LINES_PER_PAGE = 60
SOURCE_HEADING = "  LOC  OBJECT CODE  ADDR1 ADDR2  STMT  SOURCE STATEMENT"
ESD_HEADING = "SYMBOL    TYPE  ID   ADDR   LENGTH LD ID"
RLD_HEADING = "POS.ID  REL.ID  FLAGS  ADDRESS"
XREF_HEADING = "SYMBOL    LEN   VALUE    DEFN  REFERENCES"
OBJECT_BYTES_PER_LINE = 6
_NO_LOCATION = frozenset(
    [
        "USING",
        "DROP",
        "TITLE",
        "EJECT",
        "SPACE",
        "PRINT",
        "PUNCH",
        "REPRO",
        "END",
        "ENTRY",
        "EXTRN",
        "WXTRN",
        "DXD",
        "ICTL",
        "EQU",
    ]
)
_NOT_PRINTED = frozenset({"TITLE", "EJECT", "SPACE"})


class Pages:
    def __init__(self, deck_id: str):
        self.lines: list[str] = []
        self.deck_id = deck_id
        self.title = ""
        self.heading = ""
        self.page = 0
        self.used = LINES_PER_PAGE

    def new_page(self) -> None:
        if self.used == 3:
            # Nothing printed on this page yet: give it the new heading instead.
            del self.lines[-3:]
        else:
            self.page += 1
        self.lines.append(f"\f{self.deck_id:<8} {self.title:<64.64} PAGE {self.page:4}")
        self.lines.append("")
        self.lines.append(self.heading)
        self.used = 3

    def add(self, line: str) -> None:
        if self.used >= LINES_PER_PAGE:
            self.new_page()
        self.lines.append(line.rstrip())
        self.used += 1

    def part(self, heading: str) -> None:
        self.heading = heading
        self.used = LINES_PER_PAGE
        self.new_page()


def _hex(value: int | None, width: int) -> str:
    if value is None:
        return ""
    return f"{value & ((1 << (4 * width)) - 1):0{width}X}"


def _statement_lines(statement: Statement, pages: Pages, print_data: bool) -> None:
    source = statement.source
    shows_location = statement.kind == "machine" or (
        statement.kind == "directive" and statement.operation not in _NO_LOCATION
    )
    location = _hex(statement.location, 6) if shows_location else ""
    code = statement.object_code
    first = code[:OBJECT_BYTES_PER_LINE].hex().upper()
    marker = "+" if source.generated else " "
    address1 = _hex(statement.address1, 5)
    address2 = _hex(statement.address2, 5)
    pages.add(
        f"{location:<6} {first:<12} {address1:<5} {address2:<5} "
        f"{statement.number:>5}{marker} {source.cards[0]}"
    )
    for card in source.cards[1:]:
        pages.add(f"{'':38} {card}")
    if print_data and len(code) > OBJECT_BYTES_PER_LINE:
        for start in range(OBJECT_BYTES_PER_LINE, len(code), OBJECT_BYTES_PER_LINE):
            chunk = code[start : start + OBJECT_BYTES_PER_LINE].hex().upper()
            pages.add(f"{_hex(statement.location + start, 6)} {chunk}")
    for entry in statement.pool:
        literal_code = entry.object_code[:OBJECT_BYTES_PER_LINE].hex().upper()
        pages.add(
            f"{_hex(entry.location, 6)} {literal_code:<12} {'':5} {'':5} "
            f"{statement.number:>5}  ={entry.text}"
        )


def _space_lines(statement: Statement) -> int:
    """SPACE n: how many blank lines (1 when n is left out)."""
    operands = statement.operands
    if operands and isinstance(operands[0], Operand) and isinstance(operands[0].expression, Number):
        return max(0, min(operands[0].expression.value, LINES_PER_PAGE))
    return 1


def _print_options(statement: Statement) -> list[str]:
    return [
        operand.expression.name
        for operand in statement.operands
        if isinstance(operand, Operand) and isinstance(operand.expression, SymbolRef)
    ]


def _source_part(assembly: Assembly, pages: Pages, messages: dict[int, list]) -> None:
    pages.part(SOURCE_HEADING)
    printing = True
    print_data = False
    print_generated = True
    for statement in assembly.statements:
        operation = statement.operation if statement.kind == "directive" else ""
        if operation == "TITLE" and statement.operands and isinstance(statement.operands[0], str):
            pages.title = statement.operands[0]
            pages.new_page()
        elif operation == "EJECT":
            pages.new_page()
        elif operation == "SPACE":
            for _ in range(_space_lines(statement)):
                pages.add("")
        elif operation == "PRINT":
            for word in _print_options(statement):
                if word in ("ON", "OFF"):
                    printing = word == "ON"
                elif word in ("DATA", "NODATA"):
                    print_data = word == "DATA"
                elif word in ("GEN", "NOGEN"):
                    print_generated = word == "GEN"
        # TITLE, EJECT and SPACE act on the listing instead of appearing in it,
        # and PRINT OFF hides what follows; a statement with a message always shows.
        listed = operation == "PRINT" or (
            printing
            and operation not in _NOT_PRINTED
            and (print_generated or not statement.source.generated)
        )
        if listed or statement.number in messages:
            _statement_lines(statement, pages, print_data)
        for diagnostic in messages.get(statement.number, ()):
            where = f", column {diagnostic.column}" if diagnostic.column else ""
            pages.add(f"{'':39}*** severity {diagnostic.severity}{where}: {diagnostic.message}")


def _esd_part(assembly: Assembly, pages: Pages) -> None:
    pages.part(ESD_HEADING)
    symbols = assembly.symbols
    rows = []
    for section in symbols.sections:
        if section.in_esd:
            rows.append(
                (
                    section.key,
                    _esd_row(
                        section.name,
                        section.kind,
                        f"{section.key:04X}",
                        f"{section.origin:06X}",
                        f"{section.length:06X}",
                    ),
                )
            )
    for external in symbols.externals.values():
        extra = ()
        if external.kind == "PR":
            extra = (f"{external.alignment - 1:06X}", f"{external.length:06X}")
        rows.append(
            (external.key, _esd_row(external.name, external.kind, f"{external.key:04X}", *extra))
        )
    rows.sort()
    for _, line in rows:
        pages.add(line)
    for name, address, section in symbols.entry_points():
        pages.add(_esd_row(name, "LD", "", f"{address:06X}", "", f"{section.key:04X}"))


def _esd_row(
    name: str, kind: str, esdid: str, address: str = "", length: str = "", ld_id: str = ""
) -> str:
    return f"{name:<8}  {kind:<4}  {esdid:<4} {address:<6} {length:<6} {ld_id}"


def _rld_part(assembly: Assembly, pages: Pages) -> None:
    pages.part(RLD_HEADING)
    for item in sorted(
        assembly.relocation_items, key=lambda item: (item.position_key, item.address)
    ):
        pages.add(
            f"  {item.position_key:04X}    {item.relocation_key:04X}    {item.flags:02X}   "
            f"{item.address:06X}"
        )


def _cross_reference_part(assembly: Assembly, pages: Pages) -> None:
    pages.part(XREF_HEADING)
    for name in sorted(assembly.symbols.symbols):
        symbol = assembly.symbols.symbols[name]
        references = " ".join(f"{number:5}" for number in sorted(set(symbol.references)))
        pages.add(
            f"{name:<8}  {symbol.length:5} {symbol.value.offset & 0xFFFFFFFF:08X} "
            f"{symbol.statement:5}  {references}"
        )


def _diagnostic_part(assembly: Assembly, pages: Pages) -> None:
    pages.part("DIAGNOSTICS")
    for diagnostic in assembly.diagnostics:
        pages.add(str(diagnostic))
    flagged = len({diagnostic.statement for diagnostic in assembly.diagnostics})
    pages.add("")
    pages.add(f"{flagged} STATEMENT{'S' if flagged != 1 else ''} FLAGGED IN THIS ASSEMBLY")
    pages.add(f"{assembly.return_code} WAS HIGHEST SEVERITY CODE")
    pages.add(f"{len(assembly.statements)} STATEMENTS")


def write_listing(assembly: Assembly) -> str:
    pages = Pages(assembly.deck_id)
    messages: dict[int, list] = {}
    for diagnostic in assembly.diagnostics:
        messages.setdefault(diagnostic.statement, []).append(diagnostic)
    pages.title = next(
        (
            statement.operands[0]
            for statement in assembly.statements
            if statement.operation == "TITLE"
            and statement.operands
            and isinstance(statement.operands[0], str)
        ),
        "",
    )
    _esd_part(assembly, pages)
    _source_part(assembly, pages, messages)
    if assembly.relocation_items:
        _rld_part(assembly, pages)
    _cross_reference_part(assembly, pages)
    _diagnostic_part(assembly, pages)
    return "\n".join(pages.lines).lstrip("\f") + "\n"

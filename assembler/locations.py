"""Pass 1: assign every statement its section and location, and define symbols.

Symbols in EQU, ORG, duplication factors and length modifiers must be
defined before they are used (GC28-6514, "Previously defined symbols"), so
one pass over the statements settles every location.
"""

from __future__ import annotations

from collections.abc import Iterator

from assembler.assembly import Assembly
from assembler.dc import first_alignment, layout
from assembler.diagnostics import CRITICAL, ERROR, SERIOUS, WARNING, AssemblyError
from assembler.expressions import (
    EvaluationContext,
    UndefinedSymbolError,
    Value,
    evaluate,
    leftmost_term,
)
from assembler.nodes import Literal, LocationCounter, Omitted, Operand, SymbolRef
from assembler.statements import LiteralEntry, Statement, valid_symbol
from assembler.symbols import EntryPoint, Section, Symbol

DOUBLEWORD = 8


def align(location: int, boundary: int) -> int:
    return (location + boundary - 1) & -boundary


def assign_locations(assembly: Assembly) -> None:
    ended = False
    for statement in assembly.statements:
        if ended:
            statement.after_end = True
            if statement.kind not in ("comment",):
                assembly.report(statement, "statement after END is ignored", -1, WARNING)
            continue
        if statement.has_error:
            if statement.kind == "machine":
                # The operands are unreadable but the length is known: keep the space,
                # so that the statements after it keep their addresses.
                statement.operands = ()
                _machine_instruction(assembly, statement)
            else:
                _place(assembly, statement)
            continue
        handler = _HANDLERS.get(statement.operation) if statement.kind == "directive" else None
        try:
            if statement.kind == "machine":
                _machine_instruction(assembly, statement)
            elif handler is not None:
                handler(assembly, statement)
            else:
                _place(assembly, statement)
        except AssemblyError as error:
            assembly.report_error(statement, error)
            statement.failed = True
        except RecursionError:
            assembly.report(statement, "expression nested too deeply to evaluate", -1, SERIOUS)
            statement.failed = True
        except Exception as error:  # noqa: BLE001 - one bad statement must not stop the rest
            assembly.report(statement, f"internal assembler error: {error!r}", -1, CRITICAL)
            statement.failed = True
        ended = statement.operation == "END" and statement.kind == "directive"
    if not ended:
        last = assembly.statements[-1] if assembly.statements else None
        if last is not None:
            assembly.report(last, "no END statement; one is assumed here", -1, WARNING)
        _pool_literals(assembly, last, final=True)
    _lay_out_sections(assembly)
    _check_entries(assembly)


def _lay_out_sections(assembly: Assembly) -> None:
    """Give each control section its assembled origin, now that its length is known.

    Sections are assembled from origin 0 (the first from START's value) and
    then placed one after another on doubleword boundaries, as Assembler F
    places them; every location and symbol value moves with its section.
    """
    shift: dict[int, int] = {}
    next_origin = None
    for section in assembly.symbols.sections:
        if section.kind not in ("SD", "PC"):
            continue
        if next_origin is None:
            next_origin = section.high
            continue
        origin = align(next_origin, DOUBLEWORD)
        if origin + section.length > LOCATION_LIMIT:
            # Left where it was assembled (overlapping the first section): the deck is
            # flagged and wrong either way, but every address in it stays 24 bits.
            _report_at_section_start(
                assembly,
                section,
                f"section {section.name or '(private code)'} does not fit after the "
                f"sections before it: they end at X'{next_origin:X}' and it is "
                f"{section.length} bytes; location counter would pass X'FFFFFF'",
            )
            continue
        delta = origin - section.origin
        if delta:
            shift[section.key] = delta
            section.origin += delta
            section.location += delta
            section.high += delta
        next_origin = section.high
    if not shift:
        return
    for symbol in assembly.symbols.symbols.values():
        value = symbol.value
        moved = sum(count * shift.get(key, 0) for key, count in value.relocations)
        if moved:
            symbol.value = Value(value.offset + moved, value.relocations)
    symbols = assembly.symbols.symbols
    for statement in assembly.statements:
        section = statement.section
        if section is not None and section.key in shift:
            statement.location += shift[section.key]
        if statement.operation == "EQU" and statement.name in symbols:
            statement.address2 = symbols[statement.name].value.offset
    for pool in assembly.literal_pools:
        for entry in pool:
            if entry.section is not None and entry.section.key in shift:
                entry.location += shift[entry.section.key]


def _report_at_section_start(assembly: Assembly, section: Section, message: str) -> None:
    first = next((s for s in assembly.statements if s.section is section), None)
    if first is not None:
        assembly.report(first, message, -1, SERIOUS)


def _place(assembly: Assembly, statement: Statement) -> None:
    """Give a statement that generates nothing the current location (for the listing)."""
    section = assembly.section
    statement.section = section
    statement.location = section.location if section else 0


def current_section(assembly: Assembly) -> Section:
    """The section statements go in; code before any CSECT starts private code."""
    if assembly.section is None:
        assembly.section = assembly.symbols.new_section("", "PC", 0)
        assembly.started = True
    return assembly.section


def _lookup_defined(assembly: Assembly, statement: Statement):
    symbols = assembly.symbols.symbols

    def lookup(name: str, column: int) -> tuple[Value, int]:
        symbol = symbols.get(name)
        if symbol is None:
            raise UndefinedSymbolError(name, column)
        if statement.number not in symbol.references and symbol.statement != statement.number:
            symbol.references.append(statement.number)
        return symbol.value, symbol.length

    return lookup


def context_for(assembly: Assembly, statement: Statement) -> EvaluationContext:
    section = assembly.section
    location = Value(section.location, ((section.key, 1),)) if section else Value(0)
    return EvaluationContext(_lookup_defined(assembly, statement), location, statement.length)


def absolute_now(assembly: Assembly, statement: Statement, expression) -> int:
    """An absolute value from symbols defined earlier (pass 1 rules)."""
    try:
        value = evaluate(expression, context_for(assembly, statement))
    except UndefinedSymbolError as error:
        raise AssemblyError(
            f"symbol {error.name} must be defined before this statement", error.column, ERROR
        ) from None
    if not value.absolute:
        raise AssemblyError("this value must be absolute, not an address", expression.column, ERROR)
    return value.offset


def define(
    assembly: Assembly, statement: Statement, value: Value, length: int, type_attribute: str
) -> None:
    name = statement.name
    if not name or name.startswith(".") or not valid_symbol(name):
        return
    define_symbol(assembly, statement, name, value, length, type_attribute, 0)


def define_symbol(
    assembly: Assembly,
    statement: Statement,
    name: str,
    value: Value,
    length: int,
    type_attribute: str,
    column: int,
) -> None:
    symbols = assembly.symbols.symbols
    existing = symbols.get(name)
    if existing is not None:
        assembly.report_at_text_offset(
            statement,
            0 if column == 0 else -1,
            ERROR,
            f"symbol {name} is already defined in statement {existing.statement}",
        )
        return
    symbols[name] = Symbol(name, value, length, type_attribute, statement.number)


# GC28-6514: the location counter's largest value is 2**24-1, so the last byte a
# statement may fill is X'FFFFFE' (the counter after it is X'FFFFFF'); this also keeps
# every section's length within the 3 bytes its ESD item has for it.
LOCATION_LIMIT = 0xFFFFFF


def _advance(assembly: Assembly, statement: Statement, start: int, length: int) -> None:
    section = current_section(assembly)
    if start + length > LOCATION_LIMIT:
        raise AssemblyError(
            f"location counter would pass X'FFFFFF' ({start + length} bytes)", -1, SERIOUS
        )
    statement.section = section
    statement.location = start
    statement.length = length
    section.advance_to(start + length)


def _machine_instruction(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    length = statement.instruction.length
    start = align(section.location, 2)
    _advance(assembly, statement, start, length)
    define(assembly, statement, Value(start, ((section.key, 1),)), length, "I")
    for operand in statement.operands:
        if isinstance(operand, Literal):
            _collect_literal(assembly, statement, operand)


def _collect_literal(assembly: Assembly, statement: Statement, literal: Literal) -> None:
    text = literal.constant.text
    key = text
    if literal.constant.addresses is not None and "*" in text:
        # =A(*) means this statement's location: one pool entry per statement.
        key = f"{text}@{statement.number}"
    entry = assembly.pending_literals.get(key)
    if entry is None:
        constant_layout = layout(
            literal.constant, lambda node: absolute_now(assembly, statement, node), False
        )
        if constant_layout.duplication == 0:
            raise AssemblyError(
                "a literal cannot have a duplication factor of zero", literal.column
            )
        if constant_layout.total > LOCATION_LIMIT:
            raise AssemblyError(
                f"literal ={text} is {constant_layout.total} bytes; no pool can hold it "
                f"below X'FFFFFF'",
                literal.column,
                SERIOUS,
            )
        entry = LiteralEntry(text, literal.constant, constant_layout, statement.number)
        assembly.pending_literals[key] = entry
    if statement.literals is None:
        statement.literals = {}
    statement.literals[text] = entry


def _pool_literals(assembly: Assembly, statement: Statement | None, final: bool = False) -> None:
    """LTORG and END: place the pending literals, longest alignment first (GC28-6514).

    LTORG places them in the current section; at END they go at the end of
    the first control section (GC28-6514, "LTORG").
    """
    pending = list(assembly.pending_literals.values())
    assembly.pending_literals = {}
    if not pending:
        return
    section = current_section(assembly)
    if final:
        section = next((s for s in assembly.symbols.sections if s.kind in ("SD", "PC")), section)
        section.location = section.high
    location = align(section.location, DOUBLEWORD)
    ordered = []
    for boundary in (8, 4, 2, 1):
        for entry in pending:
            total = entry.layout.total
            fits = total % boundary == 0 and all(
                total % larger for larger in (8, 4, 2) if larger > boundary
            )
            if fits:
                ordered.append(entry)
    placed = []
    for entry in ordered:
        entry.section = section
        if location + entry.layout.total > LOCATION_LIMIT:
            # Left out of the pool (no object code); its users get a serious error here.
            entry.location = LOCATION_LIMIT
            if statement is not None:
                assembly.report(
                    statement,
                    f"literal ={entry.text} would pass X'FFFFFF' in this pool; it is left out",
                    -1,
                    SERIOUS,
                )
            continue
        entry.location = location
        location += entry.layout.total
        placed.append(entry)
    ordered = placed
    if placed:
        section.advance_to(location)
    assembly.literal_pools.append(ordered)
    if statement is not None:
        statement.pool = ordered


def _dc_ds(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    is_ds = statement.operation == "DS"
    location = origin = section.location
    first = statement.operands[0]
    # The name is defined before the operands are read: its value is the first
    # operand's aligned location whatever the duplication factors say, so a factor
    # may use it, as in PATCH DC (64-(PATCH-ERP1))X'00'.
    name_value = Value(align(origin, first_alignment(first)), ((section.key, 1),))
    define(assembly, statement, name_value, 1, first.type)
    first_location = None
    first_layout = None
    statement.layouts = []
    start = location
    bits_used = None  # bits taken so far from the bytes at location, for L.n operands
    for operand in statement.operands:
        operand_layout = layout(
            operand, lambda node: absolute_now(assembly, statement, node), is_ds
        )
        if first_location is None:
            location = align(location, operand_layout.alignment)
            first_location, first_layout = location, operand_layout
            start = location
        if operand_layout.bits:
            # Operands with bit lengths follow one another bit by bit; the first
            # operand without one starts at the next byte (GC28-6514).
            if bits_used is None:
                bits_used = 0
            statement.layouts.append((location - start, operand_layout, bits_used))
            bits_used += operand_layout.total_bits
            continue
        if bits_used is not None:
            location += (bits_used + 7) // 8
            bits_used = None
        location = align(location, operand_layout.alignment)
        statement.layouts.append((location - start, operand_layout, None))
        location += operand_layout.total
    if bits_used is not None:
        location += (bits_used + 7) // 8
    _advance(assembly, statement, start, location - start)
    if not is_ds:
        statement.fill_before = start - origin
    symbol = assembly.symbols.symbols.get(statement.name)
    if symbol is not None and symbol.statement == statement.number:
        symbol.length = first_layout.length_attribute


def _equ(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    operands = statement.operands
    if not operands or not isinstance(operands[0], Operand) or operands[0].parenthesized:
        raise AssemblyError("EQU needs an expression, as NAME EQU *+4", 0, SERIOUS)
    if not statement.name:
        raise AssemblyError("EQU needs a name in the name field", -1, SERIOUS)
    context = context_for(assembly, statement)
    try:
        value = evaluate(operands[0].expression, context)
    except UndefinedSymbolError as error:
        raise AssemblyError(
            f"symbol {error.name} must be defined before this EQU", error.column
        ) from None
    length = 1
    if len(operands) > 1 and isinstance(operands[1], Operand):
        length = absolute_now(assembly, statement, operands[1].expression)
        if not 0 <= length <= 65535:
            raise AssemblyError("EQU length attribute must be 0 to 65535", operands[1].column)
    elif statement.operand_text[:1] == "(":
        # An expression in parentheses is not a term (GC28-6514, "Terms"): when one
        # comes first there is no leftmost term to take a length from, so it is 1.
        length = 1
    else:
        first = leftmost_term(operands[0].expression)
        if isinstance(first, SymbolRef):
            length = assembly.symbols.symbols[first.name].length
        elif isinstance(first, LocationCounter):
            length = 1
    statement.address2 = value.offset
    define(assembly, statement, value, length, "U")


def _org(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    # The name of an ORG statement is given the location counter's value before the
    # ORG sets it (GC28-6514, "ORG").
    before = section.location
    operands = statement.operands
    if not operands or isinstance(operands[0], Omitted):
        target = section.high
    else:
        operand = operands[0]
        if not isinstance(operand, Operand) or operand.parenthesized:
            raise AssemblyError("ORG needs an address expression", 0, SERIOUS)
        try:
            value = evaluate(operand.expression, context_for(assembly, statement))
        except UndefinedSymbolError as error:
            raise AssemblyError(
                f"symbol {error.name} must be defined before this ORG", error.column
            ) from None
        if value.simple_section != section.key:
            raise AssemblyError(
                f"ORG needs an address in the current section ({section.name or 'private code'})",
                operand.column,
            )
        if value.offset < section.origin:
            raise AssemblyError(
                "ORG would set the location before the start of the section", operand.column
            )
        target = value.offset
        if target > LOCATION_LIMIT:
            raise AssemblyError(
                f"location counter would pass X'FFFFFF' (ORG to X'{target:X}')",
                operand.column,
                SERIOUS,
            )
    section.location = target
    section.advance_to(target)
    statement.section = section
    statement.location = target
    define(assembly, statement, Value(before, ((section.key, 1),)), 1, "U")


def _ltorg(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    start = align(section.location, DOUBLEWORD) if assembly.pending_literals else section.location
    _pool_literals(assembly, statement)
    statement.section = section
    statement.location = start
    define(assembly, statement, Value(start, ((section.key, 1),)), 1, "U")


def _cnop(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    operands = statement.operands
    if len(operands) != 2 or not all(isinstance(o, Operand) for o in operands):
        raise AssemblyError("CNOP needs two operands: byte and boundary, as CNOP 2,4", 0, SERIOUS)
    byte = absolute_now(assembly, statement, operands[0].expression)
    boundary = absolute_now(assembly, statement, operands[1].expression)
    if boundary not in (4, 8) or byte not in (0, 2, 4, 6) or byte >= boundary:
        raise AssemblyError(
            "CNOP operands must be 0, 2, 4 or 6 and 4 or 8, as CNOP 6,8", 0, SERIOUS
        )
    before = section.location
    start = align(before, 2)
    target = start
    while target % boundary != byte:
        target += 2
    _advance(assembly, statement, start, target - start)
    # The name is the location before any padding, as Assembler XF assigns it.
    define(assembly, statement, Value(before, ((section.key, 1),)), 1, "I")


def _start(assembly: Assembly, statement: Statement) -> None:
    if assembly.started:
        raise AssemblyError(
            "START must come before any statement that uses a location", -1, SERIOUS
        )
    origin = 0
    if statement.operands and isinstance(statement.operands[0], Operand):
        origin = absolute_now(assembly, statement, statement.operands[0].expression)
        # GC28-6514: START's value is rounded up to a doubleword boundary.
        origin = align(origin, DOUBLEWORD)
        if origin > LOCATION_LIMIT:
            # Reported, and the section opened at 0 so that the rest of it assembles.
            assembly.report(
                statement,
                f"START value rounded to a doubleword is X'{origin:X}', past X'FFFFFF'",
                statement.operands[0].column,
                SERIOUS,
            )
            origin = 0
    _open_control_section(assembly, statement, origin)


def _csect(assembly: Assembly, statement: Statement) -> None:
    _open_control_section(assembly, statement, 0)


def _open_control_section(assembly: Assembly, statement: Statement, origin: int) -> None:
    name = statement.name
    kind = "SD" if name else "PC"
    symbols = assembly.symbols
    section = symbols.section_named(name, (kind,))
    new = section is None
    if new and name in symbols.externals and symbols.externals[name].kind in ("ER", "WX"):
        # A name is defined once (GC28-6514): the error is reported, and the
        # control section takes the name and the external symbol's ESD ID, so that
        # what referred to the external symbol refers to the section.
        declared = symbols.symbols.pop(name).statement
        assembly.report(
            statement,
            f"{name} is declared external in statement {declared}; the control section "
            "takes the name and the external declaration is dropped",
            -1,
            ERROR,
        )
        section = symbols.new_section(name, kind, origin, symbols.drop_external(name))
    elif new:
        section = symbols.new_section(name, kind, origin)
    assembly.section = section
    assembly.started = True
    statement.section = section
    statement.location = section.location if not new else section.origin
    if new:
        define(assembly, statement, Value(section.origin, ((section.key, 1),)), 1, "J")


def _dsect(assembly: Assembly, statement: Statement) -> None:
    if not statement.name:
        raise AssemblyError("DSECT needs a name in the name field", -1, SERIOUS)
    _open_other_section(assembly, statement, "DSECT")


def _com(assembly: Assembly, statement: Statement) -> None:
    _open_other_section(assembly, statement, "CM")


def _open_other_section(assembly: Assembly, statement: Statement, kind: str) -> None:
    section = assembly.symbols.section_named(statement.name, (kind,))
    new = section is None
    if new:
        section = assembly.symbols.new_section(statement.name, kind, 0)
    assembly.section = section
    statement.section = section
    statement.location = section.location
    if new:
        define(assembly, statement, Value(0, ((section.key, 1),)), 1, "J")


def _symbol_operands(statement: Statement, message: str) -> Iterator[Operand]:
    """The operands of ENTRY, EXTRN or WXTRN one by one, each a plain symbol;
    ``message`` at the first that is not."""
    for operand in statement.operands:
        if (
            not isinstance(operand, Operand)
            or not isinstance(operand.expression, SymbolRef)
            or operand.parenthesized
        ):
            raise AssemblyError(message, operand.column, SERIOUS)
        yield operand


def _extrn(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    kind = "WX" if statement.operation == "WXTRN" else "ER"
    message = f"{statement.operation} names external symbols, as {statement.operation} SUB1,SUB2"
    for operand in _symbol_operands(statement, message):
        name = operand.expression.name
        known = assembly.symbols.externals.get(name)
        if known is not None and known.kind != "PR":
            continue
        if known is not None:
            existing = assembly.symbols.symbols[name].statement
            assembly.report(
                statement, f"symbol {name} is already defined in statement {existing}", -1
            )
            continue
        external = assembly.symbols.new_external(name, kind)
        define_symbol(
            assembly, statement, name, Value(0, ((external.key, 1),)), 1, "T", operand.column
        )


def _dxd(assembly: Assembly, statement: Statement) -> None:
    """DXD: an external dummy section (PR item) as long as its operands, written as
    DS operands, on the strictest of their boundaries (GC28-6514, "DXD")."""
    _place(assembly, statement)
    name = statement.name
    if not name or not valid_symbol(name):
        raise AssemblyError("DXD needs a symbol in the name field", -1, SERIOUS)
    length = 0
    alignment = 1
    first_length = 1
    for index, operand in enumerate(statement.operands):
        operand_layout = layout(operand, lambda node: absolute_now(assembly, statement, node), True)
        if index == 0:
            first_length = operand_layout.length_attribute
        alignment = max(alignment, operand_layout.alignment)
        length = align(length, operand_layout.alignment) + operand_layout.total
    existing = assembly.symbols.symbols.get(name)
    if existing is not None:
        raise AssemblyError(f"symbol {name} is already defined in statement {existing.statement}")
    external = assembly.symbols.new_external(name, "PR", length, alignment)
    define(assembly, statement, Value(0, ((external.key, 1),)), first_length, "X")


def _cxd(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    start = align(section.location, 4)
    statement.fill_before = start - section.location
    _advance(assembly, statement, start, 4)
    define(assembly, statement, Value(start, ((section.key, 1),)), 4, "A")


def _entry(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    for operand in _symbol_operands(
        statement, "ENTRY names symbols of this assembly, as ENTRY START2"
    ):
        assembly.symbols.entries.append(
            EntryPoint(operand.expression.name, statement.number, operand.column)
        )


def _check_entries(assembly: Assembly) -> None:
    for entry in assembly.symbols.entries:
        symbol = assembly.symbols.symbols.get(entry.name)
        statement = assembly.statements[entry.statement - 1]
        if symbol is None:
            assembly.report(statement, f"ENTRY symbol {entry.name} is not defined", entry.column)
            continue
        key = symbol.value.simple_section
        section = assembly.symbols.sections_by_key.get(key) if key is not None else None
        if section is None or section.kind not in ("SD", "PC"):
            assembly.report(
                statement,
                f"ENTRY symbol {entry.name} must be an address in a control section",
                entry.column,
            )
        else:
            symbol.references.append(entry.statement)


def _ccw(assembly: Assembly, statement: Statement) -> None:
    section = current_section(assembly)
    start = align(section.location, DOUBLEWORD)
    _advance(assembly, statement, start, 8)
    define(assembly, statement, Value(start, ((section.key, 1),)), 8, "W")


def _title(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    if statement.name and not assembly.deck_id:
        assembly.deck_id = statement.name[:4]


def _end(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    _pool_literals(assembly, statement, final=True)


def _ictl(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)
    if statement.number != 1:
        raise AssemblyError("ICTL must be the first statement of the source", -1, SERIOUS)


def _listing_only(assembly: Assembly, statement: Statement) -> None:
    _place(assembly, statement)


_HANDLERS = {
    "DC": _dc_ds,
    "DS": _dc_ds,
    "EQU": _equ,
    "ORG": _org,
    "LTORG": _ltorg,
    "CNOP": _cnop,
    "START": _start,
    "CSECT": _csect,
    "DSECT": _dsect,
    "COM": _com,
    "EXTRN": _extrn,
    "WXTRN": _extrn,
    "ENTRY": _entry,
    "DXD": _dxd,
    "CXD": _cxd,
    "CCW": _ccw,
    "TITLE": _title,
    "END": _end,
    "ICTL": _ictl,
    "USING": _listing_only,
    "DROP": _listing_only,
    "EJECT": _listing_only,
    "SPACE": _listing_only,
    "PRINT": _listing_only,
    "PUNCH": _listing_only,
    "REPRO": _listing_only,
}

"""One assembly's state, shared by the passes, and the pipeline that runs them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assembler.cards import CardProblem, SourceStatement, read_source
from assembler.diagnostics import CRITICAL, ERROR, AssemblyError, Diagnostic
from assembler.expressions import Value
from assembler.macros import MacroProcessor, describe_calls
from assembler.statements import LiteralEntry, Statement, parse_statements
from assembler.symbols import Section, SymbolTable

# Diagnostics kept for one assembly (and so on standard error and in the listing);
# a source that is wrong everywhere, or a loop that reports each time round, says the
# rest in one line.
MAX_DIAGNOSTICS = 10_000
MAX_CRITICAL_AFTER_LIMIT = 100


@dataclass(slots=True)
class TextRecord:
    """Object code for the deck: bytes at an assembled address in a section."""

    section_key: int
    address: int
    data: bytes


@dataclass(slots=True)
class RelocationItem:
    """An RLD item: the field at ``address`` in section ``position_key`` holds an address
    of ``relocation_key`` (a section or an external symbol)."""

    relocation_key: int
    position_key: int
    address: int
    length: int
    v_type: bool
    negative: bool
    statement: int
    # The flag's type when it is neither A nor V: PSEUDO_REGISTER for a Q-type constant,
    # CUMULATIVE_LENGTH for CXD (OS/360 object module, RLD flag bits 0-3).
    type_code: int = 0

    @property
    def flags(self) -> int:
        """The item's RLD flag byte: type, length - 1, subtracted (pointer bit clear)."""
        code = RLD_BRANCH if self.v_type else self.type_code
        return (code << 4) | ((self.length - 1) << 2) | (0x02 if self.negative else 0)


RLD_BRANCH = 1  # V-type constant
RLD_PSEUDO_REGISTER = 2  # Q-type constant: the displacement of an external dummy section
RLD_CUMULATIVE_LENGTH = 3  # CXD: the length of all external dummy sections


@dataclass(slots=True)
class PunchedCard:
    """A PUNCH or REPRO card, placed in the deck before what follows it."""

    text: str
    after_text_records: int


@dataclass
class Assembly:
    """Everything the passes share: statements, symbols, sections, output so far."""

    statements: list[Statement] = field(default_factory=list)
    symbols: SymbolTable = field(default_factory=SymbolTable)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    section: Section | None = None
    pending_literals: dict[str, LiteralEntry] = field(default_factory=dict)
    literal_pools: list[list[LiteralEntry]] = field(default_factory=list)
    text_records: list[TextRecord] = field(default_factory=list)
    relocation_items: list[RelocationItem] = field(default_factory=list)
    punched_cards: list[PunchedCard] = field(default_factory=list)
    entry_point: tuple[int, int] | None = None  # (section or external key, address)
    entry_external: str = ""
    deck_id: str = ""
    started: bool = False

    def report(
        self, statement: Statement, message: str, column: int = -1, severity: int = ERROR
    ) -> None:
        """Record a diagnostic at an offset in the statement's operand field."""
        line, card_column = statement.card_position(column)
        message = in_macro(message, statement.source.macro_stack)
        self.diagnostics.append(Diagnostic(statement.number, card_column, severity, message, line))

    def report_error(self, statement: Statement, error: AssemblyError) -> None:
        self.report(statement, error.message, error.column, error.severity)

    def report_at_text_offset(
        self, statement: Statement, offset: int, severity: int, message: str
    ) -> None:
        if offset < 0:
            line, column = statement.source.line, 0
        else:
            line, column = statement.source.card_position(offset)
        message = in_macro(message, statement.source.macro_stack)
        self.diagnostics.append(Diagnostic(statement.number, column, severity, message, line))

    @property
    def return_code(self) -> int:
        return max((diagnostic.severity for diagnostic in self.diagnostics), default=0)

    def location_value(self, statement: Statement) -> Value:
        section = statement.section
        if section is None:
            return Value(statement.location)
        return Value(statement.location, ((section.key, 1),))


@dataclass
class AssemblyResult:
    """What ``assemble`` returns."""

    object_deck: bytes
    listing: str
    diagnostics: list[Diagnostic]
    return_code: int
    assembly: Assembly

    @property
    def cards(self) -> list[bytes]:
        """The object deck as a list of 80-byte card images."""
        deck = self.object_deck
        return [deck[index : index + 80] for index in range(0, len(deck), 80)]


def assemble(
    source_text: str,
    *,
    deck_name: str = "",
    maclib: Sequence[str | Path] = (),
    sysparm: str = "",
    now: datetime.datetime | None = None,
) -> AssemblyResult:
    """Assemble System/360 assembler source; never raises for bad source.

    ``deck_name`` (up to 4 characters) goes in columns 73-76 of the object
    deck when the source has no named TITLE statement. ``maclib`` lists
    directories of macros (``NAME.mac``) and COPY members, searched in
    order; ``sysparm`` is &SYSPARM; ``now`` gives &SYSDATE and &SYSTIME.
    Left out, ``now`` is ``assembler.macros.DEFAULT_NOW`` (00:00 on 1 January
    1970), never the clock, so the same source always gives the same deck and
    listing; the ``vm370 asm`` command passes the time of day instead.
    """
    # Imported here: the passes import this module for Assembly.
    from assembler.generate import generate
    from assembler.listing import write_listing
    from assembler.locations import assign_locations
    from assembler.objdeck import write_object_deck

    assembly = Assembly()
    sources = read_sources(source_text, assembly)
    processor = MacroProcessor(maclib, sysparm, now)
    try:
        sources = processor.expand(sources)
    except RecursionError:
        sources = _with_problem(sources, "macro calls or COPY nested too deeply to expand")
    for path, reason in processor.unreadable_library_files.items():
        # Said once, at the first statement: its macros and members look missing otherwise.
        sources = _with_problem(
            sources, f"macro library file {path} cannot be read and was skipped: {reason}", ERROR
        )
    assembly.statements = parse_statements(sources)
    _report_parse_problems(assembly)
    try:
        assign_locations(assembly)
        generate(assembly)
    except RecursionError:
        assembly.diagnostics.append(
            Diagnostic(0, 0, CRITICAL, "expression nested too deeply to assemble")
        )
    if not assembly.deck_id and deck_name:
        assembly.deck_id = deck_name[:4].upper()
    deck = write_object_deck(assembly)
    assembly.diagnostics.sort(key=lambda diagnostic: diagnostic.statement)
    _limit_diagnostics(assembly.diagnostics)
    listing = write_listing(assembly)
    return AssemblyResult(deck, listing, list(assembly.diagnostics), assembly.return_code, assembly)


def _limit_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """Keep the first MAX_DIAGNOSTICS (in statement order), the critical ones after them
    (they say why the assembly stopped; up to MAX_CRITICAL_AFTER_LIMIT), and one that
    counts the rest, as severe as the worst of them, so the return code stays the same."""
    if len(diagnostics) <= MAX_DIAGNOSTICS:
        return
    later = diagnostics[MAX_DIAGNOSTICS:]
    critical = [d for d in later if d.severity == CRITICAL][:MAX_CRITICAL_AFTER_LIMIT]
    kept = {id(diagnostic) for diagnostic in critical}
    left_out = [diagnostic for diagnostic in later if id(diagnostic) not in kept]
    diagnostics[MAX_DIAGNOSTICS:] = critical
    if left_out:
        diagnostics.append(
            Diagnostic(
                left_out[0].statement,
                0,
                max(diagnostic.severity for diagnostic in left_out),
                f"{len(left_out)} more diagnostics not shown",
            )
        )


def _with_problem(
    sources: list[SourceStatement], message: str, severity: int = CRITICAL
) -> list[SourceStatement]:
    """The sources, their first statement carrying a problem (critical unless told)."""
    if sources:
        sources[0].problems.append(CardProblem(sources[0].line, 0, severity, message))
    return sources


def in_macro(message: str, stack: tuple[str, ...]) -> str:
    """A message with the macro calls that generated its statement, innermost first."""
    return describe_calls(message, stack)


def read_sources(source_text: str, assembly: Assembly) -> list[SourceStatement]:
    sources, _columns = read_source(source_text)
    return sources


def _report_parse_problems(assembly: Assembly) -> None:
    for statement in assembly.statements:
        for problem in statement.source.problems:
            assembly.diagnostics.append(
                Diagnostic(
                    statement.number,
                    problem.column,
                    problem.severity,
                    problem.message,
                    problem.line,
                )
            )
        for problem in statement.problems:
            assembly.report_at_text_offset(
                statement, problem.offset, problem.severity, problem.message
            )

"""The parse step: source statements -> statements with fields and operand nodes.

Each statement's operation decides how its operand field is read: machine
instructions and most assembler instructions as an operand list, DC and DS
as constants, TITLE and PUNCH as one quoted string, and the instructions
that take no operand treat the rest of the card as remarks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assembler.cards import SourceStatement, split_fields
from assembler.dc import Layout
from assembler.diagnostics import ERROR, SERIOUS
from assembler.nodes import DCOperand
from assembler.parser import OperandSyntaxError, parse_dc_operands, parse_operands
from assembler.symbols import Section
from vm370.hardware.isa import BY_MNEMONIC, EXTENDED_BRANCHES, Instruction

# Assembler instructions (GC28-6514, "Assembler Instruction Statements").
DIRECTIVES = frozenset(
    [
        "START",
        "CSECT",
        "DSECT",
        "COM",
        "END",
        "USING",
        "DROP",
        "EQU",
        "ORG",
        "LTORG",
        "CNOP",
        "DC",
        "DS",
        "ENTRY",
        "EXTRN",
        "WXTRN",
        "DXD",
        "CXD",
        "CCW",
        "TITLE",
        "EJECT",
        "SPACE",
        "PRINT",
        "PUNCH",
        "REPRO",
        "ICTL",
    ]
)
NO_OPERANDS = frozenset(["CSECT", "DSECT", "COM", "LTORG", "EJECT", "REPRO", "CXD"])
QUOTED_OPERAND = frozenset({"TITLE", "PUNCH"})
CONSTANT_OPERANDS = frozenset({"DC", "DS", "DXD"})

_SYMBOL = re.compile(r"^[A-Z$#@][A-Z0-9$#@]{0,7}$")


@dataclass(slots=True)
class StatementProblem:
    offset: int  # in the statement's text, -1 for the whole statement
    severity: int
    message: str


@dataclass(slots=True, eq=False)
class LiteralEntry:
    """One literal in a pool: its constant, where it landed, and who used it first."""

    text: str
    constant: DCOperand
    layout: Layout
    statement: int
    section: Section | None = None
    location: int = 0
    object_code: bytes = b""


@dataclass(slots=True, eq=False)
class Statement:
    """One statement as the passes see it, collecting what each pass decides."""

    number: int
    source: SourceStatement
    name: str = ""
    operation: str = ""
    operand_text: str = ""
    remarks: str = ""
    operation_offset: int = 0
    operands_offset: int = 0
    kind: str = "comment"  # comment, machine, directive, unknown, repro-data
    instruction: Instruction | None = None
    mask: int | None = None  # extended branch mnemonics supply the M1 field
    operands: tuple = ()
    problems: list[StatementProblem] = field(default_factory=list)
    # pass 1
    section: Section | None = None
    location: int = 0
    length: int = 0
    # per operand: byte offset from the statement's location, its layout, and for a
    # bit length (L.n) the bit offset inside the bytes that start there
    layouts: list[tuple[int, Layout, int | None]] | tuple = ()
    # the literals among its operands, by their text (None until there is one)
    literals: dict[str, LiteralEntry] | None = None
    pool: list[LiteralEntry] | tuple = ()  # LTORG and END: the literals placed here
    after_end: bool = False
    fill_before: int = 0  # bytes skipped to align the statement (zero-filled for DC)
    failed: bool = False  # pass 1 could not finish it: pass 2 fills its length with zeros
    # pass 2
    object_code: bytes = b""
    address1: int | None = None
    address2: int | None = None

    @property
    def has_error(self) -> bool:
        return self.failed or any(problem.severity >= SERIOUS for problem in self.problems)

    def card_position(self, operand_column: int) -> tuple[int, int]:
        """(source line, card column) of an offset in the operand field (-1: whole)."""
        if operand_column < 0:
            return self.source.line, 0
        return self.source.card_position(self.operands_offset + operand_column)


def valid_symbol(name: str) -> bool:
    return bool(_SYMBOL.match(name))


def parse_statement(number: int, source: SourceStatement) -> Statement:
    statement = Statement(number, source)
    if source.comment:
        return statement
    if not source.text.strip():
        statement.kind = "comment"
        return statement
    fields = split_fields(source.text)
    statement.name = fields.name.upper()
    statement.operation = fields.operation.upper()
    statement.operand_text = fields.operands
    statement.remarks = fields.remarks
    statement.operation_offset = fields.operation_offset
    statement.operands_offset = fields.operands_offset
    if statement.name and not statement.name.startswith(".") and not valid_symbol(statement.name):
        statement.problems.append(
            StatementProblem(
                0,
                ERROR,
                f"name {fields.name!r} is not a valid symbol (1 to 8 letters, digits, $ # @, "
                "starting with a letter)",
            )
        )
    operation = statement.operation
    if not operation:
        statement.kind = "unknown"
        statement.problems.append(
            StatementProblem(statement.operation_offset, SERIOUS, "statement has no operation code")
        )
        return statement
    if operation in BY_MNEMONIC:
        statement.kind = "machine"
        statement.instruction = BY_MNEMONIC[operation]
    elif operation in EXTENDED_BRANCHES:
        base, mask = EXTENDED_BRANCHES[operation]
        statement.kind = "machine"
        statement.instruction = BY_MNEMONIC[base]
        statement.mask = mask
    elif operation in DIRECTIVES:
        statement.kind = "directive"
    else:
        statement.kind = "unknown"
        statement.problems.append(
            StatementProblem(
                statement.operation_offset,
                ERROR,
                f"unknown operation code {fields.operation}: no instruction or macro of "
                "that name (is a --maclib library missing?)",
            )
        )
        return statement
    _parse_operand_field(statement)
    return statement


def _parse_operand_field(statement: Statement) -> None:
    operation = statement.operation
    text = statement.operand_text
    if operation in NO_OPERANDS:
        if text:
            # Everything after an operation that takes no operand is remarks.
            statement.remarks = (text + " " + statement.remarks).strip()
            statement.operand_text = ""
        return
    if operation in QUOTED_OPERAND:
        if not (len(text) >= 2 and text[0] == "'" and text[-1] == "'"):
            statement.problems.append(
                StatementProblem(
                    statement.operands_offset,
                    SERIOUS,
                    f"{operation} needs its text in apostrophes, as {operation} 'TEXT'",
                )
            )
            return
        statement.operands = (text[1:-1].replace("''", "'").replace("&&", "&"),)
        return
    try:
        if operation in CONSTANT_OPERANDS:
            statement.operands = parse_dc_operands(text)
        else:
            statement.operands = parse_operands(text)
    except OperandSyntaxError as error:
        statement.problems.append(
            StatementProblem(
                statement.operands_offset + max(error.column, 0),
                SERIOUS,
                f"{error.message} (operand field {text!r})" if text else error.message,
            )
        )


def parse_statements(sources: list[SourceStatement]) -> list[Statement]:
    """Number and parse every statement; REPRO makes the next card data."""
    statements = []
    reproduce_next = False
    for number, source in enumerate(sources, start=1):
        if reproduce_next:
            statement = Statement(number, source, kind="repro-data")
            reproduce_next = False
        else:
            statement = parse_statement(number, source)
            reproduce_next = statement.operation == "REPRO"
        statements.append(statement)
    return statements

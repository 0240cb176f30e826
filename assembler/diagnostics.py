"""Diagnostics: every problem the assembler finds, with where and how bad.

Severity codes are Assembler F's (GC28-6514): 4 warning (the program is
probably right), 8 error (part of a statement was not assembled as written),
12 serious error (a statement was not assembled), 16 critical (the assembly
could not go on). The return code is the highest severity seen.
"""

from __future__ import annotations

from dataclasses import dataclass

WARNING = 4
ERROR = 8
SERIOUS = 12
CRITICAL = 16


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message: statement number, card column (1-80, 0 if none), severity, text."""

    statement: int
    column: int
    severity: int
    message: str
    line: int = 0  # line of the source file the column is on (0 if none)

    @property
    def statement_number(self) -> int:
        return self.statement

    def __str__(self) -> str:
        where = f"statement {self.statement}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: severity {self.severity}: {self.message}"


class AssemblyError(Exception):
    """A problem in one statement; the pass reporting it records it and goes on."""

    def __init__(self, message: str, column: int = -1, severity: int = ERROR):
        super().__init__(message)
        self.message = message
        self.column = column  # offset inside the operand field, -1 when unknown
        self.severity = severity

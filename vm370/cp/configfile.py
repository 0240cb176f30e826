"""What the directory and the real configuration have in common as text files.

Both are read one statement a line: blank lines and lines whose first
non-blank character is ``*`` are comments (DMKDIR, VM/370 Release 6, ignores
"statements with the first parameter an *"). The text is upper-cased (ASCII
letters only, so columns never move) because VM/370 read its directory from
cards and terminals that deliver upper case. Every problem becomes a
``Diagnostic`` naming the file, line and column; a reader collects them all
and raises one ``ConfigFileError`` listing every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, VisitError

# A directory for thousands of users is well under this; /dev/zero or a pack image is not.
MAX_FILE_BYTES = 4 * 1024 * 1024

_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def ascii_upper(text: str) -> str:
    """``text`` with a-z made A-Z and nothing else changed (so columns stay put)."""
    return text.translate(_UPPER)


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a file: ``FILE:LINE:COL: message`` (line 0 means the whole file)."""

    filename: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.filename}: {self.message}"
        return f"{self.filename}:{self.line}:{self.column}: {self.message}"


class ConfigFileError(Exception):
    """A file with problems; ``diagnostics`` lists every one, in line order."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.line, d.column))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class FieldError(Exception):
    """A problem with one field of a statement, at ``column`` (1-based) of its line."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.message = message
        self.column = column


def read_text(path: str | Path) -> str:
    """The file's text; an unreadable, huge or non-text file is a ``ConfigFileError``."""
    name = str(path)
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ConfigFileError(
            [Diagnostic(name, 0, 0, f"cannot read: {error.strerror or error}")]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigFileError(
            [Diagnostic(name, 0, 0, f"larger than {MAX_FILE_BYTES // 2**20} MB: not a text file")]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigFileError(
            [Diagnostic(name, 0, 0, f"not a text file (byte {error.start} is not UTF-8)")]
        ) from None


def statement_lines(text: str, filename: str, diagnostics: list[Diagnostic]):
    """(line number, upper-cased line, line as written) for each statement line.

    A line with a character outside printable ASCII is reported and skipped.
    """
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("*"):
            continue
        bad = next((i for i, c in enumerate(line) if not (" " <= c <= "~" or c == "\t")), None)
        if bad is not None:
            diagnostics.append(
                Diagnostic(
                    filename,
                    number,
                    bad + 1,
                    f"character {line[bad]!r} is not allowed (printable ASCII only)",
                )
            )
            continue
        yield number, ascii_upper(line), line


@dataclass(frozen=True)
class StatementSyntax:
    """How a statement is written: its usage line and a name for each operand, in order.

    ``echo`` is False for statements that hold passwords: their errors name an operand
    by its position, never by its text, since a misplaced password could be that text.
    """

    usage: str
    operands: tuple[str, ...]
    echo: bool = True


def _field_index(text: str, column: int) -> int:
    """Which whitespace-separated field of ``text`` starts at or covers 1-based ``column``."""
    return len(text[: column - 1].split())


def friendly_syntax_error(
    error: LarkError,
    text: str,
    syntax: StatementSyntax,
    known_mistake: str | None = None,
) -> FieldError:
    """A message a person can act on, from where Lark stopped in one statement line."""
    if isinstance(error, VisitError) and isinstance(error.orig_exc, FieldError):
        return error.orig_exc
    keyword = text.split()[0]
    usage = f"(syntax: {syntax.usage})"
    if isinstance(error, UnexpectedCharacters):
        column = error.column
        field = text[column - 1 :].split()[0] if text[column - 1 :].strip() else ""
        index = _field_index(text, column) - 1
        return FieldError(_wrong_operand(keyword, field, index, syntax, usage), column)
    if isinstance(error, UnexpectedInput):
        token: Token | None = getattr(error, "token", None)
        if known_mistake is not None:
            column = token.column if token is not None and token.column else len(text) + 1
            return FieldError(f"{keyword}: {known_mistake}", column)
        if token is None or token.type == "$END":
            index = len(text.split()) - 1
            name = syntax.operands[index] if index < len(syntax.operands) else "an operand"
            return FieldError(f"{keyword}: {name} is missing {usage}", len(text.rstrip()) + 1)
        index = _field_index(text, token.column) - 1
        return FieldError(_wrong_operand(keyword, token.value, index, syntax, usage), token.column)
    return FieldError(f"{keyword}: the statement cannot be read {usage}", 1)


def _wrong_operand(keyword: str, field: str, index: int, syntax: StatementSyntax, usage: str):
    shown = repr(field) if syntax.echo else f"operand {index + 1}"
    if index >= len(syntax.operands):
        return f"{keyword}: {shown} is one {'operand ' if syntax.echo else ''}too many {usage}"
    return f"{keyword}: {shown} is not {syntax.operands[index]} {usage}"


def parse_statement(
    grammar: Lark,
    start: str,
    text: str,
    syntax: StatementSyntax,
    mistakes: dict[str, list[str]] | None = None,
):
    """Parse one statement line with ``grammar`` from rule ``start``; raise ``FieldError``."""
    try:
        return grammar.parse(text, start=start)
    except LarkError as error:
        known = None
        if mistakes and isinstance(error, UnexpectedInput):
            try:
                known = error.match_examples(
                    lambda sample: grammar.parse(sample, start=start), mistakes, use_accepts=True
                )
            except Exception:  # noqa: BLE001 - an unmatched example only loses a nicety
                known = None
        raise friendly_syntax_error(error, text, syntax, known) from None

"""The small syntax nodes the parser builds from operand fields.

Every node carries ``column``: its 0-based offset inside the operand field.
The statement that owns the field knows where the field begins on its card,
so diagnostics can name the card column a person should look at.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Number:
    """A self-defining term (decimal, X'', B'' or C''), already evaluated."""

    value: int
    column: int


@dataclass(frozen=True, slots=True)
class SymbolRef:
    name: str
    column: int


@dataclass(frozen=True, slots=True)
class LocationCounter:
    column: int


@dataclass(frozen=True, slots=True)
class LengthAttribute:
    """L'NAME, or L'* for the statement's own length."""

    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expression
    column: int


@dataclass(frozen=True, slots=True)
class Binary:
    operator: str  # one of + - * /
    left: Expression
    right: Expression
    column: int


Expression = Number | SymbolRef | LocationCounter | LengthAttribute | Negate | Binary


@dataclass(frozen=True, slots=True)
class Operand:
    """One operand: an expression, optionally qualified as E(F) or E(F,S) or E(,S).

    Which fields mean what depends on the instruction: for RX, E(X,B); for
    SS, E(L,B); for RS and SI, E(B). ``first`` and ``second`` are the
    expressions inside the parentheses (``None`` where omitted).
    """

    expression: Expression
    first: Expression | None
    second: Expression | None
    parenthesized: bool
    column: int


@dataclass(frozen=True, slots=True)
class DCOperand:
    """One operand of DC or DS, or the constant of a literal (GC28-6514, "DC")."""

    duplication: Expression | None
    type: str
    length: Expression | None
    scale: Expression | None
    exponent: Expression | None
    nominal: str | None  # the text between the quotes, for C X B F H E D P Z
    addresses: tuple[Operand, ...] | None  # the parenthesized list, for A Y S V
    column: int
    text: str = ""  # the operand as written, which identifies a literal in its pool
    length_in_bits: bool = False  # L.n: the length modifier counts bits


@dataclass(frozen=True, slots=True)
class Literal:
    constant: DCOperand
    column: int

    @property
    def text(self) -> str:
        return "=" + self.constant.text


@dataclass(frozen=True, slots=True)
class Omitted:
    """An empty position in an operand list, as in ``PRINT ,GEN``."""

    column: int


AnyOperand = Operand | Literal | Omitted

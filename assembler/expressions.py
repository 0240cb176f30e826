"""Evaluating expressions: absolute and relocatable values and their pairing rules.

GC28-6514, "Expressions": a relocatable term's value changes when its
control section is moved; in an expression, relocatable terms pair off
(one added and one subtracted, from the same section, cancel), and what is
left decides the result: nothing (absolute), one added term (relocatable),
anything else (complexly relocatable, allowed only in A and Y constants).
Relocatable terms may not be multiplied or divided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assembler.diagnostics import ERROR, AssemblyError
from assembler.nodes import (
    Binary,
    Expression,
    LengthAttribute,
    LocationCounter,
    Negate,
    Number,
    SymbolRef,
)


@dataclass(frozen=True, slots=True)
class Value:
    """An assembled value: ``offset`` plus, for each relocatable section key, a count."""

    offset: int
    relocations: tuple[tuple[int, int], ...] = ()

    @property
    def absolute(self) -> bool:
        return not self.relocations

    @property
    def simple_section(self) -> int | None:
        """The section key of a simply relocatable value, else None."""
        if len(self.relocations) == 1 and self.relocations[0][1] == 1:
            return self.relocations[0][0]
        return None

    def __add__(self, other: Value) -> Value:
        return Value(self.offset + other.offset, _combine(self.relocations, other.relocations, 1))

    def __sub__(self, other: Value) -> Value:
        return Value(self.offset - other.offset, _combine(self.relocations, other.relocations, -1))

    def plus(self, amount: int) -> Value:
        return Value(self.offset + amount, self.relocations)


ABSOLUTE_ZERO = Value(0)


def _combine(left, right, sign: int) -> tuple[tuple[int, int], ...]:
    if not right:
        return left
    counts = dict(left)
    for key, count in right:
        counts[key] = counts.get(key, 0) + sign * count
    return tuple(sorted((key, count) for key, count in counts.items() if count))


class UndefinedSymbolError(AssemblyError):
    def __init__(self, name: str, column: int):
        super().__init__(f"undefined symbol {name}", column, ERROR)
        self.name = name


@dataclass(slots=True)
class EvaluationContext:
    """What an expression may refer to: symbols, the location counter, L'*."""

    lookup: Callable[[str, int], tuple[Value, int]]  # name, column -> (value, length attribute)
    location: Value
    own_length: int = 1


def evaluate(expression: Expression, context: EvaluationContext) -> Value:
    """The value of an expression; raises AssemblyError with the column of the culprit."""
    kind = type(expression)
    if kind is Number:
        return Value(expression.value)
    if kind is SymbolRef:
        return context.lookup(expression.name, expression.column)[0]
    if kind is Binary:
        left = evaluate(expression.left, context)
        right = evaluate(expression.right, context)
        operator = expression.operator
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if left.relocations or right.relocations:
            raise AssemblyError(
                f"a relocatable term cannot be used with {operator}; only + and - apply to "
                "addresses",
                expression.column,
            )
        if operator == "*":
            return Value(_wrap(left.offset * right.offset))
        # GC28-6514: division yields the integer quotient; division by zero yields zero.
        if right.offset == 0:
            return ABSOLUTE_ZERO
        quotient = abs(left.offset) // abs(right.offset)
        return Value(quotient if (left.offset < 0) == (right.offset < 0) else -quotient)
    if kind is LocationCounter:
        return context.location
    if kind is LengthAttribute:
        if expression.name == "*":
            return Value(context.own_length)
        return Value(context.lookup(expression.name, expression.column)[1])
    if kind is Negate:
        return ABSOLUTE_ZERO - evaluate(expression.operand, context)
    raise AssemblyError(f"cannot evaluate {expression!r}", getattr(expression, "column", -1))


def _wrap(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def leftmost_term(expression: Expression) -> Expression:
    """The first term of an expression, whose length attribute is the expression's."""
    while True:
        kind = type(expression)
        if kind is Binary:
            expression = expression.left
        elif kind is Negate:
            expression = expression.operand
        else:
            return expression

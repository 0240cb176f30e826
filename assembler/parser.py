"""Parsing operand fields into syntax nodes (Lark grammar ``operands.lark``).

Lark parses every operand field it is given, LALR with the contextual lexer,
building nodes as it reduces. Two things keep it off the hot path: results
are cached by text (nodes carry only offsets inside the field, so one parse
serves every statement with the same operands), and the commonest machine
instruction operands (``R,SYMBOL+4(X)`` and the like) are recognized by one
regular expression that builds the same nodes the grammar would.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from assembler.nodes import (
    AnyOperand,
    Binary,
    DCOperand,
    Expression,
    LengthAttribute,
    Literal,
    LocationCounter,
    Negate,
    Number,
    Omitted,
    Operand,
    SymbolRef,
)


class OperandSyntaxError(Exception):
    """An operand field the grammar cannot read; ``column`` is the offset in the field."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.message = message
        self.column = column


def self_defining_value(text: str) -> int:
    """The value of a self-defining term such as 12, X'1F', B'101' or C'A''B'."""
    if text[0].isdigit():
        return int(text)
    kind, body = text[0].upper(), text[2:-1]
    if kind == "X":
        return int(body, 16) if body else 0
    if kind == "B":
        return int(body, 2) if body else 0
    # C'..': two apostrophes or two ampersands stand for one (GC28-6514).
    data = body.replace("''", "'").replace("&&", "&").encode("cp037")
    return int.from_bytes(data, "big") if data else 0


def _check_term_size(value: int, column: int) -> int:
    # Self-defining terms are at most 24 bits (GC28-6514, "Self-Defining Terms").
    if value > 0xFFFFFF:
        raise OperandSyntaxError("self-defining term is larger than 24 bits (16777215)", column)
    return value


# GC28-6514, "Expressions": an expression may have at most five levels of parentheses.
PARENTHESIS_LEVELS = 5


@v_args(inline=True)
class _ToNodes(Transformer):
    """Lark tree -> nodes, run as the LALR parser reduces.

    Parentheses around an expression leave no node; how deeply an expression is
    nested is kept aside, by node, while one operand field is parsed.
    """

    def __init__(self):
        super().__init__()
        self.levels: dict[int, int] = {}

    def _level(self, node) -> int:
        return self.levels.get(id(node), 0)

    def parenthesized(self, expression: Expression) -> Expression:
        level = self._level(expression) + 1
        if level > PARENTHESIS_LEVELS:
            raise OperandSyntaxError(
                f"more than {PARENTHESIS_LEVELS} levels of parentheses in an expression",
                _column_of(expression),
            )
        self.levels[id(expression)] = level
        return expression

    def symbol(self, token: Token) -> SymbolRef:
        return SymbolRef(token.value.upper(), token.start_pos)

    def decimal_term(self, token: Token) -> Number:
        return Number(_check_term_size(int(token.value), token.start_pos), token.start_pos)

    def negative_decimal(self, token: Token) -> Number:
        return Number(-int(token.value), token.start_pos - 1)

    def hex_term(self, token: Token) -> Number:
        return Number(
            _check_term_size(self_defining_value(token.value), token.start_pos), token.start_pos
        )

    binary_term = hex_term

    def char_term(self, token: Token) -> Number:
        if len(token.value[2:-1].replace("''", "'").replace("&&", "&")) > 3:
            raise OperandSyntaxError(
                "character self-defining term longer than 3 characters", token.start_pos
            )
        try:
            return Number(self_defining_value(token.value), token.start_pos)
        except UnicodeEncodeError as error:
            raise OperandSyntaxError(
                "character not in the EBCDIC code page", token.start_pos
            ) from error

    def length_attribute(self, token: Token) -> LengthAttribute:
        return LengthAttribute(token.value[2:].upper(), token.start_pos)

    def location_counter(self, token: Token) -> LocationCounter:
        return LocationCounter(token.start_pos)

    def negate(self, operand: Expression) -> Negate:
        node = Negate(operand, _column_of(operand) - 1)
        if self.levels:
            self.levels[id(node)] = self._level(operand)
        return node

    def _binary(operator: str):  # noqa: N805 - a factory used while building the class
        def build(self, left: Expression, right: Expression) -> Binary:
            node = Binary(operator, left, right, _column_of(left))
            if self.levels:
                self.levels[id(node)] = max(self._level(left), self._level(right))
            return node

        return build

    add = _binary("+")
    subtract = _binary("-")
    multiply = _binary("*")
    divide = _binary("/")
    del _binary

    def plain_operand(self, expression: Expression) -> Operand:
        return Operand(expression, None, None, False, _column_of(expression))

    def one_field_operand(self, expression: Expression, first: Expression) -> Operand:
        return Operand(expression, first, None, True, _column_of(expression))

    def two_field_operand(self, expression, first, second) -> Operand:
        return Operand(expression, first, second, True, _column_of(expression))

    def second_field_operand(self, expression, second) -> Operand:
        return Operand(expression, None, second, True, _column_of(expression))

    def omitted_operand(self) -> Omitted:
        return Omitted(-1)

    def literal(self, constant: DCOperand) -> Literal:
        return Literal(constant, constant.column - 1)

    def operand_list(self, *operands) -> tuple[AnyOperand, ...]:
        return operands

    def dc_operands(self, *operands) -> tuple[DCOperand, ...]:
        return operands

    def duplication(self, value) -> Expression:
        if isinstance(value, Token):
            return Number(int(value.value), value.start_pos)
        return value

    def length_modifier(self, value):
        return value

    def bit_length_modifier(self, value) -> tuple:
        return ("bits", value)

    scale_modifier = length_modifier
    exponent_modifier = length_modifier

    def quoted_nominal(self, token: Token) -> str:
        return token.value[1:-1]

    def address_nominal(self, *operands) -> tuple[Operand, ...]:
        return operands

    def dc_operand(self, duplication, type_token, length, scale, exponent, nominal) -> DCOperand:
        column = type_token.start_pos if duplication is None else _column_of(duplication)
        in_bits = isinstance(length, tuple)
        if in_bits:
            length = length[1]
        return DCOperand(
            duplication=duplication,
            type=type_token.value,
            length=length,
            length_in_bits=in_bits,
            scale=scale,
            exponent=exponent,
            nominal=nominal if isinstance(nominal, str) else None,
            addresses=nominal if isinstance(nominal, tuple) else None,
            column=column,
        )


def _column_of(node) -> int:
    return node.column


_TRANSFORMER = _ToNodes()
_GRAMMAR = Lark.open(
    "operands.lark",
    rel_to=__file__,
    parser="lalr",
    lexer="contextual",
    start=["operand_list", "dc_operands"],
    transformer=_TRANSFORMER,
    maybe_placeholders=True,
)

_TERM = r"[A-Za-z$#@][A-Za-z0-9$#@_]*|\d+|\*"
_FAST_EXPRESSION = rf"({_TERM})(?:([+-])({_TERM}))?"
_FAST_OPERAND = re.compile(
    rf"{_FAST_EXPRESSION}(?:\((?:{_FAST_EXPRESSION})?(?:,{_FAST_EXPRESSION})?\))?(?=,|$)"
)


_FAST_CONSTANT = re.compile(
    rf"(\d*)(?:([CXBFHEDPZ])(?:L(\d+))?'([^']*)'|([AYV])(?:L(\d+))?\({_FAST_EXPRESSION}\))(?=,|$)"
)


def _fast_constant(text: str, position: int) -> tuple[DCOperand, int] | None:
    """One DC operand of the common shapes (2F'1', CL8'X', A(SYM+4)), or None."""
    match = _FAST_CONSTANT.match(text, position)
    if match is None:
        return None
    duplication_text = match.group(1)
    duplication = Number(int(duplication_text), position) if duplication_text else None
    if match.group(2):
        kind, length_group, nominal, addresses = match.group(2), 3, match.group(4), None
    else:
        kind, length_group, nominal = match.group(5), 6, None
        expression = _fast_expression(match, 7)
        addresses = (Operand(expression, None, None, False, expression.column),)
    length_text = match.group(length_group)
    length = Number(int(length_text), match.start(length_group)) if length_text else None
    if length is not None and length.value > 0xFFFFFF:
        return None
    end = match.end()
    constant = DCOperand(
        duplication, kind, length, None, None, nominal, addresses, position, text[position:end]
    )
    return constant, end


def _fast_dc_operands(text: str) -> tuple[DCOperand, ...] | None:
    operands = []
    position = 0
    end = len(text)
    while True:
        found = _fast_constant(text, position)
        if found is None:
            return None
        operand, position = found
        operands.append(operand)
        if position == end:
            return tuple(operands)
        position += 1


def _fast_term(text: str, column: int) -> Expression:
    first = text[0]
    if first.isdigit():
        return Number(_check_term_size(int(text), column), column)
    if first == "*":
        return LocationCounter(column)
    return SymbolRef(text.upper(), column)


def _fast_expression(match: re.Match, group: int) -> Expression | None:
    left_text = match.group(group)
    if left_text is None:
        return None
    left = _fast_term(left_text, match.start(group))
    operator = match.group(group + 1)
    if operator is None:
        return left
    right = _fast_term(match.group(group + 2), match.start(group + 2))
    return Binary(operator, left, right, left.column)


def _fast_operand_list(text: str) -> tuple[AnyOperand, ...] | None:
    """The same nodes the grammar builds, for the simple operand lists most code uses."""
    operands = []
    position = 0
    end = len(text)
    while True:
        if text.startswith("=", position):
            found = _fast_constant(text, position + 1)
            if found is None:
                return None
            constant, position = found
            operands.append(Literal(constant, constant.column - 1))
            if position == end:
                return tuple(operands)
            position += 1
            continue
        match = _FAST_OPERAND.match(text, position)
        if match is None:
            return None
        expression = _fast_expression(match, 1)
        inside = match.end(3 if match.group(3) else 1) < match.end()
        first = _fast_expression(match, 4)
        second = _fast_expression(match, 7)
        if inside and first is None and second is None:
            return None
        operands.append(Operand(expression, first, second, inside, expression.column))
        position = match.end()
        if position == end:
            return tuple(operands)
        position += 1  # the comma


def _literal_end(text: str, start: int) -> int:
    """Where the literal starting at ``start`` ends: the next comma outside quotes and
    parentheses at its own level."""
    depth = 0
    quoted = False
    index = start
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "'":
                quoted = False
        elif char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            break
        index += 1
    return index


def _with_literal_texts(text: str, operands: tuple) -> tuple:
    fixed = []
    for operand in operands:
        if isinstance(operand, Literal):
            start = operand.column + 1
            constant = operand.constant
            constant = replace(operand.constant, text=text[start : _literal_end(text, start)])
            operand = Literal(constant, operand.column)
        fixed.append(operand)
    return tuple(fixed)


# Typical mistakes, recognized by the parser state they stop in (Lark's match_examples).
_MISTAKES = {
    "operand_list": {
        "two operators in a row: a term is missing between them": [
            "1*/2",
            "A/*-",
            "1,A*/B",
            "1,A+*/B",
            "A(1*/2)",
            "1,2,A*/B",
        ],
        "a literal cannot be part of an expression; write it as a whole operand": [
            "A+=F'1'",
            "(=F'1')",
        ],
        "at most two fields go in the parentheses: D(X,B) or D(L,B)": [
            "1(2,3,4)",
            "A(,2,3)",
            "1,2(3,4,5)",
            "1,2,3(4,5,6)",
        ],
    },
    "dc_operands": {
        "a DC operand needs its type letter, as F'1' or 3CL8'ABC'": ["'1'", "3'A'"],
        "a DC operand has one type letter, then its modifiers L, S and E in that order": [
            "FL4X'1'",
            "FE1S2'1'",
        ],
    },
}


def _known_mistake(error: UnexpectedInput, start: str) -> str | None:
    try:
        return error.match_examples(
            lambda text: _GRAMMAR.parse(text, start=start), _MISTAKES[start], use_accepts=True
        )
    except Exception:  # noqa: BLE001 - an unmatched example is only a missed nicety
        return None


def _friendly(error: LarkError, text: str, start: str) -> OperandSyntaxError:
    """A message a person can act on, from Lark's account of where parsing stopped."""
    if isinstance(error, OperandSyntaxError):
        return error
    column = getattr(error, "pos_in_stream", None)
    if column is None:
        column = len(text)
    if isinstance(error, UnexpectedCharacters):
        char = text[column] if column < len(text) else ""
        if char == "'":
            return OperandSyntaxError(
                "apostrophe not expected here (a quoted string or C'..' term not closed?)", column
            )
        return OperandSyntaxError(f"character {char!r} not expected here", column)
    if isinstance(error, UnexpectedInput):
        token = getattr(error, "token", None)
        if token is None or token.type == "$END":
            # Checked before the typical mistakes, whose examples stop in the same
            # states: "EQU ( S1+4)" is an operand field of "(" cut by the blank.
            return OperandSyntaxError(
                "operand field ends too soon (a term or a closing parenthesis is missing; "
                "a blank ends the operand field)",
                len(text),
            )
        known = _known_mistake(error, start)
        if known is not None:
            return OperandSyntaxError(known, column)
        if token.value == ")":
            return OperandSyntaxError("unbalanced parenthesis", column)
        return OperandSyntaxError(f"{token.value!r} not expected here", column)
    return OperandSyntaxError(str(error).splitlines()[0], column)


@lru_cache(maxsize=16384)
def _parse_cached(text: str, start: str) -> tuple:
    _TRANSFORMER.levels.clear()
    try:
        result = _GRAMMAR.parse(text, start=start)
    except OperandSyntaxError:
        raise
    except LarkError as error:
        original = getattr(error, "orig_exc", None)
        if isinstance(original, OperandSyntaxError):
            raise original from None
        raise _friendly(error, text, start) from None
    if start == "operand_list":
        return _with_literal_texts(text, result)
    return tuple(replace(o, text=text[o.column : _literal_end(text, o.column)]) for o in result)


@lru_cache(maxsize=65536)
def parse_operands(text: str) -> tuple[AnyOperand, ...]:
    """The operands of a machine or assembler instruction; ``()`` for an empty field."""
    if not text:
        return ()
    fast = _fast_operand_list(text)
    if fast is not None:
        return fast
    return _parse_cached(text, "operand_list")


@lru_cache(maxsize=65536)
def parse_dc_operands(text: str) -> tuple[DCOperand, ...]:
    """The operands of DC or DS."""
    if not text:
        raise OperandSyntaxError("DC and DS need at least one operand", 0)
    fast = _fast_dc_operands(text)
    if fast is not None:
        return fast
    return _parse_cached(text, "dc_operands")

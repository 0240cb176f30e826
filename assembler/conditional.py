"""Conditional-assembly expressions: SETA, SETB, SETC, AIF (grammar ``conditional.lark``).

Lark parses an expression once (cached by its text) into a tree; ``Evaluator``
walks the tree against the variable symbols of the moment. Arithmetic values
are Python ints, logical values bools, character values strs.

GC28-6514, "Conditional Assembly": character comparisons look at length
first (the shorter string is lower) and then at the EBCDIC collating order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from assembler.parser import self_defining_value


class ConditionalError(Exception):
    """A conditional-assembly expression that cannot be read or evaluated."""

    def __init__(self, message: str, severity: int = 8):
        super().__init__(message)
        self.message = message
        self.severity = severity


_GRAMMAR = Lark.open(
    "conditional.lark", rel_to=__file__, parser="lalr", lexer="contextual", maybe_placeholders=True
)


@lru_cache(maxsize=8192)
def parse_expression(text: str) -> Tree | Token:
    try:
        return _GRAMMAR.parse(text)
    except UnexpectedCharacters as error:
        raise ConditionalError(
            f"character {text[error.pos_in_stream]!r} not expected at position "
            f"{error.pos_in_stream + 1} of {text!r}",
            12,
        ) from None
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        if token is None or token.type == "$END":
            raise ConditionalError(f"expression {text!r} ends too soon", 12) from None
        raise ConditionalError(f"{token.value!r} not expected in {text!r}", 12) from None
    except LarkError as error:
        raise ConditionalError(f"cannot read expression {text!r}: {error}", 12) from None


def to_int(value, what: str = "value") -> int:
    """An arithmetic value: ints and bools as they are, strings that are self-defining terms."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = value.strip()
    if not text:
        return 0
    try:
        if text[0].isdigit() or (text[0] in "XBCxbc" and text[1:2] == "'"):
            return self_defining_value(text.upper() if text[0] in "xbc" else text)
    except (ValueError, UnicodeEncodeError):
        pass
    raise ConditionalError(f"{what} {value!r} is not a number")


def to_bool(value) -> bool:
    number = to_int(value, "logical value")
    if number not in (0, 1):
        raise ConditionalError(f"logical value must be 0 or 1, not {number}")
    return bool(number)


def to_text(value) -> str:
    """A character value; an arithmetic value becomes decimal digits without a sign
    (GC28-6514: the magnitude of a SETA value is what is substituted)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(abs(value))
    return value


def wrap32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _compare_key(value: str) -> tuple[int, bytes]:
    return len(value), value.encode("cp037", errors="replace")


class Evaluator:
    """Evaluates parsed expressions. ``variable(name, subscripts)`` and
    ``attribute(letter, name, subscripts)`` come from the macro processor, and
    ``substitute(text)`` replaces variable symbols inside quoted strings."""

    def __init__(self, variable: Callable, attribute: Callable, substitute: Callable):
        self.variable = variable
        self.attribute = attribute
        self.substitute = substitute

    def evaluate(self, text: str):
        return self.node(parse_expression(text))

    def node(self, tree):
        kind = tree.data if isinstance(tree, Tree) else tree.type
        method = getattr(self, f"_{kind}", None)
        if method is None:
            raise ConditionalError(f"cannot evaluate {kind}")
        return method(tree)

    def _decimal(self, tree):
        return int(tree.children[0].value)

    def _self_defining(self, tree):
        token = tree.children[0].value
        try:
            return self_defining_value(token[0].upper() + token[1:])
        except (ValueError, UnicodeEncodeError):
            # The lexer takes any quoted text after X, B or C; the digits are checked here.
            raise ConditionalError(f"{token} is not a valid self-defining term", 12) from None

    def _subscripts(self, subscript) -> tuple[int, ...]:
        if subscript is None:
            return ()
        return tuple(
            to_int(self.node(child), "subscript")
            for child in subscript.children
            if child is not None
        )

    def _variable(self, tree):
        token, subscript = tree.children
        return self.variable(token.value[1:].upper(), self._subscripts(subscript))

    def _attribute(self, tree):
        token, subscript = tree.children
        letter, name = token.value[0].upper(), token.value[2:].upper()
        return self.attribute(letter, name, self._subscripts(subscript))

    def _string(self, tree):
        pieces = []
        joined = True
        for child in tree.children:
            if isinstance(child, Token):  # the period between two pieces
                joined = True
                continue
            if not joined:
                raise ConditionalError("a period must join two quoted strings, as 'A'.'B'", 12)
            pieces.append(self.node(child))
            joined = child.children[1] is not None  # a substring may be followed directly
        return "".join(pieces)

    def _piece(self, tree):
        token, substring = tree.children
        text = self.substitute(token.value[1:-1]).replace("''", "'")
        if substring is None:
            return text
        start = to_int(self.node(substring.children[0]), "substring start")
        length = to_int(self.node(substring.children[1]), "substring length")
        if start < 1 or length < 0:
            raise ConditionalError(f"substring ({start},{length}) must start at 1 or later")
        if start > len(text) and length:
            raise ConditionalError(
                f"substring starts at {start}, after the end of '{text}' ({len(text)} characters)"
            )
        return text[start - 1 : start - 1 + length]

    def _binary(self, tree, operation):
        left = to_int(self.node(tree.children[0]))
        right = to_int(self.node(tree.children[-1]))
        return wrap32(operation(left, right))

    def _add(self, tree):
        return self._binary(tree, lambda a, b: a + b)

    def _subtract(self, tree):
        return self._binary(tree, lambda a, b: a - b)

    def _multiply(self, tree):
        return self._binary(tree, lambda a, b: a * b)

    def _divide(self, tree):
        def divide(a: int, b: int) -> int:
            if b == 0:
                return 0  # GC28-6514: division by zero gives zero
            quotient = abs(a) // abs(b)
            return quotient if (a < 0) == (b < 0) else -quotient

        return self._binary(tree, divide)

    def _negate(self, tree):
        return wrap32(-to_int(self.node(tree.children[0])))

    def _not_(self, tree):
        return not to_bool(self.node(tree.children[-1]))

    def _and_(self, tree):
        return to_bool(self.node(tree.children[0])) and to_bool(self.node(tree.children[-1]))

    def _or_(self, tree):
        return to_bool(self.node(tree.children[0])) or to_bool(self.node(tree.children[-1]))

    def _compare(self, tree):
        left_tree, relation, right_tree = tree.children
        left, right = self.node(left_tree), self.node(right_tree)
        if isinstance(left, str) and isinstance(right, str):
            left_key, right_key = _compare_key(left), _compare_key(right)
        else:
            left_key, right_key = to_int(left), to_int(right)
        return {
            "EQ": left_key == right_key,
            "NE": left_key != right_key,
            "LT": left_key < right_key,
            "GT": left_key > right_key,
            "LE": left_key <= right_key,
            "GE": left_key >= right_key,
        }[relation.value.upper()]

"""Operand parsing (Lark grammar and the fast path) and expression evaluation."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler import assemble
from assembler.nodes import Binary, Literal, LocationCounter, Number, Operand, SymbolRef
from assembler.parser import (
    _GRAMMAR,
    OperandSyntaxError,
    parse_dc_operands,
    parse_operands,
    self_defining_value,
)


def test_self_defining_terms():
    assert self_defining_value("255") == 255
    assert self_defining_value("X'FF'") == 255
    assert self_defining_value("B'1010'") == 10
    assert self_defining_value("C'A'") == 0xC1
    assert self_defining_value("C''''") == 0x7D
    assert self_defining_value("C'AB'") == 0xC1C2


def test_operand_with_index_and_base():
    (register, storage) = parse_operands("3,FIELD+4(5,6)")
    assert register.expression == Number(3, 0)
    assert storage.expression == Binary("+", SymbolRef("FIELD", 2), Number(4, 8), 2)
    assert (storage.first, storage.second) == (Number(5, 10), Number(6, 12))


def test_base_only_operand():
    (operand,) = parse_operands("0(,13)")
    assert operand.first is None and operand.second == Number(13, 3)


def test_location_counter_and_multiplication():
    (operand,) = parse_operands("*-*")
    assert operand.expression == Binary("-", LocationCounter(0), LocationCounter(2), 0)
    (operand,) = parse_operands("2**")
    assert operand.expression == Binary("*", Number(2, 0), LocationCounter(2), 0)


def test_literal_keeps_its_text():
    (_, literal) = parse_operands("1,=XL4'FF'")
    assert isinstance(literal, Literal)
    assert literal.text == "=XL4'FF'"
    assert literal.constant.type == "X" and literal.constant.nominal == "FF"


def test_dc_operands_with_every_modifier():
    (operand,) = parse_dc_operands("(N)FL4S-2E3'1.5'")
    assert operand.type == "F"
    assert operand.duplication == SymbolRef("N", 1)
    assert operand.length == Number(4, 5)
    assert operand.scale == Number(-2, 7)
    assert operand.exponent == Number(3, 10)
    assert operand.nominal == "1.5"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "LONGNAME", "X1", "$Y", "*", "12", "0"]),
            st.sampled_from([None, "+", "-"]),
            st.sampled_from(["4", "B", "*"]),
            st.sampled_from(["", "(5)", "(5,6)", "(,7)", "(R)"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_fast_path_builds_the_same_nodes_as_the_grammar(parts):
    text = ",".join(
        term + ((operator + second) if operator else "") + suffix
        for term, operator, second, suffix in parts
    )
    assert parse_operands(text) == _GRAMMAR.parse(text, start="operand_list")


@pytest.mark.parametrize(
    "text, fragment, column",
    [
        ("3,X(4", "ends too soon", 5),
        ("C'AB", "apostrophe", 1),
        ("1,2)", "unbalanced parenthesis", 3),
        ("X'1FFFFFF'", "24 bits", 0),
        ("C'ABCD'", "3 characters", 0),
        ("A+%", "'%' not expected", 2),
        ("1,A*/B", "two operators in a row", 4),
        ("X+=F'1'", "literal cannot be part of an expression", 2),
        ("3,4(5,6,7)", "at most two fields", 7),
    ],
)
def test_syntax_errors_name_the_problem_and_column(text, fragment, column):
    with pytest.raises(OperandSyntaxError) as caught:
        parse_operands(text)
    assert fragment in caught.value.message
    assert caught.value.column == column


@pytest.mark.parametrize(
    "text, fragment",
    [("'1'", "needs its type letter"), ("FL4X'1'", "one type letter, then its modifiers")],
)
def test_dc_syntax_errors_name_the_problem(text, fragment):
    with pytest.raises(OperandSyntaxError) as caught:
        parse_dc_operands(text)
    assert fragment in caught.value.message


def test_syntax_error_is_reported_at_the_card_column():
    result = assemble("T CSECT\n L 1,X+)\n END\n")
    (diagnostic,) = result.diagnostics
    assert (diagnostic.statement, diagnostic.column, diagnostic.severity) == (2, 8, 12)


def evaluate(expression: str) -> int:
    result = assemble(f"T CSECT\nA DS F\nB DS F\nV EQU {expression}\n END\n")
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    return result.assembly.symbols.symbols["V"].value


def test_arithmetic_precedence_and_division():
    assert evaluate("2+3*4").offset == 14
    assert evaluate("(2+3)*4").offset == 20
    assert evaluate("7/2").offset == 3
    assert evaluate("-7/2").offset == -3
    assert evaluate("5/0").offset == 0
    assert evaluate("-(1)").offset == -1


def test_relocatable_terms_pair_off():
    value = evaluate("B-A")
    assert value.absolute and value.offset == 4
    value = evaluate("B+4")
    assert value.simple_section is not None and value.offset == 8


def test_length_attribute_reference():
    assert evaluate("L'A+L'B").offset == 8


def test_relocatable_times_is_an_error():
    result = assemble("T CSECT\nA DS F\nV EQU A*2\n END\n")
    assert result.return_code == 8
    assert "relocatable" in result.diagnostics[0].message


def test_unused_operand_node_type_is_operand():
    (operand,) = parse_operands("X")
    assert isinstance(operand, Operand) and not operand.parenthesized

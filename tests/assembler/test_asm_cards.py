"""Reading cards into statements and splitting fields (GC28-6514, "Coding Conventions")."""

from assembler import assemble
from assembler.cards import read_source, split_fields


def test_continuation_joins_text_from_column_16():
    card1 = "NAME     DC    C'ABC',".ljust(71) + "*"
    card2 = "               C'DEF'"
    (statement,), _ = read_source(card1 + "\n" + card2 + "\n")
    assert statement.text == "NAME     DC    C'ABC',C'DEF'"
    assert len(statement.cards) == 2
    assert statement.card_position(statement.text.index("C'DEF'")) == (2, 16)


def test_comma_then_blanks_continues_the_operand_field():
    card1 = " DC C'A',            REMARK,".ljust(71) + "X"
    card2 = " DC C'A',".ljust(71) + "X"
    (remark, operand), _ = read_source(
        f"{card1}\n               C'B'\n{card2}\n               C'B'\n"
    )
    # The alternate format: an operand field that ends in a comma goes on at the next
    # card, its remarks left out of the statement (GC28-6514, "Alternate Statement Format").
    assert remark.text == " DC C'A',C'B'"
    assert remark.card_position(9) == (2, 16)
    assert operand.text == " DC C'A',C'B'"
    assert operand.card_position(9) == (4, 16)


def test_sequence_field_is_ignored():
    (statement,), _ = read_source(" LR 1,2".ljust(72) + "SEQ00010\n")
    assert statement.text == " LR 1,2"


def test_comment_cards():
    statements, _ = read_source("* COMMENT\n LR 1,2\n.* MACRO COMMENT\n")
    assert [s.comment for s in statements] == [True, False, True]


def test_continuation_card_with_text_before_column_16_is_an_error():
    card1 = " DC C'A',".ljust(71) + "X"
    result = assemble(f"T CSECT\n{card1}\nOOPS           C'B'\n END\n")
    assert result.return_code == 8
    assert "blank before column 16" in result.diagnostics[0].message
    assert result.diagnostics[0].statement == 2


def test_continuation_at_end_of_file_is_an_error():
    result = assemble("T CSECT\n" + " DC C'A',".ljust(71) + "X\n")
    assert any("no next card" in d.message for d in result.diagnostics)


def test_ictl_changes_the_columns():
    source = " ICTL 2,72,17\nXT CSECT\nX LR 1,2\n  END\n"
    result = assemble(source)
    assert result.return_code == 0
    assert "T" in result.assembly.symbols.symbols
    assert result.assembly.statements[2].object_code == bytes.fromhex("1812")


def test_bad_ictl_is_reported():
    result = assemble(" ICTL 50\n END\n")
    assert result.return_code == 12
    assert "ICTL" in result.diagnostics[0].message


def test_fields_with_blanks_inside_quotes():
    fields = split_fields("LABEL    DC    C'A B C'   REMARK HERE")
    assert (fields.name, fields.operation, fields.operands, fields.remarks) == (
        "LABEL",
        "DC",
        "C'A B C'",
        "REMARK HERE",
    )
    assert fields.operands_offset == 15


def test_length_attribute_apostrophe_opens_no_string():
    fields = split_fields(" MVC A(L'B),C  REMARK")
    assert fields.operands == "A(L'B),C"
    assert fields.remarks == "REMARK"


def test_doubled_apostrophe_inside_a_string():
    fields = split_fields(" DC C'IT''S OK' REMARK")
    assert fields.operands == "C'IT''S OK'"


def test_remarks_after_an_operation_without_operands():
    result = assemble("T CSECT THE MAIN PROGRAM\n LTORG NOW\n EJECT\n END\n")
    assert result.return_code == 0
    assert result.assembly.statements[0].remarks == "THE MAIN PROGRAM"


def test_tab_and_long_line_warnings():
    result = assemble("T CSECT\n\tLR 1,2\n" + " LR 1,2".ljust(72) + "SEQ00010MORE\n END\n")
    assert result.return_code == 4
    assert {d.statement for d in result.diagnostics} == {2, 3}

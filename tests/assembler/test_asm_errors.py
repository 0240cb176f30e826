"""Diagnostics: statement number, card column, severity, a message to act on; the
assembly goes on past every error and the return code is the highest severity."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assembler import Diagnostic, assemble


def test_errors_do_not_stop_the_assembly():
    source = "T CSECT\n LR 1,2\n FOO 1\n L 1,MISSING\n LR 3,4\n LR 1\n END\n"
    result = assemble(source)
    found = [(d.statement, d.severity) for d in result.diagnostics]
    assert found == [(3, 8), (4, 8), (6, 12)]
    assert result.return_code == 12
    statements = result.assembly.statements
    assert statements[4].object_code == bytes.fromhex("1834")
    # The bad L keeps its length, so what follows keeps its address.
    assert statements[3].object_code == bytes.fromhex("58100000")
    assert statements[4].location == 6  # LR 0, FOO nothing, L 2, LR 6


def test_diagnostic_fields():
    (diagnostic,) = assemble("T CSECT\n FOO 1\n END\n").diagnostics
    assert isinstance(diagnostic, Diagnostic)
    assert diagnostic.statement_number == 2
    assert diagnostic.column == 2
    assert diagnostic.message == (
        "unknown operation code FOO: no instruction or macro of that name "
        "(is a --maclib library missing?)"
    )
    assert str(diagnostic).startswith(
        "statement 2, column 2: severity 8: unknown operation code FOO: "
    )


def test_invalid_name_is_reported():
    result = assemble("1ABC DS F\nTOOLONGNAME DS F\n END\n")
    assert [d.statement for d in result.diagnostics] == [1, 2]
    assert all("not a valid symbol" in d.message for d in result.diagnostics)


def test_statement_without_operation():
    result = assemble("LONELY\n END\n")
    assert result.return_code == 12
    assert "no operation code" in result.diagnostics[0].message


def test_undefined_symbol_column_points_at_the_symbol():
    (diagnostic,) = assemble("T CSECT\n USING T,12\n L 1,4+NOPE\n END\n").diagnostics
    assert (diagnostic.column, diagnostic.message) == (8, "undefined symbol NOPE")


def test_column_on_a_continuation_card():
    card1 = " DC A(1),".ljust(71) + "X"
    (diagnostic,) = assemble(f"T CSECT\n{card1}\n               A(NOPE)\n END\n").diagnostics
    assert (diagnostic.statement, diagnostic.line, diagnostic.column) == (2, 3, 18)


def test_empty_source_assembles_to_a_warning():
    result = assemble("")
    assert result.return_code == 0
    assert result.object_deck[-80:][1:4] == "END".encode("cp037")


def test_garbage_never_raises():
    for text in [
        "'",
        "(((",
        "=",
        " DC ",
        " DC =",
        " L =",
        " USING ,",
        "\x00\x01",
        " DC 99999999999F'1'",
        " DC CL99999999'A'",
        " ORG -1",
        " CNOP 1,3",
        " DC E'1E999'",
        " DC AL1(256)",
        " DC 0F'X'",
    ]:
        result = assemble(f"T CSECT\n{text}\n END\n")
        assert result.return_code >= 4, text
        assert all(d.severity in (4, 8, 12, 16) for d in result.diagnostics)


OPERATIONS = [
    "L",
    "LR",
    "MVC",
    "MVI",
    "AP",
    "SLL",
    "LM",
    "SVC",
    "B",
    "BR",
    "DC",
    "DS",
    "EQU",
    "ORG",
    "USING",
    "DROP",
    "LTORG",
    "CNOP",
    "CCW",
    "ENTRY",
    "EXTRN",
    "CSECT",
    "DSECT",
    "SPACE",
    "PRINT",
    "TITLE",
    "PUNCH",
    "START",
    "COM",
    "MACRO",
    "MEND",
    "AIF",
    "AGO",
    "SETA",
    "SETC",
    "LCLA",
    "MNOTE",
    "COPY",
]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "A", "B", "T", "X1", "&A", ".S"]),
            st.sampled_from(OPERATIONS),
            st.text(alphabet="ABCLXFHPZ0123456789'(),=*+-/.&", max_size=24),
        ).map(lambda fields: f"{fields[0]} {fields[1]} {fields[2]}"),
        max_size=8,
    )
)
def test_random_source_never_raises_and_reports_what_it_finds(lines):
    result = assemble("T CSECT\n" + "\n".join(lines) + "\n END\n")
    assert result.return_code == max((d.severity for d in result.diagnostics), default=0)
    assert all(d.severity in (4, 8, 12, 16) for d in result.diagnostics)
    assert result.return_code < 16, [str(d) for d in result.diagnostics]
    assert len(result.object_deck) % 80 == 0


def test_instruction_with_unreadable_operands_keeps_its_length():
    result = assemble("T CSECT\n L 1,X+)\nNEXT LR 1,1\n END\n")
    assert result.return_code == 12
    assert result.assembly.symbols.symbols["NEXT"].value.offset == 4
    assert result.assembly.statements[1].object_code == bytes(4)

"""Bad macro input: each problem is reported once, at the statement it belongs to, and
the assembly goes on with the statements after it."""

from assembler import assemble


def messages(result) -> list[tuple[int, int, str]]:
    return [(d.statement, d.severity, d.message) for d in result.diagnostics]


def constants(result) -> list[bytes]:
    return [s.object_code for s in result.assembly.statements if s.operation == "DC"]


def test_missing_mend_is_reported_at_macro_and_the_assembly_goes_on_at_end():
    source = """\
T        CSECT
         DC    F'1'
         MACRO
         BROKEN
         DC    F'2'
         END
"""
    result = assemble(source)
    assert messages(result) == [
        (3, 12, "MACRO at line 3 has no MEND; the definition ends before END at line 6")
    ]
    assert constants(result) == [(1).to_bytes(4, "big")]
    # END was assembled (no "END assumed" warning) and the deck is whole.
    assert result.cards[-1][1:4] == "END".encode("cp037")


def test_missing_mend_with_no_end_statement_still_defines_what_there_is():
    result = assemble(" MACRO\n BROKEN\n DC F'1'\n")
    assert (1, 12, "MACRO at line 1 has no MEND") in messages(result)


def test_undefined_macro_is_reported_at_its_statement_and_column():
    source = """\
T        CSECT
         NOSUCHMAC 1,2
X        DC    F'2'
         END
"""
    result = assemble(source)
    (diagnostic,) = result.diagnostics
    assert (diagnostic.statement, diagnostic.column, diagnostic.severity) == (2, 10, 8)
    assert diagnostic.message.startswith("unknown operation code NOSUCHMAC: ")
    assert "--maclib" in diagnostic.message
    assert constants(result) == [(2).to_bytes(4, "big")]


def test_undefined_inner_macro_names_the_macro_that_called_it():
    source = """\
         MACRO
         OUTER
         MISSING 1
         MEND
T        CSECT
         OUTER
         END
"""
    (diagnostic,) = assemble(source).diagnostics
    assert diagnostic.statement == 7
    assert diagnostic.message.endswith("(in OUTER called at line 6)")
    assert "unknown operation code MISSING" in diagnostic.message


def test_macro_loop_past_actr_stops_that_expansion_only():
    source = """\
         MACRO
         LOOPER &N
         ACTR  &N
.AGAIN   DC    C'X'
         AGO   .AGAIN
         MEND
T        CSECT
         LOOPER 3
         DC    C'AFTER'
         END
"""
    result = assemble(source)
    ((statement, severity, message),) = messages(result)
    assert severity == 12
    assert message.startswith("ACTR limit reached in macro LOOPER")
    assert message.endswith("(in LOOPER called at line 8)")
    assert result.diagnostics[0].line == 8
    # ACTR 3 lets three branches through: four constants, then the statement after the call.
    assert constants(result) == [b"\xe7"] * 4 + ["AFTER".encode("cp037")]


def test_open_code_loop_past_actr_is_reported_at_the_branch():
    source = """\
         ACTR  2
T        CSECT
.TOP     DC    C'Y'
         AGO   .TOP
         DC    C'Z'
         END
"""
    result = assemble(source)
    (diagnostic,) = result.diagnostics
    assert diagnostic.severity == 12 and diagnostic.line == 4
    assert "ACTR limit reached" in diagnostic.message
    assert constants(result) == [b"\xe8"] * 3 + [b"\xe9"]


MACRO = """\
         MACRO
&L       SHOW  &A,&B
&L       DC    C&A
         MEND
T        CSECT
"""


def test_unbalanced_quote_in_a_macro_operand():
    result = assemble(MACRO + "         SHOW  'OPEN\n         SHOW  'OK'\n         END\n")
    assert messages(result) == [(6, 12, 'apostrophe not closed in operand "\'OPEN"')]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (6, 16)
    assert constants(result) == ["OK".encode("cp037")]


def test_unbalanced_parentheses_in_macro_operands():
    source = MACRO + (
        "         SHOW  'A',(1,2\n"
        "         SHOW  'B',1,2)\n"
        "         SHOW  'C',(1,(2,3))\n"
        "         END\n"
    )
    result = assemble(source)
    assert messages(result) == [
        (6, 12, "unbalanced parenthesis in operand '(1,2'"),
        (7, 12, "unbalanced parenthesis in operand '2)'"),
    ]
    assert [(d.line, d.column) for d in result.diagnostics] == [(6, 20), (7, 23)]
    assert constants(result) == [b"\xc3"]


def test_a_bad_call_inside_a_macro_is_reported_once_with_the_stack():
    source = """\
         MACRO
         INNER &X
         DC    C'&X'
         MEND
         MACRO
         OUTER &Y
         INNER &Y.)
         DC    C'NEXT'
         MEND
T        CSECT
         OUTER 1
         END
"""
    result = assemble(source)
    ((statement, severity, message),) = messages(result)
    assert severity == 12
    assert message == "unbalanced parenthesis in operand '1)' (in OUTER called at line 11)"
    assert constants(result) == ["NEXT".encode("cp037")]


def test_bad_prototype_is_reported_once_at_the_prototype():
    result = assemble(" MACRO\n BAD &A,B\n MEND\nT CSECT\n DC F'1'\n END\n")
    ((statement, severity, message),) = messages(result)
    assert (statement, severity) == (2, 12)
    assert "prototype operand 'B'" in message
    assert constants(result) == [(1).to_bytes(4, "big")]


def test_bad_library_members_are_reported_at_the_call(tmp_path):
    (tmp_path / "NOEND.mac").write_text(" MACRO\n NOEND\n DC F'1'\n")
    (tmp_path / "WRONG.mac").write_text(" MACRO\n OTHER\n DC F'1'\n MEND\n")
    (tmp_path / "EMPTY.mac").write_text("* nothing here\n")
    source = "T CSECT\n NOEND\n WRONG\n EMPTY\n DC F'9'\n END\n"
    result = assemble(source, maclib=[tmp_path])
    found = [(d.statement, d.severity, d.message) for d in result.diagnostics]
    assert [(statement, severity) for statement, severity, _ in found] == [
        (2, 12),
        (3, 12),
        (4, 12),
    ]
    assert found[0][2].startswith(f"macro library member {tmp_path / 'NOEND.mac'} does not")
    assert "has no MEND" in found[0][2]
    assert found[1][2] == f"macro library member {tmp_path / 'WRONG.mac'} does not define WRONG"
    assert found[2][2] == f"{tmp_path / 'EMPTY.mac'} holds no MACRO statement"
    assert constants(result) == [(9).to_bytes(4, "big")]

"""The macro language and conditional assembly (GC28-6514, "Macro Language")."""

import datetime

from assembler import assemble
from vm370.cli import main


def generated(source: str, **options) -> list[str]:
    """The generated statements of a clean assembly, as 'OPERATION OPERANDS'."""
    result = assemble(source, **options)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    return [
        " ".join(s.source.text.split()[:2])
        if s.source.text.startswith(" ")
        else " ".join(s.source.text.split()[:3])
        for s in result.assembly.statements
        if s.source.generated and s.kind != "comment"
    ]


SAVE_MACRO = """\
         MACRO
&NAME    SAVE  &REGS,&TYPE=FULL
&NAME    STM   &REGS(1),&REGS(2),12(13)
         AIF   ('&TYPE' EQ 'SHORT').DONE
         LA    15,&SYSNDX
.DONE    ANOP
         MEND
"""


def test_positional_keyword_sublist_and_name_parameters():
    source = SAVE_MACRO + "T CSECT\nHERE SAVE (14,12)\n SAVE (2,4),TYPE=SHORT\n END\n"
    assert generated(source) == ["HERE STM 14,12,12(13)", "LA 15,0001", "STM 2,4,12(13)"]


def test_generated_statements_are_assembled_and_marked_in_the_listing():
    result = assemble(SAVE_MACRO + "T CSECT\nHERE SAVE (14,12)\n END\n")
    assert result.assembly.symbols.symbols["HERE"].value.offset == 0
    assert result.assembly.statements[9].object_code == bytes.fromhex("90ECD00C")
    assert "   10+ HERE     STM   14,12,12(13)" in result.listing


def test_seta_loop_with_aif_and_ago():
    source = """\
         MACRO
         WORDS &N
         LCLA  &I
&I       SETA  1
.TOP     AIF   (&I GT &N).END
         DC    F'&I'
&I       SETA  &I+1
         AGO   .TOP
.END     MEND
T CSECT
         WORDS 3
 END
"""
    assert generated(source) == ["DC F'1'", "DC F'2'", "DC F'3'"]


def test_concatenation_period_rule_and_sysndx_labels():
    source = """\
         MACRO
         LBL   &P
A&SYSNDX DC    C'&P.X'
B&SYSNDX DC    C'&P..'
         MEND
T CSECT
 LBL Q
 LBL R
 END
"""
    assert generated(source) == [
        "A0001 DC C'QX'",
        "B0001 DC C'Q.'",
        "A0002 DC C'RX'",
        "B0002 DC C'R.'",
    ]


def test_setc_substring_concatenation_and_doubled_characters():
    source = """\
         MACRO
         STR   &P
         LCLC  &C,&D
&C       SETC  '&P'(2,3)
&D       SETC  '&C'.'-'.'A''''B&&'
         DC    C'&D'
         MEND
T CSECT
 STR ABCDEF
 END
"""
    result = assemble(source)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    (constant,) = [s for s in result.assembly.statements if s.operation == "DC"]
    # '''' in the SETC string is '' in the value; && stays && until DC reads it.
    assert constant.object_code == "BCD-A'B&".encode("cp037")


def test_sublist_count_syslist_and_keyword_default():
    source = """\
         MACRO
         LIST  &P,&Q,&K=7
         LCLA  &N,&S,&L
&N       SETA  N'&P
&S       SETA  N'&SYSLIST
&L       SETA  K'&Q
         DC    AL1(&N,&S,&K,&L)
         DC    C'&SYSLIST(2)&P(3)'
         MEND
T CSECT
 LIST (A,B,C),XYZ,EXTRA
 END
"""
    result = assemble(source)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    first, second = [s for s in result.assembly.statements if s.operation == "DC"]
    assert first.object_code == bytes([3, 3, 7, 3])
    assert second.object_code == "XYZC".encode("cp037")


def test_type_attribute_and_omitted_operands():
    source = """\
         MACRO
         TYPES &A,&B,&C,&D
         LCLC  &R,&T
&R       SETC  T'&A
&T       SETC  T'&B
&R       SETC  '&R&T'
&T       SETC  T'&C
&R       SETC  '&R'.'&T'
&T       SETC  T'&D
         DC    C'&R&T'
         MEND
T CSECT
WORD DS F
 TYPES ,12,WORD,T
 END
"""
    result = assemble(source)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    (constant,) = [s for s in result.assembly.statements if s.operation == "DC"]
    assert constant.object_code == "ONFJ".encode("cp037")


def test_global_set_symbols_keep_their_value_between_calls():
    source = """\
         MACRO
         COUNT
         GBLA  &N
&N       SETA  &N+1
         DC    AL1(&N)
         MEND
T CSECT
 COUNT
 COUNT
 COUNT
 END
"""
    assert generated(source) == ["DC AL1(1)", "DC AL1(2)", "DC AL1(3)"]


def test_nested_macro_calls_and_mexit():
    source = """\
         MACRO
         INNER &X
         AIF   ('&X' EQ 'STOP').OUT
         DC    C'&X'
         MEXIT
.OUT     MNOTE *,'STOPPED'
         MEND
         MACRO
         OUTER &A,&B
         INNER &A
         INNER &B
         MEND
T CSECT
 OUTER ONE,TWO
 END
"""
    assert generated(source) == ["DC C'ONE'", "DC C'TWO'"]


def test_macro_generating_a_macro_definition_free_call_chain():
    source = """\
         MACRO
         LEVEL &N
         LCLA  &M
         AIF   (&N EQ 0).DONE
         DC    AL1(&N)
&M       SETA  &N-1
         LEVEL &M
.DONE    MEND
T CSECT
 LEVEL 3
 END
"""
    assert generated(source) == ["DC AL1(3)", "DC AL1(2)", "DC AL1(1)"]


def test_mnote_severities_and_open_code_conditional_assembly():
    source = """\
         LCLA  &I
&I       SETA  2
         AIF   (&I EQ 2).SKIP
         DC    C'NOT HERE'
.SKIP    ANOP
T CSECT
 MNOTE 8,'CHECK THIS'
 MNOTE *,'JUST A COMMENT'
 DC AL1(&I)
 END
"""
    result = assemble(source)
    assert result.return_code == 8
    (diagnostic,) = result.diagnostics
    assert diagnostic.message == "MNOTE: CHECK THIS"
    assert [s.object_code for s in result.assembly.statements if s.operation == "DC"] == [b"\x02"]


def test_actr_stops_a_macro_loop():
    source = """\
         MACRO
         FOREVER
         ACTR  10
.A       AGO   .A
         MEND
T CSECT
 FOREVER
 END
"""
    result = assemble(source)
    assert result.return_code == 12
    assert "ACTR" in result.diagnostics[0].message
    assert "FOREVER called at line 7" in result.diagnostics[0].message


def test_missing_mend_undefined_macro_and_bad_operands_are_reported():
    result = assemble(" MACRO\n BROKEN\n DC F'1'\n")
    assert result.return_code >= 12
    assert any("no MEND" in d.message for d in result.diagnostics)
    result = assemble("T CSECT\n NOSUCHMAC 1\n END\n")
    assert "unknown operation code NOSUCHMAC" in result.diagnostics[0].message
    result = assemble(SAVE_MACRO + "T CSECT\n SAVE (14,12\n SAVE 'OPEN\n END\n")
    messages = [d.message for d in result.diagnostics]
    assert any("unbalanced parenthesis" in m for m in messages)
    assert any("apostrophe not closed" in m for m in messages)


def test_error_inside_a_macro_names_the_call_stack():
    source = """\
         MACRO
         BAD
         L     1,NOWHERE
         MEND
         MACRO
         CALLER
         BAD
         MEND
T CSECT
 USING T,12
 CALLER
 END
"""
    (diagnostic,) = assemble(source).diagnostics
    assert diagnostic.message == (
        "undefined symbol NOWHERE (in BAD called at line 11; in CALLER called at line 11)"
    )


def test_print_nogen_hides_generated_statements():
    source = SAVE_MACRO + "T CSECT\n PRINT NOGEN\nHERE SAVE (14,12)\n END\n"
    listing = assemble(source).listing
    assert "HERE SAVE (14,12)" in listing
    assert "STM   14,12,12(13)" not in listing


def test_system_variables():
    source = """\
         MACRO
         INFO
         DC    C'&SYSPARM/&SYSECT/&SYSDATE/&SYSTIME'
         MEND
PROG CSECT
 INFO
 END
"""
    when = datetime.datetime(1972, 8, 3, 14, 5)
    result = assemble(source, sysparm="TEST", now=when)
    (constant,) = [s for s in result.assembly.statements if s.operation == "DC"]
    assert constant.object_code == "TEST/PROG/08/03/72/14.05".encode("cp037")


def test_opsyn_renames_an_operation():
    result = assemble("LOAD OPSYN L\nT CSECT\n LOAD 1,0(2)\nLR OPSYN\n END\n")
    assert result.return_code == 0
    assert result.assembly.statements[2].object_code == bytes.fromhex("58120000")  # 0(2) is D(X)


def test_macro_library_and_copy_through_the_command(tmp_path, capsys):
    library = tmp_path / "maclib"
    library.mkdir()
    (library / "GREET.mac").write_text(
        "         MACRO\n&L       GREET &WHO\n&L       DC    C'HELLO &WHO'\n         MEND\n"
    )
    (library / "REGS.cpy").write_text("R1       EQU   1\nR2       EQU   2\n")
    source = tmp_path / "prog.asm"
    source.write_text("T CSECT\n COPY REGS\nMSG GREET WORLD\n LR R1,R2\n END\n")
    listing = tmp_path / "prog.lst"
    status = main(["asm", str(source), "--maclib", str(library), "--listing", str(listing)])
    assert status == 0, capsys.readouterr().err
    text = listing.read_text()
    assert "MSG      DC    C'HELLO WORLD'" in text
    assert "1812" in text


def test_missing_copy_member_and_missing_library(tmp_path, capsys):
    result = assemble("T CSECT\n COPY NOPE\n END\n", maclib=[tmp_path])
    assert "COPY member NOPE not found" in result.diagnostics[0].message
    source = tmp_path / "p.asm"
    source.write_text(" END\n")
    assert main(["asm", str(source), "--maclib", str(tmp_path / "none")]) == 16
    assert "not a directory" in capsys.readouterr().err


def test_macro_defined_inside_a_macro_is_defined_when_expanded():
    source = """\
         MACRO
         MAKER
         MACRO
         INNER &X
         DC    C'&X'
         MEND
         MEND
T CSECT
 MAKER
 INNER Z
 END
"""
    assert generated(source) == ["DC C'Z'"]


def test_copy_inside_a_definition_brings_the_member_in(tmp_path):
    (tmp_path / "BODY.cpy").write_text("         DC    C'&P'\n")
    source = " MACRO\n WITHCOPY &P\n COPY BODY\n MEND\nT CSECT\n WITHCOPY Q\n END\n"
    assert generated(source, maclib=[tmp_path]) == ["DC C'Q'"]


def test_cms_style_library_files(tmp_path):
    # A MACRO file with several definitions, a COPY file with *COPY members.
    (tmp_path / "cmsmacs.macro").write_text(
        " MACRO\n FIRST\n DC C'1'\n MEND\n MACRO\n SECOND &X\n DC C'2&X'\n MEND\n"
    )
    (tmp_path / "equates.copy").write_text(
        "*COPY REGEQU\nR0 EQU 0\nR1 EQU 1\n*COPY OTHER\nZZ EQU 9\n"
    )
    source = "T CSECT\n COPY REGEQU\n SECOND Z\n FIRST\n LR R0,R1\n END\n"
    result = assemble(source, maclib=[tmp_path])
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    codes = [s.object_code for s in result.assembly.statements if s.object_code]
    assert codes == ["2Z".encode("cp037"), "1".encode("cp037"), bytes.fromhex("1801")]
    assert "ZZ" not in result.assembly.symbols.symbols


def test_a_copy_member_that_copies_itself_is_stopped(tmp_path):
    (tmp_path / "LOOP.cpy").write_text(" COPY LOOP\n")
    result = assemble("T CSECT\n COPY LOOP\n END\n", maclib=[tmp_path])
    assert result.return_code == 12
    assert any("copy itself" in d.message for d in result.diagnostics)


def test_missing_copy_member_inside_a_definition_is_reported():
    result = assemble(" MACRO\n M\n COPY NOPE\n MEND\nT CSECT\n M\n END\n")
    assert result.return_code == 12
    assert "COPY member NOPE not found" in result.diagnostics[0].message
    assert result.diagnostics[0].statement == 3


def test_unknown_keyword_is_an_error_and_the_operand_is_ignored():
    result = assemble(SAVE_MACRO + "T CSECT\n SAVE (2,3),KIND=X\n END\n")
    assert result.return_code == 8
    assert "KIND= is not a keyword of macro SAVE" in result.diagnostics[0].message
    assert result.diagnostics[0].statement == 9


def test_attribute_driven_macro_chooses_the_instructions():
    # In the manner of the manual's MOVE example: the operands' attributes pick the code.
    source = """\
         MACRO
&NAME    MOVE  &TO,&FROM
         AIF   (T'&TO NE T'&FROM).ERROR
         AIF   (T'&TO EQ 'F').WORD
&NAME    MVC   &TO.(L'&TO),&FROM
         MEXIT
.WORD    ANOP
&NAME    L     0,&FROM
         ST    0,&TO
         MEXIT
.ERROR   MNOTE 8,'&TO AND &FROM ARE NOT THE SAME TYPE'
         MEND
T        CSECT
         USING T,12
         MOVE  W1,W2
         MOVE  C1,C2
         MOVE  W1,C1
W1       DS    F
W2       DS    F
C1       DS    CL5
C2       DS    CL5
         END
"""
    result = assemble(source)
    assert result.return_code == 8
    assert result.diagnostics[0].message.startswith("MNOTE: W1 AND C1 ARE NOT THE SAME TYPE")
    texts = [
        " ".join(s.source.text.split())
        for s in result.assembly.statements
        if s.source.generated and s.kind == "machine"
    ]
    assert texts == ["L 0,W2", "ST 0,W1", "MVC C1(L'C1),C2"]
    (mvc,) = [s for s in result.assembly.statements if s.operation == "MVC"]
    assert mvc.object_code[1] == 4  # L'C1 is 5

"""The macro chapter of GC28-6514 worked through: its standard examples (sources written
here after the manual's descriptions), macros that call macros, sequence-symbol loops,
keyword defaults, sublists, attributes, generated definitions and &SYSDATE."""

import datetime

from assembler import assemble


def clean(source: str, **options):
    result = assemble(source, **options)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    return result


def generated_text(result) -> list[str]:
    """Generated statements that are assembled, their fields joined by one blank."""
    return [
        " ".join(s.source.text.split())
        for s in result.assembly.statements
        if s.source.generated and s.kind != "comment"
    ]


def code_of(result, operation: str) -> list[bytes]:
    return [s.object_code for s in result.assembly.statements if s.operation == operation]


MOVE = """\
         MACRO
&NAME    MOVE  &TO,&FROM
&NAME    ST    2,SAVEAREA
         L     2,&FROM
         ST    2,&TO
         L     2,SAVEAREA
         MEND
"""


def test_the_move_macro_generates_its_four_model_statements_with_the_name():
    source = MOVE + (
        "T        CSECT\n"
        "         USING T,12\n"
        "HERE     MOVE  FIELDA,FIELDB\n"
        "FIELDA   DS    F\n"
        "FIELDB   DS    F\n"
        "SAVEAREA DS    F\n"
        "         END\n"
    )
    result = clean(source)
    assert generated_text(result) == [
        "HERE ST 2,SAVEAREA",
        "L 2,FIELDB",
        "ST 2,FIELDA",
        "L 2,SAVEAREA",
    ]
    machine = [s.object_code for s in result.assembly.statements if s.kind == "machine"]
    assert machine == [
        bytes.fromhex("5020C018"),
        bytes.fromhex("5820C014"),
        bytes.fromhex("5020C010"),
        bytes.fromhex("5820C018"),
    ]
    assert result.assembly.symbols.symbols["HERE"].value.offset == 0
    assert "000000 5020C018           00018    11+ HERE     ST    2,SAVEAREA" in result.listing


def test_concatenated_operation_codes_choose_the_instruction_and_an_omitted_operand_is_null():
    source = """\
         MACRO
&NAME    MOVE  &TYPE,&TO,&FROM
&NAME    ST&TYPE 2,SAVE&TYPE
         L&TYPE 2,&FROM
         ST&TYPE 2,&TO
         MEND
T        CSECT
         USING T,12
         MOVE  H,HALFA,HALFB
         MOVE  ,FULLA,FULLB
HALFA    DS    H
HALFB    DS    H
SAVEH    DS    H
FULLA    DS    F
FULLB    DS    F
SAVE     DS    F
         END
"""
    result = clean(source)
    assert generated_text(result) == [
        "STH 2,SAVEH",
        "LH 2,HALFB",
        "STH 2,HALFA",
        "ST 2,SAVE",
        "L 2,FULLB",
        "ST 2,FULLA",
    ]
    assert [s.object_code[0] for s in result.assembly.statements if s.kind == "machine"] == [
        0x40,
        0x48,
        0x40,
        0x50,
        0x58,
        0x50,
    ]


KEYWORD_MOVE = """\
         MACRO
&NAME    MOVE  &TYPE=,&REG=2,&TO=,&FROM=
&NAME    L&TYPE &REG,&FROM
         ST&TYPE &REG,&TO
         MEND
"""


def test_keyword_operands_in_any_order_and_their_defaults():
    source = KEYWORD_MOVE + (
        "T        CSECT\n"
        "         USING T,12\n"
        "         MOVE  TO=A,FROM=B\n"
        "         MOVE  FROM=D,REG=5,TYPE=H,TO=C\n"
        "A        DS    F\n"
        "B        DS    F\n"
        "C        DS    H\n"
        "D        DS    H\n"
        "         END\n"
    )
    result = clean(source)
    assert generated_text(result) == ["L 2,B", "ST 2,A", "LH 5,D", "STH 5,C"]


def test_sublists_their_count_and_elements_of_elements():
    source = """\
         MACRO
&NAME    SUMUP &REGS,&INTO,&PAIR
         LCLA  &I,&NP,&NS
&I       SETA  2
&NP      SETA  N'&PAIR
&NS      SETA  N'&SYSLIST
&NAME    LR    &REGS(1),&REGS(2)
.NEXT    AIF   (&I GE N'&REGS).STORE
&I       SETA  &I+1
         AR    &REGS(1),&REGS(&I)
         AGO   .NEXT
.STORE   ST    &REGS(1),&INTO
         DC    C'&PAIR(2,1)&SYSLIST(3,1)'
         DC    AL1(&NP,&NS)
         MEND
T        CSECT
         USING T,12
ADD      SUMUP (1,2,3,4),TOTAL,(X,(Y,Z))
TOTAL    DS    F
         END
"""
    result = clean(source)
    assert generated_text(result) == [
        "ADD LR 1,2",
        "AR 1,3",
        "AR 1,4",
        "ST 1,TOTAL",
        "DC C'YX'",
        "DC AL1(2,3)",
    ]


def test_syslist_with_a_sequence_symbol_loop_generates_one_constant_per_operand():
    source = """\
         MACRO
&NAME    TABLE
         LCLA  &I,&N
&N       SETA  N'&SYSLIST
&NAME    DC    AL1(&N)
.LOOP    ANOP
&I       SETA  &I+1
         AIF   (&I GT N'&SYSLIST).END
         DC    F'&SYSLIST(&I)'
         AGO   .LOOP
.END     MEND
T        CSECT
LIST     TABLE 10,20,30,40
         END
"""
    result = clean(source)
    assert code_of(result, "DC") == [
        b"\x04",
        (10).to_bytes(4, "big"),
        (20).to_bytes(4, "big"),
        (30).to_bytes(4, "big"),
        (40).to_bytes(4, "big"),
    ]
    assert result.assembly.symbols.symbols["LIST"].value.offset == 0


def test_open_code_loop_with_set_symbols_and_sequence_symbols():
    source = """\
         LCLA  &N
         LCLC  &LABEL
T        CSECT
.TOP     ANOP
&N       SETA  &N+1
&LABEL   SETC  'ENTRY&N'
&LABEL   DC    H'&N'
         AIF   (&N LT 3).TOP
         END
"""
    result = clean(source)
    symbols = result.assembly.symbols.symbols
    assert [symbols[f"ENTRY{n}"].value.offset for n in (1, 2, 3)] == [0, 2, 4]
    assert code_of(result, "DC") == [b"\x00\x01", b"\x00\x02", b"\x00\x03"]


def test_macros_that_generate_macro_calls_three_deep_with_sysndx():
    source = """\
         MACRO
&L       LEAF  &V
&L       DC    C'&V&SYSNDX'
         MEND
         MACRO
&L       BRANCH &A,&B
&L       LEAF  &A
         LEAF  &B.X
         MEND
         MACRO
         ROOT  &P
         BRANCH &P,Q
         MEND
T        CSECT
         ROOT  R
         ROOT  S
         END
"""
    result = clean(source)
    # Every macro instruction, inner ones too, takes the next &SYSNDX.
    assert generated_text(result) == [
        "DC C'R0003'",
        "DC C'QX0004'",
        "DC C'S0007'",
        "DC C'QX0008'",
    ]
    stacks = {s.source.macro_stack for s in result.assembly.statements if s.operation == "DC"}
    assert (
        "ROOT called at line 15",
        "BRANCH called at line 15",
        "LEAF called at line 15",
    ) in stacks


def test_sysndx_makes_labels_unique_across_calls():
    source = """\
         MACRO
         SKIP
         B     OVER&SYSNDX
         DC    F'0'
OVER&SYSNDX DS 0H
         MEND
T        CSECT
         USING T,12
         SKIP
         SKIP
         END
"""
    result = clean(source)
    symbols = result.assembly.symbols.symbols
    assert symbols["OVER0001"].value.offset == 8
    assert symbols["OVER0002"].value.offset == 16
    branches = [s.object_code for s in result.assembly.statements if s.operation == "B"]
    assert branches == [bytes.fromhex("47F0C008"), bytes.fromhex("47F0C010")]


def test_global_counter_shared_by_two_macros_and_open_code():
    source = """\
         GBLA  &COUNT
         MACRO
         ONE
         GBLA  &COUNT
&COUNT   SETA  &COUNT+1
         DC    AL1(&COUNT)
         MEND
         MACRO
         TWO
         GBLA  &COUNT
&COUNT   SETA  &COUNT+10
         ONE
         MEND
T        CSECT
         ONE
         TWO
         ONE
         DC    AL1(&COUNT)
         END
"""
    result = clean(source)
    assert code_of(result, "DC") == [b"\x01", b"\x0c", b"\x0d", b"\x0d"]


def test_mnote_and_mexit_for_a_wrong_number_of_operands():
    source = """\
         MACRO
         PAIR  &A,&B
         AIF   (N'&SYSLIST EQ 2).OK
         MNOTE 12,'PAIR NEEDS TWO OPERANDS'
         MEXIT
.OK      DC    AL1(&A,&B)
         MEND
T        CSECT
         PAIR  1,2
         PAIR  3
         PAIR  4,5
         END
"""
    result = assemble(source)
    assert result.return_code == 12
    (diagnostic,) = result.diagnostics
    assert diagnostic.message.startswith("MNOTE: PAIR NEEDS TWO OPERANDS")
    assert diagnostic.line == 10
    assert code_of(result, "DC") == [b"\x01\x02", b"\x04\x05"]


ATTRIBUTES = """\
         MACRO
         SHOW  &P
         DC    AL1(L'&P,S'&P,I'&P),C'&P'
         MEND
         MACRO
&N       MAKE
&N       DC    PL4'1.5'
         MEND
T        CSECT
         SHOW  FW
         SHOW  HS
         SHOW  PK
         SHOW  ZN
         SHOW  DS
         SHOW  ES
         SHOW  LAST
GEN      MAKE
         SHOW  GEN
FW       DC    F'1'
HS       DC    HS6'1.5'
PK       DC    P'123.45'
ZN       DC    Z'-12.3'
DS       DC    DS2'1.5'
ES       DC    E'1.0'
LAST     LR    1,2
         END
"""


def test_scale_and_integer_attributes_of_constants():
    # GC28-6514: S' is the scale modifier of F H E D and the digits after the point of
    # P and Z; I' is 8L-S-1 for F and H, 2(L-1)-S for E and D, 2L-S-1 for P, L-S for Z.
    result = clean(
        ATTRIBUTES.replace("AL1(L'&P,S'&P,I'&P)", "AL1(&L,&S,&I)").replace(
            "         SHOW  &P\n",
            "         SHOW  &P\n         LCLA  &L,&S,&I\n&L       SETA  L'&P\n"
            "&S       SETA  S'&P\n&I       SETA  I'&P\n",
        )
    )
    shown = {
        code[3:].decode("cp037"): tuple(code[:3])
        for code in (
            s.object_code
            for s in result.assembly.statements
            if s.operation == "DC"
            and s.source.macro_stack[-1:] != ()
            and s.source.macro_stack[-1].startswith("SHOW ")
        )
    }
    assert shown == {
        "FW": (4, 0, 31),
        "HS": (2, 6, 9),
        "PK": (3, 2, 3),
        "ZN": (3, 1, 2),
        "DS": (8, 2, 12),
        "ES": (4, 0, 6),
        "LAST": (2, 0, 0),
        "GEN": (4, 1, 6),  # defined by a macro expansion before the reference
    }


def test_type_and_length_of_a_symbol_defined_in_generated_code():
    source = """\
         MACRO
&N       AREA  &SIZE
&N       DS    CL&SIZE
         MEND
         MACRO
         CLEAR &F
         AIF   (T'&F NE 'C').NOTC
         XC    &F.(L'&F),&F
         MEXIT
.NOTC    MNOTE 8,'&F IS NOT A CHARACTER FIELD'
         MEND
T        CSECT
         USING T,12
BUF      AREA  12
         CLEAR BUF
         END
"""
    result = clean(source)
    assert generated_text(result) == ["BUF DS CL12", "XC BUF(L'BUF),BUF"]
    (xc,) = code_of(result, "XC")
    assert xc == bytes.fromhex("D70BC000C000")


def test_a_definition_generated_by_an_expansion_takes_the_outer_values():
    source = """\
         MACRO
         DEFINE &OP,&TEXT
         LCLC  &V
&V       SETC  'OUTER'
         MACRO
&L       &OP   &X
         LCLC  &V
&V       SETC  'INNER'
&L       DC    C'&TEXT.&X.&V&SYSNDX'
         MEND
         MEND
T        CSECT
         DEFINE GREET,HI
         DEFINE SHOUT,HEY
A        GREET THERE
         SHOUT YOU
         END
"""
    result = clean(source)
    # &OP and &TEXT belong to DEFINE; &L, &X and &V to the generated macro.
    # &SYSNDX stays for the generated macro's own calls (the third and fourth).
    assert generated_text(result) == ["A DC C'HITHEREINNER0003'", "DC C'HEYYOUINNER0004'"]


def test_sysdate_and_systime_are_fixed_unless_a_time_is_given():
    source = """\
         MACRO
         STAMP
         DC    C'&SYSDATE &SYSTIME'
         MEND
T        CSECT
         STAMP
         END
"""
    first, second = assemble(source), assemble(source)
    assert code_of(first, "DC") == ["01/01/70 00.00".encode("cp037")]
    assert first.listing == second.listing and first.object_deck == second.object_deck
    when = datetime.datetime(1972, 8, 3, 14, 5)
    dated = [assemble(source, now=when) for _ in range(2)]
    assert code_of(dated[0], "DC") == ["08/03/72 14.05".encode("cp037")]
    assert "08/03/72 14.05" in dated[0].listing
    assert dated[0].listing == dated[1].listing
    assert dated[0].object_deck == dated[1].object_deck


def test_attributes_of_symbols_in_a_copy_member_are_known_before_the_copy(tmp_path):
    (tmp_path / "DATA.cpy").write_text("AMOUNT   DC    PL5'12.345'\n")
    source = """\
         LCLA  &L,&S
&L       SETA  L'AMOUNT
&S       SETA  S'AMOUNT
T        CSECT
         DC    AL1(&L,&S)
         AIF   (T'AMOUNT NE 'P').WRONG
         COPY  DATA
.WRONG   END
"""
    result = clean(source, maclib=[tmp_path])
    assert code_of(result, "DC")[0] == b"\x05\x03"
    assert "AMOUNT" in result.assembly.symbols.symbols


def test_a_generated_definition_bypassed_by_aif_is_not_defined():
    source = """\
         MACRO
         MAYBE &WANT
         AIF   ('&WANT' NE 'YES').SKIP
         MACRO
         LATER
         DC    C'L'
         MEND
.SKIP    MEND
T        CSECT
         MAYBE NO
         LATER
         MAYBE YES
         LATER
         END
"""
    result = assemble(source)
    (diagnostic,) = result.diagnostics
    assert diagnostic.statement == 11
    assert diagnostic.message.startswith("unknown operation code LATER")
    assert code_of(result, "DC") == [b"\xd3"]

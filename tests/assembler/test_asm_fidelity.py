"""Cases where real programs met the assembler, each checked against the rule of the
Assembler F manual (GC28-6514) or, where F is silent, Assembler XF.

Expected object code is worked out by hand from the instruction formats (PoO) and
the manual's rules for lengths, locations and base registers.
"""

import pytest

from assembler import assemble
from assembler.loader import ObjectDeckError, load

PREFIX = "T CSECT\n USING T,12\n"


def symbol(result, name: str):
    return result.assembly.symbols.symbols[name]


def code(result, number: int) -> str:
    return result.assembly.statements[number - 1].object_code.hex().upper()


def messages(result) -> str:
    return "\n".join(diagnostic.message for diagnostic in result.diagnostics)


# DS lengths: C and X to 65,535 in DS, 256 in DC (GC28-6514, summary of constants)


@pytest.mark.parametrize("operand", ["XL4000", "CL4000", "XL65535", "CL65535"])
def test_ds_takes_c_and_x_lengths_to_65535(asm, operand):
    result = asm.assembled(PREFIX + f"A DS {operand}\nB DS X\n END\n")
    length = int(operand[2:])
    assert symbol(result, "B").value.offset == length
    assert symbol(result, "A").length == length


@pytest.mark.parametrize(
    "statement", [" DS XL65536", " DS CL65536", " DC XL257'1'", " DC CL257'A'", " DS BL257"]
)
def test_lengths_past_the_limit_are_refused(asm, statement):
    result = asm.assembled(PREFIX + statement + "\n END\n", expect_rc=12)
    assert "length modifier" in messages(result)


# USING with an absolute base


def test_absolute_address_in_an_absolute_using_range_takes_that_base(asm):
    source = "DUM EQU 0\nFLD EQU X'100'\nT CSECT\n USING DUM,2\n LA 1,FLD\n END\n"
    # RX: 41, R1=1 X2=0, B2=2, D2=100
    assert code(asm.assembled(source), 5) == "41102100"


def test_absolute_address_without_a_using_takes_register_0(asm):
    assert code(asm.assembled("T CSECT\n LA 1,X'100'\n END\n"), 2) == "41100100"


def test_absolute_using_above_4095_gives_the_smaller_displacement(asm):
    source = "T CSECT\n USING 4096,3\n LA 1,4100\n LA 1,100\n END\n"
    result = asm.assembled(source)
    assert code(result, 3) == "41103004"
    # 100 is below the USING's base: only register 0 reaches it.
    assert code(result, 4) == "41100064"


# Names of CNOP and ORG statements


def test_cnop_name_is_the_location_before_the_padding(asm):
    result = asm.assembled(PREFIX + " DC X'00'\nLBL CNOP 0,4\nNEXT DC X'01'\n END\n")
    assert symbol(result, "LBL").value.offset == 1
    assert symbol(result, "NEXT").value.offset == 4


def test_org_name_is_the_location_before_the_org(asm):
    result = asm.assembled(PREFIX + " DS 10X\nLBL ORG *+6\nNEXT DC X'01'\n END\n")
    assert symbol(result, "LBL").value.offset == 10
    assert symbol(result, "NEXT").value.offset == 16


# Zero-length constants


@pytest.mark.parametrize("constant", ["X''", "B''", "3X''"])
def test_a_constant_with_nothing_in_it_is_an_error_and_reserves_nothing(asm, constant):
    result = asm.assembled(PREFIX + f"A DC {constant}\nB DC X'01'\n END\n", expect_rc=8)
    assert "nothing in it" in messages(result)
    assert symbol(result, "B").value.offset == 0


# Duplication factors that use the statement's own name


def test_duplication_factor_may_use_its_own_name(asm):
    source = PREFIX + "ERP1 DS 0H\n DC X'01'\nPATCH DC (64-(PATCH-ERP1))X'00'\nNEXT DS 0X\n END\n"
    result = asm.assembled(source)
    assert symbol(result, "PATCH").value.offset == 1
    assert symbol(result, "NEXT").value.offset == 64
    assert code(result, 5) == "00" * 63


def test_own_name_in_a_duplication_factor_is_the_aligned_location(asm):
    source = PREFIX + " DC X'01'\nF DC (F-T)F'7'\nNEXT DS 0X\n END\n"
    result = asm.assembled(source)
    assert symbol(result, "F").value.offset == 4
    assert symbol(result, "NEXT").value.offset == 4 + 4 * 4


# SS operands with the length left out


def test_ss_operand_with_length_omitted_takes_the_implied_length(asm):
    source = PREFIX + "D DS CL10\nDA DS CL10\nB DS CL10\n CLC DA-D(,5),B\n END\n"
    # D5, L=L'DA-1=9, B1=5 D1=DA-D=00A, B2=12 D2=B-T=014
    assert code(asm.assembled(source), 6) == "D509500AC014"


# Continuation (GC28-6514, "Alternate Statement Format", "Continuation Lines")


def card(text: str, continued: bool = False) -> str:
    """A card image: the statement in 1-71, a continuation mark in 72 when asked."""
    return text.ljust(71)[:71] + ("X" if continued else " ")


THREE_OPERANDS = " MACRO\n MAC &A,&B,&C\n DC C'&A'\n DC C'&B'\n DC C'&C'\n MEND\nT CSECT\n"


def test_alternate_format_macro_call_keeps_every_operand(asm):
    source = THREE_OPERANDS + "\n".join(
        [
            card("         MAC   AA,             FIRST OPERAND", True),
            card("               BB,             SECOND OPERAND", True),
            card("               CC              LAST OPERAND"),
            " END\n",
        ]
    )
    result = asm.assembled(source)
    generated = [s.object_code for s in result.assembly.statements if s.source.generated]
    assert generated == [b"\xc1\xc1", b"\xc2\xc2", b"\xc3\xc3"]


def test_alternate_format_inside_parentheses_continues_the_sublist(asm):
    source = THREE_OPERANDS + "\n".join(
        [
            card("         MAC   (AA,            FIRST HALF OF A SUBLIST", True),
            card("               BB),CC,DD"),
            " END\n",
        ]
    )
    result = asm.assembled(source)
    generated = [s.object_code for s in result.assembly.statements if s.source.generated]
    # &A is the sublist (AA,BB): eight characters.
    assert generated == ["(AA,BB)".encode("cp037"), b"\xc3\xc3", b"\xc4\xc4"]


def test_alternate_format_continues_a_machine_instruction_too(asm):
    source = "\n".join(
        [
            "T CSECT",
            card("         DC    A(1,            FIRST", True),
            card("               2)"),
            " END\n",
        ]
    )
    assert code(asm.assembled(source), 2) == "0000000100000002"


def test_continued_comment_card_with_text_before_column_16_is_a_warning(asm):
    source = "\n".join(
        [
            "T CSECT",
            card("* A COMMENT THAT GOES ON", True),
            card("* ON THE NEXT CARD FROM COLUMN 1"),
            " DC X'01'",
            " END\n",
        ]
    )
    result = asm.assembled(source, expect_rc=4)
    assert "continuation card must be blank" in messages(result)
    assert code(result, 3) == "01"


# Macro language: attributes, keywords, operation fields, strings


TYPE_OF = " MACRO\n TYPEOF &A\n&T SETC T'&A\n DC C'&T'\n MEND\n"


def generated_text(result) -> bytes:
    return b"".join(s.object_code for s in result.assembly.statements if s.source.generated)


def test_type_attribute_of_an_extrn_symbol_is_t(asm):
    result = asm.assembled(TYPE_OF + "T CSECT\n EXTRN EXT1,EXT2\n TYPEOF EXT2\n END\n")
    assert generated_text(result) == b"\xe3"  # C'T'


@pytest.mark.parametrize(
    "operand, expected",
    [("(1,2)", "N"), ("(A,B)", "F"), ("(,B)", "O")],
)
def test_type_attribute_of_a_sublist_is_its_first_operand(asm, operand, expected):
    source = TYPE_OF + f"T CSECT\n TYPEOF {operand}\nA DC F'1'\nB DC C'B'\n END\n"
    result = asm.assembled(source)
    assert generated_text(result)[:1] == expected.encode("cp037")


def test_undefined_keyword_is_an_error_and_the_operand_is_ignored(asm):
    source = " MACRO\n MAC &A,&K=7\n DC AL1(&K)\n DC C'&A'\n MEND\nT CSECT\n MAC X,Z=3\n END\n"
    result = asm.assembled(source, expect_rc=8)
    assert "Z= is not a keyword of macro MAC" in messages(result)
    assert generated_text(result) == b"\x07\xe7"  # the default K, then C'X'


def test_variable_symbol_in_the_operation_field_cannot_call_a_macro(asm):
    source = " MACRO\n MAC\n DC X'01'\n MEND\nT CSECT\n&OP SETC 'MAC'\n &OP\n END\n"
    result = asm.assembled(source, expect_rc=8)
    assert "cannot call a macro" in messages(result)
    assert generated_text(result) == b""


def test_variable_symbol_in_the_operation_field_may_name_an_instruction(asm):
    source = "T CSECT\n&OP SETC 'LR'\n &OP 1,2\n END\n"
    assert code(asm.assembled(source), 3) == "1812"


def test_substring_followed_directly_by_a_string(asm):
    source = "T CSECT\n&F SETC 'ABCDEF'\n&P SETC 'XY'\n&R SETC '&F'(1,3)'&P'\n DC C'&R'\n END\n"
    assert code(asm.assembled(source), 5) == "ABCXY".encode("cp037").hex().upper()


def test_two_strings_without_a_period_are_an_error(asm):
    source = "T CSECT\n&R SETC 'AB''CD'\n&S SETC ('AB' 'CD')\n END\n"
    result = asm.assembled(source, expect_rc=12)
    assert "period must join" in messages(result)


# External dummy sections: DXD, CXD and Q-type constants (GC28-6514; OS/360 object
# module: ESD type X'06' PR, RLD flag types 2 (Q) and 3 (CXD))

PSEUDO = """\
T        CSECT
QW       DC    Q(AREA)
QH       DC    QL2(WORK)
LEN      CXD
AREA     DXD   2F
WORK     DSECT
W1       DS    CL10
         END
"""

SECOND = """\
U        CSECT
QA       DC    Q(AREA)
QB       DC    Q(PB)
LEN2     CXD
AREA     DXD   3F
PB       DXD   H
         END
"""


def cards_of(result, kind: str) -> list[bytes]:
    return [card for card in result.cards if card[1:4] == kind.encode("cp037")]


def test_dxd_and_a_dsect_in_a_q_constant_are_pr_items(asm):
    result = asm.assembled(PSEUDO)
    (esd,) = cards_of(result, "ESD")
    items = esd[16:64]
    # T SD, then AREA: PR (06), boundary less one 3 (fullword), length 8; then the
    # DSECT WORK: doubleword boundary (7), length 10.
    assert items[16:32] == "AREA    ".encode("cp037") + bytes.fromhex("06000003") + bytes(
        [0x40]
    ) + bytes.fromhex("000008")
    assert items[32:48] == "WORK    ".encode("cp037") + bytes.fromhex("06000007") + bytes(
        [0x40]
    ) + bytes.fromhex("00000A")
    assert esd[14:16] == b"\x00\x01"


def test_q_and_cxd_fields_get_rld_items_of_types_2_and_3(asm):
    result = asm.assembled(PSEUDO)
    assert code(result, 2) == "00000000" and code(result, 3) == "0000"
    assert code(result, 4) == "00000000"
    items = sorted(
        (item.relocation_key, item.position_key, item.flags, item.address)
        for item in result.assembly.relocation_items
    )
    # CXD: no relocation ID, type 3, 4 bytes (0011 11 00); Q(AREA): type 2, 4 bytes
    # (0010 11 00); QL2(WORK): type 2, 2 bytes (0010 01 00).
    assert items == [(0, 1, 0x3C, 8), (2, 1, 0x2C, 0), (3, 1, 0x24, 4)]


def test_q_literal(asm):
    source = "T CSECT\n USING T,12\n L 1,=Q(AREA)\nAREA DXD F\n END\n"
    result = asm.assembled(source)
    (item,) = result.assembly.relocation_items
    assert item.flags == 0x2C and item.address == 8


@pytest.mark.parametrize(
    "statement, fragment",
    [
        (" DC A(AREA)", "only a Q-type constant"),
        (" DC Q(T)", "needs the name of a DXD or a DSECT"),
        (" DC Q(AREA+4)", "names one DXD or DSECT"),
    ],
)
def test_q_constant_misuse_is_an_error(asm, statement, fragment):
    result = assemble(f"T CSECT\n{statement}\nAREA DXD F\n END\n")
    assert result.return_code >= 8
    assert fragment in messages(result)


def test_loader_lays_out_the_pseudo_register_vector():
    first, second = (asm_deck(PSEUDO), asm_deck(SECOND))
    storage = bytearray(0x10000)
    loaded = load([first, second], storage, 0x1000)
    # AREA: the longer of 8 and 12 bytes at 0; WORK on a doubleword at 16 (10 bytes);
    # PB on a halfword at 26; 28 bytes in all.
    assert loaded.pseudo_registers == {"AREA": 0, "WORK": 16, "PB": 26}
    assert loaded.pseudo_register_length == 28
    t, u = (section.address for section in loaded.sections)
    assert storage[t : t + 12] == bytes.fromhex("00000000 0010 0000 0000001C".replace(" ", ""))
    assert storage[u : u + 12] == bytes.fromhex("00000000 0000001A 0000001C".replace(" ", ""))


def asm_deck(source: str) -> bytes:
    result = assemble(source)
    assert result.return_code == 0, messages(result)
    return result.object_deck


@pytest.mark.parametrize("flag, fragment", [(0x0C, "only Q-type"), (0x4C, "type 4")])
def test_loader_refuses_rld_items_it_cannot_apply(flag, fragment):
    deck = bytearray(asm_deck("T CSECT\nQW DC Q(AREA)\nAREA DXD F\n END\n"))
    rld = next(i for i in range(0, len(deck), 80) if deck[i + 1 : i + 4] == b"\xd9\xd3\xc4")
    assert deck[rld + 20] == 0x2C
    deck[rld + 20] = flag
    storage = bytearray(0x1000)
    with pytest.raises(ObjectDeckError, match=fragment):
        load([bytes(deck)], storage, 0x100)
    assert not any(storage)


# Floating-point constants (GC28-6514, "Floating-Point Constants -- E, D"; the
# format is the PoO's: sign, characteristic excess 64, hexadecimal fraction)


@pytest.mark.parametrize(
    "operand, expected",
    [
        # 1.1377716064453125 is X'1.2345': normalized 41 123450; the scale modifier
        # shifts the fraction one digit right and adds one to the characteristic.
        ("ES1'1.1377716064453125'", "42012345"),
        # X'1.23448': shifted, the digit after the sixth is 8, so the fraction is
        # rounded up after the shift (truncation would give 012344).
        ("ES1'1.13776397705078125'", "42012345"),
        ("E'1.13776397705078125'", "41123448"),
        ("DS2'1'", "4300100000000000"),
    ],
)
def test_scale_modifier_rounds_after_shifting(asm, operand, expected):
    assert constant_hex(asm, operand) == expected


def constant_hex(asm, operand: str) -> str:
    return code(asm.assembled(f"T CSECT\n DC {operand}\n END\n"), 2)


def test_smallest_normalized_long_value(asm):
    # 16**-65, the smallest normalized value: characteristic 0, fraction X'1'.
    assert constant_hex(asm, "D'5.397605346934028E-79'") == "0010000000000000"


@pytest.mark.parametrize(
    "operand, expected",
    [("D'5.4E-79'", "001001D133A949F6"), ("E'5.4E-79'", "001001D1")],
)
def test_values_just_above_the_lower_limit(asm, operand, expected):
    # 5.4E-79 = X'0.1001D133A949F6...' times 16**-64.
    assert constant_hex(asm, operand) == expected


def test_value_below_the_lower_limit_is_an_error(asm):
    result = assemble("T CSECT\n DC D'5.3E-79'\n END\n")
    assert result.return_code == 8
    assert "outside the floating-point range" in messages(result)


# L-type extended precision: two long numbers, the second with the same sign, a
# characteristic 14 less and the next 14 fraction digits (PoO, extended precision)


@pytest.mark.parametrize(
    "operand, expected",
    [
        ("L'1.5'", "41180000000000003300000000000000"),
        ("LS2'1.5'", "43001800000000003500000000000000"),
        ("L'-1'", "C110000000000000B300000000000000"),
        ("L'0.1'", "4019999999999999329999999999999A"),
        ("L'0'", "00" * 16),
        ("LL8'1'", "4110000000000000"),
    ],
)
def test_extended_precision_constants(asm, operand, expected):
    assert constant_hex(asm, operand) == expected


def test_extended_precision_literal_is_doubleword_aligned_and_16_bytes(asm):
    source = "T CSECT\n USING T,12\n LD 0,=L'1.5'\nX DC L'1'\n END\n"
    result = asm.assembled(source)
    pool = result.assembly.literal_pools[-1]
    (entry,) = pool
    assert entry.location % 8 == 0 and len(entry.object_code) == 16
    assert entry.object_code.hex().upper() == "41180000000000003300000000000000"
    assert symbol(result, "X").length == 16 and symbol(result, "X").value.offset == 8


# Length attribute of EQU symbols


def test_equ_length_is_the_leftmost_terms_unless_a_parenthesis_comes_first(asm):
    source = PREFIX + "S1 DS CL8\nQ EQU (S1+4)\nR EQU S1+4\nP EQU (S1+4)-2\n END\n"
    result = asm.assembled(source)
    # GC28-6514: the leftmost term's length; an expression in parentheses is no term.
    assert [symbol(result, name).length for name in ("Q", "R", "P")] == [1, 8, 1]
    assert symbol(result, "Q").value.offset == 4


# Error recovery and limits


@pytest.mark.parametrize(
    "operand", ["A(((((((1)))))))", "(((((((1)))))))X'00'", "A(1+((((((1)))))))"]
)
def test_six_levels_of_parentheses_are_an_error(operand):
    result = assemble(f"T CSECT\n DC {operand}\n END\n")
    assert result.return_code == 12
    assert "more than 5 levels of parentheses" in messages(result)


def test_five_levels_of_parentheses_are_allowed(asm):
    result = asm.assembled("T CSECT\n DC A((((((1))))))\n LA 1,(((((2)))))(3)\n END\n")
    assert code(result, 2) == "00000001"
    assert code(result, 3) == "41130002"


def test_csect_named_like_an_earlier_extrn_is_an_error_and_takes_the_name(asm):
    source = "         EXTRN FOO\nFOO      CSECT\n         USING FOO,12\n         L 1,X\n"
    source += "X        DC    A(FOO)\n         END\n"
    result = asm.assembled(source, expect_rc=8)
    assert "FOO is declared external in statement 1" in messages(result)
    assert result.assembly.diagnostics[0].statement == 2
    # The section is addressable through its USING, and A(FOO) is the section's start.
    assert code(result, 4) == "5810C004"
    assert code(result, 5) == "00000000"
    (item,) = result.assembly.relocation_items
    (section,) = [s for s in result.assembly.symbols.sections if s.name == "FOO"]
    assert item.relocation_key == section.key
    assert "FOO" not in result.assembly.symbols.externals


def test_blank_inside_parentheses_ends_the_operand_field():
    # GC28-6514: the operand field ends at the first blank outside quotes, so
    # "( S1+4)" is the operand "(" followed by remarks.
    result = assemble("T CSECT\nS1 DS CL8\nP EQU ( S1+4)\n END\n")
    assert result.return_code == 12
    assert "operand field ends too soon" in messages(result)
    assert "a blank ends the operand field" in messages(result)


def test_extrn_of_a_dxd_name_is_a_duplicate_and_the_q_constant_stays_valid():
    result = assemble("T CSECT\nAREA DXD F\n EXTRN AREA\nQ DC Q(AREA)\n END\n")
    assert result.return_code == 8
    assert "AREA is already defined in statement 2" in messages(result)
    (item,) = result.assembly.relocation_items
    assert item.flags == 0x2C

"""DC and DS: every constant type and modifier (GC28-6514, "DC -- Define Constant").

Expected bytes are worked out by hand: two's complement for F and H,
hexadecimal floating point (excess-64 characteristic, PoO) for E and D,
packed and zoned decimal with C/D signs, EBCDIC for C.
"""

import pytest

PREFIX = "T CSECT\n USING T,12\n"


def constant(asm, operands: str) -> str:
    result = asm.assembled(PREFIX + f" DS CL8\nFIELD DS CL8\nK DC {operands}\n END\n")
    return result.assembly.statements[4].object_code.hex().upper()


@pytest.mark.parametrize(
    "operands, expected",
    [
        ("F'1'", "00000001"),
        ("F'-1'", "FFFFFFFF"),
        ("F'2147483647'", "7FFFFFFF"),
        ("F'-2147483648'", "80000000"),
        ("H'-2'", "FFFE"),
        ("H'1,2,3'", "000100020003"),
        ("3H'7'", "000700070007"),
        ("FL2'3'", "0003"),
        ("FL1'-1'", "FF"),
        ("FS1'1.5'", "00000003"),
        ("FS4'1.5'", "00000018"),
        ("F'5E2'", "000001F4"),
        ("FE2'3'", "0000012C"),
        ("HE-1'50'", "0005"),
        ("E'1'", "41100000"),
        ("E'-1'", "C1100000"),
        ("E'0.5'", "40800000"),
        ("E'100'", "42640000"),
        ("E'0.1'", "4019999A"),
        ("E'0'", "00000000"),
        ("D'1'", "4110000000000000"),
        ("D'-0.5'", "C080000000000000"),
        ("D'0.1'", "401999999999999A"),
        ("ES2'1'", "43001000"),
        ("EE1'1'", "41A00000"),
        ("EL8'1'", "4110000000000000"),
        ("DL4'1'", "41100000"),
        ("EL1'-1'", "C1"),
        ("DL8'-2.5'", "C128000000000000"),
        ("E'1E1'", "41A00000"),
        ("P'+123'", "123C"),
        ("P'-1'", "1D"),
        ("P'12'", "012C"),
        ("PL3'5'", "00005C"),
        ("P'1,22'", "1C022C"),
        ("P'12.34'", "01234C"),
        ("Z'123'", "F1F2C3"),
        ("Z'-12'", "F1D2"),
        ("ZL4'5'", "F0F0F0C5"),
        ("C'AB'", "C1C2"),
        ("CL4'AB'", "C1C24040"),
        ("CL1'AB'", "C1"),
        ("C'A''B'", "C17DC2"),
        ("C'&&'", "50"),
        ("2C'X'", "E7E7"),
        ("C'a 1'", "8140F1"),
        ("X'1F'", "1F"),
        ("X'F'", "0F"),
        ("XL3'1'", "000001"),
        ("XL1'1234'", "34"),
        ("X'1,2'", "0102"),
        ("B'1'", "01"),
        ("B'101000001'", "0141"),
        ("BL2'1'", "0001"),
        ("A(4)", "00000004"),
        ("AL1(255)", "FF"),
        ("AL3(FIELD)", "000008"),
        ("YL1(3)", "03"),
        ("VL3(EXT)", "000000"),
        ("AL2(FIELD-T)", "0008"),
        ("Y(10,-1)", "000AFFFF"),
        ("S(FIELD)", "C008"),
        ("S(4(5))", "5004"),
        ("A(C'AB')", "0000C1C2"),
        ("F'1',C'A'", "00000001C1"),
        # Bit lengths (L.n): packed bit by bit, the last byte filled with zero bits.
        ("FL.12'-1'", "FFF0"),
        ("FL.4'5',FL.4'-1'", "5F"),
        ("3BL.3'101'", "B680"),
        ("CL.12'A'", "C140"),
        ("XL.4'F',XL.4'1',X'22'", "F122"),
        ("AL.10(5)", "0140"),
        ("PL.12'-5'", "05D0"),
        ("EL.12'1'", "4110"),
        ("BL.3'1',F'1'", "2000000000000001"),
    ],
)
def test_constant_bytes(asm, operands, expected):
    assert constant(asm, operands) == expected


def test_unmodified_types_are_aligned_and_the_gap_is_zero_filled(asm):
    result = asm.assembled(PREFIX + "A DC C'A'\nB DC F'1'\nC DC H'2'\nD DC D'0'\n END\n")
    symbols = result.assembly.symbols.symbols
    assert [symbols[n].value.offset for n in "ABCD"] == [0, 4, 8, 16]
    image = asm.text_image(result)
    assert [image[a] for a in range(1, 4)] == [0, 0, 0]


def test_length_modifier_turns_alignment_off(asm):
    result = asm.assembled(PREFIX + "A DC C'A'\nB DC FL4'1'\n END\n")
    assert result.assembly.symbols.symbols["B"].value.offset == 1


def test_length_attribute_of_the_name_is_the_first_constant(asm):
    result = asm.assembled(PREFIX + "A DC CL8'X'\nB DC 3F'1'\nC DC P'1,12345'\nD DS 0CL80\n END\n")
    symbols = result.assembly.symbols.symbols
    assert [symbols[n].length for n in "ABCD"] == [8, 4, 1, 80]


def test_ds_reserves_without_generating(asm):
    result = asm.assembled(PREFIX + "A DS CL80\nB DS 3F\nC DS 0D\nE DS CL65535\nZ DC X'01'\n END\n")
    symbols = result.assembly.symbols.symbols
    assert symbols["B"].value.offset == 80
    assert symbols["C"].value.offset == 96
    assert symbols["Z"].value.offset == 96 + 65535
    assert result.assembly.statements[2].object_code == b""


def test_duplication_factor_expression_and_zero(asm):
    result = asm.assembled(PREFIX + "N EQU 3\nA DC (N+1)X'AB'\nB DC 0F'0'\nC DC X'01'\n END\n")
    assert result.assembly.statements[3].object_code == bytes.fromhex("ABABABAB")
    symbols = result.assembly.symbols.symbols
    assert symbols["B"].value.offset == 4 and symbols["C"].value.offset == 4


def test_relocatable_address_constant_has_a_relocation_item(asm):
    result = asm.assembled(PREFIX + "A DC A(B)\nB DC AL3(A),Y(A)\n END\n")
    items = [(i.address, i.length, i.negative) for i in result.assembly.relocation_items]
    # Y(A) is a second operand, aligned on its own (GC28-6514).
    assert items == [(0, 4, False), (4, 3, False), (8, 2, False)]
    assert result.assembly.statements[2].object_code == bytes.fromhex("00000004")


def test_complex_relocatable_constant_gets_a_negative_item(asm):
    result = asm.assembled("T CSECT\nA DC A(A-B)\nU CSECT\nB DC A(0)\n END\n")
    items = sorted((i.relocation_key, i.negative) for i in result.assembly.relocation_items)
    assert items == [(1, False), (2, True)]


def test_v_constant_makes_an_external_reference(asm):
    result = asm.assembled(PREFIX + "A DC V(SUB)\n END\n")
    (external,) = result.assembly.symbols.externals.values()
    assert (external.name, external.kind) == ("SUB", "ER")
    (item,) = result.assembly.relocation_items
    assert item.v_type and item.relocation_key == external.key


@pytest.mark.parametrize(
    "operands, fragment, rc",
    [
        ("F'2147483648'", "does not fit", 8),
        ("H'40000'", "does not fit", 8),
        ("F'ABC'", "not a decimal number", 12),
        ("X'FG'", "not a hex digit", 12),
        ("B'102'", "other than 0 and 1", 12),
        ("CL257'A'", "1 to 256", 12),
        ("F", "has no value", 12),
        ("A'1'", "in parentheses", 12),
        ("F(1)", "in quotes", 12),
        ("AL2(K)", "3 or 4 bytes", 8),
        ("CS1'A'", "scale modifier", 12),
        ("C'\u20ac'", "EBCDIC", 8),
        ("V(A+1)", "one external symbol", 12),
        ("FL.3'5'", "does not fit in 3 bits", 8),
        ("SL.3(1)", "bit length does not apply", 12),
        ("AL.24(K)", "relocatable address constant cannot have a bit length", 8),
        ("XL.2049'1'", "1 to 2048", 12),
    ],
)
def test_bad_constants_are_diagnosed(asm, operands, fragment, rc):
    result = asm.assembled(PREFIX + f"K DC {operands}\n END\n", expect_rc=rc)
    assert any(fragment in d.message for d in result.diagnostics), result.diagnostics
    assert all(d.statement == 3 for d in result.diagnostics)


def test_duplicated_address_constant_sees_its_own_location(asm):
    # GC28-6514: with duplication, * advances by the operand's length each time.
    result = asm.assembled("T CSECT\n DC H'0'\nK DC 3A(*),A(*)\n END\n")
    assert result.assembly.statements[2].object_code.hex().upper() == (
        "00000004000000080000000C00000010"
    )
    assert len(result.assembly.relocation_items) == 4


def test_zero_duplication_dc_needs_no_value(asm):
    result = asm.assembled("T CSECT\n DC C'A'\nK DC 0F\n END\n")
    assert result.assembly.symbols.symbols["K"].value.offset == 4

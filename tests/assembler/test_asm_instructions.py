"""Machine instructions: every format and operand form, checked byte for byte.

Expected bytes are worked out by hand from the instruction formats of the
Principles of Operation (GA22-6821): RR op R1R2; RX op R1X2 B2D2D2D2;
RS op R1R3 B2D2D2D2; SI op I2 B1D1D1D1; SS op L B1D1 B2D2 or op L1L2 B1D1 B2D2.
"""

import pytest

from assembler import assemble
from vm370.hardware.isa import EXTENDED_BRANCHES, INSTRUCTIONS

HEADER = "T CSECT\n USING T,12\n"


def assembled(source: str, expect_rc: int = 0):
    result = assemble(source)
    assert result.return_code == expect_rc, [str(d) for d in result.diagnostics]
    return result


def statement_code(source: str, number: int) -> bytes:
    return assembled(source).assembly.statements[number - 1].object_code


def code_of(line: str) -> bytes:
    return statement_code(HEADER + line + "\nX DS 0D\nFIELD DS CL8\nFIELD2 DS CL8\n END\n", 3)


@pytest.mark.parametrize(
    "line, expected",
    [
        (" AR 1,2", "1A12"),
        (" LR 15,0", "18F0"),
        (" BCR 8,14", "078E"),
        (" SPM 3", "0430"),
        (" SVC 255", "0AFF"),
        (" SVC X'0C'", "0A0C"),
        (" BALR 14,15", "05EF"),
        (" L 3,100(4,5)", "58345064"),
        (" L 3,100(4)", "58340064"),
        (" L 3,100(,5)", "58305064"),
        (" L 3,100", "58300064"),
        (" LA 1,4095", "41100FFF"),
        (" ST 2,FIELD", "5020C008"),
        (" ST 2,FIELD(7)", "5027C008"),
        (" ST 2,FIELD+4(7)", "5027C00C"),
        (" BC 15,X", "47F0C008"),
        (" STM 14,12,12(13)", "90ECD00C"),
        (" LM 0,15,FIELD", "980FC008"),
        (" BXLE 4,6,X", "8746C008"),
        (" SLL 3,4", "89300004"),
        (" SRDA 2,63", "8E20003F"),
        (" SLA 5,0(9)", "8B509000"),
        (" MVI FIELD,C'A'", "92C1C008"),
        (" MVI 4(6),X'FF'", "92FF6004"),
        (" CLI FIELD+1,64", "9540C009"),
        (" TM FIELD,B'10000001'", "9181C008"),
        (" TS FIELD", "9300C008"),
        (" LPSW 0", "82000000"),
        (" SSM 8(1)", "80001008"),
        (" SIO X'00E'", "9C00000E"),
        (" MVC FIELD,FIELD2", "D207C008C010"),
        (" MVC FIELD(3),FIELD2", "D202C008C010"),
        (" MVC 0(256,1),2(3)", "D2FF10003002"),
        (" MVC FIELD+2(1),FIELD2", "D200C00AC010"),
        (" XC FIELD,FIELD", "D707C008C008"),
        (" TR 0(10,4),FIELD2", "DC094000C010"),
        (" AP FIELD(3),FIELD2(2)", "FA21C008C010"),
        (" ZAP 0(16,1),0(1,2)", "F8F010002000"),
        (" PACK FIELD,FIELD2(5)", "F274C008C010"),
        (" UNPK FIELD(8),FIELD2", "F377C008C010"),
        (" LRA 1,0(2,3)", "B1123000"),
        (" STMC 0,15,64", "B00F0040"),
        (" LMC 2,2,FIELD", "B822C008"),
        (" DIAG 1,2,8", "83120008"),
        (" BAS 14,X", "4DE0C008"),
        (" BASR 14,15", "0DEF"),
        (" LD 0,X", "6800C008"),
        (" ADR 2,4", "2A24"),
        (" WRD 12,X'FF'", "84FF000C"),
    ],
)
def test_instruction_encodes_byte_for_byte(line, expected):
    assert code_of(line).hex().upper() == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        (" B X", "47F0C008"),
        (" NOP X", "4700C008"),
        (" BH X", "4720C008"),
        (" BL X", "4740C008"),
        (" BE X", "4780C008"),
        (" BNH X", "47D0C008"),
        (" BNL X", "47B0C008"),
        (" BNE X", "4770C008"),
        (" BO X", "4710C008"),
        (" BP X", "4720C008"),
        (" BM X", "4740C008"),
        (" BZ X", "4780C008"),
        (" BNP X", "47D0C008"),
        (" BNM X", "47B0C008"),
        (" BNZ X", "4770C008"),
        (" BNO X", "47E0C008"),
        (" BR 14", "07FE"),
        (" NOPR 0", "0700"),
        (" BER 3", "0783"),
        (" BNZR 3", "0773"),
        (" BNOR 1", "07E1"),
        (" B 4(5)", "47F50004"),
    ],
)
def test_extended_branch_mnemonic_supplies_the_mask(line, expected):
    assert code_of(line).hex().upper() == expected


def test_every_extended_branch_in_the_table_assembles():
    for mnemonic, (base, mask) in EXTENDED_BRANCHES.items():
        operand = "3" if base == "BCR" else "X"
        code = code_of(f" {mnemonic} {operand}")
        assert code[1] >> 4 == mask, mnemonic
        assert code[0] == (0x07 if base == "BCR" else 0x47)


def _explicit_operands(form: str) -> tuple[str, bytes]:
    """Operands with register fields 1..6 in order and displacements 0x123 / 0x456."""
    table = {
        "R1,R2": ("1,2", bytes([0x12])),
        "R1": ("1", bytes([0x10])),
        "M1,R2": ("1,2", bytes([0x12])),
        "I": ("18", bytes([18])),
        "R1,D2(X2,B2)": ("1,291(2,3)", bytes([0x12, 0x31, 0x23])),
        "M1,D2(X2,B2)": ("1,291(2,3)", bytes([0x12, 0x31, 0x23])),
        "R1,R3,D2(B2)": ("1,2,291(3)", bytes([0x12, 0x31, 0x23])),
        "R1,D2(B2)": ("1,291(3)", bytes([0x10, 0x31, 0x23])),
        "D1(B1),I2": ("291(3),X'AB'", bytes([0xAB, 0x31, 0x23])),
        "D1(B1)": ("291(3)", bytes([0x00, 0x31, 0x23])),
        "D1(L,B1),D2(B2)": ("291(10,3),1110(4)", bytes([0x09, 0x31, 0x23, 0x44, 0x56])),
        "D1(L1,B1),D2(L2,B2)": ("291(5,3),1110(7,4)", bytes([0x46, 0x31, 0x23, 0x44, 0x56])),
    }
    return table[form]


@pytest.mark.parametrize("row", INSTRUCTIONS, ids=lambda row: row.mnemonic)
def test_every_instruction_of_the_isa_table_assembles(row):
    operands, fields = _explicit_operands(row.operands)
    code = code_of(f" {row.mnemonic} {operands}")
    assert code == bytes([row.opcode]) + fields
    assert len(code) == row.length


def test_instructions_are_aligned_to_halfwords():
    result = assembled("T CSECT\n DC C'A'\nI LR 1,2\n END\n")
    assert result.assembly.symbols.symbols["I"].value.offset == 2


def test_wrong_operand_count_is_a_serious_error():
    result = assembled("T CSECT\n LR 1\n END\n", expect_rc=12)
    (diagnostic,) = result.diagnostics
    assert diagnostic.statement == 2
    assert "takes 2 operands" in diagnostic.message


def test_register_out_of_range_is_reported_at_its_column():
    result = assembled("T CSECT\n LR 1,16\n END\n", expect_rc=8)
    (diagnostic,) = result.diagnostics
    assert diagnostic.column == 7
    assert "register 16" in diagnostic.message
    assert result.assembly.statements[1].object_code == bytes.fromhex("1810")


def test_displacement_over_4095_is_an_error():
    result = assembled("T CSECT\n L 1,4096(0,2)\n END\n", expect_rc=8)
    assert "displacement 4096" in result.diagnostics[0].message


def test_length_over_256_is_an_error():
    result = assembled("T CSECT\n MVC 0(257,1),0(2)\n END\n", expect_rc=8)
    assert "length 257" in result.diagnostics[0].message


def test_implied_length_of_leftmost_term_and_of_star():
    source = "T CSECT\n USING T,12\nA DS CL20\nB DS CL3\n MVC B+1,A\n MVC *,A\n END\n"
    result = assembled(source)
    assert result.assembly.statements[4].object_code[1] == 2
    assert result.assembly.statements[5].object_code[1] == 5

"""The disassembler (vm370/hardware/disassembler.py), built from the ISA table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware import isa
from vm370.hardware.disassembler import disassemble, disassemble_one


@pytest.mark.parametrize(
    ("hex_code", "text"),
    [
        ("1A21", "AR 2,1"),
        ("07FE", "BCR 15,14"),
        ("0A0C", "SVC 12"),
        ("0410", "SPM 1"),
        ("5820C010", "L 2,16(0,12)"),
        ("41100005", "LA 1,5"),
        ("9824D000", "LM 2,4,0(13)"),
        ("8B200003", "SLA 2,3"),
        ("92F1C004", "MVI 4(12),X'F1'"),
        ("8200C008", "LPSW 8(12)"),
        ("D207C010C020", "MVC 16(8,12),32(12)"),
        ("FA31C000C010", "AP 0(4,12),16(2,12)"),
    ],
)
def test_instructions_come_out_in_assembler_form(hex_code, text):
    length, mnemonic, operands = disassemble_one(bytes.fromhex(hex_code))
    assert length == len(hex_code) // 2
    assert f"{mnemonic} {operands}" == text


def test_listing_has_address_hex_and_text_per_line():
    lines = disassemble(bytes.fromhex("05C05820C010"), 0x1000).splitlines()
    assert lines[0].split() == ["001000", "05C0", "BALR", "12,0"]
    assert lines[1].split() == ["001002", "5820C010", "L", "2,16(0,12)"]


def test_unknown_opcode_and_truncated_bytes_become_dc():
    assert disassemble_one(bytes.fromhex("0000")) == (2, "DC", "X'0000'")
    assert disassemble_one(bytes.fromhex("5820")) == (2, "DC", "X'5820'")


def test_every_table_row_disassembles_to_its_mnemonic():
    for row in isa.INSTRUCTIONS:
        raw = bytes([row.opcode]) + bytes(row.length - 1)
        assert disassemble_one(raw)[1] == row.mnemonic


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(0, 0xFFFFFF))
def test_any_bytes_disassemble_to_one_line_per_instruction_covering_them_all(data, address):
    lines = disassemble(data, address).splitlines()
    covered = sum(len(line.split()[1]) // 2 for line in lines)
    assert covered == len(data)
    assert int(lines[0].split()[0], 16) == address

"""Hypothesis round trips: random valid instructions assemble, disassemble through the
ISA table (vm370.hardware.disassembler), and assemble again to the same bytes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assembler import assemble
from vm370.hardware.disassembler import disassemble_one
from vm370.hardware.isa import INSTRUCTIONS

register = st.integers(0, 15)
displacement = st.integers(0, 4095)


@st.composite
def instruction_source(draw) -> tuple[str, int]:
    row = draw(st.sampled_from(INSTRUCTIONS))
    form = row.operands
    r1, r2, x, b1, b2 = (draw(register) for _ in range(5))
    d1, d2 = draw(displacement), draw(displacement)
    if form in ("R1,R2", "M1,R2"):
        operands = f"{r1},{r2}"
    elif form == "R1":
        operands = f"{r1}"
    elif form == "I":
        operands = f"{draw(st.integers(0, 255))}"
    elif form in ("R1,D2(X2,B2)", "M1,D2(X2,B2)"):
        operands = f"{r1},{d2}({x},{b2})"
    elif form == "R1,R3,D2(B2)":
        operands = f"{r1},{r2},{d2}({b2})"
    elif form == "R1,D2(B2)":
        operands = f"{r1},{d2}({b2})"
    elif form == "D1(B1),I2":
        operands = f"{d1}({b1}),{draw(st.integers(0, 255))}"
    elif form == "D1(B1)":
        operands = f"{d1}({b1})"
    elif form == "D1(L,B1),D2(B2)":
        operands = f"{d1}({draw(st.integers(1, 256))},{b1}),{d2}({b2})"
    else:
        operands = f"{d1}({draw(st.integers(1, 16))},{b1}),{d2}({draw(st.integers(1, 16))},{b2})"
    return f" {row.mnemonic} {operands}", row.opcode


def assemble_one(line: str) -> bytes:
    result = assemble(f"T CSECT\n{line}\n END\n")
    assert result.return_code == 0, (line, [str(d) for d in result.diagnostics])
    return result.assembly.statements[1].object_code


@settings(max_examples=200, deadline=None)
@given(instruction_source())
def test_assemble_disassemble_assemble_gives_the_same_bytes(source):
    line, opcode = source
    first = assemble_one(line)
    assert first[0] == opcode
    length, mnemonic, operands = disassemble_one(first)
    assert length == len(first)
    assert assemble_one(f" {mnemonic} {operands}") == first


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=6, max_size=6))
def test_any_instruction_bytes_reassemble_to_the_same_instruction(data):
    # Bits an instruction ignores (SPM's R2, TS's I2) do not survive the text, so
    # the property is that the text is a fixed point, and the opcode survives.
    length, mnemonic, operands = disassemble_one(data)
    if mnemonic == "DC":
        return
    again = assemble_one(f" {mnemonic} {operands}")
    assert again[0] == data[0] and len(again) == length
    assert disassemble_one(again)[1:] == (mnemonic, operands)

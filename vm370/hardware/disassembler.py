"""Instructions back into assembler text, from the one ISA table.

    >>> disassemble(bytes.fromhex("5820C010"), 0x1000)
    '001000  5820C010      L     2,16(0,12)'

Operands are written as the Assembler F manual (GC28-6514) writes explicit
operands: displacements in decimal, ``D(X,B)`` / ``D(B)`` / ``D(L,B)``, with
the parenthesised part left out when every register in it is 0; SI
immediates as ``X'hh'``. Bytes that are not a known instruction come out as
``DC X'...'`` for the length the opcode's two high bits give.
"""

from __future__ import annotations

from vm370.hardware import isa


def _storage_operand(displacement: int, *registers: int) -> str:
    if not any(registers):
        return str(displacement)
    return f"{displacement}({','.join(str(r) for r in registers)})"


def format_operands(row: isa.Instruction, raw: bytes) -> str:
    """The operand field of instruction ``raw`` as the assembler writes it."""
    byte1 = raw[1]
    high, low = byte1 >> 4, byte1 & 15
    form = row.operands
    if form in ("R1,R2", "M1,R2"):
        return f"{high},{low}"
    if form == "R1":
        return str(high)
    if form == "I":
        return str(byte1)
    base2, displacement2 = raw[2] >> 4, (raw[2] & 15) << 8 | raw[3]
    if form in ("R1,D2(X2,B2)", "M1,D2(X2,B2)"):
        return f"{high},{_storage_operand(displacement2, low, base2)}"
    if form == "R1,R3,D2(B2)":
        return f"{high},{low},{_storage_operand(displacement2, base2)}"
    if form == "R1,D2(B2)":
        return f"{high},{_storage_operand(displacement2, base2)}"
    if form == "D1(B1),I2":
        return f"{_storage_operand(displacement2, base2)},X'{byte1:02X}'"
    if form == "D1(B1)":
        return _storage_operand(displacement2, base2)
    base4, displacement4 = raw[4] >> 4, (raw[4] & 15) << 8 | raw[5]
    second = _storage_operand(displacement4, base4)
    if form == "D1(L,B1),D2(B2)":
        return f"{displacement2}({byte1 + 1},{base2}),{second}"
    return f"{displacement2}({high + 1},{base2}),{displacement4}({low + 1},{base4})"


def disassemble_one(data: bytes, offset: int = 0) -> tuple[int, str, str]:
    """Decode the instruction at ``data[offset:]``: (length, mnemonic, operands).

    A truncated instruction or unknown opcode gives ``DC`` with the bytes.
    """
    length = isa.instruction_length(data[offset])
    raw = bytes(data[offset : offset + length])
    row = isa.BY_OPCODE[raw[0]]
    if row is None or len(raw) < length:
        return len(raw), "DC", f"X'{raw.hex().upper()}'"
    return length, row.mnemonic, format_operands(row, raw)


def disassemble(data: bytes, address: int = 0) -> str:
    """Turn ``data`` (instructions starting at ``address``) into listing lines.

    Each line is ``AAAAAA  HEX  MNEMONIC OPERANDS`` with the 6-digit address.
    """
    lines = []
    offset = 0
    while offset < len(data):
        length, mnemonic, operands = disassemble_one(data, offset)
        raw = bytes(data[offset : offset + length]).hex().upper()
        lines.append(f"{(address + offset) & 0xFFFFFFFF:06X}  {raw:<12}  {mnemonic:<5} {operands}")
        offset += length
    return "\n".join(lines)

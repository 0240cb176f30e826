"""Decimal instructions run as tiny hand-encoded programs on the real CPU.

Each program starts at X'200' with register 12 addressing the data at
X'1000' and ends with the invalid opcode X'00': its operation exception (code
1) loads the disabled-wait program new PSW, so a program that completes stops
with code 1 and its condition code in the program old PSW; a program whose
instruction takes an exception stops with that exception's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hercules import HerculesSession, hercules_path

from vm370.hardware.clock import Clock
from vm370.hardware.cpu import CPU
from vm370.hardware.interrupts import (
    ADDRESSING,
    DATA,
    DECIMAL_DIVIDE,
    DECIMAL_OVERFLOW,
    FIXED_POINT_DIVIDE,
    OPERATION,
    PROTECTION,
    SPECIFICATION,
)
from vm370.hardware.isa import BY_MNEMONIC
from vm370.hardware.psw import BCPSW
from vm370.hardware.storage import Storage

CODE = 0x200
DATA_AREA = 0x1000
BASE = 12
PROGRAM_WAIT = 0x0002000000000222  # disabled wait


def ss(mnemonic: str, length: int, d1: int, d2: int, b1: int = BASE, b2: int = BASE) -> bytes:
    """An SS instruction; ``length`` is the whole length byte."""
    opcode = BY_MNEMONIC[mnemonic].opcode
    return bytes([opcode, length, b1 << 4 | d1 >> 8, d1 & 0xFF, b2 << 4 | d2 >> 8, d2 & 0xFF])


def ss2(mnemonic: str, length1: int, d1: int, length2: int, d2: int) -> bytes:
    """A two-length SS instruction from the operand lengths in bytes."""
    return ss(mnemonic, (length1 - 1) << 4 | (length2 - 1), d1, d2)


def rx(mnemonic: str, r1: int, d2: int, x2: int = 0, b2: int = BASE) -> bytes:
    opcode = BY_MNEMONIC[mnemonic].opcode
    return bytes([opcode, r1 << 4 | x2, b2 << 4 | d2 >> 8, d2 & 0xFF])


@dataclass
class Outcome:
    code: int
    old_psw: BCPSW
    cpu: CPU
    storage: Storage

    @property
    def completed(self) -> bool:
        """The program ran to its end marker without an exception."""
        return self.code == OPERATION

    @property
    def cc(self) -> int:
        return self.old_psw.cc

    def data(self, offset: int, length: int) -> bytes:
        return self.storage.read(DATA_AREA + offset, length)


def run(
    code: bytes,
    data: dict[int, bytes] | None = None,
    *,
    gpr: dict[int, int] | None = None,
    program_mask: int = 0,
    ascii: bool = False,
    key: int = 0,
) -> Outcome:
    storage = Storage(64 * 1024)
    cpu = CPU(storage, Clock(), interval_timer=False)
    storage.write(0x68, PROGRAM_WAIT.to_bytes(8, "big"))
    storage.write(CODE, code + b"\x00\x00")
    for offset, value in (data or {}).items():
        storage.write(DATA_AREA + offset, value)
    cpu.gpr[BASE] = DATA_AREA
    for register, value in (gpr or {}).items():
        cpu.gpr[register] = value
    psw = BCPSW(key=key, ascii=ascii, program_mask=program_mask, instruction_address=CODE)
    cpu.load_psw(psw.to_int())
    assert cpu.run(100) == "disabled-wait"
    old = BCPSW.from_bytes(storage.read(0x28, 8))
    return Outcome(old.interruption_code, old, cpu, storage)


def test_ap_adds_and_sets_cc_positive():
    out = run(ss2("AP", 3, 0, 2, 0x10), {0: bytes.fromhex("01234C"), 0x10: bytes.fromhex("766C")})
    assert out.completed
    assert out.data(0, 3) == bytes.fromhex("02000C")
    assert out.cc == 2


def test_ap_negative_result_sets_cc_1_with_preferred_minus():
    out = run(ss2("AP", 2, 0, 2, 0x10), {0: bytes.fromhex("001F"), 0x10: bytes.fromhex("005B")})
    assert out.completed
    assert (out.data(0, 2), out.cc) == (bytes.fromhex("004D"), 1)


def test_ap_ascii_bit_gives_ascii_plus_sign():
    out = run(ss2("AP", 2, 0, 1, 0x10), {0: bytes.fromhex("001C"), 0x10: b"\x2c"}, ascii=True)
    assert out.data(0, 2) == bytes.fromhex("003A")


def test_ap_overflow_mask_off_completes_with_cc_3():
    out = run(ss2("AP", 2, 0, 1, 0x10), {0: bytes.fromhex("999C"), 0x10: b"\x1c"})
    assert out.completed
    assert (out.data(0, 2), out.cc) == (bytes.fromhex("000C"), 3)


def test_ap_overflow_mask_on_interrupts_after_storing():
    out = run(ss2("AP", 2, 0, 1, 0x10), {0: bytes.fromhex("999C"), 0x10: b"\x1c"}, program_mask=0x4)
    assert out.code == DECIMAL_OVERFLOW
    assert (out.data(0, 2), out.cc) == (bytes.fromhex("000C"), 3)
    assert out.old_psw.instruction_address == CODE + 6


def test_ap_invalid_digit_is_data_exception_and_leaves_field():
    out = run(ss2("AP", 2, 0, 1, 0x10), {0: bytes.fromhex("0A1C"), 0x10: b"\x1c"})
    assert out.code == DATA
    assert out.data(0, 2) == bytes.fromhex("0A1C")
    assert out.old_psw.ilc == 3


def test_ap_store_protected_field_is_protection_exception():
    # A key-2 program; the data block has key 3 (no fetch protection).
    code = ss2("AP", 2, 0, 1, 0x10)
    out = _run_with_block_key(code, {0: bytes.fromhex("001C"), 0x10: b"\x1c"})
    assert out.code == PROTECTION
    assert out.data(0, 2) == bytes.fromhex("001C")


def _run_with_block_key(code: bytes, data: dict[int, bytes]) -> Outcome:
    storage = Storage(64 * 1024)
    cpu = CPU(storage, Clock(), interval_timer=False)
    storage.write(0x68, PROGRAM_WAIT.to_bytes(8, "big"))
    storage.write(CODE, code + b"\x00\x00")
    for offset, value in data.items():
        storage.write(DATA_AREA + offset, value)
    storage.set_key(0, 0x20)
    storage.set_key(DATA_AREA, 0x30)
    cpu.gpr[BASE] = DATA_AREA
    cpu.load_psw(BCPSW(key=2, instruction_address=CODE).to_int())
    assert cpu.run(100) == "disabled-wait"
    old = BCPSW.from_bytes(storage.read(0x28, 8))
    return Outcome(old.interruption_code, old, cpu, storage)


def test_ap_operand_beyond_storage_is_addressing_exception():
    # Storage is 64K: a two-byte first operand at X'FFFF' runs past its end.
    out = run(ss("AP", 0x10, 0, 0, b1=1), {0: b"\x1c"}, gpr={1: 0xFFFF})
    assert out.code == ADDRESSING


def test_sp_subtracts():
    out = run(ss2("SP", 2, 0, 2, 0x10), {0: bytes.fromhex("010C"), 0x10: bytes.fromhex("025C")})
    assert out.completed
    assert (out.data(0, 2), out.cc) == (bytes.fromhex("015D"), 1)


def test_sp_field_from_itself_gives_plus_zero():
    out = run(ss2("SP", 2, 0, 2, 0), {0: bytes.fromhex("123D")})
    assert out.completed
    assert (out.data(0, 2), out.cc) == (bytes.fromhex("000C"), 0)


def test_zap_ignores_invalid_first_operand():
    out = run(ss2("ZAP", 3, 0, 2, 0x10), {0: b"\xff\xff\xff", 0x10: bytes.fromhex("123D")})
    assert out.completed
    assert (out.data(0, 3), out.cc) == (bytes.fromhex("00123D"), 1)


def test_zap_overflow_sets_cc_3():
    out = run(ss2("ZAP", 1, 0, 2, 0x10), {0x10: bytes.fromhex("123C")})
    assert out.completed
    assert (out.data(0, 1), out.cc) == (bytes.fromhex("3C"), 3)


@pytest.mark.parametrize(
    ("first", "second", "cc"),
    [("012C", "012C", 0), ("012D", "012C", 1), ("000C", "0D", 0), ("999C", "998C", 2)],
)
def test_cp_condition_codes(first, second, cc):
    out = run(
        ss2("CP", 2, 0, len(second) // 2, 0x10),
        {0: bytes.fromhex(first), 0x10: bytes.fromhex(second)},
    )
    assert out.completed
    assert out.cc == cc


def test_cp_invalid_sign_is_data_exception():
    out = run(ss2("CP", 2, 0, 1, 0x10), {0: bytes.fromhex("0129"), 0x10: b"\x1c"})
    assert out.code == DATA


def test_mp_multiplies_and_keeps_cc():
    out = run(ss2("MP", 4, 0, 2, 0x10), {0: bytes.fromhex("0000123C"), 0x10: bytes.fromhex("045D")})
    assert out.completed
    assert out.data(0, 4) == bytes.fromhex("0005535D")
    assert out.cc == 0


def test_mp_multiplier_longer_than_eight_bytes_is_specification():
    out = run(ss("MP", 0xF8, 0, 0x20), {0: bytes(15) + b"\x1c", 0x20: bytes(8) + b"\x1c"})
    assert out.code == SPECIFICATION


def test_mp_multiplier_not_shorter_than_multiplicand_is_specification():
    out = run(ss2("MP", 2, 0, 2, 0x10), {0: bytes.fromhex("001C"), 0x10: bytes.fromhex("001C")})
    assert out.code == SPECIFICATION
    assert out.data(0, 2) == bytes.fromhex("001C")


def test_mp_multiplicand_without_room_is_data_exception():
    out = run(ss2("MP", 3, 0, 2, 0x10), {0: bytes.fromhex("01234C"), 0x10: bytes.fromhex("001C")})
    assert out.code == DATA


def test_dp_quotient_and_remainder():
    out = run(ss2("DP", 4, 0, 2, 0x10), {0: bytes.fromhex("0012345C"), 0x10: bytes.fromhex("100D")})
    assert out.completed
    # 12345 / -100 = -123 remainder +45: quotient in 2 bytes, remainder in 2.
    assert out.data(0, 4) == bytes.fromhex("123D045C")


def test_dp_by_zero_is_decimal_divide_and_suppressed():
    out = run(ss2("DP", 4, 0, 2, 0x10), {0: bytes.fromhex("0012345C"), 0x10: bytes.fromhex("000C")})
    assert out.code == DECIMAL_DIVIDE
    assert out.data(0, 4) == bytes.fromhex("0012345C")


def test_pack_zoned_to_packed():
    out = run(ss2("PACK", 4, 0, 5, 0x10), {0x10: bytes.fromhex("F1F2F3F4C5")})
    assert out.completed
    assert out.data(0, 4) == bytes.fromhex("0012345C")


def test_pack_in_place():
    out = run(ss2("PACK", 4, 0, 4, 0), {0: bytes.fromhex("F1F2F3C4")})
    assert out.data(0, 4) == bytes.fromhex("0001234C")


def test_unpack_with_ascii_zone():
    out = run(ss2("UNPK", 5, 0, 3, 0x10), {0x10: bytes.fromhex("01234C")}, ascii=True)
    assert out.completed
    assert out.data(0, 5) == bytes.fromhex("50515253C4")


def test_mvo_shifts_one_digit_in_place():
    # MVO FIELD(3),FIELD(2): the classic one-digit right shift keeping the sign.
    out = run(ss2("MVO", 3, 0, 2, 0), {0: bytes.fromhex("12345C")})
    assert out.completed
    assert out.data(0, 3) == bytes.fromhex("01234C")


def test_cvb_converts_packed_to_register():
    out = run(rx("CVB", 3, 0), {0: bytes.fromhex("000000000025594D")})
    assert out.completed
    assert out.cpu.gpr[3] == (-25594) & 0xFFFFFFFF


def test_cvb_unaligned_operand_is_specification():
    out = run(rx("CVB", 3, 4), {4: bytes.fromhex("000000000025594D")}, gpr={3: 7})
    assert out.code == SPECIFICATION
    assert out.cpu.gpr[3] == 7


def test_cvb_too_large_is_fixed_point_divide_with_low_bits_loaded():
    out = run(rx("CVB", 3, 0), {0: bytes.fromhex("000004294967297C")})
    assert out.code == FIXED_POINT_DIVIDE
    assert out.cpu.gpr[3] == 1


def test_cvb_invalid_sign_is_data_exception():
    out = run(rx("CVB", 3, 0), {0: bytes.fromhex("0000000000000012")}, gpr={3: 7})
    assert out.code == DATA
    assert out.cpu.gpr[3] == 7


def test_cvd_stores_packed_doubleword():
    out = run(rx("CVD", 5, 8), gpr={5: (-1234) & 0xFFFFFFFF})
    assert out.completed
    assert out.data(8, 8) == bytes.fromhex("000000000001234D")


def test_cvd_ascii_sign():
    out = run(rx("CVD", 5, 8), gpr={5: 77}, ascii=True)
    assert out.data(8, 8) == bytes.fromhex("000000000000077A")


def test_cvd_unaligned_is_specification():
    out = run(rx("CVD", 5, 4), gpr={5: 1})
    assert out.code == SPECIFICATION


PATTERN = bytes.fromhex("4020206B2021204B202040C3D9")


def test_ed_edits_amount():
    out = run(ss("ED", len(PATTERN) - 1, 0, 0x20), {0: PATTERN, 0x20: bytes.fromhex("0257426D")})
    assert out.completed
    assert out.data(0, len(PATTERN)) == bytes.fromhex("4040F26BF5F7F44BF2F640C3D9")
    assert out.cc == 1


def test_edmk_sets_register_1_to_first_significant_byte():
    out = run(
        ss("EDMK", len(PATTERN) - 1, 0, 0x20),
        {0: PATTERN, 0x20: bytes.fromhex("0257426C")},
        gpr={1: 0xAB000000},
    )
    assert out.completed
    assert out.cc == 2
    assert out.cpu.gpr[1] == 0xAB000000 | (DATA_AREA + 2)


def test_edmk_leaves_register_1_when_significance_is_forced():
    out = run(
        ss("EDMK", 4, 0, 0x20),
        {0: bytes.fromhex("4020214B20"), 0x20: bytes.fromhex("000C")},
        gpr={1: 0x12345678},
    )
    assert out.completed
    assert out.data(0, 5) == bytes.fromhex("4040404BF0")
    assert (out.cpu.gpr[1], out.cc) == (0x12345678, 0)


def test_ed_invalid_source_is_data_exception():
    out = run(ss("ED", 2, 0, 0x20), {0: bytes.fromhex("402020"), 0x20: bytes.fromhex("AB")})
    assert out.code == DATA
    assert out.data(0, 3) == bytes.fromhex("402020")


def test_zap_overflow_mask_on_interrupts_after_storing():
    out = run(ss2("ZAP", 1, 0, 2, 0x10), {0x10: bytes.fromhex("123D")}, program_mask=0x4)
    assert out.code == DECIMAL_OVERFLOW
    assert (out.data(0, 1), out.cc) == (bytes.fromhex("3D"), 3)


def test_sp_overflow_mask_off_sets_cc_3():
    out = run(ss2("SP", 1, 0, 1, 0x10), {0: bytes.fromhex("9D"), 0x10: bytes.fromhex("2C")})
    assert out.completed
    assert (out.data(0, 1), out.cc) == (bytes.fromhex("1D"), 3)


def test_dp_divisor_longer_than_eight_bytes_is_specification():
    out = run(ss("DP", 0xF8, 0, 0x20), {0: bytes(15) + b"\x1c", 0x20: bytes(8) + b"\x1c"})
    assert out.code == SPECIFICATION


def test_dp_invalid_divisor_is_data_exception():
    out = run(ss2("DP", 4, 0, 2, 0x10), {0: bytes.fromhex("0012345C"), 0x10: bytes.fromhex("1234")})
    assert out.code == DATA
    assert out.data(0, 4) == bytes.fromhex("0012345C")


def test_cvd_into_protected_block_is_protection_exception():
    out = _run_with_block_key(rx("CVD", 0, 8), {8: bytes(8)})
    assert out.code == PROTECTION
    assert out.data(8, 8) == bytes(8)


def test_ex_supplies_the_length_of_ed():
    # EX 2,ED_TEMPLATE with R2 = 2: the ED's length byte 00 becomes 02 (three pattern bytes).
    template_offset = 0x40
    template = ss("ED", 0, 0, 0x20)
    code = rx("EX", 2, template_offset)
    out = run(
        code,
        {0: bytes.fromhex("402020"), 0x20: bytes.fromhex("12"), template_offset: template},
        gpr={2: 2},
    )
    assert out.completed
    assert out.data(0, 3) == bytes.fromhex("40F1F2")
    # No plus sign was met, so the significance trigger is still on: cc 1.
    assert out.cc == 1


needs_hercules = pytest.mark.skipif(
    hercules_path() is None, reason="hercules is not installed (apt-get install hercules)"
)

# Hercules runs in S/370 mode: ED and EDMK and the byte-by-byte processing of
# overlapping PACK, UNPK and MVO fields are defined alike on S/360 and S/370
# (PoO GA22-6821 "Edit", "Pack"; GA22-7000), and the PSW's ASCII bit stays off.
DIFFERENTIAL_CASES = 300


def _differential_case(rng: random.Random) -> tuple[bytes, bytes]:
    """(instruction, 0x200 bytes of data at X'1000') for one random case."""
    data = bytearray(rng.randrange(256) for _ in range(0x200))
    mnemonic = rng.choice(["ED", "EDMK", "PACK", "UNPK", "MVO"])
    if mnemonic in ("ED", "EDMK"):
        count = rng.randrange(1, 20)
        fill = rng.choice([0x40, 0x5C, 0x20, 0x21])
        pattern = bytes(
            [fill]
            + [rng.choice([0x20, 0x20, 0x20, 0x21, 0x22, 0x4B, 0x6B, 0xC3]) for _ in range(count)]
        )
        data[0x100 : 0x100 + len(pattern)] = pattern
        digits = "".join(
            rng.choice("0123456789" if rng.random() < 0.97 else "0A") for _ in range(31)
        )
        source = bytes.fromhex(digits + rng.choice("ABCDEF"))
        if rng.random() < 0.3:
            # Signs inside the source end one field's digits early.
            source = bytes(b if rng.random() < 0.8 else (b & 0xF0) | 0xC for b in source)
        data[0x180 : 0x180 + len(source)] = source
        return ss(mnemonic, len(pattern) - 1, 0x100, 0x180), bytes(data)
    length1, length2 = rng.randrange(1, 17), rng.randrange(1, 17)
    second = 0x100 + rng.randrange(-4, 5) if rng.random() < 0.6 else 0x180
    return ss2(mnemonic, length1, 0x100, length2, second), bytes(data)


@needs_hercules
def test_edit_and_overlapping_moves_agree_with_hercules():
    rng = random.Random(360)
    with HerculesSession() as hercules:
        for _ in range(DIFFERENTIAL_CASES):
            instruction, data = _differential_case(rng)
            image = bytearray(0x1200)
            image[0x68:0x70] = PROGRAM_WAIT.to_bytes(8, "big")
            # LA 12,X'1000'(0,0) is not encodable (displacement < 4096): use BALR + LA.
            preamble = bytes.fromhex("41C00800") + bytes.fromhex("41CC0800")
            code = preamble + instruction + b"\x00\x00"
            image[CODE : CODE + len(code)] = code
            image[DATA_AREA : DATA_AREA + len(data)] = data
            reference = hercules.run(bytes(image), CODE, dumps=[(0x28, 8), (DATA_AREA, len(data))])
            ours = run(preamble + instruction, {0: data}, gpr={BASE: 0})
            case = f"{instruction.hex()} data {data[0x100:0x1A0].hex()}"
            assert ours.storage.read(DATA_AREA, len(data)) == reference.dump(
                DATA_AREA, len(data)
            ), case
            assert ours.storage.read(0x28, 8) == reference.dump(0x28, 8), case
            assert ours.cpu.gpr[1] == reference.gpr[1], case

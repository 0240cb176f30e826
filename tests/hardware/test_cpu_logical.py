"""Logical instructions (vm370/hardware/instructions/logical.py) as tiny programs."""

from cpu_programs import END, run_program
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.interrupts import ADDRESSING, PROTECTION, SPECIFICATION

FEW = settings(max_examples=60, deadline=None)


def test_clr_and_cl_compare_unsigned():
    assert run_program("1521" + END, gpr={1: 1, 2: 0xFFFFFFFF}).cc == 2
    assert run_program("5520 0800" + END, gpr={2: 1}, data={0x800: "80000000"}).cc == 1
    assert run_program("5520 0800" + END, gpr={2: 7}, data={0x800: "00000007"}).cc == 0


def test_cli_compares_a_byte_with_the_immediate():
    assert run_program("95C1 0800" + END, data={0x800: "C1"}).cc == 0
    assert run_program("95C1 0800" + END, data={0x800: "C0"}).cc == 1
    assert run_program("95C1 0800" + END, data={0x800: "F0"}).cc == 2


def test_clc_compares_left_to_right_unsigned():
    assert run_program("D502 0800 0810" + END, data={0x800: "C1C2C3", 0x810: "C1C2C3"}).cc == 0
    assert run_program("D502 0800 0810" + END, data={0x800: "C1C2C3", 0x810: "C1F2C3"}).cc == 1
    assert run_program("D502 0800 0810" + END, data={0x800: "81C2C3", 0x810: "01F2C3"}).cc == 2


def test_nr_or_xr_set_cc_by_a_nonzero_result():
    result = run_program("1421" + END, gpr={1: 0xF0, 2: 0x0F})
    assert result.gpr[2] == 0 and result.cc == 0
    result = run_program("1621" + END, gpr={1: 0xF0, 2: 0x0F})
    assert result.gpr[2] == 0xFF and result.cc == 1
    result = run_program("1721" + END, gpr={1: 0xFF, 2: 0x0F})
    assert result.gpr[2] == 0xF0 and result.cc == 1


def test_n_o_x_with_storage_words():
    data = {0x800: "FF00FF00"}
    assert run_program("5420 0800" + END, gpr={2: 0x0F0F0F0F}, data=data).gpr[2] == 0x0F000F00
    assert run_program("5620 0800" + END, gpr={2: 0x0F0F0F0F}, data=data).gpr[2] == 0xFF0FFF0F
    assert run_program("5720 0800" + END, gpr={2: 0x0F0F0F0F}, data=data).gpr[2] == 0xF00FF00F


def test_ni_oi_xi_change_one_byte():
    result = run_program("940F 0800  96F0 0801  97FF 0802" + END, data={0x800: "AB CD 0F"})
    assert result.storage(0x800, 3).hex() == "0bfdf0" and result.cc == 1


def test_nc_oc_xc_work_on_fields():
    result = run_program(
        "D401 0800 0810  D601 0802 0810  D701 0804 0804" + END,
        data={0x800: "F0F0 0000 1234", 0x810: "0FFF"},
    )
    assert result.storage(0x800, 6).hex() == "00f00fff0000"
    assert result.cc == 0


def test_xc_with_itself_clears_and_sets_cc0():
    result = run_program("D703 0800 0800" + END, data={0x800: "DEADBEEF"})
    assert result.word(0x800) == 0 and result.cc == 0


def test_oc_overlapping_one_byte_to_the_right_sees_its_own_results():
    result = run_program("D602 0801 0800" + END, data={0x800: "01 02 04 08"})
    assert result.storage(0x800, 4).hex() == "0103070f"


def test_tm_condition_codes():
    assert run_program("91F0 0800" + END, data={0x800: "0F"}).cc == 0
    assert run_program("91F0 0800" + END, data={0x800: "3F"}).cc == 1
    assert run_program("91F0 0800" + END, data={0x800: "FF"}).cc == 3
    assert run_program("9100 0800" + END, data={0x800: "FF"}).cc == 0


def test_ts_sets_the_byte_and_reports_its_old_leftmost_bit():
    result = run_program("9300 0800  9300 0800" + END, data={0x800: "00"})
    assert result.storage(0x800, 1) == b"\xff" and result.cc == 1


def test_ic_and_stc_move_one_byte():
    result = run_program("4320 0800  4220 0801" + END, gpr={2: 0x11223344}, data={0x800: "AB"})
    assert result.gpr[2] == 0x112233AB and result.storage(0x801, 1) == b"\xab"


def test_mvi_stores_the_immediate():
    result = run_program("925C 0800" + END)
    assert result.storage(0x800, 1) == b"\x5c"


def test_mvc_moves_and_keeps_the_cc():
    result = run_program("D203 0800 0810" + END, data={0x810: "01020304"})
    assert result.word(0x800) == 0x01020304 and result.cc == 0


def test_mvc_one_byte_to_the_right_propagates_the_first_byte():
    result = run_program("D206 0801 0800" + END, data={0x800: "40 C1 C2"})
    assert result.storage(0x800, 8) == b"\x40" * 8


def test_mvc_to_a_protected_block_changes_nothing():
    machine_result = run_program(
        "D203 0800 0810" + END, key=2, data={0x810: "01020304"}, max_instructions=10
    )
    assert machine_result.program_interruption == PROTECTION
    assert machine_result.word(0x800) == 0


def test_mvc_beyond_storage_is_an_addressing_exception():
    result = run_program("D203 1000 0800" + END, gpr={1: 0xFFF0})
    assert result.ended
    result = run_program("D207 1FFC 0800" + END, gpr={1: 0xF000})
    assert result.program_interruption == ADDRESSING
    assert result.storage(0xFFFC, 4) == bytes(4)


def test_mvn_and_mvz_move_half_bytes():
    result = run_program(
        "D101 0800 0810  D301 0802 0810" + END, data={0x800: "F1F2 F1F2", 0x810: "C9D8"}
    )
    assert result.storage(0x800, 4).hex() == "f9f8c1d2"


def test_tr_translates_through_the_table():
    table = bytes(range(256))[::-1]
    result = run_program("DC02 0800 0900" + END, data={0x800: "000102", 0x900: table})
    assert result.storage(0x800, 3).hex() == "fffefd"


def test_trt_finds_the_first_nonzero_function_byte():
    table = bytearray(256)
    table[0x6B] = 0x04
    result = run_program(
        "DD05 0800 0900" + END,
        gpr={1: 0xAA000000, 2: 0x12345678},
        data={0x800: "C1C26BC36BC4", 0x900: bytes(table)},
    )
    assert result.cc == 1
    assert result.gpr[1] == 0xAA000802 and result.gpr[2] == 0x12345604


def test_trt_on_the_last_byte_is_cc2_and_none_is_cc0():
    table = bytearray(256)
    table[0xC4] = 0x08
    data = {0x800: "C1C2C4", 0x900: bytes(table)}
    assert run_program("DD02 0800 0900" + END, data=data).cc == 2
    assert run_program("DD01 0800 0900" + END, data=data).cc == 0


def test_sll_srl_ignore_the_cc():
    result = run_program("8920 0004  8830 0008" + END, gpr={2: 0x8000000F, 3: 0xF00})
    assert result.gpr[2] == 0xF0 and result.gpr[3] == 0xF and result.cc == 0


def test_sldl_srdl_shift_the_pair():
    result = run_program("8D20 0008" + END, gpr={2: 0x00000012, 3: 0x34000000})
    assert result.gpr[2:4] == [0x1234, 0]
    result = run_program("8C20 0024" + END, gpr={2: 0xF0000000, 3: 0})
    assert result.gpr[2:4] == [0, 0x0F000000]


def test_sldl_odd_register_is_a_specification_exception():
    assert run_program("8D30 0001" + END).program_interruption == SPECIFICATION


@FEW
@given(st.binary(min_size=1, max_size=16), st.binary(min_size=16, max_size=16))
def test_nc_oc_xc_agree_with_a_python_model(first, second):
    length = len(first)
    second = second[:length]
    for opcode, operation in (("D4", int.__and__), ("D6", int.__or__), ("D7", int.__xor__)):
        result = run_program(
            f"{opcode}{length - 1:02X} 0800 0900" + END, data={0x800: first, 0x900: second}
        )
        expected = bytes(operation(a, b) for a, b in zip(first, second, strict=True))
        assert result.storage(0x800, length) == expected
        assert result.cc == (1 if any(expected) else 0)


@FEW
@given(st.binary(min_size=1, max_size=12), st.integers(1, 11))
def test_mvc_overlap_agrees_with_a_byte_by_byte_model(source, distance):
    length = len(source)
    memory = bytearray(source + bytes(24))
    for index in range(length):
        memory[distance + index] = memory[index]
    code = f"D2{length - 1:02X} {0x800 + distance:04X} 0800" + END
    result = run_program(code, data={0x800: source})
    assert result.storage(0x800, len(memory)) == bytes(memory)


SS_MODELS = {
    "D1": lambda target, source: (target & 0xF0) | (source & 0x0F),
    "D3": lambda target, source: (target & 0x0F) | (source & 0xF0),
    "D4": int.__and__,
    "D6": int.__or__,
    "D7": int.__xor__,
}


@FEW
@given(
    st.sampled_from(sorted(SS_MODELS)),
    st.binary(min_size=24, max_size=24),
    st.integers(0, 15),
    st.integers(0, 15),
)
def test_ss_logical_moves_agree_with_a_byte_by_byte_model(opcode, memory, start1, length):
    # Both operands lie in the same 40 bytes at X'800', overlapping any way.
    start2 = 3
    memory += bytes(16)
    model = bytearray(memory)
    for index in range(length + 1):
        first = start1 + index
        model[first] = SS_MODELS[opcode](model[first], model[start2 + index])
    code = f"{opcode}{length:02X} {0x800 + start1:04X} {0x800 + start2:04X}" + END
    result = run_program(code, data={0x800: memory})
    assert result.storage(0x800, 40) == bytes(model)


def test_tr_needs_only_the_table_bytes_it_uses():
    # The table starts 128 bytes before the end of 64K: bytes below X'80' work.
    table = bytes(range(0x40, 0xC0))
    result = run_program(
        "DC01 0800 1F80" + END, gpr={1: 0xF000}, data={0x800: "0102", 0xFF80: table}
    )
    assert result.ended and result.storage(0x800, 2) == b"\x41\x42"
    result = run_program("DC01 0800 1F80" + END, gpr={1: 0xF000}, data={0x800: "01F0"})
    assert result.program_interruption == ADDRESSING and result.storage(0x800, 2) == b"\x01\xf0"


def test_trt_needs_only_the_table_bytes_it_uses():
    table = bytearray(128)
    table[0x05] = 0x77
    data = {0x800: "010205F0", 0xFF80: bytes(table)}
    result = run_program("DD03 0800 1F80" + END, gpr={1: 0xF000}, data=data)
    assert result.ended and result.cc == 1 and result.gpr[1] == 0x802
    assert result.gpr[2] & 0xFF == 0x77


@FEW
@given(st.binary(min_size=1, max_size=32), st.binary(min_size=256, max_size=256))
def test_trt_agrees_with_a_python_model(argument, table):
    length = len(argument)
    result = run_program(
        f"DD{length - 1:02X} 0800 0900" + END,
        gpr={1: 0x12000000, 2: 0x34343434},
        data={0x800: argument, 0x900: table},
    )
    hits = [index for index, byte in enumerate(argument) if table[byte]]
    if not hits:
        assert result.cc == 0 and result.gpr[1] == 0x12000000 and result.gpr[2] == 0x34343434
        return
    index = hits[0]
    assert result.cc == (2 if index == length - 1 else 1)
    assert result.gpr[1] == 0x12000000 | (0x800 + index)
    assert result.gpr[2] == 0x34343400 | table[argument[index]]

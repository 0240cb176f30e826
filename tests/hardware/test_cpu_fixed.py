"""Fixed-point instructions (vm370/hardware/instructions/fixed.py) as tiny programs."""

from cpu_programs import END, run_program
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.interrupts import (
    ADDRESSING,
    FIXED_POINT_DIVIDE,
    FIXED_POINT_OVERFLOW,
    SPECIFICATION,
)

words = st.integers(0, 0xFFFFFFFF)
FEW = settings(max_examples=60, deadline=None)


def signed(value):
    return value - ((value & 0x80000000) << 1)


def model_cc(result):
    return 0 if result == 0 else (1 if result < 0 else 2)


def test_l_loads_a_word():
    result = run_program("5820 0800" + END, data={0x800: "12345678"})
    assert result.ended and result.gpr[2] == 0x12345678


def test_l_with_index_and_base():
    result = run_program("5823 4004" + END, gpr={3: 0x700, 4: 0xFC}, data={0x800: "CAFEBABE"})
    assert result.gpr[2] == 0xCAFEBABE


def test_l_unaligned_is_a_specification_exception():
    result = run_program("5820 0802" + END)
    assert result.program_interruption == SPECIFICATION
    assert result.stopping_old_psw.ilc == 2
    assert result.stopping_old_psw.instruction_address == 0x204


def test_l_beyond_storage_is_an_addressing_exception():
    result = run_program("5821 0000" + END, gpr={1: 0x10000})
    assert result.program_interruption == ADDRESSING


def test_lr_copies_the_register_and_leaves_cc():
    result = run_program("1821" + END, gpr={1: 0x80000000})
    assert result.gpr[2] == 0x80000000 and result.cc == 0


def test_lh_extends_the_sign():
    result = run_program("4820 0800" + END, data={0x800: "FFFE"})
    assert result.gpr[2] == 0xFFFFFFFE


def test_lh_odd_address_is_a_specification_exception():
    result = run_program("4820 0801" + END)
    assert result.program_interruption == SPECIFICATION


def test_la_keeps_24_bits():
    result = run_program("4121 3005" + END, gpr={1: 0xFF000010, 3: 0x20})
    assert result.gpr[2] == 0x000035


def test_lm_wraps_from_register_15_to_0():
    result = run_program("98E1 0800" + END, data={0x800: "00000001 00000002 00000003 00000004"})
    assert result.gpr[14:] == [1, 2] and result.gpr[0:2] == [3, 4]


def test_stm_then_lm_round_trip():
    result = run_program("9024 0800  D70B 0800 0800  9824 0800" + END, gpr={2: 7, 3: 8, 4: 9})
    assert result.word(0x800) == 0 and result.gpr[2:5] == [0, 0, 0]


def test_stm_stores_registers_in_order():
    result = run_program("9024 0800" + END, gpr={2: 0xA, 3: 0xB, 4: 0xC})
    assert result.storage(0x800, 12).hex() == "0000000a0000000b0000000c"


def test_stm_unaligned_is_a_specification_exception():
    result = run_program("9024 0802" + END)
    assert result.program_interruption == SPECIFICATION


def test_st_and_sth_store():
    result = run_program("5010 0800  4010 0806" + END, gpr={1: 0x11223344})
    assert result.storage(0x800, 8).hex() == "1122334400003344"


def test_ar_sets_cc_by_the_sign_of_the_result():
    assert run_program("1A21" + END, gpr={1: 1, 2: 1}).cc == 2
    assert run_program("1A21" + END, gpr={1: 1, 2: 0xFFFFFFFF}).cc == 0
    assert run_program("1A21" + END, gpr={1: 0xFFFFFFFE, 2: 0}).cc == 1


def test_ar_overflow_sets_cc3_without_interrupt_when_masked_off():
    result = run_program("1A21" + END, gpr={1: 1, 2: 0x7FFFFFFF})
    assert result.ended and result.cc == 3 and result.gpr[2] == 0x80000000


def test_ar_overflow_sets_cc3_and_interrupts_when_masked_on():
    result = run_program("1A21" + END, gpr={1: 1, 2: 0x7FFFFFFF}, program_mask=8)
    assert result.program_interruption == FIXED_POINT_OVERFLOW
    # The instruction completes: result stored, CC 3, address past it.
    assert result.gpr[2] == 0x80000000
    assert result.cc == 3 and result.stopping_old_psw.instruction_address == 0x202
    assert result.stopping_old_psw.ilc == 1


def test_a_and_ah_add_storage_operands():
    result = run_program("5A20 0800  4A20 0804" + END, gpr={2: 10}, data={0x800: "00000005 FFFF"})
    assert result.gpr[2] == 14 and result.cc == 2


def test_s_sh_sr_subtract():
    result = run_program(
        "5B20 0800  4B20 0804  1B21" + END, gpr={1: 1, 2: 10}, data={0x800: "00000003 0002"}
    )
    assert result.gpr[2] == 4


def test_sr_overflow_interrupts_when_masked_on():
    result = run_program("1B21" + END, gpr={1: 1, 2: 0x80000000}, program_mask=8)
    assert result.program_interruption == FIXED_POINT_OVERFLOW and result.gpr[2] == 0x7FFFFFFF


def test_alr_cc_reports_carry_and_zero():
    assert run_program("1E21" + END, gpr={1: 1, 2: 0xFFFFFFFF}).cc == 2
    assert run_program("1E21" + END, gpr={1: 2, 2: 0xFFFFFFFF}).cc == 3
    assert run_program("1E21" + END, gpr={1: 0, 2: 0}).cc == 0
    assert run_program("1E21" + END, gpr={1: 1, 2: 1}).cc == 1


def test_slr_of_equal_values_is_cc2():
    result = run_program("1F21" + END, gpr={1: 5, 2: 5})
    assert result.gpr[2] == 0 and result.cc == 2


def test_sl_with_borrow_is_cc1():
    result = run_program("5F20 0800" + END, gpr={2: 1}, data={0x800: "00000002"})
    assert result.gpr[2] == 0xFFFFFFFF and result.cc == 1


def test_c_cr_ch_compare_signed():
    assert run_program("1921" + END, gpr={1: 1, 2: 0xFFFFFFFF}).cc == 1
    assert run_program("5920 0800" + END, gpr={2: 3}, data={0x800: "00000003"}).cc == 0
    assert run_program("4920 0800" + END, gpr={2: 0}, data={0x800: "8000"}).cc == 2


def test_ltr_lcr_lpr_lnr():
    result = run_program("1221" + END, gpr={1: 0x80000000})
    assert result.cc == 1 and result.gpr[2] == 0x80000000
    result = run_program("1321" + END, gpr={1: 5})
    assert result.gpr[2] == 0xFFFFFFFB and result.cc == 1
    result = run_program("1021" + END, gpr={1: 0xFFFFFFFB})
    assert result.gpr[2] == 5 and result.cc == 2
    result = run_program("1121" + END, gpr={1: 5})
    assert result.gpr[2] == 0xFFFFFFFB and result.cc == 1
    assert run_program("1121" + END, gpr={1: 0}).cc == 0


def test_lcr_and_lpr_of_the_maximum_negative_number_overflow():
    for code in ("1321", "1021"):
        result = run_program(code + END, gpr={1: 0x80000000}, program_mask=8)
        assert result.program_interruption == FIXED_POINT_OVERFLOW
        assert result.gpr[2] == 0x80000000 and result.cc == 3


def test_mr_gives_a_64_bit_product_in_the_pair():
    result = run_program("1C24" + END, gpr={3: 0xFFFFFFFF, 4: 3})
    assert result.gpr[2] == 0xFFFFFFFF and result.gpr[3] == 0xFFFFFFFD


def test_mr_odd_register_is_a_specification_exception():
    result = run_program("1C34" + END)
    assert result.program_interruption == SPECIFICATION


def test_m_multiplies_by_a_storage_word():
    result = run_program("5C20 0800" + END, gpr={3: 0x10000}, data={0x800: "00010000"})
    assert result.gpr[2] == 1 and result.gpr[3] == 0


def test_mh_keeps_the_low_32_bits_and_the_cc():
    result = run_program("4C20 0800" + END, gpr={2: 0x00010001}, data={0x800: "FFFF"})
    assert result.gpr[2] == 0xFFFEFFFF and result.cc == 0


def test_dr_divides_the_pair_with_remainder_sign_of_dividend():
    result = run_program("1D24" + END, gpr={2: 0xFFFFFFFF, 3: 0xFFFFFFF9, 4: 2})
    assert signed(result.gpr[3]) == -3 and signed(result.gpr[2]) == -1


def test_dr_by_zero_is_a_fixed_point_divide_exception_and_changes_nothing():
    result = run_program("1D24" + END, gpr={2: 0, 3: 7, 4: 0})
    assert result.program_interruption == FIXED_POINT_DIVIDE
    assert result.gpr[2:4] == [0, 7]


def test_d_quotient_too_large_is_a_fixed_point_divide_exception():
    result = run_program("5D20 0800" + END, gpr={2: 1, 3: 0}, data={0x800: "00000001"})
    assert result.program_interruption == FIXED_POINT_DIVIDE and result.gpr[2:4] == [1, 0]


def test_d_odd_register_is_a_specification_exception():
    result = run_program("5D30 0800" + END, data={0x800: "00000001"})
    assert result.program_interruption == SPECIFICATION


def test_sla_keeps_the_sign_and_reports_overflow():
    result = run_program("8B20 0001" + END, gpr={2: 0x40000000})
    assert result.gpr[2] == 0 and result.cc == 3
    result = run_program("8B20 0002" + END, gpr={2: 0xFFFFFFFF})
    assert result.gpr[2] == 0xFFFFFFFC and result.cc == 1


def test_sla_overflow_interrupts_when_masked_on():
    result = run_program("8B20 001F" + END, gpr={2: 1}, program_mask=8)
    assert result.program_interruption == FIXED_POINT_OVERFLOW


def test_sra_shifts_in_the_sign_and_uses_six_bits_of_the_address():
    result = run_program("8A21 0041" + END, gpr={1: 0, 2: 0x80000000})
    assert result.gpr[2] == 0xC0000000 and result.cc == 1


def test_slda_and_srda_shift_the_pair():
    result = run_program("8F20 0004" + END, gpr={2: 0x00000001, 3: 0xF0000000})
    assert result.gpr[2:4] == [0x1F, 0] and result.cc == 2
    result = run_program("8E20 0020" + END, gpr={2: 0xFFFFFFFF, 3: 0})
    assert result.gpr[2:4] == [0xFFFFFFFF, 0xFFFFFFFF] and result.cc == 1


def test_slda_odd_register_is_a_specification_exception():
    result = run_program("8F30 0004" + END)
    assert result.program_interruption == SPECIFICATION


@FEW
@given(words, words)
def test_ar_agrees_with_a_python_model(first, second):
    result = run_program("1A21" + END, gpr={2: first, 1: second})
    total = signed(first) + signed(second)
    assert result.gpr[2] == total & 0xFFFFFFFF
    overflow = not -(2**31) <= total < 2**31
    assert result.cc == (3 if overflow else model_cc(total))


@FEW
@given(words, words)
def test_s_agrees_with_a_python_model(first, second):
    result = run_program("5B20 0800" + END, gpr={2: first}, data={0x800: second.to_bytes(4, "big")})
    difference = signed(first) - signed(second)
    assert result.gpr[2] == difference & 0xFFFFFFFF
    overflow = not -(2**31) <= difference < 2**31
    assert result.cc == (3 if overflow else model_cc(difference))


@FEW
@given(words, words)
def test_alr_and_slr_agree_with_a_python_model(first, second):
    result = run_program("1E21" + END, gpr={2: first, 1: second})
    total = first + second
    assert result.gpr[2] == total & 0xFFFFFFFF
    assert result.cc == (2 if total >> 32 else 0) | (1 if total & 0xFFFFFFFF else 0)
    result = run_program("1F21" + END, gpr={2: first, 1: second})
    assert result.gpr[2] == (first - second) & 0xFFFFFFFF
    carry = first >= second
    assert result.cc == (2 if carry else 0) | (1 if first != second else 0)


@FEW
@given(words, words)
def test_mr_agrees_with_a_python_model(multiplicand, multiplier):
    result = run_program("1C24" + END, gpr={3: multiplicand, 4: multiplier})
    product = signed(multiplicand) * signed(multiplier)
    assert (result.gpr[2] << 32 | result.gpr[3]) == product & (2**64 - 1)


@FEW
@given(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**31), 2**31 - 1))
def test_dr_agrees_with_a_python_model(dividend, divisor):
    pair = dividend & (2**64 - 1)
    result = run_program(
        "1D24" + END, gpr={2: pair >> 32, 3: pair & 0xFFFFFFFF, 4: divisor & 0xFFFFFFFF}
    )
    if divisor == 0:
        assert result.program_interruption == FIXED_POINT_DIVIDE
        return
    quotient = abs(dividend) // abs(divisor) * (1 if (dividend < 0) == (divisor < 0) else -1)
    if not -(2**31) <= quotient < 2**31:
        assert result.program_interruption == FIXED_POINT_DIVIDE
        return
    assert result.ended
    assert signed(result.gpr[3]) == quotient
    assert signed(result.gpr[2]) == dividend - quotient * divisor


@FEW
@given(words, st.integers(0, 63))
def test_sla_agrees_with_a_python_model(value, amount):
    result = run_program(f"8B20 {amount:04X}" + END, gpr={2: value})
    shifted = signed(value) << amount
    if -(2**31) <= shifted < 2**31:
        assert signed(result.gpr[2]) == shifted and result.cc == model_cc(shifted)
    else:
        assert result.cc == 3 and result.gpr[2] >> 31 == value >> 31


@FEW
@given(words, words)
def test_compares_agree_with_a_python_model(first, second):
    signed_cc = (
        0 if signed(first) == signed(second) else (1 if signed(first) < signed(second) else 2)
    )
    logical_cc = 0 if first == second else (1 if first < second else 2)
    assert run_program("1921" + END, gpr={2: first, 1: second}).cc == signed_cc
    assert run_program("1521" + END, gpr={2: first, 1: second}).cc == logical_cc
    halfword = second & 0xFFFF
    result = run_program("4920 0800" + END, gpr={2: first}, data={0x800: f"{halfword:04X}"})
    half_value = halfword - ((halfword & 0x8000) << 1)
    assert result.cc == (
        0 if signed(first) == half_value else (1 if signed(first) < half_value else 2)
    )


@FEW
@given(words)
def test_load_sign_instructions_agree_with_a_python_model(value):
    number = signed(value)
    for code, expected in (("1021", abs(number)), ("1121", -abs(number)), ("1321", -number)):
        result = run_program(code + END, gpr={1: value})
        assert result.gpr[2] == expected & 0xFFFFFFFF
        if -(2**31) <= expected < 2**31:
            assert result.cc == model_cc(expected)
        else:
            assert result.cc == 3


@FEW
@given(words, st.integers(0, 0xFFFF))
def test_mh_and_ah_agree_with_a_python_model(value, halfword):
    half_value = halfword - ((halfword & 0x8000) << 1)
    data = {0x800: f"{halfword:04X}"}
    result = run_program("4C20 0800" + END, gpr={2: value}, data=data)
    assert result.gpr[2] == (signed(value) * half_value) & 0xFFFFFFFF
    result = run_program("4A20 0800" + END, gpr={2: value}, data=data)
    total = signed(value) + half_value
    assert result.gpr[2] == total & 0xFFFFFFFF
    assert result.cc == (model_cc(total) if -(2**31) <= total < 2**31 else 3)

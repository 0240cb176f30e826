"""Branching instructions and EXECUTE (vm370/hardware/instructions/branch.py)."""

from cpu_programs import END, run_program
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.interrupts import EXECUTE, OPERATION, SPECIFICATION

SKIP_MARKER = "41F0 00FF"  # LA 15,255: runs only when a branch is not taken


def test_bc_taken_when_the_mask_selects_the_cc():
    # CR 1,2 gives CC 1; BC 4 (low) skips the marker.
    result = run_program("1912  4740 020A" + SKIP_MARKER + END, gpr={1: 1, 2: 2})
    assert result.ended and result.gpr[15] == 0


def test_bc_not_taken_when_the_mask_does_not_select_the_cc():
    result = run_program("1912  4780 020A" + SKIP_MARKER + END, gpr={1: 1, 2: 2})
    assert result.gpr[15] == 255


def test_bcr_with_register_0_never_branches():
    result = run_program("07F0" + SKIP_MARKER + END)
    assert result.gpr[15] == 255


def test_bcr_branches_to_the_register_address():
    result = run_program("07F1" + SKIP_MARKER + END, gpr={1: 0x206})
    assert result.ended and result.gpr[15] == 0


def test_bal_links_with_ilc_cc_and_program_mask():
    # SPM sets CC 2 and program mask 5 from R3; BAL 14 jumps over the marker.
    result = run_program("0430  45E0 020A" + SKIP_MARKER + END, gpr={3: 0x25000000})
    assert result.gpr[15] == 0
    assert result.gpr[14] == 0x80000000 | 0x20000000 | 0x05000000 | 0x206


def test_balr_links_with_ilc_1_and_branches():
    result = run_program("05E1" + SKIP_MARKER + END, gpr={1: 0x206})
    assert result.gpr[14] == 0x40000202 and result.gpr[15] == 0


def test_balr_with_register_0_links_without_branching():
    result = run_program("05E0" + SKIP_MARKER + END)
    assert result.gpr[14] == 0x40000202 and result.gpr[15] == 255


def test_bas_and_basr_store_only_the_address():
    result = run_program("4DE0 0208" + SKIP_MARKER + END)
    assert result.gpr[14] == 0x204 and result.gpr[15] == 0
    result = run_program("0DE1" + SKIP_MARKER + END, gpr={1: 0x206})
    assert result.gpr[14] == 0x202 and result.gpr[15] == 0


def test_bct_counts_down_and_falls_through_at_zero():
    # LOOP: LA 2,1(2); BCT 3,LOOP
    result = run_program("4122 0001  4630 0200" + END, gpr={3: 5})
    assert result.gpr[2] == 5 and result.gpr[3] == 0


def test_bct_uses_the_old_register_value_for_the_branch_address():
    # BCT 3,0(0,3): R3 = X'208' is both the count and the base.
    result = run_program("4630 3000" + SKIP_MARKER + END, gpr={3: 0x208})
    assert result.gpr[3] == 0x207 and result.gpr[15] == 0


def test_bctr_with_register_0_decrements_without_branching():
    result = run_program("0630" + END, gpr={3: 0})
    assert result.ended and result.gpr[3] == 0xFFFFFFFF


def test_bxle_loops_over_an_index():
    # R2 index 0, R4 increment 4, R5 limit 12: LA 6,1(6); BXLE 2,4,LOOP
    result = run_program("4166 0001  8724 0200" + END, gpr={4: 4, 5: 12})
    assert result.gpr[6] == 4 and result.gpr[2] == 16


def test_bxh_with_an_odd_r3_compares_with_the_increment_itself():
    # BXH 2,3: R3 is both increment and comparand; -1 counts down until not high.
    result = run_program("4166 0001  8623 0200" + END, gpr={2: 3, 3: 0xFFFFFFFF})
    assert result.gpr[6] == 4 and result.gpr[2] == 0xFFFFFFFF


def test_ex_ors_the_register_into_the_length_of_mvc():
    result = run_program(
        "4410 0208" + END + "0000 D200 0800 0810",
        gpr={1: 3},
        data={0x810: "01020304"},
    )
    assert result.ended and result.word(0x800) == 0x01020304


def test_ex_of_a_branch_takes_the_branch():
    result = run_program("4400 0208  41F0 00FF  47F0 020C" + END)
    assert result.ended and result.gpr[15] == 0


def test_ex_of_balr_links_with_the_ilc_of_ex():
    result = run_program("4400 0206" + END + "05E0")
    assert result.gpr[14] == 0x80000204


def test_ex_of_ex_is_an_execute_exception():
    result = run_program("4400 0206" + END + "4400 0206")
    assert result.program_interruption == EXECUTE
    assert result.stopping_old_psw.ilc == 2


def test_ex_of_an_odd_address_is_a_specification_exception():
    result = run_program("4400 0209" + END)
    assert result.program_interruption == SPECIFICATION


def test_ex_subject_interruption_reports_the_ilc_and_address_of_ex():
    result = run_program("4400 0206" + END + "0000")
    assert result.program_interruption == OPERATION
    assert result.stopping_old_psw.ilc == 2
    assert result.stopping_old_psw.instruction_address == 0x204


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["86", "87"]),
    st.lists(st.integers(0, 0xFFFFFFFF), min_size=3, max_size=3),
    st.sampled_from([(2, 4), (2, 5), (2, 3), (3, 3), (5, 4)]),
)
def test_bxh_and_bxle_agree_with_a_python_model(opcode, values, registers):
    r1, r3 = registers
    # Later assignments win where the register numbers coincide.
    before = [0] * 16
    before[r3], before[r3 | 1], before[r1] = values
    result = run_program(
        f"{opcode}{r1:X}{r3:X} 0208" + SKIP_MARKER + END, gpr=dict(enumerate(before))
    )

    def signed(value):
        return value - ((value & 0x80000000) << 1)

    total = (before[r1] + before[r3]) & 0xFFFFFFFF
    comparand = signed(before[r3 | 1])
    taken = signed(total) > comparand if opcode == "86" else signed(total) <= comparand
    assert result.gpr[r1] == total
    assert result.gpr[15] == (0 if taken else 255)

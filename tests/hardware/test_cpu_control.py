"""Status-switching and I/O instructions (vm370/hardware/instructions/control.py)."""

from cpu_programs import END, EXTERNAL_MARK, SVC_END_NUMBER, run_program

from vm370.hardware.interrupts import (
    ADDRESSING,
    PRIVILEGED_OPERATION,
    SPECIFICATION,
)
from vm370.hardware.machine import Machine
from vm370.hardware.psw import BCPSW, EXTERNAL_OLD_PSW, SVC_OLD_PSW

PROBLEM_STATE_PSW = BCPSW(problem_state=True, instruction_address=0x200).to_int()


def test_svc_stores_its_number_ilc_and_the_next_address_in_the_svc_old_psw():
    result = run_program("1812 0A2A")
    old = result.old_psw(SVC_OLD_PSW)
    assert old.interruption_code == 0x2A and old.ilc == 1
    assert old.instruction_address == 0x204
    assert result.psw.wait


def test_svc_executed_by_ex_has_the_ilc_of_ex():
    result = run_program("4400 0206" + END + "0A07")
    old = result.old_psw(SVC_OLD_PSW)
    assert old.interruption_code == 7 and old.ilc == 2 and old.instruction_address == 0x204


def test_svc_works_in_the_problem_state():
    result = run_program(END, problem_state=True)
    assert result.ended and result.old_psw(SVC_OLD_PSW).problem_state


def test_spm_sets_cc_and_program_mask_from_bits_2_to_7():
    result = run_program("0410" + END, gpr={1: 0xDF000000})
    assert result.cc == 1 and result.program_mask == 0xF


def test_lpsw_loads_the_whole_psw():
    new = BCPSW(key=3, cc=2, program_mask=8, instruction_address=0x20C).to_int()
    result = run_program(
        "8200 0800" + END + "0000 0000 0000" + END, data={0x800: new.to_bytes(8, "big")}
    )
    assert result.ended
    old = result.old_psw(SVC_OLD_PSW)
    assert old.key == 3 and old.cc == 2 and old.program_mask == 8
    assert old.instruction_address == 0x20E


def test_lpsw_of_an_unaligned_operand_is_a_specification_exception():
    result = run_program("8200 0804" + END)
    assert result.program_interruption == SPECIFICATION


def test_lpsw_in_the_problem_state_is_a_privileged_operation_exception():
    result = run_program("8200 0800" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == PRIVILEGED_OPERATION
    assert result.stopping_old_psw.instruction_address == 0x204


def test_lpsw_of_a_disabled_wait_stops_the_machine():
    wait = BCPSW(wait=True, instruction_address=0x1234).to_int()
    result = run_program("8200 0800", data={0x800: wait.to_bytes(8, "big")})
    assert result.stop == "disabled-wait" and result.psw.instruction_address == 0x1234


def test_enabled_wait_with_nothing_pending_stops_as_enabled_wait():
    wait = BCPSW(system_mask=0xFF, wait=True).to_int()
    result = run_program("8200 0800", data={0x800: wait.to_bytes(8, "big")})
    assert result.stop == "enabled-wait"


def test_ssm_enabling_a_pending_external_interruption_takes_it_after_ssm():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.press_interrupt_key()
    result = run_program("8000 0800" + END, data={0x800: "01"}, machine=machine)
    assert result.psw.instruction_address == EXTERNAL_MARK
    old = result.old_psw(EXTERNAL_OLD_PSW)
    assert old.interruption_code == 0x0040 and old.instruction_address == 0x204
    assert old.system_mask == 0x01


def test_pending_external_interruption_waits_while_masked_off():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.press_interrupt_key()
    result = run_program("8000 0800" + END, data={0x800: "FE"}, machine=machine)
    assert result.ended and machine.cpu.external_pending == 0x40


def test_ssm_in_the_problem_state_is_a_privileged_operation_exception():
    result = run_program("8000 0800" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == PRIVILEGED_OPERATION


def test_ssk_then_isk_round_trip_the_key_and_fetch_bit():
    result = run_program("0812  0932" + END, gpr={1: 0x38, 2: 0x1800, 3: 0xFFFFFF07})
    assert result.machine.storage.key_of(0x1800) == 0x38
    assert result.gpr[3] == 0xFFFFFF38


def test_ssk_with_low_bits_in_r2_is_a_specification_exception():
    result = run_program("0812" + END, gpr={1: 0x30, 2: 0x1801})
    assert result.program_interruption == SPECIFICATION
    assert result.machine.storage.key_of(0x1800) == 0


def test_isk_beyond_storage_is_an_addressing_exception():
    result = run_program("0932" + END, gpr={2: 0x100000})
    assert result.program_interruption == ADDRESSING


def test_ssk_and_isk_are_privileged():
    assert run_program("0812" + END, psw=PROBLEM_STATE_PSW).program_interruption == (
        PRIVILEGED_OPERATION
    )
    assert run_program("0932" + END, psw=PROBLEM_STATE_PSW).program_interruption == (
        PRIVILEGED_OPERATION
    )


def test_diagnose_on_the_bare_machine_is_a_specification_exception():
    result = run_program("8312 0008" + END)
    assert result.program_interruption == SPECIFICATION


def test_diagnose_in_the_problem_state_is_a_privileged_operation_exception():
    result = run_program("8312 0008" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == PRIVILEGED_OPERATION


def test_io_instructions_give_cc3_for_a_device_that_is_not_there():
    for opcode in ("9C", "9D", "9E", "9F"):
        result = run_program(f"{opcode}00 05FF" + END)
        assert result.ended and result.cc == 3, opcode


def test_io_instructions_are_privileged():
    result = run_program("9C00 000C" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == PRIVILEGED_OPERATION


def test_write_direct_is_not_installed():
    result = run_program("8400 0800" + END)
    assert result.program_interruption == 0x01


def test_the_end_marker_number_is_what_run_program_expects():
    assert run_program(END).old_psw(SVC_OLD_PSW).interruption_code == SVC_END_NUMBER


def test_write_direct_is_not_installed_in_the_problem_state_either():
    result = run_program("8400 0800" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == 0x01


def test_a_model_67_privileged_instruction_checks_the_state_first():
    # LMC (DAT issue): a problem-state program gets the privileged-operation
    # exception the real machine gives, whatever this build implements.
    result = run_program("B812 0800" + END, psw=PROBLEM_STATE_PSW)
    assert result.program_interruption == PRIVILEGED_OPERATION

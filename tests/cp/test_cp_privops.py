"""Each privileged instruction simulated against the VMBLOK and the guest's storage."""

import pytest
from cp_guests import (
    ORIGIN,
    PROGRAM_MARK,
    new_guest,
    program_old_psw,
    trap,
)

from vm370.cp.privops import DecodeError, decode
from vm370.cp.vmblock import RunState
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.dat import page_table_entry, segment_table_entry, segment_table_register
from vm370.hardware.interrupts import (
    ADDRESSING,
    OPERATION,
    PAGE_TRANSLATION,
    PRIVILEGED_OPERATION,
    PROTECTION,
    SPECIFICATION,
)
from vm370.hardware.psw import BCPSW


def test_decode_takes_each_format_apart():
    lpsw = decode(bytes.fromhex("8200C123"))
    assert (lpsw.mnemonic, lpsw.b1, lpsw.d1, lpsw.ilc) == ("LPSW", 12, 0x123, 2)
    ssk = decode(bytes.fromhex("0834"))
    assert (ssk.r1, ssk.r2, ssk.ilc) == (3, 4, 1)
    lra = decode(bytes.fromhex("B1A5C010"))
    assert (lra.r1, lra.x2, lra.b2, lra.d2) == (10, 5, 12, 0x010)
    lmc = decode(bytes.fromhex("B80FD004"))
    assert (lmc.r1, lmc.r3, lmc.b2, lmc.d2) == (0, 15, 13, 4)
    mvc = decode(bytes.fromhex("D207C001D002"))
    assert (mvc.b1, mvc.d1, mvc.b2, mvc.d2, mvc.ilc) == (12, 1, 13, 2, 3)
    with pytest.raises(DecodeError, match="not installed"):
        decode(b"\x00\x00")


def test_lpsw_loads_the_virtual_psw(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x300, bytes.fromhex("FF0500001A001234"))
    trap(cp, guest, "8200 0300")
    assert guest.psw.to_int() == 0xFF0500001A001234
    assert (guest.psw.system_mask, guest.psw.key, guest.psw.problem_state) == (0xFF, 0, True)
    assert guest.psw.cc == 1 and guest.psw.program_mask == 0xA
    assert guest.counters.privops == 1 and guest.counters.reflected == 0


def test_lpsw_of_a_wait_psw_puts_the_machine_in_the_right_wait(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x300, bytes.fromhex("0102000000000000"))
    trap(cp, guest, "8200 0300")
    assert guest.state is RunState.ENABLED_WAIT
    cp.load("GUEST", 0x300, bytes.fromhex("0002000000000000"))
    trap(cp, guest, "8200 0300")
    assert guest.state is RunState.DISABLED_WAIT


def test_misaligned_lpsw_is_the_guests_specification_exception(cp):
    guest = new_guest(cp)
    trap(cp, guest, "8200 0304")
    old = program_old_psw(cp, guest)
    assert old.interruption_code == SPECIFICATION
    assert old.instruction_address == ORIGIN + 4 and old.ilc == 2
    assert guest.psw.instruction_address == PROGRAM_MARK
    assert guest.counters.reflected == 1


def test_a_privileged_instruction_in_virtual_problem_state_is_reflected(cp):
    guest = new_guest(cp)
    trap(cp, guest, "8200 0300", BCPSW(problem_state=True, key=3))
    old = program_old_psw(cp, guest)
    assert old.interruption_code == PRIVILEGED_OPERATION and old.problem_state
    assert old.key == 3 and old.instruction_address == ORIGIN + 4
    assert guest.counters.privops == 0


def test_lpsw_from_a_fetch_protected_block_is_a_protection_exception(cp):
    guest = new_guest(cp)
    guest.storage_keys[1] = 0x58  # block 1: key 5, fetch protected
    trap(cp, guest, "8200 0800", BCPSW(key=6))
    assert program_old_psw(cp, guest).interruption_code == PROTECTION
    guest.storage_keys[1] = 0x50  # not fetch protected: any key may fetch
    cp.load("GUEST", 0x800, bytes.fromhex("0000000000000400"))
    trap(cp, guest, "8200 0800", BCPSW(key=6))
    assert guest.psw.instruction_address == 0x400


def test_lpsw_past_the_end_of_virtual_storage_is_addressing(cp):
    guest = new_guest(cp, size=16 * 1024)
    cp.load("GUEST", 0x100, (0x8000).to_bytes(4, "big"))
    guest.gpr[5] = 0x4000
    trap(cp, guest, "8200 5000")
    assert program_old_psw(cp, guest).interruption_code == ADDRESSING


def test_ssm_sets_the_system_mask_and_presents_a_pending_interruption(cp):
    guest = new_guest(cp)
    guest.pending_external = 0x40
    cp.load("GUEST", 0x300, b"\x01")
    trap(cp, guest, "8000 0300")
    assert guest.counters.privops == 1
    external_old = BCPSW.from_bytes(cp.read("GUEST", 0x18, 8))
    assert external_old.system_mask == 0x01 and external_old.interruption_code == 0x40
    assert external_old.instruction_address == ORIGIN + 4
    assert guest.pending_external == 0 and guest.counters.reflected == 1


def test_ssm_in_ec_mode_sets_translation_and_the_summary_masks(cp):
    guest = new_guest(cp)
    guest.control.load(6, 0x00800000)
    cp.load("GUEST", 0x300, b"\x07")
    trap(cp, guest, "8000 0300", ECPSW())
    assert isinstance(guest.psw, ECPSW)
    assert guest.psw.translation and guest.psw.io_mask and guest.psw.external_mask
    assert not guest.psw.addressing_32


def test_ssk_and_isk_work_on_the_virtual_keys_and_the_real_key_of_a_resident_page(cp):
    guest = new_guest(cp)
    guest.gpr[2] = 0x0000_3800  # block 7, in page 3
    guest.gpr[1] = 0x0000_00E9
    cp.load("GUEST", 0x3800, b"\x00")  # page 3 resident
    trap(cp, guest, "0812")
    assert guest.storage_keys[7] == 0xE8
    frame = cp.pager.resident_frame("GUEST", 3)
    assert cp.storage.key_of(frame.address + 0x800) == 0xE8
    assert cp.storage.key_of(frame.address) == 0x00
    guest.gpr[4] = 0xAAAAAA00
    trap(cp, guest, "0942")
    assert guest.gpr[4] == 0xAAAAAAE8


def test_a_key_set_while_paged_out_is_in_the_real_key_after_page_in(cp):
    guest = new_guest(cp)
    guest.gpr[2] = 0x5000
    guest.gpr[1] = 0x30
    trap(cp, guest, "0812")
    assert cp.pager.resident_frame("GUEST", 5) is None
    cp.load("GUEST", 0x5000, b"\x01")
    frame = cp.pager.resident_frame("GUEST", 5)
    assert cp.storage.key_of(frame.address) == 0x30


def test_ssk_with_low_bits_is_specification_and_past_storage_is_addressing(cp):
    guest = new_guest(cp, size=16 * 1024)
    guest.gpr[2] = 0x0801
    trap(cp, guest, "0812")
    assert program_old_psw(cp, guest).interruption_code == SPECIFICATION
    guest.gpr[2] = 0x8000
    trap(cp, guest, "0912")
    assert program_old_psw(cp, guest).interruption_code == ADDRESSING


@pytest.mark.parametrize("instruction", ["9C00 000C", "9D00 0190", "9E00 000E", "9F00 0100"])
def test_io_instructions_find_no_device_yet(cp, instruction):
    guest = new_guest(cp)
    trap(cp, guest, instruction)
    assert guest.psw.cc == 3 and guest.psw.instruction_address == ORIGIN + 4
    assert guest.counters.privops == 1


def test_diagnose_log_writes_the_guests_line_to_cps_log(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x400, "HELLO FROM THE GUEST".encode("cp037"))
    guest.gpr[3], guest.gpr[4] = 0x400, 20
    trap(cp, guest, "8334 0100")
    assert cp.log[-1] == "GUEST: HELLO FROM THE GUEST"
    assert guest.psw.cc == 0 and guest.counters.diagnoses == 1


def test_diagnose_log_with_a_bad_length_is_specification(cp):
    guest = new_guest(cp)
    guest.gpr[3], guest.gpr[4] = 0x400, 0
    trap(cp, guest, "8334 0100")
    assert program_old_psw(cp, guest).interruption_code == SPECIFICATION


def test_diagnose_cpu_time_stores_the_instruction_count(cp):
    guest = new_guest(cp)
    guest.counters.instructions = 123456
    guest.gpr[5] = 0x500
    trap(cp, guest, "8350 0104")
    assert int.from_bytes(cp.read("GUEST", 0x500, 8), "big") == 123456


def test_an_unknown_diagnose_code_is_the_bare_machines_specification_exception(cp):
    guest = new_guest(cp)
    trap(cp, guest, "8300 0FF0")
    assert program_old_psw(cp, guest).interruption_code == SPECIFICATION
    assert guest.counters.diagnoses == 0


def test_lmc_of_cr6_switches_the_virtual_machine_to_ec_mode(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x300, (0x00800000).to_bytes(4, "big"))
    trap(cp, guest, "B866 0300", BCPSW(system_mask=0xFF, key=2))
    assert guest.ec_mode and isinstance(guest.psw, ECPSW)
    assert guest.psw.io_mask and guest.psw.external_mask and guest.psw.key == 2
    assert guest.psw.instruction_address == ORIGIN + 4


@pytest.mark.parametrize("instruction", ["B866 0300", "B048 0300", "B110 0300"])
def test_without_ecmode_the_67s_instructions_are_invalid_operations(cp, instruction):
    guest = new_guest(cp)
    guest.extended_control = False
    trap(cp, guest, instruction)
    assert program_old_psw(cp, guest).interruption_code == OPERATION
    assert not guest.ec_mode


def test_stmc_stores_the_virtual_control_registers(cp):
    guest = new_guest(cp)
    guest.control.load(4, 0xF0000000)
    trap(cp, guest, "B048 0300")  # CR4 to CR8
    words = cp.read("GUEST", 0x300, 20)
    assert words[:4] == bytes.fromhex("F0000000")
    assert words[16:20] == bytes.fromhex("88888888")  # CR8, a partitioning sensing register


def test_lmc_with_a_misaligned_operand_is_specification(cp):
    guest = new_guest(cp)
    trap(cp, guest, "B800 0302")
    assert program_old_psw(cp, guest).interruption_code == SPECIFICATION


def build_guest_tables(cp, name, mapping, table_at=0x1000, page_table_at=0x1040):
    """Guest segment table with one valid segment: page index -> guest-real page address."""
    cp.load(name, table_at, segment_table_entry(page_table_at, 16).to_bytes(4, "big"))
    cp.load(name, table_at + 4, segment_table_entry(None).to_bytes(4, "big") * 15)
    for page in range(16):
        cp.load(
            name,
            page_table_at + 2 * page,
            page_table_entry(mapping.get(page)).to_bytes(2, "big"),
        )
    return segment_table_register(table_at, 16)


def test_lra_gives_the_guest_real_address_from_the_guests_own_tables(cp):
    guest = new_guest(cp)
    guest.control.load(0, build_guest_tables(cp, "GUEST", {2: 0x7000}))
    guest.gpr[6] = 0x2ABC
    trap(cp, guest, "B176 0000")
    assert (guest.psw.cc, guest.gpr[7]) == (0, 0x7ABC)
    guest.gpr[6] = 0x3000
    trap(cp, guest, "B176 0000")
    assert (guest.psw.cc, guest.gpr[7]) == (2, 0x1040 + 6)
    guest.gpr[6] = 0x100000
    trap(cp, guest, "B176 0000")
    assert (guest.psw.cc, guest.gpr[7]) == (1, 0x1004)


def test_an_operand_in_an_unmapped_page_of_a_translated_guest_is_suppressed(cp):
    guest = new_guest(cp)
    guest.control.load(6, 0x00800000)
    guest.control.load(0, build_guest_tables(cp, "GUEST", {0: 0x0000}))
    guest.gpr[5] = 0x3000
    trap(cp, guest, "8200 5000", ECPSW(translation=True))
    code = int.from_bytes(cp.read("GUEST", 0x12, 2), "big")
    old = ECPSW.from_bytes(cp.read("GUEST", 0x28, 8))
    assert code == PAGE_TRANSLATION
    # The Model 67 suppresses (docs/model67.md): past the LPSW, with its ILC.
    assert old.instruction_address == ORIGIN + 4 and old.ilc == 2 and old.translation
    assert guest.control.translation_exception_address == 0x3000

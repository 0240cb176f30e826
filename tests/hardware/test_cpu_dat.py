"""The CPU with the Model 67's translation wired in: EC mode, DAT, LMC/STMC/LRA.

Small hand-encoded programs run through hand-built segment and page tables to
a disabled wait (GA27-2719; the formats and choices are in docs/model67.md).
Each program starts at a virtual address in an EC-mode PSW with translation
on; SVC 255 ends it (the SVC new PSW is a disabled wait marked END_MARK) and
a program interruption stops it at PROGRAM_CHECK_MARK, with the code at
X'12' and the EC-mode old PSW at X'28'.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from vm370.cli import main
from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    ECPSW,
    EXTENDED_CHANNEL_MASK_REGISTER,
    MODE_REGISTER,
    SEGMENT_TABLE_REGISTER,
)
from vm370.hardware.cpu import TranslatingCPU
from vm370.hardware.dat import (
    page_table_entry,
    segment_table_entry,
    segment_table_register,
)
from vm370.hardware.interrupts import (
    ADDRESSING,
    PAGE_TRANSLATION,
    PRIVILEGED_OPERATION,
    PROTECTION,
    SEGMENT_TRANSLATION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.machine import Machine
from vm370.hardware.psw import (
    EXTERNAL_NEW_PSW,
    IO_NEW_PSW,
    PROGRAM_NEW_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
    SVC_OLD_PSW,
)
from vm370.hardware.translated_access import TranslatedStorageAccess

STORAGE = 256 * 1024
SEGMENT_TABLE = 0x10000  # room for 4,096 entries (the 32-bit mode)
PAGE_TABLES = 0x18000  # 512 bytes each, one per segment in use
FRAMES = 0x20000  # real frames for the tests' pages: 0x20000-0x3F000
END = "0AFF"
END_MARK = 0xEEEE
PROGRAM_CHECK_MARK = 0xBBBB


def frame(number: int) -> int:
    return FRAMES + number * 0x1000


class Tables:
    """Segment and page tables in real storage, built page by page."""

    def __init__(self, machine: Machine, segments: int = 16) -> None:
        self.machine = machine
        self.entries = (segments + 15) // 16 * 16
        self.cr0 = segment_table_register(SEGMENT_TABLE, segments)
        self.page_tables: dict[int, int] = {}
        for index in range(self.entries):
            self.write(SEGMENT_TABLE + 4 * index, segment_table_entry(None), 4)

    def write(self, address: int, value: int, length: int) -> None:
        self.machine.storage.write(address, value.to_bytes(length, "big"))

    def page_table(self, segment: int, pages: int = 256) -> int:
        origin = self.page_tables.get(segment)
        if origin is None:
            origin = PAGE_TABLES + 0x200 * len(self.page_tables)
            self.page_tables[segment] = origin
            for index in range(256):
                self.write(origin + 2 * index, page_table_entry(None), 2)
        self.write(SEGMENT_TABLE + 4 * segment, segment_table_entry(origin, pages), 4)
        return origin

    def map(self, virtual: int, real: int | None) -> None:
        """Map the page of ``virtual`` to the frame at ``real`` (None: an invalid entry)."""
        segment = virtual >> 20
        origin = self.page_tables.get(segment)
        if origin is None:
            origin = self.page_table(segment)
        self.write(origin + 2 * ((virtual >> 12) & 0xFF), page_table_entry(real), 2)

    def page_table_entry_address(self, virtual: int) -> int:
        return self.page_tables[virtual >> 20] + 2 * ((virtual >> 12) & 0xFF)


def ec_wait(mark: int) -> int:
    return ECPSW(wait=True, instruction_address=mark).to_int()


def ec_machine(segments: int = 16) -> tuple[Machine, Tables]:
    """A machine in EC mode with empty tables and disabled-wait new PSWs."""
    machine = Machine(STORAGE, interval_timer=False)
    machine.cpu.control.load(MODE_REGISTER, CR6_EXTENDED_CONTROL_MODE)
    for location, mark in (
        (EXTERNAL_NEW_PSW, 0xDDDD),
        (SVC_NEW_PSW, END_MARK),
        (PROGRAM_NEW_PSW, PROGRAM_CHECK_MARK),
        (0x70, 0xCCCC),
        (IO_NEW_PSW, 0xAAAA),
    ):
        machine.load(location, ec_wait(mark).to_bytes(8, "big"))
    return machine, Tables(machine, segments)


def run(
    machine: Machine,
    tables: Tables,
    start: int,
    *,
    addressing_32: bool = False,
    problem_state: bool = False,
    key: int = 0,
    gpr: dict[int, int] | None = None,
) -> str:
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, tables.cr0)
    for register, value in (gpr or {}).items():
        machine.cpu.gpr[register] = value
    psw = ECPSW(
        addressing_32=addressing_32,
        translation=True,
        key=key,
        problem_state=problem_state,
        instruction_address=start,
    )
    machine.set_psw(psw.to_int())
    return machine.run(10_000)


def psw(machine: Machine) -> ECPSW:
    return ECPSW.from_int(machine.cpu.current_psw())


def old_psw(machine: Machine, location: int) -> ECPSW:
    return ECPSW.from_bytes(machine.dump(location, 8))


def code_at(machine: Machine, location: int) -> int:
    return int.from_bytes(machine.dump(location, 2), "big")


def ended(machine: Machine, stop: str) -> bool:
    return stop == "disabled-wait" and psw(machine).instruction_address == END_MARK


def program_interruption(machine: Machine, stop: str) -> int | None:
    if stop == "disabled-wait" and psw(machine).instruction_address == PROGRAM_CHECK_MARK:
        return code_at(machine, 0x12)
    return None


def word(machine: Machine, address: int) -> int:
    return int.from_bytes(machine.dump(address, 4), "big")


def load(machine: Machine, address: int, text: str) -> None:
    machine.load(address, bytes.fromhex("".join(text.split())))


def test_a_translated_program_runs_from_its_frames_to_a_disabled_wait():
    machine, tables = ec_machine()
    tables.map(0x001000, frame(3))  # code
    tables.map(0x005000, frame(1))  # data
    # L 2,X'010'(0,5); A 2,X'014'(0,5); ST 2,X'018'(0,5); SVC 255
    load(machine, frame(3) + 0x100, "5820 5010  5A20 5014  5020 5018" + END)
    load(machine, frame(1) + 0x10, "00000007 00000023")
    stop = run(machine, tables, 0x001100, gpr={5: 0x005000})
    assert ended(machine, stop)
    assert word(machine, frame(1) + 0x18) == 0x2A
    # The old PSW is an EC-mode PSW with translation on, pointing past the SVC.
    old = old_psw(machine, SVC_OLD_PSW)
    assert old.translation and old.instruction_address == 0x00110E
    assert code_at(machine, 0x10) == 0xFF  # the SVC code in its EC location
    assert machine.cpu.dat.hits > 0 and machine.cpu.dat.misses >= 2


def test_a_load_through_a_mapping_reads_the_frame_not_the_real_address():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x003000, frame(5))
    load(machine, frame(0) + 0x200, "5820 3000" + END)
    load(machine, 0x3000, "11111111")  # real X'3000': not what the program sees
    load(machine, frame(5), "22222222")
    assert ended(machine, run(machine, tables, 0x200, gpr={3: 0x3000}))
    assert machine.cpu.gpr[2] == 0x22222222


def lra(machine: Machine, tables: Tables, address: int) -> tuple[int, int]:
    """Run LRA 2,0(0,3) with R3 = address; return (cc, R1)."""
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x200, "B123 0000" + END)
    stop = run(machine, tables, 0x200, gpr={3: address})
    assert ended(machine, stop)
    return old_psw(machine, SVC_OLD_PSW).cc, machine.cpu.gpr[2]


def test_lra_cc0_gives_the_real_address():
    machine, tables = ec_machine()
    tables.map(0x234000, frame(7))
    assert lra(machine, tables, 0x234ABC) == (0, frame(7) + 0xABC)


def test_lra_cc1_for_an_invalid_segment_entry_gives_the_entry_address():
    machine, tables = ec_machine()
    assert lra(machine, tables, 0x534ABC) == (1, SEGMENT_TABLE + 4 * 5)


def test_lra_cc2_for_an_invalid_page_entry_gives_the_entry_address():
    machine, tables = ec_machine()
    tables.map(0x234000, frame(7))
    tables.map(0x235000, None)
    assert lra(machine, tables, 0x235010) == (2, tables.page_table_entry_address(0x235000))


def test_lra_cc2_for_a_page_index_beyond_the_page_table():
    machine, tables = ec_machine()
    tables.map(0x300000, frame(2))
    tables.page_table(3, pages=4)  # page indexes 0-3 only
    assert lra(machine, tables, 0x304000) == (2, tables.page_tables[3] + 2 * 4)


def test_lra_cc3_for_a_segment_index_beyond_the_table_gives_the_address():
    machine, tables = ec_machine(segments=16)
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x200, "B123 0000" + END)
    # 32-bit mode: segment 16 is past a table of 16 entries.
    stop = run(machine, tables, 0x200, addressing_32=True, gpr={3: 0x01000040})
    assert ended(machine, stop)
    assert (old_psw(machine, SVC_OLD_PSW).cc, machine.cpu.gpr[2]) == (3, 0x01000040)


def test_lra_works_with_translation_off_and_leaves_the_array_alone():
    machine, tables = ec_machine()
    tables.map(0x234000, frame(7))
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, tables.cr0)
    load(machine, 0x200, "B123 0000" + END)
    machine.cpu.gpr[3] = 0x234008
    machine.set_psw(ECPSW(instruction_address=0x200).to_int())
    assert ended(machine, machine.run(100))
    assert machine.cpu.gpr[2] == frame(7) + 8
    dat = machine.cpu.dat
    assert (dat.hits, dat.misses) == (0, 0)
    assert not any(register.valid for register in dat.associative_array())


def test_lra_with_a_segment_table_outside_storage_is_an_addressing_exception():
    machine, _ = ec_machine()
    # Translation off for the LRA, CR0 pointing past the end of storage.
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, segment_table_register(0xFFFF00, 16))
    load(machine, 0x200, "B123 0000" + END)
    machine.set_psw(ECPSW(instruction_address=0x200).to_int())
    stop = machine.run(100)
    assert program_interruption(machine, stop) == ADDRESSING


def test_lra_lmc_and_stmc_are_privileged():
    for instruction in ("B123 0000", "B802 0300", "B002 0300"):
        machine, tables = ec_machine()
        tables.map(0x000000, frame(0))
        load(machine, frame(0) + 0x200, instruction + END)
        stop = run(machine, tables, 0x200, problem_state=True)
        assert program_interruption(machine, stop) == PRIVILEGED_OPERATION, instruction


def test_the_32_bit_mode_reaches_segments_past_16_and_the_24_bit_mode_wraps():
    machine, tables = ec_machine(segments=32)
    tables.map(0x000000, frame(0))
    tables.map(0x001000, frame(1))
    tables.map(0x01001000, frame(2))  # segment 16: only the 32-bit mode gets there
    load(machine, frame(1), "AAAAAAAA")
    load(machine, frame(2), "BBBBBBBB")
    load(machine, frame(0) + 0x200, "5820 3000" + END)
    assert ended(machine, run(machine, tables, 0x200, addressing_32=True, gpr={3: 0x01001000}))
    assert machine.cpu.gpr[2] == 0xBBBBBBBB
    assert old_psw(machine, SVC_OLD_PSW).addressing_32
    assert ended(machine, run(machine, tables, 0x200, gpr={3: 0x01001000}))
    assert machine.cpu.gpr[2] == 0xAAAAAAAA


def test_a_page_crossing_mvc_translates_each_page():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x004000, frame(6))
    tables.map(0x005000, frame(2))  # not the frame after frame(6)
    tables.map(0x008000, frame(9))
    tables.map(0x009000, frame(4))
    load(machine, frame(6) + 0xFFC, "01020304")
    load(machine, frame(2), "05060708")
    # MVC X'FFA'(8,8),X'FFC'(4): source 0x004FFC-0x005003, target 0x008FFA-0x009001.
    load(machine, frame(0) + 0x200, "D207 8FFA 4FFC" + END)
    stop = run(machine, tables, 0x200, gpr={4: 0x004000, 8: 0x008000})
    assert ended(machine, stop)
    assert machine.dump(frame(9) + 0xFFA, 6) == bytes.fromhex("010203040506")
    assert machine.dump(frame(4), 2) == bytes.fromhex("0708")


def test_a_page_crossing_store_into_an_unavailable_page_changes_nothing_and_suppresses():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x008000, frame(9))
    tables.map(0x009000, None)
    load(machine, frame(0) + 0x200, "0700  D207 8FFA 0300" + END)
    load(machine, frame(0) + 0x300, "0102030405060708")
    stop = run(machine, tables, 0x200, gpr={8: 0x008000})
    assert program_interruption(machine, stop) == PAGE_TRANSLATION
    assert machine.dump(frame(9) + 0xFFA, 6) == bytes(6)
    # Suppressed, as a System/360 suppresses (docs/model67.md): the old PSW
    # points past the MVC and the ILC gives its length, 3 halfwords.
    old = old_psw(machine, PROGRAM_OLD_PSW)
    assert old.instruction_address == 0x208 and old.ilc == 3 and old.translation
    assert machine.cpu.control.translation_exception_address == 0x009000


def test_a_store_into_a_remapped_page_goes_to_the_new_frame_after_a_cr0_load():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x018000, 0x018000)  # the page tables, identity-mapped
    tables.map(0x006000, frame(1))
    entry = tables.page_table_entry_address(0x006000)
    new_entry = page_table_entry(frame(2))
    load(machine, frame(0) + 0x300, f"{tables.cr0:08X}")
    load(machine, frame(0) + 0x304, f"{new_entry:04X}")
    program = (
        "5020 6000"  # ST 2,0(0,6): into frame 1
        "D201 7000 0304"  # MVC 0(2,7),X'304': the page table entry now says frame 2
        "B800 0300"  # LMC 0,0,X'300': reload CR0, purging
        "5030 6000"  # ST 3,0(0,6): into frame 2
        "5840 6000"  # L 4,0(0,6)
    )
    load(machine, frame(0) + 0x200, program + END)
    stop = run(machine, tables, 0x200, gpr={2: 0x1111, 3: 0x2222, 6: 0x006000, 7: entry})
    assert ended(machine, stop)
    assert word(machine, frame(1)) == 0x1111
    assert word(machine, frame(2)) == 0x2222
    assert machine.cpu.gpr[4] == 0x2222


def test_code_in_a_remapped_page_is_fetched_from_the_new_frame_after_a_cr0_load():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x018000, 0x018000)
    tables.map(0x007000, frame(1))
    load(machine, frame(1), "41200001 07FE")  # LA 2,1; BR 14
    load(machine, frame(2), "41200002 07FE")  # LA 2,2; BR 14
    entry = tables.page_table_entry_address(0x007000)
    load(machine, frame(0) + 0x300, f"{tables.cr0:08X}{page_table_entry(frame(2)):04X}")
    program = (
        "05E9"  # BALR 14,9: run the code at 0x7000 (frame 1)
        "1832"  # LR 3,2
        "D201 7000 0304"  # MVC: remap 0x7000 to frame 2
        "B800 0300"  # LMC 0,0: purge
        "05E9"  # BALR 14,9 again: frame 2 now
    )
    load(machine, frame(0) + 0x200, program + END)
    stop = run(machine, tables, 0x200, gpr={7: entry, 9: 0x7000})
    assert ended(machine, stop)
    assert (machine.cpu.gpr[3], machine.cpu.gpr[2]) == (1, 2)


def test_a_store_through_an_alias_changes_the_instructions_seen_through_another():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x007000, frame(1))
    tables.map(0x00A000, frame(1))  # the same frame under a second address
    load(machine, frame(1), "41200001 07FE")  # LA 2,1; BR 14
    program = (
        "05E9"  # BALR 14,9: LA 2,1 runs and is decoded
        "1832"  # LR 3,2
        "9205 A003"  # MVI 3(10),5: through the alias, LA 2,1 becomes LA 2,5
        "05E9"  # BALR 14,9
    )
    load(machine, frame(0) + 0x200, program + END)
    stop = run(machine, tables, 0x200, gpr={9: 0x7000, 10: 0xA000})
    assert ended(machine, stop)
    assert (machine.cpu.gpr[3], machine.cpu.gpr[2]) == (1, 5)


def test_an_invalid_segment_is_a_segment_translation_exception_with_cr2_set():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x200, "0700  5820 3010" + END)
    stop = run(machine, tables, 0x200, gpr={3: 0x00700000})
    assert program_interruption(machine, stop) == SEGMENT_TRANSLATION
    assert machine.cpu.control.translation_exception_address == 0x00700010
    old = old_psw(machine, PROGRAM_OLD_PSW)
    assert old.instruction_address == 0x206 and old.ilc == 2


def test_a_segment_index_past_the_table_is_a_segment_translation_exception():
    machine, tables = ec_machine(segments=16)
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x200, "5820 3004" + END)
    stop = run(machine, tables, 0x200, addressing_32=True, gpr={3: 0x00F00000 << 4})
    assert program_interruption(machine, stop) == SEGMENT_TRANSLATION
    assert machine.cpu.control.translation_exception_address == 0x0F000004
    old = old_psw(machine, PROGRAM_OLD_PSW)
    assert old.instruction_address == 0x204 and old.ilc == 2 and old.addressing_32


def test_an_external_interruption_in_ec_mode_stores_its_code_at_x0e():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x200, "47F0 0200")  # B *: a loop the key interrupts
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, tables.cr0)
    machine.set_psw(ECPSW(translation=True, external_mask=True, instruction_address=0x200).to_int())
    machine.press_interrupt_key()
    assert machine.run(100) == "disabled-wait"
    assert psw(machine).instruction_address == 0xDDDD
    assert code_at(machine, 0x0E) == 0x40
    old = old_psw(machine, 0x18)
    assert old.translation and old.external_mask and old.instruction_address == 0x200


def test_an_instruction_fetch_from_an_invalid_page_points_the_old_psw_at_it():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x00C000, None)
    load(machine, frame(0) + 0x200, "07F9")  # BR 9
    stop = run(machine, tables, 0x200, gpr={9: 0x00C100})
    assert program_interruption(machine, stop) == PAGE_TRANSLATION
    assert machine.cpu.control.translation_exception_address == 0x00C100
    # Nothing was fetched: the address is the instruction's, and ILC 0 says so.
    old = old_psw(machine, PROGRAM_OLD_PSW)
    assert old.instruction_address == 0x00C100 and old.ilc == 0


def test_a_page_fault_resolved_by_a_supervisor_resumes_the_instruction():
    """What CP does: map the page, back the old PSW up by its ILC and load it."""
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x00D000, None)
    load(machine, frame(0) + 0x200, "41200009  5020 D010  5830 D010" + END)
    handler = 0x800
    machine.load(PROGRAM_NEW_PSW, ECPSW(instruction_address=handler).to_int().to_bytes(8, "big"))
    faults = []

    def resolve(cpu) -> None:
        address = cpu.control.translation_exception_address
        faults.append((code_at(machine, 0x12), address))
        tables.map(address, frame(8))
        cpu.dat.purge()
        old = old_psw(machine, PROGRAM_OLD_PSW)
        old.instruction_address -= 2 * old.ilc
        cpu.load_psw(old.to_int())

    machine.cpu.register_native(handler, resolve)
    stop = run(machine, tables, 0x200, gpr={13: 0xD000})
    assert ended(machine, stop)
    assert faults == [(PAGE_TRANSLATION, 0x00D010)]
    assert word(machine, frame(8) + 0x10) == 9 and machine.cpu.gpr[3] == 9


@pytest.mark.parametrize("observed", [False, True])
def test_real_code_a_native_routine_branches_to_after_a_translated_trap_runs_untranslated(
    observed,
):
    # A translated program traps (SSM in the problem state) to a native
    # routine, which leaves by setting the instruction address alone, to real
    # code with translation off: that code's store must go to the real
    # address, not through the tables (where X'6000' is another frame).
    # Observed, the routine runs as an instruction of its own.
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x006000, frame(6))
    load(machine, frame(0) + 0x200, "8000 0000" + END)
    load(machine, 0x900, "5020 3000" + END)  # real code: ST 2,0(,3), R3 X'6000'
    handler = 0x800
    machine.load(PROGRAM_NEW_PSW, ECPSW(instruction_address=handler).to_int().to_bytes(8, "big"))

    def to_real_code(cpu) -> None:
        cpu.ia = 0x900

    machine.cpu.register_native(handler, to_real_code)
    if observed:
        machine.cpu.instruction_observers.append(lambda address: None)
    stop = run(machine, tables, 0x200, problem_state=True, gpr={2: 0x5A5A, 3: 0x6000})
    assert ended(machine, stop)
    assert word(machine, 0x6000) == 0x5A5A and word(machine, frame(6)) == 0
    assert type(machine.cpu) is not TranslatingCPU


def test_storage_keys_are_checked_on_the_real_frame():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x003000, frame(4))
    tables.map(0x004000, frame(5))
    for block in range(0, 0x1000, 0x800):
        machine.storage.set_key(frame(0) + block, 0x20)
        machine.storage.set_key(frame(4) + block, 0x20)
        machine.storage.set_key(frame(5) + block, 0x30)
        machine.storage.set_key(0x4000 + block, 0x20)  # real X'4000': a decoy
    load(machine, frame(0) + 0x200, "5020 3000  5020 4000" + END)
    gpr = {2: 0x77, 3: 0x3000, 4: 0x4000}
    stop = run(machine, tables, 0x200, key=2, problem_state=True, gpr=gpr)
    assert program_interruption(machine, stop) == PROTECTION
    assert word(machine, frame(4)) == 0x77 and word(machine, frame(5)) == 0
    assert old_psw(machine, PROGRAM_OLD_PSW).instruction_address == 0x208


def test_execute_translates_its_target():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x00E000, frame(3))
    load(machine, 0xE000, "41200099")  # real X'E000': not the target
    load(machine, frame(3), "41200000")  # LA 2,0 -> ORed to LA 2,0 with R1 field
    load(machine, frame(0) + 0x200, "4410 9000" + END)  # EX 1,0(0,9)
    stop = run(machine, tables, 0x200, gpr={1: 0x30, 9: 0xE000})
    assert ended(machine, stop)
    assert machine.cpu.gpr[3] == 0 and machine.cpu.gpr[2] == 0  # LA 3,0 ran


def test_execute_of_a_target_in_an_invalid_page_suppresses_the_execute():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x00E000, None)
    load(machine, frame(0) + 0x200, "0700 4410 9000" + END)
    stop = run(machine, tables, 0x200, gpr={9: 0xE000})
    assert program_interruption(machine, stop) == PAGE_TRANSLATION
    # Past the EX, with EX's length: backing up by the ILC retries the EX.
    old = old_psw(machine, PROGRAM_OLD_PSW)
    assert old.instruction_address == 0x206 and old.ilc == 2


def test_lmc_and_stmc_load_and_store_control_registers():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    load(machine, frame(0) + 0x300, "12345678 87654321")
    # LMC 2,3 X'300' (CR2, CR3: CR3 is unassigned); STMC 2,4 X'400'; STMC 15,0 X'410'
    load(machine, frame(0) + 0x200, "B823 0300  B024 0400  B0F0 0410" + END)
    stop = run(machine, tables, 0x200)
    assert ended(machine, stop)
    assert machine.cpu.control.values[2] == 0x12345678
    assert machine.dump(frame(0) + 0x400, 12) == bytes.fromhex("12345678 00000000 00000000")
    assert machine.dump(frame(0) + 0x410, 8) == bytes.fromhex(f"00000000 {tables.cr0:08X}")


def test_lmc_from_a_partly_unavailable_operand_loads_no_register():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x001000, None)
    load(machine, frame(0) + 0xFF8, "AAAAAAAA 12345678")
    # LMC 4,4,X'FFC'; LMC 4,6,X'FF8': 12 bytes, crossing into X'1000'
    load(machine, frame(0) + 0x200, "B844 0FFC  B846 0FF8" + END)
    stop = run(machine, tables, 0x200)
    assert program_interruption(machine, stop) == PAGE_TRANSLATION
    assert old_psw(machine, PROGRAM_OLD_PSW).instruction_address == 0x208
    assert machine.cpu.control.translation_exception_address == 0x1000
    # The second LMC loaded nothing: CR4 still holds what the first loaded.
    assert machine.cpu.control.values[EXTENDED_CHANNEL_MASK_REGISTER] == 0x12345678


def test_lmc_and_stmc_need_a_word_aligned_operand():
    for instruction in ("B822 0302", "B022 0302"):
        machine, tables = ec_machine()
        tables.map(0x000000, frame(0))
        load(machine, frame(0) + 0x200, instruction + END)
        stop = run(machine, tables, 0x200)
        assert program_interruption(machine, stop) == SPECIFICATION, instruction


def test_lmc_of_cr6_switches_to_ec_mode_and_psws_change_format():
    machine = Machine(64 * 1024, interval_timer=False)
    for location in (SVC_NEW_PSW, PROGRAM_NEW_PSW):
        machine.load(location, (0x0002_0000_0000_0000 | END_MARK).to_bytes(8, "big"))
    load(machine, 0x300, "00800000")
    load(machine, 0x200, "B866 0300  0A07")  # LMC 6,6; SVC 7
    machine.set_psw(0x0000_0000_4000_0200 | 0x0400_0000_0000_0000)  # BC: channel 5 mask, cc 0
    assert machine.run(100) == "disabled-wait"
    assert machine.cpu.extended_control_mode
    assert code_at(machine, 0x10) == 7
    old = old_psw(machine, SVC_OLD_PSW)
    assert old.instruction_address == 0x206 and old.io_mask and not old.translation


def test_ssm_in_ec_mode_sets_translation_and_the_masks():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    tables.map(0x001000, frame(1))
    load(machine, frame(0) + 0x300, "03")  # I/O and external masks on, translation off
    load(machine, 0x300, "04")  # real X'300': translation on again
    load(machine, frame(1), "99999999")
    load(machine, 0x1000, "11111111")
    # SSM X'300' (translated: frame 0); L 2,0(0,1) (real); SSM X'300' (real); L 3,0(0,1)
    program = "8000 0300  5820 1000  8000 0300  5830 1000" + END
    load(machine, frame(0) + 0x200, program)
    load(machine, 0x200, program)  # after the first SSM, real storage is fetched
    stop = run(machine, tables, 0x200, gpr={1: 0x1000})
    assert ended(machine, stop)
    assert (machine.cpu.gpr[2], machine.cpu.gpr[3]) == (0x11111111, 0x99999999)
    old = old_psw(machine, SVC_OLD_PSW)
    assert old.translation and not old.io_mask and not old.external_mask


def test_io_interruptions_in_ec_mode_need_the_summary_mask_and_the_cr4_bit():
    machine, _ = ec_machine()
    cpu = machine.cpu
    machine.set_psw(ECPSW(io_mask=True).to_int())
    cpu.control.load(EXTENDED_CHANNEL_MASK_REGISTER, 0x20000000)  # channel 2 only
    assert [cpu._channel_enabled(n) for n in range(4)] == [False, False, True, False]
    machine.set_psw(ECPSW(io_mask=False).to_int())
    assert not cpu._channel_enabled(2)
    assert machine.run(10) == "disabled-wait"


def test_translation_switches_the_cpu_class_and_back():
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, tables.cr0)
    machine.set_psw(ECPSW(translation=True).to_int())
    assert isinstance(machine.cpu, TranslatingCPU)
    machine.set_psw(ECPSW().to_int())
    assert not isinstance(machine.cpu, TranslatingCPU)
    machine.cpu.control.load(MODE_REGISTER, 0)
    machine.set_psw(0x0400_0000_0000_0000)  # a BC PSW: bit 5 is a channel mask here
    assert not isinstance(machine.cpu, TranslatingCPU)


def test_program_interrupt_keeps_its_code_and_name():
    interrupt = ProgramInterrupt(PAGE_TRANSLATION)
    assert interrupt.code == PAGE_TRANSLATION
    assert str(interrupt) == "page-translation"
    assert str(ProgramInterrupt(0x40)) == "code 40"


def walk(storage: bytes, cr0: int, address: int) -> int | None:
    """The real address of ``address`` by the formats of docs/model67.md, or None."""
    origin, entries = cr0 & 0x00FFFFC0, ((cr0 >> 24) + 1) * 16
    segment = address >> 20
    if segment >= entries:
        return None
    ste = int.from_bytes(storage[origin + 4 * segment : origin + 4 * segment + 4], "big")
    if ste & 1:
        return None
    page = (address >> 12) & 0xFF
    if page > ste >> 24:
        return None
    pte_address = (ste & 0x00FFFFFE) + 2 * page
    pte = int.from_bytes(storage[pte_address : pte_address + 2], "big")
    if pte & 0x0008:
        return None
    return (pte >> 4) << 12 | (address & 0xFFF)


page_mappings = st.dictionaries(
    st.tuples(st.integers(0, 15), st.integers(1, 255)),  # (segment, page), never page 0 of 0
    st.one_of(st.none(), st.integers(0, 31)),  # a frame number, or invalid
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    mappings=page_mappings,
    short_tables=st.dictionaries(st.integers(0, 15), st.integers(1, 256), max_size=4),
    seed=st.integers(0, 255),
    data=st.data(),
)
def test_translated_loads_equal_a_plain_walk_of_the_same_tables(mappings, short_tables, seed, data):
    # Mostly pages the tables mention (valid or not), sometimes any page at all.
    pages = st.sampled_from(sorted(mappings)) if mappings else st.nothing()
    offsets = data.draw(
        st.lists(
            st.tuples(
                st.one_of(pages, st.tuples(st.integers(0, 15), st.integers(0, 255))),
                st.integers(0, 1023),
            ).map(lambda page_word: (*page_word[0], page_word[1])),
            min_size=1,
            max_size=8,
        )
    )
    machine, tables = ec_machine()
    tables.map(0x000000, frame(0))
    for (segment, page), number in mappings.items():
        tables.map(segment << 20 | page << 12, None if number is None else frame(number))
    for segment, pages in short_tables.items():
        if segment in tables.page_tables and segment != 0:
            tables.page_table(segment, pages)
    # Recognisable contents in every frame the mappings may reach.
    machine.load(FRAMES, bytes((seed + i * 7) & 0xFF for i in range(32 * 0x1000)))
    addresses = [
        segment << 20 | page << 12 | 4 * word_index for segment, page, word_index in offsets
    ]
    # L 3,0(0,4); L 2,0(0,3); ST 2,0(0,5); LA 4,4(0,4); LA 5,4(0,5); BCT 6,loop; SVC 255
    load(machine, frame(0) + 0x200, "5830 4000  5820 3000  5020 5000  4144 0004  4155 0004")
    load(machine, frame(0) + 0x214, "4660 0200" + END)
    load(machine, frame(0) + 0x800, "".join(f"{a:08X}" for a in addresses))
    before = machine.dump(0, STORAGE)
    stop = run(machine, tables, 0x200, gpr={4: 0x800, 5: 0xA00, 6: len(addresses)})
    for index, address in enumerate(addresses):
        real = walk(before, tables.cr0, address)
        if real is None:
            event(f"translation exception at load {index + 1}")
            assert program_interruption(machine, stop) in (SEGMENT_TRANSLATION, PAGE_TRANSLATION)
            assert machine.cpu.control.translation_exception_address == address
            assert old_psw(machine, PROGRAM_OLD_PSW).instruction_address == 0x208
            return
        assert word(machine, frame(0) + 0xA00 + 4 * index) == word_of(before, real)
    event("every load translated")
    assert ended(machine, stop)


def word_of(storage: bytes, address: int) -> int:
    return int.from_bytes(storage[address : address + 4], "big")


def bare(capsys, *argv: str) -> tuple[int, dict | str, str]:
    status = main(["bare", *argv])
    captured = capsys.readouterr()
    try:
        return status, json.loads(captured.out), captured.err
    except ValueError:
        return status, captured.out, captured.err


def test_bare_runs_a_translated_program_with_ec_and_cr(capsys, tmp_path):
    # Real X'1000' segment table (16 entries): segment 0 -> page table at X'1100'
    # with 2 entries: page 0 -> frame X'2000', page 1 -> frame 0.
    image = bytearray(0x3000)
    image[0x1000:0x1004] = segment_table_entry(0x1100, 2).to_bytes(4, "big")
    for index in range(1, 16):
        image[0x1000 + 4 * index : 0x1004 + 4 * index] = segment_table_entry(None).to_bytes(
            4, "big"
        )
    image[0x1100:0x1102] = page_table_entry(0x2000).to_bytes(2, "big")
    image[0x1102:0x1104] = page_table_entry(0).to_bytes(2, "big")
    # At virtual X'200' (real X'2200'): L 2,X'F00'; LPSW X'F08' (real X'2F00', X'2F08').
    image[0x2200:0x2208] = bytes.fromhex("58200F00 82000F08")
    image[0x2F00:0x2F04] = bytes.fromhex("0000002A")
    image[0x2F08:0x2F10] = ec_wait(0x1234).to_bytes(8, "big")
    image[0xF00:0xF04] = bytes.fromhex("00000099")  # real X'F00': not what is loaded
    path = tmp_path / "image.bin"
    path.write_bytes(bytes(image))
    status, report, _ = bare(
        capsys,
        "--load",
        f"{path}@0",
        "--ec",
        "--cr",
        "0=00001000",
        "--psw",
        "0400000000000200",
        "--json",
    )
    assert status == 0
    assert report["stop"] == "disabled-wait"
    assert report["psw"] == "0002000000001234"
    assert report["gpr"][2] == "0000002A"
    assert report["cr"][0] == "00001000" and report["cr"][6] == "00800000"
    assert len(report["cr"]) == 16
    # One page for code and data: one miss, the rest hits.
    assert report["tlb"]["misses"] == 1 and report["tlb"]["hits"] >= 2


def test_bare_without_ec_reports_zero_tlb_and_bc_control_registers(capsys, tmp_path):
    path = tmp_path / "wait.bin"
    path.write_bytes(bytes.fromhex("82000208 00000000 0002000000000000"))
    status, report, _ = bare(capsys, "--load", f"{path}@200", "--psw", "0000000000000200", "--json")
    assert status == 0 and report["psw"] == "0002000000000000"
    assert report["tlb"] == {"hits": 0, "misses": 0} and report["cr"][6] == "00000000"


def test_bare_rejects_a_bad_control_register_setting(capsys, tmp_path):
    path = tmp_path / "wait.bin"
    path.write_bytes(bytes(8))
    for setting in ("16=0", "x=1", "0=123456789", "0"):
        status = main(["bare", "--load", f"{path}@200", "--cr", setting])
        err = capsys.readouterr().err
        assert status == 2 and "--cr" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_bare_text_report_shows_control_registers_and_tlb_with_ec(capsys, tmp_path):
    path = tmp_path / "wait.bin"
    path.write_bytes(bytes.fromhex("82000208 00000000") + ec_wait(0x42).to_bytes(8, "big"))
    status = main(["bare", "--load", f"{path}@200", "--ec", "--psw", "0000000000000200"])
    out = capsys.readouterr().out
    assert status == 0
    assert "PSW 0002000000000042" in out
    assert "CR   0- 7  00000000 00000000 00000000 00000000 00000000 00000000 00800000" in out
    assert "TLB hits 0  misses 0" in out


def _translating_cpu() -> Machine:
    """An EC machine running translated: pages 0-2 mapped, 3 not, 4 mapped with key 5."""
    machine, tables = ec_machine()
    for page, frame_number in ((0, 2), (1, 5), (2, 3), (3, None), (4, 6)):
        tables.map(page << 12, None if frame_number is None else frame(frame_number))
    for number in range(8):
        machine.load(frame(number), bytes((number * 16 + i) & 0xFF for i in range(4096)))
    machine.storage.set_key(frame(6), 0x50)
    machine.storage.set_key(frame(6) + 0x800, 0x50)
    machine.cpu.control.load(SEGMENT_TABLE_REGISTER, tables.cr0)
    machine.cpu.load_psw(ECPSW(translation=True, key=3, instruction_address=0x200).to_int())
    return machine


def _access_outcome(method: type, kind: str, address: int, length: int) -> tuple:
    """One access of ``kind`` by ``method``'s version, on a fresh machine: what it gave and did."""
    machine = _translating_cpu()
    cpu = machine.cpu
    assert type(cpu) is TranslatingCPU
    dat = cpu.dat
    dat.purge()
    dat.reset_counters()
    try:
        if kind == "fetch":
            result = method.fetch(cpu, address, length)
        elif kind == "store":
            result = method.store(cpu, address, bytes(range(0xA0, 0xA0 + length)))
        else:
            result = method.check_access(cpu, address, length, kind == "check store")
    except ProgramInterrupt as interrupt:
        result = ("program interruption", interrupt.code)
    return result, dat.hits, dat.misses, bytes(machine.storage.mem[frame(0) : frame(8)])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 5 * 4096 - 1),
    st.integers(0, 12),
    st.sampled_from(["fetch", "store", "check fetch", "check store"]),
)
def test_the_translating_cpus_own_accesses_do_what_the_mixins_do(address, length, kind):
    # TranslatingCPU translates an operand within one page itself; it must
    # give what TranslatedStorageAccess gives: the bytes, the exception, the
    # stores, and the associative array's counts.
    ours = _access_outcome(TranslatingCPU, kind, address, length)
    assert ours == _access_outcome(TranslatedStorageAccess, kind, address, length)

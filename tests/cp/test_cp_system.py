"""The CP API: virtual machines defined, loaded, started, inspected, logged off."""

import pytest

from vm370.cp.frames import FrameError, FrameState
from vm370.cp.system import ControlProgram, ControlProgramError
from vm370.cp.vmblock import RunState
from vm370.hardware.machine import Machine


def test_frame_zero_is_cps_low_storage(cp):
    assert cp.frames[0].state is FrameState.CP
    assert cp.frames[0].purpose == "real low storage"


def test_machines_are_named_uniquely_and_sized_in_pages(cp):
    cp.create_virtual_machine("alice", 256 * 1024)
    assert cp.virtual_machine("ALICE").storage_size == 256 * 1024
    with pytest.raises(ControlProgramError, match="already exists"):
        cp.create_virtual_machine("ALICE", 64 * 1024)
    with pytest.raises(ControlProgramError, match="multiple of 4K"):
        cp.create_virtual_machine("BOB", 6 * 1024)
    with pytest.raises(ControlProgramError, match="1-8 letters"):
        cp.create_virtual_machine("TOO-LONG-NAME", 64 * 1024)
    with pytest.raises(ControlProgramError, match="no virtual machine"):
        cp.virtual_machine("CAROL")


def test_loads_and_reads_outside_the_machine_are_refused(cp):
    cp.create_virtual_machine("ALICE", 64 * 1024)
    with pytest.raises(ControlProgramError, match="do not fit"):
        cp.load("ALICE", 0xFFFE, b"abcd")
    with pytest.raises(ControlProgramError, match="outside"):
        cp.read("ALICE", 0x10000, 1)


def test_set_psw_makes_the_machine_ready_or_waiting(cp):
    guest = cp.create_virtual_machine("ALICE", 64 * 1024)
    assert guest.state is RunState.STOPPED
    cp.set_psw("ALICE", 0x0000_0000_0000_0200)
    assert guest.state is RunState.RUNNING and cp.dispatcher.runnable == 1
    cp.set_psw("ALICE", 0x0002_0000_0000_0200)
    assert guest.state is RunState.DISABLED_WAIT and cp.dispatcher.runnable == 0


def test_machines_never_see_each_others_storage_under_pressure(small_cp):
    small_cp.create_virtual_machine("ALICE", 64 * 1024)
    small_cp.create_virtual_machine("BOB", 64 * 1024)
    for page in range(16):
        small_cp.load("ALICE", page * 4096, b"A" * 64)
    assert small_cp.read("BOB", 0, 64 * 1024) == bytes(64 * 1024)
    for frame in small_cp.frames:
        if frame.owner == "BOB":
            assert bytes(small_cp.storage.mem[frame.address : frame.address + 4096]) == bytes(4096)


def test_cps_tables_are_never_given_to_a_machine(small_cp):
    guest = small_cp.create_virtual_machine("ALICE", 64 * 1024)
    table_frame = small_cp.frames.frame_of(guest.address_space.segment_table_origin)
    for page in range(16):
        small_cp.load("ALICE", page * 4096, b"\xff" * 4096)
    assert table_frame.state is FrameState.CP
    assert small_cp.frames[0].state is FrameState.CP


def test_logging_off_gives_every_frame_back(cp):
    free = cp.frames.free_count
    cp.create_virtual_machine("ALICE", 128 * 1024)
    for page in range(8):
        cp.load("ALICE", page * 4096, b"x")
    cp.destroy_virtual_machine("ALICE")
    assert cp.frames.free_count == free
    assert cp.pager.store.slots_used() == 0
    assert cp.log[-1] == "ALICE logged off"


def test_state_reports_registers_psw_and_cp_counters(cp):
    guest = cp.create_virtual_machine("ALICE", 64 * 1024)
    guest.gpr[3] = 0xDEADBEEF
    cp.set_psw("ALICE", 0x0000_0000_1000_0200)
    state = cp.state("ALICE")
    assert state["psw"] == "0000000010000200" and state["mode"] == "BC"
    assert state["gpr"][3] == "DEADBEEF" and state["state"] == "running"
    assert state["cp"] == {"privops": 0, "reflected": 0, "page_faults": 0}


def test_a_machine_larger_than_real_storage_is_allowed():
    cp = ControlProgram(Machine(64 * 1024))
    cp.create_virtual_machine("BIG", 1024 * 1024)
    cp.load("BIG", 0xFFFEF, b"end of a megabyte")
    assert cp.read("BIG", 0xFFFEF, 17) == b"end of a megabyte"


def test_the_frame_map_shows_cp_frames_and_pages_by_owner(cp):
    cp.create_virtual_machine("ALICE", 64 * 1024)
    cp.load("ALICE", 0x3000, b"x")
    frames = cp.frame_map()
    assert len(frames) == 64
    assert frames[0]["state"] == "cp" and frames[0]["purpose"] == "real low storage"
    pages = [frame for frame in frames if frame["owner"] == "ALICE"]
    assert [frame["page"] for frame in pages] == [3]
    assert pages[0]["state"] == "in-use" and pages[0]["referenced"]
    assert any(frame["purpose"] == "tables" for frame in frames)


def test_no_room_for_a_machines_tables_is_a_clear_error():
    cp = ControlProgram(Machine(40 * 1024))  # 10 frames: low storage, tables, 8 for pages
    cp.create_virtual_machine("ONE", 4096)  # its tables take frame 1
    used_before = cp.table_storage.frames_used
    with pytest.raises(ControlProgramError, match="no room in real storage"):
        cp.create_virtual_machine("BIG", 16 * 1024 * 1024)
    assert cp.table_storage.frames_used == used_before  # nothing half built is kept
    assert "BIG" not in cp.machines


def test_real_storage_too_small_for_one_instructions_pages_is_refused():
    # An EXECUTE, its target and two operands may each cross a page: 8 pages.
    with pytest.raises(ControlProgramError, match="32K is too small for CP: it needs at least 40K"):
        ControlProgram(Machine(32 * 1024))


def test_cp_tables_never_take_the_frames_one_instruction_needs():
    cp = ControlProgram(Machine(48 * 1024))  # 12 frames: 11 not CP's
    with pytest.raises(FrameError, match="fewer than 8 frames"):
        for _ in range(4):
            cp.frames.allocate_for_cp("shadow tables")
    assert cp.frames.page_frames == 8


def test_tables_take_a_frame_from_pages_when_none_is_free():
    cp = ControlProgram(Machine(48 * 1024))  # 12 frames
    cp.create_virtual_machine("FULL", 64 * 1024)
    for page in range(16):
        cp.load("FULL", page * 4096, bytes([page + 1]) * 4096)
    assert cp.frames.free_count == 0
    cp.create_virtual_machine("LATE", 4096)  # its tables need a frame: a page gives way
    assert cp.pager.steals > 0
    for page in range(16):
        assert cp.read("FULL", page * 4096, 4096) == bytes([page + 1]) * 4096


def test_a_32_bit_segment_table_gets_consecutive_frames_paged_out_for_it():
    cp = ControlProgram(Machine(64 * 1024))  # 16 frames
    cp.create_virtual_machine("FULL", 64 * 1024)
    for page in range(16):
        cp.load("FULL", page * 4096, bytes([page + 1]) * 4096)
    origin = cp.table_storage.allocate(4 * 4096)  # 4,096 segments: four frames in a row
    assert {cp.frames.frame_of(origin + 4096 * n).state for n in range(4)} == {FrameState.CP}
    assert cp.frames.page_frames >= 8
    for page in range(16):
        assert cp.read("FULL", page * 4096, 4096) == bytes([page + 1]) * 4096

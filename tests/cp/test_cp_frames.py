import pytest

from vm370.cp.frames import FRAME_SIZE, FrameError, FrameState, FrameTable


def test_new_table_has_every_frame_free():
    table = FrameTable(64 * 1024)
    assert len(table) == 16
    assert table.free_count == 16
    assert all(frame.state is FrameState.FREE for frame in table)
    assert table[3].address == 3 * FRAME_SIZE


def test_storage_not_a_whole_number_of_frames_is_refused():
    with pytest.raises(FrameError, match="4K frames"):
        FrameTable(6 * 1024)


def test_reserving_frame_zero_for_cp_takes_it_off_the_free_list():
    table = FrameTable(64 * 1024)
    frame = table.reserve_for_cp(0, "real low storage")
    assert frame.state is FrameState.CP and frame.owner == "CP"
    assert table.free_count == 15
    with pytest.raises(FrameError, match="not free"):
        table.reserve_for_cp(0, "again")


def test_cp_frames_for_a_long_table_are_consecutive():
    table = FrameTable(64 * 1024)
    table.reserve_for_cp(14, "in the way")
    frames = table.allocate_for_cp("segment table", 4)
    numbers = [frame.number for frame in frames]
    assert numbers == list(range(numbers[0], numbers[0] + 4))
    assert 14 not in numbers
    assert all(frame.purpose == "segment table" for frame in frames)


def test_no_run_of_free_frames_long_enough_is_an_error():
    table = FrameTable(16 * 1024)
    table.reserve_for_cp(1, "split")
    table.reserve_for_cp(3, "split")
    with pytest.raises(FrameError, match="2 consecutive"):
        table.allocate_for_cp("table", 2)


def test_pages_are_given_until_storage_runs_out():
    table = FrameTable(16 * 1024)
    frames = [table.allocate_page("ALICE", page) for page in range(4)]
    assert all(frame is not None and frame.referenced for frame in frames)
    assert table.allocate_page("ALICE", 4) is None
    assert [frame.virtual_page for frame in table.pages_of("ALICE")] == [0, 1, 2, 3]


def test_a_locked_frame_is_not_pageable_and_cannot_be_released():
    table = FrameTable(16 * 1024)
    frame = table.allocate_page("BOB", 7)
    assert frame.pageable
    table.lock(frame)
    assert not frame.pageable
    with pytest.raises(FrameError, match="locked"):
        table.release(frame)
    table.unlock(frame)
    with pytest.raises(FrameError, match="not locked"):
        table.unlock(frame)
    table.release(frame)
    assert frame.state is FrameState.FREE and table.free_count == 4


def test_releasing_a_free_frame_is_an_error():
    table = FrameTable(16 * 1024)
    with pytest.raises(FrameError, match="already free"):
        table.release(table[2])


def test_reassigning_a_stolen_frame_changes_owner_and_page():
    table = FrameTable(16 * 1024)
    frame = table.allocate_page("ALICE", 1)
    frame.referenced = False
    frame.changed = True
    table.reassign(frame, "BOB", 9)
    assert (frame.owner, frame.virtual_page, frame.referenced, frame.changed) == (
        "BOB",
        9,
        True,
        False,
    )
    cp_frame = table.reserve_for_cp(3, "tables")
    with pytest.raises(FrameError, match="cannot be reassigned"):
        table.reassign(cp_frame, "BOB", 1)

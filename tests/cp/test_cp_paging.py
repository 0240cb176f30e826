"""The paging store, the clock rule, and demand paging under pressure."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.cp.frames import FrameTable
from vm370.cp.paging import ClockReplacement, PagingError, PagingStore
from vm370.cp.system import ControlProgram
from vm370.hardware.control_registers import ControlRegisters
from vm370.hardware.dat import DynamicAddressTranslator
from vm370.hardware.interrupts import PAGE_TRANSLATION, ProgramInterrupt
from vm370.hardware.machine import Machine


def test_paging_store_keeps_pages_by_owner_and_forgets_an_owner():
    store = PagingStore()
    assert store.read_page("ALICE", 3) is None
    store.write_page("ALICE", 3, b"\x01" * 4096)
    store.write_page("BOB", 3, b"\x02" * 4096)
    assert store.read_page("ALICE", 3) == b"\x01" * 4096
    assert (store.reads, store.writes) == (1, 2)
    store.discard("ALICE")
    assert store.read_page("ALICE", 3) is None
    assert store.read_page("BOB", 3) == b"\x02" * 4096
    with pytest.raises(ValueError, match="4096"):
        store.write_page("BOB", 1, b"short")


def test_clock_gives_referenced_frames_a_second_chance():
    table = FrameTable(16 * 1024)
    frames = [table.allocate_page("ALICE", page) for page in range(4)]
    frames[1].referenced = False
    frames[2].referenced = False
    sampled = []
    clock = ClockReplacement()
    victim = clock.select(table, sampled.append)
    assert victim is frames[1]
    assert sampled == [frames[0]] and not frames[0].referenced
    assert clock.select(table, sampled.append) is frames[2]
    # The hand is past frame 2: frame 3 (referenced) gets its second chance,
    # frame 0 (its bit cleared on the first pass) is taken.
    frames[1].referenced = frames[2].referenced = True
    assert clock.select(table, sampled.append) is frames[0]
    assert sampled == [frames[0], frames[3]]


def test_clock_finds_a_victim_when_every_frame_is_referenced():
    table = FrameTable(16 * 1024)
    frames = [table.allocate_page("ALICE", page) for page in range(4)]
    sampled = []
    assert ClockReplacement().select(table, sampled.append) is frames[0]
    assert sampled == frames


def test_clock_skips_cp_and_locked_frames_and_finds_none_when_nothing_is_pageable():
    table = FrameTable(16 * 1024)
    table.reserve_for_cp(0, "low")
    locked = table.allocate_page("ALICE", 0)
    table.lock(locked)
    clock = ClockReplacement()
    assert clock.select(table, lambda frame: None) is None
    free_page = table.allocate_page("ALICE", 1)
    free_page.referenced = False
    assert clock.select(table, lambda frame: None) is free_page


def test_pages_survive_pressure(small_cp):
    guest = small_cp.create_virtual_machine("ALICE", 64 * 1024)  # 16 pages, 8 real frames
    for page in range(16):
        small_cp.load("ALICE", page * 4096 + 8, bytes([page + 1]) * 100)
    for page in range(16):
        assert small_cp.read("ALICE", page * 4096 + 8, 100) == bytes([page + 1]) * 100
    assert guest.counters.page_writes >= 16 - small_cp.frames.free_count
    assert guest.counters.page_reads > 0
    assert small_cp.pager.steals > 0


def test_an_unchanged_page_is_not_written_again(small_cp):
    guest = small_cp.create_virtual_machine("ALICE", 64 * 1024)
    small_cp.load("ALICE", 0, b"\x11" * 16)
    small_cp.pager.page_out_all("ALICE")
    assert guest.counters.page_writes == 1
    assert small_cp.read("ALICE", 0, 16) == b"\x11" * 16
    small_cp.pager.page_out_all("ALICE")
    assert guest.counters.page_writes == 1
    assert guest.counters.page_reads == 1


def test_a_page_never_touched_reads_as_zeros_and_costs_no_write(small_cp):
    guest = small_cp.create_virtual_machine("ALICE", 64 * 1024)
    assert small_cp.read("ALICE", 0x5000, 32) == bytes(32)
    small_cp.pager.page_out_all("ALICE")
    assert guest.counters.page_writes == 0


def test_reference_sampling_invalidates_the_entry_and_a_reclaim_costs_no_io(small_cp):
    guest = small_cp.create_virtual_machine("ALICE", 64 * 1024)
    small_cp.load("ALICE", 0x3000, b"\x42" * 8)
    frame = small_cp.pager.resident_frame("ALICE", 3)
    small_cp.pager._sample(frame)
    assert not small_cp.pager.is_mapped("ALICE", 3)
    control = ControlRegisters()
    walk = DynamicAddressTranslator(small_cp.storage, control)
    control.load(0, guest.address_space.segment_table_register)
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x3000)
    assert caught.value.code == PAGE_TRANSLATION
    reads = guest.counters.page_reads
    small_cp.pager.resolve_fault("ALICE", 3)
    assert guest.counters.reclaims == 1 and guest.counters.page_reads == reads
    assert guest.counters.page_faults == 1
    walk.purge()
    assert walk.translate(0x3004) == frame.address + 4
    assert small_cp.purges >= 1


def test_every_frame_locked_is_a_paging_error(small_cp):
    small_cp.create_virtual_machine("ALICE", 64 * 1024)
    for page in range(small_cp.frames.free_count):
        small_cp.load("ALICE", page * 4096, b"\x01")
    for frame in small_cp.frames.pages_of("ALICE"):
        small_cp.frames.lock(frame)
    with pytest.raises(PagingError, match="exhausted"):
        small_cp.load("ALICE", 0xF000, b"\x01")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ALICE", "BOB"]),
            st.integers(0, 64 * 1024 - 64),
            st.binary(min_size=1, max_size=64),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_two_machines_under_pressure_read_back_exactly_what_they_wrote(writes):
    cp = ControlProgram(Machine(40 * 1024))
    models = {name: bytearray(64 * 1024) for name in ("ALICE", "BOB")}
    for name in models:
        cp.create_virtual_machine(name, 64 * 1024)
    for name, address, data in writes:
        cp.load(name, address, data)
        models[name][address : address + len(data)] = data
    for name, model in models.items():
        assert cp.read(name, 0, 64 * 1024) == bytes(model)


class _FillingStore(PagingStore):
    """A paging device that can be made full: every new page-out then fails."""

    full = False

    def write_page(self, owner: str, page: int, data: bytes) -> None:
        if self.full and (owner, page) not in self._slots:
            raise PagingError("the paging space is full")
        super().write_page(owner, page, data)


def test_a_page_out_that_fails_leaves_the_page_in_storage_unharmed(small_cp):
    store = _FillingStore()
    small_cp.pager.store = store
    small_cp.create_virtual_machine("ALICE", 64 * 1024)
    frames = small_cp.frames.free_count
    for page in range(frames):
        small_cp.load("ALICE", page * 4096, bytes([page + 1]) * 64)
    store.full = True
    with pytest.raises(PagingError, match="full"):
        small_cp.load("ALICE", frames * 4096, b"\xff" * 64)
    store.full = False
    for page in range(frames):
        assert small_cp.read("ALICE", page * 4096, 64) == bytes([page + 1]) * 64
    small_cp.load("ALICE", frames * 4096, b"\xff" * 64)
    assert small_cp.read("ALICE", frames * 4096, 64) == b"\xff" * 64

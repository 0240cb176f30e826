"""CP's tables, checked by the hardware's own translator walking them in real storage."""

import pytest

from vm370.cp.frames import FRAME_SIZE, FrameState, FrameTable
from vm370.cp.tables import AddressSpace, TableStorage
from vm370.hardware.control_registers import ControlRegisters
from vm370.hardware.dat import DynamicAddressTranslator
from vm370.hardware.interrupts import PAGE_TRANSLATION, SEGMENT_TRANSLATION, ProgramInterrupt
from vm370.hardware.storage import Storage


def hardware_walk(storage: Storage, cr0: int) -> DynamicAddressTranslator:
    control = ControlRegisters()
    translator = DynamicAddressTranslator(storage, control)
    control.load(0, cr0)
    return translator


def make_tables(storage_size=256 * 1024):
    storage = Storage(storage_size)
    frames = FrameTable(storage_size)
    frames.reserve_for_cp(0, "low")
    return storage, frames, TableStorage(frames, storage)


def test_table_pieces_are_64_byte_aligned_and_reused_after_free():
    storage, frames, tables = make_tables()
    first = tables.allocate(64)
    second = tables.allocate(512)
    assert first % 64 == 0 and second % 64 == 0
    assert second >= first + 64 or second + 512 <= first
    assert frames.frame_of(first).state is FrameState.CP
    tables.free(first)
    assert tables.allocate(40) == first


def test_a_frame_whose_pieces_are_all_free_goes_back_to_the_frame_table():
    storage, frames, tables = make_tables()
    free_before = frames.free_count
    address = tables.allocate(100)
    assert frames.free_count == free_before - 1
    tables.free(address)
    assert frames.free_count == free_before
    assert tables.frames_used == 0


def test_a_table_longer_than_a_frame_gets_consecutive_frames_zeroed():
    storage, frames, tables = make_tables()
    storage.write(0x10000, b"\xff" * 0x8000)
    address = tables.allocate(4 * 4096)  # a 32-bit mode segment table
    assert address % FRAME_SIZE == 0
    assert bytes(storage.mem[address : address + 16384]) == bytes(16384)
    numbers = {frames.frame_of(address + offset).number for offset in range(0, 16384, 4096)}
    assert len(numbers) == 4
    tables.free(address)
    assert all(frames[number].state is FrameState.FREE for number in numbers)


def test_a_new_address_space_translates_nothing():
    storage, frames, tables = make_tables()
    space = AddressSpace(tables, 256 * 1024)
    walk = hardware_walk(storage, space.segment_table_register)
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x1234)
    assert caught.value.code == PAGE_TRANSLATION


def test_mapped_pages_translate_to_their_frames_through_the_real_tables():
    storage, frames, tables = make_tables(1024 * 1024)
    space = AddressSpace(tables, 512 * 1024)
    space.map(0, 0x20000)
    space.map(0x7F, 0x33000)
    walk = hardware_walk(storage, space.segment_table_register)
    assert walk.translate(0x00123) == 0x20123
    assert walk.translate(0x7FFFF) == 0x33FFF
    assert walk.load_real_address(0x7F004) == (0, 0x33004)
    space.unmap(0x7F)
    walk.purge()
    assert walk.load_real_address(0x7F004) == (2, space.page_entry_address(0x7F))


def test_addresses_past_the_machines_storage_are_translation_exceptions():
    storage, frames, tables = make_tables(1024 * 1024)
    space = AddressSpace(tables, 1024 * 1024 + 512 * 1024)  # one and a half segments
    for page in range(space.pages):
        space.map(page, 0x40000)
    walk = hardware_walk(storage, space.segment_table_register)
    assert walk.translate(0x17FFFF) == 0x40FFF
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x180000)  # page index 0x80 past the 128-entry page table
    assert caught.value.code == PAGE_TRANSLATION
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x200000)  # segment 2: invalid entry
    assert caught.value.code == SEGMENT_TRANSLATION
    assert walk.load_real_address(0x200000)[0] == 1


def test_releasing_an_address_space_returns_its_table_frames():
    storage, frames, tables = make_tables()
    free_before = frames.free_count
    space = AddressSpace(tables, 2 * 1024 * 1024)
    assert frames.free_count < free_before
    space.release()
    assert frames.free_count == free_before


def test_address_space_sizes_are_whole_pages_up_to_16m():
    storage, frames, tables = make_tables()
    with pytest.raises(ValueError, match="multiple of 4K"):
        AddressSpace(tables, 6 * 1024)
    with pytest.raises(IndexError):
        AddressSpace(tables, 8192).page_entry_address(2)

"""Shadow tables: built from the guest's tables and CP's, kept correct, walked by the hardware."""

import pytest
from cp_guests import SHADOW_HOG, VIRTUAL_67, new_guest, trap
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.cp.dispatch import Dispatcher
from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.hardware.control_registers import ECPSW, ControlRegisters
from vm370.hardware.dat import (
    DynamicAddressTranslator,
    page_table_entry,
    segment_table_entry,
    segment_table_register,
)
from vm370.hardware.interrupts import (
    ADDRESSING,
    PAGE_TRANSLATION,
    SEGMENT_TRANSLATION,
    ProgramInterrupt,
)
from vm370.hardware.machine import Machine

SEGMENT_TABLE = 0x1000
PAGE_TABLES = 0x1100  # guest page table for segment s at PAGE_TABLES + 0x200 * s


def write_guest_tables(cp, name, mapping, segments=2):
    """The guest's own tables: mapping (segment, page) -> guest-real page address."""
    invalid_page_table = page_table_entry(None).to_bytes(2, "big") * 256
    for segment in range(16):
        if segment < segments:
            entry = segment_table_entry(PAGE_TABLES + 0x200 * segment, 256)
            cp.load(name, PAGE_TABLES + 0x200 * segment, invalid_page_table)
        else:
            entry = segment_table_entry(None)
        cp.load(name, SEGMENT_TABLE + 4 * segment, entry.to_bytes(4, "big"))
    for (segment, page), target in mapping.items():
        cp.load(
            name,
            PAGE_TABLES + 0x200 * segment + 2 * page,
            page_table_entry(target).to_bytes(2, "big"),
        )
    return segment_table_register(SEGMENT_TABLE, 16)


def translated_guest(cp, mapping, size=256 * 1024):
    guest = new_guest(cp, size=size)
    guest.control.load(6, 0x00800000)
    guest.control.load(0, write_guest_tables(cp, guest.name, mapping))
    guest.psw = ECPSW(translation=True)
    guest.start()
    return guest


def real_walk(cp, cr0):
    control = ControlRegisters()
    walk = DynamicAddressTranslator(cp.storage, control)
    control.load(0, cr0)
    return walk


def test_a_resolved_address_is_where_the_guests_byte_really_is(cp):
    guest = translated_guest(cp, {(0, 5): 0x20000, (1, 0): 0x3000})
    cp.load("GUEST", 0x20123, b"\x5a")
    real = guest.shadow.resolve(0x5123)
    assert cp.storage.mem[real] == 0x5A
    second = guest.shadow.resolve(0x100004)
    assert second == cp.pager.resident_frame("GUEST", 3).address + 4
    walk = real_walk(cp, cp.real_segment_table_register(guest))
    assert walk.translate(0x5123) == real
    assert walk.translate(0x100004) == second


def test_unresolved_pages_stay_invalid_in_the_shadow(cp):
    guest = translated_guest(cp, {(0, 5): 0x20000, (0, 6): 0x21000})
    guest.shadow.resolve(0x5000)
    walk = real_walk(cp, guest.shadow.segment_table_register)
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x6000)
    assert caught.value.code == PAGE_TRANSLATION
    with pytest.raises(ProgramInterrupt) as caught:
        walk.translate(0x200000)
    assert caught.value.code == SEGMENT_TRANSLATION


def test_the_guests_own_translation_exception_is_its_own(cp):
    guest = translated_guest(cp, {(0, 5): 0x20000})
    with pytest.raises(ProgramInterrupt) as caught:
        guest.shadow.resolve(0x7000)
    assert caught.value.code == PAGE_TRANSLATION
    assert guest.control.translation_exception_address == 0x7000
    with pytest.raises(ProgramInterrupt) as caught:
        guest.shadow.resolve(0x300000)
    assert caught.value.code == SEGMENT_TRANSLATION


def test_a_guest_page_past_its_storage_is_addressing(cp):
    guest = translated_guest(cp, {(0, 1): 0x80000}, size=256 * 1024)
    with pytest.raises(ProgramInterrupt) as caught:
        guest.shadow.resolve(0x1000)
    assert caught.value.code == ADDRESSING


def test_loading_cr0_throws_the_shadow_away_and_the_new_mapping_is_used(cp):
    guest = translated_guest(cp, {(0, 0): 0x0000, (0, 5): 0x20000})
    cp.load("GUEST", 0x20000, b"OLD!")
    cp.load("GUEST", 0x30000, b"NEW!")
    real = guest.shadow.resolve(0x5000)
    assert bytes(cp.storage.mem[real : real + 4]) == b"OLD!"
    # The guest remaps page 5 in its own table. Until it purges, the old
    # translation may still be used (as the associative array could).
    cp.load("GUEST", PAGE_TABLES + 10, page_table_entry(0x30000).to_bytes(2, "big"))
    assert guest.shadow.resolve(0x5000) == real
    cp.load("GUEST", 0x600, guest.control.values[0].to_bytes(4, "big"))
    trap(cp, guest, "B800 0600", ECPSW(translation=True))  # LMC 0,0,X'600'
    assert guest.shadow.invalidations >= 1 and guest.shadow.segment_table_origin is None
    real = guest.shadow.resolve(0x5000)
    assert bytes(cp.storage.mem[real : real + 4]) == b"NEW!"


def test_a_stolen_guest_page_is_dropped_from_the_shadow(small_cp):
    guest = translated_guest(small_cp, {(0, 1): 0x2000}, size=64 * 1024)
    guest.shadow.resolve(0x1000)
    entry_valid = real_walk(small_cp, guest.shadow.segment_table_register)
    assert entry_valid.translate(0x1000) == small_cp.pager.resident_frame("GUEST", 2).address
    for page in range(16):  # push every page through the 8 frames
        small_cp.load("GUEST", page * 4096 + 0x800, b"\x01")
    assert small_cp.pager.resident_frame("GUEST", 2) is None or not small_cp.pager.is_mapped(
        "GUEST", 2
    )
    walk = real_walk(small_cp, guest.shadow.segment_table_register)
    with pytest.raises(ProgramInterrupt):
        walk.translate(0x1000)


def test_a_32_bit_guest_gets_a_shadow_segment_table_as_long_as_its_own(cp):
    guest = new_guest(cp, size=256 * 1024)
    guest.control.load(6, 0x00800000)
    cr0 = write_guest_tables(cp, "GUEST", {(0, 1): 0x5000}) | 0x03000000  # 64 segments
    cp.load("GUEST", SEGMENT_TABLE + 64, segment_table_entry(None).to_bytes(4, "big") * 48)
    guest.control.load(0, cr0)
    guest.psw = ECPSW(translation=True, addressing_32=True)
    guest.start()
    guest.shadow.resolve(0x1000)
    assert guest.shadow.segments == 64
    assert cp.real_segment_table_register(guest) >> 24 == 3


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 1), st.integers(0, 255)),
        st.integers(3, 63).map(lambda page: page * 4096),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_shadow_translation_is_the_guests_translation_then_cps(mapping, data):
    cp = ControlProgram(Machine(48 * 1024))  # fewer frames than the guest has pages
    guest = translated_guest(cp, mapping)
    for target in set(mapping.values()):
        cp.load("GUEST", target + 8, target.to_bytes(4, "big"))
    for (segment, page), target in data.draw(st.permutations(sorted(mapping.items()))):
        virtual = segment << 20 | page << 12 | 8
        real = guest.shadow.resolve(virtual)
        assert bytes(cp.storage.mem[real : real + 4]) == target.to_bytes(4, "big")
        walk = real_walk(cp, guest.shadow.segment_table_register)
        assert walk.translate(virtual) == real


def _shadow_system(real_storage):
    cp = ControlProgram(
        Machine(real_storage),
        dispatcher=Dispatcher(interactive_slice=300, non_interactive_slice=1200),
    )
    return cp, Supervisor(cp)


def _load_program(cp, name, program):
    cp.create_virtual_machine(name, 64 * 1024)
    for address, text in program.items():
        cp.load(name, address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw(name, 0x200)
    return cp.virtual_machine(name)


@pytest.mark.parametrize("hog_first", [True, False])
def test_a_guest_with_endless_shadow_tables_neither_stops_nor_starves_a_virtual_67(hog_first):
    cp, supervisor = _shadow_system(512 * 1024)  # 128 frames; the hog would want 512 more
    if hog_first:
        hog = _load_program(cp, "HOG", SHADOW_HOG)
        supervisor.run(100_000)  # every free frame is its shadow tables by now
        vm67 = _load_program(cp, "VM67", VIRTUAL_67)
    else:
        vm67 = _load_program(cp, "VM67", VIRTUAL_67)
        hog = _load_program(cp, "HOG", SHADOW_HOG)
    supervisor.run(400_000)
    assert vm67.state is RunState.DISABLED_WAIT, cp.log
    assert vm67.gpr[2] == 0xAAAAAAAA and vm67.gpr[5] == 0xBBBBBBBB and vm67.gpr[0] == 0x8000
    assert hog.state is RunState.DISABLED_WAIT, cp.log
    assert hog.gpr[3] == 0 and hog.gpr[0] == 0x5EEDF00D  # all 4,096 segments loaded from
    assert hog.shadow.invalidations > 0  # its own shadow tables made room for each other
    assert cp.frames.page_frames >= 8

"""Model 67 dynamic address translation: tables hand-built in real storage."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.control_registers import ControlRegisters
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
from vm370.hardware.storage import Storage

SEGMENT_TABLE = 0x1000


def segment_entry(page_table: int, last_page: int, invalid: bool = False) -> int:
    """A segment table entry: bits 0-7 highest page index, 8-30 origin, 31 invalid."""
    return last_page << 24 | page_table | int(invalid)


def page_entry(frame: int, invalid: bool = False) -> int:
    """A page table entry: bits 0-11 frame number, bit 12 invalid."""
    return (frame >> 12) << 4 | (0x8 if invalid else 0)


def set_segment(storage: Storage, index: int, entry: int, table: int = SEGMENT_TABLE) -> None:
    storage.write_word(table + 4 * index, entry)


def set_page(storage: Storage, page_table: int, index: int, entry: int) -> None:
    storage.write(page_table + 2 * index, entry.to_bytes(2, "big"))


def machine(
    size: int = 256 * 1024, length_code: int = 0
) -> tuple[Storage, DynamicAddressTranslator]:
    storage = Storage(size)
    dat = DynamicAddressTranslator(storage, ControlRegisters())
    dat.control.load(0, length_code << 24 | SEGMENT_TABLE)
    return storage, dat


def mapped(
    pages: dict[int, int], size: int = 256 * 1024
) -> tuple[Storage, DynamicAddressTranslator]:
    """Segment 0 with a page table at X'2000' mapping page index -> real frame."""
    storage, dat = machine(size)
    set_segment(storage, 0, segment_entry(0x2000, 0xFF))
    for index in range(256):
        set_page(storage, 0x2000, index, page_entry(0, invalid=True))
    for index, frame in pages.items():
        set_page(storage, 0x2000, index, page_entry(frame))
    for segment in range(1, 16):
        set_segment(storage, segment, segment_entry(0, 0, invalid=True))
    dat.control.load(0, SEGMENT_TABLE)
    return storage, dat


def exception_of(call) -> ProgramInterrupt:
    with pytest.raises(ProgramInterrupt) as caught:
        call()
    return caught.value


def test_translate_keeps_the_byte_index_and_replaces_the_page():
    _, dat = mapped({3: 0x7000})
    assert dat.translate(0x3ABC) == 0x7ABC


def test_translate_24_bit_segment_15_uses_the_sixteenth_entry():
    storage, dat = machine()
    set_segment(storage, 15, segment_entry(0x3000, 0xFF))
    set_page(storage, 0x3000, 0xAB, page_entry(0x1F000))
    assert dat.translate(0xFAB123) == 0x1F123


def test_translate_32_bit_segment_index_uses_twelve_bits():
    storage, dat = machine(length_code=0xFF)  # 4,096 entries, 16 KB from X'1000'
    set_segment(storage, 0x123, segment_entry(0x8000, 0x45))
    set_page(storage, 0x8000, 0x45, page_entry(0x2A000))
    assert dat.translate(0x12345678) == 0x2A678


def test_the_24_bit_image_of_an_address_uses_segment_bits_8_to_11():
    storage, dat = machine(length_code=0xFF)
    set_segment(storage, 0x3, segment_entry(0x8000, 0x45))
    set_page(storage, 0x8000, 0x45, page_entry(0x2A000))
    assert dat.translate(0x12345678 & 0xFFFFFF) == 0x2A678


def test_segment_index_beyond_the_table_is_a_segment_translation_exception():
    _, dat = machine(length_code=0)  # 16 entries
    error = exception_of(lambda: dat.translate(0x01000000))
    assert error.code == SEGMENT_TRANSLATION
    assert dat.control.values[2] == 0x01000000


def test_segment_table_length_code_counts_sixteen_entry_blocks():
    storage, dat = machine(length_code=1)  # 32 entries: segments 0-31
    set_segment(storage, 31, segment_entry(0x3000, 0))
    set_page(storage, 0x3000, 0, page_entry(0x5000))
    assert dat.translate(0x01F00010) == 0x5010
    assert exception_of(lambda: dat.translate(0x02000000)).code == SEGMENT_TRANSLATION


def test_invalid_segment_entry_is_a_segment_translation_exception():
    storage, dat = machine()
    set_segment(storage, 2, segment_entry(0x3000, 0xFF, invalid=True))
    error = exception_of(lambda: dat.translate(0x234567))
    assert error.code == SEGMENT_TRANSLATION
    assert dat.control.values[2] == 0x234567


def test_page_index_beyond_the_page_table_is_a_page_translation_exception():
    storage, dat = machine()
    set_segment(storage, 0, segment_entry(0x3000, 4))  # pages 0-4
    set_page(storage, 0x3000, 4, page_entry(0x6000))
    assert dat.translate(0x4FFF) == 0x6FFF
    error = exception_of(lambda: dat.translate(0x5000))
    assert error.code == PAGE_TRANSLATION
    assert dat.control.values[2] == 0x5000


def test_invalid_page_entry_is_a_page_translation_exception():
    _, dat = mapped({})
    error = exception_of(lambda: dat.translate(0x9876))
    assert error.code == PAGE_TRANSLATION
    assert dat.control.values[2] == 0x9876


def test_page_entry_bits_13_to_15_are_ignored():
    storage, dat = mapped({})
    set_page(storage, 0x2000, 1, 0x0127)  # frame X'012', bits 13-15 on, valid
    dat.purge()
    assert dat.translate(0x1004) == 0x12004


def test_segment_table_outside_storage_is_an_addressing_exception():
    storage = Storage(64 * 1024)
    dat = DynamicAddressTranslator(storage)
    dat.control.load(0, 0x00020000)
    error = exception_of(lambda: dat.translate(0x100))
    assert error.code == ADDRESSING
    assert dat.control.values[2] == 0  # only translation exceptions set CR2


def test_page_table_outside_storage_is_an_addressing_exception():
    storage, dat = machine(size=64 * 1024)
    set_segment(storage, 0, segment_entry(0x00FF0000, 0xFF))
    assert exception_of(lambda: dat.translate(0x100)).code == ADDRESSING


def test_segment_table_origin_is_a_64_byte_boundary():
    storage, dat = machine()
    set_segment(storage, 0, segment_entry(0x3000, 0))
    set_page(storage, 0x3000, 0, page_entry(0x9000))
    dat.control.load(0, SEGMENT_TABLE | 0x3F)
    assert dat.translate(0x10) == 0x9010


def test_page_table_origin_keeps_halfword_precision():
    storage, dat = machine()
    set_segment(storage, 0, segment_entry(0x3002, 0))
    set_page(storage, 0x3002, 0, page_entry(0xA000))
    assert dat.translate(0x10) == 0xA010


def test_range_crossing_a_page_translates_each_page():
    _, dat = mapped({0: 0x5000, 1: 0x9000})
    assert dat.translate_range(0x0FFE, 4) == [(0x5FFE, 2), (0x9000, 2)]


def test_range_within_one_page_is_one_piece():
    _, dat = mapped({0: 0x5000})
    assert dat.translate_range(0x0100, 256) == [(0x5100, 256)]


def test_range_into_an_invalid_page_raises_with_the_page_boundary_in_cr2():
    _, dat = mapped({0: 0x5000})
    error = exception_of(lambda: dat.translate_range(0x0FF0, 0x20))
    assert error.code == PAGE_TRANSLATION
    assert dat.control.values[2] == 0x1000


def test_range_spanning_three_pages():
    _, dat = mapped({1: 0x8000, 2: 0x4000, 3: 0xC000})
    assert dat.translate_range(0x1F00, 0x1200) == [
        (0x8F00, 0x100),
        (0x4000, 0x1000),
        (0xC000, 0x100),
    ]


def test_range_wraps_at_the_end_of_the_24_bit_space():
    storage, dat = mapped({0: 0x5000})
    set_segment(storage, 15, segment_entry(0x3000, 0xFF))
    set_page(storage, 0x3000, 0xFF, page_entry(0xB000))
    dat.purge()
    assert dat.translate_range(0xFFFFFE, 4, 0xFFFFFF) == [(0xBFFE, 2), (0x5000, 2)]


def test_range_of_zero_length_translates_nothing():
    _, dat = mapped({})
    assert dat.translate_range(0x5000, 0) == []
    assert dat.misses == 0


def test_lra_condition_code_0_gives_the_real_address():
    _, dat = mapped({5: 0x1C000})
    assert dat.load_real_address(0x5123) == (0, 0x1C123)


def test_lra_condition_code_1_for_an_invalid_segment_entry_gives_its_address():
    storage, dat = machine()
    set_segment(storage, 3, segment_entry(0x3000, 0xFF, invalid=True))
    assert dat.load_real_address(0x300000) == (1, SEGMENT_TABLE + 12)


def test_lra_condition_code_2_for_an_invalid_page_entry_gives_its_address():
    _, dat = mapped({})
    assert dat.load_real_address(0x7000) == (2, 0x2000 + 14)


def test_lra_condition_code_2_for_a_page_beyond_the_page_table():
    storage, dat = machine()
    set_segment(storage, 0, segment_entry(0x3000, 1))
    assert dat.load_real_address(0x2000) == (2, 0x3004)


def test_lra_condition_code_3_for_a_segment_beyond_the_table_gives_the_address():
    _, dat = machine(length_code=0)
    assert dat.load_real_address(0x01000010) == (3, 0x01000010)


def test_lra_outside_storage_is_an_addressing_exception():
    storage = Storage(64 * 1024)
    dat = DynamicAddressTranslator(storage)
    dat.control.load(0, 0x00040000)
    assert exception_of(lambda: dat.load_real_address(0)).code == ADDRESSING


def test_lra_neither_uses_nor_changes_the_associative_array():
    _, dat = mapped({0: 0x5000})
    dat.load_real_address(0x10)
    dat.load_real_address(0x9000)
    assert (dat.hits, dat.misses) == (0, 0)
    assert not any(register.valid for register in dat.associative_array())
    assert dat.control.values[2] == 0


def test_loading_cr0_purges_so_a_remapped_page_is_not_stale():
    storage, dat = mapped({0: 0x5000})
    assert dat.translate(0x10) == 0x5010
    set_page(storage, 0x2000, 0, page_entry(0x6000))
    dat.control.load(0, SEGMENT_TABLE)
    assert dat.translate(0x10) == 0x6010


def test_a_translation_is_reused_until_the_next_purge():
    storage, dat = mapped({0: 0x5000, 1: 0x7000})
    assert dat.translate(0x10) == 0x5010
    dat.translate(0x1010)
    set_page(storage, 0x2000, 0, page_entry(0x6000))
    assert dat.translate(0x10) == 0x5010
    dat.purge()
    assert dat.translate(0x10) == 0x6010


def test_purge_empties_the_array_and_keeps_the_counters():
    _, dat = mapped({0: 0x5000})
    dat.translate(0x10)
    dat.control.load(0, SEGMENT_TABLE)
    assert not any(register.valid for register in dat.associative_array())
    assert dat.misses == 1


def test_first_access_misses_and_repeats_hit():
    _, dat = mapped({0: 0x5000, 1: 0x6000})
    for address in (0x10, 0x20, 0x1000, 0x30):
        dat.translate(address)
    assert (dat.misses, dat.hits) == (2, 2)


def test_failed_translation_counts_nothing():
    _, dat = mapped({})
    exception_of(lambda: dat.translate(0x10))
    assert (dat.misses, dat.hits) == (0, 0)


def test_array_holds_eight_pages_and_an_observer_sees_them():
    _, dat = mapped({index: 0x10000 + 0x1000 * index for index in range(9)})
    for index in range(8):
        dat.translate(index << 12)
    registers = dat.associative_array()
    assert len(registers) == 8
    assert [r.virtual_page for r in registers] == [i << 12 for i in range(8)]
    assert [r.real_page for r in registers] == [0x10000 + 0x1000 * i for i in range(8)]
    assert registers[3].segment_index == 0 and registers[3].page_index == 3
    for index in range(8):
        dat.translate(index << 12)
    assert (dat.misses, dat.hits) == (8, 8)


def test_replacement_takes_the_lowest_register_whose_reference_bit_is_off():
    # Pages 0-7 fill registers 0-7; using register 7 would set all eight
    # reference bits, so the others are cleared. Page 8 then replaces register
    # 0 (lowest bit off), and page 0, now a miss, replaces register 1.
    _, dat = mapped({index: 0x10000 + 0x1000 * index for index in range(9)})
    for index in range(8):
        dat.translate(index << 12)
    assert [r.used for r in dat.associative_array()] == [False] * 7 + [True]
    dat.translate(8 << 12)
    dat.translate(0)
    pages = [r.virtual_page >> 12 for r in dat.associative_array()]
    assert pages == [8, 0, 2, 3, 4, 5, 6, 7]
    assert (dat.misses, dat.hits) == (10, 0)
    dat.translate(2 << 12)
    assert dat.hits == 1


def test_empty_array_registers_are_reported_invalid():
    _, dat = mapped({0: 0x5000})
    dat.translate(0)
    registers = dat.associative_array()
    assert registers[0].valid and not any(r.valid for r in registers[1:])


def reference_walk(storage: Storage, cr0: int, address: int) -> tuple:
    """An independent reading of the Model 67 tables, by bit positions.

    Returns ("real", address), ("exception", code) or ("addressing",).
    """

    def bits(value: int, width: int, first: int, last: int) -> int:
        text = format(value, f"0{width}b")
        return int(text[first : last + 1], 2)

    def fetch(real: int, length: int) -> int | None:
        if real + length > len(storage.mem):
            return None
        return int.from_bytes(bytes(storage.mem[real : real + length]), "big")

    table_entries = 16 * (bits(cr0, 32, 0, 7) + 1)
    origin = bits(cr0, 32, 8, 25) * 64
    segment = bits(address, 32, 0, 11)
    page = bits(address, 32, 12, 19)
    byte = bits(address, 32, 20, 31)
    if segment >= table_entries:
        return ("exception", SEGMENT_TRANSLATION)
    ste = fetch(origin + 4 * segment, 4)
    if ste is None:
        return ("addressing",)
    if bits(ste, 32, 31, 31):
        return ("exception", SEGMENT_TRANSLATION)
    if page > bits(ste, 32, 0, 7):
        return ("exception", PAGE_TRANSLATION)
    pte = fetch(bits(ste, 32, 8, 30) * 2 + 2 * page, 2)
    if pte is None:
        return ("addressing",)
    if bits(pte, 16, 12, 12):
        return ("exception", PAGE_TRANSLATION)
    return ("real", bits(pte, 16, 0, 11) * 4096 + byte)


def outcome(dat: DynamicAddressTranslator, address: int) -> tuple:
    try:
        return ("real", dat.translate(address))
    except ProgramInterrupt as error:
        if error.code == ADDRESSING:
            return ("addressing",)
        assert dat.control.values[2] == address
        return ("exception", error.code)


STORAGE_SIZE = 128 * 1024
PAGE_TABLE_AREA = 0x8000


@st.composite
def random_tables(draw):
    """A storage with a random segment table at X'1000' and random page tables."""
    storage = Storage(STORAGE_SIZE)
    length_code = draw(st.integers(0, 3))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for index in range(16 * (length_code + 1)):
        origin = rng.choice(
            [PAGE_TABLE_AREA + 2 * rng.randrange(0x800), STORAGE_SIZE - 64, 0x00FFF000]
        )
        entry = rng.randrange(256) << 24 | origin | (rng.random() < 0.2)
        storage.write_word(SEGMENT_TABLE + 4 * index, entry)
    page_tables = bytearray()
    for _ in range(0x1200 // 2):
        frame = rng.randrange(STORAGE_SIZE >> 12) if rng.random() < 0.9 else rng.randrange(4096)
        entry = frame << 4 | (0x8 if rng.random() < 0.2 else 0) | rng.randrange(8)
        page_tables += entry.to_bytes(2, "big")
    storage.write(PAGE_TABLE_AREA, bytes(page_tables))
    return storage, length_code << 24 | SEGMENT_TABLE


def random_address(length_code: int):
    segments = 16 * (length_code + 1)
    return st.builds(
        lambda segment, rest: (segment << 20 | rest) & 0xFFFFFFFF,
        st.integers(0, segments + 2),
        st.integers(0, (1 << 20) - 1),
    )


@settings(max_examples=100, deadline=None)
@given(data=st.data(), tables=random_tables())
def test_translate_equals_a_plain_walk_of_random_tables(data, tables):
    storage, cr0 = tables
    dat = DynamicAddressTranslator(storage)
    dat.control.load(0, cr0)
    addresses = data.draw(st.lists(random_address(cr0 >> 24), min_size=1, max_size=40))
    for address in addresses:
        assert outcome(dat, address) == reference_walk(storage, cr0, address)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), tables=random_tables())
def test_lra_agrees_with_a_plain_walk_of_random_tables(data, tables):
    storage, cr0 = tables
    dat = DynamicAddressTranslator(storage)
    dat.control.load(0, cr0)
    for address in data.draw(st.lists(random_address(cr0 >> 24), min_size=1, max_size=20)):
        expected = reference_walk(storage, cr0, address)
        if expected == ("addressing",):
            assert exception_of(lambda a=address: dat.load_real_address(a)).code == ADDRESSING
            continue
        cc, value = dat.load_real_address(address)
        if expected[0] == "real":
            assert (cc, value) == (0, expected[1])
        else:
            assert cc in (1, 2, 3)
            assert {1: SEGMENT_TRANSLATION, 2: PAGE_TRANSLATION, 3: SEGMENT_TRANSLATION}[cc] == (
                expected[1]
            )


@settings(max_examples=60, deadline=None)
@given(
    pages=st.lists(st.integers(0, 15), min_size=1, max_size=120),
    offsets=st.lists(st.integers(0, 4095), min_size=1, max_size=120),
)
def test_array_counts_every_access_and_never_changes_a_result(pages, offsets):
    mapping = {index: 0x20000 + 0x1000 * ((index * 7) % 16) for index in range(16)}
    storage, dat = mapped(mapping)
    for count, (page, offset) in enumerate(zip(pages, offsets, strict=False), start=1):
        address = page << 12 | offset
        assert dat.translate(address) == reference_walk(storage, SEGMENT_TABLE, address)[1]
        assert dat.hits + dat.misses == count
        registers = dat.associative_array()
        held = [r.virtual_page >> 12 for r in registers if r.valid]
        assert len(held) == len(set(held)) <= 8
        assert page in held
        for register in registers:
            if register.valid:
                assert register.real_page == mapping[register.virtual_page >> 12]
    assert dat.misses >= len(set(pages[: len(offsets)]))


def test_every_purge_calls_the_purge_hook():
    _, dat = mapped({0: 0x5000})
    calls = []
    dat.on_purge = lambda: calls.append(any(r.valid for r in dat.associative_array()))
    dat.translate(0x10)
    dat.control.load(0, SEGMENT_TABLE)
    dat.purge()
    assert calls == [False, False]


def test_bulk_instruction_fetches_count_one_reference_and_the_rest_as_hits():
    _, dat = mapped({0: 0x5000, 1: 0x6000})
    dat.count_instruction_fetches(0x0100, 10)
    assert (dat.misses, dat.hits) == (1, 9)
    dat.count_instruction_fetches(0x1000, 0)
    assert (dat.misses, dat.hits) == (1, 9)
    assert [r.virtual_page for r in dat.associative_array() if r.valid] == [0]


def test_encoders_give_the_architected_words():
    assert segment_table_register(0x1000, 16) == 0x00001000
    assert segment_table_register(0x012340, 17) == 0x01012340
    assert segment_table_register(0x4000, 4096) == 0xFF004000
    assert segment_table_entry(0x3002, 256) == 0xFF003002
    assert segment_table_entry(0x3000, 5) == 0x04003000
    assert segment_table_entry(None) == 0x00000001
    assert page_table_entry(0x1F000) == 0x01F0
    assert page_table_entry(None) == 0x0008


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: segment_table_register(0x1010, 16), "64-byte boundary"),
        (lambda: segment_table_register(0x1000, 4097), "1 to 4096"),
        (lambda: segment_table_entry(0x3001), "even"),
        (lambda: segment_table_entry(0x3000, 0), "1 to 256"),
        (lambda: page_table_entry(0x1800), "4K boundary"),
        (lambda: page_table_entry(1 << 24), "below 16M"),
    ],
)
def test_encoders_refuse_what_the_tables_cannot_hold(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_tables_built_with_the_encoders_translate():
    storage, dat = machine()
    storage.write_word(SEGMENT_TABLE + 4, segment_table_entry(0x3000, 2))
    storage.write(0x3002, page_table_entry(0x9000).to_bytes(2, "big"))
    dat.control.load(0, segment_table_register(SEGMENT_TABLE, 16))
    assert dat.translate(0x101234) == 0x9234
    assert exception_of(lambda: dat.translate(0x102000)).code == PAGE_TRANSLATION


def test_range_wraps_at_the_end_of_the_32_bit_space():
    storage, dat = machine(length_code=0xFF)
    set_segment(storage, 0xFFF, segment_entry(0x8000, 0xFF))
    set_page(storage, 0x8000, 0xFF, page_entry(0xB000))
    set_segment(storage, 0, segment_entry(0x8200, 0))
    set_page(storage, 0x8200, 0, page_entry(0x5000))
    assert dat.translate_range(0xFFFFFFFF, 2, 0xFFFFFFFF) == [(0xBFFF, 1), (0x5000, 1)]

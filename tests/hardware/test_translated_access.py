"""The translating storage-access mixin, over a stand-in for the CPU's real access.

The stand-in implements the fixed storage-access interface on real storage
with addressing and store-protection checks, so these tests exercise only
what the mixin adds: translation, page splitting, and checking before
changing anything.
"""

from __future__ import annotations

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
    PROTECTION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.storage import Storage
from vm370.hardware.translated_access import TranslatedStorageAccess


class RealAccess:
    """The storage-access interface on real addresses, as the CPU provides it.

    Like the CPU it stands in for, it must never reach another access method
    through ``self`` (that call would be translated a second time): its
    methods share the private helpers ``_real_fetch`` and ``_real_store``.
    """

    def __init__(self, storage: Storage, protected_blocks: set[int] = frozenset()):
        self.storage = storage
        self.address_mask = 0xFFFFFF
        self.protected_blocks = protected_blocks
        self.real_accesses: list[tuple[str, int]] = []

    def check_access(self, address: int, length: int, store: bool) -> None:
        if address + length > self.storage.size:
            raise ProgramInterrupt(ADDRESSING)
        blocks = range(address >> 11, ((address + length - 1) >> 11) + 1)
        if store and any(block in self.protected_blocks for block in blocks):
            raise ProgramInterrupt(PROTECTION)

    def _real_fetch(self, address: int, length: int) -> bytes:
        RealAccess.check_access(self, address, length, False)
        self.real_accesses.append(("fetch", address))
        return bytes(self.storage.mem[address : address + length])

    def _real_store(self, address: int, data: bytes) -> None:
        RealAccess.check_access(self, address, len(data), True)
        self.real_accesses.append(("store", address))
        self.storage.mem[address : address + len(data)] = data

    def fetch(self, address: int, length: int) -> bytes:
        return self._real_fetch(address, length)

    def store(self, address: int, data: bytes) -> None:
        self._real_store(address, data)

    def fetch_byte(self, address: int) -> int:
        return self._real_fetch(address, 1)[0]

    def store_byte(self, address: int, value: int) -> None:
        self._real_store(address, bytes((value,)))

    def _fetch_aligned(self, address: int, length: int) -> int:
        assert address % length == 0, "the mixin checks alignment before translating"
        return int.from_bytes(self._real_fetch(address, length), "big")

    def _store_aligned(self, address: int, value: int, length: int) -> None:
        assert address % length == 0
        self._real_store(address, value.to_bytes(length, "big"))

    def fetch_halfword(self, address: int) -> int:
        return self._fetch_aligned(address, 2)

    def store_halfword(self, address: int, value: int) -> None:
        self._store_aligned(address, value, 2)

    def fetch_word(self, address: int) -> int:
        return self._fetch_aligned(address, 4)

    def store_word(self, address: int, value: int) -> None:
        self._store_aligned(address, value, 4)

    def fetch_doubleword(self, address: int) -> int:
        return self._fetch_aligned(address, 8)

    def store_doubleword(self, address: int, value: int) -> None:
        self._store_aligned(address, value, 8)


class TranslatingAccess(TranslatedStorageAccess, RealAccess):
    def __init__(self, storage: Storage, protected_blocks: set[int] = frozenset()):
        super().__init__(storage, protected_blocks)
        self.dat = DynamicAddressTranslator(storage, ControlRegisters())


def access(pages: dict[int, int | None], protected_blocks: set[int] = frozenset()):
    """Segment 0 mapped page by page (None: invalid) with tables at X'1000'."""
    storage = Storage(256 * 1024)
    cpu = TranslatingAccess(storage, protected_blocks)
    storage.write_word(0x1000, segment_table_entry(0x1100, 16))
    for index in range(16):
        storage.write(0x1100 + 2 * index, page_table_entry(pages.get(index)).to_bytes(2, "big"))
    cpu.dat.control.load(0, segment_table_register(0x1000, 16))
    return storage, cpu


def raised(call) -> ProgramInterrupt:
    with pytest.raises(ProgramInterrupt) as caught:
        call()
    return caught.value


def test_word_fetch_reads_the_real_frame():
    storage, cpu = access({2: 0x9000})
    storage.write_word(0x9124, 0xCAFEF00D)
    assert cpu.fetch_word(0x2124) == 0xCAFEF00D
    assert cpu.real_accesses == [("fetch", 0x9124)]


def test_every_sized_access_goes_to_the_real_frame():
    storage, cpu = access({3: 0x7000})
    cpu.store_byte(0x3001, 0xAB)
    cpu.store_halfword(0x3002, 0x1234)
    cpu.store_word(0x3004, 0x56789ABC)
    cpu.store_doubleword(0x3008, 0x0102030405060708)
    assert bytes(storage.mem[0x7001:0x7010]) == bytes.fromhex("AB123456789ABC0102030405060708")
    assert cpu.fetch_byte(0x3001) == 0xAB
    assert cpu.fetch_halfword(0x3002) == 0x1234
    assert cpu.fetch_doubleword(0x3008) == 0x0102030405060708


def test_fetch_across_a_page_boundary_joins_two_frames():
    storage, cpu = access({0: 0x5000, 1: 0x9000})
    storage.write(0x5FFD, b"abc")
    storage.write(0x9000, b"def")
    assert cpu.fetch(0x0FFD, 6) == b"abcdef"


def test_store_across_a_page_boundary_splits_the_data():
    storage, cpu = access({0: 0x5000, 1: 0x9000})
    cpu.store(0x0FFE, b"WXYZ")
    assert bytes(storage.mem[0x5FFE:0x6000]) == b"WX"
    assert bytes(storage.mem[0x9000:0x9002]) == b"YZ"


def test_store_into_an_unavailable_second_page_changes_nothing():
    storage, cpu = access({0: 0x5000})
    error = raised(lambda: cpu.store(0x0FFE, b"WXYZ"))
    assert error.code == PAGE_TRANSLATION
    assert cpu.dat.control.values[2] == 0x1000
    assert bytes(storage.mem[0x5FFE:0x6000]) == b"\0\0"


def test_store_into_a_protected_second_page_changes_nothing():
    storage, cpu = access({0: 0x5000, 1: 0x9000}, protected_blocks={0x9000 >> 11})
    assert raised(lambda: cpu.store(0x0FFE, b"WXYZ")).code == PROTECTION
    assert bytes(storage.mem[0x5FFE:0x6000]) == b"\0\0"


def test_check_access_translates_every_page_of_the_operand():
    _, cpu = access({0: 0x5000, 1: 0x9000})
    cpu.check_access(0x0F00, 0x200, True)
    assert raised(lambda: cpu.check_access(0x1F00, 0x200, False)).code == PAGE_TRANSLATION
    assert cpu.dat.control.values[2] == 0x2000


def test_misalignment_is_a_specification_exception_before_translation():
    _, cpu = access({})
    for call in (
        lambda: cpu.fetch_halfword(0x3001),
        lambda: cpu.store_halfword(0x3001, 0),
        lambda: cpu.fetch_word(0x3002),
        lambda: cpu.store_word(0x3002, 0),
        lambda: cpu.fetch_doubleword(0x3004),
        lambda: cpu.store_doubleword(0x3004, 0),
    ):
        assert raised(call).code == SPECIFICATION
    assert (cpu.dat.hits, cpu.dat.misses) == (0, 0)


def test_a_frame_beyond_storage_is_an_addressing_exception():
    _, cpu = access({4: 0x80000})
    assert raised(lambda: cpu.fetch_word(0x4000)).code == ADDRESSING


def test_accesses_are_counted_by_the_associative_array():
    _, cpu = access({0: 0x5000, 1: 0x9000})
    cpu.fetch_word(0x10)
    cpu.fetch_word(0x14)
    cpu.fetch(0x0FFC, 8)
    assert (cpu.dat.misses, cpu.dat.hits) == (2, 2)


def test_zero_length_operands_touch_nothing():
    _, cpu = access({})
    assert cpu.fetch(0x3000, 0) == b""
    cpu.store(0x3000, b"")
    assert cpu.real_accesses == []


@settings(max_examples=80, deadline=None)
@given(
    frames=st.lists(st.integers(8, 63), min_size=16, max_size=16, unique=True),
    address=st.integers(0, 0xEFFF),
    length=st.integers(1, 0x1000),  # address + length stays within the 16 mapped pages
    data=st.binary(min_size=1, max_size=1),
)
def test_operands_read_and_write_the_bytes_a_plain_walk_names(frames, address, length, data):
    pages = {index: frame << 12 for index, frame in enumerate(frames)}
    storage, cpu = access(pages)
    for frame in frames:
        storage.write(frame << 12, bytes((frame,)) * 4096)
    expected = bytes(frames[(address + i) >> 12] for i in range(length))
    assert cpu.fetch(address, length) == expected
    cpu.store(address, data * length)
    for i in range(length):
        virtual = address + i
        assert storage.mem[pages[virtual >> 12] + (virtual & 0xFFF)] == data[0]

"""The segment and page tables CP builds in real storage for each virtual machine.

A virtual machine's storage is CP's virtual storage: the machine's "real"
address 0 is virtual address 0 of an address space whose tables CP keeps in
its own frames. The Model 67 walks them itself when the guest runs with
translation on (formats in vm370/hardware/dat.py, whose encoders build every
entry here, so the hardware and CP cannot disagree about a bit):

- one segment table of 16 entries (the 24-bit mode: virtual machines have at
  most 16 MB), each valid entry designating a page table; segments past the
  machine's storage are invalid;
- one page table per segment, with exactly as many entries as the machine has
  pages in that segment, so an address past the end of the machine's storage
  is a translation exception CP turns into the guest's addressing exception;
- a page table entry is valid only while the page is in a real frame.

Tables are small (a 16-entry segment table is 64 bytes, a full page table
512), so ``TableStorage`` hands out 64-byte-aligned pieces of CP frames.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.cp.frames import FRAME_SHIFT, FRAME_SIZE, Frame, FrameError, FrameTable
from vm370.hardware.dat import (
    PAGE_SHIFT,
    page_table_entry,
    segment_table_entry,
    segment_table_register,
)
from vm370.hardware.storage import Storage

TABLE_UNIT = 64  # segment tables start on 64-byte boundaries (CR0 bits 26-31 are ignored)
UNITS_PER_FRAME = FRAME_SIZE // TABLE_UNIT
PAGES_PER_SEGMENT = 256
SEGMENTS_24_BIT = 16


class TableStorage:
    """Pieces of CP's frames for segment and page tables.

    A request of up to a frame is carved from a CP frame in 64-byte units
    (first fit); a longer one (a segment table for the 32-bit mode) gets
    consecutive whole frames. A frame whose pieces are all freed goes back to
    the frame table.
    """

    def __init__(self, frames: FrameTable, storage: Storage) -> None:
        self.frames = frames
        self.storage = storage
        self._used_units: dict[int, int] = {}  # frame number -> bit map of used 64-byte units
        self._pieces: dict[int, tuple[int, int]] = {}  # address -> (units, frame number)
        self._runs: dict[int, list[Frame]] = {}
        # Called with a frame count when no frames are left for a table: CP
        # then makes room (drops shadow tables, pages frames out) and the
        # allocation is tried once more.
        self.on_shortage: Callable[[int], None] | None = None

    def allocate(self, length: int) -> int:
        """The real address of ``length`` zeroed bytes on a 64-byte boundary."""
        if length <= 0:
            raise ValueError(f"a table of {length} bytes")
        units = -(-length // TABLE_UNIT)
        if units > UNITS_PER_FRAME:
            count = -(-length // FRAME_SIZE)
            run = self._frames_for_cp("segment table", count)
            address = run[0].address
            self._runs[address] = run
            self._zero(address, count * FRAME_SIZE)
            return address
        wanted = (1 << units) - 1
        for number, used in self._used_units.items():
            for first in range(UNITS_PER_FRAME - units + 1):
                if not used & (wanted << first):
                    return self._take(number, first, units)
        frame = self._frames_for_cp("tables", 1)[0]
        self._used_units[frame.number] = 0
        return self._take(frame.number, 0, units)

    def free(self, address: int) -> None:
        """Give back a piece ``allocate`` returned."""
        run = self._runs.pop(address, None)
        if run is not None:
            for frame in run:
                self.frames.release(frame)
            return
        units, number = self._pieces.pop(address)
        first = (address & (FRAME_SIZE - 1)) // TABLE_UNIT
        self._used_units[number] &= ~(((1 << units) - 1) << first)
        if not self._used_units[number]:
            del self._used_units[number]
            self.frames.release(self.frames[number])

    @property
    def frames_used(self) -> int:
        return len(self._used_units) + sum(len(run) for run in self._runs.values())

    def _frames_for_cp(self, purpose: str, count: int) -> list[Frame]:
        try:
            return self.frames.allocate_for_cp(purpose, count)
        except FrameError:
            if self.on_shortage is None:
                raise
        self.on_shortage(count)
        return self.frames.allocate_for_cp(purpose, count)

    def _take(self, number: int, first: int, units: int) -> int:
        self._used_units[number] |= ((1 << units) - 1) << first
        address = (number << FRAME_SHIFT) + first * TABLE_UNIT
        self._pieces[address] = (units, number)
        self._zero(address, units * TABLE_UNIT)
        return address

    def _zero(self, address: int, length: int) -> None:
        self.storage.write(address, bytes(length))


class AddressSpace:
    """The segment and page tables of one virtual machine's storage, in real storage."""

    def __init__(self, table_storage: TableStorage, storage_size: int) -> None:
        if storage_size <= 0 or storage_size % FRAME_SIZE or storage_size > 1 << 24:
            raise ValueError(
                f"virtual storage of {storage_size} bytes must be a multiple of 4K up to 16M"
            )
        self.table_storage = table_storage
        self.storage = table_storage.storage
        self.storage_size = storage_size
        self.pages = storage_size >> PAGE_SHIFT
        self.segment_table_origin = table_storage.allocate(4 * SEGMENTS_24_BIT)
        # The CR0 value that makes the hardware translate through these tables
        # (fixed for the life of the space; CP loads it on every dispatch).
        self.segment_table_register = segment_table_register(
            self.segment_table_origin, SEGMENTS_24_BIT
        )
        self.page_table_origins: list[int] = []
        try:
            self._build()
        except FrameError:
            self.release()  # no half-built tables left behind
            raise

    def _build(self) -> None:
        table_storage = self.table_storage
        for segment in range(SEGMENTS_24_BIT):
            pages = min(PAGES_PER_SEGMENT, self.pages - segment * PAGES_PER_SEGMENT)
            if pages > 0:
                origin = table_storage.allocate(2 * pages)
                self.page_table_origins.append(origin)
                self.storage.write(origin, page_table_entry(None).to_bytes(2, "big") * pages)
                entry = segment_table_entry(origin, pages)
            else:
                entry = segment_table_entry(None)
            self.storage.write_word(self.segment_table_origin + 4 * segment, entry)

    def page_entry_address(self, page: int) -> int:
        """The real address of the page table entry of page index ``page``."""
        if not 0 <= page < self.pages:
            raise IndexError(f"page {page:X} is outside this {self.pages}-page address space")
        return self.page_table_origins[page // PAGES_PER_SEGMENT] + 2 * (page % PAGES_PER_SEGMENT)

    def map(self, page: int, frame_address: int) -> None:
        """Make page ``page`` valid, in the real frame at ``frame_address``."""
        self._write_halfword(self.page_entry_address(page), page_table_entry(frame_address))

    def unmap(self, page: int) -> None:
        """Make page ``page`` invalid (the next access is a page-translation exception)."""
        self._write_halfword(self.page_entry_address(page), page_table_entry(None))

    def release(self) -> None:
        """Give every table back to CP (the virtual machine is gone)."""
        for origin in self.page_table_origins:
            self.table_storage.free(origin)
        self.table_storage.free(self.segment_table_origin)
        self.page_table_origins = []

    def _write_halfword(self, address: int, value: int) -> None:
        self.storage.write(address, value.to_bytes(2, "big"))

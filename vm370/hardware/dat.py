"""Dynamic address translation of the System/360 Model 67.

A virtual address is split into a segment index, a page index (8 bits: 256
pages of 4 KB to a 1 MB segment) and a 12-bit byte index. In the 24-bit mode
the segment index is 4 bits (16 segments); in the 32-bit mode (EC-mode PSW
bit 4) it is 12 bits (4,096 segments). Both modes use the same tables: the
segment index is simply ``address >> 20`` of the masked address.

Tables live in real storage (GA27-2719, "Dynamic Address Translation"; the
exact field choices and their sources are in docs/model67.md):

- CR0, the segment table register: bits 0-7 the segment table length L (the
  table holds 16 x (L + 1) four-byte entries), bits 8-25 the origin (a
  64-byte boundary; bits 26-31 are ignored).
- Segment table entry (a word): bits 0-7 the page table length P (the page
  table holds P + 1 entries: page indexes 0 to P), bits 8-30 the page table
  origin (a halfword boundary), bit 31 the invalid bit.
- Page table entry (a halfword): bits 0-11 the page frame (real address bits
  8-19), bit 12 the invalid bit, bits 13-15 ignored.

Exceptions: a segment index beyond the table, or an invalid segment table
entry, is a segment-translation exception (X'10'); a page index beyond the
page table, or an invalid page table entry, is a page-translation exception
(X'11'). Both suppress the instruction, as a System/360 suppresses for any
program exception (PoO GA22-6821, "Program Interruption"): nothing is
stored, the old PSW points past the instruction and the ILC gives its
length, so the supervisor backs the address up by the ILC to retry it. The
failing virtual address goes to CR2. (System/370 later nullified these two
instead, leaving the old PSW at the instruction: docs/model67.md.) A table
entry outside installed storage is an addressing exception.

The associative array (the Model 67's eight associative registers, the TLB)
is modelled for what it shows: which pages it holds, its hits and misses.
Results never depend on it. They come from a per-page dictionary filled by
table walks and emptied by every purge (a load of CR0, or ``purge()``), so a
program that changes its tables must load CR0 afterwards -- the same rule
the real machine imposes -- and the model's replacement choices can never
change what an access returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vm370.hardware.control_registers import (
    SEGMENT_TABLE_REGISTER,
    TRANSLATION_EXCEPTION_ADDRESS_REGISTER,
    ControlRegisters,
)
from vm370.hardware.interrupts import (
    ADDRESSING,
    PAGE_TRANSLATION,
    SEGMENT_TRANSLATION,
    ProgramInterrupt,
)
from vm370.hardware.storage import Storage

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
BYTE_INDEX_MASK = PAGE_SIZE - 1
SEGMENT_SHIFT = 20
PAGE_INDEX_MASK = 0xFF

ASSOCIATIVE_REGISTERS = 8
_ALL_USED = (1 << ASSOCIATIVE_REGISTERS) - 1

SEGMENT_TABLE_ORIGIN_MASK = 0x00FFFFC0
SEGMENT_ENTRY_INVALID = 0x00000001
PAGE_TABLE_ORIGIN_MASK = 0x00FFFFFE
PAGE_ENTRY_INVALID = 0x0008

# The per-page result cache is bounded so that a program touching a huge
# virtual space cannot grow it without limit; emptying it only costs walks.
_CACHE_LIMIT = 1 << 16


def segment_table_register(origin: int, segments: int) -> int:
    """The CR0 value for a segment table of ``segments`` entries at real ``origin``.

    The length is kept in units of 16 entries, so ``segments`` is rounded up
    to a multiple of 16 (16 to 4,096); the origin must be a 64-byte boundary.
    """
    if not 1 <= segments <= 4096:
        raise ValueError(f"a segment table has 1 to 4096 entries, not {segments}")
    if origin & ~SEGMENT_TABLE_ORIGIN_MASK:
        raise ValueError(f"segment table origin {origin:X} must be a 64-byte boundary below 16M")
    return ((segments + 15) // 16 - 1) << 24 | origin


def segment_table_entry(page_table_origin: int | None, pages: int = 256) -> int:
    """A segment table entry for a page table of ``pages`` entries (None: invalid)."""
    if page_table_origin is None:
        return SEGMENT_ENTRY_INVALID
    if not 1 <= pages <= 256:
        raise ValueError(f"a page table has 1 to 256 entries, not {pages}")
    if page_table_origin & ~PAGE_TABLE_ORIGIN_MASK:
        raise ValueError(f"page table origin {page_table_origin:X} must be even and below 16M")
    return (pages - 1) << 24 | page_table_origin


def page_table_entry(frame: int | None) -> int:
    """A page table entry mapping to the real page ``frame`` (None: invalid)."""
    if frame is None:
        return PAGE_ENTRY_INVALID
    if frame & BYTE_INDEX_MASK or not 0 <= frame < 1 << 24:
        raise ValueError(f"page frame {frame:X} must be a 4K boundary below 16M")
    return (frame >> PAGE_SHIFT) << 4


@dataclass(frozen=True, slots=True)
class AssociativeRegister:
    """One of the eight associative registers, as an observer sees it."""

    slot: int
    valid: bool
    virtual_page: int  # the virtual address of the page (byte index zero)
    real_page: int  # the real address of the frame
    used: bool  # the reference bit the replacement rule reads

    @property
    def segment_index(self) -> int:
        return self.virtual_page >> SEGMENT_SHIFT

    @property
    def page_index(self) -> int:
        return (self.virtual_page >> PAGE_SHIFT) & PAGE_INDEX_MASK


class DynamicAddressTranslator:
    """The DAT unit: table walks, LRA, and the associative-array model.

    The CPU calls ``translate`` (one address) or ``translate_range`` (an
    operand) for every access while the PSW has translation on, and
    ``load_real_address`` for LRA. Loading CR0 through ``control`` purges.
    """

    __slots__ = (
        "storage",
        "control",
        "on_purge",
        "hits",
        "misses",
        "_segment_table_origin",
        "_segment_table_entries",
        "_frames",
        "_last_page",
        "_last_frame",
        "_array_pages",
        "_array_frames",
        "_slot_of",
        "_used",
    )

    def __init__(self, storage: Storage, control: ControlRegisters | None = None):
        self.storage = storage
        self.control = control if control is not None else ControlRegisters()
        # Called after every purge: the CPU drops what it keeps by virtual
        # address (its decoded instructions) there.
        self.on_purge: Callable[[], None] | None = None
        self.hits = 0
        self.misses = 0
        self._frames: dict[int, int] = {}
        self._last_page = -1
        self._last_frame = 0
        self._array_pages: list[int | None] = [None] * ASSOCIATIVE_REGISTERS
        self._array_frames = [0] * ASSOCIATIVE_REGISTERS
        self._slot_of: dict[int, int] = {}
        self._used = 0
        self.control.on_segment_table_load = self.load_segment_table_register
        self.load_segment_table_register(self.control.values[SEGMENT_TABLE_REGISTER])

    def load_segment_table_register(self, value: int) -> None:
        """Take a new CR0 into use and purge the associative array."""
        self._segment_table_origin = value & SEGMENT_TABLE_ORIGIN_MASK
        self._segment_table_entries = ((value >> 24) + 1) * 16
        self.purge()

    def purge(self) -> None:
        """Empty the associative array (and every cached translation)."""
        self._frames.clear()
        self._last_page = -1
        self._array_pages = [None] * ASSOCIATIVE_REGISTERS
        self._array_frames = [0] * ASSOCIATIVE_REGISTERS
        self._slot_of.clear()
        self._used = 0
        if self.on_purge is not None:
            self.on_purge()

    def reset_counters(self) -> None:
        self.hits = 0
        self.misses = 0

    def translate(self, address: int) -> int:
        """The real address of a virtual ``address`` (already masked to 24/32 bits).

        Raises ProgramInterrupt: segment- or page-translation (suppressing, CR2
        set to ``address``) or addressing (a table entry outside storage).
        """
        page = address >> PAGE_SHIFT
        if page == self._last_page:
            # Same page as the previous access: an array hit that changes no
            # reference bit (the previous access already set it).
            self.hits += 1
            return self._last_frame | (address & BYTE_INDEX_MASK)
        frame = self._frames.get(page)
        if frame is None:
            frame = self._walk(address)
            if len(self._frames) >= _CACHE_LIMIT:
                self._frames.clear()
            self._frames[page] = frame
        self._reference(page, frame)
        self._last_page = page
        self._last_frame = frame
        return frame | (address & BYTE_INDEX_MASK)

    def count_instruction_fetches(self, address: int, count: int) -> None:
        """Count ``count`` instruction fetches from the page of ``address``.

        For a CPU that keeps decoded instructions and so does not translate
        each fetch: one real reference to the array model (a hit, or a miss if
        operand pages pushed the instruction page out) and ``count - 1`` hits.
        Only the counts are approximate; results are unaffected. Never raises
        and never changes CR2: a page that no longer translates (the tables
        changed under the block) is not counted.
        """
        if count <= 0:
            return
        page = address >> PAGE_SHIFT
        if page == self._last_page:
            # The page of the previous access: all hits, no reference bit changes.
            self.hits += count
            return
        frame = self._frames.get(page)
        if frame is None:
            exception_address = self.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER]
            try:
                frame = self._walk(address)
            except ProgramInterrupt:
                self.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER] = exception_address
                return
            self._frames[page] = frame
        self._reference(page, frame)
        self._last_page = page
        self._last_frame = frame
        self.hits += count - 1

    def frame_quietly(self, address: int) -> int | None:
        """The real frame of ``address``, or None: for looking, not accessing.

        Neither the associative array nor its counts change, and CR2 keeps
        its value; a table entry outside storage is None too.
        """
        page = address >> PAGE_SHIFT
        frame = self._frames.get(page)
        if frame is not None:
            return frame
        exception_address = self.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER]
        try:
            return self._walk(address)
        except ProgramInterrupt:
            self.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER] = exception_address
            return None

    def translate_range(
        self, address: int, length: int, address_mask: int = 0x00FFFFFF
    ) -> list[tuple[int, int]]:
        """Translate an operand of ``length`` bytes, page by page.

        Returns (real address, length) pieces in operand order. Every page is
        translated before the caller touches storage, so an operand that
        crosses into an unavailable page raises before anything is changed.
        The operand wraps from the top of the address space to zero.
        """
        address &= address_mask
        if length <= 0:
            return []
        first_piece = PAGE_SIZE - (address & BYTE_INDEX_MASK)
        if length <= first_piece:
            return [(self.translate(address), length)]
        pieces = []
        while length > 0:
            piece = min(length, PAGE_SIZE - (address & BYTE_INDEX_MASK))
            pieces.append((self.translate(address), piece))
            address = (address + piece) & address_mask
            length -= piece
        return pieces

    def load_real_address(self, address: int) -> tuple[int, int]:
        """LRA: (condition code, value for R1) for a virtual ``address``.

        cc 0 the real address; cc 1 the segment table entry is invalid (R1
        gets the entry's real address); cc 2 the page index is beyond the page
        table or the page table entry is invalid (R1 gets the real address of
        that page table entry); cc 3 the segment index is beyond the segment
        table (R1 gets the virtual address). The associative array is neither
        used nor changed. A table entry outside storage raises addressing.
        """
        segment_index = address >> SEGMENT_SHIFT
        if segment_index >= self._segment_table_entries:
            return 3, address
        entry_address = (self._segment_table_origin + 4 * segment_index) & 0x00FFFFFF
        segment_entry = self._read_table(entry_address, 4)
        if segment_entry & SEGMENT_ENTRY_INVALID:
            return 1, entry_address
        page_index = (address >> PAGE_SHIFT) & PAGE_INDEX_MASK
        page_entry_address = (
            (segment_entry & PAGE_TABLE_ORIGIN_MASK) + 2 * page_index
        ) & 0x00FFFFFF
        if page_index > segment_entry >> 24:
            return 2, page_entry_address
        page_entry = self._read_table(page_entry_address, 2)
        if page_entry & PAGE_ENTRY_INVALID:
            return 2, page_entry_address
        return 0, (page_entry >> 4) << PAGE_SHIFT | (address & BYTE_INDEX_MASK)

    def associative_array(self) -> list[AssociativeRegister]:
        """The eight associative registers, slot by slot, for observers."""
        return [
            AssociativeRegister(
                slot=slot,
                valid=page is not None,
                virtual_page=(page or 0) << PAGE_SHIFT,
                real_page=self._array_frames[slot] if page is not None else 0,
                used=bool(self._used & (1 << slot)),
            )
            for slot, page in enumerate(self._array_pages)
        ]

    def _walk(self, address: int) -> int:
        """The real frame address for ``address`` from the tables in storage."""
        segment_index = address >> SEGMENT_SHIFT
        if segment_index >= self._segment_table_entries:
            self._translation_exception(SEGMENT_TRANSLATION, address)
        entry_address = (self._segment_table_origin + 4 * segment_index) & 0x00FFFFFF
        segment_entry = self._read_table(entry_address, 4)
        if segment_entry & SEGMENT_ENTRY_INVALID:
            self._translation_exception(SEGMENT_TRANSLATION, address)
        page_index = (address >> PAGE_SHIFT) & PAGE_INDEX_MASK
        if page_index > segment_entry >> 24:
            self._translation_exception(PAGE_TRANSLATION, address)
        page_entry_address = (
            (segment_entry & PAGE_TABLE_ORIGIN_MASK) + 2 * page_index
        ) & 0x00FFFFFF
        page_entry = self._read_table(page_entry_address, 2)
        if page_entry & PAGE_ENTRY_INVALID:
            self._translation_exception(PAGE_TRANSLATION, address)
        return (page_entry >> 4) << PAGE_SHIFT

    def _read_table(self, real_address: int, length: int) -> int:
        if real_address + length > self.storage.size:
            raise ProgramInterrupt(ADDRESSING)
        # ``storage`` may be a guest's storage as CP sees it (vstorage.py),
        # which is read by slices only.
        return int.from_bytes(self.storage.mem[real_address : real_address + length], "big")

    def _translation_exception(self, code: int, address: int) -> None:
        self.control.values[TRANSLATION_EXCEPTION_ADDRESS_REGISTER] = address
        raise ProgramInterrupt(code)

    def _reference(self, page: int, frame: int) -> None:
        """Count one access to ``page`` in the associative-array model.

        Replacement rule: each register has a reference bit, set when the
        register is used; when that would leave all eight set, the others are
        cleared. A miss takes the lowest-numbered register whose bit is off
        (an empty register first). See docs/model67.md for why.
        """
        slot = self._slot_of.get(page)
        if slot is not None:
            self.hits += 1
        else:
            self.misses += 1
            if len(self._slot_of) < ASSOCIATIVE_REGISTERS:
                slot = self._array_pages.index(None)  # the first empty register
            else:
                free = ~self._used & _ALL_USED
                slot = (free & -free).bit_length() - 1
                del self._slot_of[self._array_pages[slot]]
            self._array_pages[slot] = page
            self._array_frames[slot] = frame
            self._slot_of[page] = slot
        used = self._used | (1 << slot)
        self._used = (1 << slot) if used == _ALL_USED else used

"""Shadow tables: how a virtual 360/67 that turns on its own translation runs.

A guest with translation on has two levels of tables: its own (in its
storage, designated by its virtual CR0) take its virtual addresses to its
"real" addresses, and CP's (tables.py) take those to real frames. The
hardware walks only one level, so CP builds a third set, the shadow tables,
that go straight from the guest's virtual addresses to real frames, and
points the real CR0 at them while the guest runs translated.

Shadow tables are filled lazily. A shadow segment table with as many entries
as the guest's starts all invalid; each real translation exception taken
while the guest runs translated comes to ``resolve``, which:

1. walks the guest's tables with the guest's own translator (the hardware's
   DAT unit working on the guest's storage and virtual control registers),
   so a failure there is exactly the guest's segment- or page-translation
   exception, with the guest's CR2 set, for CP to reflect;
2. brings the guest-real page into a real frame through CP's own paging;
3. writes the real frame into the shadow page table (a 256-entry table per
   shadow segment, built when first needed).

Keeping them correct (the choice CP-67 made): the shadow tables hold only
translations made since the guest's last purge, which is exactly what the
Model 67's associative array may hold, so they are thrown away whenever the
guest purges, i.e. loads its CR0 (LMC; the guest's translator calls
``invalidate`` through its purge hook). A guest that changes its tables
without loading CR0 may see the old translation, as on the real machine. And
whenever CP takes a guest-real page away from its frame (stolen, or its
reference sampled), every shadow entry that pointed at it is made invalid
(``drop_guest_page``). CP does not write-protect the guest's tables.
"""

from __future__ import annotations

from vm370.cp.frames import FrameError
from vm370.cp.paging import Pager
from vm370.cp.tables import PAGES_PER_SEGMENT, TableStorage
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.dat import (
    BYTE_INDEX_MASK,
    PAGE_INDEX_MASK,
    PAGE_SHIFT,
    SEGMENT_SHIFT,
    page_table_entry,
    segment_table_entry,
    segment_table_register,
)
from vm370.hardware.interrupts import ADDRESSING, ProgramInterrupt


class ShadowTables:
    """The shadow segment and page tables of one virtual 360/67."""

    def __init__(self, table_storage: TableStorage, pager: Pager, machine: VirtualMachine):
        self.table_storage = table_storage
        self.storage = table_storage.storage
        self.pager = pager
        self.machine = machine
        self.segment_table_origin: int | None = None
        self.segments = 0
        self.page_tables: dict[int, int] = {}  # segment index -> shadow page table origin
        self._entries_of_page: dict[int, set[int]] = {}  # guest-real page -> shadow entries
        self.builds = 0
        # While ``resolve`` builds, CP must not take these tables back to
        # make room for tables (system.py).
        self.building = False
        self.invalidations = 0
        self.entries_filled = 0

    @property
    def segment_table_register(self) -> int:
        """The real CR0 while the guest runs translated (the shadow table is built if need be)."""
        self._ensure_segment_table()
        return segment_table_register(self.segment_table_origin, self.segments)

    def resolve(self, address: int) -> int:
        """Fill the shadow entry for the guest's virtual ``address``; return the real address.

        Raises ProgramInterrupt for the guest: its translation exceptions
        (from its own tables), or addressing when its tables or the page they
        name lie outside its storage.
        """
        machine = self.machine
        address &= machine.address_mask
        guest_real = machine.dat.translate(address)
        if guest_real >= machine.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        self.building = True
        try:
            try:
                return self._fill(address, guest_real)
            except FrameError:
                # No room for tables even after CP took the other machines'
                # shadow tables back: this machine's own go, all but the
                # entry it needs now (a guest with huge tables runs slowly,
                # never stops).
                self._forget_all()
                return self._fill(address, guest_real)
        finally:
            self.building = False

    def _forget_all(self) -> None:
        """Drop every shadow table the way a purge does (the real translations go too)."""
        purged = self.machine.dat.on_purge
        if purged is None:
            self.invalidate()
        else:
            purged()

    def _fill(self, address: int, guest_real: int) -> int:
        machine = self.machine
        self._ensure_segment_table()
        segment = address >> SEGMENT_SHIFT
        page_table = self.page_tables.get(segment)
        if page_table is None:
            page_table = self.table_storage.allocate(2 * PAGES_PER_SEGMENT)
            self.storage.write(
                page_table, page_table_entry(None).to_bytes(2, "big") * PAGES_PER_SEGMENT
            )
            self.page_tables[segment] = page_table
            self.storage.write_word(
                self.segment_table_origin + 4 * segment,
                segment_table_entry(page_table, PAGES_PER_SEGMENT),
            )
        guest_page = guest_real >> PAGE_SHIFT
        if self.pager.is_mapped(machine.name, guest_page):
            frame = self.pager.frame_for(machine.name, guest_page)
        else:
            frame = self.pager.resolve_fault(machine.name, guest_page)
        entry_address = page_table + 2 * ((address >> PAGE_SHIFT) & PAGE_INDEX_MASK)
        self._write_halfword(entry_address, page_table_entry(frame.address))
        self._entries_of_page.setdefault(guest_page, set()).add(entry_address)
        self.entries_filled += 1
        return frame.address | (guest_real & BYTE_INDEX_MASK)

    def drop_guest_page(self, guest_page: int) -> None:
        """A guest-real page left its frame: no shadow entry may point there any more."""
        for entry_address in self._entries_of_page.pop(guest_page, ()):
            self._write_halfword(entry_address, page_table_entry(None))

    def invalidate(self) -> None:
        """The guest purged (loaded CR0): forget every shadow translation."""
        for origin in self.page_tables.values():
            self.table_storage.free(origin)
        self.page_tables.clear()
        self._entries_of_page.clear()
        if self.segment_table_origin is not None:
            self.table_storage.free(self.segment_table_origin)
            self.segment_table_origin = None
        self.invalidations += 1

    def _ensure_segment_table(self) -> None:
        if self.segment_table_origin is not None:
            return
        segments = 16 * (self.machine.control.segment_table_length + 1)
        origin = self.table_storage.allocate(4 * segments)
        self.storage.write(origin, segment_table_entry(None).to_bytes(4, "big") * segments)
        self.segment_table_origin = origin
        self.segments = segments
        self.builds += 1

    def _write_halfword(self, address: int, value: int) -> None:
        self.storage.write(address, value.to_bytes(2, "big"))

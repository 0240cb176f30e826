"""A paging device on a real 2314 (or 2311), driven through the channel subsystem.

``DasdPagingStore`` is a paging device for the pager (paging.py): each page
slot is one track of the pack, holding one 4,096-byte record R1. CP writes
and reads pages with ordinary channel programs, started by SIO from CP's own
storage as any supervisor would:

    write (slot used before)        write (first use of the slot)
      07 SEEK       BBCCHH            07 SEEK       BBCCHH
      31 SEARCH ID  CCHH R1           31 SEARCH ID  CCHH R0
      08 TIC        *-8               08 TIC        *-8
      05 WRITE DATA 4096 bytes        1D WRITE CKD  count CCHH1 0 4096, data

    read: SEEK, SEARCH ID EQUAL R1, TIC *-8, 06 READ DATA 4096 bytes

The paging I/O is synchronous (realio.py): CP starts the channel program
and lets the virtual clock run the device's events until it ends (the
faulting guest and everyone else wait; overlapping page waits with other
guests' work is for later), then takes that device's own status. The pack
may hold other things (minidisks, spool space) in its other cylinders. A
failed channel program is a ``PagingError`` with the CSW.

CP keeps the channel programs and an 8 KB buffer (the count field and the
page) in two frames of its own.

``PagingAreas`` puts CP's paging on several PAGE areas at once (VM/370's
DMKPGT allocated page slots from every TEMP area of every CP-owned volume):
a DasdPagingStore for each, sharing those two frames (the I/O is
synchronous, so one buffer serves every device). A page keeps the slot it
was first written to; a new one takes a slot on the next area in turn that
has one free, which spreads the paging over the packs. Only when every area
is full is a page-out a ``PagingError``.
"""

from __future__ import annotations

from vm370.cp.frames import FRAME_SIZE, FrameTable
from vm370.cp.paging import PagingError
from vm370.cp.realio import RealIO, RealIOError
from vm370.hardware.channel import CHAIN_COMMAND, TRANSFER_IN_CHANNEL, make_ccw
from vm370.hardware.devices import CHANNEL_END, DEVICE_END, STATUS_MODIFIER
from vm370.hardware.devices.dasd import (
    READ_DATA,
    SEARCH_ID_EQUAL,
    SEEK,
    WRITE_COUNT_KEY_AND_DATA,
    WRITE_DATA,
)
from vm370.hardware.storage import Storage

PAGE_RECORD = 1


class DasdPagingStore:
    """Page slots on a DASD pack: one track, one record R1, per page."""

    def __init__(
        self,
        storage: Storage,
        frames: FrameTable,
        channels,
        device_address: int,
        first_cylinder: int = 0,
        cylinders: int | None = None,
        io_frames: list | None = None,
    ) -> None:
        device = channels.devices.get(device_address) if channels is not None else None
        if device is None or not hasattr(device, "image"):
            raise PagingError(f"no DASD attached at {device_address:03X} to page on")
        self.storage = storage
        self.channels = channels
        self.realio = RealIO(storage, channels)
        self.device_address = device_address
        self.heads = device.image.heads
        # The pack's cylinders CP pages on (its PAGE area of the real configuration).
        self.first_cylinder = first_cylinder
        if cylinders is None:
            cylinders = device.image.cylinders - first_cylinder
        last = first_cylinder + cylinders
        if first_cylinder < 0 or cylinders < 1 or last > device.image.cylinders:
            raise PagingError(
                f"cylinders {first_cylinder}-{first_cylinder + cylinders - 1} are not on the "
                f"pack at {device_address:03X}"
            )
        self.slots_available = cylinders * self.heads
        buffer = io_frames or frames.allocate_for_cp("paging I/O buffer", 2)
        self.io_frames = buffer
        self.count_address = buffer[0].address + FRAME_SIZE - 8
        self.buffer_address = buffer[1].address
        self.program_address = buffer[0].address
        self.seek_address = self.program_address + 0x100
        self._slots: dict[tuple[str, int], int] = {}
        self._formatted: set[int] = set()
        self._free: list[int] = []
        self._next_slot = 0
        self.reads = 0
        self.writes = 0

    def read_page(self, owner: str, page: int) -> bytes | None:
        slot = self._slots.get((owner, page))
        if slot is None:
            return None
        self._run(slot, READ_DATA)
        self.reads += 1
        return bytes(self.storage.mem[self.buffer_address : self.buffer_address + FRAME_SIZE])

    def write_page(self, owner: str, page: int, data: bytes) -> None:
        if len(data) != FRAME_SIZE:
            raise ValueError(f"a page is {FRAME_SIZE} bytes, not {len(data)}")
        slot = self._slots.get((owner, page))
        if slot is None:
            slot = self._allocate_slot()
            self._slots[(owner, page)] = slot
        self.storage.write(self.buffer_address, data)
        if slot in self._formatted:
            self._run(slot, WRITE_DATA)
        else:
            self._run(slot, WRITE_COUNT_KEY_AND_DATA)
            self._formatted.add(slot)
        self.writes += 1

    def pages_held(self, owner: str) -> int:
        """How many of ``owner``'s pages have a copy here (INDICATE USER)."""
        return sum(1 for key in self._slots if key[0] == owner)

    def discard(self, owner: str) -> None:
        for key in [key for key in self._slots if key[0] == owner]:
            self._free.append(self._slots.pop(key))

    def discard_page(self, owner: str, page: int) -> None:
        slot = self._slots.pop((owner, page), None)
        if slot is not None:
            self._free.append(slot)

    def slots_used(self) -> int:
        return len(self._slots)

    def holds(self, owner: str, page: int) -> bool:
        """True when the page has a slot here."""
        return (owner, page) in self._slots

    def slots_free(self) -> int:
        return len(self._free) + self.slots_available - self._next_slot

    def _allocate_slot(self) -> int:
        if self._free:
            return self._free.pop()
        if self._next_slot >= self.slots_available:
            raise PagingError(
                f"the paging pack at {self.device_address:03X} is full "
                f"({self.slots_available} pages)"
            )
        self._next_slot += 1
        return self._next_slot - 1

    def _run(self, slot: int, command: int) -> None:
        """Build the channel program for ``slot``, start it, and wait for it to end."""
        cylinder, head = divmod(slot, self.heads)
        cylinder += self.first_cylinder
        seek = bytes(2) + cylinder.to_bytes(2, "big") + head.to_bytes(2, "big")
        record = 0 if command == WRITE_COUNT_KEY_AND_DATA else PAGE_RECORD
        search = seek[2:] + bytes((record,))
        self.storage.write(self.seek_address, seek + search)
        search_ccw = self.program_address + 8
        if command == WRITE_COUNT_KEY_AND_DATA:
            count = seek[2:] + bytes((PAGE_RECORD, 0)) + FRAME_SIZE.to_bytes(2, "big")
            self.storage.write(self.count_address, count)
            transfer = make_ccw(command, self.count_address, 0, 8 + FRAME_SIZE)
        else:
            transfer = make_ccw(command, self.buffer_address, 0, FRAME_SIZE)
        program = (
            make_ccw(SEEK, self.seek_address, CHAIN_COMMAND, 6)
            + make_ccw(SEARCH_ID_EQUAL, self.seek_address + 6, CHAIN_COMMAND, 5)
            + make_ccw(TRANSFER_IN_CHANNEL, search_ccw, 0, 1)
            + transfer
        )
        self.storage.write(self.program_address, program)
        try:
            csw = self.realio.run(self.device_address, self.program_address)
        except RealIOError as error:
            raise PagingError(f"paging device: {error}") from None
        if csw[4] & ~STATUS_MODIFIER != CHANNEL_END | DEVICE_END or csw[5]:
            raise PagingError(
                f"paging device {self.device_address:03X} failed: CSW {csw.hex().upper()}"
            )


class PagingAreas:
    """Page slots on several PAGE areas (each ``(device address, first cylinder, cylinders)``)."""

    def __init__(
        self,
        storage: Storage,
        frames: FrameTable,
        channels,
        areas: list[tuple[int, int, int]],
    ) -> None:
        if not areas:
            raise PagingError("no PAGE area to page on")
        self.stores: list[DasdPagingStore] = []
        io_frames = None
        for device_address, first_cylinder, cylinders in areas:
            store = DasdPagingStore(
                storage, frames, channels, device_address, first_cylinder, cylinders, io_frames
            )
            io_frames = store.io_frames
            self.stores.append(store)
        self.slots_available = sum(store.slots_available for store in self.stores)
        self._next = 0  # the area the next new slot is tried on first

    @property
    def reads(self) -> int:
        return sum(store.reads for store in self.stores)

    @property
    def writes(self) -> int:
        return sum(store.writes for store in self.stores)

    def _holder(self, owner: str, page: int) -> DasdPagingStore | None:
        for store in self.stores:
            if store.holds(owner, page):
                return store
        return None

    def read_page(self, owner: str, page: int) -> bytes | None:
        store = self._holder(owner, page)
        return store.read_page(owner, page) if store is not None else None

    def write_page(self, owner: str, page: int, data: bytes) -> None:
        store = self._holder(owner, page)
        if store is None:
            count = len(self.stores)
            for turn in range(count):
                candidate = self.stores[(self._next + turn) % count]
                if candidate.slots_free():
                    store = candidate
                    self._next = (self._next + turn + 1) % count
                    break
            else:
                devices = ", ".join(f"{s.device_address:03X}" for s in self.stores)
                raise PagingError(
                    f"the paging space is full ({self.slots_available} pages on {devices})"
                )
        store.write_page(owner, page, data)

    def pages_held(self, owner: str) -> int:
        return sum(store.pages_held(owner) for store in self.stores)

    def discard(self, owner: str) -> None:
        for store in self.stores:
            store.discard(owner)

    def discard_page(self, owner: str, page: int) -> None:
        for store in self.stores:
            store.discard_page(owner, page)

    def slots_used(self) -> int:
        return sum(store.slots_used() for store in self.stores)

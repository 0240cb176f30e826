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
        buffer = frames.allocate_for_cp("paging I/O buffer", 2)
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

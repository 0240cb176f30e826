"""Demand paging: the paging device, the replacement rule, and bringing pages in.

A virtual machine's page is either in a real frame (its page table entry
valid) or on the paging device. A page that is in neither has never been
touched and reads as zeros.

The paging device is ``PagingStore``: pages kept in host memory, keyed by
(virtual machine, page index). It is the seam for a real paging device: a
2314 or a drum driven through the channel subsystem needs only the same three
methods (read a page, write a page, forget a machine's pages) and can then
replace it without the rest of CP noticing.

The replacement rule is CP-67's reference-bit scan, the "clock": a hand
sweeps round the frame table; a pageable frame whose reference bit is on has
it turned off and is passed by (a second chance), the first one found with
the bit off is stolen. The Model 67 set the reference bits in its storage
keys; our hardware does not record them, so CP samples references itself:
turning a frame's bit off also makes its page table entry invalid while the
page stays in the frame, and the next access to it is a page fault that CP
resolves without I/O (a "reclaim") by making the entry valid again and
setting the bit. A stolen page is written to the paging device only if it
changed since it came in: the change bit, which CP finds by comparing the
frame with the image it paged in (kept in host memory, so a real paging
device need not be read back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vm370.cp.frames import FRAME_SIZE, Frame, FrameState, FrameTable
from vm370.cp.tables import AddressSpace
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.storage import BLOCK_SHIFT, Storage

ZERO_PAGE = bytes(FRAME_SIZE)
BLOCKS_PER_PAGE = FRAME_SIZE >> BLOCK_SHIFT


class PagingError(Exception):
    """Real storage is exhausted: every frame is CP's or locked."""


class PagingDevice(Protocol):
    """What the pager needs of a paging device (a 2314 or drum later, host memory now)."""

    def read_page(self, owner: str, page: int) -> bytes | None: ...

    def write_page(self, owner: str, page: int, data: bytes) -> None: ...

    def pages_held(self, owner: str) -> int: ...

    def discard(self, owner: str) -> None: ...

    def discard_page(self, owner: str, page: int) -> None: ...


class PagingStore:
    """The paging device, in host memory: one 4 KB slot per page written."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str, int], bytes] = {}
        self.reads = 0
        self.writes = 0

    def read_page(self, owner: str, page: int) -> bytes | None:
        """The page's copy, or None if it was never written (it reads as zeros)."""
        data = self._slots.get((owner, page))
        if data is not None:
            self.reads += 1
        return data

    def write_page(self, owner: str, page: int, data: bytes) -> None:
        if len(data) != FRAME_SIZE:
            raise ValueError(f"a page is {FRAME_SIZE} bytes, not {len(data)}")
        self._slots[(owner, page)] = bytes(data)
        self.writes += 1

    def pages_held(self, owner: str) -> int:
        """How many of ``owner``'s pages have a copy here (INDICATE USER)."""
        return sum(1 for key in self._slots if key[0] == owner)

    def discard(self, owner: str) -> None:
        """Forget every page of ``owner`` (the virtual machine is gone)."""
        for key in [key for key in self._slots if key[0] == owner]:
            del self._slots[key]

    def discard_page(self, owner: str, page: int) -> None:
        """Forget one page (released: it reads as zeros again)."""
        self._slots.pop((owner, page), None)

    def slots_used(self) -> int:
        return len(self._slots)


class ClockReplacement:
    """CP-67's page-replacement rule: a reference-bit scan round the frame table."""

    def __init__(self) -> None:
        self.hand = 0

    def select(self, frames: FrameTable, sample: Callable[[Frame], None]) -> Frame | None:
        """The frame to steal, or None if no frame is pageable.

        ``sample(frame)`` is called for every frame whose reference bit is
        turned off on the way. Two turns of the hand always find a victim if
        one exists: the first turn clears every bit it passes.
        """
        count = len(frames)
        for _ in range(2 * count):
            frame = frames[self.hand]
            self.hand = (self.hand + 1) % count
            if not frame.pageable:
                continue
            if frame.referenced:
                frame.referenced = False
                sample(frame)
                continue
            return frame
        return None


@dataclass
class _Residence:
    """The pages of one virtual machine that are in real frames."""

    machine: VirtualMachine
    space: AddressSpace
    frames: dict[int, Frame] = field(default_factory=dict)  # page -> frame
    clean: dict[int, bytes] = field(default_factory=dict)  # page -> contents when paged in
    mapped: set[int] = field(default_factory=set)  # pages whose page table entry is valid


class Pager:
    """Keeps virtual machines' pages in real frames on demand."""

    def __init__(
        self,
        storage: Storage,
        frames: FrameTable,
        store: PagingDevice | None = None,
        replacement: ClockReplacement | None = None,
    ) -> None:
        self.storage = storage
        self.frames = frames
        self.store: PagingDevice = store if store is not None else PagingStore()
        self.replacement = replacement if replacement is not None else ClockReplacement()
        self._machines: dict[str, _Residence] = {}
        # Called when a page's table entry becomes invalid (stolen, or its
        # reference sampled): shadow tables drop the page, the hardware's
        # associative array must be purged.
        self.on_unmap: Callable[[str, int], None] | None = None
        # Sets a real storage key (the CPU's SSK path, which also drops
        # decoded instructions); storage.set_key until the CPU is attached.
        self.set_real_key: Callable[[int, int], None] = storage.set_key
        self.steals = 0

    def register(self, machine: VirtualMachine, space: AddressSpace) -> None:
        self._machines[machine.name] = _Residence(machine, space)

    def unregister(self, name: str) -> None:
        """Free every frame and paging slot of a virtual machine."""
        residence = self._machines.pop(name)
        for frame in residence.frames.values():
            frame.lock_count = 0
            self.frames.release(frame)
        self.store.discard(name)

    def release_pages(self, name: str, first: int, last: int) -> None:
        """The machine gives pages back (DIAGNOSE X'10'): frames freed, slots forgotten.

        A page locked for I/O keeps its frame and is only cleared; every other
        page reads as zeros at its next touch.
        """
        residence = self._machines[name]
        for page in range(first, last + 1):
            frame = residence.frames.get(page)
            if frame is not None:
                if frame.locked:
                    self.storage.write(frame.address, ZERO_PAGE)
                    residence.clean[page] = ZERO_PAGE
                    continue
                self._unmap(residence, page)
                del residence.frames[page]
                residence.clean.pop(page, None)
                self.frames.release(frame)
            self.store.discard_page(name, page)

    def resident_frame(self, name: str, page: int) -> Frame | None:
        """The frame holding the page, if it is in storage (mapped or not)."""
        return self._machines[name].frames.get(page)

    def is_mapped(self, name: str, page: int) -> bool:
        return page in self._machines[name].mapped

    def frame_for(self, name: str, page: int) -> Frame:
        """The frame of the page, brought in (or reclaimed) and mapped if need be."""
        residence = self._machines[name]
        frame = residence.frames.get(page)
        if frame is None:
            return self._page_in(residence, page)
        if page not in residence.mapped:
            residence.space.map(page, frame.address)
            residence.mapped.add(page)
            residence.machine.counters.reclaims += 1
        frame.referenced = True
        return frame

    def resolve_fault(self, name: str, page: int) -> Frame:
        """A page-translation exception for a page of the machine's storage: page it in."""
        self._machines[name].machine.counters.page_faults += 1
        return self.frame_for(name, page)

    def set_key(self, name: str, block: int, key_byte: int) -> None:
        """The virtual key of a 2 KB block changed: copy it to the real key if resident."""
        frame = self._machines[name].frames.get(block // BLOCKS_PER_PAGE)
        if frame is not None:
            self.set_real_key(frame.address + (block % BLOCKS_PER_PAGE << BLOCK_SHIFT), key_byte)

    def page_out_all(self, name: str) -> None:
        """Write every page of the machine out and free its frames (for tests and drain)."""
        residence = self._machines[name]
        for page, frame in list(residence.frames.items()):
            if not frame.locked:
                self._evict(residence, page, frame)
                self.frames.release(frame)

    def free_frames_for_cp(self, count: int) -> bool:
        """Page out frames until ``count`` consecutive frames are free; False if none can be.

        CP's tables need frames of their own; when none is free, pages
        give way: one frame by the replacement rule, a longer run wherever
        its frames are all free or pageable.
        """
        frames = self.frames
        if count == 1:
            if frames.free_count:
                return True
            frame = self.replacement.select(frames, self._sample)
            if frame is None:
                return False
            self._evict(self._machines[frame.owner], frame.virtual_page, frame)
            self.steals += 1
            frames.release(frame)
            return True
        for first in range(len(frames) - count, -1, -1):
            run = [frames[first + offset] for offset in range(count)]
            if all(frame.state is FrameState.FREE or frame.pageable for frame in run):
                for frame in run:
                    if frame.state is FrameState.IN_USE:
                        self._evict(self._machines[frame.owner], frame.virtual_page, frame)
                        self.steals += 1
                        frames.release(frame)
                return True
        return False

    def _page_in(self, residence: _Residence, page: int) -> Frame:
        machine = residence.machine
        frame = self.frames.allocate_page(machine.name, page)
        if frame is None:
            frame = self._steal()
            self.frames.reassign(frame, machine.name, page)
        data = self.store.read_page(machine.name, page)
        if data is not None:
            machine.counters.page_reads += 1
        if data is None:
            data = ZERO_PAGE
        self.storage.write(frame.address, data)
        residence.clean[page] = data
        first_block = page * BLOCKS_PER_PAGE
        for offset in range(BLOCKS_PER_PAGE):
            self.set_real_key(
                frame.address + (offset << BLOCK_SHIFT),
                machine.storage_keys[first_block + offset],
            )
        residence.frames[page] = frame
        residence.space.map(page, frame.address)
        residence.mapped.add(page)
        return frame

    def _steal(self) -> Frame:
        """Free a frame by the clock rule, writing its page out if it changed."""
        frame = self.replacement.select(self.frames, self._sample)
        if frame is None:
            raise PagingError("real storage is exhausted: every frame belongs to CP or is locked")
        residence = self._machines[frame.owner]
        self._evict(residence, frame.virtual_page, frame)
        self.steals += 1
        return frame

    def _evict(self, residence: _Residence, page: int, frame: Frame) -> None:
        """Take the page out of its frame, written to the paging device if it changed.

        The page is written before it leaves the frame: when the write fails
        (the paging space is full) the PagingError leaves the page resident
        and its machine's storage as it was.
        """
        machine = residence.machine
        data = bytes(self.storage.mem[frame.address : frame.address + FRAME_SIZE])
        frame.changed = data != residence.clean[page]
        if frame.changed:
            self.store.write_page(machine.name, page, data)
            machine.counters.page_writes += 1
        self._unmap(residence, page)
        del residence.frames[page]
        del residence.clean[page]

    def _sample(self, frame: Frame) -> None:
        """The clock turned a reference bit off: watch the page for its next use."""
        self._unmap(self._machines[frame.owner], frame.virtual_page)

    def _unmap(self, residence: _Residence, page: int) -> None:
        """Make the page's table entry invalid, if it is valid, and tell ``on_unmap``."""
        if page in residence.mapped:
            residence.space.unmap(page)
            residence.mapped.discard(page)
            if self.on_unmap is not None:
                self.on_unmap(residence.machine.name, page)

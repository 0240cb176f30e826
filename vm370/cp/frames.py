"""The real-storage frame table: who owns each 4 KB frame of real storage.

CP divides real storage into page frames of 4,096 bytes (the Model 67's page
size, GA27-2719). Each frame is in one of three states:

- ``CP``: CP's own storage, never paged: real low storage (the PSWs and the
  interval timer CP uses), the segment and page tables CP builds, shadow
  tables. Frames given to CP stay resident until CP releases them.
- ``FREE``: available for a page of a virtual machine.
- ``IN_USE``: holds one page of one virtual machine (the ``owner``, by name,
  and ``virtual_page``, the page's index in that machine's storage). These
  are the pageable frames the replacement rule may steal.

Each frame also has a lock count (a frame locked for I/O or while CP works
on its contents cannot be stolen) and the reference and change information
the replacement rule reads. The Model 67 kept reference and change bits in
its storage keys; the emulated hardware does not record them (yet), so the
frame table keeps them in software: CP sets ``referenced`` whenever it makes a
page addressable (a page-in, or a reclaim after the reference was sampled,
see paging.py) and knows a page changed by comparing it with its copy on the
paging device. CP-67's core table (CORTABLE) kept the same facts per frame.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from vm370.hardware.dat import PAGE_SHIFT

FRAME_SHIFT = PAGE_SHIFT  # a frame holds one of the Model 67's 4K pages
FRAME_SIZE = 1 << FRAME_SHIFT
# The most pages one instruction can need at once: an EXECUTE and its target
# and two storage operands, each of which may cross a page boundary (PoO
# A22-6821, EXECUTE; MVC and TR). With fewer frames for pages than this, an
# instruction can never find all its pages in storage together and its page
# faults go on for ever, so CP keeps at least this many out of its own use.
PAGES_PER_INSTRUCTION = 8


class FrameState(enum.Enum):
    FREE = "free"
    CP = "cp"
    IN_USE = "in-use"


class FrameError(Exception):
    """A frame-table operation that makes no sense (CP's own bug or a bad request)."""


@dataclass(slots=True)
class Frame:
    """One 4 KB frame of real storage, as the frame table records it."""

    number: int
    state: FrameState = FrameState.FREE
    owner: str | None = None  # a virtual machine's name, or "CP"
    virtual_page: int | None = None  # the page index in the owner's storage
    purpose: str = ""  # for CP frames: what CP keeps there ("low storage", "tables")
    lock_count: int = 0
    referenced: bool = False
    changed: bool = False

    @property
    def address(self) -> int:
        """The real address of the frame's first byte."""
        return self.number << FRAME_SHIFT

    @property
    def locked(self) -> bool:
        return self.lock_count > 0

    @property
    def pageable(self) -> bool:
        """A page of a virtual machine that may be stolen now."""
        return self.state is FrameState.IN_USE and not self.lock_count


class FrameTable:
    """The state of every frame of real storage."""

    def __init__(self, storage_size: int) -> None:
        if storage_size < FRAME_SIZE or storage_size % FRAME_SIZE:
            raise FrameError(
                f"real storage of {storage_size} bytes is not a whole number of 4K frames"
            )
        self.frames = [Frame(number) for number in range(storage_size >> FRAME_SHIFT)]
        self._free: list[int] = list(range(len(self.frames) - 1, -1, -1))
        self._cp_frames = 0
        # Frames CP's own tables may never take: they stay for pages (CP sets it).
        self.reserve_for_pages = 0

    @property
    def page_frames(self) -> int:
        """Frames that are not CP's: free, or holding a page of a virtual machine."""
        return len(self.frames) - self._cp_frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, number: int) -> Frame:
        return self.frames[number]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def frame_of(self, real_address: int) -> Frame:
        return self.frames[real_address >> FRAME_SHIFT]

    @property
    def free_count(self) -> int:
        return len(self._free)

    def count(self, state: FrameState) -> int:
        return sum(1 for frame in self.frames if frame.state is state)

    def reserve_for_cp(self, number: int, purpose: str) -> Frame:
        """Give a particular free frame to CP (real low storage is frame 0)."""
        frame = self.frames[number]
        if frame.state is not FrameState.FREE:
            raise FrameError(f"frame {number} is {frame.state.value}, not free")
        self._free.remove(number)
        self._set(frame, FrameState.CP, "CP", None, purpose)
        self._cp_frames += 1
        return frame

    def allocate_for_cp(self, purpose: str, count: int = 1) -> list[Frame]:
        """Give CP ``count`` free frames at consecutive real addresses.

        Tables longer than a page (a 32-bit segment table) need contiguous
        frames. Raises FrameError when no run of that length is free.
        """
        if self.page_frames - count < self.reserve_for_pages:
            raise FrameError(
                f"{count} more frames for CP's {purpose} would leave fewer than "
                f"{self.reserve_for_pages} frames for virtual machines' pages"
            )
        free = set(self._free)
        for first in range(len(self.frames) - count, -1, -1):
            if all(first + offset in free for offset in range(count)):
                frames = [self.frames[first + offset] for offset in range(count)]
                for frame in frames:
                    self._free.remove(frame.number)
                    self._set(frame, FrameState.CP, "CP", None, purpose)
                self._cp_frames += count
                return frames
        raise FrameError(f"no {count} consecutive free frames for CP's {purpose}")

    def allocate_page(self, owner: str, virtual_page: int) -> Frame | None:
        """A free frame for page ``virtual_page`` of ``owner``; None when none is free."""
        if not self._free:
            return None
        frame = self.frames[self._free.pop()]
        self._set(frame, FrameState.IN_USE, owner, virtual_page, "")
        frame.referenced = True
        return frame

    def reassign(self, frame: Frame, owner: str, virtual_page: int) -> None:
        """Give a stolen (already emptied) frame to another page."""
        if frame.state is not FrameState.IN_USE or frame.locked:
            raise FrameError(f"frame {frame.number} cannot be reassigned: it is not a free page")
        self._set(frame, FrameState.IN_USE, owner, virtual_page, "")
        frame.referenced = True

    def release(self, frame: Frame) -> None:
        """Return a frame to the free list (its contents no longer matter)."""
        if frame.state is FrameState.FREE:
            raise FrameError(f"frame {frame.number} is already free")
        if frame.locked:
            raise FrameError(f"frame {frame.number} is locked and cannot be released")
        if frame.state is FrameState.CP:
            self._cp_frames -= 1
        self._set(frame, FrameState.FREE, None, None, "")
        self._free.append(frame.number)

    def lock(self, frame: Frame) -> None:
        if frame.state is FrameState.FREE:
            raise FrameError(f"frame {frame.number} is free: nothing to lock")
        frame.lock_count += 1

    def unlock(self, frame: Frame) -> None:
        if not frame.lock_count:
            raise FrameError(f"frame {frame.number} is not locked")
        frame.lock_count -= 1

    def pages_of(self, owner: str) -> list[Frame]:
        """The frames holding pages of ``owner``."""
        return [
            frame
            for frame in self.frames
            if frame.state is FrameState.IN_USE and frame.owner == owner
        ]

    @staticmethod
    def _set(
        frame: Frame,
        state: FrameState,
        owner: str | None,
        virtual_page: int | None,
        purpose: str,
    ) -> None:
        frame.state = state
        frame.owner = owner
        frame.virtual_page = virtual_page
        frame.purpose = purpose
        frame.referenced = False
        frame.changed = False

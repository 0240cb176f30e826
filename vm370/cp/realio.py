"""CP's own I/O on real devices: channel programs in CP's storage, run to their end.

CP drives real devices as any supervisor does: it builds a channel program
in its own storage, puts the CAW at real location 72, issues START I/O and
takes the device's interruption (the CSW at real location 64). This module
is that, for every real I/O CP starts: a guest's translated channel
program (ccwtrans.py), DIAGNOSE X'18', the virtual machine's IPL, the
console manager's writes and reads to the real 3277s.

The I/O is synchronous: CP starts the program and lets the virtual clock
run the channel's events until the device is idle, then takes that
device's own interruption with TEST I/O (which stores and clears exactly
that device's status, never another's). Everyone waits meanwhile, as the
paging device already makes them wait (dasd_paging.py). The channel's
events are measured in virtual instructions, so a run stays deterministic.

``IOArea`` is a small bump allocator over CP frames for the channel
programs and their arguments (seek addresses, search arguments, count
fields): one area is reused by each synchronous operation in turn.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.cp.frames import FRAME_SIZE, FrameTable
from vm370.hardware.channel import CAW_LOCATION, CSW_LOCATION, ChannelSubsystem
from vm370.hardware.devices import BUSY
from vm370.hardware.storage import Storage

# Wait at most this many channel events for one program (a looping search
# on a track that never matches still advances; this only stops a program
# that would loop for ever without ending, e.g. a TIC to itself).
MAX_EVENTS = 200_000


class RealIOError(Exception):
    """A real device could not be driven (not operational, never ended)."""


class IOArea:
    """A run of CP frames for channel programs: CCWs from the bottom up, their data top down.

    A channel program's CCWs must follow one another (chaining goes to the
    next doubleword), so the arguments CCWs point at (seek addresses,
    search arguments, buffers) are handed out from the other end.
    """

    def __init__(self, storage: Storage, frames: FrameTable, purpose: str, count: int) -> None:
        allocated = frames.allocate_for_cp(purpose, count)
        self.storage = storage
        self.start = allocated[0].address
        self.end = self.start + count * FRAME_SIZE
        self.next = self.start
        self.top = self.end

    def reset(self) -> None:
        self.next = self.start
        self.top = self.end

    @property
    def room(self) -> int:
        return self.top - self.next

    def put(self, ccw: bytes) -> int:
        """The next CCW (or CCWs) of the program; their real address."""
        address = self.next
        size = (max(len(ccw), 1) + 7) & ~7
        if address + size > self.top:
            raise RealIOError(f"CP's I/O area of {self.end - self.start} bytes is full")
        self.next = address + size
        if ccw:
            self.storage.write(address, bytes(ccw))
        return address

    def reserve(self, length: int) -> int:
        """Room for ``length`` bytes of data (doubleword aligned); its real address."""
        size = (max(length, 1) + 7) & ~7
        if self.top - size < self.next:
            raise RealIOError(f"CP's I/O area of {self.end - self.start} bytes is full")
        self.top -= size
        return self.top

    def put_data(self, data: bytes) -> int:
        """Copy data a CCW points at into the area; its real address."""
        address = self.reserve(len(data))
        if data:
            self.storage.write(address, bytes(data))
        return address


class RealIO:
    """Start a channel program on a real device and wait for its ending status."""

    def __init__(self, storage: Storage, channels: ChannelSubsystem | None) -> None:
        self.storage = storage
        self.channels = channels
        self.programs = 0  # channel programs CP started on real devices
        # Whether the last program ended at START I/O (condition code 1).
        self.ended_at_start = False
        # Status a device had pending when CP started it (a 3277's attention):
        # START I/O stores it with busy; it goes here so nothing is lost.
        self.unsolicited: Callable[[int, bytes], None] | None = None

    def run(self, device_address: int, program_address: int, key: int = 0) -> bytes:
        """Run the program at the real ``program_address``; the CSW of its end.

        Condition code 1 at START I/O (an immediate ending, a program check
        found before any command) is an ending too: its stored CSW is
        returned. A device that is still busy (device end of an overlapped
        seek to come) is waited for and started again.
        """
        channels = self.channels
        if channels is None or device_address not in channels.devices:
            raise RealIOError(f"no real device at {device_address:03X}")
        for _ in range(MAX_EVENTS):
            if channels.is_busy(device_address):
                self._advance(device_address)
                continue
            self.storage.write_word(CAW_LOCATION, (key & 0xF) << 28 | program_address)
            condition = channels.start_io(device_address)
            if condition == 1:
                csw = self.storage.read(CSW_LOCATION, 8)
                if not csw[4] & BUSY:
                    self.programs += 1
                    self.ended_at_start = True
                    return csw
                # Not started: the device's earlier status, stored with busy.
                status = csw[4] & ~BUSY
                if status and self.unsolicited is not None:
                    self.unsolicited(device_address, csw[:4] + bytes((status,)) + csw[5:])
                continue
            if condition == 2:
                self._advance(device_address)
                continue
            if condition == 3:
                raise RealIOError(f"real device {device_address:03X} is not operational")
            self.programs += 1
            self.ended_at_start = False
            if not channels.run_until_idle(device_address, MAX_EVENTS):
                channels.halt_io(device_address)
                raise RealIOError(f"real device {device_address:03X} never ended its I/O")
            if channels.test_io(device_address) != 1:
                raise RealIOError(f"real device {device_address:03X} ended with no status")
            return self.storage.read(CSW_LOCATION, 8)
        raise RealIOError(f"real device {device_address:03X} stayed busy")

    def _advance(self, device_address: int) -> None:
        clock = self.channels.clock
        if not clock.advance_to_next_event(beyond_horizon=True):
            raise RealIOError(f"real device {device_address:03X} is busy with nothing to end it")
        clock.run_due()

"""Helpers for channel-program tests: storage, clock and channels with no CPU.

rig = ChannelRig()
rig.attach(0x00C, CardReader2540(deck))
rig.program([ccw(0x02, 0x1000, CC, 80), ccw(0x02, 0x1050, 0, 80)])
assert rig.start_io(0x00C) == 0
address, csw = rig.run_to_interrupt()
"""

from __future__ import annotations

from dataclasses import dataclass

from vm370.hardware.channel import CAW_LOCATION, CSW_LOCATION, ChannelSubsystem, make_ccw
from vm370.hardware.clock import Clock
from vm370.hardware.devices import Device
from vm370.hardware.storage import Storage

PROGRAM_ADDRESS = 0x200


ccw = make_ccw  # the tests' short name for one format-0 CCW


@dataclass
class CSW:
    key: int
    address: int
    unit_status: int
    channel_status: int
    count: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> CSW:
        return cls(
            raw[0] >> 4,
            int.from_bytes(raw[1:4], "big"),
            raw[4],
            raw[5],
            int.from_bytes(raw[6:8], "big"),
        )


class ChannelRig:
    """A channel subsystem on fresh storage, driven directly (no CPU)."""

    def __init__(self, size: int = 64 * 1024) -> None:
        self.storage = Storage(size)
        self.clock = Clock()
        self.channels = ChannelSubsystem(self.storage, self.clock)

    def attach(self, address: int, device: Device) -> Device:
        self.channels.attach(address, device)
        return device

    def program(self, ccws: list[bytes], at: int = PROGRAM_ADDRESS, key: int = 0) -> int:
        """Store CCWs at ``at`` and point the CAW at them; return the address."""
        self.storage.write(at, b"".join(ccws))
        self.storage.write_word(CAW_LOCATION, (key << 28) | at)
        return at

    def start_io(self, address: int) -> int:
        return self.channels.start_io(address)

    def csw(self) -> CSW:
        return CSW.from_bytes(self.storage.read(CSW_LOCATION, 8))

    def run_events(self, limit: int = 100_000) -> None:
        """Run the clock until no event is left (or ``limit`` events)."""
        for _ in range(limit):
            if not self.clock.advance_to_next_event():
                return
            self.clock.run_due()

    def take_interrupt(self, enabled=lambda channel: True) -> tuple[int | None, CSW | None]:
        address = self.channels.take_interrupt(enabled)
        if address is None:
            return None, None
        return address, self.csw()

    def run_to_interrupt(self, limit: int = 100_000) -> tuple[int, CSW]:
        """Run events until an interruption is pending, then take it."""
        for _ in range(limit):
            if self.channels.interrupt_pending:
                break
            if not self.clock.advance_to_next_event():
                break
            self.clock.run_due()
        address, csw = self.take_interrupt()
        assert address is not None, "no I/O interruption became pending"
        return address, csw

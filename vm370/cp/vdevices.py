"""A virtual machine's devices (VM/370's VDEVBLOKs).

Two kinds, as in VM/370:

- devices CP simulates itself: the virtual console (a 3215 line console),
  the spooled reader, punch and printer. Each is a device of the hardware's
  own protocol (vm370/hardware/devices) attached to the virtual machine's
  channel (vchannel.py), which interprets the guest's channel programs;
  the device deals with CP's side: the user's terminal, the spool files;
- devices CP backs with real ones: a minidisk (a range of cylinders of a
  real 2311 or 2314 pack, seen by the guest as cylinders 0..n-1) and a
  dedicated real device. Their channel programs are translated and run on
  the real channel (ccwtrans.py); the ``TranslatedDevice`` in the virtual
  channel only holds the address, the real device and the extent.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from vm370.hardware.devices import (
    ATTENTION,
    NORMAL_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
    dasd,
)
from vm370.hardware.devices.codepage import printable, to_ebcdic_lenient

CARD = 80
# Lines a user may type ahead while nothing reads (VM/370 stacked typed
# lines for the virtual machine; past this the terminal says NOT ACCEPTED).
TYPE_AHEAD = 16
CONSOLE_LINE_DELAY = 200  # virtual instructions for a console line: fast, not instant

# 3215 console commands (the virtual console VM/370 gives every machine).
WRITE_NO_RETURN = 0x01
WRITE = 0x09
READ = 0x0A
ALARM = 0x0B
NOP = 0x03


class ConsoleLine(Protocol):
    """Where a virtual console's lines go: the user's terminal session."""

    def guest_output(self, text: str) -> None: ...

    def guest_read(self) -> None: ...


class VirtualConsole(Device):
    """The virtual 3215: lines to the user's terminal, lines typed back."""

    device_type = "3215"
    sense_length = 1

    def __init__(self, line: ConsoleLine | None = None) -> None:
        super().__init__()
        self.line = line
        self.stacked: deque[str] = deque()
        self.reading = False
        self.lines_written = 0

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command in (WRITE, WRITE_NO_RETURN):
            if self.line is not None:
                self.line.guest_output(printable(data[:count]).rstrip())
            self.lines_written += 1
            return CCWResult(NORMAL_END, count, delay=CONSOLE_LINE_DELAY)
        if command == READ:
            if self.stacked:
                record = to_ebcdic_lenient(self.stacked.popleft())
                return CCWResult(NORMAL_END, len(record), record, delay=CONSOLE_LINE_DELAY)
            self.reading = True
            if self.line is not None:
                self.line.guest_read()
            return CCWResult(NORMAL_END, 0, deferred=True)
        if command in (NOP, ALARM):
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()

    @property
    def read_pending(self) -> bool:
        """The guest waits in a read for the user's line (VM READ)."""
        channels = self.channels
        return (
            self.reading
            and channels is not None
            and channels.waiting_for_device(self.address)  # type: ignore[arg-type]
        )

    def enter(self, text: str) -> bool:
        """The user's line for the guest; False when it cannot be taken (NOT ACCEPTED)."""
        if self.read_pending:
            self.reading = False
            record = to_ebcdic_lenient(text)
            self.channels.resume(  # type: ignore[union-attr]
                self.address, CCWResult(NORMAL_END, len(record), record, delay=CONSOLE_LINE_DELAY)
            )
            return True
        self.reading = False
        if len(self.stacked) >= TYPE_AHEAD:
            return False
        self.stacked.append(text)
        # The machine is told a line is there, as a terminal's attention.
        self.present_status(ATTENTION)
        return True

    def reset(self) -> None:
        super().reset()
        self.reading = False


class SpoolSink(Protocol):
    """Where a spooled punch or printer puts its records (the spool, spool.py)."""

    def spool_record(self, device: Device, record: bytes) -> None: ...


class SpoolSource(Protocol):
    """Where a spooled reader takes its cards from (the user's reader queue)."""

    def next_card(self, device: Device) -> bytes | None | bool: ...


class SpooledReader(Device):
    """A virtual 2540 reader that reads the files in its user's reader queue.

    Each file is a deck: its cards, then unit exception (end of file), as a
    real reader presents at the end of a deck; with no file to read the
    reader is not ready (unit check, intervention required).
    """

    device_type = "2540R"

    def __init__(self, source: SpoolSource | None = None) -> None:
        super().__init__()
        self.source = source
        self.records = 0  # cards read (INDICATE USER)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command & 0x03 == 0x02:  # read, with any stacker bits
            card = self.source.next_card(self) if self.source is not None else None
            if card is None:
                return self.unit_check(SENSE_INTERVENTION_REQUIRED)
            if card is False:
                return CCWResult(NORMAL_END | UNIT_EXCEPTION, 0, delay=0, immediate=True)
            self.records += 1
            return CCWResult(NORMAL_END, CARD, bytes(card[:CARD]).ljust(CARD, b"\x40"), delay=50)
        if command & 0x03 == 0x03:  # NOP, feed, stacker select
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()


class SpooledPunch(Device):
    """A virtual 2540 punch: each card goes to the open spool file."""

    device_type = "2540P"

    def __init__(self, sink: SpoolSink | None = None) -> None:
        super().__init__()
        self.sink = sink
        self.records = 0  # cards punched (INDICATE USER)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command & 0x03 == 0x01:  # punch, with any stacker bits
            card = bytes(data[:CARD]).ljust(CARD, b"\x40")
            self.records += 1
            if self.sink is not None:
                self.sink.spool_record(self, card)
            return CCWResult(NORMAL_END, CARD, delay=50)
        if command & 0x03 == 0x03:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()


class SpooledPrinter(Device):
    """A virtual 1403: each line, with its carriage control, goes to the open spool file.

    The record kept is the CCW's command code (the carriage control: space
    or skip after the line) followed by the line, as VM/370 kept print
    records, so the real printer prints them as the guest asked.
    """

    device_type = "1403"

    def __init__(self, sink: SpoolSink | None = None) -> None:
        super().__init__()
        self.sink = sink
        self.records = 0  # lines printed (INDICATE USER)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        action = command & 0x07
        if action == 0x01:  # write a line, then space or skip
            self.records += 1
            if self.sink is not None:
                self.sink.spool_record(self, bytes((command,)) + bytes(data[:count]))
            return CCWResult(NORMAL_END, count, delay=50)
        if action == 0x03:  # NOP or an immediate space/skip: a record with no line
            if command != NOP and self.sink is not None:
                self.sink.spool_record(self, bytes((command,)))
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()


@dataclass(frozen=True)
class Extent:
    """A minidisk's cylinders on its real pack."""

    start: int
    cylinders: int
    heads: int


class TranslatedDevice(Device):
    """A device backed by a real one: a minidisk or a dedicated device.

    ``real`` is the real device (its address ``real_address`` on the real
    channel); ``extent`` the minidisk's cylinders, or None for a whole
    dedicated device. The guest's channel programs never reach this object:
    CP translates them onto the real device.
    """

    def __init__(
        self,
        device_type: str,
        real_address: int,
        real: Device,
        extent: Extent | None,
        read_only: bool,
        volser: str = "",
    ) -> None:
        self.device_type = device_type
        self.sense_length = real.sense_length
        super().__init__()
        self.real_address = real_address
        self.real = real
        self.extent = extent
        self.read_only = read_only
        self.volser = volser
        # Sense bytes CP took from the real device after a unit check.
        self.kept_sense: bytes | None = None
        # Where the minidisk's arm is, in its own cylinders.
        self.cylinder = 0
        self.head = 0

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        return self.reject()  # never reached: CP translates the program (ccwtrans.py)

    def describe(self) -> str:
        if self.extent is None:
            return f"{self.device_type} dedicated {self.real_address:03X}"
        return (
            f"{self.device_type} {self.volser} cylinders {self.extent.start}-"
            f"{self.extent.start + self.extent.cylinders - 1}"
        )

    def real_seek_argument(self) -> bytes:
        """BBCCHH of the real cylinder and head where this minidisk's arm is."""
        start = self.extent.start if self.extent is not None else 0
        return struct.pack(">HHH", 0, start + self.cylinder, self.head)

    def relocate_seek(self, command: int, argument: bytes) -> bytes:
        """A guest seek argument made real; a seek outside the extent made invalid."""
        extent = self.extent
        argument = bytes(argument).ljust(6, b"\x00")
        bin_number, cylinder, head = struct.unpack(">HHH", argument[:6])
        if command == dasd.SEEK_HEAD:
            cylinder = self.cylinder
        if bin_number or cylinder >= extent.cylinders or head >= extent.heads:
            return struct.pack(">HHH", 0, 0xFFFF, 0xFFFF)
        return struct.pack(">HHH", 0, extent.start + cylinder, head)

    def relocate_cylinder_field(self, argument: bytes) -> bytes:
        """CC(HH) of a search argument or a written count field, made real."""
        if len(argument) < 2:
            return bytes(argument)
        cylinder = int.from_bytes(argument[:2], "big")
        real = self.extent.start + cylinder if cylinder < self.extent.cylinders else 0xFFFF
        return real.to_bytes(2, "big") + bytes(argument[2:])

    def unrelocate_cylinder(self, real_cylinder: int) -> bytes:
        """A cylinder number read from the pack, in the minidisk's terms."""
        return ((real_cylinder - self.extent.start) & 0xFFFF).to_bytes(2, "big")

    def follow_real_arm(self) -> None:
        """After a program, the minidisk's arm is where the real one stopped."""
        real_cylinder = getattr(self.real, "cylinder", None)
        real_head = getattr(self.real, "head", 0)
        if real_cylinder is None:
            return
        cylinder = real_cylinder - self.extent.start
        if 0 <= cylinder < self.extent.cylinders:
            self.cylinder, self.head = cylinder, real_head

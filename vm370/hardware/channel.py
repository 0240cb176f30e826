"""The channel subsystem: SIO, TIO, HIO, TCH, CCW chaining, I/O interruptions.

Everything here follows the System/360 Principles of Operation (GA22-6821),
"Input/Output Operations"; where the S/360 manual is silent or model
dependent, the System/370 manual (GA22-7000) is followed and a comment says
so. Devices plug in through the protocol of vm370/hardware/devices/__init__.py.

The model
---------
- An I/O address is 11 bits (bits 21-31 of the instruction's address; the
  higher bits are ignored): channel in the top three, device in the low
  byte. Channels 0-6 exist; addresses on channel 7 are invalid (cc 3).
  Channel 0 is the byte multiplexer: each device has its own subchannel and
  may work concurrently. Channels 1-6 are selector channels: one device at
  a time works on them.
- Each attached device has a ``Subchannel``: idle, working (a channel program
  is running), or device-busy (channel end has been presented, device end
  is still to come: an immediate command, or a seek freeing the channel).
- A command is executed by the device at once (data moves when the command
  starts); the ending status is presented ``delay`` virtual instructions
  later through ``clock.schedule``. Command chaining fetches the next CCW
  in that event, so a looping channel program (search, TIC *-8) advances one
  command per event and never blocks the CPU.
- Data chaining is resolved before the device runs: the channel follows the
  chain of CD flags (and TICs) to know the whole data area. A bad CCW later
  in the chain, or a protected or nonexistent location, only matters when
  the device actually reaches it, as on the real channel.
- Pending interruptions are kept per device and cleared by an I/O
  interruption (``take_interrupt``), by TEST I/O, or by START I/O (which then
  stores them with the busy bit).
- Devices attach behind a ``ControlUnit`` (by default the one their type
  uses, for the aligned group of unit addresses it answers to: see
  ``CONTROL_UNIT_TYPES``). While one device's channel program runs, the
  control unit is busy: START I/O or TEST I/O to another device on it gets
  busy and status modifier (cc 1), and when it frees it presents control
  unit end to each device it answered busy to (PoO, "Control Unit End").
- Chaining check (a channel overrun while data chaining on input) is never
  presented: the emulated channel moves a whole data area at once and never
  overruns (docs/io.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from vm370.hardware.clock import Clock, Event
from vm370.hardware.devices import (
    BUSY,
    CHANNEL_END,
    CONTROL_UNIT_END,
    DEVICE_END,
    NORMAL_END,
    STATUS_MODIFIER,
    CCWResult,
    Device,
    control_unit_type,
    is_read,
    same_host_file,
)
from vm370.hardware.storage import BLOCK_SHIFT, FETCH_PROTECT, Storage

CSW_LOCATION = 64
CAW_LOCATION = 72
IPL_PSW_LOCATION = 0

# CCW flags, bits 32-36 (PoO "Channel Command Word").
CHAIN_DATA = 0x80
CHAIN_COMMAND = 0x40
SUPPRESS_LENGTH = 0x20
SKIP = 0x10
PROGRAM_CONTROLLED_INTERRUPTION = 0x08
# PoO (S/360): bits 37-39 of a CCW other than a TIC must be zero.
RESERVED_FLAGS = 0x07

TRANSFER_IN_CHANNEL = 0x08

# Channel status, CSW bits 40-47.
CHANNEL_PCI = 0x80
INCORRECT_LENGTH = 0x40
PROGRAM_CHECK = 0x20
PROTECTION_CHECK = 0x10
CHANNEL_DATA_CHECK = 0x08
CHANNEL_CONTROL_CHECK = 0x04
INTERFACE_CONTROL_CHECK = 0x02
CHAINING_CHECK = 0x01

MULTIPLEXER_CHANNEL = 0
# A data chain longer than this is taken for a TIC loop in a data chain.
MAX_DATA_CHAIN = 4096
# The IPL gives up after this many channel-program events (a looping IPL program).
MAX_IPL_EVENTS = 1_000_000

IDLE = "idle"
WORKING = "working"
DEVICE_BUSY = "device-busy"


class IPLError(Exception):
    """The initial program load could not complete (the load light stays on)."""


_CHANNEL_STATUS_NAMES = (
    (PROGRAM_CHECK, "program check: no valid CCWs in the IPL record; is it bootable?"),
    (PROTECTION_CHECK, "protection check"),
    (CHANNEL_DATA_CHECK, "channel data check"),
    (CHANNEL_CONTROL_CHECK, "channel control check"),
    (INTERFACE_CONTROL_CHECK, "interface control check"),
    (CHAINING_CHECK, "chaining check"),
    (INCORRECT_LENGTH, "incorrect length"),
)


def _ipl_failure(unit_status: int, channel_status: int, sense: bytes) -> str:
    """Why an IPL failed, in words a user can act on."""
    from vm370.hardware.devices import (
        SENSE_COMMAND_REJECT,
        SENSE_DATA_CHECK,
        SENSE_EQUIPMENT_CHECK,
        SENSE_INTERVENTION_REQUIRED,
        UNIT_CHECK,
        UNIT_EXCEPTION,
    )

    reasons = [text for bit, text in _CHANNEL_STATUS_NAMES if channel_status & bit]
    if unit_status & UNIT_EXCEPTION:
        reasons.append("unit exception: the device had no record to read (an empty deck?)")
    if unit_status & UNIT_CHECK:
        first = sense[0] if sense else 0
        if first & SENSE_INTERVENTION_REQUIRED:
            reasons.append("intervention required: the device is not ready or empty")
        elif first & SENSE_COMMAND_REJECT:
            reasons.append("command reject: the device cannot be read from")
        elif first & (SENSE_EQUIPMENT_CHECK | SENSE_DATA_CHECK):
            reasons.append("equipment or data check: the medium is damaged or unformatted")
        elif len(sense) > 1 and sense[1] & 0x08:  # DASD sense byte 1: no record found
            reasons.append("no record found: the pack has no IPL record in R1 of track 0")
        else:
            reasons.append("unit check")
    return "; ".join(reasons) or "unexpected status"


@dataclass(slots=True)
class CCW:
    """One channel command word and the real address it was fetched from."""

    address: int
    command: int
    data_address: int
    flags: int
    count: int


class _ChannelProgramCheck(Exception):
    """A program or protection check found while fetching or using a CCW."""

    def __init__(self, channel_status: int, ccw_address: int, count: int = 0):
        super().__init__(f"channel status {channel_status:02X} at CCW {ccw_address:06X}")
        self.channel_status = channel_status
        self.ccw_address = ccw_address
        self.count = count


@dataclass(slots=True)
class _Outcome:
    """The result of one command as the channel sees it, until status is presented."""

    ccw: CCW  # the CCW current when the transfer ended (CSW address, CC/SLI flags)
    unit_status: int
    channel_status: int
    residual: int
    delay: int
    immediate: bool
    device_end_delay: int = 0


class ControlUnit:
    """A control unit and the devices behind it; it works for one of them at a time."""

    __slots__ = ("name", "address", "subchannels", "owed")

    def __init__(self, name: str, address: int):
        self.name = name
        self.address = address  # the lowest unit address it answers to
        self.subchannels: list[Subchannel] = []
        # Devices answered with busy and status modifier: each gets control
        # unit end when the control unit frees (PoO, "Control Unit End").
        self.owed: list[int] = []

    def working_for(self, subchannel: Subchannel | None = None) -> Subchannel | None:
        """The (other) device whose channel program keeps this control unit busy, if any."""
        for other in self.subchannels:
            if other is not subchannel and other.state == WORKING:
                return other
        return None


class Subchannel:
    """The channel's state for one device."""

    __slots__ = (
        "address",
        "device",
        "channel",
        "key",
        "state",
        "event",
        "outcome",
        "deferred",
        "control_unit",
        "waiting",
    )

    def __init__(self, address: int, device: Device, control_unit: ControlUnit):
        self.address = address
        self.device = device
        self.control_unit = control_unit
        self.channel = address >> 8
        self.key = 0
        self.state = IDLE
        self.event: Event | None = None
        self.outcome: _Outcome | None = None
        self.deferred = 0  # unsolicited status raised while the subchannel worked
        # A command the device deferred (CCWResult.deferred): what the channel
        # needs to finish it when the device calls ``resume``.
        self.waiting: tuple | None = None


def make_ccw(command: int, data_address: int, flags: int, count: int) -> bytes:
    """The 8-byte format-0 CCW: command, data address, flags, a zero byte, byte count."""
    return (
        bytes((command,))
        + data_address.to_bytes(3, "big")
        + bytes((flags, 0))
        + count.to_bytes(2, "big")
    )


def make_csw(
    key: int, ccw_address: int, unit_status: int, channel_status: int, count: int
) -> bytes:
    """The 8-byte CSW: key, command address, unit and channel status, residual count."""
    return bytes(
        (
            (key & 0xF) << 4,
            (ccw_address >> 16) & 0xFF,
            (ccw_address >> 8) & 0xFF,
            ccw_address & 0xFF,
            unit_status & 0xFF,
            channel_status & 0xFF,
            (count >> 8) & 0xFF,
            count & 0xFF,
        )
    )


class ChannelSubsystem:
    """Channels and their devices, addressed by 16-bit I/O address."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.devices: dict[int, Device] = {}
        self._subchannels: dict[int, Subchannel] = {}
        # Addresses the program gave SIO, TIO or HIO with no device there
        # (condition code 3): a run's report names them, the likeliest reason
        # a program that expected a device ended in its error wait.
        self.unattached_addressed: set[int] = set()
        self.control_units: dict[tuple[str, int], ControlUnit] = {}
        self._pending: dict[int, tuple[int, bytes]] = {}  # address -> (sequence, CSW)
        self._sequence = 0
        self.interrupt_pending = False
        self.ccws_executed = 0

    def attach(self, address: int, device: Device, control_unit: int | None = None) -> None:
        """Put ``device`` at I/O address ``address`` (replacing nothing: detach first).

        The device goes behind the control unit of its type that answers to
        ``control_unit`` (an I/O address on the same channel); by default the
        one answering to the aligned group of addresses ``address`` is in
        (2314 drives 190-197 share one, 198-19F another).
        """
        # PoO (S/360): an 11-bit I/O address, channels 0-6; channel 7 is invalid.
        if not 0 <= address <= 0x6FF:
            raise ValueError(f"I/O address {address:X} is not between 000 and 6FF (channels 0-6)")
        if address in self.devices:
            raise ValueError(f"a device is already attached at {address:03X}")
        kind = control_unit_type(device.device_type)
        if control_unit is None:
            control_unit = address
        elif control_unit >> 8 != address >> 8 or not 0 <= control_unit <= 0x6FF:
            raise ValueError(
                f"device {address:03X}: control unit address {control_unit:03X} is not on "
                f"channel {address >> 8}; a control unit serves devices of one channel"
            )
        base = control_unit & ~(kind.addresses - 1)
        self._check_host_files(address, device)
        unit = self.control_units.get((kind.name, base))
        if unit is None:
            unit = self.control_units[(kind.name, base)] = ControlUnit(kind.name, base)
        subchannel = Subchannel(address, device, unit)
        unit.subchannels.append(subchannel)
        self.devices[address] = device
        self._subchannels[address] = subchannel
        device.bind(self, address)

    def control_unit(self, address: int) -> ControlUnit | None:
        """The control unit the device at ``address`` is attached behind."""
        subchannel = self._subchannels.get(address)
        return subchannel.control_unit if subchannel is not None else None

    def _check_host_files(self, address: int, device: Device) -> None:
        """Refuse a device that would write a file another device uses, or the reverse.

        A punch or printer on the reader's deck or on a pack would destroy it.
        """
        for path, writes in device.host_files():
            for other_address, other in self.devices.items():
                for other_path, other_writes in other.host_files():
                    if (writes or other_writes) and same_host_file(path, other_path):
                        raise ValueError(
                            f"device {address:03X}: {path} is also the file of the device at "
                            f"{other_address:03X}; a file one device writes cannot be used "
                            f"by another"
                        )

    def detach(self, address: int) -> None:
        subchannel = self._subchannels.pop(address, None)
        device = self.devices.pop(address, None)
        if subchannel is not None:
            if subchannel.event is not None:
                subchannel.event.cancel()
            unit = subchannel.control_unit
            unit.subchannels.remove(subchannel)
            if address in unit.owed:
                unit.owed.remove(address)
            if not unit.subchannels:
                del self.control_units[(unit.name, unit.address)]
            elif subchannel.state == WORKING:
                self._free_control_unit(unit)
        self._clear_pending(address)
        if device is not None:
            device.bind(None, None)

    def reset(self) -> None:
        """System reset: stop every channel program, clear every interruption, reset devices."""
        for subchannel in self._subchannels.values():
            if subchannel.event is not None:
                subchannel.event.cancel()
            subchannel.event = None
            subchannel.outcome = None
            subchannel.waiting = None
            subchannel.state = IDLE
            subchannel.deferred = 0
            subchannel.device.reset()
        for unit in self.control_units.values():
            unit.owed.clear()
        self._pending.clear()
        self.interrupt_pending = False

    def close(self) -> None:
        """Flush and release every device's host files."""
        for device in self.devices.values():
            device.close()

    def start_io(self, address: int) -> int:
        """9C SIO: start the channel program at the CAW (location 72)."""
        subchannel = self._subchannels.get(address & 0x7FF)
        if subchannel is None:
            self.unattached_addressed.add(address & 0x7FF)
            return 3
        if subchannel.state == WORKING or self._selector_busy(subchannel):
            return 2
        if subchannel.state == DEVICE_BUSY:
            self._store_csw(make_csw(0, 0, BUSY, 0, 0))
            return 1
        pending = self._pending.get(subchannel.address)
        if pending is not None:
            # PoO: the device's interruption condition is stored with busy, and cleared.
            csw = bytearray(pending[1])
            csw[4] |= BUSY
            self._clear_pending(subchannel.address)
            self._store_csw(bytes(csw))
            return 1
        if self._control_unit_busy(subchannel):
            return 1
        caw = self.storage.read_word(CAW_LOCATION)
        key = caw >> 28
        ccw_address = caw & 0xFFFFFF
        subchannel.key = key
        try:
            # PoO (S/360): CAW bits 4-7 must be zero; the CCW must be on a doubleword.
            if caw & 0x0F000000 or ccw_address & 7:
                raise _ChannelProgramCheck(PROGRAM_CHECK, 0)
            ccw = self._fetch_command(ccw_address, first=True)
            outcome = self._execute(subchannel, ccw, first=True)
        except _ChannelProgramCheck as check:
            self._store_csw(make_csw(key, check.ccw_address, 0, check.channel_status, check.count))
            return 1
        if outcome is None:  # the device ends the command later (resume)
            subchannel.state = WORKING
            return 0
        if outcome.immediate and not self._chains(outcome):
            # An immediate command ends at initial selection: CSW stored, cc 1.
            status = outcome.unit_status
            if outcome.delay > 0 and status & DEVICE_END:
                status &= ~DEVICE_END
                subchannel.state = DEVICE_BUSY
                subchannel.event = self.clock.schedule(
                    outcome.delay, functools.partial(self._device_end, subchannel)
                )
            csw = bytearray(self._csw_for(subchannel, outcome, status))
            pci = self._pending.get(subchannel.address)
            if pci is not None:  # PoO: the CSW contains the PCI bit of the first CCW
                csw[5] |= pci[1][5] & CHANNEL_PCI
                self._clear_pending(subchannel.address)
            self._store_csw(bytes(csw))
            return 1
        subchannel.state = WORKING
        self._schedule_end(subchannel, outcome)
        return 0

    def test_io(self, address: int) -> int:
        """9D TIO: the state of a device; stores and clears its pending interruption."""
        subchannel = self._subchannels.get(address & 0x7FF)
        if subchannel is None:
            self.unattached_addressed.add(address & 0x7FF)
            return 3
        if subchannel.state == WORKING or self._selector_busy(subchannel):
            return 2
        pending = self._pending.get(subchannel.address)
        if pending is not None:
            self._clear_pending(subchannel.address)
            self._store_csw(pending[1])
            return 1
        if subchannel.state == DEVICE_BUSY:
            self._store_csw(make_csw(0, 0, BUSY, 0, 0))
            return 1
        if self._control_unit_busy(subchannel):
            return 1
        return 0

    def _control_unit_busy(self, subchannel: Subchannel) -> bool:
        """Interrogate the device's control unit; if it works for another device, say busy.

        PoO (S/360, "Status Modifier" and "Control Unit End"): a control unit
        still executing an operation for another device answers START I/O and
        TEST I/O with busy and status modifier (condition code 1, the CSW's
        status byte stored), and then owes that device control unit end.
        """
        unit = subchannel.control_unit
        if unit.working_for(subchannel) is None:
            return False
        if subchannel.address not in unit.owed:
            unit.owed.append(subchannel.address)
        self._store_csw(make_csw(0, 0, BUSY | STATUS_MODIFIER, 0, 0))
        return True

    def _free_control_unit(self, unit: ControlUnit) -> None:
        """The control unit is free: control unit end to each device it answered busy to."""
        if unit.working_for() is not None:
            return
        owed, unit.owed = unit.owed, []
        for address in owed:
            self.device_status(address, CONTROL_UNIT_END)

    def halt_io(self, address: int) -> int:
        """9E HIO: end the current operation now, without further chaining.

        PoO: on a selector channel that is working, the burst operation is
        terminated whatever device is addressed (condition code 2); on the
        multiplexer channel the addressed device is signalled and the status
        portion of the CSW is stored as zeros (condition code 1), unless the
        subchannel only has an interruption pending (condition code 0). In both
        cases the terminated program's interruption follows with its status.
        """
        subchannel = self._subchannels.get(address & 0x7FF)
        if subchannel is None:
            self.unattached_addressed.add(address & 0x7FF)
            return 3
        if subchannel.channel != MULTIPLEXER_CHANNEL:
            for other in self._subchannels.values():
                if other.channel == subchannel.channel and other.state == WORKING:
                    self._halt(other)
                    return 2
        if subchannel.state == WORKING:
            self._halt(subchannel)
        elif subchannel.address in self._pending:
            return 0
        elif subchannel.state == DEVICE_BUSY:
            if subchannel.event is not None:
                subchannel.event.cancel()
            self._device_end(subchannel)
        self.storage.write(CSW_LOCATION + 4, b"\x00\x00")
        return 1

    def _halt(self, subchannel: Subchannel) -> None:
        if subchannel.event is not None:
            subchannel.event.cancel()
        if subchannel.waiting is not None:
            # A deferred command halted: it ends with nothing transferred.
            started, subchannel.waiting = subchannel.waiting, None
            subchannel.outcome = self._complete(subchannel, started, CCWResult(NORMAL_END, 0))
        if subchannel.outcome is not None:
            self._end_chain(subchannel, subchannel.outcome)

    def test_channel(self, channel: int) -> int:
        """9F TCH: 0 available, 1 interruption pending, 2 working (selector), 3 absent."""
        on_channel = [s for s in self._subchannels.values() if s.channel == channel]
        if not on_channel:
            return 3
        if any(s.address in self._pending for s in on_channel):
            return 1
        if channel != MULTIPLEXER_CHANNEL and any(s.state == WORKING for s in on_channel):
            return 2
        return 0

    def take_interrupt(self, channel_enabled: Callable[[int], bool]) -> int | None:
        """Accept the highest-priority pending interruption on an enabled channel.

        Priority is by channel number, then by the order the conditions arose
        (the S/360 leaves the order among channels to the model). The CSW is
        stored at location 64 and the device address returned.
        """
        best: tuple[int, int, int] | None = None
        for address, (sequence, _) in self._pending.items():
            channel = address >> 8
            if not channel_enabled(channel):
                continue
            rank = (channel, sequence, address)
            if best is None or rank < best:
                best = rank
        if best is None:
            return None
        address = best[2]
        csw = self._pending[address][1]
        self._clear_pending(address)
        self._store_csw(csw)
        return address

    def device_status(self, address: int, unit_status: int) -> None:
        """An unsolicited status from a device (attention): make it pending."""
        subchannel = self._subchannels.get(address)
        if subchannel is None:
            return
        if subchannel.state != IDLE:  # presented with the program's (or device end's) status
            subchannel.deferred |= unit_status
            return
        pending = self._pending.get(address)
        if pending is not None:
            csw = bytearray(pending[1])
            csw[4] |= unit_status
            self._pending[address] = (pending[0], bytes(csw))
            return
        self._make_pending(address, make_csw(0, 0, unit_status, 0, 0))

    def pending_csw(self, address: int) -> bytes | None:
        """The CSW an interruption from ``address`` would store (for tests and CP)."""
        pending = self._pending.get(address)
        return pending[1] if pending else None

    def is_busy(self, address: int) -> bool:
        subchannel = self._subchannels.get(address)
        return subchannel is not None and subchannel.state != IDLE

    def run_until_idle(self, address: int, limit: int = MAX_IPL_EVENTS) -> bool:
        """Run clock events until ``address``'s channel program ends; False if it never does."""
        subchannel = self._subchannels[address]
        for _ in range(limit):
            if subchannel.state == IDLE:
                return True
            if not self.clock.advance_to_next_event(beyond_horizon=True):
                return False
            self.clock.run_due()
        return subchannel.state == IDLE

    def ipl(self, address: int) -> None:
        """Initial program load: read 24 bytes to location 0 and run the chain.

        PoO (S/360, "Initial Program Loading"): after a system reset the channel
        executes a read command (modifier bits zero) with data address 0, count
        24, and the chain-command and SLI flags on, as if the CCW were at
        location 0, so chaining goes on with the CCW at location 8. When the
        program ends without error, the I/O address is stored in locations
        2-3; the CPU then loads the PSW from location 0 (Machine's job).
        """
        self.reset()
        subchannel = self._subchannels.get(address & 0x7FF)
        if subchannel is None:
            raise IPLError(f"no device is attached at {address:03X} to IPL from")
        subchannel.key = 0
        implied = CCW(0, 0x02, 0, CHAIN_COMMAND | SUPPRESS_LENGTH, 24)
        try:
            outcome = self._execute(subchannel, implied, first=True)
        except _ChannelProgramCheck as check:  # pragma: no cover - the implied CCW is valid
            raise IPLError(f"IPL from {address:03X}: program check {check}") from None
        subchannel.state = WORKING
        if outcome is not None:
            self._schedule_end(subchannel, outcome)
        if not self.run_until_idle(subchannel.address):
            self.reset()
            raise IPLError(f"IPL from {address:03X}: the IPL channel program never ended")
        csw = self._pending.get(subchannel.address, (0, make_csw(0, 0, 0, 0, 0)))[1]
        self._clear_pending(subchannel.address)
        unit_status, channel_status = csw[4], csw[5]
        errors = unit_status & ~(CHANNEL_END | DEVICE_END | STATUS_MODIFIER)
        if errors or channel_status & ~CHANNEL_PCI:
            sense = subchannel.device.sense.hex().upper()
            raise IPLError(
                f"IPL from {address:03X} failed: unit status {unit_status:02X}, "
                f"channel status {channel_status:02X}, sense {sense}"
                f" ({_ipl_failure(unit_status, channel_status, subchannel.device.sense)})"
            )
        self.storage.write(2, (address & 0xFFFF).to_bytes(2, "big"))

    def _selector_busy(self, subchannel: Subchannel) -> bool:
        """A selector channel works with one device at a time."""
        if subchannel.channel == MULTIPLEXER_CHANNEL:
            return False
        return any(
            other.state == WORKING
            and other.channel == subchannel.channel
            and other is not subchannel
            for other in self._subchannels.values()
        )

    def _fetch_ccw(self, address: int) -> CCW:
        if address + 8 > self.storage.size:
            raise _ChannelProgramCheck(PROGRAM_CHECK, address + 8)
        word = self.storage.read(address, 8)
        return CCW(
            address,
            word[0],
            int.from_bytes(word[1:4], "big"),
            word[4],
            int.from_bytes(word[6:8], "big"),
        )

    def _follow_tic(self, ccw: CCW, first: bool) -> CCW:
        """Resolve a TIC: PoO forbids it first in a program and TIC to TIC."""
        if ccw.command & 0x0F != TRANSFER_IN_CHANNEL:
            return ccw
        if first or ccw.data_address & 7:
            raise _ChannelProgramCheck(PROGRAM_CHECK, ccw.address + 8)
        target = self._fetch_ccw(ccw.data_address)
        if target.command & 0x0F == TRANSFER_IN_CHANNEL:
            raise _ChannelProgramCheck(PROGRAM_CHECK, target.address + 8)
        return target

    def _fetch_command(self, address: int, first: bool) -> CCW:
        """Fetch the CCW of a new command (CAW or command chaining) and check it."""
        ccw = self._follow_tic(self._fetch_ccw(address), first)
        if ccw.command & 0x0F == 0:  # PoO: invalid command code
            raise _ChannelProgramCheck(PROGRAM_CHECK, ccw.address + 8, ccw.count)
        self._check_count_and_flags(ccw)
        return ccw

    @staticmethod
    def _check_count_and_flags(ccw: CCW) -> None:
        if ccw.count == 0 or ccw.flags & RESERVED_FLAGS:
            raise _ChannelProgramCheck(PROGRAM_CHECK, ccw.address + 8, ccw.count)

    def _accessible(self, address: int, length: int, key: int, store: bool) -> tuple[int, int]:
        """How many bytes from ``address`` the channel may use, and the check that stops it."""
        size = self.storage.size
        if address >= size:
            return 0, PROGRAM_CHECK
        usable = min(length, size - address)
        error = PROGRAM_CHECK if usable < length else 0
        if key:
            keys = self.storage.keys
            block = address >> BLOCK_SHIFT
            last = (address + usable - 1) >> BLOCK_SHIFT
            while block <= last:
                storage_key = keys[block]
                if storage_key >> 4 != key and (store or storage_key & FETCH_PROTECT):
                    return max(0, (block << BLOCK_SHIFT) - address), PROTECTION_CHECK
                block += 1
        return usable, error

    def _data_chain(self, subchannel: Subchannel, first_ccw: CCW):
        """The CCWs of one operation, and the first error the device would meet.

        Returns (ccws, total_count, error): ``error`` is the _ChannelProgramCheck
        of a bad data-chained CCW after the ``total_count`` bytes of the good ones.
        """
        ccws = [first_ccw]
        total = first_ccw.count
        while ccws[-1].flags & CHAIN_DATA:
            if len(ccws) >= MAX_DATA_CHAIN:
                return ccws, total, _ChannelProgramCheck(PROGRAM_CHECK, ccws[-1].address + 8)
            try:
                ccw = self._follow_tic(self._fetch_ccw(ccws[-1].address + 8), first=False)
                # The command code is not checked in data chaining (PoO).
                self._check_count_and_flags(ccw)
            except _ChannelProgramCheck as check:
                return ccws, total, check
            if ccw.flags & PROGRAM_CONTROLLED_INTERRUPTION:
                self._signal_pci(subchannel, ccw)
            ccws.append(ccw)
            total += ccw.count
        return ccws, total, None

    def _execute(self, subchannel: Subchannel, ccw: CCW, first: bool) -> _Outcome | None:
        """Start one command on the device and work out the channel's view of it.

        None when the device deferred the command (``CCWResult.deferred``): the
        subchannel stays working until the device calls ``resume``.
        """
        self.ccws_executed += 1
        if ccw.flags & PROGRAM_CONTROLLED_INTERRUPTION:
            self._signal_pci(subchannel, ccw)
        ccws, total, chain_error = self._data_chain(subchannel, ccw)
        key = subchannel.key
        error_offset = total
        error_status = 0
        error_ccw: CCW | None = None
        reading = is_read(ccw.command)
        data = b""
        if not reading:
            pieces = []
            for piece in ccws:
                usable, error = self._accessible(piece.data_address, piece.count, key, store=False)
                if usable:
                    pieces.append(self.storage.read(piece.data_address, usable))
                if error:
                    error_offset = sum(len(p) for p in pieces)
                    error_status, error_ccw = error, piece
                    break
            data = b"".join(pieces)
        result = subchannel.device.start_ccw(ccw.command, data, total, not first)
        started = (ccws, total, chain_error, error_offset, error_status, error_ccw)
        if result.deferred:
            subchannel.waiting = started
            return None
        return self._complete(subchannel, started, result)

    def _complete(self, subchannel: Subchannel, started: tuple, result: CCWResult) -> _Outcome:
        """The device's result of a command: store what it read, work out the outcome."""
        ccws, total, chain_error, error_offset, error_status, error_ccw = started
        ccw = ccws[0]
        key = subchannel.key
        reading = is_read(ccw.command)
        needed = min(result.length, total)
        if reading:
            incoming = result.data[:needed]
            needed = len(incoming)
            offset = 0
            for piece in ccws:
                if offset >= needed:
                    break
                chunk = incoming[offset : offset + piece.count]
                if not piece.flags & SKIP:
                    usable, error = self._accessible(piece.data_address, len(chunk), key, True)
                    if usable:
                        self.storage.write(piece.data_address, chunk[:usable])
                    if error:
                        error_offset = offset + usable
                        error_status, error_ccw = error, piece
                        break
                offset += piece.count
        if error_ccw is None and chain_error is not None and result.length > total:
            # The device wanted data beyond the last valid CCW of the data chain.
            bad_ccw = CCW(chain_error.ccw_address - 8, 0, 0, 0, 0)
            return _Outcome(
                bad_ccw, result.status, chain_error.channel_status, 0, result.delay, False
            )
        channel_status = 0
        transferred = needed
        if error_ccw is not None and error_offset < needed:
            transferred = error_offset
            channel_status = error_status
        # The CCW current when the transfer stopped, and its residual count.
        end_ccw = ccws[-1]
        residual = 0
        start = 0
        for piece in ccws:
            end = start + piece.count
            if transferred < end or piece is ccws[-1]:
                end_ccw = piece
                residual = max(0, end - transferred)
                break
            start = end
        # PoO: SLI suppresses incorrect length only when CD is zero.
        length_suppressed = end_ccw.flags & SUPPRESS_LENGTH and not end_ccw.flags & CHAIN_DATA
        if not (channel_status or result.immediate or length_suppressed) and result.length != total:
            channel_status |= INCORRECT_LENGTH
        return _Outcome(
            end_ccw,
            result.status,
            channel_status,
            residual,
            result.delay,
            result.immediate,
            result.device_end_delay,
        )

    @staticmethod
    def _chains(outcome: _Outcome) -> bool:
        """PoO: command chaining on normal ending (CE and DE, maybe SM) with CC on."""
        ccw = outcome.ccw
        if not ccw.flags & CHAIN_COMMAND or ccw.flags & CHAIN_DATA:
            return False
        if outcome.channel_status & ~CHANNEL_PCI:
            return False
        return outcome.unit_status & ~STATUS_MODIFIER == CHANNEL_END | DEVICE_END

    def _schedule_end(self, subchannel: Subchannel, outcome: _Outcome) -> None:
        subchannel.outcome = outcome
        delay = outcome.delay
        if outcome.device_end_delay and self._chains(outcome):
            delay += outcome.device_end_delay  # chaining waits for device end
        subchannel.event = self.clock.schedule(
            max(1, delay), lambda: self._end_of_command(subchannel)
        )

    def _end_of_command(self, subchannel: Subchannel) -> None:
        """A command's ending status arrives: chain to the next command or end the program."""
        outcome = subchannel.outcome
        subchannel.event = None
        if outcome is None or subchannel.state != WORKING:
            return
        if not self._chains(outcome):
            if outcome.device_end_delay and outcome.unit_status & DEVICE_END:
                # Channel end now, device end when the mechanism is done (seek overlap).
                channel_end = outcome.unit_status & ~DEVICE_END
                self._finish(subchannel, self._csw_for(subchannel, outcome, channel_end))
                subchannel.state = DEVICE_BUSY
                subchannel.event = self.clock.schedule(
                    outcome.device_end_delay, functools.partial(self._device_end, subchannel)
                )
                return
            self._end_chain(subchannel, outcome)
            return
        skip = 8 if outcome.unit_status & STATUS_MODIFIER else 0
        try:
            ccw = self._fetch_command(outcome.ccw.address + 8 + skip, first=False)
            following = self._execute(subchannel, ccw, first=False)
        except _ChannelProgramCheck as check:
            status = outcome.unit_status & ~STATUS_MODIFIER
            csw = make_csw(subchannel.key, check.ccw_address, status, check.channel_status, 0)
            self._finish(subchannel, csw)
            return
        if following is None:
            subchannel.outcome = None
            return
        self._schedule_end(subchannel, following)

    def resume(self, address: int, result: CCWResult) -> bool:
        """A device ends the command it deferred (a console read the operator answered).

        The channel stores what the device read and goes on as if the device
        had answered at once: chaining or ending the program. False when
        nothing waits for the device (the program was halted or reset).
        """
        subchannel = self._subchannels.get(address)
        if subchannel is None or subchannel.waiting is None or subchannel.state != WORKING:
            return False
        started, subchannel.waiting = subchannel.waiting, None
        self._schedule_end(subchannel, self._complete(subchannel, started, result))
        return True

    def waiting_for_device(self, address: int) -> bool:
        """Whether the device at ``address`` holds a deferred command."""
        subchannel = self._subchannels.get(address)
        return subchannel is not None and subchannel.waiting is not None

    def _csw_for(self, subchannel: Subchannel, outcome: _Outcome, unit_status: int) -> bytes:
        return make_csw(
            subchannel.key,
            outcome.ccw.address + 8,
            unit_status,
            outcome.channel_status,
            outcome.residual,
        )

    def _end_chain(self, subchannel: Subchannel, outcome: _Outcome) -> None:
        self._finish(subchannel, self._csw_for(subchannel, outcome, outcome.unit_status))

    def _finish(self, subchannel: Subchannel, csw: bytes) -> None:
        """The channel program is over: its CSW becomes the pending interruption."""
        subchannel.state = IDLE
        subchannel.outcome = None
        subchannel.event = None
        final = bytearray(csw)
        final[4] |= subchannel.deferred
        subchannel.deferred = 0
        pending = self._pending.get(subchannel.address)
        if pending is not None:  # a PCI not yet taken merges into the final status
            final[5] |= pending[1][5] & CHANNEL_PCI
        self._make_pending(subchannel.address, bytes(final))
        if subchannel.control_unit.owed:
            self._free_control_unit(subchannel.control_unit)

    def _device_end(self, subchannel: Subchannel) -> None:
        """Device end after channel end: its own interruption (PoO), with a zero CSW.

        If the channel-end interruption has not been taken yet, device end joins it.
        """
        subchannel.state = IDLE
        subchannel.event = None
        status = DEVICE_END | subchannel.deferred
        subchannel.deferred = 0
        pending = self._pending.get(subchannel.address)
        if pending is not None:
            csw = bytearray(pending[1])
            csw[4] |= status
            self._pending[subchannel.address] = (pending[0], bytes(csw))
            return
        self._make_pending(subchannel.address, make_csw(0, 0, status, 0, 0))

    def _signal_pci(self, subchannel: Subchannel, ccw: CCW) -> None:
        """PoO: a CCW with the PCI flag makes an interruption pending as it becomes current."""
        if subchannel.address in self._pending:
            return
        csw = make_csw(subchannel.key, ccw.address + 8, 0, CHANNEL_PCI, ccw.count)
        self._make_pending(subchannel.address, csw)

    def _make_pending(self, address: int, csw: bytes) -> None:
        self._sequence += 1
        self._pending[address] = (self._sequence, csw)
        self.interrupt_pending = True

    def _clear_pending(self, address: int) -> None:
        self._pending.pop(address, None)
        self.interrupt_pending = bool(self._pending)

    def _store_csw(self, csw: bytes) -> None:
        self.storage.write(CSW_LOCATION, csw)

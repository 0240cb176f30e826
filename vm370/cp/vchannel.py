"""A virtual machine's channels: the guest's SIO, TIO, HIO and TCH, its CSW and CAW.

Each virtual machine has a channel subsystem of its own. It is the
hardware's channel subsystem (vm370/hardware/channel.py), the same rules
of command and data chaining, TIC, SLI, skip, PCI, incorrect length,
program and protection checks, working on the guest's storage instead of
real storage: the CAW is read from the guest's location 72 and the CSW
stored at its location 64; data moves to and from the guest's pages
(paged in as the channel touches them) and is checked against the guest's
virtual storage keys with the CAW's key. That is how CP interprets the
channel programs of the devices it simulates itself (the virtual console,
the spooled reader, punch and printer), as VM/370's DMKVSI/DMKVCN did, with
one set of channel rules for real and virtual devices.

Devices CP backs with real ones (minidisks, dedicated devices) are placed
here too, so that their addresses exist and TIO, TCH and interruptions treat
them alike, but their channel programs are translated and run on the real
channel (ccwtrans.py): ``begin_translated`` marks such a device working and
``end_translated`` makes its (translated back) CSW pending.

Each virtual device has its own control unit and every virtual channel
works like the byte multiplexer: CP simulates each device on its own, as
VM/370 did, so one busy virtual device never makes another one busy.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.hardware.channel import WORKING, ChannelSubsystem
from vm370.hardware.clock import Clock


class GuestChannelStorage:
    """A virtual machine's storage as its channel sees it: guest-real addresses and keys.

    ``machine.storage`` (vstorage.GuestStorage) pages the guest's pages in
    as they are touched; ``keys`` are the guest's virtual storage keys,
    the ones the guest's own SSK set.
    """

    def __init__(self, machine) -> None:
        self.machine = machine
        self.size = machine.storage_size
        self.keys = machine.storage_keys

    def read(self, address: int, length: int) -> bytes:
        return self.machine.storage.read_real(address, length)

    def write(self, address: int, data: bytes) -> None:
        self.machine.storage.write_real(address, bytes(data))

    def read_word(self, address: int) -> int:
        return int.from_bytes(self.read(address, 4), "big")


class VirtualChannel(ChannelSubsystem):
    """The channel subsystem of one virtual machine."""

    def __init__(self, machine, clock: Clock | None = None) -> None:
        super().__init__(GuestChannelStorage(machine), clock or Clock())
        # Called when an interruption becomes pending (CP wakes the machine).
        self.on_pending: Callable[[], None] | None = None

    def _make_pending(self, address: int, csw: bytes) -> None:
        super()._make_pending(address, csw)
        if self.on_pending is not None:
            self.on_pending()

    def _control_unit_busy(self, subchannel) -> bool:
        return False

    def _selector_busy(self, subchannel) -> bool:
        return False

    def post_interruption(self, address: int, csw: bytes) -> None:
        """An I/O interruption for ``address`` with this CSW, posted by CP itself."""
        if len(csw) != 8:
            raise ValueError(f"a CSW is 8 bytes, not {len(csw)}")
        # The caller presents it (ControlProgram.post_io wakes the machine).
        super()._make_pending(address, bytes(csw))

    def pending_interruptions(self) -> list[tuple[int, bytes]]:
        """(device, CSW) of every pending interruption, oldest first."""
        return [
            (address, csw)
            for address, (_, csw) in sorted(self._pending.items(), key=lambda item: item[1][0])
        ]

    def has_enabled_pending(self, channel_enabled: Callable[[int], bool]) -> bool:
        return any(channel_enabled(address >> 8) for address in self._pending)

    def begin_translated(self, address: int) -> None:
        """A translated channel program for ``address`` runs on the real channel."""
        self._subchannels[address].state = WORKING

    def end_translated(self, address: int, csw: bytes) -> None:
        """The translated program ended: its CSW (in the guest's terms) becomes pending."""
        subchannel = self._subchannels.get(address)
        if subchannel is None:
            return
        self._finish(subchannel, csw)

    def store_csw(self, csw: bytes) -> None:
        """Store a CSW at the guest's location 64 (a condition code 1 answer)."""
        self._store_csw(csw)

    def pending_for(self, address: int) -> bytes | None:
        """Take the pending interruption of ``address`` (SIO and TIO find it), if any."""
        pending = self._pending.get(address)
        if pending is None:
            return None
        self._clear_pending(address)
        return pending[1]

"""Virtual I/O: what CP does with a guest's SIO, TIO, HIO and TCH.

Each virtual machine has its own channel subsystem (vchannel.py) with its
virtual devices (vdevices.py). A device CP simulates (the console, the
spooled reader, punch and printer) is driven by that channel straight from
the guest's channel program. A device backed by a real one (a minidisk, a
dedicated device) has its program translated and run on the real channel
(ccwtrans.py); its ending status comes back as the virtual device's
interruption. An address with no virtual device is not operational
(condition code 3), as the hardware answers for an address with no device
behind it (PoO "Input/Output Operations").

``NoVirtualDevices`` is the seam's simplest implementation: no machine has
any device (the bare ``--under-cp`` runs use it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from vm370.cp.vdevices import TranslatedDevice
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.channel import CAW_LOCATION, PROGRAM_CHECK, make_csw
from vm370.hardware.devices import BUSY

if TYPE_CHECKING:
    from vm370.cp.ccwtrans import ChannelProgramTranslator

NOT_OPERATIONAL = 3
ADDRESS_MASK = 0x7FF  # PoO (S/360): the I/O address is the low 11 bits


class VirtualIO(Protocol):
    """What CP's I/O simulation provides; each method returns the condition code."""

    def start_io(self, machine: VirtualMachine, address: int) -> int: ...

    def test_io(self, machine: VirtualMachine, address: int) -> int: ...

    def halt_io(self, machine: VirtualMachine, address: int) -> int: ...

    def test_channel(self, machine: VirtualMachine, channel: int) -> int: ...


class NoVirtualDevices:
    """No virtual machine has any device: every address is not operational."""

    def start_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def test_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def halt_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def test_channel(self, machine: VirtualMachine, channel: int) -> int:
        return NOT_OPERATIONAL


class DeviceIO:
    """The guest's I/O instructions on its virtual devices."""

    def __init__(self, translator: ChannelProgramTranslator) -> None:
        self.translator = translator
        self.start_ios = 0

    def start_io(self, machine: VirtualMachine, address: int) -> int:
        address &= ADDRESS_MASK
        device = machine.devices.get(address)
        if device is None:
            return NOT_OPERATIONAL
        self.start_ios += 1
        channel = machine.channel
        if not isinstance(device, TranslatedDevice):
            return channel.start_io(address)
        if channel.is_busy(address):
            return 2
        pending = channel.pending_for(address)
        if pending is not None:
            # PoO: the pending interruption condition is stored, with busy.
            channel.store_csw(pending[:4] + bytes((pending[4] | BUSY,)) + pending[5:])
            return 1
        caw = machine.storage.read_word(CAW_LOCATION)
        ended = self.translator.start(machine, device, caw)
        if ended is None:
            channel.store_csw(make_csw(caw >> 28, 0, 0, PROGRAM_CHECK, 0))
            return 1
        csw, at_start = ended
        if at_start:
            channel.store_csw(csw)  # ended at initial selection, as on the real channel
            return 1
        channel.begin_translated(address)
        channel.end_translated(address, csw)
        return 0

    def test_io(self, machine: VirtualMachine, address: int) -> int:
        address &= ADDRESS_MASK
        if address not in machine.devices:
            return NOT_OPERATIONAL
        return machine.channel.test_io(address)

    def halt_io(self, machine: VirtualMachine, address: int) -> int:
        address &= ADDRESS_MASK
        if address not in machine.devices:
            return NOT_OPERATIONAL
        return machine.channel.halt_io(address)

    def test_channel(self, machine: VirtualMachine, channel: int) -> int:
        return machine.channel.test_channel(channel)

"""IPL of a virtual machine: the LOAD key of the virtual machine's console (VM/370's DMKCFG).

PoO (S/360, "Initial Program Loading"): a system reset, then a read of 24
bytes into location 0 from the IPL device, as if a READ command (modifier
bits zero, command chaining and SLI on) were at location 0, so the channel
program goes on with the CCW at location 8; when it ends without error the
device address is stored in locations 2-3 and the PSW at location 0 is
loaded.

For a device CP simulates (a reader) the virtual channel does exactly that.
For a device backed by a real one (a minidisk) CP cannot translate CCWs
that are not read yet, so it does what the channel does in two steps: the
24-byte read (translated: a seek to the minidisk's cylinder 0 and its
record 1), then the program at location 8, translated once it is in the
guest's storage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vm370.cp.vdevices import TranslatedDevice
from vm370.cp.vmblock import RunState, VirtualMachine
from vm370.hardware.channel import SUPPRESS_LENGTH, IPLError, make_ccw
from vm370.hardware.devices import CHANNEL_END, DEVICE_END, STATUS_MODIFIER, dasd
from vm370.hardware.psw import BCPSW, IPL_PSW

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram

IPL_RECORD = 24


class VirtualIPLError(Exception):
    """The virtual machine's IPL failed: the message says why (VM/370's DMKCFG wording)."""


def system_reset(cp: ControlProgram, machine: VirtualMachine) -> None:
    """SYSTEM RESET of the virtual machine: CPU and I/O reset, storage kept."""
    machine.channel.reset()
    machine.pending_external = 0
    machine.control.reset()
    machine.shadow.invalidate()
    cp.purge_translations()
    machine.psw = BCPSW()
    machine.state = RunState.STOPPED
    cp.dispatcher.remove(machine)


def ipl_device(cp: ControlProgram, machine: VirtualMachine, address: int) -> None:
    """IPL the machine from its device at ``address``; it is left ready to run."""
    device = machine.devices.get(address)
    if device is None:
        raise VirtualIPLError(f"DMKCFG040E DEV {address:03X} DOES NOT EXIST")
    system_reset(cp, machine)
    if isinstance(device, TranslatedDevice):
        _ipl_translated(cp, machine, device, address)
    else:
        try:
            machine.channel.ipl(address)
        except IPLError as error:
            raise VirtualIPLError(f"DMKCFG041E IPL FAILED: {error}") from None
    psw = machine.storage.read_doubleword(IPL_PSW)
    machine.load_psw_image(psw)
    machine.start()
    if machine.state is RunState.RUNNING:
        cp.dispatcher.ready(machine)
        if cp.supervisor is not None:
            cp.supervisor.wake_up()


def _ipl_translated(
    cp: ControlProgram, machine: VirtualMachine, device: TranslatedDevice, address: int
) -> None:
    storage = machine.storage
    if device.extent is not None:
        device.cylinder = device.head = 0
    # Step 1: the IPL read, as a one-CCW program at location 0 that reads over itself.
    storage.write_real(0, make_ccw(dasd.READ_IPL, 0, SUPPRESS_LENGTH, IPL_RECORD))
    _run(cp, machine, device, 0, address)
    # Step 2: the program the record put at location 8.
    if storage.read_real(8, 1)[0]:
        _run(cp, machine, device, 8, address, after_ipl_record=True)
    storage.write_real(2, (address & 0xFFFF).to_bytes(2, "big"))


def _run(
    cp: ControlProgram,
    machine: VirtualMachine,
    device: TranslatedDevice,
    caw: int,
    address: int,
    after_ipl_record: bool = False,
) -> None:
    ended = cp.translator.start(machine, device, caw, after_ipl_record)
    if ended is None:
        raise VirtualIPLError(f"DMKCFG041E IPL FAILED ON {address:03X}: INVALID CCW ADDRESS")
    csw = ended[0]
    unit, channel = csw[4], csw[5]
    errors = unit & ~(CHANNEL_END | DEVICE_END | STATUS_MODIFIER)
    if errors or channel:
        raise VirtualIPLError(
            f"DMKCFG041E IPL FAILED ON {address:03X}: CSW {csw.hex().upper()}"
            + (" (IS THE DISK BOOTABLE?)" if not storage_has_psw(machine) else "")
        )


def storage_has_psw(machine: VirtualMachine) -> bool:
    return any(machine.storage.read_real(0, 8))


"""The seam for virtual I/O: what CP does with a guest's SIO, TIO, HIO and TCH.

Virtual devices (CP's copy of the guest's channel programs, minidisks, the
spooled unit record devices, the virtual console) come in a later issue.
Until then no virtual machine has a device: every I/O instruction gives
condition code 3, "not operational", which is what the hardware answers for
an address with no device behind it (PoO "Input/Output Operations").
"""

from __future__ import annotations

from typing import Protocol

from vm370.cp.vmblock import VirtualMachine

NOT_OPERATIONAL = 3


class VirtualIO(Protocol):
    """What CP's I/O simulation provides; each method returns the condition code."""

    def start_io(self, machine: VirtualMachine, address: int) -> int: ...

    def test_io(self, machine: VirtualMachine, address: int) -> int: ...

    def halt_io(self, machine: VirtualMachine, address: int) -> int: ...

    def test_channel(self, machine: VirtualMachine, channel: int) -> int: ...


class NoVirtualDevices:
    """No virtual machine has any device yet: every address is not operational."""

    def start_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def test_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def halt_io(self, machine: VirtualMachine, address: int) -> int:
        return NOT_OPERATIONAL

    def test_channel(self, machine: VirtualMachine, channel: int) -> int:
        return NOT_OPERATIONAL

"""Reflection: presenting an interruption to a guest the way the hardware would.

When something happens that the guest's own CPU would have turned into an
interruption (its SVC, a program exception in its code, its interval timer
going negative, an I/O completion on one of its devices), CP does what the
hardware does, in the guest's storage: it stores the current virtual PSW as
the old PSW of the class in the guest's low storage (with the interruption
code in the PSW in BC mode, or at the class's code location in EC mode,
GA27-2719) and loads the virtual PSW from the class's new-PSW location.

Program and SVC interruptions are reflected at once (they belong to the
instruction that caused them). External and I/O interruptions wait in the
VMBLOK until the virtual PSW enables them; ``present_pending`` presents
every one that is enabled in the hardware's priority order (PoO
"Interruptions": external before I/O; the pending external conditions
together, as one interruption), ending an enabled wait.

A program interruption whose new PSW leads straight back to the instruction
that failed (same first two bytes, the address of the failing instruction)
would trap for ever: CP stops the machine instead, as VM/370's DMKPRG did
with DMKPRG453W.
"""

from __future__ import annotations

from vm370.cp import debugging
from vm370.cp.vmblock import RunState, VirtualMachine
from vm370.hardware.control_registers import EC_INTERRUPTION_CODE, ECPSW
from vm370.hardware.psw import (
    EXTERNAL_MASK,
    EXTERNAL_OLD_PSW,
    IO_OLD_PSW,
    PROGRAM_OLD_PSW,
    SVC_OLD_PSW,
)

NEW_PSW_OFFSET = 0x40  # each class's new PSW is 64 bytes above its old PSW (PoO)
PROGRAM_INTERRUPT_LOOP = "DMKPRG453W CP ENTERED; PROGRAM INTERRUPT LOOP"


def reflect_interruption(machine: VirtualMachine, old_location: int, code: int) -> tuple[int, int]:
    """Swap the virtual PSW through the guest's low storage for one interruption class.

    Returns the old and the new PSW images.
    """
    storage = machine.storage
    old = machine.psw_image(code)
    # The code's halfword (EC mode) overlaps neither PSW: the order of the
    # three accesses cannot matter, and the two PSWs share one page lookup.
    new = storage.exchange_doublewords(old_location, old, old_location + NEW_PSW_OFFSET)
    if machine.ec_mode:
        storage.write_real(EC_INTERRUPTION_CODE[old_location], (code & 0xFFFF).to_bytes(2, "big"))
    machine.load_psw_image(new)
    machine.counters.reflected += 1
    if machine.debug is not None:
        debugging.interruption(machine.debug.cp, machine, old_location, code, old, new)
    return old, new


def reflect_program_interruption(machine: VirtualMachine, code: int, ilc: int) -> None:
    """A program exception of the guest's instruction; the PSW already points as the PoO says.

    The new PSW is tested the way VM/370's DMKPRG tested it: the same first
    two bytes as the old PSW (masks, key, state) and the address of the
    instruction that failed (the old PSW's address less the ILC) make a loop
    nothing can break, and the machine stops with the new PSW loaded.
    """
    machine.psw.ilc = ilc
    old, new = reflect_interruption(machine, PROGRAM_OLD_PSW, code)
    if (old ^ new) >> 48:
        return  # the usual case: the handler runs with other masks or state
    # The addresses are the images' low bits, compared modulo the addressing mode.
    if (old - 2 * ilc - new) & machine.address_mask == 0:
        machine.state = RunState.STOPPED
        machine.stopped_by_reflection = PROGRAM_INTERRUPT_LOOP


def reflect_supervisor_call(machine: VirtualMachine, number: int, ilc: int = 1) -> None:
    """The guest's SVC ``number`` (the SVC has completed: the PSW points past it)."""
    machine.psw.ilc = ilc
    reflect_interruption(machine, SVC_OLD_PSW, number & 0xFF)


def make_external_pending(machine: VirtualMachine, code_bits: int) -> None:
    """An external condition for the guest (X'80' its timer, X'40' the interrupt key)."""
    machine.pending_external |= code_bits & 0xFF


def make_io_pending(machine: VirtualMachine, device: int, csw: bytes) -> None:
    """An I/O interruption for one of the guest's devices, with the CSW to store."""
    machine.channel.post_interruption(device, csw)


def present_pending(machine: VirtualMachine) -> bool:
    """Present every pending interruption the virtual PSW enables; True if any was."""
    if not machine.channel.interrupt_pending:
        # The usual case, on every trap: nothing pending, or only an external
        # interruption (the timer's) the virtual PSW does not enable.
        if not machine.pending_external:
            return False
        psw = machine.psw
        if not (psw.external_mask if psw.__class__ is ECPSW else psw.system_mask & EXTERNAL_MASK):
            return False
    presented = False
    while machine.state is not RunState.STOPPED:
        if machine.pending_external and machine.external_enabled:
            code = machine.pending_external
            machine.pending_external = 0
            reflect_interruption(machine, EXTERNAL_OLD_PSW, code)
            presented = True
            continue
        # The virtual channel stores the CSW at the guest's location 64.
        if not machine.channel.interrupt_pending:
            return presented
        device = machine.channel.take_interrupt(machine.channel_enabled)
        if device is None:
            return presented
        reflect_interruption(machine, IO_OLD_PSW, device)
        presented = True
    return presented


def has_enabled_pending(machine: VirtualMachine) -> bool:
    """Whether an interruption is waiting that the virtual PSW would take now."""
    if machine.pending_external and machine.external_enabled:
        return True
    channel = machine.channel
    return channel.interrupt_pending and channel.has_enabled_pending(machine.channel_enabled)

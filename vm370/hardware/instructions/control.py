"""Status-switching, input/output and Model 67 control instructions.

PoO (GA22-6821), "Status Switching" and "Input/Output Operations"; LMC,
STMC and LRA from the Model 67 Functional Characteristics (GA27-2719, see
docs/model67.md). The privileged ones reach these handlers only in the
supervisor state (the CPU checks). WRITE DIRECT and READ DIRECT belong to
the direct-control feature, which this machine does not have: they stay
operation exceptions.
"""

from __future__ import annotations

from vm370.hardware.instructions.operands import bd_address, rx_address
from vm370.hardware.interrupts import ADDRESSING, SPECIFICATION, ProgramInterrupt
from vm370.hardware.psw import RecheckInterruptions


def supervisor_call(cpu, r1, r2):
    """0A SVC Supervisor Call [RR]"""
    cpu.supervisor_call(r1 << 4 | r2)


def set_program_mask(cpu, r1, r2):
    """04 SPM Set Program Mask [RR]"""
    value = cpu.gpr[r1]
    cpu.cc = (value >> 28) & 3
    cpu.program_mask = (value >> 24) & 15


def set_system_mask(cpu, i2, b1, d1):
    """80 SSM Set System Mask [SI]"""
    cpu.set_system_mask(cpu.fetch_byte(bd_address(cpu, b1, d1)))
    raise RecheckInterruptions


def load_psw(cpu, i2, b1, d1):
    """82 LPSW Load PSW [SI]"""
    cpu.load_psw(cpu.fetch_doubleword(bd_address(cpu, b1, d1)))
    raise RecheckInterruptions


def _key_block(cpu, r2: int) -> int:
    """The block address in bits 8-20 of R2 (PoO: bits 28-31 must be zero)."""
    value = cpu.gpr[r2]
    if value & 0x0F:
        raise ProgramInterrupt(SPECIFICATION)
    address = value & 0x00FFF800
    if address >= cpu.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    return address


def set_storage_key(cpu, r1, r2):
    """08 SSK Set Storage Key [RR]"""
    address = _key_block(cpu, r2)
    cpu.set_storage_key(address, cpu.gpr[r1] & 0xF8)


def insert_storage_key(cpu, r1, r2):
    """09 ISK Insert Storage Key [RR]"""
    address = _key_block(cpu, r2)
    # Bits 24-28 get the key and fetch-protection bit; bits 29-31 are zero.
    cpu.gpr[r1] = (cpu.gpr[r1] & 0xFFFFFF00) | (cpu.storage.key_of(address) & 0xF8)


def diagnose(cpu, r1, r3, b2, d2):
    """83 DIAG Diagnose [RS]"""
    # PoO: what DIAGNOSE does is model dependent. The emulated 2067 offers no
    # diagnostic function, so every function a program asks for is an invalid
    # one for this model: a specification exception. (Under CP the guest's
    # DIAGNOSE never gets here: it is privileged, and the guest runs in the
    # real problem state.)
    raise ProgramInterrupt(SPECIFICATION)


def _io_address(cpu, b1: int, d1: int) -> int:
    # PoO: bits 16-31 of the effective address are the channel and device.
    # The channels schedule device timing from now: make now exact first.
    cpu.sync_clock()
    return bd_address(cpu, b1, d1) & 0xFFFF


def start_io(cpu, i2, b1, d1):
    """9C SIO Start I/O [SI]"""
    channels = cpu.channels
    cpu.cc = 3 if channels is None else channels.start_io(_io_address(cpu, b1, d1))
    raise RecheckInterruptions


def test_io(cpu, i2, b1, d1):
    """9D TIO Test I/O [SI]"""
    channels = cpu.channels
    cpu.cc = 3 if channels is None else channels.test_io(_io_address(cpu, b1, d1))
    raise RecheckInterruptions


def halt_io(cpu, i2, b1, d1):
    """9E HIO Halt I/O [SI]"""
    channels = cpu.channels
    cpu.cc = 3 if channels is None else channels.halt_io(_io_address(cpu, b1, d1))
    raise RecheckInterruptions


def test_channel(cpu, i2, b1, d1):
    """9F TCH Test Channel [SI]"""
    channels = cpu.channels
    channel = (_io_address(cpu, b1, d1) >> 8) & 7
    cpu.cc = 3 if channels is None else channels.test_channel(channel)
    raise RecheckInterruptions


def _control_operand(cpu, r1: int, r3: int, b2: int, d2: int) -> tuple[int, int]:
    """The word-aligned operand address of LMC/STMC and how many registers it holds."""
    address = bd_address(cpu, b2, d2)
    # Word alignment as for LM and STM on the System/360.
    if address & 3:
        raise ProgramInterrupt(SPECIFICATION)
    return address, ((r3 - r1) & 15) + 1


def load_multiple_control(cpu, r1, r3, b2, d2):
    """B8 LMC Load Multiple Control [RS]"""
    address, count = _control_operand(cpu, r1, r3, b2, d2)
    data = cpu.fetch(address, 4 * count)
    was_extended_control_mode = cpu.extended_control_mode
    # Loading CR0 purges the associative array and the decoded instructions.
    cpu.control.load_multiple(
        r1, r3, [int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in range(count)]
    )
    cpu.control_registers_loaded(was_extended_control_mode)
    # CR6 may have changed the PSW format and CR4 enabled channels; a purge
    # also dropped the decoded instructions the run loop holds.
    raise RecheckInterruptions


def store_multiple_control(cpu, r1, r3, b2, d2):
    """B0 STMC Store Multiple Control [RS]"""
    address, _ = _control_operand(cpu, r1, r3, b2, d2)
    words = cpu.control.store_multiple(r1, r3)
    cpu.store(address, b"".join(word.to_bytes(4, "big") for word in words))


def load_real_address(cpu, r1, x2, b2, d2):
    """B1 LRA Load Real Address [RX]"""
    address = rx_address(cpu, x2, b2, d2)
    # Translation on or off alike, through the tables CR0 designates; no
    # translation exception, the associative array untouched.
    cpu.cc, cpu.gpr[r1] = cpu.dat.load_real_address(address)

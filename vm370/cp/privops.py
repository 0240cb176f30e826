"""Privileged-instruction simulation: the "emulate" half of trap and emulate.

A guest runs in the real problem state, so every privileged instruction it
executes is a real privileged-operation exception that comes to CP. If the
guest is in its virtual problem state, the exception is its own and CP
reflects it (reflect.py). If it is in its virtual supervisor state, CP does
what the instruction would have done, against the VMBLOK (virtual PSW,
registers, control registers, storage keys) and the guest's storage, and
the guest goes on after the instruction.

Each simulation is ``simulate_<name>(cp, machine, instruction)``. When it
runs, the virtual PSW already points past the instruction and holds its ILC
(a privileged-operation exception suppresses the instruction, PoO). A
simulation that finds an exception raises ``ProgramInterrupt`` and
``handle_privileged_operation`` reflects it into the guest suppressed, the
PSW past the instruction with its ILC, as the Model 67 leaves it for every
program exception, a translation exception in the guest's own tables
included (docs/model67.md).

SPM is not privileged on the System/360 (PoO), so it never traps: the guest
executes it on the real CPU. WRD and RDD (direct control) are operation
exceptions on this machine, bare or virtual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vm370.cp import reflect
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware import isa
from vm370.hardware.control_registers import ECPSW, control_register_numbers
from vm370.hardware.instructions.operands import bd_address, rx_address
from vm370.hardware.interrupts import (
    ADDRESSING,
    OPERATION,
    PRIVILEGED_OPERATION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.storage import BLOCK_SHIFT

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram


@dataclass(frozen=True, slots=True)
class DecodedInstruction:
    """One instruction taken apart by its format (fields not in the format are 0)."""

    address: int  # the guest logical address it was fetched from
    raw: bytes
    row: isa.Instruction
    r1: int = 0
    r2: int = 0
    r3: int = 0
    x2: int = 0
    b1: int = 0
    d1: int = 0
    b2: int = 0
    d2: int = 0
    i2: int = 0

    @property
    def mnemonic(self) -> str:
        return self.row.mnemonic

    @property
    def length(self) -> int:
        return len(self.raw)

    @property
    def ilc(self) -> int:
        return len(self.raw) >> 1


class DecodeError(ValueError):
    """Bytes that are not an instruction of the machine (an operation exception)."""


def decode(raw: bytes, address: int = 0) -> DecodedInstruction:
    """Take the instruction at the start of ``raw`` apart by the ISA table's format."""
    row = isa.BY_OPCODE[raw[0]] if raw else None
    if row is None:
        raise DecodeError(f"opcode {raw[:1].hex().upper() or 'none'} is not installed")
    length = row.length
    if len(raw) < length:
        raise DecodeError(f"{row.mnemonic} needs {length} bytes, got {len(raw)}")
    raw = bytes(raw[:length])
    byte1 = raw[1]
    high, low = byte1 >> 4, byte1 & 15
    if row.format == "RR":
        return DecodedInstruction(address, raw, row, r1=high, r2=low)
    displacement = (raw[2] & 15) << 8 | raw[3]
    base = raw[2] >> 4
    if row.format == "RX":
        return DecodedInstruction(address, raw, row, r1=high, x2=low, b2=base, d2=displacement)
    if row.format == "RS":
        return DecodedInstruction(address, raw, row, r1=high, r3=low, b2=base, d2=displacement)
    if row.format == "SI":
        return DecodedInstruction(address, raw, row, i2=byte1, b1=base, d1=displacement)
    return DecodedInstruction(
        address, raw, row, b1=base, d1=displacement, b2=raw[4] >> 4, d2=(raw[4] & 15) << 8 | raw[5]
    )


# Decoded instructions by (guest logical address, bytes): a decoding depends
# on nothing else, so an entry is right for as long as those bytes are what
# the guest fetches there, whatever stored into its storage in between.
_decoded: dict[tuple[int, bytes], DecodedInstruction] = {}
DECODED_LIMIT = 4096


def decode_cached(raw: bytes, address: int) -> DecodedInstruction:
    """``decode(raw, address)``, remembered: a guest traps on the same few instructions."""
    key = (address, raw)
    instruction = _decoded.get(key)
    if instruction is None:
        instruction = decode(raw, address)
        if len(_decoded) >= DECODED_LIMIT:
            _decoded.clear()
        _decoded[key] = instruction
    return instruction


def fetch_instruction(machine: VirtualMachine, address: int) -> DecodedInstruction:
    """Fetch and decode the guest's instruction at its logical ``address``."""
    if address & 1:
        raise ProgramInterrupt(SPECIFICATION)
    raw = machine.storage.fetch_instruction_bytes(address)
    try:
        return decode_cached(raw, address)
    except DecodeError:
        raise ProgramInterrupt(OPERATION) from None


def trapped_instruction(machine: VirtualMachine) -> tuple[DecodedInstruction, int]:
    """The privileged instruction a trap reports, and the ILC to report it with.

    The virtual PSW points past the instruction with its ILC. If that
    instruction is an EXECUTE, the privileged instruction is its target,
    with the second byte ORed with R1 bits 24-31 (PoO "Execute"), and
    interruptions carry EX's ILC.
    """
    psw = machine.psw
    ilc = psw.ilc
    address = (psw.instruction_address - 2 * ilc) & (
        0xFFFFFFFF if psw.__class__ is ECPSW and psw.addressing_32 else 0x00FFFFFF
    )
    # fetch_instruction, inline: the address is even (the CPU fetched it).
    raw = machine.storage.fetch_instruction_bytes(address)
    try:
        instruction = decode_cached(raw, address)
    except DecodeError:
        raise ProgramInterrupt(OPERATION) from None
    if instruction.row.mnemonic != "EX":
        return instruction, ilc
    target = rx_address(machine, instruction.x2, instruction.b2, instruction.d2)
    subject = fetch_instruction(machine, target)
    if instruction.r1:
        raw = bytearray(subject.raw)
        raw[1] |= machine.gpr[instruction.r1] & 0xFF
        subject = decode_cached(bytes(raw), target)
    return subject, ilc


def simulate_load_psw(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """82 LPSW Load PSW [SI]"""
    address = bd_address(machine, ins.b1, ins.d1)
    if address & 7:
        raise ProgramInterrupt(SPECIFICATION)
    machine.load_psw_image(machine.storage.fetch_doubleword(address))


def simulate_set_system_mask(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """80 SSM Set System Mask [SI]"""
    psw = machine.psw
    b1 = ins.b1
    address = (ins.d1 + (machine.gpr[b1] if b1 else 0)) & (
        0xFFFFFFFF if psw.__class__ is ECPSW and psw.addressing_32 else 0x00FFFFFF
    )
    mask = machine.storage.fetch_byte(address)
    if psw.__class__ is ECPSW:
        # In EC mode the byte replaces PSW bits 0-7, whose bits 4-7 are the
        # 32-bit mode, translation, I/O and external masks (docs/model67.md).
        psw.addressing_32 = bool(mask & 0x08)
        psw.translation = bool(mask & 0x04)
        psw.io_mask = bool(mask & 0x02)
        psw.external_mask = bool(mask & 0x01)
        psw.instruction_address &= psw.address_mask
    else:
        psw.system_mask = mask
    machine.update_wait_state()


def _key_block(machine: VirtualMachine, r2: int) -> int:
    """The 2 KB block SSK/ISK name (PoO: R2 bits 8-20; bits 28-31 must be zero)."""
    value = machine.gpr[r2]
    if value & 0x0F:
        raise ProgramInterrupt(SPECIFICATION)
    address = value & 0x00FFF800
    if address >= machine.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    return address >> BLOCK_SHIFT


def simulate_set_storage_key(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """08 SSK Set Storage Key [RR]"""
    block = _key_block(machine, ins.r2)
    key_byte = machine.gpr[ins.r1] & 0xF8
    machine.storage_keys[block] = key_byte
    cp.pager.set_key(machine.name, block, key_byte)


def simulate_insert_storage_key(
    cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction
):
    """09 ISK Insert Storage Key [RR]"""
    block = _key_block(machine, ins.r2)
    machine.gpr[ins.r1] = (machine.gpr[ins.r1] & 0xFFFFFF00) | (machine.storage_keys[block] & 0xF8)


def _io_address(machine: VirtualMachine, ins: DecodedInstruction) -> int:
    return bd_address(machine, ins.b1, ins.d1) & 0xFFFF


def simulate_start_io(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """9C SIO Start I/O [SI]"""
    machine.counters.start_ios += 1
    machine.psw.cc = cp.virtual_io.start_io(machine, _io_address(machine, ins))


def simulate_test_io(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """9D TIO Test I/O [SI]"""
    machine.psw.cc = cp.virtual_io.test_io(machine, _io_address(machine, ins))


def simulate_halt_io(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """9E HIO Halt I/O [SI]"""
    machine.psw.cc = cp.virtual_io.halt_io(machine, _io_address(machine, ins))


def simulate_test_channel(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """9F TCH Test Channel [SI]"""
    channel = (_io_address(machine, ins) >> 8) & 7
    machine.psw.cc = cp.virtual_io.test_channel(machine, channel)


def simulate_diagnose(cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction):
    """83 DIAG Diagnose [RS]"""
    code = bd_address(machine, ins.b2, ins.d2) & 0xFFFF
    entry = cp.diagnose.lookup(code)
    if entry is None:
        raise ProgramInterrupt(SPECIFICATION)
    machine.counters.diagnoses += 1
    entry.function(cp, machine, ins.r1, ins.r3)


def _control_operand(machine: VirtualMachine, ins: DecodedInstruction) -> tuple[list[int], int]:
    numbers = control_register_numbers(ins.r1, ins.r3)
    address = bd_address(machine, ins.b2, ins.d2)
    if address & 3:
        raise ProgramInterrupt(SPECIFICATION)
    return numbers, address


def simulate_load_multiple_control(
    cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction
):
    """B8 LMC Load Multiple Control [RS]"""
    numbers, address = _control_operand(machine, ins)
    data = machine.storage.fetch(address, 4 * len(numbers))
    words = [int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in range(len(numbers))]
    # Loading CR0 purges the guest's translator, which drops the shadow tables.
    machine.control.load_multiple(ins.r1, ins.r3, words)
    machine.set_mode_from_control()
    machine.update_wait_state()


def simulate_store_multiple_control(
    cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction
):
    """B0 STMC Store Multiple Control [RS]"""
    numbers, address = _control_operand(machine, ins)
    words = machine.control.store_multiple(ins.r1, ins.r3)
    machine.storage.store(address, b"".join(word.to_bytes(4, "big") for word in words))


def simulate_load_real_address(
    cp: ControlProgram, machine: VirtualMachine, ins: DecodedInstruction
):
    """B1 LRA Load Real Address [RX]"""
    address = rx_address(machine, ins.x2, ins.b2, ins.d2)
    cc, value = machine.dat.load_real_address(address)
    machine.gpr[ins.r1] = value & 0xFFFFFFFF
    machine.psw.cc = cc


Simulation = Callable[["ControlProgram", VirtualMachine, DecodedInstruction], None]

SIMULATIONS: dict[str, Simulation] = {
    "LPSW": simulate_load_psw,
    "SSM": simulate_set_system_mask,
    "SSK": simulate_set_storage_key,
    "ISK": simulate_insert_storage_key,
    "SIO": simulate_start_io,
    "TIO": simulate_test_io,
    "HIO": simulate_halt_io,
    "TCH": simulate_test_channel,
    "DIAG": simulate_diagnose,
    "LMC": simulate_load_multiple_control,
    "STMC": simulate_store_multiple_control,
    "LRA": simulate_load_real_address,
}


# The Model 67's instructions that a machine without ECMODE does not have.
EXTENDED_CONTROL = frozenset({"LMC", "STMC", "LRA"})


def handle_privileged_operation(
    cp: ControlProgram,
    machine: VirtualMachine,
    instruction: DecodedInstruction,
    ilc: int | None = None,
) -> None:
    """A privileged-operation exception of the guest: reflect it, or simulate the instruction.

    On entry the virtual PSW points past ``instruction`` (or past the
    EXECUTE whose target it is, ``ilc`` then being EX's). Afterwards any
    interruption the new virtual PSW enables is presented.
    """
    if ilc is None:
        ilc = instruction.ilc
    machine.psw.ilc = ilc
    mnemonic = instruction.row.mnemonic
    simulation = SIMULATIONS.get(mnemonic)
    if mnemonic in EXTENDED_CONTROL and not machine.extended_control:
        # A 360 without the 67's extensions: an invalid operation code in any state.
        reflect.reflect_program_interruption(machine, OPERATION, ilc)
    elif machine.psw.problem_state:
        reflect.reflect_program_interruption(machine, PRIVILEGED_OPERATION, ilc)
    elif simulation is None:
        reflect.reflect_program_interruption(machine, OPERATION, ilc)
    else:
        machine.counters.privops += 1
        try:
            simulation(cp, machine, instruction)
        except ProgramInterrupt as interrupt:
            # The virtual PSW stays past the instruction, as the Model 67
            # leaves it for every program exception, its translation
            # exceptions included (docs/model67.md).
            reflect.reflect_program_interruption(machine, interrupt.code, ilc)
    reflect.present_pending(machine)

"""DIAGNOSE: the guest's hypercall to CP, and the registry of its function codes.

On a bare 360, DIAGNOSE (83, privileged) runs model-dependent diagnostics;
our bare machine has none and answers a specification exception. Under CP a
guest in virtual supervisor state that issues ``DIAG Rx,Ry,CODE`` asks CP
for a service: the function code is the second-operand address D2(B2)
(bits 16-31 of it), Rx and Ry name registers that carry the arguments (the
convention CP-67 introduced and VM/370 kept). A code nobody registered is
the specification exception the bare machine gives.

Codes X'0000'-X'00FC' are left for the CP-67/VM/370 functions later issues
bring (disk I/O for CMS, CP commands); the codes this reconstruction adds
for itself start at X'0100':

- X'0100' LOG: Rx holds the guest address of an EBCDIC line, Ry its length
  (1-132). CP writes the line to its log as ``<machine>: <text>``. cc 0.
- X'0104' CPU TIME: CP stores the number of instructions the machine has
  executed (its virtual CPU time, in virtual microseconds) as a doubleword
  at the guest address in Rx (doubleword aligned). cc 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram

DIAGNOSE_LOG = 0x0100
DIAGNOSE_CPU_TIME = 0x0104
MAXIMUM_LOG_LINE = 132

DiagnoseFunction = Callable[["ControlProgram", VirtualMachine, int, int], None]


@dataclass(frozen=True)
class DiagnoseCode:
    code: int
    name: str
    function: DiagnoseFunction


class DiagnoseRegistry:
    """The DIAGNOSE function codes CP answers."""

    def __init__(self) -> None:
        self._codes: dict[int, DiagnoseCode] = {}

    def register(self, code: int, name: str, function: DiagnoseFunction) -> None:
        if not 0 <= code <= 0xFFFF:
            raise ValueError(f"DIAGNOSE code {code:X} must be 0-FFFF")
        if code in self._codes:
            raise ValueError(f"DIAGNOSE code {code:04X} is already {self._codes[code].name}")
        self._codes[code] = DiagnoseCode(code, name, function)

    def lookup(self, code: int) -> DiagnoseCode | None:
        return self._codes.get(code)

    def codes(self) -> list[DiagnoseCode]:
        return [self._codes[code] for code in sorted(self._codes)]


def diagnose_log(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'0100' LOG: write the guest's EBCDIC line (address in Rx, length in Ry) to CP's log."""
    address, length = machine.gpr[rx], machine.gpr[ry]
    if not 1 <= length <= MAXIMUM_LOG_LINE:
        raise ProgramInterrupt(SPECIFICATION)
    text = machine.storage.fetch(address, length).decode("cp037")
    cp.write_log(f"{machine.name}: {text.rstrip()}")
    machine.psw.cc = 0


def diagnose_cpu_time(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'0104' CPU TIME: store the machine's instruction count at the address in Rx."""
    address = machine.gpr[rx] & machine.address_mask
    if address & 7:
        raise ProgramInterrupt(SPECIFICATION)
    used = machine.counters.instructions & 0xFFFFFFFFFFFFFFFF
    machine.storage.store(address, used.to_bytes(8, "big"))
    machine.psw.cc = 0


def standard_registry() -> DiagnoseRegistry:
    """A registry with the codes documented above."""
    registry = DiagnoseRegistry()
    registry.register(DIAGNOSE_LOG, "LOG", diagnose_log)
    registry.register(DIAGNOSE_CPU_TIME, "CPU TIME", diagnose_cpu_time)
    return registry

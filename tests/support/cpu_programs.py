"""Run tiny hand-encoded programs on a bare Machine and look at the result.

    result = run_program("5820 0800  1A21  0AFF", gpr={1: 5}, data={0x800: "00000007"})
    assert result.ended and result.gpr[2] == 12 and result.cc == 2

The program is loaded at ``ORIGIN`` (X'200') and starts there in the
supervisor state, key 0, all interruptions masked, unless ``psw`` says
otherwise. ``END`` (SVC 255) ends it: the SVC new PSW is a disabled wait
whose instruction address is ``END_MARK``, so ``result.cc`` and friends come
from the SVC old PSW, which keeps the program's condition code. Every other
new PSW is a disabled wait with its own mark, so a program interruption
stops the run with ``result.program_interruption`` set to its code.
"""

from __future__ import annotations

from dataclasses import dataclass

from vm370.hardware.machine import Machine
from vm370.hardware.psw import (
    BCPSW,
    EXTERNAL_NEW_PSW,
    EXTERNAL_OLD_PSW,
    IO_NEW_PSW,
    IO_OLD_PSW,
    PROGRAM_NEW_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
    SVC_OLD_PSW,
)

ORIGIN = 0x200
END = "0AFF"
END_MARK = 0x00EEEE
PROGRAM_CHECK_MARK = 0x00BBBB
EXTERNAL_MARK = 0x00DDDD
IO_MARK = 0x00AAAA
SVC_END_NUMBER = 0xFF

WAIT = 0x0002_0000_0000_0000


def hex_bytes(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))


@dataclass
class ProgramResult:
    machine: Machine
    stop: str

    @property
    def cpu(self):
        return self.machine.cpu

    @property
    def gpr(self) -> list[int]:
        return self.machine.cpu.gpr

    @property
    def psw(self) -> BCPSW:
        return BCPSW.from_int(self.machine.cpu.current_psw())

    def old_psw(self, location: int) -> BCPSW:
        return BCPSW.from_bytes(bytes(self.machine.storage.mem[location : location + 8]))

    @property
    def ended(self) -> bool:
        """Stopped at END (not by a program interruption or the limit)."""
        return (
            self.stop == "disabled-wait"
            and self.psw.instruction_address == END_MARK
            and self.old_psw(SVC_OLD_PSW).interruption_code == SVC_END_NUMBER
        )

    @property
    def program_interruption(self) -> int | None:
        """The program interruption code if a program interruption stopped the run."""
        if self.stop == "disabled-wait" and self.psw.instruction_address == PROGRAM_CHECK_MARK:
            return self.old_psw(PROGRAM_OLD_PSW).interruption_code
        return None

    @property
    def stopping_old_psw(self) -> BCPSW:
        """The old PSW of the interruption that stopped the run."""
        mark = self.psw.instruction_address
        location = {
            END_MARK: SVC_OLD_PSW,
            PROGRAM_CHECK_MARK: PROGRAM_OLD_PSW,
            EXTERNAL_MARK: EXTERNAL_OLD_PSW,
            IO_MARK: IO_OLD_PSW,
        }[mark]
        return self.old_psw(location)

    @property
    def cc(self) -> int:
        return self.stopping_old_psw.cc

    @property
    def program_mask(self) -> int:
        return self.stopping_old_psw.program_mask

    def storage(self, address: int, length: int) -> bytes:
        return bytes(self.machine.storage.mem[address : address + length])

    def word(self, address: int) -> int:
        return int.from_bytes(self.storage(address, 4), "big")


def run_program(
    code: str,
    *,
    gpr: dict[int, int] | None = None,
    data: dict[int, str | bytes] | None = None,
    psw: int | None = None,
    program_mask: int = 0,
    key: int = 0,
    problem_state: bool = False,
    storage_size: int = 64 * 1024,
    max_instructions: int = 100_000,
    new_psws: dict[int, int] | None = None,
    interval_timer: bool = False,
    machine: Machine | None = None,
) -> ProgramResult:
    """Load ``code`` (hex, spaces allowed) at ORIGIN, run it, and return the result.

    ``data`` puts more bytes (hex text or bytes) at other addresses;
    ``new_psws`` replaces new PSWs by location; ``psw`` replaces the start
    PSW altogether.
    """
    machine = machine or Machine(storage_size, interval_timer=interval_timer)
    marks = {
        EXTERNAL_NEW_PSW: EXTERNAL_MARK,
        SVC_NEW_PSW: END_MARK,
        PROGRAM_NEW_PSW: PROGRAM_CHECK_MARK,
        0x70: 0x00CCCC,
        IO_NEW_PSW: IO_MARK,
    }
    for location, mark in marks.items():
        machine.load(location, (WAIT | mark).to_bytes(8, "big"))
    for location, value in (new_psws or {}).items():
        machine.load(location, value.to_bytes(8, "big"))
    machine.load(ORIGIN, hex_bytes(code))
    for address, value in (data or {}).items():
        machine.load(address, hex_bytes(value) if isinstance(value, str) else value)
    for register, value in (gpr or {}).items():
        machine.cpu.gpr[register] = value & 0xFFFFFFFF
    if psw is None:
        psw = BCPSW(
            key=key,
            problem_state=problem_state,
            program_mask=program_mask,
            instruction_address=ORIGIN,
        ).to_int()
    machine.set_psw(psw)
    stop = machine.run(max_instructions)
    return ProgramResult(machine, stop)

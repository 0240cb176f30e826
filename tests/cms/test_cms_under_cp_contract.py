"""CMS against the contract it asks of CP (docs/cms.md, "What CMS asks of CP").

CP has no virtual devices yet, so these tests stand a small stand-in for
CP's DIAGNOSE in the bare machine's CPU: X'0C' (date, time, CPU times),
X'08' (CP commands, recorded) and X'18' (standard DASD I/O, done through
the channel as DMKDGD would). CMS sees DIAGNOSE answer, takes CP to be there,
and must then use exactly those codes and registers: the ready message
carries times, unknown commands go to CP, disk blocks move by DIAGNOSE X'18'
and files get CP's date.
"""

from __future__ import annotations

import re

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image
from vm370.hardware.devices.codepage import printable, to_ebcdic
from vm370.hardware.instructions.operands import bd_address
from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt

DATE, TIME = "12/06/79", "14:05:33"
KNOWN_TO_CP = ("MSG", "QUERY")


class StandInCP:
    """DIAGNOSE X'08', X'0C' and X'18' as DMKHVC and DMKDGD document them."""

    def __init__(self, machine):
        self.machine = machine
        self.commands: list[str] = []
        self.codes: list[int] = []
        table = list(machine.cpu._dispatch)
        _handler, fmt, privileged = table[0x83]
        table[0x83] = (self.diagnose, fmt, privileged)
        machine.cpu._dispatch = table

    def diagnose(self, cpu, r1, r3, b2, d2):
        code = bd_address(cpu, b2, d2)
        self.codes.append(code)
        storage = cpu.storage
        if code == 0x0C:
            microseconds = self.machine.clock.now
            area = to_ebcdic(DATE + TIME) + microseconds.to_bytes(8, "big") * 2
            storage.write(cpu.gpr[r1] & 0xFFFFFF, area)
        elif code == 0x08:
            address, length = cpu.gpr[r1] & 0xFFFFFF, cpu.gpr[r3] & 0xFFFFFF
            command = printable(storage.read(address, length))
            self.commands.append(command)
            cpu.gpr[r3] = 0 if command.split(" ")[0] in KNOWN_TO_CP else 1
        elif code == 0x18:
            self.disk_io(cpu, cpu.gpr[r1] & 0xFFFF, cpu.gpr[r3] & 0xFFFFFF)
        else:
            raise ProgramInterrupt(SPECIFICATION)

    def disk_io(self, cpu, device: int, ccws: int) -> None:
        assert cpu.gpr[15] == 1, "CMS reads or writes one block a DIAGNOSE"
        channels = self.machine.channels
        cpu.storage.write(72, ccws.to_bytes(4, "big"))
        if channels.start_io(device) == 3:
            cpu.cc, cpu.gpr[15] = 1, 1  # device not attached
            return
        channels.run_until_idle(device)
        csw = channels.pending_csw(device)
        channels.test_io(device)  # the interruption is CP's, not the guest's
        if csw is not None and csw[4] & 0x02:
            cpu.cc, cpu.gpr[15] = 3, 13
        else:
            cpu.cc, cpu.gpr[15] = 0, 0


@pytest.fixture
def under_cp(run_cms, monkeypatch):
    """run_cms with the stand-in CP installed at IPL."""
    from vm370.hardware.machine import Machine

    stand_ins = []
    real_ipl = Machine.ipl

    def ipl_with_cp(machine, address):
        stand_ins.append(StandInCP(machine))
        real_ipl(machine, address)

    monkeypatch.setattr(Machine, "ipl", ipl_with_cp)

    def run(typed, **options):
        result = run_cms(typed, **options)
        return result, stand_ins[-1]

    return run


@pytest.fixture
def user_disk(tmp_path):
    path = create_image(tmp_path / "user.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        disk.write("NOTES", "MEMO", text_to_records("one\ntwo\n", "V", None), "V")
    return path


READY = re.compile(r"R; T=\d+\.\d\d/\d+\.\d\d 14:05:33$")


def test_the_ready_message_carries_cpu_times_and_the_time_of_day(under_cp, user_disk):
    run, cp = under_cp(
        ["listfile", "state nope memo", "set rdymsg smsg", "listfile"], disks={0x191: user_disk}
    )
    assert run.after("listfile")[0] == "NOTES    MEMO     A1"
    assert READY.match(run.after("listfile")[1])
    assert re.match(r"R\(00028\); T=\d+\.\d\d/\d+\.\d\d 14:05:33$", run.after("state nope memo")[1])
    assert run.lines[-1] == "R;"
    assert 0x0C in cp.codes


def test_unknown_commands_go_to_cp_unless_impcp_is_off(under_cp):
    typed = ["nosuch thing", "msg op hello", "set impcp off", "nosuch again", "cp nosuch cp"]
    run, cp = under_cp(typed)
    assert run.after("nosuch thing")[0] == "UNKNOWN CP/CMS COMMAND"
    assert READY.match(run.after("msg op hello")[0])
    assert run.after("nosuch again")[0] == "UNKNOWN CMS COMMAND"
    assert run.after("cp nosuch cp")[0] == "UNKNOWN CP COMMAND"
    assert cp.commands == ["NOSUCH THING", "MSG OP HELLO", "NOSUCH CP"]


def test_disk_blocks_move_by_diagnose_18_and_files_get_cps_date(under_cp, user_disk):
    run, cp = under_cp(
        ["copyfile notes memo a copy memo a", "type copy memo"], disks={0x191: user_disk}
    )
    assert run.after("type copy memo")[:2] == ["one", "two"]
    assert cp.codes.count(0x18) > 10
    run.close()
    with opened(user_disk, 0, 3, read_only=True) as device:
        written = CMSDisk.open(device).find("COPY", "MEMO").written
    assert (written.year, written.month, written.day, written.hour, written.minute) == (
        1979,
        12,
        6,
        14,
        5,
    )


def test_a_disk_cp_does_not_have_is_not_attached(under_cp):
    run, cp = under_cp(["access 192 b"])
    assert run.after("access 192 b")[0] == "DMSACC113S B(192) NOT ATTACHED"

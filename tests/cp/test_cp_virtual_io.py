"""Virtual I/O: guests' channel programs on minidisks (CCW translation) and VM/370's DIAGNOSEs.

Each test assembles a small guest program, runs it as CP's guest with a
minidisk on a real 2314 pack and a virtual console, and checks what it
stored: data read through relocated seeks, the CSW and sense bytes a real
2314 gives, and the DIAGNOSE return codes of VM/370's documentation.
"""

from __future__ import annotations

import struct

import pytest

from assembler import assemble
from assembler.loader import load
from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vdevices import Extent, TranslatedDevice, VirtualConsole
from vm370.cp.vmblock import RunState
from vm370.hardware.devices import create_device
from vm370.hardware.devices.ckd_image import CKDImage, Record, create_image
from vm370.hardware.machine import Machine

ORIGIN = 0x2000
RESULT = 0x3000  # where the programs below store what they found
MINIDISK_START = 5  # the minidisk is real cylinders 5-7
MINIDISK_CYLINDERS = 3
RECORD_DATA = bytes(range(1, 81))

# Register 12 is the base; DOIO starts the channel program whose address is in
# register 1 on the device in register 2, and waits for its interruption, and
# stores the CSW at RESULT+X'F8'. Programs end in a disabled wait at X'EEE'.
PROLOGUE = """\
TEST     CSECT
         BALR  12,0
         USING *,12
         L     11,RESULTS           register 11: where results go
         L     10,PAGE5             register 10: X'5000'
         MVC   X'78'(8),IONEW
"""
EPILOGUE = """\
         LPSW  DONE
DOIO     ST    1,X'48'
         SIO   0(2)
         BC    7,SIONOT0
         LPSW  WAITIO
IODONE   MVC   X'F8'(8,11),X'40'
         BR    14
SIONOT0  MVC   X'F8'(8,11),X'40'
         MVI   X'F0'(11),X'FF'        SIO did not give condition code 0
         BR    14
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'FE020000',A(0)
DONE     DC    X'00020000',A(X'0EEE')
RESULTS  DC    A(X'3000')
PAGE5    DC    A(X'5000')
         END
"""


class Recorder:
    """The virtual console's terminal: the lines the guest wrote."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def guest_output(self, text: str) -> None:
        self.lines.append(text)

    def guest_read(self) -> None:
        pass


@pytest.fixture
def pack(tmp_path):
    path = create_image(tmp_path / "users.ckd", "2314", cylinders=20)
    image = CKDImage(path)
    for cylinder in (MINIDISK_START, MINIDISK_START + MINIDISK_CYLINDERS):
        track = image.read_track(cylinder, 0)
        marker = bytes((cylinder,)) * 80 if cylinder != MINIDISK_START else RECORD_DATA
        track.records[1:] = [Record(cylinder, 0, 1, b"", marker)]
        image.write_track(cylinder, 0, track)
    image.flush()
    image.close()
    return path


def run_guest(pack, body: str, *, read_only=False, classes="G", storage=64 * 1024, steps=400_000):
    machine = Machine(512 * 1024)
    real = create_device("2314", str(pack))
    machine.attach(0x130, real)
    cp = ControlProgram(machine)
    cp.enable_virtual_devices()
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("GUEST", storage)
    guest.classes = classes
    extent = Extent(MINIDISK_START, MINIDISK_CYLINDERS, real.image.heads)
    disk = TranslatedDevice("2314", 0x130, real, extent, read_only, volser="USERS")
    guest.devices[0x191] = disk
    guest.channel.attach(0x191, disk)
    recorder = Recorder()
    console = VirtualConsole(recorder)
    guest.devices[0x009] = console
    guest.channel.attach(0x009, console)
    result = assemble(PROLOGUE + body + EPILOGUE, deck_name="TEST")
    assert result.return_code == 0, result.diagnostics
    image = bytearray(storage)
    load([result.object_deck], image, ORIGIN)
    cp.load("GUEST", 0, bytes(image))
    cp.set_psw("GUEST", ORIGIN)
    supervisor.run(steps)
    return cp, guest, real, recorder


def stored(guest, offset: int, length: int) -> bytes:
    return guest.storage.read_real(RESULT + offset, length)


def csw(guest) -> bytes:
    return stored(guest, 0xF8, 8)


SEEK_SEARCH_READ = """\
         LA    2,X'191'
         LA    1,PROGRAM
         BAL   14,DOIO
{after}
         B     FINISH
PROGRAM  CCW   X'07',SEEKARG,X'40',6
SEARCH   CCW   X'31',SEEKARG+2,X'40',5
         CCW   X'08',SEARCH,0,0
         CCW   X'06',X'3000',X'20',80
SEEKARG  DC    H'0',H'{cylinder}',H'0',X'01'
FINISH   DS    0H
"""


def test_a_minidisk_read_sees_its_own_cylinder_0_on_the_real_pack(pack):
    cp, guest, real, _ = run_guest(pack, SEEK_SEARCH_READ.format(after="", cylinder=0))
    assert guest.state is RunState.DISABLED_WAIT
    assert stored(guest, 0, 80) == RECORD_DATA
    assert csw(guest)[4] == 0x0C  # channel end and device end
    assert real.cylinder == MINIDISK_START  # the real arm went to the relocated cylinder


def test_a_seek_past_the_extent_is_an_invalid_seek_that_never_moves_the_arm(pack):
    body = SEEK_SEARCH_READ.format(cylinder=MINIDISK_CYLINDERS, after="""\
         LA    1,SENSEIT
         BAL   14,DOIO""") + """\
SENSEIT  CCW   X'04',X'3080',X'20',6
"""
    cp, guest, real, _ = run_guest(pack, body)
    # The seek's CSW: unit check on the SEEK (CCW address = SEEK + 8), then the sense.
    first_status = stored(guest, 0, 80)
    assert first_status != RECORD_DATA
    sense = stored(guest, 0x80, 6)
    assert sense[0] & 0x80 and sense[0] & 0x01  # command reject, seek check (2314)
    assert real.cylinder != MINIDISK_START + MINIDISK_CYLINDERS


def test_the_count_field_a_read_returns_names_the_minidisk_cylinder(pack):
    body = """\
         LA    2,X'191'
         LA    1,PROGRAM
         BAL   14,DOIO
         B     FINISH
PROGRAM  CCW   X'07',SEEKARG,X'40',6
SEARCH   CCW   X'31',SEEKARG+2,X'40',5
         CCW   X'08',SEARCH,0,0
         CCW   X'12',X'3000',X'20',8      read count of the next record
SEEKARG  DC    H'0',H'0',H'0',X'00'
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    cylinder, head, record = struct.unpack(">HHB", stored(guest, 0, 5))
    assert (cylinder, head, record) == (0, 0, 1)


def test_a_read_only_link_refuses_a_write_as_a_file_protected_pack(pack):
    body = """\
         LA    2,X'191'
         LA    1,PROGRAM
         BAL   14,DOIO
         MVC   X'40'(8,11),X'F8'(11)
         LA    1,SENSEIT
         BAL   14,DOIO
         B     FINISH
PROGRAM  CCW   X'07',SEEKARG,X'40',6
SEARCH   CCW   X'31',SEEKARG+2,X'40',5
         CCW   X'08',SEARCH,0,0
         CCW   X'05',DATA,X'00',80
SENSEIT  CCW   X'04',X'3080',X'20',6
SEEKARG  DC    H'0',H'0',H'0',X'01'
DATA     DC    80C'X'
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body, read_only=True)
    write_csw = stored(guest, 0x40, 8)
    assert write_csw[4] & 0x02  # unit check
    sense = stored(guest, 0x80, 6)
    assert sense[0] & 0x80 and sense[1] & 0x04  # command reject, file protected
    real.close()
    image = CKDImage(pack, read_only=True)
    try:
        assert image.read_track(MINIDISK_START, 0).records[1].data == RECORD_DATA
    finally:
        image.close()


@pytest.mark.parametrize(
    "ccw, expected_channel_status",
    [
        ("CCW   X'06',X'3000',X'00',0", 0x20),  # a count of zero
        ("CCW   X'00',X'3000',X'00',80", 0x20),  # an invalid command code
        ("CCW   X'08',TICTIC,0,0", 0x20),  # a TIC to a TIC
    ],
)
def test_bad_channel_programs_get_the_program_check_of_real_hardware(
    pack, ccw, expected_channel_status
):
    body = f"""\
         LA    2,X'191'
         LA    1,PROGRAM
         BAL   14,DOIO
         B     FINISH
PROGRAM  {ccw}
TICTIC   CCW   X'08',PROGRAM,0,0
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    status = csw(guest)
    assert status[5] & expected_channel_status
    assert cp.log == [line for line in cp.log if "failure" not in line]


def test_a_misaligned_caw_gives_condition_code_1_and_a_program_check(pack):
    body = """\
         LA    2,X'191'
         LA    1,PROGRAM+4
         BAL   14,DOIO
         B     FINISH
PROGRAM  CCW   X'06',X'3000',X'20',80
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    assert stored(guest, 0xF0, 1) == b"\xff"  # SIO did not give cc 0
    assert csw(guest)[5] & 0x20


def test_data_crossing_a_page_boundary_lands_whole(pack):
    body = SEEK_SEARCH_READ.format(after="", cylinder=0)
    body = body.replace("X'3000',X'20',80", "X'4FE0',X'20',80")
    cp, guest, real, _ = run_guest(pack, body)
    assert guest.storage.read_real(0x4FE0, 80) == RECORD_DATA


DIAG18 = """\
         LA    4,X'191'
         LA    5,PROGRAM
         LA    15,1
         DC    X'83450018'          DIAG 4,5,X'18'
         BALR  0,0                  the condition code in bits 2-3
         ST    0,X'100'(11)
         ST    15,X'104'(11)
         B     FINISH
         DS    0D
PROGRAM  CCW   X'07',SEEKARG,X'40',6
SEARCH   CCW   X'31',SEEKARG+2,X'40',5
         CCW   X'08',SEARCH,0,0
         CCW   {command},X'3000',X'20',{count}
SEEKARG  DC    H'0',H'{cylinder}',H'0',X'01'
FINISH   DS    0H
"""


def diag18(pack, command="X'06'", count=80, cylinder=0, **kwargs):
    body = DIAG18.format(command=command, count=count, cylinder=cylinder)
    cp, guest, real, _ = run_guest(pack, body, **kwargs)
    condition = (stored(guest, 0x100, 1)[0] >> 4) & 3
    return condition, int.from_bytes(stored(guest, 0x104, 4), "big"), guest


def test_diagnose_18_reads_a_block_with_condition_code_0(pack):
    condition, code, guest = diag18(pack)
    assert (condition, code) == (0, 0)
    assert stored(guest, 0, 80) == RECORD_DATA


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ({"cylinder": MINIDISK_CYLINDERS}, (1, 4)),  # cylinder outside the minidisk
        ({"command": "X'05'", "read_only": True}, (1, 3)),  # a write on a read-only disk
        ({"count": 0}, (2, 8)),  # a byte count of zero
        ({"count": 2049}, (2, 9)),  # more than 2048 bytes
    ],
)
def test_diagnose_18_errors_are_vm370s_return_codes(pack, arguments, expected):
    condition, code, _ = diag18(pack, **arguments)
    assert (condition, code) == expected


def test_diagnose_18_on_a_device_that_is_not_there(pack):
    body = DIAG18.format(command="X'06'", count=80, cylinder=0)
    body = body.replace("LA    4,X'191'", "LA    4,X'192'")
    cp, guest, real, _ = run_guest(pack, body)
    assert (stored(guest, 0x100, 1)[0] >> 4) & 3 == 1
    assert int.from_bytes(stored(guest, 0x104, 4), "big") == 1


def test_diagnose_24_tells_a_console_from_a_minidisk(pack):
    body = """\
         L     4,MINUS1
         DC    X'83460024'          DIAG 4,6,X'24': the console
         STM   4,7,0(11)
         LA    4,X'191'
         DC    X'83460024'          the minidisk
         STM   4,7,X'10'(11)
         B     FINISH
MINUS1   DC    F'-1'
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    console = stored(guest, 0, 16)
    disk = stored(guest, 0x10, 16)
    assert int.from_bytes(console[0:4], "big") == 0x009
    assert console[8] == 0x80  # a terminal
    assert int.from_bytes(disk[0:4], "big") == 0x191
    assert disk[8] == 0x04 and disk[9] == 0x40  # DASD, a 2314
    assert disk[12] == 0x04  # the real device is DASD too


def test_diagnose_0c_gives_date_time_and_cpu_time(pack):
    body = """\
         LR    4,11
         DC    X'8340000C'          DIAG 4,0,X'0C'
         B     FINISH
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    record = stored(guest, 0, 32)
    date, clock = record[:8].decode("cp037"), record[8:16].decode("cp037")
    assert date[2] == "/" and date[5] == "/"
    assert clock[2] == ":" and clock[5] == ":"
    assert int.from_bytes(record[16:24], "big") > 0


def test_diagnose_00_names_vm370_and_the_user(pack):
    body = """\
         LR    4,11
         LA    5,24
         DC    X'83450000'
         B     FINISH
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    record = stored(guest, 0, 24)
    assert record[:8].decode("cp037") == "VM/370  "
    assert record[16:24].decode("cp037") == "GUEST   "


def test_diagnose_04_is_refused_to_class_g(pack):
    body = """\
         MVC   X'68'(8),PROGNEW
         LR    4,11
         LA    5,1
         DC    X'83450004'
         B     FINISH
PROGCHK  MVC   0(4,11),X'28'     old PSW's code
         B     FINISH
         DS    0D
PROGNEW  DC    X'00000000',A(PROGCHK)
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    assert stored(guest, 2, 2) == b"\x00\x02"  # privileged-operation exception


def test_diagnose_10_releases_pages_to_zeros(pack):
    body = """\
         MVI   0(10),X'AB'
         LR    4,10
         LR    5,10
         DC    X'83450010'
         MVC   0(1,11),0(10)
         B     FINISH
FINISH   DS    0H
"""
    cp, guest, real, _ = run_guest(pack, body)
    assert stored(guest, 0, 1) == b"\x00"


def test_the_virtual_console_writes_a_line_to_the_users_terminal(pack):
    body = """\
         LA    2,X'009'
         LA    1,WRITE
         BAL   14,DOIO
         B     FINISH
WRITE    CCW   X'09',TEXT,X'20',L'TEXT
TEXT     DC    C'A LINE FROM THE GUEST'
FINISH   DS    0H
"""
    cp, guest, real, recorder = run_guest(pack, body)
    assert recorder.lines == ["A LINE FROM THE GUEST"]
    assert csw(guest)[4] == 0x0C


def test_two_guests_on_one_pack_see_only_their_own_extents(pack):
    cp, first, real, _ = run_guest(pack, SEEK_SEARCH_READ.format(after="", cylinder=0))
    assert stored(first, 0, 80) == RECORD_DATA
    # A second minidisk right after the first: its cylinder 0 is real cylinder 8.
    machine = cp.machine
    second = cp.create_virtual_machine("OTHER", 64 * 1024)
    extent = Extent(MINIDISK_START + MINIDISK_CYLINDERS, 2, real.image.heads)
    disk = TranslatedDevice("2314", 0x130, real, extent, False, volser="USERS")
    second.devices[0x191] = disk
    second.channel.attach(0x191, disk)
    result = assemble(PROLOGUE + SEEK_SEARCH_READ.format(after="", cylinder=0) + EPILOGUE)
    image = bytearray(64 * 1024)
    load([result.object_deck], image, ORIGIN)
    cp.load("OTHER", 0, bytes(image))
    cp.set_psw("OTHER", ORIGIN)
    cp.supervisor.run(400_000)
    assert machine is cp.machine
    assert stored(second, 0, 80) == bytes((MINIDISK_START + MINIDISK_CYLINDERS,)) * 80

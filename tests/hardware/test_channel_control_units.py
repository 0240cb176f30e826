"""Control units: which devices share one, control unit busy, control unit end."""

import pytest
from channel_programs import ChannelRig, ccw

from vm370.hardware.devices import (
    BUSY,
    CHANNEL_END,
    CONTROL_UNIT_END,
    DEVICE_END,
    STATUS_MODIFIER,
    CCWResult,
    Device,
)
from vm370.hardware.devices.card2540 import CardPunch2540, CardReader2540
from vm370.hardware.devices.dasd import Dasd2311, Dasd2314
from vm370.hardware.devices.display3277 import Display3277
from vm370.hardware.devices.printer1403 import Printer1403

CE_DE = CHANNEL_END | DEVICE_END
WRITE = 0x01
ERASE_WRITE = 0x05
WCC_AND_TEXT = bytes.fromhex("C3C8C5D3D3D6")  # WCC, then HELLO


class Slow(Device):
    """A test device whose every command ends 1000 instructions after it starts."""

    device_type = "TEST"

    def execute(self, command, data, count, chained):
        return CCWResult(CE_DE, count, delay=1000)


def two_displays() -> ChannelRig:
    rig = ChannelRig()
    rig.attach(0x0C0, Display3277())
    rig.attach(0x0C1, Display3277())
    return rig


def write_program(rig: ChannelRig, at: int = 0x200) -> None:
    rig.storage.write(0x1000, WCC_AND_TEXT)
    rig.program([ccw(ERASE_WRITE, 0x1000, 0, len(WCC_AND_TEXT))], at=at)


def test_displays_on_one_3272_share_it_and_the_2821_devices_each_have_their_own(tmp_path):
    rig = two_displays()
    rig.attach(0x0E0, Display3277())
    rig.attach(0x00C, CardReader2540())
    rig.attach(0x00D, CardPunch2540())
    rig.attach(0x00E, Printer1403(tmp_path / "listing.txt"))
    channels = rig.channels
    assert channels.control_unit(0x0C0) is channels.control_unit(0x0C1)
    assert channels.control_unit(0x0C0).name == "3272"
    assert channels.control_unit(0x0C0).address == 0x0C0
    assert channels.control_unit(0x0E0) is not channels.control_unit(0x0C0)  # C0-DF, E0-FF
    units = {channels.control_unit(address) for address in (0x00C, 0x00D, 0x00E)}
    assert len(units) == 3
    assert {unit.name for unit in units} == {"2821"}


def test_dasd_drives_share_a_control_unit_per_group_of_eight_addresses(tmp_path):
    from vm370.hardware.devices.ckd_image import create_image

    for name, kind in (("a", "2314"), ("b", "2314"), ("c", "2314"), ("d", "2311")):
        create_image(tmp_path / name, kind, cylinders=2)
    rig = ChannelRig()
    rig.attach(0x190, Dasd2314(tmp_path / "a"))
    rig.attach(0x197, Dasd2314(tmp_path / "b"))
    rig.attach(0x198, Dasd2314(tmp_path / "c"))
    rig.attach(0x191, Dasd2311(tmp_path / "d"))
    channels = rig.channels
    assert channels.control_unit(0x190) is channels.control_unit(0x197)
    assert channels.control_unit(0x198) is not channels.control_unit(0x190)
    assert channels.control_unit(0x191).name == "2841"  # a 2311 is never on a 2314's unit
    assert channels.control_unit(0x190).name == "2314"


def test_start_io_to_a_device_whose_control_unit_is_busy_then_control_unit_end():
    rig = two_displays()
    write_program(rig)
    assert rig.start_io(0x0C0) == 0
    write_program(rig, at=0x300)
    assert rig.start_io(0x0C1) == 1
    csw = rig.csw()
    assert (csw.unit_status, csw.channel_status, csw.address, csw.count) == (
        BUSY | STATUS_MODIFIER,
        0,
        0,
        0,
    )
    assert rig.channels.pending_csw(0x0C1) is None  # nothing owed until the unit frees
    rig.run_events()
    address, csw = rig.take_interrupt()
    assert (address, csw.unit_status) == (0x0C0, CE_DE)
    address, csw = rig.take_interrupt()
    assert address == 0x0C1
    assert (csw.unit_status, csw.channel_status, csw.address, csw.count) == (
        CONTROL_UNIT_END,
        0,
        0,
        0,
    )
    assert rig.take_interrupt() == (None, None)
    assert rig.start_io(0x0C1) == 0  # the program retries and now starts
    address, csw = rig.run_to_interrupt()
    assert (address, csw.unit_status) == (0x0C1, CE_DE)


def test_test_io_interrogates_the_busy_control_unit_too():
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    assert rig.channels.test_io(0x0C1) == 1
    assert rig.csw().unit_status == BUSY | STATUS_MODIFIER
    assert rig.channels.test_io(0x0C1) == 1  # asked twice, still one control unit end owed
    rig.run_events()
    rig.take_interrupt()
    address, csw = rig.take_interrupt()
    assert (address, csw.unit_status) == (0x0C1, CONTROL_UNIT_END)
    assert rig.take_interrupt() == (None, None)
    assert rig.channels.test_io(0x0C1) == 0


def test_no_control_unit_end_when_the_program_never_met_the_busy_unit():
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    rig.run_events()
    assert rig.take_interrupt()[0] == 0x0C0
    assert rig.take_interrupt() == (None, None)
    assert rig.channels.test_io(0x0C1) == 0


def test_control_unit_end_waits_for_the_interruption_of_the_device_it_worked_for():
    """The owed device may take its interruption only after the working one's (order kept)."""
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    rig.start_io(0x0C1)
    rig.run_events()
    order = [rig.take_interrupt()[0], rig.take_interrupt()[0]]
    assert order == [0x0C0, 0x0C1]


def test_halt_io_ending_the_busy_program_frees_the_control_unit():
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    assert rig.start_io(0x0C1) == 1
    rig.channels.halt_io(0x0C0)
    pending = rig.channels.pending_csw(0x0C1)
    assert pending is not None and pending[4] == CONTROL_UNIT_END


def test_system_reset_forgets_the_control_unit_end_owed():
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    rig.start_io(0x0C1)
    rig.channels.reset()
    rig.run_events()
    assert rig.take_interrupt() == (None, None)


def test_addresses_given_one_control_unit_share_it():
    rig = ChannelRig()
    rig.channels.attach(0x050, Slow())
    rig.channels.attach(0x0A0, Slow(), control_unit=0x050)
    rig.channels.attach(0x0B0, Slow())
    rig.program([ccw(0x01, 0x1000, 0, 4)])
    assert rig.start_io(0x050) == 0
    assert rig.start_io(0x0A0) == 1
    assert rig.csw().unit_status == BUSY | STATUS_MODIFIER
    assert rig.start_io(0x0B0) == 0  # its own control unit: the multiplexer runs both
    rig.run_events()
    interruptions = {rig.take_interrupt()[0] for _ in range(3)}
    assert interruptions == {0x050, 0x0A0, 0x0B0}
    assert rig.channels.control_unit(0x0A0).address == 0x050


def test_a_control_unit_on_another_channel_is_refused():
    rig = ChannelRig()
    with pytest.raises(ValueError, match="not on channel 1"):
        rig.channels.attach(0x190, Slow(), control_unit=0x050)
    assert rig.start_io(0x190) == 3  # nothing was attached


def test_on_a_selector_channel_the_busy_channel_answers_first():
    """cc 2 (channel working) comes before the control unit is interrogated: no CUE owed."""
    rig = ChannelRig()
    rig.channels.attach(0x150, Slow())
    rig.channels.attach(0x151, Slow(), control_unit=0x150)
    rig.program([ccw(0x01, 0x1000, 0, 4)])
    rig.start_io(0x150)
    assert rig.start_io(0x151) == 2
    rig.run_events()
    assert rig.take_interrupt()[0] == 0x150
    assert rig.take_interrupt() == (None, None)


def test_detaching_the_working_device_frees_its_control_unit():
    rig = two_displays()
    write_program(rig)
    rig.start_io(0x0C0)
    rig.start_io(0x0C1)
    rig.channels.detach(0x0C0)
    address, csw = rig.take_interrupt()
    assert (address, csw.unit_status) == (0x0C1, CONTROL_UNIT_END)
    rig.channels.detach(0x0C1)
    assert rig.channels.control_units == {}


def test_a_seek_frees_its_control_unit_at_channel_end_while_the_arm_still_moves(tmp_path):
    from vm370.hardware.devices.ckd_image import create_image

    for name in ("a", "b"):
        create_image(tmp_path / name, "2314", cylinders=2)
    rig = ChannelRig()
    rig.attach(0x090, Dasd2314(tmp_path / "a"))  # on the multiplexer, to reach the control unit
    rig.attach(0x091, Dasd2314(tmp_path / "b"))
    rig.storage.write(0x1000, bytes.fromhex("000000010000"))  # cylinder 1, head 0
    rig.program([ccw(0x07, 0x1000, 0, 6)])
    assert rig.start_io(0x090) == 0
    assert rig.start_io(0x091) == 1  # the seek's data transfer keeps the 2314 unit busy
    assert rig.csw().unit_status == BUSY | STATUS_MODIFIER
    address, csw = rig.run_to_interrupt()
    assert (address, csw.unit_status) == (0x090, CHANNEL_END)
    address, csw = rig.take_interrupt()
    assert (address, csw.unit_status) == (0x091, CONTROL_UNIT_END)
    assert rig.channels.is_busy(0x090)  # device end is still to come
    rig.program([ccw(0x07, 0x1000, 0, 6)])
    assert rig.start_io(0x091) == 0  # the control unit is free for the other drive


def test_a_program_meets_the_busy_3272_takes_control_unit_end_and_retries():
    from vm370.hardware.machine import Machine

    machine = Machine()
    machine.attach(0x0C0, Display3277())
    machine.attach(0x0C1, Display3277())
    machine.load(0x48, bytes.fromhex("00000300"))  # CAW
    machine.load(0x78, bytes.fromhex("0000000000000600"))  # I/O new PSW: the handler
    machine.load(0x300, ccw(ERASE_WRITE, 0x1000, 0, len(WCC_AND_TEXT)))
    machine.load(0x1000, WCC_AND_TEXT)
    machine.load(0x700, bytes.fromhex("FE02000000000000"))  # enabled wait
    machine.load(0x708, bytes.fromhex("00020000000000AA"))  # disabled wait: done
    program = [
        "9C0000C0",  # SIO   X'0C0'
        "9C0000C1",  # SIO   X'0C1'           the 3272 works for 0C0
        "0530",  # BALR  3,0              condition code into R3
        "50300508",  # ST    3,X'508'
        "D20705000040",  # MVC   X'500'(8),X'40'  the CSW it stored
        "41100510",  # LA    1,X'510'         log of interruptions
        "41200002",  # LA    2,2
        "82000700",  # LPSW  X'700'
    ]
    handler = [
        "D2011000003A",  # MVC   0(2,1),X'3A'     device address from the I/O old PSW
        "D20110020044",  # MVC   2(2,1),X'44'     unit and channel status from the CSW
        "41101004",  # LA    1,4(1)
        "46200630",  # BCT   2,X'630'
        "9C0000C1",  # SIO   X'0C1'           the retry
        "0540",  # BALR  4,0
        "5040050C",  # ST    4,X'50C'
        "82000708",  # LPSW  X'708'
    ]
    machine.load(0x400, bytes.fromhex("".join(program)))
    machine.load(0x600, bytes.fromhex("".join(handler)))
    machine.load(0x630, bytes.fromhex("82000700"))  # LPSW X'700': wait for the next one
    machine.set_psw(0x0000000000000400)
    assert machine.run(100_000) == "disabled-wait"
    assert machine.storage.read(0x508, 1) == b"\x50"  # ILC 1, condition code 1
    assert machine.storage.read(0x500, 8) == bytes.fromhex("0000000050000000")  # busy, SM
    log = machine.storage.read(0x510, 8)
    assert log == bytes.fromhex("00C00C0000C12000")  # CE DE on 0C0, then CUE on 0C1
    assert machine.storage.read(0x50C, 1) == b"\x40"  # the retry started: condition code 0

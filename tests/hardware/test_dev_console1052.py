"""1052 console: typing out, reading typed lines, request key, no operator."""

import io

from channel_programs import ChannelRig, ccw

from vm370.hardware.channel import INCORRECT_LENGTH, SUPPRESS_LENGTH
from vm370.hardware.devices import ATTENTION, CHANNEL_END, DEVICE_END, UNIT_CHECK
from vm370.hardware.devices.codepage import printable, to_ebcdic
from vm370.hardware.devices.console1052 import Console1052

CE_DE = CHANNEL_END | DEVICE_END


def run(rig, program):
    rig.program(program)
    cc = rig.start_io(0x01F)
    if cc == 1:
        return rig.csw()
    _, csw = rig.run_to_interrupt()
    return csw


def test_write_with_and_without_carrier_return():
    out = io.StringIO()
    rig = ChannelRig()
    rig.attach(0x01F, Console1052(output_stream=out))
    rig.storage.write(0x1000, to_ebcdic("READY; "))
    rig.storage.write(0x1100, to_ebcdic("T=0.01"))
    # X'01' types and leaves the carrier where it stopped; X'09' returns it
    # after the line (2150/1052 command codes).
    run(rig, [ccw(0x01, 0x1000, 0x40, 7), ccw(0x09, 0x1100, 0, 6)])
    assert out.getvalue() == "READY; T=0.01\n"


def test_write_09_returns_the_carrier_and_write_01_does_not():
    out = io.StringIO()
    rig = ChannelRig()
    rig.attach(0x01F, Console1052(output_stream=out))
    rig.storage.write(0x1000, to_ebcdic("LINE"))
    run(rig, [ccw(0x09, 0x1000, 0x40, 4), ccw(0x09, 0x1000, 0x40, 4), ccw(0x01, 0x1000, 0, 4)])
    assert out.getvalue() == "LINE\nLINE\nLINE"


def test_read_takes_a_typed_line_and_echoes_it():
    out = io.StringIO()
    rig = ChannelRig()
    console = Console1052(io.StringIO("from the stream\n"), out)
    console.type_line("logon maint")
    rig.attach(0x01F, console)
    csw = run(rig, [ccw(0x0A, 0x1000, SUPPRESS_LENGTH, 130)])
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert csw.count == 130 - 11
    assert printable(rig.storage.read(0x1000, 11)) == "logon maint"
    csw = run(rig, [ccw(0x0A, 0x1000, 0, 130)])
    assert csw.channel_status == INCORRECT_LENGTH
    assert printable(rig.storage.read(0x1000, 15)) == "from the stream"
    assert out.getvalue() == "logon maint\nfrom the stream\n"


def test_read_with_no_operator_input_is_intervention_required():
    rig = ChannelRig()
    rig.attach(0x01F, Console1052(io.StringIO(""), io.StringIO()))
    csw = run(rig, [ccw(0x0A, 0x1000, SUPPRESS_LENGTH, 80)])
    assert csw.unit_status & UNIT_CHECK
    run(rig, [ccw(0x04, 0x1100, 0, 1)])
    assert rig.storage.read(0x1100, 1) == b"\x40"


def test_request_key_raises_attention():
    rig = ChannelRig()
    console = rig.attach(0x01F, Console1052(output_stream=io.StringIO()))
    console.press_request()
    address, csw = rig.take_interrupt()
    assert address == 0x01F and csw.unit_status == ATTENTION


def test_console_to_a_file(tmp_path):
    out = tmp_path / "console.log"
    console = Console1052.from_spec(str(out))
    rig = ChannelRig()
    rig.attach(0x01F, console)
    rig.storage.write(0x1000, to_ebcdic("LOGGED"))
    run(rig, [ccw(0x09, 0x1000, 0, 6)])
    console.close()
    assert out.read_text() == "LOGGED\n"

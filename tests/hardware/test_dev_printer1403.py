"""1403 printer: carriage control and the text file it writes."""

import io

from channel_programs import ChannelRig, ccw

from vm370.hardware.channel import CHAIN_COMMAND, INCORRECT_LENGTH, SUPPRESS_LENGTH
from vm370.hardware.devices import CHANNEL_END, DEVICE_END, UNIT_CHECK, UNIT_EXCEPTION
from vm370.hardware.devices.codepage import to_ebcdic
from vm370.hardware.devices.printer1403 import Printer1403

CE_DE = CHANNEL_END | DEVICE_END
CC_SLI = CHAIN_COMMAND | SUPPRESS_LENGTH


def print_lines(rig, printer_program):
    rig.program(printer_program)
    cc = rig.start_io(0x00E)
    if cc == 1:
        return rig.csw()
    _, csw = rig.run_to_interrupt()
    return csw


def make_rig(stream=None):
    rig = ChannelRig()
    printer = Printer1403(stream=stream or io.StringIO())
    rig.attach(0x00E, printer)
    rig.storage.write(0x1000, to_ebcdic("FIRST LINE"))
    rig.storage.write(0x1100, to_ebcdic("SECOND"))
    rig.storage.write(0x1200, to_ebcdic("      ___"))
    return rig, printer


def test_write_and_space_lines_with_blank_lines_between():
    rig, printer = make_rig()
    csw = print_lines(
        rig,
        [
            ccw(0x11, 0x1000, CC_SLI, 10),  # space 2 after
            ccw(0x09, 0x1100, SUPPRESS_LENGTH, 6),  # space 1 after
        ],
    )
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert printer.text() == "FIRST LINE\n\nSECOND\n"


def test_skip_to_channel_1_starts_a_new_page_with_a_form_feed(tmp_path):
    out = tmp_path / "listing.txt"
    rig = ChannelRig()
    printer = Printer1403(out)
    rig.attach(0x00E, printer)
    rig.storage.write(0x1000, to_ebcdic("PAGE ONE"))
    rig.storage.write(0x1100, to_ebcdic("PAGE TWO"))
    print_lines(
        rig,
        [
            ccw(0x09, 0x1000, CC_SLI, 8),
            ccw(0x89, 0x1000, CC_SLI, 8),  # print, then skip to channel 1
            ccw(0x09, 0x1100, SUPPRESS_LENGTH, 8),
        ],
    )
    printer.close()
    assert out.read_text() == "PAGE ONE\nPAGE ONE\n\fPAGE TWO\n"


def test_write_without_spacing_overprints_the_next_line():
    rig, printer = make_rig()
    print_lines(
        rig,
        [ccw(0x01, 0x1000, CC_SLI, 10), ccw(0x09, 0x1200, SUPPRESS_LENGTH, 9)],
    )
    assert printer.text() == "FIRST ___E\n"


def test_immediate_space_alone_is_cc1_then_device_end():
    rig, printer = make_rig()
    rig.program([ccw(0x1B, 0, SUPPRESS_LENGTH, 1)])  # space 3 immediately
    assert rig.start_io(0x00E) == 1
    assert rig.csw().unit_status == CHANNEL_END
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == DEVICE_END
    assert printer.text() == "\n\n\n"


def test_spacing_past_channel_12_gives_unit_exception():
    rig, printer = make_rig()
    program = [ccw(0x09, 0x1000, CC_SLI, 10)] * 58 + [ccw(0x09, 0x1000, SUPPRESS_LENGTH, 10)]
    csw = print_lines(rig, program)
    assert csw.unit_status == CE_DE | UNIT_EXCEPTION
    assert printer.line == 60
    assert printer.text().count("FIRST LINE") == 59


def test_line_longer_than_132_is_cut_with_incorrect_length():
    rig, printer = make_rig()
    rig.storage.write(0x2000, to_ebcdic("Z" * 140))
    csw = print_lines(rig, [ccw(0x09, 0x2000, 0, 140)])
    assert csw.channel_status == INCORRECT_LENGTH
    assert printer.text() == "Z" * 132 + "\n"


def test_skip_to_a_channel_not_punched_in_the_tape_is_refused():
    rig, printer = make_rig()
    csw = print_lines(rig, [ccw(0x93, 0, SUPPRESS_LENGTH, 1)])  # skip to channel 2
    assert csw.unit_status & UNIT_CHECK
    assert printer.text() == ""


def test_read_command_is_rejected():
    rig, _ = make_rig()
    csw = print_lines(rig, [ccw(0x02, 0x1000, 0, 10)])
    assert csw.unit_status & UNIT_CHECK


def test_write_with_an_unknown_carriage_modifier_is_rejected_before_printing():
    rig, printer = make_rig()
    csw = print_lines(rig, [ccw(0x21, 0x1000, SUPPRESS_LENGTH, 10)])  # modifier 4: no such
    assert csw.unit_status & UNIT_CHECK
    csw = print_lines(rig, [ccw(0x91, 0x1000, SUPPRESS_LENGTH, 10)])  # skip to channel 2
    assert csw.unit_status & UNIT_CHECK
    printer.close()
    assert printer.text() == ""

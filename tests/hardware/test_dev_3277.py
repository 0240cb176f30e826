"""3277 display: channel commands, attention from the terminal side, the port's threads."""

import threading
import time

import pytest
from channel_programs import ChannelRig, ccw
from terminal_host import Terminal

from vm370.hardware.channel import INCORRECT_LENGTH, SUPPRESS_LENGTH
from vm370.hardware.devices import (
    ATTENTION,
    CHANNEL_END,
    DEVICE_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_CHECK,
    DeviceError,
    create_device,
)
from vm370.hardware.devices.display3277 import (
    MAX_PENDING_INBOUND,
    Display3277,
    InboundOverflowError,
    PortBusyError,
    TerminalPort,
)
from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_PA2,
    MODELS,
    encode_address,
)

CE_DE = CHANNEL_END | DEVICE_END
SF, SBA, IC = 0x1D, 0x11, 0x13


def e(text: str) -> bytes:
    return text.encode("cp037")


def run(rig, program):
    rig.program(program)
    cc = rig.start_io(0x0C0)
    if cc == 1:
        return rig.csw()
    _, csw = rig.run_to_interrupt()
    return csw


def rig_with_display(model: int = 2):
    rig = ChannelRig()
    device = rig.attach(0x0C0, Display3277(model))
    return rig, device


FORM = (
    bytes((0x02, SF, 0x60))  # WCC restore; protected label
    + e("NAME:")
    + bytes((SF, 0x40, IC))  # the input field at 7
    + bytes((SBA,))
    + encode_address(20)
    + bytes((SF, 0x60))
)


def test_erase_write_formats_the_buffer_and_goes_to_the_terminal():
    rig, device = rig_with_display()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    rig.storage.write(0x1000, FORM)
    csw = run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    assert (csw.unit_status, csw.channel_status, csw.count) == (CE_DE, 0, 0)
    assert device.display.row_text(0).startswith(" NAME: ")
    assert device.display.cursor == 7
    assert terminal.records[-1] == b"\x05" + FORM
    assert terminal.display.screen_text() == device.display.screen_text()


def test_write_adds_to_the_screen_and_erase_write_alternate_resizes():
    rig, device = rig_with_display(model=5)
    rig.storage.write(0x1000, FORM)
    rig.storage.write(0x1100, bytes((0x00, SBA)) + encode_address(80) + e("MORE"))
    run(rig, [ccw(0x05, 0x1000, 0x40, len(FORM)), ccw(0x01, 0x1100, 0, 8)])
    assert device.display.row_text(1).startswith("MORE")
    assert device.display.row_text(0).startswith(" NAME:")
    run(rig, [ccw(0x0D, 0x1000, 0, len(FORM))])
    assert (device.display.rows, device.display.columns) == (27, 132)


def test_an_aid_raises_attention_and_read_modified_returns_the_field():
    rig, device = rig_with_display()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    rig.storage.write(0x1000, FORM)
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    terminal.display.type_text("ADA")
    device.port.send(terminal, terminal.display.press_aid(AID_ENTER))
    assert device.poll() == 1
    address, csw = rig.take_interrupt()
    assert address == 0x0C0 and csw.unit_status == ATTENTION
    csw = run(rig, [ccw(0x06, 0x2000, SUPPRESS_LENGTH, 100)])
    assert csw.unit_status == CE_DE
    expected = bytes((AID_ENTER,)) + encode_address(10) + bytes((SBA,)) + encode_address(7)
    expected += e("ADA")
    assert rig.storage.read(0x2000, len(expected)) == expected
    assert csw.count == 100 - len(expected)


def test_read_buffer_returns_every_position_and_a_short_count_is_incorrect_length():
    rig, device = rig_with_display()
    rig.storage.write(0x1000, FORM)
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    csw = run(rig, [ccw(0x02, 0x2000, 0, 3 + 1920 + 3)])
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert rig.storage.read(0x2003, 2) == bytes((SF, 0x60))
    csw = run(rig, [ccw(0x02, 0x2000, 0, 100)])
    assert csw.channel_status & INCORRECT_LENGTH


def test_pa_and_clear_give_short_reads():
    rig, device = rig_with_display()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    rig.storage.write(0x1000, FORM)
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    device.port.send(terminal, terminal.display.press_aid(AID_PA2))
    device.poll()
    rig.take_interrupt()
    csw = run(rig, [ccw(0x06, 0x2000, SUPPRESS_LENGTH, 50)])
    assert csw.count == 49 and rig.storage.read(0x2000, 1) == bytes((AID_PA2,))
    terminal.display.restore_keyboard()
    device.port.send(terminal, terminal.display.press_aid(AID_CLEAR))
    device.poll()
    assert not device.display.formatted


def test_a_bad_data_stream_is_unit_check_with_operation_check():
    rig, device = rig_with_display()
    rig.storage.write(0x1000, bytes((0x00, SBA, 0x7F, 0x7F)))  # address 4095: off a 24x80 screen
    csw = run(rig, [ccw(0x01, 0x1000, 0, 4)])
    assert csw.unit_status & UNIT_CHECK
    run(rig, [ccw(0x04, 0x1100, 0, 1)])
    assert rig.storage.read(0x1100, 1) == b"\x01"


def test_select_nop_and_erase_all_unprotected_move_no_data():
    rig, device = rig_with_display()
    rig.storage.write(0x1000, FORM + e("XYZ"))
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM) + 3)])
    for command in (0x0B, 0x1B, 0x4B, 0x03, 0x0F):
        csw = run(rig, [ccw(command, 0x1000, 0, 1)])
        assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert device.display.characters[21:24] == e("XYZ")  # protected: kept
    assert device.display.characters[7:10] == bytes(3)


def test_an_unknown_command_is_command_reject():
    rig, device = rig_with_display()
    csw = run(rig, [ccw(0x09, 0x1000, 0, 1)])
    assert csw.unit_status & UNIT_CHECK
    run(rig, [ccw(0x04, 0x1100, 0, 1)])
    assert rig.storage.read(0x1100, 1) == b"\x80"


def test_registry_builds_a_3277_with_its_model():
    device = create_device("3277", "5")
    assert device.display.alternate == MODELS[5]
    with pytest.raises(DeviceError, match="model 7 does not exist"):
        create_device("3277", "7")
    with pytest.raises(DeviceError, match="not a number"):
        create_device("3277", "big")


def test_a_terminal_that_connects_late_gets_the_current_screen():
    rig, device = rig_with_display()
    rig.storage.write(0x1000, FORM)
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    assert terminal.display.screen_text() == device.display.screen_text()
    assert terminal.display.cursor == 7


def test_a_terminal_before_any_write_sees_the_device_address():
    rig, device = rig_with_display()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    assert "3277 0C0" in terminal.display.row_text(0)


def test_one_terminal_per_port_and_disconnect_frees_it():
    port = TerminalPort(0x0C0)
    first, second = Terminal(), Terminal()
    port.connect(first)
    with pytest.raises(PortBusyError):
        port.connect(second)
    port.disconnect(first)
    assert port.try_connect(second)
    port.drain()
    assert port.session is second


def test_records_from_a_disconnected_session_are_ignored():
    port = TerminalPort(0x0C0)
    terminal = Terminal()
    port.send(terminal, b"\x7d\x40\x40")
    assert port.drain() == []


def test_a_flood_of_records_is_refused():
    port = TerminalPort(0x0C0)
    terminal = Terminal()
    port.connect(terminal)
    with pytest.raises(InboundOverflowError):
        for _ in range(MAX_PENDING_INBOUND + 1):
            port.send(terminal, b"\x7d\x40\x40")


def test_detach_tells_the_session():
    rig, device = rig_with_display()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    rig.channels.detach(0x0C0)
    assert terminal.detached_reason == "the 3277 was detached"
    assert device.port.free


def test_sends_from_other_threads_are_all_delivered_in_order():
    port = TerminalPort(0x0C0)
    terminal = Terminal()
    port.connect(terminal)
    port.drain()
    received = []
    stop = threading.Event()

    def machine():
        while not stop.is_set() or port.pending:
            received.extend(port.drain())
            port.display.restore_keyboard()
            stop.wait(0.0005)

    thread = threading.Thread(target=machine)
    thread.start()
    for number in range(40):
        record = bytes((0xF1 + number % 9,)) + encode_address(0)
        while True:
            try:
                port.send(terminal, record)
                break
            except InboundOverflowError:
                time.sleep(0.0005)
    stop.set()
    thread.join(5)
    assert received == [0xF1 + number % 9 for number in range(40)]


def test_a_terminal_that_goes_away_leaves_a_blank_buffer_and_a_unit_check():
    rig, device = rig_with_display()
    first = Terminal()
    device.port.connect(first)
    device.poll()
    rig.storage.write(0x1000, FORM)
    run(rig, [ccw(0x05, 0x1000, 0, len(FORM))])
    device.port.disconnect(first)
    second = Terminal()
    device.port.connect(second)  # at once, before the machine took the first one's leaving
    device.poll()
    # Intervention required, as a 3277 switched off; what it showed is gone.
    address, csw = rig.take_interrupt()
    assert address == 0x0C0 and csw.unit_status & UNIT_CHECK
    csw = run(rig, [ccw(0x04, 0x2000, 0, 1)])
    assert rig.storage.read(0x2000, 1)[0] & SENSE_INTERVENTION_REQUIRED
    assert "NAME:" not in second.display.screen_text()
    assert "NAME:" not in device.display.screen_text()
    assert first.records and device.port.session is second
    # A session that merely connects and sends nothing raises no unit check.
    device.poll()
    assert rig.take_interrupt() == (None, None)

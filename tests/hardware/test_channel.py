"""The channel subsystem driven directly: SIO/TIO/HIO/TCH, chaining, checks, interruptions."""

import io

import pytest
from channel_programs import ChannelRig, ccw
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.channel import (
    CHAIN_COMMAND,
    CHAIN_DATA,
    CHANNEL_PCI,
    INCORRECT_LENGTH,
    PROGRAM_CHECK,
    PROGRAM_CONTROLLED_INTERRUPTION,
    PROTECTION_CHECK,
    SKIP,
    SUPPRESS_LENGTH,
    IPLError,
)
from vm370.hardware.devices import (
    ATTENTION,
    BUSY,
    CHANNEL_END,
    DEVICE_END,
    STATUS_MODIFIER,
    UNIT_CHECK,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
)
from vm370.hardware.devices.card2540 import CardPunch2540, CardReader2540, cards_from_text
from vm370.hardware.devices.codepage import printable, to_ebcdic
from vm370.hardware.devices.console1052 import Console1052

CE_DE = CHANNEL_END | DEVICE_END
PROGRAM = 0x200


def reader_with(*lines: str) -> CardReader2540:
    reader = CardReader2540()
    reader.load_cards(cards_from_text("\n".join(lines)))
    return reader


class Recorder(Device):
    """A test device: records commands, answers from a script."""

    device_type = "TEST"

    def __init__(self, answers=None):
        super().__init__()
        self.commands = []
        self.answers = answers or {}

    def execute(self, command, data, count, chained):
        self.commands.append((command, bytes(data), count, chained))
        answer = self.answers.get(command)
        if callable(answer):
            return answer(data, count)
        if answer is not None:
            return answer
        if command & 3 == 2:
            return CCWResult(CE_DE, 4, b"ABCD", delay=10)
        return CCWResult(CE_DE, count, delay=10)


def test_start_io_to_a_missing_device_gives_cc3():
    rig = ChannelRig()
    assert rig.start_io(0x00C) == 3
    assert rig.channels.test_io(0x00C) == 3
    assert rig.channels.halt_io(0x00C) == 3
    assert rig.channels.test_channel(0) == 3


def test_read_two_cards_with_command_chaining_interrupts_once_with_last_ccw_address():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("FIRST CARD", "SECOND CARD"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x02, 0x1050, 0, 80)])
    assert rig.start_io(0x00C) == 0
    assert rig.channels.test_io(0x00C) == 2  # working
    address, csw = rig.run_to_interrupt()
    assert address == 0x00C
    assert (csw.unit_status, csw.channel_status, csw.count) == (CE_DE, 0, 0)
    assert csw.address == PROGRAM + 16
    assert printable(rig.storage.read(0x1000, 10)) == "FIRST CARD"
    assert printable(rig.storage.read(0x1050, 11)) == "SECOND CARD"
    assert rig.channels.test_io(0x00C) == 0


def test_short_count_without_sli_gives_incorrect_length_and_stops_chaining():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("ABCDEFGH", "NEXT"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 4), ccw(0x02, 0x1050, 0, 80)])
    assert rig.start_io(0x00C) == 0
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == INCORRECT_LENGTH
    assert csw.address == PROGRAM + 8
    assert csw.count == 0
    assert printable(rig.storage.read(0x1000, 5)) == "ABCD\x00".replace("\x00", " ")
    assert rig.storage.read(0x1050, 1) == b"\x00"  # second CCW never ran


def test_sli_suppresses_incorrect_length_and_chaining_continues():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("ABCDEFGH", "NEXT"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND | SUPPRESS_LENGTH, 4), ccw(0x02, 0x1050, 0, 80)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == 0
    assert csw.address == PROGRAM + 16
    assert printable(rig.storage.read(0x1050, 4)) == "NEXT"


def test_long_count_reports_residual_and_incorrect_length():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("X"))
    rig.program([ccw(0x02, 0x1000, 0, 100)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.count == 20
    assert csw.channel_status == INCORRECT_LENGTH


def test_data_chaining_scatters_one_card_over_three_areas():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("0123456789" * 8))
    rig.program(
        [
            ccw(0x02, 0x1000, CHAIN_DATA, 10),
            ccw(0x00, 0x2000, CHAIN_DATA, 30),  # command code ignored in data chaining
            ccw(0x00, 0x3000, 0, 40),
        ]
    )
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert (csw.unit_status, csw.channel_status, csw.count) == (CE_DE, 0, 0)
    assert csw.address == PROGRAM + 24
    assert printable(rig.storage.read(0x1000, 10)) == "0123456789"
    assert printable(rig.storage.read(0x2000, 30)) == "0123456789" * 3
    assert printable(rig.storage.read(0x3000, 40)) == "0123456789" * 4


def test_data_chaining_through_a_tic():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A" * 80))
    rig.program([ccw(0x02, 0x1000, CHAIN_DATA, 40), ccw(0x08, 0x400, 0, 0)])
    rig.storage.write(0x400, ccw(0x02, 0x2000, 0, 40))
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == 0
    assert csw.address == 0x408
    assert printable(rig.storage.read(0x2000, 40)) == "A" * 40


def test_data_chaining_gathers_a_punched_card_from_two_areas():
    rig = ChannelRig()
    punch = CardPunch2540()
    rig.attach(0x00D, punch)
    rig.storage.write(0x1000, to_ebcdic("HELLO "))
    rig.storage.write(0x2000, to_ebcdic("WORLD"))
    rig.program([ccw(0x01, 0x1000, CHAIN_DATA, 6), ccw(0x01, 0x2000, SUPPRESS_LENGTH, 5)])
    rig.start_io(0x00D)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == 0
    assert printable(punch.punched[0]).rstrip() == "HELLO WORLD"


def test_skip_flag_reads_without_storing():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("SKIPPED", "KEPT"))
    rig.storage.write(0x1000, b"\xee" * 80)
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND | SKIP, 80), ccw(0x02, 0x2000, 0, 80)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == 0
    assert rig.storage.read(0x1000, 80) == b"\xee" * 80
    assert printable(rig.storage.read(0x2000, 4)) == "KEPT"


@pytest.mark.parametrize(
    "caw, reason",
    [(0x0100_0200, "CAW bits 4-7 not zero"), (0x0000_0204, "CCW not on a doubleword")],
)
def test_bad_caw_is_a_program_check_with_cc1(caw, reason):
    rig = ChannelRig()
    reader = rig.attach(0x00C, reader_with("X"))
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    rig.storage.write_word(72, caw)
    assert rig.start_io(0x00C) == 1, reason
    assert rig.csw().channel_status == PROGRAM_CHECK
    assert len(reader.hopper) == 1  # no card moved


@pytest.mark.parametrize(
    "program, what",
    [
        ([ccw(0x00, 0x1000, 0, 80)], "invalid command code"),
        ([ccw(0x02, 0x1000, 0, 0)], "zero count"),
        ([ccw(0x02, 0x1000, 0x01, 80)], "flag bits 37-39"),
        ([ccw(0x08, 0x208, 0, 0), ccw(0x02, 0x1000, 0, 80)], "TIC as the first CCW"),
    ],
)
def test_invalid_first_ccw_is_a_program_check_and_the_device_does_nothing(program, what):
    rig = ChannelRig()
    reader = rig.attach(0x00C, reader_with("X"))
    rig.program(program)
    assert rig.start_io(0x00C) == 1, what
    csw = rig.csw()
    assert csw.channel_status == PROGRAM_CHECK, what
    assert csw.unit_status == 0
    assert reader.cards_read == 0
    assert not rig.channels.interrupt_pending


def test_ccw_address_outside_storage_is_a_program_check():
    rig = ChannelRig(size=64 * 1024)
    rig.attach(0x00C, reader_with("X"))
    rig.storage.write_word(72, 0x20000)
    assert rig.start_io(0x00C) == 1
    assert rig.csw().channel_status == PROGRAM_CHECK


def test_program_check_on_a_chained_ccw_ends_the_chain_with_an_interruption():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("ONE", "TWO"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x02, 0x1050, 0, 0)])
    assert rig.start_io(0x00C) == 0
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROGRAM_CHECK
    assert csw.unit_status == CE_DE
    assert csw.address == PROGRAM + 16
    assert printable(rig.storage.read(0x1000, 3)) == "ONE"


def test_tic_to_tic_is_a_program_check():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("ONE", "TWO"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x08, 0x400, 0, 0)])
    rig.storage.write(0x400, ccw(0x08, 0x200, 0, 0))
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROGRAM_CHECK


def test_bad_data_chained_ccw_matters_only_when_the_device_reaches_it():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("Z" * 80))
    rig.program([ccw(0x02, 0x1000, CHAIN_DATA, 40), ccw(0x02, 0x2000, 0, 0)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROGRAM_CHECK
    assert csw.address == PROGRAM + 16
    assert printable(rig.storage.read(0x1000, 40)) == "Z" * 40


def test_read_into_storage_with_another_key_is_a_protection_check():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("P" * 80))
    rig.storage.set_key(0x1000, 0x30)
    rig.storage.set_key(0x1800, 0x50)  # the next 2K block belongs to someone else
    rig.program([ccw(0x02, 0x17D0, 0, 80)], key=3)
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROTECTION_CHECK
    assert csw.key == 3
    assert printable(rig.storage.read(0x17D0, 48)) == "P" * 48
    assert rig.storage.read(0x1800, 32) == bytes(32)
    assert csw.count == 80 - 48


def test_key_zero_stores_anywhere_and_matching_key_is_allowed():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("K" * 80, "L" * 80))
    rig.storage.set_key(0x1000, 0x70)
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x02, 0x1100, 0, 80)], key=7)
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == 0


def test_write_from_fetch_protected_storage_is_a_protection_check():
    rig = ChannelRig()
    console = Console1052(output_stream=io.StringIO())
    rig.attach(0x01F, console)
    rig.storage.write(0x1000, to_ebcdic("SECRET"))
    rig.storage.set_key(0x1000, 0x48)  # key 4, fetch protected
    rig.program([ccw(0x01, 0x1000, 0, 6)], key=2)
    rig.start_io(0x01F)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROTECTION_CHECK
    assert "SECRET" not in "".join(console.transcript)


def test_data_area_past_the_end_of_storage_is_a_program_check():
    rig = ChannelRig(size=64 * 1024)
    rig.attach(0x00C, reader_with("E" * 80))
    rig.program([ccw(0x02, 0xFFF0, 0, 80)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == PROGRAM_CHECK
    assert printable(rig.storage.read(0xFFF0, 16)) == "E" * 16


def test_immediate_command_alone_stores_the_csw_with_cc1():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("X"))
    rig.program([ccw(0x03, 0, 0, 1)])
    assert rig.start_io(0x00C) == 1
    csw = rig.csw()
    assert csw.unit_status == CE_DE
    assert csw.channel_status == 0  # no incorrect length for an immediate command
    assert not rig.channels.interrupt_pending


def test_immediate_command_with_chaining_goes_on_with_cc0():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("CARD"))
    rig.program([ccw(0x03, 0, CHAIN_COMMAND, 1), ccw(0x02, 0x1000, 0, 80)])
    assert rig.start_io(0x00C) == 0
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE
    assert printable(rig.storage.read(0x1000, 4)) == "CARD"


def test_device_end_after_channel_end_is_a_separate_interruption_and_device_is_busy():
    rig = ChannelRig()
    device = rig.attach(0x0E0, Recorder({0x13: CCWResult(CE_DE, 0, delay=500, immediate=True)}))
    rig.program([ccw(0x13, 0, 0, 1)])
    assert rig.start_io(0x0E0) == 1
    assert rig.csw().unit_status == CHANNEL_END
    assert rig.start_io(0x0E0) == 1
    assert rig.csw().unit_status == BUSY
    address, csw = rig.run_to_interrupt()
    assert address == 0x0E0 and csw.unit_status == DEVICE_END
    assert len(device.commands) == 1


def test_status_modifier_skips_the_next_ccw():
    rig = ChannelRig()
    device = rig.attach(0x190, Recorder({0x31: CCWResult(CE_DE | STATUS_MODIFIER, 5, delay=5)}))
    rig.program(
        [
            ccw(0x31, 0x1000, CHAIN_COMMAND, 5),
            ccw(0x08, 0x200, 0, 0),
            ccw(0x06, 0x2000, SUPPRESS_LENGTH, 10),
        ]
    )
    rig.start_io(0x190)
    _, csw = rig.run_to_interrupt()
    assert [command for command, *_ in device.commands] == [0x31, 0x06]
    assert csw.address == PROGRAM + 24


def test_unit_exception_stops_chaining():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("ONLY"))
    rig.program(
        [
            ccw(0x02, 0x1000, CHAIN_COMMAND, 80),
            ccw(0x02, 0x1050, CHAIN_COMMAND, 80),
            ccw(0x02, 0x10A0, 0, 80),
        ]
    )
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE | UNIT_EXCEPTION
    assert csw.address == PROGRAM + 16


def test_command_reject_gives_unit_check_and_sense_reports_it():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("X"))
    rig.program([ccw(0x01, 0x1000, 0, 80)])  # a reader cannot write
    assert rig.start_io(0x00C) == 1
    assert rig.csw().unit_status & UNIT_CHECK
    rig.program([ccw(0x04, 0x1000, 0, 1)])
    assert rig.start_io(0x00C) == 0
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE
    assert rig.storage.read(0x1000, 1) == b"\x80"


def test_pci_flag_makes_an_early_interruption_while_the_program_runs():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A", "B"))
    rig.program(
        [
            ccw(0x02, 0x1000, CHAIN_COMMAND | PROGRAM_CONTROLLED_INTERRUPTION, 80),
            ccw(0x02, 0x1050, 0, 80),
        ]
    )
    assert rig.start_io(0x00C) == 0
    assert rig.channels.interrupt_pending
    address, csw = rig.take_interrupt()
    assert address == 0x00C
    assert csw.channel_status == CHANNEL_PCI and csw.unit_status == 0
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE and csw.channel_status == 0


def test_pci_not_yet_taken_merges_into_the_final_status():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.program([ccw(0x02, 0x1000, PROGRAM_CONTROLLED_INTERRUPTION, 80)])
    rig.start_io(0x00C)
    rig.run_events()
    _, csw = rig.take_interrupt()
    assert csw.unit_status == CE_DE
    assert csw.channel_status == CHANNEL_PCI
    assert rig.take_interrupt() == (None, None)


def test_start_io_with_a_pending_interruption_stores_it_with_busy_and_clears_it():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A", "B"))
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    rig.start_io(0x00C)
    rig.run_events()
    assert rig.start_io(0x00C) == 1
    csw = rig.csw()
    assert csw.unit_status == CE_DE | BUSY
    assert not rig.channels.interrupt_pending
    assert rig.start_io(0x00C) == 0


def test_test_io_stores_and_clears_the_pending_interruption():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    rig.start_io(0x00C)
    rig.run_events()
    assert rig.channels.test_io(0x00C) == 1
    assert rig.csw().unit_status == CE_DE
    assert rig.channels.test_io(0x00C) == 0


def test_halt_io_ends_a_chain_early():
    rig = ChannelRig()
    reader = rig.attach(0x00C, reader_with("A", "B", "C"))
    rig.program(
        [
            ccw(0x02, 0x1000, CHAIN_COMMAND, 80),
            ccw(0x02, 0x1050, CHAIN_COMMAND, 80),
            ccw(0x02, 0x10A0, 0, 80),
        ]
    )
    rig.start_io(0x00C)
    assert rig.channels.halt_io(0x00C) == 1
    _, csw = rig.run_to_interrupt()
    assert csw.address == PROGRAM + 8
    assert reader.cards_read == 1
    assert rig.channels.halt_io(0x00C) == 1  # idle: nothing to halt


def test_halt_io_on_a_working_selector_channel_terminates_the_burst_with_cc2():
    rig = ChannelRig()
    device = rig.attach(0x190, Recorder())
    rig.attach(0x191, Recorder())
    rig.program([ccw(0x06, 0x1000, CHAIN_COMMAND, 4), ccw(0x06, 0x1000, 0, 4)])
    assert rig.start_io(0x190) == 0
    assert rig.channels.halt_io(0x191) == 2
    address, csw = rig.run_to_interrupt()
    assert address == 0x190 and csw.address == PROGRAM + 8
    assert len(device.commands) == 1
    assert rig.channels.halt_io(0x191) == 1


def test_halt_io_with_only_an_interruption_pending_gives_cc0():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    rig.start_io(0x00C)
    rig.run_events()
    assert rig.channels.halt_io(0x00C) == 0
    assert rig.channels.interrupt_pending


def test_test_channel_reports_pending_and_working_selector():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.attach(0x190, Recorder())
    rig.attach(0x191, Recorder())
    assert rig.channels.test_channel(0) == 0
    assert rig.channels.test_channel(2) == 3
    rig.program([ccw(0x06, 0x1000, 0, 4)])
    assert rig.start_io(0x190) == 0
    assert rig.channels.test_channel(1) == 2
    assert rig.start_io(0x191) == 2  # a selector channel works with one device at a time
    rig.run_events()
    assert rig.channels.test_channel(1) == 1
    rig.take_interrupt()
    assert rig.channels.test_channel(1) == 0


def test_multiplexer_channel_runs_devices_concurrently():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.attach(0x00D, CardPunch2540())
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    assert rig.start_io(0x00C) == 0
    rig.program([ccw(0x01, 0x1000, 0, 80)], at=0x300)
    assert rig.start_io(0x00D) == 0


def test_interruptions_follow_channel_masks_and_priority():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    rig.attach(0x190, Recorder())
    rig.program([ccw(0x06, 0x1000, 0, 4)])
    rig.start_io(0x190)
    rig.program([ccw(0x02, 0x1000, 0, 80)], at=0x300)
    rig.start_io(0x00C)
    rig.run_events()
    assert rig.take_interrupt(lambda channel: False) == (None, None)
    address, _ = rig.take_interrupt(lambda channel: channel == 1)
    assert address == 0x190
    rig.program([ccw(0x06, 0x1000, 0, 4)])
    rig.start_io(0x190)
    rig.run_events()
    address, _ = rig.take_interrupt()
    assert address == 0x00C  # channel 0 before channel 1
    address, _ = rig.take_interrupt()
    assert address == 0x190


def test_attention_from_a_device_is_an_interruption_with_a_zero_csw():
    rig = ChannelRig()
    console = rig.attach(0x01F, Console1052(output_stream=io.StringIO()))
    console.press_request()
    address, csw = rig.take_interrupt()
    assert address == 0x01F
    assert (csw.unit_status, csw.address, csw.count) == (ATTENTION, 0, 0)


def test_reset_clears_programs_and_interruptions():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A", "B"))
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x02, 0x1050, 0, 80)])
    rig.start_io(0x00C)
    rig.channels.reset()
    rig.run_events()
    assert not rig.channels.interrupt_pending
    assert rig.channels.test_io(0x00C) == 0


def test_attach_twice_and_detach():
    rig = ChannelRig()
    rig.attach(0x00C, reader_with("A"))
    with pytest.raises(ValueError, match="already attached"):
        rig.attach(0x00C, reader_with("B"))
    rig.channels.detach(0x00C)
    assert rig.start_io(0x00C) == 3


def test_ipl_from_the_card_reader_loads_the_deck_and_stores_the_device_address():
    rig = ChannelRig()
    psw = bytes.fromhex("0000000000000400")
    chain = ccw(0x02, 0x400, CHAIN_COMMAND | SUPPRESS_LENGTH, 80) + ccw(0x02, 0x450, 0x20, 80)
    first = (psw + chain).ljust(80, b"\x00")
    reader = CardReader2540()
    reader.load_cards([first, b"\x47\xf0" + bytes(78), b"\x12" * 80])
    rig.attach(0x00C, reader)
    rig.channels.ipl(0x00C)
    assert rig.storage.read(0, 2) == b"\x00\x00"
    assert rig.storage.read(2, 2) == b"\x00\x0c"
    assert rig.storage.read(0x400, 2) == b"\x47\xf0"
    assert rig.storage.read(0x450, 80) == b"\x12" * 80
    assert not rig.channels.interrupt_pending


def test_ipl_with_no_device_or_an_empty_reader_raises_ipl_error():
    rig = ChannelRig()
    with pytest.raises(IPLError, match="no device"):
        rig.channels.ipl(0x00C)
    rig.attach(0x00C, CardReader2540())
    with pytest.raises(IPLError, match="unit status"):
        rig.channels.ipl(0x00C)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
    sli=st.booleans(),
)
def test_data_chaining_any_split_delivers_the_card_in_order(counts, sli):
    rig = ChannelRig()
    card = bytes(range(0x40, 0x40 + 80))
    reader = CardReader2540()
    reader.load_cards([card])
    rig.attach(0x00C, reader)
    program = []
    for index, count in enumerate(counts):
        last = index == len(counts) - 1
        flags = (SUPPRESS_LENGTH if sli else 0) if last else CHAIN_DATA
        program.append(ccw(0x02, 0x1000 + 0x100 * index, flags, count))
    rig.program(program)
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    total = sum(counts)
    delivered = b"".join(
        rig.storage.read(0x1000 + 0x100 * i, count) for i, count in enumerate(counts)
    )
    moved = min(total, 80)
    assert delivered[:moved] == card[:moved]
    # The CCW current when the card ended: the channel fetches the next
    # data-chained CCW as soon as a count runs out.
    ends = [sum(counts[: i + 1]) for i in range(len(counts))]
    last = len(counts) - 1
    current = next((i for i, end in enumerate(ends) if end > 80), last)
    # SLI counts only in a CCW without CD: ending early in a chained one is always IL.
    expect_il = total != 80 and (not sli or current != last)
    assert bool(csw.channel_status & INCORRECT_LENGTH) == expect_il
    assert csw.address == PROGRAM + 8 * current + 8
    assert csw.count == max(0, ends[current] - 80)


@settings(max_examples=150, deadline=None)
@given(
    program=st.lists(
        st.tuples(
            st.integers(0, 255),
            st.integers(0, 0x10FFF),
            st.sampled_from([0, 0x80, 0x40, 0x20, 0x10, 0x08, 0x60, 0xC0, 0x01]),
            st.integers(0, 0x1FFF),
        ),
        min_size=1,
        max_size=8,
    ),
    target=st.sampled_from([0x00C, 0x00D, 0x00E, 0x01F]),
    key=st.integers(0, 15),
)
def test_any_channel_program_ends_in_architected_status_never_an_exception(program, target, key):
    from vm370.hardware.devices.printer1403 import Printer1403

    rig = ChannelRig(size=64 * 1024)
    rig.attach(0x00C, reader_with("CARD 1", "CARD 2"))
    rig.attach(0x00D, CardPunch2540())
    rig.attach(0x00E, Printer1403(stream=io.StringIO()))
    console = Console1052(io.StringIO("typed\n"), io.StringIO())
    rig.attach(0x01F, console)
    rig.storage.set_key(0x1000, 0x50)
    rig.program([ccw(*fields) for fields in program], key=key)
    cc = rig.start_io(target)
    assert cc in (0, 1)
    if cc == 0:
        rig.run_events(limit=5000)
        rig.channels.halt_io(target)
        address, csw = rig.take_interrupt()
        while address is not None and not csw.unit_status & CHANNEL_END:
            address, csw = rig.take_interrupt()  # a PCI or a device end first
    assert not rig.channels.is_busy(target) or rig.channels.test_io(target) in (1, 2)

"""2540 reader and punch: decks from host files, end of deck, punching to files."""

import pytest
from channel_programs import ChannelRig, ccw

from vm370.hardware.channel import CHAIN_COMMAND, INCORRECT_LENGTH
from vm370.hardware.devices import CHANNEL_END, DEVICE_END, UNIT_CHECK, UNIT_EXCEPTION
from vm370.hardware.devices.card2540 import (
    CardPunch2540,
    CardReader2540,
    DeckError,
    read_deck,
)
from vm370.hardware.devices.codepage import printable, to_ebcdic

CE_DE = CHANNEL_END | DEVICE_END


def test_text_deck_becomes_80_column_ebcdic_cards(tmp_path):
    deck = tmp_path / "deck.txt"
    deck.write_text("HELLO\n\n" + "X" * 80 + "\n")
    cards = read_deck(deck)
    assert len(cards) == 3
    assert cards[0] == to_ebcdic("HELLO".ljust(80))
    assert cards[1] == b"\x40" * 80
    assert cards[2] == b"\xe7" * 80


def test_card_image_deck_is_read_as_is(tmp_path):
    deck = tmp_path / "deck.bin"
    images = bytes([0x02]) + to_ebcdic("TXT") + bytes(76) + b"\xc1" * 80
    deck.write_bytes(images)
    assert read_deck(deck) == [images[:80], images[80:]]


def test_text_line_longer_than_80_columns_is_refused_with_its_line_number(tmp_path):
    deck = tmp_path / "long.txt"
    deck.write_text("OK\n" + "Y" * 81 + "\n")
    with pytest.raises(DeckError, match="line 2 has 81 columns"):
        CardReader2540(deck)


def test_character_without_ebcdic_code_is_refused(tmp_path):
    deck = tmp_path / "euro.txt"
    deck.write_text("PRICE 5€\n")
    with pytest.raises(DeckError, match="line 1 column 8"):
        read_deck(deck)


def test_card_image_file_of_the_wrong_length_is_refused(tmp_path):
    deck = tmp_path / "bad.bin"
    deck.write_bytes(b"\x02" + bytes(100))
    with pytest.raises(DeckError, match="not a whole number of 80-byte card images"):
        read_deck(deck)


def test_missing_deck_is_refused(tmp_path):
    with pytest.raises(DeckError, match="does not exist"):
        CardReader2540(tmp_path / "nothing.txt")


def test_end_of_deck_gives_unit_exception_with_no_data(tmp_path):
    deck = tmp_path / "one.txt"
    deck.write_text("ONLY CARD\n")
    rig = ChannelRig()
    rig.attach(0x00C, CardReader2540(deck))
    rig.program([ccw(0x02, 0x1000, 0, 80)])
    assert rig.start_io(0x00C) == 0
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE
    assert printable(rig.storage.read(0x1000, 9)) == "ONLY CARD"
    rig.storage.write(0x1000, bytes(80))
    assert rig.start_io(0x00C) == 1
    assert rig.csw().unit_status == CE_DE | UNIT_EXCEPTION
    assert rig.csw().channel_status == 0
    assert rig.storage.read(0x1000, 80) == bytes(80)


def test_empty_reader_never_loaded_is_intervention_required():
    rig = ChannelRig()
    rig.attach(0x00C, CardReader2540())
    rig.program([ccw(0x02, 0x1000, CHAIN_COMMAND, 80), ccw(0x04, 0x1100, 0, 1)])
    assert rig.start_io(0x00C) == 1
    assert rig.csw().unit_status & UNIT_CHECK
    rig.program([ccw(0x04, 0x1100, 0, 1)])
    rig.start_io(0x00C)
    rig.run_to_interrupt()
    assert rig.storage.read(0x1100, 1) == b"\x40"


def test_feed_passes_a_card_without_reading_it():
    rig = ChannelRig()
    reader = CardReader2540()
    reader.load_cards([to_ebcdic("A".ljust(80)), to_ebcdic("B".ljust(80))])
    rig.attach(0x00C, reader)
    rig.program([ccw(0x23, 0, CHAIN_COMMAND, 1), ccw(0x02, 0x1000, 0, 80)])
    rig.start_io(0x00C)
    _, csw = rig.run_to_interrupt()
    assert csw.unit_status == CE_DE and csw.channel_status == 0
    assert printable(rig.storage.read(0x1000, 1)) == "B"


def test_punch_writes_text_lines_to_a_txt_file(tmp_path):
    out = tmp_path / "punch.txt"
    rig = ChannelRig()
    punch = CardPunch2540(out)
    rig.attach(0x00D, punch)
    rig.storage.write(0x1000, to_ebcdic("PUNCHED CARD"))
    rig.program([ccw(0x01, 0x1000, 0, 12)])
    rig.start_io(0x00D)
    _, csw = rig.run_to_interrupt()
    assert csw.channel_status == INCORRECT_LENGTH  # a card takes 80 columns
    punch.close()
    assert out.read_text() == "PUNCHED CARD\n"


def test_punch_writes_card_images_to_other_files(tmp_path):
    out = tmp_path / "deck.bin"
    rig = ChannelRig()
    punch = CardPunch2540(out)
    rig.attach(0x00D, punch)
    card = bytes(range(80))
    rig.storage.write(0x1000, card)
    rig.program([ccw(0x01, 0x1000, 0, 80)])
    rig.start_io(0x00D)
    _, csw = rig.run_to_interrupt()
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    punch.close()
    assert out.read_bytes() == card
    assert read_deck(out, "ebcdic") == [card]


def test_punch_to_an_unwritable_place_is_a_typed_error(tmp_path):
    from vm370.hardware.devices import DeviceError

    with pytest.raises(DeviceError, match="cannot open punch file"):
        CardPunch2540(tmp_path / "no" / "such" / "dir" / "out.bin")


def test_punch_from_the_command_line_needs_a_file():
    from vm370.hardware.devices import DeviceError, create_device

    with pytest.raises(DeviceError, match="needs a file"):
        create_device("2540P")

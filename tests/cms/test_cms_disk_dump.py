"""DISK DUMP and DISK LOAD on the bare machine: a file punched in VM/370's DISK DUMP card format
and read back from the reader onto another disk, checked card by card and with the host tools."""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.card2540 import CardPunch2540, CardReader2540
from vm370.hardware.devices.ckd_image import create_image

TEXT = "".join(f"line {number} of the notes\n" for number in range(40))
BINARY_RECORDS = [bytes([n % 256]) * 100 for n in range(10)]


def ebcdic(text: str) -> bytes:
    return text.encode("cp037")


@pytest.fixture
def source_disk(tmp_path):
    """NOTES MEMO (V, 40 records: 1,120 bytes, two blocks) and BYTES DATA A3 (F 100)."""
    path = create_image(tmp_path / "source.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "SRC191")
        disk.write("NOTES", "MEMO", text_to_records(TEXT, "V", None), "V")
        disk.write("BYTES", "DATA", BINARY_RECORDS, "F", 100, mode="A3")
    return path


@pytest.fixture
def empty_disk(tmp_path):
    path = create_image(tmp_path / "target.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        CMSDisk.format(device, "TGT191")
    return path


def dump(run_cms, disk, punch_path, *typed):
    run = run_cms(list(typed), disks={0x191: disk}, devices={0x00D: CardPunch2540(punch_path)})
    run.close()
    raw = punch_path.read_bytes()
    return run, [raw[index : index + 80] for index in range(0, len(raw), 80)]


def test_disk_dump_punches_the_data_blocks_and_an_end_card_with_the_fst(
    run_cms, source_disk, tmp_path
):
    run, cards = dump(run_cms, source_disk, tmp_path / "punch.bin", "disk dump notes memo")
    assert run.after("disk dump notes memo") == ["R;"]
    with opened(source_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        entry = disk.find("NOTES", "MEMO")
        data_blocks, _ = disk._chain(entry)
        contents = b"".join(disk.device.read_block(block) for block in data_blocks)
        fst_block = disk._fst_blocks[0]
        fst = disk.device.read_block(fst_block)[:40]
    # a V file: every data block whole, 16 cards each, then the end card
    assert entry.blocks == 2 and len(cards) == 2 * 16 + 1
    for number, card in enumerate(cards, start=1):
        assert card[:4] == b"\x02" + ebcdic("CMS")
        assert card[57:76] == ebcdic("NOTES   MEMO    A1 ")
        assert card[76:80] == ebcdic(f"{number:04d}")
    data_cards, end = cards[:-1], cards[-1]
    assert all(card[4:5] == ebcdic(" ") for card in data_cards)
    assert b"".join(card[5:55] for card in data_cards) == contents
    assert [int.from_bytes(card[55:57], "big") for card in data_cards] == [1] * 16 + [2] * 16
    assert end[4:5] == ebcdic("N")
    assert end[5:25] == fst[20:40] and end[25:55] == ebcdic(" " * 30)


def test_an_f_file_punches_only_the_pieces_its_records_reach(run_cms, source_disk, tmp_path):
    run, cards = dump(run_cms, source_disk, tmp_path / "punch.bin", "disk dump bytes data a")
    assert run.after("disk dump bytes data a") == ["R;"]
    # 10 records of 100 bytes: one block of 800 and 200 bytes, 4 pieces, of the second
    assert len(cards) == 16 + 4 + 1
    assert b"".join(card[5:55] for card in cards[:-1]) == b"".join(BINARY_RECORDS)
    assert cards[0][57:76] == ebcdic("BYTES   DATA    A3 ")


def test_disk_load_writes_the_files_of_the_deck_on_the_a_disk(
    run_cms, source_disk, empty_disk, tmp_path
):
    _, notes = dump(run_cms, source_disk, tmp_path / "notes.bin", "disk dump notes memo")
    _, data = dump(run_cms, source_disk, tmp_path / "data.bin", "disk dump bytes data")
    reader = CardReader2540()
    reader.load_cards(notes + data)
    run = run_cms(
        ["disk load", "type notes memo"], disks={0x191: empty_disk}, devices={0x00C: reader}
    )
    run.close()
    assert run.after("disk load")[:3] == ["NOTES    MEMO     A1", "BYTES    DATA     A3", "R;"]
    assert run.after("type notes memo")[:2] == ["line 0 of the notes", "line 1 of the notes"]
    with opened(empty_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == []
        assert [entry.fileid for entry in disk.files()] == ["NOTES MEMO A1", "BYTES DATA A3"]
        assert disk.get("NOTES MEMO") == TEXT.encode()
        loaded = disk.find("BYTES", "DATA")
        assert (loaded.recfm, loaded.lrecl, loaded.records) == ("F", 100, 10)
        assert disk.read("BYTES", "DATA") == BINARY_RECORDS


def test_disk_load_replaces_a_file_of_the_same_name(run_cms, source_disk, tmp_path):
    _, cards = dump(run_cms, source_disk, tmp_path / "notes.bin", "disk dump notes memo")
    with opened(source_disk, 0, 3) as device:
        CMSDisk.open(device).write("NOTES", "MEMO", text_to_records("old\n", "V", None), "V")
    reader = CardReader2540()
    reader.load_cards(cards)
    run = run_cms(["disk load"], disks={0x191: source_disk}, devices={0x00C: reader})
    run.close()
    assert run.after("disk load") == ["NOTES    MEMO     A1", "R;"]
    with opened(source_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == []
        assert disk.get("NOTES MEMO") == TEXT.encode()
        assert sorted(entry.fileid for entry in disk.files()) == ["BYTES DATA A3", "NOTES MEMO A1"]


def test_bad_decks_and_operands_say_so_and_leave_the_disk_as_it_was(
    run_cms, source_disk, empty_disk, tmp_path
):
    _, cards = dump(run_cms, source_disk, tmp_path / "notes.bin", "disk dump notes memo")
    typed = [
        "disk",
        "disk frob",
        "disk dump notes",
        "disk dump * memo",
        "disk dump nope memo",
        "disk dump notes memo a extra",
        "disk load now",
    ]
    run = run_cms(typed, disks={0x191: source_disk})
    run.close()
    assert run.after("disk")[:2] == ["DMSDSK047E NO FUNCTION SPECIFIED", "R(00024);"]
    assert run.after("disk frob")[:2] == ["DMSDSK014E INVALID FUNCTION FROB", "R(00024);"]
    assert run.after("disk dump notes")[:2] == [
        "DMSDSK054E INCOMPLETE FILEID SPECIFIED",
        "R(00024);",
    ]
    assert run.after("disk dump * memo")[:2] == ["DMSDSK062E INVALID '*' IN FILEID", "R(00020);"]
    assert run.after("disk dump nope memo")[:2] == [
        "DMSDSK002E FILE 'NOPE MEMO A' NOT FOUND",
        "R(00028);",
    ]
    assert run.after("disk dump notes memo a extra")[:2] == [
        "DMSDSK070E INVALID PARAMETER EXTRA",
        "R(00024);",
    ]
    assert run.after("disk load now")[:2] == ["DMSDSK070E INVALID PARAMETER NOW", "R(00024);"]

    decks = {
        "empty": [],
        "truncated": cards[:-1],
        "foreign": [ebcdic("NOT A DISK DUMP CARD").ljust(80, b"\x40"), *cards],
    }
    expected = {
        "empty": ["DMSDSK205W READER EMPTY OR NOT READY", "R(00008);"],
        "truncated": ["DMSDSK077E END CARD MISSING FROM INPUT DECK", "R(00032);"],
        "foreign": ["DMSDSK078E INVALID CARD IN INPUT DECK", "R(00032);"],
    }
    for name, deck in decks.items():
        reader = CardReader2540()
        reader.load_cards(deck)
        run = run_cms(["disk load"], disks={0x191: empty_disk}, devices={0x00C: reader})
        run.close()
        assert run.after("disk load")[:2] == expected[name], name
        with opened(empty_disk, 0, 3, read_only=True) as device:
            disk = CMSDisk.open(device)
            assert (disk.files(), disk.check()) == ([], []), name

"""Format, list, read, write and erase on CMS minidisks, checked against the raw image."""

from __future__ import annotations

from datetime import datetime

import pytest
from cms_disks import opened

from cms.filesystem import (
    CMSDisk,
    CMSError,
    DiskFullError,
    FileNotFound,
    binary_to_records,
    parse_fileid,
    records_to_text,
    text_to_records,
)
from vm370.hardware.devices.ckd_image import CKDImage

WHEN = datetime(1976, 8, 3, 14, 5)
CMS_EQ = bytes([0xC3, 0xD4, 0xE2, 0x7E])  # "CMS=" in EBCDIC


def raw_record(path, cylinder, head, record):
    image = CKDImage(path, read_only=True)
    try:
        track = image.read_track(cylinder, head)
        return next(r.data for r in track.records if r.record == record)
    finally:
        image.close()


def test_format_writes_label_mfd_and_one_empty_fst_block(formatted):
    label = raw_record(formatted, 2, 0, 3)  # the extent starts at cylinder 2
    assert label[:4] == CMS_EQ
    assert label[4:10] == "LABEL1".encode("cp037")
    assert label[10:] == bytes(790)
    mfd = raw_record(formatted, 2, 0, 4)
    assert mfd[0:4] == b"\x00\x05\xff\xff"  # FST block 5, end
    assert int.from_bytes(mfd[364:368], "big") == 400  # 10 cylinders of 40 blocks
    assert int.from_bytes(mfd[368:372], "big") == 5  # blocks 1-5 in use
    assert int.from_bytes(mfd[372:376], "big") == 395
    assert int.from_bytes(mfd[380:384], "big") == 10
    assert mfd[384:386] == b"\xf8\x00"  # bits for blocks 1-5
    assert mfd[599] == 0x01  # 2311
    assert raw_record(formatted, 2, 1, 1) == bytes(800)  # block 5: the empty FST block


def test_every_track_of_the_extent_is_formatted_and_nothing_outside(pack):
    path = pack("2311", 6)
    with opened(path, 1, 3) as device:
        CMSDisk.format(device, "x")
    image = CKDImage(path, read_only=True)
    try:
        for cylinder in range(6):
            counts = {len(image.read_track(cylinder, head).records) for head in range(10)}
            assert counts == ({5} if 1 <= cylinder <= 3 else {1})
    finally:
        image.close()


def test_open_reads_label_and_counts(formatted):
    with opened(formatted, 2, 10, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert (disk.label, disk.total_blocks, disk.blocks_used, disk.files()) == (
            "LABEL1",
            400,
            5,
            [],
        )


def test_fixed_text_round_trip_and_its_fst(formatted):
    lines = "         PRINT NOGEN\nHELLO    CSECT\n         END   HELLO\n"
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        disk.write("hello", "assemble", text_to_records(lines, "F", 80), "F", 80, written=WHEN)
    with opened(formatted, 2, 10, read_only=True) as device:
        disk = CMSDisk.open(device)
        (entry,) = disk.files()
        assert (entry.fileid, entry.recfm, entry.lrecl, entry.records, entry.blocks) == (
            "HELLO ASSEMBLE A1",
            "F",
            80,
            3,
            1,
        )
        assert entry.written == WHEN
        records = disk.read("HELLO", "ASSEMBLE")
        assert records[1] == "HELLO    CSECT".encode("cp037").ljust(80, b"\x40")
        assert records_to_text(records, "F") == lines
    # The FST on disk: new FST block 6 (block 5 kept the old directory).
    mfd = raw_record(formatted, 2, 0, 4)
    fst_block = int.from_bytes(mfd[0:2], "big")
    cylinder, rest = divmod(fst_block - 1, 40)
    fst = raw_record(formatted, 2 + cylinder, rest // 4, rest % 4 + 1)[:40]
    assert fst[0:16] == "HELLO   ASSEMBLE".encode("cp037")
    assert fst[16:20] == b"\x08\x03\x14\x05"  # packed MMDD HHMM
    assert fst[20:24] == b"\x00\x04\x00\x01"  # write pointer 4, read pointer 1
    assert fst[24:26] == "A1".encode("cp037")
    assert fst[26:28] == b"\x00\x03"
    assert fst[30:32] == b"\xc6\x00"  # "F", flags 0
    assert fst[32:40] == b"\x00\x00\x00\x50\x00\x01" + "76".encode("cp037")


def test_variable_records_keep_their_lengths(formatted):
    records = [b"\xc1", b"\xc2" * 300, b"\xc3" * 1000, b"\x00\x01\x02"]
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        entry = disk.write("V", "DATA", records, "V", written=WHEN)
        assert (entry.lrecl, entry.records, entry.blocks) == (1000, 4, 2)  # 1312 bytes
        assert CMSDisk.open(device).read("V", "DATA") == records


def test_a_record_of_65535_bytes(pack):
    path = pack("2314", 3)
    record = bytes(range(256)) * 255 + bytes(range(255))
    assert len(record) == 65535
    with opened(path, 0, 3) as device:
        CMSDisk.format(device, "BIG").write("HUGE", "REC", [record, b"\xc1"], "V")
        assert CMSDisk.open(device).read("HUGE", "REC") == [record, b"\xc1"]


def test_multi_block_file_uses_nth_chain_links(formatted):
    # 61+ data blocks need an Nth chain link: 150 blocks of 800-byte records.
    records = [bytes([n % 251]) * 800 for n in range(150)]
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        before = disk.blocks_used
        entry = disk.write("BIG", "FILE", records, "F", 800)
        assert entry.blocks == 150
        # data + FCL + one Nth link + the FST block (the old one is released)
        assert disk.blocks_used == before + 150 + 2
        reopened = CMSDisk.open(device)
        assert reopened.read("BIG", "FILE") == records
        assert reopened.check() == []


def test_many_files_fill_many_fst_blocks(pack):
    path = pack("2314", 4)
    with opened(path, 0, 4) as device:
        disk = CMSDisk.format(device, "MANY")
        for n in range(45):
            disk.write(f"F{n}", "TEXT", [f"FILE {n}".encode("cp037").ljust(80)], "F")
        mfd = device.read_block(4)
        assert mfd[6:8] == b"\xff\xff" and mfd[4:6] != b"\x00\x00"  # three FST blocks
        reopened = CMSDisk.open(device)
        assert [f.filename for f in reopened.files()] == [f"F{n}" for n in range(45)]
        assert reopened.read("F44", "TEXT")[0][:7] == "FILE 44".encode("cp037")
        assert reopened.check() == []


def test_large_disk_keeps_bitmap_in_extension_blocks(pack):
    # 20 cylinders of a 2314: 2800 blocks, a bitmap of 350 bytes (215 in the MFD).
    path = pack("2314", 20)
    with opened(path, 0, 20) as device:
        disk = CMSDisk.format(device, "LARGE")
        records = [b"\xc1" * 800] * 2000
        disk.write("FILL", "DATA", records, "F", 800)
        mfd = device.read_block(4)
        fst_block, sentinel, extension, end = (
            int.from_bytes(mfd[i : i + 2], "big") for i in range(0, 8, 2)
        )
        assert (sentinel, end) == (0xFFFD, 0xFFFF)
        bitmap_tail = device.read_block(extension)[: 350 - 215]
        reopened = CMSDisk.open(device)
        assert reopened.blocks_used == disk.blocks_used
        assert bitmap_tail.count(0xFF) > 0  # the blocks past 1720 are marked there
        assert reopened.read("FILL", "DATA") == records
        assert reopened.check() == []


def test_replace_frees_the_old_blocks(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        disk.write("A", "B", [b"\xc1" * 80] * 100, "F")
        used = disk.blocks_used
        disk.write("A", "B", [b"\xc2" * 80], "F")
        assert disk.blocks_used == used - 10 + 1
        reopened = CMSDisk.open(device)
        assert reopened.read("A", "B") == [b"\xc2" * 80]
        assert len(reopened.files()) == 1
        assert reopened.check() == []


def test_erase_returns_every_block(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        disk.write("KEEP", "ME", [b"\xc1" * 80], "F")
        used = disk.blocks_used
        disk.write("GO", "AWAY", [b"\xc1" * 80] * 700, "F")  # 70 blocks, an Nth link
        disk.erase("go", "away")
        assert disk.blocks_used == used
        reopened = CMSDisk.open(device)
        assert [f.filename for f in reopened.files()] == ["KEEP"]
        with pytest.raises(FileNotFound, match="GO AWAY not found"):
            reopened.read("GO", "AWAY")
        with pytest.raises(FileNotFound):
            reopened.erase("GO", "AWAY")


def test_mode_number_selects(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        disk.write("P", "Q", [b"\xc1"], "F", mode="B2")
        assert disk.find("P", "Q").mode == "B2"
        assert disk.find("P", "Q", "2").filename == "P"
        with pytest.raises(FileNotFound):
            disk.find("P", "Q", "1")


def test_disk_full_changes_nothing(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        disk.write("SMALL", "ONE", [b"\xc1" * 800] * 10, "F")
        with pytest.raises(DiskFullError, match="disk full"):
            disk.write("TOO", "BIG", [b"\xc1" * 800] * 390, "F")
        reopened = CMSDisk.open(device)
        assert [f.filename for f in reopened.files()] == ["SMALL"]
        assert reopened.blocks_used == disk.blocks_used
        assert reopened.check() == []


def test_a_disk_fills_up_to_the_block_the_old_directory_holds(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        # 400 blocks: 4 fixed, the old FST block (kept until the commit), the new
        # one, an FCL and an Nth link leave 392 for data.
        with pytest.raises(DiskFullError, match="needs 396 blocks .*395 are free"):
            disk.write("FULL", "DISK", [b"\xc1" * 800] * 393, "F")
        disk.write("FULL", "DISK", [b"\xc1" * 800] * 392, "F")
        assert disk.blocks_used == 399
        with pytest.raises(DiskFullError):
            disk.write("ONE", "MORE", [b"\xc1"], "F")
        disk.erase("FULL", "DISK")
        assert CMSDisk.open(device).blocks_used == 5


def test_file_limits(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        with pytest.raises(CMSError, match="at most 65535 records"):
            disk.write("X", "Y", [b"\xc1"] * 65536, "V")
        with pytest.raises(CMSError, match="at least one record"):
            disk.write("X", "Y", [], "V")
        with pytest.raises(CMSError, match="record 2 is 3 bytes"):
            disk.write("X", "Y", [b"ab", b"abc"], "F")
        with pytest.raises(CMSError, match="record 2 is 0 bytes"):
            disk.write("X", "Y", [b"a", b""], "V")
        with pytest.raises(CMSError, match="at most 16060"):
            disk.write("X", "Y", [b"\xc1" * 800] * 16061, "F", 800)
        with pytest.raises(CMSError, match="filename"):
            disk.write("TOOLONGNAME", "Y", [b"\xc1"], "F")
        assert disk.files() == []


def test_parse_fileid():
    assert parse_fileid("profile exec") == parse_fileid("PROFILE EXEC A")
    assert parse_fileid("a b c3").mode == "C3"
    for bad in ("one", "a b c d", "a b 9", "a b c7", "a.b c", "a b ?"):
        with pytest.raises(CMSError):
            parse_fileid(bad)


def test_text_conversion():
    assert text_to_records("A\n\tB\n", "F", 10) == [
        b"\xc1" + b"\x40" * 9,
        b"\x40" * 8 + b"\xc2" + b"\x40",
    ]
    assert text_to_records("A\n\nB", "V", None) == [b"\xc1", b"\x40", b"\xc2"]
    with pytest.raises(CMSError, match="line 2 is 11 characters, longer than LRECL 10"):
        text_to_records("ok\n" + "x" * 11 + "\n", "F", 10)
    with pytest.raises(CMSError, match="line 1 has .*U\\+20AC"):
        text_to_records("price \u20ac\n", "V", None)
    with pytest.raises(CMSError, match="empty"):
        text_to_records("", "F", 80)
    assert records_to_text([b"\xc1\x40\x40", b"\x40\xc2"], "V") == "A  \n B\n"


def test_binary_records_are_unchanged():
    data = bytes(range(256)) * 5
    assert b"".join(binary_to_records(data, "F", 80)) == data
    assert [len(r) for r in binary_to_records(data, "V", 1000)] == [1000, 280]
    with pytest.raises(CMSError, match="not a whole number of 80-byte records"):
        binary_to_records(data[:100], "F", 80)


def test_format_of_the_first_cylinders_leaves_the_rest(pack):
    path = pack("2311", 6)
    with opened(path, 0, 6) as device:
        disk = CMSDisk.format(device, "PART", cylinders=4)
        assert (disk.cylinders, disk.total_blocks) == (4, 160)
        with pytest.raises(DiskFullError):
            disk.write("X", "Y", [b"\xc1" * 800] * 160, "F")
        reopened = CMSDisk.open(device)  # the 6-cylinder extent holds the 4-cylinder disk
        assert (reopened.cylinders, reopened.total_blocks) == (4, 160)
    image = CKDImage(path, read_only=True)
    try:
        assert len(image.read_track(3, 9).records) == 5
        assert len(image.read_track(4, 0).records) == 1  # not formatted
    finally:
        image.close()
    with opened(path, 0, 6) as device, pytest.raises(CMSError, match="cannot format 7"):
        CMSDisk.format(device, "X", cylinders=7)


def test_put_and_get_host_data(formatted):
    with opened(formatted, 2, 10) as device:
        disk = CMSDisk.open(device)
        entry = disk.put("PROFILE EXEC A1", b"&TRACE\n&TYPE HI\n", written=WHEN)
        assert (entry.recfm, entry.lrecl, entry.records) == ("F", 80, 2)
        deck = bytes(range(160))
        disk.put("PROG TEXT A2", deck, binary=True)
        reopened = CMSDisk.open(device)
        assert reopened.get("profile exec") == b"&TRACE\n&TYPE HI\n"
        assert reopened.get("PROG TEXT A2", binary=True) == deck
        assert reopened.read("PROFILE", "EXEC")[1] == "&TYPE HI".encode("cp037").ljust(80, b"\x40")
        with pytest.raises(FileNotFound):
            reopened.get("PROG TEXT A1")

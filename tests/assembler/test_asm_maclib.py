"""The CMS MACLIB format (assembler/maclib.py): written, read back, and refused when damaged."""

from __future__ import annotations

import struct

import pytest

from assembler.maclib import (
    END_OF_MEMBER,
    MaclibError,
    build_maclib,
    macro_name,
    read_maclib,
    split_macros,
    split_records,
)

ONE = ["         MACRO", "&L       ONE   &A", "&L       DC    F'&A'", "         MEND"]
TWO = ["         MACRO", "         TWO", "         NOPR  0", "         MEND"]


def test_a_library_reads_back_as_it_was_built():
    records = build_maclib([("ONE", ONE), ("TWO", TWO)])
    assert all(len(record) == 80 for record in records)
    assert read_maclib(records) == {"ONE": ONE, "TWO": TWO}


def test_the_layout_header_members_end_records_and_dictionary():
    records = build_maclib([("ONE", ONE), ("TWO", TWO)])
    assert records[0][:6] == "LIBPDS".encode("cp037")
    dictionary_item, entries = struct.unpack(">II", records[0][6:14])
    assert entries == 2 and dictionary_item == 1 + 4 + 1 + 4 + 1 + 1
    assert records[5][:4] == END_OF_MEMBER and records[10][:4] == END_OF_MEMBER
    first = records[dictionary_item - 1]
    assert first[:8] == "ONE     ".encode("cp037")
    assert struct.unpack(">II", first[8:16]) == (2, 4)
    assert struct.unpack(">II", first[24:32]) == (7, 4)


def test_a_member_added_again_replaces_the_old_one():
    newer = ["         MACRO", "         ONE", "         NOPR  1", "         MEND"]
    assert read_maclib(build_maclib([("ONE", ONE), ("ONE", newer)])) == {"ONE": newer}


def test_macros_are_split_from_a_source_file_and_named_by_their_prototype():
    text = "\n".join(ONE + [""] + TWO) + "\n"
    assert split_macros(text) == [("ONE", ONE), ("TWO", TWO)]
    assert macro_name(TWO) == "TWO"


@pytest.mark.parametrize(
    "text, message",
    [
        ("         MACRO\n         ONE\n", "no MEND"),
        ("         SR    1,1\n         MEND\n", "no MACRO"),
    ],
)
def test_bad_macro_files(text, message):
    with pytest.raises(MaclibError, match=message):
        split_macros(text)


def test_damaged_libraries_are_refused():
    records = build_maclib([("ONE", ONE)])
    with pytest.raises(MaclibError, match="LIBPDS"):
        read_maclib([b"\x40" * 80] + records[1:])
    bad_pointer = records[0][:6] + struct.pack(">II", 99, 1) + records[0][14:]
    with pytest.raises(MaclibError, match="past the end"):
        read_maclib([bad_pointer] + records[1:])
    with pytest.raises(MaclibError, match="whole 80-byte"):
        split_records(b"x" * 81)


def test_a_line_longer_than_a_card_is_refused():
    with pytest.raises(MaclibError, match="longer than 80"):
        build_maclib([("LONG", ["X" * 81])])

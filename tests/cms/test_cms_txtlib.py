"""TXTLIB GEN, ADD, DEL and MAP, GLOBAL TXTLIB and the loader's library search.

The TEXT files are made by the host's assembler; the libraries CMS writes
are read back with a reader written here from VM/370's description of the
format (DMSLBT): a DMSLIB header, the members' cards each followed by an LDT
card and a X'61FFFF61' delimiter, and a dictionary of 12-byte entries, six
to a record.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from cms_disks import opened

from assembler import assemble
from cms.build import MACLIB_DIRECTORY
from cms.filesystem import CMSDisk, binary_to_records, text_to_records
from vm370.hardware.devices.ckd_image import create_image

MAIN = """\
MAIN     CSECT
         SAVE  (14,12)
         LR    12,15
         USING MAIN,12
         ST    13,SAVEAREA+4
         LA    13,SAVEAREA
         WRTERM 'MAIN STARTS'
         L     15,=V(SUBA)
         BALR  14,15
         L     15,=V(SUBB)
         BALR  14,15
         WRTERM 'MAIN ENDS'
         L     13,SAVEAREA+4
         RETURN (14,12),RC=0
SAVEAREA DS    18F
         LTORG
         END   MAIN
"""

# SUBA calls SUBC, which only a library member (or a TEXT file) defines.
SUBA = """\
SUBA     CSECT
         SAVE  (14,12)
         LR    12,15
         USING SUBA,12
         ST    13,SAVEAREA+4
         LA    13,SAVEAREA
         WRTERM 'IN SUBA'
         L     15,=V(SUBC)
         BALR  14,15
         L     13,SAVEAREA+4
         RETURN (14,12),RC=0
SAVEAREA DS    18F
         LTORG
         END
"""

SUBB = """\
SUBB     CSECT
         ENTRY SUBB2
         SAVE  (14,12)
         LR    12,15
         USING SUBB,12
         WRTERM 'IN SUBB'
         RETURN (14,12),RC=0
SUBB2    BR    14
         END
"""

SUBC = """\
SUBC     CSECT
         SAVE  (14,12)
         LR    12,15
         USING SUBC,12
         WRTERM 'IN SUBC'
         RETURN (14,12),RC=0
         END
"""

CALLSX = """\
CALLSX   CSECT
         SAVE  (14,12)
         LR    12,15
         USING CALLSX,12
         WRTERM 'CALLSX RUNS'
         L     15,=V(NOWHERE)
         LTR   15,15
         BNZ   CALL
         WRTERM 'NOWHERE IS ZERO'
         RETURN (14,12),RC=0
CALL     BALR  14,15
         RETURN (14,12),RC=0
         LTORG
         END   CALLSX
"""


def deck(source: str) -> list[bytes]:
    result = assemble(source, maclib=[MACLIB_DIRECTORY])
    assert result.return_code == 0, [d.message for d in result.diagnostics]
    return binary_to_records(result.object_deck, "F", 80)


def said(run, typed: list[str], line: str) -> list[str]:
    """What CMS printed after the typed ``line``, up to the next line typed."""
    lines = run.after(line)
    for index, printed in enumerate(lines):
        if printed in typed:
            return lines[:index]
    return lines


def read_txtlib(records: list[bytes]) -> tuple[list[tuple[str, int, int]], list[bytes]]:
    """The dictionary (name, item, C byte) and the records, as VM/370 lays them out."""
    assert all(len(record) == 80 for record in records)
    header = records[0]
    assert header[:6] == "DMSLIB".encode("cp037")
    first, size, count = struct.unpack(">HII", header[6:16])
    assert size % 12 == 0 and count == -(-size // 72)
    data = b"".join(record[:72] for record in records[first - 1 : first - 1 + count])
    entries = []
    for offset in range(0, size, 12):
        name = data[offset : offset + 8].decode("cp037").rstrip()
        item, spare, cbyte = struct.unpack(">HBB", data[offset + 8 : offset + 12])
        assert spare == 0
        entries.append((name, item, cbyte))
    assert len(records) == first - 1 + count
    return entries, records


def member(records: list[bytes], item: int) -> list[bytes]:
    """The cards of the member at ``item``, up to its LDT card; the delimiter must follow."""
    cards = []
    index = item - 1
    while records[index][:4] != b"\x02" + "LDT".encode("cp037"):
        cards.append(records[index])
        index += 1
    assert records[index + 1][:4] == b"\x61\xff\xff\x61"
    return cards


@pytest.fixture
def lib_disk(tmp_path) -> Path:
    path = create_image(tmp_path / "lib.2314", "2314", 2)
    with opened(path, 0, 2) as device:
        disk = CMSDisk.format(device, "LIB191")
        for name, source in [("MAIN", MAIN), ("SUBA", SUBA), ("SUBB", SUBB), ("SUBC", SUBC)]:
            disk.write(name, "TEXT", deck(source), "F", 80)
        disk.write("CALLSX", "TEXT", deck(CALLSX), "F", 80)
        disk.write("HALF", "TEXT", deck(SUBC)[:-1], "F", 80)  # no END card
        disk.write("JUNK", "TXTLIB", text_to_records("NOT A LIBRARY\n"), "F", 80)
    return path


def library(path: Path, name: str) -> tuple[list[tuple[str, int, int]], list[bytes]]:
    with opened(path, 0, 2, read_only=True) as device:
        disk = CMSDisk.open(device)
        entry = next(e for e in disk.files() if (e.filename, e.filetype) == (name, "TXTLIB"))
        assert (entry.recfm, entry.lrecl) == ("F", 80)
        return read_txtlib(disk.read(name, "TXTLIB"))


def files(path: Path) -> set[str]:
    with opened(path, 0, 2, read_only=True) as device:
        return {f"{e.filename} {e.filetype}" for e in CMSDisk.open(device).files()}


def test_gen_makes_a_member_of_each_deck_named_by_its_sections_and_entries(run_cms, lib_disk):
    typed = ["txtlib gen subs suba subb"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "txtlib gen subs suba subb") == ["R;"]
    run.close()
    entries, records = library(lib_disk, "SUBS")
    suba, subb = deck(SUBA), deck(SUBB)
    # SUBA's deck from item 2, then its LDT card and delimiter: SUBB from 4 + len(SUBA).
    second = 4 + len(suba)
    assert entries == [("SUBA", 2, 0x80), ("SUBB", second, 0x80), ("SUBB2", second, 0x80)]
    assert member(records, 2) == suba
    assert member(records, 4 + len(suba)) == subb
    assert "TXTLIB CMSUT1" not in files(lib_disk)


def test_add_and_del(run_cms, lib_disk):
    typed = ["txtlib gen subs suba subb", "txtlib add subs subc", "txtlib del subs subb"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "txtlib add subs subc")[0] == "R;"
    assert said(run, typed, "txtlib del subs subb") == ["R;"]
    run.close()
    entries, records = library(lib_disk, "SUBS")
    suba, subc = deck(SUBA), deck(SUBC)
    assert entries == [("SUBA", 2, 0x80), ("SUBC", 4 + len(suba), 0x80)]
    assert member(records, 2) == suba
    assert member(records, 4 + len(suba)) == subc


def test_map_types_or_writes_the_dictionary(run_cms, lib_disk):
    typed = ["txtlib gen subs suba subb", "txtlib list subs", "txtlib map subs"]
    run = run_cms(typed, disks={0x191: lib_disk})
    item = 4 + len(deck(SUBA))
    expected = [
        "     ENTRY  INDEX",
        "  SUBA" + " " * 10 + "2",
        "  SUBB" + f"{item:11d}",
        "  SUBB2",
        "        3 ENTRIES IN LIBRARY",
    ]
    assert said(run, typed, "txtlib list subs") == [*expected, "R;"]
    assert said(run, typed, "txtlib map subs") == ["R;"]
    run.close()
    with opened(lib_disk, 0, 2, read_only=True) as device:
        disk = CMSDisk.open(device)
        entry = next(e for e in disk.files() if (e.filename, e.filetype) == ("SUBS", "MAP"))
        assert (entry.recfm, entry.lrecl) == ("F", 30)
        lines = [r.decode("cp037").rstrip() for r in disk.read("SUBS", "MAP")]
    assert lines == expected


@pytest.mark.parametrize(
    "command, lines",
    [
        ("txtlib", ["DMSLBT047E NO FUNCTION SPECIFIED", "R(00024);"]),
        ("txtlib gen", ["DMSLBT046E NO LIBRARY NAME SPECIFIED", "R(00024);"]),
        ("txtlib gen subs", ["DMSLBT001E NO FILE NAMES SPECIFIED", "R(00024);"]),
        ("txtlib del subs", ["DMSLBT001E NO CSECT NAMES SPECIFIED", "R(00024);"]),
        ("txtlib zap subs suba", ["DMSLBT014E INVALID FUNCTION 'ZAP'", "R(00024);"]),
        ("txtlib map subs (print", ["DMSLBT003E INVALID OPTION 'PRINT'", "R(00024);"]),
        ("txtlib add nosuch suba", ["DMSLBT002E FILE 'NOSUCH TXTLIB' NOT FOUND", "R(00028);"]),
        ("txtlib list nosuch", ["DMSLBT002E FILE 'NOSUCH TXTLIB' NOT FOUND", "R(00028);"]),
        (
            "txtlib list junk",
            ["DMSLBT056E FILE 'JUNK TXTLIB' CONTAINS INVALID RECORD FORMATS", "R(00032);"],
        ),
        (
            "txtlib gen subs nosuch",
            [
                "DMSLBT002W FILE 'NOSUCH TEXT' NOT FOUND",
                "DMSLBT213W LIBRARY 'SUBS TXTLIB' NOT CREATED, OR ERASED IF EMPTY.",
                "R(00004);",
            ],
        ),
    ],
)
def test_errors(run_cms, lib_disk, command, lines):
    run = run_cms([command], disks={0x191: lib_disk})
    assert run.after(command) == lines


def test_a_bad_file_or_member_loses_nothing(run_cms, lib_disk):
    typed = [
        "txtlib gen subs suba",
        "txtlib gen subs nosuch",
        "txtlib add subs nosuch half subb",
        "txtlib del subs subb2 nosuch",
    ]
    run = run_cms(typed, disks={0x191: lib_disk})
    # A GEN with nothing to put in the library leaves the old one as it was.
    assert said(run, typed, "txtlib gen subs nosuch")[1:] == [
        "DMSLBT213W LIBRARY 'SUBS TXTLIB' NOT CREATED, OR ERASED IF EMPTY.",
        "R(00004);",
    ]
    assert said(run, typed, "txtlib add subs nosuch half subb") == [
        "DMSLBT002W FILE 'NOSUCH TEXT' NOT FOUND",
        "DMSLBT056E FILE 'HALF TEXT' CONTAINS INVALID END RECORD FORMATS",
        "R(00032);",
    ]
    # SUBB2 is an entry of SUBB's member, not a member's first name.
    assert said(run, typed, "txtlib del subs subb2 nosuch") == [
        "DMSLBT013E MEMBER 'SUBB2' NOT FOUND IN FILE 'SUBS TXTLIB'",
        "DMSLBT013E MEMBER 'NOSUCH' NOT FOUND IN FILE 'SUBS TXTLIB'",
        "R(00032);",
    ]
    run.close()
    entries, records = library(lib_disk, "SUBS")
    assert [name for name, _, _ in entries] == ["SUBA", "SUBB", "SUBB2"]
    assert member(records, entries[1][1]) == deck(SUBB)


def test_deleting_every_member_erases_the_library(run_cms, lib_disk):
    typed = ["txtlib gen subs suba subb", "txtlib del subs subb suba"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "txtlib del subs subb suba") == [
        "DMSLBT213W LIBRARY 'SUBS TXTLIB' NOT CREATED, OR ERASED IF EMPTY.",
        "R(00004);",
    ]
    run.close()
    assert "SUBS TXTLIB" not in files(lib_disk)


ERASE_TEXTS = ["erase suba text", "erase subb text", "erase subc text"]


def test_load_takes_undefined_names_from_a_global_txtlib(run_cms, lib_disk):
    typed = [
        "txtlib gen subs suba subb subc",
        *ERASE_TEXTS,
        "global txtlib subs",
        "query txtlib",
        "load main",
        "start",
    ]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "global txtlib subs") == ["R;"]
    assert said(run, typed, "query txtlib") == ["TXTLIB   = SUBS", "R;"]
    assert said(run, typed, "load main") == ["R;"]
    assert said(run, typed, "start") == [
        "DMSLIO740I EXECUTION BEGINS...",
        "MAIN STARTS",
        "IN SUBA",
        "IN SUBC",
        "IN SUBB",
        "MAIN ENDS",
        "R;",
    ]


def test_load_takes_undefined_names_from_text_files_of_that_name(run_cms, lib_disk):
    typed = ["load main", "start"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "load main") == ["R;"]
    assert said(run, typed, "start")[1:] == [
        "MAIN STARTS",
        "IN SUBA",
        "IN SUBC",
        "IN SUBB",
        "MAIN ENDS",
        "R;",
    ]


def test_names_left_undefined_are_listed_and_are_zero(run_cms, lib_disk):
    typed = ["load main (noauto nolibe", "load callsx", "start"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "load main (noauto nolibe") == [
        "DMSLIO201W THE FOLLOWING NAMES ARE UNDEFINED:",
        " SUBA     SUBB",
        "R(00004);",
    ]
    assert said(run, typed, "load callsx") == [
        "DMSLIO201W THE FOLLOWING NAMES ARE UNDEFINED:",
        " NOWHERE",
        "R(00004);",
    ]
    assert said(run, typed, "start")[1:] == ["CALLSX RUNS", "NOWHERE IS ZERO", "R;"]


def test_include_takes_a_member_and_resolves_what_load_left(run_cms, lib_disk):
    typed = [
        "txtlib gen subs suba subb subc",
        *ERASE_TEXTS,
        "global txtlib subs",
        "load main (nolibe",
        "include subb (nolibe",
        "include suba",
        "start",
    ]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "load main (nolibe")[1:] == [" SUBA     SUBB", "R(00004);"]
    # With NOLIBE no library is looked in, not even for the name INCLUDE gives.
    assert said(run, typed, "include subb (nolibe") == [
        "DMSLIO002E FILE 'SUBB TEXT *' NOT FOUND",
        "R(00028);",
    ]
    assert said(run, typed, "include suba") == ["R;"]
    assert said(run, typed, "start")[1:] == [
        "MAIN STARTS",
        "IN SUBA",
        "IN SUBC",
        "IN SUBB",
        "MAIN ENDS",
        "R;",
    ]


def test_global_txtlib_errors_and_query(run_cms, lib_disk):
    typed = [
        "query txtlib",
        "txtlib gen subs suba",
        "global txtlib nosuch subs junk",
        "query txtlib",
        "global txtlib a b c d e f g h i",
        "query txtlib",
        "global maclib cmslib",
        "query maclib",
        "load main (bad",
    ]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "query txtlib")[0] == "TXTLIB   = NONE"
    assert said(run, typed, "global txtlib nosuch subs junk") == [
        "DMSGLB002W FILE 'NOSUCH TXTLIB *' NOT FOUND",
        "DMSGLB056E FILE 'JUNK TXTLIB *' CONTAINS INVALID RECORD FORMATS",
        "R(00032);",
    ]
    queries = [i for i, line in enumerate(run.lines) if line == "query txtlib"]
    assert run.lines[queries[1] + 1] == "TXTLIB   = SUBS"
    assert said(run, typed, "global txtlib a b c d e f g h i") == [
        "DMSGLB108S MORE THAN 8 LIBRARIES SPECIFIED",
        "R(00088);",
    ]
    assert run.lines[queries[2] + 1] == "TXTLIB   = NONE"
    assert said(run, typed, "query maclib") == ["MACLIB   = CMSLIB", "R;"]
    assert said(run, typed, "load main (bad") == ["DMSLIO003E INVALID OPTION 'BAD'", "R(00024);"]


def test_a_name_defined_twice_keeps_its_first_definition(run_cms, lib_disk):
    typed = ["load subb", "include subb", "start subb2", "load callsx", "start nowhere"]
    run = run_cms(typed, disks={0x191: lib_disk})
    assert said(run, typed, "include subb") == [
        "DMSLIO202W DUPLICATE IDENTIFIER 'SUBB'",
        "DMSLIO202W DUPLICATE IDENTIFIER 'SUBB2'",
        "R;",
    ]
    # SUBB2 is a BR 14: the program's R15, its entry address, is the return code.
    started = said(run, typed, "start subb2")
    assert started[0] == "DMSLIO740I EXECUTION BEGINS..." and started[1].startswith("R(")
    # NOWHERE is only referred to: START cannot begin there.
    assert said(run, typed, "start nowhere") == ["DMSLIO954E UNDEFINED NAME NOWHERE", "R(00040);"]

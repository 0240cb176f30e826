"""The real configuration: storage, packs and CP's areas, displays, unit record devices."""

from __future__ import annotations

from pathlib import Path

import pytest

from vm370.cp.sysconfig import Area, SystemConfigError, load_system, parse_system

DECKS = Path(__file__).resolve().parents[2] / "decks"

GOOD = """\
* a small system
STORAGE 1M
PACK VMSRES 2314 130 packs/VMSres.ckd
PACK USRPK1 2311 131 packs/usrpk1.ckd
AREA VMSRES PAGE 1 20
AREA VMSRES SPOOL 21 20
AREA VMSRES TDSK 41 10
AREA USRPK1 PERM 0 200
display 0C0-0C2 3277 model 4
DISPLAY 0C8 3277
READER 00C 2540 cards/In.deck
PUNCH 00D 2540 cards/out.deck
PRINTER 00E 1403 print/Listing.txt
"""


def errors(text: str) -> list[str]:
    with pytest.raises(SystemConfigError) as caught:
        parse_system(text, "system.conf")
    return str(caught.value).splitlines()


def test_a_good_configuration_is_read_whole():
    config = parse_system(GOOD, "system.conf")
    assert config.storage_size == 1024 * 1024
    assert list(config.packs) == ["VMSRES", "USRPK1"]
    sysres = config.packs["VMSRES"]
    assert (sysres.device_type, sysres.address, sysres.image) == (
        "2314",
        0x130,
        Path("packs/VMSres.ckd"),
    )
    assert [(a.kind, a.start, a.count, a.end) for a in sysres.areas] == [
        ("PAGE", 1, 20, 20),
        ("SPOOL", 21, 20, 40),
        ("TDSK", 41, 10, 50),
    ]
    assert config.packs["USRPK1"].areas == [Area("PERM", 0, 200, 8)]
    assert [(d.address, d.model) for d in config.displays] == [
        (0x0C0, 4),
        (0x0C1, 4),
        (0x0C2, 4),
        (0x0C8, 2),
    ]
    assert (config.reader.address, config.reader.file) == (0x00C, Path("cards/In.deck"))
    assert (config.punch.device_type, config.printer.device_type) == ("2540", "1403")
    assert config.printer.file == Path("print/Listing.txt")


def test_areas_of_a_kind_and_devices_by_address():
    config = parse_system(GOOD, "system.conf")
    assert [(pack.volser, area.start) for pack, area in config.areas("PAGE")] == [("VMSRES", 1)]
    assert config.areas("TDSK")[0][1].count == 10
    assert config.device_at(0x131) == "the pack USRPK1"
    assert config.device_at(0x0C1) == "a 3277 display"
    assert config.device_at(0x00E) == "the real printer"
    assert config.device_at(0x200) is None
    assert config.pack_at(0x130).volser == "VMSRES" and config.pack_at(0x0C0) is None


def test_the_sample_configuration_loads():
    config = load_system(DECKS / "system.conf")
    assert set(config.packs) == {"VMSRES", "VMPK01"}
    assert config.areas("PAGE") and config.areas("SPOOL")


BASE = "STORAGE 1M\nPACK VMSRES 2314 130 packs/vmsres.ckd\nAREA VMSRES PAGE 1 10\n"
BASE += "AREA VMSRES SPOOL 11 10\n"

ERROR_CASES = [
    ("FOO 1\n", 5, 1, "unknown statement 'FOO'"),
    ("STORAGE 2M\n", 5, 1, "a second STORAGE statement"),
    ("PACK VMSRES 2314 131 packs/x.ckd\n", 5, 6, "pack VMSRES is already defined at line 2"),
    ("PACK OTHER 2314 130 packs/x.ckd\n", 5, 17, "real address 130 is already used at line 2"),
    ("PACK OTHER 3330 131 packs/x.ckd\n", 5, 12, "device type 3330"),
    ("PACK OTHER 2314 131 /etc/passwd\n", 5, 21, "must be a path inside the data folder"),
    ("PACK OTHER 2314 131 ../outside.ckd\n", 5, 21, "must be a path inside the data folder"),
    ("PACK TOOLONG7 2314 131 p.ckd\n", 5, 6, "volume serial 'TOOLONG7'"),
    ("PACK OTHER 2314 800 p.ckd\n", 5, 17, "not 000-6FF"),
    ("PACK OTHER 2314 131\n", 5, 20, "the image file is missing"),
    ("AREA VMSRES TEMP 30 10\n", 5, 13, "TEMP"),
    ("AREA VMSRES SWAP 30 10\n", 5, 13, "area kind 'SWAP'"),
    ("AREA VMSRES PERM 5 10\n", 5, 18, "overlap the PAGE area at line 3"),
    ("AREA VMSRES PERM 190 11\n", 5, 22, "run past the end of a 2314"),
    ("AREA VMSRES PERM 30 0\n", 5, 21, "at least 1 cylinder"),
    ("AREA NOSUCH PERM 30 10\n", 5, 6, "which no PACK names"),
    ("AREA VMSRES PERM X 10\n", 5, 18, "'X' is not the first cylinder"),
    ("DISPLAY 0C3-0C0 3277\n", 5, 9, "runs backwards"),
    ("DISPLAY 0C0 3277 MODEL 9\n", 5, 24, "3277 model 9"),
    ("DISPLAY 0C0 3270\n", 5, 13, "device type 3270"),
    ("DISPLAY 0C0-0C1 3277\nDISPLAY 0C1 3277\n", 6, 9, "real address 0C1 is already used"),
    ("READER 00C 2540 a\nREADER 01C 2540 b\n", 6, 1, "a second READER"),
    ("PRINTER 00E 2540 p\n", 5, 13, "device type 2540"),
    ("PUNCH 00D 2540\n", 5, 15, "the file is missing"),
    ("PUNCH 00D 2540 a b\n", 5, 18, "'b' is one operand too many"),
]


@pytest.mark.parametrize(("extra", "line", "column", "words"), ERROR_CASES)
def test_each_error_names_file_line_and_column(extra, line, column, words):
    found = errors(BASE + extra)
    assert any(
        message.startswith(f"system.conf:{line}:{column}: ") and words.lower() in message.lower()
        for message in found
    ), found


def test_storage_must_be_whole_pages_within_bounds():
    for size in ("6K", "32K", "32M"):
        found = errors(BASE.replace("STORAGE 1M", f"STORAGE {size}"))
        assert found == [
            f"system.conf:1:9: real storage {size} must be a multiple of 4K from 64K to 16M"
        ]


def test_storage_paging_and_spool_space_are_required():
    found = errors("PACK VMSRES 2314 130 packs/vmsres.ckd\n")
    assert found == [
        "system.conf: no STORAGE statement: the real storage size is missing",
        "system.conf: no PAGE area: CP needs space for paging on some pack",
        "system.conf: no SPOOL area: CP needs space for spool files on some pack",
    ]


def test_an_unreadable_file_is_one_error(tmp_path):
    with pytest.raises(SystemConfigError) as caught:
        load_system(tmp_path / "none.conf")
    assert "cannot read" in str(caught.value)
    huge = tmp_path / "huge.conf"
    huge.write_bytes(b"*" * (5 * 1024 * 1024))
    with pytest.raises(SystemConfigError) as caught:
        load_system(huge)
    assert "not a text file" in str(caught.value)


def test_terminal_lines_are_2741s_one_per_address_at_addresses_of_their_own():
    config = parse_system(GOOD + "TERMINAL 020-022 2741\nterminal 028 2741\n")
    assert [terminal.address for terminal in config.terminals] == [0x20, 0x21, 0x22, 0x28]
    assert config.device_at(0x21) == "a 2741 terminal line"
    assert any("2741" in message for message in errors(GOOD + "TERMINAL 020 3277\n"))
    assert any("already used" in message for message in errors(GOOD + "TERMINAL 0C1 2741\n"))
    assert any("backwards" in message for message in errors(GOOD + "TERMINAL 023-020 2741\n"))

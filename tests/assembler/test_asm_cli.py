"""``vm370 asm``: files in, deck and listing out, exit status = return code."""

import subprocess
import sys
from pathlib import Path

from vm370.cli import main

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "prog.asm"
    path.write_text(text)
    return path


def test_clean_assembly_writes_deck_and_listing(tmp_path, capsys):
    source = write(tmp_path, "PROG CSECT\n LR 1,2\n END\n")
    deck, listing = tmp_path / "prog.obj", tmp_path / "prog.lst"
    status = main(["asm", str(source), "-o", str(deck), "--listing", str(listing)])
    assert status == 0
    data = deck.read_bytes()
    assert len(data) % 80 == 0 and data[0] == 0x02
    assert "SOURCE STATEMENT" in listing.read_text()
    assert "return code 0" in capsys.readouterr().out


def test_exit_status_is_the_highest_severity(tmp_path, capsys):
    for text, expected in [
        ("T CSECT\n DROP 5\n END\n", 4),
        ("T CSECT\n L 1,NOWHERE\n END\n", 8),
        ("T CSECT\n LR 1\n END\n", 12),
    ]:
        assert main(["asm", str(write(tmp_path, text))]) == expected
    err = capsys.readouterr().err
    assert "prog.asm:2:" in err and "severity 12" in err


def test_unreadable_source_is_one_line_and_status_16(tmp_path, capsys):
    status = main(["asm", str(tmp_path / "missing.asm")])
    assert status == 16
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot read" in err[0]


def test_binary_source_is_refused_cleanly(tmp_path, capsys):
    path = tmp_path / "bin.asm"
    path.write_bytes(b"\xff\xfe\x00\x81")
    assert main(["asm", str(path)]) == 16
    assert "cannot read" in capsys.readouterr().err


def test_unwritable_output_is_status_16(tmp_path, capsys):
    source = write(tmp_path, "T CSECT\n END\n")
    status = main(["asm", str(source), "-o", str(tmp_path / "no" / "such" / "dir.obj")])
    assert status == 16
    assert "cannot write" in capsys.readouterr().err


def test_listing_to_standard_output(tmp_path, capsys):
    source = write(tmp_path, "T CSECT\n LR 1,2\n END\n")
    assert main(["asm", str(source), "--listing", "-"]) == 0
    assert "1812" in capsys.readouterr().out


def test_command_runs_as_a_process(tmp_path):
    source = write(tmp_path, "T CSECT\n L 1,X\n END\n")
    done = subprocess.run(
        [sys.executable, "-m", "vm370", "asm", str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 8
    assert "Traceback" not in done.stderr
    assert "undefined symbol X" in done.stderr


def _library(root: Path, name: str, members: dict[str, str]) -> Path:
    library = root / name
    library.mkdir()
    for file_name, text in members.items():
        (library / file_name).write_text(text)
    return library


def test_a_small_macro_library_through_maclib(tmp_path, capsys):
    from assembler.loader import load

    # ENTER and LEAVE call ZERO, another member; the second library's ZERO is never used
    # because the first library is searched first. REGS is a COPY member.
    first = _library(
        tmp_path,
        "first",
        {
            "ENTER.mac": (
                "         MACRO\n"
                "&NAME    ENTER &BASE=12\n"
                "&NAME    STM   14,12,12(13)\n"
                "         BALR  &BASE,0\n"
                "         USING *,&BASE\n"
                "         ZERO  15\n"
                "         MEND\n"
            ),
            "LEAVE.mac": (
                "         MACRO\n"
                "&NAME    LEAVE &RC\n"
                "         AIF   ('&RC' NE '').SET\n"
                "&NAME    ZERO  15\n"
                "         AGO   .RETURN\n"
                ".SET     ANOP\n"
                "&NAME    LA    15,&RC\n"
                ".RETURN  LM    14,12,12(13)\n"
                "         BR    14\n"
                "         MEND\n"
            ),
            "ZERO.mac": "         MACRO\n&N       ZERO  &R\n&N       SR    &R,&R\n         MEND\n",
            "REGS.cpy": "R1       EQU   1\nR2       EQU   2\n",
        },
    )
    second = _library(
        tmp_path,
        "second",
        {"ZERO.mac": "         MACRO\n&N       ZERO  &R\n&N       LA    &R,99\n         MEND\n"},
    )
    source = write(
        tmp_path,
        "PROG     CSECT\n"
        "         COPY  REGS\n"
        "         ENTER BASE=11\n"
        "         LR    R1,R2\n"
        "         LEAVE 4\n"
        "         LEAVE\n"
        "         END\n",
    )
    deck, listing = tmp_path / "prog.obj", tmp_path / "prog.lst"
    status = main(
        [
            "asm",
            str(source),
            "-o",
            str(deck),
            "--listing",
            str(listing),
            "--maclib",
            str(first),
            "--maclib",
            str(second),
            "--now",
            "1972-08-03T14:05",
        ]
    )
    assert status == 0, capsys.readouterr().err
    storage = bytearray(0x200)
    load([deck.read_bytes()], storage, 0x100)
    assert storage[0x100:0x11C] == bytes.fromhex(
        "90ECD00C"  # STM 14,12,12(13)
        "05B0"  # BALR 11,0
        "1BFF"  # SR 15,15 (ZERO from the first library)
        "1812"  # LR 1,2
        "41F00004"  # LA 15,4
        "98ECD00C"  # LM 14,12,12(13)
        "07FE"  # BR 14
        "1BFF"  # SR 15,15
        "98ECD00C"
        "07FE"
    )
    text = listing.read_text()
    assert "+          SR    15,15" in text and "LA    15,99" not in text


def test_now_and_source_date_epoch_set_sysdate(tmp_path, capsys, monkeypatch):
    source = write(
        tmp_path,
        " MACRO\n STAMP\n DC C'&SYSDATE &SYSTIME'\n MEND\nT CSECT\n STAMP\n END\n",
    )
    listing = tmp_path / "prog.lst"
    arguments = ["asm", str(source), "--listing", str(listing)]
    assert main([*arguments, "--now", "1972-08-03T14:05"]) == 0
    assert "C'08/03/72 14.05'" in listing.read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")  # 2 January 1970, 00:00 UTC
    assert main(arguments) == 0
    first = listing.read_text()
    assert "C'01/02/70 00.00'" in first
    assert main(arguments) == 0
    assert listing.read_text() == first
    assert main([*arguments, "--now", "yesterday"]) == 2
    assert "--now 'yesterday' must be a date and time" in capsys.readouterr().err

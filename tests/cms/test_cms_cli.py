"""`vm370 cms list|get|put|erase|format` on pack images and on a data folder's minidisks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from vm370.cli import main
from vm370.hardware.devices.ckd_image import create_image


@pytest.fixture
def image(tmp_path) -> str:
    path = create_image(tmp_path / "pack.2314", "2314", 6)
    assert main(["cms", "format", str(path), "--extent", "1:4", "--label", "hostfs"]) == 0
    return str(path)


def cms(*arguments: str) -> int:
    return main(["cms", *arguments])


def test_format_reports_the_disk(tmp_path, capsys):
    path = create_image(tmp_path / "p.2311", "2311", 3)
    assert cms("format", str(path), "--extent", "0:3", "--label", "work") == 0
    assert "label WORK, 3 cylinders, 120 blocks (115 free)" in capsys.readouterr().out


def test_put_list_get_text_round_trip(image, tmp_path, capsys):
    source = tmp_path / "hello.txt"
    source.write_text("HELLO    CSECT\n         END\n")
    assert cms("put", image, str(source), "hello assemble", "--extent", "1:4") == 0
    assert "HELLO ASSEMBLE A1: 2 records, RECFM F LRECL 80, 1 blocks" in capsys.readouterr().out
    assert cms("list", image, "--extent", "1:4") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("LABEL HOSTFS  2314  4 cylinders  560 blocks: 7 used, 553 free")
    assert listing[2].startswith("HELLO    ASSEMBLE A1 F         80      2      1 ")
    target = tmp_path / "back.txt"
    assert cms("get", image, "HELLO ASSEMBLE A", str(target), "--extent", "1:4") == 0
    assert target.read_text() == source.read_text()


def test_variable_records_and_stdout(image, tmp_path, capsys):
    source = tmp_path / "notes"
    source.write_text("short\n\n" + "long " * 40 + "\n")
    assert cms("put", image, str(source), "NOTES MEMO B2", "--recfm", "V", "--extent", "1:4") == 0
    assert "RECFM V LRECL 200" in capsys.readouterr().out
    assert cms("get", image, "notes memo", "-", "--extent", "1:4") == 0
    assert capsys.readouterr().out == "short\n \n" + "long " * 40 + "\n"


def test_binary_put_and_get_are_unchanged(image, tmp_path):
    deck = bytes(range(256)) * 10  # 2560 bytes = 32 cards
    source = tmp_path / "prog.obj"
    source.write_bytes(deck)
    assert cms("put", image, str(source), "PROG TEXT", "--binary", "--extent", "1:4") == 0
    target = tmp_path / "out.obj"
    assert cms("get", image, "PROG TEXT", str(target), "--binary", "--extent", "1:4") == 0
    assert target.read_bytes() == deck


def test_erase_and_missing_files(image, tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("x\n")
    assert cms("put", image, str(source), "A B", "--extent", "1:4") == 0
    assert cms("erase", image, "A B", "--extent", "1:4") == 0
    capsys.readouterr()
    assert cms("erase", image, "A B", "--extent", "1:4") == 1
    assert cms("get", image, "A B", "-", "--extent", "1:4") == 1
    assert capsys.readouterr().err.splitlines() == [
        "vm370 cms erase: file A B not found",
        "vm370 cms get: file A B not found",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("get", "{image}", "A B", "--extent", "1:4"), "get takes DISK FILEID FILE"),
        (("list", "{image}"), "needs --extent START:COUNT"),
        (("list", "{image}", "--extent", "1-4"), "must be START:COUNT"),
        (("list", "{image}", "--extent", "3:4"), "outside"),
        (("list", "{tmp}/none.ckd", "--extent", "1:4"), "does not exist"),
        (("get", "{image}", "A", "-", "--extent", "1:4"), "'FILENAME FILETYPE"),
        (("put", "{tmp}/none.txt", "A B", "--extent", "1:4"), "takes DISK FILE FILEID"),
        (("put", "{image}", "{tmp}/none.txt", "A B", "--extent", "1:4"), "cannot read"),
        (("list", "{image}", "--extent", "1:4", "--user", "X"), "go with --data"),
        (("put", "{image}", "{image}", "A B", "--lrecl", "0", "--extent", "1:4"), "--lrecl"),
    ],
)
def test_usage_errors_exit_2(image, tmp_path, capsys, arguments, message):
    filled = [a.format(image=image, tmp=tmp_path) for a in arguments]
    assert cms(*filled) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cms_errors_exit_1(image, tmp_path, capsys):
    source = tmp_path / "wide.txt"
    source.write_text("x" * 81 + "\n")
    assert cms("put", image, str(source), "WIDE FILE", "--extent", "1:4") == 1
    assert "line 1 is 81 characters, longer than LRECL 80" in capsys.readouterr().err
    assert cms("list", image, "--extent", "0:4") == 1  # not where the disk was formatted
    assert "not a CMS disk" in capsys.readouterr().err


@pytest.fixture
def data_folder(tmp_path) -> Path:
    folder = tmp_path / "system"
    (folder / "packs").mkdir(parents=True)
    (folder / "system.conf").write_text(
        "STORAGE 1M\n"
        "PACK VMSRES 2314 130 packs/vmsres.ckd\n"
        "AREA VMSRES PAGE 20 4\n"
        "AREA VMSRES SPOOL 24 4\n"
        "AREA VMSRES PERM 1 19\n"
    )
    (folder / "user.direct").write_text(
        "DIRECTORY 130 2314 VMSRES\n"
        "USER USER1 USER1 1M 4M G\n"
        " MDISK 191 2314 001 005 VMSRES W\n"
        "USER USER2 USER2 1M 4M G\n"
        " LINK USER1 191 199 RR\n"
    )
    create_image(folder / "packs" / "vmsres.ckd", "2314", 30)
    return folder


def test_data_folder_minidisks(data_folder, tmp_path, capsys):
    where = ["--data", str(data_folder), "--user", "user1", "--cuu", "191"]
    assert cms("format", *where, "--label", "usr191") == 0
    source = tmp_path / "profile"
    source.write_text("&TYPE HELLO\n")
    assert cms("put", *where, str(source), "PROFILE EXEC") == 0
    capsys.readouterr()
    # USER2 links to it as 199; the pack image itself holds it at cylinders 1-5.
    assert cms("list", "--data", str(data_folder), "--user", "USER2", "--cuu", "199") == 0
    assert "PROFILE  EXEC     A1 F         80      1      1" in capsys.readouterr().out
    image = str(data_folder / "packs" / "vmsres.ckd")
    assert cms("get", image, "PROFILE EXEC", "-", "--extent", "1:5") == 0
    assert capsys.readouterr().out == "&TYPE HELLO\n"


def test_data_folder_errors(data_folder, capsys):
    base = ["list", "--data", str(data_folder)]
    assert cms(*base, "--user", "USER1", "--cuu", "192") == 2
    assert "user USER1 has no minidisk 192" in capsys.readouterr().err
    assert cms(*base, "--user", "USER1") == 2
    assert "needs --user USERID and --cuu CUU" in capsys.readouterr().err
    assert cms(*base, "--user", "USER1", "--cuu", "191", "--extent", "1:5") == 2


def test_refused_while_the_system_runs(data_folder, capsys):
    lock = data_folder / "vm370.lock"
    lock.write_text(f"pid {os.getpid()}\nhost {socket.gethostname()}\n")
    where = ["--data", str(data_folder), "--user", "USER1", "--cuu", "191"]
    assert cms("format", *where, "--label", "X") == 1
    assert "is in use by process" in capsys.readouterr().err
    assert lock.exists()
    with (data_folder / "packs" / "vmsres.ckd").open("rb") as image:
        image.seek(512 + 20 * 7680)  # cylinder 1, head 0: still a blank track (R0 only)
        track = image.read(5 + 16 + 8)
    assert track[21:29] == b"\xff" * 8


def test_format_some_cylinders(tmp_path, capsys):
    path = create_image(tmp_path / "p.2314", "2314", 5)
    assert cms("format", str(path), "--extent", "0:5", "--label", "s", "--cylinders", "2") == 0
    assert "label S, 2 cylinders, 280 blocks" in capsys.readouterr().out


def test_put_of_bytes_that_are_not_text(image, tmp_path, capsys):
    source = tmp_path / "latin1.txt"
    source.write_bytes(b"caf\xe9\n")
    assert cms("put", image, str(source), "CAFE TEXT", "--extent", "1:4") == 1
    assert "not UTF-8 text (put it as binary)" in capsys.readouterr().err


def test_check_reads_every_file(image, tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("x\n" * 30)  # 2400 bytes: 3 data blocks, an FCL, an FST block, 1-4
    assert cms("put", image, str(source), "A B", "--extent", "1:4") == 0
    capsys.readouterr()
    assert cms("check", image, "--extent", "1:4") == 0
    assert capsys.readouterr().out == (
        "LABEL HOSTFS: 1 file readable, 9 blocks in use, 0 marked in use but unowned\n"
    )

"""``vm370 directory check``: a line per user, errors one a line, never a password."""

from __future__ import annotations

from pathlib import Path

from vm370.cli import main

DECKS = Path(__file__).resolve().parents[2] / "decks"


def run(capsys, *argv):
    status = main(["directory", "check", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_sample_directory_is_clean_and_summarized(capsys):
    status, out, err = run(
        capsys, str(DECKS / "user.direct"), "--system", str(DECKS / "system.conf")
    )
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 7
    assert lines[0].split()[:7] == ["MAINT", "storage", "1M", "(max", "16M)", "classes", "ABCDEFG"]
    # MAINT: 190 (20 cylinders) and 191 (10) in decks/user.direct.
    assert "minidisks 2 (30 cyl)" in lines[0]
    assert "190 MDISK" in lines[0] and "009 CONSOLE" in lines[0]
    assert lines[3].startswith("USER2 ") and "190 LINK MAINT 190" in lines[3]
    assert lines[-1].endswith("6 users, no problems")


def test_no_password_is_ever_printed(capsys):
    status, out, err = run(capsys, str(DECKS / "user.direct"))
    assert status == 0
    # MAINT's logon password and its 190's write and multi passwords (decks/user.direct).
    for password in ("CPCMS", "MAINTW", "MAINTM"):
        assert password not in out + err


def test_a_bad_directory_lists_every_error_on_stderr(capsys, tmp_path):
    bad = tmp_path / "bad.direct"
    bad.write_text(
        "DIRECTORY 130 2314 VMSRES\n"
        "USER ALPHA TOPSECR 1M 512K G\n"
        " MDISK 191 2314 1 10 VMSRES W RSECRET1\n"
        "USER BETA TOPSECR\n"
        " MDISK 191 2314 5 10 VMSRES W TOPSECR TOPSECR TOPSECR EXTRA\n"
        " LINK GAMMA 191 192\n"
    )
    status, out, err = run(capsys, str(bad))
    assert status == 1
    assert out == ""
    lines = err.splitlines()
    assert lines == [
        f"{bad}:2:20: storage 1024K is more than the maximum 512K",
        f"{bad}:5:55: MDISK: operand 10 is one too many (syntax: MDISK cuu devtype start "
        "count volser [mode [readpw [writepw [multipw]]]])",
        f"{bad}:6:7: LINK to user GAMMA, who is not in the directory",
    ]
    assert "TOPSECR" not in err and "RSECRET1" not in err


def test_checking_against_a_configuration_finds_unknown_volumes(capsys, tmp_path):
    directory = tmp_path / "user.direct"
    directory.write_text("DIRECTORY 130 2314 VMSRES\nUSER A PW\n MDISK 191 2314 110 5 ELSEWH\n")
    status, _, err = run(capsys, str(directory), "--system", str(DECKS / "system.conf"))
    assert status == 1
    assert err.startswith(f"{directory}:3:23: volume ELSEWH is not a pack")


def test_a_bad_configuration_is_reported_as_its_own_errors(capsys, tmp_path):
    conf = tmp_path / "system.conf"
    conf.write_text("STORAGE 1M\nPACK X 2314 130 /abs.ckd\n")
    status, out, err = run(capsys, str(DECKS / "user.direct"), "--system", str(conf))
    assert status == 1 and out == ""
    assert err.splitlines()[0].startswith(f"{conf}:2:17: the image file '/abs.ckd'")


def test_a_missing_file_is_one_line(capsys, tmp_path):
    status, out, err = run(capsys, str(tmp_path / "none.direct"))
    assert status == 1 and out == ""
    assert err == f"{tmp_path / 'none.direct'}: cannot read: No such file or directory\n"


def test_hash_password_writes_a_form_the_directory_accepts(capsys, monkeypatch):
    import io

    from vm370.cp.directory import parse_directory

    monkeypatch.setattr("sys.stdin", io.StringIO("Opensez\n"))
    status = main(["directory", "hash-password", "--iterations", "1000"])
    out = capsys.readouterr().out
    assert status == 0
    hashed = out.strip()
    assert hashed.startswith("HASH:PBKDF2-SHA256:1000:") and "OPENSEZ" not in hashed.upper()
    user = parse_directory(f"DIRECTORY 130 2314 VMSRES\nUSER ALICE {hashed}\n").users["ALICE"]
    assert user.check_password("opensez") and not user.check_password("opensesame")


def test_hash_password_refuses_what_no_directory_takes(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("much too long\n"))
    assert main(["directory", "hash-password"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "1 to 8 printable characters" in captured.err
    assert "much too long" not in captured.err
    assert main(["directory", "hash-password", "--iterations", "5"]) == 2

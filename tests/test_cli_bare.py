"""``vm370 bare``: the command line of the bare-machine runner (vm370/cli.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vm370.cli import main

ROOT = Path(__file__).resolve().parent.parent
# LA 1,5; ST 1,X'200'; LPSW X'110'; at X'110' a disabled-wait PSW.
PROGRAM = bytes.fromhex("41100005 50100200 82000110") + bytes(4) + bytes.fromhex("0002000000000000")


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "p.bin"
    path.write_bytes(PROGRAM)
    return path


def run(capsys, *argv):
    status = main(["bare", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_report_has_exactly_the_documented_shape(capsys, program):
    status, out, _ = run(
        capsys,
        "--load",
        f"{program}@100",
        "--psw",
        "0000000000000100",
        "--dump",
        "200:4",
        "--max-instructions",
        "100",
        "--json",
    )
    assert status == 0
    report = json.loads(out)
    assert set(report) == {"stop", "psw", "gpr", "fpr", "instructions", "dump", "cr", "tlb"}
    assert report["stop"] == "disabled-wait"
    assert report["psw"] == "0002000000000000"
    assert report["gpr"][1] == "00000005"
    assert len(report["gpr"]) == 16 and len(report["fpr"]) == 4
    assert report["instructions"] == 3
    assert report["dump"] == {"200": "00000005"}


def test_max_instructions_stops_with_limit(capsys, tmp_path):
    loop = tmp_path / "loop.bin"
    loop.write_bytes(bytes.fromhex("47F00100"))
    status, out, _ = run(
        capsys,
        "--load",
        f"{loop}@100",
        "--psw",
        "0000000000000100",
        "--max-instructions",
        "77",
        "--json",
    )
    assert status == 0 and json.loads(out)["instructions"] == 77
    assert json.loads(out)["stop"] == "limit"


def test_storage_option_sizes_the_machine(capsys, program):
    status, _, err = run(capsys, "--storage", "4K", "--load", f"{program}@1000", "--json")
    assert status == 2 and "do not fit" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--psw", "12345"], "16 hex digits"),
        (["--load", "nofile.bin@100"], "cannot read"),
        (["--load", "p.bin@XYZ"], "not a hexadecimal number"),
        (["--load", "p.bin"], "FILE@HEXADDR"),
        (["--dump", "100"], "HEXADDR:HEXLEN"),
        (["--dump", "3FFFF:10"], "outside"),
        (["--storage", "12Q"], "storage size"),
        (["--max-instructions", "lots"], "not a number"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv, "--json")
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_unknown_option_gives_one_line_and_status_2():
    done = subprocess.run(
        [sys.executable, "-m", "vm370", "bare", "--frobnicate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--frobnicate" in done.stderr
    assert "Traceback" not in done.stderr


def test_text_report_without_json(capsys, program):
    status, out, _ = run(
        capsys, "--load", f"{program}@100", "--psw", "0000000000000100", "--max-instructions", "100"
    )
    assert status == 0 and "disabled-wait" in out and "00000005" in out


@pytest.mark.parametrize("cp", [[], ["--under-cp"]])
def test_nothing_to_run_is_refused_at_once_with_a_hint(capsys, cp):
    status, out, err = run(capsys, *cp, "--json")
    assert status == 2 and out == ""
    assert "nothing to run" in err and "--psw" in err and len(err.strip().splitlines()) == 1


# SIO X'0C0'; LPSW X'110'; at X'110' a disabled-wait PSW with address X'BAD'.
SIO_PROGRAM = bytes.fromhex("9C0000C0 82000110") + bytes(8) + bytes.fromhex("0002000000000BAD")


def test_a_device_the_program_addressed_but_nobody_attached_is_named(capsys, tmp_path):
    path = tmp_path / "sio.bin"
    path.write_bytes(SIO_PROGRAM)
    argv = ("--load", f"{path}@100", "--psw", "0000000000000100")
    status, out, err = run(capsys, *argv)
    assert status == 0 and "PSW 0002000000000BAD" in out
    assert "device 0C0, which is not attached" in err and "--attach 0C0=" in err
    status, out, err = run(capsys, *argv, "--json")
    assert json.loads(out)["unattached_devices"] == ["0C0"] and "device 0C0" in err


def test_no_note_when_the_addressed_device_is_attached(capsys, tmp_path):
    path = tmp_path / "sio.bin"
    path.write_bytes(SIO_PROGRAM)
    printer = tmp_path / "out.txt"
    argv = ("--load", f"{path}@100", "--psw", "0000000000000100")
    status, out, err = run(capsys, *argv, "--attach", f"0C0=1403:{printer}", "--json")
    assert status == 0 and "unattached_devices" not in json.loads(out) and err == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--storage=--"], "storage size '--'"),
        (["--load=--@100"], "cannot read --"),
        (["--max-instructions=--"], "'--' is not a number"),
    ],
)
def test_an_option_given_double_dash_as_its_value_is_an_ordinary_error(capsys, argv, message):
    status, out, err = run(capsys, *argv, "--json")
    assert status == 2 and out == ""
    assert message in err and "internal error" not in err


def test_a_printer_without_a_file_is_refused_with_json(capsys, program):
    status, out, err = run(
        capsys, "--load", f"{program}@100", "--psw", "0000000000000100",
        "--attach", "00E=1403", "--json",
    )  # fmt: skip
    assert status == 2 and out == ""
    assert "--attach 00E=1403:out.txt" in err


def test_a_reader_that_stops_early_ends_the_run_quietly(program):
    command = [
        sys.executable, "-m", "vm370", "bare", "--load", f"{program}@100",
        "--psw", "0000000000000100", "--dump", "0:20000", "--json",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.read(300)
    process.stdout.close()  # as `| head -c 300` does
    status = process.wait(60)
    err = process.stderr.read().decode()
    process.stderr.close()
    assert first.startswith(b'{"stop": ')
    assert "internal error" not in err and "Traceback" not in err and err == ""
    assert status in (0, 141)


def test_double_dash_values_show_as_typed_in_argparse_errors(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["bare", "--json=--"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "'--'" in err and "\x00" not in err


def test_show_blocks_prints_the_source_of_a_translated_loop(capsys, tmp_path):
    # L 3,X'400'; AR 2,1; BCT 3,X'204'; LPSW X'408'.
    code = tmp_path / "loop.bin"
    code.write_bytes(bytes.fromhex("58300400 1A21 46300204 82000408"))
    data = tmp_path / "data.bin"
    data.write_bytes(bytes.fromhex("000003E8 00000000 0002000000000000"))
    status, out, err = run(
        capsys,
        "--load",
        f"{code}@200",
        "--load",
        f"{data}@400",
        "--psw",
        "0000000000000200",
        "--show-blocks",
        "--json",
    )
    assert status == 0
    assert json.loads(out)["instructions"] == 2002
    assert "# block at real 000204, key 0: 000204 AR 000206 BCT" in err
    assert "def block_000204(" in err


def test_a_run_ending_in_a_program_check_loop_says_so(capsys):
    # Storage all zeros: the operation exception's new PSW is zeros too, at 0.
    status, out, _ = run(capsys, "--psw", "0000000000000200", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["stop"] == "limit" and report["instructions"] == 10_000_000
    assert report["interruption_loop"]["code"] == "0001"

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
    status, out, _ = run(capsys, "--psw", "0000000000000000", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["stop"] == "limit" and report["instructions"] == 10_000_000
    assert report["interruption_loop"]["code"] == "0001"
    assert report["interruption_loop"]["psw"] == "0000000000000000"

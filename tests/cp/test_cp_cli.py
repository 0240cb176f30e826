"""``vm370 bare --under-cp``: the same program as a guest of CP, from the command line."""

import json

from vm370.cli import main

# LA 1,5; ST 1,X'200'; SSM X'300' (privileged: CP simulates it); SVC 9.
PROGRAM = bytes.fromhex("41100005 50100200 80000300 0A09")
WAIT = bytes.fromhex("0002000000000111")


def program_file(tmp_path):
    image = bytearray(0x400)
    image[0x60:0x68] = WAIT
    image[0x100 : 0x100 + len(PROGRAM)] = PROGRAM
    path = tmp_path / "p.bin"
    path.write_bytes(bytes(image))
    return path


def run(capsys, *argv):
    status = main(["bare", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_under_cp_reports_as_bare_does_plus_cps_counters(capsys, tmp_path):
    path = program_file(tmp_path)
    common = ["--load", f"{path}@0", "--psw", "0000000000000100", "--dump", "200:4", "--json"]
    status, bare_out, _ = run(capsys, *common)
    assert status == 0
    status, guest_out, _ = run(capsys, *common, "--under-cp")
    assert status == 0
    bare, guest = json.loads(bare_out), json.loads(guest_out)
    assert set(guest) == set(bare) | {"cp"}
    for field in ("stop", "psw", "gpr", "fpr", "instructions", "dump", "cr"):
        assert guest[field] == bare[field], field
    assert guest["cp"] == {"privops": 1, "reflected": 1, "page_faults": 0}
    assert guest["dump"] == {"200": "00000005"}


def test_under_cp_text_report_has_a_cp_line(capsys, tmp_path):
    path = program_file(tmp_path)
    status, out, _ = run(capsys, "--load", f"{path}@0", "--psw", "0000000000000100", "--under-cp")
    assert status == 0
    assert "CP  privops 1  reflected 1  page faults 0" in out


def test_under_cp_refuses_devices_in_one_line(capsys, tmp_path):
    path = program_file(tmp_path)
    status, _, err = run(
        capsys, "--load", f"{path}@0", "--attach", "00E=1403:out.txt", "--under-cp"
    )
    assert status == 2
    assert "no I/O devices" in err and len(err.strip().splitlines()) == 1


def test_under_cp_wants_whole_pages(capsys, tmp_path):
    path = program_file(tmp_path)
    status, _, err = run(capsys, "--load", f"{path}@0", "--storage", "6K", "--under-cp")
    assert status == 2 and "whole 4K pages" in err


def test_under_cp_with_ec_and_cr_loads_the_guests_control_registers(capsys, tmp_path):
    path = program_file(tmp_path)
    status, out, _ = run(
        capsys,
        "--load",
        f"{path}@0",
        "--ec",
        "--cr",
        "4=80000000",
        "--psw",
        "0000000000000100",
        "--under-cp",
        "--json",
    )
    assert status == 0
    report = json.loads(out)
    assert report["cr"][6] == "00800000" and report["cr"][4] == "80000000"
    assert report["gpr"][1] == "00000005"


def test_under_cp_with_real_storage_too_small_for_cp_is_one_line_and_exit_2(capsys, tmp_path):
    path = program_file(tmp_path)
    status, out, err = run(
        capsys,
        "--load",
        f"{path}@0",
        "--psw",
        "0000000000000100",
        "--under-cp",
        "--real-storage",
        "16K",
    )
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "16K is too small for CP: it needs at least 40K" in err


def test_under_cp_pages_in_the_smallest_real_storage_cp_accepts(capsys, tmp_path):
    path = program_file(tmp_path)
    common = ["--load", f"{path}@0", "--psw", "0000000000000100", "--dump", "200:4", "--json"]
    status, out, _ = run(capsys, *common, "--under-cp", "--real-storage", "40K")
    assert status == 0 and json.loads(out)["dump"] == {"200": "00000005"}


def test_real_storage_without_under_cp_is_a_usage_error(capsys, tmp_path):
    status, _, err = run(capsys, "--real-storage", "64K")
    assert status == 2 and "--real-storage is for --under-cp" in err


def test_under_cp_with_real_storage_not_whole_frames_is_a_usage_error(capsys, tmp_path):
    path = program_file(tmp_path)
    argv = ["--load", f"{path}@0", "--psw", "0000000000000100", "--under-cp"]
    status, _, err = run(capsys, *argv, "--real-storage", "42K")
    assert status == 2 and "42K is not whole 4K frames" in err and "internal" not in err

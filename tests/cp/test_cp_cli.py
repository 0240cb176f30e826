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
    assert set(guest) == set(bare) | {"cp", "stop_reason", "cp_log"}
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


def test_under_cp_the_report_carries_cps_log_and_why_the_guest_stopped(capsys, tmp_path):
    path = program_file(tmp_path)
    common = ["--load", f"{path}@0", "--psw", "0000000000000100", "--json", "--under-cp"]
    status, out, _ = run(capsys, *common)
    report = json.loads(out)
    assert report["stop"] == "disabled-wait"
    assert report["stop_reason"] == "the guest entered a disabled wait"
    assert "BARE entered a disabled wait" in report["cp_log"]


# LA 1,5; LA 2,X'800'; SLL 2,4; ST 1,0(2): a store into page 8, not yet in real storage.
TOUCH_PAGE_8 = bytes.fromhex("41100005 41200800 89200004 50120000 82000118") + bytes(4)


def test_a_guest_cp_stops_for_lack_of_frames_is_reported_so_not_as_the_limit(
    capsys, tmp_path, monkeypatch
):
    from vm370.cp import paging

    message = "no frame for a page: every frame is CP's or locked"

    def exhausted(self, name, page):
        raise paging.PagingError(message)

    # Real storage running out, as a pager with every frame locked reports it.
    monkeypatch.setattr(paging.Pager, "resolve_fault", exhausted)
    image = bytearray(0x200)
    image[0x100 : 0x100 + len(TOUCH_PAGE_8)] = TOUCH_PAGE_8
    path = tmp_path / "touch.bin"
    path.write_bytes(bytes(image))
    argv = ["--load", f"{path}@0", "--psw", "0000000000000100", "--under-cp"]
    status, out, _ = run(capsys, *argv, "--json", "--max-instructions", "100000")
    report = json.loads(out)
    assert report["stop"] == "stopped"
    assert report["stop_reason"] == f"BARE stopped: {message}"
    assert report["cp_log"][-1] == f"BARE stopped: {message}"
    status, out, _ = run(capsys, *argv, "--max-instructions", "100000")
    assert f"CP  stop: BARE stopped: {message}" in out


def test_a_guest_that_runs_to_the_limit_says_so(capsys, tmp_path):
    loop = tmp_path / "loop.bin"
    loop.write_bytes(bytes(0x100) + bytes.fromhex("47F00100"))
    status, out, _ = run(
        capsys, "--load", f"{loop}@0", "--psw", "0000000000000100", "--under-cp",
        "--max-instructions", "5000", "--json",
    )  # fmt: skip
    report = json.loads(out)
    assert report["stop"] == "limit"
    assert report["stop_reason"] == "the instruction limit (5,000) was reached"


def test_the_guests_diagnose_log_lines_reach_the_report(capsys, tmp_path):
    # LA 2,X'120'; LA 3,5; DIAG 2,3,X'0100'; LPSW X'130' (disabled wait)
    program = bytes.fromhex("41200120 41300005 83230100 82000130")
    image = bytearray(0x200)
    image[0x100 : 0x100 + len(program)] = program
    image[0x120:0x125] = "HELLO".encode("cp037")
    image[0x130:0x138] = bytes.fromhex("0002000000000000")
    path = tmp_path / "diag.bin"
    path.write_bytes(bytes(image))
    status, out, _ = run(
        capsys, "--load", f"{path}@0", "--psw", "0000000000000100", "--under-cp", "--json"
    )
    assert "BARE: HELLO" in json.loads(out)["cp_log"]


def test_a_guest_in_a_program_interruption_loop_is_stopped_at_once_as_vm370_did(capsys, tmp_path):
    """All zeros: each operation exception's new PSW (0) is the failing instruction."""
    zeros = tmp_path / "zeros.bin"
    zeros.write_bytes(bytes(0x400))
    status, out, _ = run(
        capsys, "--load", f"{zeros}@0", "--psw", "0000000000000200", "--under-cp",
        "--max-instructions", "10000000", "--json",
    )  # fmt: skip
    report = json.loads(out)
    message = "BARE stopped: DMKPRG453W CP ENTERED; PROGRAM INTERRUPT LOOP"
    assert report["stop"] == "stopped"
    assert report["stop_reason"] == message
    assert report["cp_log"][-1] == message
    # The one at X'200' is reflected; the one at 0 is the loop.
    assert report["instructions"] == 2
    assert report["cp"]["reflected"] == 2


# At X'100' an operation exception; the handler at X'180' counts in R3 and
# goes back to X'100' until R3 is 50, then loads a disabled wait PSW.
COUNTING_HANDLER = {
    0x68: "0000000000000180",  # program new PSW: same masks and key, the handler
    0x100: "0000",
    0x180: "41303001 593001A0 47400100 820001A8".replace(" ", ""),
    0x1A0: "00000032",
    0x1A8: "0002000000000BAD",
}


def test_a_program_check_handler_that_makes_progress_is_not_stopped(capsys, tmp_path):
    image = bytearray(0x200)
    for address, text in COUNTING_HANDLER.items():
        data = bytes.fromhex(text)
        image[address : address + len(data)] = data
    path = tmp_path / "handler.bin"
    path.write_bytes(bytes(image))
    status, out, _ = run(
        capsys, "--load", f"{path}@0", "--psw", "0000000000000100", "--under-cp", "--json",
    )  # fmt: skip
    report = json.loads(out)
    assert report["stop"] == "disabled-wait"
    assert report["gpr"][3] == "00000032"
    assert report["cp"]["reflected"] == 50
    assert not any("DMKPRG453W" in line for line in report["cp_log"])

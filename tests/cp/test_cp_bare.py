"""run_under_cp, the runner behind ``vm370 bare --under-cp``: its report and its errors."""

import pytest

from vm370.cp.bare import run_under_cp
from vm370.hardware.machine import BareRun, Machine, MachineError


def request_for(tmp_path, code: str, **options) -> BareRun:
    image = bytearray(0x400)
    image[0x60:0x70] = bytes.fromhex("0002000000000111 0002000000000222".replace(" ", ""))
    data = bytes.fromhex(code.replace(" ", ""))
    image[0x200 : 0x200 + len(data)] = data
    path = tmp_path / "program.bin"
    path.write_bytes(bytes(image))
    options.setdefault("storage_size", 64 * 1024)
    options.setdefault("max_instructions", 20_000)
    return BareRun(loads=[(str(path), 0)], psw=0x200, **options)


def test_the_report_has_the_bare_fields_and_cps_counters(tmp_path):
    request = request_for(tmp_path, "4120 0007 8300 0FF0", dumps=[("28", 0x28, 8)])
    report = run_under_cp(request)
    assert report["stop"] == "disabled-wait"
    assert report["gpr"][2] == "00000007"
    assert report["psw"] == "0002000000000222"  # DIAG X'FF0': specification
    assert report["dump"]["28"][4:8] == "0006"
    assert report["cp"] == {"privops": 1, "reflected": 1, "page_faults": 0}
    assert len(report["cr"]) == 16 and report["instructions"] == 2


def test_a_program_that_runs_out_of_instructions_stops_at_the_limit(tmp_path):
    report = run_under_cp(request_for(tmp_path, "47F0 0200", max_instructions=5_000))
    assert report["stop"] == "limit"


def test_devices_are_refused_under_cp(tmp_path):
    request = request_for(tmp_path, "0A01", attaches=[(0x00C, "2540R", None)])
    with pytest.raises(MachineError, match="no I/O devices"):
        run_under_cp(request)
    with pytest.raises(MachineError, match="--ipl"):
        run_under_cp(request_for(tmp_path, "0A01", ipl=0x190))


def test_storage_must_be_whole_pages(tmp_path):
    with pytest.raises(MachineError, match="whole 4K pages"):
        run_under_cp(request_for(tmp_path, "0A01", storage_size=6 * 1024))


def test_unreadable_files_and_loads_past_the_end_are_clear_errors(tmp_path):
    missing = BareRun(loads=[(str(tmp_path / "missing.bin"), 0)])
    with pytest.raises(MachineError, match="cannot read"):
        run_under_cp(missing)
    request = request_for(tmp_path, "0A01", storage_size=4096)
    request.loads = [(request.loads[0][0], 0xF00)]
    with pytest.raises(MachineError, match="do not fit"):
        run_under_cp(request)


def test_a_dump_outside_the_guest_is_refused_before_running(tmp_path):
    request = request_for(tmp_path, "0A01", dumps=[("FFFF", 0xFFFF, 2)])
    with pytest.raises(MachineError, match="outside"):
        run_under_cp(request)


def test_a_preloaded_bare_machines_pages_become_the_guests(tmp_path):
    preloaded = Machine(64 * 1024, interval_timer=False)
    preloaded.load(0x1000, bytes.fromhex("0000002A"))
    # LA 5,X'800'; L 3,X'800'(5): the word at X'1000'
    request = request_for(tmp_path, "4150 0800 5835 0800 0A01", dumps=[("1000", 0x1000, 4)])
    report = run_under_cp(request, preloaded=preloaded)
    assert report["gpr"][3] == "0000002A"
    assert report["dump"]["1000"] == "0000002A"

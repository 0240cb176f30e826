"""The Machine and the bare runner's logic (vm370/hardware/machine.py)."""

import pytest

from vm370.hardware.machine import (
    DEFAULT_MAX_INSTRUCTIONS,
    BareRun,
    Machine,
    MachineError,
    run_bare,
)

# LA 1,5; AR 1,1; LPSW X'110' -> disabled wait with address X'ABCDEF'.
PROGRAM = bytes.fromhex("41100005 1A11 82000110")
WAIT_PSW = bytes.fromhex("0002000000ABCDEF")


@pytest.fixture
def program_file(tmp_path):
    path = tmp_path / "program.bin"
    path.write_bytes(PROGRAM + bytes(6) + WAIT_PSW)
    return path


def test_run_bare_reports_the_final_state(program_file):
    report = run_bare(
        BareRun(loads=[(str(program_file), 0x100)], psw=0x100, dumps=[("110", 0x110, 8)])
    )
    assert report["stop"] == "disabled-wait"
    assert report["psw"] == "0002000000ABCDEF"
    assert report["gpr"][1] == "0000000A" and len(report["gpr"]) == 16
    assert report["fpr"] == ["0000000000000000"] * 4
    assert report["instructions"] == 3
    assert report["dump"] == {"110": "0002000000ABCDEF"}


def test_run_bare_without_a_psw_starts_from_the_doubleword_at_0(program_file):
    machine = Machine()
    machine.load(0, (0x100).to_bytes(8, "big"))
    report = run_bare(
        BareRun(loads=[(str(program_file), 0x100)], max_instructions=100), machine=machine
    )
    assert report["stop"] == "disabled-wait" and report["instructions"] == 3


def test_run_bare_stops_at_the_limit():
    machine = Machine()
    machine.load(0x100, bytes.fromhex("47F00100"))
    report = run_bare(BareRun(psw=0x100, max_instructions=500), machine=machine)
    assert report["stop"] == "limit" and report["instructions"] == 500


def test_default_limit_is_ten_million():
    assert BareRun().max_instructions == DEFAULT_MAX_INSTRUCTIONS == 10_000_000


def test_load_beyond_storage_is_refused():
    with pytest.raises(MachineError, match="do not fit"):
        Machine(4096).load(4090, bytes(10))


def test_unreadable_file_is_refused(tmp_path):
    with pytest.raises(MachineError, match="cannot read"):
        run_bare(BareRun(loads=[(str(tmp_path / "missing.bin"), 0)]))


def test_dump_outside_storage_is_refused_before_running():
    with pytest.raises(MachineError, match="outside"):
        run_bare(BareRun(storage_size=4096, dumps=[("F00", 0xF00, 0x200)]))


def test_machine_without_channels_still_runs_io_as_not_operational():
    machine = Machine()
    machine.load(0x100, bytes.fromhex("9C000FFF 82000108") + bytes(0) + WAIT_PSW)
    machine.cpu.load_psw(0x100)
    assert machine.run(100) == "disabled-wait"
    assert machine.cpu.cc == 0  # the wait PSW's CC
    assert machine.storage.mem[0x108:0x110] == WAIT_PSW

"""Checkpoint and restore: the running system saved whole, resumed, and replayed."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from vm370_process import WAIT, vm370, vm370_run

from vm370.cli import main
from vm370.cp import checkpoint
from vm370.cp.checkpoint import CheckpointError, restore_system, write_checkpoint
from vm370.cp.datafolder import DataFolder
from vm370.cp.realsystem import RealSystem
from vm370.hardware.devices import HostOutputFile
from vm370.hardware.devices.display3277 import TerminalPort
from vm370.sysgen import read_passwords
from vm370.terminal.session import InProcessDriver

# What a user types after the checkpoint, in both runs.
AFTER = [
    "COPYFILE SAMPLE EXEC A NEW EXEC A",
    "LISTFILE * * A (DATE",
    "ERASE README TEXT A",
    "CP QUERY TIME",
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine") / "vm"
    assert main(["init", str(folder), "--users", "1"]) == 0
    return folder


@pytest.fixture
def folder(pristine, tmp_path) -> Path:
    copy = tmp_path / "vm"
    shutil.copytree(pristine, copy)
    return copy


def typed(driver: InProcessDriver, line: str) -> None:
    terminal = driver.terminal
    assert driver.wait(terminal.ready), terminal.text()
    terminal.type_line(line)


def settled(driver: InProcessDriver) -> None:
    assert driver.wait(driver.terminal.ready), driver.terminal.text()


def from_checkpoint_line(lines: list[str], name: str) -> list[str]:
    """The transcript from the line that says checkpoint ``name`` was taken."""
    taken = [i for i, line in enumerate(lines) if line.startswith(f"CHECKPOINT {name} TAKEN AT")]
    assert len(taken) == 1, lines
    return lines[taken[0] :]


def fingerprint(system) -> tuple:
    """What must be equal in two runs that are the same run: counts, storage, screens."""
    return (
        system.cpu.instructions_executed,
        hashlib.sha256(system.machine.storage.mem).hexdigest(),
        bytes(system.machine.storage.keys),
        [
            (bytes(display.port.display.characters), display.port.display.cursor)
            for display in system.displays
        ],
    )


def logged_on(folder: Path, userid: str = "USER1") -> tuple[RealSystem, InProcessDriver]:
    """A system of ``folder`` with ``userid`` logged on at display 0 and in CMS."""
    system = RealSystem(DataFolder(folder))
    driver = InProcessDriver(system, 0)
    terminal = driver.terminal
    assert driver.wait(lambda: terminal.ready() and "VM/370 ONLINE" in terminal.text())
    typed(driver, f"LOGON {userid}")
    assert driver.wait(lambda: "ENTER PASSWORD" in terminal.text())
    typed(driver, read_passwords(folder)[userid])
    typed(driver, "LISTFILE")
    settled(driver)
    return system, driver


def test_a_restored_system_goes_on_as_the_original_did_instruction_for_instruction(folder):
    system, driver = logged_on(folder)
    system.cp.checkpoint_requests.append(("FIRST", "USER1", None))
    system.run(1)  # the request is taken after the slice
    at_checkpoint = system.cpu.instructions_executed
    for line in AFTER:
        typed(driver, line)
    settled(driver)
    original = fingerprint(system)
    original_lines = from_checkpoint_line(driver.terminal.lines, "FIRST")
    system.close()  # as a killed process would: the packs hold what was written since

    restored = restore_system(DataFolder(folder), "first")
    assert restored.cpu.instructions_executed == at_checkpoint
    resumed = InProcessDriver(restored, 0)
    settled(resumed)  # the screen as the checkpoint left it, redrawn
    for line in AFTER:
        typed(resumed, line)
    settled(resumed)
    assert from_checkpoint_line(resumed.terminal.lines, "FIRST") == original_lines
    assert any(line.startswith("NEW      EXEC     A1") for line in original_lines)
    assert fingerprint(restored) == original
    restored.close()


def test_a_restored_system_served_anew_disconnects_its_users_from_the_displays(folder):
    system, _ = logged_on(folder)
    write_checkpoint(system, "SERVED")
    system.close()
    restored = restore_system(DataFolder(folder), "SERVED")
    restored.drop_terminals()  # what `vm370 serve --restore` does
    stranger = InProcessDriver(restored, 0)
    assert stranger.wait(lambda: "VM/370 ONLINE" in stranger.terminal.text())
    assert "LISTFILE" not in stranger.terminal.text()
    assert restored.users.users["USER1"].terminal is None  # disconnected, still running
    assert restored.display_for("USER1") == (0, False)
    restored.close()


def test_recorded_terminal_input_replays_the_same_run_without_a_terminal(folder):
    system, driver = logged_on(folder)
    system.cp.checkpoint_requests.append(("REPLAY", None, None))
    system.run(1)
    display = system.displays[0]
    recorded_from = len(display.journal)
    for line in AFTER:
        typed(driver, line)
    settled(driver)
    original = fingerprint(system)
    journal = display.journal[recorded_from:]
    end = system.clock.now
    system.close()

    assert len(journal) == len(AFTER)
    replayed = restore_system(DataFolder(folder), "REPLAY")
    replayed.displays[0].replay(journal)
    while replayed.clock.now < end:
        replayed.run(min(100_000, end - replayed.clock.now))
    assert fingerprint(replayed) == original
    replayed.close()


def test_restore_puts_the_packs_back_and_refuses_what_it_cannot_restore(folder):
    system, driver = logged_on(folder)
    packs = DataFolder(folder).packs_path
    system.cp.checkpoint_requests.append(("PACKS", None, None))
    system.run(1)
    at_checkpoint = {p.name: p.read_bytes() for p in sorted(packs.iterdir())}
    typed(driver, "ERASE README TEXT A")
    settled(driver)
    system.shutdown()
    assert {p.name: p.read_bytes() for p in packs.iterdir()} != at_checkpoint

    data = DataFolder(folder)
    with pytest.raises(CheckpointError, match=r"no checkpoint NOPE \(checkpoints: PACKS\)"):
        restore_system(data, "nope")
    # A changed directory: refused, and nothing in the folder touched.
    directory = data.directory_path
    text = directory.read_text()
    directory.write_text(text + "* a comment added later\n")
    before = {p.name: p.read_bytes() for p in packs.iterdir()}
    with pytest.raises(CheckpointError, match="has changed since checkpoint PACKS"):
        restore_system(data, "PACKS")
    assert {p.name: p.read_bytes() for p in packs.iterdir()} == before
    directory.write_text(text)
    # A damaged state file is found out by its checksum.
    state = folder / "checkpoints" / "PACKS" / "state.pickle"
    good = state.read_bytes()
    state.write_bytes(good[:-10] + bytes(10))
    with pytest.raises(CheckpointError, match="damaged"):
        restore_system(data, "PACKS")
    state.write_bytes(good)
    # Another version's checkpoint is refused.
    info_path = folder / "checkpoints" / "PACKS" / "checkpoint.json"
    info = json.loads(info_path.read_text())
    info_path.write_text(json.dumps({**info, "version": "0.0.0"}))
    with pytest.raises(CheckpointError, match="taken by vm370 0.0.0"):
        restore_system(data, "PACKS")
    info_path.write_text(json.dumps(info))

    restored = restore_system(data, "PACKS")
    assert {p.name: p.read_bytes() for p in packs.iterdir()} == at_checkpoint
    assert sorted(restored.users.users) == ["USER1"]
    restored.close()


def test_a_checkpoint_that_cannot_be_written_leaves_the_earlier_one_whole(folder, monkeypatch):
    system = RealSystem(DataFolder(folder))
    first = write_checkpoint(system, "same")
    state = (first / "state.pickle").read_bytes()
    system.run(50_000)

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.shutil, "copyfile", full_disk)
    system.cp.checkpoint_requests.append(("SAME", None, None))
    said = system.take_checkpoints()
    assert said == ["CHECKPOINT SAME FAILED: checkpoint SAME not written: No space left on device"]
    assert (first / "state.pickle").read_bytes() == state
    assert sorted(p.name for p in first.parent.iterdir()) == ["SAME"]  # no partial folder
    system.close()


def test_a_state_file_cannot_make_objects_of_other_modules(folder):
    data = DataFolder(folder)
    data.load()

    class Sneaky:
        def __reduce__(self):
            return (subprocess.call, (["touch", str(folder / "owned")],))

    with pytest.raises(CheckpointError, match="may not make subprocess.call"):
        checkpoint._loads(pickle.dumps(Sneaky()), data)
    assert not (folder / "owned").exists()


def test_the_cp_command_is_the_operators_and_checks_its_operand(folder):
    system, driver = logged_on(folder)
    typed(driver, "CP CHECKPOINT X")
    settled(driver)
    assert "DMKCFM001E UNKNOWN CP COMMAND" in driver.terminal.text()
    assert not (folder / "checkpoints").exists()
    system.close()
    system, driver = logged_on(folder, "MAINT")
    for line, message in (
        ("CP CHECKPOINT", "DMKCPR026E OPERAND MISSING OR INVALID"),
        ("CP CHECKPOINT A B", "DMKCPR003E INVALID OPTION - B"),
        ("CP CHECKPOINT ../X", "DMKCPR026E OPERAND MISSING OR INVALID - ../X"),
    ):
        typed(driver, line)
        settled(driver)
        assert message in driver.terminal.text()
    assert not (folder / "checkpoints").exists()
    system.close()


def test_ports_and_output_files_keep_the_device_not_the_connection(tmp_path):
    port = TerminalPort(0x0C0)

    class Session:
        def outbound(self, record):
            pass

    port.connect(Session())
    port.drain()
    copy = pickle.loads(pickle.dumps(port))
    assert port.session is not None and copy.session is None
    assert copy.free and copy.display.characters == port.display.characters

    printed = tmp_path / "printer.txt"
    output = HostOutputFile(printed, "printer")
    output.write("before the checkpoint\n")
    restored = pickle.loads(pickle.dumps(output))
    output.close()
    restored.write("after the restore\n")
    restored.close()
    assert printed.read_text() == "before the checkpoint\nafter the restore\n"


def test_a_session_checkpoints_and_a_restored_session_repeats_its_transcript(
    folder, monkeypatch, capsys
):
    monkeypatch.setenv("VM370_PASSWORD", read_passwords(folder)["MAINT"])
    script = ["LISTFILE", "CP CHECKPOINT LAB1", *AFTER]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(script) + "\n"))
    assert main(["session", "--data", str(folder), "--user", "MAINT"]) == 0
    first = capsys.readouterr().out.splitlines()

    monkeypatch.delenv("VM370_PASSWORD")  # logged on in the checkpoint: no LOGON, no password
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(AFTER) + "\n"))
    assert main(["session", "--data", str(folder), "--restore", "lab1", "--user", "MAINT"]) == 0
    second = capsys.readouterr().out.splitlines()
    after = from_checkpoint_line(first, "LAB1")
    assert from_checkpoint_line(second, "LAB1") == after
    assert any(line.startswith("NEW      EXEC     A1") for line in after)
    assert after[-1] == "VM/370 ONLINE"  # logged off at the end of the script, both times

    # USER1 was not logged on in the checkpoint: that session needs its password.
    monkeypatch.setattr(sys, "stdin", io.StringIO("LISTFILE\n"))
    assert main(["session", "--data", str(folder), "--restore", "LAB1", "--user", "USER1"]) == 2
    assert "USER1 is not logged on in checkpoint LAB1" in capsys.readouterr().err


def test_vm370_checkpoint_asks_a_running_server_and_lists_what_it_has(folder):
    server = vm370("serve", "--data", str(folder), "--tn3270", "127.0.0.1:0")
    try:
        assert "127.0.0.1:" in server.stdout.readline()
        asked = vm370_run("checkpoint", "--data", str(folder), "nightly")
        assert asked.returncode == 0, asked.stderr
        assert asked.stdout.startswith("CHECKPOINT NIGHTLY TAKEN AT ")
        assert (folder / "checkpoints" / "NIGHTLY" / "state.pickle").is_file()
    finally:
        server.send_signal(2)
        _, err = server.communicate(timeout=WAIT)
    assert server.returncode == 0, err
    assert "CHECKPOINT NIGHTLY TAKEN AT" in err  # CP's log
    listed = vm370_run("checkpoint", "--data", str(folder), "--list")
    assert listed.stdout.startswith("NIGHTLY ") and "nobody logged on" in listed.stdout
    nothing = vm370_run("checkpoint", "--data", str(folder), "later")
    assert nothing.returncode == 2
    assert "no system is running on" in nothing.stderr

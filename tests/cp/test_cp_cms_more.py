"""CMS under CP: the ready message's times, a 20-cylinder 191, and files moved between two
users through the spool (DISK DUMP in one, DISK LOAD in the other)."""

from __future__ import annotations

import re

import pytest
from cp_system import DIRECTORY, SYSTEM, answer, boot, logged_on, make_folder

from cms.build import build_nucleus, build_system_disk
from cms.filesystem import CMSDisk, text_to_records
from cms.minidisk import Minidisk
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.devices.ckd_image import CKDImage
from vm370.terminal.scripted import run_until

ALICE_CYLINDERS = 20
TWO_CMS_DIRECTORY = (
    DIRECTORY.replace(
        "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
    )
    .replace("USER BOB BANANA 256K 1M G\n", "USER BOB BANANA 1M 2M G\n LINK MAINT 190 190 RR\n")
    .replace(" MDISK 191 2314 1 5 USERS W", f" MDISK 191 2314 1 {ALICE_CYLINDERS} USERS W")
    .replace(" MDISK 191 2314 6 5 USERS W", " MDISK 191 2314 26 3 USERS W")
) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 21 5 USERS MR ALL\n")
TWO_CMS_SYSTEM = SYSTEM.replace("AREA USERS PERM 1 20", "AREA USERS PERM 1 28")
RECORDS = 2_000
NOTES = "".join(f"note {number} from alice\n" for number in range(60))


@pytest.fixture(scope="session")
def nucleus():
    return build_nucleus()


@pytest.fixture
def folder(tmp_path, nucleus):
    root = make_folder(tmp_path, directory=TWO_CMS_DIRECTORY, system=TWO_CMS_SYSTEM)
    build_system_disk(root / "packs" / "users.ckd", 21, 5, nucleus)
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, ALICE_CYLINDERS), "ALI191")
        lines = "".join(f"LINE {number:05d}\n" for number in range(RECORDS))
        disk.write("LONG", "DATA", text_to_records(lines), "F", 80)
        disk.put("FILLER DATA A1", bytes(1_600 * 800), binary=True)
        disk.write("NOTES", "MEMO", text_to_records(NOTES, "V", None), "V", mode="A2")
        CMSDisk.format(Minidisk(image, 26, 3), "BOB191")
    finally:
        image.close()
    return root


def cms_ready(system, userid: str, password: str, index: int = 0):
    terminal = logged_on(system, userid, password, index)
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    return terminal


def test_the_ready_message_gives_the_cpu_time_cp_counted_for_the_command(folder):
    system = boot(folder)
    terminal = cms_ready(system, "ALICE", "APPLE")
    machine = system.users.users["ALICE"].machine
    instructions_before = machine.counters.instructions
    clock_before = system.cp.time_of_day().replace(microsecond=0)
    screen = answer(system, terminal, "COPYFILE LONG DATA A COPY DATA A", "R;")
    used = (machine.counters.instructions - instructions_before) / INSTRUCTIONS_PER_SECOND
    clock_after = system.cp.time_of_day()
    line = screen.splitlines()[-1]
    match = re.fullmatch(r"R; T=(\d+\.\d\d)/(\d+\.\d\d) (\d\d:\d\d:\d\d)", line)
    assert match, line
    virtual, total = float(match[1]), float(match[2])
    # DIAGNOSE X'0C' gives the virtual CPU time in microseconds, CP counts it in instructions:
    # the command's share is all of it but the read and the typing of this line.
    assert used > 0.5
    assert used - 0.02 <= virtual <= used
    assert total == virtual  # CP charges no time of its own to the machine
    stamp = clock_before.strftime("%Y-%m-%d ") + match[3]
    assert clock_before.isoformat(" ") <= stamp <= clock_after.isoformat(" ")


def test_a_20_cylinder_191_under_cp_is_written_past_its_first_1720_blocks(folder):
    system = boot(folder)
    terminal = cms_ready(system, "ALICE", "APPLE")
    for number in range(3):
        answer(system, terminal, f"COPYFILE LONG DATA A COPY{number} DATA A", "R;")
    answer(system, terminal, "ERASE COPY1 DATA A", "R;")
    answer(system, terminal, "COPYFILE LONG DATA A COPY3 DATA A", "R;")
    screen = answer(system, terminal, "QUERY DISK A", "R;")
    assert "(OF 2800)" in screen and "(20 CYL)" in screen
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    system.shutdown()
    image = CKDImage(folder / "packs" / "users.ckd", read_only=True)
    try:
        disk = CMSDisk.open(Minidisk(image, 1, ALICE_CYLINDERS))
        assert disk.check() == []
        names = sorted(entry.fileid for entry in disk.files())
        assert names == [f"COPY{n} DATA A1" for n in (0, 2, 3)] + [
            "FILLER DATA A1",
            "LONG DATA A1",
            "NOTES MEMO A2",
        ]
        for copy in ("COPY0", "COPY2", "COPY3"):
            assert disk.read(copy, "DATA") == disk.read("LONG", "DATA")
        assert disk.blocks_used > 215 * 8
    finally:
        image.close()


def test_disk_dump_in_one_user_and_disk_load_in_another_move_a_file_through_the_spool(folder):
    system = boot(folder)
    alice = cms_ready(system, "ALICE", "APPLE", 0)
    bob = cms_ready(system, "BOB", "BANANA", 1)
    answer(system, alice, "CP SPOOL PUNCH TO BOB", "R;")
    screen = answer(system, alice, "DISK DUMP NOTES MEMO", "R;")
    assert "DMS" not in screen
    run_until(system, lambda: "PUN FILE" in bob.history() and not bob.keyboard_locked())
    screen = answer(system, bob, "DISK LOAD", "R;")
    assert "NOTES    MEMO     A2" in screen
    screen = answer(system, bob, "TYPE NOTES MEMO", "R;")
    assert "note 0 from alice" in screen and "note 59 from alice" in screen
    # the reader file was read and closed: nothing left for a second DISK LOAD
    screen = answer(system, bob, "DISK LOAD", "R(")
    assert "DMSDSK205W READER EMPTY OR NOT READY" in screen
    for terminal in (alice, bob):
        terminal.press("PA1")
        run_until(system, lambda t=terminal: t.status() == "CP READ")
        answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    system.shutdown()
    image = CKDImage(folder / "packs" / "users.ckd", read_only=True)
    try:
        disk = CMSDisk.open(Minidisk(image, 26, 3))
        assert disk.check() == []
        assert [entry.fileid for entry in disk.files()] == ["NOTES MEMO A2"]
        assert disk.get("NOTES MEMO") == NOTES.encode()
    finally:
        image.close()

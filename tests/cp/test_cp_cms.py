"""CMS as CP's guest: IPL 190 from a minidisk, its disks through DIAGNOSE X'18', CP commands.

The nucleus is assembled from cms/ once for the session and written on the
system disk (MAINT's 190, linked read-only by ALICE). ALICE's 191 is a CMS
disk the host tools format and fill; what CMS writes there is read back by
the host tools after LOGOFF.
"""

from __future__ import annotations

import pytest
from cp_system import DIRECTORY, answer, boot, logged_on, make_folder

from cms.build import build_nucleus, build_system_disk
from cms.filesystem import CMSDisk
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage
from vm370.terminal.scripted import run_until

CMS_DIRECTORY = DIRECTORY.replace(
    "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
) + (
    "USER MAINT MAINTPW 1M 2M ABCDEFG\n"
    " CONSOLE 009 3215\n"
    " MDISK 190 2314 11 8 USERS MR ALL\n"
)


@pytest.fixture(scope="session")
def nucleus():
    return build_nucleus()


@pytest.fixture
def folder(tmp_path, nucleus):
    root = make_folder(tmp_path, directory=CMS_DIRECTORY)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, nucleus)
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
        disk.put("GREETING TEXTFILE A1", b"WRITTEN ON THE HOST\nSECOND LINE\n")
    finally:
        image.close()
    return root


def ready(system, terminal):
    run_until(system, lambda: terminal.status() == "VM READ")


def test_cms_ipls_from_the_system_disk_under_cp(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    screen = answer(system, terminal, "QUERY DISK", "R;")
    assert "A (191)" in screen


def test_cms_reads_a_file_the_host_tools_wrote(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    screen = answer(system, terminal, "TYPE GREETING TEXTFILE", "R;")
    assert "WRITTEN ON THE HOST" in screen and "SECOND LINE" in screen


def test_a_file_cms_writes_is_read_by_the_host_tools(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    answer(system, terminal, "COPYFILE GREETING TEXTFILE A COPY TEXTFILE A", "R;")
    ready(system, terminal)
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    system.shutdown()
    image = CKDImage(folder / "packs" / "users.ckd", read_only=True)
    try:
        text = CMSDisk.open(Minidisk(image, 1, 5)).get("COPY TEXTFILE A")
    finally:
        image.close()
    assert b"WRITTEN ON THE HOST" in text


def test_cp_commands_from_cms_take_the_diagnose_08_path(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    screen = answer(system, terminal, "CP FROBNICATE", "DMKCFM001E UNKNOWN CP COMMAND")
    assert "CP FROBNICATE" in screen


def test_pa1_stops_cms_and_begin_lets_it_go_on(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    assert system.users.users["ALICE"].cp_mode
    terminal.type_line("BEGIN")
    ready(system, terminal)
    screen = answer(system, terminal, "QUERY DISK", "R;")
    assert "A (191)" in screen


def test_ipl_cms_by_name_ipls_the_system_disk(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL CMS", "CMS VERSION")
    ready(system, terminal)


def test_ipl_of_a_system_that_does_not_exist_is_refused(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    screen = answer(system, terminal, "IPL NOSUCH", "DMKCFG044E")
    assert "DMKCFG044E SYSTEM NOSUCH DOES NOT EXIST" in screen


LOOP_EXEC = "&LOOP 1 1000000\n&X = 1\n"


def test_a_cp_command_typed_while_cms_loops_runs_at_once(folder):
    image = CKDImage(folder / "packs" / "users.ckd")
    try:
        CMSDisk.open(Minidisk(image, 1, 5)).put("FOREVER EXEC A1", LOOP_EXEC.encode())
    finally:
        image.close()
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    terminal.type_line("FOREVER")
    run_until(system, lambda: terminal.status() == "RUNNING")
    system.run(100_000)
    assert terminal.status() == "RUNNING"  # the EXEC loops, nothing reads
    screen = answer(system, terminal, "#CP QUERY USERID", "ALICE")
    assert "#CP QUERY USERID" in screen
    assert terminal.status() == "RUNNING"  # the machine went on

"""CMS's tools under CP, typed at a 3270 as a student would: EDIT, ASSEMBLE, LOAD, START,
GENMOD, EXEC.

ALICE logs on, IPLs the 190 (the build put CMSLIB MACLIB there) and works on her 191, where
the host tools put HELLO ASSEMBLE and the execs; one test types its program with EDIT.
ASSEMBLE reaches the project's assembler through DIAGNOSE X'0108'; what CMS writes is read
back with the host tools after LOGOFF.
"""

from __future__ import annotations

import re

import pytest
from cp_system import DIRECTORY, answer, boot, logged_on, make_folder, read_on, since

from assembler import assemble
from cms.build import MACLIB_DIRECTORY, build_nucleus, build_system_disk
from cms.filesystem import CMSDisk, text_to_records
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage
from vm370.terminal.scripted import run_until

CMS_DIRECTORY = DIRECTORY.replace(
    "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 11 8 USERS MR ALL\n")

HELLO = """\
HELLO    CSECT
         USING HELLO,12
         WRTERM 'HELLO FROM ASSEMBLER'
         SR    15,15
         BR    14
         END   HELLO
"""

BROKEN = """\
BROKEN   CSECT
         USING BROKEN,12
         L     15,NOWHERE
         BR    14
         END   BROKEN
"""

BUILD_EXEC = """\
&CONTROL OFF
GLOBAL MACLIB CMSLIB
ASSEMBLE &1
&IF &RETCODE NE 0 &GOTO -FAILED
LOAD &1
START
&IF &RETCODE NE 0 &GOTO -FAILED
GENMOD &1
&1
&TYPE &1 BUILT AND RAN
&EXIT 0
-FAILED &TYPE &1 FAILED WITH &RETCODE
&EXIT &RETCODE
"""

GREET_MACRO = """\
         MACRO
&LABEL   GREET &WHO
&LABEL   WRTERM 'GREETINGS, &WHO'
         MEND
"""

GREETER = """\
GREETER  CSECT
         USING GREETER,12
         GREET STUDENT
         SR    15,15
         BR    14
         END   GREETER
"""

CALLER = """\
CALLER   CSECT
         SAVE  (14,12)
         LR    12,15
         USING CALLER,12
         ST    13,SAVEAREA+4
         LA    13,SAVEAREA
         WRTERM 'CALLER CALLS'
         L     15,=V(SHOUT)
         BALR  14,15
         WRTERM 'CALLER IS BACK'
         L     13,SAVEAREA+4
         RETURN (14,12),RC=0
SAVEAREA DS    18F
         LTORG
         END   CALLER
"""

SHOUT = """\
SHOUT    CSECT
         SAVE  (14,12)
         LR    12,15
         USING SHOUT,12
         WRTERM 'SHOUT FROM THE TXTLIB'
         RETURN (14,12),RC=0
         END
"""

LOOP_EXEC = """\
&LOOP 1 NEVER EQ TRUE
&I = 1
"""


@pytest.fixture(scope="session")
def nucleus():
    return build_nucleus()


@pytest.fixture
def folder(tmp_path, nucleus):
    root = make_folder(tmp_path, directory=CMS_DIRECTORY)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, nucleus, maclib=True)
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
        files = {
            "HELLO ASSEMBLE": HELLO,
            "BROKEN ASSEMBLE": BROKEN,
            "BUILD EXEC": BUILD_EXEC,
            "FOREVER EXEC": LOOP_EXEC,
            "GREET MACRO": GREET_MACRO,
            "TIMED EXEC": "&CONTROL CMS TIME\nSTATE BUILD EXEC\n&TIME TYPE\n",
            "GREETER ASSEMBLE": GREETER,
            "CALLER ASSEMBLE": CALLER,
            "SHOUT ASSEMBLE": SHOUT,
        }
        for fileid, text in files.items():
            filename, filetype = fileid.split()
            disk.write(filename, filetype, text_to_records(text), "F", 80)
    finally:
        image.close()
    return root


READY = re.compile(r"^R(;|\(-?\d+\);)", re.MULTILINE)


def command(system, terminal, line: str) -> str:
    """Type a CMS command and run until its ready message; the output since."""
    run_until(system, lambda: not terminal.keyboard_locked())
    before = len(terminal.transcript)
    terminal.type_line(line)

    def output() -> str:
        text = since(terminal, before)
        echo = text.rfind(line + "\n")
        return text[echo + len(line) :] if echo >= 0 else ""

    read_on(system, terminal, lambda: READY.search(output()) is not None)
    return output()


def ready(system, terminal):
    run_until(system, lambda: terminal.status() == "VM READ")


def cms(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    return system, terminal


def logoff_and_open(system, terminal, folder) -> CMSDisk:
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    system.shutdown()
    image = CKDImage(folder / "packs" / "users.ckd", read_only=True)
    return CMSDisk.open(Minidisk(image, 1, 5))


def test_assemble_load_start_genmod_and_run_by_name(folder):
    system, terminal = cms(folder)
    assert "R;" in command(system, terminal, "GLOBAL MACLIB CMSLIB")
    screen = command(system, terminal, "ASSEMBLE HELLO")
    assert "R;" in screen
    assert "R;" in command(system, terminal, "ASSEMBLE HELLO")  # replaces, never adds to
    command(system, terminal, "LOAD HELLO")
    screen = command(system, terminal, "START")
    assert "HELLO FROM ASSEMBLER" in screen
    command(system, terminal, "GENMOD HELLO")
    screen = command(system, terminal, "HELLO")
    assert "HELLO FROM ASSEMBLER" in screen
    screen = command(system, terminal, "LISTFILE HELLO * A")
    assert "HELLO    TEXT     A1" in screen and "HELLO    LISTING  A1" in screen
    assert "HELLO    MODULE   A1" in screen
    disk = logoff_and_open(system, terminal, folder)
    # The deck CMS wrote is the one the assembler makes of the same source and macros.
    expected = assemble(HELLO, deck_name="HELLO", maclib=[MACLIB_DIRECTORY])
    assert expected.return_code == 0
    text = disk.get("HELLO TEXT", binary=True)
    assert text[:80] == expected.object_deck[:80]  # the ESD card
    assert len(text) == len(expected.object_deck)
    listing = [entry for entry in disk.files() if entry.filetype == "LISTING"][0]
    assert (listing.recfm, listing.lrecl) == ("F", 121)
    assert "WRTERM" in disk.get("HELLO LISTING").decode()


def test_an_exec_runs_the_whole_path_and_checks_retcode(folder):
    system, terminal = cms(folder)
    screen = command(system, terminal, "BUILD HELLO")
    assert "HELLO FROM ASSEMBLER" in screen
    assert "HELLO BUILT AND RAN" in screen
    screen = command(system, terminal, "EXEC BUILD BROKEN")
    assert "BROKEN FAILED WITH 8" in screen
    assert "R(00008);" in screen


def test_assemble_errors(folder):
    system, terminal = cms(folder)
    screen = command(system, terminal, "ASSEMBLE NOSUCH")
    assert "DMSASM002E FILE 'NOSUCH ASSEMBLE *' NOT FOUND" in screen
    command(system, terminal, "GLOBAL MACLIB NOLIB")
    screen = command(system, terminal, "ASSEMBLE HELLO")
    assert "DMSASM002E FILE 'NOLIB MACLIB *' NOT FOUND" in screen
    screen = command(system, terminal, "GLOBAL DOSLIB X")
    assert "DMSGLB014E INVALID FUNCTION" in screen
    screen = command(system, terminal, "GLOBAL TXTLIB X")
    assert "DMSGLB002W FILE 'X TXTLIB *' NOT FOUND" in screen and "R(00028);" in screen
    # Without the library WRTERM is an unknown operation: the assembler's code comes back.
    command(system, terminal, "GLOBAL MACLIB")
    screen = command(system, terminal, "ASSEMBLE HELLO")
    assert "R(00008);" in screen
    # The flagged statement and the assembler's message, at the console.
    assert "WRTERM 'HELLO FROM ASSEMBLER'" in screen
    assert "*** severity 8" in screen and "WRTERM" in screen.split("*** severity 8")[1]


def test_an_endless_loop_is_stopped_with_pa1_and_a_cp_command(folder):
    system, terminal = cms(folder)
    terminal.type_line("FOREVER")
    run_until(system, lambda: terminal.status() == "RUNNING", max_instructions=2_000_000)
    system.run(200_000)
    assert terminal.status() == "RUNNING"  # the &LOOP goes on
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    terminal.type_line("BEGIN")  # BEGIN lets it go on
    run_until(system, lambda: terminal.status() == "RUNNING")
    system.run(200_000)
    assert terminal.status() == "RUNNING"
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    ready(system, terminal)
    assert "R;" in command(system, terminal, "QUERY RDYMSG")


def test_a_maclib_the_user_builds_is_searched_with_cmslib(folder):
    system, terminal = cms(folder)
    assert "R;" in command(system, terminal, "MACLIB GEN MYLIB GREET")
    screen = command(system, terminal, "MACLIB LIST MYLIB")
    assert "GREET    00002  0004" in screen
    command(system, terminal, "GLOBAL MACLIB MYLIB CMSLIB")
    assert "R;" in command(system, terminal, "ASSEMBLE GREETER")
    command(system, terminal, "LOAD GREETER")
    assert "GREETINGS, STUDENT" in command(system, terminal, "START")


def test_exec_times_under_cp(folder):
    system, terminal = cms(folder)
    screen = command(system, terminal, "TIMED")
    assert re.search(r"^09:\d\d:\d\d STATE BUILD EXEC$", screen, re.MULTILINE), screen
    assert re.search(r"^T=\d+\.\d\d/\d+\.\d\d 09:\d\d:\d\d$", screen, re.MULTILINE), screen


def test_the_student_path_typed_with_edit(folder):
    """EDIT WORLD ASSEMBLE, type the program, FILE it, ASSEMBLE, LOAD, START, GENMOD, run it."""
    system, terminal = cms(folder)
    screen = answer(system, terminal, "EDIT WORLD ASSEMBLE", "INPUT:")
    assert "NEW FILE:" in screen
    for line in (
        "WORLD    CSECT",
        "         USING WORLD,12",
        "         WRTERM 'TYPED WITH EDIT'",
        "         SR    15,15",
        "         BR    14",
        "         END   WORLD",
    ):
        run_until(system, lambda: not terminal.keyboard_locked())
        terminal.type_line(line)
    answer(system, terminal, "", "EDIT:")
    assert "R;" in command(system, terminal, "FILE")
    command(system, terminal, "GLOBAL MACLIB CMSLIB")
    assert "R;" in command(system, terminal, "ASSEMBLE WORLD")
    command(system, terminal, "LOAD WORLD")
    assert "TYPED WITH EDIT" in command(system, terminal, "START")
    command(system, terminal, "GENMOD WORLD")
    screen = command(system, terminal, "WORLD")
    assert "TYPED WITH EDIT" in screen and "R;" in screen


def test_a_subroutine_from_a_txtlib_the_user_builds(folder):
    system, terminal = cms(folder)
    assert "R;" in command(system, terminal, "GLOBAL MACLIB CMSLIB")
    assert "R;" in command(system, terminal, "ASSEMBLE CALLER")
    assert "R;" in command(system, terminal, "ASSEMBLE SHOUT")
    assert "R;" in command(system, terminal, "TXTLIB GEN MYLIB SHOUT")
    # The library has the member, so the TEXT file is not needed any more.
    assert "R;" in command(system, terminal, "ERASE SHOUT TEXT")
    screen = command(system, terminal, "TXTLIB LIST MYLIB")
    assert "SHOUT" in screen and "1 ENTRIES IN LIBRARY" in screen
    screen = command(system, terminal, "LOAD CALLER")
    assert "DMSLIO201W THE FOLLOWING NAMES ARE UNDEFINED:" in screen and "SHOUT" in screen
    assert "R(00004);" in screen
    assert "R;" in command(system, terminal, "GLOBAL TXTLIB MYLIB")
    assert "TXTLIB   = MYLIB" in command(system, terminal, "QUERY TXTLIB")
    assert "R;" in command(system, terminal, "LOAD CALLER")
    screen = command(system, terminal, "START")
    lines = [line.strip() for line in screen.splitlines()]
    calls = lines.index("CALLER CALLS")
    assert lines[calls : calls + 3] == ["CALLER CALLS", "SHOUT FROM THE TXTLIB", "CALLER IS BACK"]
    screen = command(system, terminal, "TXTLIB DEL MYLIB SHOUT")
    assert "DMSLBT213W LIBRARY 'MYLIB TXTLIB' NOT CREATED, OR ERASED IF EMPTY." in screen
    screen = command(system, terminal, "TXTLIB ADD MYLIB SHOUT")
    assert "DMSLBT002E FILE 'MYLIB TXTLIB' NOT FOUND" in screen and "R(00028);" in screen
    disk = logoff_and_open(system, terminal, folder)
    names = {(entry.filename, entry.filetype) for entry in disk.files()}
    assert ("CALLER", "TEXT") in names and ("MYLIB", "TXTLIB") not in names

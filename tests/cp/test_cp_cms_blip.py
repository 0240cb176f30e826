"""The CMS blip under CP: CP's virtual interval timer (vm370/cp/vtimer.py) drives it.

CP counts the virtual machine's own instructions down from its location X'50', one
microsecond each, and presents the timer interruption when the count goes negative;
CMS (DMSITE) types the blip every 2 seconds of that time while a command runs.
"""

from __future__ import annotations

import pytest
from cp_system import DIRECTORY, answer, boot, logged_on, make_folder, run_until

from assembler import assemble
from cms.build import MACLIB_DIRECTORY, build_nucleus, build_system_disk
from cms.filesystem import CMSDisk, binary_to_records
from cms.minidisk import Minidisk
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.devices.ckd_image import CKDImage

CMS_DIRECTORY = DIRECTORY.replace(
    "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 11 8 USERS MR ALL\n")

# Three instructions a turn; 7 seconds of them.
TURNS = 7 * INSTRUCTIONS_PER_SECOND // 3
LOOP = f"""\
LOOP     CSECT
         USING LOOP,12
         SR    4,4
AGAIN    LA    4,1(,4)
         C     4,COUNT
         BL    AGAIN
         LINEDIT TEXT='COUNT ........',SUB=(DEC,(4))
         SR    15,15
         BR    14
COUNT    DC    F'{TURNS}'
         LTORG
         END   LOOP
"""


@pytest.fixture
def folder(tmp_path):
    root = make_folder(tmp_path, directory=CMS_DIRECTORY)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, build_nucleus())
    result = assemble(LOOP, maclib=[MACLIB_DIRECTORY])
    assert result.return_code == 0
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
        disk.write("LOOP", "TEXT", binary_to_records(result.object_deck, "F", 80), "F", 80)
    finally:
        image.close()
    return root


def test_a_seven_second_program_blips_three_times_under_cp(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    # A 3270 display: no blips until asked for (VM/370's DMSINS, "NO BLIPS FOR TUBES").
    assert "BLIP     = OFF" in answer(system, terminal, "QUERY BLIP", "R;")
    answer(system, terminal, "SET BLIP *", "R;")
    answer(system, terminal, "LOAD LOOP", "R;")
    screen = answer(system, terminal, "START", "R;").splitlines()
    begins = screen.index("DMSLIO740I EXECUTION BEGINS...")
    count = screen.index(f"COUNT {TURNS}.")
    assert screen[begins + 1 : count] == ["*", "*", "*"]
    assert screen[count + 1].startswith("R;")
    # An interruption with the timer's code, pending since the console read (CMS
    # reads masked), comes when the next command enables: the timer has not run
    # out, so no blip.
    answer(system, terminal, "#CP EXTERNAL 80", "#CP EXTERNAL 80")
    shown = answer(system, terminal, "QUERY BLIP", "R;").splitlines()
    assert shown[1:3] == ["BLIP     = *", shown[2]] and shown[2].startswith("R;")
    assert "*" not in shown
    answer(system, terminal, "SET BLIP OFF", "R;")
    screen = answer(system, terminal, "START", "R;").splitlines()
    begins = screen.index("DMSLIO740I EXECUTION BEGINS...")
    assert screen[begins + 1] == f"COUNT {TURNS}."
    system.shutdown()


def test_the_interrupt_key_and_a_false_timer_code_leave_the_program_and_its_blips_alone(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    answer(system, terminal, "SET BLIP *", "R;")
    answer(system, terminal, "LOAD LOOP", "R;")
    before = len(terminal.transcript)
    terminal.type_line("START")
    run_until(system, lambda: terminal.status() == "RUNNING")
    system.run(500_000)
    # CP's EXTERNAL: the interrupt key (X'40'), which CMS dismisses, then a code
    # claiming to be the timer's while the timer has not run out (dismissed too).
    answer(system, terminal, "#CP EXTERNAL", "#CP EXTERNAL")
    answer(system, terminal, "#CP EXTERNAL 80", "#CP EXTERNAL 80")
    run_until(system, lambda: "R;" in "\n".join(terminal.transcript[before:]))
    screen = [line for line in terminal.transcript[before:] if not line.startswith("#CP")]
    begins = screen.index("DMSLIO740I EXECUTION BEGINS...")
    count = screen.index(f"COUNT {TURNS}.")
    assert screen[begins + 1 : count] == ["*", "*", "*"]
    assert screen[count + 1].startswith("R;")
    system.shutdown()

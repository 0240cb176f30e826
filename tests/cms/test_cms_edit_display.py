"""CMS EDIT's display mode on a 3270, driven under CP as a person would.

FORMAT DISPLAY (VM/370's subcommand) puts the file on the screen through
DIAGNOSE X'58': the status line, the message line, the lines around the
current one with the current line intensified on line 10 of the screen,
and CP's input area at the bottom for the subcommands. FORMAT LINE goes
back to line mode. The layout is VM/370 Release 6 DMSSCR's for a 3277.
"""

from __future__ import annotations

from cp_system import DIRECTORY, answer, boot, logged_on, make_folder

from cms.build import build_system_disk
from cms.filesystem import CMSDisk, text_to_records
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage
from vm370.hardware.display3270 import is_intensified
from vm370.terminal.scripted import run_until

CP_DIRECTORY = DIRECTORY.replace(
    "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 11 8 USERS MR ALL\n")

LINES = [f"LINE {n:02}" for n in range(1, 31)]
CURRENT = 9  # the screen row (from 0) of the current line


def status_line(mode: str, zone=(1, 80), verify=(1, 80), trunc=80, case="U") -> str:
    """DMSSCR's status line for LINES DATA A1 (F 80)."""
    return (
        f"{mode:<5} 1 {'LINES':<8} {'DATA':<8} A1  F  80 ZONE={zone[0]:>3}-{zone[1]:>3} "
        f"VERFY={verify[0]:>3}-{verify[1]:>3} CASE={case} TRUNC={trunc:>3}"
    )


class Session:
    def __init__(self, system, terminal):
        self.system = system
        self.terminal = terminal

    def rows(self) -> list[str]:
        return [row.rstrip() for row in self.terminal.rows()]

    def enter(self, line: str, condition) -> list[str]:
        """Type a line and run until the screen meets ``condition`` and EDIT reads again."""
        terminal = self.terminal
        run_until(self.system, lambda: not terminal.keyboard_locked())
        terminal.type_line(line)
        run_until(
            self.system,
            lambda: (
                terminal.status() == "VM READ"
                and not terminal.keyboard_locked()
                and condition(self.rows())
            ),
        )
        return self.rows()

    def current_is_intensified(self) -> bool:
        display = self.terminal.display
        with self.terminal.lock:
            here = is_intensified(display.field_attribute(CURRENT * 80))
            above = is_intensified(display.field_attribute((CURRENT - 1) * 80))
            below = is_intensified(display.field_attribute((CURRENT + 1) * 80))
        return here and not above and not below


def start(tmp_path, cms_system) -> tuple[Session, object]:
    root = make_folder(tmp_path, directory=CP_DIRECTORY)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, cms_system.nucleus)
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
        disk.write("LINES", "DATA", text_to_records("\n".join(LINES) + "\n"), "F", 80)
    finally:
        image.close()
    system = boot(root)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    answer(system, terminal, "EDIT LINES DATA", "EDIT:")
    return Session(system, terminal), root


def read_file(root) -> list[str]:
    image = CKDImage(root / "packs" / "users.ckd", read_only=True)
    try:
        disk = CMSDisk.open(Minidisk(image, 1, 5))
        return [line.rstrip() for line in disk.get("LINES DATA").decode().splitlines()]
    finally:
        image.close()


def test_display_mode_shows_the_file_around_the_current_line(tmp_path, cms_system):
    session, root = start(tmp_path, cms_system)
    rows = session.enter("FORMAT DISPLAY", lambda rows: rows[0].startswith("EDIT "))
    # The file's identification and settings, the (empty) message line.
    assert rows[0] == status_line("EDIT")
    assert rows[1] == ""
    # At the top of the file: nothing above TOF:, the first lines below it.
    assert rows[2:CURRENT] == [""] * 7
    assert rows[CURRENT] == "TOF:"
    assert rows[CURRENT + 1 : 22] == LINES[:12]
    assert session.current_is_intensified()
    # CP's input area and status at the bottom; the subcommand is not shown again.
    assert session.terminal.status() == "VM READ"
    assert not any("FORMAT DISPLAY" in row for row in rows[:22])

    rows = session.enter("DOWN 5", lambda rows: rows[CURRENT] == "LINE 05")
    assert rows[2:CURRENT] == ["", "", "TOF:", "LINE 01", "LINE 02", "LINE 03", "LINE 04"]
    assert rows[CURRENT + 1 : 22] == LINES[5:17]
    assert session.current_is_intensified()
    assert not any("DOWN 5" in row for row in rows)

    rows = session.enter("LOCATE /LINE 25/", lambda rows: rows[CURRENT] == "LINE 25")
    assert rows[2:CURRENT] == LINES[17:24]
    # The last lines, EOF:, then nothing.
    assert rows[CURRENT + 1 : 16] == LINES[25:30] + ["EOF:"]
    assert rows[16:22] == [""] * 6

    rows = session.enter("CHANGE /LINE/ROW/", lambda rows: rows[CURRENT] == "ROW 25")
    assert rows[CURRENT - 1] == "LINE 24" and rows[CURRENT + 1] == "LINE 26"

    rows = session.enter("UP 3", lambda rows: rows[CURRENT] == "LINE 22")
    assert rows[CURRENT + 3] == "ROW 25"

    rows = session.enter("TOP", lambda rows: rows[CURRENT] == "TOF:")
    assert rows[CURRENT + 1] == "LINE 01"
    # ? recalls the last subcommand on the message line; QUIT refuses to
    # lose the change there too.
    rows = session.enter("?", lambda rows: rows[1] != "")
    assert rows[1] == ">>>>> TOP"
    rows = session.enter("QUIT", lambda rows: "DMSEDI950W" in rows[1])
    assert rows[1].startswith(">>>>> DMSEDI950W FILE 'LINES DATA A1' HAS BEEN CHANGED")
    assert rows[CURRENT] == "TOF:"
    session.system.shutdown()


def test_display_mode_input_messages_and_file(tmp_path, cms_system):
    session, root = start(tmp_path, cms_system)
    session.enter("FORMAT DISPLAY", lambda rows: rows[0].startswith("EDIT "))
    session.enter("DOWN 2", lambda rows: rows[CURRENT] == "LINE 02")
    # A null line: input mode, said on the status line.
    rows = session.enter("", lambda rows: rows[0].startswith("INPUT"))
    assert rows[0] == status_line("INPUT")
    assert rows[CURRENT] == "LINE 02"
    rows = session.enter("new first", lambda rows: rows[CURRENT] == "NEW FIRST")
    assert rows[CURRENT - 1] == "LINE 02" and rows[CURRENT + 1] == "LINE 03"
    rows = session.enter("new second", lambda rows: rows[CURRENT] == "NEW SECOND")
    assert rows[CURRENT - 2 : CURRENT + 2] == ["LINE 02", "NEW FIRST", "NEW SECOND", "LINE 03"]
    assert session.current_is_intensified()
    # A null line: back to edit mode.
    rows = session.enter("", lambda rows: rows[0].startswith("EDIT "))
    assert rows[CURRENT] == "NEW SECOND"
    # Messages go to the message line, and only until the next subcommand.
    rows = session.enter("LOCATE /NOWHERE/", lambda rows: rows[1] != "")
    assert rows[1] == ">>>>> NOT FOUND"
    assert rows[CURRENT] == "EOF:"
    rows = session.enter("FORMAT SIDEWAYS", lambda rows: "SIDEWAYS" in rows[1])
    assert rows[1] == ">>>>> ?EDIT: FORMAT SIDEWAYS"
    rows = session.enter("ZONE 1 20", lambda rows: rows[1] == "")
    assert rows[0] == status_line("EDIT", zone=(1, 20))
    # FILE writes the file and gives the screen back to CMS.
    terminal = session.terminal
    terminal.type_line("FILE")
    run_until(session.system, lambda: "R;" in terminal.text() and terminal.status() == "VM READ")
    rows = session.rows()
    assert rows[0].startswith("R;")
    assert all(row == "" for row in rows[1:22])
    assert not session.current_is_intensified()
    terminal.press("PA1")
    run_until(session.system, lambda: terminal.status() == "CP READ")
    answer(session.system, terminal, "LOGOFF", "VM/370 ONLINE")
    session.system.shutdown()
    assert read_file(root) == LINES[:2] + ["NEW FIRST", "NEW SECOND"] + LINES[2:]


def test_format_line_goes_back_to_line_mode(tmp_path, cms_system):
    session, root = start(tmp_path, cms_system)
    session.enter("FORMAT DISPLAY", lambda rows: rows[0].startswith("EDIT "))
    session.enter("DOWN 3", lambda rows: rows[CURRENT] == "LINE 03")
    terminal = session.terminal
    terminal.type_line("FORMAT LINE")
    run_until(
        session.system,
        lambda: (
            not terminal.keyboard_locked()
            and terminal.status() == "VM READ"
            and all(row == "" for row in session.rows()[:22])
        ),
    )
    # Line mode again: subcommands are shown as typed and lines typed after them.
    screen = answer(session.system, terminal, "DOWN 1", "LINE 04")
    assert "DOWN 1" in screen
    assert session.rows()[:2] == ["DOWN 1", "LINE 04"]
    assert not session.current_is_intensified()
    answer(session.system, terminal, "QUIT", "R;")
    session.system.shutdown()

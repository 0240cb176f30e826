"""A small multi-user system in a temporary data folder, for CP's tests.

``make_folder`` writes a real configuration (two 2314 packs, two 3277s) and
a directory of users with known passwords; ``write_ipl_program`` puts a
bootable program on a user's minidisk (its record 1 the IPL record, its
record 2 the program); ``logged_on`` brings a scripted terminal to a user's
CP READ.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from assembler import assemble
from assembler.loader import load
from vm370.cp.realsystem import RealSystem
from vm370.hardware.channel import SUPPRESS_LENGTH, make_ccw
from vm370.hardware.devices.ckd_image import CKDImage, Record, create_image
from vm370.terminal.scripted import ScriptedTerminal, run_until

SYSTEM = """\
STORAGE 1M
PACK SYSRES 2314 130 packs/sysres.ckd
AREA SYSRES PAGE 1 10
AREA SYSRES SPOOL 11 10
PACK USERS 2314 131 packs/users.ckd
AREA USERS PERM 1 20
DISPLAY 0C0-0C2 3277 MODEL 2
"""

DIRECTORY = """\
DIRECTORY 130 2314 SYSRES
USER ALICE APPLE 256K 1M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 2314 1 5 USERS W RALICE WALICE
USER BOB BANANA 256K 1M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 MDISK 191 2314 6 5 USERS W ALL WBOB
USER OPER OPERPW 256K 1M ABCDEFG
 CONSOLE 009 3215
"""

START = datetime.datetime(1981, 6, 1, 9, 0, 0)
PACK_CYLINDERS = 30
PROGRAM_ORIGIN = 0x1000


def make_folder(root: Path, directory: str = DIRECTORY, system: str = SYSTEM) -> Path:
    (root / "packs").mkdir(parents=True, exist_ok=True)
    (root / "system.conf").write_text(system)
    (root / "user.direct").write_text(directory)
    for name in ("sysres", "users"):
        create_image(root / "packs" / f"{name}.ckd", "2314", cylinders=PACK_CYLINDERS)
    return root


def write_ipl_program(image: Path, cylinder: int, source: str) -> None:
    """A bootable program at ``cylinder`` (a minidisk's first): R1 the IPL record, R2 the program.

    The IPL record's PSW starts the program at X'1000' and its CCW at 8
    reads record 2 (the next record after it) into X'1000'.
    """
    result = assemble(source, deck_name="IPLPROG")
    assert result.return_code == 0, result.diagnostics
    core = bytearray(PROGRAM_ORIGIN + 0x4000)
    loaded = load([result.object_deck], core, PROGRAM_ORIGIN)
    program = bytes(core[PROGRAM_ORIGIN : loaded.end_address])
    psw = (0x0000000000000000 | PROGRAM_ORIGIN).to_bytes(8, "big")
    read = make_ccw(0x06, PROGRAM_ORIGIN, SUPPRESS_LENGTH, len(program))
    ipl_record = psw + read + bytes(8)
    pack = CKDImage(image)
    try:
        track = pack.read_track(cylinder, 0)
        track.records[1:] = [
            Record(cylinder, 0, 1, b"", ipl_record),
            Record(cylinder, 0, 2, b"", program),
        ]
        pack.write_track(cylinder, 0, track)
        pack.flush()
    finally:
        pack.close()


def boot(folder: Path) -> RealSystem:
    return RealSystem(folder, start_time=START)


def connect(system: RealSystem, index: int = 0) -> ScriptedTerminal:
    terminal = ScriptedTerminal(system.displays[index].port)
    run_until(system, lambda: "VM/370 ONLINE" in terminal.text() and terminal.status() == "CP READ")
    return terminal


def logged_on(system: RealSystem, userid: str, password: str, index: int = 0) -> ScriptedTerminal:
    terminal = connect(system, index)
    terminal.type_line(f"LOGON {userid}")
    run_until(system, shows(terminal, "ENTER PASSWORD:"))
    terminal.type_line(password)
    run_until(system, lambda: "LOGON AT" in terminal.history() and terminal.status() == "CP READ")
    return terminal


def shows(terminal: ScriptedTerminal, text: str):
    """A condition: ``text`` is on the screen and the keyboard is free."""
    return lambda: text in terminal.history() and not terminal.keyboard_locked()


def answer(system: RealSystem, terminal: ScriptedTerminal, line: str, expect: str) -> str:
    """Type ``line``, run until ``expect`` shows and the keyboard is free; the screen."""
    run_until(system, lambda: not terminal.keyboard_locked())
    terminal.type_line(line)
    before = len(terminal.transcript)
    read_on(system, terminal, lambda: expect in since(terminal, before))
    return since(terminal, before)


def read_on(system: RealSystem, terminal: ScriptedTerminal, condition) -> None:
    """Run until ``condition()`` and the keyboard is free, clearing each full screen.

    A person clears a screen VM/370 holds at MORE... rather than wait the
    minute it takes to clear itself.
    """

    def settled() -> bool:
        if terminal.keyboard_locked():
            return False
        return condition() or terminal.status() in ("MORE...", "HOLDING")

    while True:
        run_until(system, settled)
        if condition():
            return
        terminal.press("CLEAR")


def cp_command(system: RealSystem, terminal: ScriptedTerminal, line: str) -> str:
    """Type a CP command in CP mode and wait for the next CP READ; what it answered."""
    run_until(system, lambda: not terminal.keyboard_locked())
    before = len(terminal.transcript)
    terminal.type_line(line)

    def done() -> bool:
        shown = since(terminal, before)
        return line in shown and terminal.status() == "CP READ"

    read_on(system, terminal, done)
    return since(terminal, before)


def since(terminal: ScriptedTerminal, start: int) -> str:
    """The output lines that appeared from transcript line ``start`` on."""
    return "\n".join(terminal.transcript[start:])

"""Lab 8's experiment: two users at scripted 3277s of one system, sending spool files."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from vm370.labs import DECKS
from vm370.labs.equivalence import assemble_file

SPOOL_SYSTEM = """\
STORAGE 1M
PACK SYSRES 2314 130 packs/sysres.ckd
AREA SYSRES PAGE 1 10
AREA SYSRES SPOOL 11 10
PACK USERS 2314 131 packs/users.ckd
AREA USERS PERM 1 20
DISPLAY 0C0-0C1 3277 MODEL 2
PRINTER 00E 1403 printer.txt
"""
SPOOL_DIRECTORY = """\
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
 SPOOL 00E 1403 A
 MDISK 191 2314 6 5 USERS W RBOB WBOB
"""
SPOOL_START = datetime.datetime(1972, 8, 2, 9, 0, 0)
IPL_ORIGIN = 0x1000
PASSWORDS = {"ALICE": "APPLE", "BOB": "BANANA"}
# Who types what, and what shows that CP has answered (None: CP READ again).
SPOOL_SCRIPT = (
    ("ALICE", "SPOOL PUNCH TO BOB", None),
    ("ALICE", "IPL 191", "DMKDSP450W"),
    ("ALICE", "CLOSE PUNCH", "PUN FILE"),
    ("BOB", "QUERY READER ALL", "ALICE"),
    ("BOB", "QUERY READER ALICE", "DMK"),
    ("BOB", "TRANSFER READER ALL TO ALICE", "TRANSFERRED"),
    ("BOB", "QUERY READER ALL", "NO RDR FILES"),
    ("ALICE", "QUERY READER ALL", "ALICE"),
    ("ALICE", "CLOSE PRINTER", None),
)


def _write_ipl_program(pack: Path, cylinder: int, object_deck: bytes) -> None:
    """A minidisk that IPLs: record 1 a PSW and a CCW that reads record 2, the program."""
    from assembler.loader import load
    from vm370.hardware.channel import SUPPRESS_LENGTH, make_ccw
    from vm370.hardware.devices.ckd_image import CKDImage, Record

    core = bytearray(IPL_ORIGIN + 0x4000)
    loaded = load([(object_deck, IPL_ORIGIN)], core)
    program = bytes(core[IPL_ORIGIN : loaded.end_address])
    read = make_ccw(0x06, IPL_ORIGIN, SUPPRESS_LENGTH, len(program))
    ipl_record = IPL_ORIGIN.to_bytes(8, "big") + read + bytes(8)
    image = CKDImage(pack)
    try:
        track = image.read_track(cylinder, 0)
        track.records[1:] = [
            Record(cylinder, 0, 1, b"", ipl_record),
            Record(cylinder, 0, 2, b"", program),
        ]
        image.write_track(cylinder, 0, track)
    finally:
        image.close()


def spool_session() -> tuple[list[tuple[str, str | None, list[str]]], list[str]]:
    """Lab 8: ALICE and BOB at two 3277s; each command and its answer, and the printer's file.

    A line that arrived at a terminal before its user typed again is
    reported with the command None.
    """
    from vm370.cp.realsystem import RealSystem
    from vm370.hardware.devices.ckd_image import create_image
    from vm370.terminal.scripted import ScriptedTerminal, run_until

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "packs").mkdir()
        (folder / "system.conf").write_text(SPOOL_SYSTEM)
        (folder / "user.direct").write_text(SPOOL_DIRECTORY)
        for pack in ("sysres", "users"):
            create_image(folder / "packs" / f"{pack}.ckd", "2314", cylinders=30)
        cards = assemble_file(DECKS / "cards.asm")
        _write_ipl_program(folder / "packs" / "users.ckd", 1, cards)
        system = RealSystem(folder, start_time=SPOOL_START)
        try:
            terminals = {}
            for index, userid in enumerate(PASSWORDS):
                terminal = ScriptedTerminal(system.displays[index].port)
                terminals[userid] = terminal
                run_until(system, lambda t=terminal: t.status() == "CP READ")
                _type(system, terminal, f"LOGON {userid}", "ENTER PASSWORD")
                _type(system, terminal, PASSWORDS[userid], "LOGON AT")
            session = []
            seen = {userid: len(terminal.transcript) for userid, terminal in terminals.items()}
            for userid, line, expect in SPOOL_SCRIPT:
                terminal = terminals[userid]
                arrived = terminal.transcript[seen[userid] :]
                if any(text.strip() for text in arrived):
                    session.append((userid, None, arrived))
                answer = _type(system, terminal, line, expect)
                seen[userid] = len(terminal.transcript)
                session.append((userid, line, answer))
            # The real printer prints at CP's pace: let the machine run a little.
            system.run(200_000)
        finally:
            system.shutdown()
        printed = (folder / "printer.txt").read_text(encoding="utf-8", errors="replace")
    return session, printed.splitlines()


def _type(system, terminal, line: str, expect: str | None) -> list[str]:
    """Type ``line``; the lines CP wrote in answer, once ``expect`` shows (or CP READ)."""
    from vm370.terminal.scripted import run_until

    run_until(system, lambda: not terminal.keyboard_locked())
    before = len(terminal.transcript)
    terminal.type_line(line)

    def answered() -> bool:
        if terminal.keyboard_locked():
            return False
        new = "\n".join(terminal.transcript[before:])
        if expect is None:
            return terminal.status() == "CP READ" and len(terminal.transcript) > before
        return expect in new

    run_until(system, answered)
    return terminal.transcript[before:]


def spool_lines() -> list[str]:
    session, printed = spool_session()
    lines = ["lab 8: ALICE and BOB logged on at two 3277s of one system", ""]
    for userid, line, answer in session:
        if line is None:
            lines.append(f"{userid + ':':7s}(CP wrote, unasked)")
            lines += [f"       {text}" for text in answer if text.strip()]
            continue
        lines.append(f"{userid + ':':7s}{line}")
        echoed = answer[1:] if answer and answer[0].strip() == line else answer
        lines += [f"       {text}" for text in echoed if text.strip()]
    separator = [number for number, text in enumerate(printed) if text.startswith("USERID ")]
    lines += ["", "the real printer's file, printer.txt in the data folder:"]
    if separator:
        lines.append(f"  {separator[-1] + 1} lines of separator page, ending with")
        lines += [f"  {text.rstrip()}" for text in printed[separator[-1] :] if text.strip()]
    else:
        lines.append("  nothing printed")
    return lines

"""The CP commands of the user's and the operator's system.

QUERY, SET, LINK, DETACH, DEFINE, ATTACH, MSG, WARNING, LOGMSG, FORCE,
SHUTDOWN and HELP, driven in process through ``commands.execute`` and
through users at scripted 3277 displays; the whole conversation through a
real TN3270 client (s3270) at the end. Expected responses are VM/370
Release 6's formats (DMKCQY, DMKCQG, DMKCQP, DMKCQR, DMKLNK, DMKDEF,
DMKVDD, DMKVDE, DMKMSG, DMKUSO, DMKCKP), written out here by hand.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from cp_system import boot, connect, logged_on, make_folder, shows, write_ipl_program
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s3270_driver import S3270, S3270_PATH

from vm370.cp.commands import CommandContext, execute
from vm370.hardware.devices.ckd_image import create_image
from vm370.terminal.runner import PacedRunner
from vm370.terminal.scripted import run_until
from vm370.terminal.tn3270 import TN3270Server

SYSTEM = """\
STORAGE 1M
PACK SYSRES 2314 130 packs/sysres.ckd
AREA SYSRES PAGE 1 10
AREA SYSRES SPOOL 11 10
AREA SYSRES TDSK 21 5
PACK USERS 2314 131 packs/users.ckd
AREA USERS PERM 1 20
PACK SPARE 2314 132 packs/spare.ckd
DISPLAY 0C0-0C2 3277 MODEL 2
"""

DIRECTORY = """\
DIRECTORY 130 2314 SYSRES
USER OPERATOR OPERPW 256K 1M ABCDEFG
 CONSOLE 009 3215
USER ALICE APPLE 256K 1M G
 CONSOLE 009 3215
 MDISK 191 2314 1 5 USERS W RALICE WALICE
USER BOB BANANA 256K 512K G
 CONSOLE 009 3215
 MDISK 191 2314 6 5 USERS W ALL WBOB
 MDISK 192 2314 11 2 USERS MR RBOB WBOB MBOB
USER CAROL CHERRY 256K 1M G
 CONSOLE 009 3215
 MDISK 195 2314 T-DISK 2
"""

# Loops for ever: a machine that is running when PA1 stops it.
LOOP_PROGRAM = """\
LOOP     CSECT
         BALR  12,0
         USING *,12
AGAIN    B     AGAIN
         END   LOOP
"""

# Reads a line from its console, then stops: a machine waiting in VM READ.
READ_PROGRAM = """\
READ     CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LA    1,RD
         ST    1,X'48'
         SIO   X'009'
         LPSW  WAITIO
IODONE   LPSW  DONE
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'80020000',A(0)
DONE     DC    X'00020000',A(X'0EEE')
RD       DC    X'0A',AL3(BUFFER),X'2000',AL2(80)
BUFFER   DS    CL80
         END   READ
"""

DISPLAYS = {"OPERATOR": 0x0C0, "ALICE": 0x0C1, "BOB": 0x0C2, "CAROL": 0x0C2}
PASSWORDS = {"OPERATOR": "OPERPW", "ALICE": "APPLE", "BOB": "BANANA", "CAROL": "CHERRY"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = make_folder(tmp_path, DIRECTORY, SYSTEM)
    create_image(root / "packs" / "spare.ckd", "2314", cylinders=30)
    return root


@pytest.fixture
def system(folder):
    running = boot(folder)
    yield running
    running.close()


def log_on(system, userid: str):
    """Log a user on at their display, as the console manager does after the password."""
    terminal = system.consoles.terminals[DISPLAYS[userid]]
    user, _ = system.users.logon(userid, PASSWORDS[userid], terminal)
    terminal.user = user
    return user


def run(system, user, text: str, answers: list[str] | None = None) -> tuple[int, list[str]]:
    """``text`` as ``user``'s command: (return code, response lines).

    ``answers`` answer the questions the command asks (None: nobody can answer).
    """
    lines: list[str] = []
    pending = list(answers or [])

    def ask(prompt, then, hidden=True):
        lines.append(prompt)
        then(pending.pop(0) if pending else "")

    context = CommandContext(
        system.cp,
        user.userid,
        user.classes,
        user.machine,
        session=user,
        write=lines.append,
        ask=None if answers is None else ask,
    )
    return execute(context, text), lines


def clear_output(system, terminal) -> None:
    """PA2: an empty output area, so that what follows does not fill the screen."""
    terminal.press("PA2")
    run_until(system, lambda: "VM/370 ONLINE" not in terminal.text())
    run_until(system, lambda: not terminal.keyboard_locked())


def screen(user) -> str:
    return "\n".join(user.terminal.screen.lines())


# QUERY


def test_query_time_gives_the_clock_and_the_session_times(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "QUERY TIME") == (
        0,
        [
            "TIME IS 09:00:00 UTC MONDAY 06/01/81",
            "CONNECT= 00:00:00 VIRTCPU= 000:00.00 TOTCPU= 000:00.00",
        ],
    )


def test_query_names_lists_users_four_a_line_with_their_terminals(system):
    alice = log_on(system, "ALICE")
    log_on(system, "BOB")
    log_on(system, "OPERATOR")
    system.users.disconnect(system.users.users["BOB"])
    assert run(system, alice, "Q N") == (
        0,
        ["ALICE    - 0C1, BOB      - DSC, OPERATOR - 0C0"],
    )


def test_query_users_counts_and_finds_one_user(system):
    alice = log_on(system, "ALICE")
    log_on(system, "BOB")
    assert run(system, alice, "Q USERS") == (0, ["002 USERS, 000 DIALED"])
    assert run(system, alice, "Q U BOB") == (0, ["BOB      - 0C2"])
    assert run(system, alice, "Q U OPERATOR") == (45, ["DMKCQY045E OPERATOR NOT LOGGED ON"])
    assert run(system, alice, "Q U TOOLONGNAME") == (20, ["DMKCQY020E USERID MISSING OR INVALID"])


def test_query_virtual_shows_storage_console_and_minidisks_with_their_volumes(system):
    bob = log_on(system, "BOB")
    rc, lines = run(system, bob, "QUERY VIRTUAL")
    assert rc == 0
    assert lines == [
        "STORAGE = 00256K",
        "CONS 009 ON GRAF 0C2    TERM STOP",
        "DASD 191 2314 USERS  R/W 0005 CYL",
        "DASD 192 2314 USERS  R/W 0002 CYL",
    ]
    assert run(system, bob, "Q V DASD")[1] == lines[2:]
    assert run(system, bob, "Q V 192")[1] == lines[3:]
    assert run(system, bob, "Q V CONS")[1] == lines[1:2]
    assert run(system, bob, "Q V STOR")[1] == lines[:1]
    assert run(system, bob, "Q V 555") == (40, ["DMKCQG040E DEV 555 DOES NOT EXIST"])
    assert run(system, bob, "Q V XYZZY") == (22, ["DMKCQG022E VADDR MISSING OR INVALID"])


def test_a_disconnected_console_shows_as_such(system):
    bob = log_on(system, "BOB")
    system.users.disconnect(bob)
    assert run(system, bob, "Q V CONS")[1] == ["CONS 009 DISCONNECTED   TERM STOP"]


def test_class_g_gets_its_own_storage_and_dasd_and_class_b_the_real_ones(system):
    alice = log_on(system, "ALICE")
    operator = log_on(system, "OPERATOR")
    assert run(system, alice, "Q STOR") == (0, ["STORAGE = 00256K"])
    assert run(system, operator, "Q STOR") == (0, ["STORAGE = 01024K"])
    assert run(system, alice, "Q DASD")[1] == ["DASD 191 2314 USERS  R/W 0005 CYL"]
    assert run(system, operator, "Q DASD")[1] == [
        "DASD 130 CP OWNED  SYSRES    000",
        "DASD 131 CP SYSTEM USERS     001",
        "DASD 132 CP SYSTEM SPARE     000",
    ]


def test_query_links_names_everyone_on_the_same_minidisk(system):
    alice = log_on(system, "ALICE")
    bob = log_on(system, "BOB")
    assert run(system, alice, "LINK BOB 191 291 RR") == (0, ["DASD 291 LINKED R/O; R/W BY BOB"])
    assert run(system, bob, "Q LINKS 191") == (0, ["ALICE    291 R/O, BOB      191 R/W"])
    assert run(system, bob, "Q LINKS 009") == (6, ["DMKCQP006E INVALID DEVICE TYPE - 009"])
    assert run(system, bob, "Q LINKS") == (22, ["DMKCQP022E VADDR MISSING OR INVALID"])


def test_query_userid_and_cplevel(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "Q USERID") == (0, ["ALICE"])
    rc, lines = run(system, alice, "Q CPLEVEL")
    assert rc == 0 and lines[0].startswith("VM/370 RELEASE 6")


def test_an_unknown_or_other_class_operand_is_an_invalid_option(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "Q WIDGETS") == (3, ["DMKCFC003E INVALID OPTION - WIDGETS"])
    assert run(system, alice, "QUERY") == (26, ["DMKCFC026E OPERAND MISSING OR INVALID"])
    # LOGMSG is every class's; SET LOGMSG only class B's.
    assert run(system, alice, "SET LOGMSG NULL") == (3, ["DMKCFC003E INVALID OPTION - LOGMSG"])


# SET


def test_query_set_shows_what_set_changed(system):
    alice = log_on(system, "ALICE")
    before = run(system, alice, "Q SET")[1]
    assert before[0] == "MSG ON , WNG ON , EMSG ON  , ACNT OFF, RUN OFF"
    assert before[2].startswith("IMSG ON ,")
    for line in ("SET MSG OFF", "SET WNG OFF", "SET EMSG CODE", "SET RUN ON", "SET IMSG OFF"):
        assert run(system, alice, line) == (0, [])
    after = run(system, alice, "Q SET")[1]
    assert after[0] == "MSG OFF, WNG OFF, EMSG CODE, ACNT OFF, RUN ON"
    assert after[2].startswith("IMSG OFF,")


def test_set_operands_are_checked(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "SET MSG MAYBE") == (3, ["DMKCFS003E INVALID OPTION - MAYBE"])
    assert run(system, alice, "SET MSG") == (26, ["DMKCFS026E OPERAND MISSING OR INVALID"])
    assert run(system, alice, "SET EMSG LOUD") == (3, ["DMKCFS003E INVALID OPTION - LOUD"])
    assert run(system, alice, "SET PF99 X") == (26, ["DMKCFS026E OPERAND MISSING OR INVALID"])
    assert run(system, alice, "SET FROB ON") == (3, ["DMKCFC003E INVALID OPTION - FROB"])
    assert run(system, alice, "SE MSG OFF") == (1, ["DMKCFM001E UNKNOWN CP COMMAND"])


def test_set_pf_keys_and_query_them(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "SET PF3 IMMED QUERY TIME")[0] == 0
    assert run(system, alice, "SET PF12 Q NAMES")[0] == 0
    assert run(system, alice, "Q PF3") == (0, ["PF03 IMMED QUERY TIME"])
    assert run(system, alice, "Q PF12") == (0, ["PF12 DELAY Q NAMES"])
    assert run(system, alice, "SET PF5 DELAYED msg  bob hi")[0] == 0
    assert run(system, alice, "Q PF5") == (0, ["PF05 DELAY msg  bob hi"])
    assert run(system, alice, "Q PF2") == (0, ["PF02 UNDEFINED"])
    assert len(run(system, alice, "Q PF")[1]) == 24
    assert run(system, alice, "SET PF12")[0] == 0
    assert run(system, alice, "Q PF12") == (0, ["PF12 UNDEFINED"])


def test_set_ecmode_resets_the_machine_and_gives_or_takes_the_67s_extensions(system):
    alice = log_on(system, "ALICE")
    assert not alice.machine.extended_control  # no OPTION ECMODE in the directory
    alice.machine.psw.instruction_address = 0x2000
    assert run(system, alice, "SET ECMODE ON") == (0, [])
    assert alice.machine.extended_control and alice.cp_mode
    assert alice.machine.psw.instruction_address == 0
    assert "ECMODE ON" in run(system, alice, "Q SET")[1][1]
    assert run(system, alice, "SET EC OFF") == (0, [])
    assert not alice.machine.extended_control
    assert "ECMODE OFF" in run(system, alice, "Q SET")[1][1]


def test_emsg_decides_how_error_messages_show_on_the_screen(system):
    alice = log_on(system, "ALICE")
    terminal = alice.terminal
    consoles = system.consoles
    consoles.run_command(terminal, alice, "SET EMSG CODE")
    consoles.run_command(terminal, alice, "Q WIDGETS")
    assert "DMKCFC003E" in screen(alice) and "INVALID OPTION" not in screen(alice)
    consoles.run_command(terminal, alice, "SET EMSG TEXT")
    consoles.run_command(terminal, alice, "Q GADGETS")
    assert "INVALID OPTION - GADGETS" in screen(alice)
    assert "DMKCFC003E INVALID OPTION - GADGETS" not in screen(alice)
    consoles.run_command(terminal, alice, "SET EMSG OFF")
    consoles.run_command(terminal, alice, "Q SPROCKETS")
    assert "SPROCKETS" not in screen(alice)


def test_imsg_off_suppresses_informational_responses(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "DEFINE PUNCH 00D") == (0, ["PUN  00D DEFINED"])
    assert run(system, alice, "SET IMSG OFF")[0] == 0
    assert run(system, alice, "DEFINE PRINTER 00E") == (0, [])
    assert 0x00E in alice.machine.devices


def test_run_on_lets_the_machine_go_on_after_a_command_in_cp_mode(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, LOOP_PROGRAM)
    system = boot(folder)
    try:
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        clear_output(system, terminal)
        terminal.type_line("IPL 191")
        run_until(system, lambda: terminal.status() == "RUNNING")
        terminal.press("PA1")
        run_until(system, lambda: terminal.status() == "CP READ")
        terminal.type_line("QUERY USERID")
        run_until(system, shows(terminal, "QUERY USERID"))
        assert terminal.status() == "CP READ"
        terminal.type_line("SET RUN ON")
        run_until(system, shows(terminal, "SET RUN ON"))
        terminal.press("PA1")
        run_until(system, lambda: terminal.status() == "CP READ")
        terminal.type_line("QUERY TIME")
        run_until(system, lambda: "TIME IS" in terminal.text() and terminal.status() == "RUNNING")
        assert not system.users.users["ALICE"].cp_mode
    finally:
        system.close()


def test_pf_keys_type_their_line_at_once_or_put_it_in_the_input_area(folder):
    system = boot(folder)
    try:
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        clear_output(system, terminal)
        terminal.type_line("SET PF3 IMMED QUERY USERS")
        run_until(system, shows(terminal, "SET PF3 IMMED"))
        terminal.type_line("SET PF4 QUERY USERID")
        run_until(system, shows(terminal, "SET PF4"))
        terminal.press("PF9")  # undefined: nothing happens, the keyboard is free again
        run_until(system, lambda: not terminal.keyboard_locked())
        assert "USERS," not in terminal.text()
        terminal.press("PF3")
        run_until(system, shows(terminal, "001 USERS, 000 DIALED"))
        terminal.press("PF4")
        run_until(system, lambda: "QUERY USERID" in terminal.rows()[-2])
        assert "ALICE" not in terminal.text().split("SET PF4")[-1]
        terminal.press("ENTER")
        run_until(system, lambda: any(row.rstrip() == "ALICE" for row in terminal.rows()))
    finally:
        system.close()


# LINK and DETACH


def test_a_read_only_link_with_the_password_on_the_line(system):
    alice = log_on(system, "ALICE")
    log_on(system, "BOB")
    assert run(system, alice, "LINK BOB 192 292 RR RBOB") == (
        0,
        ["DASD 292 LINKED R/O; R/W BY BOB"],
    )
    assert run(system, alice, "Q V 292")[1] == ["DASD 292 2314 USERS  R/O 0002 CYL"]
    assert alice.machine.devices[0x292].read_only


def test_link_asks_for_the_password_when_it_is_not_on_the_line(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "LINK BOB 192 292 RR", answers=["RBOB"]) == (
        0,
        ["ENTER READ PASSWORD:", "DASD 292 LINKED R/O"],
    )
    assert 0x292 in alice.machine.devices
    assert run(system, alice, "LINK BOB 192 293 MW", answers=["WRONG"]) == (
        0,
        ["ENTER MULT PASSWORD:", "DMKLNK114E BOB 192 NOT LINKED; PASSWORD INCORRECT"],
    )
    assert 0x293 not in alice.machine.devices


def test_a_password_of_all_asks_nothing_and_own_disks_need_none(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "LINK BOB 191 291 R", answers=[]) == (0, ["DASD 291 LINKED R/O"])
    assert run(system, alice, "LINK * 191 391 RR", answers=[]) == (0, ["DASD 391 LINKED R/O"])
    assert 0x391 in alice.machine.devices


def test_a_write_link_is_refused_while_another_user_writes(system):
    alice = log_on(system, "ALICE")
    log_on(system, "BOB")
    assert run(system, alice, "LINK BOB 191 291 W WBOB") == (
        105,
        ["DMKLNK105E BOB 191 NOT LINKED; R/W BY BOB"],
    )
    assert 0x291 not in alice.machine.devices


def test_link_names_the_others_who_have_the_disk(system):
    alice = log_on(system, "ALICE")
    log_on(system, "OPERATOR")
    operator = system.users.users["OPERATOR"]
    assert run(system, operator, "LINK ALICE 191 291 RR RALICE") == (
        0,
        ["DASD 291 LINKED R/O; R/W BY ALICE"],
    )
    bob = log_on(system, "BOB")
    assert run(system, bob, "LINK ALICE 191 291 RR RALICE") == (
        0,
        ["DASD 291 LINKED R/O; R/W BY ALICE; R/O BY OPERATOR"],
    )
    run(system, alice, "DETACH 191")
    assert run(system, alice, "LINK ALICE 191 191 RR") == (
        0,
        ["DASD 191 LINKED R/O; R/O BY 002 USERS"],
    )
    assert run(system, alice, "LINK ALICE 191 192 W") == (
        104,
        ["DMKLNK104E ALICE 191 NOT LINKED; R/O BY 002 USERS"],
    )


def test_link_operands_give_the_vm370_messages(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "LINK NOBODY 191 291 R") == (
        53,
        ["DMKLNK053E USERID NOT IN CP DIRECTORY"],
    )
    assert run(system, alice, "LINK BOB XYZ 291") == (22, ["DMKLNK022E VADDR MISSING OR INVALID"])
    assert run(system, alice, "LINK BOB 191 800 R") == (
        22,
        ["DMKLNK022E VADDR MISSING OR INVALID"],
    )
    assert run(system, alice, "LINK") == (20, ["DMKLNK020E USERID MISSING OR INVALID"])
    assert run(system, alice, "LINK BOB 191 009 RR RBOB") == (
        110,
        ["DMKLNK110E BOB 191 NOT LINKED; DEV 009 ALREADY DEFINED"],
    )


def test_link_through_the_display_reads_the_password_in_a_field_that_does_not_show(folder):
    system = boot(folder)
    try:
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        terminal.type_line("LINK BOB 192 292 RR")
        run_until(system, shows(terminal, "ENTER READ PASSWORD:"))
        assert terminal.status() == "CP READ"
        terminal.type_line("RBOB")
        run_until(system, lambda: not terminal.keyboard_locked() and terminal.status() == "CP READ")
        assert "RBOB" not in terminal.text()
        terminal.type_line("QUERY VIRTUAL 292")
        run_until(system, shows(terminal, "DASD 292 2314 USERS  R/O 0002 CYL"))
    finally:
        system.close()


def test_link_from_a_running_guest_asks_and_gives_the_console_back(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, READ_PROGRAM)
    system = boot(folder)
    try:
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        clear_output(system, terminal)
        terminal.type_line("IPL 191")
        run_until(system, lambda: terminal.status() == "VM READ")
        terminal.type_line("#CP LINK BOB 192 292 RR")
        run_until(system, shows(terminal, "ENTER READ PASSWORD:"))
        assert terminal.status() == "CP READ"
        terminal.type_line("RBOB")
        run_until(system, lambda: terminal.status() == "VM READ")
        assert 0x292 in system.users.users["ALICE"].machine.devices
        assert "RBOB" not in terminal.text()
    finally:
        system.close()


def test_pa1_withdraws_the_password_question(folder):
    system = boot(folder)
    try:
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        clear_output(system, terminal)
        terminal.type_line("LINK BOB 192 292 RR")
        run_until(system, shows(terminal, "ENTER READ PASSWORD:"))
        terminal.press("PA1")
        run_until(system, lambda: not terminal.keyboard_locked())
        terminal.type_line("RBOB")
        run_until(system, shows(terminal, "DMKCFM001E UNKNOWN CP COMMAND"))
        assert 0x292 not in system.users.users["ALICE"].machine.devices
    finally:
        system.close()


def test_detach_removes_a_device_and_says_so(system):
    alice = log_on(system, "ALICE")
    run(system, alice, "LINK BOB 191 291 RR")
    assert run(system, alice, "DETACH 291") == (0, ["DASD 291 DETACHED"])
    assert 0x291 not in alice.machine.devices
    assert 0x291 not in alice.links
    assert run(system, alice, "DETACH 291") == (40, ["DMKVDD040E DEV 291 DOES NOT EXIST"])
    assert run(system, alice, "DETACH") == (22, ["DMKVDD022E VADDR MISSING OR INVALID"])


# DEFINE


def test_define_a_temporary_disk_from_the_tdsk_area(system):
    alice = log_on(system, "ALICE")
    bob = log_on(system, "BOB")
    assert run(system, alice, "DEFINE T2314 192 CYL 3") == (0, ["DASD 192 DEFINED 0003 CYL"])
    assert run(system, alice, "Q V 192")[1] == ["DASD 192 2314 (TEMP) R/W 0003 CYL"]
    extent = alice.machine.devices[0x192].extent
    assert (extent.start, extent.cylinders) == (21, 3)
    assert run(system, bob, "DEFINE T2314 AS 193 CYL 3") == (
        91,
        ["DMKDEF091E DASD 193 NOT DEFINED; TEMP SPACE NOT AVAILABLE"],
    )
    assert run(system, bob, "DEFINE T2314 193 CYL 2")[0] == 0
    assert bob.machine.devices[0x193].extent.start == 24
    run(system, alice, "DETACH 192")
    assert run(system, bob, "DEFINE T2314 194 CYL 3")[0] == 0
    assert bob.machine.devices[0x194].extent.start == 21


def test_a_directory_t_disk_comes_at_logon_and_goes_at_logoff(system):
    carol = log_on(system, "CAROL")
    assert run(system, carol, "Q V 195")[1] == ["DASD 195 2314 (TEMP) R/W 0002 CYL"]
    assert system.users.tdisks.free_cylinders() == 3
    system.consoles.logoff(carol)
    assert system.users.tdisks.free_cylinders() == 5


def test_define_storage_resets_the_machine_with_its_devices(system):
    bob = log_on(system, "BOB")
    old = bob.machine
    assert run(system, bob, "DEFINE STORAGE 512K") == (0, ["STORAGE = 00512K"])
    assert bob.machine is not old and bob.machine.storage_size == 512 * 1024
    assert sorted(bob.machine.devices) == [0x009, 0x191, 0x192]
    assert system.cp.machines["BOB"] is bob.machine
    assert bob.cp_mode
    assert run(system, bob, "DEF STOR 1M") == (94, ["DMKDEH094E STORAGE EXCEEDS ALLOWED MAXIMUM"])
    assert run(system, bob, "DEF STOR 12Q") == (25, ["DMKDEH025E STORAGE MISSING OR INVALID"])
    assert run(system, bob, "DEF STOR 4K") == (25, ["DMKDEH025E STORAGE MISSING OR INVALID"])
    assert run(system, bob, "Q V STOR")[1] == ["STORAGE = 00512K"]


def test_define_spooled_devices_consoles_and_new_addresses(system):
    alice = log_on(system, "ALICE")
    assert run(system, alice, "DEFINE READER 00C") == (0, ["RDR  00C DEFINED"])
    assert run(system, alice, "DEFINE CONSOLE 01F") == (
        92,
        ["DMKDEF092E DEV 01F NOT DEFINED; CONS 009 ALREADY DEFINED"],
    )
    assert run(system, alice, "DEFINE 009 AS 01F") == (0, ["CONS 01F DEFINED"])
    assert alice.machine.devices[0x01F] is alice.console
    assert run(system, alice, "DEFINE 191 AS 00C") == (
        92,
        ["DMKDEF092E DEV 00C NOT DEFINED; RDR 00C ALREADY DEFINED"],
    )
    assert run(system, alice, "DEFINE 555 AS 556") == (40, ["DMKDEF040E DEV 555 DOES NOT EXIST"])
    assert run(system, alice, "DEFINE GADGET 300") == (3, ["DMKDEF003E INVALID OPTION - GADGET"])
    assert run(system, alice, "DEFINE T2314 300") == (26, ["DMKDEF026E OPERAND MISSING OR INVALID"])


# ATTACH (class B)


def test_attach_dedicates_a_free_pack_and_detach_takes_it_back(system):
    operator = log_on(system, "OPERATOR")
    bob = log_on(system, "BOB")
    assert run(system, operator, "ATTACH 132 TO BOB AS 200") == (
        0,
        ["DASD 132 ATTACHED TO BOB      200"],
    )
    assert "DASD 200 ATTACHED" in screen(bob)
    assert run(system, bob, "Q V 200")[1] == ["DASD 200 ON DASD 132"]
    assert run(system, operator, "ATTACH 132 TO ALICE AS 200") == (
        140,
        ["DMKVDE140E DASD 132 ATTACHED TO BOB"],
    )
    assert run(system, operator, "Q DASD")[1][2] == "DASD 132 ATTACH TO BOB      200"
    assert run(system, operator, "DETACH 132 FROM BOB") == (0, ["DASD 132 DETACHED BOB      200"])
    assert 0x200 not in bob.machine.devices
    assert "DASD 200 DETACHED BY OPERATOR" in screen(bob)
    assert run(system, operator, "DETACH 132 BOB") == (
        121,
        ["DMKVDD121E DASD 132 NOT ATTACHED TO BOB"],
    )


def test_attach_refuses_cp_volumes_packs_in_use_and_other_classes(system):
    operator = log_on(system, "OPERATOR")
    bob = log_on(system, "BOB")
    assert run(system, operator, "ATTACH 130 TO BOB AS 200") == (
        123,
        ["DMKVDE123E DASD 130 CP OWNED"],
    )
    assert run(system, operator, "ATTACH 131 TO BOB AS 200") == (
        124,
        ["DMKVDE124E DASD 131 IN USE BY 001 USERS"],
    )
    assert run(system, operator, "ATTACH 132 TO CAROL AS 200") == (
        45,
        ["DMKVDE045E CAROL NOT LOGGED ON"],
    )
    assert run(system, operator, "ATTACH 0C0 TO BOB AS 200") == (
        143,
        ["DMKVDE143E DEV 0C0 IN USE BY SYSTEM"],
    )
    assert run(system, bob, "ATTACH 132 TO BOB AS 200") == (1, ["DMKCFM001E UNKNOWN CP COMMAND"])


# MSG, WARNING, LOGMSG


def test_msg_shows_on_the_receivers_screen_unless_they_set_msg_off(system):
    alice = log_on(system, "ALICE")
    bob = log_on(system, "BOB")
    assert run(system, alice, "MSG BOB Hello  there") == (0, [])
    assert "09:00:00  MSG FROM ALICE   : Hello  there" in screen(bob)
    run(system, bob, "SET MSG OFF")
    assert run(system, alice, "M BOB AGAIN") == (57, ["DMKMSG057W BOB NOT RECEIVING; MSG OFF"])
    assert "AGAIN" not in screen(bob)
    assert run(system, alice, "MSG CAROL HI") == (45, ["DMKMSG045E CAROL NOT LOGGED ON"])
    assert run(system, alice, "MSG") == (20, ["DMKMSG020E USERID MISSING OR INVALID"])
    assert run(system, alice, "MSG * NOTE TO SELF") == (0, [])
    assert "MSG FROM ALICE   : NOTE TO SELF" in screen(alice)


def test_msg_between_two_displays(folder):
    system = boot(folder)
    try:
        alice = logged_on(system, "ALICE", "APPLE", 1)
        bob = logged_on(system, "BOB", "BANANA", 2)
        clear_output(system, bob)
        alice.type_line("MSG BOB are you there?")
        run_until(system, shows(bob, "MSG FROM ALICE   : are you there?"))
        bob.type_line("SET MSG OFF")
        run_until(system, shows(bob, "SET MSG OFF"))
        alice.type_line("MSG BOB hello?")
        run_until(system, shows(alice, "DMKMSG057W BOB NOT RECEIVING; MSG OFF"))
        assert "hello?" not in bob.text()
    finally:
        system.close()


def test_msg_to_the_operator_and_to_a_disconnected_user(system):
    alice = log_on(system, "ALICE")
    operator = log_on(system, "OPERATOR")
    bob = log_on(system, "BOB")
    assert run(system, alice, "MSG OP PLEASE MOUNT") == (0, [])
    assert "MSG FROM ALICE   : PLEASE MOUNT" in screen(operator)
    system.users.disconnect(bob)
    assert run(system, alice, "MSG BOB HI") == (57, ["DMKMSG057W BOB NOT RECEIVING; DISCONNECTED"])


def test_warning_is_class_a_and_b_and_respects_set_wng(system):
    alice = log_on(system, "ALICE")
    operator = log_on(system, "OPERATOR")
    assert run(system, alice, "WARNING OPERATOR HI") == (1, ["DMKCFM001E UNKNOWN CP COMMAND"])
    assert run(system, operator, "WARNING ALICE SYSTEM GOING DOWN") == (0, [])
    assert "WNG FROM OPERATOR: SYSTEM GOING DOWN" in screen(alice)
    run(system, alice, "SET WNG OFF")
    assert run(system, operator, "W ALICE AGAIN") == (
        57,
        ["DMKMSG057W ALICE NOT RECEIVING; WNG OFF"],
    )
    run(system, alice, "SET MSG OFF")
    assert run(system, operator, "MSG ALL LUNCH") == (0, [])
    assert "LUNCH" in screen(operator) and "LUNCH" not in screen(alice)


def test_set_logmsg_asks_for_lines_and_every_class_can_query_them(system):
    operator = log_on(system, "OPERATOR")
    alice = log_on(system, "ALICE")
    assert run(system, operator, "SET LOGMSG", answers=["WELCOME", "BACKUP AT 5", ""]) == (
        0,
        ["LOGMSG:", "LOGMSG:", "LOGMSG:"],
    )
    assert run(system, alice, "Q LOGMSG") == (0, ["WELCOME", "BACKUP AT 5"])
    assert run(system, operator, "SET LOGMSG 2", answers=["BACKUP AT 6"])[0] == 0
    assert run(system, alice, "Q LOG")[1] == ["WELCOME", "BACKUP AT 6"]
    assert run(system, operator, "SET LOGMSG 7", answers=[]) == (
        41,
        ["DMKCFO041E LOGMSG 7 DOES NOT EXIST"],
    )
    assert run(system, operator, "SET LOGMSG NULL") == (0, [])
    assert run(system, alice, "Q LOGMSG") == (0, [])


def test_logon_shows_the_logmsg(folder):
    system = boot(folder)
    try:
        system.cp.logmsg.append("SYSTEM BACK AT NOON")
        terminal = logged_on(system, "ALICE", "APPLE", 1)
        assert "SYSTEM BACK AT NOON" in terminal.text()
    finally:
        system.close()


# FORCE and SHUTDOWN (class A)


def test_force_logs_a_user_off_by_the_system(system):
    operator = log_on(system, "OPERATOR")
    bob = log_on(system, "BOB")
    bob_display = bob.terminal
    assert run(system, operator, "FORCE BOB") == (
        0,
        ["USER DSC LOGOFF AS BOB      USERS = 001  FORCED"],
    )
    assert "BOB" not in system.users.users and "BOB" not in system.cp.machines
    assert bob_display.user is None
    assert "VM/370 ONLINE" in "\n".join(bob_display.screen.lines())
    assert run(system, operator, "FORCE BOB") == (45, ["DMKUSO045E BOB NOT LOGGED ON"])
    assert run(system, operator, "FORCE") == (20, ["DMKUSO020E USERID MISSING OR INVALID"])
    alice = log_on(system, "ALICE")
    assert run(system, alice, "FORCE OPERATOR") == (1, ["DMKCFM001E UNKNOWN CP COMMAND"])


def test_the_forced_user_sees_the_logoff_by_system(folder):
    system = boot(folder)
    try:
        operator = logged_on(system, "OPERATOR", "OPERPW", 0)
        bob = logged_on(system, "BOB", "BANANA", 2)
        lines_seen: list[str] = []
        display = system.consoles.terminals[0x0C2]
        original = display.write_line
        display.write_line = lambda text: (lines_seen.append(text), original(text))
        operator.type_line("FORCE BOB")
        run_until(system, shows(operator, "FORCED"))
        assert lines_seen[-1] == "LOGOFF AT 09:00:00 UTC MONDAY 06/01/81 BY SYSTEM"
        assert lines_seen[-2].startswith("CONNECT= ")
        run_until(system, shows(bob, "VM/370 ONLINE"))
    finally:
        system.close()


def test_shutdown_logs_everyone_off_and_calls_the_hooks(system):
    operator = log_on(system, "OPERATOR")
    log_on(system, "ALICE")
    log_on(system, "BOB")
    called = []
    system.cp.on_shutdown.append(lambda: called.append(True))
    assert run(system, operator, "SHUTDOWN X") == (
        3,
        ["DMKCPR003E INVALID OPTION - X"],
    )
    assert run(system, operator, "SHUTDOWN") == (0, [])
    assert system.users.users == {} and system.cp.machines == {}
    assert system.cp.log[-1] == "DMKCKP961W SYSTEM SHUTDOWN COMPLETE"
    forced = [line for line in system.cp.log if line.endswith("FORCED")]
    assert len(forced) == 3
    assert called == [True] and system.cp.shut_down


def test_after_shutdown_logon_is_refused(folder):
    system = boot(folder)
    try:
        operator = logged_on(system, "OPERATOR", "OPERPW", 0)
        operator.type_line("SHUTDOWN")
        run_until(system, lambda: system.cp.shut_down and not operator.keyboard_locked())
        assert "DMKCKP961W SYSTEM SHUTDOWN COMPLETE" in operator.text()
        terminal = connect(system, 1)
        terminal.type_line("LOGON ALICE")
        run_until(system, shows(terminal, "DMKCKP961W SYSTEM SHUTDOWN COMPLETE"))
        assert "ENTER PASSWORD" not in terminal.text()
    finally:
        system.close()


def test_a_class_g_user_cannot_use_operator_commands(system):
    alice = log_on(system, "ALICE")
    for line in ("SHUTDOWN", "FORCE BOB", "ATTACH 132 TO ALICE AS 200", "WARNING BOB X"):
        assert run(system, alice, line) == (1, ["DMKCFM001E UNKNOWN CP COMMAND"]), line
    assert "ALICE" in system.users.users and not system.cp.shut_down


# HELP


def test_help_gives_a_commands_help_as_the_question_mark_does(system):
    alice = log_on(system, "ALICE")
    rc, lines = run(system, alice, "HELP LINK")
    assert rc == 0 and lines[0].startswith("LINK")
    assert run(system, alice, "LINK ?") == (0, lines)
    assert run(system, alice, "HELP SHUTDOWN") == (1, ["DMKCFM001E UNKNOWN CP COMMAND"])


def test_help_lists_the_commands_of_the_users_classes(system):
    alice = log_on(system, "ALICE")
    operator = log_on(system, "OPERATOR")
    alice_list = " ".join(run(system, alice, "HELP")[1]).split()
    operator_list = " ".join(run(system, operator, "HELP")[1]).split()
    assert {"LINK", "QUERY", "SET", "MSG", "DEFINE", "DETACH"} <= set(alice_list)
    assert not {"SHUTDOWN", "FORCE", "ATTACH", "WARNING"} & set(alice_list)
    assert {"SHUTDOWN", "FORCE", "ATTACH", "WARNING"} <= set(operator_list)


# Bad operands of every kind: a VM/370 message, never a traceback.

COMMANDS = (
    "QUERY", "SET", "LINK", "DETACH", "DEFINE", "ATTACH", "MSG", "MESSAGE", "WARNING",
    "FORCE", "HELP", "Q", "Q V", "Q PF", "SET PF1", "SET LOGMSG", "DEF STOR", "DEF T2314",
    "SHUTDOWN",
)  # fmt: skip
WORDS = st.one_of(
    st.sampled_from(
        [
            "",
            "*",
            "AS",
            "TO",
            "FROM",
            "CYL",
            "R",
            "W",
            "MW",
            "PASS=",
            "ALL",
            "OP",
            "ON",
            "OFF",
            "IMMED",
            "NULL",
            "191",
            "192",
            "009",
            "6FF",
            "700",
            "FFF",
            "-1",
            "0",
            "99999999",
            "16M",
            "8K",
            "1M",
            "BOB",
            "ALICE",
            "OPERATOR",
            "T2314",
            "RDR",
            "CONS",
            "STOR",
            "?",
        ]
    ),  # fmt: skip
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.sampled_from(COMMANDS), words=st.lists(WORDS, max_size=6))
def test_random_operands_get_a_message_never_a_traceback(system, command, words):
    users = system.users.users
    for userid in ("OPERATOR", "BOB"):
        if userid not in users:
            log_on(system, userid)
    system.cp.shut_down = False
    line = " ".join([command, *words])
    for user in (users["BOB"], users["OPERATOR"]):
        if user.userid not in users:
            continue
        rc, lines = run(system, user, line, answers=None)
        assert isinstance(rc, int)
        assert all(isinstance(text, str) and "\n" not in text for text in lines)
        if rc:
            assert lines and lines[-1].startswith("DMK"), (line, lines)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(["LINK BOB 192 292 RR", "LINK BOB 192 293 MW", "SET LOGMSG"]),
    answers=st.lists(st.text(max_size=20), max_size=3),
)
def test_random_answers_to_questions_get_a_message_never_a_traceback(system, command, answers):
    users = system.users.users
    for userid in ("OPERATOR", "ALICE"):
        if userid not in users:
            log_on(system, userid)
    for address in (0x292, 0x293):
        system.users.detach(users["ALICE"], address)
    user = users["OPERATOR"] if command == "SET LOGMSG" else users["ALICE"]
    rc, lines = run(system, user, command, answers=answers)
    assert rc == 0
    assert lines[0] in ("ENTER READ PASSWORD:", "ENTER MULT PASSWORD:", "LOGMSG:")
    if command.startswith("LINK"):
        linked = 0x292 in users["ALICE"].machine.devices or 0x293 in users["ALICE"].machine.devices
        password = "RBOB" if command.endswith("RR") else "MBOB"
        assert linked == (answers[:1] == [password])
        assert len(lines) == 2
    system.cp.logmsg.clear()


# The whole conversation through a real TN3270 client


def wait_until_gone(terminal: S3270, text: str) -> None:
    for _ in range(200):
        if not any(text in row for row in terminal.screen()):
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} is still on the screen")


@pytest.mark.skipif(S3270_PATH is None, reason="s3270 is not installed")
def test_the_whole_conversation_through_s3270(folder):
    system = boot(folder)
    runner = PacedRunner(system, system.displays, slice_instructions=5_000)
    stop = threading.Event()
    system.cp.on_shutdown.append(stop.set)
    thread = runner.start_in_thread(stop)
    server = TN3270Server([display.port for display in system.displays], "127.0.0.1", 0)
    server.start_in_thread()
    terminal = S3270("-model", "3278-2")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.wait_for_text("VM/370 ONLINE")
        terminal.do("Wait(5,InputField)")
        terminal.do('String("LOGON OPERATOR")')
        terminal.do("Enter()")
        terminal.wait_for_text("ENTER PASSWORD:")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("OPERPW")')
        terminal.do("Enter()")
        logged = terminal.wait_for_text("LOGON AT")
        assert not any("OPERPW" in row for row in logged)
        terminal.do("Wait(5,Unlock)")
        # PA2 empties the output area (the logo goes), so what follows fits on the screen.
        terminal.do("PA(2)")
        wait_until_gone(terminal, "VM/370 ONLINE")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("QUERY NAMES")')
        terminal.do("Enter()")
        terminal.wait_for_text("OPERATOR - 0C0")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("LINK BOB 192 292 RR")')
        terminal.do("Enter()")
        terminal.wait_for_text("ENTER READ PASSWORD:")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("RBOB")')
        terminal.do("Enter()")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("QUERY VIRTUAL 292")')
        terminal.do("Enter()")
        shown = terminal.wait_for_text("DASD 292 2314 USERS  R/O 0002 CYL")
        assert not any("RBOB" in row for row in shown)
        assert shown[-1].rstrip().endswith("CP READ")
        terminal.do("Wait(5,Unlock)")
        terminal.do("PA(2)")
        wait_until_gone(terminal, "DASD 292")
        terminal.do("Wait(5,Unlock)")
        terminal.do("PA(1)")
        terminal.do("Wait(5,Unlock)")
        terminal.do("Clear()")
        terminal.wait_for_text("CP READ")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("QUERY TIME")')
        terminal.do("Enter()")
        terminal.wait_for_text("TIME IS")
        terminal.do("Wait(5,Unlock)")
        terminal.do('String("LOGOFF")')
        terminal.do("Enter()")
        terminal.wait_for_text("VM/370 ONLINE")
        assert "OPERATOR" not in system.users.users
    finally:
        terminal.close()
        server.stop()
        stop.set()
        thread.join(5)
        system.close()
    assert not thread.is_alive()

"""CP for many users, driven through real 3277 displays as a person would drive them."""

from __future__ import annotations

import pytest
from cp_system import (
    answer,
    boot,
    connect,
    cp_command,
    logged_on,
    make_folder,
    shows,
    write_ipl_program,
)

from vm370.cp.vmblock import RunState
from vm370.terminal.scripted import run_until

# Writes a greeting on its console, reads a line, writes it back, stops.
ECHO_PROGRAM = """\
ECHO     CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LA    1,WRITE
         BAL   14,DOIO
         LA    1,READ
         BAL   14,DOIO
         LH    2,X'46'              residual count of the read
         LA    3,80
         SR    3,2
         STH   3,ECHO1+6            write back what was read
         LA    1,ECHO1
         BAL   14,DOIO
         LPSW  DONE
DOIO     ST    1,X'48'              CAW
         SIO   X'009'
         LPSW  WAITIO               wait for the I/O interruption
IODONE   BR    14                   the I/O new PSW comes here
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'80020000',A(0)     channel 0 enabled, wait
DONE     DC    X'00020000',A(X'0EEE') disabled wait
WRITE    DC    X'09',AL3(HELLO),X'2000',AL2(L'HELLO)
READ     DC    X'0A',AL3(BUFFER),X'2000',AL2(80)
ECHO1    DC    X'09',AL3(BUFFER),X'2000',AL2(80)
HELLO    DC    C'HELLO FROM THE VIRTUAL MACHINE'
BUFFER   DS    CL80
         END   ECHO
"""


@pytest.fixture
def folder(tmp_path):
    return make_folder(tmp_path)


def test_a_display_shows_the_logo_and_waits_for_logon(folder):
    system = boot(folder)
    terminal = connect(system)
    assert "VM/370 ONLINE" in terminal.text()
    assert terminal.status() == "CP READ"


def test_logon_asks_for_the_password_in_a_field_that_does_not_show_it(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    assert "LOGON AT" in terminal.text()
    assert "APPLE" not in terminal.text()
    assert "ALICE" in system.users.users


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(folder):
    system = boot(folder)
    terminal = connect(system)
    screens = []
    for userid, password in (("ALICE", "WRONG"), ("NOBODY", "WRONG")):
        terminal.type_line(f"LOGON {userid}")
        run_until(system, shows(terminal, "ENTER PASSWORD:"))
        terminal.type_line(password)
        run_until(system, shows(terminal, "DMKLOG050E"))
        screens.append(terminal.text().count("DMKLOG050E PASSWORD INCORRECT"))
        terminal.press("PA2")
        run_until(system, lambda: "DMKLOG050E" not in terminal.text())
    assert screens == [1, 1]
    assert not system.users.users


def test_a_terminal_that_goes_away_disconnects_its_user_and_the_next_one_gets_the_logo(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "QUERY TIME", "CONNECT=")
    terminal.disconnect()
    run_until(system, lambda: system.users.users["ALICE"].terminal is None)
    assert "ALICE" in system.cp.machines  # disconnected, not logged off
    stranger = connect(system)  # the same display: the logo, nothing of ALICE's
    assert "CONNECT=" not in stranger.history() and "LOGON AT" not in stranger.history()
    assert "ALICE disconnected" in "\n".join(system.cp.log)
    stranger.type_line("LOGON ALICE")
    run_until(system, shows(stranger, "ENTER PASSWORD:"))
    stranger.type_line("APPLE")
    run_until(system, shows(stranger, "RECONNECTED AT"))
    assert system.users.users["ALICE"].terminal is not None


def test_logoff_ends_the_machine_and_brings_the_logo_back(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    screen = answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    assert "LOGOFF AT" in screen or "VM/370 ONLINE" in screen
    assert "ALICE" not in system.users.users
    assert "ALICE" not in system.cp.machines


def test_an_unknown_command_gets_the_vm370_message(folder):
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    screen = answer(system, terminal, "FROBNICATE", "DMKCFM001E")
    assert "DMKCFM001E UNKNOWN CP COMMAND" in screen


def test_ipl_from_a_minidisk_runs_the_guest_on_its_virtual_console(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, ECHO_PROGRAM)
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 191", "HELLO FROM THE VIRTUAL MACHINE")
    run_until(system, lambda: terminal.status() == "VM READ")
    terminal.type_line("TYPED BY ALICE")
    run_until(system, lambda: terminal.transcript.count("TYPED BY ALICE") == 2)
    machine = system.cp.machines["ALICE"]
    run_until(system, lambda: machine.state.value == "disabled-wait")
    assert machine.psw.instruction_address == 0xEEE


def test_two_users_each_run_their_own_machine(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, ECHO_PROGRAM)
    bob_program = ECHO_PROGRAM.replace("HELLO FROM", "BOB SAYS")
    write_ipl_program(folder / "packs" / "users.ckd", 6, bob_program)
    system = boot(folder)
    alice = logged_on(system, "ALICE", "APPLE", 0)
    bob = logged_on(system, "BOB", "BANANA", 1)
    answer(system, alice, "IPL 191", "HELLO FROM THE VIRTUAL MACHINE")
    answer(system, bob, "IPL 191", "BOB SAYS THE VIRTUAL MACHINE")
    assert "BOB SAYS" not in alice.text()
    assert "HELLO FROM" not in bob.text()


PUNCH_PROGRAM = """\
PUNCH    CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LA    1,CARDS
         ST    1,X'48'
         SIO   X'00D'
         LPSW  WAITIO
IODONE   LPSW  DONE
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'80020000',A(0)
DONE     DC    X'00020000',A(X'0EEE')
CARDS    CCW   X'01',CARD1,X'40',80
         CCW   X'01',CARD2,X'00',80
CARD1    DC    CL80'FIRST CARD'
CARD2    DC    CL80'SECOND CARD'
         END   PUNCH
"""


def test_a_disabled_wait_puts_the_user_in_cp_mode_with_the_psw(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, PUNCH_PROGRAM)
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    warning = "DMKDSP450W CP ENTERED; DISABLED WAIT PSW '00020000 00000EEE'"
    answer(system, terminal, "IPL 191", warning)
    run_until(system, lambda: terminal.status() == "CP READ")


def test_cards_punched_to_another_user_arrive_in_their_reader(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, PUNCH_PROGRAM)
    system = boot(folder)
    alice = logged_on(system, "ALICE", "APPLE", 0)
    bob = logged_on(system, "BOB", "BANANA", 1)
    cp_command(system, alice, "SPOOL PUNCH TO BOB")
    answer(system, alice, "IPL 191", "DMKDSP450W")
    cp_command(system, alice, "CLOSE PUNCH")
    screen = answer(system, bob, "QUERY READER ALL", "ALICE")
    assert "PUN FILE 0001 FROM ALICE" in bob.history()
    rows = [line.split() for line in screen.splitlines()]
    assert ["ALICE", "0001", "A", "PUN", "000002"] in [row[:5] for row in rows]
    own = cp_command(system, alice, "QUERY READER ALL").split("QUERY READER ALL")[-1]
    assert "0001" not in own


def test_repeated_wrong_passwords_make_the_next_try_wait(folder):
    system = boot(folder)
    terminal = connect(system)
    display = system.consoles.terminals[0x0C0]
    screen = display.screen
    waits = []
    for attempt in range(1, 5):
        terminal.press("PA2")  # room on the screen for what comes
        run_until(system, lambda: not terminal.keyboard_locked())
        answer(system, terminal, "LOGON ALICE", "ENTER PASSWORD:")
        terminal.type_line("WRONG")
        # Step by step, so the wait that follows the refusal is not inside the step.
        run_until(system, lambda n=attempt: display.failed_logons == n, slice_instructions=1)
        waits.append(run_until(system, lambda: screen.reading == "CP READ"))
    # The first tries are free; then each waits a virtual second, then two.
    assert waits[0] < 100_000 and waits[1] < 100_000
    assert 990_000 <= waits[2] < 1_100_000
    assert 1_990_000 <= waits[3] < 2_100_000
    assert terminal.history().count("DMKLOG050E PASSWORD INCORRECT") >= 4


DISPLAY_PROGRAM = """\
SHOW     CSECT
         BALR  12,0
         USING *,12
         LA    4,SHOWCCW
         LA    5,X'009'
         DC    X'83450058'          DIAG 4,5,X'58'
         LPSW  DONE
         DS    0D
DONE     DC    X'00020000',A(X'0EEE')
SHOWCCW  DC    X'19',AL3(TEXT),X'20',X'85',AL2(L'TEXT)
TEXT     DC    C'FULL SCREEN TEXT FROM THE GUEST'
         END   SHOW
"""


def test_diagnose_58_puts_a_line_where_the_guest_asks_on_the_display(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, DISPLAY_PROGRAM)
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 191", "FULL SCREEN TEXT FROM THE GUEST")
    run_until(system, lambda: "FULL SCREEN TEXT" in terminal.rows()[5])
    assert not any("LOGON AT" in row for row in terminal.rows()[:5])  # erased first


# Its program new PSW points at the halfword of zeros that fails, with the
# masks and key of the PSW it runs with: a program interruption loop.
PROGRAM_LOOP = """\
PLOOP    CSECT
         BALR  12,0
         USING *,12
         MVC   104(8,0),NEWPSW
         LPSW  NEWPSW
         DS    0D
NEWPSW   DC    X'00000000',A(BAD)
BAD      DC    H'0'
         END   PLOOP
"""


def test_a_program_interruption_loop_puts_the_user_in_cp_mode_as_vm370_did(folder):
    write_ipl_program(folder / "packs" / "users.ckd", 1, PROGRAM_LOOP)
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 191", "DMKPRG453W CP ENTERED; PROGRAM INTERRUPT LOOP")
    run_until(system, lambda: terminal.status() == "CP READ")
    alice = system.users.users["ALICE"]
    assert alice.cp_mode and alice.machine.state is RunState.STOPPED
    assert "ALICE stopped: DMKPRG453W CP ENTERED; PROGRAM INTERRUPT LOOP" in system.cp.log
    assert alice.machine.counters.reflected == 1
    # BEGIN goes on from the new PSW: the same instruction fails, the same stop.
    terminal.type_line("BEGIN")
    run_until(system, lambda: alice.machine.counters.reflected == 2)
    run_until(system, lambda: terminal.status() == "CP READ")
    assert alice.cp_mode and alice.machine.state is RunState.STOPPED
    assert system.cp.log.count("ALICE stopped: DMKPRG453W CP ENTERED; PROGRAM INTERRUPT LOOP") == 2

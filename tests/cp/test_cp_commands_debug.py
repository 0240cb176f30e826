"""The commands a user debugs a virtual machine with: DISPLAY, STORE, TRACE, ADSTOP, ...

Driven twice: through a logged-on user's 3270 (a guest IPLed from a
minidisk, PA1 to CP mode, commands, BEGIN), and directly through the
command processor. Expected lines follow VM/370 Release 6's formats
(DMKCDB, DMKCDS, DMKTRC, DMKTRD, DMKCFD, DMKCPB, DMKTHI) and the layout of
the guest program below, worked out by hand from the instruction formats.
"""

from __future__ import annotations

import re

import pytest
from cp_system import answer, boot, logged_on, make_folder, write_ipl_program
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vm370.cp import commands
from vm370.cp.commands.display import ebcdic_text, floating_point_text
from vm370.terminal.scripted import run_until

# Loaded at X'1000': BALR (2 bytes) 1000, MVC 1002, MVC 1008, SSM 100E, LA 1012,
# AGAIN: LA 1016, SVC 101A, B AGAIN 101C, SVCOK: LPSW 1020, EXTIN: TM 1024 ...
PROGRAM = """\
LOOP     CSECT
         BALR  12,0
         USING *,12
         MVC   X'60'(8),SVCNEW
         MVC   X'58'(8),EXTNEW
         SSM   ENABLE
         LA    3,0
AGAIN    LA    3,1(3)
         SVC   5
         B     AGAIN
SVCOK    LPSW  X'20'
EXTIN    TM    X'1B',X'40'          the interrupt key?
         BZ    EXTBACK
         MVC   X'100'(8),X'18'      keep its old PSW
EXTBACK  LPSW  X'18'
         DS    0D
SVCNEW   DC    X'00000000',A(SVCOK)
EXTNEW   DC    X'00000000',A(EXTIN)
ENABLE   DC    X'01'
TEXT     DC    C'HELLO WORLD 12345'
         END   LOOP
"""
SVC_ADDRESS = 0x101A
BRANCH_ADDRESS = 0x101C
ALICE_STORAGE = 256 * 1024


@pytest.fixture
def folder(tmp_path):
    folder = make_folder(tmp_path)
    write_ipl_program(folder / "packs" / "users.ckd", 1, PROGRAM)
    write_ipl_program(folder / "packs" / "users.ckd", 6, PROGRAM)
    return folder


def stopped_guest(folder, userid="ALICE", password="APPLE", index=0):
    """The guest IPLed and looping, then PA1: the user at CP READ."""
    system = boot(folder)
    terminal = logged_on(system, userid, password, index)
    machine = system.cp.machines[userid]
    terminal.type_line("IPL 191")
    run_until(system, lambda: machine.gpr[3] > 2)
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    return system, terminal, machine


def say(system, terminal, line: str, expect: str) -> list[str]:
    """Clear the output area, type ``line``; the output lines once ``expect`` shows."""
    terminal.press("PA2")
    run_until(system, lambda: not terminal.keyboard_locked())
    answer(system, terminal, line, expect)
    rows = terminal.text().splitlines()
    status = rows[-1].strip() if rows else ""
    return [row.rstrip() for row in rows if row.strip() and row.strip() != status]


# Through the terminal


def test_display_shows_storage_with_ebcdic_and_the_key_at_a_2k_boundary(folder):
    system, terminal, _ = stopped_guest(folder)
    lines = say(system, terminal, "DISPLAY T1000.50", "HELLO")
    first = next(line for line in lines if line.startswith("001000"))
    # BALR 12,0 is 05C0; MVC X'60'(8),... is D207 0060 Cddd.
    assert first.startswith("001000    05C0D207  0060C")
    assert first[49:51] == "00"  # the key, at the 2K boundary
    assert first[53] == "*" and first.endswith("*") and len(first) == 71
    assert any("*" in line and "HELLO W" in line for line in lines)
    assert terminal.status() == "CP READ"


def test_store_changes_a_register_and_storage_that_display_then_shows(folder):
    system, terminal, _ = stopped_guest(folder)
    assert "STORE COMPLETE" in say(system, terminal, "STORE G5 CAFE", "STORE COMPLETE")
    assert "GPR  5 =  0000CAFE" in say(system, terminal, "D G5", "GPR")
    say(system, terminal, "ST S2001 C1C2C3", "STORE COMPLETE")
    lines = say(system, terminal, "D T2000", "002000")
    assert "002000    00C1C2C3  00000000  00000000  00000000" in lines[-1]
    assert "*.ABC............*" in lines[-1]


def test_trace_svc_stops_at_each_svc_and_begin_goes_on(folder):
    system, terminal, machine = stopped_guest(folder)
    assert "TRACE STARTED" in say(system, terminal, "TRACE SVC", "TRACE STARTED")
    trace_line = f"*** {SVC_ADDRESS:06X} SVC   0005 ==> 001020"
    assert trace_line in say(system, terminal, "BEGIN", "***")
    assert terminal.status() == "CP READ"
    count = machine.gpr[3]
    assert trace_line in say(system, terminal, "BEGIN", "***")
    assert machine.gpr[3] == count + 1  # one more time round the loop, then the stop
    assert "TRACE ENDED" in say(system, terminal, "TRACE END", "TRACE ENDED")
    assert system.cp.machine.cpu.instruction_observers == []


def test_trace_branch_shows_the_taken_branch_disassembled(folder):
    system, terminal, machine = stopped_guest(folder)
    say(system, terminal, "TRACE BRANCH", "TRACE STARTED")
    line = f"    {BRANCH_ADDRESS:06X} BC    47F0C014 ==> 001016"
    assert line in say(system, terminal, "B", "==>")
    assert terminal.status() == "CP READ"
    assert line in say(system, terminal, "B", "==>")
    say(system, terminal, "TRACE END", "TRACE ENDED")
    assert machine.debug is None


def test_trace_instruct_stops_after_every_instruction_in_turn(folder):
    system, terminal, machine = stopped_guest(folder)
    say(system, terminal, "TRACE INSTRUCT", "TRACE STARTED")
    # The loop: LA 1016, SVC 101A, (SVC new PSW) LPSW 1020, (back) BC 101C.
    following = {0x1016: 0x101A, 0x101A: 0x1020, 0x1020: 0x101C, 0x101C: 0x1016}
    texts = {
        0x1016: "    001016 LA    41330001",
        0x101A: "    00101A SVC   0A05",
        0x1020: "    001020 LPSW  82000020",
        0x101C: "    00101C BC    47F0C014",
    }
    traced = []
    for _ in range(6):
        line = next(row for row in say(system, terminal, "B", "    00") if row.startswith("    0"))
        address = int(line[4:10], 16)
        assert line == texts[address]
        assert machine.psw.instruction_address == following[address]
        traced.append(address)
    assert all(following[a] == b for a, b in zip(traced, traced[1:], strict=False))


def test_trace_program_shows_the_interruption_with_the_old_psw_address(folder):
    system, terminal, _ = stopped_guest(folder)
    say(system, terminal, "STORE S1016 0000", "STORE COMPLETE")  # LA becomes an invalid op
    say(system, terminal, "TRACE PROG", "TRACE STARTED")
    # The old PSW points past the 2-byte instruction; the program new PSW is zero.
    assert "*** 001018 PROG  0001 ==> 000000" in say(system, terminal, "B", "PROG")


def test_trace_priv_shows_the_simulated_ssm_after_a_restart(folder):
    system, terminal, _ = stopped_guest(folder)
    say(system, terminal, "TRACE PRIV", "TRACE STARTED")
    # SYSTEM RESTART loads the PSW at location 0 (the IPL PSW): the program again.
    lines = say(system, terminal, "SYSTEM RESTART", ":::")
    assert "::: 00100E SSM   8000C046 01" in lines


def test_trace_to_the_printer_spools_the_lines_and_the_guest_runs_on(folder):
    system, terminal, machine = stopped_guest(folder)
    say(system, terminal, "TRACE SVC PRINTER", "TRACE STARTED")
    count = machine.gpr[3]
    terminal.press("PA2")
    run_until(system, lambda: not terminal.keyboard_locked())
    terminal.type_line("BEGIN")
    run_until(system, lambda: machine.gpr[3] > count + 3)
    assert terminal.status() != "CP READ"
    records = system.cp.spool.device("ALICE", 0x00E).file.records
    line = f"*** {SVC_ADDRESS:06X} SVC   0005 ==> 001020"
    assert bytes((0x09,)) + line.encode("cp037") in records
    assert "***" not in terminal.text()


class FullSpool:
    """A spool with no room left: it takes no record."""

    def spool_record(self, device, record: bytes) -> bool:
        return False


def test_a_full_spool_ends_a_printer_trace(folder):
    system, terminal, machine = stopped_guest(folder)
    machine.devices[0x00E].sink = FullSpool()
    say(system, terminal, "TRACE SVC PRINTER", "TRACE STARTED")
    terminal.press("PA2")
    run_until(system, lambda: not terminal.keyboard_locked())
    terminal.type_line("BEGIN")
    run_until(system, lambda: "TRACE ENDED" in terminal.text())
    assert machine.debug is None


def test_trace_to_a_printer_needs_one(folder):
    system = boot(folder)
    logged_on(system, "BOB", "BANANA")
    bob = system.users.users["BOB"]
    assert run(system, bob, "TRACE SVC PRINTER")[1] == ["DMKTRA003E INVALID OPTION - PRINTER"]
    assert run(system, bob, "TRACE SVC BOTH")[1] == ["DMKTRA003E INVALID OPTION - BOTH"]


def test_adstop_stops_at_the_address_with_the_instruction_back(folder):
    system, terminal, machine = stopped_guest(folder)
    say(system, terminal, f"ADSTOP {SVC_ADDRESS:X}", f"ADSTOP {SVC_ADDRESS:X}")
    assert f"ADSTOP AT {SVC_ADDRESS:06X}" in say(system, terminal, "BEGIN", "ADSTOP AT")
    assert terminal.status() == "CP READ"
    assert machine.psw.instruction_address == SVC_ADDRESS
    assert machine.storage.read_real(SVC_ADDRESS, 2) == bytes.fromhex("0A05")
    assert machine.debug is None


def test_external_presents_the_interrupt_key_and_runs_the_guest(folder):
    system, terminal, machine = stopped_guest(folder)
    terminal.press("PA2")
    run_until(system, lambda: not terminal.keyboard_locked())
    terminal.type_line("EXTERNAL")
    run_until(system, lambda: machine.storage.read_real(0x100, 8) != bytes(8))
    old_psw = machine.storage.read_real(0x100, 8)
    assert old_psw[2:4] == bytes.fromhex("0040")  # BC mode: the code in the old PSW
    assert terminal.status() != "CP READ"


def test_system_reset_and_clear(folder):
    system, terminal, machine = stopped_guest(folder)
    assert "SYSTEM RESET" in say(system, terminal, "SYSTEM RESET", "SYSTEM RESET")
    assert "PSW = 00000000 00000000" in say(system, terminal, "D PSW", "PSW =")
    lines = say(system, terminal, "SYS CLEAR", "STORAGE CLEARED")
    assert "STORAGE CLEARED - SYSTEM RESET" in lines
    lines = say(system, terminal, "D L1000.20", "001000")
    assert "001000    00000000  00000000  00000000  00000000" in lines
    assert "001010 TO 001020   SUPPRESSED LINE(S) SAME AS ABOVE ....." in lines


def test_indicate_load_and_user(folder):
    system, terminal, _ = stopped_guest(folder)
    lines = say(system, terminal, "INDICATE", "CPU-")
    load = next(line for line in lines if line.startswith("CPU-"))
    assert re.fullmatch(
        r"CPU-\d{3}%  APU-000%  Q1-\d\d  Q2-\d\d  STORAGE-\d{3}%  RATIO-01\.0", load
    )
    lines = say(system, terminal, "IND USER", "VTIME=")
    pages = next(line for line in lines if line.startswith("PAGES:"))
    resident = int(re.match(r"PAGES: RES-(\d{4}) ", pages).group(1))
    assert resident >= 1  # at least the program's page and page 0
    assert re.search(r"VTIME=\d{3}:\d\d TTIME=\d{3}:\d\d SIO=000000 RDR-", lines[-1])


def test_a_trace_leaves_other_machines_unobserved(folder):
    system, alice, machine = stopped_guest(folder)
    say(system, alice, "TRACE BRANCH", "TRACE STARTED")
    say(system, alice, "B", "==>")
    bob = logged_on(system, "BOB", "BANANA", 1)
    bob.type_line("IPL 191")
    bob_machine = system.cp.machines["BOB"]
    seen = []
    cpu = system.cp.machine.cpu
    cpu.interruption_observers.append(
        lambda kind, psw: seen.append(list(cpu.instruction_observers))
    )
    run_until(system, lambda: bob_machine.gpr[3] > 50)
    assert seen and all(observers == [] for observers in seen)
    assert machine.debug.trace is not None


# Directly through the command processor


@pytest.fixture
def user(folder):
    system = boot(folder)
    logged_on(system, "ALICE", "APPLE")
    return system, system.users.users["ALICE"]


def run(system, user, line: str) -> tuple[int, list[str]]:
    context = commands.CommandContext(
        system.cp, user.userid, user.classes, user.machine, session=user
    )
    return commands.execute(context, line), context.responses


BAD_OPERANDS = [
    ("DISPLAY", "DMKCDB026E OPERAND MISSING OR INVALID"),
    ("D ZZZ", "DMKCDB004E INVALID HEXLOC - ZZZ"),
    ("D L40000", "DMKCDB160E HEXLOC 40000 EXCEEDS STORAGE"),
    ("D L1000-100", "DMKCDB009E INVALID RANGE - 001000-000100"),
    ("D L0-40000", "DMKCDB009E INVALID RANGE - 000000-040000"),
    ("D L1234567", "DMKCDB003E INVALID OPTION - 1234567"),
    ("D L0.0", "DMKCDB003E INVALID OPTION - 0"),
    ("D PSWX", "DMKCDB003E INVALID OPTION - PSWX"),
    ("D G16", "DMKCDB010E INVALID REGISTER - 16"),
    ("D Y1", "DMKCDB010E INVALID REGISTER - 1"),
    ("D GZ", "DMKCDB003E INVALID OPTION - Z"),
    ("D T", "DMKCDB026E OPERAND MISSING OR INVALID"),
    ("STORE", "DMKCDS026E OPERAND MISSING OR INVALID"),
    ("STORE L", "DMKCDS033E HEXLOC MISSING OR INVALID"),
    ("STORE L1000", "DMKCDS026E OPERAND MISSING OR INVALID"),
    ("STORE 1000 XYZ", "DMKCDS005E INVALID HEXDATA - XYZ"),
    ("STORE 1000 123456789", "DMKCDS005E INVALID HEXDATA - 123456789"),
    ("STORE L1234567 1", "DMKCDS004E INVALID HEXLOC - 1234567"),
    ("STORE 40000 1", "DMKCDS160E HEXLOC 40000 EXCEEDS STORAGE"),
    ("STORE G16 1", "DMKCDS163E STORE EXCEEDS MAXIMUM REGISTER"),
    ("STORE G15 1 2", "DMKCDS163E STORE EXCEEDS MAXIMUM REGISTER"),
    ("STORE G 1", "DMKCDS010E INVALID REGISTER - G"),
    ("STORE Y1 0", "DMKCDS010E INVALID REGISTER - 1"),
    ("STORE S1000 ABC", "DMKCDS005E INVALID HEXDATA - ABC"),
    ("STORE PSW", "DMKCDS026E OPERAND MISSING OR INVALID"),
    ("STORE STATUS", "DMKCDS026E OPERAND MISSING OR INVALID"),
    ("ADSTOP", "DMKCFD026E OPERAND MISSING OR INVALID"),
    ("ADSTOP 1001", "DMKCFD004E INVALID HEXLOC - 1001"),
    ("ADSTOP 40000", "DMKCFD160E HEXLOC 40000 EXCEEDS STORAGE"),
    ("ADSTOP XYZ", "DMKCFD004E INVALID HEXLOC - XYZ"),
    ("SYSTEM", "DMKCPB026E OPERAND MISSING OR INVALID"),
    ("SYSTEM FOO", "DMKCPB026E OPERAND MISSING OR INVALID"),
    ("SYS RES", "DMKCPB026E OPERAND MISSING OR INVALID"),
    ("EXTERNAL ZZ", "DMKCPB005E INVALID HEXDATA - ZZ"),
    ("EXT 0", "DMKCPB005E INVALID HEXDATA - 0"),
    ("TRACE", "DMKTRA026E OPERAND MISSING OR INVALID"),
    ("TRACE FOO", "DMKTRA002E INVALID OPERAND - FOO"),
    ("TRACE SVC FOO", "DMKTRA003E INVALID OPTION - FOO"),
    ("TRACE SVC RUN NORUN", "DMKTRA013E CONFLICTING OPERAND - NORUN"),
    ("TRACE BRANCH INSTRUCT", "DMKTRA013E CONFLICTING OPERAND - BRANCH"),
    ("TRACE SVC PRINTER RUN", "DMKTRA013E CONFLICTING OPERAND - RUN/NORUN PRINTER"),
    ("TRACE END", "DMKTRA180W TRACE NOT IN EFFECT"),
    ("TRACE SVC OFF", "DMKTRA180W TRACE NOT IN EFFECT"),
    ("INDICATE FOO", "DMKTHI003E INVALID OPTION - FOO"),
    ("IND USER BOB", "DMKTHI003E INVALID OPTION - BOB"),
]


@pytest.mark.parametrize(("line", "message"), BAD_OPERANDS)
def test_bad_operands_get_vm370s_message(user, line, message):
    system, alice = user
    return_code, responses = run(system, alice, line)
    assert responses == [message]
    assert return_code != 0


def test_registers_psw_and_control_registers_in_vm370s_layout(user):
    system, alice = user
    machine = alice.machine
    machine.gpr[:] = [0x11111111 * (n % 16) for n in range(16)]
    machine.fpr[1] = 0x4110000000000000  # 1.0: characteristic 65, fraction 1/16
    _, lines = run(system, alice, "D G2-6 Y2 PSW X0")
    assert lines == [
        "GPR  2 =  22222222  33333333  44444444  55555555",
        "GPR  6 =  66666666",
        "FPR  2 =  4110000000000000     .10000000000000000 E +01",
        "PSW = 00000000 00000000",
        "ECR  0 =  00000000",
    ]


def test_an_operand_without_a_letter_takes_the_last_one(user):
    system, alice = user
    alice.machine.gpr[7] = 0xABCD
    _, lines = run(system, alice, "D G6 7 L0")
    assert lines == ["GPR  6 =  00000000", "GPR  7 =  0000ABCD", "000000    00000000"]


def test_display_keys_in_runs_of_blocks(user):
    system, alice = user
    alice.machine.storage_keys[1] = 0x38  # key 3 with fetch protection
    _, lines = run(system, alice, "D K0-1FFF")
    assert lines == [
        "000000 TO 0007FF  KEY = 00",
        "000800 TO 000FFF  KEY = 38",
        "001000 TO 001FFF  KEY = 00",
    ]


def test_display_length_and_word_alignment(user):
    system, alice = user
    alice.machine.storage.write_real(0x3000, bytes(range(1, 25)))
    _, lines = run(system, alice, "D L3002.8")
    assert lines == ["003000    01020304  05060708  090A0B0C"]


def test_store_words_are_aligned_and_one_psw_word_is_the_second_half(user):
    system, alice = user
    machine = alice.machine
    _, lines = run(system, alice, "STORE L3003 AABBCCDD 1")
    assert lines == ["STORE COMPLETE"]
    assert machine.storage.read_real(0x3000, 8) == bytes.fromhex("AABBCCDD00000001")
    run(system, alice, "STORE PSW 2000")
    assert machine.psw.instruction_address == 0x2000
    run(system, alice, "STORE PSW 00020000 3000")
    assert machine.psw.wait and machine.psw.instruction_address == 0x3000


def test_store_floating_point_and_control_registers(user):
    system, alice = user
    machine = alice.machine
    run(system, alice, "STORE Y2 41100000 00000001 X6 0")
    assert machine.fpr[1] == 0x4110000000000001
    assert machine.control.values[6] == 0


def test_trace_start_modify_end_messages(user):
    system, alice = user
    assert run(system, alice, "TR SVC")[1] == ["TRACE STARTED"]
    assert run(system, alice, "TR PROG RUN")[1] == []
    trace = alice.machine.debug.trace
    assert trace.events == {"SVC", "PROGRAM"} and trace.run
    assert run(system, alice, "TR SVC OFF")[1] == []
    assert run(system, alice, "TR PROG OFF")[1] == ["TRACE ENDED"]
    assert alice.machine.debug is None


def test_adstop_off_puts_the_instruction_back(user):
    system, alice = user
    storage = alice.machine.storage
    storage.write_real(0x2000, bytes.fromhex("1812"))
    run(system, alice, "ADSTOP 2000")
    assert storage.read_real(0x2000, 2) == bytes.fromhex("0AB3")
    run(system, alice, "ADSTOP OFF")
    assert storage.read_real(0x2000, 2) == bytes.fromhex("1812")


def test_indicate_another_user_needs_class_e(folder):
    system = boot(folder)
    logged_on(system, "ALICE", "APPLE", 0)
    logged_on(system, "OPER", "OPERPW", 1)
    oper = system.users.users["OPER"]
    _, lines = run(system, oper, "IND USER ALICE")
    assert lines[0].startswith("PAGES: RES-")
    assert run(system, oper, "IND USER NOBODY")[1] == ["DMKTHI045E NOBODY NOT LOGGED ON"]


def test_ebcdic_and_floating_point_helpers():
    assert ebcdic_text(bytes.fromhex("C8C5D3D3D640F1F2")) == "HELLO 12"
    assert ebcdic_text(bytes((0x00, 0xFF))) == ".."
    assert floating_point_text(0xC120000000000000) == "-.20000000000000000 E +01"


COMMANDS = [
    "DISPLAY",
    "D",
    "DCP",
    "STORE",
    "ST",
    "TRACE",
    "ADSTOP",
    "SYSTEM",
    "EXTERNAL",
    "INDICATE",
]
WORDS = st.text(alphabet="0123456789ABCDEFGKLPSTXYZNMOR:-.=*?/", min_size=1, max_size=9)


@pytest.fixture(scope="module")
def shared_user(tmp_path_factory):
    folder = make_folder(tmp_path_factory.mktemp("debug"))
    system = boot(folder)
    logged_on(system, "OPER", "OPERPW")
    return system, system.users.users["OPER"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(COMMANDS), operands=st.lists(WORDS, max_size=4))
def test_no_operands_make_a_command_fail_with_a_traceback(shared_user, name, operands):
    system, oper = shared_user
    return_code, lines = run(system, oper, " ".join([name, *operands]))
    assert isinstance(return_code, int)
    assert all(isinstance(line, str) for line in lines)
    if return_code:
        # What came before a bad operand is shown, as VM/370 did; then its message.
        assert re.match(r"DMK[A-Z]{3}\d{3}[EWI] ", lines[-1])


# At X'1000': BALR 1000, MVC 1002, LA 1008, ST 100C, SIO 1010, LPSW 1014, IODONE: LPSW 1018
HELLO_PROGRAM = """\
HELLO    CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW
         LA    1,WRITE
         ST    1,X'48'              CAW
         SIO   X'009'
         LPSW  WAITIO               wait for the I/O interruption
IODONE   LPSW  DONE
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'80020000',A(0)     channel 0 enabled, wait
DONE     DC    X'00020000',A(X'0EEE') disabled wait
WRITE    DC    X'09',AL3(TEXT),X'2000',AL2(L'TEXT)
TEXT     DC    C'HELLO'
         END   HELLO
"""


def test_trace_sio_and_io_show_the_sio_and_the_interruption(tmp_path):
    folder = make_folder(tmp_path)
    write_ipl_program(folder / "packs" / "users.ckd", 1, HELLO_PROGRAM)
    system = boot(folder)
    terminal = logged_on(system, "ALICE", "APPLE")
    say(system, terminal, "TRACE I/O SIO", "TRACE STARTED")
    lines = say(system, terminal, "IPL 191", "I/O 001010")
    sio = next(line for line in lines if line.startswith("I/O 001010"))
    assert sio.startswith("I/O 001010 SIO   9C000009  CONS 0009  CC 0")
    assert sio.endswith(f"CAW {system.cp.machines['ALICE'].storage.read_word(0x48):08X}")
    assert terminal.status() == "CP READ"
    lines = say(system, terminal, "BEGIN", "***")
    interruption = r"\*\*\* 00[0-9A-F]{4} I/O   0009 ==> 001018  CSW 0C00"
    assert any(re.fullmatch(interruption, line) for line in lines)


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("D", "DISPLAY"),
        ("DISP", "DISPLAY"),
        ("ST", "STORE"),
        ("TR", "TRACE"),
        ("ADSTOP", "ADSTOP"),
        ("ADSTO", None),
        ("SYS", "SYSTEM"),
        ("SY", None),
        ("EXT", "EXTERNAL"),
        ("EX", None),
        ("IND", "INDICATE"),
        ("DCP", "DCP"),
    ],
)
def test_abbreviations_are_vm370s(word, name):
    found = commands.find(word)
    assert (found.name if found else None) == name


def test_each_command_answers_a_question_mark_with_its_format(user):
    system, alice = user
    for name in ("DISPLAY", "STORE", "TRACE", "ADSTOP", "SYSTEM", "EXTERNAL", "INDICATE"):
        return_code, lines = run(system, alice, f"{name} ?")
        assert return_code == 0
        assert lines[0].startswith(f"{name}:")
        assert any("Format" in line for line in lines)


def test_dcp_is_for_classes_c_and_e(folder):
    system = boot(folder)
    logged_on(system, "ALICE", "APPLE", 0)
    logged_on(system, "OPER", "OPERPW", 1)
    alice, oper = system.users.users["ALICE"], system.users.users["OPER"]
    assert run(system, alice, "DCP L0")[1] == ["DMKCFM001E UNKNOWN CP COMMAND"]
    system.cp.storage.write(0x200, bytes.fromhex("0123456789ABCDEF"))
    assert run(system, oper, "DCP L200.8")[1] == ["000200    01234567  89ABCDEF"]
    assert run(system, oper, "DCP G1")[1] == ["DMKCDB003E INVALID OPTION - G1"]
    assert run(system, oper, "DCP")[1] == ["DMKCDB033E HEXLOC MISSING OR INVALID"]

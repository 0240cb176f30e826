"""Spooling: users' readers, punches and printers, the real printer and punch, the pack."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.cp import commands
from vm370.cp.commands import CommandContext
from vm370.cp.spool import SpoolError, SpoolManager
from vm370.cp.spool_area import BLOCK_SIZE, blocks_after, pack_records, unpack_records
from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.hardware.devices import create_device
from vm370.hardware.devices.card2540 import CardPunch2540
from vm370.hardware.devices.ckd_image import CKDImage, create_image
from vm370.hardware.devices.printer1403 import Printer1403
from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt
from vm370.hardware.machine import Machine

SPOOL_PACK = 0x190
REAL_PRINTER = 0x00E
REAL_PUNCH = 0x00D
DISABLED_WAIT = 0x0002_0000_0000_0000


def ebcdic_card(text: str) -> bytes:
    return text.encode("cp037").ljust(80, b"\x40")


def text(card: bytes) -> str:
    return card.decode("cp037").rstrip()


class SpoolSystem:
    """A real machine with a printer, a punch and (optionally) a spool pack; CP; users."""

    def __init__(self, pack=None, users=("ALICE", "BOB", "CAROL"), real_output=False):
        self.machine = Machine(512 * 1024)
        if pack is not None:
            self.machine.attach(SPOOL_PACK, create_device("2314", str(pack)))
        self.printer = Printer1403()
        self.punch = CardPunch2540()
        self.machine.attach(REAL_PRINTER, self.printer)
        self.machine.attach(REAL_PUNCH, self.punch)
        self.cp = ControlProgram(self.machine)
        self.cp.enable_virtual_devices()
        self.spool = SpoolManager(self.cp)
        self.cp.spool = self.spool
        self.messages: list[tuple[str, str]] = []
        self.spool.notify = lambda userid, line: self.messages.append((userid, line))
        if pack is not None:
            self.spool.attach_area(SPOOL_PACK, 1, 2)
        if real_output:
            self.spool.attach_real_printer(REAL_PRINTER)
            self.spool.attach_real_punch(REAL_PUNCH)
        for userid in users:
            self.logon(userid)

    def logon(self, userid: str):
        machine = self.cp.create_virtual_machine(userid, 64 * 1024)
        self.spool.define_device(machine, 0x00C, "2540R")
        self.spool.define_device(machine, 0x00D, "2540P")
        self.spool.define_device(machine, 0x00E, "1403")
        return machine

    def device(self, userid: str, address: int):
        return self.cp.virtual_machine(userid).devices[address]

    def punch_deck(self, userid: str, cards: list[str]) -> None:
        punch = self.device(userid, 0x00D)
        for card in cards:
            self.spool.spool_record(punch, ebcdic_card(card))

    def print_lines(self, userid: str, lines: list[str]) -> None:
        printer = self.device(userid, 0x00E)
        for line in lines:
            self.spool.spool_record(printer, bytes((0x09,)) + line.encode("cp037"))

    def read_all(self, userid: str) -> list:
        reader = self.device(userid, 0x00C)
        cards = []
        for _ in range(1000):
            card = self.spool.next_card(reader)
            cards.append(text(card) if isinstance(card, bytes) else card)
            if not isinstance(card, bytes):
                return cards
        raise AssertionError("the reader never ended")

    def command(self, userid: str | None, line: str, classes: str = "G") -> tuple[int, list[str]]:
        machine = self.cp.machines.get(userid) if userid else None
        lines: list[str] = []
        context = CommandContext(self.cp, userid, classes, machine, write=lines.append)
        code = commands.execute(context, line)
        return code, lines


@pytest.fixture
def system() -> SpoolSystem:
    return SpoolSystem()


def test_a_punch_spooled_to_a_user_lands_in_their_reader_and_reads_back(system):
    code, lines = system.command("ALICE", "SPOOL PUNCH TO BOB")
    assert (code, lines) == (0, [])
    system.punch_deck("ALICE", ["ONE", "TWO", "THREE"])
    code, lines = system.command("ALICE", "CLOSE PUNCH")
    assert lines == ["PUN FILE 0001  TO  BOB      COPY 01 NOHOLD"]
    assert ("BOB", "PUN FILE 0001 FROM ALICE    COPY 01 NOHOLD") in system.messages
    assert system.read_all("BOB") == ["ONE", "TWO", "THREE", False]
    # Read and not held: purged; an empty reader is not ready.
    assert system.spool.find(1) is None
    assert system.read_all("BOB") == [None]


def test_another_users_files_are_invisible(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["SECRET"])
    system.command("ALICE", "CLOSE PUNCH")
    assert system.command("CAROL", "QUERY READER ALL")[1] == ["NO RDR FILES"]
    assert system.read_all("CAROL") == [None]
    assert system.command("CAROL", "PURGE READER 1") == (
        42,
        ["DMKCSV042E SPOOLID 0001 DOES NOT EXIST"],
    )
    assert system.command("CAROL", "CHANGE READER 1 CLASS B")[1] == [
        "DMKCSU042E SPOOLID 0001 DOES NOT EXIST"
    ]
    assert system.command("CAROL", "TRANSFER READER 1 TO CAROL")[1] == [
        "DMKCSV042E SPOOLID 0001 DOES NOT EXIST"
    ]
    assert system.command("BOB", "QUERY READER")[1] == [
        "ORIGINID FILE CLASS RECDS  CPY HOLD",
        "ALICE    0001 A PUN 000001  01 NONE",
    ]


def test_query_reader_all_shows_name_type_date_and_dist(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB CLASS C")
    system.punch_deck("ALICE", ["A", "B"])
    system.command("ALICE", "CLOSE 00D NAME PROFILE EXEC DIST DEPT7")
    code, lines = system.command("BOB", "QUERY RDR ALL")
    assert lines[0] == (
        "ORIGINID FILE CLASS RECDS  CPY HOLD DATE  TIME     NAME        TYPE     DIST"
    )
    assert lines[1] == (
        "ALICE    0001 C PUN 000002  01 NONE 08/02 09:00:00 PROFILE     EXEC     DEPT7"
    )
    assert system.command("BOB", "Q R 1")[1][1] == lines[1]
    assert system.command("BOB", "Q R 7")[1] == ["DMKCQH042E SPOOLID 0007 DOES NOT EXIST"]


def test_spoolids_are_unique_and_wrap_after_9900(system):
    system.spool.next_spoolid = 9899
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    ids = []
    for _ in range(3):
        system.punch_deck("ALICE", ["X"])
        system.command("ALICE", "CLOSE PUNCH")
        ids.append(system.spool.files[-1].spoolid)
    assert ids == [9899, 9900, 1]
    system.spool.next_spoolid = 9899  # taken ids are skipped, never given twice
    system.punch_deck("ALICE", ["Y"])
    system.command("ALICE", "CLOSE PUNCH")
    assert system.spool.files[-1].spoolid == 2


def test_a_reader_reads_only_files_of_its_class(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB CLASS B")
    system.punch_deck("ALICE", ["CLASS-B"])
    system.command("ALICE", "CLOSE PUNCH")
    system.command("ALICE", "SPOOL PUNCH CLASS A")
    system.punch_deck("ALICE", ["CLASS-A"])
    system.command("ALICE", "CLOSE PUNCH")
    system.command("BOB", "SPOOL READER CLASS A")
    assert system.read_all("BOB") == ["CLASS-A", False]
    system.command("BOB", "SPOOL READER CLASS C")
    assert system.read_all("BOB") == [None]
    system.command("BOB", "SPOOL READER CLASS *")
    assert system.read_all("BOB") == ["CLASS-B", False]


def test_reader_hold_keeps_the_file_and_cont_reads_on(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    for deck in (["F1-1", "F1-2"], ["F2-1"]):
        system.punch_deck("ALICE", deck)
        system.command("ALICE", "CLOSE PUNCH")
    system.command("BOB", "SPOOL READER CONT HOLD")
    assert system.read_all("BOB") == ["F1-1", "F1-2", "F2-1", False]
    lines = system.command("BOB", "QUERY READER")[1]
    assert [line.split()[-1] for line in lines[1:]] == ["USER", "USER"]
    system.command("BOB", "CHANGE READER ALL NOHOLD")
    system.command("BOB", "SPOOL READER NOCONT NOHOLD")
    assert system.read_all("BOB") == ["F1-1", "F1-2", False]
    assert system.read_all("BOB") == ["F2-1", False]
    assert system.command("BOB", "QUERY READER")[1] == ["NO RDR FILES"]


def test_close_reader_purges_the_file_being_read(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["FIRST", "SECOND"])
    system.command("ALICE", "CLOSE PUNCH")
    reader = system.device("BOB", 0x00C)
    assert text(system.spool.next_card(reader)) == "FIRST"
    assert system.command("BOB", "CLOSE READER") == (0, [])
    assert system.spool.files == []


def test_order_changes_the_order_the_reader_reads_in(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    for name in ("ONE", "TWO", "THREE"):
        system.punch_deck("ALICE", [name])
        system.command("ALICE", "CLOSE PUNCH")
    assert system.command("BOB", "ORDER READER 3 1") == (0, ["0002 FILES ORDERED"])
    cards = [system.read_all("BOB")[0] for _ in range(3)]
    assert cards == ["THREE", "ONE", "TWO"]
    assert system.command("BOB", "ORDER READER 5")[1] == ["DMKCSV042E SPOOLID 0005 DOES NOT EXIST"]


def test_purge_by_spoolid_class_and_all(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    for spool_class in "AABC":
        system.command("ALICE", f"SPOOL PUNCH CLASS {spool_class}")
        system.punch_deck("ALICE", ["X"])
        system.command("ALICE", "CLOSE PUNCH")
    assert system.command("BOB", "PURGE READER 1") == (0, ["0001 FILE  PURGED"])
    assert system.command("BOB", "PURGE RDR CLASS A") == (0, ["0001 FILE  PURGED"])
    assert system.command("BOB", "PURGE RDR CLASS Z")[1] == [" NO  FILES PURGED"]
    assert system.command("BOB", "PURGE READER") == (0, ["0002 FILES PURGED"])
    assert system.spool.files == []


def test_change_sets_class_copies_name_and_hold(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")
    code, lines = system.command("BOB", "CHANGE RDR 1 CLASS Q COPY 3 NAME MY DECK HOLD DIST D1")
    assert (code, lines) == (0, ["0001 FILE  CHANGED"])
    line = system.command("BOB", "QUERY READER ALL")[1][1]
    assert line.split() == [
        "ALICE", "0001", "Q", "PUN", "000001", "03", "USER", "08/02", "09:00:00",
        "MY", "DECK", "D1",
    ]  # fmt: skip
    assert system.read_all("BOB") == [None]  # held: not read


def test_transfer_to_and_from_another_user(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["DECK"])
    system.command("ALICE", "CLOSE PUNCH")
    assert system.command("BOB", "TRANSFER READER 1 TO CAROL") == (0, ["0001 FILE  TRANSFERRED"])
    assert system.command("BOB", "QUERY READER")[1] == ["NO RDR FILES"]
    assert system.command("CAROL", "QUERY READER")[1][1].startswith("ALICE    0001 A PUN")
    # ALICE made it: she may take it back from CAROL's reader; BOB may not.
    assert system.command("BOB", "TRANSFER RDR ALL FROM CAROL")[1] == [" NO  FILES TRANSFERRED"]
    assert system.command("ALICE", "TRANSFER RDR ALL FROM CAROL")[1] == ["0001 FILE  TRANSFERRED"]
    assert system.read_all("ALICE") == ["DECK", False]


def test_class_d_sees_and_purges_everyones_files(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")
    lines = system.command("OPER", "QUERY READER ALL", classes="D")[1]
    assert lines[0].startswith("OWNERID  FILE CLASS")  # DMKCQH: CL8'OWNERID' over ORIGINID
    assert lines[1].startswith("BOB      0001 A PUN")
    assert system.command("OPER", "QUERY READER ALL BOB", classes="D")[1][1].startswith(
        "ALICE    0001 A PUN"  # one user's files: by origin, as that user sees them
    )
    assert system.command("OPER", "QUERY READER CAROL", classes="D")[1] == ["NO RDR FILES"]
    assert system.command("OPER", "PURGE BOB READER ALL", classes="D")[1] == ["0001 FILE  PURGED"]
    assert system.command("OPER", "PURGE NOBODY READER ALL", classes="D")[1] == [
        "DMKCSV053E NOBODY NOT IN CP DIRECTORY"
    ]


def test_query_files_counts_each_queue(system):
    system.command("ALICE", "SPOOL PRINTER HOLD")
    system.print_lines("ALICE", ["LINE"])
    system.command("ALICE", "CLOSE PRINTER")
    system.punch_deck("ALICE", ["A"])
    system.command("ALICE", "CLOSE PUNCH")
    system.punch_deck("ALICE", ["B"])
    system.command("ALICE", "CLOSE PUNCH")
    assert system.command("ALICE", "QUERY FILES")[1] == ["FILES:  NO RDR, 001 PRT, 002 PUN"]
    assert system.command("ALICE", "Q FILES CLASS B")[1] == ["FILES:  NO RDR,  NO PRT,  NO PUN"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("SPOOL", "DMKCSP022E VADDR MISSING OR INVALID"),
        ("SPOOL PUNCH", "DMKCSP026E OPERAND MISSING OR INVALID"),
        ("SPOOL PUNCH BANANA", "DMKCSP003E INVALID OPTION - BANANA"),
        ("SPOOL PUNCH TO NOBODY", "DMKCSP053E NOBODY NOT IN CP DIRECTORY"),
        ("SPOOL PUNCH TO", "DMKCSP020E USERID MISSING OR INVALID"),
        ("SPOOL PUNCH CLASS", "DMKCSP028E CLASS MISSING OR INVALID"),
        ("SPOOL PUNCH CLASS AB", "DMKCSP028E CLASS MISSING OR INVALID"),
        ("SPOOL PUNCH CLASS *", "DMKCSP028E CLASS MISSING OR INVALID"),
        ("SPOOL PUNCH COPY 0", "DMKCSP030E COPIES MISSING OR INVALID"),
        ("SPOOL PUNCH COPY X", "DMKCSP030E COPIES MISSING OR INVALID"),
        ("SPOOL PUNCH HOLD NOHOLD", "DMKCSP013E CONFLICTING OPTION - NOHOLD"),
        ("SPOOL 123 CLASS A", "DMKCSP040E DEV 123 DOES NOT EXIST"),
        ("SPOOL XYZW CLASS A", "DMKCSP022E VADDR MISSING OR INVALID"),
        ("SPOOL READER TO BOB", "DMKCSP003E INVALID OPTION - TO"),
        ("SPOOL 00C CLASS B COPY 2", "DMKCSP003E INVALID OPTION - COPY"),
        ("CLOSE", "DMKCSQ022E VADDR MISSING OR INVALID"),
        ("CLOSE PUNCH NAME", "DMKCSQ029E FNAME FTYPE MISSING OR INVALID"),
        ("CLOSE PUNCH DIST", "DMKCSQ032E DISTCODE MISSING OR INVALID"),
        ("CLOSE PUNCH PURGE HOLD", "DMKCSQ003E INVALID OPTION - PURGE"),
        ("CLOSE READER PURGE", "DMKCSQ003E INVALID OPTION - PURGE"),
        ("CLOSE 00C HOLD NAME A B", "DMKCSQ003E INVALID OPTION - NAME"),
        ("PURGE", "DMKCSV035E DEVICE TYPE MISSING OR INVALID"),
        ("PURGE TAPE", "DMKCSV006E INVALID DEVICE TYPE - TAPE"),
        ("PURGE READER 99999", "DMKCSV008E INVALID SPOOLID - 99999"),
        ("PURGE READER X", "DMKCSV027E SPOOLID MISSING OR INVALID"),
        ("ORDER READER", "DMKCSV027E SPOOLID MISSING OR INVALID"),
        ("TRANSFER READER 1", "DMKCSV026E OPERAND MISSING OR INVALID"),
        ("TRANSFER READER ALL TO", "DMKCSV020E USERID MISSING OR INVALID"),
        ("CHANGE READER 1", "DMKCSU026E OPERAND MISSING OR INVALID"),
        ("CHANGE READER 1 CLASS A CLASS B", "DMKCSU013E CONFLICTING OPTION - CLASS"),
        ("QUERY READER FOO", "DMKCQH026E OPERAND MISSING OR INVALID"),
        ("QUERY WIDGETS", "DMKCFC003E INVALID OPTION - WIDGETS"),
        ("QUERY", "DMKCFC026E OPERAND MISSING OR INVALID"),
    ],
)
def test_bad_operands_give_vm370_messages(system, line, message):
    code, lines = system.command("ALICE", line)
    assert lines == [message]
    assert code != 0


def test_help_for_a_spool_command(system):
    code, lines = system.command("ALICE", "SPOOL ?")
    assert code == 0 and lines[0].startswith("SPOOL READER|PUNCH|PRINTER")


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["SPOOL", "CLOSE", "PURGE", "ORDER", "TRANSFER", "CHANGE", "QUERY"]),
    st.lists(
        st.sampled_from(
            [
                "READER",
                "PUNCH",
                "PRT",
                "00D",
                "ALL",
                "CLASS",
                "A",
                "TO",
                "FROM",
                "BOB",
                "1",
                "0",
                "HOLD",
                "NOHOLD",
                "NAME",
                "X",
                "DIST",
                "COPY",
                "99",
                "*",
                "CONT",
                "FILES",
                "PURGE",
                "SYSTEM",
                "FOR",
                "OFF",
                "FORM",
                "ZZZZZZZZZ",
                "-1",
            ]
        ),  # fmt: skip
        max_size=6,
    ),
    st.sampled_from(["G", "D"]),
)
def test_no_operands_ever_raise(command_name, words, classes):
    system = SpoolSystem(users=("ALICE", "BOB"))
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")
    code, lines = system.command("ALICE", " ".join([command_name, *words]), classes)
    assert all(isinstance(line, str) for line in lines)
    if code:
        assert lines[-1].startswith("DMK")


def test_closed_printer_files_print_with_a_separator_page():
    system = SpoolSystem(real_output=True)
    system.command("ALICE", "SPOOL PRINTER CLASS A")
    system.print_lines("ALICE", ["HELLO FROM ALICE", "SECOND LINE"])
    system.command("ALICE", "CLOSE PRINTER NAME REPORT LISTING")
    printed = system.printer.text()
    assert "AAAAAAAAAA" in printed  # the block letter A of ALICE
    assert "USERID ALICE     SPOOLID 0001  FILE REPORT   LISTING" in printed
    body = printed[printed.index("HELLO FROM ALICE") :]
    assert body.splitlines()[:2] == ["HELLO FROM ALICE", "SECOND LINE"]
    assert printed.index("USERID ALICE") < printed.index("HELLO FROM ALICE")
    assert system.spool.printed == [1]
    assert system.command("ALICE", "QUERY PRINTER")[1] == ["NO PRT FILES"]


def test_a_held_printer_file_waits_until_released():
    system = SpoolSystem(real_output=True)
    system.command("ALICE", "SPOOL PRINTER HOLD COPY 2")
    system.print_lines("ALICE", ["HELD LINE"])
    assert system.command("ALICE", "CLOSE PRINTER") == (
        0,
        ["PRT FILE 0001  FOR ALICE    COPY 02   HOLD"],
    )
    assert "HELD LINE" not in system.printer.text()
    system.command("ALICE", "CHANGE PRINTER 1 NOHOLD")
    assert system.printer.text().count("HELD LINE") == 2  # two copies
    assert system.spool.files == []


def test_a_long_file_prints_across_pages():
    system = SpoolSystem(real_output=True)
    system.print_lines("ALICE", [f"LINE {number:03d}" for number in range(150)])
    system.command("ALICE", "CLOSE PRINTER")
    printed = system.printer.text()
    assert [f"LINE {number:03d}" in printed for number in range(150)] == [True] * 150
    assert printed.index("LINE 149") > printed.index("LINE 000")


def test_the_real_printer_takes_only_its_classes():
    system = SpoolSystem()
    system.spool.attach_real_printer(REAL_PRINTER, classes="B")
    system.print_lines("ALICE", ["CLASS A OUTPUT"])
    system.command("ALICE", "CLOSE PRINTER")
    assert "CLASS A OUTPUT" not in system.printer.text()
    system.command("ALICE", "CHANGE PRINTER ALL CLASS B")
    assert "CLASS A OUTPUT" in system.printer.text()


def test_closed_punch_files_are_punched_after_a_separator_card():
    system = SpoolSystem(real_output=True)
    system.punch_deck("ALICE", ["CARD ONE", "CARD TWO"])
    system.command("ALICE", "CLOSE PUNCH")
    punched = [text(card) for card in system.punch.punched]
    assert punched[0].startswith("*** VM/370 SPOOL ALICE    FILE 0001")
    assert punched[1:] == ["CARD ONE", "CARD TWO"]


def test_logoff_closes_an_open_output_file(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["UNCLOSED"])
    system.spool.logoff("ALICE")
    assert system.read_all("BOB") == ["UNCLOSED", False]


def test_define_device_refuses_bad_requests(system):
    machine = system.cp.virtual_machine("ALICE")
    with pytest.raises(SpoolError, match="already has a device at 00C"):
        system.spool.define_device(machine, 0x00C, "2540R")
    with pytest.raises(SpoolError, match="not a spooled device type"):
        system.spool.define_device(machine, 0x00F, "3330")


def test_records_pack_into_4k_blocks_and_back():
    records = [bytes([n % 256]) * (80 + n % 60) for n in range(200)]
    blocks = pack_records(records, 7)
    assert all(len(block) == BLOCK_SIZE for block in blocks) and len(blocks) > 1
    unpacked = []
    for block in blocks:
        unpacked += unpack_records(block)[1]
    assert unpacked == records


def test_spool_files_survive_a_shutdown(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    first = SpoolSystem(pack)
    first.command("ALICE", "SPOOL PUNCH TO BOB")
    first.punch_deck("ALICE", [f"CARD {n:03d}" for n in range(120)])  # three blocks
    first.command("ALICE", "CLOSE PUNCH NAME BIG DECK")
    first.command("ALICE", "SPOOL PRINTER HOLD")
    first.print_lines("ALICE", ["KEPT FOR LATER"])
    first.command("ALICE", "CLOSE PRINTER")
    first.machine.channels.devices[SPOOL_PACK].close()

    second = SpoolSystem(pack)
    assert [f.spoolid for f in second.spool.files] == [1, 2]
    assert second.command("BOB", "QUERY READER ALL")[1][1].split()[-3:] == ["BIG", "DECK", "ALICE"]
    assert second.read_all("BOB") == [f"CARD {n:03d}" for n in range(120)] + [False]
    assert second.command("ALICE", "QUERY PRINTER")[1][1].endswith("USER")
    second.punch_deck("ALICE", ["NEW"])
    second.command("ALICE", "CLOSE PUNCH")
    assert second.spool.files[-1].spoolid == 3  # the spoolid counter survived too
    second.machine.channels.devices[SPOOL_PACK].close()

    third = SpoolSystem(pack)
    assert [f.spoolid for f in third.spool.files] == [2, 3]  # file 1 was read and purged


def test_a_file_whose_directory_was_never_committed_is_not_there(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    first = SpoolSystem(pack)
    first.punch_deck("ALICE", ["COMMITTED"])
    first.command("ALICE", "CLOSE PUNCH")
    # A process killed between writing a file's data and committing the directory.
    orphan = first.spool._open(first.spool.device("ALICE", 0x00D))
    first.spool.area.write_file(orphan, [ebcdic_card("ORPHAN")])
    first.machine.channels.devices[SPOOL_PACK].close()

    second = SpoolSystem(pack)
    assert [f.records for f in second.spool.files] == [[ebcdic_card("COMMITTED")]]
    # Its blocks are free again: a new file may use them and both stay intact.
    second.punch_deck("ALICE", ["AFTER"])
    second.command("ALICE", "CLOSE PUNCH")
    second.machine.channels.devices[SPOOL_PACK].close()
    third = SpoolSystem(pack)
    assert [f.records for f in third.spool.files] == [
        [ebcdic_card("COMMITTED")],
        [ebcdic_card("AFTER")],
    ]


def test_the_anchor_is_written_after_the_directory_and_data(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    system = SpoolSystem(pack)
    writes = []
    area = system.spool.area
    real_write = area._write
    area._write = lambda slot, block: (writes.append(slot), real_write(slot, block))
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")
    assert writes[-1] == 0  # the anchor last
    assert 0 not in writes[:-1] and len(writes) == 3  # data block, directory block, anchor


def test_a_fresh_pack_is_an_empty_spool_and_bad_areas_are_refused(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    system = SpoolSystem(pack)
    assert system.spool.files == []
    other = SpoolSystem()
    with pytest.raises(SpoolError, match="no DASD attached at 191"):
        other.spool.attach_area(0x191, 0, 1)
    with pytest.raises(SpoolError, match="already attached"):
        system.spool.attach_area(SPOOL_PACK, 0, 1)
    fourth = SpoolSystem(users=())
    small = create_image(tmp_path / "small.2314", "2314", 2)
    fourth.machine.attach(0x191, create_device("2314", str(small)))
    with pytest.raises(SpoolError, match="not on the 2-cylinder pack"):
        fourth.spool.attach_area(0x191, 1, 5)


def test_a_damaged_directory_is_a_clear_error(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    system = SpoolSystem(pack)
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")
    system.machine.channels.devices[SPOOL_PACK].close()
    image = CKDImage(pack)
    track = image.read_track(1, 0)  # the anchor: slot 0 of the area at cylinder 1
    anchor = bytearray(track.records[1].data)
    anchor[12:16] = (9999).to_bytes(4, "big")  # the first directory slot, off the area
    track.records[1].data = bytes(anchor)
    image.write_track(1, 0, track)
    image.close()
    with pytest.raises(SpoolError, match="damaged pack"):
        SpoolSystem(pack)


def guest(cp, name: str, code: str, data: dict[int, str]):
    for location, mark in ((0x58, 0x333), (0x60, 0x111), (0x68, 0x222), (0x78, 0x333)):
        cp.load(name, location, (DISABLED_WAIT | mark).to_bytes(8, "big"))
    cp.load(name, 0x200, bytes.fromhex(code.replace(" ", "")))
    for address, value in data.items():
        cp.load(name, address, bytes.fromhex(value.replace(" ", "")))
    cp.set_psw(name, 0x0000_0000_0000_0200)
    return cp.virtual_machine(name)


# SIO X'00D' (or X'00C'), again while a status was pending (cc 1: the device
# end CP posts when a file arrives); TIO until the device is no longer busy; SVC 1.
SIO_AND_WAIT = "9C00 {device} 4740 0200 9D00 {device} 4720 0208 0A01"


def test_a_guest_punches_through_sio_and_another_guest_reads_the_deck():
    system = SpoolSystem()
    supervisor = Supervisor(system.cp)
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    cards = "".join(ebcdic_card(f"GUEST CARD {n}").hex() for n in range(3))
    punch_program = "01000400 40000050 01000450 40000050 010004A0 00000050"
    alice = guest(
        system.cp,
        "ALICE",
        SIO_AND_WAIT.format(device="000D"),
        {0x48: "00000300", 0x300: punch_program, 0x400: cards},
    )
    supervisor.run(50_000)
    assert alice.state is RunState.DISABLED_WAIT
    assert system.command("ALICE", "CLOSE PUNCH")[1][0].startswith("PUN FILE 0001  TO  BOB")
    read_program = "02000500 40000050 02000550 40000050 020005A0 40000050 020005F0 00000050"
    bob = guest(
        system.cp,
        "BOB",
        SIO_AND_WAIT.format(device="000C"),
        {0x48: "00000300", 0x300: read_program},
    )
    supervisor.run(50_000)
    assert bob.state is RunState.DISABLED_WAIT
    read = system.cp.read("BOB", 0x500, 240)
    assert [text(read[n : n + 80]) for n in (0, 80, 160)] == [f"GUEST CARD {n}" for n in range(3)]
    csw = system.cp.read("BOB", 0x40, 8)
    assert csw[4] & 0x01  # unit exception: the end of the deck
    assert int.from_bytes(csw[1:4], "big") == 0x320  # after the fourth read


def diagnose(system: SpoolSystem, userid: str, rx_value: int, device: int, subcode: int):
    machine = system.cp.virtual_machine(userid)
    machine.gpr[2] = rx_value
    machine.gpr[4] = device
    machine.gpr[5] = subcode
    system.spool.diagnose_reader(machine, 2, 4)
    return machine


def test_diagnose_14_reads_a_reader_file_a_block_at_a_time(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", [f"C{n}" for n in range(60)])  # two 4K blocks
    system.command("ALICE", "CLOSE PUNCH")
    blocks = []
    for _ in range(3):
        machine = diagnose(system, "BOB", 0x4000, 0x00C, 0x0)
        if machine.psw.cc:
            break
        blocks.append(system.cp.read("BOB", 0x4000, BLOCK_SIZE))
    assert machine.psw.cc == 1  # the end of the file
    records = [record for block in blocks for record in unpack_records(block)[1]]
    assert [text(r) for r in records] == [f"C{n}" for n in range(60)]
    assert len(blocks) == 2
    assert diagnose(system, "BOB", 0x4000, 0x00C, 0x0).psw.cc == 2  # no file left


def test_diagnose_14_describes_files_and_their_tag(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["TAG RECORD", "DATA"])
    system.command("ALICE", "CLOSE PUNCH NAME TAGGED FILE")
    machine = diagnose(system, "BOB", 0x3000, 0x00C, 0x8)
    assert machine.psw.cc == 0
    descriptor = system.cp.read("BOB", 0x3000, 104)
    assert descriptor[0:16].decode("cp037") == "BOB     ALICE   "
    assert int.from_bytes(descriptor[16:18], "big") == 1
    assert descriptor[32:48].decode("cp037") == "TAGGED  FILE    "
    assert int.from_bytes(descriptor[24:28], "big") == 2
    assert diagnose(system, "BOB", 0x3000, 0x00C, 0x8).psw.cc == 1  # no more punch files
    assert diagnose(system, "BOB", 0x3000, 0x00C, 0x4).psw.cc == 2  # no printer files at all
    machine = diagnose(system, "BOB", 0x3100, 0, 0xFFF)  # Ry: spoolid 0, the first file
    assert machine.psw.cc == 0
    assert text(system.cp.read("BOB", 0x3100 + 104, 80)) == "TAG RECORD"
    assert diagnose(system, "BOB", 0x3100, 1, 0xFFF).psw.cc == 1  # no file after 0001
    assert diagnose(system, "BOB", 0x3100, 42, 0xFFF).psw.cc == 2  # no file 0042


def test_diagnose_14_selects_restarts_and_refuses_bad_requests(system):
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    for name in ("FIRST", "SECOND"):
        system.punch_deck("ALICE", [name])
        system.command("ALICE", "CLOSE PUNCH")
    assert diagnose(system, "BOB", 2, 0x00C, 0xC).psw.cc == 0  # select file 0002
    diagnose(system, "BOB", 0x4000, 0x00C, 0x0)
    assert text(unpack_records(system.cp.read("BOB", 0x4000, BLOCK_SIZE))[1][0]) == "SECOND"
    assert diagnose(system, "BOB", 0x5000, 0x00C, 0x14).psw.cc == 0  # restart
    assert system.cp.read("BOB", 0x5000, 64) == system.cp.read("BOB", 0x4000, 64)
    assert diagnose(system, "BOB", 9, 0x00C, 0xC).psw.cc == 2  # no such spoolid
    machine = diagnose(system, "BOB", 0x4000, 0x123, 0x0)
    assert (machine.psw.cc, machine.gpr[5]) == (3, 4)  # no device there
    machine = diagnose(system, "BOB", 0x4000, 0x00D, 0x0)
    assert (machine.psw.cc, machine.gpr[5]) == (3, 8)  # not a reader
    for subcode in (0x2, 0x40):
        with pytest.raises(ProgramInterrupt) as raised:
            diagnose(system, "BOB", 0x4000, 0x00C, subcode)
        assert raised.value.code == SPECIFICATION
    with pytest.raises(ProgramInterrupt):
        diagnose(system, "BOB", 0x4001, 0x00C, 0x0)  # a buffer not on a page boundary


def test_a_guest_reads_its_reader_with_diagnose_14():
    system = SpoolSystem()
    supervisor = Supervisor(system.cp)
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["VIA DIAGNOSE"])
    system.command("ALICE", "CLOSE PUNCH")
    # DIAG 2,4,X'14' twice: cc 0 and the block, then cc 1 (the end of the file);
    # SVC 9 or SVC 8 if a condition code is not the one expected, else SVC 1.
    program = "8324 0014 4780 0210 0A09 0000 0000 0000 8324 0014 4740 021C 0A08 0000 0A01"
    bob = system.cp.virtual_machine("BOB")
    bob.gpr[2], bob.gpr[4], bob.gpr[5] = 0x4000, 0x00C, 0
    guest(system.cp, "BOB", program, {})
    supervisor.run(20_000)
    assert bob.state is RunState.DISABLED_WAIT
    old_svc = system.cp.read("BOB", 0x20, 8)
    assert old_svc[3] == 1  # SVC 1: both DIAGNOSEs ended as expected
    block = system.cp.read("BOB", 0x4000, BLOCK_SIZE)
    assert text(unpack_records(block)[1][0]) == "VIA DIAGNOSE"


def test_a_guest_finds_an_empty_reader_not_ready():
    system = SpoolSystem()
    supervisor = Supervisor(system.cp)
    bob = guest(
        system.cp,
        "BOB",
        "9C00 000C 0A01",  # SIO X'00C'; SVC 1
        {0x48: "00000300", 0x300: "02000500 00000050"},
    )
    supervisor.run(20_000)
    assert bob.state is RunState.DISABLED_WAIT
    csw = system.cp.read("BOB", 0x40, 8)
    assert csw[4] & 0x02  # unit check: intervention required, as a real reader with no cards


def test_query_virtual_lines_for_spooled_devices(system):
    from vm370.cp.commands.spool import virtual_device_lines

    assert system.command("ALICE", "SPOOL PUNCH TO BOB COPY 3 HOLD") == (0, [])
    assert system.command("ALICE", "SPOOL READER CLASS * CONT") == (0, [])
    assert virtual_device_lines(system.spool.device("ALICE", 0x00C)) == [
        "RDR  00C CL *    CONT NOHOLD NOEOF    READY"
    ]
    assert virtual_device_lines(system.spool.device("ALICE", 0x00D)) == [
        "PUN  00D CL A  NOCONT   HOLD COPY 03    READY",
        "         TO  BOB      DIST ALICE",
    ]
    assert virtual_device_lines(system.spool.device("ALICE", 0x00E))[1] == (
        "         FOR ALICE    DIST ALICE     FLASHC 00"
    )


def test_a_huge_print_record_is_cut_to_a_printer_line(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    system = SpoolSystem(pack)
    printer = system.device("ALICE", 0x00E)
    system.spool.spool_record(printer, bytes((0x09,)) + b"\xc1" * 60_000)
    system.command("ALICE", "SPOOL PRINTER HOLD")
    system.command("ALICE", "CLOSE PRINTER")
    assert [len(r) for r in system.spool.files[0].records] == [256]
    system.machine.channels.devices[SPOOL_PACK].close()
    assert [len(r) for r in SpoolSystem(pack).spool.files[0].records] == [256]


def test_a_file_the_real_printer_cannot_print_is_held_by_the_system():
    system = SpoolSystem(real_output=True)
    printer = system.device("ALICE", 0x00E)
    # Write, then skip to channel 5: no hole in the carriage tape there (intervention).
    system.spool.spool_record(printer, bytes((0x89 + 8 * 4,)) + "RUNAWAY".encode("cp037"))
    system.command("ALICE", "CLOSE PRINTER")
    assert system.command("ALICE", "QUERY PRINTER")[1][1].endswith("SYS")
    assert any("not output" in line for line in system.cp.log)
    system.print_lines("ALICE", ["NEXT FILE"])
    system.command("ALICE", "CLOSE PRINTER")
    assert "NEXT FILE" in system.printer.text()  # the held file does not block the queue


class Killed(Exception):
    """The process dies before a write reaches the pack."""


def spool_state(system: SpoolSystem) -> list[tuple[int, str, list[bytes]]]:
    return [(f.spoolid, f.owner, f.records) for f in system.spool.files]


def test_a_process_killed_at_any_write_leaves_a_consistent_spool(tmp_path):
    def work(system: SpoolSystem, states: list) -> None:
        system.command("ALICE", "SPOOL PUNCH TO BOB")
        for deck in (["A1", "A2"], [f"B{n}" for n in range(70)], ["C1"]):
            system.punch_deck("ALICE", deck)
            system.command("ALICE", "CLOSE PUNCH")
            states.append(spool_state(system))
        system.command("BOB", "PURGE READER 1")
        states.append(spool_state(system))
        system.command("BOB", "TRANSFER READER 2 TO CAROL")
        states.append(spool_state(system))

    # A run that is not killed: the states a reader of the pack may find.
    pack = create_image(tmp_path / "whole.2314", "2314", 4)
    system = SpoolSystem(pack)
    states = [spool_state(system)]
    total = system.spool.area.writes
    work(system, states)
    total = system.spool.area.writes - total
    assert total > 10
    for kill_at in range(total):
        pack = create_image(tmp_path / f"killed{kill_at}.2314", "2314", 4)
        system = SpoolSystem(pack)
        area = system.spool.area
        real_write = area._write
        left = [kill_at]

        def dying_write(slot, block, real_write=real_write, left=left):
            if left[0] == 0:
                raise Killed
            left[0] -= 1
            real_write(slot, block)

        area._write = dying_write
        with pytest.raises(Killed):
            work(system, [])
        system.machine.channels.devices[SPOOL_PACK].close()
        after = SpoolSystem(pack)
        assert spool_state(after) in states, f"killed before write {kill_at}"
        after.machine.channels.devices[SPOOL_PACK].close()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=256), min_size=1, max_size=300))
def test_the_running_block_count_agrees_with_the_packing(lengths):
    blocks = fill = 0
    for length in lengths:
        blocks, fill = blocks_after(blocks, fill, length)
    assert blocks == len(pack_records([bytes(length) for length in lengths], 1))


def test_a_full_spool_area_closes_the_file_and_refuses_more(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 2)
    system = SpoolSystem(users=("ALICE", "BOB"))
    system.machine.attach(SPOOL_PACK, create_device("2314", str(pack)))
    system.spool.attach_area(SPOOL_PACK, 1, 1)  # 20 tracks: the anchor and 19 blocks
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    punch = system.device("ALICE", 0x00D)
    taken = 0
    while system.spool.spool_record(punch, ebcdic_card(f"CARD {taken:05d}")):
        taken += 1
    assert 800 < taken < 19 * 50
    assert ("ALICE", "DMKVSP427I PUN 00D SYSTEM SPOOL SPACE FULL; FILE CLOSED") in system.messages
    assert ("ALICE", "PUN FILE 0001  TO  BOB      COPY 01 NOHOLD") in system.messages
    assert system.spool.spool_record(punch, ebcdic_card("NO ROOM")) is False
    system.machine.channels.devices[SPOOL_PACK].close()

    again = SpoolSystem(users=("ALICE", "BOB"))
    again.machine.attach(SPOOL_PACK, create_device("2314", str(pack)))
    again.spool.attach_area(SPOOL_PACK, 1, 1)
    cards = again.read_all("BOB")
    assert cards == [f"CARD {n:05d}" for n in range(taken)] + [False]  # read, so purged
    assert again.spool.spool_record(again.device("ALICE", 0x00D), ebcdic_card("ROOM")) is True


def test_a_failing_spool_pack_is_a_one_line_error(tmp_path):
    from vm370.cp.spool_area import SpoolAreaError

    system = SpoolSystem(create_image(tmp_path / "spool.2314", "2314", 4))
    system.command("ALICE", "SPOOL PUNCH TO BOB")
    system.punch_deck("ALICE", ["X"])
    system.command("ALICE", "CLOSE PUNCH")

    def broken(slot, block):
        raise SpoolAreaError(f"spool I/O on slot {slot} failed: CSW 0000000002000000")

    system.spool.area._write = broken
    code, lines = system.command("BOB", "PURGE READER 1")
    assert code != 0 and len(lines) == 1
    assert lines[0].startswith("SPOOL I/O ERROR - spool I/O on slot ")
    system.punch_deck("ALICE", ["Y"])
    system.spool.logoff("ALICE")  # the close fails: CP's log says so, LOGOFF goes on
    assert any("00D not closed" in line for line in system.cp.log)


PRINTING_GUEST = """\
PRINTIT  START X'200'
BEGIN    BALR  12,0
         USING *,12
         MVC   72(4,0),CAW         THE CAW AT LOCATION 72
RETRY    SIO   X'00E'
         BC    4,RETRY             A PENDING STATUS WAS STORED: AGAIN
WAIT     TIO   X'00E'
         BC    2,WAIT              BUSY: THE PROGRAM RUNS
         SVC   1
CAW      DC    A(CCWS)
         DS    0D
CCWS     CCW   X'09',LINE1,X'40',L'LINE1
         CCW   X'09',LINE2,X'40',L'LINE2
         CCW   X'11',LINE3,0,L'LINE3
LINE1    DC    C'ASSEMBLED GUEST LINE ONE'
LINE2    DC    C'ASSEMBLED GUEST LINE TWO'
LINE3    DC    C'THE END'
         END   BEGIN
"""


def test_an_assembled_guest_prints_on_the_real_printer_through_the_spool():
    from assembler import assemble
    from assembler.loader import load

    result = assemble(PRINTING_GUEST, deck_name="PRINTIT")
    assert result.return_code == 0, result.diagnostics
    image = bytearray(64 * 1024)
    load([(result.object_deck, 0x200)], image)
    system = SpoolSystem(real_output=True)
    supervisor = Supervisor(system.cp)
    alice = guest(system.cp, "ALICE", image[0x200:0x300].hex(), {})
    supervisor.run(50_000)
    assert alice.state is RunState.DISABLED_WAIT
    assert system.cp.read("ALICE", 0x20, 4)[3] == 1  # ended by its SVC 1
    assert "ASSEMBLED GUEST" not in system.printer.text()  # still in the open spool file
    system.command("ALICE", "CLOSE PRINTER")
    printed = system.printer.text()
    body = printed[printed.index("ASSEMBLED GUEST LINE ONE") :].splitlines()
    assert body[:2] == ["ASSEMBLED GUEST LINE ONE", "ASSEMBLED GUEST LINE TWO"]
    assert "THE END" in printed


def test_files_made_before_the_area_is_attached_join_the_pack_with_new_spoolids(tmp_path):
    pack = create_image(tmp_path / "spool.2314", "2314", 4)
    first = SpoolSystem(pack)
    first.punch_deck("ALICE", ["ON THE PACK"])
    first.command("ALICE", "CLOSE PUNCH")
    first.machine.channels.devices[SPOOL_PACK].close()

    second = SpoolSystem(users=("ALICE", "BOB"))
    second.punch_deck("ALICE", ["IN MEMORY"])
    second.command("ALICE", "CLOSE PUNCH")  # spoolid 1 here too
    second.punch_deck("ALICE", ["STILL OPEN"])
    second.machine.attach(SPOOL_PACK, create_device("2314", str(pack)))
    assert second.spool.attach_area(SPOOL_PACK, 1, 2) == 1
    second.command("ALICE", "CLOSE PUNCH")
    files = {f.spoolid: text(f.records[0]) for f in second.spool.files}
    assert len(files) == 3 and files[1] == "ON THE PACK"
    assert sorted(files.values()) == ["IN MEMORY", "ON THE PACK", "STILL OPEN"]
    second.machine.channels.devices[SPOOL_PACK].close()
    third = SpoolSystem(pack, users=())
    assert {f.spoolid: text(f.records[0]) for f in third.spool.files} == files


def test_block_letters_draw_each_letter_with_itself():
    import datetime

    from vm370.cp import separator

    rows = separator.block_letters("HI")
    assert len(rows) == 7
    assert rows[0] == "HH      HH    IIIIII"
    assert rows[3] == "HHHHHHHHHH      II"
    assert separator.block_letters("?")[0] == "??????????"  # no glyph: a box
    page = separator.separator_page(
        "ALICE", 5, "PROFILE", "EXEC", "A", "", datetime.datetime(1972, 8, 2, 9, 30)
    )
    ident = "USERID ALICE     SPOOLID 0005  FILE PROFILE  EXEC      CLASS A  DIST ALICE     "
    assert [line for line in page if line.startswith("USERID")] == [ident + "08/02/72 09:30:00"] * 2
    assert all(len(line) <= separator.LINE_WIDTH for line in page)

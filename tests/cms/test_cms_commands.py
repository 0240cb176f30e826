"""CMS file commands against disks written by the host tools (cms.filesystem)."""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from cms.modules import command_sources
from vm370.hardware.devices.ckd_image import create_image


@pytest.fixture
def user_disk(tmp_path):
    """A 3-cylinder 2314 formatted USR191 with HELLO ASSEMBLE (F 80) and NOTES MEMO (V)."""
    path = create_image(tmp_path / "user.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        source = "HELLO    CSECT\n         BR    14\n         END\n"
        disk.write("HELLO", "ASSEMBLE", text_to_records(source), "F", 80)
        notes = "first line\nsecond line of the notes\n"
        disk.write("NOTES", "MEMO", text_to_records(notes, "V", None), "V")
    return path


def test_191_is_accessed_as_a_at_ipl_and_listed(run_cms, user_disk):
    run = run_cms(["listfile"], disks={0x191: user_disk})
    assert run.after("listfile") == ["HELLO    ASSEMBLE A1", "NOTES    MEMO     A1", "R;"]


def test_listfile_patterns_and_modes(run_cms, user_disk):
    run = run_cms(
        ["listfile n* * *", "listfile * assemble", "listfile * * s"], disks={0x191: user_disk}
    )
    assert run.after("listfile n* * *")[:2] == ["NOTES    MEMO     A1", "R;"]
    assert run.after("listfile * assemble")[:2] == ["HELLO    ASSEMBLE A1", "R;"]
    # the S disk holds the disk-resident commands (EDIT, TXTLIB, ...)
    modules = [f"{source.stem.upper():8} MODULE   S2" for source in command_sources()]
    assert "EDIT     MODULE   S2" in modules
    assert run.after("listfile * * s")[: len(modules) + 1] == [*modules, "R;"]


def test_listfile_date_shows_format_length_records_and_blocks(run_cms, user_disk):
    run = run_cms(["listfile notes memo a (date"], disks={0x191: user_disk})
    line = run.after("listfile notes memo a (date")[0]
    assert line.split()[:6] == ["NOTES", "MEMO", "A1", "V", "24", "2"]
    assert line.split()[6] == "1"


def test_state_finds_a_file_and_names_one_it_cannot(run_cms, user_disk):
    run = run_cms(
        ["state hello assemble", "state hello text", "state hello"], disks={0x191: user_disk}
    )
    assert run.after("state hello assemble")[0] == "R;"
    assert run.after("state hello text")[:2] == [
        "DMSSTT002E FILE 'HELLO TEXT *' NOT FOUND",
        "R(00028);",
    ]
    assert run.after("state hello")[:2] == ["DMSSTT054E INCOMPLETE FILEID SPECIFIED", "R(00024);"]


def test_access_as_another_mode_and_release(run_cms, user_disk):
    typed = ["access 191 b/a", "listfile * * b", "release b", "listfile * * b", "release b"]
    run = run_cms(typed, disks={0x191: user_disk})
    assert run.after("access 191 b/a")[0] == "R;"
    assert run.after("listfile * * b")[:3] == ["HELLO    ASSEMBLE B1", "NOTES    MEMO     B1", "R;"]
    assert run.lines[-5:] == [
        "DMSLST002E FILE NOT FOUND",
        "R(00028);",
        "release b",
        "DMSARE069E DISK B NOT ACCESSED",
        "R(00036);",
    ]


def test_access_errors(run_cms, user_disk, tmp_path):
    blank = create_image(tmp_path / "blank.2314", "2314", 1)
    typed = ["access 192 c", "access 19z c", "access 193 c", "access 191 1"]
    run = run_cms(typed, disks={0x191: user_disk, 0x193: blank})
    assert run.after("access 192 c")[:2] == ["DMSACC113S C(192) NOT ATTACHED", "R(00100);"]
    assert run.after("access 19z c")[:2] == ["DMSACC017E INVALID DEVICE ADDRESS 19Z", "R(00024);"]
    assert run.after("access 193 c")[:2] == ["DMSACC112S C(193) IS NOT A CMS DISK", "R(00100);"]
    assert run.after("access 191 1")[:2] == ["DMSACC048E INVALID MODE 1", "R(00024);"]


@pytest.fixture
def big_disk(tmp_path):
    """A disk with BIG DATA: 1,200 F 80 records in 120 blocks (an Nth chain link)."""
    path = create_image(tmp_path / "big.2314", "2314", 3)
    text = "".join(f"line {number:05d} " + "x" * 60 + "\n" for number in range(1, 1201))
    with opened(path, 0, 3) as device:
        CMSDisk.format(device, "BIG191").write("BIG", "DATA", text_to_records(text), "F", 80)
    return path


def test_type_fixed_and_variable_files(run_cms, user_disk):
    run = run_cms(["type notes memo", "type hello assemble a"], disks={0x191: user_disk})
    assert run.after("type notes memo")[:3] == ["first line", "second line of the notes", "R;"]
    assert run.after("type hello assemble a")[:4] == [
        "HELLO    CSECT",
        "         BR    14",
        "         END",
        "R;",
    ]


def test_type_reads_past_the_first_chain_link(run_cms, big_disk):
    run = run_cms(["type big data"], disks={0x191: big_disk}, max_instructions=20_000_000)
    lines = run.after("type big data")
    assert len(lines) == 1201 and lines[-1] == "R;"
    assert [line[:10] for line in lines[:1200]] == [f"line {n:05d}" for n in range(1, 1201)]


def test_type_of_a_missing_file(run_cms, user_disk):
    run = run_cms(["type nope memo", "type nope"], disks={0x191: user_disk})
    assert run.after("type nope memo")[:2] == [
        "DMSTYP002E FILE 'NOPE MEMO *' NOT FOUND",
        "R(00028);",
    ]
    assert run.after("type nope")[:2] == ["DMSTYP054E INCOMPLETE FILEID SPECIFIED", "R(00024);"]


def test_erase_updates_the_disk_the_host_tools_read(run_cms, user_disk):
    typed = ["erase hello assemble", "erase hello assemble", "erase notes memo s"]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    assert run.lines[1:] == [
        "erase hello assemble",
        "R;",
        "erase hello assemble",
        "DMSERS002E FILE 'HELLO ASSEMBLE A' NOT FOUND",
        "R(00028);",
        "erase notes memo s",
        "DMSERS037E DISK S IS READ/ONLY OR NOT ACCESSED",
        "R(00036);",
    ]
    with opened(user_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert [entry.fileid for entry in disk.files()] == ["NOTES MEMO A1"]
        assert disk.check() == []


def test_copyfile_writes_a_file_the_host_tools_read_back(run_cms, big_disk):
    typed = [
        "copyfile big data a copy data a",
        "copyfile big data a copy data a",
        "copyfile big data a = = a",
        "copyfile big data a copy data a (replace",
        "copyfile big data",
    ]
    run = run_cms(typed, disks={0x191: big_disk}, max_instructions=30_000_000)
    run.close()
    assert run.lines[1:] == [
        "copyfile big data a copy data a",
        "R;",
        "copyfile big data a copy data a",
        "DMSCPY024E FILE 'COPY DATA A' ALREADY EXISTS",
        "R(00028);",
        "copyfile big data a = = a",
        "DMSCPY024E FILE 'BIG DATA A' ALREADY EXISTS",
        "R(00028);",
        "copyfile big data a copy data a (replace",
        "R;",
        "copyfile big data",
        "DMSCPY054E INCOMPLETE FILEID SPECIFIED",
        "R(00024);",
    ]
    with opened(big_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.read("COPY", "DATA") == disk.read("BIG", "DATA")
        assert disk.check() == []
        copy = disk.find("COPY", "DATA")
        assert (copy.recfm, copy.lrecl, copy.records) == ("F", 80, 1200)


def test_copyfile_keeps_variable_records(run_cms, user_disk):
    run = run_cms(["copyfile notes memo a new memo a", "type new memo"], disks={0x191: user_disk})
    assert run.after("type new memo")[:3] == ["first line", "second line of the notes", "R;"]
    run.close()
    with opened(user_disk, 0, 3, read_only=True) as device:
        new = CMSDisk.open(device).find("NEW", "MEMO")
        assert (new.recfm, new.lrecl, new.records) == ("V", 24, 2)


def test_query_search_and_disk(run_cms, user_disk, cms_system):
    run = run_cms(["query search", "query disk *", "query disk c"], disks={0x191: user_disk})
    assert run.after("query search")[:3] == ["USR191 191  A  R/W", "CMS190 190  S  R/O", "R;"]
    run.close()
    with opened(user_disk, 0, 3, read_only=True) as device:
        used = CMSDisk.open(device).blocks_used
    a_line, s_line = run.after("query disk *")[:2]
    assert a_line == (
        f"A (191): 2 FILES; {used} REC IN USE, {420 - used} LEFT (OF 420), "
        f"{used * 100 // 420}% FULL (3 CYL), 2314, R/W"
    )
    with opened(cms_system.pack, 0, 5, read_only=True) as device:
        system_disk = CMSDisk.open(device)
        system_used, system_files = system_disk.blocks_used, len(system_disk.files())
    assert s_line == (
        f"S (190): {system_files} FILES; {system_used} REC IN USE, "
        f"{560 - system_used} LEFT (OF 560), "
        f"{system_used * 100 // 560}% FULL (4 CYL), 2314, R/O"
    )
    assert run.after("query disk c")[:2] == ["DMSQRY069E DISK C NOT ACCESSED", "R(00036);"]


def test_set_and_query_impcp_and_rdymsg(run_cms):
    typed = ["query impcp", "set impcp off", "query impcp", "set rdymsg smsg", "query rdymsg"]
    run = run_cms([*typed, "set rdymsg xx", "query", "set foo"])
    assert run.after("query impcp")[0] == "IMPCP = ON"
    assert run.lines[run.lines.index("set impcp off") + 3] == "IMPCP = OFF"
    assert run.after("query rdymsg")[0] == "RDYMSG = SMSG"
    assert run.after("set rdymsg xx")[:2] == ["DMSSET070E INVALID PARAMETER XX", "R(00024);"]
    assert run.after("query")[:2] == ["DMSQRY047E NO FUNCTION SPECIFIED", "R(00024);"]
    assert run.after("set foo")[:2] == ["DMSSET014E INVALID FUNCTION FOO", "R(00024);"]


def test_rename_keeps_the_blocks_and_changes_the_name(run_cms, user_disk):
    typed = [
        "rename notes memo a old notes a",
        "type old notes",
        "rename hello assemble a old notes a",
        "rename nope memo a x y a",
        "rename old notes a = memo s",
        "rename old notes",
    ]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    assert run.after("rename notes memo a old notes a")[0] == "R;"
    assert run.after("type old notes")[:2] == ["first line", "second line of the notes"]
    assert run.after("rename hello assemble a old notes a")[:2] == [
        "DMSRNM024E FILE 'OLD NOTES A' ALREADY EXISTS",
        "R(00028);",
    ]
    assert run.after("rename nope memo a x y a")[:2] == [
        "DMSRNM002E FILE 'NOPE MEMO A' NOT FOUND",
        "R(00028);",
    ]
    assert run.after("rename old notes a = memo s")[0].startswith("DMSRNM037E DISK S")
    assert run.after("rename old notes")[0] == "DMSRNM054E INCOMPLETE FILEID SPECIFIED"
    with opened(user_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert sorted(entry.fileid for entry in disk.files()) == [
            "HELLO ASSEMBLE A1",
            "OLD NOTES A1",
        ]
        assert disk.check() == []


def test_format_makes_an_empty_cms_disk_the_host_tools_open(run_cms, tmp_path):
    blank = create_image(tmp_path / "blank.2314", "2314", 3)
    typed = ["format 192 b", "yes", "mydisk", "copyfile * * s x y b", "query disk b"]
    run = run_cms([*typed, "format 192 b", "no"], disks={0x192: blank})
    run.close()
    assert run.after("mydisk")[:3] == [
        "DMSFOR733I FORMATTING DISK B",
        "DMSFOR732I 3 CYLINDERS FORMATTED ON B(192)",
        "R;",
    ]
    with opened(blank, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        copied = [(f.filename, f.filetype) for f in disk.files()]
        used = disk.blocks_used
        assert (disk.label, disk.cylinders, copied, disk.check()) == ("MYDISK", 3, [("X", "Y")], [])
    # the S disk holds one file, EDIT MODULE
    assert run.after("query disk b")[0] == (
        f"B (192): 1 FILES; {used} REC IN USE, {420 - used} LEFT (OF 420), "
        f"{used * 100 // 420}% FULL (3 CYL), 2314, R/W"
    )
    assert run.after("no")[:2] == ["DMSFOR705I DISK REMAINS UNCHANGED", "R;"]


def test_format_of_part_of_a_2311_then_a_file_written_on_it(tmp_path, cms_system):
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2311, Dasd2314
    from vm370.hardware.machine import Machine

    pack = create_image(tmp_path / "work.2311", "2311", 4)
    system = tmp_path / "system.2314"
    system.write_bytes(cms_system.pack.read_bytes())
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    for line in ["format 193 c 2", "yes", "wrk193"]:
        console.type_line(line)
    devices = [Dasd2314(system), Dasd2311(pack)]
    machine.attach(0x009, console)
    machine.attach(0x190, devices[0])
    machine.attach(0x193, devices[1])
    try:
        machine.ipl(0x190)
        machine.run(5_000_000)
    finally:
        for device in devices:
            device.close()
    lines = "".join(console.transcript).splitlines()
    assert "DMSFOR732I 2 CYLINDERS FORMATTED ON C(193)" in lines
    with opened(pack, 0, 4, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert (disk.label, disk.cylinders, disk.total_blocks) == ("WRK193", 2, 80)


def test_print_punch_and_readcard(run_cms, user_disk, tmp_path):
    from vm370.hardware.devices.card2540 import CardPunch2540, CardReader2540
    from vm370.hardware.devices.codepage import to_ebcdic
    from vm370.hardware.devices.printer1403 import Printer1403

    printed, punched = tmp_path / "printer.txt", tmp_path / "punch.txt"
    reader = CardReader2540()
    reader.load_cards([to_ebcdic(text).ljust(80, b"\x40") for text in ("CARD ONE", "CARD TWO")])
    typed = ["print notes memo", "punch hello assemble", "readcard deck data", "type deck data"]
    run = run_cms(
        typed,
        disks={0x191: user_disk},
        devices={
            0x00C: reader,
            0x00D: CardPunch2540(punched),
            0x00E: Printer1403(printed),
        },
    )
    assert run.after("print notes memo")[0] == "R;"
    assert run.after("punch hello assemble")[0] == "R;"
    assert run.after("type deck data") == ["CARD ONE", "CARD TWO", "R;"]
    run.close()
    assert printed.read_text().splitlines() == ["first line", "second line of the notes"]
    assert [line.rstrip() for line in punched.read_text().splitlines()] == [
        "HELLO    CSECT",
        "         BR    14",
        "         END",
    ]


def test_a_command_missing_its_operands_says_so_without_junk(run_cms):
    run = run_cms(["access", "format", "rename a"])
    assert run.after("access")[0] == "DMSACC017E INVALID DEVICE ADDRESS"
    assert run.after("format")[0] == "DMSFOR017E INVALID DEVICE ADDRESS"
    assert run.after("rename a")[0] == "DMSRNM054E INCOMPLETE FILEID SPECIFIED"


def test_listfile_header_and_label(run_cms, user_disk):
    run = run_cms(["listfile * * a (header label date"], disks={0x191: user_disk})
    header, first = run.after("listfile * * a (header label date")[:2]
    assert header.split() == [
        "FILENAME", "FILETYPE", "FM", "F", "LRECL", "RECS", "BLOCK", "DATE", "TIME", "LABEL",
    ]  # fmt: skip
    assert first.startswith("HELLO    ASSEMBLE A1 F    80     3     1 ")
    assert first.endswith(" USR191")


def test_erase_with_a_pattern_removes_every_match(run_cms, big_disk):
    typed = ["copyfile big data a one data a", "copyfile big data a two text a", "erase * data"]
    run = run_cms(
        [*typed, "listfile * * a", "erase * data"],
        disks={0x191: big_disk},
        max_instructions=40_000_000,
    )
    assert run.after("listfile * * a")[:2] == ["TWO      TEXT     A1", "R;"]
    assert run.lines[-2:] == ["DMSERS002E FILE '* DATA A' NOT FOUND", "R(00028);"]
    run.close()
    with opened(big_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert [entry.fileid for entry in disk.files()] == ["TWO TEXT A1"]
        assert disk.check() == []


def test_in_128k_cms_runs_and_says_when_it_needs_the_user_area(run_cms, user_disk):
    typed = ["listfile", "copyfile notes memo a new memo a", "query search"]
    run = run_cms(typed, disks={0x191: user_disk}, storage=128 * 1024)
    assert run.lines[1:4] == ["listfile", "HELLO    ASSEMBLE A1", "NOTES    MEMO     A1"]
    assert run.after("copyfile notes memo a new memo a")[:2] == [
        "DMSCPY109S VIRTUAL STORAGE CAPACITY EXCEEDED",
        "R(00104);",
    ]
    assert run.after("query search")[-1] == "R;"

"""CMS EDIT in line mode, driven as a user types it on the console.

Each test IPLs CMS on the bare machine with a user disk at 191 (files put
there by the host tools), types EDIT and its subcommands, and checks what
the console printed and, after FILE or SAVE, the file the host tools read
back.
"""

from __future__ import annotations

import pytest
from cms_disks import opened
from cp_system import DIRECTORY, answer, boot, logged_on, make_folder

from cms.build import build_system_disk
from cms.filesystem import CMSDisk, text_to_records
from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage, create_image
from vm370.terminal.scripted import run_until

PROGRAM = [
    "HELLO    CSECT",
    "         USING *,15",
    "         WRTERM 'HELLO'",
    "         SR    15,15",
    "         BR    14",
    "         END",
]
NOTES = ["first line", "second line of the notes", "third line", "fourth and last"]


@pytest.fixture
def user_disk(tmp_path):
    """A 2314 USR191 with HELLO ASSEMBLE (F 80) and NOTES MEMO (V)."""
    path = create_image(tmp_path / "user.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        disk.write("HELLO", "ASSEMBLE", text_to_records("\n".join(PROGRAM) + "\n"), "F", 80)
        disk.write("NOTES", "MEMO", text_to_records("\n".join(NOTES) + "\n", "V", None), "V")
    return path


def read_back(path, fileid):
    with opened(path, 0, 3) as device:
        disk = CMSDisk.open(device)
        entry = next(
            f for f in disk.files() if (f.filename, f.filetype) == tuple(fileid.split()[:2])
        )
        return entry, disk.get(fileid).decode().splitlines()


def edit(run_cms, disk, typed, **kwargs):
    run = run_cms(typed, disks={0x191: disk}, **kwargs)
    run.close()
    return run


def between(run, first, last):
    """The lines printed after the echo of ``first`` up to the echo of ``last``."""
    start = run.lines.index(first)
    end = run.lines.index(last, start + 1)
    return run.lines[start + 1 : end]


def test_a_new_file_starts_in_input_mode_and_file_writes_it(run_cms, user_disk):
    typed = ["edit new data", "alpha", "Beta gamma", "", "file", "type new data"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "edit new data", "alpha") == ["NEW FILE:", "INPUT:"]
    assert between(run, "", "file") == ["EDIT:"]
    assert between(run, "file", "type new data") == ["R;"]
    assert run.after("type new data")[:3] == ["ALPHA", "BETA GAMMA", "R;"]
    entry, lines = read_back(user_disk, "NEW DATA")
    assert (entry.recfm, entry.lrecl, entry.records) == ("F", 80, 2)
    assert lines == ["ALPHA", "BETA GAMMA"]


def test_an_existing_file_types_edit_and_the_pointer_moves(run_cms, user_disk):
    typed = ["edit notes memo", "next", "down 2", "up", "bottom", "next", "top", "type *", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "edit notes memo", "next") == ["EDIT:"]
    assert between(run, "next", "down 2") == ["first line"]
    assert between(run, "down 2", "up") == ["third line"]
    assert between(run, "up", "bottom") == ["second line of the notes"]
    assert between(run, "bottom", "next") == ["fourth and last"]
    assert between(run, "top", "type *") == ["TOF:"]
    assert between(run, "type *", "qquit") == ["TOF:", *NOTES, "EOF:"]
    assert run.after("qquit")[0] == "R;"


def test_forward_and_backward_and_abbreviations(run_cms, user_disk):
    typed = ["edit notes memo", "fo 3", "ba 2", "n", "u 9", "t", "qq"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "fo 3", "ba 2") == ["third line"]
    assert between(run, "ba 2", "n") == ["first line"]
    assert between(run, "n", "u 9") == ["second line of the notes"]
    assert between(run, "u 9", "t") == ["TOF:"]


def test_locate_and_find(run_cms, user_disk):
    typed = [
        "edit notes memo",
        "locate /line/",
        "l /line/",
        "/and/",
        "top",
        "find third",
        "top",
        "find s  ond",
        "l /nowhere/",
        "qquit",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "locate /line/", "l /line/") == ["first line"]
    assert between(run, "l /line/", "/and/") == ["second line of the notes"]
    assert between(run, "/and/", "top") == ["fourth and last"]
    assert between(run, "find third", "top") == ["third line"]
    assert between(run, "find s  ond", "l /nowhere/") == ["second line of the notes"]
    assert between(run, "l /nowhere/", "qquit") == ["NOT FOUND", "EOF:"]


def test_change_first_global_and_over_lines(run_cms, user_disk):
    typed = [
        "edit notes memo",
        "next",
        "change /line/LINE/",
        "next",
        "c/e/E/ 1 g",
        "top",
        "next",
        "c /LINE/row/ * *",
        "top",
        "next",
        "c/zzz/y/",
        "file",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "change /line/LINE/", "next") == ["first LINE"]
    assert between(run, "c/e/E/ 1 g", "top") == ["sEcond linE of thE notEs"]
    assert between(run, "c /LINE/row/ * *", "top") == ["first row", "EOF:"]
    assert between(run, "c/zzz/y/", "file") == ["NOT FOUND"]
    _, lines = read_back(user_disk, "NOTES MEMO")
    assert lines == ["first row", "sEcond linE of thE notEs", "third line", "fourth and last"]


def test_change_that_passes_the_truncation_column_is_cut(run_cms, user_disk):
    typed = ["edit notes memo", "trunc 12", "next", "c /first/a much longer/", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "c /first/a much longer/", "qquit") == ["TRUNCATED", "a much longe"]


def test_delete_input_replace_and_insert(run_cms, user_disk):
    typed = [
        "edit notes memo",
        "next 2",
        "delete",
        "type",
        "delete 9",
        "top",
        "input new first",
        "next",
        "replace REPLACED",
        "insert after it",
        "type *",
        "file",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "type", "delete 9") == ["first line"]
    assert between(run, "delete 9", "top") == ["EOF:"]
    _, lines = read_back(user_disk, "NOTES MEMO")
    assert lines == ["new first", "REPLACED", "after it"]


def test_replace_alone_enters_input_mode(run_cms, user_disk):
    typed = ["edit notes memo", "next", "replace", "one", "two", "", "top", "type 4", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "replace", "one") == ["INPUT:"]
    assert between(run, "type 4", "qquit") == ["TOF:", "one", "two", "second line of the notes"]


def test_a_null_line_switches_between_edit_and_input_mode(run_cms, user_disk):
    typed = ["edit notes memo", "bottom", "", "added", "", "type", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "bottom", "") == ["fourth and last"]
    assert run.lines[run.lines.index("added") - 2 : run.lines.index("added")] == ["", "INPUT:"]
    assert between(run, "type", "qquit") == ["added"]


def test_case_mixed_and_upper(run_cms, user_disk):
    typed = [
        "edit some data",
        "Mixed One",
        "",
        "case m",
        "input Mixed Two",
        "type 1",
        "case x",
        "file",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "type 1", "case x") == ["Mixed Two"]
    assert between(run, "case x", "file") == ["?EDIT: case x"]
    _, lines = read_back(user_disk, "SOME DATA")
    assert lines == ["MIXED ONE", "Mixed Two"]


def test_memo_files_keep_mixed_case(run_cms, user_disk):
    run = edit(run_cms, user_disk, ["edit todo memo", "Buy Milk", "", "file"])
    assert run.after("file")[0] == "R;"
    assert read_back(user_disk, "TODO MEMO")[1] == ["Buy Milk"]


def test_zone_limits_locate_and_change(run_cms, user_disk):
    typed = [
        "edit notes memo",
        "zone 8 20",
        "l /line/",
        "top",
        "zone 1 *",
        "l /line/",
        "zone 0 5",
        "zone 9 3",
        "qquit",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "l /line/", "top") == ["second line of the notes"]
    assert between(run, "zone 1 *", "l /line/") == []
    assert run.lines[run.lines.index("l /line/", run.lines.index("zone 1 *")) + 1] == "first line"
    assert between(run, "zone 0 5", "zone 9 3") == ["?EDIT: zone 0 5"]
    assert between(run, "zone 9 3", "qquit") == ["?EDIT: zone 9 3"]


def test_verify_off_and_columns(run_cms, user_disk):
    typed = ["edit notes memo", "verify off", "next", "verify on 3 7", "next", "v", "t", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "next", "verify on 3 7") == []
    assert between(run, "verify on 3 7", "v") == ["next", "cond"]
    assert between(run, "t", "qquit") == ["cond"]


def test_tabs_of_an_assemble_file_and_tabset(run_cms, user_disk):
    typed = [
        "edit tabbed assemble",
        "LABEL\tLR\t1,2",
        "",
        "tabset 1 5 20",
        "input A\tB\tC",
        "tabset 5 3",
        "file",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "tabset 5 3", "file") == ["?EDIT: TABSET 5 3"]
    _, lines = read_back(user_disk, "TABBED ASSEMBLE")
    assert lines[0][:72].rstrip() == "LABEL    LR    1,2"
    assert lines[1][:72].rstrip() == "A   B              C"


def test_assemble_files_are_serialized_and_truncated_at_71(run_cms, user_disk):
    long = "X" * 75
    typed = ["edit ser assemble", "ONE", long, "", "file"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, long, "") == ["TRUNCATED"]
    entry, lines = read_back(user_disk, "SER ASSEMBLE")
    assert lines == ["ONE" + " " * 69 + "SER00010", "X" * 71 + " SER00020"]


def test_serial_off_all_and_increment(run_cms, user_disk):
    typed = [
        "edit hello assemble",
        "serial all 5",
        "save",
        "serial off",
        "save ser2 assemble",
        "serial on",
        "file hello copy a",
    ]
    edit(run_cms, user_disk, typed)
    _, lines = read_back(user_disk, "HELLO ASSEMBLE")
    assert [line[72:] for line in lines[:3]] == ["00000005", "00000010", "00000015"]
    _, copy = read_back(user_disk, "HELLO COPY")
    assert [line[72:] for line in copy[:2]] == ["HEL00010", "HEL00020"]


def test_serial_needs_fixed_80(run_cms, user_disk):
    run = edit(run_cms, user_disk, ["edit notes memo", "serial on", "qquit"])
    assert between(run, "serial on", "qquit") == ["WRONG FILE FORMAT FOR SERIALIZATION"]


def test_variable_records_are_written_without_trailing_blanks(run_cms, user_disk):
    typed = ["edit notes memo", "bottom", "input short   ", "file"]
    edit(run_cms, user_disk, typed)
    entry, lines = read_back(user_disk, "NOTES MEMO")
    assert entry.recfm == "V" and entry.records == 5
    assert lines[-1] == "short"
    assert entry.lrecl == len("second line of the notes")


def test_an_exec_file_is_variable(run_cms, user_disk):
    edit(run_cms, user_disk, ["edit go exec", "&TYPE HI", "", "file"])
    entry, lines = read_back(user_disk, "GO EXEC")
    assert (entry.recfm, lines) == ("V", ["&TYPE HI"])


def test_save_keeps_editing_and_file_with_another_name(run_cms, user_disk):
    typed = [
        "edit notes memo",
        "next",
        "c/first/1st/",
        "save",
        "c/1st/one/",
        "file other memo",
        "type notes memo",
        "type other memo",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "save", "c/1st/one/") == []
    assert run.after("type notes memo")[0] == "1st line"
    assert run.after("type other memo")[0] == "one line"


def test_quit_refuses_to_lose_changes_and_qquit_quits(run_cms, user_disk):
    typed = ["edit notes memo", "quit", "delete", "quit", "qquit", "type notes memo"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "quit", "delete") == ["R;"]
    assert run.lines.count("edit notes memo") == 1
    typed = ["edit notes memo", "next", "delete", "quit", "qquit", "type notes memo"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "quit", "qquit") == [
        "DMSEDI950W FILE 'NOTES MEMO A1' HAS BEEN CHANGED; USE FILE, SAVE OR QQUIT"
    ]
    assert run.after("type notes memo")[0] == "first line"


def test_repeat_and_recall(run_cms, user_disk):
    typed = ["edit notes memo", "next", "=", "=", "?", "qquit"]
    run = edit(run_cms, user_disk, typed)
    lines = run.after("edit notes memo")
    assert lines[:8] == [
        "EDIT:",
        "next",
        "first line",
        "=",
        "second line of the notes",
        "=",
        "third line",
        "?",
    ]
    assert lines[8] == "next"


def test_invalid_subcommands(run_cms, user_disk):
    typed = ["edit notes memo", "frobnicate", "next x", "delete 0", "type 1 2", "trunc", "qquit"]
    run = edit(run_cms, user_disk, typed)
    for line in typed[1:-1]:
        assert run.lines[run.lines.index(line) + 1] == f"?EDIT: {line}"


def test_format_needs_a_display_console(run_cms, user_disk):
    """FORMAT DISPLAY and FORMAT LINE are refused on a typewriter console (the 1052)."""
    typed = ["edit notes memo", "format display", "format line", "next", "qquit"]
    run = edit(run_cms, user_disk, typed)
    for line in typed[1:3]:
        assert run.lines[run.lines.index(line) + 1] == f"?EDIT: {line}"
    assert run.lines[run.lines.index("next") + 1] == NOTES[0]


def test_edit_without_a_filetype(run_cms, user_disk):
    run = edit(run_cms, user_disk, ["edit notes"])
    assert run.after("edit notes")[:2] == ["DMSEDI054E INCOMPLETE FILEID SPECIFIED", "R(00024);"]


def test_filing_on_the_read_only_system_disk_is_refused_and_the_lines_kept(run_cms, user_disk):
    typed = ["edit mine data s", "kept", "", "file", "file mine data a", "type mine data"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "file", "file mine data a") == ["DMSEDI037E DISK 'S' IS READ/ONLY"]
    assert run.after("type mine data")[0] == "KEPT"


def test_a_file_larger_than_storage_is_refused(run_cms, tmp_path):
    path = create_image(tmp_path / "big.2314", "2314", 10)
    text = "".join(f"RECORD {n:05}\n" for n in range(2000))
    with opened(path, 0, 10) as device:
        CMSDisk.format(device, "BIG191").write("BIG", "DATA", text_to_records(text), "F", 80)
    run = run_cms(
        ["edit big data", "listfile big data"], disks={0x191: path}, max_instructions=20_000_000
    )
    assert run.after("edit big data")[:2] == [
        "DMSEDI132S FILE 'BIG DATA A1' TOO LARGE",
        "R(00088);",
    ]


def test_input_when_storage_fills_returns_to_edit_mode(run_cms, user_disk):
    typed = ["edit fill data", *[f"line {n}" for n in range(1500)], "", "qquit"]
    run = edit(run_cms, user_disk, typed, max_instructions=40_000_000)
    assert "AVAILABLE STORAGE IS NOW FULL" in run.lines
    full = run.lines.index("AVAILABLE STORAGE IS NOW FULL")
    assert run.lines[full + 1] == "EDIT:"


CP_DIRECTORY = DIRECTORY.replace(
    "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 11 8 USERS MR ALL\n")


def test_edit_under_cp_from_a_3270(tmp_path, cms_system):
    """Log on, IPL 190, EDIT a new file, type it in, FILE it, TYPE it; the host reads it."""
    root = make_folder(tmp_path, directory=CP_DIRECTORY)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, cms_system.nucleus)
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
    finally:
        image.close()
    system = boot(root)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    screen = answer(system, terminal, "EDIT HELLO ASSEMBLE", "INPUT:")
    assert "NEW FILE:" in screen
    for line in PROGRAM:
        answer(system, terminal, line, line.upper())
    answer(system, terminal, "", "EDIT:")
    screen = answer(system, terminal, "TOP", "TOF:")
    screen = answer(system, terminal, "LOCATE /WRTERM/", "WRTERM")
    screen = answer(system, terminal, "FILE", "R;")
    screen = answer(system, terminal, "TYPE HELLO ASSEMBLE", "R;")
    assert "HELLO    CSECT" in screen and "WRTERM 'HELLO'" in screen
    terminal.press("PA1")
    run_until(system, lambda: terminal.status() == "CP READ")
    answer(system, terminal, "LOGOFF", "VM/370 ONLINE")
    system.shutdown()
    image = CKDImage(root / "packs" / "users.ckd", read_only=True)
    try:
        disk = CMSDisk.open(Minidisk(image, 1, 5))
        entry = next(f for f in disk.files() if f.filename == "HELLO")
        text = disk.get("HELLO ASSEMBLE").decode().splitlines()
    finally:
        image.close()
    assert (entry.recfm, entry.lrecl, entry.records) == ("F", 80, len(PROGRAM))
    assert [line[:72].rstrip() for line in text] == PROGRAM
    assert [line[72:] for line in text] == [f"HEL{n:05}" for n in range(10, 70, 10)]


def test_a_full_disk_leaves_the_old_file_and_the_lines(run_cms, tmp_path):
    """FILE writes EDIT CMSUT1 first: when the disk fills, the file is as it was."""
    path = create_image(tmp_path / "small.2314", "2314", 1)
    with opened(path, 0, 1) as device:
        disk = CMSDisk.format(device, "SMALL")
        disk.write("NOTES", "MEMO", text_to_records("\n".join(NOTES) + "\n", "V", None), "V")
        free = 140 - disk.blocks_used
        filler = "".join(f"{n:079}\n" for n in range((free - 6) * 10))
        disk.write("FILLER", "DATA", text_to_records(filler), "F", 80)
    many = [f"added line {n:03} " + "x" * 50 for n in range(100)]
    typed = ["edit notes memo", "bottom", "input", *many, "", "file", "type 1", "qquit"]
    run = run_cms(typed, disks={0x191: path}, max_instructions=40_000_000)
    run.close()
    assert between(run, "file", "type 1") == [
        "DMSEDI105S ERROR '13' WRITING FILE 'NOTES MEMO A1' ON DISK"
    ]
    assert between(run, "type 1", "qquit") == [many[-1]]
    with opened(path, 0, 1, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert sorted((f.filename, f.filetype) for f in disk.files()) == [
            ("FILLER", "DATA"),
            ("NOTES", "MEMO"),
        ]
        assert disk.get("NOTES MEMO").decode().splitlines() == NOTES
        assert disk.check() == []


def test_file_replaces_through_the_work_file(run_cms, user_disk):
    typed = ["edit notes memo", "next", "delete", "file", "listfile * * a"]
    run = edit(run_cms, user_disk, typed)
    assert run.after("listfile * * a")[:3] == ["HELLO    ASSEMBLE A1", "NOTES    MEMO     A1", "R;"]
    assert read_back(user_disk, "NOTES MEMO")[1] == NOTES[1:]


def test_a_work_file_left_behind_is_not_overwritten(run_cms, user_disk):
    with opened(user_disk, 0, 3) as device:
        CMSDisk.open(device).write("EDIT", "CMSUT1", text_to_records("SAVE ME\n"), "F", 80)
    run = edit(run_cms, user_disk, ["edit notes memo", "type edit cmsut1"])
    assert between(run, "edit notes memo", "type edit cmsut1") == [
        "DMSEDI024E FILE 'EDIT CMSUT1 A1' ALREADY EXISTS",
        "R(00028);",
    ]
    assert run.after("type edit cmsut1")[0] == "SAVE ME"


def test_trunc_cuts_typed_lines(run_cms, user_disk):
    typed = [
        "edit cut data",
        "",
        "trunc 5",
        "input abcdefgh",
        "trunc 0",
        "trunc *",
        "input xy",
        "file",
    ]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "input abcdefgh", "trunc 0") == ["TRUNCATED"]
    assert between(run, "trunc 0", "trunc *") == ["?EDIT: TRUNC 0"]
    assert read_back(user_disk, "CUT DATA")[1] == ["ABCDE", "XY"]


def test_find_and_change_without_what_to_look_for(run_cms, user_disk):
    typed = ["edit notes memo", "find nothing like it", "top", "locate", "change", "find", "qquit"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "find nothing like it", "top") == ["NOT FOUND", "EOF:"]
    for line in ("locate", "change", "find"):
        assert run.lines[run.lines.index(line) + 1] == f"?EDIT: {line}"


def test_an_empty_file_is_not_written_and_emptying_one_erases_it(run_cms, user_disk):
    run = edit(run_cms, user_disk, ["edit nothing data", "", "file", "listfile nothing data"])
    assert between(run, "file", "listfile nothing data") == ["FILE IS EMPTY", "R;"]
    assert run.after("listfile nothing data")[0] == "DMSLST002E FILE NOT FOUND"
    typed = ["edit notes memo", "delete *", "file", "listfile notes memo"]
    run = edit(run_cms, user_disk, typed)
    assert between(run, "file", "listfile notes memo") == ["FILE IS EMPTY", "R;"]
    assert run.after("listfile notes memo")[0] == "DMSLST002E FILE NOT FOUND"

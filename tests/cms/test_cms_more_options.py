"""The options of VM/370's CMS commands beyond the basic forms: LISTFILE EXEC, COPYFILE's
record and case options, FORMAT's LABEL, QUERY and SET of BLIP, INPUT, OUTPUT, SYSTEM."""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image


@pytest.fixture
def user_disk(tmp_path):
    """A 3-cylinder 2314 with HELLO ASSEMBLE, NOTES MEMO (mixed case, V) and DATA ONE."""
    path = create_image(tmp_path / "user.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        source = "HELLO    CSECT\n         BR    14\n         END\n"
        disk.write("HELLO", "ASSEMBLE", text_to_records(source), "F", 80)
        notes = "First Line\nSecond line of the Notes\nthird\nFourth\n"
        disk.write("NOTES", "MEMO", text_to_records(notes, "V", None), "V")
        lines = "".join(f"record {n}\n" for n in range(1, 11))
        disk.write("DATA", "ONE", text_to_records(lines), "F", 80)
    return path


def host_files(path):
    """The disk's files by fileid, and each file's text lines by 'FN FT'."""
    with opened(path, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == []
        files = {entry.fileid: entry for entry in disk.files()}
        texts = {
            f"{entry.filename} {entry.filetype}": disk.get(entry.fileid).decode().splitlines()
            for entry in files.values()
            if entry.filetype != "MODULE"
        }
        return files, texts


def test_listfile_exec_writes_cms_exec_with_a_line_for_each_file(run_cms, user_disk):
    typed = ["listfile * * a (exec", "listfile h* * a (exec", "type cms exec"]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    assert run.after("listfile * * a (exec")[0] == "R;"
    assert run.after("type cms exec") == ["&1 &2 HELLO    ASSEMBLE A1", "R;"]
    with opened(user_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == []
        exec_file = disk.find("CMS", "EXEC")
        assert (exec_file.recfm, exec_file.lrecl, exec_file.records) == ("F", 80, 1)


def test_listfile_exec_lists_every_match_once(run_cms, user_disk):
    run = run_cms(["listfile * * a (exec"], disks={0x191: user_disk})
    run.close()
    _, texts = host_files(user_disk)
    assert [line.rstrip() for line in texts["CMS EXEC"]] == [
        "&1 &2 HELLO    ASSEMBLE A1",
        "&1 &2 NOTES    MEMO     A1",
        "&1 &2 DATA     ONE      A1",
    ]


def test_copyfile_from_and_for_copy_a_range_of_records(run_cms, user_disk):
    typed = [
        "copyfile data one a part one a (from 3 for 4",
        "copyfile data one a tail one a (fr 9",
        "copyfile data one a head one a (fo 2)",
        "copyfile data one a none one a (from 20",
    ]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    assert [run.after(line)[0] for line in typed] == ["R;"] * 4
    files, texts = host_files(user_disk)
    assert texts["PART ONE"] == [f"record {n}" for n in (3, 4, 5, 6)]
    assert texts["TAIL ONE"] == ["record 9", "record 10"]
    assert texts["HEAD ONE"] == ["record 1", "record 2"]
    assert "NONE ONE A1" not in files  # no record at 20: nothing written
    assert (files["PART ONE A1"].recfm, files["PART ONE A1"].lrecl) == ("F", 80)


def test_copyfile_upcase_and_lowcase_translate_the_letters_only(run_cms, user_disk):
    typed = ["copyfile notes memo a up memo a (upcase", "copyfile notes memo a low memo a (lo"]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    files, texts = host_files(user_disk)
    assert texts["UP MEMO"] == [
        "FIRST LINE",
        "SECOND LINE OF THE NOTES",
        "THIRD",
        "FOURTH",
    ]
    assert texts["LOW MEMO"][:2] == [
        "first line",
        "second line of the notes",
    ]
    assert files["UP MEMO A1"].recfm == "V" and files["UP MEMO A1"].lrecl == 24


def test_copyfile_refuses_unknown_options_and_bad_numbers(run_cms, user_disk):
    typed = [
        "copyfile data one a x y a (frobnicate",
        "copyfile data one a x y a (from",
        "copyfile data one a x y a (from 0",
        "copyfile data one a x y a (for 12x",
        "copyfile data one a x y a extra",
        "copyfile data one a x y a (r",
    ]
    run = run_cms(typed, disks={0x191: user_disk})
    run.close()
    assert run.after(typed[0])[:2] == ["DMSCPY003E INVALID OPTION FROBNICA", "R(00024);"]
    assert run.after(typed[1])[:2] == ["DMSCPY070E INVALID PARAMETER", "R(00024);"]
    assert run.after(typed[2])[:2] == ["DMSCPY070E INVALID PARAMETER 0", "R(00024);"]
    assert run.after(typed[3])[:2] == ["DMSCPY070E INVALID PARAMETER 12X", "R(00024);"]
    assert run.after(typed[4])[:2] == ["DMSCPY003E INVALID OPTION EXTRA", "R(00024);"]
    # R alone is too short for REPLACE (REP), and is no other option
    assert run.after(typed[5])[:2] == ["DMSCPY003E INVALID OPTION R", "R(00024);"]
    files, _ = host_files(user_disk)
    assert "X Y A1" not in files


def test_format_label_changes_only_the_label(run_cms, user_disk, tmp_path):
    blank = create_image(tmp_path / "blank.2314", "2314", 3)
    typed = ["format 191 a (label", "new", "query disk a", "format 192 b (label", "x"]
    run = run_cms(typed, disks={0x191: user_disk, 0x192: blank})
    run.close()
    assert run.after("format 191 a (label")[0] == "DMSFOR605R ENTER DISK LABEL:"
    assert run.after("new")[0] == "R;"
    assert run.after("query disk a")[0].startswith("A (191): 3 FILES;")
    assert run.after("x")[:2] == ["DMSFOR956E DISK B(192) IS NOT A CMS DISK", "R(00100);"]
    files, texts = host_files(user_disk)
    assert sorted(files) == ["DATA ONE A1", "HELLO ASSEMBLE A1", "NOTES MEMO A1"]
    assert texts["NOTES MEMO"][0] == "First Line"
    with opened(user_disk, 0, 3, read_only=True) as device:
        assert CMSDisk.open(device).label == "NEW"


def test_set_impex_off_stops_implied_exec_and_query_impex_says_so(run_cms, tmp_path):
    path = create_image(tmp_path / "exec.2314", "2314", 3)
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "EXC191")
        disk.write("HI", "EXEC", text_to_records("&TYPE HELLO FROM AN EXEC\n"), "F", 80)
    typed = [
        "query impex",
        "hi",
        "set impex off",
        "query impex",
        "hi",
        "exec hi",
        "set impex on",
        "hi",
        "set impex maybe",
    ]
    run = run_cms(typed, disks={0x191: path})
    run.close()
    assert run.after("query impex")[:2] == ["IMPEX = ON", "R;"]
    assert run.after("hi")[:2] == ["HELLO FROM AN EXEC", "R;"]
    after_off = run.lines[run.lines.index("set impex off") :]
    assert after_off[1:4] == ["R;", "query impex", "IMPEX = OFF"]
    # with IMPEX off the word is no command: on the bare machine there is no CP to try
    assert after_off[6:7] == ["UNKNOWN CMS COMMAND"]
    assert run.after("exec hi")[:2] == ["HELLO FROM AN EXEC", "R;"]
    assert run.after("set impex on")[:3] == ["R;", "hi", "HELLO FROM AN EXEC"]
    assert run.after("set impex maybe")[:2] == ["DMSSET070E INVALID PARAMETER MAYBE", "R(00024);"]

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
    with opened(path, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.check() == []
        return {entry.fileid: entry for entry in disk.files()}, disk


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
    with opened(user_disk, 0, 3, read_only=True) as device:
        disk = CMSDisk.open(device)
        lines = disk.get("CMS EXEC").decode().splitlines()
    assert [line.rstrip() for line in lines] == [
        "&1 &2 HELLO    ASSEMBLE A1",
        "&1 &2 NOTES    MEMO     A1",
        "&1 &2 DATA     ONE      A1",
    ]

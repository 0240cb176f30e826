"""Random command lines never bring the CMS nucleus down."""

from __future__ import annotations

import random

from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image

WORDS = [
    "listfile",
    "type",
    "state",
    "erase",
    "copyfile",
    "rename",
    "access",
    "release",
    "query",
    "set",
    "load",
    "start",
    "genmod",
    "format",
    "print",
    "punch",
    "readcard",
    "cp",
    "*",
    "=",
    "(",
    ")",
    "a",
    "s",
    "b",
    "191",
    "190",
    "192",
    "notes",
    "memo",
    "big",
    "data",
    "date",
    "replace",
    "impcp",
    "off",
    "disk",
    "search",
    "1",
    "999",
    "zz9",
    "xxxxxxxxxxxxxxxxxxxx",
]


def test_random_command_lines_get_messages_and_never_a_nucleus_failure(run_cms, tmp_path):
    disk_path = create_image(tmp_path / "user.2314", "2314", 3)
    with opened(disk_path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        disk.write("NOTES", "MEMO", text_to_records("one\ntwo\n", "V", None), "V")
    chooser = random.Random(370)
    typed = [
        " ".join(chooser.choice(WORDS) for _ in range(chooser.randint(0, 9))) for _ in range(300)
    ]
    typed += ["x" * 200, " ".join("abcdefghijklmnopqrstuvw"), "listfile * * a"]
    run = run_cms(typed, disks={0x191: disk_path}, max_instructions=50_000_000)
    assert run.stop == "enabled-wait"  # every line was read: CMS waits for more
    assert not [line for line in run.lines if line.startswith(("DMSITP", "DMSABN"))]
    assert run.lines[-1] == "R;"
    run.close()
    with opened(disk_path, 0, 3, read_only=True) as device:
        assert CMSDisk.open(device).check() == []

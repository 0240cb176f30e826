"""A machine stopped at any instruction while CMS copies a file leaves a readable disk.

COPYFILE writes the data blocks, the chain links, new FST blocks and, last,
the MFD. Stopped anywhere (the virtual machine reset, or the host process
killed: the pack file holds exactly what was written), the disk must open
with the host tools, have no block in use that nothing owns, and hold either
the old directory (no copy) or the new one with the whole copy.
"""

from __future__ import annotations

import shutil

from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image

RECORDS = [f"record {number:04d}" for number in range(300)]
KILL_POINTS = 24


def test_copyfile_stopped_at_any_point_leaves_the_old_or_the_new_directory(run_cms, tmp_path):
    template = create_image(tmp_path / "template.2314", "2314", 2)
    with opened(template, 0, 2) as device:
        disk = CMSDisk.format(device, "C191")
        disk.write("SRC", "DATA", text_to_records("\n".join(RECORDS) + "\n"), "F", 80)
    work = tmp_path / "work.2314"

    def stopped_after(instructions: int | None, typed: list[str]):
        shutil.copyfile(template, work)
        limit = instructions if instructions is not None else 20_000_000
        run = run_cms(typed, disks={0x191: work}, max_instructions=limit)
        run.close()
        return run

    idle = stopped_after(None, []).machine.cpu.instructions_executed
    full = stopped_after(None, ["copyfile src data a dst data a"])
    assert full.lines[-1] == "R;"
    busy = full.machine.cpu.instructions_executed
    outcomes = set()
    for point in range(KILL_POINTS + 1):
        limit = idle + (busy - idle) * point // KILL_POINTS
        stopped_after(limit, ["copyfile src data a dst data a"])
        with opened(work, 0, 2, read_only=True) as device:
            disk = CMSDisk.open(device)
            assert disk.check() == [], f"blocks in use that no file owns, stopped at {limit}"
            names = sorted(entry.fileid for entry in disk.files())
            if names == ["DST DATA A1", "SRC DATA A1"]:
                copied = [record.decode("cp037").rstrip() for record in disk.read("DST", "DATA")]
                assert copied == RECORDS
                outcomes.add("new")
            else:
                assert names == ["SRC DATA A1"], f"stopped at {limit}: {names}"
                outcomes.add("old")
    assert outcomes == {"old", "new"}

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


APPEND_50 = """\
APPEND   CSECT
         USING APPEND,12
         ST    14,RET
         LA    6,50
LOOP     FSWRITE 'SRC DATA A',BUFFER=CARD,BSIZE=80,RECFM=F
         BCT   6,LOOP
         FSCLOSE 'SRC DATA A'
         L     14,RET
         SR    15,15
         BR    14
RET      DS    F
CARD     DC    CL80'APPENDED'
         LTORG
         END
"""


def test_an_append_stopped_at_any_point_leaves_the_old_or_the_new_file(run_cms, tmp_path):
    from assembler import assemble
    from cms.build import MACLIB_DIRECTORY
    from cms.filesystem import binary_to_records

    program = assemble(APPEND_50, maclib=[MACLIB_DIRECTORY]).object_deck
    template = create_image(tmp_path / "template.2314", "2314", 2)
    with opened(template, 0, 2) as device:
        disk = CMSDisk.format(device, "C191")
        disk.write("SRC", "DATA", text_to_records("\n".join(RECORDS) + "\n"), "F", 80)
        disk.write("APPEND", "TEXT", binary_to_records(program, "F", 80), "F", 80)
    work = tmp_path / "work.2314"

    def stopped_after(limit: int, typed: list[str]):
        shutil.copyfile(template, work)
        run = run_cms(typed, disks={0x191: work}, max_instructions=limit)
        run.close()
        return run

    loaded = stopped_after(20_000_000, ["load append"]).machine.cpu.instructions_executed
    full = stopped_after(20_000_000, ["load append", "start"])
    assert full.lines[-1] == "R;"
    busy = full.machine.cpu.instructions_executed
    outcomes = set()
    for point in range(KILL_POINTS + 1):
        limit = loaded + (busy - loaded) * point // KILL_POINTS
        stopped_after(limit, ["load append", "start"])
        with opened(work, 0, 2, read_only=True) as device:
            disk = CMSDisk.open(device)
            assert disk.check() == [], f"blocks in use that no file owns, stopped at {limit}"
            records = [record.decode("cp037").rstrip() for record in disk.read("SRC", "DATA")]
            if len(records) == len(RECORDS):
                assert records == RECORDS
                outcomes.add("old")
            else:
                assert records == RECORDS + ["APPENDED"] * 50, f"stopped at {limit}"
                outcomes.add("new")
    assert outcomes == {"old", "new"}


# A whole 2314 pack (200 cylinders, 28,000 blocks): its bitmap goes on in five QMSK extension
# blocks, and the blocks in use reach past 8,120, the most the active disk table holds itself.
PACK_CYLINDERS = 200
PACK_STOPS = 8


def test_a_whole_pack_stopped_at_sampled_points_leaves_the_old_or_the_new_directory(
    run_cms, tmp_path
):
    """Copy a file past block 8,120, then erase the filler: every directory update writes
    its FST and extension blocks to fresh blocks before the MFD that names them."""
    template = create_image(tmp_path / "template.2314", "2314", PACK_CYLINDERS)
    with opened(template, 0, PACK_CYLINDERS) as device:
        disk = CMSDisk.format(device, "PACK")
        disk.write("FILLER", "DATA", [bytes([n % 256]) * 800 for n in range(8_120)], "F", 800)
        disk.write("SRC", "DATA", text_to_records("\n".join(RECORDS) + "\n"), "F", 80)
        assert len(disk._extension_blocks) == 5
    work = tmp_path / "work.2314"
    typed = ["copyfile src data a dst data a", "erase filler data a"]

    def stopped_after(instructions: int | None, lines: list[str]):
        shutil.copyfile(template, work)
        run = run_cms(lines, disks={0x191: work}, max_instructions=instructions or 40_000_000)
        run.close()
        return run

    idle = stopped_after(None, []).machine.cpu.instructions_executed
    full = stopped_after(None, typed)
    assert full.lines.count("R;") == 2, full.lines
    busy = full.machine.cpu.instructions_executed
    outcomes = set()
    for point in range(PACK_STOPS + 1):
        limit = idle + (busy - idle) * point // PACK_STOPS
        stopped_after(limit, typed)
        with opened(work, 0, PACK_CYLINDERS, read_only=True) as device:
            disk = CMSDisk.open(device)
            assert disk.check() == [], f"blocks in use that no file owns, stopped at {limit}"
            names = sorted(entry.fileid for entry in disk.files())
            assert names in (
                ["FILLER DATA A1", "SRC DATA A1"],
                ["DST DATA A1", "FILLER DATA A1", "SRC DATA A1"],
                ["DST DATA A1", "SRC DATA A1"],
            ), f"stopped at {limit}: {names}"
            if "DST DATA A1" in names:
                copied = [record.decode("cp037").rstrip() for record in disk.read("DST", "DATA")]
                assert copied == RECORDS
                assert max(disk._chain(disk.find("DST", "DATA"))[0]) > 8_120
            outcomes.add(tuple(names))
    assert len(outcomes) == 3  # before, between the two commands, after

"""CMS writing disks of more than 1,720 blocks, whose allocation bitmap goes on past the MFD's
215 bytes into a QMSK extension block (docs/cms-disk-format.md), checked with the host tools."""

from __future__ import annotations

import shutil

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image

# 2,800 blocks: a bitmap of 350 bytes, the last 135 of them in the extension block.
LARGE_CYLINDERS = 20
MFD_BITMAP_BLOCKS = 215 * 8
FILLER_BLOCKS = 1_720


@pytest.fixture
def large_disk(tmp_path):
    """A 20-cylinder 2314 with FILLER DATA using blocks 6 to past 1,720, and SMALL FILE."""
    path = create_image(tmp_path / "large.2314", "2314", LARGE_CYLINDERS)
    with opened(path, 0, LARGE_CYLINDERS) as device:
        disk = CMSDisk.format(device, "BIG191")
        disk.put("FILLER DATA A1", bytes(range(200)) * 4 * FILLER_BLOCKS, binary=True)
        disk.write("SMALL", "FILE", text_to_records("one\ntwo\nthree\n"), "F", 80)
    return path


def files_and_check(path, cylinders=LARGE_CYLINDERS):
    with opened(path, 0, cylinders, read_only=True) as device:
        disk = CMSDisk.open(device)
        entries = {entry.fileid: entry for entry in disk.files()}
        contents = {fileid: disk.read(*fileid.split()[:2]) for fileid in entries}
        return entries, contents, disk.check(), disk.blocks_used


def test_copies_go_past_block_1720_and_the_host_tools_find_the_disk_consistent(run_cms, large_disk):
    copies = [f"copyfile small file a copy{n} file a" for n in range(8)]
    run = run_cms([*copies, "query disk a"], disks={0x191: large_disk}, max_instructions=20_000_000)
    run.close()
    assert run.lines.count("R;") == len(copies) + 1, run.lines
    entries, contents, lost, used = files_and_check(large_disk)
    assert lost == []
    for n in range(8):
        assert contents[f"COPY{n} FILE A1"] == contents["SMALL FILE A1"]
        # the FILLER's blocks reach past the MFD's part of the bitmap: so do the copies
        assert entries[f"COPY{n} FILE A1"].first_chain_link > MFD_BITMAP_BLOCKS
    assert run.after("query disk a")[0] == (
        f"A (191): 10 FILES; {used} REC IN USE, {2800 - used} LEFT (OF 2800), "
        f"{used * 100 // 2800}% FULL (20 CYL), 2314, R/W"
    )


def test_a_second_ipl_reads_the_extension_block_and_allocates_around_its_blocks(
    run_cms, large_disk
):
    first = run_cms(
        [f"copyfile small file a first{n} file a" for n in range(4)],
        disks={0x191: large_disk},
        max_instructions=20_000_000,
    )
    first.close()
    # Blocks past 1,720 are in use now, marked only in the extension block: a CMS that did not
    # read it would hand them out again, and the check below would find a block in two files.
    typed = [f"copyfile small file a second{n} file a" for n in range(4)]
    run = run_cms(
        [*typed, "erase filler data a", "copyfile small file a third file a"],
        disks={0x191: large_disk},
        max_instructions=20_000_000,
    )
    run.close()
    assert run.lines.count("R;") == 6, run.lines
    entries, contents, lost, _ = files_and_check(large_disk)
    assert lost == []
    assert "FILLER DATA A1" not in entries
    copied = [f"{name}{n} FILE A1" for name in ("FIRST", "SECOND") for n in range(4)]
    for fileid in copied:
        assert contents[fileid] == contents["SMALL FILE A1"]
        assert entries[fileid].first_chain_link > MFD_BITMAP_BLOCKS
    # the FILLER's blocks are free again once the erase is committed
    assert entries["THIRD FILE A1"].first_chain_link < MFD_BITMAP_BLOCKS


def test_format_writes_the_extension_block_of_a_20_cylinder_disk(run_cms, tmp_path):
    blank = create_image(tmp_path / "blank.2314", "2314", LARGE_CYLINDERS)
    typed = ["format 192 b", "yes", "large", "copyfile edit module s x y b", "query disk b"]
    run = run_cms(typed, disks={0x192: blank}, max_instructions=20_000_000)
    run.close()
    assert run.after("large")[:3] == [
        "DMSFOR733I FORMATTING DISK B",
        "DMSFOR732I 20 CYLINDERS FORMATTED ON B(192)",
        "R;",
    ]
    entries, contents, lost, used = files_and_check(blank)
    assert (list(entries), lost) == (["X Y B1"], [])
    with opened(blank, 0, LARGE_CYLINDERS, read_only=True) as device:
        disk = CMSDisk.open(device)
        assert disk.label == "LARGE"
        assert disk._extension_blocks and disk.cylinders == LARGE_CYLINDERS


def test_a_disk_over_8120_blocks_is_read_but_neither_formatted_nor_written(run_cms, tmp_path):
    cylinders = 59  # 8,260 blocks: a bitmap of 1,033 bytes, more than this nucleus keeps
    path = create_image(tmp_path / "huge.2314", "2314", cylinders)
    with opened(path, 0, cylinders) as device:
        disk = CMSDisk.format(device, "HUGE")
        disk.write("SMALL", "FILE", text_to_records("one\n"), "F", 80)
    blank = create_image(tmp_path / "blank.2314", "2314", cylinders)
    typed = ["type small file a", "copyfile small file a copy file a", "format 192 b", "yes", "x"]
    run = run_cms(typed, disks={0x191: path, 0x192: blank}, max_instructions=20_000_000)
    run.close()
    assert run.after("type small file a")[:2] == ["one", "R;"]
    # WRBUF's return code 13: the disk is too large for this nucleus to write
    assert run.after("copyfile small file a copy file a")[0] == "R(00013);"
    assert run.after("x")[0] == "DMSFOR955E DISK B(192) IS OVER 8,120 BLOCKS"
    entries, _, lost, _ = files_and_check(path, cylinders)
    assert (list(entries), lost) == (["SMALL FILE A1"], [])


def test_an_erase_stopped_at_any_point_leaves_the_old_or_the_new_directory(
    run_cms, large_disk, tmp_path
):
    """The extension block is written to a fresh block before the MFD that names it."""
    work = tmp_path / "work.2314"
    typed = ["copyfile small file a copy file a", "erase filler data a"]

    def stopped_after(instructions: int | None, lines: list[str]):
        shutil.copyfile(large_disk, work)
        run = run_cms(lines, disks={0x191: work}, max_instructions=instructions or 20_000_000)
        run.close()
        return run

    before = stopped_after(None, typed[:1]).machine.cpu.instructions_executed
    busy = stopped_after(None, typed).machine.cpu.instructions_executed
    outcomes = set()
    points = 16
    for point in range(points + 1):
        stopped_after(before + (busy - before) * point // points, typed)
        entries, _, lost, _ = files_and_check(work)
        assert lost == [], f"stopped at point {point}"
        outcomes.add("FILLER DATA A1" in entries)
    assert outcomes == {True, False}

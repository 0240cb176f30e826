"""CMS writing disks of more than 1,720 blocks, whose allocation bitmap goes on past the MFD's
215 bytes into a QMSK extension block (docs/cms-disk-format.md), checked with the host tools."""

from __future__ import annotations

import math
import shutil

import pytest
from cms_disks import opened

from assembler import assemble
from cms.build import MACLIB_DIRECTORY
from cms.filesystem import CMSDisk, text_to_records
from vm370.cli import main
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


def test_a_disk_over_32768_blocks_is_read_but_neither_formatted_nor_written(run_cms, tmp_path):
    cylinders = 235  # 32,900 blocks: a bitmap of 4,113 bytes, more than a 4K slot holds
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
    assert run.after("x")[0] == "DMSFOR955E DISK B(192) IS OVER 32,768 BLOCKS"
    entries, _, lost, _ = files_and_check(path, cylinders)
    assert (list(entries), lost) == (["SMALL FILE A1"], [])


# A whole 2314 pack: 200 cylinders, 28,000 blocks, a bitmap of 3,500 bytes: the MFD's 215
# and 3,285 in five QMSK extension blocks (800 each), more than the 1,015 bytes (8,120 blocks)
# an entry of the active disk table holds itself.
PACK_CYLINDERS = 200
PACK_BLOCKS = PACK_CYLINDERS * 20 * 7
PACK_EXTENSIONS = math.ceil((math.ceil(PACK_BLOCKS / 8) - 215) / 800)
ADT_BITMAP_BLOCKS = 1_015 * 8
SOURCE = [f"line {n:04d} of the source, written by the host tools" for n in range(700)]


def query_line(used: int, files: int) -> str:
    return (
        f"B (192): {files} FILES; {used} REC IN USE, {PACK_BLOCKS - used} LEFT "
        f"(OF {PACK_BLOCKS}), {used * 100 // PACK_BLOCKS}% FULL ({PACK_CYLINDERS} CYL), 2314, R/W"
    )


def beyond_8120(blocks: list[int]) -> bool:
    """Most of the blocks are past 8,120 (the few others: directory blocks an update freed)."""
    return sum(block > ADT_BITMAP_BLOCKS for block in blocks) > len(blocks) * 3 // 4


def pack_state(path):
    """(files and their data and chain-link blocks, contents, lost blocks, blocks in use)."""
    with opened(path, 0, PACK_CYLINDERS, read_only=True) as device:
        disk = CMSDisk.open(device)
        lost = disk.check()
        entries = {entry.fileid: disk._chain(entry) for entry in disk.files()}
        contents = {fileid: disk.read(*fileid.split()[:2]) for fileid in entries}
        return entries, contents, lost, disk.blocks_used


def test_cms_formats_a_whole_2314_pack_and_writes_and_erases_past_block_8120(
    run_cms, tmp_path, capsys
):
    pack = create_image(tmp_path / "pack.2314", "2314", PACK_CYLINDERS)
    run = run_cms(
        ["format 192 b", "yes", "pack", "query disk b"],
        disks={0x192: pack},
        max_instructions=20_000_000,
    )
    run.close()
    assert run.after("pack")[:3] == [
        "DMSFOR733I FORMATTING DISK B",
        f"DMSFOR732I {PACK_CYLINDERS} CYLINDERS FORMATTED ON B(192)",
        "R;",
    ]
    formatted_used = 5 + PACK_EXTENSIONS  # blocks 1-4, the FST block, the extensions
    assert run.after("query disk b")[0] == query_line(formatted_used, 0)
    with opened(pack, 0, PACK_CYLINDERS) as device:
        disk = CMSDisk.open(device)
        assert disk.label == "PACK" and disk.cylinders == PACK_CYLINDERS
        assert disk._extension_blocks == list(range(6, 6 + PACK_EXTENSIONS))
        assert disk.check() == [] and disk.blocks_used == formatted_used
        # The host tools fill the disk up to past block 8,120, then add a file of 70 blocks
        # (an Nth chain link) there: what CMS writes next goes further.
        filler = bytes(range(200)) * 4 * ADT_BITMAP_BLOCKS
        disk.put("FILLER DATA B1", filler, binary=True, lrecl=800)
        disk.put("SOURCE DATA B1", ("\n".join(SOURCE) + "\n").encode())
    entries, _, _, filled = pack_state(pack)
    assert beyond_8120(entries["SOURCE DATA B1"][0])

    copies = ["copyfile source data b copy1 data b", "copyfile source data b copy2 data b"]
    typed = ["access 192 b", *copies, "query disk b"]
    run = run_cms(typed, disks={0x192: pack}, max_instructions=40_000_000)
    run.close()
    assert run.lines.count("R;") == len(typed), run.lines
    entries, contents, lost, used = pack_state(pack)
    assert lost == []
    for copy in ("COPY1 DATA B1", "COPY2 DATA B1"):
        data_blocks, links = entries[copy]
        assert len(links) == 2 and beyond_8120(data_blocks + links)
        assert [record.decode("cp037").rstrip() for record in contents[copy]] == SOURCE
    copied = sum(
        len(data) + len(links)
        for data, links in (entries["COPY1 DATA B1"], entries["COPY2 DATA B1"])
    )
    assert used == filled + copied
    assert run.after("query disk b")[0] == query_line(used, 4)

    # ERASE frees the copies; ACCESS reads the bitmap back with the same count; then the
    # filler's blocks, freed by its erase, go to the next file once that erase is committed.
    typed = [
        "access 192 b",
        "erase copy1 data b",
        "erase copy2 data b",
        "query disk b",
        "access 192 b",
        "query disk b",
        "erase filler data b",
        "copyfile source data b low data b",
    ]
    run = run_cms(typed, disks={0x192: pack}, max_instructions=40_000_000)
    run.close()
    assert run.lines.count("R;") == len(typed), run.lines
    # after the erases, and after the second ACCESS
    assert [line for line in run.lines if line.startswith("B (192)")] == [
        query_line(filled, 2),
        query_line(filled, 2),
    ]
    entries, contents, lost, used = pack_state(pack)
    assert lost == [] and sorted(entries) == ["LOW DATA B1", "SOURCE DATA B1"]
    data_blocks, links = entries["LOW DATA B1"]
    assert max(data_blocks + links) < ADT_BITMAP_BLOCKS
    assert [record.decode("cp037").rstrip() for record in contents["LOW DATA B1"]] == SOURCE
    capsys.readouterr()
    assert main(["cms", "check", str(pack), "--extent", f"0:{PACK_CYLINDERS}"]) == 0
    assert capsys.readouterr().out == (
        f"LABEL PACK: 2 files readable, {used} blocks in use, 0 marked in use but unowned\n"
    )


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


def nucon_offset(name: str) -> int:
    result = assemble("         NUCON\n         END\n", maclib=[str(MACLIB_DIRECTORY)])
    return result.assembly.symbols.symbols[name].value.offset


def test_the_bitmap_of_a_whole_pack_takes_4k_at_the_top_of_storage_until_released(
    run_cms, tmp_path
):
    """The working bitmap of a disk over 8,120 blocks lives in a 4K slot below the end of
    storage, under the nucleus's storage key; the user area (STORSIZE) ends below it."""
    paths = []
    for name in ("one", "two"):
        path = create_image(tmp_path / f"{name}.2314", "2314", PACK_CYLINDERS)
        with opened(path, 0, PACK_CYLINDERS) as device:
            CMSDisk.format(device, name.upper())
        paths.append(path)
    storsize, storend = nucon_offset("STORSIZE"), nucon_offset("STOREND")
    top = 256 * 1024
    # the lines typed: the 4K slots in use, counted down from the end of storage
    cases = {
        (): [],
        ("access 192 b",): [0],
        ("access 192 b", "access 193 c"): [0, 1],
        ("access 192 b", "access 193 c", "release b"): [1],  # C keeps its slot
        ("access 192 b", "access 193 c", "release b", "access 192 d"): [0, 1],
        ("access 192 b", "access 193 c", "release c"): [0],
        ("access 192 b", "access 193 c", "release c", "release b"): [],
        ("access 192 y",): [],  # read-only: no working bitmap
    }
    for typed, slots in cases.items():
        run = run_cms(list(typed), disks={0x192: paths[0], 0x193: paths[1]})
        run.close()
        assert run.lines.count("R;") == len(typed), run.lines
        storage = run.machine.storage
        assert storage.read_word(storend) == top
        user_end = top - 4096 * (max(slots) + 1) if slots else top
        assert storage.read_word(storsize) == user_end, typed
        for slot in range(4):
            key = 0xF0 if slot in slots else 0xE0
            for address in (top - 4096 * (slot + 1), top - 4096 * (slot + 1) + 2048):
                assert storage.key_of(address) & 0xF0 == key, (typed, hex(address))


def test_a_128k_machine_has_no_slot_and_reads_a_whole_pack_without_writing_it(run_cms, tmp_path):
    path = create_image(tmp_path / "pack.2314", "2314", PACK_CYLINDERS)
    with opened(path, 0, PACK_CYLINDERS) as device:
        CMSDisk.format(device, "PACK").write("SMALL", "FILE", text_to_records("one\n"), "F", 80)
    typed = [
        "access 192 b",
        "rename small file b big file b",
        "erase small file b",
        "type small file b",
    ]
    run = run_cms(typed, disks={0x192: path}, storage=128 * 1024)
    run.close()
    # the user area starts at X'20000', the end of a 128K machine: no room for a 4K slot
    assert run.after("rename small file b big file b")[0] == "R(00013);"
    assert run.after("erase small file b")[0] == "R(00013);"
    assert run.after("type small file b")[:2] == ["one", "R;"]
    entries, _, lost, _ = files_and_check(path, PACK_CYLINDERS)
    assert (list(entries), lost) == (["SMALL FILE A1"], [])

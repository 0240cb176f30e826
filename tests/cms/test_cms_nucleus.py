"""The CMS nucleus on the bare machine: IPL, the console, the command loop."""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.build import (
    IPL_CHAIN_ADDRESS,
    BuildError,
    build_nucleus,
    build_system_disk,
)
from cms.filesystem import CMSDisk
from cms.modules import command_sources
from vm370.hardware.devices.ckd_image import CKDImage, create_image

# LISTFILE * * S: the disk-resident commands the build puts on the system disk.
S_DISK_LINES = [f"{source.stem.upper():8} MODULE   S2" for source in command_sources()]


def test_ipl_types_the_version_line_first_and_waits_for_a_command(run_cms):
    run = run_cms([])
    assert run.lines == ["CMS VERSION 6.0"]
    # Nothing typed: CMS waits, enabled, for the console's attention.
    assert run.stop == "enabled-wait"
    psw = run.machine.cpu.current_psw()
    assert psw >> 63 & 1  # PSW bit 0: channel 0, the console's, enabled
    assert psw >> 49 & 1  # PSW bit 14: the wait state


def test_unknown_command_on_a_bare_machine(run_cms):
    run = run_cms(["nosuch command"])
    assert run.after("nosuch command") == ["UNKNOWN CMS COMMAND"]


def test_empty_line_is_answered_with_cms_and_comments_are_passed_over(run_cms):
    run = run_cms(["", "* a comment", "    "])
    assert run.lines == ["CMS VERSION 6.0", "", "CMS", "* a comment", "    "]


def test_cp_command_on_a_bare_machine_says_cp_is_not_there(run_cms):
    run = run_cms(["cp query time"])
    assert run.after("cp query time") == ["DMSCPF950E CP IS NOT AVAILABLE", "R(-0001);"]


def test_the_nucleus_is_stored_under_key_f_and_the_user_area_under_key_e(run_cms):
    run = run_cms([])
    storage = run.machine.storage
    assert storage.key_of(0) >> 4 == 0xF
    assert storage.key_of(0x1F7FF) >> 4 == 0xF
    assert storage.key_of(0x1F800) >> 4 == 0xE
    assert storage.key_of(0x3FFFF) >> 4 == 0xE


def test_build_refuses_a_minidisk_with_no_room_for_files(tmp_path):
    pack = tmp_path / "tiny.2314"
    create_image(pack, "2314", cylinders=3)
    with pytest.raises(BuildError, match="cannot hold the nucleus"):
        build_system_disk(pack, 0, 1)


def test_build_refuses_an_extent_off_the_pack(tmp_path):
    pack = tmp_path / "small.2314"
    create_image(pack, "2314", cylinders=3)
    with pytest.raises(BuildError, match="not on"):
        build_system_disk(pack, 2, 5)


def test_system_disk_layout_ipl_records_and_nucleus_on_the_last_cylinder(cms_system):
    image = CKDImage(cms_system.pack, read_only=True)
    try:
        first = image.read_track(0, 0)
        ipl = first.records[1]
        assert len(ipl.data) == 800  # block 1 of the file system
        assert ipl.data[:8] == cms_system.nucleus.image[:8]
        # CCW 1 reads R2 into the chain area, CCW 2 is a TIC to it.
        assert ipl.data[8] == 0x06 and int.from_bytes(ipl.data[9:12], "big") == IPL_CHAIN_ADDRESS
        assert ipl.data[16] == 0x08 and int.from_bytes(ipl.data[17:20], "big") == IPL_CHAIN_ADDRESS
        nucleus_track = image.read_track(cms_system.disk.nucleus_cylinder, 0)
        size = cms_system.disk.record_size
        assert size == 7168  # the 2314 track's 7,294 bytes in whole 512s
        assert nucleus_track.records[1].data == cms_system.nucleus.image[:size]
        assert cms_system.disk.file_cylinders == 4
        with opened(cms_system.pack, 0, 5, read_only=True) as device:
            disk = CMSDisk.open(device)
            files = [(f.filename, f.filetype, f.mode) for f in disk.files()]
            modules = [(source.stem.upper(), "MODULE", "S2") for source in command_sources()]
            assert ("EDIT", "MODULE", "S2") in modules and ("TXTLIB", "MODULE", "S2") in modules
            assert (disk.label, disk.cylinders, files) == ("CMS190", 4, modules)
    finally:
        image.close()


def test_an_assembler_error_fails_the_build_with_its_message(tmp_path):
    (tmp_path / "DMSNUC.asm").write_text("DMSNUC   CSECT\n         DC    V(DMSINI)\n         END\n")
    (tmp_path / "DMSINI.asm").write_text("DMSINI   CSECT\n         LR    1,NOWHERE\n         END\n")
    with pytest.raises(BuildError, match="DMSINI.asm:2: .*NOWHERE"):
        build_nucleus(tmp_path)


def test_attention_from_the_console_after_cms_waited_reads_the_line(run_cms):
    run = run_cms([])
    assert run.stop == "enabled-wait"
    run.console.type_line("listfile * * s")
    run.console.press_request()
    assert run.machine.run(2_000_000) == "enabled-wait"
    lines = "".join(run.console.transcript).splitlines()
    assert lines[1:] == ["listfile * * s", *S_DISK_LINES, "R;"]


def test_an_attention_nobody_waits_for_is_ignored(run_cms):
    run = run_cms(["", ""], max_instructions=300)
    run.console.press_request()  # while CMS is busy: dismissed, the line stays
    assert run.machine.run(2_000_000) == "enabled-wait"
    assert "".join(run.console.transcript).splitlines() == ["CMS VERSION 6.0", "", "CMS", "", "CMS"]


def test_a_2311_system_disk_ipls_too(tmp_path, cms_system):
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2311
    from vm370.hardware.machine import Machine

    pack = create_image(tmp_path / "system.2311", "2311", 6)
    disk = build_system_disk(pack, 0, 6, cms_system.nucleus)
    assert disk.record_size == 3584  # a 2311 track holds 3,625 bytes
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    console.type_line("listfile * * s")
    machine.attach(0x009, console)
    device = Dasd2311(pack)
    machine.attach(0x190, device)
    try:
        machine.ipl(0x190)
        assert machine.run(2_000_000) == "enabled-wait"
    finally:
        device.close()
    assert "".join(console.transcript).splitlines() == [
        "CMS VERSION 6.0",
        "listfile * * s",
        *S_DISK_LINES,
        "R;",
    ]


def test_vm370_bare_ipls_the_system_disk_from_the_command_line(tmp_path, cms_system):
    from vm370.cli import main

    pack = tmp_path / "system.2314"
    pack.write_bytes(cms_system.pack.read_bytes())
    console = tmp_path / "console.txt"
    status = main(
        ["bare", "--attach", f"009=1052:{console}", "--attach", f"190=2314:{pack}", "--ipl", "190"]
    )
    assert status == 0
    # No operator typed anything: CMS said who it is and waits for the console.
    assert console.read_text() == "CMS VERSION 6.0\n"

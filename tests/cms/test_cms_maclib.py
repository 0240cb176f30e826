"""MACLIB GEN, ADD and LIST on the bare machine; the libraries checked with the host's reader."""

from __future__ import annotations

import pytest
from cms_disks import opened

from assembler.maclib import build_maclib, read_maclib
from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image

ONE = ["         MACRO", "&L       ONE   &A", "&L       DC    F'&A'", "         MEND"]
TWO = [
    "         MACRO",
    "         TWO",
    "* a comment in the body",
    "         NOPR  0",
    "         MEND",
]
THREE = ["         MACRO", "         THREE", "         NOPR  3", "         MEND"]
NEWONE = ["         MACRO", "         ONE", "         NOPR  1", "         MEND"]


@pytest.fixture
def macro_disk(tmp_path):
    path = create_image(tmp_path / "user.2314", "2314", 3)
    files = {
        "BOTH MACRO": "* two definitions in one file\n" + "\n".join(ONE + [""] + TWO) + "\n",
        "THREE MACRO": "\n".join(THREE) + "\n",
        "NEWONE MACRO": "\n".join(NEWONE) + "\n",
        "NOMEND MACRO": "         MACRO\n         HALF\n         NOPR 0\n",
        "LOOSE MACRO": "         SR    1,1\n",
    }
    with opened(path, 0, 3) as device:
        disk = CMSDisk.format(device, "USR191")
        for fileid, text in files.items():
            filename, filetype = fileid.split()
            disk.write(filename, filetype, text_to_records(text), "F", 80)
        disk.write("OLD", "MACLIB", build_maclib([("THREE", THREE)]), "F", 80)
        disk.write("JUNK", "MACLIB", text_to_records("NOT A LIBRARY\n"), "F", 80)
    return path


def library(path, name: str) -> dict[str, list[str]]:
    with opened(path, 0, 3) as device:
        disk = CMSDisk.open(device)
        entry = next(entry for entry in disk.files() if entry.filename == name)
        assert (entry.filetype, entry.recfm, entry.lrecl) == ("MACLIB", "F", 80)
        return read_maclib(disk.read(name, "MACLIB"))


def test_gen_makes_a_library_of_every_definition(run_cms, macro_disk):
    run = run_cms(["maclib gen mine both three"], disks={0x191: macro_disk})
    assert run.after("maclib gen mine both three") == ["R;"]
    run.close()
    assert library(macro_disk, "MINE") == {"ONE": ONE, "TWO": TWO, "THREE": THREE}


def test_add_puts_members_in_and_replaces_one_of_the_same_name(run_cms, macro_disk):
    run = run_cms(["maclib add old both", "maclib add old newone"], disks={0x191: macro_disk})
    assert run.after("maclib add old newone") == ["R;"]
    run.close()
    assert library(macro_disk, "OLD") == {"THREE": THREE, "ONE": NEWONE, "TWO": TWO}


def test_list_types_members_index_and_size(run_cms, macro_disk):
    run = run_cms(["maclib gen mine both three", "maclib list mine"], disks={0x191: macro_disk})
    assert run.after("maclib list mine") == [
        "MACRO    INDEX  SIZE",
        "ONE      00002  0004",
        "TWO      00007  0005",
        "THREE    00013  0004",
        "R;",
    ]


@pytest.mark.parametrize(
    "command, lines",
    [
        ("maclib", ["DMSLBM001E NO FILENAME SPECIFIED", "R(00024);"]),
        ("maclib gen mine", ["DMSLBM001E NO FILENAME SPECIFIED", "R(00024);"]),
        ("maclib zap mine both", ["DMSLBM014E INVALID FUNCTION", "R(00024);"]),
        ("maclib gen mine nosuch", ["DMSLBM002E FILE 'NOSUCH MACRO *' NOT FOUND", "R(00028);"]),
        ("maclib list nosuch", ["DMSLBM002E FILE 'NOSUCH MACLIB *' NOT FOUND", "R(00028);"]),
        (
            "maclib gen mine nomend",
            ["DMSLBM955E FILE 'NOMEND MACRO *' IS NOT MACRO ... MEND", "R(00032);"],
        ),
        (
            "maclib gen mine loose",
            ["DMSLBM955E FILE 'LOOSE MACRO *' IS NOT MACRO ... MEND", "R(00032);"],
        ),
        ("maclib list junk", ["DMSLBM952E THE LIBRARY IS NOT IN MACLIB FORMAT", "R(00088);"]),
        ("maclib add junk both", ["DMSLBM952E THE LIBRARY IS NOT IN MACLIB FORMAT", "R(00088);"]),
    ],
)
def test_errors(run_cms, macro_disk, command, lines):
    run = run_cms([command], disks={0x191: macro_disk})
    assert run.after(command) == lines


def test_assemble_on_the_bare_machine_says_it_needs_cp(run_cms, macro_disk):
    # The assembler is a CP service (DIAGNOSE X'0108'); the bare machine has no CP.
    run = run_cms(["assemble three", "assemble"], disks={0x191: macro_disk})
    assert run.after("assemble three")[:2] == ["DMSASM950E CP IS NOT AVAILABLE", "R(00040);"]
    assert run.after("assemble") == ["DMSASM001E NO FILENAME SPECIFIED", "R(00024);"]


def test_global_takes_at_most_eight_libraries(run_cms, macro_disk):
    run = run_cms(
        ["global maclib a b c d e f g h", "global maclib a b c d e f g h i"],
        disks={0x191: macro_disk},
    )
    assert run.after("global maclib a b c d e f g h")[0] == "R;"
    assert run.after("global maclib a b c d e f g h i") == [
        "DMSGLB014E INVALID FUNCTION",
        "R(00024);",
    ]

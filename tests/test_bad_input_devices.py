"""Bad host files for ``vm370 bare --attach``: a clear error, and no file is lost.

Output devices (1403, 2540P, 1052 with a file) create or replace their file
only when they first write; a file holding a disk pack is refused; a file one
device writes cannot be another device's deck or pack; a full disk is unit
check, never an exception in the run loop.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from channel_programs import ChannelRig, ccw

from vm370.cli import main
from vm370.hardware.devices import (
    CHANNEL_END,
    DEVICE_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_CHECK,
    DeviceError,
    create_device,
)
from vm370.hardware.devices.ckd_image import create_image
from vm370.hardware.devices.codepage import to_ebcdic

NEEDS_DEV_FULL = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bare(*arguments: str) -> int:
    return main(["bare", "--max-instructions", "10", "--json", *arguments])


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return create_image(tmp_path / "pack.2311", "2311", cylinders=2)


@pytest.mark.parametrize("device_type", ["1403", "2540P", "1052"])
def test_an_output_device_on_a_pack_image_is_refused_and_the_pack_kept(pack, capsys, device_type):
    before = digest(pack)
    assert bare("--attach", f"00E={device_type}:{pack}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds a disk pack image" in err[0], err
    assert digest(pack) == before


@pytest.mark.parametrize("order", ["reader first", "punch first"])
def test_a_punch_on_the_readers_deck_is_refused_and_the_deck_kept(tmp_path, capsys, order):
    deck = tmp_path / "deck.txt"
    deck.write_text("CARD ONE\nCARD TWO\n")
    attaches = [f"00C=2540R:{deck}", f"00D=2540P:{deck}"]
    if order == "punch first":
        attaches.reverse()
    assert bare(*(item for attach in attaches for item in ("--attach", attach))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be used by another" in err[0], err
    assert deck.read_text() == "CARD ONE\nCARD TWO\n"


def test_two_output_devices_on_one_file_are_refused(tmp_path, capsys):
    listing = tmp_path / "out.txt"
    listing.write_text("an earlier listing\n")
    linked = tmp_path / "link.txt"
    linked.symlink_to(listing)
    assert bare("--attach", f"00E=1403:{listing}", "--attach", f"01F=1052:{linked}") == 2
    assert "cannot be used by another" in capsys.readouterr().err
    assert listing.read_text() == "an earlier listing\n"


def test_a_pack_attached_read_only_still_cannot_be_printed_on(pack, capsys):
    before = digest(pack)
    assert bare("--attach", f"190=2311:{pack}:ro", "--attach", f"00E=1403:{pack}") == 2
    assert digest(pack) == before


def test_a_failed_attach_leaves_the_earlier_devices_files_as_they_were(tmp_path, capsys):
    listing = tmp_path / "listing.txt"
    listing.write_text("last week's listing\n")
    bad_pack = tmp_path / "bad.2314"
    bad_pack.write_bytes(b"not a pack")
    assert bare("--attach", f"00E=1403:{listing}", "--attach", f"190=2314:{bad_pack}") == 2
    assert "too short for a CKD image" in capsys.readouterr().err
    assert listing.read_text() == "last week's listing\n"
    assert bad_pack.read_bytes() == b"not a pack"


def test_the_output_file_is_replaced_at_the_first_line_printed(tmp_path):
    listing = tmp_path / "listing.txt"
    listing.write_text("old\n")
    printer = create_device("1403", str(listing))
    rig = ChannelRig()
    rig.attach(0x00E, printer)
    assert listing.read_text() == "old\n"
    rig.storage.write(0x1000, to_ebcdic("NEW"))
    rig.program([ccw(0x09, 0x1000, 0x20, 3)])
    assert rig.start_io(0x00E) == 0
    rig.run_to_interrupt()
    printer.close()
    assert listing.read_text() == "NEW\n"


@pytest.mark.parametrize("device_type", ["1403", "2540P", "1052"])
def test_an_output_file_in_a_missing_directory_or_a_directory_is_a_typed_error(
    tmp_path, device_type
):
    with pytest.raises(DeviceError, match="No such file or directory"):
        create_device(device_type, str(tmp_path / "no" / "such.txt"))
    with pytest.raises(DeviceError, match="Is a directory"):
        create_device(device_type, str(tmp_path))


@NEEDS_DEV_FULL
@pytest.mark.parametrize(
    ("device_type", "command", "address"),
    [("1403", 0x09, 0x00E), ("2540P", 0x01, 0x00D), ("1052", 0x09, 0x01F)],
)
def test_a_full_disk_is_unit_check_with_intervention_required(device_type, command, address):
    device = create_device(device_type, "/dev/full")
    rig = ChannelRig()
    rig.attach(address, device)
    rig.storage.write(0x1000, to_ebcdic("X" * 80))
    rig.program([ccw(command, 0x1000, 0x20, 80)])
    cc = rig.start_io(address)
    csw = rig.csw() if cc == 1 else rig.run_to_interrupt()[1]
    assert csw.unit_status == CHANNEL_END | DEVICE_END | UNIT_CHECK
    assert device.sense[0] & SENSE_INTERVENTION_REQUIRED
    device.close()  # never raises, even with the line still unwritten


def test_ipl_from_an_empty_deck_says_so_and_keeps_the_deck(tmp_path, capsys):
    deck = tmp_path / "empty.txt"
    deck.write_bytes(b"")
    assert main(["bare", "--attach", f"00C=2540R:{deck}", "--ipl", "00C"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "an empty deck?" in err[0], err
    assert deck.read_bytes() == b""


def test_ipl_from_a_blank_pack_says_it_has_no_ipl_record_and_keeps_the_pack(pack, capsys):
    before = digest(pack)
    assert main(["bare", "--attach", f"190=2311:{pack}", "--ipl", "190"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no IPL record" in err[0], err
    assert digest(pack) == before


def test_ipl_of_a_text_deck_that_is_no_program_is_a_program_check(tmp_path, capsys):
    deck = tmp_path / "letter.txt"
    deck.write_text("DEAR SIR,\nTHIS IS NOT A PROGRAM.\n")
    assert main(["bare", "--attach", f"00C=2540R:{deck}", "--ipl", "00C"]) == 2
    assert "is it bootable?" in capsys.readouterr().err
    assert deck.read_text() == "DEAR SIR,\nTHIS IS NOT A PROGRAM.\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_deck_is_refused_before_it_fills_memory(capsys):
    assert bare("--attach", "00C=2540R:/dev/zero") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "larger than 32 MB" in err[0], err


def test_a_sparse_image_claiming_more_cylinders_than_cchh_can_address_is_refused(
    pack, tmp_path, capsys
):
    huge = tmp_path / "huge.2311"
    header = pack.read_bytes()[:512]
    with open(huge, "wb") as image:
        image.write(header)
        image.truncate(512 + 10 * 4096 * 65536)  # sparse: 65536 cylinders of 10 tracks
    assert bare("--attach", f"190=2311:{huge}") == 2
    assert "at most 65535" in capsys.readouterr().err
    assert huge.stat().st_size == 512 + 10 * 4096 * 65536


def test_an_interrupted_dasd_create_leaves_no_partial_pack(tmp_path, monkeypatch):
    from vm370.hardware.devices import ckd_image

    made = []

    def interrupted(track, size):
        made.append(track)
        if len(made) > 25:
            raise KeyboardInterrupt
        return original(track, size)

    original = ckd_image.serialize_track
    monkeypatch.setattr(ckd_image, "serialize_track", interrupted)
    target = tmp_path / "half.2311"
    with pytest.raises(KeyboardInterrupt):
        create_image(target, "2311", cylinders=5)
    assert not target.exists()


@pytest.mark.parametrize("existing", ["a pack", "a text file", "a directory"])
def test_dasd_create_never_overwrites_and_says_so_in_one_line(tmp_path, pack, capsys, existing):
    target = {"a pack": pack, "a text file": tmp_path / "notes.txt", "a directory": tmp_path}[
        existing
    ]
    if existing == "a text file":
        target.write_text("my notes\n")
    before = digest(target) if target.is_file() else None
    assert main(["dasd", "create", "2314", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0], err
    assert (digest(target) if target.is_file() else None) == before


def test_dasd_create_in_a_missing_directory_is_one_line_and_creates_nothing(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "pack.2314"
    assert main(["dasd", "create", "2314", str(target)]) == 2
    assert "cannot create" in capsys.readouterr().err
    assert not target.parent.exists()


def test_a_text_deck_with_a_byte_order_mark_reads_as_its_cards(tmp_path):
    from vm370.hardware.devices.card2540 import read_deck

    deck = tmp_path / "deck.txt"
    deck.write_bytes(b"\xef\xbb\xbfCARD ONE\nCARD TWO\n")
    cards = read_deck(deck)
    assert cards[0] == to_ebcdic("CARD ONE".ljust(80)) and len(cards) == 2
    assert deck.read_bytes() == b"\xef\xbb\xbfCARD ONE\nCARD TWO\n"

"""The CKD image format: creating, validating, tracks, and exchange with Hercules' tools."""

import os
import shutil
import subprocess

import pytest
from channel_programs import ChannelRig, ccw
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.cli import main
from vm370.hardware.channel import CHAIN_COMMAND
from vm370.hardware.devices.ckd_image import (
    GEOMETRIES,
    CKDImage,
    CKDImageError,
    ReadOnlyImageError,
    Record,
    Track,
    create_image,
    parse_track,
    serialize_track,
)
from vm370.hardware.devices.codepage import printable
from vm370.hardware.devices.dasd import Dasd2311, Dasd2314

needs_hercules = pytest.mark.skipif(
    shutil.which("dasdinit") is None or shutil.which("dasdcopy") is None,
    reason="Hercules' dasdinit/dasdcopy are not installed",
)


def hercules(*arguments, cwd):
    done = subprocess.run(arguments, capture_output=True, text=True, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_blank_pack_has_the_hercules_header_and_r0_on_every_track(tmp_path):
    path = create_image(tmp_path / "p.2314", "2314", cylinders=2)
    raw = path.read_bytes()
    assert raw[:8] == b"CKD_P370"
    assert raw[8:12] == (20).to_bytes(4, "little")
    assert raw[12:16] == (7680).to_bytes(4, "little")
    assert raw[16] == 0x14
    assert len(raw) == 512 + 2 * 20 * 7680
    image = CKDImage(path, read_only=True)
    assert image.cylinders == 2
    track = image.read_track(1, 19)
    assert track.home_address == bytes.fromhex("0000010013")
    assert track.records == [Record(1, 19, 0, b"", bytes(8))]


def test_create_refuses_to_overwrite_and_unknown_types(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    before = path.read_bytes()
    with pytest.raises(CKDImageError, match="already exists"):
        create_image(path, "2311", cylinders=1)
    assert path.read_bytes() == before
    with pytest.raises(CKDImageError, match="unknown DASD type"):
        create_image(tmp_path / "x", "3390")


def test_truncated_image_is_refused(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=2)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CKDImageError, match="truncated"):
        CKDImage(path)


def test_short_file_and_foreign_header_are_refused(tmp_path):
    short = tmp_path / "short"
    short.write_bytes(b"CKD_P370")
    with pytest.raises(CKDImageError, match="too short"):
        CKDImage(short)
    foreign = tmp_path / "foreign"
    foreign.write_bytes(b"NOTADISK" + bytes(1000))
    with pytest.raises(CKDImageError, match="not a CKD disk image"):
        CKDImage(foreign)
    compressed = tmp_path / "compressed"
    compressed.write_bytes(b"CKD_C370" + bytes(1000))
    with pytest.raises(CKDImageError, match="compressed"):
        CKDImage(compressed)


def test_header_that_disagrees_with_its_device_type_is_refused(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    raw = bytearray(path.read_bytes())
    raw[8:12] = (19).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(CKDImageError, match="does not match a 2311"):
        CKDImage(path)


def test_corrupt_track_is_reported_with_its_address(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    raw = bytearray(path.read_bytes())
    slot = 512 + 3 * 4096
    raw[slot + 5 : slot + 4096] = b"\x00" * (4096 - 5)  # no end-of-track marker
    path.write_bytes(bytes(raw))
    image = CKDImage(path)
    with pytest.raises(CKDImageError, match="cylinder 0 head 3"):
        image.read_track(0, 3)


def test_write_to_a_read_only_image_is_refused_and_changes_nothing(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    before = path.read_bytes()
    image = CKDImage(path, read_only=True)
    with pytest.raises(ReadOnlyImageError):
        image.write_track(0, 0, Track.blank(0, 0))
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_read_only_file_permissions_attach_the_pack_read_only(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    path.chmod(0o444)
    try:
        disk = Dasd2311(path)
        assert disk.read_only and disk.image.read_only
    finally:
        path.chmod(0o644)


def test_track_outside_the_pack_is_refused(tmp_path):
    image = CKDImage(create_image(tmp_path / "p.2311", "2311", cylinders=1))
    with pytest.raises(CKDImageError, match="outside the pack"):
        image.read_track(1, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.binary(max_size=12), st.binary(max_size=300)),
        max_size=8,
    )
)
def test_tracks_serialize_and_parse_back(records):
    track = Track.blank(7, 3)
    for number, (key, data) in enumerate(records, start=1):
        track.records.append(Record(7, 3, number, key, data))
    raw = serialize_track(track, GEOMETRIES["2311"].track_size)
    assert len(raw) == 4096
    assert parse_track(raw, "test") == track


def test_dasd_create_command_makes_a_pack_and_reports_it(tmp_path, capsys):
    path = tmp_path / "new.2314"
    assert main(["dasd", "create", "2314", str(path), "--cylinders", "3"]) == 0
    assert "2314 pack, 3 cylinders" in capsys.readouterr().out
    assert CKDImage(path).cylinders == 3
    assert main(["dasd", "create", "2314", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["dasd", "create", "9999", str(tmp_path / "other")]) == 2
    assert "unknown DASD type" in capsys.readouterr().err


@needs_hercules
@pytest.mark.parametrize(
    "device_type, options, cylinders",
    [("2311", [], 5), ("2314", [], 3), ("2311", ["-a"], None)],
)
def test_vm370_dasd_create_matches_hercules_dasdinit_byte_for_byte(
    tmp_path, device_type, options, cylinders
):
    ours = tmp_path / "ours"
    theirs = tmp_path / "theirs"
    arguments = ["dasd", "create", device_type, str(ours)]
    if cylinders:
        arguments += ["--cylinders", str(cylinders)]
    if options:
        arguments.append("--alternates")
    assert main(arguments) == 0
    size = [str(cylinders)] if cylinders else []
    hercules("dasdinit", "-r", *options, str(theirs), device_type, *size, cwd=tmp_path)
    assert ours.read_bytes() == theirs.read_bytes()


@needs_hercules
def test_pack_written_by_our_channel_programs_survives_hercules_dasdcopy(tmp_path):
    """Hercules reads every track of our pack (compressing it) and writes it back unchanged."""
    pack = tmp_path / "ours.2311"
    assert main(["dasd", "create", "2311", str(pack), "--cylinders", "2"]) == 0
    image = CKDImage(pack)
    track = image.read_track(1, 4)
    track.records += [
        Record(1, 4, 1, b"KEY1", b"first record" * 20),
        Record(1, 4, 2, b"", bytes(range(256)) * 3),
    ]
    image.write_track(1, 4, track)
    image.close()
    hercules("dasdcopy", "-q", "-o", "CCKD", str(pack), "copy.cckd", cwd=tmp_path)
    hercules("dasdcopy", "-q", "-o", "CKD", "copy.cckd", "back.ckd", cwd=tmp_path)
    assert (tmp_path / "back.ckd").read_bytes() == pack.read_bytes()


@needs_hercules
def test_pack_made_by_hercules_dasdinit_is_read_by_a_channel_program(tmp_path):
    """dasdinit writes IPL1, IPL2 and VOL1 on track 0: search key VOL1 and read it."""
    hercules("dasdinit", "-a", "herc.2314", "2314", "VOL123", cwd=tmp_path)
    rig = ChannelRig()
    rig.attach(0x190, Dasd2314(tmp_path / "herc.2314"))
    rig.storage.write(0x600, bytes(6))
    rig.storage.write(0x610, "VOL1".encode("cp037"))
    rig.program(
        [
            ccw(0x07, 0x600, CHAIN_COMMAND, 6),
            ccw(0x29, 0x610, CHAIN_COMMAND, 4),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, 0x1000, 0, 80),
        ]
    )
    assert rig.start_io(0x190) == 0
    _, csw = rig.run_to_interrupt()
    assert (csw.unit_status, csw.channel_status) == (0x0C, 0)
    assert printable(rig.storage.read(0x1000, 10)) == "VOL1VOL123"
    rig.channels.close()


@pytest.mark.skipif(os.name != "posix", reason="packs are locked on POSIX hosts only")
def test_a_pack_cannot_be_attached_twice_for_writing(tmp_path):
    path = create_image(tmp_path / "p.2311", "2311", cylinders=1)
    first = Dasd2311(path)
    with pytest.raises(CKDImageError, match="in use"):
        Dasd2311(path)
    first.close()
    readers = [Dasd2311(path, read_only=True), Dasd2311(path, read_only=True)]
    with pytest.raises(CKDImageError, match="in use"):
        Dasd2311(path)
    for reader in readers:
        reader.close()
    Dasd2311(path).close()


def test_a_killed_dasd_create_leaves_no_partial_pack_and_can_be_run_again(tmp_path, capsys):
    import resource
    import signal
    import sys
    from pathlib import Path

    path = tmp_path / "new.2314"
    script = (
        "import signal, sys\nsignal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        "from vm370.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )

    def limit_file_size():
        # The kernel kills the process (SIGXFSZ) when the pack reaches 1 MB.
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    done = subprocess.run(
        [sys.executable, "-c", script, "dasd", "create", "2314", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        preexec_fn=limit_file_size,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGXFSZ
    assert not path.exists()
    assert main(["dasd", "create", "2314", str(path), "--cylinders", "2"]) == 0
    assert CKDImage(path).cylinders == 2

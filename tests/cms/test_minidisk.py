"""Blocks to CCHHR on 2311 and 2314 minidisks, and writes landing in the right record."""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.minidisk import Minidisk, MinidiskError, block_geometry
from vm370.hardware.devices.ckd_image import CKDImage


@pytest.mark.parametrize(
    ("device_type", "block", "where"),
    [
        ("2311", 1, (0, 0, 1)),
        ("2311", 4, (0, 0, 4)),
        ("2311", 5, (0, 1, 1)),
        ("2311", 40, (0, 9, 4)),
        ("2311", 41, (1, 0, 1)),
        ("2314", 3, (0, 0, 3)),
        ("2314", 7, (0, 0, 7)),
        ("2314", 8, (0, 1, 1)),
        ("2314", 140, (0, 19, 7)),
        ("2314", 141, (1, 0, 1)),
    ],
)
def test_block_location(pack, device_type, block, where):
    with opened(pack(device_type, 3), 0, 3) as device:
        assert device.location(block) == where


def test_blocks_outside_the_minidisk_are_refused(pack):
    with opened(pack("2311", 3), 1, 2) as device:
        assert device.blocks == 80
        for block in (0, 81):
            with pytest.raises(MinidiskError, match="outside the minidisk"):
                device.location(block)


def test_extent_outside_the_pack_is_refused(pack):
    image = CKDImage(pack("2311", 3))
    try:
        with pytest.raises(MinidiskError, match="outside"):
            Minidisk(image, 2, 2)
    finally:
        image.close()


def test_write_lands_in_the_record_of_its_cylinder_offset(pack):
    path = pack("2314", 4)
    with opened(path, 2, 2) as device:
        for cylinder in range(2):
            for head in range(20):
                device.format_track(cylinder, head, {})
        device.write_block(141 + 7 + 2, b"\x5a" * 800)  # cylinder 1, head 1, record 3
        assert device.read_block(150) == b"\x5a" * 800
    image = CKDImage(path, read_only=True)
    try:
        track = image.read_track(3, 1)  # minidisk cylinder 1 is pack cylinder 3
        record = next(r for r in track.records if r.record == 3)
        assert record.data == b"\x5a" * 800
        assert (record.cylinder, record.head) == (3, 1)
        assert [len(r.data) for r in track.records] == [8] + [800] * 7
    finally:
        image.close()


def test_reading_an_unformatted_track_names_the_block(pack):
    with (
        opened(pack("2311", 2), 0, 2) as device,
        pytest.raises(MinidiskError, match="block 9 .*not CMS-formatted"),
    ):
        device.read_block(9)


def test_only_2311_and_2314_hold_cms_disks():
    with pytest.raises(MinidiskError, match="2311 or 2314"):
        block_geometry("3330")

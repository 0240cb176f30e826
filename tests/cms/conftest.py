"""Pack images and minidisks for the CMS file-system tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk
from vm370.hardware.devices.ckd_image import create_image


@pytest.fixture
def pack(tmp_path: Path) -> Callable[..., Path]:
    """make_pack(device_type="2311", cylinders=12) -> the path of a blank pack image."""

    def make_pack(device_type: str = "2311", cylinders: int = 12) -> Path:
        return create_image(tmp_path / f"pack{cylinders}.{device_type}", device_type, cylinders)

    return make_pack


@pytest.fixture
def formatted(pack) -> Path:
    """A 2311 pack with a CMS disk LABEL1 on cylinders 2-11 (400 blocks)."""
    path = pack("2311", 12)
    with opened(path, 2, 10) as device:
        CMSDisk.format(device, "LABEL1")
    return path

"""Open a CMS minidisk on a pack image for the duration of a with-block (tests/cms)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cms.minidisk import Minidisk
from vm370.hardware.devices.ckd_image import CKDImage


@contextmanager
def opened(path: Path, start: int, cylinders: int, read_only: bool = False) -> Iterator[Minidisk]:
    image = CKDImage(path, read_only=read_only)
    try:
        yield Minidisk(image, start, cylinders)
    finally:
        image.close()

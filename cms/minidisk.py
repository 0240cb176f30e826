"""A minidisk as numbered 800-byte blocks: a cylinder extent of a CKD pack image.

Block *n* (from 1) is record ``(n-1) % per_track + 1`` of its track, tracks
filled head by head and cylinder by cylinder from the extent's first
cylinder (docs/cms-disk-format.md). Every write goes to the image file at
once (read the track, replace the record, write the track back);
``flush`` makes the writes so far durable, which the file system uses to
order its updates.
"""

from __future__ import annotations

from dataclasses import dataclass

from cms.layout import constant
from vm370.hardware.devices.ckd_image import CKDImage, Record, Track


class MinidiskError(Exception):
    """A block that cannot be read or written: outside the disk, or a track not formatted."""


@dataclass(frozen=True)
class BlockGeometry:
    """How a device type holds CMS blocks."""

    device_type: str
    type_code: int  # the MFD's device type byte
    blocks_per_track: int
    tracks_per_cylinder: int

    @property
    def blocks_per_cylinder(self) -> int:
        return self.blocks_per_track * self.tracks_per_cylinder


def block_geometry(device_type: str) -> BlockGeometry:
    """The CMS block layout of a 2311 or 2314, from the MFDD macro's constants."""
    suffix = {"2311": "11", "2314": "14"}.get(device_type)
    if suffix is None:
        raise MinidiskError(f"CMS disks are 2311 or 2314 minidisks, not {device_type}")
    return BlockGeometry(
        device_type,
        constant(f"CMSDT{suffix}"),
        constant(f"CMSBPT{suffix}"),
        constant(f"CMSTPC{suffix}"),
    )


class Minidisk:
    """Cylinders ``start`` .. ``start + cylinders - 1`` of an open pack image, as CMS blocks."""

    def __init__(self, image: CKDImage, start: int, cylinders: int) -> None:
        if start < 0 or cylinders < 1 or start + cylinders > image.cylinders:
            raise MinidiskError(
                f"extent {start}:{cylinders} (cylinders {start}-{start + cylinders - 1}) is "
                f"outside {image.path}, which has cylinders 0-{image.cylinders - 1}"
            )
        self.image = image
        self.start = start
        self.cylinders = cylinders
        self.geometry = block_geometry(image.geometry.device_type)
        self.block_size = constant("CMSBLKSZ")
        full_track = [(0, self.block_size)] * self.geometry.blocks_per_track
        if image.geometry.space_used(full_track) > image.geometry.capacity:
            raise MinidiskError(
                f"{self.geometry.blocks_per_track} blocks of {self.block_size} bytes do not fit "
                f"a {self.device_type} track (the MFDD macro's constants disagree with the DASD)"
            )
        self.blocks = cylinders * self.geometry.blocks_per_cylinder
        self._cached: tuple[tuple[int, int], Track] | None = None

    @property
    def device_type(self) -> str:
        return self.geometry.device_type

    def location(self, block: int) -> tuple[int, int, int]:
        """The (cylinder relative to the minidisk, head, record) of ``block``."""
        if not 1 <= block <= self.blocks:
            raise MinidiskError(f"block {block} is outside the minidisk (blocks 1-{self.blocks})")
        geometry = self.geometry
        relative = block - 1
        cylinder, within = divmod(relative, geometry.blocks_per_cylinder)
        head, record = divmod(within, geometry.blocks_per_track)
        return cylinder, head, record + 1

    def _track(self, cylinder: int, head: int) -> Track:
        key = (cylinder, head)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        track = self.image.read_track(self.start + cylinder, head)
        self._cached = (key, track)
        return track

    def read_block(self, block: int) -> bytes:
        cylinder, head, record = self.location(block)
        track = self._track(cylinder, head)
        for candidate in track.records:
            if candidate.record == record:
                if len(candidate.data) != self.block_size or candidate.key:
                    raise MinidiskError(
                        f"block {block} (cylinder {cylinder} head {head} record {record}) is "
                        f"{len(candidate.data)} bytes, not a CMS block (disk not CMS-formatted?)"
                    )
                return candidate.data
        raise MinidiskError(
            f"block {block} (cylinder {cylinder} head {head} record {record}) is missing: "
            "the track is not CMS-formatted"
        )

    def write_block(self, block: int, data: bytes) -> None:
        if len(data) != self.block_size:
            raise ValueError(f"a block is {self.block_size} bytes, not {len(data)}")
        cylinder, head, record = self.location(block)
        track = self._track(cylinder, head)
        for index, candidate in enumerate(track.records):
            if candidate.record == record and not candidate.key:
                if len(candidate.data) != self.block_size:
                    break
                records = list(track.records)
                records[index] = Record(candidate.cylinder, candidate.head, record, b"", data)
                self._write_track(cylinder, head, Track(track.home_address, records))
                return
        raise MinidiskError(
            f"block {block} (cylinder {cylinder} head {head} record {record}) cannot be "
            "written: the track is not CMS-formatted"
        )

    def format_track(self, cylinder: int, head: int, contents: dict[int, bytes]) -> None:
        """Write a whole track of empty blocks: R0, then R1..Rn of 800 bytes (``contents``
        gives the data of some records by record number; the rest are zeros)."""
        real_cylinder = self.start + cylinder
        track = Track.blank(real_cylinder, head)
        empty = bytes(self.block_size)
        for record in range(1, self.geometry.blocks_per_track + 1):
            data = contents.get(record, empty)
            track.records.append(Record(real_cylinder, head, record, b"", data))
        self._write_track(cylinder, head, track)

    def _write_track(self, cylinder: int, head: int, track: Track) -> None:
        self._cached = None
        self.image.write_track(self.start + cylinder, head, track)
        self._cached = ((cylinder, head), track)

    def flush(self) -> None:
        self.image.flush()

"""Disk packs as files: Hercules' uncompressed CKD image format ("CKD_P370").

The format, as Hercules documents it, so packs move between the two systems:

- a 512-byte device header: the identifier ``CKD_P370`` (8 bytes), the
  number of heads (tracks per cylinder) and the track size in the file
  (4 bytes each, little-endian), the device type's low byte (X'11' for a
  2311, X'14' for a 2314), the file sequence number and the highest
  cylinder (2 bytes, little-endian; both zero for a pack in one file), and
  zeros to the end;
- then every track, cylinder by cylinder and head by head, in a slot of
  exactly "track size" bytes: the 5-byte home address (flag byte, CC, HH),
  then each record as its 8-byte count field (CC HH R KL DL, big-endian)
  followed by its key and data, then eight X'FF' bytes (end of track), and
  zeros to the end of the slot.

The track size of the file is the room for the home address, a standard R0,
the largest R1 and the end marker, rounded up to 512 bytes: 4096 for a 2311
and 7680 for a 2314.

Tracks are read and written one at a time (a pack is never all in memory),
and every write goes straight to the file. An open image is locked (one
read/write user, or any number of read-only ones) so a pack cannot be
attached twice for writing. A truncated or corrupt image, a
compressed one, or a write to a pack opened read-only raises a typed error
and leaves the file as it was.
"""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from vm370.hardware.devices import DeviceError
from vm370.hardware.host_files import new_file

try:
    import fcntl
except ImportError:  # not a POSIX host: packs are not locked
    fcntl = None

HEADER_SIZE = 512
IMAGE_ID = b"CKD_P370"
COMPRESSED_IDS = (b"CKD_C370", b"CKD_S370", b"CKD_C064", b"CKD_S064")
HOME_ADDRESS_LENGTH = 5
COUNT_LENGTH = 8
END_OF_TRACK = b"\xff" * 8
STANDARD_R0_DATA = 8


class CKDImageError(DeviceError):
    """A disk image that cannot be used: missing, truncated, corrupt or unsupported."""


class ReadOnlyImageError(CKDImageError):
    """A write to a pack opened read-only."""


@dataclass(frozen=True)
class Geometry:
    """One DASD type: its size and its track capacity rule.

    Track capacity (IBM reference summaries; the same figures Hercules uses):
    a record that is not the last on the track takes
    ``record_overhead + (KL + DL) * factor`` bytes, plus ``key_overhead`` if it
    has a key; the last record takes KL + DL (plus ``key_overhead`` with a
    key); R1..Rn must fit in ``capacity`` (the R1 capacity with a standard R0).
    """

    device_type: str
    device_code: int
    cylinders: int
    alternates: int
    heads: int
    capacity: int
    track_size: int
    key_overhead: int
    record_overhead: int
    factor_numerator: int
    factor_denominator: int
    byte_time: int  # virtual microseconds per byte under the head (transfer rate)

    def space_used(self, key_lengths_and_data_lengths: list[tuple[int, int]]) -> int:
        """Bytes of track capacity that records R1..Rn (key, data lengths) take."""
        used = 0
        last = len(key_lengths_and_data_lengths) - 1
        for index, (key_length, data_length) in enumerate(key_lengths_and_data_lengths):
            key_part = self.key_overhead if key_length else 0
            if index == last:
                used += key_part + key_length + data_length
            else:
                scaled = math.ceil(
                    (key_length + data_length) * self.factor_numerator / self.factor_denominator
                )
                used += key_part + self.record_overhead + scaled
        return used


GEOMETRIES: dict[str, Geometry] = {
    "2311": Geometry("2311", 0x11, 200, 3, 10, 3625, 4096, 20, 61, 537, 512, 6),
    "2314": Geometry("2314", 0x14, 200, 3, 20, 7294, 7680, 45, 101, 2137, 2048, 3),
}
_BY_CODE = {geometry.device_code: geometry for geometry in GEOMETRIES.values()}


@dataclass
class Record:
    """One CKD record: its identifier (CCHHR), key and data."""

    cylinder: int
    head: int
    record: int
    key: bytes = b""
    data: bytes = b""

    @property
    def identifier(self) -> bytes:
        """The 5-byte CCHHR that Search ID compares."""
        return struct.pack(">HHB", self.cylinder, self.head, self.record)

    def count_field(self) -> bytes:
        return self.identifier + struct.pack(">BH", len(self.key), len(self.data))

    @classmethod
    def from_count(cls, count: bytes, key: bytes, data: bytes) -> Record:
        cylinder, head, record = struct.unpack(">HHB", count[:5])
        return cls(cylinder, head, record, bytes(key), bytes(data))

    def length(self) -> int:
        return COUNT_LENGTH + len(self.key) + len(self.data)


@dataclass
class Track:
    """A track: its home address (flag, CC, HH) and its records, R0 first."""

    home_address: bytes
    records: list[Record] = field(default_factory=list)

    @classmethod
    def blank(cls, cylinder: int, head: int) -> Track:
        """A formatted empty track: home address and a standard R0 (8 zero bytes)."""
        home = b"\x00" + struct.pack(">HH", cylinder, head)
        return cls(home, [Record(cylinder, head, 0, b"", bytes(STANDARD_R0_DATA))])

    def image_length(self) -> int:
        return HOME_ADDRESS_LENGTH + sum(r.length() for r in self.records) + len(END_OF_TRACK)


def serialize_track(track: Track, track_size: int) -> bytes:
    """A track as its slot in the image file."""
    parts = [bytes(track.home_address)]
    for record in track.records:
        parts += [record.count_field(), record.key, record.data]
    parts.append(END_OF_TRACK)
    raw = b"".join(parts)
    if len(raw) > track_size:
        raise CKDImageError(f"track of {len(raw)} bytes does not fit a {track_size}-byte slot")
    return raw.ljust(track_size, b"\x00")


def parse_track(raw: bytes, where: str) -> Track:
    """A track slot back into its records; CKDImageError if it is not well formed."""
    if len(raw) < HOME_ADDRESS_LENGTH + len(END_OF_TRACK):
        raise CKDImageError(f"{where}: track slot is only {len(raw)} bytes")
    track = Track(bytes(raw[:HOME_ADDRESS_LENGTH]))
    position = HOME_ADDRESS_LENGTH
    limit = len(raw)
    while True:
        if position + COUNT_LENGTH > limit:
            raise CKDImageError(f"{where}: no end-of-track marker (corrupt image)")
        count = raw[position : position + COUNT_LENGTH]
        if count == END_OF_TRACK:
            return track
        key_length = count[5]
        data_length = int.from_bytes(count[6:8], "big")
        start = position + COUNT_LENGTH
        end = start + key_length + data_length
        if end + len(END_OF_TRACK) > limit:
            raise CKDImageError(
                f"{where}: record {count[4]} ({key_length}+{data_length} bytes) runs past "
                "the end of the track (corrupt image)"
            )
        track.records.append(
            Record.from_count(count, raw[start : start + key_length], raw[start + key_length : end])
        )
        position = end


def _header(geometry: Geometry) -> bytes:
    header = IMAGE_ID + struct.pack(
        "<IIBBH", geometry.heads, geometry.track_size, geometry.device_code, 0, 0
    )
    return header.ljust(HEADER_SIZE, b"\x00")


def create_image(
    path: str | Path, device_type: str, cylinders: int | None = None, alternates: bool = False
) -> Path:
    """Write a blank pack: every track with its home address and a standard R0.

    The result is byte for byte what Hercules' ``dasdinit -r`` writes (with
    ``-a`` for the alternate cylinders). An existing file is never overwritten.
    """
    geometry = GEOMETRIES.get(device_type.upper()) if device_type else None
    if geometry is None:
        known = ", ".join(GEOMETRIES)
        raise CKDImageError(f"unknown DASD type {device_type!r}; known types: {known}")
    if cylinders is None:
        cylinders = geometry.cylinders + (geometry.alternates if alternates else 0)
    if not 1 <= cylinders <= 0xFFFF:
        raise CKDImageError(f"a pack has 1 to 65535 cylinders, not {cylinders}")
    path = Path(path)
    # Written under a temporary name and renamed when complete (host_files): a full
    # disk, Ctrl+C or a killed process never leaves a partial pack under the name.
    try:
        with new_file(path, overwrite=False) as handle:
            handle.write(_header(geometry))
            for cylinder in range(cylinders):
                slots = [
                    serialize_track(Track.blank(cylinder, head), geometry.track_size)
                    for head in range(geometry.heads)
                ]
                handle.write(b"".join(slots))
    except FileExistsError:
        raise CKDImageError(f"{path} already exists; remove it or choose another name") from None
    except OSError as error:
        raise CKDImageError(f"cannot create {path}: {error.strerror}") from None
    return path


class CKDImage:
    """An open pack image: validated on open, read and written a track at a time."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        try:
            self._file = open(self.path, "rb" if read_only else "r+b")  # noqa: SIM115
        except FileNotFoundError:
            raise CKDImageError(f"disk image {self.path} does not exist") from None
        except IsADirectoryError:
            raise CKDImageError(f"disk image {self.path} is a directory") from None
        except PermissionError:
            raise CKDImageError(
                f"disk image {self.path} cannot be opened for writing; attach it read-only"
            ) from None
        except OSError as error:
            raise CKDImageError(f"cannot open disk image {self.path}: {error.strerror}") from None
        try:
            self._lock()
            self.geometry, self.cylinders = self._validate()
        except CKDImageError:
            self._file.close()
            raise

    def _lock(self) -> None:
        """One writer or many readers: a pack attached twice read/write would be corrupted."""
        if fcntl is None:
            return
        mode = fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX
        try:
            fcntl.flock(self._file.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CKDImageError(
                f"disk image {self.path} is in use (attached read/write elsewhere, or being "
                "read while this attaches it read/write); detach it there first"
            ) from None

    def _validate(self) -> tuple[Geometry, int]:
        header = self._file.read(HEADER_SIZE)
        name = self.path
        if len(header) < HEADER_SIZE:
            raise CKDImageError(
                f"{name} is {len(header)} bytes, too short for a CKD image (truncated?)"
            )
        identifier = header[:8]
        if identifier in COMPRESSED_IDS:
            raise CKDImageError(
                f"{name} is a compressed (CCKD) image; convert it first with Hercules' "
                "`dasdcopy -o CKD IN OUT`"
            )
        if identifier != IMAGE_ID:
            raise CKDImageError(f"{name} is not a CKD disk image (no CKD_P370 header)")
        heads, track_size, code, file_sequence, high_cylinder = struct.unpack(
            "<IIBBH", header[8:20]
        )
        geometry = _BY_CODE.get(code)
        if geometry is None:
            raise CKDImageError(
                f"{name} is for device type X'{code:02X}'; supported: " + ", ".join(GEOMETRIES)
            )
        if heads != geometry.heads or track_size != geometry.track_size:
            raise CKDImageError(
                f"{name}: {heads} heads of {track_size} bytes does not match a "
                f"{geometry.device_type} ({geometry.heads} heads of {geometry.track_size})"
            )
        if file_sequence not in (0,) or high_cylinder:
            raise CKDImageError(f"{name} is one file of a multi-file image (not supported)")
        size = os.fstat(self._file.fileno()).st_size
        cylinder_bytes = heads * track_size
        body = size - HEADER_SIZE
        if body <= 0 or body % cylinder_bytes:
            whole = body // cylinder_bytes
            raise CKDImageError(
                f"{name} is truncated or padded: {body} bytes of tracks is not a whole "
                f"number of {cylinder_bytes}-byte cylinders ({whole} whole)"
            )
        cylinders = body // cylinder_bytes
        if cylinders > 0xFFFF:
            # CCHH addresses 65,536 cylinders at most; create_image never makes more.
            raise CKDImageError(
                f"{name} has {cylinders} cylinders; a pack has at most 65535 (not a pack image?)"
            )
        return geometry, cylinders

    @property
    def heads(self) -> int:
        return self.geometry.heads

    def _offset(self, cylinder: int, head: int) -> int:
        if not (0 <= cylinder < self.cylinders and 0 <= head < self.heads):
            raise CKDImageError(
                f"{self.path}: track {cylinder}/{head} is outside the pack "
                f"({self.cylinders} cylinders, {self.heads} heads)"
            )
        track_number = cylinder * self.heads + head
        return HEADER_SIZE + track_number * self.geometry.track_size

    def read_track(self, cylinder: int, head: int) -> Track:
        offset = self._offset(cylinder, head)
        raw = os.pread(self._file.fileno(), self.geometry.track_size, offset)
        return parse_track(raw, f"{self.path} cylinder {cylinder} head {head}")

    def write_track(self, cylinder: int, head: int, track: Track) -> None:
        if self.read_only:
            raise ReadOnlyImageError(f"{self.path} is attached read-only; the write is refused")
        offset = self._offset(cylinder, head)
        raw = serialize_track(track, self.geometry.track_size)
        os.pwrite(self._file.fileno(), raw, offset)

    def fits(self, track: Track) -> bool:
        """Do the records of ``track`` fit its capacity (and its slot in the file)?"""
        if track.image_length() > self.geometry.track_size:
            return False
        lengths = [(len(r.key), len(r.data)) for r in track.records[1:]]
        return self.geometry.space_used(lengths) <= self.geometry.capacity

    def flush(self) -> None:
        if not self.read_only:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

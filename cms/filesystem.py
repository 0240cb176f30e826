"""The CMS file system on a minidisk, from the host: format, list, read, write, erase.

The format is VM/370 Release 6 CMS's 800-byte-block layout, described in
docs/cms-disk-format.md; every offset comes from the DSECT macros in
``cms/maclib`` through ``cms.layout``. A directory update follows CMS's
"double directory" order so that a crash at any point leaves a readable
disk: new data blocks and chain links, then new FST blocks and bitmap
extensions, all in blocks the directory on disk does not use, then one
rewrite of the MFD (block 4) commits the lot. A block the update frees is
not reused until that MFD is on disk.

Every problem is a ``CMSError`` with a one-line message: a missing file, a
full disk, a bad name, or a damaged disk (``DiskFormatError``: no label,
garbage in the MFD or an FST, a chain that loops or points outside the
disk). Reading never loops: every walk is bounded by the counts it checks.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cms.layout import constant, field
from cms.minidisk import Minidisk, MinidiskError
from vm370.hardware.devices.codepage import CODEPAGE

EBCDIC_BLANK = b"\x40"
NAME_PATTERN = re.compile(r"[A-Z0-9$#@+\-:_]{1,8}")
MODE_PATTERN = re.compile(r"([A-Z*])([0-5])?")
MAX_RECORDS = 0xFFFF
MAX_RECORD_LENGTH = 0xFFFF
V_LENGTH_BYTES = 2


class CMSError(Exception):
    """A CMS file-system error a user can act on (exit status 1 in the CLI)."""


class DiskFormatError(CMSError):
    """The disk is not a CMS disk, or its directory or a file's chain is damaged."""


class FileNotFound(CMSError):
    """No file of that name on the disk."""


class DiskFullError(CMSError):
    """Not enough free blocks (or FST room) for the update; nothing was changed."""


class _Layout:
    """The fields and constants of the format, looked up once from the macros."""

    def __init__(self) -> None:
        self.block_size = constant("CMSBLKSZ")
        self.label_block = constant("CMSBLKLB")
        self.mfd_block = constant("CMSBLKMF")
        self.first_free_block = self.mfd_block + 1
        self.label_id = field("LABID")
        self.label_volid = field("LABVOLID")
        self.mfd_list = field("MFDFSTBN")
        self.mfd_num = field("MFDNUM")
        self.mfd_used = field("MFDUSED")
        self.mfd_left = field("MFDLEFT")
        self.mfd_last = field("MFDLAST")
        self.mfd_cyl = field("MFDCYL")
        self.mfd_qmsk = field("MFDQMSK")
        self.mfd_dtype = field("MFDDTYPE")
        self.list_end = constant("MFDEND")
        self.list_extensions = constant("MFDXMSK")
        self.list_halfwords = (self.mfd_num.offset - self.mfd_list.offset) // 2
        self.fst_length = constant("FSTDLEN")
        self.fsts_per_block = constant("FSTDPERB")
        self.max_files = constant("CMSMXFST")
        self.fcl_nth = field("FCLNTH")
        self.fcl_data = field("FCLDATA")
        self.fcl_nth_count = constant("FCLNNTH")
        self.fcl_data_count = constant("FCLNDATA")
        self.ncl_data_count = constant("NCLNDATA")
        self.max_data_blocks = self.fcl_data_count + self.fcl_nth_count * self.ncl_data_count
        self.fst = {
            name: field(name)
            for name in (
                "FSTFNAME",
                "FSTFTYPE",
                "FSTDATEW",
                "FSTTIMEW",
                "FSTWRPNT",
                "FSTRDPNT",
                "FSTFMODE",
                "FSTRECCT",
                "FSTFCLPT",
                "FSTRECFM",
                "FSTFLAGS",
                "FSTLRECL",
                "FSTBLKCT",
                "FSTYEARW",
            )
        }


@functools.cache
def layout() -> _Layout:
    """The format's fields and constants (assembled from cms/maclib once per process)."""
    return _Layout()


def _ebcdic(text: str) -> bytes:
    return text.encode(CODEPAGE)


def _text(data: bytes) -> str:
    return data.decode(CODEPAGE)


def _packed(value: int) -> int:
    """Two decimal digits as one packed byte (14 -> X'14')."""
    return (value // 10) << 4 | value % 10


def _unpacked(byte: int) -> int | None:
    high, low = byte >> 4, byte & 0x0F
    return None if high > 9 or low > 9 else high * 10 + low


def _halfwords(data: bytes, count: int, offset: int = 0) -> list[int]:
    return [int.from_bytes(data[offset + 2 * i : offset + 2 * i + 2], "big") for i in range(count)]


def _stored_name(field_bytes: bytes) -> bool:
    """A filename or filetype as CMS stores it: 1-8 graphic EBCDIC characters, then blanks.
    (CMS programs may use more characters than the host tools' names allow.)"""
    name = field_bytes.rstrip(EBCDIC_BLANK)
    return bool(name) and all(0x41 <= byte <= 0xFE for byte in name)


def _pack_halfwords(values: Iterable[int]) -> bytes:
    return b"".join(value.to_bytes(2, "big") for value in values)


@dataclass(frozen=True)
class FileEntry:
    """One file as its FST describes it."""

    filename: str
    filetype: str
    mode: str  # letter and number as stored, e.g. "A1"
    recfm: str
    lrecl: int
    records: int
    blocks: int
    first_chain_link: int
    written: datetime | None

    @property
    def fileid(self) -> str:
        return f"{self.filename} {self.filetype} {self.mode}"

    @property
    def mode_number(self) -> str:
        return self.mode[1:2]


@dataclass(frozen=True)
class FileId:
    """A parsed 'FN FT [FM]': FM's letter and optional number."""

    filename: str
    filetype: str
    mode_letter: str = "A"
    mode_number: str | None = None

    @property
    def mode(self) -> str:
        return self.mode_letter + (self.mode_number or "1")


def parse_fileid(text: str) -> FileId:
    """'FN FT [FM]' (blank separated, case folded) to a FileId; CMSError if malformed."""
    parts = text.upper().split()
    if len(parts) not in (2, 3):
        raise CMSError(f"a file is named 'FILENAME FILETYPE [FILEMODE]', not {text!r}")
    filename, filetype = parts[0], parts[1]
    for what, name in (("filename", filename), ("filetype", filetype)):
        if not NAME_PATTERN.fullmatch(name):
            raise CMSError(f"{what} {name!r} must be 1-8 characters of A-Z 0-9 $ # @ + - : _")
    if len(parts) == 2:
        return FileId(filename, filetype)
    match = MODE_PATTERN.fullmatch(parts[2])
    if match is None:
        raise CMSError(f"filemode {parts[2]!r} must be a letter and an optional number 0-5")
    return FileId(filename, filetype, match.group(1), match.group(2))


class CMSDisk:
    """A CMS-formatted minidisk. Open an existing one with ``open``, make one with ``format``."""

    def __init__(self, device: Minidisk) -> None:
        self.device = device
        self.layout = layout()
        self.label = ""
        self.total_blocks = 0
        self.cylinders = 0
        self._entries: list[bytes] = []  # the non-empty 40-byte FSTs, in directory order
        self._fst_blocks: list[int] = []
        self._extension_blocks: list[int] = []
        self._committed = bytearray()  # the bitmap of the MFD on disk

    @classmethod
    def format(cls, device: Minidisk, label: str, cylinders: int | None = None) -> CMSDisk:
        """Write an empty CMS file system over the minidisk, or over its first ``cylinders``
        (as CMS ``FORMAT cuu mode nn``; the rest stays as it is). Everything it covers is lost."""
        lay = layout()
        volid = label.upper()
        if not 1 <= len(volid) <= 6:
            raise CMSError(f"a disk label is 1 to 6 characters, not {label!r}")
        try:
            volid_bytes = _ebcdic(volid.ljust(6))
        except UnicodeEncodeError:
            raise CMSError(f"disk label {label!r} has a character EBCDIC lacks") from None
        if cylinders is None:
            cylinders = device.cylinders
        if not 1 <= cylinders <= device.cylinders:
            raise CMSError(
                f"cannot format {cylinders} cylinders of a {device.cylinders}-cylinder minidisk"
            )
        disk = cls(device)
        disk.label = volid
        disk.cylinders = cylinders
        disk.total_blocks = cylinders * device.geometry.blocks_per_cylinder
        if disk.total_blocks > 0xFFFF:
            raise CMSError(
                f"{cylinders} cylinders make {disk.total_blocks} blocks; block numbers "
                "are halfwords, so a CMS disk has at most 65535"
            )
        # Spoil the old label first: an interrupted FORMAT leaves "not a CMS disk".
        geometry = device.geometry
        device.format_track(0, 0, {})
        device.flush()
        for cylinder in range(cylinders):
            for head in range(geometry.tracks_per_cylinder):
                if (cylinder, head) != (0, 0):
                    device.format_track(cylinder, head, {})
        device.flush()
        disk._committed = bytearray(disk._bitmap_length())
        for block in range(1, lay.mfd_block + 1):
            disk._mark(disk._committed, block)
        working = bytearray(disk._committed)
        disk._fst_blocks = disk._allocate(working, 1)
        disk._extension_blocks = disk._allocate(working, disk._extension_count())
        label_block = bytearray(lay.block_size)
        lay.label_id.put(label_block, _ebcdic("CMS="))
        lay.label_volid.put(label_block, volid_bytes)
        contents = {
            device.location(lay.label_block)[2]: bytes(label_block),
            device.location(lay.mfd_block)[2]: disk._mfd(working),
        }
        first_track = set(range(1, geometry.blocks_per_track + 1))
        for block in disk._fst_blocks + disk._extension_blocks:
            if block in first_track:
                contents[device.location(block)[2]] = disk._directory_block(block, working)
            else:
                device.write_block(block, disk._directory_block(block, working))
        device.flush()
        device.format_track(0, 0, contents)
        device.flush()
        disk._committed = working
        return disk

    @classmethod
    def open(cls, device: Minidisk) -> CMSDisk:
        """Read and check the label, the MFD, the bitmap and every FST."""
        disk = cls(device)
        disk._load()
        return disk

    def _read(self, block: int, what: str) -> bytes:
        try:
            return self.device.read_block(block)
        except MinidiskError as error:
            raise DiskFormatError(f"cannot read the {what}: {error}") from None

    def _load(self) -> None:
        lay = self.layout
        device = self.device
        try:
            label_block = device.read_block(lay.label_block)
        except MinidiskError as error:
            raise DiskFormatError(f"not a CMS disk: {error}") from None
        if lay.label_id.get(label_block) != _ebcdic("CMS="):
            raise DiskFormatError(
                "not a CMS disk: block 3 has no CMS= label (format it with `vm370 cms format`)"
            )
        self.label = _text(lay.label_volid.get(label_block)).rstrip()
        mfd = self._read(lay.mfd_block, "master file directory (block 4)")
        self.total_blocks = lay.mfd_num.get_int(mfd)
        self.cylinders = lay.mfd_cyl.get_int(mfd)
        if lay.mfd_dtype.get_int(mfd) != device.geometry.type_code:
            raise DiskFormatError(
                f"the MFD is for device type X'{lay.mfd_dtype.get_int(mfd):02X}', but this is a "
                f"{device.device_type} (X'{device.geometry.type_code:02X}')"
            )
        expected = self.cylinders * device.geometry.blocks_per_cylinder
        if not 1 <= self.cylinders <= device.cylinders or self.total_blocks != expected:
            raise DiskFormatError(
                f"the MFD describes {self.cylinders} cylinders of {self.total_blocks} blocks; "
                f"the minidisk has {device.cylinders} cylinders "
                f"({device.geometry.blocks_per_cylinder} blocks each)"
            )
        self._fst_blocks, self._extension_blocks, has_extensions = self._parse_list(mfd)
        self._committed = self._read_bitmap(mfd, has_extensions)
        for block in [*range(1, lay.mfd_block + 1), *self._fst_blocks, *self._extension_blocks]:
            if not self._is_marked(self._committed, block):
                raise DiskFormatError(f"directory block {block} is not marked in use in the bitmap")
        used = sum(bin(byte).count("1") for byte in self._committed)
        if lay.mfd_used.get_int(mfd) != used:
            raise DiskFormatError(
                f"the MFD counts {lay.mfd_used.get_int(mfd)} blocks in use, the bitmap {used}"
            )
        self._entries = []
        seen: dict[tuple[str, str], int] = {}
        for block in self._fst_blocks:
            data = self._read(block, f"FST block {block}")
            for slot in range(lay.fsts_per_block):
                entry = data[slot * lay.fst_length : (slot + 1) * lay.fst_length]
                if entry[0] == 0:
                    continue
                parsed = self._entry(entry, f"FST block {block} entry {slot + 1}")
                key = (parsed.filename, parsed.filetype)
                if key in seen:
                    raise DiskFormatError(
                        f"FST block {block} entry {slot + 1} repeats the file "
                        f"{parsed.filename} {parsed.filetype}"
                    )
                seen[key] = block
                self._entries.append(bytes(entry))
        if len(self._entries) > lay.max_files:
            raise DiskFormatError(
                f"the directory lists {len(self._entries)} files; CMS allows {lay.max_files}"
            )

    def _parse_list(self, mfd: bytes) -> tuple[list[int], list[int], bool]:
        lay = self.layout
        values = _halfwords(mfd, lay.list_halfwords, lay.mfd_list.offset)
        fst_blocks: list[int] = []
        extension_blocks: list[int] = []
        target = fst_blocks
        has_extensions = False
        seen: set[int] = set()
        for index, value in enumerate(values):
            if value == lay.list_end:
                break
            if value == lay.list_extensions and not has_extensions and fst_blocks:
                has_extensions = True
                target = extension_blocks
                continue
            what = "QMSK extension" if has_extensions else "FST block"
            if not lay.first_free_block <= value <= self.total_blocks:
                raise DiskFormatError(
                    f"MFD halfword {index} names {what} {value}, outside blocks "
                    f"{lay.first_free_block}-{self.total_blocks} (damaged MFD)"
                )
            if value in seen:
                raise DiskFormatError(f"MFD names block {value} twice (damaged MFD)")
            seen.add(value)
            target.append(value)
        else:
            raise DiskFormatError("the MFD's block list has no X'FFFF' end (damaged MFD)")
        if not fst_blocks:
            raise DiskFormatError("the MFD names no FST block (damaged or unformatted disk)")
        return fst_blocks, extension_blocks, has_extensions

    def _read_bitmap(self, mfd: bytes, has_extensions: bool) -> bytearray:
        lay = self.layout
        length = self._bitmap_length()
        bitmap = bytearray(lay.mfd_qmsk.get(mfd)[:length])
        wanted = self._extension_count()
        if has_extensions and len(self._extension_blocks) != wanted:
            raise DiskFormatError(
                f"the MFD names {len(self._extension_blocks)} QMSK extension blocks; a bitmap of "
                f"{length} bytes needs {wanted}"
            )
        for block in self._extension_blocks:
            bitmap += self._read(block, f"QMSK extension block {block}")
        del bitmap[length:]
        bitmap += bytes(length - len(bitmap))
        spare_bits = len(bitmap) * 8 - self.total_blocks
        if spare_bits and bitmap[-1] & ((1 << spare_bits) - 1):
            raise DiskFormatError("the bitmap marks blocks past the end of the disk")
        return bitmap

    def _entry(self, raw: bytes, where: str) -> FileEntry:
        fst = self.layout.fst
        try:
            filename = _text(fst["FSTFNAME"].get(raw)).rstrip()
            filetype = _text(fst["FSTFTYPE"].get(raw)).rstrip()
            mode = _text(fst["FSTFMODE"].get(raw))
            recfm = _text(fst["FSTRECFM"].get(raw))
        except UnicodeDecodeError:  # cp037 maps every byte; kept for safety
            raise DiskFormatError(f"{where} is not text") from None
        records = fst["FSTRECCT"].get_int(raw)
        lrecl = fst["FSTLRECL"].get_int(raw)
        blocks = fst["FSTBLKCT"].get_int(raw)
        first = fst["FSTFCLPT"].get_int(raw)
        name = f"{where} ({filename} {filetype})"
        if not _stored_name(fst["FSTFNAME"].get(raw)) or not _stored_name(fst["FSTFTYPE"].get(raw)):
            raise DiskFormatError(f"{where} has no valid file name (damaged FST)")
        problem = None
        if recfm not in ("F", "V"):
            problem = f"record format {recfm!r} is not F or V"
        elif records == 0:
            problem = "it has no records"
        elif not 1 <= lrecl <= MAX_RECORD_LENGTH:
            problem = f"record length {lrecl} is not 1-65535"
        elif not 1 <= blocks <= self.layout.max_data_blocks:
            problem = f"block count {blocks} is not 1-{self.layout.max_data_blocks}"
        elif not self.layout.first_free_block <= first <= self.total_blocks:
            problem = f"first chain link {first} is outside the disk"
        elif recfm == "F" and blocks != math.ceil(records * lrecl / self.layout.block_size):
            problem = f"{records} records of {lrecl} bytes do not fill {blocks} blocks"
        if problem:
            raise DiskFormatError(f"{name}: {problem} (damaged FST)")
        return FileEntry(
            filename, filetype, mode, recfm, lrecl, records, blocks, first, self._written(raw)
        )

    def _written(self, raw: bytes) -> datetime | None:
        fst = self.layout.fst
        month, day = (_unpacked(b) for b in fst["FSTDATEW"].get(raw))
        hour, minute = (_unpacked(b) for b in fst["FSTTIMEW"].get(raw))
        try:
            year = int(_text(fst["FSTYEARW"].get(raw)))
            year += 1900 if year >= 70 else 2000
            return datetime(year, month, day, hour, minute)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def _bitmap_length(self) -> int:
        return math.ceil(self.total_blocks / 8)

    def _extension_count(self) -> int:
        beyond = self._bitmap_length() - self.layout.mfd_qmsk.length
        return math.ceil(beyond / self.layout.block_size) if beyond > 0 else 0

    @staticmethod
    def _mark(bitmap: bytearray, block: int) -> None:
        bitmap[(block - 1) // 8] |= 0x80 >> ((block - 1) % 8)

    @staticmethod
    def _unmark(bitmap: bytearray, block: int) -> None:
        bitmap[(block - 1) // 8] &= ~(0x80 >> ((block - 1) % 8)) & 0xFF

    @staticmethod
    def _is_marked(bitmap: bytes | bytearray, block: int) -> bool:
        return bool(bitmap[(block - 1) // 8] & (0x80 >> ((block - 1) % 8)))

    def _free_count(self, working: bytearray) -> int:
        combined = (a | b for a, b in zip(working, self._committed, strict=True))
        used = sum(bin(byte).count("1") for byte in combined)
        return self.total_blocks - used

    def _allocate(self, working: bytearray, count: int) -> list[int]:
        """``count`` blocks free both now and in the directory on disk; marked in ``working``."""
        found: list[int] = []
        committed = self._committed
        block = self.layout.first_free_block
        while len(found) < count and block <= self.total_blocks:
            index = (block - 1) // 8
            if (working[index] | committed[index]) == 0xFF:
                block = index * 8 + 9
                continue
            if not self._is_marked(working, block) and not self._is_marked(committed, block):
                self._mark(working, block)
                found.append(block)
            block += 1
        if len(found) < count:
            raise DiskFullError(f"disk full: {count} blocks needed, {len(found)} free")
        return found

    def files(self) -> list[FileEntry]:
        """Every file, in directory order."""
        return [self._entry(raw, "FST") for raw in self._entries]

    def _index(self, filename: str, filetype: str) -> int | None:
        """Where the file is in the directory: the name as given, else folded to upper case
        (host users type lower case; CMS programs may store it)."""
        fst = self.layout.fst
        for name, ftype in ((filename, filetype), (filename.upper(), filetype.upper())):
            try:
                wanted = (_ebcdic(name.ljust(8)), _ebcdic(ftype.ljust(8)))
            except UnicodeEncodeError:
                continue
            for index, raw in enumerate(self._entries):
                if (fst["FSTFNAME"].get(raw), fst["FSTFTYPE"].get(raw)) == wanted:
                    return index
        return None

    def find(self, filename: str, filetype: str, mode_number: str | None = None) -> FileEntry:
        """The file ``filename filetype`` (with that mode number, if one is given)."""
        index = self._index(filename, filetype)
        entry = None if index is None else self._entry(self._entries[index], "FST")
        if entry is None or (mode_number is not None and entry.mode_number != mode_number):
            mode = f" (mode number {mode_number})" if mode_number else ""
            raise FileNotFound(f"file {filename} {filetype}{mode} not found")
        return entry

    def _chain(self, entry: FileEntry) -> tuple[list[int], list[int]]:
        """(data blocks in order, chain-link blocks) of a file, checked for loops and range."""
        lay = self.layout
        seen: set[int] = set()
        name = f"{entry.filename} {entry.filetype}"

        def check(block: int, what: str) -> int:
            if not lay.first_free_block <= block <= self.total_blocks:
                raise DiskFormatError(
                    f"{name}: {what} is block {block}, outside blocks "
                    f"{lay.first_free_block}-{self.total_blocks} (damaged chain)"
                )
            if block in seen:
                raise DiskFormatError(
                    f"{name}: {what} is block {block}, already in the chain (a loop)"
                )
            seen.add(block)
            return block

        first = check(entry.first_chain_link, "the first chain link")
        fcl = self._read(first, f"first chain link of {name}")
        nth_links = _halfwords(fcl, lay.fcl_nth_count, lay.fcl_nth.offset)
        wanted = entry.blocks
        data = _halfwords(fcl, min(wanted, lay.fcl_data_count), lay.fcl_data.offset)
        links = [first]
        for number, link in enumerate(nth_links, start=1):
            if len(data) >= wanted:
                break
            block = check(link, f"chain link {number + 1}")
            links.append(block)
            nth = self._read(block, f"chain link {number + 1} of {name}")
            data += _halfwords(nth, min(wanted - len(data), lay.ncl_data_count))
        for position, block in enumerate(data, start=1):
            check(block, f"data block {position}")
        return data, links

    def read(self, filename: str, filetype: str, mode_number: str | None = None) -> list[bytes]:
        """The records of a file, as bytes (EBCDIC, unconverted)."""
        entry = self.find(filename, filetype, mode_number)
        data_blocks, _ = self._chain(entry)
        contents = b"".join(
            self._read(block, f"data block of {entry.fileid}") for block in data_blocks
        )
        return self._records(entry, contents)

    def _records(self, entry: FileEntry, contents: bytes) -> list[bytes]:
        name = f"{entry.filename} {entry.filetype}"
        if entry.recfm == "F":
            size = entry.lrecl
            return [contents[i * size : (i + 1) * size] for i in range(entry.records)]
        records = []
        position = 0
        for number in range(1, entry.records + 1):
            if position + V_LENGTH_BYTES > len(contents):
                raise DiskFormatError(f"{name}: record {number} starts past the file's blocks")
            length = int.from_bytes(contents[position : position + V_LENGTH_BYTES], "big")
            start = position + V_LENGTH_BYTES
            if length == 0 or length > entry.lrecl or start + length > len(contents):
                raise DiskFormatError(
                    f"{name}: record {number} has length {length} (LRECL {entry.lrecl}, "
                    f"{len(contents) - start} bytes left): damaged file"
                )
            records.append(contents[start : start + length])
            position = start + length
        filled = math.ceil(position / self.layout.block_size)
        if filled != entry.blocks:
            raise DiskFormatError(
                f"{name}: the records fill {filled} blocks, the FST says {entry.blocks} "
                "(damaged file)"
            )
        return records

    def check(self) -> list[int]:
        """Read every file's chain; DiskFormatError on damage or a block two files share.
        Returns the blocks marked in use that nothing uses (empty on a healthy disk)."""
        owner: dict[int, str] = {}
        lay = self.layout
        for block in [*range(1, lay.mfd_block + 1), *self._fst_blocks, *self._extension_blocks]:
            owner[block] = "the directory"
        for entry in self.files():
            data, links = self._chain(entry)
            self._records(entry, b"".join(self._read(b, entry.fileid) for b in data))
            for block in data + links:
                if block in owner:
                    raise DiskFormatError(
                        f"block {block} belongs to both {owner[block]} and {entry.fileid}"
                    )
                if not self._is_marked(self._committed, block):
                    raise DiskFormatError(
                        f"{entry.fileid}: block {block} is not marked in use in the bitmap"
                    )
                owner[block] = entry.fileid
        return [
            block
            for block in range(1, self.total_blocks + 1)
            if self._is_marked(self._committed, block) and block not in owner
        ]

    @property
    def blocks_used(self) -> int:
        return sum(bin(byte).count("1") for byte in self._committed)

    def write(
        self,
        filename: str,
        filetype: str,
        records: list[bytes],
        recfm: str = "F",
        lrecl: int | None = None,
        mode: str = "A1",
        written: datetime | None = None,
    ) -> FileEntry:
        """Create or replace a file from its records (EBCDIC bytes, unconverted).

        F: every record must be exactly ``lrecl`` bytes (default: the first
        record's length). V: 1 to 65535 bytes each; ``lrecl`` (default the
        longest) must be at least the longest. The disk is committed when
        this returns.
        """
        lay = self.layout
        file_id = parse_fileid(f"{filename} {filetype} {mode}")
        recfm = recfm.upper()
        if recfm not in ("F", "V"):
            raise CMSError(f"record format must be F or V, not {recfm!r}")
        if not records:
            raise CMSError("a CMS file has at least one record; nothing to write")
        if len(records) > MAX_RECORDS:
            raise CMSError(f"a CMS file has at most {MAX_RECORDS} records, not {len(records)}")
        longest = max(len(record) for record in records)
        if lrecl is None:
            lrecl = len(records[0]) if recfm == "F" else longest
        if not 1 <= lrecl <= MAX_RECORD_LENGTH:
            raise CMSError(f"LRECL must be 1 to {MAX_RECORD_LENGTH}, not {lrecl}")
        if recfm == "F":
            for number, record in enumerate(records, start=1):
                if len(record) != lrecl:
                    raise CMSError(
                        f"record {number} is {len(record)} bytes; RECFM F LRECL {lrecl} needs "
                        f"exactly {lrecl}"
                    )
            contents = b"".join(records)
        else:
            for number, record in enumerate(records, start=1):
                if not 1 <= len(record) <= lrecl:
                    raise CMSError(
                        f"record {number} is {len(record)} bytes; RECFM V LRECL {lrecl} takes "
                        f"1 to {lrecl}"
                    )
            contents = b"".join(len(r).to_bytes(V_LENGTH_BYTES, "big") + r for r in records)
        data_count = math.ceil(len(contents) / lay.block_size)
        if data_count > lay.max_data_blocks:
            raise CMSError(
                f"the file needs {data_count} blocks; a CMS file has at most "
                f"{lay.max_data_blocks} ({lay.max_data_blocks * lay.block_size} bytes)"
            )
        nth_count = math.ceil(max(0, data_count - lay.fcl_data_count) / lay.ncl_data_count)

        existing = self._index(file_id.filename, file_id.filetype)
        entries = list(self._entries)
        working = bytearray(self._committed)
        if existing is not None:
            self._release_file(working, entries[existing])
        elif len(entries) >= lay.max_files:
            raise DiskFullError(f"the disk already holds {lay.max_files} files, the CMS limit")
        slot_count = len(entries) + (existing is None)
        self._release_directory(working)
        fst_count = max(1, math.ceil(slot_count / lay.fsts_per_block))
        self._check_list_room(fst_count)
        needed = data_count + 1 + nth_count + fst_count + self._extension_count()
        free = self._free_count(working)
        if needed > free:
            raise DiskFullError(
                f"disk full: {file_id.filename} {file_id.filetype} needs {needed} blocks "
                f"(data, chain links and directory), {free} are free"
            )

        data_blocks = self._allocate(working, data_count)
        nth_blocks = self._allocate(working, nth_count)
        first_link = self._allocate(working, 1)[0]
        block_size = lay.block_size
        for index, block in enumerate(data_blocks):
            chunk = contents[index * block_size : (index + 1) * block_size]
            self.device.write_block(block, chunk.ljust(block_size, b"\x00"))
        remaining = data_blocks[lay.fcl_data_count :]
        for index, block in enumerate(nth_blocks):
            part = remaining[index * lay.ncl_data_count : (index + 1) * lay.ncl_data_count]
            self.device.write_block(block, _pack_halfwords(part).ljust(block_size, b"\x00"))
        fcl = bytearray(block_size)
        fcl[lay.fcl_nth.offset : lay.fcl_nth.offset + 2 * len(nth_blocks)] = _pack_halfwords(
            nth_blocks
        )
        first_data = _pack_halfwords(data_blocks[: lay.fcl_data_count])
        fcl[lay.fcl_data.offset : lay.fcl_data.offset + len(first_data)] = first_data
        self.device.write_block(first_link, bytes(fcl))

        entry = self._new_entry(
            file_id, recfm, lrecl, len(records), data_count, first_link, written or datetime.now()
        )
        if existing is None:
            entries.append(entry)
        else:
            entries[existing] = entry
        self._commit(working, entries, fst_count)
        return self._entry(entry, "FST")

    def put(
        self,
        fileid: str,
        data: bytes,
        recfm: str = "F",
        lrecl: int | None = None,
        binary: bool = False,
        written: datetime | None = None,
    ) -> FileEntry:
        """Write host data as the file ``fileid`` ('FN FT [FM]'): UTF-8 text made EBCDIC
        records, one a line (``text_to_records``), or with ``binary`` the bytes unchanged
        in ``lrecl``-byte records, default 80 (``binary_to_records``)."""
        file_id = parse_fileid(fileid)
        recfm = recfm.upper()
        if binary:
            records = binary_to_records(data, recfm, lrecl or 80)
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise CMSError("the data is not UTF-8 text (put it as binary)") from None
            records = text_to_records(text, recfm, lrecl or (80 if recfm == "F" else None))
        return self.write(
            file_id.filename, file_id.filetype, records, recfm, lrecl, file_id.mode, written
        )

    def get(self, fileid: str, binary: bool = False) -> bytes:
        """The file ``fileid`` as host data: UTF-8 text, a line a record, or with ``binary``
        its records back to back."""
        file_id = parse_fileid(fileid)
        entry = self.find(file_id.filename, file_id.filetype, file_id.mode_number)
        records = self.read(entry.filename, entry.filetype)
        if binary:
            return b"".join(records)
        return records_to_text(records, entry.recfm).encode("utf-8")

    def erase(self, filename: str, filetype: str, mode_number: str | None = None) -> None:
        """Erase a file (FileNotFound if there is none). Committed when this returns."""
        self.find(filename, filetype, mode_number)
        index = self._index(filename, filetype)
        assert index is not None
        entries = list(self._entries)
        working = bytearray(self._committed)
        self._release_file(working, entries.pop(index))
        self._release_directory(working)
        fst_count = max(1, math.ceil(len(entries) / self.layout.fsts_per_block))
        needed = fst_count + self._extension_count()
        if needed > self._free_count(working):
            raise DiskFullError(
                f"disk full: rewriting the directory needs {needed} free blocks "
                "(CMS keeps the old directory until the new one is written)"
            )
        self._commit(working, entries, fst_count)

    def _release_file(self, working: bytearray, raw: bytes) -> None:
        """Free a file's blocks in ``working``. A damaged chain frees nothing (its blocks stay
        marked: lost space, never a block given to two files)."""
        entry = self._entry(raw, "FST")
        try:
            data, links = self._chain(entry)
        except DiskFormatError:
            return
        for block in data + links:
            self._unmark(working, block)

    def _release_directory(self, working: bytearray) -> None:
        for block in self._fst_blocks + self._extension_blocks:
            self._unmark(working, block)

    def _check_list_room(self, fst_count: int) -> None:
        extensions = self._extension_count()
        halfwords = fst_count + (1 + extensions if extensions else 0) + 1
        if halfwords > self.layout.list_halfwords:
            raise DiskFullError(
                f"the directory would need {fst_count} FST blocks; the MFD has room for "
                f"{self.layout.list_halfwords - 1 - (1 + extensions if extensions else 0)}"
            )

    def _new_entry(
        self,
        file_id: FileId,
        recfm: str,
        lrecl: int,
        records: int,
        blocks: int,
        first_link: int,
        written: datetime,
    ) -> bytes:
        fst = self.layout.fst
        raw = bytearray(self.layout.fst_length)
        fst["FSTFNAME"].put(raw, _ebcdic(file_id.filename.ljust(8)))
        fst["FSTFTYPE"].put(raw, _ebcdic(file_id.filetype.ljust(8)))
        fst["FSTDATEW"].put(raw, bytes([_packed(written.month), _packed(written.day)]))
        fst["FSTTIMEW"].put(raw, bytes([_packed(written.hour), _packed(written.minute)]))
        fst["FSTWRPNT"].put_int(raw, min(records + 1, MAX_RECORDS))
        fst["FSTRDPNT"].put_int(raw, 1)
        fst["FSTFMODE"].put(raw, _ebcdic(file_id.mode))
        fst["FSTRECCT"].put_int(raw, records)
        fst["FSTFCLPT"].put_int(raw, first_link)
        fst["FSTRECFM"].put(raw, _ebcdic(recfm))
        fst["FSTLRECL"].put_int(raw, lrecl)
        fst["FSTBLKCT"].put_int(raw, blocks)
        fst["FSTYEARW"].put(raw, _ebcdic(f"{written.year % 100:02d}"))
        return bytes(raw)

    def _commit(self, working: bytearray, entries: list[bytes], fst_count: int) -> None:
        """Steps 2-5 of the update order: new FST blocks and bitmap extensions in fresh blocks,
        flush, the MFD in place, flush; only then are the old directory's blocks free."""
        lay = self.layout
        fst_blocks = self._allocate(working, fst_count)
        extension_blocks = self._allocate(working, self._extension_count())
        per_block = lay.fsts_per_block
        for index, block in enumerate(fst_blocks):
            chunk = b"".join(entries[index * per_block : (index + 1) * per_block])
            self.device.write_block(block, chunk.ljust(lay.block_size, b"\x00"))
        self._fst_blocks, old_fst = fst_blocks, self._fst_blocks
        self._extension_blocks, old_extensions = extension_blocks, self._extension_blocks
        try:
            for block in extension_blocks:
                self.device.write_block(block, self._directory_block(block, working))
            self.device.flush()
            self.device.write_block(lay.mfd_block, self._mfd(working))
            self.device.flush()
        except BaseException:
            self._fst_blocks, self._extension_blocks = old_fst, old_extensions
            raise
        self._entries = entries
        self._committed = working

    def _directory_block(self, block: int, working: bytearray) -> bytes:
        """The contents of a directory block made by ``format``/``_commit``: an FST block
        (empty at format time) or a bitmap extension block."""
        lay = self.layout
        if block in self._extension_blocks:
            index = self._extension_blocks.index(block)
            start = lay.mfd_qmsk.length + index * lay.block_size
            return bytes(working[start : start + lay.block_size]).ljust(lay.block_size, b"\x00")
        return bytes(lay.block_size)

    def _mfd(self, working: bytearray) -> bytes:
        lay = self.layout
        mfd = bytearray(lay.block_size)
        values = list(self._fst_blocks)
        if self._extension_blocks:
            values += [lay.list_extensions, *self._extension_blocks]
        values.append(lay.list_end)
        listed = _pack_halfwords(values)
        mfd[lay.mfd_list.offset : lay.mfd_list.offset + len(listed)] = listed
        used = sum(bin(byte).count("1") for byte in working)
        last = max((i for i, byte in enumerate(working) if byte), default=0)
        lay.mfd_num.put_int(mfd, self.total_blocks)
        lay.mfd_used.put_int(mfd, used)
        lay.mfd_left.put_int(mfd, self.total_blocks - used)
        lay.mfd_last.put_int(mfd, last)
        lay.mfd_cyl.put_int(mfd, self.cylinders)
        head = bytes(working[: lay.mfd_qmsk.length])
        lay.mfd_qmsk.put(mfd, head.ljust(lay.mfd_qmsk.length, b"\x00"))
        lay.mfd_dtype.put_int(mfd, self.device.geometry.type_code)
        return bytes(mfd)


def text_to_records(text: str, recfm: str = "F", lrecl: int | None = 80) -> list[bytes]:
    """Host text (one record a line) to EBCDIC records: F lines padded with blanks to
    ``lrecl``; V lines as they are, an empty line as one blank. Tabs expand to 8 columns."""
    recfm = recfm.upper()
    lines = text.splitlines()
    if not lines:
        raise CMSError("the file is empty; a CMS file has at least one record")
    records = []
    for number, line in enumerate(lines, start=1):
        line = line.expandtabs(8)
        try:
            record = _ebcdic(line)
        except UnicodeEncodeError as error:
            bad = line[error.start]
            raise CMSError(
                f"line {number} has {bad!r} (U+{ord(bad):04X}), which EBCDIC (code page 037) lacks"
            ) from None
        if recfm == "F":
            width = lrecl or 80
            if len(record) > width:
                raise CMSError(
                    f"line {number} is {len(record)} characters, longer than LRECL {width} "
                    "(use a larger --lrecl, or --recfm V)"
                )
            record = record.ljust(width, EBCDIC_BLANK)
        elif not record:
            record = EBCDIC_BLANK
        records.append(record)
    return records


def records_to_text(records: list[bytes], recfm: str) -> str:
    """EBCDIC records to host text, a line each; F records lose their trailing blanks."""
    lines = [_text(record) for record in records]
    if recfm == "F":
        lines = [line.rstrip(" ") for line in lines]
    return "\n".join(lines) + "\n"


def binary_to_records(data: bytes, recfm: str = "F", lrecl: int = 80) -> list[bytes]:
    """Host bytes to records unchanged: F in ``lrecl`` slices (the length must divide
    evenly), V in slices of at most ``lrecl``."""
    if not data:
        raise CMSError("the file is empty; a CMS file has at least one record")
    if not 1 <= lrecl <= MAX_RECORD_LENGTH:
        raise CMSError(f"LRECL must be 1 to {MAX_RECORD_LENGTH}, not {lrecl}")
    if recfm.upper() == "F" and len(data) % lrecl:
        raise CMSError(
            f"{len(data)} bytes are not a whole number of {lrecl}-byte records (RECFM F)"
        )
    return [data[i : i + lrecl] for i in range(0, len(data), lrecl)]

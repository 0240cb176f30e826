"""CP's spool space on a real pack: spool files that survive a shutdown.

The spool area is a range of cylinders of a CP-owned 2314 (or 2311)
pack. Every track of it is one *slot* holding one record R1 of 4,096
bytes, written and read by ordinary channel programs from CP's storage
(realio.py), as dasd_paging.py does for pages:

    write: SEEK BBCCHH, SEARCH ID EQUAL CCHH R0, TIC *-8, WRITE CKD R1 (4096)
    read:  SEEK BBCCHH, SEARCH ID EQUAL CCHH R1, TIC *-8, READ DATA 4096

Slot 0 is the *anchor*; every other slot is free, a directory block or a
data block:

- anchor: ``VMSPOOL1``, the generation (a word, one more at each
  commit), the first directory slot, the number of directory blocks, the
  number of files, the next spoolid to give (a halfword);
- directory block: the next directory slot (X'FFFFFFFF' at the end), the
  number of entries (a halfword), then entries of ``ENTRY_SIZE`` bytes, one
  per closed spool file (``encode_entry``): the file's attributes and its
  first data slot and number of data blocks;
- data block: the next data slot of the file (X'FFFFFFFF' at the end), the
  number of records in the block (a halfword), the bytes used, the
  spoolid, then the records, each a halfword length and the record (a
  card of 80 bytes, or a print record: the CCW command code then the line).

Nothing is ever written over a slot the committed directory refers to. A
file's data blocks go first into free slots; a commit writes the whole new
directory into free slots too, and only then rewrites the anchor, the one
record that makes the new directory current. Slots the old directory used
(its own blocks, the blocks of files since purged) become free only after
that. So a process killed at any moment leaves the anchor naming a
complete directory whose files' blocks are all written: a file is in the
directory only after its data is on the pack, and a purged file's blocks
are not reused while a directory that names them is current.
"""

from __future__ import annotations

import datetime
import struct
from dataclasses import dataclass, field

from vm370.cp.realio import IOArea, RealIO, RealIOError
from vm370.hardware.channel import CHAIN_COMMAND, TRANSFER_IN_CHANNEL, make_ccw
from vm370.hardware.devices import CHANNEL_END, DEVICE_END
from vm370.hardware.devices.dasd import (
    READ_DATA,
    SEARCH_ID_EQUAL,
    SEEK,
    WRITE_COUNT_KEY_AND_DATA,
)

BLOCK_SIZE = 4096
NO_SLOT = 0xFFFFFFFF
ANCHOR_SLOT = 0
MAGIC = b"VMSPOOL1"
DATA_HEADER = 16
DIRECTORY_HEADER = 8
ENTRY_SIZE = 112
ENTRIES_PER_BLOCK = (BLOCK_SIZE - DIRECTORY_HEADER) // ENTRY_SIZE
ANCHOR_FORMAT = ">8sIIIIH"
# spoolid, owner, origin, queue, made by, class, flags, copies, form, name,
# type, dist, created (YYYYMMDDHHMMSS), records, first data slot, blocks.
ENTRY_FORMAT = ">H8s8s3s3s1sBH8s8s8s8s14sIII"
FLAG_USER_HOLD = 0x80
FLAG_SYSTEM_HOLD = 0x40


class SpoolAreaError(Exception):
    """The spool area cannot be used: no pack, bad extent, a failed channel program, full."""


@dataclass
class StoredFile:
    """A closed spool file's directory entry, as written on the pack."""

    spoolid: int
    owner: str
    origin: str
    queue: str
    made_by: str
    spool_class: str
    user_hold: bool
    system_hold: bool
    copies: int
    form: str
    filename: str
    filetype: str
    dist: str
    created: datetime.datetime
    record_count: int
    first_slot: int = NO_SLOT
    blocks: int = 0
    slots: list[int] = field(default_factory=list)


def _text(value: str, length: int) -> bytes:
    return value.encode("ascii", "replace")[:length].ljust(length)


def _untext(raw: bytes) -> str:
    return raw.decode("ascii", "replace").rstrip()


def encode_entry(entry: StoredFile) -> bytes:
    flags = (FLAG_USER_HOLD if entry.user_hold else 0) | (
        FLAG_SYSTEM_HOLD if entry.system_hold else 0
    )
    packed = struct.pack(
        ENTRY_FORMAT,
        entry.spoolid,
        _text(entry.owner, 8),
        _text(entry.origin, 8),
        _text(entry.queue, 3),
        _text(entry.made_by, 3),
        _text(entry.spool_class, 1),
        flags,
        entry.copies,
        _text(entry.form, 8),
        _text(entry.filename, 8),
        _text(entry.filetype, 8),
        _text(entry.dist, 8),
        entry.created.strftime("%Y%m%d%H%M%S").encode("ascii"),
        entry.record_count,
        entry.first_slot,
        entry.blocks,
    )
    return packed.ljust(ENTRY_SIZE, b"\x00")


def decode_entry(raw: bytes) -> StoredFile:
    fields = struct.unpack_from(ENTRY_FORMAT, raw)
    try:
        created = datetime.datetime.strptime(fields[12].decode("ascii"), "%Y%m%d%H%M%S")
    except ValueError:
        raise SpoolAreaError("a spool directory entry has a bad date (damaged pack)") from None
    return StoredFile(
        spoolid=fields[0],
        owner=_untext(fields[1]),
        origin=_untext(fields[2]),
        queue=_untext(fields[3]),
        made_by=_untext(fields[4]),
        spool_class=_untext(fields[5]),
        user_hold=bool(fields[6] & FLAG_USER_HOLD),
        system_hold=bool(fields[6] & FLAG_SYSTEM_HOLD),
        copies=fields[7],
        form=_untext(fields[8]),
        filename=_untext(fields[9]),
        filetype=_untext(fields[10]),
        dist=_untext(fields[11]),
        created=created,
        record_count=fields[13],
        first_slot=fields[14],
        blocks=fields[15],
    )


def pack_records(records: list[bytes], spoolid: int) -> list[bytes]:
    """The file's records in data blocks (without their next-slot field filled in)."""
    blocks: list[bytes] = []
    body = bytearray()
    count = 0
    for record in records:
        record = bytes(record[:0xFFFF])
        if DATA_HEADER + len(body) + 2 + len(record) > BLOCK_SIZE and count:
            blocks.append(_data_block(NO_SLOT, count, body, spoolid))
            body, count = bytearray(), 0
        body += len(record).to_bytes(2, "big") + record
        count += 1
    if count or not blocks:
        blocks.append(_data_block(NO_SLOT, count, body, spoolid))
    return blocks


def blocks_after(blocks: int, fill: int, length: int) -> tuple[int, int]:
    """The blocks a file takes, and the bytes used in its last, after one more record.

    The same rule as ``pack_records``, kept as a running count so CP knows
    while a file grows whether the spool area can still hold it.
    """
    if blocks == 0:
        blocks = 1
    elif fill + 2 + length > BLOCK_SIZE - DATA_HEADER and fill:
        blocks, fill = blocks + 1, 0
    return blocks, fill + 2 + length


def directory_blocks(files: int) -> int:
    return max(1, -(-files // ENTRIES_PER_BLOCK))


def _data_block(next_slot: int, count: int, body: bytes, spoolid: int) -> bytes:
    header = struct.pack(">IHHHxxxxxx", next_slot, count, DATA_HEADER + len(body), spoolid)
    return (header + bytes(body)).ljust(BLOCK_SIZE, b"\x00")


def unpack_records(block: bytes) -> tuple[int, list[bytes]]:
    """A data block's next slot and its records."""
    next_slot, count, used, _ = struct.unpack_from(">IHHH", block)
    if used > BLOCK_SIZE:
        raise SpoolAreaError("a spool data block claims more than 4096 bytes (damaged pack)")
    records = []
    position = DATA_HEADER
    for _ in range(count):
        if position + 2 > used:
            raise SpoolAreaError("a spool data block is shorter than its records (damaged pack)")
        length = int.from_bytes(block[position : position + 2], "big")
        records.append(bytes(block[position + 2 : position + 2 + length]))
        position += 2 + length
    return next_slot, records


class SpoolArea:
    """Slots on a range of cylinders of a real pack, read and written by CP's channel programs."""

    def __init__(
        self,
        realio: RealIO,
        area: IOArea,
        device_address: int,
        first_cylinder: int,
        cylinders: int,
    ) -> None:
        channels = realio.channels
        device = channels.devices.get(device_address) if channels is not None else None
        image = getattr(device, "image", None)
        if image is None:
            raise SpoolAreaError(f"no DASD attached at {device_address:03X} for spool space")
        if cylinders < 1 or first_cylinder < 0 or first_cylinder + cylinders > image.cylinders:
            raise SpoolAreaError(
                f"spool cylinders {first_cylinder}-{first_cylinder + cylinders - 1} are not on "
                f"the {image.cylinders}-cylinder pack at {device_address:03X}"
            )
        self.realio = realio
        self.area = area
        self.device_address = device_address
        self.first_cylinder = first_cylinder
        self.cylinders = cylinders
        self.heads = image.heads
        self.slots = cylinders * self.heads
        self.generation = 0
        self.directory_slots: list[int] = []
        self.free: set[int] = set(range(1, self.slots))
        # Slots the current directory still names: free after the next commit.
        self.releasing: set[int] = set()
        self.reads = 0
        self.writes = 0

    def load(self) -> tuple[int, list[tuple[StoredFile, list[bytes]]]]:
        """The next spoolid and every file (its entry and records) the anchor's directory names.

        A pack whose anchor slot has never been written is an empty spool.
        """
        anchor = self._read(ANCHOR_SLOT, missing_ok=True)
        if anchor is None or anchor[:8] != MAGIC:
            return 1, []
        _, generation, first, count, files, next_spoolid = struct.unpack_from(ANCHOR_FORMAT, anchor)
        self.generation = generation
        used: set[int] = set()
        entries: list[StoredFile] = []
        slot = first
        for _ in range(count):
            self._check_slot(slot, used)
            block = self._read(slot)
            self.directory_slots.append(slot)
            next_slot, number = struct.unpack_from(">IH", block)
            for index in range(min(number, ENTRIES_PER_BLOCK)):
                start = DIRECTORY_HEADER + index * ENTRY_SIZE
                entries.append(decode_entry(block[start : start + ENTRY_SIZE]))
            slot = next_slot
        loaded = []
        for entry in entries[:files]:
            records: list[bytes] = []
            slot = entry.first_slot
            for _ in range(entry.blocks):
                self._check_slot(slot, used)
                entry.slots.append(slot)
                slot, more = unpack_records(self._read(slot))
                records += more
            loaded.append((entry, records))
        self.free -= used
        return next_spoolid or 1, loaded

    def write_file(self, entry: StoredFile, records: list[bytes]) -> None:
        """Write the file's data blocks to free slots; ``entry`` gets where they are."""
        blocks = pack_records(records, entry.spoolid)
        slots = self._allocate(len(blocks))
        for index, block in enumerate(blocks):
            following = slots[index + 1] if index + 1 < len(slots) else NO_SLOT
            self._write(slots[index], following.to_bytes(4, "big") + block[4:])
        entry.first_slot, entry.blocks, entry.slots = slots[0], len(slots), slots

    def release_file(self, entry: StoredFile) -> None:
        """The file is gone: its slots are free once a directory without it is committed."""
        self.releasing |= set(entry.slots)
        entry.first_slot, entry.blocks, entry.slots = NO_SLOT, 0, []

    def commit(self, entries: list[StoredFile], next_spoolid: int) -> None:
        """Make ``entries`` the spool's directory: new directory blocks, then the anchor."""
        chunks = [
            entries[start : start + ENTRIES_PER_BLOCK]
            for start in range(0, len(entries), ENTRIES_PER_BLOCK)
        ] or [[]]
        slots = self._allocate(len(chunks))
        for index, chunk in enumerate(chunks):
            following = slots[index + 1] if index + 1 < len(slots) else NO_SLOT
            body = b"".join(encode_entry(entry) for entry in chunk)
            block = struct.pack(">IHxx", following, len(chunk)) + body
            self._write(slots[index], block.ljust(BLOCK_SIZE, b"\x00"))
        self.generation += 1
        anchor = struct.pack(
            ANCHOR_FORMAT, MAGIC, self.generation, slots[0], len(slots), len(entries), next_spoolid
        )
        self._write(ANCHOR_SLOT, anchor.ljust(BLOCK_SIZE, b"\x00"))
        self.free |= set(self.directory_slots) | self.releasing
        self.releasing = set()
        self.directory_slots = slots

    def _allocate(self, count: int) -> list[int]:
        if len(self.free) < count:
            raise SpoolAreaError(
                f"the spool area on {self.device_address:03X} is full "
                f"({self.slots - 1} blocks of 4096 bytes)"
            )
        slots = sorted(self.free)[:count]
        self.free -= set(slots)
        return slots

    def _check_slot(self, slot: int, used: set[int]) -> None:
        if not 0 < slot < self.slots or slot in used:
            raise SpoolAreaError(
                f"the spool directory on {self.device_address:03X} names slot {slot} "
                "twice or outside the area (damaged pack)"
            )
        used.add(slot)

    def _seek_argument(self, slot: int) -> bytes:
        cylinder, head = divmod(slot, self.heads)
        return struct.pack(">HHH", 0, self.first_cylinder + cylinder, head)

    def _write(self, slot: int, block: bytes) -> None:
        area = self.area
        area.reset()
        seek = self._seek_argument(slot)
        seek_address = area.put(seek)
        search_address = area.put(seek[2:] + b"\x00")
        count = seek[2:] + b"\x01\x00" + BLOCK_SIZE.to_bytes(2, "big")
        data_address = area.put(count + block)
        program = area.reserve(32)
        search_ccw = program + 8
        area.storage.write(
            program,
            make_ccw(SEEK, seek_address, CHAIN_COMMAND, 6)
            + make_ccw(SEARCH_ID_EQUAL, search_address, CHAIN_COMMAND, 5)
            + make_ccw(TRANSFER_IN_CHANNEL, search_ccw, 0, 1)
            + make_ccw(WRITE_COUNT_KEY_AND_DATA, data_address, 0, 8 + BLOCK_SIZE),
        )
        self._run(program, slot)
        self.writes += 1

    def _read(self, slot: int, missing_ok: bool = False) -> bytes | None:
        area = self.area
        area.reset()
        seek = self._seek_argument(slot)
        seek_address = area.put(seek)
        search_address = area.put(seek[2:] + b"\x01")
        buffer = area.reserve(BLOCK_SIZE)
        program = area.reserve(32)
        area.storage.write(
            program,
            make_ccw(SEEK, seek_address, CHAIN_COMMAND, 6)
            + make_ccw(SEARCH_ID_EQUAL, search_address, CHAIN_COMMAND, 5)
            + make_ccw(TRANSFER_IN_CHANNEL, program + 8, 0, 1)
            + make_ccw(READ_DATA, buffer, 0, BLOCK_SIZE),
        )
        if not self._run(program, slot, missing_ok):
            return None
        self.reads += 1
        return area.storage.read(buffer, BLOCK_SIZE)

    def _run(self, program: int, slot: int, missing_ok: bool = False) -> bool:
        try:
            csw = self.realio.run(self.device_address, program)
        except RealIOError as error:
            raise SpoolAreaError(f"spool I/O on slot {slot}: {error}") from None
        if csw[4] & ~0x40 == CHANNEL_END | DEVICE_END and not csw[5]:
            return True
        if missing_ok:
            return False
        raise SpoolAreaError(
            f"spool I/O on {self.device_address:03X} slot {slot} failed: CSW {csw.hex().upper()}"
        )

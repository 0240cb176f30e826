"""2311 and 2314 direct-access storage: count-key-data tracks on a pack image.

The commands are those of the 2841 and 2314 control units (component
descriptions; the codes agree with Hercules' CKD handler). The multi-track
(MT) form of a search or read has X'80' added: at the index point it goes on
with the next head of the cylinder instead of the same track.

    03 no-operation            13 recalibrate          1F set file mask
    07 seek (BBCCHH)           0B seek cylinder        1B seek head
    39 search home address equal (CCHH)
    31 / 51 / 71 search ID equal / high / equal or high (CCHHR)
    29 / 49 / 69 search key equal / high / equal or high
    1A read home address       16 read R0              12 read count
    06 read data               0E read key and data    1E read count, key and data
    02 read IPL (seek to cylinder 0 head 0, read the data of R1)
    19 write home address      15 write R0             1D write count, key and data
    05 write data              0D write key and data   11 erase
    04 sense (6 bytes)

Orientation: after a seek the heads are at the index point. Reading a count
field moves to the next record; R0 is passed over by every command but read
R0 and search ID (PoO-era CKD rule, as Hercules also does). A search that is
satisfied presents status modifier, so a ``search; TIC *-8; read`` program
skips the TIC. Passing the index point twice in one channel program without
a successful search or a data transfer ends with unit check, no record found.

Writes follow the control unit's rules: set file mask (once per channel
program) allows write home address and write R0 only with X'C0', inhibits
all writes with X'40', and allows only updates (write data, write key and
data) with X'80'; the default X'00' allows all but home address and R0.
Write R0 must follow search home address, read home address or write home
address; write count, key and data must follow an equal search, a read, a
write R0 or another write count, key and data; write data and write key and
data must follow an equal search ID or key. A record that does not fit the
track's capacity is refused with unit check, track overrun, and the pack is
not changed. A pack attached read-only refuses every write with command
reject and file protected.

Reading the data of a record whose data length is zero (an end-of-file
record) presents unit exception, which ends command chaining.

Sense bytes (2314): byte 0 command reject 80, intervention required 40,
bus-out check 20, equipment check 10, data check 08, overrun 04, track
condition check 02, seek check 01; byte 1 data check in count 80, track
overrun 40, end of cylinder 20, invalid sequence 10, no record found 08,
file protected 04, missing address marker 02, overflow incomplete 01.

Timing is plausible, not exact: a seek presents channel end as soon as its
address is taken and device end when the arm arrives, 0.5 ms plus 0.05 ms a
cylinder moved later (so a seek alone frees the channel: seek overlap); a
search or transfer takes 0.1 ms plus the byte time of the data under the
heads (3 us a byte on a 2314, 6 on a 2311). Rotational position is not
modelled.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from vm370.hardware.devices import (
    NORMAL_END,
    SENSE_COMMAND_REJECT,
    SENSE_EQUIPMENT_CHECK,
    STATUS_MODIFIER,
    UNIT_CHECK,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
    DeviceError,
    register,
)
from vm370.hardware.devices.ckd_image import (
    COUNT_LENGTH,
    HOME_ADDRESS_LENGTH,
    CKDImage,
    CKDImageError,
    Record,
    Track,
)

MULTITRACK = 0x80

NOP = 0x03
SEEK = 0x07
SEEK_CYLINDER = 0x0B
SEEK_HEAD = 0x1B
RECALIBRATE = 0x13
SET_FILE_MASK = 0x1F
SEARCH_HOME_ADDRESS = 0x39
SEARCH_ID_EQUAL = 0x31
SEARCH_ID_HIGH = 0x51
SEARCH_ID_EQUAL_OR_HIGH = 0x71
SEARCH_KEY_EQUAL = 0x29
SEARCH_KEY_HIGH = 0x49
SEARCH_KEY_EQUAL_OR_HIGH = 0x69
READ_HOME_ADDRESS = 0x1A
READ_R0 = 0x16
READ_COUNT = 0x12
READ_DATA = 0x06
READ_KEY_AND_DATA = 0x0E
READ_COUNT_KEY_AND_DATA = 0x1E
READ_IPL = 0x02
WRITE_HOME_ADDRESS = 0x19
WRITE_R0 = 0x15
WRITE_COUNT_KEY_AND_DATA = 0x1D
WRITE_DATA = 0x05
WRITE_KEY_AND_DATA = 0x0D
ERASE = 0x11

_SEARCH_ID = (SEARCH_ID_EQUAL, SEARCH_ID_HIGH, SEARCH_ID_EQUAL_OR_HIGH)
_SEARCH_KEY = (SEARCH_KEY_EQUAL, SEARCH_KEY_HIGH, SEARCH_KEY_EQUAL_OR_HIGH)
_READS = (READ_R0, READ_COUNT, READ_DATA, READ_KEY_AND_DATA, READ_COUNT_KEY_AND_DATA)
_WRITES = (
    WRITE_HOME_ADDRESS,
    WRITE_R0,
    WRITE_COUNT_KEY_AND_DATA,
    WRITE_DATA,
    WRITE_KEY_AND_DATA,
    ERASE,
)

# Sense byte 0 (device specific bits) and byte 1.
SENSE_TRACK_CONDITION_CHECK = 0x02
SENSE_SEEK_CHECK = 0x01
SENSE1_DATA_CHECK_IN_COUNT = 0x80
SENSE1_TRACK_OVERRUN = 0x40
SENSE1_END_OF_CYLINDER = 0x20
SENSE1_INVALID_SEQUENCE = 0x10
SENSE1_NO_RECORD_FOUND = 0x08
SENSE1_FILE_PROTECTED = 0x04

# File mask (set file mask), write control bits 0-1 and seek control bits 3-4.
MASK_WRITE_CONTROL = 0xC0
MASK_INHIBIT_HA_R0 = 0x00
MASK_INHIBIT_WRITES = 0x40
MASK_UPDATE_ONLY = 0x80
MASK_ALLOW_ALL_WRITES = 0xC0
MASK_RESERVED = 0x27
MASK_SEEK_CONTROL = 0x18
MASK_SEEK_ALL = 0x00
MASK_SEEK_CYLINDER_HEAD = 0x08
MASK_SEEK_HEAD_ONLY = 0x10
MASK_INHIBIT_SEEK_AND_MT = 0x18

SEEK_DELAY = 500
SEEK_DELAY_PER_CYLINDER = 50
ACCESS_DELAY = 100

# Orientation of the heads on the track.
AT_INDEX = "index"
AT_HOME_ADDRESS = "home address"
AT_COUNT = "count"
AT_KEY = "key"
AT_DATA = "data"


class _UnitCheck(Exception):
    """Ends a command with unit check; the sense bits are already set."""


class DasdDevice(Device):
    """A CKD disk drive on a pack image (the 2311 and 2314 share the logic)."""

    sense_length = 6

    def __init__(self, image: str | Path | CKDImage, read_only: bool | None = None) -> None:
        super().__init__()
        if isinstance(image, CKDImage):
            self.image = image
        else:
            if read_only is None:
                read_only = os.path.exists(image) and not os.access(image, os.W_OK)
            self.image = CKDImage(image, read_only=read_only)
        if self.image.geometry.device_type != self.device_type:
            kind = self.image.geometry.device_type
            self.image.close()
            raise DeviceError(
                f"{self.image.path} is a {kind} pack; it cannot be attached as a {self.device_type}"
            )
        self.geometry = self.image.geometry
        self.read_only = self.image.read_only
        self.cylinder = 0
        self.head = 0
        self._track: Track | None = None
        self.orientation = AT_INDEX
        self.record_index = -1
        self.last_error = ""
        self._new_chain()

    @classmethod
    def from_spec(cls, file: str | None) -> DasdDevice:
        """``2314:FILE`` attaches the pack read/write (read-only if the file is),
        ``2314:FILE:ro`` read-only."""
        if not file:
            kind = cls.device_type
            raise DeviceError(f"a {kind} needs a pack image file: {kind}:FILE[:ro]")
        if file.endswith(":ro"):
            return cls(file[: -len(":ro")], read_only=True)
        return cls(file)

    def _new_chain(self) -> None:
        self.file_mask = 0
        self.file_mask_set = False
        self.previous = 0
        self.search_equal = False
        self.index_passes = 0

    def reset(self) -> None:
        super().reset()
        self._new_chain()
        self.orientation = AT_INDEX

    def close(self) -> None:
        self.image.flush()
        self.image.close()

    def host_files(self) -> list[tuple[Path, bool]]:
        return [(self.image.path, not self.read_only)]

    def track(self) -> Track:
        if self._track is None:
            try:
                self._track = self.image.read_track(self.cylinder, self.head)
            except CKDImageError as error:
                self.last_error = str(error)
                self.sense[0] |= SENSE_EQUIPMENT_CHECK
                self.sense[1] |= SENSE1_DATA_CHECK_IN_COUNT
                raise _UnitCheck from None
        return self._track

    def _store_track(self, track: Track) -> None:
        if not self.image.fits(track):
            self._fail(0, SENSE1_TRACK_OVERRUN)
        self.image.write_track(self.cylinder, self.head, track)
        self._track = track

    def _move_to(self, cylinder: int, head: int) -> None:
        if (cylinder, head) != (self.cylinder, self.head):
            self._track = None
        self.cylinder, self.head = cylinder, head
        self.orientation = AT_INDEX
        self.record_index = -1

    def _fail(self, sense0: int, sense1: int = 0) -> None:
        self.sense[0] |= sense0
        self.sense[1] |= sense1
        raise _UnitCheck

    def _reached_index(self, multitrack: bool) -> None:
        """The heads pass the index point: next head (MT) or count a revolution."""
        if multitrack:
            if self.file_mask & MASK_SEEK_CONTROL == MASK_INHIBIT_SEEK_AND_MT:
                self._fail(SENSE_COMMAND_REJECT, SENSE1_FILE_PROTECTED)
            if self.head + 1 >= self.geometry.heads:
                self._fail(0, SENSE1_END_OF_CYLINDER)
            self._move_to(self.cylinder, self.head + 1)
            self.index_passes = 0
            return
        self.index_passes += 1
        if self.index_passes >= 2:
            self._fail(0, SENSE1_NO_RECORD_FOUND)
        self.orientation = AT_INDEX
        self.record_index = -1

    def _next_record(self, skip_r0: bool, multitrack: bool) -> Record:
        """Move to the next count field on the track and return its record."""
        while True:
            records = self.track().records
            if self.orientation in (AT_INDEX, AT_HOME_ADDRESS):
                candidate = 0
            else:
                candidate = self.record_index + 1
            if skip_r0 and candidate == 0:
                candidate = 1
            if candidate < len(records):
                self.record_index = candidate
                self.orientation = AT_COUNT
                return records[candidate]
            self._reached_index(multitrack)

    def _current_or_next(self, skip_r0: bool, multitrack: bool) -> Record:
        """The record whose count was just passed (search, read count), or the next."""
        if self.orientation in (AT_COUNT, AT_KEY) and self.record_index >= 0:
            return self.track().records[self.record_index]
        return self._next_record(skip_r0, multitrack)

    def _to_home_address(self, multitrack: bool) -> None:
        """Wait for the index point, then pass the home address."""
        if self.orientation != AT_INDEX:
            self._reached_index(multitrack)
        self.track()
        self.orientation = AT_HOME_ADDRESS
        self.record_index = -1

    def _delay(self, byte_count: int) -> int:
        return ACCESS_DELAY + byte_count * self.geometry.byte_time

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if not chained:
            self._new_chain()
        try:
            result = self._dispatch(command, data, count)
        except _UnitCheck:
            self.previous = 0
            self.search_equal = False
            if self.sense[0] & SENSE_COMMAND_REJECT:  # refused at initial selection
                return CCWResult(NORMAL_END | UNIT_CHECK, 0, delay=0, immediate=True)
            # Found while searching or transferring: no incorrect length on top.
            return CCWResult(NORMAL_END | UNIT_CHECK, count, delay=ACCESS_DELAY)
        self.previous = command & 0x7F
        return result

    def _dispatch(self, command: int, data: bytes, count: int) -> CCWResult:
        base = command & 0x7F
        multitrack = bool(command & MULTITRACK)
        if command == NOP:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        if command in (SEEK, SEEK_CYLINDER, SEEK_HEAD):
            return self._seek(command, data)
        if command == RECALIBRATE:
            moved = self.cylinder
            self._move_to(0, 0)
            return CCWResult(NORMAL_END, 0, delay=SEEK_DELAY + moved, immediate=True)
        if command == SET_FILE_MASK:
            return self._set_file_mask(data)
        if command == READ_IPL:
            self._move_to(0, 0)
            record = self._next_record(skip_r0=True, multitrack=False)
            self.orientation = AT_DATA
            self.index_passes = 0
            length = len(record.data)
            status = NORMAL_END | _end_of_file(record)
            return CCWResult(status, length, record.data, self._delay(length))
        if base == SEARCH_HOME_ADDRESS:
            return self._search_home_address(data, multitrack)
        if base in _SEARCH_ID:
            return self._search_id(base, data, multitrack)
        if base in _SEARCH_KEY:
            return self._search_key(base, data, multitrack)
        if base == READ_HOME_ADDRESS:
            self._to_home_address(multitrack)
            home = self.track().home_address
            self.index_passes = 0
            return CCWResult(NORMAL_END, HOME_ADDRESS_LENGTH, home, self._delay(5))
        if base in _READS:
            return self._read(base, multitrack)
        if command in _WRITES:
            return self._write(command, data, count)
        return self.reject()

    def _seek(self, command: int, data: bytes) -> CCWResult:
        allowed = {
            SEEK: (MASK_SEEK_ALL,),
            SEEK_CYLINDER: (MASK_SEEK_ALL, MASK_SEEK_CYLINDER_HEAD),
            SEEK_HEAD: (MASK_SEEK_ALL, MASK_SEEK_CYLINDER_HEAD, MASK_SEEK_HEAD_ONLY),
        }[command]
        if self.file_mask & MASK_SEEK_CONTROL not in allowed:
            self._fail(SENSE_COMMAND_REJECT, SENSE1_FILE_PROTECTED)
        if len(data) < 6:
            self._fail(SENSE_COMMAND_REJECT)
        bin_number, cylinder, head = struct.unpack(">HHH", data[:6])
        if command == SEEK_HEAD:
            cylinder = self.cylinder
        if bin_number or cylinder >= self.image.cylinders or head >= self.geometry.heads:
            self._fail(SENSE_COMMAND_REJECT | SENSE_SEEK_CHECK)
        moved = abs(cylinder - self.cylinder)
        self._move_to(cylinder, head)
        # Channel end once the address is taken, device end when the arm arrives.
        motion = SEEK_DELAY + SEEK_DELAY_PER_CYLINDER * moved
        return CCWResult(NORMAL_END, 6, delay=ACCESS_DELAY, device_end_delay=motion)

    def _set_file_mask(self, data: bytes) -> CCWResult:
        if self.file_mask_set:
            self._fail(SENSE_COMMAND_REJECT, SENSE1_INVALID_SEQUENCE)
        if not data or data[0] & MASK_RESERVED:
            self._fail(SENSE_COMMAND_REJECT)
        self.file_mask = data[0]
        self.file_mask_set = True
        return CCWResult(NORMAL_END, 1, delay=ACCESS_DELAY)

    def _searched(self, satisfied: bool, equal: bool, length: int) -> CCWResult:
        self.search_equal = satisfied and equal
        if satisfied:
            self.index_passes = 0
        status = NORMAL_END | (STATUS_MODIFIER if satisfied else 0)
        return CCWResult(status, length, delay=self._delay(length))

    @staticmethod
    def _compare(kind: int, field: bytes, argument: bytes) -> bool:
        """Compare a track field with the search argument over the argument's length."""
        length = min(len(field), len(argument))
        field, argument = field[:length], argument[:length]
        if kind in (SEARCH_ID_EQUAL, SEARCH_KEY_EQUAL, SEARCH_HOME_ADDRESS):
            return field == argument
        if kind in (SEARCH_ID_HIGH, SEARCH_KEY_HIGH):
            return field > argument
        return field >= argument

    def _search_home_address(self, data: bytes, multitrack: bool) -> CCWResult:
        self._to_home_address(multitrack)
        home = self.track().home_address[1:5]
        satisfied = self._compare(SEARCH_HOME_ADDRESS, home, data[:4])
        return self._searched(satisfied, True, 4)

    def _search_id(self, kind: int, data: bytes, multitrack: bool) -> CCWResult:
        record = self._next_record(skip_r0=False, multitrack=multitrack)
        satisfied = self._compare(kind, record.identifier, data[:5])
        return self._searched(satisfied, kind == SEARCH_ID_EQUAL, 5)

    def _search_key(self, kind: int, data: bytes, multitrack: bool) -> CCWResult:
        if self.orientation == AT_COUNT and self.record_index > 0:
            record = self.track().records[self.record_index]
        else:
            record = self._next_record(skip_r0=True, multitrack=multitrack)
        self.orientation = AT_KEY
        if not record.key:  # nothing to compare: not satisfied, and no length error
            return self._searched(False, False, len(data))
        satisfied = self._compare(kind, record.key, data[: len(record.key)])
        return self._searched(satisfied, kind == SEARCH_KEY_EQUAL, len(record.key))

    def _read(self, base: int, multitrack: bool) -> CCWResult:
        if base == READ_R0:
            if self.orientation != AT_HOME_ADDRESS:
                self._to_home_address(multitrack)
            records = self.track().records
            if not records:
                self._fail(0, SENSE1_NO_RECORD_FOUND)
            self.record_index = 0
            record = records[0]
            payload = record.count_field() + record.key + record.data
        elif base == READ_COUNT:
            record = self._next_record(skip_r0=True, multitrack=multitrack)
            self.index_passes = 0
            payload = record.count_field()
            self.orientation = AT_COUNT
            return CCWResult(NORMAL_END, COUNT_LENGTH, payload, self._delay(COUNT_LENGTH))
        elif base == READ_COUNT_KEY_AND_DATA:
            record = self._next_record(skip_r0=True, multitrack=multitrack)
            payload = record.count_field() + record.key + record.data
        elif base == READ_KEY_AND_DATA:
            if self.orientation == AT_COUNT and self.record_index >= 0:
                record = self.track().records[self.record_index]
            else:
                record = self._next_record(skip_r0=True, multitrack=multitrack)
            payload = record.key + record.data
        else:
            record = self._current_or_next(skip_r0=True, multitrack=multitrack)
            payload = record.data
        self.orientation = AT_DATA
        self.index_passes = 0
        return CCWResult(
            NORMAL_END | _end_of_file(record), len(payload), payload, self._delay(len(payload))
        )

    def _write(self, command: int, data: bytes, count: int) -> CCWResult:
        if self.read_only:
            self._fail(SENSE_COMMAND_REJECT, SENSE1_FILE_PROTECTED)
        write_control = self.file_mask & MASK_WRITE_CONTROL
        formatting = command in (WRITE_HOME_ADDRESS, WRITE_R0)
        updating = command in (WRITE_DATA, WRITE_KEY_AND_DATA)
        if (
            write_control == MASK_INHIBIT_WRITES
            or (formatting and write_control != MASK_ALLOW_ALL_WRITES)
            or (write_control == MASK_UPDATE_ONLY and not updating)
        ):
            self._fail(SENSE_COMMAND_REJECT, SENSE1_FILE_PROTECTED)
        previous = self.previous
        if command == WRITE_HOME_ADDRESS:
            if len(data) < HOME_ADDRESS_LENGTH:
                self._fail(SENSE_COMMAND_REJECT)
            track = Track(bytes(data[:HOME_ADDRESS_LENGTH]))
            self._store_track(track)
            self.orientation = AT_HOME_ADDRESS
            self.record_index = -1
            return CCWResult(NORMAL_END, HOME_ADDRESS_LENGTH, delay=self._delay(5))
        if command == WRITE_R0:
            after_home = previous in (READ_HOME_ADDRESS, WRITE_HOME_ADDRESS) or (
                previous == SEARCH_HOME_ADDRESS and self.search_equal
            )
            if not after_home:
                self._fail(SENSE_COMMAND_REJECT, SENSE1_INVALID_SEQUENCE)
            record = self._record_from(data)
            track = Track(self.track().home_address, [record])
            self._store_track(track)
            self.record_index = 0
            self.orientation = AT_DATA
            return CCWResult(NORMAL_END, record.length(), delay=self._delay(record.length()))
        if command in (WRITE_COUNT_KEY_AND_DATA, ERASE):
            oriented = previous in (
                WRITE_R0,
                WRITE_COUNT_KEY_AND_DATA,
                READ_R0,
                READ_COUNT,
                READ_DATA,
                READ_KEY_AND_DATA,
                READ_COUNT_KEY_AND_DATA,
            ) or (previous in (SEARCH_ID_EQUAL, SEARCH_KEY_EQUAL) and self.search_equal)
            if not oriented or self.record_index < 0:
                self._fail(SENSE_COMMAND_REJECT, SENSE1_INVALID_SEQUENCE)
            kept = self.track().records[: self.record_index + 1]
            if command == ERASE:
                self._store_track(Track(self.track().home_address, kept))
                self.orientation = AT_DATA
                return CCWResult(NORMAL_END, count, delay=self._delay(count))
            record = self._record_from(data)
            self._store_track(Track(self.track().home_address, [*kept, record]))
            self.record_index += 1
            self.orientation = AT_DATA
            self.index_passes = 0
            return CCWResult(NORMAL_END, record.length(), delay=self._delay(record.length()))
        # Write data, write key and data: update the record an equal search found.
        if previous not in (SEARCH_ID_EQUAL, SEARCH_KEY_EQUAL) or not self.search_equal:
            self._fail(SENSE_COMMAND_REJECT, SENSE1_INVALID_SEQUENCE)
        if command == WRITE_KEY_AND_DATA and previous != SEARCH_ID_EQUAL:
            self._fail(SENSE_COMMAND_REJECT, SENSE1_INVALID_SEQUENCE)
        old = self.track().records[self.record_index]
        if command == WRITE_DATA:
            new = Record(old.cylinder, old.head, old.record, old.key, _fit(data, len(old.data)))
            length = len(old.data)
        else:
            key = _fit(data, len(old.key))
            rest = data[len(old.key) :]
            new = Record(old.cylinder, old.head, old.record, key, _fit(rest, len(old.data)))
            length = len(old.key) + len(old.data)
        records = list(self.track().records)
        records[self.record_index] = new
        self._store_track(Track(self.track().home_address, records))
        self.orientation = AT_DATA
        self.index_passes = 0
        return CCWResult(NORMAL_END, length, delay=self._delay(length))

    def _record_from(self, data: bytes) -> Record:
        """A new record from a count field followed by its key and data."""
        if len(data) < COUNT_LENGTH:
            self._fail(SENSE_COMMAND_REJECT)
        key_length = data[5]
        data_length = int.from_bytes(data[6:8], "big")
        body = data[COUNT_LENGTH:]
        key = _fit(body, key_length)
        payload = _fit(body[key_length:], data_length)
        return Record.from_count(data[:COUNT_LENGTH], key, payload)

    def describe(self) -> str:
        mode = "read-only" if self.read_only else "read/write"
        return f"{self.device_type} {self.image.path} ({self.image.cylinders} cylinders, {mode})"


def _end_of_file(record: Record) -> int:
    """A record with no data is an end-of-file mark: reading it presents unit exception."""
    return 0 if record.data or record.record == 0 else UNIT_EXCEPTION


def _fit(data: bytes, length: int) -> bytes:
    """Data cut or padded with zeros to a field's length (the control unit pads)."""
    return bytes(data[:length]).ljust(length, b"\x00")


@register
class Dasd2311(DasdDevice):
    """IBM 2311 disk storage drive (7.25 MB pack)."""

    device_type = "2311"


@register
class Dasd2314(DasdDevice):
    """IBM 2314 direct access storage facility drive (29 MB pack)."""

    device_type = "2314"

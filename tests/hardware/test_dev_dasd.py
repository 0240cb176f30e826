"""2311/2314 CKD channel programs: seek, search, read, write, file mask, errors."""

import pytest
from channel_programs import ChannelRig, ccw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vm370.hardware.channel import CHAIN_COMMAND, INCORRECT_LENGTH, SUPPRESS_LENGTH
from vm370.hardware.devices import (
    CHANNEL_END,
    DEVICE_END,
    UNIT_CHECK,
    UNIT_EXCEPTION,
    DeviceError,
)
from vm370.hardware.devices.ckd_image import CKDImage, CKDImageError, Record, create_image
from vm370.hardware.devices.dasd import Dasd2311, Dasd2314

CE_DE = CHANNEL_END | DEVICE_END
CC = CHAIN_COMMAND
CC_SLI = CHAIN_COMMAND | SUPPRESS_LENGTH
DISK = 0x190
SEEK = 0x600
MASK = 0x608
ARGUMENT = 0x610
BUFFER = 0x1000


def seek_argument(cylinder: int, head: int) -> bytes:
    return bytes(2) + cylinder.to_bytes(2, "big") + head.to_bytes(2, "big")


def count_field(cylinder: int, head: int, record: int, key_length: int, data_length: int):
    return (
        cylinder.to_bytes(2, "big")
        + head.to_bytes(2, "big")
        + bytes((record, key_length))
        + data_length.to_bytes(2, "big")
    )


@pytest.fixture
def pack(tmp_path):
    return create_image(tmp_path / "test.2314", "2314", cylinders=4)


@pytest.fixture
def rig(pack):
    rig = ChannelRig(size=128 * 1024)
    rig.attach(DISK, Dasd2314(pack))
    return rig


def run(rig, program, *, expect_cc=0):
    rig.program(program)
    cc = rig.start_io(DISK)
    assert cc == expect_cc, rig.csw()
    if cc == 1:
        return rig.csw()
    _, csw = rig.run_to_interrupt()
    return csw


def sense(rig) -> bytes:
    rig.program([ccw(0x04, 0x700, 0, 6)], at=0x300)
    assert rig.start_io(DISK) == 0
    rig.run_to_interrupt()
    return rig.storage.read(0x700, 6)


def format_track(rig, cylinder, head, records, mask=0xC0):
    """Write HA, R0 and records [(number, key, data)] with one channel program."""
    rig.storage.write(SEEK, seek_argument(cylinder, head))
    rig.storage.write(MASK, bytes((mask,)))
    ha = b"\x00" + cylinder.to_bytes(2, "big") + head.to_bytes(2, "big")
    rig.storage.write(0x618, ha)
    rig.storage.write(0x620, count_field(cylinder, head, 0, 0, 8) + bytes(8))
    program = [
        ccw(0x07, SEEK, CC, 6),
        ccw(0x1F, MASK, CC, 1),
        ccw(0x19, 0x618, CC, 5),
        ccw(0x15, 0x620, CC if records else 0, 16),
    ]
    address = 0x4000
    for index, (number, key, data) in enumerate(records):
        body = count_field(cylinder, head, number, len(key), len(data)) + key + data
        rig.storage.write(address, body)
        last = index == len(records) - 1
        program.append(ccw(0x1D, address, 0 if last else CC, len(body)))
        address += (len(body) + 7) & ~7
    return run(rig, program)


def test_seek_search_and_read_r0_of_a_blank_pack(rig):
    rig.storage.write(SEEK, seek_argument(2, 7))
    rig.storage.write(ARGUMENT, count_field(2, 7, 0, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 8),
        ],
    )
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert rig.storage.read(BUFFER, 8) == bytes(8)


def test_format_write_and_read_back_by_search_id(rig, pack):
    records = [(n, b"", bytes([n]) * 800) for n in (1, 2, 3, 4)]
    csw = format_track(rig, 1, 3, records)
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    rig.storage.write(ARGUMENT, count_field(1, 3, 3, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 800),
        ],
    )
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert rig.storage.read(BUFFER, 800) == bytes([3]) * 800
    rig.channels.close()
    track = CKDImage(pack, read_only=True).read_track(1, 3)
    assert [(r.record, len(r.data)) for r in track.records] == [
        (0, 8),
        (1, 800),
        (2, 800),
        (3, 800),
        (4, 800),
    ]


def test_search_key_equal_finds_the_record_and_read_data_follows(rig):
    records = [(1, b"ALPHA", b"first"), (2, b"BRAVO", b"second"), (3, b"DELTA", b"third")]
    format_track(rig, 0, 1, records)
    rig.storage.write(ARGUMENT, b"BRAVO")
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x29, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, SUPPRESS_LENGTH, 100),
        ],
    )
    assert csw.unit_status == CE_DE
    assert rig.storage.read(BUFFER, 6) == b"second"
    assert csw.count == 94


def test_search_key_high_stops_at_the_first_greater_key(rig):
    format_track(rig, 0, 1, [(1, b"AAA", b"1"), (2, b"CCC", b"2"), (3, b"EEE", b"3")])
    rig.storage.write(ARGUMENT, b"BBB")
    run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x49, ARGUMENT, CC, 3),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 1),
        ],
    )
    assert rig.storage.read(BUFFER, 1) == b"2"


def test_search_for_a_missing_record_ends_with_no_record_found(rig):
    format_track(rig, 0, 2, [(1, b"", b"x" * 10)])
    rig.storage.write(ARGUMENT, count_field(0, 2, 9, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 10),
        ],
    )
    assert csw.unit_status == CE_DE | UNIT_CHECK
    assert sense(rig)[1] & 0x08  # no record found


def test_multitrack_search_goes_on_to_the_next_head(rig):
    format_track(rig, 3, 4, [(1, b"", b"on head 4")])
    format_track(rig, 3, 5, [(1, b"", b"on head 5")])
    rig.storage.write(SEEK, seek_argument(3, 4))
    rig.storage.write(ARGUMENT, count_field(3, 5, 1, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0xB1, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 9),
        ],
    )
    assert csw.unit_status == CE_DE
    assert rig.storage.read(BUFFER, 9) == b"on head 5"


def test_read_home_address_r0_count_and_ckd(rig):
    format_track(rig, 2, 1, [(1, b"KEY", b"DATA")])
    rig.storage.write(SEEK, seek_argument(2, 1))
    run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x1A, 0x1000, CC, 5),
            ccw(0x16, 0x1010, CC, 16),
            ccw(0x12, 0x1020, CC, 8),
            ccw(0x1A, 0x1040, CC, 5),
            ccw(0x1E, 0x1050, 0, 15),
        ],
    )
    assert rig.storage.read(0x1000, 5) == bytes.fromhex("0000020001")
    assert rig.storage.read(0x1010, 16) == count_field(2, 1, 0, 0, 8) + bytes(8)
    assert rig.storage.read(0x1020, 8) == count_field(2, 1, 1, 3, 4)
    assert rig.storage.read(0x1050, 15) == count_field(2, 1, 1, 3, 4) + b"KEYDATA"


def test_read_count_skips_r0_and_read_data_uses_the_record_it_found(rig):
    format_track(rig, 0, 3, [(1, b"", b"one"), (2, b"", b"two")])
    rig.storage.write(SEEK, seek_argument(0, 3))
    run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x12, 0x1000, CC, 8),
            ccw(0x12, 0x1008, CC, 8),
            ccw(0x06, 0x1010, 0, 3),
        ],
    )
    assert rig.storage.read(0x1000, 8) == count_field(0, 3, 1, 0, 3)
    assert rig.storage.read(0x1008, 8) == count_field(0, 3, 2, 0, 3)
    assert rig.storage.read(0x1010, 3) == b"two"


def test_write_data_updates_the_record_found_by_search(rig, pack):
    format_track(rig, 1, 1, [(1, b"", b"old-data")])
    rig.storage.write(ARGUMENT, count_field(1, 1, 1, 0, 0)[:5])
    rig.storage.write(BUFFER, b"NEW-DATA")
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x05, BUFFER, 0, 8),
        ],
    )
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    rig.channels.close()
    assert CKDImage(pack, read_only=True).read_track(1, 1).records[1].data == b"NEW-DATA"


def test_write_data_without_a_search_is_rejected_as_invalid_sequence(rig):
    format_track(rig, 1, 1, [(1, b"", b"old")])
    rig.storage.write(BUFFER, b"NEW")
    csw = run(rig, [ccw(0x07, SEEK, CC, 6), ccw(0x05, BUFFER, 0, 3)])
    assert csw.unit_status & UNIT_CHECK
    data = sense(rig)
    assert data[0] & 0x80 and data[1] & 0x10


def test_write_home_address_needs_the_file_mask_to_allow_it(rig, pack):
    rig.storage.write(SEEK, seek_argument(0, 0))
    rig.storage.write(0x618, bytes(5))
    csw = run(rig, [ccw(0x07, SEEK, CC, 6), ccw(0x19, 0x618, 0, 5)])
    assert csw.unit_status & UNIT_CHECK
    data = sense(rig)
    assert data[0] & 0x80 and data[1] & 0x04  # command reject, file protected
    rig.channels.close()
    assert CKDImage(pack, read_only=True).read_track(0, 0).records  # R0 still there


def test_file_mask_inhibiting_writes_refuses_write_ckd(rig):
    csw = format_track(rig, 0, 5, [(1, b"", b"x")], mask=0x40)
    assert csw.unit_status & UNIT_CHECK


def test_set_file_mask_twice_in_one_program_is_rejected(rig):
    rig.storage.write(MASK, b"\x00")
    csw = run(rig, [ccw(0x1F, MASK, CC, 1), ccw(0x1F, MASK, 0, 1)])
    assert csw.unit_status & UNIT_CHECK
    assert sense(rig)[1] & 0x10


def test_seek_outside_the_pack_is_rejected(rig):
    rig.storage.write(SEEK, seek_argument(4, 0))
    csw = run(rig, [ccw(0x07, SEEK, 0, 6)], expect_cc=1)
    assert csw.unit_status & UNIT_CHECK
    rig.storage.write(SEEK, seek_argument(0, 20))
    csw = run(rig, [ccw(0x07, SEEK, 0, 6)], expect_cc=1)
    assert csw.unit_status & UNIT_CHECK


def test_record_too_big_for_the_track_is_track_overrun_and_changes_nothing(rig, pack):
    records = [(n, b"", bytes(3000)) for n in (1, 2, 3)]
    csw = format_track(rig, 2, 2, records)
    assert csw.unit_status & UNIT_CHECK
    assert sense(rig)[1] & 0x40
    rig.channels.close()
    track = CKDImage(pack, read_only=True).read_track(2, 2)
    assert [r.record for r in track.records] == [0, 1, 2]


def test_largest_record_fits_exactly(rig):
    csw = format_track(rig, 2, 3, [(1, b"", bytes(7294))])
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    csw = format_track(rig, 2, 4, [(1, b"", bytes(7295))])
    assert csw.unit_status & UNIT_CHECK


def test_short_read_count_gives_incorrect_length(rig):
    rig.storage.write(SEEK, seek_argument(0, 0))
    rig.storage.write(ARGUMENT, count_field(0, 0, 0, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x06, BUFFER, 0, 4),
        ],
    )
    assert csw.channel_status == INCORRECT_LENGTH


def test_read_only_pack_refuses_writes_and_the_file_is_unchanged(pack):
    before = pack.read_bytes()
    rig = ChannelRig()
    rig.attach(DISK, Dasd2314(pack, read_only=True))
    csw = format_track(rig, 0, 0, [(1, b"", b"x")])
    assert csw.unit_status & UNIT_CHECK
    assert sense(rig)[1] & 0x04
    rig.channels.close()
    assert pack.read_bytes() == before


def test_erase_removes_the_records_after_the_current_one(rig, pack):
    format_track(rig, 1, 2, [(1, b"", b"a"), (2, b"", b"b"), (3, b"", b"c")])
    rig.storage.write(ARGUMENT, count_field(1, 2, 1, 0, 0)[:5])
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x31, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x11, BUFFER, 0, 8),
        ],
    )
    assert csw.unit_status == CE_DE
    rig.channels.close()
    assert [r.record for r in CKDImage(pack, read_only=True).read_track(1, 2).records] == [0, 1]


def test_read_ipl_reads_r1_of_the_first_track(rig):
    format_track(rig, 0, 0, [(1, b"", b"IPL-RECORD-24-BYTES-HERE")])
    run(rig, [ccw(0x02, BUFFER, 0, 24)])
    assert rig.storage.read(BUFFER, 24) == b"IPL-RECORD-24-BYTES-HERE"


def test_unknown_command_is_rejected_at_start_io(rig):
    csw = run(rig, [ccw(0x27, BUFFER, 0, 1)], expect_cc=1)
    assert csw.unit_status & UNIT_CHECK


def test_corrupt_track_gives_unit_check_not_a_crash(pack):
    raw = bytearray(pack.read_bytes())
    offset = 512 + (1 * 20 + 0) * 7680
    raw[offset + 5 + 6 : offset + 5 + 8] = b"\xff\xf0"  # R0 data length runs off the track
    pack.write_bytes(bytes(raw))
    rig = ChannelRig()
    rig.attach(DISK, Dasd2314(pack))
    rig.storage.write(SEEK, seek_argument(1, 0))
    rig.storage.write(ARGUMENT, count_field(1, 0, 0, 0, 0)[:5])
    csw = run(rig, [ccw(0x07, SEEK, CC, 6), ccw(0x31, ARGUMENT, 0, 5)])
    assert csw.unit_status & UNIT_CHECK
    assert sense(rig)[0] & 0x10


def test_pack_of_the_wrong_type_is_refused(tmp_path):
    pack = create_image(tmp_path / "small.2311", "2311", cylinders=1)
    with pytest.raises(DeviceError, match="2311 pack"):
        Dasd2314(pack)
    Dasd2311(pack).close()


def test_missing_pack_is_a_typed_error(tmp_path):
    with pytest.raises(CKDImageError, match="does not exist"):
        Dasd2314(tmp_path / "nope.2314")


def test_records_written_by_the_device_round_trip_through_the_image(tmp_path):
    pack = create_image(tmp_path / "round.2311", "2311", cylinders=1)
    image = CKDImage(pack)
    track = image.read_track(0, 9)
    track.records.append(Record(0, 9, 1, b"K", b"D" * 100))
    image.write_track(0, 9, track)
    image.close()
    again = CKDImage(pack, read_only=True).read_track(0, 9)
    assert again.records[1] == Record(0, 9, 1, b"K", b"D" * 100)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    program=st.lists(
        st.tuples(
            st.sampled_from(
                [0x03, 0x07, 0x0B, 0x1B, 0x13, 0x1F, 0x39, 0x31, 0x51, 0x71, 0xB1, 0x29]
                + [0x49, 0x69, 0xA9, 0x1A, 0x16, 0x12, 0x06, 0x0E, 0x1E, 0x02, 0x86, 0x92]
                + [0x19, 0x15, 0x1D, 0x05, 0x0D, 0x11, 0x04, 0x08, 0x27, 0x00]
            ),
            st.sampled_from([SEEK, MASK, ARGUMENT, BUFFER, 0x208, 0x1FFF8]),
            st.sampled_from([0, CC, CC_SLI, SUPPRESS_LENGTH, 0x80]),
            st.integers(0, 900),
        ),
        min_size=1,
        max_size=10,
    ),
    arguments=st.binary(min_size=24, max_size=24),
)
def test_any_dasd_program_ends_in_status_and_keeps_the_image_well_formed(
    tmp_path_factory, program, arguments
):
    pack = tmp_path_factory.mktemp("fuzz") / "fuzz.2311"
    create_image(pack, "2311", cylinders=2)
    rig = ChannelRig(size=128 * 1024)
    rig.attach(DISK, Dasd2311(pack))
    rig.storage.write(SEEK, arguments[:8])
    rig.storage.write(MASK, arguments[8:16])
    rig.storage.write(ARGUMENT, arguments[16:])
    rig.program([ccw(*fields) for fields in program])
    cc = rig.start_io(DISK)
    assert cc in (0, 1)
    if cc == 0:
        rig.run_events(limit=3000)
        rig.channels.halt_io(DISK)
        rig.run_events(limit=10)
    rig.channels.close()
    image = CKDImage(pack, read_only=True)
    for cylinder in range(2):
        for head in range(10):
            image.read_track(cylinder, head)  # every track still parses


def test_reading_an_end_of_file_record_presents_unit_exception(rig):
    format_track(rig, 1, 0, [(1, b"", b"last data"), (2, b"", b"")])
    rig.storage.write(SEEK, seek_argument(1, 0))
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(0x1E, 0x1000, CC_SLI, 100),
            ccw(0x1E, 0x1100, CC_SLI, 100),
            ccw(0x1E, 0x1200, SUPPRESS_LENGTH, 100),
        ],
    )
    assert csw.unit_status == CE_DE | UNIT_EXCEPTION
    assert csw.address == 0x200 + 24  # chaining stopped at the end-of-file record
    assert rig.storage.read(0x1100, 8) == count_field(1, 0, 2, 0, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.tuples(st.integers(0, 8), st.integers(1, 600)), min_size=1, max_size=6),
    pick=st.integers(0, 5),
    multitrack_head=st.booleans(),
)
def test_any_formatted_track_reads_back_each_record_by_search_id_and_key(
    tmp_path_factory, sizes, pick, multitrack_head
):
    pack = tmp_path_factory.mktemp("prop") / "prop.2311"
    create_image(pack, "2311", cylinders=1)
    rig = ChannelRig(size=128 * 1024)
    rig.attach(DISK, Dasd2311(pack))
    records = [
        (n, bytes([0xC0 + n]) * key_length, bytes([n]) * data_length)
        for n, (key_length, data_length) in enumerate(sizes, start=1)
    ]
    head = 6
    csw = format_track(rig, 0, head, records)
    fits = (
        rig.channels.devices[DISK].geometry.space_used([(len(k), len(d)) for _, k, d in records])
        <= 3625
    )
    assert (csw.unit_status == CE_DE) == fits
    if not fits:
        return
    number, key, data = records[pick % len(records)]
    start_head = head - 1 if multitrack_head else head
    rig.storage.write(SEEK, seek_argument(0, start_head))
    rig.storage.write(ARGUMENT, count_field(0, head, number, 0, 0)[:5])
    search = 0xB1 if multitrack_head else 0x31
    csw = run(
        rig,
        [
            ccw(0x07, SEEK, CC, 6),
            ccw(search, ARGUMENT, CC, 5),
            ccw(0x08, 0x208, 0, 0),
            ccw(0x0E, BUFFER, 0, len(key) + len(data)),
        ],
    )
    assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
    assert rig.storage.read(BUFFER, len(key) + len(data)) == key + data
    if key:
        rig.storage.write(SEEK, seek_argument(0, head))
        rig.storage.write(ARGUMENT, key)
        csw = run(
            rig,
            [
                ccw(0x07, SEEK, CC, 6),
                ccw(0x29, ARGUMENT, CC_SLI, len(key)),  # keys differ in length
                ccw(0x08, 0x208, 0, 0),
                ccw(0x06, 0x8000, 0, len(data)),
            ],
        )
        assert (csw.unit_status, csw.channel_status) == (CE_DE, 0)
        assert rig.storage.read(0x8000, len(data)) == data


def test_seek_alone_ends_with_channel_end_and_device_end_comes_later(rig, pack):
    rig.attach(0x191, Dasd2314(create_image(pack.parent / "other.2314", "2314", cylinders=4)))
    rig.storage.write(SEEK, seek_argument(3, 0))
    rig.program([ccw(0x07, SEEK, 0, 6)])
    assert rig.start_io(DISK) == 0
    address, csw = rig.run_to_interrupt()
    assert (address, csw.unit_status, csw.channel_status) == (DISK, CHANNEL_END, 0)
    assert csw.address == 0x208
    rig.program([ccw(0x03, 0, 0, 1)])
    assert rig.start_io(DISK) == 1  # the arm is still moving
    assert rig.csw().unit_status == 0x10  # busy
    assert rig.start_io(0x191) == 1  # the selector channel is free for another drive
    address, csw = rig.run_to_interrupt()
    assert (address, csw.unit_status, csw.address, csw.count) == (DISK, DEVICE_END, 0, 0)


def test_seek_device_end_joins_a_channel_end_not_yet_taken(rig):
    rig.storage.write(SEEK, seek_argument(2, 0))
    rig.program([ccw(0x07, SEEK, 0, 6)])
    rig.start_io(DISK)
    rig.run_events()
    address, csw = rig.take_interrupt()
    assert csw.unit_status == CE_DE
    assert rig.take_interrupt() == (None, None)

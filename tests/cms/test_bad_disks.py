"""Damaged and foreign disks give one clear DiskFormatError, never a traceback or a hang."""

from __future__ import annotations

import pytest
from cms_disks import opened
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.filesystem import CMSDisk, DiskFormatError

START, CYLINDERS = 2, 10


@pytest.fixture
def disk_with_files(formatted):
    with opened(formatted, START, CYLINDERS) as device:
        disk = CMSDisk.open(device)
        disk.write("SMALL", "FILE", [b"\xc1" * 80] * 3, "F")
        disk.write("LONG", "FILE", [b"\xc2" * 800] * 70, "F", 800)  # with an Nth link
        disk.write("VAR", "FILE", [b"\xc3" * 10, b"\xc4" * 20], "V")
    return formatted


def patch_block(path, block, offset, data):
    with opened(path, START, CYLINDERS) as device:
        contents = bytearray(device.read_block(block))
        contents[offset : offset + len(data)] = data
        device.write_block(block, bytes(contents))


def fst_of(path, filename):
    """(FST block, offset in it) of ``filename``'s entry."""
    with opened(path, START, CYLINDERS, read_only=True) as device:
        mfd = device.read_block(4)
        block = int.from_bytes(mfd[0:2], "big")
        data = device.read_block(block)
        name = filename.ljust(8).encode("cp037")
        offset = next(i for i in range(0, 800, 40) if data[i : i + 8] == name)
        return block, offset, data[offset : offset + 40]


def open_disk(path):
    with opened(path, START, CYLINDERS, read_only=True) as device:
        return CMSDisk.open(device)


def read_file(path, filename):
    with opened(path, START, CYLINDERS, read_only=True) as device:
        return CMSDisk.open(device).read(filename, "FILE")


def test_blank_pack_is_not_formatted(pack):
    with (
        opened(pack("2311", 12), START, CYLINDERS, read_only=True) as device,
        pytest.raises(DiskFormatError, match="not a CMS disk: block 3 .*not CMS-formatted"),
    ):
        CMSDisk.open(device)


def test_no_label(disk_with_files):
    patch_block(disk_with_files, 3, 0, "VOL1".encode("cp037"))
    with pytest.raises(DiskFormatError, match="not a CMS disk: block 3 has no CMS= label"):
        open_disk(disk_with_files)


def test_empty_mfd(disk_with_files):
    patch_block(disk_with_files, 4, 0, bytes(364))
    with pytest.raises(DiskFormatError, match="MFD halfword 0 names FST block 0"):
        open_disk(disk_with_files)


def test_mfd_list_without_end(disk_with_files):
    with opened(disk_with_files, START, CYLINDERS) as device:
        mfd = bytearray(device.read_block(4))
        mfd[0:364] = b"".join(n.to_bytes(2, "big") for n in range(6, 6 + 182))
        device.write_block(4, bytes(mfd))
    with pytest.raises(DiskFormatError, match="no X'FFFF' end"):
        open_disk(disk_with_files)


def test_mfd_names_a_block_outside_the_disk(disk_with_files):
    patch_block(disk_with_files, 4, 0, (9999).to_bytes(2, "big"))
    with pytest.raises(DiskFormatError, match="FST block 9999, outside blocks 5-400"):
        open_disk(disk_with_files)


def test_mfd_size_disagrees_with_the_extent(disk_with_files):
    with (
        opened(disk_with_files, START, 9, read_only=True) as device,
        pytest.raises(DiskFormatError, match="describes 10 cylinders .*has 9 cylinders"),
    ):
        CMSDisk.open(device)


def test_mfd_of_another_device_type(disk_with_files):
    patch_block(disk_with_files, 4, 599, b"\x08")
    with pytest.raises(DiskFormatError, match="device type X'08', but this is a 2311"):
        open_disk(disk_with_files)


def test_directory_block_not_marked_in_use(disk_with_files):
    patch_block(disk_with_files, 4, 384, b"\x00")
    with pytest.raises(DiskFormatError, match="directory block 1 is not marked"):
        open_disk(disk_with_files)


def test_garbage_fst(disk_with_files):
    block, offset, _ = fst_of(disk_with_files, "SMALL")
    patch_block(disk_with_files, block, offset + 30, "X".encode("cp037"))
    with pytest.raises(DiskFormatError, match=r"SMALL FILE\): record format 'X' is not F or V"):
        open_disk(disk_with_files)


def test_fst_block_count_disagrees_with_records(disk_with_files):
    block, offset, _ = fst_of(disk_with_files, "SMALL")
    patch_block(disk_with_files, block, offset + 36, (5).to_bytes(2, "big"))
    with pytest.raises(DiskFormatError, match="3 records of 80 bytes do not fill 5 blocks"):
        open_disk(disk_with_files)


def test_chain_loop_through_the_first_chain_link(disk_with_files):
    _, _, fst = fst_of(disk_with_files, "SMALL")
    fcl = int.from_bytes(fst[28:30], "big")
    patch_block(disk_with_files, fcl, 80, fcl.to_bytes(2, "big"))  # data block 1 = the FCL
    with pytest.raises(DiskFormatError, match="SMALL FILE: data block 1 is block .*a loop"):
        read_file(disk_with_files, "SMALL")


def test_chain_loop_through_an_nth_chain_link(disk_with_files):
    _, _, fst = fst_of(disk_with_files, "LONG")
    fcl = int.from_bytes(fst[28:30], "big")
    with opened(disk_with_files, START, CYLINDERS, read_only=True) as device:
        nth = int.from_bytes(device.read_block(fcl)[0:2], "big")
    patch_block(disk_with_files, nth, 0, nth.to_bytes(2, "big"))
    with pytest.raises(DiskFormatError, match="LONG FILE: data block 61 .*a loop"):
        read_file(disk_with_files, "LONG")


def test_chain_points_outside_the_disk(disk_with_files):
    _, _, fst = fst_of(disk_with_files, "LONG")
    fcl = int.from_bytes(fst[28:30], "big")
    patch_block(disk_with_files, fcl, 0, (0).to_bytes(2, "big"))  # the Nth link: none
    with pytest.raises(DiskFormatError, match="chain link 2 is block 0, outside"):
        read_file(disk_with_files, "LONG")


def test_variable_record_length_past_the_data(disk_with_files):
    _, _, fst = fst_of(disk_with_files, "VAR")
    fcl = int.from_bytes(fst[28:30], "big")
    with opened(disk_with_files, START, CYLINDERS, read_only=True) as device:
        data_block = int.from_bytes(device.read_block(fcl)[80:82], "big")
    patch_block(disk_with_files, data_block, 12, b"\x03\x00")  # second record: 768 bytes
    with pytest.raises(DiskFormatError, match="VAR FILE: record 2 has length 768"):
        read_file(disk_with_files, "VAR")


def test_repeated_file(disk_with_files):
    block, offset, small = fst_of(disk_with_files, "SMALL")
    _, long_offset, _ = fst_of(disk_with_files, "LONG")
    patch_block(disk_with_files, block, long_offset, small)
    with pytest.raises(DiskFormatError, match="repeats the file SMALL FILE"):
        open_disk(disk_with_files)


def test_two_files_sharing_a_block_fail_the_check(disk_with_files):
    _, _, small = fst_of(disk_with_files, "SMALL")
    _, _, var = fst_of(disk_with_files, "VAR")
    var_fcl = int.from_bytes(var[28:30], "big")
    with opened(disk_with_files, START, CYLINDERS, read_only=True) as device:
        shared = device.read_block(var_fcl)[80:82]
    patch_block(disk_with_files, int.from_bytes(small[28:30], "big"), 80, shared)
    with opened(disk_with_files, START, CYLINDERS, read_only=True) as device:
        disk = CMSDisk.open(device)
        with pytest.raises(DiskFormatError, match="belongs to both SMALL FILE A1 and VAR FILE"):
            disk.check()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.sampled_from(["mfd", "fst", "fcl"]),
    offset=st.integers(0, 799),
    garbage=st.binary(min_size=1, max_size=64),
)
def test_random_garbage_never_escapes_as_another_error(disk_with_files, target, offset, garbage):
    with opened(disk_with_files, START, CYLINDERS) as device:
        pristine = {block: device.read_block(block) for block in range(1, 401)}
        disk = CMSDisk.open(device)
        block = {
            "mfd": 4,
            "fst": disk._fst_blocks[0],
            "fcl": disk.find("LONG", "FILE").first_chain_link,
        }[target]
        damaged = bytearray(pristine[block])
        damaged[offset : offset + len(garbage)] = garbage[: 800 - offset]
        device.write_block(block, bytes(damaged))
        try:
            disk = CMSDisk.open(device)
            for entry in disk.files():
                disk.read(entry.filename, entry.filetype)
            disk.check()
        except DiskFormatError as error:
            assert "\n" not in str(error)
        finally:
            device.write_block(block, pristine[block])


def test_names_cms_programs_may_use_are_listed_and_control_codes_are_not(disk_with_files):
    block, offset, _ = fst_of(disk_with_files, "SMALL")
    patch_block(disk_with_files, block, offset, "small.%1".encode("cp037"))
    entry = next(e for e in open_disk(disk_with_files).files() if e.filetype == "FILE")
    assert entry.filename == "small.%1"
    patch_block(disk_with_files, block, offset, b"\xc1\x15\x40\x40\x40\x40\x40\x40")
    with pytest.raises(DiskFormatError, match="has no valid file name"):
        open_disk(disk_with_files)

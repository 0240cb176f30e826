"""The field table the host tools read from cms/maclib matches VM/370's layout."""

from __future__ import annotations

import pytest

from assembler import assemble
from cms.layout import MACLIB, LayoutError, constant, field
from vm370.hardware.devices.ckd_image import GEOMETRIES

# (offset, length) of the 40-byte FST, as VM/370 Release 6's DMSFNS moves it
# (name..write pointer, then mode..year) and docs/cms-disk-format.md lists it.
VM370_FST = {
    "FSTFNAME": (0, 8),
    "FSTFTYPE": (8, 8),
    "FSTDATEW": (16, 2),
    "FSTTIMEW": (18, 2),
    "FSTWRPNT": (20, 2),
    "FSTRDPNT": (22, 2),
    "FSTFMODE": (24, 2),
    "FSTRECCT": (26, 2),
    "FSTFCLPT": (28, 2),
    "FSTRECFM": (30, 1),
    "FSTFLAGS": (31, 1),
    "FSTLRECL": (32, 4),
    "FSTBLKCT": (36, 2),
    "FSTYEARW": (38, 2),
}


@pytest.mark.parametrize(("name", "where"), VM370_FST.items())
def test_fst_field_is_where_vm370_keeps_it(name, where):
    found = field(name)
    assert (found.offset, found.length) == where


def test_fst_entry_is_forty_bytes_twenty_to_a_block():
    assert constant("FSTDLEN") == 40
    assert constant("FSTDPERB") == 20


def test_mfd_counts_bitmap_and_device_byte_sit_where_dmsaud_writes_them():
    # DMSAUD: counts moved to MFD+364 (20 bytes), bitmap at +384 (215 bytes),
    # unit type at +599, the quarter-block table at +600 (200 bytes).
    assert field("MFDNUM").offset == 364
    assert field("MFDCYL").offset + field("MFDCYL").length == 384
    assert (field("MFDQMSK").offset, field("MFDQMSK").length) == (384, 215)
    assert field("MFDDTYPE").offset == 599
    assert (field("MFDQQMSK").offset, field("MFDQQMSK").length) == (600, 200)
    assert constant("MFDEND") == 0xFFFF
    assert constant("MFDXMSK") == 0xFFFD


def test_label_and_chain_links():
    assert (field("LABID").offset, field("LABVOLID").offset, field("LABVOLID").length) == (0, 4, 6)
    # DMSERS: 40 Nth-link addresses, then 60 data blocks in the first 200 bytes.
    assert (field("FCLDATA").offset, constant("FCLNDATA"), constant("FCLDLEN")) == (80, 60, 200)
    assert constant("NCLNDATA") == 400


@pytest.mark.parametrize("device_type", ["2311", "2314"])
def test_blocks_per_track_is_the_most_whole_800_byte_records_a_track_holds(device_type):
    suffix = device_type[2:]
    per_track = constant(f"CMSBPT{suffix}")
    geometry = GEOMETRIES[device_type]
    assert geometry.space_used([(0, 800)] * per_track) <= geometry.capacity
    assert geometry.space_used([(0, 800)] * (per_track + 1)) > geometry.capacity
    assert constant(f"CMSTPC{suffix}") == geometry.heads


def test_unknown_symbol_is_a_layout_error():
    with pytest.raises(LayoutError, match="NOSUCH"):
        field("NOSUCH")


def test_dsects_serve_a_program_through_using():
    source = """\
LOOK     CSECT
         USING LOOK,12
         USING FSTD,3
         USING MFDD,4
         CLC   FSTFNAME(8),=CL8'PROFILE'
         LH    5,FSTRECCT
         L     6,FSTLRECL
         LH    7,MFDFSTBN
         L     8,MFDNUM
         LA    9,FSTDLEN(3)
         BR    14
         LTORG
         FSTD
         MFDD
         END
"""
    result = assemble(source, maclib=[str(MACLIB)])
    assert result.return_code == 0, result.diagnostics
    # L 8,MFDNUM: base 4, displacement 364 (X'16C')
    assert bytes.fromhex("5880416C") in result.object_deck

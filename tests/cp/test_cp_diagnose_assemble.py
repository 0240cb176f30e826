"""DIAGNOSE X'0108' ASSEMBLE: the project's assembler as a CP service, storage to storage."""

from __future__ import annotations

import struct

import pytest

from assembler import assemble
from assembler.maclib import build_maclib
from vm370.cp.diagnose_services import DIAGNOSE_ASSEMBLE, diagnose_assemble, listing_records
from vm370.cp.system import ControlProgram
from vm370.hardware.interrupts import ADDRESSING, PRIVILEGED_OPERATION, ProgramInterrupt
from vm370.hardware.machine import Machine

PLIST = 0x1000
SOURCE = 0x2000
LIBRARIES = 0x8000
DECK = 0x20000
LISTING = 0x30000

PROGRAM = """\
TEST     CSECT
         USING TEST,12
         GREET
         BR    14
         END   TEST
"""
GREET = ["         MACRO", "         GREET", "         SR    15,15", "         MEND"]


def cards(text: str) -> bytes:
    return b"".join(line.ljust(80).encode("cp037") for line in text.splitlines())


@pytest.fixture
def machine():
    cp = ControlProgram(Machine(256 * 1024))
    virtual = cp.create_virtual_machine("ALICE", 256 * 1024)
    virtual.cp = cp
    return virtual


def call(machine, source: str, libraries: list[list[bytes]], deck_size=0x10000, listing=0x10000):
    machine.storage.store(SOURCE, cards(source))
    area = b"".join(struct.pack(">I", len(records)) + b"".join(records) for records in libraries)
    if area:
        machine.storage.store(LIBRARIES, area)
    plist = struct.pack(
        ">10I",
        SOURCE,
        len(source.splitlines()),
        LIBRARIES,
        len(libraries),
        DECK,
        deck_size,
        0,
        LISTING,
        listing,
        0,
    ) + "TEST    ".encode("cp037")
    machine.storage.store(PLIST, plist)
    machine.gpr[2], machine.gpr[3] = PLIST, 0xFFFF
    diagnose_assemble(machine.cp, machine, 2, 3)
    deck_bytes, listing_bytes = struct.unpack(">I8xI", machine.storage.fetch(PLIST + 24, 16))
    return deck_bytes, listing_bytes


def test_the_deck_and_listing_come_back_in_storage(machine, tmp_path):
    deck_bytes, listing_bytes = call(machine, PROGRAM, [build_maclib([("GREET", GREET)])])
    assert machine.psw.cc == 0 and machine.gpr[3] == 0
    (tmp_path / "GREET.mac").write_text("\n".join(GREET) + "\n")
    expected = assemble(PROGRAM, deck_name="TEST", maclib=[tmp_path])
    assert machine.storage.fetch(DECK, deck_bytes) == expected.object_deck
    listing = machine.storage.fetch(LISTING, listing_bytes)
    assert listing_bytes % 121 == 0 and listing[:1] == b"\x40"
    assert "GREET" in listing.decode("cp037")


def test_libraries_are_searched_in_order(machine):
    other = ["         MACRO", "         GREET", "         LA    15,4", "         MEND"]
    deck_bytes, _ = call(
        machine, PROGRAM, [build_maclib([("GREET", other)]), build_maclib([("GREET", GREET)])]
    )
    deck = machine.storage.fetch(DECK, deck_bytes)
    assert bytes.fromhex("41F00004") in deck and bytes.fromhex("1BFF") not in deck


def test_the_assemblers_return_code_is_in_ry(machine):
    call(machine, PROGRAM, [])  # GREET unknown without the library
    assert machine.psw.cc == 0 and machine.gpr[3] == 8


def test_output_that_does_not_fit_is_cc_1_with_the_sizes_needed(machine):
    deck_bytes, listing_bytes = call(
        machine, PROGRAM, [build_maclib([("GREET", GREET)])], listing=121
    )
    assert machine.psw.cc == 1
    assert listing_bytes > 121 and deck_bytes % 80 == 0
    assert machine.storage.fetch(LISTING, 4) == bytes(4)  # nothing stored


def test_a_library_not_in_maclib_format_is_cc_2_naming_it(machine):
    good = build_maclib([("GREET", GREET)])
    call(machine, PROGRAM, [good, [b"\x40" * 80]])
    assert machine.psw.cc == 2 and machine.gpr[3] == 2


def test_a_parameter_list_outside_storage_is_an_addressing_exception(machine):
    machine.gpr[2] = 256 * 1024 - 8
    with pytest.raises(ProgramInterrupt) as caught:
        diagnose_assemble(machine.cp, machine, 2, 3)
    assert caught.value.code == ADDRESSING


def test_source_past_the_end_of_storage_is_an_addressing_exception(machine):
    plist = struct.pack(">10I", 256 * 1024 - 80, 2, 0, 0, DECK, 80, 0, LISTING, 121, 0)
    machine.storage.store(PLIST, plist + bytes(8))
    machine.gpr[2] = PLIST
    with pytest.raises(ProgramInterrupt) as caught:
        diagnose_assemble(machine.cp, machine, 2, 3)
    assert caught.value.code == ADDRESSING


def test_only_class_g_may_assemble(machine):
    machine.classes = "A"
    machine.gpr[2] = PLIST
    with pytest.raises(ProgramInterrupt) as caught:
        diagnose_assemble(machine.cp, machine, 2, 3)
    assert caught.value.code == PRIVILEGED_OPERATION


def test_the_code_is_registered_for_vm370():
    cp = ControlProgram(Machine(256 * 1024))
    cp.enable_virtual_devices()
    entry = cp.diagnose.lookup(DIAGNOSE_ASSEMBLE)
    assert entry is not None and entry.name == "ASSEMBLE"


def test_listing_records_are_121_bytes_with_a_blank_carriage_control():
    records = listing_records("LINE ONE\n" + "X" * 200 + "\n")
    assert len(records) == 2 * 121
    assert records[:9] == " LINE ONE".encode("cp037")
    assert records[121:] == (" " + "X" * 120).encode("cp037")

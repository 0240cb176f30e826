"""Paging on a 2314 pack through the channel subsystem."""

import pytest
from cp_guests import PAGE_WALK_CODE, PAGE_WALK_DATA

from vm370.cp.dasd_paging import DasdPagingStore, PagingAreas
from vm370.cp.paging import PagingError
from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.hardware.devices import create_device
from vm370.hardware.devices.ckd_image import CKDImage, create_image
from vm370.hardware.machine import Machine

PAGING_DEVICE = 0x1F0


def paging_system(tmp_path, real_storage=48 * 1024, cylinders=2):
    pack = create_image(tmp_path / "paging.2314", "2314", cylinders)
    machine = Machine(real_storage)
    machine.attach(PAGING_DEVICE, create_device("2314", str(pack)))
    cp = ControlProgram(machine)
    cp.pager.store = DasdPagingStore(cp.storage, cp.frames, machine.channels, PAGING_DEVICE)
    return cp, pack


def test_pages_go_to_the_pack_and_come_back(tmp_path):
    cp, pack = paging_system(tmp_path)
    cp.create_virtual_machine("ALICE", 64 * 1024)
    for page in range(16):
        cp.load("ALICE", page * 4096, bytes([page + 0x40]) * 4096)
    for page in range(16):
        assert cp.read("ALICE", page * 4096, 4096) == bytes([page + 0x40]) * 4096
    store = cp.pager.store
    assert store.writes > 0 and store.reads > 0
    cp.machine.channels.devices[PAGING_DEVICE].close()
    image = CKDImage(pack, read_only=True)
    records = [
        record.data
        for cylinder in range(image.cylinders)
        for head in range(image.heads)
        for record in image.read_track(cylinder, head).records
        if record.record == 1
    ]
    assert any(data == bytes([0x40]) * 4096 for data in records)
    image.close()


def test_a_program_paging_on_the_pack_ends_as_without_pressure(tmp_path):
    results = []
    for real_storage, on_pack in ((512 * 1024, False), (48 * 1024, True)):
        if on_pack:
            cp, _ = paging_system(tmp_path, real_storage)
        else:
            cp = ControlProgram(Machine(real_storage))
        supervisor = Supervisor(cp)
        cp.create_virtual_machine("WALK", 64 * 1024)
        cp.load("WALK", 0x68, (0x0002000000000222).to_bytes(8, "big"))
        cp.load("WALK", 0x60, (0x0002000000000111).to_bytes(8, "big"))
        cp.load("WALK", 0x100, bytes.fromhex(PAGE_WALK_DATA.replace(" ", "")))
        cp.load("WALK", 0x200, bytes.fromhex(PAGE_WALK_CODE.replace(" ", "")))
        cp.set_psw("WALK", 0x200)
        supervisor.run(200_000)
        machine = cp.virtual_machine("WALK")
        assert machine.state is RunState.DISABLED_WAIT
        storage = bytearray(cp.read("WALK", 0, 64 * 1024))
        storage[0x50:0x54] = bytes(4)  # the interval timer counts each run's own time
        results.append((machine.gpr[:], bytes(storage)))
        if on_pack:
            assert cp.pager.store.writes > 0 and machine.counters.page_reads > 0
    assert results[0] == results[1]


def test_a_full_pack_is_a_paging_error(tmp_path):
    cp, _ = paging_system(tmp_path, real_storage=48 * 1024, cylinders=1)  # 20 tracks
    cp.create_virtual_machine("BIG", 256 * 1024)
    with pytest.raises(PagingError, match="full"):
        for page in range(64):
            cp.load("BIG", page * 4096, b"\x01")


def test_no_dasd_at_the_address_is_a_paging_error(tmp_path):
    cp = ControlProgram(Machine(64 * 1024))
    with pytest.raises(PagingError, match="no DASD"):
        DasdPagingStore(cp.storage, cp.frames, cp.machine.channels, 0x1F0)


def two_area_system(tmp_path, real_storage=48 * 1024):
    """CP paging on two 1-cylinder areas (20 slots each) of two packs."""
    machine = Machine(real_storage)
    for number, address in enumerate((0x1F0, 0x1F1)):
        pack = create_image(tmp_path / f"paging{number}.2314", "2314", 1)
        machine.attach(address, create_device("2314", str(pack)))
    cp = ControlProgram(machine)
    store = PagingAreas(cp.storage, cp.frames, machine.channels, [(0x1F0, 0, 1), (0x1F1, 0, 1)])
    cp.pager.store = store
    return cp, store


def test_more_pages_than_one_area_holds_go_to_the_next(tmp_path):
    cp, store = two_area_system(tmp_path)
    heads = cp.machine.channels.devices[0x1F0].image.heads
    assert store.slots_available == 2 * heads
    pages = heads + heads // 2  # more than one area's slots, fewer than both
    cp.create_virtual_machine("BIG", pages * 4096)
    for page in range(pages):
        cp.load("BIG", page * 4096, bytes([page + 1]) * 4096)
    for page in range(pages):
        assert cp.read("BIG", page * 4096, 4096) == bytes([page + 1]) * 4096
    first, second = store.stores
    assert first.slots_used() > 0 and second.slots_used() > 0
    assert store.pages_held("BIG") == first.slots_used() + second.slots_used()
    assert store.reads > 0 and store.writes >= store.slots_used()
    # the two areas share one I/O buffer: two CP frames, not four
    assert first.io_frames is second.io_frames
    cp.pager.unregister("BIG")
    assert store.slots_used() == 0


def test_every_area_full_is_a_paging_error_naming_the_devices(tmp_path):
    cp, _ = two_area_system(tmp_path)
    cp.create_virtual_machine("HUGE", 1024 * 1024)
    with pytest.raises(PagingError, match="full.*1F0, 1F1"):
        for page in range(256):
            cp.load("HUGE", page * 4096, b"\x01")

"""CP on the real CPU: traps, reflection, dispatching and isolation end to end."""

import pytest
from cp_guests import PAGE_WALK_CODE, PAGE_WALK_DATA, VIRTUAL_67

from vm370.cp.dispatch import Dispatcher
from vm370.cp.supervisor import DISPATCH_ENTRY, Supervisor, SupervisorError
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.hardware.machine import Machine

DISABLED_WAIT = 0x0002_0000_0000_0000


def system(real_storage=256 * 1024, **dispatcher_options):
    cp = ControlProgram(Machine(real_storage), dispatcher=Dispatcher(**dispatcher_options))
    return cp, Supervisor(cp)


def guest(cp, name, code: str, size=64 * 1024, psw=0x0000_0000_0000_0200, data=None):
    cp.create_virtual_machine(name, size)
    for location, mark in ((0x58, 0x333), (0x60, 0x111), (0x68, 0x222), (0x78, 0x333)):
        cp.load(name, location, (DISABLED_WAIT | mark).to_bytes(8, "big"))
    cp.load(name, 0x200, bytes.fromhex(code.replace(" ", "")))
    for address, text in (data or {}).items():
        cp.load(name, address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw(name, psw)
    return cp.virtual_machine(name)


def test_cp_needs_translation_hardware():
    cp = ControlProgram(Machine(64 * 1024, interval_timer=False))
    cp.machine.cpu.dat = None  # a CPU without the Model 67's DAT unit
    with pytest.raises(SupervisorError, match="address translation"):
        Supervisor(cp)


def test_cp_takes_the_real_machine():
    cp, supervisor = system()
    assert cp.machine.cpu.control.extended_control_mode
    new_program_psw = cp.storage.read_doubleword(0x68)
    assert new_program_psw & 0xFFFFFFFF != 0 and not (new_program_psw >> 48) & 1
    assert DISPATCH_ENTRY in cp.machine.cpu.native_routines


def test_a_looping_guest_does_not_stop_another():
    cp, supervisor = system(interactive_slice=2_000, non_interactive_slice=8_000)
    looper = guest(cp, "LOOPER", "47F0 0200")  # B *
    worker = guest(
        cp,
        "WORKER",
        "5830 0300 1A43 4630 0204 0A07",  # L 3,X'300'; loop: AR 4,3; BCT 3,loop; SVC 7
        data={0x300: "00002710"},  # 10,000 iterations
    )
    supervisor.run(200_000)
    assert worker.state is RunState.DISABLED_WAIT
    assert worker.gpr[4] == sum(range(1, 10_001))
    assert looper.state is RunState.RUNNING
    assert looper.counters.instructions > 20_000 and looper.counters.dispatches > 2


def test_an_enabled_wait_costs_nothing_and_the_virtual_timer_ends_it():
    cp, supervisor = system()
    sleeper = guest(
        cp,
        "SLEEPER",
        "8200 0308",  # LPSW: enabled wait for the timer
        data={
            0x50: "00000100",  # 256 units: about 3,300 instructions of time
            0x308: "0102000000000000",
            0x58: "0000000000000400",  # external new PSW: go on at X'400'
            0x400: "0A09",
        },
    )
    supervisor.run(1_000_000)
    assert sleeper.state is RunState.DISABLED_WAIT
    external_old = cp.read("SLEEPER", 0x18, 8)
    assert external_old[2:4] == b"\x00\x80" and external_old[1] & 0x02  # timer, from a wait
    assert sleeper.counters.instructions < 10


def test_a_guest_cannot_reach_past_its_own_storage():
    cp, supervisor = system()
    snoop = guest(
        cp,
        "SNOOP",
        "5810 0300 D207 0400 1000 0A01",  # L 1,X'300'; MVC X'400'(8),0(1); SVC 1
        size=64 * 1024,
        data={0x300: "00010000"},  # its storage ends at X'FFFF'
    )
    other = guest(cp, "OTHER", "47F0 0200", size=64 * 1024)
    cp.load("OTHER", 0x0, b"SECRET!!")
    low_storage = bytes(cp.storage.mem[0:0x100])
    supervisor.run(10_000)
    old = cp.read("SNOOP", 0x28, 8)
    assert old[2:4] == b"\x00\x05"  # addressing
    assert cp.read("SNOOP", 0x400, 8) == bytes(8)
    assert bytes(cp.storage.mem[0x58:0x80]) == low_storage[0x58:0x80]  # CP's new PSWs
    assert cp.read("OTHER", 0, 8) == b"SECRET!!"
    assert other.state is RunState.RUNNING and snoop.state is RunState.DISABLED_WAIT


def test_a_guest_writing_everywhere_it_can_changes_nothing_outside_it():
    cp, supervisor = system(real_storage=128 * 1024)
    guest(cp, "OTHER", "47F0 0200")
    cp.load("OTHER", 0x1000, b"untouched")
    # Fill its storage from X'1000' to the end with X'FF' (a loop of MVC).
    vandal = guest(
        cp,
        "VANDAL",
        "5810 0304 4120 0100 5830 0300"  # L 1,X'304'; LA 2,256; L 3,X'300'
        " D2FF 1000 0F00 1A12 4630 020C 0A01",  # MVC 0(256,1),X'F00'; AR 1,2; BCT 3
        data={0x300: "000000F0 00001000", 0xF00: "FF" * 256},
    )
    frames_before = {
        frame.number: bytes(cp.storage.mem[frame.address : frame.address + 4096])
        for frame in cp.frames
        if frame.owner == "CP"
    }
    supervisor.run(200_000)
    assert vandal.state is RunState.DISABLED_WAIT
    assert cp.read("VANDAL", 0xE000, 16) == b"\xff" * 16
    assert cp.read("OTHER", 0x1000, 9) == b"untouched"
    for number, contents in frames_before.items():
        if number != 0 and cp.frames[number].purpose == "tables":
            continue  # page tables change as pages come and go
        if number == 0:
            continue  # real low storage: CP's PSWs and timer
        assert bytes(cp.storage.mem[number * 4096 : number * 4096 + 4096]) == contents


def test_guest_svc_program_check_and_privop_counters():
    cp, supervisor = system()
    machine = guest(
        cp,
        "COUNT",
        "8000 0300 0A05",  # SSM; SVC 5 -> SVC new PSW: LPSW-free wait
        data={0x300: "00", 0x60: "0000000000000400", 0x400: "0000"},  # X'400': invalid op
    )
    supervisor.run(10_000)
    assert machine.counters.privops == 1
    assert machine.counters.reflected == 2  # the SVC, then the operation exception
    assert cp.read("COUNT", 0x28, 8)[2:4] == b"\x00\x01"


def test_a_virtual_67_runs_translated_through_shadow_tables():
    cp, supervisor = system()
    cp.create_virtual_machine("VM67", 64 * 1024)
    for address, text in VIRTUAL_67.items():
        cp.load("VM67", address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw("VM67", 0x0000_0000_0000_0200)
    machine = cp.virtual_machine("VM67")
    supervisor.run(10_000)
    assert machine.state is RunState.DISABLED_WAIT, cp.state("VM67")
    assert machine.gpr[2] == 0xAAAAAAAA
    assert machine.gpr[5] == 0xBBBBBBBB  # after the purge, the remapped page
    assert machine.gpr[0] == 0x8000  # LRA: the guest-real address
    assert cp.read("VM67", 0x8004, 4) == bytes.fromhex("AAAAAAAA")
    assert cp.read("VM67", 0x10, 2) == b"\x00\x01"  # EC mode: the SVC code in low storage
    svc_old = cp.read("VM67", 0x20, 8)
    assert svc_old[0] & 0x04 and int.from_bytes(svc_old[4:], "big") == 0x10026
    assert machine.shadow.builds >= 2 and machine.shadow.invalidations >= 1
    assert machine.counters.privops == 5  # LMC three times, LPSW, LRA
    assert machine.shadow.entries_filled >= 4  # code, data, tables, the remapped page


def run_page_walkers(real_storage: int, count: int) -> tuple[ControlProgram, list]:
    cp, supervisor = system(real_storage=real_storage, interactive_slice=300)
    machines = []
    for number in range(count):
        name = f"WALK{number}"
        machines.append(guest(cp, name, PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA}))
        cp.load(name, 0x10C, (0x11111111 * (number + 1) & 0xFFFFFFFF).to_bytes(4, "big"))
    supervisor.run(500_000)
    return cp, machines


def test_guests_paging_against_each_other_end_as_they_would_alone():
    alone = {}
    for number in range(3):
        cp, supervisor = system()
        machine = guest(cp, "SOLO", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
        cp.load("SOLO", 0x10C, (0x11111111 * (number + 1) & 0xFFFFFFFF).to_bytes(4, "big"))
        supervisor.run(100_000)
        alone[number] = (machine.gpr[:], cp.read("SOLO", 0x1000, 0xF000))
    cp, machines = run_page_walkers(48 * 1024, 3)  # 12 frames for 3 x 16 pages
    for number, machine in enumerate(machines):
        assert machine.state is RunState.DISABLED_WAIT
        assert (machine.gpr[:], cp.read(machine.name, 0x1000, 0xF000)) == alone[number]
    assert sum(machine.counters.page_writes for machine in machines) > 0
    assert cp.pager.steals > 0


def test_diagnose_log_from_a_running_guest_reaches_cps_log():
    cp, supervisor = system()
    guest(
        cp,
        "TALKER",
        "4120 0300 4130 000B 8323 0100 0A00",  # LA 2,X'300'; LA 3,11; DIAG 2,3,X'100'; SVC 0
        data={0x300: "HELLO WORLD".encode("cp037").hex()},
    )
    supervisor.run(10_000)
    assert "TALKER: HELLO WORLD" in cp.log


def test_the_interrupt_key_ends_a_guests_enabled_wait():
    cp, supervisor = system()
    waiter = guest(
        cp,
        "WAITER",
        "8200 0308",
        data={
            0x308: "0102000000000000",  # enabled wait (external)
            0x58: "0000000000000400",
            0x400: "0A04",
            0x50: "7FFFFFFF",  # its timer would go off only after hours
        },
    )
    cp.post_external("WAITER", 0x40)  # pending while it is still disabled
    assert waiter.pending_external == 0x40
    supervisor.run(5_000)
    assert waiter.state is RunState.DISABLED_WAIT
    assert cp.read("WAITER", 0x18, 4)[2:4] == b"\x00\x40"  # the key, not the timer
    assert cp.read("WAITER", 0x20, 4)[2:4] == b"\x00\x04"


def test_a_guest_waiting_for_a_far_timer_still_gets_it():
    cp, supervisor = system()
    waiter = guest(
        cp,
        "WAITER",
        "8200 0308",
        data={
            0x308: "0102000000000000",
            0x58: "0000000000000400",
            0x400: "0A04",
            0x50: "7FFFFFFF",
        },
    )
    supervisor.run(5_000)
    assert waiter.state is RunState.DISABLED_WAIT
    assert cp.read("WAITER", 0x18, 4)[2:4] == b"\x00\x80"
    assert cp.machine.clock.now > 2**31 // 76_800 * 1_000_000


def test_a_guest_that_real_storage_cannot_hold_is_stopped_and_the_others_go_on():
    cp, supervisor = system(real_storage=40 * 1024)
    hog = guest(cp, "HOG", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
    worker = guest(cp, "WORKER", "4120 0005 0A01")
    for frame in cp.frames:
        if frame.owner in ("HOG", "WORKER"):
            cp.frames.lock(frame)  # as if pinned for I/O: none can be stolen
    cp.frames.reserve_for_pages = 0  # and CP took every free frame
    while cp.frames.free_count:
        cp.frames.allocate_for_cp("taken for the test")
    supervisor.run(100_000)
    assert hog.state is RunState.STOPPED
    assert any(line.startswith("HOG stopped: real storage is exhausted") for line in cp.log)
    assert worker.state is RunState.DISABLED_WAIT and worker.gpr[2] == 5


def test_pages_stolen_between_runs_are_not_used_through_stale_translations():
    cp, supervisor = system(real_storage=40 * 1024)
    walker = guest(cp, "WALK", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
    cp.create_virtual_machine("OTHER", 64 * 1024)
    supervisor.run(60)  # part way through its first loop: on the CPU
    for page in range(16):
        cp.load("OTHER", page * 4096, bytes([0xEE]) * 4096)  # steals the walker's frames
    supervisor.run(100_000)
    assert walker.state is RunState.DISABLED_WAIT
    for page in range(1, 16):
        word = int.from_bytes(cp.read("WALK", page * 4096, 4), "big")
        assert word == 0x11111111 + (page - 1) * 0x1000
    assert cp.read("OTHER", 0x5000, 4096) == bytes([0xEE]) * 4096


def test_each_guest_is_charged_exactly_the_instructions_it_ran():
    cp, supervisor = system(real_storage=40 * 1024, interactive_slice=50)
    walkers = [
        guest(cp, f"WALK{number}", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
        for number in range(2)
    ]
    supervisor.run(100_000)
    # 4 loads, 15 x (ST AR AR BCT), L L SR, 15 x (A AR BCT), SVC: as on the bare machine.
    for walker in walkers:
        assert walker.state is RunState.DISABLED_WAIT
        assert walker.counters.instructions == 113
        assert walker.counters.page_faults > 0
    assert supervisor.guest_instructions == 2 * 113


def test_an_io_interruption_posted_for_a_waiting_guest_is_reflected_with_its_csw():
    cp, supervisor = system()
    waiter = guest(
        cp,
        "IOWAIT",
        "8200 0308",
        data={
            0x308: "4002000000000000",  # wait, channel 1 enabled only
            0x78: "0000000000000400",  # I/O new PSW: go on at X'400'
            0x400: "0A06",
        },
    )
    supervisor.run(1_000)
    assert waiter.state is RunState.ENABLED_WAIT
    assert supervisor.run(1_000) == "enabled-wait"  # nothing can end the wait
    cp.post_io("IOWAIT", 0x00E, bytes.fromhex("0000080000000000"))  # channel 0: masked
    supervisor.run(1_000)
    assert waiter.state is RunState.ENABLED_WAIT and waiter.pending_io
    cp.post_io("IOWAIT", 0x190, bytes.fromhex("0000090C00000000"))
    supervisor.run(1_000)
    assert waiter.state is RunState.DISABLED_WAIT
    assert cp.read("IOWAIT", 0x38, 4)[2:4] == b"\x01\x90"
    assert cp.read("IOWAIT", 0x40, 8) == bytes.fromhex("0000090C00000000")
    assert [device for device, _ in waiter.pending_io] == [0x00E]


# LM 1,4,X'300'; BR 4 to X'1FFE', where EX 0,0(1) crosses a page and executes
# MVC 0(256,2),0(3) at X'3FFE', which crosses a page, from X'7F80' to X'5F80',
# both crossing pages; then SVC 1. The EXECUTE needs eight pages at once.
EIGHT_PAGES = {
    0x300: "00003FFE 00005F80 00007F80 00001FFE",
    0x1FFE: "44001000 0A01",
    0x3FFE: "D2FF 2000 3000",
    0x7F80: bytes(range(256)).hex(),
}


def eight_page_guest(cp, name):
    machine = guest(cp, name, "9814 0300 07F4", data=EIGHT_PAGES)
    cp.pager.page_out_all(name)
    return machine


def test_an_instruction_needing_eight_pages_completes_in_eight_frames():
    cp, supervisor = system(real_storage=40 * 1024)
    machine = eight_page_guest(cp, "EX")
    assert cp.frames.page_frames == 8  # low storage and the guest's tables are CP's
    supervisor.run(20_000)
    assert machine.state is RunState.DISABLED_WAIT
    assert cp.read("EX", 0x5F80, 256) == bytes(range(256))
    assert machine.counters.page_faults <= 9  # each page once, and the code's


def test_two_guests_needing_eight_pages_each_share_nine_frames_with_tiny_slices():
    cp, supervisor = system(real_storage=44 * 1024, interactive_slice=8, non_interactive_slice=8)
    machines = [eight_page_guest(cp, name) for name in ("ONE", "TWO")]
    supervisor.run(50_000)
    for machine in machines:
        assert machine.state is RunState.DISABLED_WAIT
        assert cp.read(machine.name, 0x5F80, 256) == bytes(range(256))
    assert not any(frame.locked for frame in cp.frames)


def test_a_guest_whose_instruction_cannot_fit_is_stopped_not_paged_for_ever():
    cp, supervisor = system(real_storage=40 * 1024)
    hopeless = eight_page_guest(cp, "HOPELESS")
    worker = guest(cp, "WORKER", "4120 0005 0A01")
    # Only seven frames left for pages (as if CP had locked one for I/O):
    # without the locks of the retried instruction it would fault for ever.
    cp.frames.reserve_for_pages = 0
    cp.frames.allocate_for_cp("locked for the test")
    supervisor.run(20_000)
    assert hopeless.state is RunState.STOPPED
    assert hopeless.counters.page_faults < 20
    assert any(line.startswith("HOPELESS stopped: real storage is exhausted") for line in cp.log)
    assert worker.state is RunState.DISABLED_WAIT and worker.gpr[2] == 5
    assert not any(frame.locked for frame in cp.frames)


def test_a_machine_started_while_cp_idles_in_a_wait_is_dispatched():
    cp, supervisor = system()
    first = guest(cp, "FIRST", "0A01")
    supervisor.run(1_000)
    assert first.state is RunState.DISABLED_WAIT
    assert cp.machine.cpu.wait  # nothing to run: CP waits, with no timer to end it
    second = guest(cp, "SECOND", "4120 0007 0A01")
    supervisor.run(1_000)
    assert second.state is RunState.DISABLED_WAIT and second.gpr[2] == 7


def test_the_virtual_timer_counts_instructions_not_the_page_faults_others_cause():
    timers = []
    for real_storage, neighbour in ((256 * 1024, False), (40 * 1024, True)):
        cp, supervisor = system(real_storage=real_storage, interactive_slice=300)
        walker = guest(cp, "WALK", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
        if neighbour:  # another walker makes it page again and again
            guest(cp, "OTHER", PAGE_WALK_CODE, data={0x100: PAGE_WALK_DATA})
        supervisor.run(100_000)
        assert walker.state is RunState.DISABLED_WAIT
        timers.append((cp.read("WALK", 0x50, 4), walker.counters.page_faults))
    (alone, few_faults), (crowded, many_faults) = timers
    assert many_faults > few_faults
    assert crowded == alone != bytes(4)

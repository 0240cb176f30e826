"""Interruptions reflected into the guest's low storage, and its virtual timer."""

from cp_guests import EXTERNAL_MARK, IO_MARK, ORIGIN, PROGRAM_MARK, SVC_MARK, new_guest

from vm370.cp import reflect
from vm370.cp.vmblock import RunState
from vm370.cp.vtimer import charge_timer, instructions_until_interruption, timer_value
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.interrupts import FIXED_POINT_OVERFLOW
from vm370.hardware.psw import BCPSW


def running(guest, psw):
    guest.psw = psw
    guest.start()
    return guest


def test_svc_is_reflected_with_its_number_and_ilc(cp):
    guest = running(new_guest(cp), BCPSW(system_mask=0x81, key=4, cc=2, instruction_address=0x402))
    reflect.reflect_supervisor_call(guest, 0x2A)
    old = BCPSW.from_bytes(cp.read("GUEST", 0x20, 8))
    assert (old.interruption_code, old.ilc, old.cc, old.key) == (0x2A, 1, 2, 4)
    assert old.system_mask == 0x81 and old.instruction_address == 0x402
    assert guest.psw.instruction_address == SVC_MARK
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.counters.reflected == 1


def test_program_interruption_in_ec_mode_stores_the_code_in_low_storage(cp):
    guest = new_guest(cp)
    guest.control.load(6, 0x00800000)
    running(guest, ECPSW(external_mask=True, program_mask=8, instruction_address=0x1004))
    reflect.reflect_program_interruption(guest, FIXED_POINT_OVERFLOW, 2)
    old = ECPSW.from_bytes(cp.read("GUEST", 0x28, 8))
    assert int.from_bytes(cp.read("GUEST", 0x12, 2), "big") == FIXED_POINT_OVERFLOW
    assert old.ilc == 2 and old.external_mask and old.instruction_address == 0x1004
    assert isinstance(guest.psw, ECPSW) and guest.psw.instruction_address == PROGRAM_MARK


def test_an_external_interruption_waits_until_the_guest_enables_it(cp):
    guest = running(new_guest(cp), BCPSW(system_mask=0x00, instruction_address=ORIGIN))
    reflect.make_external_pending(guest, 0x40)
    assert not reflect.present_pending(guest)
    assert guest.pending_external == 0x40 and guest.counters.reflected == 0
    guest.psw.system_mask = 0x01
    assert reflect.has_enabled_pending(guest)
    assert reflect.present_pending(guest)
    old = BCPSW.from_bytes(cp.read("GUEST", 0x18, 8))
    assert old.interruption_code == 0x40 and old.instruction_address == ORIGIN
    assert guest.psw.instruction_address == EXTERNAL_MARK


def test_an_enabled_wait_ends_with_the_interruption(cp):
    guest = new_guest(cp)
    cp.set_psw("GUEST", 0x0102_0000_0000_0000)  # enabled wait, external mask on
    assert guest.state is RunState.ENABLED_WAIT
    assert cp.dispatcher.runnable == 0
    cp.load("GUEST", 0x58, (0x0000_0000_0000_0600).to_bytes(8, "big"))
    cp.post_external("GUEST", 0x40)
    old = BCPSW.from_bytes(cp.read("GUEST", 0x18, 8))
    assert old.wait and old.interruption_code == 0x40
    assert guest.state is RunState.RUNNING and guest.psw.instruction_address == 0x600
    assert cp.dispatcher.runnable == 1


def test_io_interruption_stores_the_csw_and_honours_the_channel_masks(cp):
    guest = running(new_guest(cp), BCPSW(system_mask=0x40, instruction_address=ORIGIN))
    reflect.make_io_pending(guest, 0x00E, bytes.fromhex("0000050000000000"))
    reflect.make_io_pending(guest, 0x190, bytes.fromhex("0000060C00000000"))
    assert reflect.present_pending(guest)  # channel 1 is enabled, channel 0 is not
    old = BCPSW.from_bytes(cp.read("GUEST", 0x38, 8))
    assert old.interruption_code == 0x190
    assert cp.read("GUEST", 0x40, 8) == bytes.fromhex("0000060C00000000")
    assert guest.psw.instruction_address == IO_MARK
    assert [device for device, _ in guest.pending_io] == [0x00E]


def test_external_is_presented_before_io(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x58, (0xFF00_0000_0000_0700).to_bytes(8, "big"))  # stays enabled
    running(guest, BCPSW(system_mask=0xFF, instruction_address=ORIGIN))
    reflect.make_io_pending(guest, 0x00C, bytes(8))
    reflect.make_external_pending(guest, 0x80)
    reflect.present_pending(guest)
    assert BCPSW.from_bytes(cp.read("GUEST", 0x18, 8)).instruction_address == ORIGIN
    io_old = BCPSW.from_bytes(cp.read("GUEST", 0x38, 8))
    assert io_old.instruction_address == 0x700 and io_old.interruption_code == 0x00C
    assert guest.counters.reflected == 2


def test_ec_mode_io_needs_the_summary_mask_and_the_cr4_channel_mask(cp):
    guest = new_guest(cp)
    guest.control.load(6, 0x00800000)
    running(guest, ECPSW(io_mask=True, instruction_address=ORIGIN))
    reflect.make_io_pending(guest, 0x00C, bytes(8))
    assert not reflect.present_pending(guest)
    guest.control.load(4, 0x80000000)
    assert reflect.present_pending(guest)
    assert int.from_bytes(cp.read("GUEST", 0x16, 2), "big") == 0x00C


def test_the_virtual_timer_counts_down_and_goes_off_once(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x50, (100).to_bytes(4, "big"))
    needed = instructions_until_interruption(guest)
    charge_timer(guest, needed - 1)
    assert timer_value(guest) == 0 and guest.pending_external == 0
    charge_timer(guest, 1)
    assert timer_value(guest) == -1 and guest.pending_external == 0x80
    guest.pending_external = 0
    charge_timer(guest, 1_000_000)
    assert timer_value(guest) == -1 - 76_800 and guest.pending_external == 0


def test_timer_units_are_counted_exactly_across_charges(cp):
    guest = new_guest(cp)
    cp.load("GUEST", 0x50, (1_000_000).to_bytes(4, "big"))
    for _ in range(1000):
        charge_timer(guest, 13)
    assert timer_value(guest) == 1_000_000 - (13_000 * 76_800) // 1_000_000


def program_new_psw(cp, psw) -> None:
    cp.load("GUEST", 0x68, psw.to_int().to_bytes(8, "big"))


def test_a_program_new_psw_back_at_the_failing_instruction_stops_the_machine(cp):
    guest = running(new_guest(cp), BCPSW(key=3, instruction_address=0x1006))
    program_new_psw(cp, BCPSW(key=3, instruction_address=0x1002))
    reflect.reflect_program_interruption(guest, FIXED_POINT_OVERFLOW, 2)
    assert guest.state is RunState.STOPPED
    assert guest.stopped_by_reflection == reflect.PROGRAM_INTERRUPT_LOOP
    assert guest.psw.instruction_address == 0x1002  # the new PSW, loaded as VM/370 left it


def test_a_new_psw_with_another_key_or_address_is_not_a_loop(cp):
    guest = new_guest(cp)
    for new in (
        BCPSW(key=4, instruction_address=0x1002),  # the same address, another key
        BCPSW(key=3, instruction_address=0x1006),  # past the failing instruction
    ):
        running(guest, BCPSW(key=3, instruction_address=0x1006))
        program_new_psw(cp, new)
        reflect.reflect_program_interruption(guest, FIXED_POINT_OVERFLOW, 2)
        assert guest.state is RunState.RUNNING and guest.stopped_by_reflection is None


def test_an_ec_mode_loop_is_found_on_the_whole_address(cp):
    guest = new_guest(cp)
    guest.control.load(6, 0x00800000)
    running(guest, ECPSW(external_mask=True, instruction_address=0x1004))
    program_new_psw(cp, ECPSW(external_mask=True, instruction_address=0x1000))
    reflect.reflect_program_interruption(guest, FIXED_POINT_OVERFLOW, 2)
    assert guest.state is RunState.STOPPED

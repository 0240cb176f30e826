"""The CPU (vm370/hardware/cpu.py): interruptions, protection, the instruction cache, natives."""

import pytest
from cpu_programs import (
    END,
    EXTERNAL_MARK,
    IO_MARK,
    ORIGIN,
    PROGRAM_CHECK_MARK,
    hex_bytes,
    run_program,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.interrupts import (
    ADDRESSING,
    OPERATION,
    PAGE_TRANSLATION,
    PROTECTION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.machine import Machine
from vm370.hardware.psw import (
    BCPSW,
    EXTERNAL_OLD_PSW,
    INTERVAL_TIMER,
    IO_OLD_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
)


def test_unassigned_opcode_is_an_operation_exception_with_its_length():
    result = run_program("0000")
    assert result.program_interruption == OPERATION
    old = result.stopping_old_psw
    assert old.ilc == 1 and old.instruction_address == 0x202
    result = run_program("A700 0000")
    assert result.program_interruption == OPERATION and result.stopping_old_psw.ilc == 2


def test_odd_instruction_address_is_a_specification_exception_with_ilc_0():
    result = run_program(END, psw=BCPSW(instruction_address=0x201).to_int())
    assert result.program_interruption == SPECIFICATION
    old = result.stopping_old_psw
    assert old.ilc == 0 and old.instruction_address == 0x201


def test_instruction_fetch_beyond_storage_is_an_addressing_exception():
    result = run_program(END, psw=BCPSW(instruction_address=0x20000).to_int())
    assert result.program_interruption == ADDRESSING
    assert result.stopping_old_psw.instruction_address == 0x20000


def test_program_old_psw_keeps_state_and_the_handler_can_resume():
    # The program check handler at X'300' adds 1 to R9 and resumes the program.
    handler_psw = BCPSW(instruction_address=0x300).to_int()
    result = run_program(
        "0000  4199 0001" + END,
        new_psws={0x68: handler_psw},
        data={0x300: "4199 0001  8200 0028"},
    )
    assert result.ended and result.gpr[9] == 2


def test_store_into_a_block_with_another_key_is_a_protection_exception():
    result = run_program("5010 0800" + END, key=4, gpr={1: 5})
    assert result.program_interruption == PROTECTION and result.word(0x800) == 0


def test_store_with_the_matching_key_works():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.storage.set_key(0x800, 0x40)
    result = run_program("5010 0800" + END, key=4, gpr={1: 5}, machine=machine)
    assert result.ended and result.word(0x800) == 5


def test_key_0_stores_anywhere():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.storage.set_key(0x800, 0x90)
    result = run_program("5010 0800" + END, gpr={1: 5}, machine=machine)
    assert result.ended and result.word(0x800) == 5


def test_fetch_from_a_fetch_protected_block_with_another_key_is_a_protection_exception():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.storage.set_key(0x800, 0x28)
    result = run_program("5810 0800" + END, key=3, machine=machine)
    assert result.program_interruption == PROTECTION


def test_fetch_from_a_block_without_fetch_protection_is_allowed_with_any_key():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.storage.set_key(0x800, 0x20)
    result = run_program("5810 0800" + END, key=3, machine=machine, data={0x800: "00000009"})
    assert result.ended and result.gpr[1] == 9


def test_instruction_fetch_protection_applies_under_a_new_key():
    machine = Machine(64 * 1024, interval_timer=False)
    assert run_program(END, machine=machine).ended
    # Decoded under key 0; the same code under key 3 is fetched afresh.
    machine.storage.keys[0] = 0x28
    machine.set_psw(BCPSW(key=3, instruction_address=ORIGIN).to_int())
    assert machine.run(10) == "disabled-wait"
    old = BCPSW.from_bytes(bytes(machine.storage.mem[0x28:0x30]))
    assert old.interruption_code == PROTECTION and old.instruction_address == ORIGIN


def test_self_modifying_code_runs_the_new_instruction():
    # LA 2,1(2); MVI *-1,X'10' makes it LA 2,16(2); BCT 3 loops once more.
    result = run_program("4122 0001  9210 0203  4630 0200" + END, gpr={3: 2})
    assert result.ended and result.gpr[2] == 17


def test_code_rewritten_through_storage_runs_the_new_instruction():
    machine = Machine(64 * 1024, interval_timer=False)
    assert run_program("4120 0001" + END, machine=machine).gpr[2] == 1
    machine.storage.write(ORIGIN, hex_bytes("4120 0002"))
    assert run_program("", machine=machine).gpr[2] == 2


def test_interruption_storing_an_old_psw_over_code_is_seen():
    # The program new PSW points at the program old PSW location itself,
    # which the interruption has just filled: 0000 0001 is executed, an
    # operation exception again; the count keeps the run finite.
    result = run_program("0000", new_psws={0x68: 0x28}, max_instructions=50)
    assert result.stop == "limit"
    assert result.old_psw(PROGRAM_OLD_PSW).instruction_address == 0x2A


def test_native_routine_runs_in_the_supervisor_state():
    machine = Machine(64 * 1024, interval_timer=False)

    def routine(cpu):
        cpu.gpr[5] = 42
        cpu.ia = cpu.gpr[14] & 0xFFFFFF

    machine.cpu.register_native(0x300, routine)
    result = run_program("45E0 0300" + END, machine=machine, data={0x300: "0000"})
    assert result.ended and result.gpr[5] == 42
    assert machine.cpu.instructions_executed == 3


def test_native_routine_address_runs_real_code_in_the_problem_state():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.cpu.register_native(0x300, lambda cpu: pytest.fail("native ran in problem state"))
    result = run_program(
        "45E0 0300" + END, machine=machine, problem_state=True, data={0x300: "4150 0007 07FE"}
    )
    assert result.ended and result.gpr[5] == 7


def test_a_translation_exception_leaves_the_old_psw_past_the_instruction_with_its_ilc():
    # The Model 67 suppresses (docs/model67.md): unlike System/370's
    # nullification, the address is not backed up; the supervisor does that.
    machine = Machine(64 * 1024, interval_timer=False)
    cpu = machine.cpu
    machine.load(0x68, (0x0002000000000000 | PROGRAM_CHECK_MARK).to_bytes(8, "big"))
    cpu.ia, cpu.ilc = 0x206, 2
    cpu.program_interruption(PAGE_TRANSLATION)
    old = BCPSW.from_bytes(bytes(machine.storage.mem[0x28:0x30]))
    assert old.instruction_address == 0x206 and old.ilc == 2
    assert old.interruption_code == PAGE_TRANSLATION


def test_the_instruction_limit_stops_a_loop():
    result = run_program("47F0 0200", max_instructions=1234)
    assert result.stop == "limit" and result.machine.cpu.instructions_executed == 1234
    assert result.machine.clock.now == 1234


def test_interval_timer_counts_down_while_the_program_runs():
    machine = Machine(64 * 1024)
    machine.load(INTERVAL_TIMER, (0x01000000).to_bytes(4, "big"))
    result = run_program(
        "4630 0200" + END, gpr={3: 100_000}, machine=machine, max_instructions=200_000
    )
    assert result.ended
    elapsed = 0x01000000 - result.word(INTERVAL_TIMER)
    # 100,000 virtual microseconds at 76,800 units a second, give or take
    # the 1/300 second between updates of location 80.
    assert 7680 - 256 <= elapsed <= 7680


def test_interval_timer_going_negative_interrupts_when_enabled():
    machine = Machine(64 * 1024)
    machine.load(INTERVAL_TIMER, (0x00000010).to_bytes(4, "big"))
    enable = BCPSW(system_mask=0x01, instruction_address=0x200).to_int()
    result = run_program("47F0 0200", psw=enable, machine=machine)
    assert result.psw.instruction_address == EXTERNAL_MARK
    old = result.old_psw(EXTERNAL_OLD_PSW)
    assert old.interruption_code == 0x0080
    # 17 units of 13.02 microseconds: the interruption comes on time.
    assert 220 <= machine.cpu.instructions_executed <= 225


def test_enabled_wait_is_ended_by_the_timer():
    machine = Machine(64 * 1024)
    machine.load(INTERVAL_TIMER, (0x00100000).to_bytes(4, "big"))
    wait = BCPSW(system_mask=0x01, wait=True).to_int()
    result = run_program("8200 0800", data={0x800: wait.to_bytes(8, "big")}, machine=machine)
    assert result.psw.instruction_address == EXTERNAL_MARK
    assert machine.cpu.instructions_executed == 1
    assert machine.clock.now >= 0x00100000 * 1_000_000 // 76_800


def test_a_handler_that_changes_nothing_raises_no_surprises():
    machine = Machine(64 * 1024, interval_timer=False)
    with pytest.raises(ProgramInterrupt):
        machine.cpu.fetch_word(0x801)
    with pytest.raises(ProgramInterrupt):
        machine.cpu.store(0xFFFF, b"ab")
    assert machine.storage.mem[0xFFFF] == 0


def test_operand_wrapping_the_address_space_reaches_location_0():
    machine = Machine(16 * 1024 * 1024, interval_timer=False)
    machine.cpu.store(0xFFFFFE, b"\x01\x02\x03\x04")
    assert bytes(machine.storage.mem[0:2]) == b"\x03\x04"
    assert machine.cpu.fetch(0xFFFFFF, 2) == b"\x02\x03"


class FakeChannels:
    """Just the CPU's side of the channel interface: one pending interruption."""

    def __init__(self, device, channel):
        self.interrupt_pending = True
        self.device = device
        self.channel = channel
        self.asked = []

    def take_interrupt(self, channel_enabled):
        self.asked.append(channel_enabled(self.channel))
        if not channel_enabled(self.channel):
            return None
        self.interrupt_pending = False
        return self.device


def machine_with_channels(channels):
    machine = Machine(64 * 1024, interval_timer=False)
    machine.cpu.channels = channels
    return machine


def test_io_interruption_stores_the_device_address_in_the_io_old_psw():
    channels = FakeChannels(0x10C, channel=1)
    machine = machine_with_channels(channels)
    enable = BCPSW(system_mask=0x40, instruction_address=0x200).to_int()
    result = run_program("47F0 0200", psw=enable, machine=machine)
    assert result.psw.instruction_address == IO_MARK
    old = result.old_psw(IO_OLD_PSW)
    assert old.interruption_code == 0x010C and old.system_mask == 0x40


def test_io_interruption_waits_while_its_channel_is_masked():
    channels = FakeChannels(0x10C, channel=1)
    machine = machine_with_channels(channels)
    enable_channel_0 = BCPSW(system_mask=0x80, instruction_address=0x200).to_int()
    result = run_program("4120 0001" + END, psw=enable_channel_0, machine=machine)
    assert result.ended and channels.interrupt_pending and not any(channels.asked)


def test_external_comes_before_io_when_both_are_pending():
    channels = FakeChannels(0x00C, channel=0)
    machine = machine_with_channels(channels)
    machine.press_interrupt_key()
    # The external new PSW enables I/O, so the I/O interruption follows at once
    # and its old PSW is the external new PSW.
    external_new = BCPSW(system_mask=0x80, instruction_address=0x400).to_int()
    enable_all = BCPSW(system_mask=0xFF, instruction_address=0x200).to_int()
    result = run_program(
        "47F0 0200", psw=enable_all, machine=machine, new_psws={0x58: external_new}
    )
    assert result.psw.instruction_address == IO_MARK
    assert result.old_psw(EXTERNAL_OLD_PSW).instruction_address == 0x200
    assert result.old_psw(IO_OLD_PSW).instruction_address == 0x400


def test_enabled_wait_ends_with_a_pending_io_interruption():
    channels = FakeChannels(0x00C, channel=0)
    machine = machine_with_channels(channels)
    wait = BCPSW(system_mask=0x80, wait=True).to_int()
    result = run_program("8200 0800", data={0x800: wait.to_bytes(8, "big")}, machine=machine)
    assert result.psw.instruction_address == IO_MARK
    assert result.old_psw(IO_OLD_PSW).wait


def test_machine_check_is_taken_when_the_mask_is_on_with_code_zero():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.cpu.request_machine_check()
    on = BCPSW(machine_check_mask=True, instruction_address=0x200).to_int()
    result = run_program("47F0 0200", psw=on, machine=machine)
    assert result.psw.instruction_address == 0x00CCCC
    old = result.old_psw(0x30)
    assert old.interruption_code == 0 and old.machine_check_mask


def test_machine_check_stays_pending_while_masked():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.cpu.request_machine_check()
    result = run_program(END, machine=machine)
    assert result.ended and machine.cpu.machine_check_pending


def test_interruption_observers_see_each_swap_with_its_old_psw():
    machine = Machine(64 * 1024, interval_timer=False)
    seen = []
    machine.cpu.interruption_observers.append(lambda kind, old: seen.append((kind, old)))
    run_program("0000", machine=machine)
    assert seen == [("program", 0x0000000140000202)]


def test_timer_interruption_waits_for_the_external_mask_then_is_taken():
    machine = Machine(64 * 1024)
    machine.load(INTERVAL_TIMER, (0x00000001).to_bytes(4, "big"))
    # Spin with external masked off for a while, then SSM enables it.
    result = run_program(
        "4130 0100  4630 0204  8000 0800" + END, data={0x800: "01"}, machine=machine
    )
    assert result.psw.instruction_address == EXTERNAL_MARK
    old = result.old_psw(EXTERNAL_OLD_PSW)
    assert old.interruption_code == 0x0080 and old.instruction_address == 0x20C


def test_reset_clears_the_psw_and_pending_interruptions_but_not_registers():
    machine = Machine(64 * 1024, interval_timer=False)
    cpu = machine.cpu
    cpu.load_psw(BCPSW(system_mask=0xFF, key=5, cc=3, instruction_address=0x400).to_int())
    cpu.gpr[3] = 33
    machine.press_interrupt_key()
    cpu.request_machine_check()
    cpu.reset()
    assert cpu.current_psw() == 0 and cpu.external_pending == 0
    assert not cpu.machine_check_pending and cpu.gpr[3] == 33


def test_setting_a_key_directly_in_storage_drops_cached_instructions_there():
    machine = Machine(64 * 1024, interval_timer=False)
    assert run_program(END, machine=machine, key=3).ended
    machine.storage.set_key(0, 0x28)
    # Run the same code again without loading anything.
    machine.set_psw(BCPSW(key=3, instruction_address=ORIGIN).to_int())
    assert machine.run(10) == "disabled-wait"
    old = BCPSW.from_bytes(bytes(machine.storage.mem[0x28:0x30]))
    assert old.interruption_code == PROTECTION and old.instruction_address == ORIGIN


def test_instruction_observers_see_every_address_in_order():
    machine = Machine(64 * 1024, interval_timer=False)
    seen = []
    machine.cpu.instruction_observers.append(seen.append)
    result = run_program("4130 0002  4630 0204" + END, machine=machine)
    assert result.ended and result.gpr[3] == 0
    assert seen == [0x200, 0x204, 0x204, 0x208]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**64 - 1))
def test_load_psw_then_current_psw_gives_the_same_64_bits(value):
    cpu = Machine(4096, interval_timer=False).cpu
    cpu.load_psw(value)
    assert cpu.current_psw() == value
    psw = BCPSW.from_int(value)
    assert (cpu.key, cpu.problem_state, cpu.wait, cpu.cc, cpu.ia) == (
        psw.key,
        psw.problem_state,
        psw.wait,
        psw.cc,
        psw.instruction_address,
    )


def test_a_store_crossing_into_a_protected_block_changes_nothing():
    machine = Machine(64 * 1024, interval_timer=False)
    machine.storage.set_key(0x000, 0x20)
    machine.storage.set_key(0x800, 0x30)
    # Under key 2: MVC 16 bytes to X'7F8' (half in key 2, half in key 3), then
    # STM 4 words to X'7F8'.
    for code in ("D20F 07F8 0900", "9003 07F8"):
        result = run_program(
            code + END, key=2, machine=machine, data={0x900: bytes(range(1, 17))}, gpr={0: 7}
        )
        assert result.program_interruption == PROTECTION
        assert result.storage(0x7F8, 16) == bytes(16)


class ClockReadingChannels:
    """Channels that note the virtual time each SIO sees."""

    interrupt_pending = False

    def __init__(self, clock):
        self.clock = clock
        self.times = []

    def start_io(self, address):
        self.times.append(self.clock.now)
        return 0


def test_an_io_instruction_sees_the_time_of_its_own_instruction():
    machine = Machine(64 * 1024, interval_timer=False)
    channels = ClockReadingChannels(machine.clock)
    machine.cpu.channels = channels
    # Three LAs, then SIO: the fourth instruction of the run.
    result = run_program("4110 0001 4120 0002 4130 0003 9C00 000C" + END, machine=machine)
    assert result.ended and channels.times == [4]
    assert machine.clock.now == 5 == machine.cpu.instructions_executed


def test_a_native_routine_sees_the_time_of_its_own_instruction():
    machine = Machine(64 * 1024, interval_timer=False)
    seen = []

    def routine(cpu):
        seen.append(cpu.clock.now)
        cpu.ia = 0x208

    machine.cpu.register_native(0x300, routine)
    result = run_program("4110 0001  47F0 0300" + END, machine=machine)
    assert result.ended and seen == [3]
    assert machine.clock.now == 4


def _trap_loop_to_a_native_routine(
    observed: bool, limit: int, event_after: int | None = None, external: bool = False
) -> tuple[list, int, int, int]:
    """SSM in the problem state traps to a native routine that resumes the program.

    ``event_after``: each routine also schedules a clock event that many
    instructions ahead, which records the loop counter when it fires.
    ``external``: the program runs enabled for external interruptions, and
    each routine makes one pending (the interrupt key), which another
    routine takes and records. Returns what the routines and events saw,
    the instructions run, the clock at the end, and the loop counter left.
    """
    machine = Machine(64 * 1024)
    # SSM (privileged: a trap); BCT back to it; SVC to end.
    machine.load(0x200, bytes.fromhex("80000800 46300200 0A00"))
    machine.load(SVC_NEW_PSW, (0x0002_0000_0000_0000).to_bytes(8, "big"))
    machine.load(0x68, (0x300).to_bytes(8, "big"))
    machine.load(0x58, (0x340).to_bytes(8, "big"))
    seen = []

    def resume(cpu) -> None:
        seen.append(cpu.clock.now)
        cpu.load_psw(int.from_bytes(cpu.mem[0x28:0x30], "big"))
        if event_after is not None:
            cpu.clock.schedule(event_after, lambda: seen.append(("event", cpu.gpr[3])))
        if external:
            cpu.request_external_interruption(0x40)

    def take_external(cpu) -> None:
        seen.append(("external", cpu.gpr[3], cpu.clock.now))
        cpu.load_psw(int.from_bytes(cpu.mem[0x18:0x20], "big"))

    machine.cpu.register_native(0x300, resume)
    machine.cpu.register_native(0x340, take_external)
    if observed:
        # An observer makes the CPU run each instruction on its own.
        machine.cpu.instruction_observers.append(lambda address: None)
    machine.cpu.gpr[3] = 200
    external_mask = 0x0100_0000_0000_0000 if external else 0
    machine.set_psw(external_mask | 0x0001_0000_0000_0000 | 0x200)
    machine.run(limit)
    return seen, machine.cpu.instructions_executed, machine.clock.now, machine.cpu.gpr[3]


@pytest.mark.parametrize("limit", [10_000, 333])
def test_a_native_routine_after_a_trap_sees_the_same_time_and_counts_as_one_instruction(limit):
    # The routine may run in the block of the trap (no interruption or clock
    # event between them): each one sees the clock of its own instruction and
    # the counts are those of running every instruction on its own, the
    # interval timer's events and the instruction limit included.
    fused = _trap_loop_to_a_native_routine(False, limit)
    alone = _trap_loop_to_a_native_routine(True, limit)
    assert fused == alone
    seen, executed, _now, _left = fused
    assert len(seen) >= 100 and executed >= 300


@pytest.mark.parametrize("event_after", [1, 3, 4])
def test_a_program_resumed_by_a_native_routine_stops_for_the_event_it_scheduled(event_after):
    # The program goes on in the block of its trap only as far as the clock
    # allows: an event the routine scheduled a few instructions ahead fires
    # at the instruction it would fire at were every instruction run alone.
    fused = _trap_loop_to_a_native_routine(False, 10_000, event_after)
    alone = _trap_loop_to_a_native_routine(True, 10_000, event_after)
    assert fused == alone
    events = [entry for entry in fused[0] if isinstance(entry, tuple)]
    assert len(events) >= 100


def test_a_program_resumed_by_a_native_routine_takes_the_interruption_it_made_pending_first():
    fused = _trap_loop_to_a_native_routine(False, 10_000, external=True)
    alone = _trap_loop_to_a_native_routine(True, 10_000, external=True)
    assert fused == alone
    seen = fused[0]
    # Each trap's external interruption comes before the program's next SSM.
    assert seen[1:4:2] == [("external", 200, seen[0] + 1), ("external", 199, seen[2] + 1)]

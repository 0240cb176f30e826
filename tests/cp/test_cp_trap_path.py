"""CP's trap path kept fast without going stale: decoded instructions and low-storage access."""

import pytest

from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.cp.vtimer import charge_timer
from vm370.hardware.interrupts import ADDRESSING, ProgramInterrupt
from vm370.hardware.machine import Machine

DISABLED_WAIT = 0x0002_0000_0000_0000
WAIT_MARK = 0xABC


def run_guest(code: dict[int, str], size: int = 64 * 1024):
    cp = ControlProgram(Machine(256 * 1024))
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("GUEST", size)
    for location in (0x58, 0x60, 0x68, 0x78):  # every new PSW: a disabled wait marked 0x333
        cp.load("GUEST", location, (DISABLED_WAIT | 0x333).to_bytes(8, "big"))
    cp.load("GUEST", 0x300, (DISABLED_WAIT | WAIT_MARK).to_bytes(8, "big"))
    for address, text in code.items():
        cp.load("GUEST", address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw("GUEST", 0x200)
    supervisor.run(10_000)
    return cp, guest


def test_a_privileged_instruction_rewritten_in_place_is_simulated_as_it_now_reads():
    # SSM X'300' traps; the guest then turns the same bytes into LPSW X'300'
    # (MVI of the opcode) and branches back: the second trap at the same
    # address must load the wait PSW, not set the mask again.
    cp, guest = run_guest({0x200: "8000 0300 9282 0200 47F0 0200"})
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK
    assert guest.counters.privops == 2


def test_an_executed_privileged_instruction_takes_the_register_it_is_executed_with():
    # The same EX target, SSK 0,0, executed with R1 = X'45' (SSK 4,5) and then
    # X'65' (SSK 6,5): the block at X'800' must end with R6's key, X'70'.
    code = {
        0x200: "4140 0050 4160 0070 4150 0800 4110 0045 4410 0400 4110 0065 4410 0400 8200 0300",
        0x400: "0800",
    }
    cp, guest = run_guest(code)
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK
    assert guest.storage_keys[1] == 0x70
    assert guest.counters.privops == 3


def test_a_privileged_instruction_across_a_page_boundary_is_fetched_from_both_pages():
    cp, guest = run_guest({0x200: "47F0 0FFE", 0xFFE: "8200 0300"})
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK


def test_words_of_guest_storage_read_and_write_within_and_across_pages():
    cp, guest = run_guest({0x200: "8200 0300"})
    storage = guest.storage
    cp.load("GUEST", 0xFFC, bytes.fromhex("0102030405060708"))
    assert storage.read_word(0xFFC) == 0x01020304
    assert storage.read_word(0xFFE) == 0x03040506
    assert storage.read_doubleword(0xFFC) == 0x0102030405060708
    storage.write_word(0xFFE, 0xA1A2A3A4)
    assert storage.read_real(0xFFC, 8) == bytes.fromhex("0102A1A2A3A40708")
    storage.write_doubleword(0x1000, 0xB1B2B3B4B5B6B7B8)
    assert cp.read("GUEST", 0x1000, 8) == bytes.fromhex("B1B2B3B4B5B6B7B8")
    fetched = [storage.fetch_byte(address) for address in (0xFFF, 0x1000, 0x1007)]
    assert fetched == [0xA2, 0xB1, 0xB8]
    assert storage.fetch_doubleword(0x1000) == 0xB1B2B3B4B5B6B7B8
    assert storage.fetch_doubleword(0xFFC) == 0x0102A1A2B1B2B3B4  # across the pages
    for fetch in (storage.fetch_byte, storage.fetch_doubleword):
        with pytest.raises(ProgramInterrupt) as raised:
            fetch(64 * 1024)
        assert raised.value.code == ADDRESSING


def test_a_psw_exchange_stores_one_doubleword_and_reads_another():
    cp, guest = run_guest({0x200: "8200 0300"})
    storage = guest.storage
    cp.load("GUEST", 0x68, bytes.fromhex("0102030405060708"))
    assert storage.exchange_doublewords(0x28, 0xA0A1A2A3A4A5A6A7, 0x68) == 0x0102030405060708
    assert cp.read("GUEST", 0x28, 8) == bytes.fromhex("A0A1A2A3A4A5A6A7")
    # Across pages it still does both (through the general path).
    cp.load("GUEST", 0x1008, bytes.fromhex("1112131415161718"))
    assert storage.exchange_doublewords(0xFF8, 0xB0B1B2B3B4B5B6B7, 0x1008) == 0x1112131415161718
    assert cp.read("GUEST", 0xFF8, 8) == bytes.fromhex("B0B1B2B3B4B5B6B7")


def _trapping_loop_with_a_timer(stepped: bool) -> dict:
    """A guest looping on SSM (each one a trap) while its interval timer interrupts it.

    Its external handler counts in R5 and sets the timer again. Another
    machine waits enabled beside it. ``stepped``: an instruction observer on
    the real CPU, which makes it run every instruction, CP's entries
    included, on its own.
    """
    cp = ControlProgram(Machine(256 * 1024))
    supervisor = Supervisor(cp)
    cp.create_virtual_machine("IDLE", 4096)
    cp.set_psw("IDLE", 0xFF02_0000_0000_0000)  # an enabled wait (BC mode)
    guest = cp.create_virtual_machine("GUEST", 64 * 1024)
    code = {
        0x50: "0000 0040",  # the interval timer: 64 units, some 800 instructions
        0x58: "0000 0000 0000 0600",  # external new PSW: the handler, disabled
        0x200: "5830 0400 8000 0410 4630 0204 8200 0408",  # L; SSM; BCT; LPSW (the end)
        0x400: "0000 4E20 0000 0040",  # 20,000 passes; the timer's reload
        0x408: "0002 0000 0000 0ABC",  # disabled wait
        0x410: "01",  # SSM's mask: external interruptions on
        0x600: "4155 0001 D203 0050 0404 8200 0018",  # LA 5,1(5); MVC timer; LPSW old
    }
    for address, text in code.items():
        cp.load("GUEST", address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw("GUEST", 0x0100_0000_0000_0200)
    cpu = cp.machine.cpu
    if stepped:
        cpu.instruction_observers.append(lambda address: None)
    supervisor.run(2_000_000)
    assert guest.state is RunState.DISABLED_WAIT
    return {
        "psw": guest.psw.to_int(),
        "gpr": list(guest.gpr),
        "storage": cp.read("GUEST", 0, 0x1000),
        "instructions": guest.counters.instructions,
        "privops": guest.counters.privops,
        "real instructions": cpu.instructions_executed,
        "clock": cp.machine.clock.now,
    }


def test_a_trap_and_the_guest_after_it_in_one_block_run_as_every_instruction_stepped():
    # CP's entry runs in the block of the instruction that trapped, and the
    # guest goes on in that block when nothing is due: the timer's
    # interruptions must still come at the same instructions, and the counts
    # and the clock end the same as when every instruction runs on its own.
    fused = _trapping_loop_with_a_timer(stepped=False)
    stepped = _trapping_loop_with_a_timer(stepped=True)
    assert fused == stepped
    # Each pass's SSM, each handler's LPSW and the last LPSW are simulated.
    assert fused["privops"] == 20_000 + fused["gpr"][5] + 1
    assert fused["gpr"][5] > 20  # the timer interrupted the loop, many times


def test_an_old_psw_stored_over_code_the_guest_ran_is_what_the_guest_then_runs():
    # The guest runs SVC 1 at X'20', where its SVC old PSW goes: reflecting
    # the SVC overwrites that code, and the handler branches back to it. The
    # real CPU must run the old PSW's bytes (X'0000', an operation
    # exception), not the SVC it decoded there before.
    cp, guest = run_guest(
        {
            0x60: "0000 0000 0000 0300",  # SVC new PSW: the handler
            0x200: "47F0 0020",  # B X'20'
            0x20: "0A01",  # SVC 1
            0x300: "47F0 0020",  # the handler: B X'20'
        }
    )
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == 0x333  # the program new PSW
    assert cp.read("GUEST", 0x2A, 2) == b"\x00\x01"  # operation, in the BC old PSW
    assert guest.counters.reflected == 2


class EveryDispatchCharges(Supervisor):
    """The rule the waiting machines' timers follow, done the plain way: at every dispatch.

    Every machine in an enabled wait has its timer charged up to now, and is
    woken if it then has something pending; a machine found waiting for the
    first time is counted from now. (What Supervisor does lazily.)
    """

    def __init__(self, cp) -> None:
        self.since: dict[str, int] = {}
        super().__init__(cp)

    def _wait_begins(self, machine, now: int) -> None:
        self.since[machine.name] = now

    def _wake_waiting_machines(self) -> None:
        now = self.clock.now
        for machine in self.cp.machines.values():
            if machine.state is not RunState.ENABLED_WAIT:
                continue
            since = self.since.get(machine.name, now)
            if now > since:
                charge_timer(machine, now - since)
            self.since[machine.name] = now
            if machine.pending_external or machine.channel.interrupt_pending:
                self.cp.wake(machine)


WAITER = {
    0x58: "0000 0000 0000 0300",  # external new PSW: the handler
    0x200: "D203 0050 0400 8200 0408",  # set the timer; wait
    0x300: "4155 0001 D203 0050 0400 8200 0408",  # count in R5; set the timer; wait again
    0x408: "0102 0000 0000 0000",  # an enabled wait, for external interruptions only
}


def _waiting_machines_beside_a_busy_one(supervisor_class) -> list:
    cp = ControlProgram(Machine(512 * 1024))
    supervisor = supervisor_class(cp)
    # Waiters whose timers run out at different times, one whose timer goes
    # negative with external interruptions masked off (never woken), and a
    # machine trapping all the time (SSM, BCT) so that CP dispatches often.
    for name, timer, wait_psw in (
        ("W1", "0000 0400", None),
        ("W2", "0000 0733", None),
        ("W3", "0000 2000", None),
        ("MASKED", "0000 0080", "FE02 0000 0000 0000"),
    ):
        cp.create_virtual_machine(name, 16 * 1024)
        for address, text in {**WAITER, 0x400: timer}.items():
            cp.load(name, address, bytes.fromhex(text.replace(" ", "")))
        if wait_psw is not None:
            cp.load(name, 0x408, bytes.fromhex(wait_psw.replace(" ", "")))
        cp.set_psw(name, 0x200)
    cp.create_virtual_machine("BUSY", 16 * 1024)
    cp.load("BUSY", 0x200, bytes.fromhex("5830 0400 8000 0410 4630 0204 8200 0408"))
    for address, text in {0x400: "0002 0000", 0x408: "0002 0000 0000 0EEE", 0x410: "00"}.items():
        cp.load("BUSY", address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw("BUSY", 0x200)
    # W3 is also woken between dispatches, as by its console's interrupt
    # key, now and then.
    clock = cp.machine.clock

    def interrupt_key() -> None:
        cp.post_external("W3", 0x40)
        clock.schedule(30_011, interrupt_key)

    clock.schedule(30_011, interrupt_key)
    supervisor.run(400_000)
    return [
        (
            name,
            machine.state,
            machine.gpr[5],
            cp.read(name, 0x50, 4).hex(),
            machine.timer_fraction,
            machine.pending_external,
            machine.counters.instructions,
        )
        for name, machine in sorted(cp.machines.items())
    ] + [cp.machine.clock.now, supervisor.guest_instructions]


def test_waiting_machines_timers_run_as_if_charged_at_every_dispatch():
    # CP charges a waiting machine's timer only when it may go negative, or
    # the machine wakes or leaves its wait: the timers, the interruptions
    # they make and every count must come out as when every waiting machine
    # is charged at every dispatch.
    lazy = _waiting_machines_beside_a_busy_one(Supervisor)
    plain = _waiting_machines_beside_a_busy_one(EveryDispatchCharges)
    assert lazy == plain
    woken = {entry[0]: entry[2] for entry in lazy[:-2]}
    assert woken["W1"] > woken["W2"] > woken["W3"] > 8 and woken["MASKED"] == 0
    masked = next(entry for entry in lazy if entry[0] == "MASKED")
    assert masked[5] & 0x80  # its timer went negative: pending, masked off
    assert lazy[0][:2] == ("BUSY", RunState.DISABLED_WAIT)

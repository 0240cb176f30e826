"""The paced runner: slices, terminal input between them, waits, stopping."""

import threading
import time

from terminal_host import Terminal, echo_demo_machine

from vm370.hardware.display3270 import AID_ENTER
from vm370.hardware.machine import Machine
from vm370.terminal.runner import DISABLED_WAIT, STOPPED, PacedRunner
from vm370.terminal.tn3270_client import parse_host_port


def test_a_disabled_wait_ends_the_run():
    machine = Machine(64 * 1024)
    machine.set_psw(0x0002000000000123)
    assert PacedRunner(machine, []).run(threading.Event()) == DISABLED_WAIT


def test_an_enabled_wait_sleeps_until_a_terminal_sends_then_stop_ends_the_run():
    machine, device = echo_demo_machine()
    terminal = Terminal()
    device.port.connect(terminal)
    runner = PacedRunner(machine, [device], slice_instructions=1000)
    stop = threading.Event()
    thread = runner.start_in_thread(stop)
    try:
        for _ in range(1000):
            if runner.state == "waiting" and "ECHO DEMO" in terminal.display.row_text(0):
                break
            time.sleep(0.01)
        assert runner.state == "waiting"
        executed = machine.cpu.instructions_executed
        time.sleep(0.1)
        assert machine.cpu.instructions_executed == executed  # asleep, not spinning
        terminal.display.type_text("WAKE")
        device.port.send(terminal, terminal.display.press_aid(AID_ENTER))
        for _ in range(1000):
            if "WAKE" in terminal.display.row_text(5):
                break
            time.sleep(0.01)
        assert "YOU TYPED: WAKE" in terminal.display.row_text(5)
    finally:
        stop.set()
        thread.join(5)
    assert runner.state == STOPPED


def test_host_port_parsing():
    assert parse_host_port("127.0.0.1:3270") == ("127.0.0.1", 3270)
    assert parse_host_port("[::1]:23") == ("::1", 23)
    assert parse_host_port("localhost") == ("localhost", 23)
    for bad in (":3270", "host:port", "host:70000"):
        try:
            parse_host_port(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")


def test_a_paced_run_with_a_terminal_replays_instruction_for_instruction():
    machine, device = echo_demo_machine()
    terminal = Terminal()
    device.port.connect(terminal)
    runner = PacedRunner(machine, [device], slice_instructions=700)
    stop = threading.Event()
    thread = runner.start_in_thread(stop)
    try:
        for text in ("FIRST", "SECOND LINE", "THIRD"):
            for _ in range(1000):
                if not terminal.display.keyboard_locked and terminal.display.formatted:
                    break
                time.sleep(0.01)
            terminal.display.type_text(text)
            device.port.send(terminal, terminal.display.press_aid(AID_ENTER))
            time.sleep(0.02)
        for _ in range(1000):
            if "THIRD" in terminal.display.row_text(5):
                break
            time.sleep(0.01)
        terminal.display.restore_keyboard()
        device.port.send(terminal, terminal.display.press_aid(0xF3))  # PF3
        for _ in range(1000):
            if runner.state == "disabled-wait":
                break
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert runner.state == "disabled-wait"
    assert [kind for _, kind, _ in device.journal] == ["inbound"] * 4

    again, replayed = echo_demo_machine()
    replayed.replay(device.journal)
    assert again.run(1_000_000) == "disabled-wait"
    assert again.cpu.instructions_executed == machine.cpu.instructions_executed
    assert again.clock.now == machine.clock.now
    assert again.cpu.current_psw() == machine.cpu.current_psw()
    assert replayed.display.screen_text() == device.display.screen_text()
    assert replayed.journal == device.journal


class _AheadThenWaiting:
    """A machine whose first slice is CP's synchronous I/O: the virtual clock jumps
    ``ahead`` seconds past the wall clock at once; then it waits (enabled) for an
    event 1 ms on, and stops in a disabled wait when that event has come."""

    def __init__(self, ahead: float) -> None:
        from types import SimpleNamespace

        from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND, Clock

        self.clock = Clock()
        self.cpu = SimpleNamespace(instructions_executed=0)
        self.ahead = int(ahead * INSTRUCTIONS_PER_SECOND)
        self.done = False
        self.started = False

    def run(self, max_instructions: int) -> str:
        clock = self.clock
        if not self.started:
            self.started = True
            clock.now += self.ahead  # a page read on a 2314 that all machines waited for
            clock.schedule(1000, lambda: setattr(self, "done", True))
            return "enabled-wait"
        if clock.advance_to_next_event():  # stops at the horizon, as the CPU's wait does
            clock.run_due()
        return "disabled-wait" if self.done else "enabled-wait"


def test_a_machine_ahead_of_the_wall_clock_that_waits_goes_on_at_once():
    machine = _AheadThenWaiting(ahead=30.0)
    runner = PacedRunner(machine, [])
    stop = threading.Event()
    timer = threading.Timer(5.0, stop.set)
    timer.start()
    started = time.monotonic()
    try:
        reason = runner.run(stop)
    finally:
        timer.cancel()
    # Not frozen until the wall clock caught up 30 seconds later: the 1 ms wait took
    # about that much, plus the horizon's lookahead.
    assert reason == DISABLED_WAIT
    assert time.monotonic() - started < 1.0


def test_a_wait_for_an_event_past_the_horizon_sleeps_until_it_is_due_not_longer():
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND, Clock
    from vm370.terminal.runner import HORIZON_LOOKAHEAD, IDLE_WAIT

    clock = Clock()
    wall = time.monotonic()
    assert PacedRunner._idle_sleep(clock, 0, wall) == IDLE_WAIT  # nothing due: the longest
    clock.schedule(int((HORIZON_LOOKAHEAD + 0.06) * INSTRUCTIONS_PER_SECOND), lambda: None)
    sleep = PacedRunner._idle_sleep(clock, 0, wall)
    assert 0.03 < sleep <= 0.06
    clock.schedule(1, lambda: None)  # due now: a token sleep
    assert PacedRunner._idle_sleep(clock, 0, wall) <= 0.002

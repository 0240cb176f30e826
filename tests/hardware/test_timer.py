"""The interval timer (vm370/hardware/timer.py) on its own."""

from vm370.hardware.clock import Clock
from vm370.hardware.psw import INTERVAL_TIMER
from vm370.hardware.storage import Storage
from vm370.hardware.timer import UPDATE_INTERVAL, IntervalTimer


def make_timer(value):
    storage = Storage(4096)
    storage.write_word(INTERVAL_TIMER, value & 0xFFFFFFFF)
    clock = Clock()
    requests = []
    timer = IntervalTimer(storage, clock, lambda: requests.append(clock.now))
    timer.start()
    return storage, clock, timer, requests


def advance(clock, until):
    while clock.next_due <= until:
        clock.now = clock.next_due
        clock.run_due()
    clock.now = until


def test_one_virtual_second_is_76800_units():
    storage, clock, timer, _ = make_timer(0x10000000)
    advance(clock, 1_000_000)
    timer.update()
    assert storage.read_word(INTERVAL_TIMER) == 0x10000000 - 76_800


def test_location_80_is_updated_at_least_every_three_hundredth_of_a_second():
    storage, clock, _, _ = make_timer(0x10000000)
    advance(clock, UPDATE_INTERVAL)
    # No call to update(): the timer's own event has stored the count.
    assert storage.read_word(INTERVAL_TIMER) == 0x10000000 - UPDATE_INTERVAL * 76_800 // 1_000_000


def test_going_from_zero_to_negative_requests_the_interruption_once():
    storage, clock, _, requests = make_timer(0)
    advance(clock, 100_000)
    assert requests == [14]
    assert storage.read_word(INTERVAL_TIMER) >> 31 == 1


def test_a_negative_timer_keeps_counting_without_interrupting():
    storage, clock, timer, requests = make_timer(-5)
    advance(clock, 50_000)
    timer.update()
    assert requests == []
    assert storage.read_word(INTERVAL_TIMER) == (-5 - 3840) & 0xFFFFFFFF


def test_a_wait_jumps_straight_to_the_crossing():
    storage, clock, timer, requests = make_timer(0x00FFFFFF)
    timer.schedule_for_wait()
    assert clock.pending() == 1
    clock.advance_to_next_event()
    clock.run_due()
    assert len(requests) == 1 and storage.read_word(INTERVAL_TIMER) == 0xFFFFFFFF


def test_a_stopped_timer_leaves_location_80_alone():
    storage, clock, timer, _ = make_timer(1000)
    timer.stop()
    advance(clock, 100_000)
    assert storage.read_word(INTERVAL_TIMER) == 1000 and clock.pending() == 0

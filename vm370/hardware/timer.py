"""The interval timer: the word at real location 80 counting down on the virtual clock.

PoO (GA22-6821, "Interval Timer"): the timer is a signed binary word at
location 80, decremented as if 1 were subtracted from bit 23 three hundred
times a second; when it is decremented from a positive number or zero to a
negative number an external interruption (code bit 24) becomes pending.
The Model 67 has the high-resolution timer (GA27-2719, "High-Resolution
Interval Timer"): bit 31 counts, about every 13 microseconds, i.e. 76,800
units a second.

The storage word is brought up to date at least every 1/300 second of
virtual time (the 67 itself stores bytes 80-82 only that often) and exactly
when the count would go negative, so the interruption is on time. A value a
program stores into location 80 is counted from the previous update and
checked at the next, so its interruption can come up to 1/300 second early
or late: within the architected resolution (bit 23, 1/300 second). During a wait state the
next update is the crossing itself, so idle time costs no work.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND, Clock, Event
from vm370.hardware.psw import INTERVAL_TIMER
from vm370.hardware.storage import Storage

UNITS_PER_SECOND = 76_800
UPDATE_INTERVAL = INSTRUCTIONS_PER_SECOND // 300


class IntervalTimer:
    """Keeps location 80 counting and requests the timer interruption."""

    def __init__(self, storage: Storage, clock: Clock, on_interruption: Callable[[], None]):
        self.storage = storage
        self.clock = clock
        self.on_interruption = on_interruption
        self.running = False
        self.last_update = clock.now
        # Units are counted exactly: ``fraction`` is the part of a unit not
        # yet subtracted, in units of 1/INSTRUCTIONS_PER_SECOND.
        self.fraction = 0
        self.event: Event | None = None

    def start(self) -> None:
        self.running = True
        self.last_update = self.clock.now
        self._schedule(capped=True)

    def stop(self) -> None:
        self.update()
        self.running = False
        if self.event is not None:
            self.event.cancel()
            self.event = None

    def value(self) -> int:
        """The timer as a signed number."""
        word = int.from_bytes(self.storage.mem[INTERVAL_TIMER : INTERVAL_TIMER + 4], "big")
        return word - ((word & 0x80000000) << 1)

    def update(self) -> None:
        """Subtract the units elapsed since the last update from location 80."""
        if not self.running:
            return
        elapsed = self.clock.now - self.last_update
        if elapsed <= 0:
            return
        self.last_update = self.clock.now
        units, self.fraction = divmod(
            elapsed * UNITS_PER_SECOND + self.fraction, INSTRUCTIONS_PER_SECOND
        )
        if not units:
            return
        old = self.value()
        new = old - units
        self.storage.write_word(INTERVAL_TIMER, new & 0xFFFFFFFF)
        if old >= 0 > new:
            self.on_interruption()

    def _tick(self) -> None:
        self.event = None
        self.update()
        self._schedule(capped=True)

    def _schedule(self, capped: bool) -> None:
        if self.event is not None:
            self.event.cancel()
        value = self.value()
        units_to_negative = value + 1 if value >= 0 else value + (1 << 32) + 1
        delay = -(
            -(units_to_negative * INSTRUCTIONS_PER_SECOND - self.fraction) // UNITS_PER_SECOND
        )
        if capped:
            delay = min(delay, UPDATE_INTERVAL)
        self.event = self.clock.schedule(max(1, delay), self._tick)

    def schedule_for_wait(self) -> None:
        """In a wait state, let the next update be the one that makes the count negative."""
        if self.running:
            self.update()
            self._schedule(capped=False)

    def resume(self) -> None:
        """After a wait, go back to updating location 80 every 1/300 second."""
        if self.running:
            self.update()
            self._schedule(capped=True)

    def scheduled_events(self) -> int:
        """How many of the clock's pending events are the timer's own (0 or 1)."""
        return int(self.event is not None and not self.event.cancelled)

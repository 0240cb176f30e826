"""The virtual clock and the event queue.

Time in the machine is counted in instructions executed, never read from the
host, so the same inputs give the same run. Devices schedule their
completions some instructions ahead (as SIMH's ``sim_activate`` does); the
CPU runs until the earliest event is due, then lets the clock fire it.

``INSTRUCTIONS_PER_SECOND`` fixes how virtual instructions map to virtual
seconds, for the interval timer and device timings quoted in milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

# A 360/67 ran about half a million instructions a second; one virtual
# microsecond per instruction keeps timings round and readable.
INSTRUCTIONS_PER_SECOND = 1_000_000
NEVER = 1 << 62


class Event:
    """A scheduled callback; cancel() makes it never fire."""

    __slots__ = ("due", "callback", "cancelled")

    def __init__(self, due: int, callback: Callable[[], None]):
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """Virtual time and the queue of device events, ordered by (due, sequence)."""

    def __init__(self) -> None:
        self.now = 0
        self._queue: list[tuple[int, int, Event]] = []
        self._sequence = itertools.count()
        self.next_due = NEVER
        # A paced run (vm370/terminal/runner.py) sets how far idle time may
        # jump: a wait then ends at the horizon instead of leaping to an event
        # due later (a terminal's timer a minute away would otherwise pass at
        # once while the person at it has seen nothing happen).
        self.horizon: int | None = None

    def schedule(self, delay: int, callback: Callable[[], None]) -> Event:
        """Call ``callback`` once ``delay`` instructions (at least 1) from now."""
        event = Event(self.now + max(1, delay), callback)
        heapq.heappush(self._queue, (event.due, next(self._sequence), event))
        if event.due < self.next_due:
            self.next_due = event.due
        return event

    def run_due(self) -> int:
        """Fire every event due by ``now``, in order; return how many fired."""
        fired = 0
        queue = self._queue
        while queue and queue[0][0] <= self.now:
            _, _, event = heapq.heappop(queue)
            if not event.cancelled:
                event.callback()
                fired += 1
        self.next_due = queue[0][0] if queue else NEVER
        return fired

    def advance_to_next_event(self, beyond_horizon: bool = False) -> bool:
        """Jump idle time forward to the next event (a wait state); False if none.

        With a ``horizon`` set, an event due after it is not reached: time
        stops at the horizon and the answer is False (``beyond_horizon`` for
        work that must finish, such as a supervisor's synchronous I/O).
        """
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        if not self._queue:
            self.next_due = NEVER
            return False
        due = self._queue[0][0]
        if self.horizon is not None and due > self.horizon and not beyond_horizon:
            self.now = max(self.now, self.horizon)
            return False
        self.now = max(self.now, due)
        return True

    def pending(self) -> int:
        return sum(1 for _, _, e in self._queue if not e.cancelled)

"""Running a machine for people at terminals: in slices, paced, taking their input between slices.

The machine itself has no threads and reads no clock. ``PacedRunner`` is the
loop outside it: it runs a slice of instructions, then lets each served 3277
take in what its terminal sent (``Display3277.poll``: attention for each
AID), then, if virtual time ran ahead of the wall clock, sleeps the
difference (waking early for terminal input). In an enabled wait that only
a terminal can end it sleeps until one sends something. Terminal input thus
enters the machine only at slice boundaries, on the machine's thread.

Virtual time can run ahead of the wall clock in a way no sleep between
slices repays: CP's synchronous I/O (a page read or written on a 2314,
which every machine waits for) lets the virtual clock run on to the I/O's
end at once. When the machine then waits for something due later (a
console line's end, a timer), idle time may pass only as fast as the wall
clock's *from then on*: the time already ahead is let go, not waited out.
Otherwise a heavily paging system that falls idle would stand still until
the wall clock caught up, which under 50 users was minutes, one console
line at a time whenever a terminal happened to send something.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND, NEVER
from vm370.hardware.devices.display3277 import Display3277

if TYPE_CHECKING:
    from vm370.hardware.machine import Machine

SLICE_INSTRUCTIONS = 20_000
IDLE_WAIT = 0.25  # seconds to sleep in an enabled wait before looking again
MAX_SLEEP = 0.1
MIN_SLEEP = 0.001
HORIZON_LOOKAHEAD = 0.05  # seconds of virtual time a wait may run ahead of the wall clock

DISABLED_WAIT = "disabled-wait"
STOPPED = "stopped"


class PacedRunner:
    """Runs ``machine`` until it stops in a disabled wait or ``stop`` is set."""

    def __init__(
        self,
        machine: Machine,
        displays: Sequence[Display3277],
        slice_instructions: int = SLICE_INSTRUCTIONS,
    ) -> None:
        self.machine = machine
        self.displays = list(displays)
        self.slice_instructions = slice_instructions
        self.wakeup = threading.Event()
        for display in self.displays:
            display.port.activity = self.wakeup
        self.instructions = 0
        self.instructions_per_second = 0.0
        self.state = "stopped"

    def poll_terminals(self) -> int:
        return sum(display.poll() for display in self.displays)

    def run(self, stop: threading.Event) -> str:
        clock = self.machine.clock
        cpu = self.machine.cpu
        virtual_start = clock.now
        wall_start = time.monotonic()
        rate_start, rate_instructions = wall_start, cpu.instructions_executed
        while not stop.is_set():
            self.wakeup.clear()
            self.poll_terminals()
            # Idle time may pass only as fast as the wall clock's.
            allowed = time.monotonic() - wall_start + HORIZON_LOOKAHEAD
            clock.horizon = virtual_start + int(allowed * INSTRUCTIONS_PER_SECOND)
            reason = self.machine.run(self.slice_instructions)
            now = time.monotonic()
            if now - rate_start >= 1.0:
                executed = cpu.instructions_executed - rate_instructions
                self.instructions_per_second = executed / (now - rate_start)
                rate_start, rate_instructions = now, cpu.instructions_executed
            if reason == DISABLED_WAIT:
                clock.horizon = None
                self.state = DISABLED_WAIT
                return DISABLED_WAIT
            if reason == "enabled-wait":
                self.state = "waiting"
                ahead = (clock.now - virtual_start) / INSTRUCTIONS_PER_SECOND - (now - wall_start)
                if ahead > HORIZON_LOOKAHEAD:
                    # Idle and ahead of the wall clock: keep only the lookahead.
                    virtual_start += int((ahead - HORIZON_LOOKAHEAD) * INSTRUCTIONS_PER_SECOND)
                self.wakeup.wait(self._idle_sleep(clock, virtual_start, wall_start))
                continue
            self.state = "running"
            ahead = (clock.now - virtual_start) / INSTRUCTIONS_PER_SECOND - (now - wall_start)
            if ahead > 0.002:
                self.wakeup.wait(min(ahead, MAX_SLEEP))
        clock.horizon = None
        self.state = STOPPED
        return STOPPED

    @staticmethod
    def _idle_sleep(clock, virtual_start: int, wall_start: float) -> float:
        """Seconds to sleep in a wait: until the next event is within the horizon, at most
        IDLE_WAIT (a disk's I/O that ends 60 ms on is not kept waiting a quarter second)."""
        if clock.next_due >= NEVER:
            return IDLE_WAIT
        due = wall_start + (clock.next_due - virtual_start) / INSTRUCTIONS_PER_SECOND
        return min(IDLE_WAIT, max(MIN_SLEEP, due - HORIZON_LOOKAHEAD - time.monotonic()))

    def start_in_thread(self, stop: threading.Event) -> threading.Thread:
        """Run on a thread of its own (the machine's thread from then on)."""
        thread = threading.Thread(target=self.run, args=(stop,), name="machine", daemon=True)
        thread.start()
        return thread

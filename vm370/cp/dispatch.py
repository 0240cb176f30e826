"""The dispatcher: which virtual machine gets the real CPU next, and for how long.

Round robin over two queues, as CP-67 kept them:

- the interactive queue (Q1): machines that have just come out of a wait
  (a terminal line arrived, an I/O ended, the timer went off). They get a
  short time slice and are served first, so a user at a terminal sees an
  answer quickly;
- the non-interactive queue (Q2): machines that used up a whole slice
  without waiting. They get a longer slice (fewer switches for long
  computations) and run when Q1 is empty.

A machine that uses up its slice goes to the back of Q2; one that enters a
wait leaves the queues and costs nothing until an interruption it has
enabled arrives (``ready``). A machine in a disabled wait is never
dispatched again (the operator must reset it). The slice is measured by the
real interval timer: CP sets the real location 80 to ``slice_timer_units``
before giving the machine the CPU, and the timer's external interruption
takes the CPU back, so a guest that loops never keeps the CPU from the
others. A machine CP took off the CPU to handle a trap (a privileged
instruction, a page fault) goes back first and finishes its slice. So that a
stream of interactive machines cannot starve the batch queue, after
``interactive_burst`` new dispatches from Q1 in a row while Q2 has work,
the head of Q2 gets one slice.
"""

from __future__ import annotations

import enum
from collections import deque

from vm370.cp.vmblock import RunState, VirtualMachine
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.timer import UNITS_PER_SECOND

# A virtual second is INSTRUCTIONS_PER_SECOND instructions: Q1 slices are
# 20 ms, Q2 slices 160 ms of virtual time.
INTERACTIVE_SLICE = INSTRUCTIONS_PER_SECOND // 50
NON_INTERACTIVE_SLICE = 8 * INTERACTIVE_SLICE
INTERACTIVE_BURST = 4


class Queue(enum.Enum):
    INTERACTIVE = 1
    NON_INTERACTIVE = 2


def slice_timer_units(instructions: int) -> int:
    """The interval-timer value that expires after ``instructions`` (rounded up)."""
    return max(1, -(-instructions * UNITS_PER_SECOND // INSTRUCTIONS_PER_SECOND))


class Dispatcher:
    """Run queues and the dispatching rule."""

    def __init__(
        self,
        interactive_slice: int = INTERACTIVE_SLICE,
        non_interactive_slice: int = NON_INTERACTIVE_SLICE,
        interactive_burst: int = INTERACTIVE_BURST,
    ) -> None:
        if interactive_slice < 1 or non_interactive_slice < 1 or interactive_burst < 1:
            raise ValueError("time slices and the interactive burst must be positive")
        self.slices = {
            Queue.INTERACTIVE: interactive_slice,
            Queue.NON_INTERACTIVE: non_interactive_slice,
        }
        self.interactive_burst = interactive_burst
        self.queues: dict[Queue, deque[VirtualMachine]] = {
            Queue.INTERACTIVE: deque(),
            Queue.NON_INTERACTIVE: deque(),
        }
        self._queue_of: dict[str, Queue] = {}
        self._running_queue: dict[str, Queue] = {}
        self._remaining: dict[str, int] = {}
        self._interactive_run = 0
        # Whether the last ``select`` resumed a machine's slice after a trap
        # (CP then leaves the real timer counting that slice down).
        self.resumed = False

    def queue_of(self, machine: VirtualMachine) -> Queue | None:
        return self._queue_of.get(machine.name)

    def ready(self, machine: VirtualMachine, interactive: bool = True) -> None:
        """The machine can run (created and started, or woken from a wait)."""
        if machine.name in self._queue_of:
            return
        queue = Queue.INTERACTIVE if interactive else Queue.NON_INTERACTIVE
        self.queues[queue].append(machine)
        self._queue_of[machine.name] = queue

    def remove(self, machine: VirtualMachine) -> None:
        """Take the machine out of the queues (it waits, stopped, or logged off)."""
        queue = self._queue_of.pop(machine.name, None)
        if queue is not None:
            self.queues[queue].remove(machine)
        self._remaining.pop(machine.name, None)
        self._running_queue.pop(machine.name, None)

    def select(self) -> tuple[VirtualMachine, int] | None:
        """The machine to run next and the instructions left in its slice; None if all idle.

        The machine is taken off its queue while it runs; ``slice_ended``
        puts it back.
        """
        interactive = self.queues[Queue.INTERACTIVE]
        batch = self.queues[Queue.NON_INTERACTIVE]
        queue = self._resuming_queue()
        self.resumed = queue is not None
        if queue is not None:
            pass  # not a new dispatch: the interactive burst is not counted
        elif interactive and not (batch and self._interactive_run >= self.interactive_burst):
            queue = Queue.INTERACTIVE
            self._interactive_run += 1
        elif batch:
            queue = Queue.NON_INTERACTIVE
            self._interactive_run = 0
        else:
            return None
        machine = self.queues[queue].popleft()
        del self._queue_of[machine.name]
        self._running_queue[machine.name] = queue
        machine.counters.dispatches += 1
        remaining = self._remaining.get(machine.name) or self.slices[queue]
        self._remaining[machine.name] = remaining
        return machine, remaining

    def resume_after_trap(self, machine: VirtualMachine, used: int) -> int | None:
        """``slice_ended`` then ``select`` at once, for a machine back from a trap.

        When the machine still runs, has some of its slice left and is the
        only one with a slice under way, ``select`` would take it straight
        back off the front of its queue: this does the same bookkeeping
        without the queue round trip and returns the instructions left.
        None when the full rule must decide (nothing is changed then).
        """
        name = machine.name
        remaining = self._remaining.get(name, 0) - used
        if (
            remaining <= 0
            or machine.state is not RunState.RUNNING
            or len(self._remaining) != 1
            or name not in self._running_queue
        ):
            return None
        self._remaining[name] = remaining
        self.resumed = True
        machine.counters.dispatches += 1
        return remaining

    def _resuming_queue(self) -> Queue | None:
        """The queue whose head CP took off the CPU for a trap: it finishes its slice first."""
        for queue, waiting in self.queues.items():
            if waiting and waiting[0].name in self._remaining:
                return queue
        return None

    def slice_ended(self, machine: VirtualMachine, used: int) -> None:
        """The machine gave the CPU back after ``used`` instructions.

        A machine that waits leaves the queues (its slice forgotten). One
        that used up its slice still running is non-interactive: the back of
        Q2 with a new slice. One that came back early (CP handled a trap for
        it) goes back to the front of its queue with what is left of its
        slice, so traps neither lose nor extend its time.
        """
        queue = self._running_queue.pop(machine.name, Queue.NON_INTERACTIVE)
        remaining = self._remaining.pop(machine.name, 0) - used
        if machine.state is not RunState.RUNNING:
            return
        if remaining <= 0:
            self.ready(machine, interactive=False)
            return
        self._remaining[machine.name] = remaining
        self.queues[queue].appendleft(machine)
        self._queue_of[machine.name] = queue

    @property
    def runnable(self) -> int:
        return len(self._queue_of)

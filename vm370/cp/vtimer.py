"""The virtual interval timer: the word at the guest's own location 80.

Each virtual machine has its own interval timer, kept where its programs
expect it, at its virtual location 80 (PoO "Interval Timer"; the Model 67's
high-resolution timer counts 76,800 units a second, GA27-2719). As CP-67
did, the virtual timer measures the virtual machine's own time: CP charges it
with the instructions the machine ran when it takes the machine off the real
CPU, and with the time it spent in an enabled wait when that wait ends
(a virtual machine waiting for its timer must get its interruption). When
the count goes from zero or positive to negative, an external interruption
(code bit 24, X'80') becomes pending for the machine.

Between charges the word at location 80 is not brought up to date (a
guest reading it in a loop sees it change only at CP's charges); the bare
machine updates it every 1/300 second. Programs compared between the two
must not depend on the word's exact value.
"""

from __future__ import annotations

from vm370.cp.reflect import make_external_pending
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.psw import EXTERNAL_TIMER, INTERVAL_TIMER
from vm370.hardware.timer import UNITS_PER_SECOND


def timer_value(machine: VirtualMachine) -> int:
    """The virtual timer as a signed number."""
    word = machine.storage.read_word(INTERVAL_TIMER)
    return word - ((word & 0x80000000) << 1)


def charge_timer(machine: VirtualMachine, instructions: int) -> None:
    """Count ``instructions`` of the machine's time down from its location 80."""
    if machine.timer_credit:
        credit = min(machine.timer_credit, max(instructions, 0))
        machine.timer_credit -= credit
        instructions -= credit
    if instructions <= 0:
        return
    # Most traps come less than a timer unit apart: only the fraction moves.
    total = instructions * UNITS_PER_SECOND + machine.timer_fraction
    if total < INSTRUCTIONS_PER_SECOND:
        machine.timer_fraction = total
        return
    units, machine.timer_fraction = divmod(total, INSTRUCTIONS_PER_SECOND)
    old = timer_value(machine)
    new = old - units
    machine.storage.write_word(INTERVAL_TIMER, new & 0xFFFFFFFF)
    if old >= 0 > new:
        make_external_pending(machine, EXTERNAL_TIMER)


def instructions_until_interruption(machine: VirtualMachine) -> int:
    """How many instructions of the machine's time until its timer goes negative (at least 1)."""
    value = timer_value(machine)
    units = value + 1 if value >= 0 else value + (1 << 32) + 1
    needed = units * INSTRUCTIONS_PER_SECOND - machine.timer_fraction
    return max(1, -(-needed // UNITS_PER_SECOND))

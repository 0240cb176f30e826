"""``vm370 lab run N``: the experiments whose setup the other commands do not offer.

Lab 4 needs a virtual machine with a minidisk on a real 2314 (diskread.py),
lab 6 CP's shadow-table counters (shadow.py), lab 8 two users at two
terminals of one system (spooling.py), lab 10 several virtual machines under
one dispatcher (scheduling.py). Each experiment builds that system through
CP's API (``vm370.cp``, as the benchmarks do) or a data folder, runs the
lab's programs from ``decks/labs/`` and returns the lines to print. Every
figure is from the virtual clock, the same on every run, except the host
times, which are marked as such.
"""

from __future__ import annotations

from vm370.labs import LabError
from vm370.labs.diskread import disk_read_lines
from vm370.labs.scheduling import scheduling_lines
from vm370.labs.shadow import shadow_table_lines
from vm370.labs.spooling import spool_lines

EXPERIMENTS = {
    4: disk_read_lines,
    6: shadow_table_lines,
    8: spool_lines,
    10: scheduling_lines,
}


def run_experiment(number: int) -> list[str]:
    experiment = EXPERIMENTS.get(number)
    if experiment is None:
        with_runs = ", ".join(str(key) for key in sorted(EXPERIMENTS))
        raise LabError(
            f"lab {number} has no experiment to run here (labs with one: {with_runs}); "
            f"its page gives the commands"
        )
    return experiment()

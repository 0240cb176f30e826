"""Lab 10's experiment: a simulated typist and looping guests under one dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

from vm370.labs import DECKS
from vm370.labs.equivalence import ORIGIN, assemble_file

SCHEDULING_SECONDS = 2
SCHEDULING_STORAGE = 64 * 1024
WAKES = 0x2100
LATE = 0x2104


@dataclass
class SchedulingRun:
    """Lab 10: virtual machines under one dispatcher for SCHEDULING_SECONDS of virtual time."""

    machines: list[dict]  # name, instructions, dispatches, queue
    commands: int  # the typist's commands done
    late_units: int  # timer units the typist's commands waited for the CPU, in all
    slices: dict[str, int]  # the dispatcher's slices, in instructions
    seconds: float  # the virtual time the run took


def run_scheduling(loopers: int) -> SchedulingRun:
    """The typist and ``loopers`` looping guests under one CP."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
    from vm370.hardware.machine import Machine

    cp = ControlProgram(Machine(512 * 1024))
    supervisor = Supervisor(cp)
    names = ["TYPIST"] + [f"LOOPER{number}" for number in range(1, loopers + 1)]
    decks = {"TYPIST": assemble_file(DECKS / "typist.asm")}
    looper = assemble_file(DECKS / "looper.asm")
    for name in names:
        cp.create_virtual_machine(name, SCHEDULING_STORAGE)
        image = bytearray(SCHEDULING_STORAGE)
        load([(decks.get(name, looper), ORIGIN)], image)
        cp.load(name, 0, bytes(image))
        cp.set_psw(name, ORIGIN)
    clock = cp.machine.clock
    end = SCHEDULING_SECONDS * INSTRUCTIONS_PER_SECOND
    # A run counts instructions; the clock also moves while CP waits for a
    # guest's timer, so it is run in short steps up to the virtual time.
    while clock.now < end:
        supervisor.run(min(5_000, end - clock.now))
    dispatcher = cp.dispatcher
    machines = []
    for name in names:
        machine = cp.virtual_machine(name)
        queue = dispatcher.queue_of(machine)
        machines.append(
            {
                "name": name,
                "instructions": machine.counters.instructions,
                "dispatches": machine.counters.dispatches,
                "queue": f"Q{queue.value}" if queue else machine.state.value,
            }
        )
    return SchedulingRun(
        machines=machines,
        commands=int.from_bytes(cp.read("TYPIST", WAKES, 4), "big"),
        late_units=int.from_bytes(cp.read("TYPIST", LATE, 4), "big"),
        slices={f"Q{queue.value}": size for queue, size in dispatcher.slices.items()},
        seconds=clock.now / INSTRUCTIONS_PER_SECOND,
    )


def scheduling_lines() -> list[str]:
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
    from vm370.hardware.timer import UNITS_PER_SECOND

    lines = []
    for loopers in (0, 2):
        run = run_scheduling(loopers)
        total = sum(machine["instructions"] for machine in run.machines)
        if not lines:
            lines.append(
                f"lab 10: the dispatcher's slices: Q1 "
                f"{run.slices['Q1'] * 1000 // INSTRUCTIONS_PER_SECOND} ms, Q2 "
                f"{run.slices['Q2'] * 1000 // INSTRUCTIONS_PER_SECOND} ms"
            )
        lines.append("")
        lines.append(
            f"the typist with {loopers} looping guests, {run.seconds:.3f} virtual seconds:"
        )
        lines.append(f"  {'machine':10s}{'instructions':>14s}{'share':>8s}{'dispatches':>12s}  now")
        for machine in run.machines:
            share = machine["instructions"] / total * 100 if total else 0
            lines.append(
                f"  {machine['name']:10s}{machine['instructions']:>14,d}{share:>7.1f}%"
                f"{machine['dispatches']:>12d}  {machine['queue']}"
            )
        late = run.late_units / UNITS_PER_SECOND * 1000 / max(1, run.commands)
        lines.append(
            f"  the typist's commands: {run.commands}, each waited {late:.2f} ms for the CPU "
            "on average"
        )
    return lines

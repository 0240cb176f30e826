"""Lab 6's experiment: a guest with its own translation, bare and on CP's shadow tables."""

from __future__ import annotations

import time
from dataclasses import dataclass

from vm370.labs import DECKS
from vm370.labs.equivalence import ORIGIN, assemble_file

SHADOW_SEGMENT_TABLE = 0x3000
SHADOW_START_PSW = 0x0400_0000_0000_2000  # EC PSW: translation on (bit 5), at X'2000'
SHADOW_GUEST_STORAGE = 256 * 1024


@dataclass
class TranslatedRun:
    """purge.asm on the bare machine and under CP: results and what each cost."""

    variant: str
    bare: dict
    guest: dict  # the state CP reports, "instructions" added
    cp_entries: int  # times the real CPU entered CP
    shadow_builds: int
    shadow_entries_filled: int
    shadow_invalidations: int
    bare_seconds: float  # host CPU time: varies
    guest_seconds: float


def run_translated(object_deck: bytes, variant: str) -> TranslatedRun:
    """A deck that starts with its own translation on (CR0 X'3000'), bare and under CP."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.hardware.control_registers import CR6_EXTENDED_CONTROL_MODE, MODE_REGISTER
    from vm370.hardware.machine import BareRun, Machine, run_bare

    request = BareRun(
        storage_size=SHADOW_GUEST_STORAGE,
        psw=SHADOW_START_PSW,
        extended_control_mode=True,
        control_registers=[(0, SHADOW_SEGMENT_TABLE)],
    )
    machine = Machine(SHADOW_GUEST_STORAGE)
    load([(object_deck, ORIGIN)], machine.storage)
    started = time.process_time()
    bare = run_bare(request, machine)
    bare_seconds = time.process_time() - started

    cp = ControlProgram(Machine(SHADOW_GUEST_STORAGE + 64 * 1024))
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("LAB6", SHADOW_GUEST_STORAGE)
    image = bytearray(SHADOW_GUEST_STORAGE)
    load([(object_deck, ORIGIN)], image)
    cp.load("LAB6", 0, bytes(image))
    guest.control.load(0, SHADOW_SEGMENT_TABLE)
    mode = guest.control.values[MODE_REGISTER] | CR6_EXTENDED_CONTROL_MODE
    guest.control.load(MODE_REGISTER, mode)
    cp.set_psw("LAB6", SHADOW_START_PSW)
    dat = cp.machine.cpu.dat
    dat.reset_counters()
    started = time.process_time()
    supervisor.run(1_000_000)
    guest_seconds = time.process_time() - started
    state = cp.state("LAB6")
    state["instructions"] = supervisor.guest_instructions
    state["tlb"] = {"hits": dat.hits, "misses": dat.misses}
    shadow = guest.shadow
    return TranslatedRun(
        variant=variant,
        bare=bare,
        guest=state,
        cp_entries=supervisor.native_entries,
        shadow_builds=shadow.builds if shadow else 0,
        shadow_entries_filled=shadow.entries_filled if shadow else 0,
        shadow_invalidations=shadow.invalidations if shadow else 0,
        bare_seconds=bare_seconds,
        guest_seconds=guest_seconds,
    )


def translated_runs() -> tuple[TranslatedRun, TranslatedRun]:
    """Lab 6: purge.asm without and with a purge at every pass."""
    source = DECKS / "purge.asm"
    return (
        run_translated(assemble_file(source), "no purge"),
        run_translated(assemble_file(source, sysparm="PURGE"), "PURGE"),
    )


def shadow_table_lines() -> list[str]:
    runs = translated_runs()

    def row(label: str, values: list[str]) -> str:
        return f"{label:38s}" + "".join(f"{value:>14s}" for value in values)

    def same(run: TranslatedRun) -> str:
        fields = ("psw", "gpr", "cr", "instructions")
        return "yes" if all(run.bare[key] == run.guest[key] for key in fields) else "NO"

    return [
        "lab 6: purge.asm, its own translation on, 50 passes over 4 pages",
        row("", [run.variant for run in runs]),
        row("instructions (bare = under CP)", [str(run.bare["instructions"]) for run in runs]),
        row("same PSW, registers, CRs, count", [same(run) for run in runs]),
        row("bare: associative array misses", [str(run.bare["tlb"]["misses"]) for run in runs]),
        row("CP: associative array misses", [str(run.guest["tlb"]["misses"]) for run in runs]),
        row("CP: privileged instructions", [str(run.guest["cp"]["privops"]) for run in runs]),
        row("CP: page faults (CP's paging)", [str(run.guest["cp"]["page_faults"]) for run in runs]),
        row("CP: shadow tables built", [str(run.shadow_builds) for run in runs]),
        row("CP: shadow entries filled", [str(run.shadow_entries_filled) for run in runs]),
        row("CP: shadow tables thrown away", [str(run.shadow_invalidations) for run in runs]),
        row("CP: entries into CP", [str(run.cp_entries) for run in runs]),
        row(
            "host ms, bare / under CP (varies)",
            [f"{run.bare_seconds * 1e3:.1f} / {run.guest_seconds * 1e3:.1f}" for run in runs],
        ),
    ]

"""The equivalence check of lab 3: one program on the bare machine and under CP, compared.

Popek and Goldberg's first property of a virtual machine monitor is
*equivalence*: a program under the monitor behaves as on the machine
itself, except for timing and the amount of resources. ``compare`` checks
it state by state on the two reports of ``vm370 bare --json`` (with and
without ``--under-cp``): how the run stopped, the PSW, the general,
floating-point and control registers, the instruction count and the
storage. What the manuals and CP allow to differ is named as allowed,
never silently skipped: the interval timer at location 80 counts the
guest's own time (docs/cp.md, "Equivalence").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vm370.labs import LabError

ORIGIN = 0x2000
START_PSW = 0x0000_0000_0000_2000
STORAGE = 256 * 1024
# The run a lab program gets: long enough for any lab program, short
# enough that a student's endless loop ends in seconds.
MAX_INSTRUCTIONS = 1_000_000
TIMER = range(0x50, 0x54)  # the interval timer word, location 80
WORD = 4


@dataclass
class Comparison:
    """The two runs and what differs between them."""

    bare: dict
    guest: dict
    differences: list[str] = field(default_factory=list)  # each a sentence
    allowed: list[str] = field(default_factory=list)  # differences timing explains

    @property
    def equivalent(self) -> bool:
        return not self.differences


def assemble_file(path: str | Path, sysparm: str = "") -> bytes:
    """The object deck of the source at ``path``; LabError with the first errors if it fails."""
    from assembler import assemble

    source_path = Path(path)
    try:
        source = source_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise LabError(f"cannot read {path}: {reason}") from None
    result = assemble(source, deck_name=source_path.stem[:4] or "LAB", sysparm=sysparm)
    if result.return_code > 4:
        worst = [d for d in result.diagnostics if d.severity > 4][:3]
        details = "; ".join(f"line {d.line}: {d.message}" for d in worst)
        raise LabError(
            f"{path} does not assemble (return code {result.return_code}): {details} "
            f"(see vm370 asm {path} --listing -)"
        )
    return result.object_deck


def run_both(
    object_deck: bytes,
    storage: int = STORAGE,
    psw: int = START_PSW,
    max_instructions: int = MAX_INSTRUCTIONS,
    real_storage: int | None = None,
) -> tuple[dict, dict]:
    """The deck loaded at X'2000' and started with ``psw``, bare and under CP: both reports.

    Both reports carry all of storage as one dump labelled "storage".
    """
    from assembler.loader import ObjectDeckError, UnresolvedSymbolsError, load
    from vm370.cp.bare import run_under_cp
    from vm370.hardware.machine import BareRun, Machine, MachineError, run_bare

    def request() -> BareRun:
        return BareRun(
            storage_size=storage,
            psw=psw,
            max_instructions=max_instructions,
            dumps=[("storage", 0, storage)],
        )

    def loaded() -> Machine:
        machine = Machine(storage)
        try:
            load([(object_deck, ORIGIN)], machine.storage)
        except (ObjectDeckError, UnresolvedSymbolsError) as error:
            raise LabError(f"the object deck does not load: {error}") from None
        return machine

    try:
        bare = run_bare(request(), loaded())
        guest = run_under_cp(request(), real_storage=real_storage, preloaded=loaded())
    except MachineError as error:
        raise LabError(str(error)) from None
    return bare, guest


def compare(bare: dict, guest: dict) -> Comparison:
    """What differs between the two reports, in words a student can act on."""
    comparison = Comparison(bare, guest)
    differences = comparison.differences
    if bare["stop"] != guest["stop"]:
        differences.append(f"the runs stopped differently: bare {bare['stop']}, CP {guest['stop']}")
    if bare["psw"] != guest["psw"]:
        differences.append(f"the final PSWs differ: bare {bare['psw']}, CP {guest['psw']}")
    for name, registers in (("R", "gpr"), ("FPR ", "fpr"), ("CR", "cr")):
        step = 2 if registers == "fpr" else 1
        for number, (one, other) in enumerate(zip(bare[registers], guest[registers], strict=True)):
            if one != other:
                differences.append(f"{name}{number * step} differs: bare {one}, CP {other}")
    if bare["instructions"] != guest["instructions"]:
        differences.append(
            f"the instruction counts differ: bare {bare['instructions']}, "
            f"CP {guest['instructions']}"
        )
    bare_storage = bytes.fromhex(bare["dump"]["storage"])
    guest_storage = bytes.fromhex(guest["dump"]["storage"])
    for address in range(0, len(bare_storage), WORD):
        one = bare_storage[address : address + WORD]
        other = guest_storage[address : address + WORD]
        if one == other:
            continue
        words = f"the word at X'{address:06X}': bare {one.hex().upper()}, CP {other.hex().upper()}"
        if address in TIMER:
            comparison.allowed.append(
                f"{words} (the interval timer: it counts the guest's own time, which "
                "Popek and Goldberg allow to differ)"
            )
        else:
            differences.append(words)
    return comparison


def report_lines(path: str, comparison: Comparison) -> list[str]:
    """What ``vm370 lab check 3`` prints for one program."""
    bare, guest = comparison.bare, comparison.guest
    counters = guest["cp"]
    lines = [
        f"{path}: bare {bare['stop']} PSW {bare['psw']} after {bare['instructions']} "
        f"instructions; under CP {guest['stop']} PSW {guest['psw']} after "
        f"{guest['instructions']}",
        f"  CP simulated {counters['privops']} privileged instructions, reflected "
        f"{counters['reflected']} interruptions, resolved {counters['page_faults']} page faults; "
        f"{guest['instructions'] - counters['privops'] - counters['reflected']} instructions ran "
        "with no CP at all",
    ]
    if comparison.equivalent:
        lines.append(
            "  equivalent: the same stop, PSW, registers, control registers, instruction count "
            "and storage"
        )
    else:
        shown = comparison.differences[:8]
        lines.append(f"  NOT equivalent: {len(comparison.differences)} differences")
        lines += [f"  - {line}" for line in shown]
        if len(comparison.differences) > len(shown):
            lines.append(f"  - ... and {len(comparison.differences) - len(shown)} more")
    lines += [f"  allowed: {line}" for line in comparison.allowed]
    return lines

"""``vm370 lab check N FILES``: a student's own work for a lab, checked and explained.

Each check returns whether the work passed and the lines to print: what
was run, what was found, and what is wrong in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vm370.labs import LabError
from vm370.labs.equivalence import assemble_file, compare, report_lines, run_both


def check_equivalence(files: Sequence[str]) -> tuple[bool, list[str]]:
    """Lab 3: each program, bare and under CP, must end the same (timing aside)."""
    if not files:
        raise LabError(
            "give the programs to check, e.g. vm370 lab check 3 decks/labs/sensitive.asm "
            "(each is loaded at X'2000' and started there in the supervisor state)"
        )
    passed = True
    lines: list[str] = []
    for path in files:
        comparison = compare(*run_both(assemble_file(path)))
        lines += report_lines(path, comparison)
        if comparison.bare["stop"] != "disabled-wait":
            lines.append(
                f"  note: the bare run ended with {comparison.bare['stop']}, not a disabled "
                "wait: end the program with LPSW of a disabled-wait PSW so the runs compare "
                "final states"
            )
        passed = passed and comparison.equivalent
    return passed, lines


CHECKS: dict[int, Callable[[Sequence[str]], tuple[bool, list[str]]]] = {
    3: check_equivalence,
}


def check_lab(number: int, files: Sequence[str]) -> tuple[bool, list[str]]:
    check = CHECKS.get(number)
    if check is None:
        with_checks = ", ".join(str(key) for key in sorted(CHECKS))
        raise LabError(
            f"lab {number} has no work to check (labs with a check: {with_checks}); "
            f"its page says how to check your answers"
        )
    return check(files)

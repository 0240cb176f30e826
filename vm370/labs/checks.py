"""``vm370 lab check N FILES``: a student's own work for a lab, checked and explained.

Each check returns whether the work passed and the lines to print: what
was run, what was found, and what is wrong in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vm370.labs import LabError
from vm370.labs.equivalence import (
    MAX_INSTRUCTIONS,
    assemble_file,
    compare,
    report_lines,
    run_both,
)


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


EXTERNAL_OLD_PSW, SVC_OLD_PSW, PROGRAM_OLD_PSW = 0x18, 0x20, 0x28
EXTERNAL_NEW_PSW, SVC_NEW_PSW = 0x58, 0x60
TIMER_CODE = 0x0080
PROBLEM_STATE_BIT = 0x0001_0000  # BC PSW bit 15, in the first word
# PoO (GA22-6821), "Program Interruption": the codes a first supervisor meets.
PROGRAM_CHECK_NAMES = {
    1: "operation: not an instruction, often a branch into data or zeros",
    2: "privileged operation: the problem state may not do that",
    4: "protection: the storage key does not match",
    5: "addressing: beyond the machine's storage",
    6: "specification: a misaligned operand or odd register",
}


def _supervisor_problems(storage: bytes, report: dict) -> list[str]:
    """What a run of the student's supervisor shows is missing, each in plain words."""

    def word(address: int) -> int:
        return int.from_bytes(storage[address : address + 4], "big")

    problems = []
    stop = report["stop"]
    if stop == "limit":
        problems.append(
            f"it was still running after {MAX_INSTRUCTIONS:,} instructions: end with LPSW of "
            "a disabled-wait PSW (bit 14 on, no masks) once the program's last SVC is handled"
        )
    elif stop == "enabled-wait":
        problems.append(
            f"it ended in an enabled wait (PSW {report['psw']}) that nothing can end; "
            "end with a disabled wait (system mask all zero) instead"
        )
    elif stop != "disabled-wait":
        problems.append(f"it stopped with {stop} (PSW {report['psw']})")
    if word(PROGRAM_OLD_PSW) or word(PROGRAM_OLD_PSW + 4):
        code = word(PROGRAM_OLD_PSW) & 0xFFFF
        address = word(PROGRAM_OLD_PSW + 4) & 0xFFFFFF
        name = PROGRAM_CHECK_NAMES.get(code, "see the Principles of Operation")
        problems.append(
            f"a program check happened: interruption code {code} ({name}), just before "
            f"X'{address:06X}' (the program old PSW at X'28')"
        )
    if not (word(EXTERNAL_NEW_PSW) or word(EXTERNAL_NEW_PSW + 4)):
        problems.append(
            "the external new PSW at X'58' is zeros: store a PSW there that goes to "
            "your timer handler"
        )
    if word(EXTERNAL_OLD_PSW) & 0xFFFF != TIMER_CODE:
        problems.append(
            "no timer interruption was taken (the external old PSW at X'18' does not "
            "have code X'0080'): put a positive value in the interval timer at location 80 "
            "and run with external interruptions enabled (system mask bit 7) until it goes "
            "negative"
        )
    if not (word(SVC_NEW_PSW) or word(SVC_NEW_PSW + 4)):
        problems.append(
            "the SVC new PSW at X'60' is zeros: store a PSW there that goes to your SVC handler"
        )
    if not (word(SVC_OLD_PSW) or word(SVC_OLD_PSW + 4)):
        problems.append("no SVC was taken: the SVC old PSW at X'20' is zeros")
    elif not word(SVC_OLD_PSW) & PROBLEM_STATE_BIT:
        problems.append(
            "the last SVC came from the supervisor state: issue it from the problem "
            "program (a PSW with bit 15 on), which is what an SVC handler serves"
        )
    return problems


def check_supervisor(files: Sequence[str]) -> tuple[bool, list[str]]:
    """Lab 7: the student's supervisor takes the timer and an SVC, bare and under CP."""
    if len(files) != 1:
        raise LabError(
            "give one source file, your supervisor, e.g. vm370 lab check 7 "
            "decks/labs/tinysup.asm (it is loaded at X'2000' and started there)"
        )
    path = files[0]
    comparison = compare(*run_both(assemble_file(path)))
    bare, guest = comparison.bare, comparison.guest
    found = {
        where: _supervisor_problems(bytes.fromhex(report["dump"]["storage"]), report)
        for report, where in ((bare, "bare"), (guest, "under CP"))
    }
    both = [problem for problem in found["bare"] if problem in found["under CP"]]
    problems = [f"bare and under CP: {problem}" for problem in both]
    for where, theirs in found.items():
        problems += [f"{where}: {problem}" for problem in theirs if problem not in both]
    if bare["stop"] == "disabled-wait" and bare["psw"] != guest["psw"]:
        problems.append(
            f"the runs ended with different PSWs: bare {bare['psw']}, under CP {guest['psw']}"
        )
    lines = report_lines(path, comparison)[:2]
    if problems:
        lines.append(f"  NOT done: {len(problems)} to fix")
        lines += [f"  - {problem}" for problem in problems]
        return False, lines
    lines.append(
        "  done: on the bare machine and under CP, the timer interruption was taken, the SVC "
        "from the problem program handled, and the run ended in the same disabled wait"
    )
    if comparison.differences:
        lines.append(
            f"  timing: {len(comparison.differences)} other differences between the runs, such as"
        )
        lines += [f"  - {line}" for line in comparison.differences[:3]]
        lines.append(
            "    (the timer interruption came after a different number of instructions: CP "
            "keeps the guest's timer in its own time; Popek and Goldberg allow timing to differ)"
        )
    return True, lines


CHECKS: dict[int, Callable[[Sequence[str]], tuple[bool, list[str]]]] = {
    3: check_equivalence,
    7: check_supervisor,
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

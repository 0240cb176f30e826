"""Assembler speed: statements per second, listing and object deck included.

Two generated sources: 20,000 statements of machine instructions of every
format, DC constants, literals, USING and DROP; and 10,000 macro calls that
each expand to 5 statements (with a keyword default, a sublist, &SYSNDX and
an AIF). Prints the rates; never fails on speed. Target: 20,000 statements/s.

    python benchmarks/asm_speed.py [STATEMENTS [MACRO_CALLS]]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler import assemble  # noqa: E402

TEMPLATES = [
    "         L     {r},{field}",
    "         ST    {r},{field}+4",
    "         LA    {r},{field}({x})",
    "         AR    {r},{x}",
    "         LR    {r},{x}",
    "         MVC   {field}(8),{field2}",
    "         CLC   {field}(4),=C'{text}'",
    "         A     {r},=F'{number}'",
    "         SLL   {r},{shift}",
    "         STM   14,12,12(13)",
    "         MVI   {field},C'{char}'",
    "         BNE   {label}",
    "         AP    {packed}(8),=P'{number}'",
    "         TM    {field}+1,X'80'",
    "{label2}  DC    F'{number}',A({field})",
    "         DC    CL8'{text}',XL2'{hex}'",
    "         LTR   {r},{r}",
    "         BCT   {r},{label}",
]


def generate_source(statements: int, seed: int = 360) -> str:
    rng = random.Random(seed)
    lines = ["BENCH    CSECT", "         USING BENCH,12", "         BALR  12,0"]
    block = 0
    fields = []
    count = len(lines)
    while count < statements - 40:
        block += 1
        label = f"L{block:05d}"
        lines.append(f"{label}   DS    0H")
        field = f"F{block:05d}"
        fields.append(field)
        for _ in range(40):
            if count >= statements - 40:
                break
            template = rng.choice(TEMPLATES)
            lines.append(
                template.format(
                    r=rng.randrange(1, 12),
                    x=rng.randrange(1, 12),
                    field=field,
                    field2=field,
                    text="".join(rng.choice("ABCXYZ") for _ in range(4)),
                    number=rng.randrange(1000),
                    shift=rng.randrange(32),
                    char=rng.choice("ABC"),
                    label=label,
                    packed=f"P{block:05d}",
                    label2=f"D{rng.randrange(10**6):06d}",
                    hex=f"{rng.randrange(65536):04X}",
                )
            )
            count += 1
        lines.append(f"         B     X{block:05d}")
        lines.append(f"{field}   DS    4F")
        lines.append(f"P{block:05d}   DS    PL8")
        lines.append("         LTORG")
        lines.append(f"X{block:05d}   DS    0H")
        lines.append("         DROP  12")
        lines.append(f"         USING X{block:05d},12")
        count += 7
    while count < statements - 1:
        lines.append("         NOPR  0")
        count += 1
    lines.append("         END   BENCH")
    return "\n".join(lines) + "\n"


MACRO_DEFINITION = """\
         MACRO
&LABEL   MOVE  &TO,&FROM,&LEN=8,&REGS=(14,15)
&LABEL   LA    &REGS(1),&TO
         LA    &REGS(2),&FROM
         AIF   ('&LEN' EQ '0').NOMOVE
         MVC   0(&LEN,&REGS(1)),0(&REGS(2))
.NOMOVE  ANOP
M&SYSNDX DS    0H
         BALR  14,0
         MEND
"""


def generate_macro_source(calls: int, seed: int = 67) -> str:
    rng = random.Random(seed)
    lines = [MACRO_DEFINITION.rstrip("\n"), "MACS     CSECT", "         USING AREAS,11"]
    for number in range(calls):
        if number % 300 == 0:
            lines.append(f"         USING A{number:05d},12")
            lines.append(f"A{number:05d}   DS    0H")
        length = rng.randrange(1, 9)
        lines.append(f"         MOVE  AREA{number % 2},AREA{1 - number % 2},LEN={length}")
        if number % 300 == 299:
            lines.append("         DROP  12")
    lines += ["AREAS    DSECT", "AREA0    DS    CL8", "AREA1    DS    CL8", "         END"]
    return "\n".join(lines) + "\n"


def measure(title: str, source: str) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = assemble(source)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    count = len(result.assembly.statements)
    generated = sum(1 for statement in result.assembly.statements if statement.source.generated)
    print(f"{title}: {count} statements ({generated} generated)")
    # CPU time is the steadier figure on a shared machine.
    print(f"  CPU time {cpu:.2f} s: {count / cpu:,.0f} statements/s")
    print(
        f"  wall time {elapsed:.2f} s: {count / elapsed:,.0f} statements/s "
        f"(return code {result.return_code}, {len(result.cards)} cards, "
        f"{result.listing.count(chr(10))} listing lines)"
    )
    for diagnostic in result.diagnostics[:5]:
        print("  ", diagnostic)


def main() -> None:
    statements = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    measure("instructions, constants, literals", generate_source(statements))
    measure("macro calls", generate_macro_source(calls))


if __name__ == "__main__":
    main()

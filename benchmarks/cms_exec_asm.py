"""EXEC statements a second (bare machine) and ASSEMBLE of a 2,000-statement program under CP.

    python benchmarks/cms_exec_asm.py [ITERATIONS]

EXEC: an exec whose &LOOP runs three statements (an assignment with arithmetic, an &IF,
an assignment of a built-in function) ITERATIONS times (default 2,000), against the same
exec with a loop of 0: the difference is the statements' cost, in wall-clock statements a
second and S/360 instructions a statement.

ASSEMBLE: ALICE logs on, IPLs CMS and types GLOBAL MACLIB CMSLIB and ASSEMBLE BIG, a
program of 2,000 statements (1,960 instructions and constants, 40 WRTERM macros) the
host tools put on her 191. Reported: the command's wall-clock time end to end (CMS
reading the source and CMSLIB, DIAGNOSE X'0108', CMS writing TEXT and LISTING), the host
assembler's time on the same source and macros alone, and the virtual CPU time CMS's
ready message gives.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from cp_system import DIRECTORY, answer, boot, logged_on, make_folder  # noqa: E402

from assembler import assemble  # noqa: E402
from cms.build import MACLIB_DIRECTORY, build_nucleus, build_system_disk  # noqa: E402
from cms.filesystem import CMSDisk, text_to_records  # noqa: E402
from cms.minidisk import Minidisk  # noqa: E402
from vm370.hardware.devices.ckd_image import CKDImage, create_image  # noqa: E402
from vm370.hardware.devices.console1052 import Console1052  # noqa: E402
from vm370.hardware.devices.dasd import Dasd2314  # noqa: E402
from vm370.hardware.machine import Machine  # noqa: E402
from vm370.terminal.scripted import run_until  # noqa: E402

STATEMENTS = 2000
MACROS = 40


def exec_text(iterations: int) -> str:
    return (
        "&CONTROL OFF\n&I = 0\n"
        f"&LOOP 3 {iterations}\n"
        "&I = &I + 1\n"
        "&IF &I GT 99999 &EXIT 1\n"
        "&L = &LENGTH &I\n"
        "&TYPE DONE &I\n"
    )


def run_exec(folder: Path, system: Path, iterations: int) -> tuple[float, int, list[str]]:
    user = create_image(folder / f"user{iterations}.2314", "2314", 3)
    image = CKDImage(user)
    try:
        disk = CMSDisk.format(Minidisk(image, 0, 3), "USR191")
        disk.write("BENCH", "EXEC", text_to_records(exec_text(iterations)), "F", 80)
    finally:
        image.close()
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    console.type_line("bench")
    devices = [Dasd2314(system), Dasd2314(user)]
    machine.attach(0x009, console)
    machine.attach(0x190, devices[0])
    machine.attach(0x191, devices[1])
    start = time.perf_counter()
    machine.ipl(0x190)
    machine.run(2_000_000_000)
    elapsed = time.perf_counter() - start
    for device in devices:
        device.close()
    return elapsed, machine.cpu.instructions_executed, "".join(console.transcript).splitlines()


def big_program() -> str:
    lines = ["BIG      CSECT", "         USING BIG,12,11,10"]
    lines += ["         LA    11,2048(,12)", "         LA    11,2048(,11)"]
    lines += ["         LA    10,2048(,11)", "         LA    10,2048(,10)"]
    body = STATEMENTS - 8 - MACROS
    for index in range(body):
        if index % (body // MACROS) == 0 and index // (body // MACROS) < MACROS:
            lines.append(f"         WRTERM 'LINE {index}'")
        lines.append(f"         LA    1,{index % 4096}(0,0)")
    while len(lines) < STATEMENTS - 2:
        lines.append("         DC    F'0'")
    lines += ["         BR    14", "         END   BIG"]
    return "\n".join(lines) + "\n"


def bench_assemble(folder: Path, nucleus) -> None:
    directory = DIRECTORY.replace(
        "USER ALICE APPLE 256K 1M G\n", "USER ALICE APPLE 1M 2M G\n LINK MAINT 190 190 RR\n"
    ) + ("USER MAINT MAINTPW 1M 2M ABCDEFG\n CONSOLE 009 3215\n MDISK 190 2314 11 8 USERS MR ALL\n")
    root = make_folder(folder / "system", directory=directory)
    build_system_disk(root / "packs" / "users.ckd", 11, 8, nucleus, maclib=True)
    source = big_program()
    image = CKDImage(root / "packs" / "users.ckd")
    try:
        disk = CMSDisk.format(Minidisk(image, 1, 5), "ALI191")
        disk.write("BIG", "ASSEMBLE", text_to_records(source), "F", 80)
    finally:
        image.close()
    system = boot(root)
    terminal = logged_on(system, "ALICE", "APPLE")
    answer(system, terminal, "IPL 190", "CMS VERSION")
    run_until(system, lambda: terminal.status() == "VM READ")
    answer(system, terminal, "GLOBAL MACLIB CMSLIB", "R;")
    run_until(system, lambda: terminal.status() == "VM READ")
    readies = len(re.findall(r"^R[;(]", terminal.history(), re.MULTILINE))
    start = time.perf_counter()
    terminal.type_line("ASSEMBLE BIG")
    run_until(
        system,
        lambda: len(re.findall(r"^R[;(]", terminal.history(), re.MULTILINE)) > readies,
        max_instructions=500_000_000,
    )
    end_to_end = time.perf_counter() - start
    ready = re.findall(r"^R.*T=\S+", terminal.history(), re.MULTILINE)[-1]
    system.shutdown()
    start = time.perf_counter()
    result = assemble(source, deck_name="BIG", maclib=[MACLIB_DIRECTORY])
    host = time.perf_counter() - start
    listing_lines = len(result.listing.splitlines())
    print(
        f"ASSEMBLE of {STATEMENTS:,} statements ({MACROS} macros; {listing_lines:,} listing lines,"
        f" {len(result.object_deck) // 80} cards): {end_to_end:.2f} s end to end under CP,"
        f" {host:.2f} s of it the host assembler alone; ready message {ready!r}"
    )


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        system = create_image(folder / "system.2314", "2314", 5)
        nucleus = build_nucleus()
        build_system_disk(system, 0, 5, nucleus)
        base_time, base_instructions, _ = run_exec(folder, system, 0)
        loop_time, loop_instructions, lines = run_exec(folder, system, iterations)
        assert f"DONE {iterations}" in lines, lines[-5:]
        statements = 3 * iterations
        seconds = loop_time - base_time
        per = (loop_instructions - base_instructions) / statements
        print(
            f"EXEC: {statements:,} statements in {seconds:.2f} s: {statements / seconds:,.0f}"
            f" statements a second, {per:,.0f} instructions a statement"
        )
        bench_assemble(folder, nucleus)


if __name__ == "__main__":
    main()

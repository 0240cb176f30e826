"""A user whose machine storms CP with I/O or loops does not hold up another's commands
beyond the dispatcher's fair share: its slice, not its whole run."""

from __future__ import annotations

import pytest

from vm370.cli import main
from vm370.cp.datafolder import DataFolder
from vm370.cp.dispatch import NON_INTERACTIVE_SLICE
from vm370.cp.realsystem import RealSystem
from vm370.sysgen import read_passwords
from vm370.terminal.session import InProcessDriver

# Execs USER1 runs for ever: one copies a file again and again (each copy is
# dozens of minidisk reads and writes through CP), one only loops.
STORMS = {
    "io": ["&CONTROL OFF", "-TOP", "COPYFILE README TEXT A STORM TEXT A (REPLACE", "&GOTO -TOP"],
    "cpu": ["-TOP", "&X = 1", "&GOTO -TOP"],
}
QUERIES = 4


def typed(driver: InProcessDriver, line: str) -> None:
    assert driver.wait(driver.terminal.ready), driver.terminal.text()
    driver.terminal.type_line(line)


def logged_on(system: RealSystem, index: int, userid: str, password: str) -> InProcessDriver:
    driver = InProcessDriver(system, index)
    terminal = driver.terminal
    assert driver.wait(lambda: terminal.ready() and "VM/370 ONLINE" in terminal.text())
    typed(driver, f"LOGON {userid}")
    assert driver.wait(lambda: "ENTER PASSWORD" in terminal.text())
    typed(driver, password)
    assert driver.wait(terminal.ready)
    return driver


def responses(folder, storm: str | None) -> list[int]:
    """USER2's QUERY TIME round trips, in instructions, while USER1 runs ``storm``."""
    passwords = read_passwords(folder)
    system = RealSystem(DataFolder(folder))
    try:
        stormer = logged_on(system, 0, "USER1", passwords["USER1"])
        typist = logged_on(system, 1, "USER2", passwords["USER2"])
        if storm is not None:
            typed(stormer, storm.upper())
            assert stormer.wait(lambda: stormer.terminal.status() == "RUNNING")
            system.run(1_000_000)  # the storm under way
            assert stormer.terminal.status() == "RUNNING", stormer.terminal.text()
        # A clear screen holds the queries' lines (a full one would wait at MORE...).
        typist.terminal.press("CLEAR")
        clock = system.machine.clock
        taken = []
        for _ in range(QUERIES):
            assert typist.wait(typist.terminal.ready)
            start, seen = clock.now, len(typist.terminal.lines)
            typist.terminal.type_line("CP QUERY TIME")
            assert typist.wait(
                lambda seen=seen: (
                    typist.terminal.ready()
                    and any(line.startswith("CONNECT=") for line in typist.terminal.lines[seen:])
                )
            )
            taken.append(clock.now - start)
        return taken
    finally:
        system.shutdown()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fair") / "vm"
    assert main(["init", str(folder), "--users", "2"]) == 0
    for name, lines in STORMS.items():
        source = folder.parent / f"{name}.exec"
        source.write_text("\n".join(lines) + "\n")
        put = ["cms", "put", "--data", str(folder), "--user", "USER1", "--cuu", "191"]
        assert main([*put, str(source), f"{name.upper()} EXEC A"]) == 0
    return folder


@pytest.mark.parametrize("storm", sorted(STORMS))
def test_a_storming_user_costs_another_at_most_its_slices(folder, storm):
    alone = responses(folder, None)
    stormed = responses(folder, storm)
    # The typist's command waits for the stormer's slice at each of its two
    # dispatches (the line read, the answer), never for the storm's whole run;
    # CP's real I/O is synchronous, so the I/O the stormer started within its
    # slice finishes first (a tenth more, at most).
    assert max(stormed) <= max(alone) + 2 * NON_INTERACTIVE_SLICE * 11 // 10
    assert max(stormed) > max(alone)  # the storm was there and took its share

"""The system as one command: generation, boot to the logo, LOGON to CP READ.

    python benchmarks/system.py

Prints the wall time of ``vm370 init`` (two 2314 packs, the CMS nucleus
assembled and written, six 191s formatted), of bringing the system up to
the VM/370 logo on the first display, and of a LOGON answered at CP READ
(the password check is a PBKDF2 key stretch), with the instructions each
took on the virtual clock, and of `IPL 190` from CP READ to CMS's first
VM READ (CMS ready: the 190 and the 191 accessed).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vm370.cp.realsystem import RealSystem  # noqa: E402
from vm370.sysgen import generate  # noqa: E402
from vm370.terminal.scripted import ScriptedTerminal, run_until  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "vm"
        start = time.perf_counter()
        generated = generate(folder)
        init_seconds = time.perf_counter() - start

        start = time.perf_counter()
        system = RealSystem(folder)
        terminal = ScriptedTerminal(system.displays[0].port)
        boot_instructions = run_until(
            system,
            lambda: "VM/370 ONLINE" in terminal.text() and terminal.status() == "CP READ",
        )
        boot_seconds = time.perf_counter() - start

        start = time.perf_counter()
        terminal.type_line("LOGON USER1")
        taken = run_until(system, lambda: "ENTER PASSWORD:" in terminal.text())
        terminal.type_line(generated.passwords["USER1"])
        taken += run_until(
            system,
            lambda: (
                "LOGON AT" in terminal.text()
                and terminal.status() == "CP READ"
                and not terminal.keyboard_locked()
            ),
        )
        logon_seconds = time.perf_counter() - start

        start = time.perf_counter()
        terminal.type_line("IPL 190")
        cms_instructions = run_until(
            system,
            lambda: (
                "CMS VERSION" in terminal.text()
                and terminal.status() == "VM READ"
                and not terminal.keyboard_locked()
            ),
        )
        cms_seconds = time.perf_counter() - start
        system.shutdown()
    print(f"init (2 packs, CMS nucleus, 6 formatted 191s)  {init_seconds:6.2f} s")
    print(
        f"boot to the logo at CP READ                    {boot_seconds:6.2f} s"
        f"  ({boot_instructions:,} instructions)"
    )
    print(
        f"LOGON to CP READ                               {logon_seconds:6.2f} s"
        f"  ({taken:,} instructions)"
    )
    print(
        f"IPL 190 to CMS ready (VM READ)                 {cms_seconds:6.2f} s"
        f"  ({cms_instructions:,} instructions)"
    )


if __name__ == "__main__":
    main()

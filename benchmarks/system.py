"""The system as one command: generation, boot to the logo, LOGON to CMS ready, checkpoints.

    python benchmarks/system.py

Prints the wall time of ``vm370 init`` (two 2314 packs, the CMS nucleus
assembled and written, six 191s formatted), of bringing the system up to
the VM/370 logo on the first display, and of a LOGON up to CMS ready (the
password checked, a PBKDF2 key stretch; the directory's IPL 190 at LOGON;
CMS's first VM READ, with the 190 and the 191 accessed), with the
instructions each took on the virtual clock; then the time to take a
checkpoint of that running system (its state and copies of the packs) and
to restore it, with the size of the saved state.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vm370.cp.checkpoint import restore_system, write_checkpoint  # noqa: E402
from vm370.cp.datafolder import DataFolder  # noqa: E402
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
                "CMS VERSION" in terminal.text()
                and terminal.status() == "VM READ"
                and not terminal.keyboard_locked()
            ),
        )
        logon_seconds = time.perf_counter() - start

        start = time.perf_counter()
        saved = write_checkpoint(system, "BENCH")
        checkpoint_seconds = time.perf_counter() - start
        state_bytes = (saved / "state.pickle").stat().st_size
        pack_bytes = sum(p.stat().st_size for p in (saved / "packs").iterdir())
        system.close()
        start = time.perf_counter()
        restored = restore_system(DataFolder(folder), "BENCH")
        restore_seconds = time.perf_counter() - start
        restored.shutdown()
    print(f"init (2 packs, CMS nucleus, 6 formatted 191s)  {init_seconds:6.2f} s")
    print(
        f"boot to the logo at CP READ                    {boot_seconds:6.2f} s"
        f"  ({boot_instructions:,} instructions)"
    )
    print(
        f"LOGON to CMS ready (IPL 190 at LOGON)          {logon_seconds:6.2f} s"
        f"  ({taken:,} instructions)"
    )
    print(
        f"checkpoint of that system                      {checkpoint_seconds:6.2f} s"
        f"  (state {state_bytes / 2**20:.1f} MB, packs {pack_bytes / 2**20:.0f} MB)"
    )
    print(f"restore of it                                  {restore_seconds:6.2f} s")


if __name__ == "__main__":
    main()

"""The `vm370` command run as a separate process, from the checkout, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60


def vm370(*args: str, **options) -> subprocess.Popen:
    """`vm370 args...` started with pipes for its standard streams (text)."""
    return subprocess.Popen(
        [sys.executable, "-m", "vm370", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def vm370_run(*args: str) -> subprocess.CompletedProcess:
    """`vm370 args...` run to its end: exit status and output."""
    return subprocess.run(
        [sys.executable, "-m", "vm370", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )

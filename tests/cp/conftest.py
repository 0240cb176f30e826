"""Fixtures for CP's tests: a small real machine with CP on it."""

from __future__ import annotations

import pytest

from vm370.cp.system import ControlProgram
from vm370.hardware.machine import Machine


@pytest.fixture
def cp() -> ControlProgram:
    """CP on a 256K real machine (64 frames)."""
    return ControlProgram(Machine(256 * 1024))


@pytest.fixture
def small_cp() -> ControlProgram:
    """CP on the smallest real machine it accepts (40K: 10 frames), so machines page."""
    return ControlProgram(Machine(40 * 1024))

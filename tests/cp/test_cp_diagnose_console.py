"""DIAGNOSE X'24' for the virtual console: the real device is the user's terminal.

CMS EDIT's FORMAT (as VM/370's DMSEDI did) asks X'24' whether the console
is a display (class X'40') before it paints a screen with X'58'; a
typewriter terminal is class X'80', a 2741 (type X'40').
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vm370.cp.diagnose_services import diagnose_device_type
from vm370.cp.vdevices import VirtualConsole


def run_x24(terminal):
    user = SimpleNamespace(terminal=terminal) if terminal is not None else None
    cp = SimpleNamespace(users=SimpleNamespace(users={"ALICE": user} if user else {}))
    machine = SimpleNamespace(
        name="ALICE",
        gpr=[0] * 16,
        devices={0x009: VirtualConsole()},
        psw=SimpleNamespace(cc=None),
    )
    machine.gpr[2] = 0xFFFFFFFF  # the console, whatever its address
    diagnose_device_type(cp, machine, 2, 4)
    return machine


@pytest.mark.parametrize(
    ("terminal", "real_class", "real_type"),
    [
        (SimpleNamespace(line_mode=False), 0x40, 0x04),  # a 3277 display
        (SimpleNamespace(line_mode=True), 0x80, 0x40),  # a typewriter terminal (2741)
    ],
)
def test_the_consoles_real_device_is_the_users_terminal(terminal, real_class, real_type):
    machine = run_x24(terminal)
    assert machine.psw.cc == 0
    assert machine.gpr[2] == 0x009
    assert machine.gpr[5] >> 24 == real_class
    assert machine.gpr[5] >> 16 & 0xFF == real_type


def test_with_no_terminal_the_real_console_is_the_virtual_one():
    machine = run_x24(None)
    assert machine.psw.cc == 0
    assert machine.gpr[5] >> 24 == machine.gpr[4] >> 24 != 0x40

"""The Textual terminal: behaviour with Pilot, rendering with snapshots."""

import asyncio
import functools

import pytest
from terminal_host import EchoHost

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import MODELS, Display3270, encode_address
from vm370.terminal.tn3270 import TN3270Server
from vm370.terminal.tui.app import TerminalApp
from vm370.terminal.tui.connection import InProcessLink, TN3270Link
from vm370.terminal.tui.screens.help import HelpScreen
from vm370.terminal.tui.widgets.panels import (
    AssociativeArrayPanel,
    InterruptionPanel,
    MachineStatePanel,
    StorageFramesPanel,
)
from vm370.terminal.tui.widgets.screen3270 import Screen3270

SIZE = (100, 30)


def synchronous(test):
    """Run an async test on its own event loop (the suite has no asyncio plugin)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture
def echo():
    port = TerminalPort(0x0C0)
    host = EchoHost([port]).start()
    yield port, host
    host.stop()


async def settle(pilot, app, condition, tries: int = 1000):
    """Let the host and the app exchange messages until ``condition()`` (bounded)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never reached the expected state")


def row(app, number: int) -> str:
    return app.display3270.row_text(number)


@synchronous
async def test_in_process_terminal_shows_the_screen_and_echoes_enter(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        assert app.display3270.cursor == 168
        await pilot.press(*"hello")
        await pilot.press("enter")
        await settle(pilot, app, lambda: "ECHO: hello" in row(app, 4))
        assert "AID: ENTER" in row(app, 5)
        assert not app.display3270.keyboard_locked


@synchronous
async def test_pf_pa_and_clear_keys_send_their_aids(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        for key, name in [
            ("f3", "PF3"),
            ("shift+f1", "PF13"),
            ("f24", "PF24"),
            ("ctrl+p", "PA1"),
            ("ctrl+y", "PA2"),
            ("escape", "CLEAR"),
        ]:
            await pilot.press(key)
            await settle(pilot, app, lambda name=name: f"AID: {name}" in row(app, 5))


@synchronous
async def test_tab_backtab_insert_and_erase_eof(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        display = app.display3270
        await pilot.press("tab")
        assert display.cursor == 6 * 80 + 1  # the nondisplay field
        await pilot.press("shift+tab")
        assert display.cursor == 168
        await pilot.press(*"acd", "left", "left", "insert", "b")
        assert display.field_text(167).rstrip() == "abcd"
        await pilot.press("left", "ctrl+e")
        assert display.field_text(167).rstrip() == "a"
        assert "^" in app.screen3270.oia_text()


@synchronous
async def test_a_click_moves_the_cursor(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.click("#screen", offset=(12, 6))
        assert app.display3270.cursor == 6 * 80 + 12


@synchronous
async def test_password_field_is_not_drawn(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press("tab", *"secret")
        screen = app.screen3270
        drawn = "".join(segment.text for segment in screen.render_line(6))
        assert "secret" not in drawn
        assert app.display3270.field_text(6 * 80).startswith("secret")


@synchronous
async def test_typing_in_a_protected_field_locks_and_reset_unlocks(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press("up", "x")
        assert app.display3270.lock_reason == "X PROT"
        assert "X PROT" in app.screen3270.oia_text()
        await pilot.press("ctrl+r")
        assert not app.display3270.keyboard_locked


@synchronous
async def test_oia_shows_the_device_address(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        oia = app.screen3270.oia_text()
        assert "3277 0C0" in oia
        assert oia.endswith("003/009")


@synchronous
async def test_help_opens_with_ctrl_k_and_with_question_mark_where_it_cannot_be_typed(echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("?")  # in the input field: typed, not help
        assert app.display3270.field_text(167).startswith("?")
        await pilot.press("up", "?")
        assert isinstance(app.screen, HelpScreen)


@synchronous
async def test_machine_panel_toggles_and_reads_only_when_shown():
    from vm370.hardware.machine import Machine

    machine = Machine(64 * 1024)
    machine.cpu.gpr[3] = 0x12345678
    port = TerminalPort(0x0C0)
    app = TerminalApp(InProcessLink(port), machine=machine)
    async with app.run_test(size=(140, 30)) as pilot:
        panel = app.query_one(MachineStatePanel)
        assert not panel.display
        await pilot.pause(0.6)
        assert panel.updates == 0
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert panel.display
        assert "12345678" in panel.state_text()
        assert panel.updates >= 1


@synchronous
async def test_interruption_panel_observes_only_while_shown(echo):
    from terminal_host import echo_demo_machine

    machine, device = echo_demo_machine()
    app = TerminalApp(InProcessLink(device.port), machine=machine)
    async with app.run_test(size=(140, 40)) as pilot:
        panel = app.query_one(InterruptionPanel)
        assert panel._observe not in machine.cpu.interruption_observers
        await pilot.press("ctrl+n")
        await pilot.pause(0.05)
        assert panel._observe in machine.cpu.interruption_observers
        device.poll()
        machine.run(50_000)  # the demo's Erase/Write ends with an I/O interruption
        assert panel.observed >= 1
        assert "io" in panel.state_text()
        await pilot.press("ctrl+n")
        await pilot.pause(0.05)
        assert panel._observe not in machine.cpu.interruption_observers


@synchronous
async def test_dat_panel_says_when_translation_is_unused():
    from vm370.hardware.machine import Machine

    machine = Machine(64 * 1024)
    app = TerminalApp(InProcessLink(TerminalPort(0x0C0)), machine=machine)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("ctrl+a")
        await pilot.pause(0.05)
        panel = app.query_one(AssociativeArrayPanel)
        assert panel.display
        text = panel.state_text()
        assert "hits" in text or "no DAT" in text


def test_frames_panel_maps_frames_in_use_with_their_keys():
    from terminal_host import echo_demo_machine

    machine, device = echo_demo_machine()  # the program is at 2000: frame 2
    machine.storage.keys[0x5000 >> 11] = 0x30
    machine.storage.mem[0x5000] = 1
    panel = StorageFramesPanel(machine)
    lines = panel.state_text().splitlines()
    assert lines[0] == "16 frames, 2 in use (key shown)"
    assert lines[1] == "000000 ..0..3.........."


@synchronous
async def test_the_screen_widget_takes_the_model_size():
    port = TerminalPort(0x0C0, MODELS[5])
    app = TerminalApp(InProcessLink(port, MODELS[5]), model=MODELS[5])
    async with app.run_test(size=(140, 32)) as pilot:
        app.display3270.write(b"\x00", erase=True, alternate=True)
        app.screen3270.redraw()
        await pilot.pause(0.05)
        assert app.screen3270.size.width == 132
        assert app.screen3270.size.height == 28


@synchronous
async def test_tn3270_link_reaches_the_project_server(echo):
    port, host = echo
    server = TN3270Server([port], port=0, negotiation_timeout=2.0)
    server.start_in_thread()
    try:
        app = TerminalApp(TN3270Link("127.0.0.1", server.port))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0), tries=1500)
            await pilot.press(*"over tcp", "enter")
            await settle(pilot, app, lambda: "ECHO: over tcp" in row(app, 4), tries=1500)
    finally:
        server.stop()


@synchronous
async def test_a_server_that_goes_away_shows_disconnected(echo):
    port, host = echo
    server = TN3270Server([port], port=0, negotiation_timeout=2.0)
    server.start_in_thread()
    app = TerminalApp(TN3270Link("127.0.0.1", server.port))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0), tries=1500)
        server.stop()
        await settle(pilot, app, lambda: app.screen3270.status == "disconnected", tries=1500)
        assert "disconnected" in app.screen3270.oia_text()


@synchronous
async def test_a_refused_connection_is_reported_not_raised():
    app = TerminalApp(TN3270Link("127.0.0.1", 1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.screen3270.status == "not connected")


def test_snapshot_echo_screen(snap_compare, echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))

    async def ready(pilot):
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press(*"HELLO")
        await asyncio.sleep(0)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_help(snap_compare, echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))

    async def ready(pilot):
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press("ctrl+k")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_model_5_screen(snap_compare):
    port = TerminalPort(0x0C1, MODELS[5])
    app = TerminalApp(InProcessLink(port, MODELS[5]), model=MODELS[5])

    async def ready(pilot):
        app.display3270.process_outbound(
            b"\x0d\x02\x1d\xe8"
            + "27 BY 132 ON THE ALTERNATE SCREEN".encode("cp037")
            + b"\x11"
            + encode_address(26 * 132 + 100, 27 * 132)
            + b"\x1d\x40\x13"
        )
        app.screen3270.redraw()
        await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=(140, 32), run_before=ready)


def test_screen_widget_renders_colours_by_attribute():
    display = Display3270()
    display.write(
        bytes((0x02, 0x1D, 0x60))
        + b"\xc1"
        + bytes((0x1D, 0xE8))
        + b"\xc2"
        + bytes((0x11,))
        + encode_address(10)
        + bytes((0x1D, 0x40))
        + b"\xc3",
        erase=True,
    )
    widget = Screen3270(display)
    line = widget.render_line(0)
    styles = {segment.text.strip(): segment.style for segment in line if segment.text.strip()}
    assert styles["A"].color.name.lower() == "#5fa0ff"  # protected normal: blue
    assert styles["B"].color.name.lower() == "#ffffff"  # protected intensified: white
    assert styles["C"].color.name.lower() == "#00d000"  # unprotected: green

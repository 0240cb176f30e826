"""The Textual terminal: behaviour with Pilot, rendering with snapshots."""

import asyncio
import functools
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from terminal_host import EchoHost

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import MODELS, Display3270, encode_address
from vm370.terminal.tn3270 import TN3270Server
from vm370.terminal.tui.app import TerminalApp
from vm370.terminal.tui.batch import hidden_writes
from vm370.terminal.tui.connection import (
    InProcessLink,
    RecordMailbox,
    RecordsWaiting,
    TN3270Link,
)
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
        lines = panel.state_text().splitlines()
        assert lines[0].split() == ["time", "(s)", "class", "old", "PSW"]
        time_column, kind, old_psw = lines[1].split()
        assert float(time_column) >= 0 and len(old_psw) == 16
        assert "io" in [line.split()[1] for line in lines[1:]]
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


# Records from the host in batches: one message per batch, hidden writes skipped.

EW, EWA, W, EAU, READ_MODIFIED = 0x05, 0x0D, 0x01, 0x0F, 0x06


def screen_of(text: str, wcc: int = 0x00, command: int = EW) -> bytes:
    return bytes((command, wcc)) + text.encode("cp037")


def test_a_later_erase_write_hides_the_writes_before_it():
    records = [screen_of("A", command=W), screen_of("B"), screen_of("C", command=W), screen_of("D")]
    assert hidden_writes(records) == [True, True, True, False]


def test_remote_command_codes_hide_like_local_ones():
    # X'F5' Erase/Write, X'7E' Erase/Write Alternate, X'F1' Write (TN3270 stream codes)
    records = [screen_of("A", command=0xF1), screen_of("B", command=0x7E), b"\xf5\x00"]
    assert hidden_writes(records) == [True, True, False]


def test_a_read_or_erase_all_unprotected_between_ends_the_hiding():
    records = [screen_of("A"), bytes((READ_MODIFIED,)), screen_of("B")]
    assert hidden_writes(records) == [False, False, False]
    records = [screen_of("A"), bytes((EAU,)), screen_of("B"), screen_of("C")]
    assert hidden_writes(records) == [False, False, True, False]
    assert hidden_writes([b"", screen_of("A")]) == [False, False]


def test_a_write_after_the_last_erase_write_is_drawn():
    records = [screen_of("A"), screen_of("B"), screen_of("C", command=W)]
    assert hidden_writes(records) == [True, False, False]


def _write_records():
    orders = st.one_of(
        st.text(alphabet="ABCXYZ 123", min_size=0, max_size=30).map(lambda t: t.encode("cp037")),
        st.sampled_from([0x40, 0x60, 0xE8, 0x4C, 0xC1]).map(lambda a: bytes((0x1D, a))),
        st.integers(0, 1919).map(lambda a: bytes((0x11,)) + encode_address(a)),
        st.just(bytes((0x13,))),
    )
    return st.builds(
        lambda command, wcc, parts: bytes((command, wcc)) + b"".join(parts),
        st.sampled_from([W, EW, EWA]),
        st.sampled_from([0x00, 0x01, 0x02, 0x04, 0x03, 0x06, 0x07]),
        st.lists(orders, max_size=6),
    )


def _state(display: Display3270):
    return (
        bytes(display.characters),
        list(display.attributes),
        display.cursor,
        (display.rows, display.columns),
        display.keyboard_locked,
        display.alarms,
        display.writes,
    )


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(_write_records(), min_size=1, max_size=8),
    locked=st.booleans(),
    aid_first=st.booleans(),
)
def test_skipping_hidden_writes_leaves_the_screen_as_applying_them_all(records, locked, aid_first):
    full, skipped = Display3270(MODELS[5]), Display3270(MODELS[5])
    for display in (full, skipped):
        display.write(b"\x00\x1d\x40", erase=True)
        if locked:
            display.press_aid(0x7D)  # Enter locks the keyboard (X SYSTEM)
    for record in records:
        full.process_outbound(record)
    for record, hidden in zip(records, hidden_writes(records), strict=True):
        if hidden:
            skipped.write(record[1:2])
        else:
            skipped.process_outbound(record)
    assert _state(skipped) == _state(full)


class _RecordingApp:
    def __init__(self) -> None:
        self.messages = []

    def post_message(self, message) -> None:
        self.messages.append(message)


def test_the_mailbox_announces_once_until_its_records_are_taken():
    mailbox = RecordMailbox()
    mailbox.attach(_RecordingApp())
    threads = [
        threading.Thread(target=lambda n=n: [mailbox.put(bytes((n, i))) for i in range(200)])
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mailbox.app.messages) == 1
    assert all(isinstance(message, RecordsWaiting) for message in mailbox.app.messages)
    records = mailbox.take()
    assert len(records) == 800
    for n in range(4):  # each writer's records stay in order
        assert [r[1] for r in records if r[0] == n] == list(range(200))
    assert mailbox.take() == []
    mailbox.put(b"\x05\x00")
    assert len(mailbox.app.messages) == 2


def test_records_put_before_the_app_attaches_are_announced_when_it_does():
    mailbox = RecordMailbox()
    mailbox.put(b"\x05\x00")
    app = _RecordingApp()
    mailbox.attach(app)
    assert len(app.messages) == 1
    assert mailbox.take() == [b"\x05\x00"]


@synchronous
async def test_a_flood_of_screens_is_applied_in_few_batches_and_ends_on_the_last():
    port = TerminalPort(0x0C0)
    link = InProcessLink(port)
    app = TerminalApp(link)
    count = 2000
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: link.app is not None)
        locked_screen = b"\x05\x00" + "LOCKED".encode("cp037")
        app.display3270.process_outbound(locked_screen)
        app.display3270.press_aid(0x7D)
        assert app.display3270.keyboard_locked

        def host() -> None:
            for number in range(count - 2):
                link.outbound(screen_of(f"SCREEN {number}"))
            link.outbound(screen_of("RESTORED", wcc=0x02, command=W))  # keyboard restore
            link.outbound(screen_of("THE LAST SCREEN"))

        writer = threading.Thread(target=host)
        writer.start()
        writer.join()
        await settle(pilot, app, lambda: app.records_received == count)
        assert row(app, 0).startswith("THE LAST SCREEN")
        # The Write's keyboard restore acted although a later Erase/Write hid its text.
        assert not app.display3270.keyboard_locked
        assert app.batches < count // 10
        assert app.records_hidden >= count - app.batches
        await pilot.pause(0.05)
        drawn = "".join(segment.text for segment in app.screen3270.render_line(0))
        assert drawn.startswith("THE LAST SCREEN")


@synchronous
async def test_records_from_a_remote_host_are_all_parsed_so_bad_data_is_reported():
    app = TerminalApp(TN3270Link("127.0.0.1", 1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.screen3270.status == "not connected")
        app.link.mailbox.put(b"\x05\x00\x11\xff\xff")  # SBA outside the buffer
        app.link.mailbox.put(screen_of("AFTER THE BAD ONE"))
        await settle(pilot, app, lambda: app.records_received == 2)
        assert app.bad_records == 1
        assert app.records_hidden == 0
        assert row(app, 0).startswith("AFTER THE BAD ONE")


@synchronous
async def test_an_in_process_terminal_shortens_the_switch_interval_while_it_runs():
    import sys

    before = sys.getswitchinterval()
    app = TerminalApp(InProcessLink(TerminalPort(0x0C0)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.01)
        assert sys.getswitchinterval() <= 0.001 < before
    assert sys.getswitchinterval() == before
    app = TerminalApp(TN3270Link("127.0.0.1", 1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.01)
        assert sys.getswitchinterval() == before


TERMINAL_80_BY_24 = (80, 24)


@synchronous
async def test_on_an_80_by_24_terminal_the_screen_comes_first_and_panels_go_below(echo):
    from terminal_host import echo_demo_machine
    from textual.widgets import Footer

    machine, device = echo_demo_machine()
    app = TerminalApp(InProcessLink(device.port), machine=machine)
    async with app.run_test(size=TERMINAL_80_BY_24) as pilot:
        await pilot.pause(0.05)
        screen = app.screen3270
        # All 80 columns and 24 rows of the 3270 screen are on the terminal.
        assert (screen.region.x, screen.region.width) == (0, 80)
        assert screen.region.y == 0 and screen.region.height >= 24
        assert not app.query_one(Footer).display or not app.query_one(Footer).region
        await pilot.press("ctrl+n")
        panel = app.query_one(InterruptionPanel)
        await settle(pilot, app, lambda: panel.region.height > 0 and screen.region.y < 0)
        panels = app.query_one("#panels")
        assert panel.display and panels.virtual_region.y >= screen.virtual_region.bottom
        # Scrolled into view, whole: the panel's last line is the terminal's last or above.
        assert panel.region.width == 80 and panel.region.height > 0
        assert panel.region.bottom <= TERMINAL_80_BY_24[1]
        await pilot.press("ctrl+n")
        await settle(pilot, app, lambda: screen.region.y == 0)


@synchronous
async def test_on_a_wide_terminal_the_panels_stand_beside_the_screen(echo):
    from terminal_host import echo_demo_machine

    machine, device = echo_demo_machine()
    app = TerminalApp(InProcessLink(device.port), machine=machine)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        panel = app.query_one(MachineStatePanel)
        assert panel.region.x >= app.screen3270.region.right
        assert panel.region.y < app.screen3270.region.bottom


def test_snapshot_80_by_24_screen(snap_compare, echo):
    port, host = echo
    app = TerminalApp(InProcessLink(port))

    async def ready(pilot):
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press(*"HELLO")
        await asyncio.sleep(0)

    assert snap_compare(app, terminal_size=TERMINAL_80_BY_24, run_before=ready)


def test_snapshot_80_by_24_with_the_machine_panel(snap_compare, echo):
    from vm370.hardware.machine import Machine

    port, host = echo
    machine = Machine(64 * 1024, interval_timer=False)
    machine.cpu.gpr[3] = 0x12345678
    app = TerminalApp(InProcessLink(port), machine=machine)

    async def ready(pilot):
        await settle(pilot, app, lambda: "ECHO DEMO" in row(app, 0))
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=TERMINAL_80_BY_24, run_before=ready)

"""The vm370 3270 terminal: a Textual app with a 3270 screen and teaching panels.

It is the terminal of one 3277, reached either in process (``InProcessLink``:
a TerminalPort of a machine running in this process) or over TN3270
(``TN3270Link``: any server). Records from the host are applied to the
screen's ``Display3270`` in batches (all that arrived since the last batch,
then one redraw); AID keys send the Read Modified record back.
"""

from __future__ import annotations

import sys
import time

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from vm370.hardware.display3270 import DataStreamError, Display3270, ScreenModel
from vm370.terminal.tn3270_client import TN3270ClientError
from vm370.terminal.tui.batch import hidden_writes
from vm370.terminal.tui.connection import (
    Detached,
    InProcessLink,
    MachineStopped,
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

# Below this width the screen (80 columns and margins) and a panel (45) do not
# fit side by side; below this height its rows, status line and key bar do not.
SIDE_BY_SIDE_WIDTH = 128
KEY_BAR_HEIGHT = 27

# The shortest time between two batches of host records: half a frame of
# Textual's screen updates (60 a second). Most records of a fast host then wait
# for the batch whose frame shows them; a whole frame's wait would let the
# batch and frame timers beat (35 frames a second on a real terminal, against 43).
BATCH_SECONDS = 1 / 120
# With the machine in this process, its thread and the app's share the GIL. A
# thread that wants the GIL waits up to the switch interval (5 ms by default)
# for the running one to let go, and the app's event loop wants it again after
# every select: with 1 ms it paints a fifth more frames and its worst keystroke
# waits fall by about half. It costs the machine nothing while the app sleeps
# (nobody asks for the GIL), and the interval in force before is put back.
IN_PROCESS_SWITCH_INTERVAL = 0.001


class TerminalApp(App):
    """A 3270 terminal on one 3277 (in process or over TN3270)."""

    CSS_PATH = "tui.tcss"
    ENABLE_COMMAND_PALETTE = False  # ctrl+p is PA1
    TITLE = "vm370 3270"
    BINDINGS = [
        Binding("ctrl+s", "toggle_panel('machine')", "Machine"),
        Binding("ctrl+n", "toggle_panel('interruptions')", "Interrupts"),
        Binding("ctrl+a", "toggle_panel('dat')", "DAT"),
        Binding("ctrl+f", "toggle_panel('frames')", "Frames"),
        Binding("ctrl+k", "help", "Keys"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(
        self,
        link: InProcessLink | TN3270Link,
        model: ScreenModel | None = None,
        machine=None,
        runner=None,
        show_machine: bool = False,
        quit_if_unreachable: bool = False,
    ) -> None:
        super().__init__()
        self.link = link
        # `vm370 tui` quits when its server cannot be reached, leaving the
        # reason here for the command to print; in process there is no server.
        self.quit_if_unreachable = quit_if_unreachable
        self.connection_error: str | None = None
        self.display3270 = Display3270(model)
        self.machine = machine
        self.runner = runner
        self.show_machine = show_machine
        self.records_received = 0
        self.records_hidden = 0  # received, but cleared by a later Erase/Write in its batch
        self.bad_records = 0
        self.batches = 0
        self._last_batch = 0.0
        self._batch_timer_set = False
        self._switch_interval: float | None = None
        # Kept, not queried: a query looks at the active screen, which may be the help.
        self._screen_widget = Screen3270(self.display3270, link.name, id="screen")
        self.panels = {
            "machine": MachineStatePanel(machine, runner, id="machine-panel"),
            "interruptions": InterruptionPanel(machine, runner, id="interruption-panel"),
            "dat": AssociativeArrayPanel(machine, runner, id="dat-panel"),
            "frames": StorageFramesPanel(machine, runner, id="frames-panel"),
        }
        for name, panel in self.panels.items():
            panel.display = show_machine and name == "machine"

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self._screen_widget
            with Vertical(id="panels"):
                yield from self.panels.values()
        yield Footer()

    @property
    def screen3270(self) -> Screen3270:
        return self._screen_widget

    def on_resize(self, event) -> None:
        self._fit_layout()

    def _fit_layout(self) -> None:
        """Choose the layout for the terminal's size (classes used by tui.tcss)."""
        width, height = self.size
        self.screen.set_class(width < SIDE_BY_SIDE_WIDTH, "-narrow")
        self.screen.set_class(height < KEY_BAR_HEIGHT, "-short")

    async def on_mount(self) -> None:
        self._fit_layout()
        if isinstance(self.link, InProcessLink):
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, IN_PROCESS_SWITCH_INTERVAL))
        self.screen3270.focus()
        self.screen3270.status = "connecting"
        self.connect()

    @work(exclusive=True, group="link")
    async def connect(self) -> None:
        screen = self.screen3270
        try:
            await self.link.open(self)
        except (TN3270ClientError, OSError) as error:
            if self.quit_if_unreachable:
                self.connection_error = str(error) or type(error).__name__
                self.exit(return_code=1)
                return
            screen.status = "not connected"
            screen.redraw()
            self.notify(str(error), severity="error", timeout=30)
            return
        screen.status = ""
        screen.redraw()
        if isinstance(self.link, TN3270Link):
            try:
                reason = await self.link.run()
            except TN3270ClientError as error:
                reason = str(error)
            self.post_message(Detached(reason))

    def on_records_waiting(self, message: RecordsWaiting) -> None:
        # At most one batch each BATCH_SECONDS: records that come sooner wait in
        # the mailbox (which announces nothing more until they are taken).
        wait = self._last_batch + BATCH_SECONDS - time.monotonic()
        if wait <= 0:
            self.apply_waiting_records()
        elif not self._batch_timer_set:
            self._batch_timer_set = True
            self.set_timer(wait, self.apply_waiting_records)

    def apply_waiting_records(self) -> None:
        """Apply every record in the link's mailbox, then redraw once."""
        self._batch_timer_set = False
        self._last_batch = time.monotonic()
        records = self.link.take_records()
        if not records:
            return
        # Only records the machine's own 3277 already accepted are skipped: a
        # remote host's records are all parsed, so bad data is always reported.
        if self.link.records_checked:
            hidden = hidden_writes(records)
        else:
            hidden = [False] * len(records)
        for record, is_hidden in zip(records, hidden, strict=True):
            if is_hidden:
                # A later Erase/Write clears what it wrote; its WCC still acts.
                self.records_received += 1
                self.records_hidden += 1
                self.display3270.write(record[1:2])
            else:
                self.apply_record(record)
        self.batches += 1
        self.screen3270.redraw()

    def apply_record(self, record: bytes) -> None:
        """Apply one record from the host; a read's reply goes back at once."""
        self.records_received += 1
        try:
            reply = self.display3270.process_outbound(record)
        except DataStreamError as error:
            self.bad_records += 1
            self.notify(f"bad 3270 data from the host: {error}", severity="warning")
            reply = None
        if reply is not None:
            self.link.send(reply)

    def on_detached(self, message: Detached) -> None:
        screen = self.screen3270
        screen.status = "disconnected"
        screen.redraw()
        self.notify(message.reason, title="disconnected", timeout=30)

    def on_machine_stopped(self, message: MachineStopped) -> None:
        screen = self.screen3270
        screen.status = "machine stopped"
        screen.redraw()
        self.notify(f"{message.reason}; Ctrl+Q quits", title="machine", timeout=30)

    def on_screen3270_aid(self, message: Screen3270.Aid) -> None:
        self.link.send(message.record)

    def action_toggle_panel(self, name: str) -> None:
        panel = self.panels[name]
        panel.display = not panel.display
        if self.screen.has_class("-narrow"):
            # The panels sit below the screen: show the one just opened, or
            # go back to the top of the screen when it closed.
            if panel.display:
                panel.update_state()  # its full height before it is laid out
                panel.scroll_into_view_when_shown = True
                # Show and Resize may not come (a panel below the screen that
                # kept its size): ask for the scroll after the next refresh too.
                self.call_after_refresh(panel.bring_into_view)
            else:
                self.query_one("#main").scroll_home(animate=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def on_unmount(self) -> None:
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
        await self.link.close()

"""The Textual terminal of a whole system in this process (``vm370``, the main job).

``SystemTerminalApp`` is the 3270 terminal of the first display with the
machine's teaching panels, and one more: the virtual machines of the
logged-on users and CP's run queues (Ctrl+G), read through an observer the
caller gives (vm370/cp/observe.py), so the terminal knows nothing of CP.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from vm370.terminal.tui.app import TerminalApp
from vm370.terminal.tui.screens.help import KEYS, HelpScreen
from vm370.terminal.tui.widgets.system_panels import VirtualMachinesPanel

SYSTEM_KEYS = [
    *KEYS[:-2],
    ("Ctrl+G", "panel: the virtual machines and CP's run queues"),
    *KEYS[-2:],
]


class SystemTerminalApp(TerminalApp):
    """The terminal of a system's first display, with a panel of its virtual machines."""

    BINDINGS = [Binding("ctrl+g", "toggle_panel('machines')", "VMs")]

    def __init__(self, link, model=None, machine=None, runner=None, observer=None) -> None:
        super().__init__(link, model=model, machine=machine, runner=runner)
        self.observer: Callable[[], list] | None = observer
        panel = VirtualMachinesPanel(observer, id="machines-panel")
        panel.display = False
        self.panels["machines"] = panel

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(SYSTEM_KEYS))

"""The key help: every 3270 key and where it is on a PC keyboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Enter", "Enter"),
    ("F1-F12", "PF1-PF12"),
    ("Shift+F1-F12", "PF13-PF24 (or F13-F24)"),
    ("Ctrl+P / Ctrl+Y / Ctrl+T", "PA1 / PA2 / PA3"),
    ("Esc", "Clear"),
    ("Tab / Shift+Tab", "next / previous unprotected field"),
    ("arrows, Home", "move the cursor / first input field"),
    ("Backspace / Delete", "erase left / delete here"),
    ("Insert", "insert mode on and off"),
    ("Ctrl+E / Ctrl+U", "Erase EOF / Erase Input"),
    ("Ctrl+R", "Reset (an input error, insert mode)"),
    ("Ctrl+S / Ctrl+N / Ctrl+A / Ctrl+F", "panels: machine, interrupts, DAT, frames"),
    ("Ctrl+K, or ? where it can't be typed", "this help"),
    ("Ctrl+Q", "quit"),
]


class HelpScreen(ModalScreen):
    """A list of the keys; any of Esc, q or Ctrl+K closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("ctrl+k", "dismiss", "Close", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 86;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 1 2;
    }
    """

    def __init__(self, keys: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.keys = keys or KEYS

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in self.keys)
        text = "\n".join(f"{key:<{width}}  {meaning}" for key, meaning in self.keys)
        with Vertical():
            yield Static("3270 keys", id="help-title")
            yield Static(text, id="help-keys")

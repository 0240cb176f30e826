"""The 3270 screen: a ``Display3270`` drawn cell for cell, its operator keys, and the OIA.

Colours are those of a four-colour 3279 with no extended attributes (as
x3270 draws them): unprotected normal green, unprotected intensified red,
protected normal blue, protected intensified white; an SFE colour wins.
Nondisplay fields are drawn blank whatever they hold. The last line is the
operator information area: device, keyboard lock, insert mode, cursor.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_PA1,
    AID_PA2,
    AID_PA3,
    AID_PF,
    EXTENDED_COLOR,
    Display3270,
    is_intensified,
    is_nondisplay,
    is_protected,
)

BACKGROUND = "#000000"
BASE_COLOURS = {
    (False, False): "#00d000",  # unprotected normal: green
    (False, True): "#ff3030",  # unprotected intensified: red
    (True, False): "#5fa0ff",  # protected normal: blue
    (True, True): "#ffffff",  # protected intensified: white
}
EXTENDED_COLOURS = {
    0xF1: "#5fa0ff",
    0xF2: "#ff3030",
    0xF3: "#ff60ff",
    0xF4: "#00d000",
    0xF5: "#40e0e0",
    0xF6: "#ffff40",
    0xF7: "#ffffff",
}
_STYLES: dict[tuple[str, bool, bool], Style] = {}
# Codes below X'40' (nulls, controls) show as blanks.
_CONTROLS_TO_BLANK = bytes.maketrans(bytes(range(0x40)), b"\x40" * 0x40)
OIA_STYLE = Style(color="#40e0e0", bgcolor=BACKGROUND)
OIA_ALERT = Style(color="#ffff40", bgcolor=BACKGROUND, bold=True)

# Keys for the AIDs that have no key of their own on a PC keyboard.
AID_KEYS = {
    "enter": AID_ENTER,
    "escape": AID_CLEAR,
    "ctrl+p": AID_PA1,
    "ctrl+y": AID_PA2,
    "ctrl+t": AID_PA3,
    **{f"f{number}": AID_PF[number] for number in range(1, 13)},
    **{f"shift+f{number}": AID_PF[number + 12] for number in range(1, 13)},
    # many terminals report shift+F1..F12 as F13..F24
    **{f"f{number}": AID_PF[number] for number in range(13, 25)},
}


class Screen3270(Widget, can_focus=True):
    """A 3270 display station's screen and keyboard."""

    DEFAULT_CSS = """
    Screen3270 {
        width: auto;
        height: auto;
        background: #000000;
    }
    """

    BINDINGS = [
        Binding("enter", "aid('enter')", "Enter", show=True),
        Binding("escape", "aid('escape')", "Clear", show=True),
        Binding("ctrl+p", "aid('ctrl+p')", "PA1", show=True),
        Binding("ctrl+y", "aid('ctrl+y')", "PA2", show=True),
        Binding("ctrl+t", "aid('ctrl+t')", "PA3", show=False),
        Binding("ctrl+r", "reset", "Reset", show=True),
        Binding("ctrl+e", "erase_eof", "Erase EOF", show=True),
        Binding("ctrl+u", "erase_input", "Erase input", show=False),
        Binding("insert", "insert", "Insert", show=False),
    ]

    @dataclass
    class Aid(Message):
        """An AID key was pressed: ``record`` is the inbound record to send."""

        aid: int
        record: bytes

    def __init__(self, display: Display3270 | None = None, device_name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.station = display or Display3270()
        self.device_name = device_name
        self.status = ""  # connection state shown in the OIA
        self.redraws = 0  # redraw requests (one per record or key)
        self.painted = 0  # frames actually painted (Textual coalesces requests)
        self._drawn_size = (self.station.rows, self.station.columns)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.station.columns

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.station.rows + 1

    # Drawing

    def _style(self, attribute: int, start: int | None, cursor: bool) -> Style:
        protected = is_protected(attribute)
        intensified = is_intensified(attribute)
        colour = BASE_COLOURS[(protected, intensified)]
        if start is not None:
            extended = self.station.extended.get(start)
            if extended and extended.get(EXTENDED_COLOR) in EXTENDED_COLOURS:
                colour = EXTENDED_COLOURS[extended[EXTENDED_COLOR]]
        key = (colour, intensified, cursor)
        style = _STYLES.get(key)
        if style is None:
            if cursor:
                style = Style(color=BACKGROUND, bgcolor=colour)
            else:
                style = Style(color=colour, bgcolor=BACKGROUND, bold=intensified)
            _STYLES[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        display = self.station
        if y == 0:
            self.painted += 1
        if y == display.rows:
            return self._oia_strip()
        if y > display.rows:
            return Strip.blank(self.size.width)
        columns = display.columns
        base = y * columns
        attributes = display.attributes
        text = display.characters[base : base + columns].translate(_CONTROLS_TO_BLANK)
        characters = text.decode("cp037")
        start = display.field_start(base)
        attribute = 0 if start is None else attributes[start]
        style = self._style(attribute, start, False)
        hidden = is_nondisplay(attribute)
        cursor = display.cursor
        segments: list[Segment] = []
        run_start = 0
        run_style = None
        cells: list[str] = []
        for column in range(columns):
            address = base + column
            if attributes[address] >= 0:
                start, attribute = address, attributes[address]
                style = self._style(attribute, start, False)
                hidden = is_nondisplay(attribute)
                character = " "
            else:
                character = " " if hidden else characters[column]
            cell_style = self._style(attribute, start, True) if address == cursor else style
            if cell_style is not run_style:
                if cells:
                    segments.append(Segment("".join(cells[run_start:]), run_style))
                    run_start = len(cells)
                run_style = cell_style
            cells.append(character)
        segments.append(Segment("".join(cells[run_start:]), run_style))
        return Strip(segments, columns)

    def oia_text(self) -> str:
        """The operator information line, as text (tests read it)."""
        display = self.station
        row, column = divmod(display.cursor, display.columns)
        lock = display.lock_reason if display.keyboard_locked else ""
        insert = "^" if display.insert_mode else " "
        device = f"3277 {self.device_name}" if self.device_name else ""
        left = f"4B {device:<22} {lock:<12} {insert} {self.status}"
        right = f"{row + 1:03d}/{column + 1:03d}"
        width = display.columns
        return (left[: width - len(right) - 1].ljust(width - len(right)) + right)[:width]

    def _oia_strip(self) -> Strip:
        style = OIA_ALERT if self.station.keyboard_locked else OIA_STYLE
        return Strip([Segment(self.oia_text(), style)], self.station.columns)

    def redraw(self) -> None:
        self.redraws += 1
        size = (self.station.rows, self.station.columns)
        self.refresh(layout=size != self._drawn_size)
        self._drawn_size = size

    # The keyboard

    def on_key(self, event: events.Key) -> None:
        display = self.station
        key = event.key
        handled = True
        if key in AID_KEYS:
            self.action_aid(key)
        elif key == "tab":
            display.tab()
        elif key == "shift+tab":
            display.backtab()
        elif key == "up":
            display.move_cursor(rows=-1)
        elif key == "down":
            display.move_cursor(rows=1)
        elif key == "left":
            display.move_cursor(columns=-1)
        elif key == "right":
            display.move_cursor(columns=1)
        elif key == "home":
            display.home()
        elif key == "backspace":
            display.erase_previous()
        elif key == "delete":
            display.delete_character()
        elif key == "ctrl+j":
            display.newline()
        elif key == "question_mark" and self._help_here():
            self.app.action_help()
        elif event.is_printable and event.character and len(event.character) == 1:
            display.type_text(event.character)
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self.redraw()

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on that cell."""
        display = self.station
        if 0 <= event.y < display.rows and 0 <= event.x < display.columns:
            display.cursor = event.y * display.columns + event.x
            self.focus()
            self.redraw()

    def _help_here(self) -> bool:
        """'?' opens help where it could not be typed (a protected spot, a locked keyboard)."""
        display = self.station
        return display.keyboard_locked or display.protected_at(display.cursor)

    def action_aid(self, key: str) -> None:
        aid = AID_KEYS[key]
        record = self.station.press_aid(aid)
        self.redraw()
        if record is not None:
            self.post_message(self.Aid(aid, record))

    def action_reset(self) -> None:
        self.station.reset()
        self.redraw()

    def action_erase_eof(self) -> None:
        self.station.erase_end_of_field()
        self.redraw()

    def action_erase_input(self) -> None:
        self.station.erase_input()
        self.redraw()

    def action_insert(self) -> None:
        self.station.toggle_insert()
        self.redraw()

"""The VM/370 console screen of one 3270 display, as pure logic with no I/O.

CP drives one ``ConsoleScreen`` per display: it writes lines, asks for
reads, and passes on what the terminal sent after an attention; the screen
answers with the 3270 write data streams to send (``outbound()``) and with
events for CP (``inbound()``). Time is the machine's virtual clock, read
through ``now()``; the screen never looks at the wall clock.

The layout and the states follow VM/370 Release 6 (DMKGRF, DMKGRT):

- The output area is every row but the last two. Lines fill it from the
  top; a line longer than a row goes on in the next row. A line that does
  not fit puts the screen in MORE...: after 50 seconds the alarm sounds,
  after 10 more the output area clears and output goes on from the top
  (DMKGRF SETMOR, SETWNG). Enter with nothing typed in MORE... holds the
  screen (HOLDING, no timer); Enter again goes back to MORE...; PA2 or
  Clear clear it at once.
- The input area starts at the first position of the second-last row
  (DMKGRT's input offsets: 1760 on a model 2) and runs to the status
  area: 139 positions on an 80-column screen. Its field attribute is the
  position before it, the last of the output area, so the output area
  holds one position less than its rows.
- The status area is the last 20 positions of the screen (row 24 column
  61 on a model 2), its text padded with blanks as VM/370's CL20 constants
  are: RUNNING, VM READ, CP READ, MORE..., HOLDING, NOT ACCEPTED. Its
  protected attribute, just before it, also covers the output area: the
  field wraps from the end of the buffer to its start.
- What the user enters is shown again in the output area, except for a
  non-display read (a password), which shows an empty line (DMKGRF writes
  blanks for an inhibited read).
- A line entered while nothing reads is kept for the next read and CP is
  told (an attention); while the kept line waits, another one is refused
  and NOT ACCEPTED shows for 3 seconds (DMKGRF SETREJ).
- PA1 asks CP for CP mode (and ends a read, as VM/370's PA1 does); PA2
  clears the output area; Clear clears it and redraws the whole screen.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass

from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.display3270 import (
    AID_CLEAR,
    AID_ENTER,
    AID_PA1,
    AID_PA2,
    AID_PA3,
    AID_PF,
    ATTRIBUTE_INTENSIFIED,
    ATTRIBUTE_MDT,
    ATTRIBUTE_NONDISPLAY,
    ATTRIBUTE_NUMERIC,
    ATTRIBUTE_PROTECTED,
    ERASE_WRITE,
    ERASE_WRITE_ALTERNATE,
    NULL,
    ORDER_EUA,
    ORDER_IC,
    ORDER_RA,
    ORDER_SBA,
    ORDER_SF,
    SIX_BIT_CODES,
    WCC_KEYBOARD_RESTORE,
    WCC_RESET_MDT,
    WCC_SOUND_ALARM,
    WRITE,
    ScreenModel,
    decode_address,
    encode_address,
)

from .events import (
    VM370_TYPEAHEAD_LINES,
    Attention,
    ConsoleEvent,
    ConsoleInputError,
    ConsoleStateError,
    FunctionKey,
    InputLine,
    Interrupt,
    TypeAhead,
    check_read_kind,
    split_lines,
)
from .logo import logo_lines

RUNNING = "RUNNING"
MORE = "MORE..."
HOLDING = "HOLDING"
NOT_ACCEPTED = "NOT ACCEPTED"
STATUS_WIDTH = 20

# DMKGRF: SETMOR waits 50 seconds, SETWNG 10 more (with the alarm), SETREJ 3.
MORE_SECONDS = 50
MORE_WARNING_SECONDS = 10
NOT_ACCEPTED_SECONDS = 3

# Protected and numeric: autoskip, so the cursor leaves the input field for
# the start of the input field again rather than stopping on the status.
PROTECTED_ATTRIBUTE = ATTRIBUTE_PROTECTED | ATTRIBUTE_NUMERIC
INPUT_ATTRIBUTE = 0x00
HIDDEN_INPUT_ATTRIBUTE = ATTRIBUTE_NONDISPLAY
# A line a full-screen write asks to be intensified (DIAGNOSE X'58', CCW
# flag X'01'): a protected intensified field from the last position of the
# row before, ended by a protected normal one at the row's last position.
HIGHLIGHT_ATTRIBUTE = ATTRIBUTE_PROTECTED | ATTRIBUTE_INTENSIFIED

PF_NUMBERS = {aid: number for number, aid in AID_PF.items()}
PA3_FUNCTION_KEY = 6  # DMKGRF PA3KEY: handled as if PF6 were pressed


@dataclass(frozen=True)
class ConsoleLayout:
    """Buffer addresses of the console areas on a screen of ``rows`` x ``columns``."""

    rows: int
    columns: int

    @property
    def size(self) -> int:
        return self.rows * self.columns

    @property
    def output_rows(self) -> int:
        return self.rows - 2

    @property
    def input_start(self) -> int:
        return self.output_rows * self.columns

    @property
    def input_attribute(self) -> int:
        return self.input_start - 1

    @property
    def status_start(self) -> int:
        return self.size - STATUS_WIDTH

    @property
    def status_attribute(self) -> int:
        return self.status_start - 1

    @property
    def input_length(self) -> int:
        return self.status_attribute - self.input_start

    @property
    def output_capacity(self) -> int:
        """Output positions: every row of the output area but its last position (an attribute)."""
        return self.input_attribute


def _displayable(text: str) -> str:
    """``text`` as the display can show it: controls become blanks, the unknown ``?``."""
    shown = []
    for character in text:
        code = character.encode("cp037", errors="replace")[0]
        if code < 0x40 or code == 0xFF:
            shown.append(" ")
        else:
            shown.append(bytes((code,)).decode("cp037"))
    return "".join(shown)


class ConsoleScreen:
    """The VM/370 console of one 3270 display (see the module docstring for the rules)."""

    def __init__(
        self,
        model: ScreenModel,
        now: Callable[[], int],
        typeahead_lines: int = VM370_TYPEAHEAD_LINES,
    ) -> None:
        if model.rows < 4 or model.columns < STATUS_WIDTH + 2:
            raise ValueError(
                f"a {model.rows}x{model.columns} screen is too small for the VM/370 console"
            )
        self.model = model
        self.layout = ConsoleLayout(model.rows, model.columns)
        self._now = now
        self._typeahead = TypeAhead(typeahead_lines)
        # What the screen should show.
        self._rows = [""] * self.layout.output_rows
        self._next_row = 0
        self._pending: collections.deque[str] = collections.deque()
        self._paging: str | None = None  # MORE or HOLDING
        self._more_due = 0
        self._more_warned = False
        self._refused_until: int | None = None
        self._read: tuple[str, bool] | None = None
        # What the terminal has been sent, and what the next write must do.
        self._shown_rows = [""] * self.layout.output_rows
        self._shown_status: str | None = None
        self._shown_hidden = False
        self._needs_full = True
        self._erase_output = False
        self._clear_input = False
        self._preset: str | None = None
        self._restore_keyboard = False
        self._alarm = False
        # A full-screen write (DIAGNOSE X'58') owns the output area: what the
        # user enters is not shown again in it (DMKGRF's CRTDIAG), and one
        # of its rows may be intensified.
        self._full_screen = False
        self._highlight: int | None = None
        self._shown_highlight: int | None = None

    # State

    @property
    def status(self) -> str:
        """The status area's text (without its padding)."""
        if self._refused_until is not None:
            return NOT_ACCEPTED
        if self._paging is not None:
            return self._paging
        if self._read is not None:
            return self._read[0]
        return RUNNING

    @property
    def reading(self) -> str | None:
        """The kind of the read waiting for the user, or None."""
        return None if self._read is None else self._read[0]

    @property
    def lines_waiting(self) -> int:
        """Typed lines kept for the next read."""
        return len(self._typeahead)

    @property
    def output_waiting(self) -> int:
        """Lines written that wait for room on the screen (MORE..., HOLDING)."""
        return len(self._pending)

    def _input_hidden(self) -> bool:
        return self._read is not None and self._read[1]

    def lines(self) -> list[str]:
        """The screen as a person sees it, row by row (the input area as the screen left it)."""
        layout = self.layout
        cells = [" "] * layout.size
        for row, text in enumerate(self._rows):
            start = row * layout.columns
            cells[start : start + len(text)] = text
        cells[layout.status_start :] = self.status.ljust(STATUS_WIDTH)
        return [
            "".join(cells[row * layout.columns : (row + 1) * layout.columns])
            for row in range(layout.rows)
        ]

    # CP's side

    def show_logo(self) -> None:
        """Clear the screen and show the logo ending in VM/370 ONLINE (output after it follows)."""
        self._reset_output()
        self._needs_full = True
        self._pending.extendleft(reversed(logo_lines(self.layout.columns)))
        self._flow()

    def write_line(self, text: str) -> None:
        """Show a line of CP or guest output (several for embedded newlines)."""
        capacity = self.layout.output_capacity
        for line in split_lines(text):
            shown = _displayable(line)
            # Only a line longer than the whole output area is cut, into screenfuls.
            pieces = [shown[i : i + capacity] for i in range(0, len(shown), capacity)] or [""]
            self._pending.extend(pieces)
        self._flow()

    def display_at(
        self, row: int, text: str, erase: bool = False, highlight: bool = False
    ) -> None:
        """Put ``text`` on the output area from ``row`` (DIAGNOSE X'58', a full-screen write).

        ``erase`` clears the output area first. The text runs on over the
        rows after ``row``, as far as the output area goes; later line output
        continues below it (so a line written after a full screen waits at
        MORE..., as in VM/370). ``highlight`` shows the one row ``row``
        intensified: its field attributes take the last position of the row
        before and of the row itself, so it holds one position less, as
        VM/370 EDIT's 79-byte current line assumes.
        """
        if erase:
            self._rows = [""] * self.layout.output_rows
            self._highlight = None
        # The full screen takes the display at once: lines still waiting at
        # MORE... or HOLDING would only be painted over, so they go.
        self._pending.clear()
        self._paging = None
        self._full_screen = True
        columns = self.layout.columns
        rows = self.layout.output_rows
        shown = _displayable(text)
        if highlight and 1 <= row < rows:
            self._highlight = row
            shown = shown[: columns - 1]
        for offset in range(0, max(1, len(shown)), columns):
            target = row + offset // columns
            if not 0 <= target < rows:
                break
            if target == self._highlight and not highlight:
                self._highlight = None
            self._rows[target] = shown[offset : offset + columns]
            self._next_row = max(self._next_row, target + 1)
        self._fit_attributes()

    def _fit_attributes(self) -> None:
        """Keep the rows clear of the attribute positions: the input field's
        (the output area's last position) and the intensified row's."""
        last = self.layout.columns - 1
        targets = [self.layout.output_rows - 1]
        if self._highlight is not None:
            targets += [self._highlight - 1, self._highlight]
        for target in targets:
            self._rows[target] = self._rows[target][:last]

    def cancel_display(self) -> None:
        """End the full-screen display (DIAGNOSE X'58' X'FF'): the output area is cleared."""
        self._clear_output()

    @property
    def highlighted_row(self) -> int | None:
        """The output row shown intensified by a full-screen write, or None."""
        return self._highlight

    def request_read(self, kind: str, hidden: bool = False) -> list[ConsoleEvent]:
        """Ask the user for a line: ``kind`` is VM READ or CP READ; ``hidden`` for a password.

        A line typed ahead answers at once: it comes back here as an
        ``InputLine``. Otherwise the read waits and ``inbound`` answers it.
        """
        check_read_kind(kind)
        if self._read is not None:
            raise ConsoleStateError(
                f"a {self._read[0]} is already waiting; cancel it before asking for a {kind}"
            )
        typed = self._typeahead.pop()
        if typed is not None:
            return [InputLine(typed, hidden, kind)]
        self._read = (kind, hidden)
        if hidden:
            # A password field starts empty, so nothing typed before shows or goes with it.
            self._clear_input = True
        return []

    def cancel_read(self) -> None:
        """Withdraw the waiting read (what was typed in the input area is erased)."""
        if self._read is not None:
            self._read = None
            self._clear_input = True

    def set_running(self) -> None:
        """The virtual machine runs: any read is withdrawn and the status shows RUNNING."""
        self.cancel_read()

    def enter_text(self, text: str) -> list[ConsoleEvent]:
        """``text`` entered as if typed and sent with Enter (an IMMED program function key)."""
        return self._enter(text)

    def preset_input(self, text: str) -> None:
        """Put ``text`` in the input area for the user to change and enter (a DELAYED PF key)."""
        self._preset = _displayable(text)[: self.layout.input_length]
        self._clear_input = True

    def redraw(self) -> None:
        """Send the whole screen again with the next ``outbound()`` (a terminal reconnected)."""
        self._needs_full = True

    # The terminal's side

    def inbound(self, record: bytes) -> list[ConsoleEvent]:
        """Act on a Read Modified record (AID, cursor, fields) the terminal sent."""
        # The AID locked the keyboard; whatever happens next, the next write unlocks it.
        self._restore_keyboard = True
        if not record:
            raise ConsoleInputError("empty 3270 inbound record: no AID byte")
        aid = record[0]
        if aid == AID_ENTER:
            return self._enter(self._input_text(record[1:]))
        if aid == AID_CLEAR:
            # The terminal erased its buffer: redraw all of it, output area empty.
            self._needs_full = True
            self._refused_until = None
            self._clear_output()
            return []
        if aid == AID_PA2:
            self._refused_until = None
            self._clear_output()
            return []
        if aid == AID_PA1:
            return self._interrupt()
        if aid == AID_PA3:
            return [FunctionKey(PA3_FUNCTION_KEY)]
        if aid in PF_NUMBERS:
            return [FunctionKey(PF_NUMBERS[aid])]
        return []

    def _input_text(self, body: bytes) -> str:
        """The input field's text from the record after the AID (cursor address, then fields)."""
        if len(body) < 2:
            return ""
        fields = body[2:]
        if fields and fields[0] != ORDER_SBA:
            # An unformatted buffer (the terminal lost the format) sends its text bare.
            return self._decode(fields)
        index = 0
        while index < len(fields):
            if index + 3 > len(fields):
                raise ConsoleInputError("inbound 3270 record ends inside an SBA order")
            address = decode_address(fields[index + 1], fields[index + 2])
            if address >= self.layout.size:
                raise ConsoleInputError(
                    f"inbound field address {address} is outside the "
                    f"{self.layout.rows}x{self.layout.columns} screen"
                )
            end = fields.find(bytes((ORDER_SBA,)), index + 3)
            end = len(fields) if end < 0 else end
            if address == self.layout.input_start:
                return self._decode(fields[index + 3 : end])
            index = end
        return ""

    @staticmethod
    def _decode(data: bytes) -> str:
        # Nulls, DUP and field mark carry no text.
        return bytes(code for code in data if code >= 0x40).decode("cp037")

    def _enter(self, text: str) -> list[ConsoleEvent]:
        if text == "" and self._paging is not None:
            self._toggle_hold()
            return []
        if self._read is not None:
            kind, hidden = self._read
            self._read = None
            self._clear_input = True
            if not self._full_screen:
                self._queue_output("" if hidden else _displayable(text))
            return [InputLine(text, hidden, kind)]
        if text == "":
            return [Attention(line_waiting=False)]
        if not self._typeahead.push(text):
            # The typed text stays in the input area for the user to enter again.
            self._refused_until = self._now() + NOT_ACCEPTED_SECONDS * INSTRUCTIONS_PER_SECOND
            return []
        self._clear_input = True
        self._queue_output(_displayable(text))
        return [Attention(line_waiting=True)]

    def _interrupt(self) -> list[ConsoleEvent]:
        self.cancel_read()
        self._refused_until = None
        if self._paging is not None:
            self._clear_output()
        return [Interrupt()]

    # Timing

    def next_deadline(self) -> int | None:
        """The virtual time of the next timed change (MORE... alarm or clear, NOT ACCEPTED end)."""
        due = []
        if self._refused_until is not None:
            due.append(self._refused_until)
        if self._paging == MORE:
            due.append(self._more_due)
        return min(due) if due else None

    def tick(self) -> None:
        """Do what is due by now: end NOT ACCEPTED, sound the MORE... alarm, clear the screen."""
        now = self._now()
        if self._refused_until is not None and now >= self._refused_until:
            self._refused_until = None
        while self._paging == MORE and now >= self._more_due:
            if not self._more_warned:
                self._more_warned = True
                self._alarm = True
                self._more_due += MORE_WARNING_SECONDS * INSTRUCTIONS_PER_SECOND
            else:
                self._clear_output()

    # Output area

    def _queue_output(self, line: str) -> None:
        self._pending.append(line)
        self._flow()

    def _flow(self) -> None:
        """Put waiting lines on the screen while they fit; MORE... when one does not."""
        columns = self.layout.columns
        capacity = self.layout.output_capacity
        while self._pending and self._paging is None:
            line = self._pending[0]
            if self._next_row * columns + max(1, len(line)) > capacity:
                self._enter_more()
                return
            self._pending.popleft()
            for offset in range(0, max(1, len(line)), columns):
                self._rows[self._next_row] = line[offset : offset + columns]
                self._next_row += 1

    def _enter_more(self) -> None:
        self._paging = MORE
        self._more_due = self._now() + MORE_SECONDS * INSTRUCTIONS_PER_SECOND
        self._more_warned = False

    def _toggle_hold(self) -> None:
        if self._paging == MORE:
            self._paging = HOLDING
        else:
            self._enter_more()

    def _reset_output(self) -> None:
        self._rows = [""] * self.layout.output_rows
        self._next_row = 0
        self._paging = None
        self._erase_output = True
        self._full_screen = False
        self._highlight = None

    def _clear_output(self) -> None:
        self._reset_output()
        self._flow()

    # Data streams

    def outbound(self) -> list[bytes]:
        """The 3270 writes (command, WCC, orders and text) that bring the terminal up to date."""
        if self._needs_full:
            return [self._full_image()]
        layout = self.layout
        orders = bytearray()
        if self._erase_output:
            # Nulls from the top to the input field's attribute, which stays.
            orders += self._sba(0) + bytes((ORDER_RA,)) + self._address(layout.input_attribute)
            orders.append(NULL)
            self._shown_rows = [""] * layout.output_rows
            self._shown_highlight = None
            self._erase_output = False
        orders += self._unhighlight_orders()
        for row, text in enumerate(self._rows):
            shown = self._shown_rows[row]
            if text != shown:
                orders += self._sba(row * layout.columns) + self._ebcdic(text)
                orders += bytes(max(0, len(shown) - len(text)))
                self._shown_rows[row] = text
        orders += self._highlight_orders()
        clear_input = self._clear_input
        if clear_input:
            orders += self._sba(layout.input_start) + bytes((ORDER_EUA,))
            orders += self._address(layout.status_attribute)
            self._clear_input = False
        hidden = self._input_hidden()
        if hidden != self._shown_hidden:
            orders += self._sba(layout.input_attribute) + self._start_field(
                HIDDEN_INPUT_ATTRIBUTE if hidden else INPUT_ATTRIBUTE
            )
            self._shown_hidden = hidden
        status = self.status
        if status != self._shown_status:
            orders += self._sba(layout.status_start) + self._ebcdic(status.ljust(STATUS_WIDTH))
            self._shown_status = status
        preset = self._preset
        if preset is not None:
            # The text goes in modified, so Enter sends it even if the user changes nothing.
            orders += self._sba(layout.input_attribute) + self._start_field(
                INPUT_ATTRIBUTE | ATTRIBUTE_MDT
            )
            orders += self._sba(layout.input_start) + self._ebcdic(preset)
            orders += bytes((ORDER_IC,))
            self._shown_hidden = False
            self._preset = None
        elif clear_input:
            orders += self._sba(layout.input_start) + bytes((ORDER_IC,))
        if not orders and not self._restore_keyboard and not self._alarm:
            return []
        wcc = self._wcc(reset_modified=clear_input and preset is None)
        return [bytes((WRITE, wcc)) + bytes(orders)]

    def _wcc(self, reset_modified: bool) -> int:
        wcc = WCC_KEYBOARD_RESTORE
        if reset_modified:
            wcc |= WCC_RESET_MDT
        if self._alarm:
            wcc |= WCC_SOUND_ALARM
        self._alarm = False
        self._restore_keyboard = False
        return wcc

    def _full_image(self) -> bytes:
        """Erase/Write (Alternate for a screen larger than 24x80) of the whole console."""
        layout = self.layout
        default_size = (layout.rows, layout.columns) == (24, 80)
        command = ERASE_WRITE if default_size else ERASE_WRITE_ALTERNATE
        wcc = self._wcc(reset_modified=True)
        out = bytearray((command, wcc))
        status = self.status
        out += self._sba(layout.status_attribute) + self._start_field(PROTECTED_ATTRIBUTE)
        out += self._ebcdic(status.ljust(STATUS_WIDTH))
        for row, text in enumerate(self._rows):
            if text:
                out += self._sba(row * layout.columns) + self._ebcdic(text)
        self._shown_highlight = None
        out += self._highlight_orders()
        hidden = self._input_hidden()
        out += self._sba(layout.input_attribute)
        out += self._start_field(HIDDEN_INPUT_ATTRIBUTE if hidden else INPUT_ATTRIBUTE)
        out += self._sba(layout.input_start) + bytes((ORDER_IC,))
        self._shown_rows = list(self._rows)
        self._shown_status = status
        self._shown_hidden = hidden
        self._needs_full = self._erase_output = self._clear_input = False
        return bytes(out)

    def _unhighlight_orders(self) -> bytes:
        """Orders that take away the intensified field shown, if it is to move or go."""
        old = self._shown_highlight
        if old is None or old == self._highlight:
            return b""
        columns = self.layout.columns
        orders = bytearray()
        # A blank over each attribute position takes the attribute away; the
        # rows' own text is written after this.
        for position in (old * columns - 1, (old + 1) * columns - 1):
            orders += self._sba(position) + self._ebcdic(" ")
        self._shown_highlight = None
        return bytes(orders)

    def _highlight_orders(self) -> bytes:
        """Orders that put the intensified field on the row now highlighted."""
        if self._highlight == self._shown_highlight:
            return b""
        columns = self.layout.columns
        orders = bytearray()
        new = self._highlight
        if new is not None:
            orders += self._sba(new * columns - 1) + self._start_field(HIGHLIGHT_ATTRIBUTE)
            orders += self._sba((new + 1) * columns - 1) + self._start_field(PROTECTED_ATTRIBUTE)
        self._shown_highlight = new
        return bytes(orders)

    def _address(self, address: int) -> bytes:
        return encode_address(address, self.layout.size)

    def _sba(self, address: int) -> bytes:
        return bytes((ORDER_SBA,)) + self._address(address)

    @staticmethod
    def _start_field(attribute: int) -> bytes:
        return bytes((ORDER_SF, SIX_BIT_CODES[attribute]))

    @staticmethod
    def _ebcdic(text: str) -> bytes:
        # Text reaching here went through _displayable: every code is a graphic.
        return text.encode("cp037")

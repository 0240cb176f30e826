"""The console of a line-mode (typewriter) terminal over telnet, as pure logic with no I/O.

The oldest way into CP-67 was a 2741 typewriter terminal: CP typed lines,
the user typed a line back, and the attention key got CP's attention. This
console gives any plain telnet client that conversation, with the same
interface as the 3270 ``ConsoleScreen``:

- Output is lines of ASCII text ending in CR LF (the telnet network
  virtual terminal, RFC 854).
- A read types its prompt (``!`` for CP READ by default, nothing for VM
  READ: the guest types its own, as CMS does with ``R;``). Output that
  arrives while a read waits is followed by the prompt again.
- A hidden read (the LOGON password) asks the client to stop echoing
  (the server says WILL ECHO and does not echo, RFC 857), and lets it echo
  again when the line is in. The password is never echoed or kept.
- The telnet Interrupt Process and Break commands and Ctrl+C are the
  attention key: CP mode, as PA1 on the 3270. An empty line while nothing
  reads is an attention for the virtual machine, as Enter on the 3270.
- A line typed while nothing reads is kept for the next read, as on the
  3270; one more than the limit gets ``NOT ACCEPTED`` typed back.

``inbound`` takes the bytes a telnet client sent as they came: it takes
the telnet commands it needs and skips the others (option negotiation is
the server's), so a client in character mode (sending each key, with
backspace or DEL to erase) works as well as one in line mode.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from .events import (
    CP_READ,
    VM370_TYPEAHEAD_LINES,
    VM_READ,
    Attention,
    ConsoleEvent,
    ConsoleStateError,
    InputLine,
    Interrupt,
    TypeAhead,
    check_read_kind,
    split_lines,
)
from .logo import logo_lines

RUNNING = "RUNNING"
NOT_ACCEPTED = "NOT ACCEPTED"
DEFAULT_PROMPTS = {CP_READ: "!", VM_READ: ""}

# Telnet commands (RFC 854) and the echo option (RFC 857).
IAC = 255
DONT, DO, WONT, WILL = 254, 253, 252, 251
SB, SE = 250, 240
EL, EC = 248, 247
IP, BRK = 244, 243
ECHO_OPTION = 1
WILL_ECHO = bytes((IAC, WILL, ECHO_OPTION))
WONT_ECHO = bytes((IAC, WONT, ECHO_OPTION))

CTRL_C = 0x03
BACKSPACE = 0x08
DELETE = 0x7F
CR, LF, NUL = 0x0D, 0x0A, 0x00

# More typed on one line than any CP command or CMS line needs is dropped,
# so a runaway client cannot fill storage.
MAX_LINE = 1024
TRANSCRIPT_LINES = 200


def _printable(text: str) -> str:
    """``text`` as a plain telnet client prints it: ASCII graphics, other characters ``?``."""
    return "".join(
        c if " " <= c <= "~" else (" " if c in "\t\r\x0b\x0c" or ord(c) < 0x20 else "?")
        for c in text
    )


class LineModeConsole:
    """The console of one line-mode telnet terminal (see the module docstring)."""

    def __init__(
        self,
        now: Callable[[], int],
        typeahead_lines: int = VM370_TYPEAHEAD_LINES,
        prompts: dict[str, str] | None = None,
    ) -> None:
        self._now = now
        self._typeahead = TypeAhead(typeahead_lines)
        self.prompts = dict(DEFAULT_PROMPTS if prompts is None else prompts)
        self._read: tuple[str, bool] | None = None
        self._out = bytearray()
        self._echo_off = False
        # A prompt was typed and the line not ended yet.
        self._open_line = False
        self._transcript: collections.deque[str] = collections.deque(maxlen=TRANSCRIPT_LINES)
        # The line being typed, and where the telnet command parser is.
        self._line = bytearray()
        self._after_cr = False
        self._command: int | None = None
        self._subnegotiation = False
        self._subnegotiation_iac = False

    # State

    @property
    def status(self) -> str:
        return RUNNING if self._read is None else self._read[0]

    @property
    def reading(self) -> str | None:
        return None if self._read is None else self._read[0]

    @property
    def lines_waiting(self) -> int:
        return len(self._typeahead)

    def lines(self) -> list[str]:
        """The last lines of the conversation, as the typewriter printed them."""
        return list(self._transcript)

    def next_deadline(self) -> int | None:
        """Nothing on a typewriter waits for time: the paper scrolls."""
        return None

    def tick(self) -> None:
        """Nothing is ever due (see ``next_deadline``)."""

    # CP's side

    def show_logo(self) -> None:
        for line in logo_lines(0):
            self.write_line(line)

    def write_line(self, text: str) -> None:
        """Type a line of CP or guest output (several for embedded newlines)."""
        for line in split_lines(text):
            self._type(_printable(line))
        if self._read is not None:
            self._type_prompt()

    def _type(self, line: str) -> None:
        self._end_open_line()
        self._out += line.encode("ascii") + b"\r\n"
        self._transcript.append(line)

    def _end_open_line(self) -> None:
        if self._open_line:
            self._out += b"\r\n"
            self._open_line = False

    def _type_prompt(self) -> None:
        prompt = self._prompt()
        if prompt:
            self._end_open_line()
            self._out += prompt.encode("ascii")
            self._open_line = True

    def _prompt(self) -> str:
        return "" if self._read is None else self.prompts.get(self._read[0], "")

    def request_read(self, kind: str, hidden: bool = False) -> list[ConsoleEvent]:
        """Ask for a line; a line typed ahead answers at once (returned here)."""
        check_read_kind(kind)
        if self._read is not None:
            raise ConsoleStateError(
                f"a {self._read[0]} is already waiting; cancel it before asking for a {kind}"
            )
        typed = self._typeahead.pop()
        if typed is not None:
            return [InputLine(typed, hidden, kind)]
        self._read = (kind, hidden)
        self._type_prompt()
        if hidden:
            self._out += WILL_ECHO
            self._echo_off = True
        return []

    def cancel_read(self) -> None:
        if self._read is not None:
            self._end_read()
            self._end_open_line()

    def set_running(self) -> None:
        self.cancel_read()

    def redraw(self) -> None:
        """A typewriter has nothing to redraw: the prompt of a waiting read is typed again."""
        if self._prompt():
            self._open_line = True
            self._type_prompt()

    def _end_read(self) -> None:
        self._read = None
        if self._echo_off:
            self._out += WONT_ECHO
            self._echo_off = False

    def outbound(self) -> list[bytes]:
        """The bytes to send the client (telnet NVT data and commands), at most one chunk."""
        if not self._out:
            return []
        data = bytes(self._out)
        self._out.clear()
        return [data]

    # The terminal's side

    def inbound(self, data: bytes) -> list[ConsoleEvent]:
        """Act on bytes from the telnet client; return CP's events in the order they happened."""
        events: list[ConsoleEvent] = []
        for byte in data:
            if self._subnegotiation:
                self._skip_subnegotiation(byte)
            elif self._command is not None:
                self._telnet_command(byte, events)
            elif byte == IAC:
                self._command = IAC
            else:
                self._data_byte(byte, events)
        return events

    def _skip_subnegotiation(self, byte: int) -> None:
        if self._subnegotiation_iac:
            self._subnegotiation_iac = False
            if byte == SE:
                self._subnegotiation = False
        elif byte == IAC:
            self._subnegotiation_iac = True

    def _telnet_command(self, byte: int, events: list[ConsoleEvent]) -> None:
        command = self._command
        self._command = None
        if command in (DO, DONT, WILL, WONT):
            return  # the option byte: negotiation is the server's business
        if byte == IAC:
            self._data_byte(byte, events)
        elif byte in (DO, DONT, WILL, WONT):
            self._command = byte
        elif byte == SB:
            self._subnegotiation = True
        elif byte in (IP, BRK):
            events.extend(self._interrupt())
        elif byte == EC:
            del self._line[-1:]
        elif byte == EL:
            self._line.clear()

    def _data_byte(self, byte: int, events: list[ConsoleEvent]) -> None:
        after_cr = self._after_cr
        self._after_cr = False
        if byte in (LF, NUL) and after_cr:
            return  # CR LF and CR NUL end one line, not two
        if byte in (CR, LF):
            self._after_cr = byte == CR
            text = self._line.decode("ascii", errors="replace").replace("\ufffd", "?")
            self._line.clear()
            events.extend(self._enter(text))
        elif byte == CTRL_C:
            events.extend(self._interrupt())
        elif byte in (BACKSPACE, DELETE):
            del self._line[-1:]
        elif byte >= 0x20 and len(self._line) < MAX_LINE:
            self._line.append(byte)

    def _enter(self, text: str) -> list[ConsoleEvent]:
        if self._read is not None:
            kind, hidden = self._read
            self._transcript.append(self._prompt() + ("" if hidden else _printable(text)))
            # The client echoed the line end, except for a hidden line.
            self._open_line = hidden
            self._end_read()
            self._end_open_line()
            return [InputLine(text, hidden, kind)]
        if text == "":
            return [Attention(line_waiting=False)]
        self._transcript.append(_printable(text))
        if not self._typeahead.push(text):
            self._type(NOT_ACCEPTED)
            return []
        return [Attention(line_waiting=True)]

    def _interrupt(self) -> list[ConsoleEvent]:
        self._line.clear()
        self.cancel_read()
        return [Interrupt()]

"""The 1403 printer (on a 2821 control unit), printing to a host text file.

Commands (2821 component description):

- write, then carriage action: 01 no space (the next line overprints),
  09/11/19 space 1/2/3 lines after printing, 89 91 99 ... E1 skip to
  channel 1..12 after printing (the command is X'89' + 8 * (channel - 1));
- control, immediate carriage action: 0B/13/1B space 1/2/3 lines,
  8B 93 ... E3 skip to channel 1..12; 03 no-operation;
- 04 sense.

A print line holds 132 characters; a longer count gives incorrect length
(the extra bytes are not printed), a shorter one prints a short line. The
carriage tape has 66 lines a page, channel 1 on line 1 (top of form) and
channel 12 on line 60. Spacing onto or past channel 12 presents unit
exception (the program's cue to skip to a new page); skipping to a channel
with no punch in the tape would run the carriage away, so it is refused with
intervention required.

The output file is plain text: one line per printed line, trailing blanks
dropped, overprinted lines merged (a blank position takes the later
character), and a form feed where the carriage skips to a new page.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TextIO

from vm370.hardware.devices import (
    NORMAL_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
    DeviceError,
    HostOutputFile,
    register,
)
from vm370.hardware.devices.codepage import printable

LINE_WIDTH = 132
LINES_PER_PAGE = 66
DEFAULT_TAPE = {1: 1, 12: 60}  # channel -> line of the page
NOP = 0x03

# The 1403 N1 prints 1100 lines a minute (55 ms a line); a shorter time keeps
# listings fast while still letting the CPU overlap with the printer.
PRINT_DELAY = 5000
SPACE_DELAY = 500  # per line moved


@register
class Printer1403(Device):
    """1403 line printer writing a text file (or any text stream)."""

    device_type = "1403"
    sense_length = 1

    def __init__(
        self,
        path: str | Path | None = None,
        stream: TextIO | None = None,
        carriage_tape: dict[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.tape = dict(carriage_tape or DEFAULT_TAPE)
        self.line = 1  # the carriage's line on the page
        self.pending = ""  # the line being composed (written with no space yet)
        self.pages = 1
        self.output: list[str] = []  # everything emitted, for tests
        self._stream = stream
        self._owned = False
        self._host_file: HostOutputFile | None = None
        if path is not None:
            self._host_file = HostOutputFile(path, "printer")
            self._stream = self._host_file
            self._owned = True

    @classmethod
    def from_spec(cls, file: str | None) -> Printer1403:
        """``1403:FILE`` prints to FILE; a bare ``1403`` prints on standard output."""
        if file is None:
            return cls(stream=sys.stdout)
        return cls(file)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        try:
            return self._print_command(command, data, count)
        except DeviceError:
            # The host file cannot take the line (a full disk): as out of paper.
            return self.unit_check(SENSE_INTERVENTION_REQUIRED)

    def host_files(self) -> list[tuple[Path, bool]]:
        return [(self._host_file.path, True)] if self._host_file is not None else []

    def _print_command(self, command: int, data: bytes, count: int) -> CCWResult:
        if command == NOP:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        action = command & 0x07
        modifier = command >> 3
        skip = 0x11 <= modifier <= 0x1C
        if action not in (0x01, 0x03) or not (modifier <= 3 or skip):
            return self.reject()
        if skip and (modifier - 0x10) not in self.tape:
            # No punch for that channel in the carriage tape: it would run away.
            return self.unit_check(SENSE_INTERVENTION_REQUIRED)
        if action == 0x01:
            length = min(count, LINE_WIDTH)
            self._overprint(printable(data[:length]))
            if modifier == 0:
                return CCWResult(NORMAL_END, length, delay=PRINT_DELAY)
            status, moved = self._carriage(modifier)
            if status < 0:
                return self.unit_check(SENSE_INTERVENTION_REQUIRED)
            delay = PRINT_DELAY + SPACE_DELAY * moved
            return CCWResult(NORMAL_END | status, length, delay=delay)
        status, moved = self._carriage(modifier)
        if status < 0:
            return self.unit_check(SENSE_INTERVENTION_REQUIRED)
        if status == 0 and moved == 0:
            return self.reject()
        return CCWResult(NORMAL_END | status, 0, delay=SPACE_DELAY * moved, immediate=True)

    def _carriage(self, modifier: int) -> tuple[int, int]:
        """Move the carriage for a modifier: (status bits or -1 for runaway, lines moved)."""
        if modifier in (1, 2, 3):
            return self._space(modifier), modifier
        if 0x11 <= modifier <= 0x1C:
            target = self.tape.get(modifier - 0x10)
            if target is None:
                return -1, 0
            return self._skip_to(target), LINES_PER_PAGE // 2
        return 0, 0

    def _space(self, lines: int) -> int:
        overflow_line = self.tape.get(12)
        before = self.line
        self._emit("\n" * lines)
        self.line += lines
        if self.line > LINES_PER_PAGE:
            self.line -= LINES_PER_PAGE
            self.pages += 1
        if overflow_line is not None and before < overflow_line <= before + lines:
            return UNIT_EXCEPTION
        return 0

    def _skip_to(self, target: int) -> int:
        if target > self.line:
            self._emit("\n" * (target - self.line))
        else:
            self._emit("\n" if self.pending else "")
            self._write("\f" + "\n" * (target - 1))
            self.pages += 1
        self.line = target
        return 0

    def _overprint(self, text: str) -> None:
        if not self.pending:
            self.pending = text
            return
        merged = list(self.pending.ljust(len(text)))
        for position, character in enumerate(text):
            if character != " ":
                merged[position] = character
        self.pending = "".join(merged)

    def _emit(self, line_ends: str) -> None:
        """Print the composed line (if any) followed by the given line ends."""
        text = self.pending.rstrip() + line_ends
        self.pending = ""
        self._write(text)

    def _write(self, text: str) -> None:
        if not text:
            return
        self.output.append(text)
        if self._stream is not None:
            self._stream.write(text)
            self._stream.flush()

    def text(self) -> str:
        """Everything printed so far, as the output file holds it."""
        return "".join(self.output)

    def close(self) -> None:
        if self.pending:
            # A failure is kept in the host file's error; closing must go on.
            with contextlib.suppress(DeviceError):
                self._emit("\n")
        if self._owned and self._stream is not None:
            self._stream.close()
            self._stream = None

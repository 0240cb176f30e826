"""The 1052 printer-keyboard: the operator's console, on host text streams.

Commands (IBM 2150 console / 1052 component description): 09 write with
automatic carrier return, 01 write without carrier return, 0A read
inquiry, 0B audible alarm, 03 no-operation, 04 sense. (The two writes were
once the other way round here; SIMH's and Hercules' 1052s agree on these.) Sense byte 0 uses
command reject and intervention required (no operator: the input stream is
at its end).

The output is EBCDIC printed as text (code page 037) on the output stream.
Input lines come first from ``type_line`` (tests, CP's console simulation
later) and then from the input stream, read one line per read command; the
typed line is echoed on the paper as the real console would show it.
``press_request`` is the REQUEST key: an attention interruption.
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import TextIO

from vm370.hardware.devices import (
    ATTENTION,
    NORMAL_END,
    SENSE_INTERVENTION_REQUIRED,
    CCWResult,
    Device,
    DeviceError,
    HostOutputFile,
    register,
)
from vm370.hardware.devices.codepage import printable, to_ebcdic_lenient

WRITE = 0x09  # write, automatic carrier return
WRITE_NO_RETURN = 0x01
READ_INQUIRY = 0x0A
ALARM = 0x0B
NOP = 0x03

# The real 1052 types about 15 characters a second; the console here is
# faster (1 ms a line plus 0.1 ms a character) so interactive runs and tests
# are not throttled by it.
LINE_DELAY = 1000
CHARACTER_DELAY = 100


@register
class Console1052(Device):
    """1052 printer-keyboard on a pair of host text streams."""

    device_type = "1052"
    sense_length = 1

    def __init__(
        self,
        input_stream: TextIO | None = None,
        output_stream: TextIO | None = None,
        echo: bool = True,
    ) -> None:
        super().__init__()
        self.input_stream = input_stream
        self.output_stream = output_stream
        self.echo = echo
        self.typed: deque[str] = deque()
        self.transcript: list[str] = []  # everything printed, for tests and panels
        self._owned: HostOutputFile | None = None

    @classmethod
    def from_spec(cls, file: str | None) -> Console1052:
        """--attach 01F=1052 uses the host terminal; 1052:FILE prints to FILE."""
        if file is None:
            return cls(sys.stdin, sys.stdout)
        stream = HostOutputFile(file, "console")
        console = cls(None, stream)
        console._owned = stream
        return console

    def type_line(self, text: str) -> None:
        """The operator types a line (it is read by the next read command)."""
        self.typed.append(text)

    def press_request(self) -> None:
        """The REQUEST key: attention, so the program issues a read."""
        self.present_status(ATTENTION)

    def _print(self, text: str) -> None:
        self.transcript.append(text)
        if self.output_stream is not None:
            self.output_stream.write(text)
            self.output_stream.flush()

    def host_files(self) -> list[tuple[Path, bool]]:
        return [(self._owned.path, True)] if self._owned is not None else []

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        try:
            return self._console_command(command, data, count)
        except DeviceError:
            # The console file cannot take the line (a full disk): no operator there.
            return self.unit_check(SENSE_INTERVENTION_REQUIRED)

    def _console_command(self, command: int, data: bytes, count: int) -> CCWResult:
        if command in (WRITE, WRITE_NO_RETURN):
            text = printable(data[:count])
            self._print(text + ("\n" if command == WRITE else ""))
            return CCWResult(NORMAL_END, count, delay=LINE_DELAY + CHARACTER_DELAY * count)
        if command == READ_INQUIRY:
            line = self._next_line()
            if line is None:
                return self.unit_check(SENSE_INTERVENTION_REQUIRED)
            if self.echo:
                self._print(line + "\n")
            record = to_ebcdic_lenient(line)
            delay = LINE_DELAY + CHARACTER_DELAY * len(record)
            return CCWResult(NORMAL_END, len(record), record, delay=delay)
        if command in (NOP, ALARM):
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()

    def _next_line(self) -> str | None:
        if self.typed:
            return self.typed.popleft()
        if self.input_stream is None:
            return None
        line = self.input_stream.readline()
        if not line:
            return None
        return line.rstrip("\r\n")

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None

"""The 3277 display station on a local 3272 control unit, and its terminal side.

Channel commands (3270 Component Description GA27-2749, local attachment):

    01 Write               05 Erase/Write        0D Erase/Write Alternate
    0F Erase All Unprotected                     02 Read Buffer
    06 Read Modified       0B Select (1B 2B 3B 4B its variants)
    03 No-operation        04 Sense

The write commands take the WCC, orders and text as their data and apply
them to the device's buffer (``vm370.hardware.display3270``); a data stream
the display cannot accept ends with unit check and operation check in the
sense byte (what came before the bad order stays applied). Read Buffer and
Read Modified return the inbound record from the buffer. Select, NOP and
Erase All Unprotected move no data: they end at once (no incorrect length).
Sense byte 0: command reject 80, intervention required 40, equipment check
10, data check 08, unit specify 04, control check 02, operation check 01.

The device is always ready: a program may write to a 3277 nobody looks at,
as to a powered-on display in an empty room. When an operator presses an AID
key the device presents attention; the program then reads (usually Read
Modified) and the record holds what the operator sent.

The terminal side (``TerminalPort``)
------------------------------------
A person's terminal runs on another thread (the TN3270 server's event loop,
the Textual app). It reaches the machine only through the port:
``connect``, ``send`` and ``disconnect`` are thread-safe and only queue what
happened. The device drains that queue on the machine's thread in
``poll()``, which whoever runs the machine for terminals calls between runs
of instructions (see ``vm370.terminal.runner``), so the machine never sees a
thread and a run is the same for the same inputs at the same virtual times.

The other way, the device calls the session's ``outbound(record)`` on the
machine's thread for every write it performs (command byte, WCC, orders and
text, in the local command codes). A session must not block there: it hands
the record to its own thread and returns.

The port keeps the device's copy of the screen: the channel program writes
into it and reads from it. A terminal keeps its own copy, draws it and lets
the operator type; its AID keys send the Read Modified record, which the
device folds into its copy before it presents attention. (So a Read Buffer
issued while the operator is still typing sees the screen as of the last
AID, not the keystrokes in between: the terminal sends nothing before.)
"""

from __future__ import annotations

import collections
import functools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from vm370.hardware.devices import (
    ATTENTION,
    NORMAL_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_CHECK,
    CCWResult,
    Device,
    DeviceError,
    HostConnection,
    register,
)
from vm370.hardware.display3270 import (
    ERASE_ALL_UNPROTECTED,
    ERASE_WRITE,
    ERASE_WRITE_ALTERNATE,
    MODELS,
    READ_BUFFER,
    READ_MODIFIED,
    WCC_KEYBOARD_RESTORE,
    WRITE,
    DataStreamError,
    Display3270,
    ScreenModel,
)

SELECT = 0x0B
# Select Read Buffer, Select Read Modified, Select Write (the 3272's select
# variants: they prepare the control unit and move no data).
SELECT_COMMANDS = frozenset((SELECT, 0x1B, 0x2B, 0x3B, 0x4B))
NOP = 0x03
SENSE_OPERATION_CHECK = 0x01

# A local 3272 moves data at channel speed; a screenful takes a few ms.
COMMAND_DELAY = 50
BYTES_PER_INSTRUCTION = 2

# More records than this queued and not yet drained means a runaway terminal.
MAX_PENDING_INBOUND = 64


class TerminalSession(Protocol):
    """What a terminal implements to be plugged into a 3277."""

    def outbound(self, record: bytes) -> None:
        """An outbound 3270 record (local command code first); called on the machine's thread."""

    def detached(self, reason: str) -> None:
        """The device let go of this session (detached, machine stopped)."""


class PortBusyError(Exception):
    """The 3277 already has a terminal connected."""


class InboundOverflowError(Exception):
    """The terminal sent records faster than the machine takes them."""


class TerminalPort(HostConnection):
    """A 3277's terminal connection and its screen buffer; the queue between two threads."""

    def __init__(self, address: int, model: ScreenModel | None = None) -> None:
        self.address = address
        self.display = Display3270(model or MODELS[2])
        self.session: TerminalSession | None = None
        self._lock = threading.Lock()
        self._inbound: collections.deque[tuple[str, object, object]] = collections.deque()
        self._claimed_by: TerminalSession | None = None
        self.inbound_records = 0
        self.outbound_records = 0
        self.rejected_records = 0
        # Set whenever the terminal side queues something: a paced runner sleeps on it.
        self.activity = threading.Event()
        # Called on the machine's thread with each inbound record taken in, and
        # with each new screen model a terminal brings.
        self.on_inbound: Callable[[bytes], None] | None = None
        self.on_model: Callable[[ScreenModel], None] | None = None
        # Set when the connected terminal went away (drain), until the device reports it.
        self.dropped = False
        # Whoever runs the display may say nobody has signed on at it (an
        # operating system's logon screen): since when, in host seconds, or
        # None. A terminal server drops a session that stays so too long.
        self.waiting_for_sign_on_since: float | None = None

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if self.waiting_for_sign_on_since is not None:  # a host time: the wait starts again
            self.waiting_for_sign_on_since = time.monotonic()

    @property
    def name(self) -> str:
        return f"{self.address:03X}"

    def set_signed_on(self, signed_on: bool) -> None:
        """The system says whether someone is signed on at this display (any thread)."""
        if signed_on:
            self.waiting_for_sign_on_since = None
        elif self.waiting_for_sign_on_since is None:
            self.waiting_for_sign_on_since = time.monotonic()

    # Any thread (the terminal side)

    @property
    def free(self) -> bool:
        with self._lock:
            return self._claimed_by is None

    def connect(self, session: TerminalSession, model: ScreenModel | None = None) -> None:
        """Claim this 3277 for ``session``; raises PortBusyError if another holds it."""
        with self._lock:
            if self._claimed_by is not None:
                raise PortBusyError(f"3277 {self.name} is in use by another terminal")
            self._claimed_by = session
            self._inbound.append(("connect", session, model))
        self.activity.set()

    def try_connect(self, session: TerminalSession, model: ScreenModel | None = None) -> bool:
        try:
            self.connect(session, model)
        except PortBusyError:
            return False
        return True

    def send(self, session: TerminalSession, record: bytes) -> None:
        """An inbound record (AID, cursor, fields) from ``session``'s operator."""
        with self._lock:
            if self._claimed_by is not session:
                return
            if len(self._inbound) >= MAX_PENDING_INBOUND:
                raise InboundOverflowError(
                    f"3277 {self.name}: more than {MAX_PENDING_INBOUND} records waiting"
                )
            self._inbound.append(("inbound", session, bytes(record)))
        self.activity.set()

    def disconnect(self, session: TerminalSession) -> None:
        with self._lock:
            if self._claimed_by is session:
                self._claimed_by = None
                self._inbound.append(("disconnect", session, None))
        self.activity.set()

    @property
    def pending(self) -> bool:
        return bool(self._inbound)

    # The machine's thread (the device side)

    def drain(self) -> list[int]:
        """Apply what the terminal side queued; return the AIDs that want attention."""
        aids: list[int] = []
        while True:
            with self._lock:
                if not self._inbound:
                    return aids
                kind, session, payload = self._inbound.popleft()
            if kind == "connect":
                self._attach(session, payload)  # type: ignore[arg-type]
            elif kind == "disconnect":
                if self.session is session:
                    # The terminal went away, as a 3277 switched off: its buffer is
                    # lost, so the next terminal here never sees what this one showed.
                    self.session = None
                    self.display.erase()
                    self.dropped = True
            elif session is self.session:
                try:
                    aids.append(self.display.apply_inbound(payload))  # type: ignore[arg-type]
                    self.inbound_records += 1
                except DataStreamError:
                    self.rejected_records += 1
                else:
                    if self.on_inbound is not None:
                        self.on_inbound(payload)  # type: ignore[arg-type]

    def _attach(self, session: TerminalSession, model: ScreenModel | None) -> None:
        if model is not None and model != self.display.alternate:
            # The alternate size is machine-visible (Erase/Write Alternate, reads).
            self.display.alternate = model
            if self.on_model is not None:
                self.on_model(model)
        self.session = session
        display = self.display
        if display.writes == 0:
            session.outbound(self.welcome_image())
        else:
            locked = display.keyboard_locked
            session.outbound(display.erase_write_image(0 if locked else WCC_KEYBOARD_RESTORE))

    def welcome_image(self) -> bytes:
        """What a terminal shows before the machine writes: the device address, protected."""
        text = f"vm370 3277 {self.name}: connected, waiting for the system".encode("cp037")
        # Erase/Write, WCC keyboard restore, SF protected-intensified, text.
        return bytes((0x05, WCC_KEYBOARD_RESTORE, 0x1D, 0xE8)) + text

    def emit(self, record: bytes) -> None:
        """Send an outbound record the device performed to the connected terminal, if any."""
        self.outbound_records += 1
        if self.session is not None:
            self.session.outbound(record)

    def release(self, reason: str) -> None:
        """The device goes away: tell the session and free the port."""
        session = self.session
        self.session = None
        with self._lock:
            self._claimed_by = None
            self._inbound.clear()
        if session is not None:
            session.detached(reason)


@register
class Display3277(Device):
    """3277 display station (model 2, or a larger screen by its model number) on a 3272."""

    device_type = "3277"
    sense_length = 1

    def __init__(self, model: int = 2) -> None:
        super().__init__()
        if model not in MODELS:
            raise DeviceError(f"3277 model {model} does not exist; use 2, 3, 4 or 5")
        self.port = TerminalPort(0, MODELS[model])
        self.port.on_inbound = self._journal_inbound
        self.port.on_model = self._journal_model
        self.attentions = 0
        # What the terminal side changed, as (virtual time, "inbound", record) or
        # (virtual time, "model", ScreenModel): replay() plays it back.
        self.journal: list[tuple[int, str, object]] = []

    @classmethod
    def from_spec(cls, file: str | None) -> Display3277:
        """--attach 0C0=3277 is a model 2 (24x80); 3277:5 asks for model 5 (27x132)."""
        if file is None:
            return cls()
        text = file.strip().upper().removeprefix("MODEL")
        if not text.isdigit():
            raise DeviceError(f"3277 model {file!r} is not a number (2, 3, 4 or 5)")
        return cls(int(text))

    @property
    def display(self) -> Display3270:
        return self.port.display

    def bind(self, channels, address: int | None) -> None:
        super().bind(channels, address)
        if address is not None:
            self.port.address = address
        else:
            self.port.release("the 3277 was detached")

    def poll(self) -> int:
        """Take in what the terminal sent (machine thread); present attention for each AID,
        and unit check (intervention required) when the terminal went away."""
        aids = self.port.drain()
        if self.port.dropped:
            # Unit check with intervention required, as a display that lost its
            # terminal reports it (the way Hercules reports a TN3270 client that
            # left): the program driving the display learns it from the device.
            self.port.dropped = False
            self.sense[0] |= SENSE_INTERVENTION_REQUIRED
            self.present_status(UNIT_CHECK)
        for _ in aids:
            self.attentions += 1
            self.present_status(ATTENTION)
        return len(aids)

    def _now(self) -> int:
        return self.channels.clock.now if self.channels is not None else 0

    def _journal_inbound(self, record: bytes) -> None:
        self.journal.append((self._now(), "inbound", record))

    def _journal_model(self, model: ScreenModel) -> None:
        self.journal.append((self._now(), "model", model))

    def replay(self, journal: Iterable[tuple[int, str, object]]) -> None:
        """Schedule a journal's entries as clock events at their virtual times.

        A machine started the same way and given the same inputs at the same
        virtual times runs the same, instruction for instruction, with no
        terminal and no threads. (An event of another device due at the very
        same instruction may be ordered differently.)
        """
        clock = self.channels.clock
        for due, kind, value in journal:
            clock.schedule(due - clock.now, functools.partial(self._replayed, kind, value))

    def _replayed(self, kind: str, value) -> None:
        if kind == "model":
            self.display.alternate = value
            self._journal_model(value)
            return
        try:
            self.display.apply_inbound(value)
        except DataStreamError:
            return
        self._journal_inbound(value)
        self.attentions += 1
        self.present_status(ATTENTION)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command in (WRITE, ERASE_WRITE, ERASE_WRITE_ALTERNATE):
            return self._write(command, bytes(data[:count]), count)
        if command == ERASE_ALL_UNPROTECTED:
            self.display.erase_all_unprotected()
            self.port.emit(bytes((command,)))
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        if command == READ_BUFFER:
            return self._read(self.display.read_buffer())
        if command == READ_MODIFIED:
            return self._read(self.display.read_modified())
        if command in SELECT_COMMANDS or command == NOP:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()

    def _write(self, command: int, data: bytes, count: int) -> CCWResult:
        record = bytes((command,)) + data
        try:
            self.display.process_outbound(record)
        except DataStreamError:
            # The terminal gets the buffer as it now is rather than the bad stream.
            self.port.emit(self.display.erase_write_image(0))
            return self.unit_check(SENSE_OPERATION_CHECK, delay=COMMAND_DELAY)
        self.port.emit(record)
        return CCWResult(NORMAL_END, count, delay=COMMAND_DELAY + count // BYTES_PER_INSTRUCTION)

    def _read(self, record: bytes) -> CCWResult:
        delay = COMMAND_DELAY + len(record) // BYTES_PER_INSTRUCTION
        return CCWResult(NORMAL_END, len(record), record, delay=delay)

    def close(self) -> None:
        self.port.release("the machine stopped")

    def describe(self) -> str:
        model = self.display.alternate
        terminal = "a terminal connected" if self.port.session else "no terminal"
        return f"3277 model {model.number} ({model.rows}x{model.columns}), {terminal}"

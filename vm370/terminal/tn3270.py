"""The TN3270 server: real 3270 clients (x3270, c3270, s3270, wc3270) on the machine's 3277s.

asyncio, one task per connection. The negotiation is the classic TN3270 of
RFC 1576: TERMINAL-TYPE (IBM-3277-2, IBM-3278-2..5, IBM-3279-2..5, with or
without -E, or IBM-DYNAMIC, whose screen size is then asked with a Read
Partition Query; a ``@XXX`` suffix asks for the 3277 at device address XXX),
then BINARY and END-OF-RECORD both ways. TN3270E (RFC 2355) is declined,
so clients fall back to plain TN3270. Each session then holds one free 3277
(``TerminalPort``) until it closes.

A client that does not finish negotiating in time, sends garbage, an
oversized record, a flood of records or of option negotiations, or stops
reading what the server sends (screens or negotiation replies: at most
``MAX_SEND_BUFFER`` bytes wait for a client), is dropped at once with one
log line and its 3277 freed; repeated log lines are rate-limited
(``RepeatedLineFilter``). Every buffer is bounded: the telnet parser's
record and subnegotiation, the screens queued for a client, the bytes
waiting to be sent, the connections. The machine only ever sees whole
records through the port's queue, so no client can stop it or another
session.

Outbound records are sent with the remote (SNA) command codes, which every
TN3270 client understands; inbound records go to the port unchanged.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass

from vm370.hardware.devices.display3277 import InboundOverflowError, TerminalPort
from vm370.hardware.display3270 import MODELS, REMOTE_COMMANDS, ScreenModel
from vm370.terminal import telnet
from vm370.terminal.telnet import (
    DO,
    OPTION_BINARY,
    OPTION_END_OF_RECORD,
    OPTION_TERMINAL_TYPE,
    TERMINAL_TYPE_IS,
    WILL,
    WONT,
    Negotiation,
    Record,
    Subnegotiation,
    TelnetError,
    TelnetReader,
)
from vm370.terminal.threaded import ThreadedServer

log = logging.getLogger("vm370.tn3270")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3270
NEGOTIATION_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
MAX_INBOUND_RECORD = 16384  # a 27x132 Read Modified is well under 8 KB
MAX_OUTBOUND_QUEUED = 256
# Connections at once: at least this many, and at least two a display served
# (every display in use, and as many again negotiating or being refused).
MAX_CONNECTIONS = 64
MAX_CONNECTIONS_PER_ADDRESS = 8
# A session at a display where nobody signs on (CP's logo, LOGON not done)
# is dropped after this many seconds, so idle connections cannot hold displays.
SIGN_ON_TIMEOUT = 300.0
SIGN_ON_CHECK_INTERVAL = 1.0
# Bytes the server holds for one client that does not read: a few screens.
MAX_SEND_BUFFER = 64 * 1024
# Option negotiations a session in 3270 mode may send; clients send a handful.
MAX_NEGOTIATIONS = 256
# Log lines of one kind (the same message template) shown in a window.
LOG_LINES_PER_WINDOW = 10
LOG_WINDOW_SECONDS = 60.0


class RepeatedLineFilter(logging.Filter):
    """Lets through at most ``limit`` lines of one template each ``window`` seconds.

    A hostile client can make the same line happen thousands of times (and
    asyncio logs every write to a connection already lost). The first line
    let through after a quiet spell says how many were held back.
    """

    def __init__(
        self, limit: int = LOG_LINES_PER_WINDOW, window: float = LOG_WINDOW_SECONDS, clock=None
    ) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self.clock = clock or time.monotonic
        self._windows: dict[tuple, list] = {}  # key -> [window start, shown, held back]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now - window[0] >= self.window:
            held_back = window[2] if window is not None else 0
            self._windows[key] = [now, 1, 0]
            if len(self._windows) > 1000:  # templates are few; keep the table small anyway
                self._windows = {key: self._windows[key]}
            if held_back:
                record.msg = f"{record.msg} ({held_back} more like it were not logged)"
            return True
        if window[1] < self.limit:
            window[1] += 1
            return True
        window[2] += 1
        return False


_REPEATED_LINES = RepeatedLineFilter()
log.addFilter(_REPEATED_LINES)

_TERMINAL_TYPE = re.compile(r"IBM-(?:327[789]-(?P<model>[2-5])(?:-E)?|DYNAMIC)$")


class TLSSetupError(Exception):
    """The certificate or key for TLS cannot be used: the message says why."""


def server_tls_context(certificate: str, key: str | None = None) -> ssl.SSLContext:
    """A server-side TLS context from PEM files (TLS 1.2 or newer)."""
    for path in (certificate, key):
        if path is None:
            continue
        try:
            with open(path, "rb"):
                pass
        except OSError as error:
            raise TLSSetupError(f"cannot read {path}: {error.strerror or error}") from None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certificate, key)
    except ssl.SSLError as error:
        what = f"{certificate} and {key}" if key else certificate
        raise TLSSetupError(
            f"{what}: not a usable PEM certificate and private key ({error.reason or error})"
        ) from None
    except OSError as error:
        raise TLSSetupError(f"cannot read {error.filename}: {error.strerror or error}") from None
    return context


class TerminalTypeError(ValueError):
    """A TERMINAL-TYPE this server cannot serve."""


@dataclass(frozen=True)
class TerminalType:
    name: str
    model: ScreenModel
    device: int | None  # the 3277 asked for with @XXX

    @property
    def dynamic(self) -> bool:
        return self.name.upper() == "IBM-DYNAMIC"


# Write Structured Field: Read Partition (X'01'), partition X'FF', Query (X'02').
READ_PARTITION_QUERY = bytes((0xF3, 0x00, 0x05, 0x01, 0xFF, 0x02))
AID_STRUCTURED_FIELD = 0x88
QUERY_REPLY = 0x81
QUERY_USABLE_AREA = 0x81
# Screens up to this many positions still use 12-bit addresses.
MAX_DYNAMIC_POSITIONS = 4096


def usable_area(reply: bytes) -> tuple[int, int] | None:
    """Rows and columns from the Usable Area query reply in an inbound record, if any.

    The record is AID X'88' then structured fields, each a 2-byte length, X'81'
    and a query code; Usable Area (X'81') holds 2 flag bytes, then the width
    and the height, 2 bytes each (3270 Data Stream Programmer's Reference).
    """
    if not reply or reply[0] != AID_STRUCTURED_FIELD:
        return None
    index = 1
    while index + 4 <= len(reply):
        length = int.from_bytes(reply[index : index + 2], "big")
        if length < 4 or index + length > len(reply):
            return None
        field = reply[index : index + length]
        if field[2] == QUERY_REPLY and field[3] == QUERY_USABLE_AREA and length >= 10:
            columns = int.from_bytes(field[6:8], "big")
            rows = int.from_bytes(field[8:10], "big")
            if rows >= 24 and columns >= 80 and rows * columns <= MAX_DYNAMIC_POSITIONS:
                return rows, columns
            return None
        index += length
    return None


def parse_terminal_type(text: str) -> TerminalType:
    """'IBM-3278-2-E' or 'IBM-3279-5@0C1' or 'IBM-DYNAMIC' -> its screen model and device."""
    name, _, device_text = text.strip().partition("@")
    match = _TERMINAL_TYPE.match(name.upper())
    if not match:
        raise TerminalTypeError(f"terminal type {text!r} is not a 3270 (IBM-3278-2, IBM-DYNAMIC)")
    device = None
    if device_text:
        try:
            device = int(device_text, 16)
        except ValueError:
            raise TerminalTypeError(f"device {device_text!r} in {text!r} is not hex") from None
    # IBM-DYNAMIC learns its real size from a Query Reply after negotiation (the session
    # asks); until then it counts as a model 2.
    model = MODELS[int(match.group("model") or 2)]
    return TerminalType(name, model, device)


def to_remote_command(record: bytes) -> bytes:
    """The same record with the remote (SNA) command code TN3270 clients expect."""
    if record and record[0] in REMOTE_COMMANDS:
        return bytes((REMOTE_COMMANDS[record[0]],)) + record[1:]
    return record


def message_screen(text: str) -> bytes:
    """An Erase/Write record showing ``text`` in one protected, intensified field."""
    return bytes((0xF5, 0x02, 0x1D, 0xE8)) + text.encode("cp037", errors="replace")


class ClientDropped(Exception):
    """End this connection: the reason goes into the log line."""


class ClientClosed(ClientDropped):
    """The client hung up: an ordinary end, logged as such."""


class _Session:
    """One client connection; a TerminalSession for its port."""

    def __init__(self, server: TN3270Server, reader, writer) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        self.reader = reader
        self.writer = writer
        self.peer = writer.get_extra_info("peername")
        self.telnet = TelnetReader(max_record=MAX_INBOUND_RECORD)
        self.outbound_queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.port: TerminalPort | None = None
        self.terminal_type: TerminalType | None = None
        self.options = telnet.OptionState(
            accept_local=(OPTION_BINARY, OPTION_END_OF_RECORD),
            accept_remote=(OPTION_BINARY, OPTION_END_OF_RECORD, OPTION_TERMINAL_TYPE),
        )
        self.closing_reason: str | None = None
        self.pending_events: collections.deque = collections.deque()
        self.negotiations = 0  # option negotiations received in 3270 mode
        self.abort_on_close = False  # a client that does not read gets no flush

    # TerminalSession, called on the machine's thread

    def outbound(self, record: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # the loop already closed
            self.loop.call_soon_threadsafe(self._queue_outbound, record)

    def detached(self, reason: str) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._queue_close, reason)

    def _queue_outbound(self, record: bytes) -> None:
        limit = self.server.max_outbound_queued
        if self.outbound_queue.qsize() >= limit:
            self._queue_close(f"client not reading: {limit} screens waiting")
            return
        self.outbound_queue.put_nowait(record)

    def _queue_close(self, reason: str) -> None:
        if self.closing_reason is None:
            self.closing_reason = reason
        self.outbound_queue.put_nowait(None)

    # The connection

    def send_raw(self, data: bytes) -> None:
        """Queue ``data`` for the client; ClientDropped when it has stopped reading."""
        if self.writer.is_closing():
            # Nothing more goes out once closing (asyncio would log every write).
            raise ClientDropped(self.closing_reason or "connection closing")
        self.writer.write(data)
        waiting = self.writer.transport.get_write_buffer_size()
        if waiting > self.server.max_send_buffer:
            self.abort_on_close = True
            self._queue_close(f"client not reading: {waiting} bytes waiting to be sent")
            raise ClientDropped(self.closing_reason)

    def ask(self, verb: int, option: int) -> None:
        self.send_raw(self.options.ask(verb, option))

    @property
    def in_3270_mode(self) -> bool:
        return self.terminal_type is not None and all(
            self.options.both(option) for option in (OPTION_BINARY, OPTION_END_OF_RECORD)
        )

    def on_negotiation(self, event: Negotiation) -> None:
        """Agree or refuse (TN3270E among the refused: the client falls back to TN3270)."""
        verb, option = event.verb, event.option
        newly_agreed = verb == WILL and option not in self.options.remote
        reply = self.options.answer(event)
        if reply:
            self.send_raw(reply)
        if option != OPTION_TERMINAL_TYPE:
            return
        if newly_agreed and option in self.options.remote:
            self.send_raw(telnet.terminal_type_send())
        elif verb == WONT:
            self.send_raw(
                b"vm370: this is a TN3270 server; connect with a 3270 client "
                b"such as x3270, c3270 or s3270.\r\n"
            )
            raise ClientDropped("client will not send a terminal type (not a 3270)")

    def on_subnegotiation(self, event: Subnegotiation) -> None:
        if event.option != OPTION_TERMINAL_TYPE or not event.payload:
            return
        if event.payload[0] != TERMINAL_TYPE_IS:
            return
        text = event.payload[1:].decode("ascii", errors="replace")
        try:
            self.terminal_type = parse_terminal_type(text)
        except TerminalTypeError as error:
            self.send_raw(f"vm370: {error}\r\n".encode("ascii", errors="replace"))
            raise ClientDropped(str(error)) from None
        for option in (OPTION_END_OF_RECORD, OPTION_BINARY):
            if option not in self.options.remote:
                self.ask(DO, option)
            if option not in self.options.local:
                self.ask(WILL, option)

    async def read_events(self) -> list:
        chunk = await self.reader.read(4096)
        if not chunk:
            if self.closing_reason is not None:
                raise ClientDropped(self.closing_reason)
            raise ClientClosed("client closed the connection")
        try:
            return self.telnet.feed(chunk)
        except TelnetError as error:
            raise ClientDropped(f"protocol error: {error}") from None

    async def next_event(self):
        """The next telnet event, reading more bytes when none is left over."""
        while not self.pending_events:
            self.pending_events.extend(await self.read_events())
        return self.pending_events.popleft()

    async def negotiate(self) -> None:
        self.ask(DO, OPTION_TERMINAL_TYPE)
        await self.writer.drain()
        while not self.in_3270_mode:
            event = await self.next_event()
            if isinstance(event, Negotiation):
                self.on_negotiation(event)
            elif isinstance(event, Subnegotiation):
                self.on_subnegotiation(event)
            await self.writer.drain()

    async def run(self) -> None:
        try:
            try:
                async with asyncio.timeout(self.server.negotiation_timeout):
                    await self.negotiate()
                    if self.terminal_type.dynamic:
                        await self.query_screen_size()
            except TimeoutError:
                raise ClientDropped("negotiation did not finish in time") from None
            self.port = self.server.claim_port(self, self.terminal_type)
            log.info(
                "tn3270: %s (%s) on 3277 %s", self.peer, self.terminal_type.name, self.port.name
            )
            writer_task = asyncio.create_task(self.write_outbound())
            watchdog = asyncio.create_task(self.watch_sign_on())
            try:
                await self.read_inbound()
            finally:
                watchdog.cancel()
                # A sentinel, not only cancel(): Python 3.11's wait_for can swallow a cancel.
                self.outbound_queue.put_nowait(None)
                writer_task.cancel()
                await asyncio.wait({writer_task}, timeout=2)
        except ClientClosed:
            log.info("tn3270: %s closed", self.peer)
        except ClientDropped as dropped:
            reason = self.closing_reason or str(dropped)
            log.warning("tn3270: %s dropped: %s", self.peer, reason)
        except (ConnectionError, OSError) as error:
            log.info("tn3270: %s connection lost: %s", self.peer, error)
        finally:
            if self.port is not None:
                self.port.disconnect(self)
            if self.abort_on_close:
                # What waits for it would wait for ever: drop it, buffer and all.
                self.writer.transport.abort()
            self.writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self.writer.wait_closed()

    async def query_screen_size(self) -> None:
        """IBM-DYNAMIC: ask the terminal its size with a Read Partition Query."""
        self.send_raw(telnet.record(READ_PARTITION_QUERY))
        await self.writer.drain()
        while True:
            event = await self.next_event()
            if isinstance(event, Record):
                size = usable_area(event.data)
                if size is not None:
                    rows, columns = size
                    self.terminal_type = dataclasses.replace(
                        self.terminal_type, model=ScreenModel(0, rows, columns)
                    )
                return
            if isinstance(event, Negotiation):
                self.on_negotiation(event)

    async def read_inbound(self) -> None:
        while True:
            if self.closing_reason is not None:
                raise ClientDropped(self.closing_reason)
            event = await self.next_event()
            if isinstance(event, Record):
                try:
                    self.port.send(self, event.data)
                except InboundOverflowError as error:
                    raise ClientDropped(f"flood: {error}") from None
            elif isinstance(event, Negotiation):
                self.negotiations += 1
                if self.negotiations > self.server.max_negotiations:
                    raise ClientDropped(
                        f"negotiation flood: {self.negotiations} option requests in 3270 mode"
                    )
                self.on_negotiation(event)
                if not self.in_3270_mode:
                    raise ClientDropped("client left 3270 mode")

    async def watch_sign_on(self) -> None:
        """Drop the session when its display waits too long for someone to sign on."""
        timeout = self.server.sign_on_timeout
        while True:
            await asyncio.sleep(min(SIGN_ON_CHECK_INTERVAL, timeout))
            since = self.port.waiting_for_sign_on_since
            if since is not None and time.monotonic() - since > timeout:
                self._queue_close(f"no LOGON within {timeout:g} seconds")
                self.writer.transport.abort()
                return

    async def write_outbound(self) -> None:
        while True:
            record = await self.outbound_queue.get()
            if record is None:
                # wake the reader with the reason; closing the transport ends its read
                self.writer.close()
                return
            try:
                self.send_raw(telnet.record(to_remote_command(record)))
            except ClientDropped:
                self.writer.transport.abort()
                return
            try:
                async with asyncio.timeout(self.server.write_timeout):
                    await self.writer.drain()
            except TimeoutError:
                self.abort_on_close = True
                self._queue_close("client not reading its screens")
                self.writer.transport.abort()
                return


class NoFreeDeviceError(ClientDropped):
    pass


class TN3270Server(ThreadedServer):
    """Serves ``ports`` (the machine's 3277s) to TN3270 clients."""

    thread_name = "tn3270"

    def __init__(
        self,
        ports: Sequence[TerminalPort],
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        negotiation_timeout: float = NEGOTIATION_TIMEOUT,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.ports = list(ports)
        self.tls = tls  # serve TN3270 inside TLS (clients connect with L: or -tls)
        self.host = host
        self.port = port
        self.negotiation_timeout = negotiation_timeout
        self.write_timeout = WRITE_TIMEOUT
        self.max_outbound_queued = MAX_OUTBOUND_QUEUED
        self.max_send_buffer = MAX_SEND_BUFFER
        self.max_negotiations = MAX_NEGOTIATIONS
        self.connections = 0
        self.max_connections = max(MAX_CONNECTIONS, 2 * len(self.ports))
        self.sign_on_timeout = SIGN_ON_TIMEOUT
        self.max_connections_per_address = MAX_CONNECTIONS_PER_ADDRESS
        self._per_address: dict[str, int] = {}
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    def claim_port(self, session: _Session, terminal_type: TerminalType) -> TerminalPort:
        """A free 3277 for this session, or the one it asked for; a message screen if none."""
        if terminal_type.device is not None:
            wanted = [p for p in self.ports if p.address == terminal_type.device]
            if not wanted:
                text = f"vm370: there is no 3277 at {terminal_type.device:03X}"
                self._refuse(session, text)
            if not wanted[0].try_connect(session, terminal_type.model):
                self._refuse(session, f"vm370: 3277 {wanted[0].name} is in use")
            return wanted[0]
        for candidate in self.ports:
            if candidate.try_connect(session, terminal_type.model):
                return candidate
        self._refuse(session, f"vm370: all {len(self.ports)} 3277 displays are in use; try later")
        raise AssertionError("unreachable")

    def _refuse(self, session: _Session, text: str) -> None:
        session.send_raw(telnet.record(message_screen(text)))
        raise NoFreeDeviceError(text)

    async def _handle(self, reader, writer) -> None:
        self.connections += 1
        peer = writer.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) else str(peer)
        counted = False
        try:
            if len(self._tasks) > self.max_connections:
                log.warning("tn3270: refused %s: too many connections", peer)
                writer.close()
                return
            if self._per_address.get(address, 0) >= self.max_connections_per_address:
                log.warning("tn3270: refused %s: too many connections from %s", peer, address)
                writer.close()
                return
            self._per_address[address] = self._per_address.get(address, 0) + 1
            counted = True
            session = _Session(self, reader, writer)
            await session.run()
        except Exception:  # one broken session never stops the server
            log.exception("tn3270: session failed")
        finally:
            if counted:
                self._per_address[address] -= 1
                if not self._per_address[address]:
                    del self._per_address[address]

    async def start(self) -> int:
        """Listen; return the bound port (useful when asked for port 0)."""
        # asyncio logs each write to a connection already lost: rate-limit those too.
        asyncio_log = logging.getLogger("asyncio")
        if _REPEATED_LINES not in asyncio_log.filters:
            asyncio_log.addFilter(_REPEATED_LINES)
        tls_options = {}
        if self.tls is not None:
            # A client that connects and never completes the handshake is
            # held no longer than one that never negotiates.
            tls_options = {"ssl": self.tls, "ssl_handshake_timeout": self.negotiation_timeout}
        self._server = await asyncio.start_server(
            self._track, self.host, self.port, **tls_options
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("tn3270: listening on %s:%d", self.host, self.port)
        return self.port

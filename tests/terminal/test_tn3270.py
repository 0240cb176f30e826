"""The TN3270 server: negotiation, sessions on 3277 ports, hostile clients, and s3270."""

import contextlib
import logging
import socket
import time

import pytest
from s3270_driver import S3270, S3270_PATH
from terminal_host import EchoHost

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.hardware.display3270 import MODELS, encode_address
from vm370.terminal import telnet
from vm370.terminal.telnet import (
    DO,
    DONT,
    OPTION_BINARY,
    OPTION_END_OF_RECORD,
    OPTION_TERMINAL_TYPE,
    OPTION_TN3270E,
    WILL,
    WONT,
    Negotiation,
    Record,
    Subnegotiation,
    TelnetReader,
)
from vm370.terminal.tn3270 import (
    TerminalTypeError,
    TN3270Server,
    parse_terminal_type,
    to_remote_command,
    usable_area,
)

needs_s3270 = pytest.mark.skipif(S3270_PATH is None, reason="s3270 is not installed")


@pytest.fixture
def ports():
    return [TerminalPort(0x0C0), TerminalPort(0x0C1)]


@pytest.fixture
def host(ports):
    echo = EchoHost(ports).start()
    yield echo
    echo.stop()


@pytest.fixture
def server(ports, host):
    tn3270 = TN3270Server(ports, port=0, negotiation_timeout=3.0)
    tn3270.start_in_thread()
    yield tn3270
    tn3270.stop()


class RawClient:
    """A hand-driven telnet client with timeouts, for the protocol's corners."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = TelnetReader(max_record=1 << 20)
        self.events: list = []
        self.received = b""

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def read_until(self, predicate, seconds: float = 5.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            try:
                chunk = self.socket.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return None
            self.events += self.reader.feed(chunk)
        raise AssertionError(f"nothing matched in {seconds}s: {self.events}")

    def closed_within(self, seconds: float) -> bool:
        self.socket.settimeout(seconds)
        try:
            while True:
                chunk = self.socket.recv(65536)
                if not chunk:
                    return True
                self.received += chunk
        except TimeoutError:
            return False
        except ConnectionError:
            return True

    def negotiate(self, terminal_type: str = "IBM-3278-2", screen: bool = True) -> Record | None:
        """Answer the server as a TN3270 client does; return the first screen record."""
        self.read_until(lambda e: e == Negotiation(DO, OPTION_TERMINAL_TYPE))
        self.send(telnet.negotiation(WILL, OPTION_TERMINAL_TYPE))
        self.read_until(lambda e: isinstance(e, Subnegotiation))
        self.send(telnet.terminal_type_is(terminal_type))
        for option in (OPTION_END_OF_RECORD, OPTION_BINARY):
            self.send(telnet.negotiation(WILL, option) + telnet.negotiation(DO, option))
        if not screen:
            return None
        return self.read_until(lambda e: isinstance(e, Record))

    def close(self) -> None:
        self.socket.close()


@pytest.mark.parametrize(
    ("text", "rows", "columns", "device"),
    [
        ("IBM-3278-2", 24, 80, None),
        ("IBM-3278-2-E", 24, 80, None),
        ("IBM-3277-2", 24, 80, None),
        ("IBM-3279-3-E", 32, 80, None),
        ("IBM-3278-4", 43, 80, None),
        ("IBM-3278-5-E", 27, 132, None),
        ("IBM-DYNAMIC", 24, 80, None),
        ("IBM-3278-2@0C1", 24, 80, 0x0C1),
    ],
)
def test_terminal_types_give_the_screen_model_and_device(text, rows, columns, device):
    parsed = parse_terminal_type(text)
    assert (parsed.model.rows, parsed.model.columns, parsed.device) == (rows, columns, device)


@pytest.mark.parametrize("text", ["VT100", "IBM-3278-9", "IBM-3278-2@XYZ", "ANSI"])
def test_other_terminal_types_are_refused(text):
    with pytest.raises(TerminalTypeError):
        parse_terminal_type(text)


def test_outbound_commands_go_out_with_remote_codes():
    assert to_remote_command(b"\x05\x02") == b"\xf5\x02"
    assert to_remote_command(b"\x0d\x02") == b"\x7e\x02"
    assert to_remote_command(b"\x01\x02") == b"\xf1\x02"


def test_a_client_gets_the_screen_of_a_free_3277_and_its_aid_reaches_the_host(server, host):
    client = RawClient(server.port)
    try:
        first = client.negotiate()
        assert first.data[0] == 0xF5  # Erase/Write, remote code
        assert "ECHO DEMO ON 3277 0C0" in first.data.decode("cp037")
        client.events.clear()
        # Enter with "HI" typed in the input field (row 3, column 9 = address 168)
        inbound = (
            b"\x7d" + encode_address(170) + b"\x11" + encode_address(168) + "HI".encode("cp037")
        )
        client.send(telnet.record(inbound))
        echoed = client.read_until(lambda e: isinstance(e, Record))
        assert "ECHO: HI" in echoed.data.decode("cp037")
        assert host.modified[-1] == inbound
    finally:
        client.close()


def test_tn3270e_is_declined(server):
    client = RawClient(server.port)
    try:
        client.read_until(lambda e: e == Negotiation(DO, OPTION_TERMINAL_TYPE))
        client.send(telnet.negotiation(WILL, OPTION_TN3270E))
        assert client.read_until(lambda e: e == Negotiation(DONT, OPTION_TN3270E))
        first = client.negotiate()
        assert first.data[0] == 0xF5
    finally:
        client.close()


def test_the_device_asked_for_with_at_suffix_is_used(server, ports):
    client = RawClient(server.port)
    try:
        first = client.negotiate("IBM-3278-2@0C1")
        assert "3277 0C1" in first.data.decode("cp037")
    finally:
        client.close()


def test_when_every_3277_is_taken_the_client_is_told_and_closed(server, caplog):
    clients = [RawClient(server.port) for _ in range(3)]
    try:
        clients[0].negotiate()
        clients[1].negotiate()
        refusal = clients[2].negotiate()
        assert "all 2 3277 displays are in use" in refusal.data.decode("cp037")
        assert clients[2].closed_within(10)
    finally:
        for client in clients:
            client.close()


def test_a_closed_session_frees_its_3277(server, ports):
    client = RawClient(server.port)
    client.negotiate()
    client.close()
    for _ in range(500):
        if ports[0].free:
            break
        time.sleep(0.01)
    assert ports[0].free


def test_a_plain_telnet_client_is_told_to_use_a_3270_client(server):
    client = RawClient(server.port)
    try:
        client.read_until(lambda e: e == Negotiation(DO, OPTION_TERMINAL_TYPE))
        client.send(telnet.negotiation(WONT, OPTION_TERMINAL_TYPE))
        assert client.closed_within(10)
        assert "TN3270 server" in client.received.decode("ascii")
    finally:
        client.close()


def test_a_silent_client_is_dropped_after_the_negotiation_timeout(server, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    client = RawClient(server.port)
    try:
        assert client.closed_within(10)
    finally:
        client.close()
    assert any("did not finish in time" in r.getMessage() for r in caplog.records)


def test_a_half_finished_negotiation_is_dropped(server, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    client = RawClient(server.port)
    try:
        client.read_until(lambda e: e == Negotiation(DO, OPTION_TERMINAL_TYPE))
        client.send(telnet.negotiation(WILL, OPTION_TERMINAL_TYPE))
        client.read_until(lambda e: isinstance(e, Subnegotiation))
        client.send(bytes((255, 250, OPTION_TERMINAL_TYPE, 0)) + b"IBM-32")  # and nothing more
        assert client.closed_within(10)
    finally:
        client.close()
    assert any("did not finish in time" in r.getMessage() for r in caplog.records)


def test_garbage_drops_the_client_and_others_go_on(server, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    good = RawClient(server.port)
    bad = RawClient(server.port)
    try:
        good.negotiate()
        bad.send(bytes((255, 240)) + b"\x00garbage")
        assert bad.closed_within(10)
        good.events.clear()
        good.send(telnet.record(b"\xf3" + encode_address(0)))  # PF3
        assert good.read_until(lambda e: isinstance(e, Record))
    finally:
        good.close()
        bad.close()
    assert any("protocol error" in r.getMessage() for r in caplog.records)


def test_a_huge_record_drops_the_client(server, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    client = RawClient(server.port)
    try:
        client.negotiate()
        with contextlib.suppress(OSError):
            client.send(b"\x40" * 20000)
        assert client.closed_within(10)
    finally:
        client.close()
    assert any("record longer" in r.getMessage() for r in caplog.records)


def test_a_flood_of_records_drops_the_client(ports, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    # no host draining the port: the queue fills and the flood is noticed
    tn3270 = TN3270Server(ports, port=0, negotiation_timeout=1.0)
    tn3270.start_in_thread()
    client = RawClient(tn3270.port)
    try:
        client.negotiate(screen=False)
        with contextlib.suppress(OSError):
            client.send(telnet.record(b"\x7d\x40\x40") * 200)
        assert client.closed_within(10)
    finally:
        client.close()
        tn3270.stop()
    assert any("flood" in r.getMessage() for r in caplog.records)


def test_the_terminal_model_sets_the_alternate_screen(server, ports):
    client = RawClient(server.port)
    try:
        client.negotiate("IBM-3278-5")
        for _ in range(1000):
            if ports[0].session is not None:
                break
            time.sleep(0.01)
        assert ports[0].display.alternate == MODELS[5]
    finally:
        client.close()


@needs_s3270
def test_s3270_reads_the_screen_types_and_presses_enter_pf_pa_and_clear(server):
    terminal = S3270("-model", "3278-2")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.do("Wait(5,InputField)")
        screen = terminal.screen()
        assert screen[0].strip() == "ECHO DEMO ON 3277 0C0"
        assert screen[2].startswith(" INPUT:")
        terminal.do('String("hello world")')
        terminal.do("Enter()")
        screen = terminal.wait_for_text("ECHO: hello world")
        assert "AID: ENTER" in screen[5]
        terminal.do('String("again")')
        terminal.do("PF(3)")
        assert "AID: PF3" in terminal.wait_for_text("AID: PF3")[5]
        terminal.do("PF(24)")
        assert "AID: PF24" in terminal.wait_for_text("AID: PF24")[5]
        terminal.do("PA(1)")
        assert "AID: PA1" in terminal.wait_for_text("AID: PA1")[5]
        terminal.do("Clear()")
        screen = terminal.wait_for_text("AID: CLEAR")
        assert screen[0].strip() == "ECHO DEMO ON 3277 0C0"
    finally:
        terminal.close()


@needs_s3270
def test_s3270_password_field_stays_hidden(server):
    terminal = S3270("-model", "3278-2")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.do("Wait(5,InputField)")
        terminal.do("Tab()")
        terminal.do('String("secret")')
        assert "secret" not in terminal.screen_text()
    finally:
        terminal.close()


def test_usable_area_query_reply_gives_rows_and_columns():
    # AID X'88', then a Usable Area reply: length 22, X'81' X'81', flags, width 100, height 30
    reply = bytes((0x88, 0x00, 0x16, 0x81, 0x81, 0x01, 0x00, 0x00, 100, 0x00, 30)) + bytes(12)
    assert usable_area(reply) == (30, 100)
    assert usable_area(b"\x7d\x40\x40") is None
    assert usable_area(bytes((0x88, 0x00, 0x02))) is None  # a length too short to be a field


@needs_s3270
def test_ibm_dynamic_terminal_is_asked_its_size_and_gets_erase_write_alternate(server, ports):
    terminal = S3270("-model", "3278-2", "-oversize", "100x30")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.wait_for_text("ECHO DEMO")
        assert ports[0].display.alternate.rows == 30
        assert ports[0].display.alternate.columns == 100
        record = b"\x0d\x02" + "WIDE SCREEN".encode("cp037")
        ports[0].display.process_outbound(record)
        ports[0].emit(record)
        screen = terminal.wait_for_text("WIDE SCREEN")
        assert len(screen) == 30 and len(screen[0]) == 100
    finally:
        terminal.close()


def test_a_client_that_stops_reading_is_dropped(ports, caplog):
    caplog.set_level(logging.INFO, logger="vm370.tn3270")
    tn3270 = TN3270Server(ports, port=0, negotiation_timeout=1.0)
    tn3270.write_timeout = 0.5
    tn3270.max_outbound_queued = 8
    tn3270.start_in_thread()
    client = RawClient(tn3270.port)
    try:
        client.negotiate(screen=False)
        client.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        for _ in range(1000):
            if ports[0].free is False:
                ports[0].drain()
            if ports[0].session is not None:
                break
            time.sleep(0.01)
        screen = b"\x05\x02" + b"\xc1" * 4000
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            "not reading" in r.getMessage() for r in caplog.records
        ):
            for _ in range(50):
                ports[0].emit(screen)
            time.sleep(0.01)
    finally:
        client.close()
        tn3270.stop()
    assert any("not reading" in r.getMessage() for r in caplog.records)


def server_sessions_buffered(tn3270: TN3270Server) -> int:
    """Bytes the server holds for its clients' sockets, read on the server's own loop."""
    import asyncio

    async def total() -> int:
        transports = [
            task.get_coro().cr_frame.f_locals.get("writer")
            for task in tn3270._tasks
            if task.get_coro().cr_frame is not None
        ]
        return sum(w.transport.get_write_buffer_size() for w in transports if w is not None)

    return asyncio.run_coroutine_threadsafe(total(), tn3270._loop).result(5)


def test_a_client_that_negotiates_and_never_reads_is_dropped_with_bounded_memory(
    ports, host, caplog
):
    caplog.set_level(logging.INFO)
    tn3270 = TN3270Server(ports, port=0, negotiation_timeout=3.0)
    tn3270.start_in_thread()
    client = RawClient(tn3270.port)
    try:
        client.negotiate()
        client.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        # DO for an option the server refuses: each one is answered with WONT.
        request = telnet.negotiation(DO, 0x99) * 1000
        dropped = False
        deadline = time.monotonic() + 10
        while not dropped and time.monotonic() < deadline:
            try:
                client.socket.sendall(request)
            except OSError:
                break  # the server hung up on it
            time.sleep(0.001)
            dropped = any("dropped" in r.getMessage() for r in caplog.records)
        for _ in range(500):
            if any("dropped" in r.getMessage() for r in caplog.records):
                break
            time.sleep(0.01)
        assert server_sessions_buffered(tn3270) <= tn3270.max_send_buffer + 4096
        # Its 3277 is free again for the next client.
        for _ in range(500):
            if ports[0].free:
                break
            time.sleep(0.01)
        assert ports[0].free
    finally:
        client.close()
        tn3270.stop()
    drops = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(drops) == 1
    assert "negotiation flood" in drops[0] or "not reading" in drops[0]
    # One connection's end is a few lines, not one per request it sent.
    assert len(caplog.records) < 50


def test_repeated_log_lines_are_rate_limited_and_the_rest_counted():
    from vm370.terminal.tn3270 import RepeatedLineFilter

    now = [0.0]
    limit = RepeatedLineFilter(limit=3, window=60.0, clock=lambda: now[0])

    def line(message="tn3270: %s dropped: %s", args=("peer", "why")):
        return logging.LogRecord("vm370.tn3270", logging.WARNING, "", 0, message, args, None)

    shown = [limit.filter(line()) for _ in range(10)]
    assert shown == [True] * 3 + [False] * 7
    assert limit.filter(line("tn3270: %s closed", ("peer",)))  # another kind of line
    now[0] = 61.0
    after = line()
    assert limit.filter(after)
    assert "(7 more like it were not logged)" in after.getMessage()

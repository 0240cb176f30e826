"""Bad input on the terminal side: host names, dropped connections, random 3270 streams."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from channel_programs import ChannelRig, ccw
from hypothesis import given, settings
from hypothesis import strategies as st

from vm370.hardware.devices import CHANNEL_END, DEVICE_END, UNIT_CHECK
from vm370.hardware.devices.display3277 import SENSE_OPERATION_CHECK, Display3277
from vm370.hardware.display3270 import (
    MODELS,
    ORDER_EUA,
    ORDER_GE,
    ORDER_IC,
    ORDER_MF,
    ORDER_PT,
    ORDER_RA,
    ORDER_SA,
    ORDER_SBA,
    ORDER_SF,
    ORDER_SFE,
    DataStreamError,
    Display3270,
)
from vm370.terminal.tn3270_client import TN3270Client, TN3270ClientError
from vm370.terminal.tui.app import TerminalApp
from vm370.terminal.tui.connection import TN3270Link

UNRESOLVABLE = "a" * 300  # one label over 63 characters: the resolver cannot encode it


def test_a_host_name_the_resolver_cannot_encode_is_a_client_error():
    client = TN3270Client(UNRESOLVABLE, 23, lambda record: None)
    try:
        asyncio.run(client.connect())
    except TN3270ClientError as error:
        assert "cannot connect to" in str(error)
    else:
        raise AssertionError("connect() to an impossible host name did not fail")


def test_a_connection_reset_by_the_server_is_a_client_error():
    async def scenario() -> str:
        async def reset(reader, writer):
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

        server = await asyncio.start_server(reset, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = TN3270Client("127.0.0.1", port, lambda record: None)
        try:
            await client.connect()
            async with asyncio.timeout(10):
                return await client.run()
        finally:
            await client.close()
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()

    try:
        reason = asyncio.run(scenario())
    except TN3270ClientError as error:
        assert "connection lost" in str(error)
    else:
        # A reset that arrives as an orderly close is fine too: no OSError escaped.
        assert "closed the connection" in reason


def test_the_tui_reports_an_impossible_host_and_keeps_running():
    async def scenario() -> None:
        app = TerminalApp(TN3270Link(UNRESOLVABLE, 23))
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(500):
                if app.screen3270.status == "not connected":
                    break
                await pilot.pause(0.01)
            assert app.screen3270.status == "not connected"
            assert app.is_running

    asyncio.run(scenario())


def _address() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(min_size=2, max_size=2),
        st.integers(0, 4095).map(lambda a: bytes((0x40 | a >> 6, 0x40 | a & 0x3F))),
    )


_ORDER = st.one_of(
    st.tuples(st.sampled_from([ORDER_SBA, ORDER_EUA]), _address()).map(
        lambda t: bytes((t[0],)) + t[1]
    ),
    st.tuples(_address(), st.integers(0, 255)).map(
        lambda t: bytes((ORDER_RA,)) + t[0] + bytes((t[1],))
    ),
    st.tuples(st.sampled_from([ORDER_SF, ORDER_GE]), st.integers(0, 255)).map(bytes),
    st.tuples(st.just(ORDER_SA), st.integers(0, 255), st.integers(0, 255)).map(bytes),
    st.tuples(
        st.sampled_from([ORDER_SFE, ORDER_MF]),
        st.lists(
            st.tuples(st.sampled_from([0xC0, 0x41, 0x42, 0x43, 0x00]), st.integers(0, 255)),
            max_size=4,
        ),
        st.integers(0, 255),
    ).map(lambda t: bytes((t[0], t[2] if t[2] < 8 else len(t[1])) + sum(t[1], ()))),
    st.sampled_from([bytes((ORDER_IC,)), bytes((ORDER_PT,))]),
    st.binary(max_size=40),
)
_COMMANDS = st.sampled_from([0x01, 0x05, 0x0D, 0x0F, 0x02, 0x06, 0x11, 0xF1, 0xF5, 0x7E, 0x00])


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(sorted(MODELS)),
    st.lists(st.tuples(_COMMANDS, st.integers(0, 255), st.lists(_ORDER, max_size=25)), max_size=6),
)
def test_random_write_streams_on_every_model_raise_only_data_stream_errors(model, records):
    display = Display3270(MODELS[model])
    for command, wcc, orders in records:
        with contextlib.suppress(DataStreamError):
            display.process_outbound(bytes((command, wcc)) + b"".join(orders))
        assert 0 <= display.cursor < display.size
        assert len(display.characters) == len(display.attributes) == display.size
        image = display.erase_write_image()
        copy = Display3270(MODELS[model])
        copy.process_outbound(image)
        assert copy.characters == display.characters


@settings(max_examples=100, deadline=None)
@given(st.lists(_ORDER, max_size=25), st.sampled_from([0x01, 0x05, 0x0D]))
def test_a_bad_stream_through_the_channel_is_unit_check_never_an_exception(orders, command):
    data = bytes((0x02,)) + b"".join(orders)
    rig = ChannelRig()
    display = rig.attach(0x0C0, Display3277())
    rig.storage.write(0x1000, data)
    rig.program([ccw(command, 0x1000, 0x20, len(data))])
    cc = rig.start_io(0x0C0)
    csw = rig.csw() if cc == 1 else rig.run_to_interrupt()[1]
    assert csw.unit_status & (CHANNEL_END | DEVICE_END) == CHANNEL_END | DEVICE_END
    if csw.unit_status & UNIT_CHECK:
        assert display.sense[0] & SENSE_OPERATION_CHECK
    else:
        try:
            Display3270().write(data, erase=True)
        except DataStreamError:
            raise AssertionError("the model refuses a stream the device accepted") from None


def test_serving_on_a_host_name_the_resolver_cannot_encode_is_one_line(capsys):
    from vm370.cli import main

    arguments = ["bare", "--psw", "0002000000000000", "--attach", "0C0=3277"]
    # Not a loopback name: refused unless --public, and then the resolver fails.
    assert main([*arguments, "--tn3270", f"{UNRESOLVABLE}:3270"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--public" in err[0], err
    assert main([*arguments, "--tn3270", f"{UNRESOLVABLE}:3270", "--public"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot listen on" in err[0] and "internal" not in err[0], err

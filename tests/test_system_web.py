"""`vm370 serve --web`: the Textual 3270 terminal as a web page, through textual-serve."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from vm370.cli import main
from vm370.cp.datafolder import DataFolder
from vm370.terminal.web import connect_address

ROOT = Path(__file__).resolve().parents[1]
WAIT = 20
ANSI_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

needs_textual_serve = pytest.mark.skipif(
    importlib.util.find_spec("textual_serve") is None,
    reason="textual-serve is not installed (pip install '.[web]')",
)


@pytest.fixture(scope="module")
def system_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web") / "vm"
    assert main(["init", str(folder), "--users", "1"]) == 0
    return folder


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """`vm370 serve --web` on free loopback ports; (the process, the page's URL)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "vm370", "serve", "--data", str(folder)]
        + ["--tn3270", "127.0.0.1:0", "--web", "127.0.0.1:0"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = [server.stdout.readline(), server.stdout.readline()]
    found = re.search(r"web page on (http://127\.0\.0\.1:\d+/)", lines[1])
    if not found:
        server.kill()
        pytest.fail(f"no web page announced: {lines} {server.stderr.read()}")
    return server, found.group(1)


def screen_text_through_the_page(url: str, wanted: str, then=lambda: None) -> str:
    """Open the page's websocket as the browser does and read the terminal's screen (its
    escape sequences removed) until ``wanted`` appears (then call ``then``, the page still
    open) or WAIT seconds pass."""
    import aiohttp

    received: list[str] = []

    def screen() -> str:
        return ANSI_SEQUENCE.sub("", "".join(received))

    async def read() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url.replace("http:", "ws:") + "ws?width=80&height=30") as socket_,
        ):
            await socket_.send_json(["resize", {"width": 80, "height": 30}])
            async for message in socket_:
                if message.type == aiohttp.WSMsgType.BINARY:
                    received.append(message.data.decode("utf-8", "replace"))
                    if wanted in screen():
                        then()
                        return

    async def read_for_a_while() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(read(), WAIT)

    asyncio.run(read_for_a_while())
    return screen()


@needs_textual_serve
def test_the_web_page_is_the_3270_terminal_connected_to_the_system(system_folder):
    server, url = start_server(system_folder)
    ended: list[tuple[str, str]] = []

    def stop_the_server() -> None:
        assert DataFolder(system_folder).is_locked()
        server.send_signal(signal.SIGINT)  # Ctrl+C with a browser on the page
        ended.append(server.communicate(timeout=WAIT))

    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            assert response.status == 200
            page = response.read().decode()
        assert re.search(r"<div>vm370\b[^<]*3270 terminal</div>", page)  # names the app
        assert "static/js/textual.js" in page  # textual-serve's terminal for the browser
        assert url.replace("http:", "ws:") + "ws" in page  # pointing back at this server
        screen = screen_text_through_the_page(url, "CP READ", then=stop_the_server)
    finally:
        if not ended:
            server.kill()
            ended.append(server.communicate())
    # The browser's terminal is a TN3270 client of the system: CP's logo on a 3277.
    assert "VM/370 ONLINE" in screen
    assert "CP READ" in screen
    out, err = ended[0]
    assert server.returncode == 0, err
    assert "shut down" in out
    assert not DataFolder(system_folder).is_locked()


@needs_textual_serve
def test_a_web_port_in_use_is_a_one_line_error_and_the_folder_is_released(
    system_folder, capsys
):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["serve", "--data", str(system_folder), "--tn3270", "127.0.0.1:0"]
        assert main([*argv, "--web", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err
    assert not DataFolder(system_folder).is_locked()


def test_web_refuses_a_public_address_without_public(system_folder, capsys):
    argv = ["serve", "--data", str(system_folder), "--tn3270", "127.0.0.1:0"]
    assert main([*argv, "--web", "0.0.0.0:8080"]) == 2
    assert "--web 0.0.0.0:8080 would serve the system beyond this machine" in (
        capsys.readouterr().err
    )
    assert not DataFolder(system_folder).is_locked()


def test_web_without_textual_serve_says_how_to_install_it(system_folder, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails as if absent
    argv = ["serve", "--data", str(system_folder), "--tn3270", "127.0.0.1:0"]
    assert main([*argv, "--web", "127.0.0.1:0"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'vm370[web]'" in err
    assert len(err.strip().splitlines()) == 1
    assert not DataFolder(system_folder).is_locked()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0.0.0.0", "127.0.0.1:3270"),
        ("::", "[::1]:3270"),
        ("127.0.0.1", "127.0.0.1:3270"),
        ("::1", "[::1]:3270"),
        ("192.0.2.7", "192.0.2.7:3270"),
        ("localhost", "localhost:3270"),
    ],
)
def test_the_web_terminal_reaches_the_tn3270_server_where_it_listens(host, expected):
    assert connect_address(host, 3270) == expected

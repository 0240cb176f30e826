"""End to end: the echo demo of decks/ on the emulated CPU, through the 3277, to terminals."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from s3270_driver import S3270, S3270_PATH
from terminal_host import ECHO_DECK, ECHO_END_ADDRESS, Terminal, echo_demo_machine

from vm370.hardware.display3270 import AID_CLEAR, AID_ENTER, AID_PF
from vm370.terminal.runner import PacedRunner
from vm370.terminal.tn3270 import TN3270Server
from vm370.terminal.tui.app import TerminalApp
from vm370.terminal.tui.connection import InProcessLink

ROOT = Path(__file__).resolve().parents[2]
needs_s3270 = pytest.mark.skipif(S3270_PATH is None, reason="s3270 is not installed")


def test_the_demo_formats_waits_reads_and_echoes_deterministically():
    machine, device = echo_demo_machine()
    terminal = Terminal()
    device.port.connect(terminal)
    device.poll()
    assert machine.run(100_000) == "enabled-wait"
    screen = terminal.display
    assert screen.row_text(0).strip() == "VM370 3277 ECHO DEMO"
    assert screen.cursor == 246
    screen.type_text("HI THERE")
    device.port.send(terminal, screen.press_aid(AID_ENTER))
    assert device.poll() == 1
    assert machine.run(100_000) == "enabled-wait"
    assert screen.row_text(5).rstrip() == " YOU TYPED: HI THERE"
    assert screen.field_text(245).strip() == ""  # the input field was erased
    assert not screen.keyboard_locked
    assert device.display.screen_text() == screen.screen_text()
    device.port.send(terminal, screen.press_aid(AID_CLEAR))
    device.poll()
    assert machine.run(100_000) == "enabled-wait"
    assert screen.row_text(0).strip() == "VM370 3277 ECHO DEMO"  # rebuilt after Clear
    device.port.send(terminal, screen.press_aid(AID_PF[3]))
    device.poll()
    assert machine.run(100_000) == "disabled-wait"
    assert machine.cpu.current_psw() & 0xFFFFFF == ECHO_END_ADDRESS
    assert "GOODBYE" in screen.row_text(5)


def test_the_same_inputs_give_the_same_run():
    def one_run() -> tuple[int, int, list[str]]:
        machine, device = echo_demo_machine()
        terminal = Terminal()
        device.port.connect(terminal)
        device.poll()
        machine.run(50_000)
        terminal.display.type_text("SAME")
        device.port.send(terminal, terminal.display.press_aid(AID_ENTER))
        device.poll()
        machine.run(50_000)
        return machine.cpu.instructions_executed, machine.clock.now, terminal.display.screen_text()

    assert one_run() == one_run()


@pytest.fixture
def paced_demo():
    machine, device = echo_demo_machine()
    runner = PacedRunner(machine, [device], slice_instructions=5_000)
    stop = threading.Event()
    thread = runner.start_in_thread(stop)
    yield machine, device, runner
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


@needs_s3270
def test_s3270_runs_the_demo_through_the_tn3270_server(paced_demo):
    machine, device, runner = paced_demo
    server = TN3270Server([device.port], port=0)
    server.start_in_thread()
    terminal = S3270("-model", "3278-2")
    try:
        terminal.do(f"Connect(127.0.0.1:{server.port})")
        terminal.wait_for_text("ECHO DEMO")
        terminal.do("Wait(5,InputField)")
        terminal.do('String("echo me")')
        terminal.do("Enter()")
        assert "YOU TYPED: echo me" in terminal.wait_for_text("YOU TYPED: echo me")[5]
        terminal.do('String("and again")')
        terminal.do("Enter()")
        terminal.wait_for_text("YOU TYPED: and again")
        terminal.do("PA(1)")
        terminal.do("Wait(5,Unlock)")
        terminal.do("Clear()")
        terminal.wait_for_text("ECHO DEMO")
        terminal.do("PF(3)")
        terminal.wait_for_text("GOODBYE")
    finally:
        terminal.close()
        server.stop()
    for _ in range(1000):
        if runner.state == "disabled-wait":
            break
        time.sleep(0.01)
    assert machine.cpu.current_psw() & 0xFFFFFF == ECHO_END_ADDRESS


def test_the_tui_runs_the_demo_in_process(paced_demo):
    machine, device, runner = paced_demo

    async def session():
        app = TerminalApp(InProcessLink(device.port), machine=machine, runner=runner)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(1000):
                if "ECHO DEMO" in app.display3270.row_text(0):
                    break
                await pilot.pause(0.01)
            await pilot.press(*"from the tui", "enter")
            for _ in range(1000):
                if "YOU TYPED: from the tui" in app.display3270.row_text(5):
                    break
                await pilot.pause(0.01)
            assert "YOU TYPED: from the tui" in app.display3270.row_text(5)
            assert "3277 0C0" in app.screen3270.oia_text()

    asyncio.run(session())


@needs_s3270
def test_vm370_bare_tn3270_serves_the_demo_until_interrupted(tmp_path):
    deck = tmp_path / "echo.obj"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    assembled = subprocess.run(
        [sys.executable, "-m", "vm370", "asm", str(ECHO_DECK), "-o", str(deck)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert assembled.returncode == 0, assembled.stderr
    bare = subprocess.Popen(
        [
            sys.executable, "-m", "vm370", "bare",
            "--load-deck", f"{deck}@2000", "--psw", "0000000000002000",
            "--attach", "0C0=3277", "--tn3270", "127.0.0.1:0",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    terminal = None
    try:
        first = bare.stdout.readline()
        assert first.startswith("tn3270: serving 3277 0C0 on 127.0.0.1:"), first
        port = int(first.rsplit(":", 1)[1])
        terminal = S3270("-model", "3278-2")
        terminal.do(f"Connect(127.0.0.1:{port})")
        terminal.wait_for_text("ECHO DEMO")
        terminal.do("Wait(5,InputField)")
        terminal.do('String("over the wire")')
        terminal.do("Enter()")
        terminal.wait_for_text("YOU TYPED: over the wire")
        terminal.do("PF(3)")
        terminal.wait_for_text("GOODBYE")
        assert "disabled wait" in bare.stdout.readline()
    finally:
        if terminal is not None:
            terminal.close()
        bare.send_signal(signal.SIGINT)
        try:
            out, err = bare.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            bare.kill()
            out, err = bare.communicate()
    assert bare.returncode == 0, err
    assert "stop disabled-wait  PSW 0002000000000EC0" in out


def test_vm370_bare_tn3270_without_a_3277_says_what_to_attach(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000",
         "--tn3270", "127.0.0.1:0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--attach 0C0=3277" in done.stderr
    assert "Traceback" not in done.stderr


def test_vm370_bare_tn3270_with_a_bad_address_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000",
         "--attach", "0C0=3277", "--tn3270", "127.0.0.1:http"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--tn3270" in done.stderr and "not a number" in done.stderr


def test_vm370_tui_with_a_bad_address_is_a_usage_error(capsys):
    from vm370.cli import main

    assert main(["tui", "--connect", "127.0.0.1:notaport"]) == 2
    assert "--connect" in capsys.readouterr().err


def test_vm370_bare_tn3270_on_a_port_in_use_says_so():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000",
             "--attach", "0C0=3277", "--tn3270", f"127.0.0.1:{port}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def run_in_a_pseudo_terminal(argv: list[str], timeout: float = 30) -> tuple[int | str, str]:
    """Run ``vm370 argv`` with a pseudo-terminal as its keyboard and screen; (status, stderr).

    Textual draws on stderr, so the error line is the last line of stderr.
    """
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "vm370", *argv],
        cwd=ROOT,
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(terminal)

    def drain() -> None:
        try:
            while os.read(controller, 4096):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    try:
        status: int | str = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        status = "still running"
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    os.close(controller)
    return status, stderr


def test_vm370_tui_connecting_to_nothing_exits_with_the_reason():
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: refused
        status, stderr = run_in_a_pseudo_terminal(["tui", "--connect", f"127.0.0.1:{port}"])
    assert status == 1
    # Textual's escape sequences end where our line begins.
    last = stderr.strip().splitlines()[-1].rpartition("\x1b")[2]
    assert f"vm370 tui: cannot connect to 127.0.0.1:{port}" in last


@pytest.mark.parametrize(
    "argv",
    [
        ["tui", "--connect", "127.0.0.1:3270"],
        ["bare", "--psw", "0002000000000000", "--attach", "0C0=3277", "--tui"],
    ],
)
def test_the_textual_terminal_without_a_terminal_on_its_input_is_refused_at_once(argv):
    done = subprocess.run(
        [sys.executable, "-m", "vm370", *argv],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "standard input is not a terminal" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_with_json_the_serving_lines_go_to_stderr_and_stdout_is_only_json():
    import json

    bare = subprocess.Popen(
        [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000",
         "--attach", "0C0=3277", "--tn3270", "127.0.0.1:0", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        first = bare.stderr.readline()
        assert first.startswith("tn3270: serving 3277 0C0 on 127.0.0.1:"), first
        assert "disabled wait" in bare.stderr.readline()
    finally:
        bare.send_signal(signal.SIGINT)
        try:
            out, err = bare.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            bare.kill()
            out, err = bare.communicate()
    assert bare.returncode == 0, err
    assert json.loads(out)["psw"] == "0002000000000000"

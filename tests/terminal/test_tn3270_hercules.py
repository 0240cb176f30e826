"""The TUI's TN3270 client against another server: Hercules' own 3270 console port."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from vm370.hardware.display3270 import Display3270
from vm370.terminal.tn3270_client import TN3270Client

HERCULES = shutil.which("hercules")
pytestmark = pytest.mark.skipif(HERCULES is None, reason="hercules is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hercules_3270(tmp_path):
    port = free_port()
    config = tmp_path / "hercules.cnf"
    config.write_text(
        "CPUSERIAL 000611\nCPUMODEL 3090\nMAINSIZE 2\nNUMCPU 1\nARCHMODE S/370\n"
        f"CNSLPORT 127.0.0.1:{port}\n0C0 3270\n"
    )
    log = tmp_path / "hercules.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [HERCULES, "-d", "-f", str(config)],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HERCULES_RC": os.devnull},
            start_new_session=True,
        )
    try:
        # Wait for its message rather than probe the port: a probe would take the 3270.
        for _ in range(1000):
            if "Waiting for console connection" in log.read_text(errors="replace"):
                break
            time.sleep(0.05)
        else:
            pytest.fail("hercules never listened: " + log.read_text()[-500:])
        yield port
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_the_tn3270_client_shows_the_hercules_logo_screen(hercules_3270):
    screen = Display3270()

    async def session():
        client = TN3270Client("127.0.0.1", hercules_3270, screen.process_outbound)
        await client.connect()
        reading = asyncio.create_task(client.run())
        try:
            for _ in range(100):
                if "Device number" in "".join(screen.screen_text()):
                    break
                await asyncio.sleep(0.05)
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)
            await client.close()

    asyncio.run(session())
    text = "\n".join(screen.screen_text())
    assert "Hercules Version" in text
    assert "Device number     : 00C0" in text

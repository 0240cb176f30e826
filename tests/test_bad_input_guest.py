"""Guest programs that do wild things with I/O: the emulator ends, with a clear report.

Each program is hand-encoded (low storage, code at X'200') and run with
``vm370 bare --load ... --json`` in a subprocess, so a hang is a failed test
and not a stalled test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The I/O new PSW (X'78') is a disabled wait: the first I/O interruption stops the run.
IO_NEW_PSW = (0x78, "0002000000000000")


def image(parts: dict[int, str]) -> bytes:
    """A storage image from {address: hex}."""
    size = max(address + len(text) // 2 for address, text in parts.items())
    data = bytearray(size)
    for address, text in parts.items():
        data[address : address + len(text) // 2] = bytes.fromhex(text)
    return bytes(data)


def start_io_then_wait(channel_program: str, device: str = "00E") -> bytes:
    """MVC the CAW into X'48', SIO the device, load an enabled wait PSW (channels on)."""
    return image(
        {
            IO_NEW_PSW[0]: IO_NEW_PSW[1],
            0x200: "D20300480218" + f"9C000{device}" + "82000210" + "0000",
            0x210: "FE02000000000000",  # wait, channels 0-6 enabled
            0x218: "00000220",  # the CAW: key 0, the program at X'220'
            0x220: channel_program,
        }
    )


def run_bare(tmp_path: Path, program: bytes, *arguments: str, timeout: float = 20):
    binary = tmp_path / "guest.bin"
    binary.write_bytes(program)
    command = [sys.executable, "-m", "vm370", "bare", "--load", f"{binary}@0"]
    command += ["--psw", "0000000000000200", "--json", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def test_a_write_with_data_chaining_past_the_end_of_storage_is_program_check(tmp_path):
    listing = tmp_path / "out.txt"
    # Write 32 bytes from X'FFF0' of 64K (16 exist), data chained to X'FFFFF0' (none exist).
    program = start_io_then_wait("09FFFFF080000020" + "00FFFFF000000020")
    result = run_bare(
        tmp_path, program, "--storage", "64K", "--attach", f"00E=1403:{listing}", "--dump", "40:8"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stop"] == "disabled-wait"  # the I/O new PSW: the interruption came
    csw = bytes.fromhex(report["dump"]["40"])
    assert csw[5] & 0x20, f"channel status {csw[5]:02X} lacks program check"


def test_an_endless_channel_program_under_an_enabled_wait_stops_at_the_limit(tmp_path):
    program = start_io_then_wait("0300000040000001" + "0800022000000001")
    listing = tmp_path / "out.txt"
    try:
        result = run_bare(
            tmp_path,
            program,
            "--max-instructions",
            "1000",
            "--attach",
            f"00E=1403:{listing}",
            timeout=8,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the emulator was still running 8 seconds after a 1000-instruction limit")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stop"] == "limit"


def _limited_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("option", ["--load", "--load-deck"])
def test_an_endless_file_to_load_is_a_one_line_error(option):
    command = [sys.executable, "-m", "vm370", "bare", option, "/dev/zero@0", "--json"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, preexec_fn=_limited_memory
    )
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_program_file_that_a_printer_would_write_is_refused_and_kept(tmp_path):
    program = tmp_path / "prog.bin"
    image = bytes.fromhex("80FF0000") + bytes(4)  # SSM, then zeros
    program.write_bytes(image)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vm370",
            "bare",
            "--load",
            f"{program}@200",
            "--psw",
            "0000000000000200",
            "--attach",
            f"00E=1403:{program}",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "written by the" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert program.read_bytes() == image

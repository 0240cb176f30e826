"""The same card decks IPLed on this machine and on Hercules give the same results.

Hercules 3.13 runs in daemon mode with a short script (IPL, pause, quit); its
1403 writes a file and its integrated 1052 console types into its log. The
DASD deck formats a track on a pack made by ``vm370 dasd create``, writes
three records, reads one back by search and prints DASD OK or DASD BAD: the
printed line and the pack files the two systems leave behind must agree byte
for byte. Skipped when Hercules is not installed.
"""

import os
import shutil
import subprocess

import pytest
from channel_decks import (
    READBACK_LINE_BAD,
    READBACK_LINE_OK,
    bootstrap_deck,
    dasd_core_image,
    hello_deck,
)

from vm370.cli import main

pytestmark = pytest.mark.skipif(
    shutil.which("hercules") is None, reason="Hercules is not installed"
)


def run_hercules(directory, devices: list[str], ipl: str) -> str:
    """IPL on Hercules with ``devices`` (configuration lines); return its log."""
    config = directory / "hercules.cnf"
    config.write_text(
        "\n".join(["MAINSIZE 2", "NUMCPU 1", "ARCHMODE S/370", "OSTAILOR QUIET", *devices]) + "\n"
    )
    script = directory / "hercules.rc"
    script.write_text(f"ipl {ipl}\npause 2\nquit\n")
    done = subprocess.run(
        ["hercules", "-d", "-f", str(config)],
        cwd=directory,
        env=dict(os.environ, HERCULES_RC=str(script)),
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )
    return done.stdout + done.stderr


def test_hello_deck_prints_and_types_the_same_on_hercules(tmp_path):
    deck = tmp_path / "hello.deck"
    deck.write_bytes(b"".join(hello_deck()))
    theirs = tmp_path / "hercules"
    theirs.mkdir()
    log = run_hercules(
        theirs,
        [f"000C 3505 {deck} ebcdic eof", "000E 1403 printer.txt", "001F 1052-C"],
        "00C",
    )
    assert "HELLO, 1052" in log
    assert "00020000 800000AA" in log  # Hercules shows the S/370 BC PSW
    printed = (theirs / "printer.txt").read_text().replace("\r", "")
    out, con = tmp_path / "out.txt", tmp_path / "con.txt"
    status = main(
        [
            "bare",
            "--attach", f"00C=2540R:{deck}",
            "--attach", f"00E=1403:{out}",
            "--attach", f"01F=1052:{con}",
            "--ipl", "00C",
        ]
    )  # fmt: skip
    assert status == 0
    assert out.read_text() == printed == "HELLO, 1403\n"
    assert con.read_text() == "HELLO, 1052\n"


@pytest.mark.parametrize("device_type", ["2314", "2311"])
def test_dasd_deck_formats_the_same_track_on_hercules_and_here(tmp_path, capsys, device_type):
    deck_cards = bootstrap_deck(bytes.fromhex("0000000000000400"), dasd_core_image())
    deck = tmp_path / "dasd.deck"
    deck.write_bytes(b"".join(deck_cards))
    ours_pack, theirs_pack = tmp_path / "ours.pack", tmp_path / "theirs.pack"
    assert main(["dasd", "create", device_type, str(ours_pack), "--cylinders", "10"]) == 0
    shutil.copy(ours_pack, theirs_pack)
    capsys.readouterr()
    theirs = tmp_path / "hercules"
    theirs.mkdir()
    log = run_hercules(
        theirs,
        [
            f"000C 3505 {deck} ebcdic eof",
            "000E 1403 printer.txt",
            f"0190 {device_type} {theirs_pack}",
        ],
        "00C",
    )
    assert "800000BB" in log, log[-2000:]
    hercules_line = (theirs / "printer.txt").read_text().replace("\r", "")
    out = tmp_path / "out.txt"
    status = main(
        [
            "bare",
            "--attach", f"00C=2540R:{deck}",
            "--attach", f"00E=1403:{out}",
            "--attach", f"190={device_type}:{ours_pack}",
            "--ipl", "00C",
            "--json",
        ]
    )  # fmt: skip
    assert status == 0
    assert '"disabled-wait"' in capsys.readouterr().out
    assert hercules_line == READBACK_LINE_OK + "\n"
    assert out.read_text() == hercules_line
    assert READBACK_LINE_BAD not in out.read_text()
    assert ours_pack.read_bytes() == theirs_pack.read_bytes()

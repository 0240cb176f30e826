"""Host files written whole or not at all: temporary file, fsync, rename."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vm370.hardware.host_files import TEMPORARY_SUFFIX, new_file, write_file

ROOT = Path(__file__).resolve().parents[2]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(TEMPORARY_SUFFIX))


def test_write_file_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "deck.obj"
    path.write_bytes(b"old")
    write_file(path, b"new contents")
    assert path.read_bytes() == b"new contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.obj"]


def test_a_failure_while_writing_keeps_the_previous_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "deck.obj"
    path.write_bytes(b"the good deck")
    with pytest.raises(OSError, match="No space"), new_file(path, overwrite=True) as file:
        file.write(b"half a deck")
        raise OSError(28, "No space left on device")
    assert path.read_bytes() == b"the good deck"
    assert leftovers(tmp_path) == []


def test_a_new_file_that_fails_leaves_no_file_at_all(tmp_path):
    path = tmp_path / "pack.2314"
    with pytest.raises(KeyboardInterrupt), new_file(path, overwrite=False) as file:
        file.write(b"CKD_P370")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_new_file_never_replaces_one_that_exists(tmp_path):
    path = tmp_path / "pack.2314"
    path.write_bytes(b"someone's pack")
    with pytest.raises(FileExistsError), new_file(path, overwrite=False) as file:
        file.write(b"blank")
    assert path.read_bytes() == b"someone's pack"
    # Created by someone else while this one was being written: still not replaced.
    other = tmp_path / "other.2314"
    with pytest.raises(FileExistsError), new_file(other, overwrite=False) as file:
        file.write(b"blank")
        other.write_bytes(b"theirs")
    assert other.read_bytes() == b"theirs"
    assert leftovers(tmp_path) == []


def test_the_replaced_file_keeps_its_permissions_and_a_protected_one_is_refused(tmp_path):
    path = tmp_path / "listing.lst"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_file(path, b"new")
    assert path.stat().st_mode & 0o777 == 0o640
    path.chmod(0o444)
    if os.access(path, os.W_OK):
        pytest.skip("running as root: every file is writable")
    with pytest.raises(PermissionError):
        write_file(path, b"newer")
    assert path.read_bytes() == b"new"


def test_a_symbolic_link_stays_a_link_to_the_file_it_names(tmp_path):
    real = tmp_path / "real.obj"
    real.write_bytes(b"old")
    link = tmp_path / "link.obj"
    link.symlink_to(real)
    write_file(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_is_written_in_place_not_replaced():
    write_file("/dev/null", b"discarded")
    assert Path("/dev/null").is_char_device()


def _killed_while_writing(path: Path, size: int, limit: int) -> int:
    """Run write_file in a process the kernel kills (SIGXFSZ) when a file reaches ``limit``."""
    script = (
        "import signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        "from vm370.hardware.host_files import write_file\n"
        f"write_file(sys.argv[1], b'x' * {size})\n"
    )

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        preexec_fn=limit_file_size,
        capture_output=True,
        timeout=60,
    )
    return done.returncode


def test_a_process_killed_while_writing_leaves_the_previous_file(tmp_path):
    path = tmp_path / "deck.obj"
    path.write_bytes(b"the good deck")
    assert _killed_while_writing(path, 100_000, 50_000) == -signal.SIGXFSZ
    assert path.read_bytes() == b"the good deck"
    # Only the hidden temporary file is left, under another name.
    assert len(leftovers(tmp_path)) == 1


def test_a_name_of_255_bytes_can_still_be_replaced(tmp_path):
    path = tmp_path / ("d" * 251 + ".obj")
    path.write_bytes(b"old")
    write_file(path, b"new")
    assert path.read_bytes() == b"new" and leftovers(tmp_path) == []

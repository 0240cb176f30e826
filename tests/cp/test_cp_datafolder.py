"""The data folder: its layout, where a minidisk lies, and the lock that names its process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from vm370.cp.datafolder import (
    DIRECTORY_FILE,
    LOCK_FILE,
    PACKS_DIR,
    PASSWORDS_FILE,
    SYSTEM_FILE,
    DataFolder,
    DataFolderError,
    SystemLocked,
    UnknownMinidisk,
    default_pack_image,
)
from vm370.cp.directory import DirectoryError
from vm370.cp.sysconfig import SystemConfigError

DECKS = Path(__file__).resolve().parents[2] / "decks"


@pytest.fixture
def folder(tmp_path) -> DataFolder:
    """A data folder holding the sample system's configuration and directory."""
    shutil.copy(DECKS / "system.conf", tmp_path / SYSTEM_FILE)
    shutil.copy(DECKS / "user.direct", tmp_path / DIRECTORY_FILE)
    return DataFolder(tmp_path)


def test_the_layout_names(tmp_path):
    data = DataFolder(tmp_path)
    assert (SYSTEM_FILE, DIRECTORY_FILE, PACKS_DIR, LOCK_FILE, PASSWORDS_FILE) == (
        "system.conf",
        "user.direct",
        "packs",
        "vm370.lock",
        "passwords.txt",
    )
    assert data.system_path == tmp_path / "system.conf"
    assert data.directory_path == tmp_path / "user.direct"
    assert data.lock_path == tmp_path / "vm370.lock"
    assert data.passwords_path == tmp_path / "passwords.txt"
    assert default_pack_image("VMSRES") == Path("packs/vmsres.ckd")


def test_load_reads_the_configuration_then_the_directory_against_it(folder):
    system, directory = folder.load()
    assert system.storage_size == 2 * 1024 * 1024
    assert "USER4" in directory.users
    assert folder.pack_path("vmpk01") == folder.path / "packs" / "vmpk01.ckd"


def test_load_reports_the_directorys_problems_with_the_configuration(folder):
    text = folder.directory_path.read_text()
    folder.directory_path.write_text(text.replace("VMPK01 W", "NOPACK W", 1))
    with pytest.raises(DirectoryError) as caught:
        folder.load()
    assert "volume NOPACK is not a pack of the real configuration" in str(caught.value)
    folder.system_path.write_text("STORAGE 3K\n")
    with pytest.raises(SystemConfigError):
        folder.load()


def test_pack_path_of_an_unknown_volume(folder):
    with pytest.raises(DataFolderError) as caught:
        folder.pack_path("NOPACK")
    assert "no pack NOPACK" in str(caught.value)


def test_minidisk_location_of_an_own_disk_and_a_linked_one(folder):
    image = folder.path / "packs" / "vmpk01.ckd"
    assert folder.minidisk_location("user2", 0x191) == (image, "2314", 11, 10)
    system_disk = (folder.path / "packs" / "vmsres.ckd", "2314", 101, 20)
    assert folder.minidisk_location("MAINT", 0x190) == system_disk
    assert folder.minidisk_location("USER3", 0x190) == system_disk


def test_minidisk_location_errors_are_clear_and_hold_no_password(folder):
    with pytest.raises(UnknownMinidisk) as caught:
        folder.minidisk_location("NOBODY", 0x191)
    assert "no user NOBODY" in str(caught.value)
    with pytest.raises(UnknownMinidisk) as caught:
        folder.minidisk_location("USER1", 0x192)
    assert str(caught.value) == "user USER1 has no minidisk 192 in the directory"
    # MAINT's logon password and its 190's write and multi passwords (decks/user.direct).
    with pytest.raises(UnknownMinidisk) as caught:
        folder.minidisk_location("MAINT", 0x199)
    for password in ("CPCMS", "MAINTW", "MAINTM"):
        assert password not in str(caught.value)


def test_a_temporary_disk_has_no_fixed_location(folder):
    with open(folder.directory_path, "a") as file:
        file.write(" MDISK 195 2314 T-DISK 2\n")
    with pytest.raises(UnknownMinidisk) as caught:
        folder.minidisk_location("USER4", 0x195)
    assert "temporary disk" in str(caught.value)


def test_the_lock_names_this_process_and_host(folder):
    folder.lock()
    assert folder.lock_path.read_text() == f"pid {os.getpid()}\nhost {socket.gethostname()}\n"
    assert folder.is_locked()
    folder.lock()  # already held: nothing changes
    folder.unlock()
    assert not folder.lock_path.exists()
    assert not folder.is_locked()


def test_a_second_holder_in_this_process_is_refused(folder):
    folder.lock()
    other = DataFolder(folder.path)
    with pytest.raises(SystemLocked) as caught:
        other.lock()
    assert caught.value.pid == os.getpid()
    assert f"process {os.getpid()}" in str(caught.value)
    other.unlock()  # not its lock: left alone
    assert folder.lock_path.exists()
    folder.unlock()


def test_a_live_process_lock_is_refused_naming_its_pid(folder):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        folder.lock_path.write_text(f"pid {sleeper.pid}\nhost {socket.gethostname()}\n")
        assert folder.is_locked()
        with pytest.raises(SystemLocked) as caught:
            folder.lock()
        assert caught.value.pid == sleeper.pid
        assert str(sleeper.pid) in str(caught.value)
        assert str(folder.lock_path) in str(caught.value)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_lock_left_by_a_dead_process_is_cleared(folder):
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    folder.lock_path.write_text(f"pid {dead_pid}\nhost {socket.gethostname()}\n")
    assert not folder.is_locked()
    folder.lock()
    assert folder.lock_path.read_text().startswith(f"pid {os.getpid()}\n")
    folder.unlock()


def test_a_lock_from_another_host_is_taken_as_live(folder):
    folder.lock_path.write_text("pid 1234\nhost some-other-host.example\n")
    with pytest.raises(SystemLocked) as caught:
        folder.lock()
    assert caught.value.host == "some-other-host.example"
    assert "host some-other-host.example" in str(caught.value)
    assert folder.lock_path.read_text().startswith("pid 1234")


def test_a_garbled_lock_file_is_cleared(folder):
    folder.lock_path.write_bytes(b"\x00\x01 not a lock")
    assert not folder.is_locked()
    with folder.locked():
        assert folder.is_locked()
    assert not folder.lock_path.exists()


def test_locking_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(DataFolderError) as caught:
        DataFolder(tmp_path / "missing").lock()
    assert "is not a folder" in str(caught.value)

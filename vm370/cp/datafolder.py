"""A system's data folder: where its configuration, directory and packs live, and its lock.

::

    system.conf     the real configuration (vm370.cp.sysconfig)
    user.direct     the user directory (vm370.cp.directory)
    packs/          pack images, as the PACK statements name them
    passwords.txt   kept for passwords a system generator writes, for the folder's owner
    vm370.lock      present while a system runs from the folder: "pid N" and "host NAME"

Only one system runs from a folder at a time, and host-side tools change no
pack while it does. A lock left by a process that has died (same host, no such
process) is recognized and cleared; a lock from another host cannot be checked
and is taken to be live.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from vm370.cp.directory import Directory, load_directory
from vm370.cp.sysconfig import SystemConfig, load_system

SYSTEM_FILE = "system.conf"
DIRECTORY_FILE = "user.direct"
PACKS_DIR = "packs"
LOCK_FILE = "vm370.lock"
PASSWORDS_FILE = "passwords.txt"

# A lock file is two short lines; anything longer is not one of ours.
_MAX_LOCK_BYTES = 4096


class DataFolderError(Exception):
    """A data folder that cannot be used as asked (the message says why)."""


class SystemLocked(DataFolderError):
    """The folder's system is running (or was, on a host this process cannot check)."""

    def __init__(self, lock_path: Path, pid: int, host: str):
        self.pid = pid
        self.host = host
        where = "this host" if host == socket.gethostname() else f"host {host}"
        super().__init__(
            f"{lock_path.parent} is in use by process {pid} on {where} "
            f"(if no system runs from it, remove {lock_path})"
        )


class UnknownMinidisk(DataFolderError):
    """A user or virtual address the directory does not have as a disk."""


def default_pack_image(volser: str) -> Path:
    """Where ``vm370 init`` puts a pack's image, relative to the folder: packs/<volser>.ckd."""
    return Path(PACKS_DIR) / f"{volser.lower()}.ckd"


class DataFolder:
    """One system's folder on the host."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.system: SystemConfig | None = None
        self.directory: Directory | None = None
        self._holding_lock = False

    @property
    def system_path(self) -> Path:
        return self.path / SYSTEM_FILE

    @property
    def directory_path(self) -> Path:
        return self.path / DIRECTORY_FILE

    @property
    def packs_path(self) -> Path:
        return self.path / PACKS_DIR

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK_FILE

    @property
    def passwords_path(self) -> Path:
        return self.path / PASSWORDS_FILE

    def load(self) -> tuple[SystemConfig, Directory]:
        """Read and check the real configuration, then the directory against it.

        Raises ``SystemConfigError`` or ``DirectoryError`` (each listing every problem).
        """
        system = load_system(self.system_path)
        directory = load_directory(self.directory_path, system)
        self.system, self.directory = system, directory
        return system, directory

    def _loaded(self) -> tuple[SystemConfig, Directory]:
        if self.system is None or self.directory is None:
            return self.load()
        return self.system, self.directory

    def pack_path(self, volser: str) -> Path:
        """The image file of the pack ``volser``, as the real configuration names it."""
        if self.system is None:
            self.system = load_system(self.system_path)
        pack = self.system.packs.get(volser.upper())
        if pack is None:
            known = ", ".join(sorted(self.system.packs)) or "none"
            raise DataFolderError(
                f"{self.system_path} has no pack {volser.upper()} (packs: {known})"
            )
        return self.path / pack.image

    def minidisk_location(self, userid: str, cuu: int) -> tuple[Path, str, int, int]:
        """(image file, device type, first cylinder, cylinders) of a user's disk at ``cuu``.

        A LINK statement is followed to the disk it names.
        """
        system, directory = self._loaded()
        userid = userid.upper()
        user = directory.users.get(userid)
        if user is None:
            raise UnknownMinidisk(f"{self.directory_path} has no user {userid}")
        disk = user.minidisks.get(cuu)
        if disk is None:
            link = next((link for link in user.links if link.cuu == cuu), None)
            if link is not None:
                disk = directory.users[link.userid].minidisks[link.target_cuu]
        if disk is None:
            if cuu in user.temporary_disks:
                raise UnknownMinidisk(
                    f"{userid} {cuu:03X} is a temporary disk: CP finds its cylinders at LOGON"
                )
            raise UnknownMinidisk(f"user {userid} has no minidisk {cuu:03X} in the directory")
        pack = system.packs[disk.volser]
        return self.path / pack.image, disk.device_type, disk.start_cylinder, disk.cylinders

    def lock(self) -> None:
        """Mark the folder as in use by this process; raise ``SystemLocked`` if it already is."""
        if self._holding_lock:
            return
        record = f"pid {os.getpid()}\nhost {socket.gethostname()}\n"
        for _ in range(2):
            if self._create_lock(record):
                self._holding_lock = True
                return
            holder = self._read_lock()
            if holder is not None and _alive(*holder):
                raise SystemLocked(self.lock_path, *holder)
            # Dead holder or a file that is not a lock record: clear it and try once more.
            with contextlib.suppress(FileNotFoundError):
                self.lock_path.unlink()
        holder = self._read_lock() or (0, "unknown")
        raise SystemLocked(self.lock_path, *holder)

    def _create_lock(self, record: str) -> bool:
        """Create the lock file whole, atomically; False if one exists."""
        if not self.path.is_dir():
            raise DataFolderError(f"{self.path} is not a folder")
        # Written to a private name and linked into place, so no reader ever sees half a record.
        staging = self.path / f".{LOCK_FILE}.{os.getpid()}"
        staging.write_text(record, encoding="ascii")
        try:
            os.link(staging, self.lock_path)
            return True
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links: exclusive creation is atomic too.
            try:
                descriptor = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(record)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()

    def _read_lock(self) -> tuple[int, str] | None:
        """(pid, host) from the lock file, or None if there is none or it is not a lock record."""
        try:
            with open(self.lock_path, "rb") as file:
                raw = file.read(_MAX_LOCK_BYTES)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise DataFolderError(
                f"cannot read {self.lock_path}: {error.strerror or error}"
            ) from None
        fields = {}
        for line in raw.decode("ascii", "replace").splitlines():
            key, _, value = line.strip().partition(" ")
            fields[key] = value.strip()
        if not fields.get("pid", "").isdigit() or not fields.get("host"):
            return None
        return int(fields["pid"]), fields["host"]

    def unlock(self) -> None:
        """Remove this process's lock (a lock held by another process is left alone)."""
        if not self._holding_lock:
            return
        holder = self._read_lock()
        if holder == (os.getpid(), socket.gethostname()):
            with contextlib.suppress(FileNotFoundError):
                self.lock_path.unlink()
        self._holding_lock = False

    def running_process(self) -> int | None:
        """The pid of the live process on this host holding the folder, if there is one."""
        holder = self._read_lock()
        if holder is None or holder[1] != socket.gethostname() or not _alive(*holder):
            return None
        return holder[0]

    def is_locked(self) -> bool:
        """Whether a live process holds the folder (this one included)."""
        holder = self._read_lock()
        return holder is not None and _alive(*holder)

    @contextlib.contextmanager
    def locked(self):
        """``with folder.locked():`` holds the lock for the block."""
        self.lock()
        try:
            yield self
        finally:
            self.unlock()


def _alive(pid: int, host: str) -> bool:
    """Whether process ``pid`` on ``host`` may still run (another host's cannot be checked)."""
    if host != socket.gethostname():
        return True
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return True
    return True

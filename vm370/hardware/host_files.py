"""Writing host files so that a failure never leaves half a file under the real name.

A deck, a listing or a new pack is written to a temporary file in the same
folder (``.NAME.XXXXXXXX.partial``), forced to the disk (fsync), and only
then renamed to its name, and the folder is forced too. So:

- a full disk or any other write error leaves the previous file as it was
  (or no file) and removes the temporary one;
- a process killed while writing leaves the previous file or none; only the
  hidden ``.partial`` file may remain, and it can be deleted;
- after a power loss the name holds either the old file or the whole new
  one, on file systems that keep the order of fsync and rename (ext4, XFS,
  APFS, NTFS).

A name that is not a regular file (``/dev/null``, ``/dev/full``, a pipe) is
written in place: it cannot be replaced, and what was there is no file to
keep.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMPORARY_SUFFIX = ".partial"


def write_file(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole, or raise OSError and leave it as it was."""
    with new_file(path, overwrite=True) as file:
        file.write(data)


@contextlib.contextmanager
def new_file(path: str | Path, *, overwrite: bool) -> Iterator[BinaryIO]:
    """A file to write that appears under ``path`` only once it is complete.

    With ``overwrite`` false an existing ``path`` raises FileExistsError, before
    anything is written and again (no race) at the end.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # the file the link names is the one replaced
    existing = _status(target)
    if existing is not None and not overwrite:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(target, "wb") as file:
            yield file
        return
    if existing is not None and not os.access(target, os.W_OK):
        # Replacing it would succeed where writing it could not: a protected file stays.
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    temporary, file = _create_temporary(target)
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        if overwrite:
            os.replace(temporary, target)
        else:
            _link_new(temporary, target, str(path))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _status(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _create_temporary(target: Path) -> tuple[Path, BinaryIO]:
    """A new file next to ``target``, made with the usual permissions (0666 less umask)."""
    while True:
        # The name cut short so that the temporary one stays within 255 bytes too.
        stem = target.name[:200]
        temporary = target.with_name(f".{stem}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            # Name the file the user asked for, not the temporary one.
            raise OSError(error.errno, error.strerror, str(target)) from None
        return temporary, os.fdopen(descriptor, "wb")


def _link_new(temporary: Path, target: Path, name: str) -> None:
    """Give ``temporary`` the name ``target`` unless something has it by now, then drop
    the temporary name. A hard link fails on an existing name, where rename would not."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), name) from None
    except OSError:
        # A file system without hard links: a check, then rename.
        if target.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), name) from None
        os.rename(temporary, target)
        return
    temporary.unlink()


def _sync_folder(folder: Path) -> None:
    """Force the folder's new entry to the disk (POSIX; elsewhere the rename must do)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

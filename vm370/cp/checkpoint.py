"""Checkpoint and restore: a running system saved whole in its data folder, and resumed.

A checkpoint is the folder ``checkpoints/NAME`` of the data folder:

    state.pickle      real storage and keys, the CPU, the channels and devices, CP
                      and every virtual machine, the spool, the consoles' screens
    packs/*.ckd       the pack images as they were at that instruction
    system.conf, user.direct   the configuration and directory it ran with
    checkpoint.json   name, host time, virtual clock, version, users logged on

It is taken between two slices of the run (``RealSystem.run`` takes the
requests the CP command CHECKPOINT and ``vm370 checkpoint`` leave), so no
instruction, channel program or CP entry is half done. Restoring copies the
packs back and unpickles the rest; the machine then goes on from that
instruction, on the same virtual clock, so the same terminal input gives the
same run, instruction for instruction (``Display3277.replay``).

What is not in the pickle, because it is the host's and not the machine's:

- terminal connections (a terminal that connects to a restored 3277 is shown
  its screen as it was; nobody is logged off);
- decoded instructions and translated blocks (made again as the machine runs);
- the directory with its passwords, which are never pickled: objects of the
  directory are written as their place in it and found again in the
  directory read at restore, which must be the one the checkpoint was taken
  with;
- the pack image files, written as their names in the data folder, and the
  data folder itself (its lock belongs to the restoring process).

A state file is read with an unpickler that makes objects of the project's
own classes and a few standard containers only; a checkpoint is still the
data folder owner's file, to be trusted as the folder itself is.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import vm370
from vm370.cp.datafolder import DataFolder
from vm370.hardware.devices.ckd_image import CKDImage

CHECKPOINTS_DIR = "checkpoints"
STATE_FILE = "state.pickle"
INFO_FILE = "checkpoint.json"
NAME_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_$#@-]{0,15}")
# The system's object graph nests deeper than Python's default allows a pickler.
RECURSION_LIMIT = 50_000

# What a state file may make: the project's classes, and these.
_ALLOWED_GLOBALS = {
    "builtins": {"set", "frozenset", "bytearray", "complex", "range", "slice", "getattr"},
    "collections": {"deque", "OrderedDict", "defaultdict", "Counter"},
    "copyreg": {"_reconstructor"},
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "functools": {"partial"},
    "itertools": {"count"},
    "pathlib": {"Path", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath"},
}
_PROJECT_PACKAGES = ("vm370.", "cms.", "assembler.")


class CheckpointError(Exception):
    """A checkpoint cannot be taken or restored (the message says why)."""


def checkpoint_name(text: str) -> str:
    """A checkpoint's name, VM/370-style: up to 16 letters, digits and _$#@-, any case."""
    name = text.strip().upper()
    if not NAME_PATTERN.fullmatch(name):
        raise CheckpointError(
            f"{text!r} is not a checkpoint name: 1-16 letters, digits or _$#@-, "
            "starting with a letter or digit"
        )
    return name


def checkpoints_path(folder: DataFolder) -> Path:
    return folder.path / CHECKPOINTS_DIR


def list_checkpoints(folder: DataFolder) -> list[dict]:
    """What each checkpoint of ``folder`` is (its checkpoint.json), by name."""
    root = checkpoints_path(folder)
    found = []
    if root.is_dir():
        for path in sorted(root.iterdir()):
            info_path = path / INFO_FILE
            if path.is_dir() and NAME_PATTERN.fullmatch(path.name) and info_path.is_file():
                with contextlib.suppress(OSError, ValueError):
                    found.append(json.loads(info_path.read_text(encoding="utf-8")))
    return found


def write_checkpoint(system, name: str) -> Path:
    """Save ``system`` (a RealSystem between two slices) as checkpoint ``name``; its folder.

    Nothing of an earlier checkpoint of that name is lost unless the new one is whole.
    """
    name = checkpoint_name(name)
    folder: DataFolder = system.folder
    for _, device in system.packs.values():
        device.image.flush()  # every track written reaches the file before it is copied
    state = _dumps(system)
    root = checkpoints_path(folder)
    root.mkdir(exist_ok=True)
    staging = root / f".{name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        (staging / "packs").mkdir(parents=True)
        _write_file(staging / STATE_FILE, state)
        for _, device in system.packs.values():
            image_path = Path(device.image.path)
            shutil.copyfile(image_path, staging / "packs" / image_path.name)
            _fsync(staging / "packs" / image_path.name)
        for source in (folder.system_path, folder.directory_path):
            shutil.copyfile(source, staging / source.name)
        clock = system.machine.clock
        info = {
            "name": name,
            "taken": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "virtual_time": system.cp.time_of_day().isoformat(timespec="seconds"),
            "clock": clock.now,
            "instructions": system.cpu.instructions_executed,
            "users": sorted(system.users.users),
            "version": vm370.__version__,
            "state_sha256": hashlib.sha256(state).hexdigest(),
        }
        _write_file(staging / INFO_FILE, json.dumps(info, indent=2).encode() + b"\n")
        final = root / name
        retired = root / f".{name}.old-{os.getpid()}"
        if final.exists():
            final.rename(retired)
        staging.rename(final)
        if retired.exists():
            shutil.rmtree(retired)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise CheckpointError(
            f"checkpoint {name} not written: {error.strerror or error}"
            + (f" ({error.filename})" if getattr(error, "filename", None) else "")
        ) from None
    return final


def restore_system(folder: DataFolder, name: str):
    """The RealSystem of checkpoint ``name``, its packs copied back into ``folder``.

    ``folder`` must be locked by the caller. The packs' contents since the
    checkpoint are replaced by the checkpoint's (that is what restoring means);
    nothing is touched when the checkpoint cannot be restored.
    """
    from vm370.cp.realsystem import RealSystem

    name = checkpoint_name(name)
    path = checkpoints_path(folder) / name
    info_path = path / INFO_FILE
    if not info_path.is_file():
        known = ", ".join(info["name"] for info in list_checkpoints(folder)) or "none"
        raise CheckpointError(f"{folder.path} has no checkpoint {name} (checkpoints: {known})")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        state = (path / STATE_FILE).read_bytes()
    except (OSError, ValueError) as error:
        raise CheckpointError(f"checkpoint {name} cannot be read: {error}") from None
    if info.get("version") != vm370.__version__:
        raise CheckpointError(
            f"checkpoint {name} was taken by vm370 {info.get('version')}; this is "
            f"{vm370.__version__}, whose machine may differ: restore it with that version"
        )
    if hashlib.sha256(state).hexdigest() != info.get("state_sha256"):
        raise CheckpointError(f"checkpoint {name}: {STATE_FILE} is damaged (checksum differs)")
    for current in (folder.system_path, folder.directory_path):
        kept = path / current.name
        if not kept.is_file() or kept.read_bytes() != current.read_bytes():
            raise CheckpointError(
                f"{current} has changed since checkpoint {name} was taken: a restored system "
                f"needs the one it ran with (kept as {kept})"
            )
    folder.load()
    pack_files = sorted((path / "packs").glob("*.ckd"))
    expected = sorted(Path(pack.image).name for pack in folder.system.packs.values())
    if [p.name for p in pack_files] != expected:
        raise CheckpointError(f"checkpoint {name}: its packs are not the configuration's")
    for kept in pack_files:
        target = folder.packs_path / kept.name
        staging = target.with_name(f".{kept.name}.restore-{os.getpid()}")
        try:
            shutil.copyfile(kept, staging)
            _fsync(staging)
            os.replace(staging, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                staging.unlink()
            raise CheckpointError(f"cannot restore {target}: {error.strerror or error}") from None
    system = _loads(state, folder)
    if not isinstance(system, RealSystem):
        raise CheckpointError(f"checkpoint {name}: {STATE_FILE} does not hold a system")
    return system


# Requests from another process (`vm370 checkpoint`): a file names the checkpoint,
# SIGUSR1 says it is there, and the system answers in a file.

REQUEST_PREFIX = ".request-"
REPLY_PREFIX = ".reply-"


def request_checkpoint(folder: DataFolder, name: str, wait: float) -> str:
    """Ask the process running ``folder``'s system for checkpoint ``name``; its answer."""
    holder = folder.running_process()
    if holder is None:
        raise CheckpointError(
            f"no system is running on {folder.path}: a checkpoint is taken while it runs "
            "(vm370, vm370 serve or vm370 session --data)"
        )
    root = checkpoints_path(folder)
    root.mkdir(exist_ok=True)
    nonce = f"{os.getpid()}-{time.monotonic_ns()}"
    request, reply = root / f"{REQUEST_PREFIX}{nonce}", root / f"{REPLY_PREFIX}{nonce}"
    staging = root / f".staging-{nonce}"
    staging.write_text(name + "\n", encoding="ascii")
    os.replace(staging, request)
    try:
        os.kill(holder, signal.SIGUSR1)
    except (OSError, AttributeError) as error:
        request.unlink(missing_ok=True)
        raise CheckpointError(f"cannot signal process {holder}: {error}") from None
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if reply.exists():
            line = reply.read_text(encoding="utf-8").strip()
            reply.unlink(missing_ok=True)
            return line
        time.sleep(0.05)
    request.unlink(missing_ok=True)
    raise CheckpointError(f"process {holder} did not answer in {wait:g} s")


def pending_requests(folder: DataFolder) -> list[tuple[str, str]]:
    """The requests left in ``folder`` (taken out of it): (name, where to answer)."""
    root = checkpoints_path(folder)
    found = []
    for request in sorted(root.glob(f"{REQUEST_PREFIX}*")):
        reply = str(root / (REPLY_PREFIX + request.name.removeprefix(REQUEST_PREFIX)))
        try:
            text = request.read_text(encoding="ascii", errors="replace")[:64]
            request.unlink()
        except OSError:
            continue
        try:
            found.append((checkpoint_name(text), reply))
        except CheckpointError as error:
            answer_request(reply, str(error))
    return found


def answer_request(reply: str, line: str) -> None:
    with contextlib.suppress(OSError):
        staging = Path(reply + ".staging")
        staging.write_text(line + "\n", encoding="utf-8")
        os.replace(staging, reply)


# The pickle itself


def _directory_catalogue(directory) -> dict[int, tuple[tuple, object]]:
    """id of each object of the directory -> (its place, the object).

    A place is the path of keys, indexes and attributes from the directory to
    the object: the same for every reading of the same directory text.
    """
    places: dict[int, tuple[tuple, object]] = {}
    pending: list[tuple[object, tuple]] = [(directory, ())]
    while pending:
        value, place = pending.pop()
        if value is None or isinstance(value, (str, bytes, int, float, bool, type)):
            continue
        if id(value) in places:
            continue
        places[id(value)] = (place, value)
        if isinstance(value, dict):
            children = [(item, (*place, "v", key)) for key, item in value.items()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            children = [(item, (*place, "i", index)) for index, item in enumerate(items)]
        elif hasattr(value, "__dict__"):
            children = [(item, (*place, "a", key)) for key, item in vars(value).items()]
        else:
            slots = getattr(type(value), "__slots__", ())
            children = [
                (getattr(value, slot), (*place, "a", slot))
                for slot in slots
                if hasattr(value, slot)
            ]
        pending.extend(reversed(children))
    return places


class _SystemPickler(pickle.Pickler):
    def __init__(self, file, system) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder = system.folder
        # The catalogue holds the objects too, so their ids stay theirs while pickling.
        self.catalogue = _directory_catalogue(system.directory)

    def persistent_id(self, obj):
        if isinstance(obj, DataFolder):
            return ("folder",)
        if isinstance(obj, CKDImage):
            return ("pack", Path(obj.path).name, obj.read_only)
        entry = self.catalogue.get(id(obj))
        if entry is not None:
            return ("directory", entry[0])
        return None


class _SystemUnpickler(pickle.Unpickler):
    def __init__(self, file, folder: DataFolder) -> None:
        super().__init__(file)
        self.folder = folder
        self.objects = dict(_directory_catalogue(folder.directory).values())

    def persistent_load(self, pid):
        kind = pid[0]
        if kind == "folder":
            return self.folder
        if kind == "pack":
            _, filename, read_only = pid
            return CKDImage(self.folder.packs_path / Path(filename).name, read_only=read_only)
        if kind == "directory":
            try:
                return self.objects[pid[1]]
            except KeyError:
                raise pickle.UnpicklingError(f"no place {pid[1]!r} in the directory") from None
        raise pickle.UnpicklingError(f"unknown persistent object {kind!r}")

    def find_class(self, module: str, name: str):
        if module.startswith(_PROJECT_PACKAGES) or name in _ALLOWED_GLOBALS.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a checkpoint may not make {module}.{name}")


@contextlib.contextmanager
def _deep_recursion():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _dumps(system) -> bytes:
    buffer = io.BytesIO()
    with _deep_recursion():
        try:
            _SystemPickler(buffer, system).dump(system)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise CheckpointError(f"the system cannot be saved: {error}") from None
    return buffer.getvalue()


def _loads(state: bytes, folder: DataFolder):
    with _deep_recursion():
        try:
            return _SystemUnpickler(io.BytesIO(state), folder).load()
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as error:
            raise CheckpointError(f"the checkpoint's state cannot be read: {error}") from None


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _fsync(path: Path) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())

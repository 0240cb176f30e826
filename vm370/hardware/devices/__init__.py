"""The device protocol and the registry of device types.

A device is a Python object that the channel subsystem drives one CCW at a
time, in the style of SIMH's device tables and Hercules' device handlers. The
channel (vm370/hardware/channel.py) owns everything that the System/360
architecture gives to the channel: fetching CCWs, command and data chaining,
TIC, SKIP, SLI, PCI, incorrect length, protection and program checks, the CAW
and the CSW, and pending interruptions. The device only knows its commands.

The protocol
------------
``Device(...)``
    The constructor *attaches* the device to its host side: a file, a deck,
    a disk image or a pair of text streams. Bad host input raises a
    ``DeviceError`` (or a subclass) with a message a user can act on, before
    anything is changed.

``ChannelSubsystem.attach(address, device)``
    calls ``device.bind(channels, address)``; from then on the device may
    call ``self.present_status(unit_status)`` to raise an unsolicited status
    such as attention (the 1052's request key, a 3277's AID), and
    ``self.schedule(delay, callback)`` to run work of its own on the
    machine's thread at an instruction-count boundary (a clock event). Status
    raised while the device's channel program runs is presented with the
    program's ending status.

``device.start_ccw(command, data, count, chained) -> CCWResult``
    Execute one command. ``command`` is the CCW's command code. ``count`` is
    the total count of the operation (with data chaining, the sum of the
    counts of the chained CCWs). ``chained`` is False for the first command
    of a channel program (so a DASD can reset its per-chain state, such as
    the file mask) and True for a command reached by command chaining.

    For write and control commands ``data`` holds the bytes the channel could
    fetch from storage, at most ``count`` of them (fewer if the data area runs
    into a protected or nonexistent location: the channel reports that
    itself; the device just sees short data and pads as the control unit
    would). For read and sense commands ``data`` is empty and the device
    returns the bytes it reads in the result.

    The result carries:

    - ``status``: the unit status (CHANNEL_END, DEVICE_END, STATUS_MODIFIER,
      UNIT_CHECK, UNIT_EXCEPTION...) the device presents when it ends;
    - ``length``: the device's own length of the operation (the record or
      card length, or the bytes of the argument it used). The channel
      compares it with ``count`` for incorrect length: ``length > count``
      means the device had more to transfer, ``length < count`` that it
      stopped short;
    - ``data``: for read and sense commands, the bytes read (``length`` of
      them; the channel stores at most ``count``);
    - ``delay``: virtual instructions (microseconds) until the ending status
      is presented; the channel schedules it on the clock's event queue;
    - ``immediate``: the command ended at initial selection with no data
      transferred (a NOP, a space-immediate, a command reject, end of
      deck). The channel then reports no incorrect length, and a Start I/O
      whose only command is immediate stores its CSW at once (condition
      code 1). An immediate result with ``delay`` > 0 presents channel end
      at once and device end ``delay`` instructions later;
    - ``device_end_delay``: for a command whose mechanical part outlasts its
      data transfer (a seek moving the access arm), device end comes this
      many instructions after channel end. When the command is the last of
      its channel program, the program ends with channel end and the device
      presents device end on its own later (seek overlap); when it is
      command-chained, the channel waits for device end before chaining;
    - ``deferred``: the command waits for something outside the machine (a
      console read until the operator types a line). The channel keeps the
      program working (SIO gives condition code 0) and the device later calls
      ``channels.resume(address, result)`` with the real result; a HALT I/O
      in between ends the command with no data.

    A command the device does not know is answered with ``self.reject()``:
    unit check with command reject in the sense bytes. The Sense command
    (any command whose low four bits are 0100) is handled here in the base
    class from ``self.sense``; every other command clears the sense bytes
    first, as the control units do.

``device.reset()``
    System reset or selective reset: stop, forget per-chain state; keep the
    medium (cards in the hopper, the pack, the paper).

``device.close()``
    Flush and release host files (end of a run).

Completions never use threads: ``delay`` goes through ``clock.schedule``.

The registry
------------
``DEVICE_TYPES`` maps a device type ("1052", "2540R", "2540P", "1403",
"2311", "2314", "3277") to its class; modules register with ``register``.
``create_device(type, file)`` builds one from a command-line style
specification (see ``vm370 bare --attach``). ``CONTROL_UNIT_TYPES`` gives
the control unit each type attaches behind (the channel models control unit
busy and control unit end with it).
"""

from __future__ import annotations

import collections
import importlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from vm370.hardware.channel import ChannelSubsystem
    from vm370.hardware.clock import Event

# Unit status, CSW bits 32-39 (PoO GA22-6821, "Channel Status Word").
ATTENTION = 0x80
STATUS_MODIFIER = 0x40
CONTROL_UNIT_END = 0x20
BUSY = 0x10
CHANNEL_END = 0x08
DEVICE_END = 0x04
UNIT_CHECK = 0x02
UNIT_EXCEPTION = 0x01
NORMAL_END = CHANNEL_END | DEVICE_END

# Sense byte 0, common to the devices of this era (component descriptions).
SENSE_COMMAND_REJECT = 0x80
SENSE_INTERVENTION_REQUIRED = 0x40
SENSE_BUS_OUT_CHECK = 0x20
SENSE_EQUIPMENT_CHECK = 0x10
SENSE_DATA_CHECK = 0x08
SENSE_OVERRUN = 0x04

SENSE_COMMAND = 0x04


def is_sense(command: int) -> bool:
    return command & 0x0F == SENSE_COMMAND


def is_read(command: int) -> bool:
    """Read, sense and read backward move data from the device into storage."""
    return command & 0x03 == 0x02 or command & 0x0F in (0x04, 0x0C)


class DeviceError(Exception):
    """A device cannot be attached to its host side (missing or bad file)."""


@dataclass(slots=True)
class CCWResult:
    """What a device answers to one command (see the module docstring)."""

    status: int
    length: int = 0
    data: bytes = b""
    delay: int = 1
    immediate: bool = False
    device_end_delay: int = 0
    # The command waits for something outside the machine (a line typed at a
    # console): the channel keeps the program working until the device calls
    # ``channels.resume(address, result)`` with the real result.
    deferred: bool = False


class Device:
    """Base class of every device: sense handling, reject, unsolicited status."""

    device_type: ClassVar[str] = ""
    sense_length: ClassVar[int] = 1

    def __init__(self) -> None:
        self.channels: ChannelSubsystem | None = None
        self.address: int | None = None
        self.sense = bytearray(self.sense_length)

    def bind(self, channels: ChannelSubsystem | None, address: int | None) -> None:
        """Called by the channel subsystem on attach (and with None on detach)."""
        self.channels = channels
        self.address = address

    def start_ccw(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        """Execute one command: the sense command here, the rest in ``execute``."""
        if is_sense(command):
            return CCWResult(NORMAL_END, len(self.sense), bytes(self.sense), delay=20)
        self.sense[:] = bytes(self.sense_length)
        return self.execute(command, data, count, chained)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        return self.reject()

    def reject(self, *more_sense: int) -> CCWResult:
        """Unit check with command reject (and any device-specific sense bytes)."""
        self.sense[0] |= SENSE_COMMAND_REJECT
        for index, bits in enumerate(more_sense, start=1):
            self.sense[index] |= bits
        return CCWResult(NORMAL_END | UNIT_CHECK, 0, delay=0, immediate=True)

    def unit_check(self, sense0: int, *more_sense: int, delay: int = 0) -> CCWResult:
        """Unit check after the command was accepted (data check, no record found...)."""
        self.sense[0] |= sense0
        for index, bits in enumerate(more_sense, start=1):
            self.sense[index] |= bits
        return CCWResult(NORMAL_END | UNIT_CHECK, 0, delay=delay, immediate=delay == 0)

    def schedule(self, delay: int, callback: Callable[[], None]) -> Event | None:
        """Run ``callback`` on the machine's thread ``delay`` instructions from now.

        For work a device does on its own time (a 3277 draining what its
        terminal sent); None when the device is not attached to channels.
        """
        if self.channels is None:
            return None
        return self.channels.clock.schedule(delay, callback)

    def present_status(self, unit_status: int) -> None:
        """Raise an unsolicited status (attention) through the channel."""
        if self.channels is not None and self.address is not None:
            self.channels.device_status(self.address, unit_status)

    def reset(self) -> None:
        self.sense[:] = bytes(self.sense_length)

    def close(self) -> None:
        """Flush and release host resources."""

    def host_files(self) -> list[tuple[Path, bool]]:
        """The host files this device uses, each with True if the device writes it.

        The channel subsystem refuses to attach a device that would write a
        file another device uses (or use a file another device writes).
        """
        return []

    def describe(self) -> str:
        return self.device_type


def same_host_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (the same path, a link to it, or a hard link)."""
    try:
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return False


class HostConnection:
    """What a terminal port keeps of the host side: a checkpoint leaves it out.

    A port's screen or line state is the device's and is kept; the session
    connected to it, the queue of what it sent and the locks between the
    threads are the host's. A restored port has no terminal connected; one
    that connects later is shown what the device holds.
    """

    _HOST_SIDE = ("session", "_lock", "_inbound", "_claimed_by", "activity")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in self._HOST_SIDE:
            state.pop(name, None)
        return state

    def drop_terminal(self) -> None:
        """Whatever terminal was here is gone (any thread): the device reports it at its
        next poll, as when its own terminal leaves (a restored system served anew)."""
        with self._lock:
            self._claimed_by = None
            self._inbound.append(("disconnect", self.session, None))
        self.activity.set()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.session = None
        self._lock = threading.Lock()
        self._inbound = collections.deque()
        self._claimed_by = None
        self.activity = threading.Event()


class HostOutputFile:
    """A host file a device writes: a printer listing, a punched deck, a console log.

    The file is checked when the device is attached but created or replaced
    only when the device first writes to it, so a command that fails while
    attaching its devices, or a run that never writes, leaves an existing file
    as it was. A file holding a disk pack image is refused: a slip on the
    command line must not print over a pack. A failed write (a full disk)
    raises DeviceError, which the device answers with unit check; it is never
    an OSError in the machine's run loop.
    """

    def __init__(self, path: str | Path, what: str, binary: bool = False) -> None:
        self.path = Path(path)
        self.what = what
        self.binary = binary
        self.error: str | None = None
        self._file: IO | None = None
        # After a restore (vm370/cp/checkpoint.py) the output continues the file.
        self._append = False
        self._check()

    def __getstate__(self) -> dict:
        """A checkpoint keeps where the output goes; the restored device appends to it."""
        state = dict(self.__dict__)
        state["_file"] = None
        state["_append"] = self._append or self._file is not None
        return state

    def _refuse(self, reason: str) -> DeviceError:
        return DeviceError(f"cannot open {self.what} file {self.path}: {reason}")

    def _check(self) -> None:
        from vm370.hardware.devices.ckd_image import COMPRESSED_IDS, IMAGE_ID

        path = self.path
        if path.is_dir():
            raise self._refuse("Is a directory")
        if not path.exists():
            parent = path.parent
            if not parent.is_dir():
                raise self._refuse("No such file or directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise self._refuse("Permission denied")
            return
        if not os.access(path, os.W_OK):
            raise self._refuse("Permission denied")
        if path.is_file():
            try:
                with open(path, "rb") as existing:
                    header = existing.read(len(IMAGE_ID))
            except OSError:
                header = b""
            if header == IMAGE_ID or header in COMPRESSED_IDS:
                raise self._refuse(
                    f"it holds a disk pack image, which the {self.what} would overwrite; "
                    f"name another file"
                )

    def write(self, data: str | bytes) -> None:
        """Write and flush; the first write creates or empties the file."""
        if self.error is not None:
            raise DeviceError(self.error)
        try:
            if self._file is None:
                mode = "a" if self._append else "w"
                if self.binary:
                    self._file = open(self.path, mode + "b")  # noqa: SIM115 - closed by close()
                else:
                    self._file = open(self.path, mode, encoding="utf-8")  # noqa: SIM115
            self._file.write(data)
            self._file.flush()
        except OSError as error:
            self.error = f"cannot write {self.what} file {self.path}: {error.strerror or error}"
            raise DeviceError(self.error) from None

    def flush(self) -> None:
        """Every write is flushed already (text streams are duck-typed on this)."""

    def close(self) -> None:
        """Close the file; never raises (a failure is kept in ``error``)."""
        if self._file is None:
            return
        try:
            self._file.close()
        except OSError as error:
            self.error = f"cannot write {self.what} file {self.path}: {error.strerror or error}"
        self._file = None


@dataclass(frozen=True, slots=True)
class ControlUnitType:
    """A kind of control unit: its name and how many unit addresses one answers to."""

    name: str
    addresses: int


# The control unit each device type attaches behind (component descriptions).
# A control unit answers to an aligned group of ``addresses`` unit addresses,
# as S/360 control units decoded the high-order bits of the unit address:
# drives 190-197 share one 2314 control unit, 198-19F are on another. The
# 2821 is "made up of logically independent control units" (2821 Component
# Description, GA24-3312), one for the reader, the punch and each printer, so
# its devices never keep one another busy; the 1052 adapter serves one 1052.
CONTROL_UNIT_TYPES: dict[str, ControlUnitType] = {
    "1052": ControlUnitType("1052 adapter", 1),
    "2540R": ControlUnitType("2821", 1),
    "2540P": ControlUnitType("2821", 1),
    "1403": ControlUnitType("2821", 1),
    "2311": ControlUnitType("2841", 8),
    "2314": ControlUnitType("2314", 8),
    "3277": ControlUnitType("3272", 32),
    # Each line of a 2702 has a subchannel of its own on the multiplexer channel.
    "2741": ControlUnitType("2702", 1),
}


def control_unit_type(device_type: str) -> ControlUnitType:
    """The control unit a device type attaches behind; a type not listed has its own."""
    return CONTROL_UNIT_TYPES.get(device_type, ControlUnitType(device_type, 1))


DEVICE_TYPES: dict[str, type[Device]] = {}

# Modules that register device types, imported on first use of the registry.
_DEVICE_MODULES = (
    "vm370.hardware.devices.console1052",
    "vm370.hardware.devices.card2540",
    "vm370.hardware.devices.printer1403",
    "vm370.hardware.devices.dasd",
    "vm370.hardware.devices.display3277",
    "vm370.hardware.devices.terminal2741",
)


def register(device_class: type[Device]) -> type[Device]:
    """Class decorator: enter a device class in the registry by its type."""
    DEVICE_TYPES[device_class.device_type] = device_class
    return device_class


def load_device_types() -> dict[str, type[Device]]:
    """Import every device module (so each registers itself); return the registry."""
    for name in _DEVICE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return DEVICE_TYPES


def create_device(device_type: str, file: str | None = None) -> Device:
    """Build a device from a type and an optional host file, as --attach does.

    Each class may define ``from_spec(file)``; otherwise it is called with the
    file (or no argument).
    """
    types = load_device_types()
    device_class = types.get(device_type.upper())
    if device_class is None:
        known = ", ".join(sorted(types))
        raise DeviceError(f"unknown device type {device_type!r}; known types: {known}")
    from_spec = getattr(device_class, "from_spec", None)
    if from_spec is not None:
        return from_spec(file)
    return device_class(file) if file is not None else device_class()

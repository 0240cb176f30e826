"""The whole Model 67: storage, clock, CPU and channels, and the bare-machine runner.

``Machine`` ties the parts together; ``run_bare`` is what ``vm370 bare`` does
(load files into real storage, load a PSW, run, report), kept here so the
CLI stays a thin layer and tests can call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vm370.hardware.clock import Clock
from vm370.hardware.control_registers import CR6_EXTENDED_CONTROL_MODE, MODE_REGISTER
from vm370.hardware.cpu import CPU
from vm370.hardware.psw import EXTERNAL_INTERRUPT_KEY, IPL_PSW
from vm370.hardware.storage import Storage

DEFAULT_STORAGE = 256 * 1024
# Enough for any test program, small enough that a runaway loop ends within
# seconds rather than minutes.
DEFAULT_MAX_INSTRUCTIONS = 10_000_000


class MachineError(Exception):
    """Bad input for the machine (a load past storage, an unreadable file): the user can fix it."""


def _channel_subsystem(storage: Storage, clock: Clock):
    try:
        from vm370.hardware.channel import ChannelSubsystem
    except ImportError:
        return None
    return ChannelSubsystem(storage, clock)


class Machine:
    """A System/360 Model 67 with real storage, virtual clock, one CPU and its channels."""

    def __init__(self, storage_size: int = DEFAULT_STORAGE, *, interval_timer: bool = True):
        self.storage = Storage(storage_size)
        self.clock = Clock()
        self.channels = _channel_subsystem(self.storage, self.clock)
        self.cpu = CPU(self.storage, self.clock, self.channels, interval_timer=interval_timer)

    def load(self, address: int, data: bytes) -> None:
        """Put ``data`` into real storage at ``address`` (no keys, no translation)."""
        if address < 0 or address + len(data) > self.storage.size:
            raise MachineError(
                f"{len(data)} bytes at {address:06X} do not fit in "
                f"{self.storage.size // 1024}K of storage"
            )
        self.storage.write(address, data)

    def load_file(self, path: str | Path, address: int) -> None:
        try:
            # Read no more than fits: an endless file (a device, a pipe) must not fill memory.
            room = max(self.storage.size - address, 0)
            with open(path, "rb") as file:
                data = file.read(room + 1)
        except OSError as error:
            raise MachineError(f"cannot read {path}: {error.strerror or error}") from error
        try:
            self.load(address, data)
        except MachineError as error:
            raise MachineError(f"{path}: {error}") from error

    def load_control_registers(
        self, settings: list[tuple[int, int]], extended_control_mode: bool = False
    ) -> None:
        """Load (register, value) pairs as LMC would, then turn EC mode on if asked.

        Done before the PSW is loaded: CR6 decides whether it is a BC or an EC PSW.
        """
        control = self.cpu.control
        for number, value in settings:
            control.load(number, value)
        if extended_control_mode:
            control.load(MODE_REGISTER, control.values[MODE_REGISTER] | CR6_EXTENDED_CONTROL_MODE)

    def set_psw(self, value: int) -> None:
        self.cpu.load_psw(value)

    def attach(self, address: int, device) -> None:
        """Attach an I/O device (vm370.hardware.devices) at a 3-hex-digit address."""
        if self.channels is None:
            raise MachineError("this machine has no channels")
        try:
            self.channels.attach(address, device)
        except ValueError as error:
            raise MachineError(str(error)) from None

    def ipl(self, address: int) -> None:
        """The LOAD key: IPL I/O from ``address`` (channel.py), then the PSW at location 0.

        Raises MachineError when the IPL channel program fails.
        """
        from vm370.hardware.channel import IPLError

        if self.channels is None:
            raise MachineError("this machine has no channels to IPL from")
        try:
            self.channels.ipl(address)
        except IPLError as error:
            raise MachineError(str(error)) from None
        self.cpu.load_psw(self.storage.read_doubleword(IPL_PSW))

    def run(self, max_instructions: int = DEFAULT_MAX_INSTRUCTIONS) -> str:
        """Run until a wait nothing can end, or the limit; return the stop reason."""
        return self.cpu.run(max_instructions)

    def press_interrupt_key(self) -> None:
        """The console's INTERRUPT key: an external interruption, code bit 25."""
        self.cpu.request_external_interruption(EXTERNAL_INTERRUPT_KEY)

    def dump(self, address: int, length: int) -> bytes:
        check_dump(address, length, self.storage.size)
        return bytes(self.storage.mem[address : address + length])


def check_dump(address: int, length: int, storage_size: int) -> None:
    """MachineError unless ``length`` bytes at ``address`` lie inside the storage."""
    if address < 0 or length < 0 or address + length > storage_size:
        raise MachineError(
            f"dump of {length:X} bytes at {address:06X} is outside "
            f"{storage_size // 1024}K of storage"
        )


NOTHING_TO_RUN = (
    "nothing to run: no --psw, no --ipl, and location 0 holds no PSW; give a program and "
    "where to start, e.g. --load-deck prog.obj@2000 --psw 0000000000002000"
)


@dataclass
class BareRun:
    """What ``vm370 bare`` is asked to do."""

    storage_size: int = DEFAULT_STORAGE
    loads: list[tuple[str, int]] = field(default_factory=list)
    psw: int | None = None
    max_instructions: int = DEFAULT_MAX_INSTRUCTIONS
    dumps: list[tuple[str, int, int]] = field(default_factory=list)
    attaches: list[tuple[int, str, str | None]] = field(default_factory=list)  # address, type, file
    ipl: int | None = None  # device address to IPL from instead of loading a PSW
    extended_control_mode: bool = False  # --ec: CR6 bit 8 on before the PSW is loaded
    control_registers: list[tuple[int, int]] = field(default_factory=list)  # --cr N=HEX


def prepare_bare(request: BareRun, machine: Machine | None = None) -> tuple[Machine, list]:
    """Everything ``vm370 bare`` does before it runs: load, attach, IPL or set the PSW.

    Without a PSW the doubleword at location 0 (where IPL puts one) is used.
    Returns the machine and the devices attached for the request (the caller
    closes them). Raises MachineError for anything wrong with the request.
    """
    machine = machine or Machine(request.storage_size)
    for path, address in request.loads:
        machine.load_file(path, address)
    for _label, address, length in request.dumps:
        machine.dump(address, length)
    if request.max_instructions < 0:
        raise MachineError("--max-instructions must not be negative")
    machine.load_control_registers(request.control_registers, request.extended_control_mode)
    attached = attach_devices(machine, request.attaches)
    try:
        _refuse_loads_that_devices_write(request, attached)
        if request.ipl is not None:
            machine.ipl(request.ipl)
        else:
            psw = request.psw
            if psw is None:
                psw = machine.storage.read_doubleword(IPL_PSW)
                if psw == 0:
                    # Starting at address 0 on zeros is a program-check loop
                    # to the instruction limit: say so instead.
                    raise MachineError(NOTHING_TO_RUN)
            machine.set_psw(psw)
    except BaseException:
        for device in attached:
            device.close()
        raise
    return machine, attached


def _refuse_loads_that_devices_write(request: BareRun, attached: list) -> None:
    """A printer or punch writing the file a program was loaded from would destroy it."""
    from vm370.hardware.devices import same_host_file

    for path, _address in request.loads:
        for device in attached:
            for host_file, writes in device.host_files():
                if writes and same_host_file(Path(path), Path(host_file)):
                    raise MachineError(
                        f"{path} is loaded as a program and written by the {device.describe()}: "
                        "give the device another file"
                    )


def bare_report(machine: Machine, request: BareRun, stop: str, instructions: int) -> dict:
    """The machine's state as ``vm370 bare --json`` prints it."""
    cpu = machine.cpu
    dat = cpu.dat
    report = {
        "stop": stop,
        "psw": f"{cpu.current_psw():016X}",
        "gpr": [f"{value:08X}" for value in cpu.gpr],
        "fpr": [f"{value:016X}" for value in cpu.fpr],
        "instructions": instructions,
        "dump": {
            label: machine.dump(address, length).hex().upper()
            for label, address, length in request.dumps
        },
        "cr": cpu.control.as_hex(),
        "tlb": {"hits": dat.hits, "misses": dat.misses},
    }
    unattached = machine.channels.unattached_addressed if machine.channels is not None else ()
    if unattached:
        # Only when there is something to say: the keys above are a promise.
        report["unattached_devices"] = [f"{address:03X}" for address in sorted(unattached)]
    if stop == "limit" and cpu.interruption_loop is not None:
        # Only there when the run ended going round a program-interruption loop.
        report["interruption_loop"] = dict(cpu.interruption_loop)
    return report


def run_bare(request: BareRun, machine: Machine | None = None) -> dict:
    """Load, run and report as ``vm370 bare --json`` prints it (see prepare_bare)."""
    machine, attached = prepare_bare(request, machine)
    try:
        before = machine.cpu.instructions_executed
        stop = machine.run(request.max_instructions)
    finally:
        for device in attached:
            device.close()
    return bare_report(machine, request, stop, machine.cpu.instructions_executed - before)


def attach_devices(machine: Machine, attaches: list[tuple[int, str, str | None]]) -> list:
    """Build and attach the devices of --attach; MachineError (all closed) for a bad one."""
    from vm370.hardware.devices import DeviceError, create_device

    attached = []
    try:
        for address, device_type, file in attaches:
            try:
                device = create_device(device_type, file)
            except DeviceError as error:
                raise MachineError(f"device {address:03X}: {error}") from None
            attached.append(device)
            machine.attach(address, device)
    except MachineError:
        for device in attached:
            device.close()
        raise
    return attached

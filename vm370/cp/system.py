"""The Control Program as one object: the API later pieces and tests use.

``ControlProgram`` owns the real machine's storage as CP divides it (the
frame table, table storage, the pager), the virtual machines (VMBLOKs), the
dispatcher, the DIAGNOSE registry, the virtual-I/O seam and CP's log.

    cp = ControlProgram(Machine(512 * 1024))
    guest = cp.create_virtual_machine("ALICE", 256 * 1024)
    cp.load("ALICE", 0x200, program_bytes)
    cp.set_psw("ALICE", 0x00000000_00000200)
    cp.state("ALICE")          # registers, PSW, run state, counters

Real storage: frame 0 is CP's (real low storage: the new PSWs that lead to
CP's entry points, the interval timer CP slices time with); segment and page
tables and shadow tables take further CP frames as they are built; every
other frame holds pages of virtual machines.

Running virtual machines on the real CPU needs the Model 67's translation
wired into the CPU (the DAT issue); until then CP builds and checks
everything above, and ``run`` is not offered.
"""

from __future__ import annotations

import datetime
import functools

from vm370.cp import reflect
from vm370.cp.ccwtrans import ChannelProgramTranslator
from vm370.cp.diagnose import DiagnoseRegistry, standard_registry
from vm370.cp.diagnose_services import guest_time_of_day, register_vm370_codes
from vm370.cp.dispatch import Dispatcher
from vm370.cp.frames import FRAME_SHIFT, FRAME_SIZE, PAGES_PER_INSTRUCTION, FrameError, FrameTable
from vm370.cp.paging import Pager, PagingDevice
from vm370.cp.realio import MAX_EVENTS, IOArea, RealIO
from vm370.cp.shadow import ShadowTables
from vm370.cp.tables import AddressSpace, TableStorage
from vm370.cp.vio import DeviceIO, NoVirtualDevices, VirtualIO
from vm370.cp.vmblock import RunState, VirtualMachine, VirtualMachineError
from vm370.cp.vstorage import GuestStorage
from vm370.hardware.channel import CAW_LOCATION, CSW_LOCATION
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.dat import DynamicAddressTranslator
from vm370.hardware.interrupts import ADDRESSING, ProgramInterrupt
from vm370.hardware.machine import Machine

LOW_STORAGE_FRAME = 0
IO_AREA_FRAMES = 4  # CP's storage for translated channel programs (ccwtrans.py)


class ControlProgramError(Exception):
    """A request CP cannot carry out (unknown machine, storage that does not fit)."""


class ControlProgram:
    """CP: the supervisor of one Model 67 and its virtual machines."""

    def __init__(
        self,
        machine: Machine,
        *,
        paging_store: PagingDevice | None = None,
        dispatcher: Dispatcher | None = None,
        virtual_io: VirtualIO | None = None,
        diagnose: DiagnoseRegistry | None = None,
    ) -> None:
        self.machine = machine
        self.storage = machine.storage
        if machine.storage.size % FRAME_SIZE:
            raise ControlProgramError(
                f"real storage of {machine.storage.size // 1024}K is not whole 4K frames: "
                "CP pages real storage in frames of 4K"
            )
        self.frames = FrameTable(machine.storage.size)
        self.frames.reserve_for_cp(LOW_STORAGE_FRAME, "real low storage")
        # The smallest real storage CP accepts: low storage, one frame of
        # tables, and the pages one instruction may need all at once.
        smallest = (2 + PAGES_PER_INSTRUCTION) * FRAME_SIZE
        if machine.storage.size < smallest:
            raise ControlProgramError(
                f"real storage of {machine.storage.size // 1024}K is too small for CP: it needs "
                f"at least {smallest // 1024}K (its own low storage and tables, and "
                f"{PAGES_PER_INSTRUCTION} frames for the pages one instruction can touch)"
            )
        self.frames.reserve_for_pages = PAGES_PER_INSTRUCTION
        self.table_storage = TableStorage(self.frames, self.storage)
        self.table_storage.on_shortage = self._make_room_for_tables
        self.pager = Pager(self.storage, self.frames, paging_store)
        self.pager.on_unmap = self._page_unmapped
        self.dispatcher = dispatcher if dispatcher is not None else Dispatcher()
        self.virtual_io: VirtualIO = virtual_io if virtual_io is not None else NoVirtualDevices()
        self.diagnose = diagnose if diagnose is not None else standard_registry()
        self.machines: dict[str, VirtualMachine] = {}
        self.log: list[str] = []
        self.purges = 0
        # Set when CP takes the real CPU (supervisor.py).
        self.supervisor = None
        # Virtual devices (enable_virtual_devices): CP's real I/O, the CCW
        # translator; the users, consoles and spool of a multi-user CP (realsystem.py).
        self.realio: RealIO | None = None
        self.translator: ChannelProgramTranslator | None = None
        self.users = None
        self.consoles = None
        self.spool = None
        # The real configuration (sysconfig.SystemConfig) when a data folder built the system.
        self.real_config = None
        # The message of the day (SET LOGMSG, QUERY LOGMSG; shown at LOGON).
        self.logmsg: list[str] = []
        # Called with no arguments once SHUTDOWN has logged everyone off (the host's:
        # a checkpoint leaves them out, and whoever runs a restored system adds its own).
        self.on_shutdown: list = []
        # Checkpoints asked for, as (name, userid or None, a file to answer in or None),
        # taken between two slices (RealSystem.run); None: this CP cannot take them.
        self.checkpoint_requests: list[tuple[str, str | None, str | None]] | None = None
        self.shut_down = False
        # CP work waiting for its next entry (displays to write, guests' reads).
        self.service_requested = False
        self.services: list = []
        self.interruption_handlers: list = []
        # Called with a virtual machine that loaded a disabled wait PSW.
        self.on_disabled_wait: list = []
        # Called with a virtual machine and VM/370's message when reflecting an
        # interruption stopped it (a program interruption loop, reflect.py).
        self.on_reflection_stop: list = []
        # The time of day when the virtual clock read 0 (DIAGNOSE X'0C', QUERY TIME).
        self.started_at = datetime.datetime(1972, 8, 2, 9, 0, 0)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["on_shutdown"] = []
        return state

    def enable_virtual_devices(self, io_frames: int = IO_AREA_FRAMES) -> None:
        """Give virtual machines devices: CCW translation, CP's real I/O, VM/370's DIAGNOSEs."""
        if self.translator is not None:
            return
        self.realio = RealIO(self.storage, self.machine.channels)
        area = IOArea(self.storage, self.frames, "CCW translation", io_frames)
        self.translator = ChannelProgramTranslator(self, self.realio, area)
        self.virtual_io = DeviceIO(self.translator)
        register_vm370_codes(self.diagnose)

    def request_service(self) -> None:
        """Ask for ``service`` at CP's next entry (at once if CP idles)."""
        self.service_requested = True
        if self.supervisor is not None:
            self.supervisor.wake_up()

    def service(self) -> None:
        """Run what asked for CP's attention (the console manager's displays)."""
        self.service_requested = False
        for serve in self.services:
            serve()

    def real_interruption(self, device: int, csw: bytes) -> bool:
        """A real device's interruption: True when one of CP's handlers took it."""
        return any(handler(device, csw) for handler in self.interruption_handlers)

    def time_of_day(self) -> datetime.datetime:
        """The date and time on the virtual clock."""
        return guest_time_of_day(self.started_at, self.machine.clock.now)

    def release_pages(self, machine: VirtualMachine, first: int, last: int) -> None:
        """DIAGNOSE X'10': the pages' contents go; they read as zeros from now on."""
        self.pager.release_pages(machine.name, first, last)
        self.purge_translations()

    def run_virtual_program(self, machine: VirtualMachine, address: int, program: int) -> bytes:
        """Run a channel program on a device CP simulates, to its end; its CSW.

        DIAGNOSE X'20' for the console, reader, punch and printer: the
        machine's channel runs the program with its events until the device
        is idle, and the status is taken without an interruption.
        """
        channel = machine.channel
        caw = machine.storage.read_word(CAW_LOCATION)
        machine.storage.write_word(CAW_LOCATION, program)
        try:
            condition = channel.start_io(address)
        finally:
            machine.storage.write_word(CAW_LOCATION, caw)
        if condition == 1:
            return machine.storage.read_real(CSW_LOCATION, 8)
        if condition != 0:
            return bytes(4) + bytes((0x10, 0, 0, 0))
        clock = self.machine.clock
        for _ in range(MAX_EVENTS):
            if not channel.is_busy(address) or channel.waiting_for_device(address):
                break
            if not clock.advance_to_next_event(beyond_horizon=True):
                break
            clock.run_due()
        if channel.waiting_for_device(address):
            channel.halt_io(address)
        return channel.pending_for(address) or bytes(8)

    def write_log(self, line: str) -> None:
        """A line for CP's log (the operator's console, later)."""
        self.log.append(line)

    def virtual_machine(self, name: str) -> VirtualMachine:
        try:
            return self.machines[name.upper()]
        except KeyError:
            raise ControlProgramError(f"no virtual machine named {name!r}") from None

    def create_virtual_machine(self, name: str, storage_size: int) -> VirtualMachine:
        """Define a virtual machine with ``storage_size`` bytes of storage, stopped."""
        name = name.upper()
        if name in self.machines:
            raise ControlProgramError(f"virtual machine {name} already exists")
        try:
            machine = VirtualMachine(name, storage_size)
        except VirtualMachineError as error:
            raise ControlProgramError(str(error)) from None
        try:
            machine.address_space = AddressSpace(self.table_storage, storage_size)
        except FrameError as error:
            raise ControlProgramError(
                f"no room in real storage for {name}'s tables: {error}"
            ) from None
        self.pager.register(machine, machine.address_space)
        machine.storage = GuestStorage(self.pager, machine)
        machine.dat = DynamicAddressTranslator(machine.storage, machine.control)
        machine.shadow = ShadowTables(self.table_storage, self.pager, machine)
        machine.dat.on_purge = functools.partial(self._guest_purged, machine)
        machine.channel.clock = self.machine.clock
        machine.channel.on_pending = functools.partial(self.wake, machine)
        self.machines[name] = machine
        self.write_log(f"{name} defined with {storage_size // 1024}K of storage")
        return machine

    def destroy_virtual_machine(self, name: str) -> None:
        """Log the machine off: free its frames, paging slots and tables."""
        machine = self.virtual_machine(name)
        self.dispatcher.remove(machine)
        machine.shadow.invalidate()
        self.pager.unregister(machine.name)
        machine.address_space.release()
        del self.machines[machine.name]
        self.purge_translations()
        if self.supervisor is not None:
            self.supervisor.machine_gone(machine)
        self.write_log(f"{machine.name} logged off")

    def load(self, name: str, address: int, data: bytes) -> None:
        """Put ``data`` into the machine's storage at its real ``address`` (no keys)."""
        machine = self.virtual_machine(name)
        if address < 0 or address + len(data) > machine.storage_size:
            raise ControlProgramError(
                f"{len(data)} bytes at {address:06X} do not fit in {machine.name}'s "
                f"{machine.storage_size // 1024}K of storage"
            )
        machine.storage.write_real(address, bytes(data))

    def read(self, name: str, address: int, length: int) -> bytes:
        """Bytes of the machine's storage at its real ``address``."""
        machine = self.virtual_machine(name)
        if address < 0 or length < 0 or address + length > machine.storage_size:
            raise ControlProgramError(
                f"{length:X} bytes at {address:06X} are outside {machine.name}'s "
                f"{machine.storage_size // 1024}K of storage"
            )
        return machine.storage.read_real(address, length)

    def set_psw(self, name: str, value: int) -> None:
        """Load the machine's virtual PSW and make it dispatchable (unless it waits)."""
        machine = self.virtual_machine(name)
        machine.load_psw_image(value)
        machine.start()
        self.dispatcher.remove(machine)
        if machine.state is RunState.RUNNING:
            self.dispatcher.ready(machine)
            # CP may be idle in a wait no interruption would end.
            if self.supervisor is not None:
                self.supervisor.wake_up()

    def post_external(self, name: str, code_bits: int) -> None:
        """An external condition for the machine (its console's interrupt key: X'40')."""
        machine = self.virtual_machine(name)
        reflect.make_external_pending(machine, code_bits)
        self.wake(machine)

    def post_io(self, name: str, device: int, csw: bytes) -> None:
        """An I/O interruption for one of the machine's devices (virtual I/O's seam)."""
        machine = self.virtual_machine(name)
        reflect.make_io_pending(machine, device, csw)
        self.wake(machine)

    def wake(self, machine: VirtualMachine) -> None:
        """Present what the machine enables; a machine that leaves its wait is ready."""
        if self.supervisor is not None and self.supervisor.current is machine:
            # It is on the real CPU: CP presents it once it has taken it off.
            if reflect.has_enabled_pending(machine):
                self.supervisor.preempt(machine)
            return
        was_waiting = machine.state is RunState.ENABLED_WAIT
        reflect.present_pending(machine)
        if machine.state is RunState.RUNNING and was_waiting:
            self.dispatcher.ready(machine, interactive=True)
            if self.supervisor is not None:
                self.supervisor.wake_up()

    def resolve_translation_exception(self, machine: VirtualMachine, address: int) -> int:
        """A real translation exception while the guest ran: make ``address`` addressable.

        Returns the real address. Raises ProgramInterrupt when the exception
        is the guest's own (past its storage, or its own tables say so), for
        CP to reflect.
        """
        if machine.translation_on:
            return machine.shadow.resolve(address)
        address &= machine.address_mask
        if address >= machine.storage_size:
            raise ProgramInterrupt(ADDRESSING)
        frame = self.pager.resolve_fault(machine.name, address >> FRAME_SHIFT)
        return frame.address | (address & (FRAME_SIZE - 1))

    def real_segment_table_register(self, machine: VirtualMachine) -> int:
        """The real CR0 while the machine runs: its shadow tables or CP's tables for it."""
        if machine.translation_on:
            return machine.shadow.segment_table_register
        return machine.address_space.segment_table_register

    def purge_translations(self) -> None:
        """Page table entries were made invalid: the real associative array must forget them.

        Inside CP's entry points the purge waits until CP next loads a guest
        (no translation is used before then), so the many unmaps of one trap
        cost one purge, and with it one flush of the CPU's decoded
        instructions.
        """
        self.purges += 1
        if self.supervisor is not None and self.supervisor.in_cp:
            self.supervisor.purge_pending = True
            return
        dat = getattr(self.machine.cpu, "dat", None)
        if dat is not None:
            dat.purge()

    def state(self, name: str) -> dict:
        """The machine's state as plain data (the shape of ``vm370 bare --json``)."""
        machine = self.virtual_machine(name)
        counters = machine.counters
        return {
            "name": machine.name,
            "state": machine.state.value,
            "storage": machine.storage_size,
            "mode": "EC" if isinstance(machine.psw, ECPSW) else "BC",
            "psw": f"{machine.psw.to_int():016X}",
            "gpr": [f"{value:08X}" for value in machine.gpr],
            "fpr": [f"{value:016X}" for value in machine.fpr],
            "cr": machine.control.as_hex(),
            "cp": {
                "privops": counters.privops,
                "reflected": counters.reflected,
                "page_faults": counters.page_faults,
            },
        }

    def frame_map(self) -> list[dict]:
        """Every real frame as plain data, for observers (teaching panels, CP's commands)."""
        return [
            {
                "frame": frame.number,
                "address": f"{frame.address:06X}",
                "state": frame.state.value,
                "owner": frame.owner,
                "page": frame.virtual_page,
                "purpose": frame.purpose,
                "referenced": frame.referenced,
                "changed": frame.changed,
                "locked": frame.locked,
            }
            for frame in self.frames
        ]

    def _guest_purged(self, machine: VirtualMachine) -> None:
        """The guest loaded its CR0: its shadow tables go, and with them the real translations."""
        machine.shadow.invalidate()
        self.purge_translations()

    def _make_room_for_tables(self, count: int) -> None:
        """No frames for CP's tables: take back shadow tables, then page frames out.

        Shadow tables only cache translations, so every other machine's go
        first (they are rebuilt as the machines touch their pages): a guest
        that builds shadow tables without end then takes room from itself,
        never from the others for good. Pages give way only while CP keeps
        the frames one instruction needs (frames.PAGES_PER_INSTRUCTION).
        """
        for machine in self.machines.values():
            if machine.shadow.segment_table_origin is not None and not machine.shadow.building:
                self._guest_purged(machine)
        if self.frames.page_frames - count >= self.frames.reserve_for_pages:
            self.pager.free_frames_for_cp(count)

    def _page_unmapped(self, name: str, page: int) -> None:
        machine = self.machines.get(name)
        if machine is not None:
            machine.shadow.drop_guest_page(page)
        self.purge_translations()

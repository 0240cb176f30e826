"""A whole system from its data folder: the real machine, CP, the users and the displays.

``RealSystem(folder)`` reads the real configuration and the directory
(datafolder.py), builds the real Model 67 they describe (storage, the packs
at their addresses on their image files, the 3277 displays, the real
reader, punch and printer), starts CP on it with paging on its PAGE areas
of the real configuration, and gives the displays to the console manager,
each showing the logo. Then ``run`` runs the real machine: CP and every
logged-on user's virtual machine.

It looks like a machine to a runner (``clock``, ``cpu``, ``run``), so the
paced runner of the terminals (vm370/terminal/runner.py) drives it as it
drives a bare machine, polling the displays between slices.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from vm370.cp.dasd_paging import PagingAreas
from vm370.cp.datafolder import DataFolder
from vm370.cp.realio import IOArea
from vm370.cp.spool import SpoolManager
from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.tdisks import TemporaryDisks
from vm370.cp.terminals import ConsoleManager
from vm370.cp.users import UserManager
from vm370.hardware.devices import Device, DeviceError, create_device
from vm370.hardware.devices.display3277 import Display3277
from vm370.hardware.devices.terminal2741 import Terminal2741
from vm370.hardware.display3270 import MODELS
from vm370.hardware.machine import Machine

CONSOLE_IO_FRAMES = 2


class RealSystemError(Exception):
    """The data folder does not describe a system that can start (the message says why)."""


class RealSystem:
    """The machine, CP and its users, as one data folder describes them."""

    def __init__(
        self,
        folder: str | Path | DataFolder,
        *,
        start_time: datetime.datetime | None = None,
        spool=None,
    ) -> None:
        self.folder = folder if isinstance(folder, DataFolder) else DataFolder(folder)
        self.config, self.directory = self.folder.load()
        config = self.config
        self.machine = Machine(config.storage_size)
        self.clock = self.machine.clock
        self.cpu = self.machine.cpu
        self.devices: list[Device] = []
        self.packs: dict[str, tuple[int, Device]] = {}
        try:
            self._attach_real_devices()
        except BaseException:
            self.close()
            raise
        cp = ControlProgram(self.machine)
        self.cp = cp
        if start_time is not None:
            cp.started_at = start_time
        cp.enable_virtual_devices()
        cp.checkpoint_requests = []
        self._page_on_the_page_area()
        self.supervisor = Supervisor(cp)
        spool = spool if spool is not None else SpoolManager(cp)
        cp.spool = spool
        self.users = UserManager(cp, self.directory, self.packs, spool=spool)
        self._start_spooling(spool)
        cp.real_config = config
        self.users.tdisks = TemporaryDisks(config, self.packs)
        area = IOArea(cp.storage, cp.frames, "console manager", CONSOLE_IO_FRAMES)
        displays = [(d.address, MODELS[d.model]) for d in config.displays]
        lines = [terminal.address for terminal in config.terminals]
        self.consoles = ConsoleManager(cp, self.users, displays, cp.realio, area, lines)
        # The displays' ports learn who signs on (a TN3270 server drops idle connections);
        # a 2741 line has nothing to tell.
        self.consoles.on_sign_on = self._signed_on
        cp.consoles = self.consoles
        cp.users = self.users
        cp.services.append(self.consoles.service)
        cp.interruption_handlers.append(self.consoles.interruption)
        cp.on_disabled_wait.append(self.consoles.disabled_wait)
        cp.on_reflection_stop.append(self.consoles.stopped_by_reflection)
        cp.realio.unsolicited = self.consoles.unsolicited
        self.consoles.on_logon = self._ipl_at_logon
        self.consoles.start()

    def _signed_on(self, address: int, signed_on: bool) -> None:
        for display in self.displays:
            if display.port.address == address:
                display.port.set_signed_on(signed_on)

    def _ipl_at_logon(self, user, reconnected: bool) -> None:
        """The directory's IPL statement: a LOGON (not a reconnection) IPLs what it names,
        as VM/370's LOGON did (CP Command Reference, GC20-1820: "IPL" directory option);
        the IPL command does it, so a failure gives its message and CP READ follows."""
        if reconnected or not user.entry.ipl or user.terminal is None:
            return
        self.consoles.run_command(user.terminal, user, f"IPL {user.entry.ipl}")

    def _attach_real_devices(self) -> None:
        config = self.config
        root = self.folder.path
        for volser, pack in config.packs.items():
            image = root / pack.image
            try:
                device = create_device(pack.device_type, str(image))
            except DeviceError as error:
                raise RealSystemError(f"pack {volser}: {error}") from None
            self._attach(pack.address, device)
            self.packs[volser] = (pack.address, device)
        self.displays: list[Display3277] = []
        for display in config.displays:
            device = Display3277(display.model)
            self._attach(display.address, device)
            self.displays.append(device)
        # The 2741 lines telnet clients reach (vm370/terminal/telnet_server.py).
        self.lines: list[Terminal2741] = []
        for terminal in config.terminals:
            line = Terminal2741()
            self._attach(terminal.address, line)
            self.lines.append(line)
        for unit, kind in ((config.punch, "2540P"), (config.printer, "1403")):
            if unit is not None:
                try:
                    self._attach(unit.address, create_device(kind, str(root / unit.file)))
                except DeviceError as error:
                    raise RealSystemError(f"real {kind}: {error}") from None

    def _start_spooling(self, spool: SpoolManager) -> None:
        """The spool on the SPOOL area, the real printer and punch putting out closed files."""
        spool.known_user = self._known_user
        spool.notify = self._notify
        areas = self.config.areas("SPOOL")
        if areas:
            pack, area = areas[0]
            spool.attach_area(pack.address, area.start, area.count)
        if self.config.printer is not None:
            spool.attach_real_printer(self.config.printer.address)
        if self.config.punch is not None:
            spool.attach_real_punch(self.config.punch.address)

    def _known_user(self, userid: str) -> bool:
        return userid.upper() in self.directory.users

    def _notify(self, userid: str, line: str) -> None:
        user = self.users.users.get(userid.upper())
        if user is not None:
            user.guest_output(line)
        else:
            self.cp.write_log(f"{userid}: {line}")

    def _attach(self, address: int, device: Device) -> None:
        self.devices.append(device)
        self.machine.attach(address, device)

    def _page_on_the_page_area(self) -> None:
        areas = self.config.areas("PAGE")
        if not areas:
            return
        self.cp.pager.store = PagingAreas(
            self.cp.storage,
            self.cp.frames,
            self.machine.channels,
            [(pack.address, area.start, area.count) for pack, area in areas],
        )

    def run(self, max_instructions: int) -> str:
        """Run the real machine (CP and the users' machines); the CPU's stop reason.

        Checkpoints asked for meanwhile are taken after the slice, where no
        instruction or CP entry is half done.
        """
        reason = self.supervisor.run(max_instructions)
        if self.cp.checkpoint_requests:
            self.take_checkpoints()
        return reason

    def take_checkpoints(self) -> list[str]:
        """Take the checkpoints asked for; the line said for each (to its asker and the log).

        The line that says a checkpoint is taken is written before it is, so
        that the restored system's screen and log have it too; one that fails
        says so after.
        """
        from vm370.cp.checkpoint import CheckpointError, answer_request, write_checkpoint
        from vm370.cp.terminals import stamp

        said = []
        while self.cp.checkpoint_requests:
            name, userid, reply = self.cp.checkpoint_requests.pop(0)
            line = f"CHECKPOINT {name} TAKEN AT {stamp(self.cp)}"
            self._tell(userid, line)
            try:
                write_checkpoint(self, name)
            except CheckpointError as error:
                line = f"CHECKPOINT {name} FAILED: {error}"
                self._tell(userid, line)
            if reply is not None:  # `vm370 checkpoint` waits for it
                answer_request(reply, line)
            said.append(line)
        return said

    def drop_terminals(self) -> None:
        """Every display and line loses its terminal: their users are disconnected and
        the logo comes back (a restored system served to new clients, who must LOGON)."""
        for device in [*self.displays, *self.lines]:
            device.port.drop_terminal()

    def display_for(self, userid: str) -> tuple[int, bool]:
        """The display a session for ``userid`` should use, and whether it is logged on there.

        A restored system may have the user at a display already; otherwise the
        first display nobody is logged on at.
        """
        terminals = self.consoles.terminals
        free = None
        for index, display in enumerate(self.displays):
            terminal = terminals.get(display.port.address)
            user = getattr(terminal, "user", None)
            if user is not None and user.userid == userid:
                return index, True
            if user is None and free is None:
                free = index
        return (0 if free is None else free), False

    def _tell(self, userid: str | None, line: str) -> None:
        self.cp.write_log(line)
        user = self.users.users.get(userid) if userid is not None else None
        if user is not None and user.terminal is not None:
            user.terminal.write_line(line)

    def poll_terminals(self) -> int:
        """Let the displays and lines take in what their terminals sent (attention for each)."""
        return sum(device.poll() for device in [*self.displays, *self.lines])

    def shutdown(self) -> None:
        """Every user logged off; the packs flushed and closed."""
        for user in list(self.users.users.values()):
            self.users.logoff(user)
        self.close()

    def close(self) -> None:
        for device in self.devices:
            device.close()

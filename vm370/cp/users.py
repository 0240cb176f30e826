"""Users: LOGON, LOGOFF, DISCONNECT, and the virtual machine the directory describes.

A user who logs on gets a virtual machine built from their directory entry
(directory.py): the storage size, the privilege classes, the virtual
console, the spooled reader, punch and printer, the minidisks (MDISK), the
links to other users' minidisks (LINK) and the dedicated real devices
(DEDICATE). The machine then IPLs what the entry's IPL statement names, if
anything. A user who disconnects keeps running: console output is kept
(up to a limit) for the next connection, and logging on again reconnects.

Passwords are compared in constant time and never written anywhere: a
wrong password and an unknown userid get the same answer after the same
work (DMKLOG050E), so the response does not tell whether the user exists.

Links follow VM/370's rules (DMKLNK): the access modes R, RR, W, WR, M,
MR, MW; the read, write and multiple-write passwords (a password of ALL
asks for none; the owner of the disk never needs one); a write link is
refused while another user has one (and W while anyone has any link),
with the DMKLNK messages.
"""

from __future__ import annotations

import datetime
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vm370.cp.directory import LinkSpec, MinidiskSpec, UserEntry
from vm370.cp.usersettings import UserSettings
from vm370.cp.vdevices import (
    Extent,
    SpooledPrinter,
    SpooledPunch,
    SpooledReader,
    TranslatedDevice,
    VirtualConsole,
)
from vm370.cp.vmblock import RunState, VirtualMachine
from vm370.hardware.devices import Device

if TYPE_CHECKING:
    from vm370.cp.directory import Directory
    from vm370.cp.system import ControlProgram

# Console lines kept for a disconnected user (VM/370 dropped them; keeping
# the last few lets a student see what their machine said while away).
DISCONNECTED_OUTPUT = 200
WRITE_MODES = {"W", "WR", "M", "MR", "MW"}
LINK_MODES = {"R", "RR", "W", "WR", "M", "MR", "MW"}
SPOOL_KINDS = {"READER": "2540R", "PUNCH": "2540P", "PRINTER": "1403"}
SPOOL_DEVICES = {"2540R": SpooledReader, "2540P": SpooledPunch, "1403": SpooledPrinter}
# A userid nobody has, checked against so that an unknown user costs the same work.
_NOBODY = UserEntry("", 0, 0, "")


def linked_by(userids: list[str]) -> str:
    """DMKLNK's ``BY NNN USERS``: the userid itself when there is exactly one."""
    return userids[0] if len(userids) == 1 else f"{len(userids):03d} USERS"


class LogonError(Exception):
    """A LOGON that did not happen: VM/370's message."""


@dataclass
class User:
    """A logged-on user: their directory entry, virtual machine and terminal."""

    userid: str
    entry: UserEntry
    machine: VirtualMachine
    logged_on_at: datetime.datetime
    terminal: Any = None  # the terminal session (terminals.py); None while disconnected
    console: VirtualConsole | None = None
    # Console function mode (CP READ after PA1, or no IPL yet): the machine is stopped.
    cp_mode: bool = True
    kept_output: deque[str] = field(default_factory=lambda: deque(maxlen=DISCONNECTED_OUTPUT))
    # Each minidisk address: (owner userid, owner's address, write access).
    links: dict[int, tuple[str, int, bool]] = field(default_factory=dict)
    # What the user has SET (MSG, WNG, EMSG, IMSG, RUN, ECMODE, PF keys).
    settings: UserSettings = field(default_factory=UserSettings)

    @property
    def disconnected(self) -> bool:
        return self.terminal is None

    @property
    def classes(self) -> str:
        return self.entry.classes

    # The virtual console's line (vdevices.ConsoleLine).

    def guest_output(self, text: str) -> None:
        if self.terminal is None:
            self.kept_output.append(text)
        else:
            self.terminal.guest_output(self, text)

    def guest_read(self) -> None:
        if self.terminal is not None:
            self.terminal.guest_read(self)


class UserManager:
    """The users of one CP: logging on and off, their devices and links."""

    def __init__(
        self,
        cp: ControlProgram,
        directory: Directory,
        packs: dict[str, tuple[int, Device]],
        dedicated: dict[int, Device] | None = None,
        spool: Any = None,
    ) -> None:
        self.cp = cp
        self.directory = directory
        # volser -> (real address, the real DASD device)
        self.packs = packs
        self.dedicated = dedicated or {}
        self.spool = spool
        self.users: dict[str, User] = {}
        # CP's temporary disk space (DEFINE T2314): gives back a T-disk's cylinders.
        self.tdisks: Any = None
        self.logons = 0
        self.failed_logons = 0

    def entry(self, userid: str) -> UserEntry | None:
        return self.directory.users.get(userid.upper())

    def authenticate(self, userid: str, password: str) -> UserEntry | None:
        """The user's entry when the password is right; None (same work) otherwise."""
        entry = self.entry(userid)
        candidate = entry if entry is not None and entry.can_log_on else _NOBODY
        right = candidate.check_password(password)
        return entry if right and candidate is entry else None

    def logon(self, userid: str, password: str, terminal: Any) -> tuple[User, bool]:
        """Log the user on (or reconnect them); (user, reconnected). LogonError if refused."""
        entry = self.authenticate(userid, password)
        if entry is None:
            self.failed_logons += 1
            raise LogonError("DMKLOG050E PASSWORD INCORRECT")
        user = self.users.get(entry.userid)
        if user is not None:
            if not user.disconnected:
                raise LogonError(f"DMKLOG054E ALREADY LOGGED ON {user.terminal.describe()}")
            user.terminal = terminal
            return user, True
        machine = self.cp.create_virtual_machine(entry.userid, entry.storage)
        machine.classes = entry.classes
        user = User(entry.userid, entry, machine, self.cp.time_of_day(), terminal)
        user.settings.ecmode = "ECMODE" in entry.options
        machine.extended_control = user.settings.ecmode
        self.users[entry.userid] = user
        self.logons += 1
        self._build_devices(user)
        return user, False

    def logoff(self, user: User) -> None:
        """The user's machine and devices go; spool files stay."""
        for address in list(user.machine.devices):
            self.detach(user, address)
        if self.spool is not None:
            self.spool.logoff(user.userid)
        self.cp.destroy_virtual_machine(user.userid)
        self.users.pop(user.userid, None)
        user.terminal = None

    def disconnect(self, user: User) -> None:
        """The terminal goes; the machine keeps running."""
        user.terminal = None

    def _build_devices(self, user: User) -> list[str]:
        """The directory's devices for the user; VM/370's messages for those not defined."""
        entry = user.entry
        messages: list[str] = []
        if entry.console is not None:
            console = VirtualConsole(user)
            user.console = console
            self.add_device(user, entry.console.cuu, console)
        for spec in entry.spool:
            kind = SPOOL_KINDS[spec.unit]
            if self.spool is not None:
                self.spool.define_device(user.machine, spec.cuu, kind, spec.spool_class)
            else:
                self.add_device(user, spec.cuu, SPOOL_DEVICES[kind]())
        for spec in entry.minidisks.values():
            error = self._add_minidisk(user, spec, entry.userid, spec.mode in WRITE_MODES)
            if error:
                messages.append(error)
        for temporary in entry.temporary_disks.values():
            device = None
            if self.tdisks is not None:
                device = self.tdisks.allocate(temporary.device_type, temporary.cylinders)
            if device is None:
                messages.append(
                    f"DMKLOG091E DASD {temporary.cuu:03X} NOT DEFINED; TEMP SPACE NOT AVAILABLE"
                )
                continue
            self.add_device(user, temporary.cuu, device)
        for link in entry.links:
            messages += self.link(user, link.userid, link.target_cuu, link.cuu, link.mode, None)
        for dedicate in entry.dedicates:
            real = self.dedicated.get(dedicate.real_address)
            if real is None:
                messages.append(
                    f"DMKLOG090E DEV {dedicate.cuu:03X} NOT DEFINED; "
                    f"DEV {dedicate.real_address:03X} NOT AVAILABLE"
                )
                continue
            device = TranslatedDevice(real.device_type, dedicate.real_address, real, None, False)
            self.add_device(user, dedicate.cuu, device)
        return messages

    def add_device(self, user: User, address: int, device: Device) -> None:
        user.machine.devices[address] = device
        user.machine.channel.attach(address, device)

    def detach(self, user: User, address: int) -> None:
        machine = user.machine
        device = machine.devices.pop(address, None)
        if device is None:
            return
        if self.spool is not None:
            self.spool.detach_device(user.userid, address)
        machine.channel.detach(address)
        user.links.pop(address, None)
        if self.tdisks is not None:
            self.tdisks.release(device)
        if device is user.console:
            user.console = None

    def _add_minidisk(
        self, user: User, spec: MinidiskSpec, owner: str, write: bool, address: int | None = None
    ) -> str | None:
        address = spec.cuu if address is None else address
        pack = self.packs.get(spec.volser)
        if pack is None:
            return f"DMKLOG090E DEV {address:03X} NOT DEFINED; DEV {spec.volser} NOT AVAILABLE"
        real_address, real = pack
        heads = real.image.heads  # type: ignore[attr-defined]
        extent = Extent(spec.start_cylinder, spec.cylinders, heads)
        device = TranslatedDevice(
            spec.device_type, real_address, real, extent, not write, volser=spec.volser
        )
        self.add_device(user, address, device)
        user.links[address] = (owner, spec.cuu, write)
        return None

    def linked(self, owner: str, cuu: int) -> tuple[list[str], list[str]]:
        """Who has the minidisk: (users with write access, users with read access)."""
        writers, readers = [], []
        for user in self.users.values():
            for link_owner, link_cuu, write in user.links.values():
                if link_owner == owner and link_cuu == cuu:
                    (writers if write else readers).append(user.userid)
        return writers, readers

    def link(
        self,
        user: User,
        owner: str,
        target: int,
        address: int,
        mode: str,
        password: str | None,
    ) -> list[str]:
        """LINK: another user's minidisk at ``address``; the messages (empty: linked)."""
        owner = owner.upper()
        mode = mode.upper()
        entry = self.entry(owner)
        if entry is None:
            return ["DMKLNK053E USERID NOT IN CP DIRECTORY"]
        spec = entry.minidisks.get(target)
        if spec is None:
            return [f"DMKLNK107E {owner} {target:03X} NOT LINKED; NOT IN CP DIRECTORY"]
        if address in user.machine.devices:
            return [
                f"DMKLNK110E {owner} {target:03X} NOT LINKED; DEV {address:03X} ALREADY DEFINED"
            ]
        if mode not in LINK_MODES:
            return [f"DMKLNK118E {owner} {target:03X} NOT LINKED; COMMAND FORMAT NOT VALID"]
        if owner != user.userid:
            refusal = self._check_link_password(spec, mode, password, owner, target)
            if refusal:
                return [refusal]
        writers, readers = self.linked(owner, target)
        writers = [w for w in writers if w != user.userid]
        readers = [r for r in readers if r != user.userid]
        messages: list[str] = []
        write = False
        if mode == "R":
            if writers:
                return [f"DMKLNK105E {owner} {target:03X} NOT LINKED; R/W BY {linked_by(writers)}"]
        elif mode == "RR":
            pass
        elif mode in ("W", "WR"):
            if writers or readers:
                if mode == "W":
                    return [self._busy(owner, target, writers, readers)]
                messages.append(self._forced(address, writers, readers))
            else:
                write = True
        elif mode in ("M", "MR"):
            if writers:
                if mode == "M":
                    return [self._busy(owner, target, writers, [])]
                messages.append(self._forced(address, writers, readers))
            else:
                write = True
        else:  # MW: write whatever others have
            write = True
        self._add_minidisk(user, spec, owner, write, address)
        return messages

    @staticmethod
    def _busy(owner: str, target: int, writers: list[str], readers: list[str]) -> str:
        if writers and readers:
            return (
                f"DMKLNK106E {owner} {target:03X} NOT LINKED; R/W BY {linked_by(writers)}; "
                f"R/O BY {linked_by(readers)}"
            )
        if writers:
            return f"DMKLNK105E {owner} {target:03X} NOT LINKED; R/W BY {linked_by(writers)}"
        return f"DMKLNK104E {owner} {target:03X} NOT LINKED; R/O BY {linked_by(readers)}"

    @staticmethod
    def _forced(address: int, writers: list[str], readers: list[str]) -> str:
        if writers and readers:
            return (
                f"DMKLNK103W DASD {address:03X} FORCED R/O; R/W BY {linked_by(writers)}; "
                f"R/O BY {linked_by(readers)}"
            )
        if writers:
            return f"DMKLNK102W DASD {address:03X} FORCED R/O; R/W BY {linked_by(writers)}"
        return f"DMKLNK101W DASD {address:03X} FORCED R/O; R/O BY {linked_by(readers)}"

    def link_password_wanted(self, user: User, owner: str, target: int, mode: str) -> str | None:
        """READ, WRITE or MULT: the password LINK must ask for; None if it needs none.

        VM/370 (DMKLNK) asks only when the link is otherwise possible to try:
        another user's minidisk whose password for the mode is set and not ALL.
        """
        owner, mode = owner.upper(), mode.upper()
        entry = self.entry(owner)
        if entry is None or owner == user.userid or mode not in LINK_MODES:
            return None
        spec = entry.minidisks.get(target)
        if spec is None:
            return None
        if mode in ("R", "RR"):
            needed, kind = spec.read_password, "READ"
        elif mode in ("W", "WR"):
            needed, kind = spec.write_password, "WRITE"
        else:
            needed, kind = spec.multi_password, "MULT"
        if needed is None or needed.is_literally("ALL"):
            return None
        return kind

    @staticmethod
    def _check_link_password(
        spec: MinidiskSpec, mode: str, password: str | None, owner: str, target: int
    ) -> str | None:
        """VM/370: the password of the access asked for, unless it is ALL."""
        if mode in ("R", "RR"):
            needed, missing = spec.read_password, "NO READ PASSWORD"
        elif mode in ("W", "WR"):
            needed, missing = spec.write_password, "NO WRITE PASSWORD"
        else:
            needed, missing = spec.multi_password, "NO MULT PASSWORD"
        if needed is None:
            number = {"NO READ PASSWORD": 111, "NO WRITE PASSWORD": 112}.get(missing, 113)
            return f"DMKLNK{number}E {owner} {target:03X} NOT LINKED; {missing}"
        if needed.is_literally("ALL"):
            return None
        if password is None or not needed.matches(password):
            return f"DMKLNK114E {owner} {target:03X} NOT LINKED; PASSWORD INCORRECT"
        return None

    def link_from_directory(self, user: User, link: LinkSpec) -> list[str]:
        return self.link(user, link.userid, link.target_cuu, link.cuu, link.mode, None)

    def enter_cp_mode(self, user: User) -> None:
        """Console function mode: the machine stops until BEGIN (or an IPL)."""
        user.cp_mode = True
        machine = user.machine
        if machine.state is RunState.RUNNING:
            machine.state = RunState.STOPPED
            self.cp.dispatcher.remove(machine)
            if self.cp.supervisor is not None:
                self.cp.supervisor.stop_machine(machine)

    def begin(self, user: User) -> None:
        """BEGIN: the machine goes on from its PSW."""
        user.cp_mode = False
        machine = user.machine
        if machine.state is RunState.STOPPED:
            machine.start()
            if machine.state is RunState.RUNNING:
                self.cp.dispatcher.ready(machine)
                if self.cp.supervisor is not None:
                    self.cp.supervisor.wake_up()
            elif machine.state is RunState.ENABLED_WAIT:
                self.cp.wake(machine)

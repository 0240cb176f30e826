"""Spooling: the virtual reader, punch and printer of every user, and the real ones.

VM/370's spooling (its Operator's Guide and CP Command Reference; CP's
DMKVSP, DMKSPL, DMKCSP, DMKCSQ, DMKCSU, DMKCSV, DMKCQH, DMKDRD, DMKSEP):

- A virtual punch or printer writes into a *spool file* that CP opens at
  the first record and gives a spoolid (1-9900, wrapping, never two alike).
  CLOSE ends it. A closed file goes, as the device's options say, to the
  reader of the user named by ``SPOOL ... TO userid``, or to the real
  punch or printer, which print it after a separator page.
- A spool file has an owner (whose queue it is on) and an origin (who
  made it), the kind of device that made it (PUN or PRT), a class (A-Z,
  0-9), a form, a file name and type (CLOSE NAME, CHANGE NAME), a
  distribution code, a number of copies, a hold, its records and the date
  and time it was made.
- A virtual reader reads the first file of its class in its user's reader
  queue, in queue order (ORDER changes it). At the end of a file the
  reader presents unit exception, and the file is purged unless the
  reader (or CLOSE) holds it. With no file to read the reader is not ready.
- Every user's devices have their options (SPOOL): class, TO or FOR a
  userid, CONT, HOLD, COPY, FORM, DIST, by virtual address.
- Files live in memory, and also on the pack when a spool area is attached
  (spool_area.py): then they survive a shutdown.

The virtual devices (vdevices.py) reach the spool only through
``spool_record`` (``SpoolSink``) and ``next_card`` (``SpoolSource``);
``define_device`` builds one for a user's machine and binds it.
DIAGNOSE X'14' (``diagnose_reader``) reads reader files a whole 4 KB block
at a time, and gives their descriptions, as VM/370's DMKDRD did for CMS.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vm370.cp import separator
from vm370.cp.realio import IOArea, RealIO, RealIOError
from vm370.cp.spool_area import (
    BLOCK_SIZE,
    SpoolArea,
    SpoolAreaError,
    StoredFile,
    blocks_after,
    directory_blocks,
    pack_records,
)
from vm370.cp.vdevices import CARD, SpooledPrinter, SpooledPunch, SpooledReader
from vm370.hardware.channel import CHAIN_COMMAND, make_ccw
from vm370.hardware.devices import DEVICE_END, UNIT_CHECK, UNIT_EXCEPTION, Device
from vm370.hardware.devices.codepage import to_ebcdic_lenient
from vm370.hardware.interrupts import ADDRESSING, SPECIFICATION, ProgramInterrupt

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram
    from vm370.cp.vmblock import VirtualMachine

READER, PUNCH, PRINTER = "RDR", "PUN", "PRT"
QUEUES = (READER, PRINTER, PUNCH)
MAX_SPOOLID = 9900
MAX_COPIES = 99
CLASSES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ANY_CLASS = "*"
DEFAULT_FORM = "STANDARD"
IO_FRAMES = 3
PRINT_BATCH = 40
SKIP_TO_CHANNEL_1 = 0x8B
WRITE_SPACE_1 = 0x09
PUNCH_FEED = 0x01
DESCRIPTOR_SIZE = 104  # DIAGNOSE X'14' codes 4 and 8: 13 doublewords
SUCCESSOR_SIZE = 252  # DIAGNOSE X'14' code X'FFF': the descriptor and the first record
PAGE = 4096
MAX_RECORD = 256

DEVICE_KINDS = {SpooledReader: READER, SpooledPunch: PUNCH, SpooledPrinter: PRINTER}
DEVICE_CLASSES = {"2540R": SpooledReader, "2540P": SpooledPunch, "1403": SpooledPrinter}


class SpoolError(Exception):
    """A spool request that cannot be carried out (the message says why)."""


@dataclass
class SpoolFile(StoredFile):
    """A spool file: its directory entry (spool_area.StoredFile) and its records."""

    records: list[bytes] = field(default_factory=list, repr=False)


@dataclass
class SpoolDevice:
    """One spooled virtual device of one user, and its SPOOL options."""

    userid: str
    address: int
    kind: str
    device: Device
    spool_class: str = "A"
    to: str | None = None
    for_user: str | None = None
    cont: bool = False
    hold: bool = False
    copies: int = 1
    form: str = DEFAULT_FORM
    dist: str = ""
    # An output device's open file; a reader's file being read.
    file: SpoolFile | None = None
    # The open file's size in the spool area's 4 KB blocks, and the last block's bytes.
    blocks: int = 0
    block_fill: int = 0
    position: int = 0  # the reader's next record
    block: int = 0  # the reader's next 4 KB block (DIAGNOSE X'14')
    # DIAGNOSE X'14' codes 4 and 8: the files already described.
    described: list[int] | None = None


def card_image(spool_file: SpoolFile, record: bytes) -> bytes:
    """A record as the reader reads it: a card, or a print line without its CCW code."""
    if spool_file.made_by == PRINTER:
        record = record[1:]
    return bytes(record[:CARD]).ljust(CARD, b"\x40")


class SpoolManager:
    """Every spool file of the system, the users' spooled devices and the real output devices."""

    def __init__(self, cp: ControlProgram) -> None:
        self.cp = cp
        self.files: list[SpoolFile] = []  # closed files, in queue order
        self.devices: dict[tuple[str, int], SpoolDevice] = {}
        self._by_device: dict[int, SpoolDevice] = {}
        self.next_spoolid = 1
        self.area: SpoolArea | None = None
        self.real_printers: dict[int, str] = {}  # real address -> classes it prints
        self.real_punches: dict[int, str] = {}
        self.printed: list[int] = []  # spoolids the real devices finished, in order
        # Wired by the logon code: is a userid in the directory; a message to a user.
        self.known_user: Callable[[str], bool] | None = None
        self.notify: Callable[[str, str], None] | None = None
        self._io_area: IOArea | None = None
        self._realio: RealIO | None = None

    def attach_area(self, device_address: int, first_cylinder: int, cylinders: int) -> int:
        """Keep the spool on these cylinders of the real pack at ``device_address``.

        The files already there are read back (a spool that survived a
        shutdown); files made before the area was attached are written to
        it. Returns the number of files read from the pack.
        """
        if self.area is not None:
            raise SpoolError("a spool area is already attached")
        realio = self._real_io()
        area = IOArea(self.cp.storage, self.cp.frames, "spool area I/O", IO_FRAMES)
        try:
            spool_area = SpoolArea(realio, area, device_address, first_cylinder, cylinders)
            next_spoolid, loaded = spool_area.load()
        except SpoolAreaError as error:
            raise SpoolError(str(error)) from None
        restored = []
        for entry, records in loaded:
            restored.append(SpoolFile(**vars(entry), records=records))
        earlier = self.files
        self.files = list(restored)
        self.next_spoolid = next_spoolid
        # Files made before the area was attached keep their spoolids unless
        # the pack's files have them: then they get new ones.
        taken = {spool_file.spoolid for spool_file in restored}
        for binding in self.devices.values():
            if binding.file is not None and binding.file.spoolid in taken:
                binding.file.spoolid = self._new_spoolid()
        for spool_file in earlier:
            if spool_file.spoolid in taken or spool_file.spoolid in {f.spoolid for f in self.files}:
                spool_file.spoolid = self._new_spoolid()
            self.files.append(spool_file)
        self.area = spool_area
        for spool_file in earlier:
            self._write(spool_file)
        self._commit()
        return len(restored)

    def attach_real_printer(self, address: int, classes: str = ANY_CLASS) -> None:
        """The real 1403 at ``address`` prints closed printer files of ``classes``."""
        self._check_real(address)
        self.real_printers[address] = classes.upper()
        self.start_real_output()

    def attach_real_punch(self, address: int, classes: str = ANY_CLASS) -> None:
        """The real 2540 punch at ``address`` punches closed punch files of ``classes``."""
        self._check_real(address)
        self.real_punches[address] = classes.upper()
        self.start_real_output()

    def define_device(
        self, machine: VirtualMachine, address: int, device_type: str, spool_class: str = "A"
    ) -> Device:
        """A spooled reader (2540R), punch (2540P) or printer (1403) for the machine.

        The device goes into ``machine.devices`` and onto the machine's
        channel, bound to this spool (the directory's SPOOL statement, DEFINE).
        """
        device_class = DEVICE_CLASSES.get(device_type.upper())
        if device_class is None:
            raise SpoolError(f"{device_type} is not a spooled device type (2540R, 2540P, 1403)")
        if address in machine.devices:
            raise SpoolError(f"{machine.name} already has a device at {address:03X}")
        device = device_class(self)
        machine.devices[address] = device
        machine.channel.attach(address, device)
        self.connect(machine.name, address, device, spool_class)
        return device

    def connect(self, userid: str, address: int, device: Device, spool_class: str = "A") -> None:
        """Bind a spooled device built elsewhere to this spool."""
        kind = DEVICE_KINDS.get(type(device))
        if kind is None:
            raise SpoolError(f"{type(device).__name__} is not a spooled device")
        if kind == READER:
            device.source = self
        else:
            device.sink = self
        binding = SpoolDevice(userid.upper(), address, kind, device)
        binding.spool_class = ANY_CLASS if kind == READER and spool_class == "" else spool_class
        self.devices[(binding.userid, address)] = binding
        self._by_device[id(device)] = binding

    def detach_device(self, userid: str, address: int) -> None:
        """The device goes (DETACH, LOGOFF): its open output file closes, its reader file stays."""
        binding = self.devices.get((userid.upper(), address))
        if binding is None:
            return
        if binding.kind == READER:
            self._release_reader(binding)
        else:
            try:
                self.close_output(binding)
            except SpoolError as error:
                self.cp.write_log(f"{binding.userid} {address:03X} not closed: {error}")
        del self.devices[(binding.userid, address)]
        self._by_device.pop(id(binding.device), None)

    def logoff(self, userid: str) -> None:
        """Close every spooled device of the user (VM/370 closes them at LOGOFF)."""
        for key in [key for key in self.devices if key[0] == userid.upper()]:
            self.detach_device(*key)

    def device(self, userid: str, address: int) -> SpoolDevice | None:
        return self.devices.get((userid.upper(), address))

    def user_devices(self, userid: str, kind: str | None = None) -> list[SpoolDevice]:
        return sorted(
            (
                binding
                for (owner, _), binding in self.devices.items()
                if owner == userid.upper() and (kind is None or binding.kind == kind)
            ),
            key=lambda binding: binding.address,
        )

    def user_exists(self, userid: str) -> bool:
        if self.known_user is not None:
            return self.known_user(userid.upper())
        return userid.upper() in self.cp.machines

    def spool_record(self, device: Device, record: bytes) -> bool:
        """A card punched or a line printed on a spooled device (vdevices.SpoolSink).

        False when the spool cannot take it: the spool area is full. The
        open file is then closed with the records it has, and the user told
        so (VM/370's DMKVSP427I); a device that checks the answer presents
        intervention required, as a real punch with a full stacker.
        """
        binding = self._by_device.get(id(device))
        if binding is None or binding.kind == READER:
            return False
        # A guest's CCW count may be up to 64K: a print line is kept to what
        # a printer can print (the command code and at most 255 bytes).
        record = bytes(record[:MAX_RECORD])
        grown = blocks_after(binding.blocks, binding.block_fill, len(record))
        if not self._room_for(binding, grown[0]):
            self._spool_full(binding)
            return False
        if binding.file is None:
            try:
                binding.file = self._open(binding)
            except SpoolError as error:
                self.cp.write_log(f"{binding.userid} {binding.address:03X}: {error}")
                return False
        binding.blocks, binding.block_fill = grown
        binding.file.records.append(record)
        binding.file.record_count += 1
        return True

    def next_card(self, device: Device) -> bytes | None | bool:
        """The next card for a spooled reader (vdevices.SpoolSource)."""
        binding = self._by_device.get(id(device))
        if binding is None:
            return None
        if binding.file is None and not self._open_reader_file(binding):
            return None
        spool_file = binding.file
        if binding.position < len(spool_file.records):
            record = spool_file.records[binding.position]
            binding.position += 1
            return card_image(spool_file, record)
        self._finish_reading(binding)
        if binding.cont and self._open_reader_file(binding):
            return self.next_card(device)
        return False

    def close_output(
        self,
        binding: SpoolDevice,
        *,
        hold: bool | None = None,
        purge: bool = False,
        name: tuple[str, str] | None = None,
        dist: str | None = None,
    ) -> list[str]:
        """CLOSE a punch or printer: the open file goes where the options say; its messages."""
        spool_file, binding.file = binding.file, None
        binding.blocks = binding.block_fill = 0
        if spool_file is None:
            return []
        if purge:
            return []
        if name is not None:
            spool_file.filename, spool_file.filetype = name
        if dist is not None:
            spool_file.dist = dist
        spool_file.user_hold = binding.hold if hold is None else hold
        message_to = None
        if binding.to is not None:
            spool_file.owner, spool_file.queue = binding.to, READER
            word, message_to = " TO  ", binding.to
        elif binding.for_user is not None:
            spool_file.owner = binding.for_user
            word = " FOR "
        else:
            word = " FOR "
        self._write(spool_file)
        self.files.append(spool_file)
        self._commit()
        lines = []
        shown = binding.to or binding.for_user or spool_file.copies > 1 or spool_file.user_hold
        if shown:
            lines.append(self.file_message(spool_file, word, spool_file.owner))
        if message_to is not None:
            self.arrived(spool_file, self.file_message(spool_file, "FROM ", spool_file.origin))
        else:
            self.start_real_output()
        return lines

    def close_reader(self, binding: SpoolDevice, hold: bool | None = None) -> None:
        """CLOSE a reader: the file being read is purged, or kept when held."""
        spool_file = binding.file
        if spool_file is None:
            return
        keep = binding.hold if hold is None else hold
        self._finish_reading(binding, keep=keep)

    def arrived(self, spool_file: SpoolFile, message: str | None = None) -> None:
        """A file reached a user's reader: tell the user, and their idle readers (device end)."""
        owner = spool_file.owner
        if message is not None and owner != spool_file.origin:
            self.tell(owner, message)
        for binding in self.user_devices(owner, READER):
            if binding.file is None and binding.device.channels is not None:
                binding.device.present_status(DEVICE_END)

    def queue(self, kind: str, owner: str | None = None) -> list[SpoolFile]:
        """Closed files on a queue (RDR, PRT, PUN), in order; only ``owner``'s if given."""
        return [
            spool_file
            for spool_file in self.files
            if spool_file.queue == kind and (owner is None or spool_file.owner == owner.upper())
        ]

    def find(self, spoolid: int) -> SpoolFile | None:
        return next((f for f in self.files if f.spoolid == spoolid), None)

    def purge(self, spool_file: SpoolFile) -> None:
        """The file is gone from the system."""
        for binding in self.devices.values():
            if binding.kind == READER and binding.file is spool_file:
                binding.file, binding.position, binding.block = None, 0, 0
        if spool_file in self.files:
            self.files.remove(spool_file)
        if self.area is not None:
            self.area.release_file(spool_file)
        self._commit()

    def transfer(self, spool_file: SpoolFile, userid: str, queue: str = READER) -> None:
        """The file goes to ``userid``'s queue (TRANSFER), at its end."""
        if self.reading(spool_file):
            raise SpoolError(f"file {spool_file.spoolid:04d} is being read")
        self.files.remove(spool_file)
        spool_file.owner, spool_file.queue = userid.upper(), queue
        self.files.append(spool_file)
        self._commit()
        if queue == READER:
            self.arrived(spool_file)
        else:
            self.start_real_output()

    def order(self, kind: str, owner: str, chosen: list[SpoolFile]) -> None:
        """Put ``chosen`` first in ``owner``'s queue, in that order (ORDER)."""
        mine = [f for f in self.files if f.queue == kind and f.owner == owner]
        rest = [f for f in mine if f not in chosen]
        slots = [index for index, f in enumerate(self.files) if f in mine]
        for index, spool_file in zip(slots, chosen + rest, strict=True):
            self.files[index] = spool_file
        self._commit()

    def changed(self, spool_file: SpoolFile) -> None:
        """The file's attributes changed (CHANGE): keep them, and let it print if it may."""
        self._commit()
        if spool_file.queue == READER:
            self.arrived(spool_file)
        else:
            self.start_real_output()

    def start_real_output(self) -> None:
        """The real printers and punches print every closed file they may, in queue order."""
        for address, classes in self.real_printers.items():
            self._drain(address, classes, PRINTER)
        for address, classes in self.real_punches.items():
            self._drain(address, classes, PUNCH)

    def diagnose_reader(self, machine: VirtualMachine, rx: int, ry: int) -> None:
        """DIAGNOSE X'14': reader spool file operations (DMKDRD's subcodes).

        Ry (an even register) is the reader's address, R(y+1) the subcode:
        0 the next 4 KB data block of the file (to a page-aligned buffer at
        Rx; cc 1 at the end of the file, cc 2 with no file); 4 and 8 the
        next description of a printer or punch file (104 bytes at Rx); X'C'
        select the file whose spoolid is in Rx to be read next; X'10' set
        the copies of the file being read; X'14' restart the file and give
        its first block; X'18' back up one block and give it; X'FFF' (Ry a
        spoolid, 0 for the first) the description and first record of the
        user's next reader file (252 bytes at Rx). cc 3 with R(y+1) 4: no
        such device, 8: not a reader, 12: busy. Layouts in docs/cp.md.
        """
        if ry % 2:
            raise ProgramInterrupt(SPECIFICATION)
        subcode = machine.gpr[ry + 1] & 0xFFFFFFFF
        if subcode == 0xFFF:
            return self._diagnose_successor(machine, rx, ry)
        if subcode > 0x18 or subcode % 4:
            raise ProgramInterrupt(SPECIFICATION)
        address = machine.gpr[ry] & 0xFFFF
        binding = self.devices.get((machine.name, address))
        if machine.devices.get(address) is None:
            return _diagnose_failed(machine, ry, 4)
        if binding is None or binding.kind != READER:
            return _diagnose_failed(machine, ry, 8)
        if machine.channel.is_busy(address):
            return _diagnose_failed(machine, ry, 12)
        machine.psw.cc = 0
        if subcode == 0x0:
            self._diagnose_next_block(machine, rx, binding)
        elif subcode in (0x4, 0x8):
            self._diagnose_describe(machine, rx, ry, binding, PRINTER if subcode == 4 else PUNCH)
        elif subcode == 0xC:
            self._diagnose_select(machine, rx, binding)
        elif subcode == 0x10:
            self._diagnose_copies(machine, rx, binding)
        else:
            if binding.file is None:
                machine.psw.cc = 2
                return
            binding.block = 0 if subcode == 0x14 else max(binding.block - 2, 0)
            self._diagnose_next_block(machine, rx, binding)

    def descriptor(self, spool_file: SpoolFile) -> bytes:
        """The 104-byte description DIAGNOSE X'14' gives (layout in docs/cp.md)."""
        ebcdic = to_ebcdic_lenient
        flags = (0x80 if spool_file.user_hold else 0) | (0x40 if spool_file.system_hold else 0)
        created = spool_file.created
        record = (
            ebcdic(spool_file.owner.ljust(8))
            + ebcdic(spool_file.origin.ljust(8))
            + struct.pack(">H", spool_file.spoolid)
            + ebcdic(spool_file.spool_class[:1] or " ")
            + bytes((flags,))
            + ebcdic(spool_file.made_by.ljust(3)[:3])
            + b"\x00"
            + struct.pack(">IHxx", spool_file.record_count, spool_file.copies)
            + ebcdic(spool_file.filename.ljust(8)[:8])
            + ebcdic(spool_file.filetype.ljust(8)[:8])
            + ebcdic(spool_file.dist.ljust(8)[:8])
            + ebcdic(spool_file.form.ljust(8)[:8])
            + ebcdic(created.strftime("%m/%d/%y"))
            + ebcdic(created.strftime("%H:%M:%S"))
        )
        return record.ljust(DESCRIPTOR_SIZE, b"\x00")

    def _room_for(self, binding: SpoolDevice, blocks: int) -> bool:
        """Whether the area holds every open file, ``binding``'s at ``blocks``, and a directory."""
        if self.area is None:
            return True
        open_files = [b for b in self.devices.values() if b.file is not None and b.kind != READER]
        others = sum(b.blocks for b in open_files if b is not binding)
        directory = directory_blocks(len(self.files) + len(open_files) + 1)
        return others + blocks + directory <= len(self.area.free)

    def _spool_full(self, binding: SpoolDevice) -> None:
        message = (
            f"DMKVSP427I {binding.kind} {binding.address:03X} SYSTEM SPOOL SPACE FULL; FILE CLOSED"
        )
        if binding.file is None:
            self.cp.write_log(f"{binding.userid}: {message}")
            return
        self.tell(binding.userid, message)
        for line in self.close_output(binding):
            self.tell(binding.userid, line)

    def _open(self, binding: SpoolDevice) -> SpoolFile:
        return SpoolFile(
            spoolid=self._new_spoolid(),
            owner=binding.userid,
            origin=binding.userid,
            queue=binding.kind,
            made_by=binding.kind,
            spool_class=binding.spool_class,
            user_hold=False,
            system_hold=False,
            copies=binding.copies,
            form=binding.form,
            filename="",
            filetype="",
            dist=binding.dist or binding.userid,
            created=self.cp.time_of_day().replace(microsecond=0),
            record_count=0,
        )

    def _new_spoolid(self) -> int:
        taken = {f.spoolid for f in self.files}
        taken |= {b.file.spoolid for b in self.devices.values() if b.file is not None}
        candidate = self.next_spoolid
        for _ in range(MAX_SPOOLID):
            if candidate not in taken:
                self.next_spoolid = candidate % MAX_SPOOLID + 1
                return candidate
            candidate = candidate % MAX_SPOOLID + 1
        raise SpoolError(f"all {MAX_SPOOLID} spoolids are in use")

    def _open_reader_file(self, binding: SpoolDevice) -> bool:
        for spool_file in self.queue(READER, binding.userid):
            if spool_file.user_hold or spool_file.system_hold or self.reading(spool_file):
                continue
            if binding.spool_class in (ANY_CLASS, spool_file.spool_class):
                binding.file, binding.position, binding.block = spool_file, 0, 0
                return True
        return False

    def reading(self, spool_file: SpoolFile) -> bool:
        return any(
            binding.kind == READER and binding.file is spool_file
            for binding in self.devices.values()
        )

    def _finish_reading(self, binding: SpoolDevice, keep: bool | None = None) -> None:
        spool_file = binding.file
        binding.file, binding.position, binding.block = None, 0, 0
        if spool_file is None:
            return
        if binding.hold if keep is None else keep:
            spool_file.user_hold = True
            self._commit()
        else:
            self.purge(spool_file)

    def _release_reader(self, binding: SpoolDevice) -> None:
        binding.file, binding.position, binding.block = None, 0, 0

    def file_message(self, spool_file: SpoolFile, word: str, userid: str) -> str:
        # DMKSPL's message: PUN FILE 0005  TO  BOB      COPY 01 NOHOLD
        hold = "  HOLD" if spool_file.user_hold else "NOHOLD"
        return (
            f"{spool_file.made_by} FILE {spool_file.spoolid:04d} {word}{userid:<8} "
            f"COPY {spool_file.copies % 100:02d} {hold}"
        )

    def tell(self, userid: str, line: str) -> None:
        if self.notify is not None:
            self.notify(userid, line)
        else:
            self.cp.write_log(f"to {userid}: {line}")

    def _write(self, spool_file: SpoolFile) -> None:
        if self.area is None:
            return
        try:
            self.area.write_file(spool_file, spool_file.records)
        except SpoolAreaError as error:
            raise SpoolError(str(error)) from None

    def _commit(self) -> None:
        if self.area is None:
            return
        try:
            self.area.commit(self.files, self.next_spoolid)
        except SpoolAreaError as error:
            raise SpoolError(str(error)) from None

    def _real_io(self) -> RealIO:
        if self._realio is None:
            self._realio = self.cp.realio or RealIO(self.cp.storage, self.cp.machine.channels)
        return self._realio

    def _check_real(self, address: int) -> None:
        channels = self.cp.machine.channels
        if channels is None or address not in channels.devices:
            raise SpoolError(f"no real device at {address:03X}")

    def _unit_record_area(self) -> IOArea:
        if self._io_area is None:
            self._io_area = IOArea(self.cp.storage, self.cp.frames, "spool output", 2)
        return self._io_area

    def _drain(self, address: int, classes: str, kind: str) -> None:
        while True:
            waiting = next(
                (
                    f
                    for f in self.queue(kind)
                    if not f.user_hold
                    and not f.system_hold
                    and (ANY_CLASS in classes or f.spool_class in classes)
                ),
                None,
            )
            if waiting is None:
                return
            try:
                if kind == PRINTER:
                    self._print_file(address, waiting)
                else:
                    self._punch_file(address, waiting)
            except SpoolError as error:
                # The real device failed: the file stays, held by the system, for the operator.
                waiting.system_hold = True
                self._commit()
                self.cp.write_log(f"spool file {waiting.spoolid:04d} not output: {error}")
                return
            self.printed.append(waiting.spoolid)
            self.purge(waiting)

    def _print_file(self, address: int, spool_file: SpoolFile) -> None:
        page = separator.separator_page(
            spool_file.owner,
            spool_file.spoolid,
            spool_file.filename,
            spool_file.filetype,
            spool_file.spool_class,
            spool_file.dist,
            self.cp.time_of_day(),
        )
        commands = [(SKIP_TO_CHANNEL_1, b"")]
        commands += [(WRITE_SPACE_1, to_ebcdic_lenient(line)) for line in page]
        commands.append((SKIP_TO_CHANNEL_1, b""))
        for _ in range(max(spool_file.copies, 1)):
            commands += [(record[0], record[1:]) for record in spool_file.records if record]
            commands.append((SKIP_TO_CHANNEL_1, b""))
        self._run_unit_record(address, commands)

    def _punch_file(self, address: int, spool_file: SpoolFile) -> None:
        card = separator.separator_card(
            spool_file.owner,
            spool_file.spoolid,
            spool_file.filename,
            spool_file.filetype,
            spool_file.spool_class,
            spool_file.dist,
        )
        commands = [(PUNCH_FEED, to_ebcdic_lenient(card.ljust(CARD)))]
        for _ in range(max(spool_file.copies, 1)):
            commands += [(PUNCH_FEED, card_image(spool_file, r)) for r in spool_file.records]
        self._run_unit_record(address, commands)

    def _run_unit_record(self, address: int, commands: list[tuple[int, bytes]]) -> None:
        """Run the commands as command-chained programs on a real unit record device.

        A printer's unit exception (the carriage reached the end of the
        form, channel 12) ends the chain after the line was printed: the
        program goes on from the next command.
        """
        realio = self._real_io()
        area = self._unit_record_area()
        start = 0
        while start < len(commands):
            batch = commands[start : start + PRINT_BATCH]
            area.reset()
            data_addresses = [area.put(data) if data else 0 for _, data in batch]
            program = area.reserve(8 * len(batch))
            ccws = b"".join(
                make_ccw(
                    command,
                    data_address,
                    CHAIN_COMMAND if index + 1 < len(batch) else 0,
                    max(len(data), 1),
                )
                for index, ((command, data), data_address) in enumerate(
                    zip(batch, data_addresses, strict=True)
                )
            )
            area.storage.write(program, ccws)
            try:
                csw = realio.run(address, program)
            except RealIOError as error:
                raise SpoolError(str(error)) from None
            status = csw[4]
            if status & UNIT_CHECK or csw[5] & ~0x40:
                raise SpoolError(f"real device {address:03X} ended with CSW {csw.hex().upper()}")
            done = len(batch)
            if status & UNIT_EXCEPTION:
                ended_at = (int.from_bytes(csw[1:4], "big") - program) // 8
                done = min(max(ended_at, 1), len(batch))
            start += done

    def _diagnose_next_block(self, machine: VirtualMachine, rx: int, binding: SpoolDevice) -> None:
        buffer = _guest_buffer(machine, rx, BLOCK_SIZE, PAGE)
        if binding.file is None and not self._open_reader_file(binding):
            machine.psw.cc = 2
            return
        blocks = pack_records(binding.file.records, binding.file.spoolid)
        if binding.block >= len(blocks) or not binding.file.records:
            self._finish_reading(binding)
            machine.psw.cc = 1
            return
        block = bytearray(blocks[binding.block])
        following = binding.block + 1 if binding.block + 1 < len(blocks) else 0xFFFFFFFF
        block[0:4] = following.to_bytes(4, "big")
        machine.storage.store(buffer, bytes(block))
        binding.block += 1

    def _diagnose_describe(
        self, machine: VirtualMachine, rx: int, ry: int, binding: SpoolDevice, made_by: str
    ) -> None:
        if binding.file is not None:
            return _diagnose_failed(machine, ry, 12)
        buffer = _guest_buffer(machine, rx, DESCRIPTOR_SIZE, 8)
        if buffer // PAGE != (buffer + DESCRIPTOR_SIZE - 1) // PAGE:
            raise ProgramInterrupt(SPECIFICATION)
        first_call = binding.described is None
        given = binding.described or []
        for spool_file in self.queue(READER, binding.userid):
            if spool_file.made_by == made_by and spool_file.spoolid not in given:
                machine.storage.store(buffer, self.descriptor(spool_file))
                binding.described = given + [spool_file.spoolid]
                return
        binding.described = None
        machine.psw.cc = 2 if first_call else 1

    def _diagnose_select(self, machine: VirtualMachine, rx: int, binding: SpoolDevice) -> None:
        spoolid = machine.gpr[rx] & 0xFFFFFFFF
        chosen = next((f for f in self.queue(READER, binding.userid) if f.spoolid == spoolid), None)
        if chosen is None:
            machine.psw.cc = 2
            return
        self.order(READER, binding.userid, [chosen])

    def _diagnose_copies(self, machine: VirtualMachine, rx: int, binding: SpoolDevice) -> None:
        copies = machine.gpr[rx]
        if copies & 0x80000000 or copies == 0:
            raise ProgramInterrupt(SPECIFICATION)
        if binding.file is None:
            machine.psw.cc = 2
            return
        binding.file.copies = copies % 256 or 1
        self._commit()

    def _diagnose_successor(self, machine: VirtualMachine, rx: int, ry: int) -> None:
        spoolid = machine.gpr[ry] & 0xFFFFFFFF
        files = self.queue(READER, machine.name)
        start = 0
        if spoolid:
            index = next((i for i, f in enumerate(files) if f.spoolid == spoolid), None)
            if index is None:
                machine.psw.cc = 2
                return
            start = index + 1
        if start >= len(files):
            machine.psw.cc = 1
            return
        buffer = _guest_buffer(machine, rx, SUCCESSOR_SIZE, 8)
        chosen = files[start]
        first = chosen.records[0] if chosen.records else b""
        tag = bytes(first[: SUCCESSOR_SIZE - DESCRIPTOR_SIZE])
        data = self.descriptor(chosen) + tag.ljust(SUCCESSOR_SIZE - DESCRIPTOR_SIZE, b"\x00")
        machine.storage.store(buffer, data)
        machine.psw.cc = 0


def _diagnose_failed(machine: VirtualMachine, ry: int, code: int) -> None:
    machine.gpr[(ry + 1) & 15] = code
    machine.psw.cc = 3


def _guest_buffer(machine: VirtualMachine, rx: int, length: int, alignment: int) -> int:
    address = machine.gpr[rx] & machine.address_mask
    if address % alignment:
        raise ProgramInterrupt(SPECIFICATION)
    if address + length > machine.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    return address

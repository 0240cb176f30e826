"""The DIAGNOSE codes of VM/370's CP, as its System Programmer's Guide documents them.

``DIAG Rx,Ry,CODE``: the code is the second-operand address, Rx and Ry name
the registers that carry the arguments (VM/370 DMKHVC). A code used by a
machine without the privilege class it needs is a privileged-operation
exception; bad operands are the specification or addressing exception
the documentation names; a code CP does not offer is a specification
exception (diagnose.py).

- X'00' store extended identification (any class): ``VM/370``, the level,
  the processor, the userid, at the doubleword-aligned address in Rx, as
  many bytes as Ry says.
- X'04' examine real storage (class C or E): Rx a list of real addresses,
  Ry the number of entries, Ry+1 the address of the result table of words.
- X'08' CP command (class G): Rx the command's address, Ry its length
  (bits 8-31) and flags (bits 0-7: X'40' puts the response into the
  guest's buffer at R(x+1), length R(y+1), instead of on the console; on
  return R(y+1) holds the response's length, cc 1 if it did not fit, and
  Ry the command's return code).
- X'0C' date, time and CPU times (class G): 32 bytes at the doubleword
  address in Rx: MM/DD/YY and HH:MM:SS in EBCDIC, then the virtual and the
  total CPU time in microseconds.
- X'10' release pages (class G): Rx and Ry the first and last page.
- X'14' reader spool file operations (class G): see spool.py.
- X'18' standard DASD I/O (class G): Rx the virtual device, Ry the address
  of the CCW string, R15 the number of reads or writes (DMKDGD's contract:
  cc 0; cc 1 and R15 1-4; cc 2 and R15 5-12; cc 3 and R15 13 with the CSW
  at the guest's location 64).
- X'20' general I/O (class G): Rx the virtual device, Ry the CCW string;
  the program runs to its end before the guest goes on (DMKGIO's contract:
  cc 0; cc 1 R15 1 no device; cc 2 R15 2 unit exception, 3 wrong length;
  cc 3 R15 13 permanent error).
- X'24' device type (class G): Rx the virtual device (-1 for the console);
  Ry gets the virtual device's class, type, status and flags, Ry+1 the real
  device's; cc 0, 2 (no real device) or 3 (no such device).
- X'58' 3270 console write (class G): Rx a CCW X'19' whose control byte
  is the output line to write on (X'80' erases the display first, X'FF'
  cancels; CCW flag X'01' intensifies it), Ry the virtual console; the
  line appears on the user's display at that line (CMS's DMSGIO contract).
"""

from __future__ import annotations

import datetime
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from assembler import assemble
from assembler.maclib import MaclibError, read_maclib, split_records
from vm370.cp.commands import execute_from_guest
from vm370.cp.diagnose import DiagnoseRegistry
from vm370.cp.frames import FRAME_SHIFT
from vm370.cp.vdevices import TranslatedDevice, VirtualConsole
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.channel import CHAIN_COMMAND, CHAIN_DATA, PROGRAM_CONTROLLED_INTERRUPTION
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.devices import (
    CHANNEL_END,
    DEVICE_END,
    STATUS_MODIFIER,
    UNIT_EXCEPTION,
    dasd,
)
from vm370.hardware.interrupts import (
    ADDRESSING,
    PRIVILEGED_OPERATION,
    SPECIFICATION,
    ProgramInterrupt,
)
from vm370.hardware.psw import CSW

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram

CP_LEVEL = bytes((0x06, 0x00, 0x00))  # version 6, level 0, PLC 0 of this reconstruction
MAXIMUM_COMMAND = 132
MAXIMUM_RESPONSE = 8192
RESPONSE_FLAG = 0x40
DASD_RECORD_LIMIT = 2048
DASD_PACKAGE_LIMIT = 15

# VM/370 device class and type codes (its DEVTYPES copy file), for DIAGNOSE X'24'.
CLASS_TERMINAL = 0x80
CLASS_GRAPHIC = 0x40
TERMINAL_2741 = 0x40  # VM/370's type code of a 2741 (a typewriter terminal)
CLASS_UNIT_RECORD_INPUT = 0x20
CLASS_UNIT_RECORD_OUTPUT = 0x10
CLASS_DASD = 0x04
TYPE_CODES = {
    "3215": (CLASS_TERMINAL, 0x10),
    "1052": (CLASS_TERMINAL, 0x20),
    "3277": (CLASS_GRAPHIC, 0x04),
    "2540R": (CLASS_UNIT_RECORD_INPUT, 0x08),
    "2540P": (CLASS_UNIT_RECORD_OUTPUT, 0x08),
    "1403": (CLASS_UNIT_RECORD_OUTPUT, 0x41),
    "2311": (CLASS_DASD, 0x80),
    "2314": (CLASS_DASD, 0x40),
}

_DASD_TRANSFERS = {
    dasd.READ_DATA,
    dasd.READ_DATA | dasd.MULTITRACK,
    dasd.READ_KEY_AND_DATA,
    dasd.READ_COUNT_KEY_AND_DATA,
    dasd.READ_COUNT,
    dasd.WRITE_DATA,
    dasd.WRITE_KEY_AND_DATA,
    dasd.WRITE_COUNT_KEY_AND_DATA,
}
_DASD_WRITES = {
    dasd.WRITE_DATA,
    dasd.WRITE_KEY_AND_DATA,
    dasd.WRITE_COUNT_KEY_AND_DATA,
    dasd.WRITE_R0,
    dasd.WRITE_HOME_ADDRESS,
    dasd.ERASE,
}


def require_class(machine: VirtualMachine, classes: str) -> None:
    """VM/370: a service of other classes is a privileged-operation exception."""
    if not set(classes) & set(machine.classes):
        raise ProgramInterrupt(PRIVILEGED_OPERATION)


def _aligned(machine: VirtualMachine, address: int, alignment: int, length: int) -> int:
    address &= machine.address_mask
    if address % alignment:
        raise ProgramInterrupt(SPECIFICATION)
    if address + length > machine.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    return address


def diagnose_identification(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'00' store extended identification."""
    address = _aligned(machine, machine.gpr[rx], 8, 0)
    length = machine.gpr[ry] & 0xFFFFFFFF
    record = (
        "VM/370  ".encode("cp037")
        + CP_LEVEL
        + bytes((0xFF, 0x00, 0x00, 0x00, 0x00))  # version code, MCEL, processor 0
        + machine.name.ljust(8).encode("cp037")
    )
    stored = record[: min(length, len(record))]
    if stored:
        machine.storage.store(address, stored)
    machine.psw.cc = 0


def diagnose_examine_real_storage(
    cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int
) -> None:
    """X'04' examine real storage locations (class C or E)."""
    require_class(machine, "CE")
    count = machine.gpr[ry] & 0xFFFFFFFF
    requests = machine.gpr[rx] & machine.address_mask
    results = machine.gpr[(ry + 1) & 15] & machine.address_mask
    real = cp.storage
    for index in range(count):
        request = requests + 4 * index
        result = results + 4 * index
        # VM/370 stops at the end of the page holding the tables.
        if request >> FRAME_SHIFT != requests >> FRAME_SHIFT:
            break
        if result >> FRAME_SHIFT != results >> FRAME_SHIFT:
            break
        location = int.from_bytes(machine.storage.fetch(request, 4), "big") & 0xFFFFFF
        if location + 4 > real.size:
            break
        machine.storage.store(result, real.read(location & ~3, 4))
    machine.psw.cc = 0


def diagnose_cp_command(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'08' CP command from the virtual machine (class G)."""
    flags = machine.gpr[ry] >> 24 & 0xFF
    length = machine.gpr[ry] & 0xFFFFFF
    if length > MAXIMUM_COMMAND:
        raise ProgramInterrupt(SPECIFICATION)
    text = machine.storage.fetch(machine.gpr[rx] & machine.address_mask, length).decode("cp037")
    if flags & RESPONSE_FLAG:
        buffer = machine.gpr[(rx + 1) & 15] & machine.address_mask
        room = machine.gpr[(ry + 1) & 15] & 0xFFFFFFFF
        if not 0 < room <= MAXIMUM_RESPONSE or buffer == 0:
            raise ProgramInterrupt(SPECIFICATION)
        code, lines = execute_from_guest(cp, machine, text, capture=True)
        response = "".join(line + "\n" for line in lines).encode("cp037", errors="replace")
        response = response.replace(b"\x25", b"\x15")  # EBCDIC new line between lines
        stored = response[:room]
        if stored:
            machine.storage.store(buffer, stored)
        machine.gpr[ry] = code & 0xFFFFFFFF
        if len(response) > room:
            machine.gpr[(ry + 1) & 15] = len(response) - room
            machine.psw.cc = 1
        else:
            machine.gpr[(ry + 1) & 15] = len(response)
            machine.psw.cc = 0
        return
    code, _ = execute_from_guest(cp, machine, text, capture=False)
    machine.gpr[ry] = code & 0xFFFFFFFF
    machine.psw.cc = 0


def diagnose_date_time(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'0C' date, time of day, virtual and total CPU time."""
    address = _aligned(machine, machine.gpr[rx], 8, 32)
    now = cp.time_of_day()
    # Virtual CPU time is the machine's instructions; CP's own work for it
    # is not charged in instructions, so the total is the same figure.
    virtual = machine.counters.instructions * 1_000_000 // INSTRUCTIONS_PER_SECOND
    total = virtual
    record = (
        now.strftime("%m/%d/%y").encode("cp037")
        + now.strftime("%H:%M:%S").encode("cp037")
        + virtual.to_bytes(8, "big")
        + total.to_bytes(8, "big")
    )
    machine.storage.store(address, record)
    machine.psw.cc = 0


def diagnose_release_pages(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'10' release virtual storage pages: their contents become zeros, their frames free."""
    first = machine.gpr[rx] & machine.address_mask
    last = machine.gpr[ry] & machine.address_mask
    if first & 0xFFF or last & 0xFFF or first > last:
        raise ProgramInterrupt(SPECIFICATION)
    if last >= machine.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    cp.release_pages(machine, first >> FRAME_SHIFT, last >> FRAME_SHIFT)
    machine.psw.cc = 0


def diagnose_reader(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'14' input spool file operations (class G)."""
    spool = getattr(cp, "spool", None)
    if spool is None:
        raise ProgramInterrupt(SPECIFICATION)
    spool.diagnose_reader(machine, rx, ry)


def _dasd_error(machine: VirtualMachine, cc: int, code: int) -> None:
    machine.gpr[15] = code
    machine.psw.cc = cc


def diagnose_dasd_io(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'18' standard DASD I/O: the CMS fast path (DMKDGD's contract)."""
    address = machine.gpr[rx] & 0xFFFF
    program = machine.gpr[ry] & machine.address_mask
    machine.gpr[15], packages = 0, machine.gpr[15]
    if program & 7:
        return _dasd_error(machine, 2, 5)
    device = machine.devices.get(address & 0x7FF)
    if device is None:
        return _dasd_error(machine, 1, 1)
    if not isinstance(device, TranslatedDevice) or device.device_type not in ("2311", "2314"):
        return _dasd_error(machine, 1, 2)
    if not 1 <= packages <= DASD_PACKAGE_LIMIT:
        return _dasd_error(machine, 2, 11)
    error = _check_standard_chain(machine, device, program, packages)
    if error is not None:
        return _dasd_error(machine, *error)
    ended = cp.translator.start(machine, device, program)
    csw = ended[0] if ended is not None else bytes(8)
    unit, channel = csw[4], csw[5]
    if unit & ~STATUS_MODIFIER == CHANNEL_END | DEVICE_END and not channel:
        return _dasd_error(machine, 0, 0)
    machine.storage.write_real(CSW, csw)
    return _dasd_error(machine, 3, 13)


def _check_standard_chain(
    machine: VirtualMachine, device: TranslatedDevice, program: int, packages: int
) -> tuple[int, int] | None:
    """DMKDGD's checks of the standard CCW string; (cc, R15) of the first error."""
    size = machine.storage_size
    address = program
    transfers = 0
    first_cylinder = None
    for _ in range(8 * DASD_PACKAGE_LIMIT):
        if address + 8 > size:
            return 2, 6
        raw = machine.storage.read_real(address, 8)
        command, flags = raw[0], raw[4]
        data = int.from_bytes(raw[1:4], "big")
        count = int.from_bytes(raw[6:8], "big")
        if command & 0x0F == 0x08:  # the TIC back to the search
            address += 8
            continue
        if flags & (CHAIN_DATA | PROGRAM_CONTROLLED_INTERRUPTION):
            return 2, 7
        if command in (dasd.SEEK, dasd.SEEK_HEAD):
            if data + 6 > size:
                return 2, 6
            cylinder = int.from_bytes(machine.storage.read_real(data + 2, 2), "big")
            if command == dasd.SEEK:
                if first_cylinder is None:
                    first_cylinder = cylinder
                if device.extent is not None and cylinder >= device.extent.cylinders:
                    return 1, 4
            elif first_cylinder is not None and cylinder != first_cylinder:
                return 2, 12
        elif command in _DASD_TRANSFERS or command in _DASD_WRITES:
            if command in _DASD_WRITES and device.read_only:
                return 1, 3
            if count == 0:
                return 2, 8
            if count > DASD_RECORD_LIMIT:
                return 2, 9
            if data + count > size:
                return 2, 10
            transfers += 1
            if transfers > packages:
                return 2, 11
            if not flags & CHAIN_COMMAND:
                return None
        elif command in _KNOWN_STANDARD:
            if data + min(count, 5) > size:
                return 2, 6
        else:
            return 2, 7
        address += 8
    return 2, 11


_KNOWN_STANDARD = {
    dasd.SEEK,
    dasd.SEEK_HEAD,
    dasd.SEARCH_ID_EQUAL,
    dasd.SEARCH_ID_EQUAL_OR_HIGH,
    dasd.SEARCH_ID_HIGH,
    dasd.SET_FILE_MASK,
}


def diagnose_general_io(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'20' general I/O without interruptions (DMKGIO's contract)."""
    address = machine.gpr[rx] & 0x7FF
    program = machine.gpr[ry] & machine.address_mask
    device = machine.devices.get(address)
    if device is None:
        machine.gpr[15] = 1
        machine.psw.cc = 1
        return
    channel = machine.channel
    if channel.is_busy(address) or channel.pending_csw(address) is not None:
        machine.gpr[15] = 1
        machine.psw.cc = 1
        return
    if isinstance(device, TranslatedDevice):
        ended = cp.translator.start(machine, device, program)
        csw = ended[0] if ended is not None else bytes(8)
    else:
        csw = cp.run_virtual_program(machine, address, program)
    unit, status = csw[4], csw[5]
    if unit & UNIT_EXCEPTION:
        code, cc = 2, 2
    elif status & 0x40 and not status & ~0x40:
        code, cc = 3, 2
    elif unit & ~STATUS_MODIFIER == CHANNEL_END | DEVICE_END and not status:
        code, cc = 0, 0
    else:
        code, cc = 13, 3
    if cc:
        machine.storage.write_real(CSW, csw)
    machine.gpr[15] = code
    machine.psw.cc = cc


def diagnose_device_type(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'24' virtual and real device type information."""
    requested = machine.gpr[rx] & 0xFFFFFFFF
    if requested == 0xFFFFFFFF:
        address = next(
            (a for a, d in machine.devices.items() if isinstance(d, VirtualConsole)), None
        )
    else:
        address = requested & 0x7FF
    device = machine.devices.get(address) if address is not None else None
    if device is None:
        machine.psw.cc = 3
        return
    machine.gpr[rx] = address
    device_class, device_type = TYPE_CODES.get(device.device_type, (0, 0))
    flags = 0x80 if isinstance(device, TranslatedDevice) and device.read_only else 0
    machine.gpr[ry] = device_class << 24 | device_type << 16 | flags
    if isinstance(device, TranslatedDevice):
        real_class, real_type = TYPE_CODES.get(device.real.device_type, (0, 0))
        machine.gpr[(ry + 1) & 15] = real_class << 24 | real_type << 16
        machine.psw.cc = 0
    elif isinstance(device, VirtualConsole):
        # The real device is the user's terminal: a 3277 display, or a
        # typewriter terminal (line mode); with no terminal (a machine run
        # bare) the virtual console's own type.
        users = getattr(cp, "users", None)
        user = users.users.get(machine.name) if users is not None else None
        terminal = user.terminal if user is not None else None
        if terminal is not None and not getattr(terminal, "line_mode", False):
            machine.gpr[(ry + 1) & 15] = CLASS_GRAPHIC << 24 | 0x04 << 16 | 80
        elif terminal is not None:
            machine.gpr[(ry + 1) & 15] = CLASS_TERMINAL << 24 | TERMINAL_2741 << 16
        else:
            machine.gpr[(ry + 1) & 15] = device_class << 24 | device_type << 16
        machine.psw.cc = 0
    else:
        machine.psw.cc = 2  # spooled: no real device


DISPLAY_WRITE = 0x19
DISPLAY_ERASE_FIRST = 0x80
DISPLAY_CANCEL = 0xFF
DISPLAY_INTENSIFY = 0x01  # CCW flag byte: the line intensified (DMSGIO's X'04' request)


def diagnose_console_display(
    cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int
) -> None:
    """X'58' 3270 console write: a full-screen line on the user's display (CMS's DMSGIO).

    Rx holds the address of a CCW: X'19', the data address, flags (SLI),
    a control byte (the output line to start on, 0 the first; X'80' on
    asks the display to be erased first; X'FF' cancels the full-screen
    display) and the byte count; flag X'01' shows the line intensified.
    Ry holds the virtual console's address.
    cc 0 when written; cc 3 when the device is not the virtual console.
    """
    ccw_address = machine.gpr[rx] & machine.address_mask
    if ccw_address & 7:
        raise ProgramInterrupt(SPECIFICATION)
    ccw = machine.storage.fetch(ccw_address, 8)
    console = machine.devices.get(machine.gpr[ry] & 0x7FF)
    if not isinstance(console, VirtualConsole):
        machine.psw.cc = 3
        return
    if ccw[0] != DISPLAY_WRITE:
        raise ProgramInterrupt(SPECIFICATION)
    control = ccw[5]
    count = int.from_bytes(ccw[6:8], "big")
    users = getattr(cp, "users", None)
    user = users.users.get(machine.name) if users is not None else None
    terminal = user.terminal if user is not None else None
    if control == DISPLAY_CANCEL:
        if terminal is not None:
            terminal.cancel_display()
        machine.psw.cc = 0
        return
    data = machine.storage.fetch(int.from_bytes(ccw[1:4], "big"), count) if count else b""
    text = data.decode("cp037")
    if terminal is not None and hasattr(terminal, "display_at"):
        terminal.display_at(
            control & 0x7F,
            text,
            bool(control & DISPLAY_ERASE_FIRST),
            bool(ccw[4] & DISPLAY_INTENSIFY),
        )
    elif user is not None:
        user.guest_output(text)
    machine.psw.cc = 0


def register_vm370_codes(registry: DiagnoseRegistry) -> None:
    """Add VM/370's codes to a registry (system.py does for a multi-user CP)."""
    for code, name, function in (
        (0x00, "EXTENDED IDENTIFICATION", diagnose_identification),
        (0x04, "EXAMINE REAL STORAGE", diagnose_examine_real_storage),
        (0x08, "CP COMMAND", diagnose_cp_command),
        (0x0C, "DATE AND TIME", diagnose_date_time),
        (0x10, "RELEASE PAGES", diagnose_release_pages),
        (0x14, "READER FILE", diagnose_reader),
        (0x18, "STANDARD DASD I/O", diagnose_dasd_io),
        (0x20, "GENERAL I/O", diagnose_general_io),
        (0x24, "DEVICE TYPE", diagnose_device_type),
        (0x58, "CONSOLE DISPLAY", diagnose_console_display),
        (DIAGNOSE_ASSEMBLE, "ASSEMBLE", diagnose_assemble),
    ):
        registry.register(code, name, function)


def guest_time_of_day(start: datetime.datetime, instructions: int) -> datetime.datetime:
    """The time of day on the virtual clock: the system's start plus virtual seconds."""
    elapsed = instructions * 1_000_000 // INSTRUCTIONS_PER_SECOND
    return start + datetime.timedelta(microseconds=elapsed)


DIAGNOSE_ASSEMBLE = 0x0108
ASSEMBLE_PLIST_LENGTH = 48
LISTING_RECORD = 121  # carriage control and 120 characters, as CMS LISTING files are


def _guest_block(machine: VirtualMachine, address: int, length: int) -> bytes:
    address &= machine.address_mask
    if length < 0 or address + length > machine.storage_size:
        raise ProgramInterrupt(ADDRESSING)
    return machine.storage.fetch(address, length) if length else b""


def listing_records(listing: str) -> bytes:
    """The listing as CMS LISTING records: a blank carriage control, 120 characters."""
    records = []
    for line in listing.splitlines():
        text = line[: LISTING_RECORD - 1].ljust(LISTING_RECORD - 1)
        records.append(b"\x40" + text.encode("cp037", errors="replace"))
    return b"".join(records)


def diagnose_assemble(cp: ControlProgram, machine: VirtualMachine, rx: int, ry: int) -> None:
    """X'0108' ASSEMBLE: run the project's assembler on source and macros in guest storage.

    This reconstruction's own code (docs/cp.md): CMS reads the source and the MACLIBs
    and writes the TEXT and LISTING files itself; CP only assembles, storage to storage.
    Rx: a fullword-aligned 48-byte list: A(source) F(records) A(libraries) F(count)
    A(deck area) F(size) F(deck bytes, returned) A(listing area) F(size) F(listing
    bytes, returned) CL8(deck name). The source is 80-byte EBCDIC records; the libraries
    area holds, for each MACLIB in search order, a fullword record count and its
    80-byte records (assembler/maclib.py). On return Ry is the assembler's return code
    and cc 0; cc 1 when the deck or the listing does not fit its area (nothing stored,
    the returned sizes say what they need); cc 2 with Ry the number (from 1) of a
    library that is not a MACLIB.
    """
    require_class(machine, "G")
    plist = _aligned(machine, machine.gpr[rx], 4, ASSEMBLE_PLIST_LENGTH)
    words = struct.unpack(">10I", machine.storage.fetch(plist, 40))
    source_at, source_count, libraries_at, library_count = words[:4]
    deck_at, deck_size, _, listing_at, listing_size, _ = words[4:10]
    deck_name = machine.storage.fetch(plist + 40, 8).decode("cp037").strip()
    source = _guest_block(machine, source_at, 80 * source_count)
    lines = [record.decode("cp037").rstrip() for record in split_records(source)]
    libraries: list[dict[str, list[str]]] = []
    cursor = libraries_at & machine.address_mask
    for number in range(1, library_count + 1):
        count = int.from_bytes(_guest_block(machine, cursor, 4), "big")
        records = _guest_block(machine, cursor + 4, 80 * count)
        cursor += 4 + 80 * count
        try:
            libraries.append(read_maclib(split_records(records)))
        except MaclibError:
            machine.gpr[ry] = number
            machine.psw.cc = 2
            return
    with tempfile.TemporaryDirectory(prefix="vm370-maclib-") as folder:
        paths = []
        for number, members in enumerate(libraries):
            path = Path(folder) / str(number)
            path.mkdir()
            for name, member in members.items():
                (path / f"{name}.mac").write_text("\n".join(member) + "\n")
            paths.append(path)
        result = assemble(
            "\n".join(lines) + "\n", deck_name=deck_name, maclib=paths, now=cp.time_of_day()
        )
    deck = result.object_deck
    listing = listing_records(result.listing)
    machine.storage.store(plist + 24, len(deck).to_bytes(4, "big"))
    machine.storage.store(plist + 36, len(listing).to_bytes(4, "big"))
    machine.gpr[ry] = result.return_code & 0xFFFFFFFF
    if len(deck) > deck_size or len(listing) > listing_size:
        machine.psw.cc = 1
        return
    _guest_block(machine, deck_at, len(deck))
    _guest_block(machine, listing_at, len(listing))
    if deck:
        machine.storage.store(deck_at & machine.address_mask, deck)
    if listing:
        machine.storage.store(listing_at & machine.address_mask, listing)
    machine.psw.cc = 0

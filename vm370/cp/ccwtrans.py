"""CCW translation: a guest's channel program made into a real one (VM/370's DMKCCW).

A guest names its channel program and its data in its own (guest-real)
addresses, which are CP's virtual addresses: the real channel cannot use
them. So, for a device CP backs with a real one (a minidisk, a dedicated
device), CP copies the program into its own storage and rewrites it:

- each data address becomes the real address of the guest's page, which
  CP brings in and locks in its frame until the I/O ends; a data area that
  crosses a page boundary becomes data-chained pieces, one per frame
  (pages that are neighbours in the guest's storage seldom are in real
  storage);
- a TIC points at the copy of its target, translated in turn; when the
  flow of the copy reaches a CCW already translated, a TIC joins the copy
  there;
- for a minidisk, the cylinder numbers move: a SEEK's argument is checked
  against the minidisk's extent and relocated (copied into CP's storage, so
  the guest cannot change it once checked), search arguments and the count
  fields a write puts on the pack are relocated the same way, and the count
  fields a read returns are moved back. A RECALIBRATE becomes a seek to the
  minidisk's first cylinder, READ IPL a seek to it and a read of its record
  1. WRITE HOME ADDRESS is refused: the home address belongs to the pack;
- a read-only link gets a SET FILE MASK that inhibits writes, so the real
  device refuses any write with command reject and file protected, as a
  read-only pack would;
- every copy of a minidisk's program starts with a SEEK to where the
  minidisk's arm last was: other users move the real arm in between.

Whatever the guest got wrong is left for the real channel to find: an
invalid command code, a count of zero, reserved flags, a TIC to a TIC, a
misaligned TIC or a CCW outside its storage are copied so that the real
channel presents the very program check the hardware would, at the copy of
the guest's CCW; a SEEK outside the extent is copied as a seek to an
address no 2311 or 2314 has, so the real device answers with the unit check
and sense (command reject, seek check) it gives for an invalid seek, and
the pack is never reached.

When the program ends CP translates the CSW back: the CCW address of the
copy becomes the guest's, the residual count is counted in the guest's
CCW, and the status is the real device's. After a unit check CP senses the
real device at once and keeps the sense bytes for the guest (another user's
I/O may come before the guest's own SENSE): a guest channel program that
starts with SENSE is answered from them.

The run itself is synchronous (realio.py). A program longer than CP's I/O
area (about 1,900 CCWs after translation) is cut where the area ends: the
guest gets a program check there.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vm370.cp.frames import FRAME_SHIFT, FRAME_SIZE, Frame
from vm370.cp.realio import IOArea, RealIO, RealIOError
from vm370.hardware.channel import (
    CHAIN_COMMAND,
    CHAIN_DATA,
    INCORRECT_LENGTH,
    PROGRAM_CHECK,
    PROGRAM_CONTROLLED_INTERRUPTION,
    SKIP,
    SUPPRESS_LENGTH,
    TRANSFER_IN_CHANNEL,
    make_ccw,
    make_csw,
)
from vm370.hardware.devices import (
    CHANNEL_END,
    DEVICE_END,
    STATUS_MODIFIER,
    UNIT_CHECK,
    dasd,
    is_read,
)

if TYPE_CHECKING:
    from vm370.cp.vdevices import TranslatedDevice
    from vm370.cp.vmblock import VirtualMachine

CCW_LENGTH = 8
SENSE = 0x04
INVALID_COMMAND = 0x00
# A command no DASD knows: the real device answers it with command reject.
REJECTED_COMMAND = 0xFF
# A cylinder number no 2311 or 2314 has: a seek to it is a seek check.
NO_SUCH_CYLINDER = 0xFFFF
# Room kept in the I/O area for the CCWs one guest CCW may become.
AREA_MARGIN = 256
# A program that reads the CCWs it goes on with runs in stages; at most this many.
MAX_STAGES = 64

_SEEKS = (dasd.SEEK, dasd.SEEK_CYLINDER, dasd.SEEK_HEAD)
_ID_SEARCHES = {
    command | multitrack
    for command in (dasd.SEARCH_ID_EQUAL, dasd.SEARCH_ID_HIGH, dasd.SEARCH_ID_EQUAL_OR_HIGH)
    for multitrack in (0, dasd.MULTITRACK)
}
_HA_SEARCHES = {dasd.SEARCH_HOME_ADDRESS, dasd.SEARCH_HOME_ADDRESS | dasd.MULTITRACK}
_COUNT_WRITES = (dasd.WRITE_COUNT_KEY_AND_DATA, dasd.WRITE_R0)
# Reads that return a count field (CC at offset 0) or the home address (at 1).
_COUNT_READS = {
    command | multitrack: 0
    for command in (dasd.READ_COUNT, dasd.READ_R0, dasd.READ_COUNT_KEY_AND_DATA)
    for multitrack in (0, dasd.MULTITRACK)
}
_COUNT_READS.update({dasd.READ_HOME_ADDRESS: 1, dasd.READ_HOME_ADDRESS | dasd.MULTITRACK: 1})


@dataclass
class _Copy:
    """The translation of one guest channel program under way."""

    machine: VirtualMachine
    device: TranslatedDevice
    real_of: dict[int, int] = field(default_factory=dict)  # guest CCW -> its copy
    # real CCW address -> (guest CCW address, bytes of that guest CCW after this piece)
    origin: dict[int, tuple[int, int]] = field(default_factory=dict)
    tics: list[tuple[int, int]] = field(default_factory=list)  # (real TIC, guest target)
    locked: list[Frame] = field(default_factory=list)
    # Guest-real address of a returned count field's cylinder, and its bytes before.
    fixups: list[tuple[int, bytes]] = field(default_factory=list)
    # Guest storage the program reads into ((start, end) of each read's data area),
    # and where to go on when a TIC leads into CCWs the program reads itself.
    reads: list[tuple[int, int]] = field(default_factory=list)
    continue_at: int | None = None


class ChannelProgramTranslator:
    """Translates and runs guest channel programs on real devices."""

    def __init__(self, cp, realio: RealIO, area: IOArea) -> None:
        self.cp = cp
        self.realio = realio
        self.area = area
        self.translations = 0
        self.ccws_translated = 0

    def start(
        self,
        machine: VirtualMachine,
        device: TranslatedDevice,
        caw: int,
        after_ipl_record: bool = False,
    ) -> tuple[bytes, bool] | None:
        """Translate and run the program the guest's ``caw`` names.

        Returns the CSW of its end in the guest's terms and whether it ended
        at START I/O (condition code 1 on the real channel), or None when the
        CAW itself is invalid (the caller stores the program check).
        ``after_ipl_record`` (IPL, ipl.py) starts the program with the heads
        just past record 1 of the first track, where the IPL read left them.
        """
        # PoO (S/360): CAW bits 4-7 must be zero and the CCW on a doubleword.
        key = caw >> 28
        start = caw & 0xFFFFFF
        if caw & 0x0F000000 or start & 7:
            return None
        sense = self._answer_sense(machine, device, start, key)
        if sense is not None:
            return sense, False
        stage = start
        for _ in range(MAX_STAGES):
            copy = _Copy(machine, device)
            csw = self._run_stage(copy, stage, key, after_ipl_record)
            after_ipl_record = False
            ended = csw[4] & ~STATUS_MODIFIER == CHANNEL_END | DEVICE_END and not csw[5]
            if copy.continue_at is None or not ended:
                break
            stage = copy.continue_at
        return self._guest_csw(copy, csw, stage), self.realio.ended_at_start

    def _run_stage(self, copy: _Copy, start: int, key: int, after_ipl_record: bool) -> bytes:
        """Translate and run one stage of the guest's program; the real CSW."""
        device = copy.device
        try:
            real_start = self._translate(copy, start, after_ipl_record)
            self.translations += 1
            csw = self.realio.run(device.real_address, real_start, key)
        finally:
            for frame in copy.locked:
                if frame.lock_count:
                    self.cp.frames.unlock(frame)
            self.area.reset()
        self._move_counts_back(copy)
        if device.extent is not None:
            device.follow_real_arm()
        if csw[4] & UNIT_CHECK:
            device.kept_sense = self._sense_real_device(device)
        else:
            device.kept_sense = None
        return csw

    def _translate(self, copy: _Copy, start: int, after_ipl_record: bool = False) -> int:
        """Build the real program; its real address."""
        area = self.area
        area.reset()
        device = copy.device
        first = area.next
        if device.extent is not None or after_ipl_record:
            # The arm is where this minidisk last left it, whatever others did.
            if after_ipl_record:
                device.cylinder = device.head = 0
            seek = area.put_data(device.real_seek_argument())
            self._emit(copy, make_ccw(dasd.SEEK, seek, CHAIN_COMMAND, 6), start, 0)
        if after_ipl_record:
            # Read record 1 again without storing it: the heads are then past it.
            search = area.put_data(device.real_seek_argument()[2:6] + b"\x01")
            search_ccw = make_ccw(dasd.SEARCH_ID_EQUAL, search, CHAIN_COMMAND, 5)
            at = self._emit(copy, search_ccw, start, 0)
            self._emit(copy, make_ccw(TRANSFER_IN_CHANNEL, at, 0, 0), start, 0)
            skip = CHAIN_COMMAND | SKIP | SUPPRESS_LENGTH
            self._emit(copy, make_ccw(dasd.READ_DATA, area.reserve(1), skip, 1), start, 0)
        if device.read_only and device.extent is not None:
            mask = area.put_data(bytes((dasd.MASK_INHIBIT_WRITES,)))
            self._emit(copy, make_ccw(dasd.SET_FILE_MASK, mask, CHAIN_COMMAND, 1), start, 0)
        runs = deque([start])
        while runs:
            guest = runs.popleft()
            if guest in copy.real_of:
                continue
            self._translate_run(copy, guest, runs)
        for real_tic, target in copy.tics:
            real_target = copy.real_of.get(target, target)
            self.cp.storage.write(real_tic, make_ccw(TRANSFER_IN_CHANNEL, real_target, 0, 0))
        return first

    def _translate_run(self, copy: _Copy, guest: int, runs: deque) -> None:
        """Copy the CCWs the channel reaches one after another from ``guest``."""
        machine = copy.machine
        in_data_chain = False
        previous_chains = False
        while True:
            if guest in copy.real_of:
                self._join(copy, guest, runs)
                return
            if self.area.room < AREA_MARGIN:
                self._emit_invalid(copy, guest)
                return
            raw = self._fetch(machine, guest)
            if raw is None:
                self._emit_invalid(copy, guest)
                return
            copy.real_of[guest] = self.area.next
            command, flags, count = raw[0], raw[4], int.from_bytes(raw[6:8], "big")
            data_address = int.from_bytes(raw[1:4], "big")
            self.ccws_translated += 1
            if command & 0x0F == TRANSFER_IN_CHANNEL:
                if self._reads_into(copy, data_address):
                    # The CCWs there are still to be read by this very program
                    # (an IPL's chain reading the next one): end the program
                    # after that read, and go on from there once it is done.
                    self._end_stage(copy, data_address)
                    return
                self._emit_tic(copy, guest, data_address, runs)
                # A search's status modifier skips the TIC after it: go on past it.
                if not previous_chains:
                    return
                guest += CCW_LENGTH
                previous_chains = False
                continue
            self._translate_command(copy, guest, command, data_address, flags, count, in_data_chain)
            if not flags & (CHAIN_DATA | CHAIN_COMMAND):
                return
            in_data_chain = bool(flags & CHAIN_DATA)
            previous_chains = bool(flags & CHAIN_COMMAND) and not in_data_chain
            guest += CCW_LENGTH

    @staticmethod
    def _reads_into(copy: _Copy, address: int) -> bool:
        return any(start <= address < end for start, end in copy.reads)

    def _end_stage(self, copy: _Copy, target: int) -> None:
        """The last CCW copied ends the stage: no chaining past it."""
        last = self.area.next - CCW_LENGTH
        raw = bytearray(self.cp.storage.read(last, CCW_LENGTH))
        raw[4] &= ~(CHAIN_COMMAND | CHAIN_DATA)
        self.cp.storage.write(last, bytes(raw))
        copy.continue_at = target

    def _join(self, copy: _Copy, guest: int, runs: deque) -> None:
        """The flow reaches a CCW copied before: continue there (never TIC to a TIC)."""
        raw = self._fetch(copy.machine, guest)
        if raw is not None and raw[0] & 0x0F == TRANSFER_IN_CHANNEL:
            self._emit_tic(copy, guest, int.from_bytes(raw[1:4], "big"), runs)
            return
        real = self.area.put(bytes(CCW_LENGTH))
        copy.origin[real] = (guest, 0)
        copy.tics.append((real, guest))

    def _emit_tic(self, copy: _Copy, guest: int, target: int, runs: deque) -> None:
        real = self.area.put(bytes(CCW_LENGTH))
        copy.origin[real] = (guest, 0)
        if target & 7 or target + CCW_LENGTH > copy.machine.storage_size:
            # The real channel checks the TIC: point it where it fails the same way.
            bad = target if target & 7 else self._invalid_address()
            self.cp.storage.write(real, make_ccw(TRANSFER_IN_CHANNEL, bad, 0, 0))
            if not target & 7:
                copy.origin.setdefault(bad, (target, 0))
            return
        copy.tics.append((real, target))
        runs.append(target)

    def _emit_invalid(self, copy: _Copy, guest: int) -> None:
        """A CCW the channel cannot fetch or CP cannot hold: a program check there."""
        copy.real_of.setdefault(guest, self.area.next)
        self._emit(copy, make_ccw(INVALID_COMMAND, 0, 0, 0), guest, 0)

    def _emit(self, copy: _Copy, ccw: bytes, guest: int, remaining: int) -> int:
        real = self.area.put(ccw)
        copy.origin[real] = (guest, remaining)
        return real

    def _fetch(self, machine: VirtualMachine, guest: int) -> bytes | None:
        if guest + CCW_LENGTH > machine.storage_size:
            return None
        return machine.storage.read_real(guest, CCW_LENGTH)

    def _translate_command(
        self,
        copy: _Copy,
        guest: int,
        command: int,
        data_address: int,
        flags: int,
        count: int,
        in_data_chain: bool,
    ) -> None:
        """One guest CCW that is not a TIC: its real CCW(s)."""
        if count == 0 or command & 0x0F == 0 and not in_data_chain:
            # The real channel finds these itself, at the copy.
            self._emit(copy, make_ccw(command, 0, flags, count), guest, 0)
            return
        device = copy.device
        extent = device.extent
        if extent is not None and not in_data_chain:
            if command in _SEEKS:
                argument = self._guest_bytes(copy, data_address, min(count, 6))
                relocated = device.relocate_seek(command, argument)
                self._emit_with_prefix(copy, guest, command, relocated, data_address, flags, count)
                return
            if command == dasd.RECALIBRATE:
                real = self.area.put_data(device.relocate_seek(dasd.SEEK, bytes(6)))
                self._emit(copy, make_ccw(dasd.SEEK, real, flags & ~CHAIN_DATA, 6), guest, 0)
                return
            if command in _ID_SEARCHES or command in _HA_SEARCHES:
                argument = self._guest_bytes(copy, data_address, min(count, 4))
                relocated = device.relocate_cylinder_field(argument)
                self._emit_with_prefix(copy, guest, command, relocated, data_address, flags, count)
                return
            if command in _COUNT_WRITES:
                argument = self._guest_bytes(copy, data_address, min(count, 2))
                relocated = device.relocate_cylinder_field(argument)
                self._emit_with_prefix(copy, guest, command, relocated, data_address, flags, count)
                return
            if command == dasd.WRITE_HOME_ADDRESS:
                self._emit(copy, make_ccw(REJECTED_COMMAND, 0, flags, count), guest, 0)
                return
            if command == dasd.READ_IPL:
                self._read_ipl(copy, guest, data_address, flags, count)
                return
            if command == dasd.SET_FILE_MASK and device.read_only:
                # CP's own mask, first in the program, inhibits writes; a second
                # mask would be refused, so the guest's becomes a no-operation.
                self._emit(copy, make_ccw(dasd.NOP, 0, flags & ~CHAIN_DATA, 1), guest, 0)
                return
            offset = _COUNT_READS.get(command)
            if offset is not None:
                self._watch_count(copy, data_address + offset, count - offset)
        if is_read(command) and not flags & SKIP:
            copy.reads.append((data_address, data_address + count))
        self._emit_data(copy, guest, command, data_address, flags, count)

    def _emit_with_prefix(
        self,
        copy: _Copy,
        guest: int,
        command: int,
        prefix: bytes,
        data_address: int,
        flags: int,
        count: int,
    ) -> None:
        """The CCW with its first bytes from CP's copy (relocated), the rest from the guest."""
        head = self.area.put_data(prefix)
        rest = count - len(prefix)
        if rest <= 0:
            self._emit(copy, make_ccw(command, head, flags, count), guest, 0)
            return
        pieces = self._pieces(copy, data_address + len(prefix), rest)
        self._emit(copy, make_ccw(command, head, flags | CHAIN_DATA, len(prefix)), guest, rest)
        self._emit_pieces(copy, guest, command, pieces, flags)

    def _emit_data(
        self, copy: _Copy, guest: int, command: int, data_address: int, flags: int, count: int
    ) -> None:
        self._emit_pieces(copy, guest, command, self._pieces(copy, data_address, count), flags)

    def _emit_pieces(
        self, copy: _Copy, guest: int, command: int, pieces: list[tuple[int, int]], flags: int
    ) -> None:
        """Data-chained real CCWs for the pieces; the last keeps the guest's chaining flags."""
        remaining = sum(length for _, length in pieces)
        for index, (real, length) in enumerate(pieces):
            remaining -= length
            last = index == len(pieces) - 1
            piece_flags = flags if last else (flags & ~CHAIN_COMMAND) | CHAIN_DATA
            if index:
                piece_flags &= ~PROGRAM_CONTROLLED_INTERRUPTION
            self._emit(copy, make_ccw(command, real, piece_flags, length), guest, remaining)

    def _read_ipl(self, copy: _Copy, guest: int, data_address: int, flags: int, count: int) -> None:
        """READ IPL on a minidisk: seek to its first cylinder, then read its record 1."""
        device = copy.device
        seek = device.relocate_seek(dasd.SEEK, bytes(6))
        arguments = self.area.put_data(seek + seek[2:6] + b"\x01")
        self._emit(copy, make_ccw(dasd.SEEK, arguments, CHAIN_COMMAND, 6), guest, count)
        search = self._emit(
            copy, make_ccw(dasd.SEARCH_ID_EQUAL, arguments + 6, CHAIN_COMMAND, 5), guest, count
        )
        self._emit(copy, make_ccw(TRANSFER_IN_CHANNEL, search, 0, 0), guest, count)
        copy.reads.append((data_address, data_address + count))
        self._emit_data(copy, guest, dasd.READ_DATA, data_address, flags, count)

    def _pieces(self, copy: _Copy, address: int, count: int) -> list[tuple[int, int]]:
        """The real (address, length) pieces of a guest data area, its pages locked."""
        machine = copy.machine
        pager = self.cp.pager
        pieces: list[tuple[int, int]] = []
        while count > 0:
            if address >= machine.storage_size:
                # Past the guest's storage: the channel must stop there, as it
                # would at the end of real storage.
                pieces.append((self._invalid_address(), count))
                break
            offset = address & (FRAME_SIZE - 1)
            run = min(count, FRAME_SIZE - offset, machine.storage_size - address)
            frame = pager.frame_for(machine.name, address >> FRAME_SHIFT)
            if frame not in copy.locked:
                self.cp.frames.lock(frame)
                copy.locked.append(frame)
            real = frame.address + offset
            if pieces and pieces[-1][0] + pieces[-1][1] == real:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + run)
            else:
                pieces.append((real, run))
            address += run
            count -= run
        return pieces

    def _invalid_address(self) -> int:
        """A real address the channel cannot use: the end of real storage."""
        return min(self.cp.storage.size, 0xFFFFF8)

    def _guest_bytes(self, copy: _Copy, address: int, length: int) -> bytes:
        machine = copy.machine
        if address + length > machine.storage_size:
            return bytes(length)
        return machine.storage.read_real(address, length)

    def _watch_count(self, copy: _Copy, address: int, room: int) -> None:
        """A read returns a count field here: mark its cylinder to move it back after."""
        machine = copy.machine
        if room < 2 or address + 2 > machine.storage_size:
            return
        before = machine.storage.read_real(address, 2)
        copy.fixups.append((address, before))
        machine.storage.write_real(address, NO_SUCH_CYLINDER.to_bytes(2, "big"))

    def _move_counts_back(self, copy: _Copy) -> None:
        """Count fields the reads returned hold real cylinders: give the guest its own."""
        storage = copy.machine.storage
        for address, before in reversed(copy.fixups):
            value = int.from_bytes(storage.read_real(address, 2), "big")
            if value == NO_SUCH_CYLINDER:
                storage.write_real(address, before)  # that read never ran
            else:
                storage.write_real(address, copy.device.unrelocate_cylinder(value))

    def _guest_csw(self, copy: _Copy, csw: bytes, start: int) -> bytes:
        """The real CSW in the guest's terms."""
        real_next = int.from_bytes(csw[1:4], "big")
        residual = int.from_bytes(csw[6:8], "big")
        if real_next == 0:
            return make_csw(csw[0] >> 4, 0, csw[4], csw[5], residual)
        guest, remaining = copy.origin.get(real_next - CCW_LENGTH, (start - CCW_LENGTH, 0))
        return make_csw(csw[0] >> 4, guest + CCW_LENGTH, csw[4], csw[5], residual + remaining)

    def _sense_real_device(self, device: TranslatedDevice) -> bytes:
        """Sense the real device at once (the guest's SENSE may come after others' I/O)."""
        buffer = self.area.reserve(32)
        program = self.area.put(make_ccw(SENSE, buffer, SUPPRESS_LENGTH, 32))
        try:
            self.realio.run(device.real_address, program)
            return self.cp.storage.read(buffer, device.sense_length)
        except RealIOError:
            return bytes(device.sense_length)
        finally:
            self.area.reset()

    def _answer_sense(
        self, machine: VirtualMachine, device: TranslatedDevice, start: int, key: int
    ) -> bytes | None:
        """A program that starts with SENSE gets the sense CP kept, if it kept one."""
        if device.kept_sense is None:
            return None
        raw = self._fetch(machine, start)
        if raw is None or raw[0] & 0x0F != SENSE or raw[4] & (CHAIN_COMMAND | CHAIN_DATA):
            return None
        count = int.from_bytes(raw[6:8], "big")
        address = int.from_bytes(raw[1:4], "big")
        sense, device.kept_sense = device.kept_sense, None
        stored = sense[:count]
        status = 0
        if address + len(stored) > machine.storage_size:
            return make_csw(key, start + CCW_LENGTH, CHANNEL_END | DEVICE_END, PROGRAM_CHECK, count)
        if stored:
            machine.storage.write_real(address, stored)
        if count != len(sense) and not raw[4] & SUPPRESS_LENGTH:
            status = INCORRECT_LENGTH
        return make_csw(
            key, start + CCW_LENGTH, CHANNEL_END | DEVICE_END, status, count - len(stored)
        )

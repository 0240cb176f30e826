"""CP's access to a virtual machine's storage.

Two views, both paging pages in as needed:

- real: the virtual machine's own real addresses (0 up to its storage
  size), with no keys, as the hardware itself uses low storage for PSW swaps,
  the CSW and the interval timer (``read_real``, ``write_real``);
- logical: the addresses an instruction of the guest uses, as the guest's
  CPU would see them (``fetch``, ``store``): translated through the guest's
  own tables when its PSW has translation on, then checked against the
  guest's storage keys with the guest's PSW key (PoO "Protection").

An address past the end of the virtual machine's storage is the guest's
addressing exception; a translation failure in the guest's own tables is
its segment- or page-translation exception (raised by the guest's DAT, which
sets the virtual CR2). Both are raised as ``ProgramInterrupt`` for CP to
reflect.

The object also serves as the "storage" of the guest's translator
(vm370.hardware.dat.DynamicAddressTranslator): ``size`` and slicing of
``mem`` are all it needs to walk the guest's tables in the guest's storage.
"""

from __future__ import annotations

import struct

from vm370.cp.frames import FRAME_SHIFT, FRAME_SIZE
from vm370.cp.paging import Pager
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.interrupts import ADDRESSING, PROTECTION, ProgramInterrupt
from vm370.hardware.storage import BLOCK_SHIFT, FETCH_PROTECT, GRANULE_SHIFT

PAGE_OFFSET_MASK = FRAME_SIZE - 1
# An instruction's length by the two high bits of its opcode (PoO "Instruction Format").
_INSTRUCTION_LENGTH = (2, 4, 4, 6)
_pack_doubleword = struct.Struct(">Q").pack_into
_unpack_doubleword = struct.Struct(">Q").unpack_from


class GuestStorage:
    """One virtual machine's storage as CP reads and writes it."""

    def __init__(self, pager: Pager, machine: VirtualMachine) -> None:
        self.pager = pager
        self.machine = machine
        self.name = machine.name
        self.size = machine.storage_size
        self.mem = self  # the translator reads tables with ``storage.mem[a:b]``

    def __getitem__(self, item: slice) -> bytes:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("guest storage is read by slices")
        return self.read_real(item.start, item.stop - item.start)

    def _check_real(self, address: int, length: int) -> None:
        if address < 0 or address + length > self.size:
            raise ProgramInterrupt(ADDRESSING)

    def _pieces(self, address: int, length: int):
        """(page, offset in page, length) for each page the range touches."""
        while length > 0:
            offset = address & PAGE_OFFSET_MASK
            run = min(length, FRAME_SIZE - offset)
            yield address >> FRAME_SHIFT, offset, run
            address += run
            length -= run

    def read_real(self, address: int, length: int) -> bytes:
        """Bytes at the virtual machine's real ``address`` (no keys)."""
        start = self._frame_start(address, length)
        if start >= 0:
            return bytes(self.pager.storage.mem[start : start + length])
        self._check_real(address, length)
        mem = self.pager.storage.mem
        parts = []
        for page, offset, run in self._pieces(address, length):
            start = self.pager.frame_for(self.name, page).address + offset
            parts.append(bytes(mem[start : start + run]))
        return b"".join(parts)

    def write_real(self, address: int, data: bytes) -> None:
        """Store ``data`` at the virtual machine's real ``address`` (no keys)."""
        start = self._frame_start(address, len(data))
        if start >= 0:
            self.pager.storage.write(start, data)
            return
        self._check_real(address, len(data))
        storage = self.pager.storage
        done = 0
        for page, offset, run in self._pieces(address, len(data)):
            storage.write(
                self.pager.frame_for(self.name, page).address + offset, data[done : done + run]
            )
            done += run

    def _frame_start(self, address: int, length: int) -> int:
        """The real address of the guest's real ``address``, if ``length`` bytes fit in its page.

        -1 when they do not (the caller goes piece by piece). The common
        case of CP's own reads and writes of low storage: the interval
        timer on every trap, PSWs, the CSW.
        """
        offset = address & PAGE_OFFSET_MASK
        if length <= 0 or address < 0 or address + length > self.size:
            return -1
        if offset + length > FRAME_SIZE:
            return -1
        return self.pager.frame_for(self.name, address >> FRAME_SHIFT).address + offset

    def read_word(self, address: int) -> int:
        start = self._frame_start(address, 4)
        if start < 0:
            return int.from_bytes(self.read_real(address, 4), "big")
        return int.from_bytes(self.pager.storage.mem[start : start + 4], "big")

    def write_word(self, address: int, value: int) -> None:
        data = (value & 0xFFFFFFFF).to_bytes(4, "big")
        start = self._frame_start(address, 4)
        if start < 0:
            self.write_real(address, data)
        else:
            self.pager.storage.write(start, data)

    def read_doubleword(self, address: int) -> int:
        start = self._frame_start(address, 8)
        if start < 0:
            return int.from_bytes(self.read_real(address, 8), "big")
        return int.from_bytes(self.pager.storage.mem[start : start + 8], "big")

    def write_doubleword(self, address: int, value: int) -> None:
        data = (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
        start = self._frame_start(address, 8)
        if start < 0:
            self.write_real(address, data)
        else:
            self.pager.storage.write(start, data)

    def exchange_doublewords(self, store_at: int, value: int, load_from: int) -> int:
        """Store ``value`` at real ``store_at`` and return the doubleword at real ``load_from``.

        An interruption's PSW swap in the guest's low storage: the old and
        new PSW locations share page 0, so the page is looked up once. The
        two doublewords must not overlap (the PSW locations never do).
        """
        start = self._frame_start(store_at, 8)
        page_offset = load_from - (store_at & ~PAGE_OFFSET_MASK)
        if start < 0 or not 0 <= page_offset <= FRAME_SIZE - 8 or load_from + 8 > self.size:
            self.write_doubleword(store_at, value)
            return self.read_doubleword(load_from)
        storage = self.pager.storage
        mem = storage.mem
        # Storage.write, inline: the frame is in storage; the CPU hears of the
        # store only if it keeps instructions decoded from those bytes.
        _pack_doubleword(mem, start, value & 0xFFFFFFFFFFFFFFFF)
        granules = storage.code_granules
        if granules[start >> GRANULE_SHIFT] or granules[(start + 7) >> GRANULE_SHIFT]:
            storage.note_written(start, 8)
        source = start - (store_at & PAGE_OFFSET_MASK) + page_offset
        return _unpack_doubleword(mem, source)[0]

    def real_pieces(self, address: int, length: int) -> list[tuple[int, int]]:
        """The guest-real (address, length) pieces of a logical operand."""
        machine = self.machine
        if machine.translation_on:
            return machine.dat.translate_range(address, length, machine.address_mask)
        address &= machine.address_mask
        return [(address, length)]

    def check_key(self, address: int, length: int, store: bool) -> None:
        """The guest's protection exception, by its PSW key and its virtual storage keys."""
        key = self.machine.psw.key
        if not key:
            return
        self._check_real(address, length)
        keys = self.machine.storage_keys
        for block in range(address >> BLOCK_SHIFT, ((address + length - 1) >> BLOCK_SHIFT) + 1):
            block_key = keys[block]
            if block_key >> 4 != key and (store or block_key & FETCH_PROTECT):
                raise ProgramInterrupt(PROTECTION)

    def _plain_start(self, address: int, length: int) -> int:
        """The real address of a plain fetch of ``length`` bytes at logical ``address``; -1 if not.

        Plain: the common case of a trap, key 0 and no guest translation,
        the bytes within one page of the machine's storage (so nothing to
        check but the page, which is brought in if need be).
        """
        psw = self.machine.psw
        if (
            psw.key
            or (psw.__class__ is ECPSW and psw.translation)
            or (address & PAGE_OFFSET_MASK) + length > FRAME_SIZE
            or address + length > self.size
        ):
            return -1
        frame = self.pager.frame_for(self.name, address >> FRAME_SHIFT)
        return (frame.number << FRAME_SHIFT) | (address & PAGE_OFFSET_MASK)

    def fetch(self, address: int, length: int) -> bytes:
        """An operand fetch by the guest at logical ``address``."""
        start = self._plain_start(address, length)
        if start >= 0:
            return bytes(self.pager.storage.mem[start : start + length])
        pieces = self.real_pieces(address, length)
        for real, run in pieces:
            self._check_real(real, run)
            self.check_key(real, run, False)
        return b"".join(self.read_real(real, run) for real, run in pieces)

    def fetch_byte(self, address: int) -> int:
        """``fetch(address, 1)[0]``: SSM's mask, on every SSM a guest issues."""
        start = self._plain_start(address, 1)
        if start >= 0:
            return self.pager.storage.mem[start]
        return self.fetch(address, 1)[0]

    def fetch_doubleword(self, address: int) -> int:
        """``fetch(address, 8)`` as a number: LPSW's PSW, on every LPSW a guest issues."""
        start = self._plain_start(address, 8)
        if start >= 0:
            return _unpack_doubleword(self.pager.storage.mem, start)[0]
        return int.from_bytes(self.fetch(address, 8), "big")

    def fetch_instruction_bytes(self, address: int) -> bytes:
        """The bytes of the guest's instruction at logical ``address`` (an even address).

        Fetched as the guest's CPU fetches an instruction: its first
        halfword, then the rest its opcode says it has, so a page the
        instruction does not reach is never touched. When the longest
        instruction fits in the page, key 0 and no guest translation (every
        trap of a CMS-like guest), one slice of the frame serves.
        """
        start = self._plain_start(address, 6)
        if start >= 0:
            mem = self.pager.storage.mem
            return bytes(mem[start : start + _INSTRUCTION_LENGTH[mem[start] >> 6]])
        first = self.fetch(address, 2)
        length = _INSTRUCTION_LENGTH[first[0] >> 6]
        if length == 2:
            return first
        return first + self.fetch(address + 2, length - 2)

    def store(self, address: int, data: bytes) -> None:
        """An operand store by the guest: every page checked before any byte changes."""
        pieces = self.real_pieces(address, len(data))
        for real, run in pieces:
            self._check_real(real, run)
            self.check_key(real, run, True)
        done = 0
        for real, run in pieces:
            self.write_real(real, data[done : done + run])
            done += run

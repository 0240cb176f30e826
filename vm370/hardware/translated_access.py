"""The CPU's storage-access methods with dynamic address translation in front.

The CPU's one storage-access path (``fetch``, ``store``, their sized
variants and ``check_access``, fixed in the hardware interfaces) takes
logical addresses. With translation off they are real; with the Model 67's
translation on (EC-mode PSW bit 5) each one first goes through the DAT unit.
This mixin supplies the translating versions; combined with the CPU class
it becomes the translating CPU:

    class TranslatingCPU(TranslatedStorageAccess, CPU):
        __slots__ = ()

and ``cpu.__class__`` is switched between the two when the PSW's
translation bit changes (the classes share one slot layout, so the CPU
class needs a ``dat`` slot holding its DynamicAddressTranslator).

Rules kept here (GA27-2719; PoO GA22-6821 for alignment):

- alignment is checked on the logical address before translating, so a
  misaligned operand is a specification exception even in an unavailable
  page (pages are 4 KB aligned, so an aligned operand of up to 8 bytes
  never crosses a page);
- an operand that crosses a page boundary has every page translated, and
  for a store every piece checked for protection, before any byte changes;
- storage keys are checked by the base methods on the real address.

The base class's access methods receive real addresses, so they must never
call one another through ``self`` (``self.check_access`` inside the base
``fetch`` would reach this class and translate a real address as if it were
virtual); they call private helpers or ``BaseClass.method(self, ...)``.
"""

from __future__ import annotations

from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt


class TranslatedStorageAccess:
    """Mixin: translate logical addresses, then use the base class's real access."""

    __slots__ = ()

    def fetch(self, address: int, length: int) -> bytes:
        pieces = self.dat.translate_range(address, length, self.address_mask)
        base_fetch = super().fetch
        if len(pieces) == 1:
            return base_fetch(pieces[0][0], length)
        return b"".join(base_fetch(real, run) for real, run in pieces)

    def store(self, address: int, data: bytes) -> None:
        pieces = self.dat.translate_range(address, len(data), self.address_mask)
        if len(pieces) == 1:
            super().store(pieces[0][0], data)
            return
        base_check = super().check_access
        for real, run in pieces:
            base_check(real, run, True)
        base_store = super().store
        offset = 0
        for real, run in pieces:
            base_store(real, data[offset : offset + run])
            offset += run

    def check_access(self, address: int, length: int, store: bool) -> None:
        base_check = super().check_access
        for real, run in self.dat.translate_range(address, length, self.address_mask):
            base_check(real, run, store)

    def fetch_byte(self, address: int) -> int:
        return super().fetch_byte(self.dat.translate(address))

    def store_byte(self, address: int, value: int) -> None:
        super().store_byte(self.dat.translate(address), value)

    def fetch_halfword(self, address: int) -> int:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        return super().fetch_halfword(self.dat.translate(address))

    def store_halfword(self, address: int, value: int) -> None:
        if address & 1:
            raise ProgramInterrupt(SPECIFICATION)
        super().store_halfword(self.dat.translate(address), value)

    def fetch_word(self, address: int) -> int:
        if address & 3:
            raise ProgramInterrupt(SPECIFICATION)
        return super().fetch_word(self.dat.translate(address))

    def store_word(self, address: int, value: int) -> None:
        if address & 3:
            raise ProgramInterrupt(SPECIFICATION)
        super().store_word(self.dat.translate(address), value)

    def fetch_doubleword(self, address: int) -> int:
        if address & 7:
            raise ProgramInterrupt(SPECIFICATION)
        return super().fetch_doubleword(self.dat.translate(address))

    def store_doubleword(self, address: int, value: int) -> None:
        if address & 7:
            raise ProgramInterrupt(SPECIFICATION)
        super().store_doubleword(self.dat.translate(address), value)

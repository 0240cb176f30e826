"""The CMS disk format's field table, read from the DSECT macros in cms/maclib.

The nucleus and these host tools must agree on every offset, so there is
one definition: FSTD, MFDD, LABELD and CHAIND in ``cms/maclib``. This
module assembles them with the project's assembler once and takes each
symbol's offset (its value) and length (its L' attribute); no offset is
written down a second time here (docs/cms-disk-format.md describes them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from assembler import assemble

MACLIB = Path(__file__).resolve().parent / "maclib"
_DSECT_MACROS = ("FSTD", "MFDD", "LABELD", "CHAIND")


class LayoutError(RuntimeError):
    """The macro library does not assemble or lacks a field the host tools need."""


@dataclass(frozen=True)
class Field:
    """A field of a control block: where it starts and how long it is."""

    name: str
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length

    def get(self, block: bytes | bytearray | memoryview) -> bytes:
        return bytes(block[self.offset : self.end])

    def get_int(self, block: bytes | bytearray | memoryview) -> int:
        return int.from_bytes(block[self.offset : self.end], "big")

    def put(self, block: bytearray, value: bytes) -> None:
        if len(value) != self.length:
            raise ValueError(f"{self.name} is {self.length} bytes, not {len(value)}")
        block[self.offset : self.end] = value

    def put_int(self, block: bytearray, value: int) -> None:
        block[self.offset : self.end] = value.to_bytes(self.length, "big")


@functools.cache
def _symbols() -> dict[str, tuple[int, int]]:
    source = "".join(f"         {name}\n" for name in _DSECT_MACROS) + "         END\n"
    result = assemble(source, deck_name="CMSFMT", maclib=[str(MACLIB)])
    if result.return_code > 4:
        first = result.diagnostics[0] if result.diagnostics else None
        detail = f": {first.message}" if first else ""
        raise LayoutError(f"the CMS disk-format macros in {MACLIB} do not assemble{detail}")
    return {
        name: (symbol.value.offset, symbol.length)
        for name, symbol in result.assembly.symbols.symbols.items()
    }


def field(name: str) -> Field:
    """The field ``name`` (an FSTD, MFDD, LABELD or CHAIND symbol)."""
    try:
        offset, length = _symbols()[name]
    except KeyError:
        raise LayoutError(f"{name} is not defined by the macros in {MACLIB}") from None
    return Field(name, offset, length)


def constant(name: str) -> int:
    """The value of an EQU in the macros (block size, sentinels, device codes ...)."""
    try:
        return _symbols()[name][0]
    except KeyError:
        raise LayoutError(f"{name} is not defined by the macros in {MACLIB}") from None

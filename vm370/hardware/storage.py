"""Real storage and its storage keys.

Main storage is one ``bytearray``; every multi-byte value is big-endian. A
storage key guards each 2,048-byte block (PoO, "Protection"): bits 0-3 of the
key byte kept here are the protection key, bit 4 the fetch-protection bit,
exactly the bits SSK takes from bits 24-28 of its register.

This class does no protection or translation itself: the CPU's one
storage-access path (and, behind it, DAT) decides who may touch what. The
channels use it directly, as the hardware's channels address real storage.

The CPU keeps decoded instructions; ``code_granules`` marks (one byte per 8
bytes of storage) where it holds some. Every write through this class checks
the marks and tells the CPU (``code_written``), so a channel reading a new
program over an old one is seen. Anyone writing ``mem`` directly must call
``note_written`` afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

BLOCK_SHIFT = 11  # 2 KB protection blocks
GRANULE_SHIFT = 3  # 8-byte granules for the CPU's decoded-instruction marks
KEY_MASK = 0xF0
FETCH_PROTECT = 0x08
MAX_STORAGE = 16 * 1024 * 1024  # 24-bit real addresses


class AddressingError(Exception):
    """A real address beyond the installed storage (PoO: addressing exception)."""

    def __init__(self, address: int):
        super().__init__(f"address {address:06X} is outside installed storage")
        self.address = address


def parse_size(text: str) -> int:
    """Turn '256K', '1M' or '65536' into a byte count (a multiple of 2 KB)."""
    t = text.strip().upper()
    scale = 1
    if t.endswith("K"):
        scale, t = 1024, t[:-1]
    elif t.endswith("M"):
        scale, t = 1024 * 1024, t[:-1]
    if not t.isdigit():
        raise ValueError(f"storage size {text!r} is not a number like 256K or 1M")
    size = int(t) * scale
    if size <= 0 or size > MAX_STORAGE or size % (1 << BLOCK_SHIFT):
        raise ValueError(f"storage size {text!r} must be a multiple of 2K between 2K and 16M")
    return size


class Storage:
    """Real main storage with one key byte per 2 KB block."""

    __slots__ = ("size", "mem", "keys", "code_granules", "code_written")

    def __init__(self, size: int):
        if size <= 0 or size > MAX_STORAGE or size % (1 << BLOCK_SHIFT):
            raise ValueError(f"storage size {size} must be a multiple of 2048 up to 16M")
        self.size = size
        self.mem = bytearray(size)
        self.keys = bytearray(size >> BLOCK_SHIFT)
        self.code_granules = bytearray((size >> GRANULE_SHIFT) + 1)
        self.code_written: Callable[[int, int], None] | None = None

    def note_written(self, address: int, length: int) -> None:
        """Tell the CPU that address..address+length-1 may hold new instructions."""
        if (
            length > 0
            and self.code_granules.find(
                1, address >> GRANULE_SHIFT, ((address + length - 1) >> GRANULE_SHIFT) + 1
            )
            >= 0
            and self.code_written is not None
        ):
            self.code_written(address, length)

    def check(self, address: int, length: int = 1) -> None:
        """Raise AddressingError unless address..address+length-1 is installed."""
        if address < 0 or address + length > self.size:
            bad = address if address < 0 or address >= self.size else self.size
            raise AddressingError(bad)

    def read(self, address: int, length: int) -> bytes:
        self.check(address, length)
        return bytes(self.mem[address : address + length])

    def write(self, address: int, data: bytes) -> None:
        self.check(address, len(data))
        self.mem[address : address + len(data)] = data
        self.note_written(address, len(data))

    def read_word(self, address: int) -> int:
        self.check(address, 4)
        return int.from_bytes(self.mem[address : address + 4], "big")

    def write_word(self, address: int, value: int) -> None:
        self.check(address, 4)
        self.mem[address : address + 4] = (value & 0xFFFFFFFF).to_bytes(4, "big")
        self.note_written(address, 4)

    def read_doubleword(self, address: int) -> int:
        self.check(address, 8)
        return int.from_bytes(self.mem[address : address + 8], "big")

    def write_doubleword(self, address: int, value: int) -> None:
        self.check(address, 8)
        self.mem[address : address + 8] = (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
        self.note_written(address, 8)

    def key_of(self, address: int) -> int:
        """The key byte (key in bits 0-3, fetch protection in bit 4) of a block."""
        return self.keys[address >> BLOCK_SHIFT]

    def set_key(self, address: int, key_byte: int) -> None:
        self.keys[address >> BLOCK_SHIFT] = key_byte & (KEY_MASK | FETCH_PROTECT)
        # Instructions the CPU decoded in this block were checked under the
        # old key: let it decode them again.
        block_start = address >> BLOCK_SHIFT << BLOCK_SHIFT
        self.note_written(block_start, 1 << BLOCK_SHIFT)

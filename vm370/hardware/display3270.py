"""The 3270 display: buffer, fields, data stream and operator, with no I/O.

One ``Display3270`` is the state of one display station: its character
buffer, the field attributes in it, the cursor, the keyboard. The host side
applies outbound data streams to it (Write, Erase/Write, Erase/Write
Alternate, Erase All Unprotected) and asks it for inbound records (Read
Buffer, Read Modified); the operator side types into unprotected fields and
presses AID keys. The 3277 device (layer 1) keeps one for the channel
program to write and read; the terminal emulator (layer 5) keeps one to draw.

The rules follow the IBM 3270 Information Display System Component
Description (GA27-2749) and the 3270 Data Stream Programmer's Reference
(GA23-0059): orders, the WCC, field attribute bits, buffer addressing and
the inbound record formats.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

# Outbound commands: the local (channel) code and the remote (BSC, and the
# TN3270 data stream) code mean the same thing (GA27-2749, "Commands").
WRITE = 0x01
ERASE_WRITE = 0x05
ERASE_WRITE_ALTERNATE = 0x0D
ERASE_ALL_UNPROTECTED = 0x0F
READ_BUFFER = 0x02
READ_MODIFIED = 0x06
WRITE_STRUCTURED_FIELD = 0x11
COMMAND_ALIASES = {
    0xF1: WRITE,
    0xF5: ERASE_WRITE,
    0x7E: ERASE_WRITE_ALTERNATE,
    0x6F: ERASE_ALL_UNPROTECTED,
    0xF2: READ_BUFFER,
    0xF6: READ_MODIFIED,
    0xF3: WRITE_STRUCTURED_FIELD,
}
REMOTE_COMMANDS = {local: remote for remote, local in COMMAND_ALIASES.items()}

# Orders in the write data.
ORDER_SF = 0x1D  # start field
ORDER_SFE = 0x29  # start field extended
ORDER_SBA = 0x11  # set buffer address
ORDER_SA = 0x28  # set attribute (character attributes: accepted, not kept)
ORDER_MF = 0x2C  # modify field
ORDER_IC = 0x13  # insert cursor
ORDER_PT = 0x05  # program tab
ORDER_RA = 0x3C  # repeat to address
ORDER_EUA = 0x12  # erase unprotected to address
ORDER_GE = 0x08  # graphic escape

# Write control character bits (bit 0 is the leftmost, 0x80).
WCC_RESET = 0x40
WCC_START_PRINTER = 0x08
WCC_SOUND_ALARM = 0x04
WCC_KEYBOARD_RESTORE = 0x02
WCC_RESET_MDT = 0x01

# Field attribute bits.
ATTRIBUTE_PROTECTED = 0x20
ATTRIBUTE_NUMERIC = 0x10
ATTRIBUTE_DISPLAY_MASK = 0x0C
ATTRIBUTE_INTENSIFIED = 0x08  # display bits 10: intensified, detectable
ATTRIBUTE_NONDISPLAY = 0x0C  # display bits 11: nondisplay, nonprint
ATTRIBUTE_MDT = 0x01

# Extended attribute types carried by SFE and MF.
EXTENDED_FIELD_ATTRIBUTE = 0xC0
EXTENDED_HIGHLIGHTING = 0x41
EXTENDED_COLOR = 0x42

# Attention identifiers (GA27-2749, "AID characters").
AID_NONE = 0x60
AID_ENTER = 0x7D
AID_CLEAR = 0x6D
AID_PA1 = 0x6C
AID_PA2 = 0x6E
AID_PA3 = 0x6B
AID_SELECTOR_PEN = 0x7E
_PF_AIDS = [0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C] + [
    0xC1,
    0xC2,
    0xC3,
    0xC4,
    0xC5,
    0xC6,
    0xC7,
    0xC8,
    0xC9,
    0x4A,
    0x4B,
    0x4C,
]
AID_PF = {number: aid for number, aid in enumerate(_PF_AIDS, start=1)}
SHORT_READ_AIDS = frozenset({AID_CLEAR, AID_PA1, AID_PA2, AID_PA3})
AID_NAMES = {
    AID_NONE: "no AID",
    AID_ENTER: "Enter",
    AID_CLEAR: "Clear",
    AID_PA1: "PA1",
    AID_PA2: "PA2",
    AID_PA3: "PA3",
    AID_SELECTOR_PEN: "selector pen",
    **{aid: f"PF{number}" for number, aid in AID_PF.items()},
}

NULL = 0x00
DUP = 0x1C
FIELD_MARK = 0x1E
EBCDIC_DIGITS = frozenset(range(0xF0, 0xFA))
# Numeric lock lets the digits, the period, the minus sign and DUP through.
NUMERIC_ALLOWED = EBCDIC_DIGITS | {0x4B, 0x60, DUP}

# The 6-bit code: each 6-bit value of a 12-bit buffer address is sent as
# this EBCDIC graphic (GA27-2749, "Buffer address codes").
SIX_BIT_CODES = bytes(
    [0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F]
    + [0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E]
    + [0x5F, 0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D]
    + [0x6E, 0x6F, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C]
    + [0x7D, 0x7E, 0x7F]
)


@dataclass(frozen=True)
class ScreenModel:
    """A display model: 2 is 24x80, 3 is 32x80, 4 is 43x80, 5 is 27x132."""

    number: int
    rows: int
    columns: int

    @property
    def size(self) -> int:
        return self.rows * self.columns


MODELS = {
    2: ScreenModel(2, 24, 80),
    3: ScreenModel(3, 32, 80),
    4: ScreenModel(4, 43, 80),
    5: ScreenModel(5, 27, 132),
}
DEFAULT_ROWS, DEFAULT_COLUMNS = 24, 80


_ORDER_CODES = frozenset(
    (ORDER_SF, ORDER_SFE, ORDER_SBA, ORDER_SA, ORDER_MF, ORDER_IC, ORDER_PT, ORDER_RA, ORDER_EUA)
    + (ORDER_GE,)
)


class DataStreamError(Exception):
    """An outbound data stream the display cannot accept (the 3270's operation check)."""


def encode_address(address: int, size: int = DEFAULT_ROWS * DEFAULT_COLUMNS) -> bytes:
    """A buffer address as 2 bytes: 12-bit coded up to 4096 positions, else 14-bit binary."""
    if not 0 <= address < 1 << 14:
        raise ValueError(f"buffer address {address} does not fit in 14 bits")
    if size <= 4096:
        return bytes((SIX_BIT_CODES[address >> 6], SIX_BIT_CODES[address & 0x3F]))
    return bytes((address >> 8, address & 0xFF))


def decode_address(first: int, second: int) -> int:
    """The buffer address in 2 bytes: bits 0-1 of the first byte 00 mean 14-bit binary."""
    if first & 0xC0 == 0:
        return ((first & 0x3F) << 8) | second
    return ((first & 0x3F) << 6) | (second & 0x3F)


def is_protected(attribute: int) -> bool:
    return bool(attribute & ATTRIBUTE_PROTECTED)


def is_autoskip(attribute: int) -> bool:
    """Protected and numeric together make a field the cursor skips over."""
    return attribute & (ATTRIBUTE_PROTECTED | ATTRIBUTE_NUMERIC) == (
        ATTRIBUTE_PROTECTED | ATTRIBUTE_NUMERIC
    )


def is_intensified(attribute: int) -> bool:
    return attribute & ATTRIBUTE_DISPLAY_MASK == ATTRIBUTE_INTENSIFIED


def is_nondisplay(attribute: int) -> bool:
    return attribute & ATTRIBUTE_DISPLAY_MASK == ATTRIBUTE_NONDISPLAY


class Display3270:
    """One display station's buffer, fields, cursor and keyboard."""

    def __init__(self, alternate: ScreenModel | None = None) -> None:
        self.alternate = alternate or MODELS[2]
        self.rows = DEFAULT_ROWS
        self.columns = DEFAULT_COLUMNS
        self.size = self.rows * self.columns
        self.characters = bytearray(self.size)
        # attributes[address] is the field attribute byte where a field starts, else -1.
        self.attributes: list[int] = [-1] * self.size
        self.extended: dict[int, dict[int, int]] = {}
        self._field_starts: list[int] | None = []
        self.cursor = 0
        self.keyboard_locked = False
        self.lock_reason = ""
        self.insert_mode = False
        self.aid = AID_NONE
        self.alarms = 0
        self.print_requests = 0
        self.writes = 0

    # Fields

    def field_starts(self) -> list[int]:
        """Addresses holding field attributes, ascending."""
        if self._field_starts is None:
            self._field_starts = [a for a, v in enumerate(self.attributes) if v >= 0]
        return self._field_starts

    def _fields_changed(self) -> None:
        self._field_starts = None

    @property
    def formatted(self) -> bool:
        return bool(self.field_starts())

    def field_start(self, address: int) -> int | None:
        """The address of the attribute of the field holding ``address``; None if unformatted."""
        starts = self.field_starts()
        if not starts:
            return None
        index = bisect.bisect_right(starts, address) - 1
        return starts[index]  # index -1 wraps to the last field, as the buffer does

    def field_attribute(self, address: int) -> int:
        """The attribute governing ``address``; an unformatted screen is one unprotected field."""
        start = self.field_start(address)
        return 0 if start is None else self.attributes[start]

    def field_end(self, start: int) -> int:
        """The address just past the last character of the field whose attribute is at ``start``."""
        starts = self.field_starts()
        index = bisect.bisect_right(starts, start)
        return starts[index] if index < len(starts) else starts[0] + self.size

    def field_positions(self, start: int) -> range:
        """Unwrapped character positions of a field (take each modulo size)."""
        return range(start + 1, self.field_end(start))

    def is_field_attribute(self, address: int) -> bool:
        return self.attributes[address] >= 0

    def protected_at(self, address: int) -> bool:
        return self.is_field_attribute(address) or is_protected(self.field_attribute(address))

    def _set_attribute(self, address: int, attribute: int) -> None:
        if self.attributes[address] < 0:
            self._fields_changed()
        self.attributes[address] = attribute
        self.characters[address] = NULL

    def _clear_attribute(self, address: int) -> None:
        if self.attributes[address] >= 0:
            self.attributes[address] = -1
            self.extended.pop(address, None)
            self._fields_changed()

    def _put_character(self, address: int, code: int) -> None:
        self._clear_attribute(address)
        self.characters[address] = code

    # Host side: outbound

    def erase(self, alternate: bool = False) -> None:
        """Clear the buffer to nulls and set the default or the alternate screen size."""
        if alternate:
            self.rows, self.columns = self.alternate.rows, self.alternate.columns
        else:
            self.rows, self.columns = DEFAULT_ROWS, DEFAULT_COLUMNS
        self.size = self.rows * self.columns
        self.characters = bytearray(self.size)
        self.attributes = [-1] * self.size
        self.extended = {}
        self._field_starts = []
        self.cursor = 0

    def process_outbound(self, record: bytes) -> bytes | None:
        """Apply one outbound record (command byte first); return the inbound reply of a read."""
        if not record:
            raise DataStreamError("empty 3270 record: no command byte")
        command = COMMAND_ALIASES.get(record[0], record[0])
        if command == WRITE:
            self.write(record[1:])
        elif command == ERASE_WRITE:
            self.write(record[1:], erase=True)
        elif command == ERASE_WRITE_ALTERNATE:
            self.write(record[1:], erase=True, alternate=True)
        elif command == ERASE_ALL_UNPROTECTED:
            self.erase_all_unprotected()
        elif command == READ_BUFFER:
            return self.read_buffer()
        elif command == READ_MODIFIED:
            return self.read_modified()
        elif command == WRITE_STRUCTURED_FIELD:
            raise DataStreamError("Write Structured Field is not supported by this display")
        else:
            raise DataStreamError(f"unknown 3270 command X'{record[0]:02X}'")
        return None

    def write(self, data: bytes, erase: bool = False, alternate: bool = False) -> None:
        """Write, Erase/Write or Erase/Write Alternate: ``data`` is the WCC then orders and text.

        Raises DataStreamError on a bad order; what came before it stays applied,
        as on the display (the 3270 reports an operation check).
        """
        if erase:
            self.erase(alternate)
        self.writes += 1
        if not data:
            return
        wcc = data[0]
        if wcc & WCC_RESET_MDT:
            self.reset_modified_tags()
        try:
            self._apply_orders(data, 1)
        finally:
            # GA27-2749: the WCC's keyboard restore and alarm act when the write ends.
            if wcc & WCC_SOUND_ALARM:
                self.alarms += 1
            if wcc & WCC_START_PRINTER:
                self.print_requests += 1
            if wcc & WCC_KEYBOARD_RESTORE:
                self.restore_keyboard()

    def _address_operand(self, data: bytes, index: int, order: str) -> int:
        if index + 2 > len(data):
            raise DataStreamError(f"{order} order at the end of the data has no buffer address")
        if data[index] & 0xC0 == 0x80:
            raise DataStreamError(f"{order} address flags 10 are reserved (neither 12 nor 14 bit)")
        address = decode_address(data[index], data[index + 1])
        if address >= self.size:
            raise DataStreamError(
                f"{order} address {address} is outside the {self.rows}x{self.columns} buffer"
            )
        return address

    def _apply_orders(self, data: bytes, index: int) -> None:
        size = self.size
        address = self.cursor
        after_text = False
        end = len(data)
        while index < end:
            byte = data[index]
            index += 1
            if byte == ORDER_SBA:
                address = self._address_operand(data, index, "SBA")
                index += 2
                after_text = False
            elif byte == ORDER_SF:
                if index >= end:
                    raise DataStreamError("SF order at the end of the data has no attribute")
                self._set_attribute(address, data[index] & 0x3F)
                self.extended.pop(address, None)
                index += 1
                address = (address + 1) % size
                after_text = False
            elif byte == ORDER_SFE:
                index = self._start_field_extended(data, index, address)
                address = (address + 1) % size
                after_text = False
            elif byte == ORDER_IC:
                self.cursor = address
                after_text = False
            elif byte == ORDER_PT:
                address = self._program_tab(address, after_text)
                after_text = False
            elif byte == ORDER_RA:
                stop = self._address_operand(data, index, "RA")
                index += 2
                if index >= end:
                    raise DataStreamError("RA order has no character to repeat")
                if data[index] == ORDER_GE:
                    index += 1
                    if index >= end:
                        raise DataStreamError("GE in an RA order has no character")
                code = data[index]
                index += 1
                while True:
                    self._put_character(address, code)
                    address = (address + 1) % size
                    if address == stop:
                        break
                after_text = False
            elif byte == ORDER_EUA:
                stop = self._address_operand(data, index, "EUA")
                index += 2
                while True:
                    if not self.protected_at(address):
                        self.characters[address] = NULL
                    address = (address + 1) % size
                    if address == stop:
                        break
                after_text = False
            elif byte == ORDER_SA:
                if index + 2 > end:
                    raise DataStreamError("SA order at the end of the data is incomplete")
                index += 2
            elif byte == ORDER_MF:
                index = self._modify_field(data, index, address)
                address = (address + 1) % size
                after_text = False
            elif byte == ORDER_GE:
                if index >= end:
                    raise DataStreamError("GE order at the end of the data has no character")
                self._put_character(address, data[index])
                index += 1
                address = (address + 1) % size
                after_text = True
            else:
                self._put_character(address, byte)
                address = (address + 1) % size
                after_text = True

    def _extended_pairs(self, data: bytes, index: int, order: str) -> tuple[dict[int, int], int]:
        if index >= len(data):
            raise DataStreamError(f"{order} order at the end of the data has no pair count")
        count = data[index]
        index += 1
        if index + 2 * count > len(data):
            raise DataStreamError(f"{order} order promises {count} pairs the data does not hold")
        pairs = {data[index + 2 * i]: data[index + 2 * i + 1] for i in range(count)}
        return pairs, index + 2 * count

    def _start_field_extended(self, data: bytes, index: int, address: int) -> int:
        pairs, index = self._extended_pairs(data, index, "SFE")
        self._set_attribute(address, pairs.pop(EXTENDED_FIELD_ATTRIBUTE, 0) & 0x3F)
        if pairs:
            self.extended[address] = pairs
        else:
            self.extended.pop(address, None)
        return index

    def _modify_field(self, data: bytes, index: int, address: int) -> int:
        pairs, index = self._extended_pairs(data, index, "MF")
        if self.is_field_attribute(address):
            if EXTENDED_FIELD_ATTRIBUTE in pairs:
                self.attributes[address] = pairs.pop(EXTENDED_FIELD_ATTRIBUTE) & 0x3F
            if pairs:
                self.extended.setdefault(address, {}).update(pairs)
        return index

    def _program_tab(self, address: int, after_text: bool) -> int:
        """PT: to the next unprotected field; after text, null the rest of this field first."""
        if after_text and not self.is_field_attribute(address):
            start = self.field_start(address)
            if start is None or not is_protected(self.attributes[start]):
                while address < self.size and not self.is_field_attribute(address):
                    self.characters[address] = NULL
                    address += 1
                if address >= self.size:
                    return 0
        # GA27-2749: a PT finding no unprotected field before the end of the buffer stops at 0.
        for start in self.field_starts():
            if start >= address and not is_protected(self.attributes[start]):
                first = start + 1
                if first < self.size and not self.is_field_attribute(first):
                    return first
        return 0

    def erase_all_unprotected(self) -> None:
        """EAU: null every unprotected field, reset MDTs, cursor home, keyboard restored."""
        if not self.formatted:
            self.characters = bytearray(self.size)
            self.cursor = 0
        else:
            for start in self.field_starts():
                if not is_protected(self.attributes[start]):
                    self.attributes[start] &= ~ATTRIBUTE_MDT
                    for position in self.field_positions(start):
                        self.characters[position % self.size] = NULL
            self.cursor = self.first_unprotected_position(0)
        self.restore_keyboard()

    def reset_modified_tags(self) -> None:
        for start in self.field_starts():
            self.attributes[start] &= ~ATTRIBUTE_MDT

    def restore_keyboard(self) -> None:
        """The WCC keyboard restore: unlock the keyboard and reset the AID."""
        self.keyboard_locked = False
        self.lock_reason = ""
        self.aid = AID_NONE

    # Host side: inbound

    def _address_bytes(self, address: int) -> bytes:
        return encode_address(address, self.size)

    def read_buffer(self) -> bytes:
        """Read Buffer: AID, cursor, then every position, attributes as SF + attribute."""
        out = bytearray((self.aid,))
        out += self._address_bytes(self.cursor)
        for address in range(self.size):
            attribute = self.attributes[address]
            if attribute >= 0:
                out += bytes((ORDER_SF, SIX_BIT_CODES[attribute & 0x3F]))
            else:
                out.append(self.characters[address])
        return bytes(out)

    def read_modified(self, aid: int | None = None) -> bytes:
        """Read Modified: AID, cursor, then SBA and the non-null text of each modified field.

        Clear and the PA keys give a short read, the AID alone; an unformatted
        buffer sends all its non-null text with no SBA.
        """
        aid = self.aid if aid is None else aid
        if aid in SHORT_READ_AIDS:
            return bytes((aid,))
        out = bytearray((aid,))
        out += self._address_bytes(self.cursor)
        if not self.formatted:
            out += bytes(c for c in self.characters if c != NULL)
            return bytes(out)
        for start in self.field_starts():
            if self.attributes[start] & ATTRIBUTE_MDT:
                first = (start + 1) % self.size
                out.append(ORDER_SBA)
                out += self._address_bytes(first)
                for position in self.field_positions(start):
                    code = self.characters[position % self.size]
                    if code != NULL:
                        out.append(code)
        return bytes(out)

    def apply_inbound(self, record: bytes) -> int:
        """Bring this buffer in line with a Read Modified record a terminal sent; return its AID.

        A TN3270 client keeps its own buffer and sends only what the operator
        changed; the device's copy takes each modified field's text (nulls fill
        the rest), sets the field's MDT, moves the cursor and remembers the AID.
        """
        if not record:
            raise DataStreamError("empty inbound record: no AID")
        aid = record[0]
        if aid == AID_CLEAR:
            self.erase()
        if aid in SHORT_READ_AIDS or len(record) < 3:
            self.aid = aid
            self.keyboard_locked = True
            self.lock_reason = "X SYSTEM"
            return aid
        cursor = decode_address(record[1], record[2])
        if cursor < self.size:
            self.cursor = cursor
        body = record[3:]
        if not self.formatted:
            self.characters = bytearray(self.size)
            text = body[: self.size]
            self.characters[: len(text)] = text
        else:
            segments = body.split(bytes((ORDER_SBA,)))
            for segment in segments[1:]:
                if len(segment) < 2:
                    raise DataStreamError("inbound SBA without a full address")
                first = decode_address(segment[0], segment[1])
                if first >= self.size:
                    raise DataStreamError(f"inbound field address {first} is outside the buffer")
                start = (first - 1) % self.size
                if not self.is_field_attribute(start):
                    raise DataStreamError(f"inbound field at {first} does not start a field")
                positions = self.field_positions(start)
                text = segment[2:]
                for offset, position in enumerate(positions):
                    self.characters[position % self.size] = (
                        text[offset] if offset < len(text) else NULL
                    )
                self.attributes[start] |= ATTRIBUTE_MDT
        self.aid = aid
        self.keyboard_locked = True
        self.lock_reason = "X SYSTEM"
        return aid

    # Operator side

    def _operator_error(self, reason: str) -> bool:
        self.keyboard_locked = True
        self.lock_reason = reason
        return False

    def type_character(self, code: int) -> bool:
        """Key one EBCDIC character at the cursor; False (an input-inhibit lock) if refused."""
        if self.keyboard_locked:
            return False
        if code < 0x40 and code not in (DUP, FIELD_MARK):
            return False
        address = self.cursor
        if self.protected_at(address):
            return self._operator_error("X PROT")
        start = self.field_start(address)
        attribute = self.field_attribute(address)
        if attribute & ATTRIBUTE_NUMERIC and code not in NUMERIC_ALLOWED:
            return self._operator_error("X NUM")
        if self.insert_mode and not self._make_room(address, start):
            return self._operator_error("X OVERFLOW")
        self.characters[address] = code
        if start is not None:
            self.attributes[start] |= ATTRIBUTE_MDT
        self.cursor = self._after_typing((address + 1) % self.size)
        return True

    def type_text(self, text: str) -> int:
        """Key a string (translated to EBCDIC); return how many characters were accepted."""
        accepted = 0
        for code in text.encode("cp037", errors="replace"):
            if not self.type_character(code):
                break
            accepted += 1
        return accepted

    def _remaining_positions(self, address: int, start: int | None) -> list[int]:
        """Positions from ``address`` to the end of its field (or buffer, when unformatted)."""
        if start is None:
            return list(range(address, self.size))
        end = self.field_end(start)
        unwrapped = address if address > start else address + self.size
        return [p % self.size for p in range(unwrapped, end)]

    def _make_room(self, address: int, start: int | None) -> bool:
        positions = self._remaining_positions(address, start)
        if not positions or self.characters[positions[-1]] != NULL:
            return False
        for target, source in zip(reversed(positions), reversed(positions[:-1]), strict=False):
            self.characters[target] = self.characters[source]
        return True

    def _after_typing(self, address: int) -> int:
        if self.is_field_attribute(address):
            if is_autoskip(self.attributes[address]):
                return self.next_unprotected_position(address)
            return (address + 1) % self.size
        return address

    def unprotected_starts(self) -> list[int]:
        """First character positions of the unprotected fields that have at least one, ascending."""
        firsts = []
        for start in self.field_starts():
            first = (start + 1) % self.size
            if not is_protected(self.attributes[start]) and not self.is_field_attribute(first):
                firsts.append(first)
        firsts.sort()
        return firsts

    def first_unprotected_position(self, address: int) -> int:
        """The first position of the first unprotected field at or after ``address``, else 0."""
        firsts = self.unprotected_starts()
        if not firsts:
            return 0
        index = bisect.bisect_left(firsts, address)
        return firsts[index % len(firsts)]

    def next_unprotected_position(self, address: int) -> int:
        """Tab: the first position of the next unprotected field after ``address``, else 0."""
        firsts = self.unprotected_starts()
        if not firsts:
            return 0
        index = bisect.bisect_right(firsts, address)
        return firsts[index % len(firsts)]

    def tab(self) -> None:
        self.cursor = self.next_unprotected_position(self.cursor)

    def backtab(self) -> None:
        """To the start of this unprotected field, or else of the previous one."""
        address = self.cursor
        firsts = self.unprotected_starts()
        if not firsts:
            self.cursor = 0
            return
        start = self.field_start(address)
        first = None if start is None else (start + 1) % self.size
        if first in firsts and address != first and not self.is_field_attribute(address):
            self.cursor = first
            return
        index = bisect.bisect_left(firsts, address) - 1
        self.cursor = firsts[index % len(firsts)]

    def home(self) -> None:
        self.cursor = self.first_unprotected_position(0) if self.formatted else 0

    def move_cursor(self, rows: int = 0, columns: int = 0) -> None:
        """Cursor keys: move, wrapping around the screen."""
        self.cursor = (self.cursor + rows * self.columns + columns) % self.size

    def newline(self) -> None:
        """New line: the first unprotected position at or after the start of the next row."""
        row_start = (self.cursor // self.columns + 1) * self.columns % self.size
        if self.formatted:
            self.cursor = self.first_unprotected_position(row_start)
        else:
            self.cursor = row_start

    def toggle_insert(self) -> None:
        self.insert_mode = not self.insert_mode

    def reset(self) -> None:
        """The Reset key: clear an operator error and insert mode (not a system lock)."""
        self.insert_mode = False
        if self.keyboard_locked and self.lock_reason != "X SYSTEM":
            self.keyboard_locked = False
            self.lock_reason = ""

    def _editable_here(self) -> bool:
        if self.keyboard_locked:
            return False
        if self.protected_at(self.cursor):
            self._operator_error("X PROT")
            return False
        return True

    def delete_character(self) -> bool:
        """Delete: close up the field over the cursor's character, a null at its end."""
        if not self._editable_here():
            return False
        start = self.field_start(self.cursor)
        positions = self._remaining_positions(self.cursor, start)
        for target, source in zip(positions, positions[1:], strict=False):
            self.characters[target] = self.characters[source]
        self.characters[positions[-1]] = NULL
        if start is not None:
            self.attributes[start] |= ATTRIBUTE_MDT
        return True

    def erase_previous(self) -> bool:
        """Backspace-erase: step left within the field and delete that character."""
        if self.keyboard_locked:
            return False
        previous = (self.cursor - 1) % self.size
        if self.protected_at(previous):
            return self._operator_error("X PROT")
        self.cursor = previous
        return self.delete_character()

    def erase_end_of_field(self) -> bool:
        """Erase EOF: nulls from the cursor to the end of the field."""
        if not self._editable_here():
            return False
        start = self.field_start(self.cursor)
        for position in self._remaining_positions(self.cursor, start):
            self.characters[position] = NULL
        if start is not None:
            self.attributes[start] |= ATTRIBUTE_MDT
        return True

    def erase_input(self) -> bool:
        """Erase Input: null all unprotected fields, reset their MDTs, cursor to the first one."""
        if self.keyboard_locked:
            return False
        if not self.formatted:
            self.characters = bytearray(self.size)
            self.cursor = 0
            return True
        for start in self.field_starts():
            if not is_protected(self.attributes[start]):
                self.attributes[start] &= ~ATTRIBUTE_MDT
                for position in self.field_positions(start):
                    self.characters[position % self.size] = NULL
        self.cursor = self.first_unprotected_position(0)
        return True

    def press_aid(self, aid: int) -> bytes | None:
        """An AID key: the inbound record to send (Read Modified form), keyboard locked.

        None when the keyboard is locked (the key is refused). Clear erases the
        screen to the default size first (GA27-2749, "CLEAR key").
        """
        if self.keyboard_locked:
            return None
        if aid == AID_CLEAR:
            self.erase()
        self.insert_mode = False
        self.aid = aid
        self.keyboard_locked = True
        self.lock_reason = "X SYSTEM"
        return self.read_modified(aid)

    # Presentation

    def text(self, address: int) -> str:
        """The character shown at ``address``: attributes, nulls and nondisplay fields are blank."""
        if self.is_field_attribute(address):
            return " "
        code = self.characters[address]
        if code < 0x40 or is_nondisplay(self.field_attribute(address)):
            return " "
        return bytes((code,)).decode("cp037")

    def row_text(self, row: int) -> str:
        base = row * self.columns
        return "".join(self.text(base + column) for column in range(self.columns))

    def screen_text(self) -> list[str]:
        return [self.row_text(row) for row in range(self.rows)]

    def field_text(self, start: int) -> str:
        """The data of the field whose attribute is at ``start``, nulls as blanks."""
        return "".join(
            " " if (c := self.characters[p % self.size]) == NULL else bytes((c,)).decode("cp037")
            for p in self.field_positions(start)
        )

    def erase_write_image(self, wcc: int = WCC_KEYBOARD_RESTORE) -> bytes:
        """An Erase/Write (Alternate, when sized so) record that rebuilds this screen elsewhere."""
        command = (
            ERASE_WRITE if self.size == DEFAULT_ROWS * DEFAULT_COLUMNS else (ERASE_WRITE_ALTERNATE)
        )
        out = bytearray((command, wcc))
        skipping = False
        for address in range(self.size):
            attribute = self.attributes[address]
            if attribute >= 0:
                if skipping:
                    out.append(ORDER_SBA)
                    out += self._address_bytes(address)
                    skipping = False
                extended = self.extended.get(address)
                if extended:
                    out += bytes((ORDER_SFE, len(extended) + 1, EXTENDED_FIELD_ATTRIBUTE))
                    out.append(SIX_BIT_CODES[attribute & 0x3F])
                    for kind, value in extended.items():
                        out += bytes((kind, value))
                else:
                    out += bytes((ORDER_SF, SIX_BIT_CODES[attribute & 0x3F]))
            elif self.characters[address] == NULL:
                skipping = True
            else:
                if skipping:
                    out.append(ORDER_SBA)
                    out += self._address_bytes(address)
                    skipping = False
                code = self.characters[address]
                if code in _ORDER_CODES:
                    out.append(ORDER_GE)
                out.append(code)
        out.append(ORDER_SBA)
        out += self._address_bytes(self.cursor)
        out.append(ORDER_IC)
        return bytes(out)

"""DISPLAY, DCP and STORE: a virtual machine's storage, keys, registers and PSW.

The operands, defaults, output formats and messages are VM/370 Release 6's
(DMKCDB for DISPLAY and DCP, DMKCDS for STORE):

- ``Lhexloc`` storage in words, four to a line (``XXXXXX    WORD1  WORD2 ...``);
  ``Thexloc`` the same in 16-byte lines with the EBCDIC at the right between
  asterisks, and the storage key at each 2K boundary; ``Khexloc`` the keys,
  one line per run of 2K blocks with the same key; a line the same as the
  one above is not repeated but summed up (``SUPPRESSED LINE(S) SAME AS
  ABOVE``); an operand with no letter takes the last one given, or L.
- ``hexloc-hexloc``, ``hexloc:hexloc``, ``hexloc.length`` and ``-END``
  ranges; no address at all means the whole of it.
- ``Gn``, ``Yn``, ``Xn`` general, floating-point and control registers,
  with the same ranges in decimal (or hex); ``PSW``, ``CSW``, ``CAW``.

Storage is the virtual machine's own real storage (its second-level real
addresses, as in VM/370: DISPLAY does not go through the guest's own DAT
tables). DCP (classes C and E) shows the real machine's storage.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from fractions import Fraction

from vm370.cp.commands import CommandContext, CommandError, command
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.psw import BCPSW
from vm370.hardware.storage import BLOCK_SHIFT

LINE_BYTES = 16
KEY_BLOCK = 1 << BLOCK_SHIFT
SUPPRESSED = "SUPPRESSED LINE(S) SAME AS ABOVE ....."
_PRINTABLE = set(string.ascii_letters + string.digits + " .<(+|&!$*);-/,%_>?`:#@'=\"")
# VM/370 printed a period for every byte its dump table did not make a graphic.
EBCDIC_GRAPHICS = "".join(
    char if char in _PRINTABLE else "." for char in bytes(range(256)).decode("cp037")
)


def ebcdic_text(data: bytes) -> str:
    return "".join(EBCDIC_GRAPHICS[byte] for byte in data)


def _machine(context: CommandContext):
    if context.machine is None:
        raise CommandError("DMKCFM001E UNKNOWN CP COMMAND")
    return context.machine


@dataclass(frozen=True)
class Kind:
    """One DISPLAY request letter: its unit, its limit and how its numbers are read."""

    letter: str
    increment: int
    field_length: int  # the longest address field VM/370 accepted
    hexadecimal: bool  # storage addresses; registers are decimal first, then hex
    storage: bool


STORAGE_KIND = {
    "L": Kind("L", 4, 6, True, True),
    "T": Kind("T", 4, 6, True, True),
    "K": Kind("K", KEY_BLOCK, 6, True, True),
}
REGISTER_KIND = {
    "G": Kind("G", 1, 2, False, False),
    "Y": Kind("Y", 2, 1, False, False),
    "X": Kind("X", 1, 2, False, False),
}
REGISTER_LIMIT = {"G": 15, "Y": 6, "X": 15}


def _number(text: str, kind: Kind) -> int | None:
    """A field as DMKCDB converted it: hex for storage, decimal then hex for registers."""
    if not text:
        return None
    if not kind.hexadecimal and text.isdigit():
        return int(text)
    if all(char in string.hexdigits for char in text):
        return int(text, 16)
    return None


@dataclass(frozen=True)
class Span:
    """The first and last unit to show, aligned to the kind's increment."""

    first: int
    last: int


class Displayer:
    """One DISPLAY or DCP command: reads the operands one after another."""

    def __init__(self, context: CommandContext, real: bool) -> None:
        self.context = context
        self.real = real
        self.module = "DMKCDB"
        if real:
            self.machine = None
            self.size = context.cp.storage.size
        else:
            self.machine = _machine(context)
            self.size = self.machine.storage_size

    def error(self, number: int, text: str) -> CommandError:
        return CommandError(f"{self.module}{number:03d}E {text}")

    def run(self, operands: list[str]) -> None:
        if not operands:
            raise self.error(33 if self.real else 26, _MISSING[self.real])
        last = ""
        for operand in operands:
            last = self.one(operand.upper(), last)

    def one(self, operand: str, last: str) -> str:
        """Show one operand; the letter the next operand defaults to."""
        letter = operand[0]
        if letter == "P":
            self._virtual_only(operand)
            if not "PSW".startswith(operand):
                raise self.error(3, f"INVALID OPTION - {operand}")
            self.show_psw()
            return ""
        if operand in ("CSW", "CAW"):
            self._virtual_only(operand)
            self.show_channel_word(operand)
            return ""
        if letter in ("M", "N"):
            raise self.error(33 if self.real else 26, _MISSING[self.real])
        if letter in REGISTER_KIND:
            self._virtual_only(operand)
            self.show_registers(REGISTER_KIND[letter], operand[1:])
            return letter
        if letter in STORAGE_KIND:
            if letter == "T" and len(operand) == 1:
                raise self.error(26, _MISSING[False])
            if letter == "K":
                self._virtual_only(operand)
            self.show_storage(STORAGE_KIND[letter], operand[1:])
            return letter
        return self.one((last or "L") + operand, last)

    def _virtual_only(self, operand: str) -> None:
        if self.real:
            raise self.error(3, f"INVALID OPTION - {operand}")

    # Ranges (DMKCDB's DISINIT)

    def span(self, kind: Kind, text: str, maximum: int, default_last: int) -> Span:
        """The units an operand asks for; VM/370's messages for a bad one."""
        hexloc = kind.storage
        separator_at = next((i for i, char in enumerate(text) if char in ":-."), None)
        if separator_at is None:
            begin_text, end_text, separator = text, None, ""
        else:
            begin_text, end_text = text[:separator_at], text[separator_at + 1 :]
            separator = text[separator_at]
            if not end_text:
                end_text = None
        is_range = separator_at is not None or not text
        length = separator == "." and end_text is not None and end_text != "END"

        true_last = maximum
        aligned_last = default_last
        if end_text is not None and end_text != "END":
            if len(end_text) > kind.field_length:
                raise self.error(3, f"INVALID OPTION - {end_text}")
            value = _number(end_text, kind)
            if value is None or (length and value == 0):
                if length or not hexloc:
                    raise self.error(3, f"INVALID OPTION - {end_text}")
                raise self.error(4, f"INVALID HEXLOC - {end_text}")
            if length:
                true_last = value if kind.letter != "Y" else value * 2 - 1
                aligned_last = true_last - (true_last % kind.increment)
            else:
                if kind.letter == "Y" and (value % 2 or value > maximum):
                    raise self.error(10, f"INVALID REGISTER - {end_text}")
                true_last = value
                aligned_last = value - value % kind.increment

        if begin_text:
            if len(begin_text) > kind.field_length:
                raise self.error(3, f"INVALID OPTION - {begin_text}")
            first = _number(begin_text, kind)
            if first is None:
                if hexloc:
                    raise self.error(4, f"INVALID HEXLOC - {begin_text}")
                raise self.error(3, f"INVALID OPTION - {begin_text}")
            if first > maximum:
                if hexloc:
                    raise self.error(160, f"HEXLOC {begin_text} EXCEEDS STORAGE")
                raise self.error(10, f"INVALID REGISTER - {begin_text}")
            if kind.letter == "Y" and first % 2:
                raise self.error(10, f"INVALID REGISTER - {begin_text}")
        else:
            first = 0
        if length:
            true_last += first - 1
            aligned_last = true_last - (true_last % kind.increment)
        if is_range and (first > true_last or true_last > maximum):
            if hexloc:
                raise self.error(9, f"INVALID RANGE - {first:06X}-{true_last:06X}")
            raise self.error(9, f"INVALID RANGE - {first}-{true_last}")
        aligned_first = first - first % kind.increment
        if not is_range:
            aligned_last = aligned_first
        return Span(aligned_first, aligned_last)

    # Storage

    def read(self, address: int, length: int) -> bytes:
        length = max(0, min(length, self.size - address))
        if self.real:
            return bytes(self.context.cp.storage.mem[address : address + length])
        return self.machine.storage.read_real(address, length)

    def key(self, address: int) -> int:
        """The key as VM/370 showed it: key and fetch bit, and the EC machine's extra bits."""
        if self.real:
            return self.context.cp.storage.keys[address // KEY_BLOCK] & 0xFE
        mask = 0xFE if self.machine.ec_mode else 0xF8
        return self.machine.storage_key(address) & mask

    def show_storage(self, kind: Kind, text: str) -> None:
        default_last = self.size - (KEY_BLOCK if kind.letter == "K" else 4)
        span = self.span(kind, text, self.size - 1, default_last)
        if kind.letter == "K":
            self.show_keys(text, span)
            return
        translated = kind.letter == "T"
        first, last = span.first, span.last
        if translated:
            first -= first % LINE_BYTES
            last |= LINE_BYTES - 1
        respond = self.context.respond
        previous: bytes | None = None
        suppressed: tuple[int, int] | None = None
        address = first
        while address <= last:
            line_bytes = self.read(address, LINE_BYTES)
            if previous is not None and line_bytes == previous:
                start = suppressed[0] if suppressed else address
                suppressed = (start, min(address + LINE_BYTES, self.size))
                address += LINE_BYTES
                continue
            if suppressed is not None:
                respond(f"{suppressed[0]:06X} TO {suppressed[1]:06X}   {SUPPRESSED}")
                suppressed = None
            previous = line_bytes
            words = min(4, (last - address) // 4 + 1)
            data = self.read(address, words * 4)
            hex_words = "  ".join(data[i : i + 4].hex().upper() for i in range(0, len(data), 4))
            line = f"{address:06X}    {hex_words}"
            if translated:
                key = f"{self.key(address):02X}" if address % KEY_BLOCK == 0 else "  "
                line = f"{line:<49}{key}  *{ebcdic_text(line_bytes):<16}*"
            respond(line.rstrip())
            address += words * 4
        if suppressed is not None:
            respond(f"{suppressed[0]:06X} TO {suppressed[1]:06X}   {SUPPRESSED}")

    def show_keys(self, text: str, span: Span) -> None:
        run: tuple[int, int, int] | None = None  # (first block address, last, key)
        for address in range(span.first, span.last + 1, KEY_BLOCK):
            key = self.key(address)
            if run is not None and run[2] == key:
                run = (run[0], address, key)
                continue
            if run is not None:
                self._key_line(run)
            run = (address, address, key)
        if run is not None:
            self._key_line(run)

    def _key_line(self, run: tuple[int, int, int]) -> None:
        first, last, key = run
        self.context.respond(f"{first:06X} TO {last + KEY_BLOCK - 1:06X}  KEY = {key:02X}")

    # Registers and PSW

    def show_registers(self, kind: Kind, text: str) -> None:
        letter = kind.letter
        limit = REGISTER_LIMIT[letter]
        span = self.span(kind, text, limit, limit)
        machine = self.machine
        if letter == "Y":
            for number in range(span.first, span.last + 1, 2):
                value = machine.fpr[number // 2]
                self.context.respond(
                    f"FPR {number:>2} =  {value:016X}    {floating_point_text(value)}"
                )
            return
        values = machine.gpr if letter == "G" else machine.control.values
        name = "GPR" if letter == "G" else "ECR"
        numbers = list(range(span.first, span.last + 1))
        for start in range(0, len(numbers), 4):
            group = numbers[start : start + 4]
            words = "  ".join(f"{values[n] & 0xFFFFFFFF:08X}" for n in group)
            self.context.respond(f"{name} {group[0]:>2} =  {words}")

    def show_psw(self) -> None:
        machine = self.machine
        image = machine.psw.to_int()
        if isinstance(machine.psw, BCPSW):
            image &= 0xFFFF0000_FFFFFFFF  # no interruption code (DMKCDB)
        self.context.respond(f"PSW = {image >> 32:08X} {image & 0xFFFFFFFF:08X}")

    def show_channel_word(self, which: str) -> None:
        storage = self.machine.storage
        if which == "CSW":
            csw = storage.read_real(0x40, 8)
            self.context.respond(f"CSW=  {csw[:4].hex().upper()} {csw[4:].hex().upper()}")
        else:
            self.context.respond(f"CAW=  {storage.read_real(0x48, 4).hex().upper()}")


_MISSING = {False: "OPERAND MISSING OR INVALID", True: "HEXLOC MISSING OR INVALID"}


def floating_point_text(value: int) -> str:
    """A long floating-point number in decimal: sign, 17 digits of fraction, exponent."""
    negative = bool(value >> 63)
    characteristic = (value >> 56) & 0x7F
    fraction = value & 0x00FFFFFFFFFFFFFF
    if fraction == 0:
        return " .00000000000000000 E +00"
    number = Fraction(fraction, 1 << 56) * Fraction(16) ** (characteristic - 64)
    exponent = 0
    while number >= 1:
        number /= 10
        exponent += 1
    while number < Fraction(1, 10):
        number *= 10
        exponent -= 1
    digits = round(number * 10**17)
    if digits >= 10**17:
        digits //= 10
        exponent += 1
    sign = "-" if negative else " "
    exponent_sign = "-" if exponent < 0 else "+"
    return f"{sign}.{digits:017d} E {exponent_sign}{abs(exponent):02d}"


@command(
    "DISPLAY",
    1,
    "G",
    "DISPLAY: show your virtual machine's storage, keys, registers or PSW.\n"
    "Format: Display Lhexloc|Thexloc|Khexloc [-hexloc|:hexloc|.length|-END]\n"
    "                Gn|Yn|Xn [-m|.count]  PSW  CSW  CAW  (several at once)",
)
def display(context: CommandContext, operands: list[str]) -> None:
    Displayer(context, real=False).run(operands)


@command(
    "DCP",
    3,
    "CE",
    "DCP: show the real machine's storage.\n"
    "Format: DCP Lhexloc|Thexloc [-hexloc|:hexloc|.length|-END]",
)
def display_real(context: CommandContext, operands: list[str]) -> None:
    Displayer(context, real=True).run(operands)


HEX_DIGITS = set(string.hexdigits.upper())


def _is_data(word: str) -> bool:
    """DMKCDS read a word that starts with a digit or A-F as data, not a new request."""
    return word[0] in "0123456789ABCDEF"


class Storer:
    """One STORE command (DMKCDS): requests and their data, stored as they come."""

    module = "DMKCDS"

    def __init__(self, context: CommandContext, words: list[str]) -> None:
        self.context = context
        self.machine = _machine(context)
        self.words = [word.upper() for word in words]
        self.position = 0
        self.stored = False

    def error(self, number: int, text: str) -> CommandError:
        return CommandError(f"{self.module}{number:03d}E {text}")

    def next_word(self, any_word: bool) -> str | None:
        """The next word if it is data (or any word, when data must follow)."""
        if self.position >= len(self.words):
            return None
        word = self.words[self.position]
        if not any_word and not _is_data(word):
            return None
        self.position += 1
        return word

    def data(self, word: str) -> int:
        if len(word) > 8 or not set(word) <= HEX_DIGITS:
            raise self.error(5, f"INVALID HEXDATA - {word}")
        return int(word, 16)

    def run(self) -> None:
        while self.position < len(self.words):
            word = self.words[self.position]
            self.position += 1
            if word == "STATUS" or word[0] in ("M", "N"):
                # The 360/67 has no store-status facility, and this is no AP system.
                raise self.error(26, "OPERAND MISSING OR INVALID")
            if _is_data(word):
                self.store_words(word)
            elif word[0] == "L":
                self.store_words(self._located(word))
            elif word[0] == "S":
                self.store_bytes(self._located(word))
            elif word[0] == "P":
                if not "PSW".startswith(word):
                    raise self.error(26, "OPERAND MISSING OR INVALID")
                self.store_psw()
            elif word[0] in ("G", "Y", "X"):
                self.store_registers(word[0], word[1:])
            else:
                self.store_words(word)
        if not self.stored:
            raise self.error(26, "OPERAND MISSING OR INVALID")
        self.context.respond("STORE COMPLETE")

    def _located(self, word: str) -> str:
        if len(word) == 1:
            raise self.error(33, "HEXLOC MISSING OR INVALID")
        return word[1:]

    def _address(self, text: str) -> int:
        if len(text) > 6 or not set(text) <= HEX_DIGITS:
            raise self.error(4, f"INVALID HEXLOC - {text}")
        return int(text, 16)

    def _check_fits(self, text: str, address: int, length: int) -> None:
        if address + length > self.machine.storage_size:
            raise self.error(160, f"HEXLOC {text} EXCEEDS STORAGE")

    def store_words(self, text: str) -> None:
        address = self._address(text) & ~3
        word = self.next_word(any_word=True)
        while word is not None:
            value = self.data(word)
            self._check_fits(text, address, 4)
            self.machine.storage.write_word(address, value)
            self.stored = True
            address += 4
            word = self.next_word(any_word=False)

    def store_bytes(self, text: str) -> None:
        address = self._address(text)
        word = self.next_word(any_word=True)
        if word is None:
            return
        if len(word) % 2 or not set(word) <= HEX_DIGITS:
            raise self.error(5, f"INVALID HEXDATA - {word}")
        for index in range(0, len(word), 2):
            self._check_fits(text, address, 1)
            self.machine.storage.write_real(address, bytes.fromhex(word[index : index + 2]))
            self.stored = True
            address += 1

    def store_psw(self) -> None:
        machine = self.machine
        first = self.next_word(any_word=True)
        if first is None:
            return
        high_or_low = self.data(first)
        second = self.next_word(any_word=False)
        if second is None:
            # One word: the second half of the PSW (DMKCDS), the rest kept.
            image = (machine.psw.to_int() & 0xFFFFFFFF_00000000) | high_or_low
        else:
            image = high_or_low << 32 | self.data(second)
        if machine.ec_mode and ECPSW.from_int(image).to_int() != image:
            raise self.error(12, f"INVALID PSW - {image >> 32:08X}  {image & 0xFFFFFFFF:08X}")
        # Set as machine state, not loaded: a machine stopped in CP mode stays stopped.
        machine.psw = ECPSW.from_int(image) if machine.ec_mode else BCPSW.from_int(image)
        self.stored = True

    def store_registers(self, letter: str, text: str) -> None:
        if not text or len(text) > 2:
            raise self.error(10, f"INVALID REGISTER - {text or letter}")
        if letter == "Y":
            number = int(text) if text.isdigit() else None
        else:
            number = (
                int(text)
                if text.isdigit()
                else (int(text, 16) if set(text) <= HEX_DIGITS else None)
            )
        if number is None or (letter == "Y" and number % 2):
            raise self.error(10, f"INVALID REGISTER - {text}")
        word = self.next_word(any_word=True)
        machine = self.machine
        while word is not None:
            limit = 7 if letter == "Y" else 15
            if number > limit:
                raise self.error(163, "STORE EXCEEDS MAXIMUM REGISTER")
            value = self.data(word)
            if letter == "G":
                machine.gpr[number] = value
            elif letter == "Y":
                # Words of the floating-point registers in turn: FPR0 high, FPR0 low, FPR2 ...
                register, half = divmod(number, 2)
                old = machine.fpr[register]
                if half:
                    machine.fpr[register] = (old & 0xFFFFFFFF_00000000) | value
                else:
                    machine.fpr[register] = (old & 0xFFFFFFFF) | value << 32
            else:
                machine.control.load(number, value)
                if number == 6:
                    machine.set_mode_from_control()
            self.stored = True
            number += 1
            word = self.next_word(any_word=False)


@command(
    "STORE",
    2,
    "G",
    "STORE: change your virtual machine's storage, registers or PSW.\n"
    "Format: STore [L]hexloc hexword...  Shexloc hexbytes  Gn|Yn|Xn hexword...\n"
    "              PSW [hexword] hexword",
)
def store(context: CommandContext, operands: list[str]) -> None:
    Storer(context, operands).run()

"""The 2540 card read punch: the reader (2540R) and the punch (2540P).

Decks on the host are either files of 80-byte EBCDIC card images, or text
files converted line by line to EBCDIC (code page 037), each line padded
with blanks to 80 columns. Which one a file is, is decided by its content:
text is UTF-8 with line ends and no other control characters. A text line
longer than 80 columns, or with a character that has no EBCDIC code, is
refused with the line number; a card image file whose length is not a
multiple of 80 is refused too.

Reader commands (2821 control unit): any command whose low four bits are
0010 reads a card (the high bits select stacker and mode), 03 no-operation,
other control commands feed a card into a stacker without reading it, 04
sense. With an empty hopper a read presents unit exception once a deck has
been loaded (the end-of-file key is pressed for host decks), otherwise unit
check with intervention required.

Punch commands: any command whose low two bits are 01 punches one card from
80 bytes (a shorter count leaves the rest of the card blank), 03
no-operation, other control commands select a stacker, 04 sense. Punched
cards go to the host file as text lines (trailing blanks dropped) when its
name ends in .txt, otherwise as 80-byte card images.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from vm370.hardware.devices import (
    NORMAL_END,
    SENSE_INTERVENTION_REQUIRED,
    UNIT_EXCEPTION,
    CCWResult,
    Device,
    DeviceError,
    HostOutputFile,
    register,
)
from vm370.hardware.devices.codepage import BLANK, printable, to_ebcdic

CARD_COLUMNS = 80
# The whole deck goes into the hopper at attach: a file this large (/dev/zero, a
# disk image) is a mistake, refused before it fills memory.
MAX_DECK_BYTES = 32 * 1024 * 1024
NOP = 0x03

# The real 2540 reads 1000 cards a minute (60 ms a card) and punches 300
# (200 ms); these shorter times keep runs brisk while still letting the CPU
# overlap computing with card I/O.
READ_DELAY = 3000
PUNCH_DELAY = 5000
FEED_DELAY = 2000

_TEXT_CONTROLS = set(range(0x20)) - {0x09, 0x0A, 0x0D, 0x0C}


class DeckError(DeviceError):
    """A host deck that cannot be read as cards."""


def _looks_like_text(raw: bytes) -> bool:
    """A deck is text if it is UTF-8 with no control characters but line ends and tabs.

    Card images made only of EBCDIC blanks and punctuation (X'40'-X'7F') are
    also valid UTF-8; they have no line ends, so a file of whole 80-byte
    images with no newline at all is taken for card images.
    """
    if raw and b"\n" not in raw and len(raw) % CARD_COLUMNS == 0:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(byte in _TEXT_CONTROLS for byte in raw)


def cards_from_text(text: str, name: str = "deck") -> list[bytes]:
    """Text lines to 80-column EBCDIC cards; DeckError for a line that doesn't fit."""
    cards = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.expandtabs(8)
        if len(line) > CARD_COLUMNS:
            raise DeckError(
                f"{name} line {number} has {len(line)} columns; a card holds {CARD_COLUMNS}"
            )
        try:
            card = to_ebcdic(line.ljust(CARD_COLUMNS))
        except UnicodeEncodeError as error:
            raise DeckError(
                f"{name} line {number} column {error.start + 1}: character "
                f"{line[error.start]!r} has no EBCDIC (code page 037) code"
            ) from None
        cards.append(card)
    return cards


def cards_from_images(raw: bytes, name: str = "deck") -> list[bytes]:
    """A file of 80-byte EBCDIC card images to cards."""
    if len(raw) % CARD_COLUMNS:
        raise DeckError(
            f"{name} is {len(raw)} bytes, not a whole number of 80-byte card images "
            f"(and not a text file either)"
        )
    return [raw[i : i + CARD_COLUMNS] for i in range(0, len(raw), CARD_COLUMNS)]


def read_deck(path: str | Path, deck_format: str = "auto") -> list[bytes]:
    """Read a host deck file: format 'text', 'ebcdic' or 'auto' (decide by content)."""
    path = Path(path)
    try:
        with open(path, "rb") as deck_file:
            raw = deck_file.read(MAX_DECK_BYTES + 1)
    except FileNotFoundError:
        raise DeckError(f"deck {path} does not exist") from None
    except OSError as error:
        raise DeckError(f"cannot read deck {path}: {error.strerror}") from None
    if len(raw) > MAX_DECK_BYTES:
        raise DeckError(
            f"deck {path} is larger than {MAX_DECK_BYTES // (1024 * 1024)} MB "
            f"({MAX_DECK_BYTES // CARD_COLUMNS} cards); not a deck?"
        )
    if deck_format == "auto":
        deck_format = "text" if _looks_like_text(raw) else "ebcdic"
    if deck_format == "text":
        try:
            text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is dropped
        except UnicodeDecodeError as error:
            raise DeckError(f"deck {path} is not UTF-8 text (byte {error.start})") from None
        return cards_from_text(text, str(path))
    if deck_format == "ebcdic":
        return cards_from_images(raw, str(path))
    raise DeckError(f"unknown deck format {deck_format!r}: use text, ebcdic or auto")


@register
class CardReader2540(Device):
    """2540 reader: a hopper of cards loaded from host decks."""

    device_type = "2540R"
    sense_length = 1

    def __init__(self, deck: str | Path | None = None, deck_format: str = "auto") -> None:
        super().__init__()
        self.hopper: deque[bytes] = deque()
        self.end_of_file = False
        self.cards_read = 0
        self.decks: list[Path] = []  # the host decks loaded, for host_files
        if deck is not None:
            self.load(deck, deck_format)

    @classmethod
    def from_spec(cls, file: str | None) -> CardReader2540:
        return cls(file)

    def load(self, deck: str | Path, deck_format: str = "auto") -> int:
        """Put a host deck in the hopper (behind any cards there); return its card count."""
        cards = read_deck(deck, deck_format)
        self.load_cards(cards)
        self.decks.append(Path(deck))
        return len(cards)

    def host_files(self) -> list[tuple[Path, bool]]:
        return [(deck, False) for deck in self.decks]

    def load_cards(self, cards: list[bytes]) -> None:
        for card in cards:
            if len(card) != CARD_COLUMNS:
                raise DeckError(f"a card image is {len(card)} bytes, not {CARD_COLUMNS}")
        self.hopper.extend(bytes(card) for card in cards)
        self.end_of_file = True

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command & 0x0F == 0x02:
            if not self.hopper:
                if self.end_of_file:
                    return CCWResult(NORMAL_END | UNIT_EXCEPTION, 0, delay=0, immediate=True)
                return self.unit_check(SENSE_INTERVENTION_REQUIRED)
            card = self.hopper.popleft()
            self.cards_read += 1
            return CCWResult(NORMAL_END, CARD_COLUMNS, card, delay=READ_DELAY)
        if command == NOP:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        if command & 0x03 == 0x03:
            # Feed, select stacker: the card passes the read station unread.
            if self.hopper:
                self.hopper.popleft()
            return CCWResult(NORMAL_END, 0, delay=FEED_DELAY, immediate=True)
        return self.reject()


@register
class CardPunch2540(Device):
    """2540 punch: punched cards go to a host file (text or card images)."""

    device_type = "2540P"
    sense_length = 1

    def __init__(self, path: str | Path | None = None, deck_format: str = "auto") -> None:
        super().__init__()
        self.punched: list[bytes] = []
        self.path = Path(path) if path is not None else None
        self._file: HostOutputFile | None = None
        if deck_format == "auto":
            deck_format = "text" if self.path and self.path.suffix.lower() == ".txt" else "ebcdic"
        if deck_format not in ("text", "ebcdic"):
            raise DeckError(f"unknown deck format {deck_format!r}: use text or ebcdic")
        self.deck_format = deck_format
        if self.path is not None:
            self._file = HostOutputFile(self.path, "punch", binary=True)

    @classmethod
    def from_spec(cls, file: str | None) -> CardPunch2540:
        if not file:
            raise DeviceError("a 2540P needs a file for the punched cards: 2540P:FILE")
        return cls(file)

    def execute(self, command: int, data: bytes, count: int, chained: bool) -> CCWResult:
        if command & 0x03 == 0x01:
            card = bytes(data[:CARD_COLUMNS]).ljust(CARD_COLUMNS, bytes((BLANK,)))
            self.punched.append(card)
            if self._file is not None:
                record = card
                if self.deck_format == "text":
                    record = (printable(card).rstrip() + "\n").encode("utf-8")
                try:
                    self._file.write(record)
                except DeviceError:
                    # The host file cannot take the card (a full disk): as a full stacker.
                    self.punched.pop()
                    return self.unit_check(SENSE_INTERVENTION_REQUIRED)
            return CCWResult(NORMAL_END, CARD_COLUMNS, delay=PUNCH_DELAY)
        if command & 0x03 == 0x03:
            return CCWResult(NORMAL_END, 0, delay=0, immediate=True)
        return self.reject()

    def host_files(self) -> list[tuple[Path, bool]]:
        return [(self.path, True)] if self.path is not None else []

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

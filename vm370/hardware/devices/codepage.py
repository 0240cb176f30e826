"""EBCDIC (code page 037) conversions for the unit-record devices and the console."""

from __future__ import annotations

CODEPAGE = "cp037"
BLANK = 0x40

# Characters that a printer or console cannot show become blanks.
_UNPRINTABLE = {code: " " for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}


def to_ebcdic(text: str) -> bytes:
    """Text to EBCDIC; raises UnicodeEncodeError for a character cp037 lacks."""
    return text.encode(CODEPAGE)


def to_ebcdic_lenient(text: str) -> bytes:
    """Text to EBCDIC, with '?' for a character cp037 lacks (typed console input)."""
    return text.encode(CODEPAGE, errors="replace")


def printable(data: bytes) -> str:
    """EBCDIC bytes as they print: unprintable codes become blanks."""
    return data.decode(CODEPAGE).translate(_UNPRINTABLE)

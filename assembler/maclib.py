"""The CMS MACLIB format: macro definitions in one file of 80-byte EBCDIC records.

The layout follows VM/370's CMS macro libraries (DMSLBM): a header record first, the
members one after another, each ended by an end-of-member record (X'61FFFF61'), and the
dictionary at the end. Item numbers count records from 1.

- record 1, the header: ``LIBPDS`` (EBCDIC), then a fullword, the item number of the
  dictionary's first record, and a fullword, the number of dictionary entries; blanks
  after.
- the dictionary: 16-byte entries, five a record (the rest of the last one binary
  zeros): the member name (8 bytes, EBCDIC, blank padded), a fullword, the item number of
  its first record, and a fullword, the number of its records (without the end record).

The CMS MACLIB command writes this format, ASSEMBLE reads it (the nucleus reads the
files, CP's DIAGNOSE X'0108' hands the members to the assembler), and the build writes
CMSLIB MACLIB with it. Functions here work on records, never on disks.
"""

from __future__ import annotations

import struct

RECORD_LENGTH = 80
HEADER_MARK = "LIBPDS".encode("cp037")
END_OF_MEMBER = bytes((0x61, 0xFF, 0xFF, 0x61))
ENTRY_LENGTH = 16
ENTRIES_PER_RECORD = RECORD_LENGTH // ENTRY_LENGTH
BLANK = 0x40


class MaclibError(ValueError):
    """The records are not a MACLIB: the message says what is wrong."""


def _record(data: bytes, fill: int = BLANK) -> bytes:
    return data + bytes([fill]) * (RECORD_LENGTH - len(data))


def _card(line: str) -> bytes:
    text = line.rstrip("\n")
    if len(text) > RECORD_LENGTH:
        raise MaclibError(f"a line is longer than {RECORD_LENGTH} characters: {text[:20]}...")
    return text.ljust(RECORD_LENGTH).encode("cp037")


def macro_name(lines: list[str]) -> str:
    """The name of the macro defined by ``lines``: the operation of the prototype statement."""
    for index, line in enumerate(lines):
        if line[:1] != "*" and line.split()[:1] == ["MACRO"] and not line.startswith(".*"):
            for prototype in lines[index + 1 :]:
                if prototype.startswith(("*", ".*")) or not prototype.strip():
                    continue
                words = prototype.split()
                name = words[0] if prototype[:1] == " " else (words[1] if len(words) > 1 else "")
                if not name or len(name) > 8:
                    raise MaclibError(f"no macro name in the prototype: {prototype.strip()}")
                return name.upper()
    raise MaclibError("no MACRO statement")


def split_macros(text: str) -> list[tuple[str, list[str]]]:
    """The macro definitions in a source text (MACRO ... MEND), each with its name."""
    definitions: list[tuple[str, list[str]]] = []
    current: list[str] = []
    depth = 0
    for line in text.splitlines():
        words = line.split()
        operation = words[0] if line[:1] == " " and words else (words[1] if len(words) > 1 else "")
        if depth == 0 and not current and not line.strip():
            continue
        if depth == 0 and operation != "MACRO" and not line.startswith(("*", ".*")):
            raise MaclibError(f"a statement outside a definition (no MACRO before it): {line}")
        current.append(line)
        if operation == "MACRO":
            depth += 1
        elif operation == "MEND":
            depth -= 1
            if depth == 0:
                definitions.append((macro_name(current), current))
                current = []
    if depth or any(line.strip() for line in current):
        raise MaclibError("a macro definition has no MEND")
    return definitions


def build_maclib(members: list[tuple[str, list[str]]]) -> list[bytes]:
    """The records of a MACLIB holding ``members`` (name, source lines), in that order."""
    records = [b""]  # the header, filled in last
    entries: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    for name, lines in members:
        if not 1 <= len(name) <= 8:
            raise MaclibError(f"member name {name!r} must be 1-8 characters")
        if name in seen:
            entries = [entry for entry in entries if entry[0] != name]
        seen.add(name)
        entries.append((name, len(records) + 1, len(lines)))
        records.extend(_card(line) for line in lines)
        records.append(_record(END_OF_MEMBER))
    dictionary_item = len(records) + 1
    packed = b"".join(
        name.ljust(8).encode("cp037") + struct.pack(">II", item, count)
        for name, item, count in entries
    )
    for start in range(0, max(len(packed), 1), RECORD_LENGTH):
        records.append(_record(packed[start : start + RECORD_LENGTH], 0))
    records[0] = _record(HEADER_MARK + struct.pack(">II", dictionary_item, len(entries)))
    return records


def read_maclib(records: list[bytes]) -> dict[str, list[str]]:
    """The members of a MACLIB (name -> source lines without trailing blanks)."""
    if not records or records[0][:6] != HEADER_MARK or len(records[0]) < 14:
        raise MaclibError("not a MACLIB: the first record is not a LIBPDS header")
    dictionary_item, count = struct.unpack(">II", records[0][6:14])
    if not 2 <= dictionary_item <= len(records) + 1:
        raise MaclibError(f"the header points at dictionary record {dictionary_item}, past the end")
    dictionary = b"".join(records[dictionary_item - 1 :])
    if len(dictionary) < count * ENTRY_LENGTH:
        raise MaclibError(f"the dictionary holds fewer than the {count} entries the header says")
    members: dict[str, list[str]] = {}
    for index in range(count):
        entry = dictionary[index * ENTRY_LENGTH : (index + 1) * ENTRY_LENGTH]
        name = entry[:8].decode("cp037").rstrip()
        item, size = struct.unpack(">II", entry[8:16])
        if item < 2 or item + size > dictionary_item:
            raise MaclibError(f"member {name} lies outside the library's records")
        members[name] = [
            record.decode("cp037").rstrip() for record in records[item - 1 : item - 1 + size]
        ]
    return members


def split_records(data: bytes) -> list[bytes]:
    """80-byte records from a byte string whose length is a multiple of 80."""
    if len(data) % RECORD_LENGTH:
        raise MaclibError(f"{len(data)} bytes are not whole {RECORD_LENGTH}-byte records")
    return [data[start : start + RECORD_LENGTH] for start in range(0, len(data), RECORD_LENGTH)]

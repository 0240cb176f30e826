"""The object deck: 80-byte EBCDIC card images in the OS/360 object module format.

Every card has X'02' in column 1 and its type (ESD, TXT, RLD, END) in
columns 2-4, the deck ID in 73-76 and a sequence number in 77-80 (OS/360
Linkage Editor and Loader program logic, "Object Module Input"; a deck of
10,000 cards or more shortens the ID, see ``identification``):

- ESD: count of ESD data bytes in 11-12, ESD ID of the first item with an ID
  in 15-16, up to three 16-byte items in 17-64. An item is the name (8),
  its type (00 SD, 01 LD, 02 ER, 04 PC, 05 CM, 0A WX), a 3-byte address, a
  flag byte, and 3 bytes of length (SD, PC, CM) or of the owning section's
  ESD ID (LD); ER and WX leave the last 8 bytes blank. A PR item (06, an
  external dummy section or pseudo register) has its boundary less one as
  the address and its length.
- TXT: 3-byte address in 6-8, byte count in 11-12, ESD ID in 15-16, up to
  56 bytes of text in 17-72.
- RLD: byte count in 11-12, items in 17-72: relocation pointer (2), position
  pointer (2), flag (1), address (3). The flag is type (0 A, 1 V, 2 Q:
  pseudo-register displacement, 3 CXD: cumulative pseudo-register length,
  whose relocation pointer is 0) in bits 0-3, length-1 in bits 4-5, bit 6
  set to subtract, bit 7 set when the next item has the same two pointers
  and so omits them.
- END: entry address in 6-8 and its ESD ID in 15-16 (or the entry's external
  name in 17-24).
"""

from __future__ import annotations

from assembler.assembly import Assembly

CARD_LENGTH = 80
TEXT_BYTES_PER_CARD = 56
BLANK = 0x40
ESD_TYPES = {
    "SD": 0x00,
    "LD": 0x01,
    "ER": 0x02,
    "PC": 0x04,
    "CM": 0x05,
    "PR": 0x06,
    "WX": 0x0A,
}


def ebcdic_name(name: str) -> bytes:
    # A name that is no valid symbol (P€ CSECT) is already an error; its deck still gets written.
    return name.ljust(8)[:8].encode("cp037", errors="replace")


class DeckWriter:
    def __init__(self, deck_id: str):
        self.deck_id = deck_id.ljust(4)[:4].encode("cp037", errors="replace")
        self.cards: list[bytes] = []

    def card(self, kind: str, fields: dict[int, bytes]) -> None:
        """Add a card: ``fields`` maps a 1-based column to the bytes starting there."""
        image = bytearray([BLANK] * CARD_LENGTH)
        image[0] = 0x02
        image[1:4] = kind.encode("cp037")
        for column, data in fields.items():
            image[column - 1 : column - 1 + len(data)] = data
        self.raw(image)

    def raw(self, image: bytes | bytearray) -> None:
        image = bytearray(image)
        image[72:80] = identification(self.deck_id, len(self.cards) + 1)
        self.cards.append(bytes(image))


def identification(deck_id: bytes, sequence: int) -> bytes:
    """Columns 73-80 of card ``sequence``: the deck ID in 73-76, the number in 77-80.

    From card 10,000 on the number needs more than four columns; it takes them
    from the right of the deck ID (``PROG9999``, ``PRO10000``, ``PR100000``), so
    every card stays 80 columns and the numbers still rise. Past 99,999,999 cards
    (no 16 MB program comes near) the number starts again from 0.
    """
    number = str(sequence % 100_000_000)
    digits = max(len(number), 4)
    return deck_id[: 8 - digits].ljust(8 - digits, b"\x40") + number.zfill(digits).encode("cp037")


def esd_items(assembly: Assembly) -> list[tuple[int | None, bytes]]:
    """(ESD ID or None for LD, 16-byte item) in ESD ID order, LD items last."""
    symbols = assembly.symbols
    items: list[tuple[int, bytes]] = []
    for section in symbols.sections:
        if not section.in_esd:
            continue
        item = (
            ebcdic_name(section.name)
            + bytes([ESD_TYPES[section.kind]])
            + section.origin.to_bytes(3, "big")
            + b"\x00"
            + section.length.to_bytes(3, "big")
        )
        items.append((section.key, item))
    for external in symbols.externals.values():
        item = ebcdic_name(external.name) + bytes([ESD_TYPES[external.kind]])
        if external.kind == "PR":
            # A pseudo register: its boundary less one (0, 1, 3, 7) as the address,
            # its length in the length field.
            item += (
                (external.alignment - 1).to_bytes(3, "big")
                + bytes([BLANK])
                + external.length.to_bytes(3, "big")
            )
        else:
            item += bytes([BLANK] * 7)
        items.append((external.key, item))
    items.sort(key=lambda pair: pair[0])
    labelled: list[tuple[int | None, bytes]] = list(items)
    for name, address, section in symbols.entry_points():
        item = (
            ebcdic_name(name)
            + bytes([ESD_TYPES["LD"]])
            + (address & 0xFFFFFF).to_bytes(3, "big")
            + bytes([BLANK])
            + section.key.to_bytes(3, "big")
        )
        labelled.append((None, item))
    return labelled


def _write_esd(writer: DeckWriter, items: list[tuple[int | None, bytes]]) -> None:
    index = 0
    while index < len(items):
        chunk = [items[index]]
        index += 1
        # Items with IDs on one card must have consecutive IDs (the card gives the first).
        while index < len(items) and len(chunk) < 3:
            previous_id, next_id = chunk[-1][0], items[index][0]
            if next_id is not None and (previous_id is None or next_id != previous_id + 1):
                break
            chunk.append(items[index])
            index += 1
        data = b"".join(item for _, item in chunk)
        fields = {11: len(data).to_bytes(2, "big"), 17: data}
        if chunk[0][0] is not None:
            fields[15] = chunk[0][0].to_bytes(2, "big")
        writer.card("ESD", fields)


def _merged_text(assembly: Assembly):
    """Text records with contiguous neighbours joined, punched cards kept in place."""
    punched = {}
    for card in assembly.punched_cards:
        punched.setdefault(card.after_text_records, []).append(card.text)
    merged: list = []
    for index, record in enumerate(assembly.text_records):
        if index in punched and index:
            merged.extend(("PUNCH", text) for text in punched[index])
        last = merged[-1] if merged else None
        if (
            last is not None
            and last[0] == "TXT"
            and last[1] == record.section_key
            and last[2] + len(last[3]) == record.address
        ):
            last[3].extend(record.data)
        else:
            merged.append(["TXT", record.section_key, record.address, bytearray(record.data)])
    tail = len(assembly.text_records)
    if tail in punched and tail:
        merged.extend(("PUNCH", text) for text in punched[tail])
    return merged, punched.get(0, [])


def _punched_image(text: str) -> bytes:
    return text.ljust(CARD_LENGTH)[:CARD_LENGTH].encode("cp037", errors="replace")


def _write_rld(writer: DeckWriter, assembly: Assembly) -> None:
    items = sorted(
        assembly.relocation_items,
        key=lambda item: (item.position_key, item.relocation_key, item.address),
    )
    data = bytearray()
    previous_pointers = None
    previous_flag_at = 0
    for item in items:
        pointers = (item.relocation_key, item.position_key)
        same = pointers == previous_pointers and data
        needed = 4 if same else 8
        if len(data) + needed > TEXT_BYTES_PER_CARD:
            writer.card("RLD", {11: len(data).to_bytes(2, "big"), 17: bytes(data)})
            data = bytearray()
            same = False
        if same:
            # Bit 7 of the previous item's flag: this item shares its pointers.
            data[previous_flag_at] |= 0x01
        else:
            data += item.relocation_key.to_bytes(2, "big") + item.position_key.to_bytes(2, "big")
        previous_flag_at = len(data)
        data += bytes([item.flags]) + (item.address & 0xFFFFFF).to_bytes(3, "big")
        previous_pointers = pointers
    if data:
        writer.card("RLD", {11: len(data).to_bytes(2, "big"), 17: bytes(data)})


def write_object_deck(assembly: Assembly) -> bytes:
    writer = DeckWriter(assembly.deck_id)
    merged, leading_punches = _merged_text(assembly)
    for text in leading_punches:
        writer.raw(_punched_image(text))
    _write_esd(writer, esd_items(assembly))
    for entry in merged:
        if entry[0] == "PUNCH":
            writer.raw(_punched_image(entry[1]))
            continue
        _, key, address, data = entry
        for start in range(0, len(data), TEXT_BYTES_PER_CARD):
            chunk = bytes(data[start : start + TEXT_BYTES_PER_CARD])
            writer.card(
                "TXT",
                {
                    6: ((address + start) & 0xFFFFFF).to_bytes(3, "big"),
                    11: len(chunk).to_bytes(2, "big"),
                    15: key.to_bytes(2, "big"),
                    17: chunk,
                },
            )
    _write_rld(writer, assembly)
    fields: dict[int, bytes] = {}
    if assembly.entry_point is not None:
        key, address = assembly.entry_point
        if assembly.entry_external:
            fields[17] = ebcdic_name(assembly.entry_external)
        else:
            fields[6] = (address & 0xFFFFFF).to_bytes(3, "big")
            fields[15] = key.to_bytes(2, "big")
    writer.card("END", fields)
    return b"".join(writer.cards)

"""The object deck, card by card (OS/360 object module format: ESD, TXT, RLD, END)."""

SOURCE = """\
PROG     TITLE 'OBJECT DECK TEST'
MAIN     CSECT
         USING MAIN,15
         L     1,=A(DATA)
         L     15,=V(SUBR)
         ENTRY DATA
DATA     DC    F'5'
         EXTRN OTHER
         WXTRN WEAK
SECOND   CSECT
         DC    A(OTHER,WEAK)
         END   MAIN
"""


def cards(asm):
    return asm.assembled(SOURCE).cards


def test_every_card_is_80_bytes_with_x02_and_sequence(asm):
    deck = cards(asm)
    assert all(len(card) == 80 and card[0] == 0x02 for card in deck)
    assert [card[72:80].decode("cp037") for card in deck] == [
        f"PROG{n:04d}" for n in range(1, len(deck) + 1)
    ]
    types = [card[1:4].decode("cp037") for card in deck]
    assert types[0] == "ESD" and types[-1] == "END"
    assert types.count("TXT") >= 1 and types.count("RLD") == 1


def test_esd_items(asm):
    deck = cards(asm)
    items = []
    for card in deck:
        if card[1:4] == "ESD".encode("cp037"):
            count = int.from_bytes(card[10:12], "big")
            first_id = card[14:16]
            for offset in range(16, 16 + count, 16):
                items.append(
                    (
                        card[offset : offset + 8].decode("cp037").strip(),
                        card[offset + 8],
                        card[offset + 9 : offset + 16].hex().upper(),
                        first_id.hex(),
                    )
                )
    by_name = {name: (kind, rest) for name, kind, rest, _ in items}
    # MAIN: SD at 0, length 18 (L, L, DC F, pool A(DATA) and V(SUBR) at 16).
    assert by_name["MAIN"] == (0x00, "00000000000018")
    assert by_name["SECOND"] == (0x00, "00001800000008")
    assert by_name["OTHER"] == (0x02, "40404040404040")
    assert by_name["WEAK"] == (0x0A, "40404040404040")
    assert by_name["SUBR"] == (0x02, "40404040404040")
    assert by_name["DATA"] == (0x01, "00000840000001")


def test_txt_cards_carry_address_count_and_esdid(asm):
    deck = cards(asm)
    txt = [card for card in deck if card[1:4] == "TXT".encode("cp037")]
    first = txt[0]
    assert first[5:8] == b"\x00\x00\x00"
    count = int.from_bytes(first[10:12], "big")
    assert first[14:16] == b"\x00\x01"
    assert first[16 : 16 + count][:8] == bytes.fromhex("5810F01058F0F014")


def test_rld_items_and_flags(asm):
    deck = cards(asm)
    (rld,) = [card for card in deck if card[1:4] == "RLD".encode("cp037")]
    count = int.from_bytes(rld[10:12], "big")
    data = rld[16 : 16 + count]
    # ESD IDs in order of appearance: MAIN 1, OTHER 2, WEAK 3, SECOND 4, SUBR 5.
    # Sorted by position ID: two items in MAIN (the pool), then two in SECOND.
    # A(DATA): R=1 P=1 flag 0C (A, 4 bytes) address 10
    # V(SUBR): R=5 P=1 flag 1C (V, 4 bytes) address 14
    assert data[:8] == bytes.fromhex("000100010C000010")
    assert data[8:16] == bytes.fromhex("000500011C000014")
    # A(OTHER), A(WEAK) in SECOND: two different R pointers.
    assert data[16:24] == bytes.fromhex("000200040C000018")
    assert data[24:32] == bytes.fromhex("000300040C00001C")


def test_rld_items_with_the_same_pointers_are_chained(asm):
    result = asm.assembled("T CSECT\n DC A(T,T+4,T+8)\n END\n")
    (rld,) = [c for c in result.cards if c[1:4] == "RLD".encode("cp037")]
    count = int.from_bytes(rld[10:12], "big")
    assert rld[16 : 16 + count] == bytes.fromhex("000100010D0000000D0000040C000008")


def test_end_card_entry_point(asm):
    end = cards(asm)[-1]
    assert end[1:4] == "END".encode("cp037")
    assert end[5:8] == b"\x00\x00\x00" and end[14:16] == b"\x00\x01"


def test_deck_without_title_uses_the_given_name():
    from assembler import assemble

    result = assemble(" CSECT\n END\n", deck_name="ABCD")
    assert result.cards[0][72:76].decode("cp037") == "ABCD"
    pc = result.cards[0][16:32]
    assert pc[:8] == b"\x40" * 8 and pc[8] == 0x04


def test_long_text_is_split_into_56_byte_cards(asm):
    result = asm.assembled("T CSECT\n DC 100X'AA'\n END\n")
    txt = [c for c in result.cards if c[1:4] == "TXT".encode("cp037")]
    assert [int.from_bytes(c[10:12], "big") for c in txt] == [56, 44]
    assert [int.from_bytes(c[5:8], "big") for c in txt] == [0, 56]

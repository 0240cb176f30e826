"""The relocating loader, and object decks run on the CPU (``vm370 bare --load-deck``)."""

import json

import pytest

from assembler import assemble
from assembler.loader import ObjectDeckError, UnresolvedSymbolsError, load, read_object_deck
from vm370.cli import main

MAIN = """\
MAIN     CSECT
         BALR  12,0
         USING *,12
         L     2,=F'20'
         L     15,=V(ADDTWO)
         BALR  14,15
         ST    2,RESULT
         L     3,=A(EXTDATA)
         L     3,0(3)
         LPSW  WAIT
WAIT     DC    0D'0',X'0002000000000000'
RESULT   DS    F
         EXTRN EXTDATA
         END   MAIN
"""

SUB = """\
SUB      CSECT
         ENTRY ADDTWO,EXTDATA
         USING ADDTWO,15
ADDTWO   A     2,TWO
         BR    14
TWO      DC    F'2'
EXTDATA  DC    F'77'
         END
"""


def deck(source: str) -> bytes:
    result = assemble(source)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    return result.object_deck


def test_two_decks_are_placed_relocated_and_linked():
    storage = bytearray(0x4000)
    loaded = load([deck(MAIN), deck(SUB)], storage, 0x1000)
    main_section, sub_section = loaded.sections
    assert main_section.address == 0x1000
    assert sub_section.address == (0x1000 + main_section.length + 7) & ~7
    assert loaded.entry_point == 0x1000
    assert loaded.symbols["ADDTWO"] == sub_section.address
    assert loaded.symbols["EXTDATA"] == sub_section.address + 12
    assert loaded.unresolved == []
    # The V(ADDTWO) and A(EXTDATA) literals now hold the linked addresses.
    words = {int.from_bytes(storage[a : a + 4], "big") for a in range(0x1000, 0x1040, 4)}
    assert loaded.symbols["ADDTWO"] in words and loaded.symbols["EXTDATA"] in words


def test_relocation_adds_the_load_address():
    storage = bytearray(0x3000)
    load([deck("T CSECT\n DC A(T+8,0)\n DC Y(T)\n END\n")], storage, 0x2000)
    assert storage[0x2000:0x200A] == bytes.fromhex("00002008000000002000")


def test_negative_relocation_subtracts():
    source = "A CSECT\n DC A(A-B)\nB CSECT\n DC F'0'\n END\n"
    storage = bytearray(0x100)
    load([deck(source)], storage, 0x40)
    # Assembled: A at 0, B at 8; A-B = -8 whatever the load address.
    assert storage[0x40:0x44] == (-8 & 0xFFFFFFFF).to_bytes(4, "big")


def test_unresolved_external_is_reported():
    with pytest.raises(UnresolvedSymbolsError) as caught:
        load([deck("T CSECT\n DC V(NOWHERE)\n END\n")], bytearray(0x100), 0)
    assert caught.value.names == ["NOWHERE"]
    loaded = load(
        [deck("T CSECT\n DC V(NOWHERE)\n END\n")], bytearray(0x100), 0, allow_unresolved=True
    )
    assert loaded.unresolved == ["NOWHERE"]


def test_weak_external_resolves_to_zero_silently():
    storage = bytearray(b"\xff" * 0x100)
    loaded = load([deck("T CSECT\n WXTRN W\n DC A(W)\n END\n")], storage, 0x10)
    assert loaded.unresolved == [] and storage[0x10:0x14] == bytes(4)


def test_common_is_allocated_after_the_decks():
    source = "T CSECT\n DC A(AREA)\nC COM\nAREA DS CL64\n END\n"
    storage = bytearray(0x400)
    loaded = load([deck(source)], storage, 0x100)
    common = [s for s in loaded.sections if s.kind == "CM"][0]
    assert common.address == 0x108 and common.length == 64
    assert storage[0x100:0x104] == (0x108).to_bytes(4, "big")


def test_deck_at_its_own_address():
    storage = bytearray(0x4000)
    loaded = load([(deck(MAIN), 0x2000), (deck(SUB), 0x3000)], storage)
    assert [s.address for s in loaded.sections] == [0x2000, 0x3000]


def test_bad_decks_are_refused_with_a_message():
    with pytest.raises(ObjectDeckError, match="80-byte"):
        read_object_deck(b"\x02TXT")
    good = bytearray(deck("T CSECT\n DC F'1'\n END\n"))
    good[80 + 10 : 80 + 12] = (99).to_bytes(2, "big")
    with pytest.raises(ObjectDeckError, match="card 2"):
        read_object_deck(bytes(good))
    with pytest.raises(ObjectDeckError, match="beyond storage|storage ends"):
        load([deck("T CSECT\n DS CL100\n DC F'1'\n END\n")], bytearray(64), 0)


def test_non_object_cards_are_skipped():
    cards = deck("T CSECT\n DC F'3'\n END\n")
    storage = bytearray(16)
    load([b"//  JOB CARD".ljust(80) + cards], storage, 0)
    assert storage[:4] == bytes.fromhex("00000003")


def test_decks_run_on_the_cpu_through_vm370_bare(tmp_path, capsys):
    main_source = tmp_path / "main.asm"
    main_source.write_text(MAIN)
    sub_source = tmp_path / "sub.asm"
    sub_source.write_text(SUB)
    assert main(["asm", str(main_source), "-o", str(tmp_path / "main.obj")]) == 0
    assert main(["asm", str(sub_source), "-o", str(tmp_path / "sub.obj")]) == 0
    capsys.readouterr()
    status = main(
        [
            "bare",
            "--load-deck",
            f"{tmp_path / 'main.obj'}@2000",
            "--load-deck",
            f"{tmp_path / 'sub.obj'}@3000",
            "--psw",
            "0000000000002000",
            "--max-instructions",
            "1000",
            # RESULT: BALR L L BALR ST L L LPSW is 24 bytes, WAIT at 20, RESULT at 28.
            "--dump",
            "2028:4",
            "--json",
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stop"] == "disabled-wait"
    assert int(report["gpr"][2], 16) == 22
    assert int(report["gpr"][3], 16) == 77
    assert report["dump"]["2028"] == f"{22:08X}"


def test_bare_with_a_missing_deck_is_one_line(tmp_path, capsys):
    status = main(["bare", "--load-deck", f"{tmp_path / 'none.obj'}@0"])
    assert status == 2
    assert "cannot read" in capsys.readouterr().err


def test_corrupt_relocation_address_is_refused_not_written():
    cards = bytearray(deck("T CSECT\n DC A(T)\n END\n"))
    rld = next(i for i in range(0, len(cards), 80) if cards[i + 1 : i + 4] == "RLD".encode("cp037"))
    cards[rld + 16 + 5 : rld + 16 + 8] = b"\xff\xff\xf0"
    storage = bytearray(b"\x33" * 0x100)
    with pytest.raises(ObjectDeckError, match="RLD field at FFFFF0 is outside section T"):
        load([bytes(cards)], storage, 0)
    assert storage == bytearray(b"\x33" * 0x100)


DECIMAL_PROGRAM = """\
         MACRO
&L       SUMTO &N,&INTO
         LCLA  &I
&L       SR    2,2
&I       SETA  1
.NEXT    AIF   (&I GT &N).DONE
         A     2,=F'&I'
&I       SETA  &I+1
         AGO   .NEXT
.DONE    ST    2,&INTO
         MEND
SUMS     CSECT
         BALR  12,0
         USING *,12
         SUMTO 10,TOTAL
         L     3,TOTAL
         CVD   3,PACKED
         UNPK  TEXT,PACKED+6(2)
         OI    TEXT+L'TEXT-1,X'F0'
         LA    4,5
         SR    5,5
LOOP     AH    5,=H'3'
         BCT   4,LOOP
         MVC   COPY(L'TEXT),TEXT
         TR    COPY,TABLE
         LPSW  WAIT
         DS    0D
WAIT     DC    X'0002000000000000'
PACKED   DS    D
TOTAL    DS    F
TEXT     DS    CL3
COPY     DS    CL3
TABLE    DC    256AL1(*-TABLE)
         ORG   TABLE+C'0'
         DC    C'ABCDEFGHIJ'
         ORG
         END   SUMS
"""


def test_macro_generated_program_runs_on_the_cpu():
    from vm370.hardware.machine import Machine

    result = assemble(DECIMAL_PROGRAM)
    assert result.return_code == 0, [str(d) for d in result.diagnostics]
    machine = Machine(64 * 1024)
    loaded = load([result.object_deck], machine.storage, 0x3000)
    machine.set_psw(loaded.entry_point)  # BC mode, key 0, disabled: the address alone
    assert machine.run(10_000) == "disabled-wait"
    symbols = {
        name: symbol.value.offset for name, symbol in result.assembly.symbols.symbols.items()
    }
    base = loaded.sections[0].address

    def word(name):
        return int.from_bytes(machine.dump(base + symbols[name], 4), "big")

    assert word("TOTAL") == 55  # 1 + 2 + ... + 10, unrolled by the macro
    assert machine.dump(base + symbols["TEXT"], 3) == "055".encode("cp037")
    assert machine.dump(base + symbols["COPY"], 3) == "AFF".encode("cp037")
    assert machine.cpu.gpr[5] == 15


def test_entry_point_named_by_an_external_symbol():
    first = deck("A CSECT\n EXTRN GO\n DC F'0'\n END GO\n")
    end_card = first[-80:]
    assert end_card[16:24].decode("cp037") == "GO      "
    second = deck("B CSECT\n ENTRY GO\n DC F'0'\nGO LR 1,1\n END\n")
    loaded = load([first, second], bytearray(0x1000), 0x100)
    assert loaded.entry_point == loaded.symbols["GO"] == 0x108 + 4


def _card_index(cards: bytes, kind: str) -> int:
    return next(i for i in range(0, len(cards), 80) if cards[i + 1 : i + 4] == kind.encode("cp037"))


def test_a_bad_relocation_card_leaves_storage_unchanged():
    # The TXT card is good and comes first; the RLD card after it is bad.
    cards = bytearray(deck("T CSECT\n DC F'5'\n DC A(T)\n END\n"))
    rld = _card_index(bytes(cards), "RLD")
    cards[rld + 16 + 2 : rld + 16 + 4] = (7).to_bytes(2, "big")  # position: no such section
    storage = bytearray(b"\xaa" * 0x100)
    with pytest.raises(ObjectDeckError, match="RLD position ESD ID 7 is not a section"):
        load([bytes(cards)], storage, 0x10)
    assert storage == bytearray(b"\xaa" * 0x100)


def test_a_bad_text_card_in_a_later_deck_leaves_the_earlier_deck_unwritten():
    bad = bytearray(deck("U CSECT\n DC F'6'\n END\n"))
    txt = _card_index(bytes(bad), "TXT")
    bad[txt + 14 : txt + 16] = (9).to_bytes(2, "big")
    storage = bytearray(b"\x55" * 0x100)
    with pytest.raises(ObjectDeckError, match="deck 2 card 2: TXT names ESD ID 9"):
        load([deck("T CSECT\n DC F'5'\n END\n"), bytes(bad)], storage, 0)
    assert storage == bytearray(b"\x55" * 0x100)


def test_unresolved_names_leave_storage_unchanged():
    storage = bytearray(0x100)
    with pytest.raises(UnresolvedSymbolsError):
        load([deck("T CSECT\n DC F'5'\n DC V(NOWHERE)\n END\n")], storage, 0)
    assert storage == bytearray(0x100)
    with pytest.raises(UnresolvedSymbolsError, match="MISSING"):
        # A weak reference is no error, but the entry point it names must exist.
        load([deck("T CSECT\n WXTRN MISSING\n DC F'5'\n END MISSING\n")], storage, 0)
    assert storage == bytearray(0x100)


def test_text_outside_its_section_writes_nothing():
    cards = bytearray(deck("T CSECT\n DC F'1'\n DC F'2'\n END\n"))
    txt = _card_index(bytes(cards), "TXT")
    cards[txt + 5 : txt + 8] = (0x3FFF0).to_bytes(3, "big")
    storage = bytearray(b"\x11" * 0x40)
    with pytest.raises(ObjectDeckError, match="text at 03FFF0 .length 8. is outside section T"):
        load([bytes(cards)], storage, 0)
    assert storage == bytearray(b"\x11" * 0x40)


def test_two_items_with_one_esd_id_are_refused():
    cards = bytearray(deck("T CSECT\n EXTRN A,B\n DC V(A),V(B)\n END\n"))
    esd = _card_index(bytes(cards), "ESD")
    # The ESD card gives T, A and B the IDs 1, 2 and 3. A copy of it whose first ID is 2
    # gives them 2, 3 and 4: ID 2 then names two items.
    second = bytearray(cards[esd : esd + 80])
    second[14:16] = (2).to_bytes(2, "big")
    storage = bytearray(b"\x22" * 0x40)
    with pytest.raises(ObjectDeckError, match="ESD ID 2 is given to two items"):
        load([bytes(cards[: esd + 80]) + bytes(second) + bytes(cards[esd + 80 :])], storage, 0)
    assert storage == bytearray(b"\x22" * 0x40)


def test_an_entry_in_no_section_is_refused():
    cards = bytearray(deck("T CSECT\n ENTRY E\nE DC F'1'\n END\n"))
    esd = _card_index(bytes(cards), "ESD")  # one card: the SD item T, then the LD item E
    items = cards[esd + 16 : esd + 16 + int.from_bytes(cards[esd + 10 : esd + 12], "big")]
    ld = next(offset for offset in range(0, len(items), 16) if items[offset + 8] == 0x01)
    cards[esd + 16 + ld + 13 : esd + 16 + ld + 16] = (5).to_bytes(3, "big")
    storage = bytearray(0x40)
    with pytest.raises(ObjectDeckError, match="entry E names ESD ID 5, which is not a section"):
        load([bytes(cards)], storage, 0)
    assert storage == bytearray(0x40)

"""The assembler at its limits: 16 MB of addresses, decks of many cards, long
statements, loops, floods of diagnostics, and what counts as a line."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler import assemble
from assembler.loader import load

LOCATION_COUNTER_OVERFLOW = "location counter would pass X'FFFFFF'"


def messages_at(result) -> list[tuple[int, int, str]]:
    return [(d.line, d.severity, d.message) for d in result.diagnostics]


def assert_no_internal_error(result) -> None:
    assert not any("internal" in d.message for d in result.diagnostics), messages_at(result)
    assert len(result.object_deck) % 80 == 0


@pytest.mark.parametrize(
    ("source", "line"),
    [
        # A section of exactly 16 MB: its length does not fit the ESD item's 3 bytes.
        ("BIG      CSECT\n         DS    16777216X\n         END\n", 2),
        ("C        COM\n         DS    16777216X\n         END\n", 2),
        # The last byte at X'FFFFFF' leaves the location counter at 2**24.
        ("P        START X'FFFFF8'\n         DC    8X'00'\n         END\n", 2),
        ("P        CSECT\n         DC    F'1'\n         ORG   *+X'FFFFFF'\n         END\n", 3),
        ("P        CSECT\n         DS    16777213X\n         CNOP  0,8\n         END\n", 3),
    ],
)
def test_a_section_reaching_16_megabytes_is_a_diagnostic_at_its_line(source, line):
    result = assemble(source)
    assert_no_internal_error(result)
    assert result.return_code == 12
    found = [m for m in messages_at(result) if LOCATION_COUNTER_OVERFLOW in m[2]]
    assert [(found_line, severity) for found_line, severity, _ in found] == [(line, 12)]


def test_start_rounded_past_x_ffffff_is_reported_at_start():
    # GC28-6514: START's value is rounded up to a doubleword, here to 2**24.
    result = assemble("P        START X'FFFFFF'\n         DC    X'00'\n         END\n")
    assert_no_internal_error(result)
    assert result.return_code == 12
    lines = [line for line, _, message in messages_at(result) if "X'FFFFFF'" in message]
    assert lines == [1]
    loaded = load([result.object_deck], bytearray(0x100), 0x10)
    assert loaded.sections  # the rest of the section assembled from origin 0


def test_a_literal_pool_that_cannot_be_placed_leaves_the_section_inside_16_megabytes():
    source = "A        CSECT\n         DS    16777208X\n         L     1,=F'1'\n         END\n"
    result = assemble(source)
    assert_no_internal_error(result)
    assert result.return_code == 12
    assert any("literal =F'1' would pass X'FFFFFF'" in m for _, _, m in messages_at(result))
    section = result.assembly.symbols.sections[0]
    assert section.length <= 0xFFFFFF


def test_a_section_placed_after_others_past_16_megabytes_is_reported_at_its_csect():
    source = (
        "A        CSECT\n         DS    16777200X\nB        CSECT\n         DC    64X'00'\n"
        "         END\n"
    )
    result = assemble(source)
    assert_no_internal_error(result)
    assert result.return_code == 12
    found = [(line, m) for line, _, m in messages_at(result) if "section B" in m]
    assert [line for line, _ in found] == [3], messages_at(result)
    for section in result.assembly.symbols.sections:
        assert section.origin + section.length <= 0xFFFFFF


def test_the_largest_section_still_assembles_and_loads():
    # 16 MB less one byte: the location counter ends at X'FFFFFF'.
    result = assemble("BIG CSECT\n DS 16777214X\n DC X'AB'\n END\n")
    assert result.return_code == 0, messages_at(result)
    storage = bytearray(0x1000000)
    load([result.object_deck], storage, 0)
    assert storage[0xFFFFFE] == 0xAB


def test_a_deck_of_more_than_9999_cards_keeps_every_card_80_columns_and_loads():
    # 10,000 TXT cards of 56 bytes, between an ESD card and the END card.
    count = 10_000 * 56
    result = assemble(f"BIG CSECT\n DC {count}X'5A'\n END\n", deck_name="PROG")
    assert result.return_code == 0, messages_at(result)
    deck = result.object_deck
    assert len(deck) == 10_002 * 80
    cards = result.cards
    assert all(card[:1] == b"\x02" for card in cards)
    columns = [card[72:80].decode("cp037") for card in cards]
    assert columns[0] == "PROG0001"
    assert columns[9998] == "PROG9999"
    assert columns[9999] == "PRO10000"
    assert columns[10_001] == "PRO10002"
    assert cards[-1][1:4].decode("cp037") == "END"
    storage = bytearray(count + 0x100)
    load([deck], storage, 0x10)
    assert storage[0x10 : 0x10 + count] == b"\x5a" * count
    assert storage[0x10 + count] == 0


def test_sequence_numbers_shorten_the_deck_id_and_rise_to_eight_digits():
    from assembler.objdeck import identification

    deck_id = "ABCD".encode("cp037")
    assert identification(deck_id, 1).decode("cp037") == "ABCD0001"
    assert identification(deck_id, 123_456).decode("cp037") == "AB123456"
    assert identification(deck_id, 99_999_999).decode("cp037") == "99999999"
    assert identification("AB  ".encode("cp037"), 10_000).decode("cp037") == "AB 10000"


# Characters str.splitlines() would take as line ends; on a card they are characters.
NOT_LINE_ENDS = ["\f", "\v", "\r", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("character", NOT_LINE_ENDS)
def test_only_lf_ends_a_line_so_diagnostics_keep_their_line_numbers(character):
    source = (
        "P        CSECT\n"
        f"* a comment with {character} inside\n"
        f"         DC    C'A{character}B'\n"
        "         L     1,NOWHERE\n"
        "         END\n"
    )
    result = assemble(source)
    undefined = [d for d in result.diagnostics if "NOWHERE" in d.message]
    assert [(d.line, d.statement) for d in undefined] == [(4, 4)], messages_at(result)
    assert len(result.assembly.statements) == 5


def test_crlf_ends_a_line_and_a_lone_cr_does_not():
    result = assemble("P CSECT\r\n DC C'A\rB'\r\n L 1,NOWHERE\r\n END\r\n")
    constant = result.assembly.statements[1].object_code
    assert constant == "A\rB".encode("cp037")
    assert [d.line for d in result.diagnostics if "NOWHERE" in d.message] == [3]


def test_a_form_feed_in_a_macro_library_file_is_no_line_end(tmp_path):
    (tmp_path / "TWO.mac").write_bytes(
        b"         MACRO\n         TWO\n* page\x0cbreak\n         DC    H'2'\n         MEND\n"
    )
    result = assemble("P CSECT\n TWO\n END\n", maclib=[tmp_path])
    assert result.return_code == 0, messages_at(result)
    assert [bytes(record.data) for record in result.assembly.text_records] == [b"\x00\x02"]


def _asm_with_file_size_limit(arguments: list[str], limit: int, killed: bool):
    """``vm370 asm`` in a process whose files cannot grow past ``limit`` bytes: writes
    fail as on a full disk (EFBIG), or with ``killed`` the kernel kills it (SIGXFSZ)."""
    import resource
    import subprocess
    import sys
    from pathlib import Path

    action = "signal.SIG_DFL" if killed else "signal.SIG_IGN"
    script = (
        f"import signal, sys\nsignal.signal(signal.SIGXFSZ, {action})\n"
        "from vm370.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", script, "asm", *arguments],
        cwd=Path(__file__).resolve().parents[2],
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("killed", [False, True], ids=["disk full", "killed"])
def test_a_failed_write_keeps_the_previous_deck_and_listing(tmp_path, killed):
    source = tmp_path / "prog.asm"
    source.write_text("P        CSECT\n         DC    2000F'7'\n         END\n")
    deck, listing = tmp_path / "prog.obj", tmp_path / "prog.lst"
    deck.write_bytes(b"\x02" + bytes(79))
    listing.write_text("the good listing\n")
    arguments = [str(source), "-o", str(deck), "--listing", str(listing)]
    done = _asm_with_file_size_limit(arguments, 4000, killed)
    if killed:
        assert done.returncode < 0  # ended by the signal, nothing cleaned up
    else:
        assert done.returncode == 16
        expected = f"vm370 asm: cannot write {deck}: File too large"
        assert done.stderr.strip().splitlines() == [expected]
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert deck.read_bytes() == b"\x02" + bytes(79)
    assert listing.read_text() == "the good listing\n"


def continued_constant(cards: int) -> str:
    """One DC statement on ``cards`` cards, each operand ending in a comma and blanks."""
    lines = ["X        DC    F'1',".ljust(71) + "X"]
    lines += [(" " * 15 + f"F'{i % 10}',").ljust(71) + "X" for i in range(cards - 2)]
    lines.append(" " * 15 + "F'9'")
    return "\n".join(lines) + "\n"


def test_memory_for_continuation_cards_grows_with_the_statement_not_its_square():
    import tracemalloc

    from assembler.cards import read_source, split_fields

    source = continued_constant(1000)
    split_fields.cache_clear()
    tracemalloc.start()
    try:
        (statement,), _ = read_source(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert statement.text.endswith("F'7',F'9'") and len(statement.cards) == 1000
    # The cards themselves take about six times the source's length; joining the text
    # card by card (and keeping every partial text) took over seventy times it.
    assert peak < 16 * len(source), (peak, len(source))


def test_a_statement_of_8000_continuation_cards_assembles():
    result = assemble(f"P CSECT\n{continued_constant(8000)} END\n")
    assert result.return_code == 0, messages_at(result)
    data = result.assembly.statements[1].object_code
    assert len(data) == 8000 * 4 and data[-8:] == bytes.fromhex("0000000700000009")


_FIELD_TEXT = st.text(alphabet=" ',LTX(=&AB*C", max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FIELD_TEXT, min_size=1, max_size=6))
def test_the_card_by_card_operand_scan_agrees_with_split_fields(pieces):
    from assembler.cards import _OperandFieldScan, split_fields

    scan = _OperandFieldScan()
    text = ""
    for piece in pieces:
        scan.feed(piece)
        text += piece
        fields = split_fields(text)
        end = fields.operands_offset + len(fields.operands)
        if scan.operands_end >= 0:
            assert fields.operands and scan.operands_end == end < len(text)
            assert scan.remarks_follow == bool(text[end:].strip())
        else:
            assert end == len(text)


# Caps on what loops and recursive macros can make (the real caps are 200,000
# statements and 10,000 diagnostics; smaller ones here keep the tests quick).
STATEMENT_CAP = 3000
DIAGNOSTIC_CAP = 500


@pytest.fixture
def small_caps(monkeypatch):
    import assembler.assembly
    import assembler.macros

    monkeypatch.setattr(assembler.macros, "MAX_STATEMENTS", STATEMENT_CAP)
    monkeypatch.setattr(assembler.assembly, "MAX_DIAGNOSTICS", DIAGNOSTIC_CAP)


def cap_messages(result) -> list[str]:
    cap = f"more than {STATEMENT_CAP} statements"
    return [d.message for d in result.diagnostics if cap in d.message]


def test_an_endless_loop_in_open_code_stops_at_the_statement_cap(small_caps):
    source = "         ACTR  2147483647\n.B       ANOP\n         AGO   .B\n         END\n"
    result = assemble(source)
    assert result.return_code == 16
    assert len(cap_messages(result)) == 1, messages_at(result)
    # The statements after the loop are still assembled.
    assert result.assembly.statements[-1].operation == "END"
    assert len(result.assembly.statements) <= STATEMENT_CAP + 10


def test_an_endless_loop_in_a_macro_that_generates_nothing_stops_at_the_cap(small_caps):
    source = (
        "         MACRO\n         SPIN\n         ACTR  2147483647\n&I       SETA  0\n"
        ".A       ANOP\n&I       SETA  &I+1\n         AGO   .A\n         MEND\n"
        "P        CSECT\n         SPIN\n         DC    F'1'\n         END\n"
    )
    result = assemble(source)
    assert result.return_code == 16
    assert len(cap_messages(result)) == 1, messages_at(result)
    assert result.assembly.statements[-2].object_code == b"\x00\x00\x00\x01"


DEEP_NOISY_LOOP = (
    "         MACRO\n"
    "         R     &N\n"
    "         ACTR  2147483647\n"
    "         AIF   (&N GE 99).LOOP\n"
    "&M       SETA  &N+1\n"
    "         R     &M\n"
    ".LOOP    MNOTE 8,'still looping'\n"
    "         AGO   .LOOP\n"
    "         MEND\n"
    "         R     0\n"
    "         R     0\n"
    "         END\n"
)


def test_a_recursive_macro_looping_with_diagnostics_stops_at_every_cap(small_caps):
    result = assemble(DEEP_NOISY_LOOP)
    assert result.return_code == 16
    messages = [d.message for d in result.diagnostics]
    assert len(cap_messages(result)) == 1
    assert len(result.assembly.statements) <= STATEMENT_CAP + 20
    # The diagnostic cap, the critical one that says why expansion stopped, and one
    # more that says how many were left out, as severe as the worst of them.
    assert len(messages) == DIAGNOSTIC_CAP + 2
    assert re.fullmatch(r"\d+ more diagnostics not shown", messages[-1])
    assert result.diagnostics[-1].severity == 8
    # A call chain 100 deep is named by its ends in a message of bounded length.
    chained = [m for m in messages if m.startswith("MNOTE: still looping")]
    assert chained and max(len(m) for m in chained) < 300
    assert "R called at line 10)" in chained[0] and "96 more calls" in chained[0]


def test_a_call_chain_shows_its_innermost_and_outermost_calls():
    from assembler.macros import describe_calls

    stack = tuple(f"M{depth} called at line {depth}" for depth in range(1, 8))
    assert describe_calls("E", stack[:2]) == "E (in M2 called at line 2; in M1 called at line 1)"
    assert describe_calls("E", stack) == (
        "E (in M7 called at line 7; in M6 called at line 6; in M5 called at line 5; "
        "... 3 more calls ...; in M1 called at line 1)"
    )


def test_vm370_asm_reports_a_16_megabyte_section_at_its_line(tmp_path, capsys):
    from vm370.cli import main

    source = tmp_path / "big.asm"
    source.write_text("BIG      CSECT\n         DS    16777216X\n         END\n")
    deck = tmp_path / "big.obj"
    assert main(["asm", str(source), "-o", str(deck)]) == 12
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{source}:2: statement 2: severity 12: {LOCATION_COUNTER_OVERFLOW} (16777216 bytes)"
    ]
    assert len(deck.read_bytes()) % 80 == 0


def joined_the_plain_way(first: str, parts: list[str]) -> str:
    """The rule for joining continuation cards, written out directly: before each
    card, an operand field that ends in a comma is cut there (the alternate
    format: remarks after the comma are dropped)."""
    from assembler.cards import split_fields

    text = first
    for part in parts:
        fields = split_fields(text)
        end = fields.operands_offset + len(fields.operands)
        ends_in_comma = fields.operands.endswith(",")
        if ends_in_comma and end < len(text):
            text = text[:end]
        text += part
    return text.rstrip()


_CARD_TEXT = st.text(alphabet=" ',LCX(=", max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CARD_TEXT, min_size=2, max_size=6))
def test_continuation_cards_join_as_the_plain_rule_says(texts):
    from assembler.cards import read_source

    first = ("P DC " + texts[0]).ljust(71)[:71]
    parts = [text.ljust(56)[:56] for text in texts[1:]]
    cards = [first + "X"]
    cards += [
        " " * 15 + part + ("X" if n < len(parts) - 1 else " ") for n, part in enumerate(parts)
    ]
    (statement,), _ = read_source("\n".join(cards) + "\n")
    assert statement.text == joined_the_plain_way(first, parts)
    # Every character of the text is on the card and column its position says.
    for offset, char in enumerate(statement.text):
        line, column = statement.card_position(offset)
        assert cards[line - 1][column - 1] == char

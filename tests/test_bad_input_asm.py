"""Bad input to ``vm370 asm`` and ``assemble()``: a clear error, and no file is lost."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler import assemble
from vm370.cli import main

SOURCE = (
    "P        CSECT\n         BALR  12,0\n         USING *,12\n         L     1,=F'1'\n"
    "         SVC   255\n         END\n"
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "prog.asm"
    path.write_text(SOURCE)
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.mark.parametrize("option", ["-o", "--listing"])
def test_output_naming_the_source_is_refused_and_the_source_kept(source, capsys, option):
    assert main(["asm", str(source), option, str(source)]) == 16
    assert "is the source file; nothing was written" in one_error_line(capsys)
    assert source.read_text() == SOURCE


def test_output_reaching_the_source_through_a_link_is_refused(source, tmp_path, capsys):
    symbolic = tmp_path / "symbolic.obj"
    symbolic.symlink_to(source)
    hard = tmp_path / "hard.obj"
    os.link(source, hard)
    assert main(["asm", str(source), "-o", str(symbolic)]) == 16
    assert main(["asm", str(source), "--listing", str(hard)]) == 16
    assert source.read_text() == SOURCE


def test_deck_and_listing_in_one_file_is_refused_and_the_file_kept(source, tmp_path, capsys):
    both = tmp_path / "both.out"
    both.write_bytes(b"an earlier deck")
    assert main(["asm", str(source), "-o", str(both), "--listing", str(both)]) == 16
    assert "-o and --listing name the same file" in one_error_line(capsys)
    assert both.read_bytes() == b"an earlier deck"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_names_the_file_it_could_not_write(source, capsys):
    assert main(["asm", str(source), "-o", "/dev/full"]) == 16
    assert one_error_line(capsys) == "vm370 asm: cannot write /dev/full: No space left on device"
    assert source.read_text() == SOURCE


def test_a_literal_larger_than_storage_is_a_serious_error_not_a_crash():
    result = assemble(" USING *,12\n L 1,=99999999F'1'\n END\n")
    assert result.return_code == 12
    assert any("literal =99999999F'1' is 399999996 bytes" in d.message for d in result.diagnostics)
    assert len(result.object_deck) % 80 == 0


def test_a_literal_pool_passing_16m_leaves_the_last_literal_out():
    # Two literals of 12 MB: the first fits below X'FFFFFF', the second cannot.
    result = assemble(" USING *,12\n L 1,=3000000F'1'\n L 1,=3000000F'2'\n END\n")
    assert result.return_code == 12
    messages = [d.message for d in result.diagnostics]
    assert any("literal =3000000F'2' would pass X'FFFFFF'" in m for m in messages), messages
    assert not any("=3000000F'1' would pass" in m for m in messages)


@pytest.mark.parametrize("term", ["X'   USING'", "X'GG'", "B'102'"])
def test_a_malformed_self_defining_term_in_conditional_assembly_is_diagnosed(term):
    result = assemble(f"&A       SETA  {term}\n         ACTR  {term}\n         END\n")
    messages = [d.message for d in result.diagnostics]
    assert messages.count(f"{term} is not a valid self-defining term") == 2, messages
    assert result.return_code == 12


def test_cli_on_crashing_source_reports_and_keeps_the_source(tmp_path, capsys):
    text = "         ACTR  X'   USING'\n         L     1,=99999999F'1'\n         END\n"
    path = tmp_path / "bad.asm"
    path.write_text(text)
    deck = tmp_path / "bad.obj"
    assert main(["asm", str(path), "-o", str(deck)]) == 12
    err = capsys.readouterr().err
    assert "internal" not in err and "Traceback" not in err
    assert path.read_text() == text


# fmt: off
_PIECES = st.sampled_from([
    "(", ")", "'", ",", "=", "*", "&", "+", "-", "L'", "X'", "C'", "=F'1'", "A(", "99999999",
    "X'FFFFFFFF'", "A", "1", "&A", " DC ", " DS ", " ORG ", " LTORG", " USING ", " EQU ",
    " ACTR ", " SETA ", " AIF ", "\n", " ", "MACRO\n", "MEND\n", "€", "\nP€ CSECT",
])
# fmt: on


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=8))
def test_assemble_never_raises_for_random_source(lines):
    result = assemble("P CSECT\n" + "\n".join(" " + line for line in lines) + "\n END\n")
    assert result.return_code in (0, 4, 8, 12, 16)
    assert not any("internal assembler error" in d.message for d in result.diagnostics)
    assert len(result.object_deck) % 80 == 0


def test_a_macro_calling_itself_twice_ends_with_one_diagnostic_each():
    # Each expansion calls REC twice: 2**100 expansions under the depth limit alone.
    source = "         MACRO\n         REC\n         REC\n         REC\n         MEND\n"
    result = assemble(source + "         REC\n         END\n")
    messages = [d.message for d in result.diagnostics]
    assert result.return_code == 16
    assert sum("nested more than 100 deep" in m for m in messages) == 1
    assert sum("more than 200000 statements in one assembly" in m for m in messages) == 1
    assert len(result.assembly.statements) < 200_200


def _deck(tmp_path: Path) -> bytes:
    deck = assemble(SOURCE).object_deck
    assert len(deck) >= 160 and deck[-80:][1:4] == "END".encode("cp037")
    return deck


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda deck: b"", "object deck has no cards"),
        (lambda deck: deck[:-80], "object deck has no END card (truncated?)"),
        (lambda deck: deck + deck, "card after the END card (two decks in one file?"),
    ],
)
def test_a_cut_or_doubled_deck_is_refused_and_storage_and_file_kept(tmp_path, capsys, cut, message):
    from assembler.loader import ObjectDeckError, load

    data = cut(_deck(tmp_path))
    storage = bytearray(64 * 1024)
    with pytest.raises(ObjectDeckError, match=re.escape(message)):
        load([(data, 0x2000)], storage)
    assert storage == bytearray(64 * 1024)
    path = tmp_path / "prog.obj"
    path.write_bytes(data)
    assert main(["bare", "--load-deck", f"{path}@2000", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert path.read_bytes() == data


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_source_is_refused_before_it_fills_memory(capsys):
    assert main(["asm", "/dev/zero"]) == 16
    assert "larger than 64 MB, not a source file" in one_error_line(capsys)


def test_a_library_file_that_is_not_utf8_is_named_not_silently_skipped(tmp_path, capsys):
    library = tmp_path / "maclib"
    library.mkdir()
    latin1 = "* café\n         MACRO\n         FOO\n         DC    F'1'\n         MEND\n"
    (library / "mine.macro").write_bytes(latin1.encode("latin-1"))
    source = tmp_path / "usefoo.asm"
    source.write_text("P        CSECT\n         FOO\n         END\n")
    assert main(["asm", str(source), "--maclib", str(library)]) == 8
    err = capsys.readouterr().err
    assert "macro library file" in err and "mine.macro cannot be read and was skipped" in err
    assert (library / "mine.macro").read_bytes() == latin1.encode("latin-1")


@pytest.mark.parametrize("operation", ["CSECT", "START"])
def test_a_section_name_with_a_character_ebcdic_lacks_is_an_error_not_a_crash(operation):
    result = assemble(f"P€       {operation}\n         DC    F'1'\n         END\n")
    assert result.return_code == 8
    assert any("is not a valid symbol" in d.message for d in result.diagnostics)
    assert len(result.object_deck) % 80 == 0


def test_a_byte_order_mark_from_a_windows_editor_is_ignored(tmp_path, capsys):
    path = tmp_path / "bom.asm"
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.encode())
    assert main(["asm", str(path)]) == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + SOURCE.encode()


@pytest.mark.parametrize(
    ("operand", "message"),
    [
        ("F'1E99999999'", "exponent of 1E99999999 is out of range for any constant"),
        ("E'1E-99999999'", "exponent of 1E-99999999 is out of range for any constant"),
        ("=F'1.5E999999999999'", "exponent of 1.5E999999999999 is out of range"),
        ("FE-99999'1'", "exponent modifier must be -85 to 75"),
        ("DS15'1'", "scale modifier of a D-type constant must be 0 to 14"),
        ("HS-188'1'", "scale modifier of a H-type constant must be -187 to 346"),
    ],
)
def test_a_huge_exponent_or_scale_is_an_error_not_an_endless_computation(operand, message):
    operation = "L     1," if operand.startswith("=") else "DC    "
    result = assemble(f"         USING *,12\n         {operation}{operand}\n         END\n")
    assert any(message in d.message for d in result.diagnostics), result.diagnostics
    assert result.return_code in (8, 12)


def test_modifiers_at_the_ends_of_their_ranges_still_assemble():
    result = assemble("         DC    F'1E-400',HS346'0',DE75'1',DS13'1',FE-85'1'\n         END\n")
    assert result.return_code == 0, [d.message for d in result.diagnostics]

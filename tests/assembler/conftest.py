"""Helpers for the assembler tests: assemble small sources and look at the result."""

from __future__ import annotations

import pytest

from assembler import assemble


def assembled(source: str, expect_rc: int = 0):
    """Assemble ``source`` (cards as lines, fields separated by blanks)."""
    result = assemble(source)
    messages = "\n".join(str(diagnostic) for diagnostic in result.diagnostics)
    assert result.return_code == expect_rc, messages
    return result


def statement_code(source: str, number: int) -> bytes:
    """The object code of statement ``number`` of a clean assembly."""
    result = assembled(source)
    return result.assembly.statements[number - 1].object_code


def text_image(result) -> dict[int, int]:
    """Every byte the TXT records put at an assembled address."""
    image: dict[int, int] = {}
    for record in result.assembly.text_records:
        for offset, byte in enumerate(record.data):
            image[record.address + offset] = byte
    return image


class AssemblerHelpers:
    """What the ``asm`` fixture offers the tests."""

    assembled = staticmethod(assembled)
    statement_code = staticmethod(statement_code)
    text_image = staticmethod(text_image)


@pytest.fixture
def asm() -> AssemblerHelpers:
    return AssemblerHelpers()

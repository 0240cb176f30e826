"""The handler registry (vm370/hardware/instructions/__init__.py)."""

import types

import pytest

from vm370.hardware import instructions, isa
from vm370.hardware.instructions import build_dispatch, find_handlers

MY_FAMILIES = ("fixed", "logical", "branch", "control")


def test_every_cpu_family_handler_is_documented_as_its_table_row():
    handlers = find_handlers()
    for row in isa.INSTRUCTIONS:
        handler = handlers.get(row.handler)
        if handler is None or handler.__module__.rsplit(".", 1)[1] not in MY_FAMILIES:
            continue
        doc = (handler.__doc__ or "").strip()
        assert doc.startswith(f"{row.opcode:02X} {row.mnemonic} "), row.handler
        assert doc.endswith(f"[{row.format}]"), row.handler


def test_the_cpu_families_cover_every_non_decimal_non_floating_instruction():
    handlers = find_handlers()
    expected_absent = {"WRD", "RDD", "LRA", "LMC", "STMC"}
    for row in isa.INSTRUCTIONS:
        if row.feature != "standard" or row.mnemonic in expected_absent:
            continue
        if row.mnemonic in {"MVO", "PACK", "UNPK", "CVB", "CVD"}:
            continue
        assert row.handler in handlers, row.mnemonic
        assert handlers[row.handler].__module__.rsplit(".", 1)[1] in MY_FAMILIES


def test_dispatch_has_256_entries_with_format_and_privilege_from_the_table():
    table = build_dispatch()
    assert len(table) == 256
    assert table[0x82][1:] == ("SI", True)
    assert table[0x1A][1:] == ("RR", False)
    assert table[0x00][0] is None


def test_a_keyword_named_handler_is_found_with_a_trailing_underscore():
    handlers = find_handlers()
    assert handlers["and"].__name__ == "and_" and handlers["or"].__name__ == "or_"


def test_a_family_that_fails_to_import_is_reported_not_fatal(monkeypatch):
    def fake_iter_modules(path):
        return [types.SimpleNamespace(name="fixed"), types.SimpleNamespace(name="zz_broken")]

    real_import = instructions.importlib.import_module

    def fake_import(name):
        if name.endswith("zz_broken"):
            raise SyntaxError("half-written family")
        return real_import(name)

    monkeypatch.setattr(instructions.pkgutil, "iter_modules", fake_iter_modules)
    monkeypatch.setattr(instructions.importlib, "import_module", fake_import)
    monkeypatch.setattr(instructions, "broken_families", {})
    with pytest.warns(UserWarning, match="zz_broken"):
        handlers = find_handlers()
    assert "add_register" in handlers
    assert "vm370.hardware.instructions.zz_broken" in instructions.broken_families

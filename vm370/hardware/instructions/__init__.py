"""Instruction handlers, one module per family, found by the names in the ISA table.

Each family module defines plain functions named as the ``handler`` column
of ``vm370.hardware.isa`` says, each with a docstring
``<OP> <MNEMONIC> <Name> [<FMT>]``. ``build_dispatch`` scans every
module of this package for them; an opcode whose handler no module defines
yet is an operation exception when executed.

Handler signatures, by format (decoded fields, never raw bytes):

    RR  handler(cpu, r1, r2)          BCR's M1, SPM's R1 and SVC's I (as r1 = I >> 4,
                                      r2 = I & 15) arrive the same way
    RX  handler(cpu, r1, x2, b2, d2)
    RS  handler(cpu, r1, r3, b2, d2)
    SI  handler(cpu, i2, b1, d1)
    SS  handler(cpu, l, b1, d1, b2, d2)  ``l`` is the whole length byte

When a handler runs, ``cpu.ia`` already addresses the next instruction and
``cpu.ilc`` holds this instruction's length code.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable

from vm370.hardware import isa

# Modules whose import failed, with the error: their opcodes stay
# operation exceptions, and the warning says why.
broken_families: dict[str, str] = {}


def find_handlers() -> dict[str, Callable]:
    """Every handler the family modules define, by handler name."""
    wanted = {row.handler for row in isa.INSTRUCTIONS}
    handlers: dict[str, Callable] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        name = f"{__name__}.{info.name}"
        try:
            module = importlib.import_module(name)
        except Exception as error:  # one family's bug must not stop the machine
            broken_families[name] = f"{type(error).__name__}: {error}"
            warnings.warn(f"instruction family {name} failed to import: {error}", stacklevel=2)
            continue
        for handler_name in wanted:
            # A name that is a Python keyword (``and``, ``or``) is spelled
            # with a trailing underscore, as PEP 8 suggests.
            handler = getattr(module, handler_name, None) or getattr(
                module, handler_name + "_", None
            )
            if callable(handler) and getattr(handler, "__module__", None) == name:
                if handler_name in handlers:
                    raise ImportError(f"handler {handler_name} is defined in two families")
                handlers[handler_name] = handler
    return handlers


_dispatch: list[tuple[Callable | None, str, bool]] | None = None


def build_dispatch() -> list[tuple[Callable | None, str, bool]]:
    """The 256-entry table: (handler or None, format, privileged) by opcode."""
    global _dispatch
    if _dispatch is None:
        handlers = find_handlers()
        table: list[tuple[Callable | None, str, bool]] = [(None, "RR", False)] * 256
        for opcode in range(256):
            row = isa.BY_OPCODE[opcode]
            if row is None:
                table[opcode] = (None, ("RR", "RX", "RS", "SS")[opcode >> 6], False)
                continue
            handler = handlers.get(row.handler)
            # The direct-control instructions are not installed: an operation
            # exception in either state. A Model 67 instruction still to be
            # written keeps its privileged check, so a problem-state program
            # (a guest under CP) sees the privileged-operation exception the
            # real machine would give.
            privileged = row.privileged and (handler is not None or row.model67_only)
            table[opcode] = (handler, row.format, privileged)
        _dispatch = table
    return _dispatch

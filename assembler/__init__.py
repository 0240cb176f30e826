"""The System/360 assembler (layer 2): Assembler F language, listings, object decks.

``assemble(source_text)`` runs the whole pipeline (read cards, parse,
assign locations, generate, listing and deck) and returns an
``AssemblyResult`` with ``object_deck``, ``listing``, ``diagnostics`` and
``return_code``. ``assembler.loader`` loads object decks into storage.
"""

from assembler.assembly import AssemblyResult, assemble
from assembler.diagnostics import Diagnostic

__all__ = ["AssemblyResult", "Diagnostic", "assemble"]

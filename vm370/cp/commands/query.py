"""QUERY: one command, many operands, each declared by the family it belongs to.

``QUERY READER`` is declared by the spool commands (spool.py), ``QUERY
TIME`` by whoever owns time, with ``@query_operand`` (commands/__init__.py):
the operand's minimum abbreviation and classes work as a command's do.
An operand this user's classes may not use is unknown to them, as VM/370's
DMKCFM answered.
"""

from __future__ import annotations

from vm370.cp.commands import QUERY_OPERANDS, CommandContext, CommandError, allowed, command

QUERY_HELP = """QUERY operand ...
  Ask CP about the system, your virtual machine and your spool files:
  QUERY READER|PUNCH|PRINTER [ALL|spoolid], QUERY FILES, ..."""


def find_operand(word: str):
    """The QUERY operand a word names, by its full name or an abbreviation."""
    for declared in QUERY_OPERANDS.values():
        if declared.matches(word):
            return declared
    return None


@command("QUERY", 1, "", QUERY_HELP)
def query(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        raise CommandError("DMKCFM026E OPERAND MISSING OR INVALID", 26)
    declared = find_operand(operands[0])
    if declared is None or not allowed(declared, context.classes):
        raise CommandError(f"DMKCFM003E INVALID OPTION - {operands[0].upper()}", 3)
    declared.handler(context, operands[1:])

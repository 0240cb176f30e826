"""HELP: a command's help text, or the commands the user's classes may use.

``HELP cmd`` gives what ``cmd ?`` gives (commands/__init__.py); a command
of a class the user does not have is unknown to them (DMKCFM001E), as
execute answers it. HELP alone lists the commands the user may issue.
"""

from __future__ import annotations

from vm370.cp.commands import (
    UNKNOWN_COMMAND,
    CommandContext,
    CommandError,
    allowed,
    command,
    find,
    load_commands,
)

HELP_HELP = """HELP [command]: a command's format and what it does;
  without a command, the commands you may use.  Format: HELP [command]"""
NAMES_PER_LINE = 8


@command("HELP", 4, "", HELP_HELP)
def help_command(context: CommandContext, operands: list[str]) -> None:
    if len(operands) > 1:
        raise CommandError(f"DMKCFC003E INVALID OPTION - {operands[1].upper()}", 3)
    if operands:
        declared = find(operands[0])
        if declared is None or not allowed(declared, context.classes):
            raise CommandError(UNKNOWN_COMMAND, 1)
        for line in declared.help.splitlines():
            context.respond(line)
        return
    names = sorted(
        name for name, declared in load_commands().items() if allowed(declared, context.classes)
    )
    for start in range(0, len(names), NAMES_PER_LINE):
        context.respond(
            " ".join(f"{name:<8}" for name in names[start : start + NAMES_PER_LINE]).rstrip()
        )

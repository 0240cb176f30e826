"""SET: what a user receives and how their console behaves (DMKCFS, DMKCFO).

SET's operands are declared like QUERY's, with ``@set_operand``: their
minimum abbreviation and classes are DMKCFC's SETLIST entries (RUN 3, MSG
3, WNG 3, EMSG 4, IMSG 4, PF 2, class G; LOGMSG 3, class B). An operand of
another class is an invalid option (DMKCFC003E), as in VM/370.

The settings live in the user's ``UserSettings`` (usersettings.py), which
the console manager consults for every line it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.cp.commands import Command, CommandContext, CommandError, Handler, allowed, command
from vm370.cp.ipl import system_reset
from vm370.cp.usersettings import EMSG_MODES, PF_KEYS, FunctionKeySetting

SET_HELP = """SET operand ...
  SET MSG ON|OFF, WNG ON|OFF, EMSG ON|OFF|CODE|TEXT, IMSG ON|OFF, RUN ON|OFF,
  SET PFnn [IMMED|DELAYED] [text]: what a program function key types,
  SET ECMODE ON|OFF: the 360/67's extended control (the machine is reset),
  SET LOGMSG (class B): the message of the day"""

MISSING = "DMKCFS026E OPERAND MISSING OR INVALID"
SET_OPERANDS: dict[str, Command] = {}


def set_operand(name: str, minimum: int, classes: str, help: str) -> Callable[[Handler], Handler]:
    """Declare an operand of SET: its handler gets the words after it."""

    def declare(handler: Handler) -> Handler:
        if name in SET_OPERANDS:
            raise ValueError(f"SET {name} is declared twice")
        SET_OPERANDS[name] = Command(name, minimum, classes, handler, help)
        return handler

    return declare


def _find(word: str, classes: str) -> Command | None:
    upper = word.upper()
    if upper.startswith("PF") and upper[2:].isdigit():
        upper = "PF"
    for declared in SET_OPERANDS.values():
        if declared.matches(upper) and allowed(declared, classes):
            return declared
    return None


@command("SET", 3, "ABFGH", SET_HELP)
def set_command(context: CommandContext, operands: list[str]) -> None:
    if not operands:
        raise CommandError("DMKCFC026E OPERAND MISSING OR INVALID", 26)
    declared = _find(operands[0], context.classes)
    if declared is None:
        raise CommandError(f"DMKCFC003E INVALID OPTION - {operands[0].upper()}", 3)
    if declared.name == "PF":
        declared.handler(context, operands)
    else:
        declared.handler(context, operands[1:])


def _settings(context: CommandContext):
    if context.session is None:
        raise CommandError(MISSING, 26)
    return context.session.settings


def _on_off(operands: list[str]) -> bool:
    if not operands:
        raise CommandError(MISSING, 26)
    word = operands[0].upper()
    if len(operands) > 1:
        raise CommandError(f"DMKCFS003E INVALID OPTION - {operands[1].upper()}", 3)
    if word not in ("ON", "OFF"):
        raise CommandError(f"DMKCFS003E INVALID OPTION - {word}", 3)
    return word == "ON"


@set_operand("MSG", 3, "G", "SET MSG ON|OFF: receive messages from other users or not")
def set_msg(context: CommandContext, operands: list[str]) -> None:
    _settings(context).msg = _on_off(operands)


@set_operand("WNG", 3, "G", "SET WNG ON|OFF: receive warnings from the operator or not")
def set_wng(context: CommandContext, operands: list[str]) -> None:
    _settings(context).wng = _on_off(operands)


@set_operand("IMSG", 4, "G", "SET IMSG ON|OFF: see CP's informational responses or not")
def set_imsg(context: CommandContext, operands: list[str]) -> None:
    _settings(context).imsg = _on_off(operands)


@set_operand("RUN", 3, "G", "SET RUN ON|OFF: after a command in CP mode, go on running")
def set_run(context: CommandContext, operands: list[str]) -> None:
    _settings(context).run = _on_off(operands)


@set_operand("EMSG", 4, "G", "SET EMSG ON|OFF|CODE|TEXT: how CP's error messages show")
def set_emsg(context: CommandContext, operands: list[str]) -> None:
    settings = _settings(context)
    if not operands:
        raise CommandError(MISSING, 26)
    word = operands[0].upper()
    if len(operands) > 1:
        raise CommandError(f"DMKCFS003E INVALID OPTION - {operands[1].upper()}", 3)
    if word not in EMSG_MODES:
        raise CommandError(f"DMKCFS003E INVALID OPTION - {word}", 3)
    settings.emsg = word


@set_operand("PF", 2, "G", "SET PFnn [IMMED|DELAYED] [text]: a program function key's line")
def set_pf(context: CommandContext, operands: list[str]) -> None:
    """DMKCFS: PFnn, then IMMED or DELAYED (any abbreviation; DELAYED if neither), then the line.

    No line makes the key undefined again. The line is the rest of the
    command as the user typed it.
    """
    settings = _settings(context)
    number_text = operands[0][2:]
    if not number_text.isdigit() or int(number_text) not in PF_KEYS:
        raise CommandError(MISSING, 26)
    number = int(number_text)
    words = operands[1:]
    immediate = False
    skipped = 2  # SET and PFnn
    if words:
        word = words[0].upper()
        if word and "IMMED".startswith(word) and len(word) >= 3:
            immediate, words, skipped = True, words[1:], 3
        elif word and "DELAYED".startswith(word) and len(word) >= 3:
            words, skipped = words[1:], 3
    text = context.text_after(skipped) if context.line else " ".join(words)
    if not text:
        settings.pf.pop(number, None)
        return
    settings.pf[number] = FunctionKeySetting(text, immediate)


@set_operand("ECMODE", 2, "G", "SET ECMODE ON|OFF: the 360/67's extended control; resets")
def set_ecmode(context: CommandContext, operands: list[str]) -> None:
    """DMKCFS: the machine is reset first, then has (or loses) the extended-control facilities.

    Without them LMC, STMC and LRA are invalid operation codes (privops.py),
    so the machine can select neither EC mode nor translation.
    """
    settings = _settings(context)
    on = _on_off(operands)
    user = context.session
    context.cp.users.enter_cp_mode(user)
    system_reset(context.cp, user.machine)
    user.machine.extended_control = on
    settings.ecmode = on
    settings.interrupted = False

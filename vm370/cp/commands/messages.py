"""MSG, WARNING and the message of the day (DMKMSG, DMKCFO's SET LOGMSG, DMKCQY's QUERY LOGMSG).

A message shows on the receiver's terminal as DMKMSG formats it for a
display: the time, then ``MSG FROM userid  : text`` (``WNG FROM`` for a
warning), the userid padded to eight. A receiver who has SET MSG OFF (WNG
OFF), or who is disconnected, does not get it and the sender is told
(DMKMSG057W); a userid not logged on is DMKMSG045E. ``*`` is the sender,
``OP`` or ``OPERATOR`` the system operator, ``ALL`` (classes A and B)
everyone logged on.

SET LOGMSG (class B) asks for lines with the prompt ``LOGMSG:`` until a
null line, as DMKCFO did; ``SET LOGMSG n`` replaces line n (a null line
deletes it), ``SET LOGMSG NULL`` deletes them all. LOGON shows the lines.
"""

from __future__ import annotations

from vm370.cp.commands import CommandContext, CommandError, command
from vm370.cp.commands.setcommand import set_operand

SYSTEM_OPERATOR = "OPERATOR"
OPERATOR_WORDS = ("OP", "OPE", "OPER", "OPERA", "OPERAT", "OPERATO", "OPERATOR")

MSG_HELP = """MSG userid|*|OP|ALL text: send a message to a logged-on user.
  The receiver sees it unless they have SET MSG OFF.  Format: Msg userid text"""
WARNING_HELP = """WARNING userid|OP|ALL text: send a warning (classes A and B).
  The receiver sees it unless they have SET WNG OFF.  Format: Warning userid text"""


def operator_userid(context: CommandContext) -> str:
    return getattr(context.cp, "operator_userid", SYSTEM_OPERATOR)


def _sender(context: CommandContext) -> str:
    return context.userid or operator_userid(context)


def deliver(context: CommandContext, words: list[str], warning: bool) -> None:
    if not words:
        raise CommandError("DMKMSG020E USERID MISSING OR INVALID", 20)
    target = words[0].upper()
    text = context.text_after(2) if context.line else " ".join(words[1:])
    manager = getattr(context.cp, "users", None)
    users = {} if manager is None else manager.users
    if target == "*":
        if context.session is None:
            raise CommandError("DMKMSG020E USERID MISSING OR INVALID", 20)
        receivers = [context.session]
    elif target in OPERATOR_WORDS:
        operator = users.get(operator_userid(context))
        if operator is None:
            raise CommandError(f"DMKMSG045E {operator_userid(context)} NOT LOGGED ON", 45)
        receivers = [operator]
    elif target == "ALL" and set(context.classes) & set("AB"):
        receivers = list(users.values())
    else:
        if len(target) > 8:
            raise CommandError("DMKMSG020E USERID MISSING OR INVALID", 20)
        receiver = users.get(target)
        if receiver is None:
            raise CommandError(f"DMKMSG045E {target} NOT LOGGED ON", 45)
        receivers = [receiver]
    time = context.cp.time_of_day().strftime("%H:%M:%S")
    kind = "WNG" if warning else "MSG"
    line = f"{time}  {kind} FROM {_sender(context):<8}: {text}"
    single = len(receivers) == 1
    for receiver in receivers:
        refusal = None
        if receiver.terminal is None:
            refusal = "DISCONNECTED"
        elif warning and not receiver.settings.wng:
            refusal = "WNG OFF"
        elif not warning and not receiver.settings.msg:
            refusal = "MSG OFF"
        if refusal is None:
            receiver.terminal.write_line(line)
        elif single:
            raise CommandError(f"DMKMSG057W {receiver.userid} NOT RECEIVING; {refusal}", 57)


@command("MSG", 1, "BG", MSG_HELP)
def msg(context: CommandContext, operands: list[str]) -> None:
    deliver(context, operands, warning=False)


@command("MESSAGE", 2, "BG", MSG_HELP)
def message(context: CommandContext, operands: list[str]) -> None:
    deliver(context, operands, warning=False)


@command("WARNING", 1, "AB", WARNING_HELP)
def warning(context: CommandContext, operands: list[str]) -> None:
    deliver(context, operands, warning=True)


@command("WNG", 1, "AB", WARNING_HELP)
def wng(context: CommandContext, operands: list[str]) -> None:
    deliver(context, operands, warning=True)


def _ask_lines(context: CommandContext, store: list[str]) -> None:
    """Prompt ``LOGMSG:`` and append each line until a null one."""

    def answered(line: str) -> None:
        if not line.strip():
            return
        store.append(line)
        context.ask("LOGMSG:", answered, False)

    context.ask("LOGMSG:", answered, False)


@set_operand("LOGMSG", 3, "B", "SET LOGMSG [n|NULL]: set the message of the day (class B)")
def set_logmsg(context: CommandContext, operands: list[str]) -> None:
    lines = context.cp.logmsg
    if len(operands) > 1:
        raise CommandError(f"DMKCFO003E INVALID OPTION - {operands[1].upper()}", 3)
    if operands and operands[0].upper() == "NULL":
        lines.clear()
        return
    if context.ask is None:
        raise CommandError("DMKCFO026E OPERAND MISSING OR INVALID", 26)
    if not operands:
        _ask_lines(context, lines)
        return
    word = operands[0]
    if not word.isdigit():
        raise CommandError("DMKCFO026E OPERAND MISSING OR INVALID", 26)
    number = int(word)
    if not 1 <= number <= len(lines):
        raise CommandError(f"DMKCFO041E LOGMSG {number} DOES NOT EXIST", 41)

    def replaced(line: str) -> None:
        if line.strip():
            lines[number - 1] = line
        else:
            del lines[number - 1]

    context.ask("LOGMSG:", replaced, False)

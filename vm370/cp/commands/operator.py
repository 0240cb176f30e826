"""The system operator's FORCE, SHUTDOWN and CHECKPOINT (class A: DMKUSO, DMKCPR).

FORCE logs a user off as DMKUSO did: the user's terminal gets the session
times and ``LOGOFF AT time ... BY SYSTEM``, the operator ``USER DSC LOGOFF
AS userid USERS = nnn  FORCED`` (after the user is gone, nnn counting those
left). SHUTDOWN forces every user off that way, writes DMKCKP961W SYSTEM
SHUTDOWN COMPLETE to CP's log and every display, and calls the
functions in ``cp.on_shutdown`` (whoever runs the machine stops it there).
CHECKPOINT, which VM/370 did not have, saves the running system to its data
folder (vm370/cp/checkpoint.py).
"""

from __future__ import annotations

from vm370.cp.commands import CommandContext, CommandError, command

FORCE_HELP = """FORCE userid: log a user off (class A).  Format: FORCE userid"""
SHUTDOWN_HELP = """SHUTDOWN: log every user off and stop the system (class A).
  Format: SHUTDOWN"""
SHUTDOWN_COMPLETE = "DMKCKP961W SYSTEM SHUTDOWN COMPLETE"
CHECKPOINT_HELP = """CHECKPOINT name: save the whole running system (class A).
  Format: CHECKPOINT name
  vm370 --data DIR --restore name resumes it from that instruction."""


def force_off(context: CommandContext, user) -> str:
    """Log ``user`` off by the system; the line for the operator."""
    from vm370.cp.commands.session import session_times
    from vm370.cp.terminals import stamp

    cp = context.cp
    terminal = user.terminal
    if terminal is not None:
        terminal.write_line(session_times(context, user))
        terminal.write_line(f"LOGOFF AT {stamp(cp)} BY SYSTEM")
    cp.consoles.logoff(user)
    left = len(cp.users.users)
    return f"USER DSC LOGOFF AS {user.userid:<8} USERS = {left:03d}  FORCED"


@command("FORCE", 5, "A", FORCE_HELP)
def force(context: CommandContext, operands: list[str]) -> None:
    if not operands or len(operands[0]) > 8:
        raise CommandError("DMKUSO020E USERID MISSING OR INVALID", 20)
    if len(operands) > 1:
        raise CommandError(f"DMKUSO003E INVALID OPTION - {operands[1].upper()}", 3)
    userid = operands[0].upper()
    manager = getattr(context.cp, "users", None)
    user = None if manager is None else manager.users.get(userid)
    if user is None:
        raise CommandError(f"DMKUSO045E {userid} NOT LOGGED ON", 45)
    forced_self = user is context.session
    line = force_off(context, user)
    context.cp.write_log(line)
    if not forced_self:
        context.respond(line)


@command("SHUTDOWN", 8, "A", SHUTDOWN_HELP)
def shutdown(context: CommandContext, operands: list[str]) -> None:
    if operands:
        raise CommandError(f"DMKCPR003E INVALID OPTION - {operands[0].upper()}", 3)
    cp = context.cp
    issuer = context.session
    manager = getattr(cp, "users", None)
    users = [] if manager is None else list(manager.users.values())
    # The operator who asked goes last, so the others' lines reach the log first.
    for user in users:
        if user is not issuer:
            cp.write_log(force_off(context, user))
    if issuer is not None and manager is not None and issuer.userid in manager.users:
        cp.write_log(force_off(context, issuer))
    cp.write_log(SHUTDOWN_COMPLETE)
    cp.shut_down = True
    consoles = getattr(cp, "consoles", None)
    if consoles is not None:
        for terminal in consoles.terminals.values():
            terminal.write_line(SHUTDOWN_COMPLETE)
    for hook in list(cp.on_shutdown):
        hook()


@command("CHECKPOINT", 5, "A", CHECKPOINT_HELP)
def checkpoint(context: CommandContext, operands: list[str]) -> None:
    """Ask for a checkpoint; it is taken when the running slice ends (RealSystem.run),
    and the line that says so comes then."""
    from vm370.cp.checkpoint import CheckpointError, checkpoint_name

    requests = context.cp.checkpoint_requests
    if requests is None:
        raise CommandError("CHECKPOINT NOT AVAILABLE: THIS SYSTEM HAS NO DATA FOLDER", 1)
    if not operands:
        raise CommandError("DMKCPR026E OPERAND MISSING OR INVALID", 26)
    if len(operands) > 1:
        raise CommandError(f"DMKCPR003E INVALID OPTION - {operands[1].upper()}", 3)
    try:
        name = checkpoint_name(operands[0])
    except CheckpointError:
        raise CommandError(f"DMKCPR026E OPERAND MISSING OR INVALID - {operands[0]}", 26) from None
    requests.append((name, context.userid, None))

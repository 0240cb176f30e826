"""TRACE: follow a virtual machine's interruptions, I/O, privileged instructions, branches.

The operands, options, abbreviations and messages are VM/370 Release 6's
(DMKTRA): SVC, I/O, PROGRAM, EXTERNAL, PRIV, SIO, BRANCH, INSTRUCT, ALL
and END, each of the first ones with OFF to stop it alone; output to the
TERMINAL (the default), the PRINTER or BOTH; RUN, or NORUN (the default:
the machine stops in CP mode after each traced event, BEGIN goes on). The
trace lines themselves are made in debugging.py. CCW and CSW tracing (the
channel program and CSW detail lines) are not done here and are refused as
operands, so that nobody waits for lines that never come.

One destination and one RUN/NORUN setting hold for the whole trace: each
TRACE command that names them sets them for every event traced.
"""

from __future__ import annotations

from vm370.cp import debugging
from vm370.cp.commands import CommandContext, CommandError, command
from vm370.cp.debugging import (
    BRANCH,
    EXTERNAL,
    INSTRUCT,
    IO,
    PRIV,
    PROGRAM,
    SIO,
    SVC,
    TraceOptions,
)

# (word, minimum abbreviation, events) as DMKTRA's argument table has them.
OPERANDS = (
    ("INSTRUCT", 4, {INSTRUCT}),
    ("SVC", 3, {SVC}),
    ("I/O", 3, {IO}),
    ("PROGRAM", 3, {PROGRAM}),
    ("EXTERNAL", 3, {EXTERNAL}),
    ("PRIV", 4, {PRIV}),
    ("SIO", 3, {SIO}),
    ("BRANCH", 2, {BRANCH}),
    ("ALL", 3, {SVC, IO, PROGRAM, EXTERNAL, PRIV, SIO, INSTRUCT}),
)
OPTIONS = (
    ("PRINTER", 1),
    ("TERMINAL", 4),
    ("BOTH", 4),
    ("RUN", 3),
    ("NORUN", 3),
)


def _match(word: str, table) -> tuple | None:
    for entry in table:
        name, minimum = entry[0], entry[1]
        if minimum <= len(word) <= len(name) and name.startswith(word):
            return entry
    return None


def _error(number: int, text: str) -> CommandError:
    return CommandError(f"DMKTRA{number:03d}E {text}")


def _end(context: CommandContext, machine) -> None:
    debugging.end_trace(context.cp, machine)
    context.respond("TRACE ENDED")


@command(
    "TRACE",
    2,
    "G",
    "TRACE: follow what your virtual machine does.\n"
    "Format: TRace SVC|I/O|PROGram|EXTernal|PRIV|SIO|BRanch|INSTruct|ALL [OFF]\n"
    "              [Printer|TERMinal|BOTH] [RUN|NORUN]     TRace END",
)
def trace(context: CommandContext, operands: list[str]) -> None:
    machine = context.machine
    if machine is None or context.session is None:
        raise CommandError("DMKCFM001E UNKNOWN CP COMMAND")
    if not operands:
        raise _error(26, "OPERAND MISSING OR INVALID")
    current = machine.debug.trace if machine.debug is not None else None
    words = [word.upper() for word in operands]
    if words[0] == "END":
        if len(words) > 1:
            raise _error(2, f"INVALID OPERAND - {words[1]}")
        if current is None:
            raise CommandError("DMKTRA180W TRACE NOT IN EFFECT")
        _end(context, machine)
        return

    events: set[str] = set()
    options: set[str] = set()
    off = False
    for word in words:
        operand = _match(word, OPERANDS)
        if operand is not None:
            events |= operand[2]
            continue
        option = _match(word, OPTIONS)
        if option is not None:
            options.add(option[0])
            continue
        if word == "OFF" and events:
            off = True
            continue
        if events:
            raise _error(3, f"INVALID OPTION - {word}")
        raise _error(2, f"INVALID OPERAND - {word}")
    if not events:
        raise _error(26, "OPERAND MISSING OR INVALID")
    if {"RUN", "NORUN"} <= options:
        raise _error(13, "CONFLICTING OPERAND - NORUN")
    if BRANCH in events and INSTRUCT in events:
        raise _error(13, "CONFLICTING OPERAND - BRANCH")
    printer_only = "PRINTER" in options and not options & {"TERMINAL", "BOTH"}
    if printer_only and options & {"RUN", "NORUN"}:
        raise _error(13, "CONFLICTING OPERAND - RUN/NORUN PRINTER")
    if options & {"PRINTER", "BOTH"} and debugging.printer_of(machine) is None:
        # No virtual printer with a spool file to take the lines.
        raise _error(3, f"INVALID OPTION - {'BOTH' if 'BOTH' in options else 'PRINTER'}")

    if off:
        if current is None:
            raise CommandError("DMKTRA180W TRACE NOT IN EFFECT")
        current.events -= events
        if not current.events:
            _end(context, machine)
        elif not current.instructions:
            debugging.detach_observer(context.cp, machine)
        return

    state = debugging.state_of(context.cp, machine)
    started = state.trace is None
    settings = state.trace if state.trace is not None else TraceOptions()
    if events & {BRANCH, INSTRUCT}:
        settings.events -= {BRANCH, INSTRUCT}
    settings.events |= events
    if options & {"PRINTER", "TERMINAL", "BOTH"}:
        settings.printer = bool(options & {"PRINTER", "BOTH"})
        settings.terminal = not printer_only
    if "RUN" in options:
        settings.run = True
    elif "NORUN" in options:
        settings.run = False
    state.trace = settings
    if started:
        context.respond("TRACE STARTED")

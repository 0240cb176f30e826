"""CP's commands: one module per command family, each command with its class and help.

A command is declared with ``@command(name, minimum, classes, help)``:
``minimum`` is the shortest abbreviation VM/370 accepted (``Q`` for QUERY:
1), ``classes`` the privilege classes allowed to use it ("" for any class,
as LOGON). Its handler gets a ``CommandContext`` and the operands (the
words after the command name, as typed) and writes its response lines with
``context.respond``; a handler that cannot do what it is asked raises
``CommandError`` with VM/370's message (``DMKxxxnnnE text``) and return code.

``execute`` finds the command by name or abbreviation, checks the user's
classes, runs it and returns the return code; an unknown command is
VM/370's DMKCFM001E and a class that may not use it gets the same message
(VM/370 did not tell a user which commands existed beyond their classes).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram
    from vm370.cp.vmblock import VirtualMachine

UNKNOWN_COMMAND = "DMKCFM001E UNKNOWN CP COMMAND"
UNKNOWN_RC = 1
# Modules that declare commands, imported when the registry is first used.
COMMAND_MODULES: tuple[str, ...] = (
    "vm370.cp.commands.session",
    "vm370.cp.commands.query",
    "vm370.cp.commands.spool",
    "vm370.cp.commands.setcommand",
    "vm370.cp.commands.devices",
    "vm370.cp.commands.messages",
    "vm370.cp.commands.operator",
    "vm370.cp.commands.helpcommand",
    "vm370.cp.commands.display",
    "vm370.cp.commands.debug",
    "vm370.cp.commands.trace",
)


class CommandError(Exception):
    """A command that cannot be carried out: VM/370's message and return code."""

    def __init__(self, message: str, return_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.return_code = return_code


@dataclass
class CommandContext:
    """Who issued a command, and where its response goes."""

    cp: ControlProgram
    userid: str | None  # None: the system operator's console, or nobody logged on
    classes: str
    machine: VirtualMachine | None = None
    session: Any = None  # the user's terminal session (logon.py), when there is one
    responses: list[str] = field(default_factory=list)
    capture: bool = False  # DIAGNOSE X'08' with a response buffer
    write: Callable[[str], None] | None = None
    # Asks the user a question on the terminal (the answer read in the
    # non-display field when ``hidden``) and calls back with the answer;
    # None where nobody can answer (DIAGNOSE X'08', a command run in process).
    ask: Callable[[str, Callable[[str], None], bool], None] | None = None
    # The command line as typed (execute sets it): for operands that are free text.
    line: str = ""

    def text_after(self, words: int) -> str:
        """The line after its first ``words`` words, blanks and case as typed (MSG's text)."""
        parts = self.line.split(None, words)
        return parts[words] if len(parts) > words else ""

    def respond(self, line: str) -> None:
        if self.capture or self.write is None:
            self.responses.append(line)
        else:
            self.write(line)


Handler = Callable[[CommandContext, list[str]], None]


@dataclass(frozen=True)
class Command:
    name: str
    minimum: int
    classes: str
    handler: Handler
    help: str

    def matches(self, word: str) -> bool:
        word = word.upper()
        return self.minimum <= len(word) <= len(self.name) and self.name.startswith(word)


REGISTRY: dict[str, Command] = {}


def command(name: str, minimum: int, classes: str, help: str) -> Callable[[Handler], Handler]:
    """Declare a CP command (see the module docstring)."""

    def declare(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"CP command {name} is declared twice")
        REGISTRY[name] = Command(name, minimum, classes, handler, help)
        return handler

    return declare


# QUERY's operands (READER, FILES, TIME, ...), declared by the families that own
# them with ``@query_operand``; QUERY itself (query.py) dispatches to them.
QUERY_OPERANDS: dict[str, Command] = {}


def query_operand(name: str, minimum: int, classes: str, help: str) -> Callable[[Handler], Handler]:
    """Declare an operand of QUERY: its handler gets the words after it."""

    def declare(handler: Handler) -> Handler:
        if name in QUERY_OPERANDS:
            raise ValueError(f"QUERY {name} is declared twice")
        QUERY_OPERANDS[name] = Command(name, minimum, classes, handler, help)
        return handler

    return declare


def load_commands() -> dict[str, Command]:
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    return REGISTRY


def find(word: str) -> Command | None:
    """The command a word names, by its full name or an abbreviation."""
    for declared in load_commands().values():
        if declared.matches(word):
            return declared
    return None


def allowed(declared: Command, classes: str) -> bool:
    return not declared.classes or bool(set(declared.classes) & set(classes))


def execute(context: CommandContext, text: str) -> int:
    """Run one command line; its return code."""
    words = text.split()
    if not words:
        return 0
    declared = find(words[0])
    if declared is None or not allowed(declared, context.classes):
        context.respond(UNKNOWN_COMMAND)
        return UNKNOWN_RC
    operands = words[1:]
    context.line = text
    if operands == ["?"]:
        for line in declared.help.splitlines():
            context.respond(line)
        return 0
    try:
        declared.handler(context, operands)
    except CommandError as error:
        context.respond(error.message)
        return error.return_code
    return 0


def execute_from_guest(
    cp: ControlProgram, machine: VirtualMachine, text: str, capture: bool
) -> tuple[int, list[str]]:
    """A CP command a virtual machine issued (DIAGNOSE X'08'): (return code, response lines).

    The response goes to the user's console (kept while disconnected), or,
    with ``capture``, only into the returned lines for the guest's buffer.
    """
    users = getattr(cp, "users", None)
    user = users.users.get(machine.name) if users is not None else None
    write = user.guest_output if user is not None and not capture else None
    context = CommandContext(
        cp, machine.name, machine.classes, machine, session=user, capture=capture, write=write
    )
    code = execute(context, text)
    return code, context.responses

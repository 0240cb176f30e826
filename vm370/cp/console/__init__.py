"""CP's console manager: what a user's terminal shows and what it sends to CP.

``screen.ConsoleScreen`` is the VM/370 console of a 3270 display,
``linemode.LineModeConsole`` that of a typewriter-style telnet terminal; both turn
what the user does into the events of ``events``. The modules do no I/O:
CP sends what they ask for (3270 data streams, telnet bytes) to the
terminal and passes back what the terminal sent.
"""

from .events import (
    CP_READ,
    VM_READ,
    Attention,
    ConsoleEvent,
    ConsoleInputError,
    ConsoleStateError,
    FunctionKey,
    InputLine,
    Interrupt,
)
from .linemode import LineModeConsole
from .screen import ConsoleScreen

__all__ = [
    "CP_READ",
    "VM_READ",
    "Attention",
    "ConsoleEvent",
    "ConsoleInputError",
    "ConsoleScreen",
    "ConsoleStateError",
    "FunctionKey",
    "InputLine",
    "Interrupt",
    "LineModeConsole",
]

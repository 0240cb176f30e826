"""CP's console manager: what a user's terminal shows and what it sends to CP.

``screen.ConsoleScreen`` is the VM/370 console of a 3270 display; both turn
what the user does into the events of ``events``. The modules do no I/O:
CP sends their 3270 data streams to the real display and passes back what
the display read.
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
]

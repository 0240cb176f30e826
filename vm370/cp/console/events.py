"""What a console front end tells CP, and the rules both fronts share.

A console front end (the 3270 screen, the line-mode typewriter) turns what
a person does at a terminal into these events. CP acts on them: it gives a
line to the read that asked for it, drops a running machine into CP mode,
or reflects an attention interruption to the virtual machine.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

VM_READ = "VM READ"
CP_READ = "CP READ"
READ_KINDS = (VM_READ, CP_READ)

# VM/370 keeps one typed line for a virtual machine that is not reading
# (DMKGRF: the line waits in the virtual console's read buffer; a second
# line while that buffer is full gets NOT ACCEPTED).
VM370_TYPEAHEAD_LINES = 1


@dataclass(frozen=True)
class InputLine:
    """A line that answered a read: ``kind`` is the read it answered (VM READ or CP READ).

    ``hidden`` lines (a password) are never echoed and never kept by the console.
    """

    text: str = field(repr=False)
    hidden: bool = False
    kind: str = CP_READ

    def __repr__(self) -> str:
        shown = "<hidden>" if self.hidden else repr(self.text)
        return f"InputLine({shown}, hidden={self.hidden}, kind={self.kind!r})"


@dataclass(frozen=True)
class Interrupt:
    """The user asked CP for attention (PA1, a BREAK): a running machine goes to CP mode."""


@dataclass(frozen=True)
class Attention:
    """Enter while nothing reads: CP reflects an attention interruption to the virtual machine.

    ``line_waiting`` says a typed line was kept and the next read gets it at once.
    """

    line_waiting: bool = False


@dataclass(frozen=True)
class FunctionKey:
    """A program function key (PA3 counts as PF6, as in VM/370) for CP's SET PFnn support."""

    number: int


ConsoleEvent = InputLine | Interrupt | Attention | FunctionKey


class ConsoleInputError(Exception):
    """A record from the terminal the console cannot take; nothing the user typed is lost."""


class ConsoleStateError(Exception):
    """CP asked the console for something its state does not allow (a second read)."""


def split_lines(text: str) -> list[str]:
    """``text`` split at newlines only (other controls are the caller's); a final one ends it."""
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def check_read_kind(kind: str) -> None:
    if kind not in READ_KINDS:
        raise ValueError(f"read kind {kind!r} is not one of {', '.join(READ_KINDS)}")


class TypeAhead:
    """Lines typed while nothing reads, oldest first, up to a limit."""

    def __init__(self, limit: int = VM370_TYPEAHEAD_LINES) -> None:
        if limit < 0:
            raise ValueError(f"type-ahead limit {limit} is negative")
        self.limit = limit
        self._lines: collections.deque[str] = collections.deque()

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def full(self) -> bool:
        return len(self._lines) >= self.limit

    def push(self, text: str) -> bool:
        """Keep ``text``; False (kept nothing) when full."""
        if self.full:
            return False
        self._lines.append(text)
        return True

    def pop(self) -> str | None:
        return self._lines.popleft() if self._lines else None

    def clear(self) -> None:
        self._lines.clear()

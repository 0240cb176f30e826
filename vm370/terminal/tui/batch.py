"""Which records of a batch from the host a later Erase/Write hides.

The TUI applies the records that arrived since its last frame in one go. A
Write, Erase/Write or Erase/Write Alternate followed (with only writes in
between) by an Erase/Write or Erase/Write Alternate leaves nothing on the
screen: the later erase clears the buffer, sets the screen size and the
cursor again (GA27-2749, "Erase/Write Command"). Such a record need not be
drawn character by character; only its write control character still acts
(keyboard restore, alarm, start printer), because those effects outlast the
erase. A read, an Erase All Unprotected or anything unknown in between ends
the hiding: what it reads or keeps depends on the records before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from vm370.hardware.display3270 import (
    COMMAND_ALIASES,
    ERASE_WRITE,
    ERASE_WRITE_ALTERNATE,
    WRITE,
)

_ERASING = (ERASE_WRITE, ERASE_WRITE_ALTERNATE)
_WRITING = (WRITE, ERASE_WRITE, ERASE_WRITE_ALTERNATE)


def command_of(record: bytes) -> int | None:
    """The record's command as its local (channel) code, or None for an empty record."""
    if not record:
        return None
    return COMMAND_ALIASES.get(record[0], record[0])


def hidden_writes(records: Sequence[bytes]) -> list[bool]:
    """For each record, whether a later Erase/Write in ``records`` hides what it writes."""
    hidden = [False] * len(records)
    erased_later = False
    for index in range(len(records) - 1, -1, -1):
        command = command_of(records[index])
        if command in _WRITING:
            hidden[index] = erased_later
            if command in _ERASING:
                erased_later = True
        else:
            erased_later = False
    return hidden

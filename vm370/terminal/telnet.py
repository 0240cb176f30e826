"""Telnet for TN3270: commands, option negotiation, subnegotiation and EOR records.

Pure byte handling, no sockets. ``TelnetReader`` turns whatever bytes arrive
into events: option commands, subnegotiations and whole 3270 records ended
by IAC EOR (RFC 854, RFC 885, RFC 1091, RFC 1576). Its limits keep a hostile
peer from growing memory without bound: a record or subnegotiation longer
than allowed raises ``TelnetError``, and the server drops that client.
"""

from __future__ import annotations

from dataclasses import dataclass

IAC = 255
DONT = 254
DO = 253
WONT = 252
WILL = 251
SB = 250
GA = 249
EL = 248
EC = 247
AYT = 246
AO = 245
IP = 244
BREAK = 243
DM = 242
NOP = 241
SE = 240
EOR = 239

OPTION_BINARY = 0
OPTION_ECHO = 1
OPTION_SUPPRESS_GO_AHEAD = 3
OPTION_TERMINAL_TYPE = 24
OPTION_END_OF_RECORD = 25
OPTION_TN3270E = 40

TERMINAL_TYPE_IS = 0
TERMINAL_TYPE_SEND = 1

VERB_NAMES = {DO: "DO", DONT: "DONT", WILL: "WILL", WONT: "WONT"}

MAX_RECORD = 65536
MAX_SUBNEGOTIATION = 1024


class TelnetError(Exception):
    """The peer broke the telnet protocol or a limit; the connection should be dropped."""


@dataclass(frozen=True)
class Negotiation:
    """IAC DO/DONT/WILL/WONT option."""

    verb: int
    option: int

    def __str__(self) -> str:
        return f"{VERB_NAMES.get(self.verb, self.verb)} {self.option}"


@dataclass(frozen=True)
class Subnegotiation:
    """IAC SB option payload IAC SE, with doubled IACs undone."""

    option: int
    payload: bytes


@dataclass(frozen=True)
class Record:
    """The data before an IAC EOR, with doubled IACs undone."""

    data: bytes


@dataclass(frozen=True)
class Command:
    """Any other telnet command (NOP, AYT, BREAK, ...): noted, otherwise ignored."""

    code: int


Event = Negotiation | Subnegotiation | Record | Command


def escape(data: bytes) -> bytes:
    """Double every IAC byte in data."""
    return data.replace(b"\xff", b"\xff\xff")


def record(data: bytes) -> bytes:
    """One 3270 record on the wire: data with IAC doubled, then IAC EOR."""
    return escape(data) + bytes((IAC, EOR))


def negotiation(verb: int, option: int) -> bytes:
    return bytes((IAC, verb, option))


def subnegotiation(option: int, payload: bytes) -> bytes:
    return bytes((IAC, SB, option)) + escape(payload) + bytes((IAC, SE))


def terminal_type_send() -> bytes:
    return subnegotiation(OPTION_TERMINAL_TYPE, bytes((TERMINAL_TYPE_SEND,)))


def terminal_type_is(name: str) -> bytes:
    return subnegotiation(OPTION_TERMINAL_TYPE, bytes((TERMINAL_TYPE_IS,)) + name.encode("ascii"))


class TelnetReader:
    """Incremental telnet parser: feed() bytes in any pieces, get complete events out."""

    _DATA, _IAC, _VERB, _SB_OPTION, _SB, _SB_IAC = range(6)

    def __init__(
        self, max_record: int = MAX_RECORD, max_subnegotiation: int = MAX_SUBNEGOTIATION
    ) -> None:
        self.max_record = max_record
        self.max_subnegotiation = max_subnegotiation
        self._state = self._DATA
        self._data = bytearray()
        self._verb = 0
        self._sb_option = 0
        self._sb = bytearray()

    @property
    def partial(self) -> bool:
        """True while a record, command or subnegotiation is half received."""
        return self._state != self._DATA or bool(self._data)

    def feed(self, chunk: bytes) -> list[Event]:
        events: list[Event] = []
        data = self._data
        for byte in chunk:
            state = self._state
            if state == self._DATA:
                if byte == IAC:
                    self._state = self._IAC
                else:
                    data.append(byte)
                    if len(data) > self.max_record:
                        raise TelnetError(f"record longer than {self.max_record} bytes")
            elif state == self._IAC:
                if byte == IAC:
                    data.append(IAC)
                    if len(data) > self.max_record:
                        raise TelnetError(f"record longer than {self.max_record} bytes")
                    self._state = self._DATA
                elif byte in (DO, DONT, WILL, WONT):
                    self._verb = byte
                    self._state = self._VERB
                elif byte == SB:
                    self._state = self._SB_OPTION
                elif byte == EOR:
                    events.append(Record(bytes(data)))
                    data.clear()
                    self._state = self._DATA
                elif byte == SE:
                    raise TelnetError("IAC SE without a subnegotiation")
                else:
                    events.append(Command(byte))
                    self._state = self._DATA
            elif state == self._VERB:
                events.append(Negotiation(self._verb, byte))
                self._state = self._DATA
            elif state == self._SB_OPTION:
                self._sb_option = byte
                self._sb.clear()
                self._state = self._SB
            elif state == self._SB:
                if byte == IAC:
                    self._state = self._SB_IAC
                else:
                    self._sb.append(byte)
                    if len(self._sb) > self.max_subnegotiation:
                        raise TelnetError(
                            f"subnegotiation longer than {self.max_subnegotiation} bytes"
                        )
            else:  # IAC inside a subnegotiation
                if byte == SE:
                    events.append(Subnegotiation(self._sb_option, bytes(self._sb)))
                    self._state = self._DATA
                elif byte == IAC:
                    self._sb.append(IAC)
                    self._state = self._SB
                else:
                    raise TelnetError(f"IAC {byte} inside a subnegotiation")
        return events


class OptionState:
    """Which options each side has agreed to, and the answers that keep it so (RFC 1143, simply).

    ``accept_local`` are the options this side performs when the peer asks
    (DO, answered WILL); ``accept_remote`` those it lets the peer perform
    (WILL, answered DO). Every other option is refused (WONT, DONT). An
    option this side asked for itself (``ask``) is agreed without a second
    answer.
    """

    def __init__(self, accept_local: tuple[int, ...] = (), accept_remote: tuple[int, ...] = ()):
        self.accept_local = frozenset(accept_local)
        self.accept_remote = frozenset(accept_remote)
        self.local: set[int] = set()  # we WILL, peer said DO
        self.remote: set[int] = set()  # peer WILL, we said DO
        self.asked: set[tuple[int, int]] = set()  # (DO or WILL, option) we sent first

    def ask(self, verb: int, option: int) -> bytes:
        """Ask for an option (DO or WILL); the bytes to send."""
        self.asked.add((verb, option))
        return negotiation(verb, option)

    def note(self, event: Negotiation) -> None:
        if event.verb == DO:
            self.local.add(event.option)
        elif event.verb == DONT:
            self.local.discard(event.option)
        elif event.verb == WILL:
            self.remote.add(event.option)
        elif event.verb == WONT:
            self.remote.discard(event.option)

    def answer(self, event: Negotiation) -> bytes:
        """Take in the peer's negotiation; the bytes to send back (none when agreed already)."""
        verb, option = event.verb, event.option
        if verb == WILL:
            agreed, accepted, yes, no = self.remote, self.accept_remote, DO, DONT
        elif verb == DO:
            agreed, accepted, yes, no = self.local, self.accept_local, WILL, WONT
        else:  # DONT, WONT: always obeyed, never answered
            self.note(event)
            return b""
        if option in agreed:
            return b""
        if option not in accepted:
            return negotiation(no, option)
        self.note(event)
        return b"" if (yes, option) in self.asked else negotiation(yes, option)

    def both(self, option: int) -> bool:
        return option in self.local and option in self.remote

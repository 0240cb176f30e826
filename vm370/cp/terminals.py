"""CP's console manager: the real 3277 displays, the logon dialogue, and each user's console.

Every real display gets a VM/370 console screen (console/screen.py) that
CP drives as VM/370's DMKGRF did: CP writes the screen's 3270 data streams
to the real 3277 with channel programs (realio.py), and when the user
presses an AID key the 3277 presents attention: CP's I/O interruption
handler reads the display (Read Modified) and gives the record to the
screen, which turns it into events (a line typed, PA1, ...).

What a line means depends on where the user is:

- not logged on: LOGON (the password asked for in a non-display field);
- in CP mode (CP READ: console function mode, after PA1 or before an IPL):
  a CP command (commands/);
- in the virtual machine (VM READ): the line for the guest's read on its
  virtual console, unless it starts with ``#CP``, which makes the rest a CP
  command and keeps the guest's read waiting.

A display writes and reads only inside CP's entry points (its I/O
interruption, and the dispatcher, which services the displays that asked
for it). Guest output reaches a screen at once (pure state), and the real
write follows at CP's next entry, so no channel program is ever started
from inside another device's event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from vm370.cp import commands
from vm370.cp.console import (
    CP_READ,
    VM_READ,
    Attention,
    ConsoleInputError,
    ConsoleScreen,
    FunctionKey,
    InputLine,
    Interrupt,
    LineModeConsole,
)
from vm370.cp.realio import IOArea, RealIO, RealIOError
from vm370.cp.users import LogonError, User, UserManager
from vm370.hardware.channel import SUPPRESS_LENGTH, make_ccw
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.devices import ATTENTION, UNIT_CHECK, UNIT_EXCEPTION
from vm370.hardware.display3270 import ScreenModel

if TYPE_CHECKING:
    from vm370.cp.system import ControlProgram

READ_MODIFIED = 0x06
# A 2741 line (vm370/hardware/devices/terminal2741.py): write and read of the line's bytes.
LINE_WRITE = 0x01
LINE_READ = 0x02
# Wrong passwords a terminal may give before each next try waits (doubling).
FREE_LOGON_TRIES = 2
MAX_LOGON_DELAY_SECONDS = 60
READ_BUFFER_SIZE = 4096
CP_ESCAPE = "#CP"
LOGON_WORDS = ("LOGON", "LOGIN")


def stamp(cp: ControlProgram) -> str:
    """VM/370's ``HH:MM:SS TID WEEKDAY MM/DD/YY`` on the virtual clock."""
    now = cp.time_of_day()
    return now.strftime("%H:%M:%S UTC %A %m/%d/%y").upper()


class Terminal:
    """One real display and who is at it."""

    def __init__(self, manager: ConsoleManager, address: int, model: ScreenModel | None) -> None:
        self.manager = manager
        self.address = address

        # A line-mode terminal (a 2741 line, model None) speaks the typewriter conversation
        # of LineModeConsole, with the same interface as the 3270 console screen.
        self.line_mode = model is None
        now = self.now
        self.screen = LineModeConsole(now) if self.line_mode else ConsoleScreen(model, now)
        self.user: User | None = None
        self.logon_userid: str | None = None  # LOGON given, password asked for
        # A command's question waiting for its answer (LINK's password).
        self.pending_answer: Callable[[str], None] | None = None
        self.guest_wants_line = False
        self.timer_due: int | None = None
        self.failed_logons = 0
        # After refused LOGONs: the virtual time the next try may begin.
        self.retry_logon_at: int | None = None

    def now(self) -> int:
        """The virtual clock, for the screen's timers (MORE, NOT ACCEPTED)."""
        return self.manager.cp.machine.clock.now

    def describe(self) -> str:
        return f"{'LINE' if self.line_mode else 'GRAF'} {self.address:03X}"

    def write_line(self, text: str) -> None:
        self.screen.write_line(text)
        self.manager.need_service(self)

    def display_at(self, row: int, text: str, erase: bool, highlight: bool = False) -> None:
        """A full-screen write of the user's machine (DIAGNOSE X'58').

        A line-mode terminal has no screen to write on: it types the text.
        """
        if self.line_mode:
            self.screen.write_line(text.rstrip())
        else:
            self.screen.display_at(row, text, erase, highlight)
        self.manager.need_service(self)

    def cancel_display(self) -> None:
        """DIAGNOSE X'58' cancel: the screen goes back to line mode, cleared."""
        if not self.line_mode:
            self.screen.cancel_display()
        self.manager.need_service(self)

    # The console line of the user at this terminal (users.User delegates here).

    def guest_output(self, user: User, text: str) -> None:
        self.write_line(text)

    def guest_read(self, user: User) -> None:
        self.guest_wants_line = True
        self.manager.need_service(self)


class ConsoleManager:
    """The displays of the real machine and the conversation on each."""

    def __init__(
        self,
        cp: ControlProgram,
        users: UserManager,
        displays: list[tuple[int, ScreenModel]],
        realio: RealIO,
        area: IOArea,
        lines: list[int] | tuple[int, ...] = (),
    ) -> None:
        self.cp = cp
        self.users = users
        self.realio = realio
        self.area = area
        self.terminals = {address: Terminal(self, address, model) for address, model in displays}
        self.terminals.update({address: Terminal(self, address, None) for address in lines})
        self._dirty: set[int] = set()
        self.on_logon: Callable[[User, bool], None] | None = None
        # Told whether someone is logged on at a display (its terminal port,
        # so a terminal server can drop connections that never log on).
        self.on_sign_on: Callable[[int, bool], None] | None = None
        self.log: Callable[[str], None] = cp.write_log

    def start(self) -> None:
        """Every display shows the logo and waits for LOGON."""
        for terminal in self.terminals.values():
            self._welcome(terminal)

    def _signed_on(self, terminal: Terminal, signed_on: bool) -> None:
        if self.on_sign_on is not None:
            self.on_sign_on(terminal.address, signed_on)

    def _welcome(self, terminal: Terminal) -> None:
        self._signed_on(terminal, False)
        terminal.user = None
        terminal.logon_userid = None
        terminal.pending_answer = None
        terminal.guest_wants_line = False
        terminal.screen.cancel_read()
        terminal.screen.show_logo()
        terminal.screen.request_read(CP_READ)
        self.need_service(terminal)

    def need_service(self, terminal: Terminal) -> None:
        self._dirty.add(terminal.address)
        self.cp.request_service()

    # CP's entries

    def service(self) -> None:
        """At CP's entry: answer guests' reads, run timers, write what changed."""
        while self._dirty:
            address = self._dirty.pop()
            terminal = self.terminals[address]
            retry = terminal.retry_logon_at
            if retry is not None and retry <= self.cp.machine.clock.now:
                terminal.retry_logon_at = None
                if terminal.user is None and terminal.screen.reading is None:
                    self._request(terminal, CP_READ)
            if terminal.guest_wants_line:
                self._give_guest_a_line(terminal)
            deadline = terminal.screen.next_deadline()
            if deadline is not None and deadline <= self.cp.machine.clock.now:
                terminal.screen.tick()
            self._flush(terminal)
            self._schedule_timer(terminal)

    def interruption(self, address: int, csw: bytes) -> bool:
        """A real I/O interruption: True if it was a display's (CP handled it)."""
        terminal = self.terminals.get(address)
        if terminal is None:
            return False
        # A line reports a dropped typewriter with unit exception; a display that
        # lost its terminal (a TN3270 client gone) with unit check, intervention required.
        if csw[4] & (UNIT_EXCEPTION if terminal.line_mode else UNIT_CHECK):
            self._line_dropped(terminal)
        if csw[4] & ATTENTION:
            self._attention(terminal)
        return True

    def unsolicited(self, address: int, csw: bytes) -> None:
        """Status a display had pending when CP started a write (realio)."""
        self.interruption(address, csw)

    # Reading and writing the real display

    def _attention(self, terminal: Terminal) -> None:
        buffer = self.area.reserve(READ_BUFFER_SIZE)
        read = LINE_READ if terminal.line_mode else READ_MODIFIED
        program = self.area.put(make_ccw(read, buffer, SUPPRESS_LENGTH, READ_BUFFER_SIZE))
        try:
            csw = self.realio.run(terminal.address, program)
            length = READ_BUFFER_SIZE - int.from_bytes(csw[6:8], "big")
            record = self.cp.storage.read(buffer, max(0, length))
        except RealIOError as error:
            self.log(f"display {terminal.address:03X}: {error}")
            return
        finally:
            self.area.reset()
        if not record:
            if terminal.line_mode:
                self._line_connected(terminal)
            return
        try:
            events = terminal.screen.inbound(record)
        except ConsoleInputError as error:
            self.log(f"display {terminal.address:03X}: {error}")
            events = []
        for event in events:
            self._event(terminal, event)
        self.need_service(terminal)

    def _line_dropped(self, terminal: Terminal) -> None:
        """The terminal went away: its user is disconnected (and keeps running), as when
        VM/370 lost a line; the line or display waits for the next caller at the logo."""
        if terminal.user is not None:
            self.disconnect(terminal.user)
        else:
            self._welcome(terminal)

    def _line_connected(self, terminal: Terminal) -> None:
        """A line's attention with nothing to read: a terminal connected. It gets the logo
        and LOGON, or, with a user there (a disconnected typewriter came back), the prompt."""
        if terminal.user is None:
            self._welcome(terminal)
        else:
            terminal.screen.redraw()
            self.need_service(terminal)

    def _flush(self, terminal: Terminal) -> None:
        for record in terminal.screen.outbound():
            if terminal.line_mode:
                command, data = LINE_WRITE, record
            else:
                command, data = record[0], record[1:]
            try:
                address = self.area.put_data(data) if data else self.area.reserve(1)
                program = self.area.put(make_ccw(command, address, SUPPRESS_LENGTH, len(data) or 1))
                self.realio.run(terminal.address, program)
            except RealIOError as error:
                self.log(f"display {terminal.address:03X}: {error}")
            finally:
                self.area.reset()

    def _schedule_timer(self, terminal: Terminal) -> None:
        deadline = terminal.screen.next_deadline()
        if deadline is None or deadline == terminal.timer_due:
            return
        terminal.timer_due = deadline
        clock = self.cp.machine.clock

        def due() -> None:
            terminal.timer_due = None
            self.need_service(terminal)

        clock.schedule(max(1, deadline - clock.now), due)

    # What the user did

    def _event(self, terminal: Terminal, event) -> None:
        if isinstance(event, InputLine):
            self._line(terminal, event)
        elif isinstance(event, FunctionKey):
            self._function_key(terminal, event.number)
        elif isinstance(event, Interrupt):
            self._interrupt(terminal)
        elif isinstance(event, Attention):
            user = terminal.user
            if user is not None and not user.cp_mode and user.console is not None:
                self._typed_while_running(terminal, user, event.line_waiting)

    def _typed_while_running(self, terminal: Terminal, user: User, line_waiting: bool) -> None:
        """Enter while the machine runs and nothing reads (VM/370's attention).

        A ``#CP`` line is CP's at once, whatever the guest is doing (a loop
        never reads); any other line is kept for the guest's next read, and
        the guest gets an attention interruption from its console.
        """
        if line_waiting:
            typed = terminal.screen.request_read(VM_READ)
            if not typed:
                terminal.screen.cancel_read()
            for line in typed:
                if line.text.upper().startswith(CP_ESCAPE):
                    self.run_command(terminal, user, line.text[len(CP_ESCAPE) :])
                    self._after_command(terminal)
                    return
                if not user.console.enter(line.text):
                    terminal.write_line("NOT ACCEPTED")
                return
        user.console.present_status(ATTENTION)

    def _line(self, terminal: Terminal, line: InputLine) -> None:
        user = terminal.user
        if user is None:
            self._logon_dialogue(terminal, line)
            return
        text = line.text
        if terminal.pending_answer is not None:
            answer, terminal.pending_answer = terminal.pending_answer, None
            answer(text)
            self._after_command(terminal)
            return
        if line.kind == VM_READ and not user.cp_mode:
            if text.upper().startswith(CP_ESCAPE):
                self.run_command(terminal, user, text[len(CP_ESCAPE) :])
                if terminal.pending_answer is None and terminal.user is user:
                    if user.cp_mode:
                        # The command stopped the machine (SET ECMODE, DEFINE STORAGE).
                        self._after_command(terminal)
                    else:
                        terminal.guest_wants_line = True
                return
            if user.console is not None and not user.console.enter(text):
                terminal.write_line("NOT ACCEPTED")
            return
        self.run_command(terminal, user, text)
        self._after_command(terminal)

    def _after_command(self, terminal: Terminal) -> None:
        user = terminal.user
        if user is None or terminal.pending_answer is not None:
            return
        settings = user.settings
        if user.cp_mode and settings.run and settings.interrupted:
            # SET RUN ON: the command done, the machine PA1 stopped goes on.
            settings.interrupted = False
            self.users.begin(user)
        if user.cp_mode:
            if terminal.screen.reading is None:
                self._request(terminal, CP_READ)
        else:
            terminal.screen.set_running()
            if user.console is not None and user.console.read_pending:
                terminal.guest_wants_line = True

    def run_command(self, terminal: Terminal, user: User, text: str) -> int:
        def shown(line: str) -> None:
            presented = user.settings.present(line)
            if presented is not None:
                terminal.write_line(presented)

        def ask(prompt: str, then: Callable[[str], None], hidden: bool = True) -> None:
            terminal.pending_answer = then
            shown(prompt)
            terminal.screen.cancel_read()
            self._request(terminal, CP_READ, hidden)

        context = commands.CommandContext(
            self.cp,
            user.userid,
            user.classes,
            user.machine,
            session=user,
            write=shown,
            ask=ask,
        )
        return commands.execute(context, text)

    def _function_key(self, terminal: Terminal, number: int) -> None:
        """A PF key: its SET PFnn line, typed at once (IMMED) or put in the input area."""
        user = terminal.user
        setting = None if user is None else user.settings.pf.get(number)
        if setting is None:
            return
        if setting.immediate:
            for event in terminal.screen.enter_text(setting.text):
                self._event(terminal, event)
        else:
            terminal.screen.preset_input(setting.text)
        self.need_service(terminal)

    def _interrupt(self, terminal: Terminal) -> None:
        # PA1 withdraws a question (a password asked for): the next line is a
        # command again, and it shows, so it must not be taken as the answer.
        terminal.pending_answer = None
        terminal.logon_userid = None
        user = terminal.user
        if user is None or user.cp_mode:
            if terminal.screen.reading is None:
                self._request(terminal, CP_READ)
            return
        self.users.enter_cp_mode(user)
        user.settings.interrupted = True
        terminal.guest_wants_line = False
        terminal.screen.cancel_read()
        self._request(terminal, CP_READ)

    def stop_in_cp_mode(self, user: User, lines: list[str]) -> None:
        """CP stops the user's machine (ADSTOP, TRACE): show ``lines``, then CP READ."""
        terminal = user.terminal
        if terminal is None:
            user.kept_output.extend(lines)
            self.users.enter_cp_mode(user)
            return
        was_in_cp_mode = user.cp_mode
        if not was_in_cp_mode:
            self.users.enter_cp_mode(user)
            terminal.guest_wants_line = False
            terminal.screen.cancel_read()
        for line in lines:
            terminal.write_line(line)
        if terminal.screen.reading is None:
            self._request(terminal, CP_READ)

    def _request(self, terminal: Terminal, kind: str, hidden: bool = False) -> None:
        for event in terminal.screen.request_read(kind, hidden):
            self._event(terminal, event)

    def _give_guest_a_line(self, terminal: Terminal) -> None:
        terminal.guest_wants_line = False
        user = terminal.user
        if user is None or user.cp_mode or user.console is None:
            return
        if terminal.pending_answer is not None:
            return
        if not user.console.read_pending or terminal.screen.reading is not None:
            return
        self._request(terminal, VM_READ)

    # LOGON, LOGOFF, DISCONNECT

    def _logon_dialogue(self, terminal: Terminal, line: InputLine) -> None:
        if terminal.logon_userid is not None:
            userid, terminal.logon_userid = terminal.logon_userid, None
            self._logon(terminal, userid, line.text)
            return
        words = line.text.split()
        if not words:
            self._request(terminal, CP_READ)
            return
        if not any(word.startswith(words[0].upper()) for word in LOGON_WORDS):
            terminal.write_line(commands.UNKNOWN_COMMAND)
            self._request(terminal, CP_READ)
            return
        if self.cp.shut_down:
            terminal.write_line("DMKCKP961W SYSTEM SHUTDOWN COMPLETE")
            self._request(terminal, CP_READ)
            return
        if len(words) < 2 or len(words[1]) > 8:
            terminal.write_line("DMKLOG020E USERID MISSING OR INVALID")
            self._request(terminal, CP_READ)
            return
        if len(words) > 2:
            self._logon(terminal, words[1].upper(), words[2])
            return
        terminal.logon_userid = words[1].upper()
        terminal.write_line("ENTER PASSWORD:")
        self._request(terminal, CP_READ, hidden=True)

    def _logon(self, terminal: Terminal, userid: str, password: str) -> None:
        try:
            user, reconnected = self.users.logon(userid, password, terminal)
        except LogonError as error:
            terminal.write_line(str(error))
            self.log(f"LOGON refused on display {terminal.address:03X}")
            terminal.failed_logons += 1
            self._after_refusal(terminal)
            return
        terminal.failed_logons = 0
        terminal.user = user
        self._signed_on(terminal, True)
        self.log(
            f"{user.userid} {'reconnected' if reconnected else 'logged on'} "
            f"at display {terminal.address:03X}"
        )
        if reconnected:
            terminal.write_line(f"RECONNECTED AT {stamp(self.cp)}")
            while user.kept_output:
                terminal.write_line(user.kept_output.popleft())
        else:
            for message in self.cp.logmsg:
                terminal.write_line(message)
            terminal.write_line(f"LOGON AT {stamp(self.cp)}")
        if self.on_logon is not None:
            self.on_logon(user, reconnected)
        self._after_command(terminal)

    def disabled_wait(self, machine) -> None:
        """A user's machine stopped in a disabled wait: CP mode, with VM/370's warning."""
        user = self.users.users.get(machine.name)
        if user is None:
            return
        psw = machine.psw.to_int()
        self._cp_entered(
            user,
            f"DMKDSP450W CP ENTERED; DISABLED WAIT PSW '{psw >> 32:08X} {psw & 0xFFFFFFFF:08X}'",
        )

    def stopped_by_reflection(self, machine, message: str) -> None:
        """CP stopped a user's machine (a program interruption loop): CP mode, with the message."""
        user = self.users.users.get(machine.name)
        if user is not None:
            self._cp_entered(user, message)

    def _cp_entered(self, user: User, message: str) -> None:
        user.cp_mode = True
        user.guest_output(message)
        terminal = user.terminal
        if terminal is not None:
            terminal.guest_wants_line = False
            terminal.screen.cancel_read()
            self._request(terminal, CP_READ)
            self.need_service(terminal)

    def _after_refusal(self, terminal: Terminal) -> None:
        """The next try waits: each wrong password doubles the wait (1 s up to a minute).

        The keyboard stays locked meanwhile (no read is asked for), so guessing
        passwords at a terminal is slow, and the time is virtual: a paced run
        makes it real seconds for the person at the display.
        """
        failures = terminal.failed_logons
        if failures <= FREE_LOGON_TRIES:
            self._request(terminal, CP_READ)
            return
        delay = min(2 ** (failures - FREE_LOGON_TRIES - 1), MAX_LOGON_DELAY_SECONDS)
        wait = delay * INSTRUCTIONS_PER_SECOND
        terminal.retry_logon_at = self.cp.machine.clock.now + wait
        self.cp.machine.clock.schedule(wait, functools.partial(self.need_service, terminal))

    def logoff(self, user: User) -> None:
        """LOGOFF: the machine goes, the terminal shows the logo again."""
        terminal = user.terminal
        self.users.logoff(user)
        self.log(f"{user.userid} logged off")
        if terminal is not None:
            self._welcome(terminal)

    def disconnect(self, user: User) -> None:
        terminal = user.terminal
        self.users.disconnect(user)
        self.log(f"{user.userid} disconnected")
        if terminal is not None:
            self._welcome(terminal)

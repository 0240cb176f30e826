"""Teaching panels beside the screen: what the machine is doing.

A panel reads the machine only while it is shown (a timer that runs while
the panel is displayed, an observer that is registered while it is), so a
hidden panel costs the machine nothing. The machine-state panel reads the
CPU's PSW and registers and the runner's instruction rate; the interruption
panel registers on the CPU's ``interruption_observers``; the associative
array panel reads DAT's eight registers and its hit and miss counts; the
storage-frames panel maps real storage by 4K frame (in use or zero, and the
storage key). Which virtual machine owns a frame waits for CP's observer
interface.
"""

from __future__ import annotations

import collections

from textual.widgets import Static

REFRESH_SECONDS = 0.5

# Tries, and seconds between them, at bringing a panel opened below the screen into view.
SCROLL_TRIES = 20
SCROLL_RETRY_SECONDS = 0.05


class Panel(Static):
    """A panel that refreshes its text on a timer, only while it is shown."""

    DEFAULT_CSS = """
    Panel {
        width: 45;
        height: auto;
        border: round $accent;
        padding: 0 1;
    }
    """
    TITLE = ""

    def __init__(self, machine=None, runner=None, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.machine = machine
        self.runner = runner
        self.border_title = self.TITLE
        self._timer = None
        self.updates = 0
        # Set when the panels stand below the screen (a narrow terminal): the
        # panel scrolls itself into view once it has been laid out.
        self.scroll_into_view_when_shown = False

    def on_mount(self) -> None:
        self._timer = self.set_interval(REFRESH_SECONDS, self.update_state, pause=not self.display)
        if self.display:
            self.watch_shown(True)
        self.update_state()

    def on_show(self) -> None:
        if self._timer is not None:
            self._timer.resume()
        self.watch_shown(True)
        self.update_state()
        self._scroll_into_view()

    def on_resize(self) -> None:
        # A panel laid out below the visible part of the screen gets no Show
        # event until it is scrolled to; its first size comes with the layout.
        self._scroll_into_view()

    def bring_into_view(self) -> None:
        """Scroll this panel into view if it was just opened below the screen."""
        self._scroll_into_view()

    def _scroll_into_view(self) -> None:
        if self.scroll_into_view_when_shown:
            self.scroll_into_view_when_shown = False
            self._scroll_tries = SCROLL_TRIES
            self.call_after_refresh(self._scroll_until_visible)

    def _scroll_until_visible(self) -> None:
        """Scroll the panel into view; again after the next refresh while layout catches up.

        The container learns the panel's height only after a layout pass, and a
        scroll asked for before it may do nothing, so it is asked again (a few
        times at most) until the panel's top is on the terminal.
        """
        self.scroll_visible(animate=False, top=True)
        self._scroll_tries -= 1
        visible = self.region.height > 0 and self.region.y < self.screen.size.height
        if not visible and self._scroll_tries > 0:
            self.set_timer(SCROLL_RETRY_SECONDS, self._scroll_until_visible)

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.pause()
        self.watch_shown(False)

    def watch_shown(self, shown: bool) -> None:
        """Start or stop observing the machine (nothing by default)."""

    def state_text(self) -> str:
        return ""

    def update_state(self) -> None:
        if not self.display:
            return
        self.updates += 1
        self.update(self.state_text())


class MachineStatePanel(Panel):
    """PSW, general registers, and instructions per second."""

    TITLE = "machine"

    def state_text(self) -> str:
        if self.machine is None:
            return "no machine in this process\n(connected over TN3270)"
        cpu = self.machine.cpu
        lines = [f"PSW  {cpu.current_psw():016X}"]
        for row in range(0, 16, 4):
            registers = " ".join(f"{cpu.gpr[n]:08X}" for n in range(row, row + 4))
            lines.append(f"R{row:<2d} {registers}")
        lines.append(f"instructions  {cpu.instructions_executed:,}")
        if self.runner is not None:
            lines.append(f"per second    {self.runner.instructions_per_second:,.0f}")
            lines.append(f"state         {self.runner.state}")
        lines.append(f"virtual time  {self.machine.clock.now / 1e6:.3f} s")
        return "\n".join(lines)


# Over the columns below: virtual time in seconds, the class, the old PSW.
INTERRUPTION_HEADINGS = f"{'time (s)':>9} {'class':<8} old PSW"


class InterruptionPanel(Panel):
    """The last interruptions: class, old PSW and virtual time, newest last."""

    TITLE = "interruptions"
    KEEP = 12

    def __init__(self, machine=None, runner=None, **kwargs) -> None:
        super().__init__(machine, runner, **kwargs)
        self.trace: collections.deque[tuple[int, str, int]] = collections.deque(maxlen=self.KEEP)
        self.observed = 0

    def _observe(self, kind: str, old_psw: int) -> None:
        # Runs on the machine's thread: one append to a bounded deque.
        self.observed += 1
        self.trace.append((self.machine.clock.now, kind, old_psw))

    def watch_shown(self, shown: bool) -> None:
        if self.machine is None:
            return
        observers = self.machine.cpu.interruption_observers
        if shown and self._observe not in observers:
            observers.append(self._observe)
        elif not shown and self._observe in observers:
            observers.remove(self._observe)

    def state_text(self) -> str:
        if self.machine is None:
            return "no machine in this process"
        entries = list(self.trace)
        if not entries:
            return "none since this panel opened"
        lines = [INTERRUPTION_HEADINGS]
        lines.extend(f"{now / 1e6:9.6f} {kind:<8} {psw:016X}" for now, kind, psw in entries)
        return "\n".join(lines)


class AssociativeArrayPanel(Panel):
    """DAT's eight associative registers and its hits and misses."""

    TITLE = "associative array"

    def state_text(self) -> str:
        dat = getattr(self.machine.cpu, "dat", None) if self.machine is not None else None
        if dat is None:
            return "no DAT: translation has not been used"
        lines = [f"hits {dat.hits:,}  misses {dat.misses:,}"]
        for register in dat.associative_array():
            if register.valid:
                used = "*" if register.used else " "
                lines.append(
                    f"{register.slot} {used} {register.virtual_page:08X} -> "
                    f"{register.real_page:06X}"
                )
            else:
                lines.append(f"{register.slot}   (empty)")
        return "\n".join(lines)


FRAME_SIZE = 4096
_ZERO_FRAME = bytes(FRAME_SIZE)
FRAMES_PER_LINE = 32
MAX_FRAME_LINES = 16


class StorageFramesPanel(Panel):
    """Real storage by 4K frame: '.' all zeros, else the hex storage key of the frame."""

    TITLE = "storage frames"

    def state_text(self) -> str:
        if self.machine is None:
            return "no machine in this process"
        storage = self.machine.storage
        frames = storage.size // FRAME_SIZE
        shown = min(frames, FRAMES_PER_LINE * MAX_FRAME_LINES)
        memory = storage.mem
        cells = []
        for frame in range(shown):
            start = frame * FRAME_SIZE
            if memory[start : start + FRAME_SIZE] == _ZERO_FRAME:
                cells.append(".")
            else:
                cells.append(f"{storage.key_of(start) >> 4:X}")
        used = sum(cell != "." for cell in cells)
        lines = [f"{frames} frames, {used} in use (key shown)"]
        for row in range(0, shown, FRAMES_PER_LINE):
            lines.append(f"{row * FRAME_SIZE:06X} {''.join(cells[row : row + FRAMES_PER_LINE])}")
        if shown < frames:
            lines.append(f"... {frames - shown} more")
        return "\n".join(lines)

"""A teaching panel of a whole system: the users' virtual machines, CP's run queues, the spool.

The panel knows nothing of CP: it is given ``observer``, a callable that
returns one view per logged-on user (vm370/cp/observe.py ``MachineView``:
userid, display, state, queue, storage and CP's counters) and the number of
closed spool files on each queue, and shows them.
It calls the observer only while it is shown, from the app's thread, while
the machine runs on its own: a snapshot taken as CP changes its tables may
fail, and the next refresh takes another.
"""

from __future__ import annotations

from collections.abc import Callable

from vm370.terminal.tui.widgets.panels import Panel


class VirtualMachinesPanel(Panel):
    """Each logged-on user's virtual machine: state, run queue and counters."""

    TITLE = "virtual machines"

    def __init__(self, observer: Callable[[], list] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.observer = observer
        self._last = "nobody is logged on"

    def state_text(self) -> str:
        if self.observer is None:
            return "no system in this process"
        try:
            views, spool = self.observer()
        except (RuntimeError, KeyError, AttributeError):
            return self._last  # CP changed a table under the snapshot: keep the last one
        spool_line = "spool  " + "  ".join(f"{queue} {count}" for queue, count in spool.items())
        if not views:
            self._last = "nobody is logged on" + (f"\n{spool_line}" if spool else "")
            return self._last
        queued = {"Q1": [], "Q2": []}
        lines = []
        for view in views:
            lines.append(f"{view.userid:<8} {view.display:<4} {view.state:<13} {view.queue}")
            lines.append(
                f"  {view.storage_k}K  instr {view.instructions:,}  disp {view.dispatches:,}"
            )
            lines.append(
                f"  privops {view.privops:,}  diag {view.diagnoses:,}  faults {view.page_faults:,}"
            )
            if view.queue in queued:
                queued[view.queue].append(view.userid)
        for queue, userids in queued.items():
            lines.append(f"{queue}: {' '.join(userids) or '-'}")
        if spool:
            lines.append(spool_line)
        self._last = "\n".join(lines)
        return self._last

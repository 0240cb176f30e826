"""What CP shows a teaching panel: the users' virtual machines and the spool, read only.

``virtual_machines(cp)`` takes a snapshot of the users CP has logged on:
who they are, which display they are at (or disconnected), what their
machine is doing (CP mode, running, waiting), which dispatcher queue it is
on (Q1 interactive, Q2 non-interactive) and what CP counted for it.
``spool_queues(cp)`` counts the closed spool files on each queue. A
panel on another thread may call it while the machine runs: it copies
what it reads and never changes CP's state.
"""

from __future__ import annotations

from dataclasses import dataclass

from vm370.cp.dispatch import Queue

QUEUE_NAMES = {Queue.INTERACTIVE: "Q1", Queue.NON_INTERACTIVE: "Q2"}


@dataclass(frozen=True)
class MachineView:
    """One user's virtual machine, as a panel shows it."""

    userid: str
    display: str  # the real display's address, or "DISC" (disconnected)
    state: str  # "CP mode", "running", "enabled-wait", "disabled-wait", "stopped"
    queue: str  # "Q1", "Q2" or "-" (not on a run queue)
    storage_k: int
    instructions: int
    privops: int
    reflected: int
    page_faults: int
    diagnoses: int
    dispatches: int


def virtual_machines(cp) -> list[MachineView]:
    """The logged-on users' machines, in userid order (empty before the users are set up)."""
    users = getattr(cp, "users", None)
    if users is None:
        return []
    views = []
    for user in sorted(list(users.users.values()), key=lambda user: user.userid):
        machine = user.machine
        counters = machine.counters
        terminal = user.terminal
        queue = cp.dispatcher.queue_of(machine)
        views.append(
            MachineView(
                userid=user.userid,
                display=f"{terminal.address:03X}" if terminal is not None else "DISC",
                state="CP mode" if user.cp_mode else machine.state.value,
                queue=QUEUE_NAMES.get(queue, "-"),
                storage_k=machine.storage_size // 1024,
                instructions=counters.instructions,
                privops=counters.privops,
                reflected=counters.reflected,
                page_faults=counters.page_faults,
                diagnoses=counters.diagnoses,
                dispatches=counters.dispatches,
            )
        )
    return views


def spool_queues(cp) -> dict[str, int]:
    """Closed spool files on each queue (RDR, PRT, PUN); empty when CP has no spool."""
    spool = getattr(cp, "spool", None)
    if spool is None:
        return {}
    files = list(spool.files)
    return {queue: sum(1 for f in files if f.queue == queue) for queue in ("RDR", "PRT", "PUN")}


def system_view(cp) -> tuple[list[MachineView], dict[str, int]]:
    """Both, for the virtual-machines panel."""
    return virtual_machines(cp), spool_queues(cp)

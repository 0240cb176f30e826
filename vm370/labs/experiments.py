"""``vm370 lab run N``: the experiments whose setup the other commands do not offer.

Lab 4 needs a virtual machine with a minidisk on a real 2314; lab 10 needs
several virtual machines under one dispatcher. Each experiment builds that
system through CP's API (``vm370.cp``, as the benchmarks do), runs the
lab's programs from ``decks/labs/`` and returns the lines to print. Every
figure is from the virtual machines' counters, deterministic, except the
host times, which are marked as such.
"""

from __future__ import annotations

import datetime
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vm370.labs import DECKS, LabError
from vm370.labs.equivalence import ORIGIN, assemble_file

MINIDISK_ADDRESS = 0x191
REAL_DISK_ADDRESS = 0x130
MINIDISK_START_CYLINDER = 1
BLOCK_TEXT = "LAB 4: BLOCK 1 OF MINIDISK 191"
BLOCK_SIZE = 800
BUFFER = 0x2200
RESULT = 0x2100
READS = 100


@dataclass
class DiskReadRun:
    """One run of diskread.asm under CP."""

    method: str
    instructions: int  # the guest's, all its reads
    privops: int
    reflected: int
    diagnoses: int
    channel_programs: int  # channel programs CP translated
    ccws: int  # CCWs CP translated
    host_seconds: float  # CPU time of this process: varies from run to run
    block: bytes  # what the guest found in its buffer
    result: bytes  # the last DIAGNOSE's R15, or the last CSW


def _write_block(pack: Path) -> None:
    from vm370.hardware.devices.ckd_image import CKDImage, Record

    image = CKDImage(pack)
    try:
        track = image.read_track(MINIDISK_START_CYLINDER, 0)
        data = BLOCK_TEXT.encode("cp037").ljust(BLOCK_SIZE, b"\x40")
        track.records[1:] = [Record(MINIDISK_START_CYLINDER, 0, 1, b"", data)]
        image.write_track(MINIDISK_START_CYLINDER, 0, track)
    finally:
        image.close()


def run_disk_read(pack: Path, object_deck: bytes, method: str) -> DiskReadRun:
    """diskread.asm's deck as the only guest of a CP with a real 2314 holding its minidisk."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.cp.vdevices import Extent, TranslatedDevice
    from vm370.cp.vmblock import RunState
    from vm370.hardware.devices import create_device
    from vm370.hardware.machine import Machine

    storage = 64 * 1024
    machine = Machine(512 * 1024)
    real = create_device("2314", str(pack))
    try:
        machine.attach(REAL_DISK_ADDRESS, real)
        cp = ControlProgram(machine)
        cp.enable_virtual_devices()
        supervisor = Supervisor(cp)
        guest = cp.create_virtual_machine("LAB4", storage)
        extent = Extent(MINIDISK_START_CYLINDER, 5, real.image.heads)
        disk = TranslatedDevice("2314", REAL_DISK_ADDRESS, real, extent, False)
        guest.devices[MINIDISK_ADDRESS] = disk
        guest.channel.attach(MINIDISK_ADDRESS, disk)
        image = bytearray(storage)
        load([(object_deck, ORIGIN)], image)
        cp.load("LAB4", 0, bytes(image))
        cp.set_psw("LAB4", ORIGIN)
        started = time.process_time()
        supervisor.run(READS * 20_000)
        host_seconds = time.process_time() - started
        if guest.state is not RunState.DISABLED_WAIT:
            raise LabError(f"the {method} run did not finish: the guest is {guest.state.value}")
        counters = guest.counters
        return DiskReadRun(
            method=method,
            instructions=supervisor.guest_instructions,
            privops=counters.privops,
            reflected=counters.reflected,
            diagnoses=counters.diagnoses,
            channel_programs=cp.translator.translations,
            ccws=cp.translator.ccws_translated,
            host_seconds=host_seconds,
            block=cp.read("LAB4", BUFFER, BLOCK_SIZE),
            result=cp.read("LAB4", RESULT, 8),
        )
    finally:
        real.close()


def disk_reads() -> tuple[DiskReadRun, DiskReadRun]:
    """Lab 4: the DIAGNOSE run and the SIO run of decks/labs/diskread.asm."""
    source = DECKS / "diskread.asm"
    with tempfile.TemporaryDirectory() as folder:
        from vm370.hardware.devices.ckd_image import create_image

        pack = create_image(Path(folder) / "lab4.ckd", "2314", cylinders=10)
        _write_block(pack)
        diagnose = run_disk_read(pack, assemble_file(source), "DIAGNOSE X'18'")
        start_io = run_disk_read(pack, assemble_file(source, sysparm="SIO"), "SIO")
    return diagnose, start_io


def disk_read_lines() -> list[str]:
    diagnose, start_io = disk_reads()
    runs = (diagnose, start_io)

    def row(label: str, values: list[str]) -> str:
        return f"{label:34s}" + "".join(f"{value:>18s}" for value in values)

    def per_read(value: int) -> str:
        return f"{value / READS:.2f}"

    lines = [
        f"lab 4: {READS} reads of one {BLOCK_SIZE}-byte block of minidisk "
        f"{MINIDISK_ADDRESS:03X} (real 2314 at {REAL_DISK_ADDRESS:03X})",
        row("", ["DIAGNOSE X'18'", "SIO"]),
        row("guest instructions per read", [per_read(run.instructions) for run in runs]),
        row("privileged instructions per read", [per_read(run.privops) for run in runs]),
        row("  of them DIAGNOSEs", [per_read(run.diagnoses) for run in runs]),
        row("interruptions reflected per read", [per_read(run.reflected) for run in runs]),
        row("channel programs CP translated", [str(run.channel_programs) for run in runs]),
        row("CCWs CP translated", [str(run.ccws) for run in runs]),
        row(
            "host microseconds per read (varies)",
            [f"{run.host_seconds / READS * 1e6:.0f}" for run in runs],
        ),
        row("the block read", [run.block[:12].decode("cp037") + "..." for run in runs]),
        row(
            "last R15 (DIAG) / CSW (SIO)",
            [diagnose.result[:4].hex().upper(), start_io.result.hex().upper()],
        ),
    ]
    return lines


SHADOW_SEGMENT_TABLE = 0x3000
SHADOW_START_PSW = 0x0400_0000_0000_2000  # EC PSW: translation on (bit 5), at X'2000'
SHADOW_GUEST_STORAGE = 256 * 1024


@dataclass
class TranslatedRun:
    """purge.asm on the bare machine and under CP: results and what each cost."""

    variant: str
    bare: dict
    guest: dict  # the state CP reports, "instructions" added
    cp_entries: int  # times the real CPU entered CP
    shadow_builds: int
    shadow_entries_filled: int
    shadow_invalidations: int
    bare_seconds: float  # host CPU time: varies
    guest_seconds: float


def run_translated(object_deck: bytes, variant: str) -> TranslatedRun:
    """A deck that starts with its own translation on (CR0 X'3000'), bare and under CP."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.hardware.control_registers import CR6_EXTENDED_CONTROL_MODE, MODE_REGISTER
    from vm370.hardware.machine import BareRun, Machine, run_bare

    request = BareRun(
        storage_size=SHADOW_GUEST_STORAGE,
        psw=SHADOW_START_PSW,
        extended_control_mode=True,
        control_registers=[(0, SHADOW_SEGMENT_TABLE)],
    )
    machine = Machine(SHADOW_GUEST_STORAGE)
    load([(object_deck, ORIGIN)], machine.storage)
    started = time.process_time()
    bare = run_bare(request, machine)
    bare_seconds = time.process_time() - started

    cp = ControlProgram(Machine(SHADOW_GUEST_STORAGE + 64 * 1024))
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("LAB6", SHADOW_GUEST_STORAGE)
    image = bytearray(SHADOW_GUEST_STORAGE)
    load([(object_deck, ORIGIN)], image)
    cp.load("LAB6", 0, bytes(image))
    guest.control.load(0, SHADOW_SEGMENT_TABLE)
    mode = guest.control.values[MODE_REGISTER] | CR6_EXTENDED_CONTROL_MODE
    guest.control.load(MODE_REGISTER, mode)
    cp.set_psw("LAB6", SHADOW_START_PSW)
    dat = cp.machine.cpu.dat
    dat.reset_counters()
    started = time.process_time()
    supervisor.run(1_000_000)
    guest_seconds = time.process_time() - started
    state = cp.state("LAB6")
    state["instructions"] = supervisor.guest_instructions
    state["tlb"] = {"hits": dat.hits, "misses": dat.misses}
    shadow = guest.shadow
    return TranslatedRun(
        variant=variant,
        bare=bare,
        guest=state,
        cp_entries=supervisor.native_entries,
        shadow_builds=shadow.builds if shadow else 0,
        shadow_entries_filled=shadow.entries_filled if shadow else 0,
        shadow_invalidations=shadow.invalidations if shadow else 0,
        bare_seconds=bare_seconds,
        guest_seconds=guest_seconds,
    )


def translated_runs() -> tuple[TranslatedRun, TranslatedRun]:
    """Lab 6: purge.asm without and with a purge at every pass."""
    source = DECKS / "purge.asm"
    return (
        run_translated(assemble_file(source), "no purge"),
        run_translated(assemble_file(source, sysparm="PURGE"), "PURGE"),
    )


def shadow_table_lines() -> list[str]:
    runs = translated_runs()

    def row(label: str, values: list[str]) -> str:
        return f"{label:38s}" + "".join(f"{value:>14s}" for value in values)

    def same(run: TranslatedRun) -> str:
        fields = ("psw", "gpr", "cr", "instructions")
        return "yes" if all(run.bare[key] == run.guest[key] for key in fields) else "NO"

    return [
        "lab 6: purge.asm, its own translation on, 50 passes over 4 pages",
        row("", [run.variant for run in runs]),
        row("instructions (bare = under CP)", [str(run.bare["instructions"]) for run in runs]),
        row("same PSW, registers, CRs, count", [same(run) for run in runs]),
        row("bare: associative array misses", [str(run.bare["tlb"]["misses"]) for run in runs]),
        row("CP: associative array misses", [str(run.guest["tlb"]["misses"]) for run in runs]),
        row("CP: privileged instructions", [str(run.guest["cp"]["privops"]) for run in runs]),
        row("CP: page faults (CP's paging)", [str(run.guest["cp"]["page_faults"]) for run in runs]),
        row("CP: shadow tables built", [str(run.shadow_builds) for run in runs]),
        row("CP: shadow entries filled", [str(run.shadow_entries_filled) for run in runs]),
        row("CP: shadow tables thrown away", [str(run.shadow_invalidations) for run in runs]),
        row("CP: entries into CP", [str(run.cp_entries) for run in runs]),
        row(
            "host ms, bare / under CP (varies)",
            [f"{run.bare_seconds * 1e3:.1f} / {run.guest_seconds * 1e3:.1f}" for run in runs],
        ),
    ]


SCHEDULING_SECONDS = 2
SCHEDULING_STORAGE = 64 * 1024
WAKES = 0x2100
LATE = 0x2104


@dataclass
class SchedulingRun:
    """Lab 10: virtual machines under one dispatcher for SCHEDULING_SECONDS of virtual time."""

    machines: list[dict]  # name, instructions, dispatches, queue
    commands: int  # the typist's commands done
    late_units: int  # timer units the typist's commands waited for the CPU, in all
    slices: dict[str, int]  # the dispatcher's slices, in instructions
    seconds: float  # the virtual time the run took


def run_scheduling(loopers: int) -> SchedulingRun:
    """The typist and ``loopers`` looping guests under one CP."""
    from assembler.loader import load
    from vm370.cp.supervisor import Supervisor
    from vm370.cp.system import ControlProgram
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
    from vm370.hardware.machine import Machine

    cp = ControlProgram(Machine(512 * 1024))
    supervisor = Supervisor(cp)
    names = ["TYPIST"] + [f"LOOPER{number}" for number in range(1, loopers + 1)]
    decks = {"TYPIST": assemble_file(DECKS / "typist.asm")}
    looper = assemble_file(DECKS / "looper.asm")
    for name in names:
        cp.create_virtual_machine(name, SCHEDULING_STORAGE)
        image = bytearray(SCHEDULING_STORAGE)
        load([(decks.get(name, looper), ORIGIN)], image)
        cp.load(name, 0, bytes(image))
        cp.set_psw(name, ORIGIN)
    clock = cp.machine.clock
    end = SCHEDULING_SECONDS * INSTRUCTIONS_PER_SECOND
    # A run counts instructions; the clock also moves while CP waits for a
    # guest's timer, so it is run in short steps up to the virtual time.
    while clock.now < end:
        supervisor.run(min(5_000, end - clock.now))
    dispatcher = cp.dispatcher
    machines = []
    for name in names:
        machine = cp.virtual_machine(name)
        queue = dispatcher.queue_of(machine)
        machines.append(
            {
                "name": name,
                "instructions": machine.counters.instructions,
                "dispatches": machine.counters.dispatches,
                "queue": f"Q{queue.value}" if queue else machine.state.value,
            }
        )
    return SchedulingRun(
        machines=machines,
        commands=int.from_bytes(cp.read("TYPIST", WAKES, 4), "big"),
        late_units=int.from_bytes(cp.read("TYPIST", LATE, 4), "big"),
        slices={f"Q{queue.value}": size for queue, size in dispatcher.slices.items()},
        seconds=clock.now / INSTRUCTIONS_PER_SECOND,
    )


def scheduling_lines() -> list[str]:
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
    from vm370.hardware.timer import UNITS_PER_SECOND

    lines = []
    for loopers in (0, 2):
        run = run_scheduling(loopers)
        total = sum(machine["instructions"] for machine in run.machines)
        if not lines:
            lines.append(
                f"lab 10: the dispatcher's slices: Q1 "
                f"{run.slices['Q1'] * 1000 // INSTRUCTIONS_PER_SECOND} ms, Q2 "
                f"{run.slices['Q2'] * 1000 // INSTRUCTIONS_PER_SECOND} ms"
            )
        lines.append("")
        lines.append(
            f"the typist with {loopers} looping guests, {run.seconds:.3f} virtual seconds:"
        )
        lines.append(f"  {'machine':10s}{'instructions':>14s}{'share':>8s}{'dispatches':>12s}  now")
        for machine in run.machines:
            share = machine["instructions"] / total * 100 if total else 0
            lines.append(
                f"  {machine['name']:10s}{machine['instructions']:>14,d}{share:>7.1f}%"
                f"{machine['dispatches']:>12d}  {machine['queue']}"
            )
        late = run.late_units / UNITS_PER_SECOND * 1000 / max(1, run.commands)
        lines.append(
            f"  the typist's commands: {run.commands}, each waited {late:.2f} ms for the CPU "
            "on average"
        )
    return lines


SPOOL_SYSTEM = """\
STORAGE 1M
PACK SYSRES 2314 130 packs/sysres.ckd
AREA SYSRES PAGE 1 10
AREA SYSRES SPOOL 11 10
PACK USERS 2314 131 packs/users.ckd
AREA USERS PERM 1 20
DISPLAY 0C0-0C1 3277 MODEL 2
PRINTER 00E 1403 printer.txt
"""
SPOOL_DIRECTORY = """\
DIRECTORY 130 2314 SYSRES
USER ALICE APPLE 256K 1M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 2314 1 5 USERS W RALICE WALICE
USER BOB BANANA 256K 1M G
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 MDISK 191 2314 6 5 USERS W RBOB WBOB
"""
SPOOL_START = datetime.datetime(1972, 8, 2, 9, 0, 0)
IPL_ORIGIN = 0x1000
PASSWORDS = {"ALICE": "APPLE", "BOB": "BANANA"}
# Who types what, and what shows that CP has answered (None: CP READ again).
SPOOL_SCRIPT = (
    ("ALICE", "SPOOL PUNCH TO BOB", None),
    ("ALICE", "IPL 191", "DMKDSP450W"),
    ("ALICE", "CLOSE PUNCH", "PUN FILE"),
    ("BOB", "QUERY READER ALL", "ALICE"),
    ("BOB", "QUERY READER ALICE", "DMK"),
    ("BOB", "TRANSFER READER ALL TO ALICE", "TRANSFERRED"),
    ("BOB", "QUERY READER ALL", "NO RDR FILES"),
    ("ALICE", "QUERY READER ALL", "ALICE"),
    ("ALICE", "CLOSE PRINTER", None),
)


def _write_ipl_program(pack: Path, cylinder: int, object_deck: bytes) -> None:
    """A minidisk that IPLs: record 1 a PSW and a CCW that reads record 2, the program."""
    from assembler.loader import load
    from vm370.hardware.channel import SUPPRESS_LENGTH, make_ccw
    from vm370.hardware.devices.ckd_image import CKDImage, Record

    core = bytearray(IPL_ORIGIN + 0x4000)
    loaded = load([(object_deck, IPL_ORIGIN)], core)
    program = bytes(core[IPL_ORIGIN : loaded.end_address])
    read = make_ccw(0x06, IPL_ORIGIN, SUPPRESS_LENGTH, len(program))
    ipl_record = IPL_ORIGIN.to_bytes(8, "big") + read + bytes(8)
    image = CKDImage(pack)
    try:
        track = image.read_track(cylinder, 0)
        track.records[1:] = [
            Record(cylinder, 0, 1, b"", ipl_record),
            Record(cylinder, 0, 2, b"", program),
        ]
        image.write_track(cylinder, 0, track)
    finally:
        image.close()


def spool_session() -> tuple[list[tuple[str, str | None, list[str]]], list[str]]:
    """Lab 8: ALICE and BOB at two 3277s; each command and its answer, and the printer's file.

    A line that arrived at a terminal before its user typed again is
    reported with the command None.
    """
    from vm370.cp.realsystem import RealSystem
    from vm370.hardware.devices.ckd_image import create_image
    from vm370.terminal.scripted import ScriptedTerminal, run_until

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "packs").mkdir()
        (folder / "system.conf").write_text(SPOOL_SYSTEM)
        (folder / "user.direct").write_text(SPOOL_DIRECTORY)
        for pack in ("sysres", "users"):
            create_image(folder / "packs" / f"{pack}.ckd", "2314", cylinders=30)
        cards = assemble_file(DECKS / "cards.asm")
        _write_ipl_program(folder / "packs" / "users.ckd", 1, cards)
        system = RealSystem(folder, start_time=SPOOL_START)
        try:
            terminals = {}
            for index, userid in enumerate(PASSWORDS):
                terminal = ScriptedTerminal(system.displays[index].port)
                terminals[userid] = terminal
                run_until(system, lambda t=terminal: t.status() == "CP READ")
                _type(system, terminal, f"LOGON {userid}", "ENTER PASSWORD")
                _type(system, terminal, PASSWORDS[userid], "LOGON AT")
            session = []
            seen = {userid: len(terminal.transcript) for userid, terminal in terminals.items()}
            for userid, line, expect in SPOOL_SCRIPT:
                terminal = terminals[userid]
                arrived = terminal.transcript[seen[userid] :]
                if any(text.strip() for text in arrived):
                    session.append((userid, None, arrived))
                answer = _type(system, terminal, line, expect)
                seen[userid] = len(terminal.transcript)
                session.append((userid, line, answer))
            # The real printer prints at CP's pace: let the machine run a little.
            system.run(200_000)
        finally:
            system.shutdown()
        printed = (folder / "printer.txt").read_text(encoding="utf-8", errors="replace")
    return session, printed.splitlines()


def _type(system, terminal, line: str, expect: str | None) -> list[str]:
    """Type ``line``; the lines CP wrote in answer, once ``expect`` shows (or CP READ)."""
    from vm370.terminal.scripted import run_until

    run_until(system, lambda: not terminal.keyboard_locked())
    before = len(terminal.transcript)
    terminal.type_line(line)

    def answered() -> bool:
        if terminal.keyboard_locked():
            return False
        new = "\n".join(terminal.transcript[before:])
        if expect is None:
            return terminal.status() == "CP READ" and len(terminal.transcript) > before
        return expect in new

    run_until(system, answered)
    return terminal.transcript[before:]


def spool_lines() -> list[str]:
    session, printed = spool_session()
    lines = ["lab 8: ALICE and BOB logged on at two 3277s of one system", ""]
    for userid, line, answer in session:
        if line is None:
            lines.append(f"{userid + ':':7s}(CP wrote, unasked)")
            lines += [f"       {text}" for text in answer if text.strip()]
            continue
        lines.append(f"{userid + ':':7s}{line}")
        echoed = answer[1:] if answer and answer[0].strip() == line else answer
        lines += [f"       {text}" for text in echoed if text.strip()]
    separator = [number for number, text in enumerate(printed) if text.startswith("USERID ")]
    lines += ["", "the real printer's file, printer.txt in the data folder:"]
    if separator:
        lines.append(f"  {separator[-1] + 1} lines of separator page, ending with")
        lines += [f"  {text.rstrip()}" for text in printed[separator[-1] :] if text.strip()]
    else:
        lines.append("  nothing printed")
    return lines


EXPERIMENTS = {
    4: disk_read_lines,
    6: shadow_table_lines,
    8: spool_lines,
    10: scheduling_lines,
}


def run_experiment(number: int) -> list[str]:
    experiment = EXPERIMENTS.get(number)
    if experiment is None:
        with_runs = ", ".join(str(key) for key in sorted(EXPERIMENTS))
        raise LabError(
            f"lab {number} has no experiment to run here (labs with one: {with_runs}); "
            f"its page gives the commands"
        )
    return experiment()

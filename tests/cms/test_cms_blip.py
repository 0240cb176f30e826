"""SET BLIP and QUERY BLIP, and the blip itself: the interval timer's external interruptions.

VM/370 Release 6 (DMSSET, DMSQRY, DMSITE; CMS Command Reference, SET BLIP): while a
command runs, CMS types the blip string every two seconds of the virtual machine's CPU
time. ON is the default (upper and lower case shift, which print nothing: a blank
line on these consoles), OFF stops it, and a string of up to 8 characters, or its
first n with ``( n )``, replaces it. The machine's clock is virtual (one instruction a
microsecond, docs/cpu.md), so a loop of a known number of instructions runs a known
number of seconds and the blips it earns can be counted from that alone.
"""

from __future__ import annotations

import re

import pytest
from cms_disks import opened

from assembler import assemble
from cms.build import MACLIB_DIRECTORY
from cms.filesystem import CMSDisk, binary_to_records, text_to_records
from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
from vm370.hardware.devices.ckd_image import create_image

# Three instructions a turn (LA, C, BL); the registers R5-R11 and R13 are checked
# after the loop, and the loop's count depends on its condition code surviving
# every interruption. Return code 0 when everything is as it was, else 8.
LOOP = """\
LOOP     CSECT
         USING LOOP,12
         ST    14,RET
         ST    13,SAVED13
         LM    5,11,SEVEN
         SR    4,4
AGAIN    LA    4,1(,4)
         C     4,COUNT
         BL    AGAIN
         LR    3,4
         C     13,SAVED13
         BNE   WRONG
         STM   5,11,AFTER
         CLC   AFTER,SEVEN
         BNE   WRONG
         LINEDIT TEXT='COUNT ........',SUB=(DEC,(3))
         L     14,RET
         SR    15,15
         BR    14
WRONG    L     14,RET
         LA    15,8
         BR    14
RET      DS    F
SAVED13  DS    F
COUNT    DC    F'{count}'
SEVEN    DC    F'5,6,7,8,9,10,11'
AFTER    DS    7F
         LTORG
         END   LOOP
"""

# Twenty-five times: a loop of 100,000 turns (0.3 seconds), then a line typed. The
# timer runs out in the loop, in the SVC, in DMSCWR and around the console I/O.
CHATTY = """\
CHATTY   CSECT
         USING CHATTY,12
         ST    14,RET
         LA    6,1
ROUND    L     3,=F'100000'
         SR    4,4
SPIN     LA    4,1(,4)
         BCT   3,SPIN
         C     4,=F'100000'
         BNE   WRONG
         LINEDIT TEXT='ROUND ..',SUB=(DEC,(6))
         LA    6,1(,6)
         C     6,=F'25'
         BNH   ROUND
         L     14,RET
         SR    15,15
         BR    14
WRONG    L     14,RET
         LA    15,8
         BR    14
RET      DS    F
         LTORG
         END   CHATTY
"""

INSTRUCTIONS_A_TURN = 3
TWO_SECONDS = 2 * INSTRUCTIONS_PER_SECOND


def deck(source: str) -> list[bytes]:
    result = assemble(source, maclib=[MACLIB_DIRECTORY])
    assert result.return_code == 0, [d.message for d in result.diagnostics]
    return binary_to_records(result.object_deck, "F", 80)


def turns_for(seconds: float) -> int:
    return int(seconds * INSTRUCTIONS_PER_SECOND / INSTRUCTIONS_A_TURN)


@pytest.fixture
def loop_disk(tmp_path):
    """A 191 with LONG TEXT (7 seconds of loop), SHORT TEXT (1.5 seconds), CHATTY TEXT."""
    path = create_image(tmp_path / "loops.2314", "2314", 2)
    with opened(path, 0, 2) as device:
        disk = CMSDisk.format(device, "BLP191")
        disk.write("LONG", "TEXT", deck(LOOP.format(count=turns_for(7))), "F", 80)
        disk.write("SHORT", "TEXT", deck(LOOP.format(count=turns_for(1.5))), "F", 80)
        disk.write("CHATTY", "TEXT", deck(CHATTY), "F", 80)
        # An EXEC: its loop runs in the nucleus (DMSEXT), under SVC 202.
        counting = "&X = 0\n&LOOP 3 &1\n&LOOP 1 1000\n&X = &X + 1\n&TYPE AT &X\n&TYPE DONE &X\n"
        disk.write("COUNTING", "EXEC", text_to_records(counting), "F", 80)
    return path


def between(lines: list[str], start: str, end_prefix: str) -> list[str]:
    """The lines after ``start`` up to the first that starts with ``end_prefix``."""
    first = lines.index(start) + 1
    for index in range(first, len(lines)):
        if lines[index].startswith(end_prefix):
            return lines[first:index]
    raise AssertionError(f"no line starting {end_prefix!r} after {start!r}")


def answers(run, typed: list[str]) -> list[list[str]]:
    """What each typed line printed, up to the next typed line's echo (lines may repeat)."""
    result, index = [], 0
    for number, line in enumerate(typed):
        index = run.lines.index(line, index) + 1
        following = typed[number + 1] if number + 1 < len(typed) else None
        end = run.lines.index(following, index) if following is not None else len(run.lines)
        result.append(run.lines[index:end])
        index = end
    return result


def run_program(run_cms, disk, name: str, before: list[str], budget: int = 40_000_000):
    typed = [*before, f"load {name}", "start"]
    run = run_cms(typed, disks={0x191: disk}, max_instructions=budget)
    run.close()
    assert run.stop == "enabled-wait"
    return run


def test_query_blip_is_on_by_default_and_shows_what_set_blip_set(run_cms):
    typed = [
        "query blip",
        "set blip *",
        "query blip",
        "set blip abcdefghij (3",
        "query blip",
        "set blip xy ( 1 )",
        "query blip",
        "set blip off",
        "query blip",
        "set blip on",
        "query blip",
    ]
    run = run_cms(typed)
    shown = answers(run, typed)
    assert shown[0] == ["BLIP     = ON", "R;"]
    assert shown[1][0] == "R;"
    assert shown[2] == ["BLIP     = *", "R;"]
    assert shown[4] == ["BLIP     = ABC", "R;"]  # the word cut at 8, then its first 3
    assert shown[6] == ["BLIP     = X", "R;"]
    assert shown[8] == ["BLIP     = OFF", "R;"]
    assert shown[10] == ["BLIP     = ON", "R;"]


def test_set_blip_bad_operands_get_vm370s_messages(run_cms):
    typed = [
        "set blip",
        "set blip on now",
        "set blip off x",
        "set blip * more",
        "set blip * ( 9",
        "set blip * ( 0",
        "set blip * ( 12",
        "set blip * ( 2 x",
        "set blip * ( 2 ) x",
        "query blip",
    ]
    run = run_cms(typed)
    assert answers(run, typed) == [
        ["DMSSET050E PARAMETER MISSING AFTER BLIP", "R(00024);"],
        ["DMSSET070E INVALID PARAMETER NOW", "R(00024);"],
        ["DMSSET070E INVALID PARAMETER X", "R(00024);"],
        ["DMSSET070E INVALID PARAMETER MORE", "R(00024);"],
        ["DMSSET026E INVALID PARAMETER 9 FOR BLIP FUNCTION", "R(00024);"],
        ["DMSSET026E INVALID PARAMETER 0 FOR BLIP FUNCTION", "R(00024);"],
        ["DMSSET026E INVALID PARAMETER 12 FOR BLIP FUNCTION", "R(00024);"],
        ["DMSSET070E INVALID PARAMETER X", "R(00024);"],
        ["DMSSET070E INVALID PARAMETER X", "R(00024);"],
        ["BLIP     = ON", "R;"],  # nothing changed
    ]


def test_a_seven_second_program_blips_three_times_and_ends_as_it_would_have(run_cms, loop_disk):
    run = run_program(run_cms, loop_disk, "long", ["set blip *"])
    shown = between(run.lines, "start", "COUNT")
    assert shown == ["DMSLIO740I EXECUTION BEGINS...", "*", "*", "*"]
    after = run.after("start")
    count = after.index(f"COUNT {turns_for(7)}.")
    assert after[count + 1] == "R;"  # return code 0: its registers and count were intact


def test_the_default_blip_prints_nothing_but_its_line(run_cms, loop_disk):
    run = run_program(run_cms, loop_disk, "long", [])
    shown = between(run.lines, "start", "COUNT")
    assert shown[0] == "DMSLIO740I EXECUTION BEGINS..."
    assert len(shown[1:]) == 3 and all(line.strip() == "" for line in shown[1:])


def test_a_program_under_two_seconds_does_not_blip(run_cms, loop_disk):
    run = run_program(run_cms, loop_disk, "short", ["set blip *"])
    assert between(run.lines, "start", "COUNT") == ["DMSLIO740I EXECUTION BEGINS..."]
    assert run.after("start")[-1] == "R;"


def test_blip_off_types_no_blips(run_cms, loop_disk):
    run = run_program(run_cms, loop_disk, "long", ["set blip *", "set blip off"])
    assert between(run.lines, "start", "COUNT") == ["DMSLIO740I EXECUTION BEGINS..."]
    assert run.after("start")[-1] == "R;"


def test_blips_between_a_programs_own_lines_leave_them_whole_and_in_order(run_cms, loop_disk):
    run = run_program(run_cms, loop_disk, "chatty", ["set blip *"])
    after = run.after("start")
    assert after[0] == "DMSLIO740I EXECUTION BEGINS..."
    assert after[-1] == "R;"
    printed = [line for line in after[1:-1] if line != "*"]
    assert printed == [f"ROUND {n}." for n in range(1, 26)]
    # 25 x 0.3 seconds of loop, and a little more: three or (a blip dropped while the
    # console was busy, as VM/370 drops it) two.
    assert after[1:-1].count("*") in (2, 3)


def test_an_exec_looping_in_the_nucleus_blips_and_counts_right(run_cms, loop_disk):
    # About 700 instructions a turn: 6,000 turns are some 4 seconds.
    run = run_cms(
        ["set blip *", "counting 6"], disks={0x191: loop_disk}, max_instructions=20_000_000
    )
    run.close()
    after = run.after("counting 6")
    assert after[-2:] == ["DONE 6000", "R;"]
    printed = [line for line in after[:-1] if line != "*"]
    assert printed == [f"AT {n}000" for n in range(1, 7)] + ["DONE 6000"]
    assert after.count("*") >= 1


def test_the_ready_message_comes_after_the_last_blip_and_identical_runs_print_the_same(
    run_cms, loop_disk
):
    first = run_program(run_cms, loop_disk, "long", ["set blip -"]).lines
    second = run_program(run_cms, loop_disk, "long", ["set blip -"]).lines
    assert first == second
    assert re.fullmatch(r"R;", first[-1])


def nucon_offsets(*names: str) -> list[int]:
    """Where NUCON puts ``names`` (assembled from the macro, as the nucleus has them)."""
    source = "X        CSECT\n" + "".join(f"         DC    A({name}-NUCON)\n" for name in names)
    result = assemble(source + "         NUCON\n         END\n", maclib=[MACLIB_DIRECTORY])
    assert result.return_code == 0
    cards = [result.object_deck[n : n + 80] for n in range(0, len(result.object_deck), 80)]
    code = next(card for card in cards if card[1:4] == "TXT".encode("cp037"))[16:]
    return [int.from_bytes(code[4 * n : 4 * n + 4], "big") for n in range(len(names))]


def test_a_timer_interruption_inside_dmsios_leaves_its_io_alone(run_cms, cms_system):
    """The timer runs out just after DMSIOS saved its caller's registers: no blip then.

    Were DMSITE to type through DMSIOS there, DMSIOS's save area would be its own
    and the interrupted I/O would come back into DMSITE."""
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2314
    from vm370.hardware.machine import Machine

    nucmask, extflags, timer = nucon_offsets("NUCMASK", "EXTFLAGS", "TIMER")
    dmsios = cms_system.nucleus.symbols["DMSIOS"]
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    typed = ["set blip *", "query blip", "query blip"]
    for line in typed:
        console.type_line(line)
    machine.attach(0x009, console)
    machine.attach(0x190, Dasd2314(cms_system.pack, read_only=True))
    machine.ipl(0x190)
    memory = machine.storage.mem
    for _ in range(500_000):
        machine.run(1)
        busy = memory[extflags] & 0x80 and memory[nucmask] == 0x01
        if busy and dmsios + 8 <= machine.cpu.ia <= dmsios + 0x1A:  # STM done, no SIO yet
            break
    else:
        raise AssertionError("DMSIOS never ran while a command was running")
    # (the first is SET's: DMSIOS reading the S disk, looking for SET EXEC)
    machine.storage.write_word(timer, 0xFFFFFF00)
    machine.cpu.request_timer_interruption()
    assert machine.run(5_000_000) == "enabled-wait"
    lines = "".join(console.transcript).splitlines()
    assert lines == [
        "CMS VERSION 6.0",
        "set blip *",
        "R;",  # no blip: DMSIOS was busy
        "query blip",
        "BLIP     = *",
        "R;",
        "query blip",
        "BLIP     = *",
        "R;",
    ]


def test_the_interrupt_key_in_a_running_program_changes_nothing(cms_system, loop_disk):
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2314
    from vm370.hardware.machine import Machine

    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    for line in ["set blip *", "load long", "start"]:
        console.type_line(line)
    machine.attach(0x009, console)
    machine.attach(0x190, Dasd2314(cms_system.pack, read_only=True))
    disk = Dasd2314(loop_disk)
    machine.attach(0x191, disk)
    machine.ipl(0x190)
    machine.run(3 * INSTRUCTIONS_PER_SECOND)  # into the program's loop
    assert "DMSLIO740I EXECUTION BEGINS..." in "".join(console.transcript)
    machine.press_interrupt_key()
    assert machine.run(40_000_000) == "enabled-wait"
    disk.close()
    lines = "".join(console.transcript).splitlines()
    assert between(lines, "start", "COUNT") == ["DMSLIO740I EXECUTION BEGINS...", "*", "*", "*"]
    assert lines[-2:] == [f"COUNT {turns_for(7)}.", "R;"]


@pytest.mark.parametrize("interval", [997, 101])
def test_blips_forced_every_few_instructions_change_nothing_but_add_blips(
    run_cms, cms_system, tmp_path, interval
):
    """The timer made to run out every ``interval`` instructions, wherever CMS is: in
    DMSINT, an SVC, DMSCWR, the file system, DMSIOS, the EXEC interpreter and its console
    read, DMSITE itself. Without the blip lines the console shows what a run without them
    shows, and the disk ends the same."""
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2314
    from vm370.hardware.machine import Machine

    def files(path) -> dict:
        with opened(path, 0, 2, read_only=True) as device:
            disk = CMSDisk.open(device)
            assert disk.check() == []
            return {
                entry.fileid: disk.read(entry.filename, entry.filetype) for entry in disk.files()
            }

    def make_disk(name: str):
        path = create_image(tmp_path / name, "2314", 2)
        with opened(path, 0, 2) as device:
            disk = CMSDisk.format(device, "BLP191")
            lines = "".join(f"record {n}\n" for n in range(1, 41))
            disk.write("DATA", "ONE", text_to_records(lines), "F", 80)
            counting = "&X = 0\n&LOOP 3 &1\n&LOOP 1 20\n&X = &X + 1\n&TYPE AT &X\n"
            counting += "&READ VARS &A &B\n&TYPE GOT &B &A\n"
            disk.write("COUNTING", "EXEC", text_to_records(counting), "F", 80)
        return path

    typed = [
        "set blip +",
        "listfile * * a",
        "copyfile data one a copy one a",
        "type copy one a",
        "rename copy one a other one a",
        "counting 3",
        "read this",
        "query blip",
        "erase other one a",
        "query disk a",
    ]
    quiet_disk = make_disk("quiet.2314")
    quiet = run_cms(typed, disks={0x191: quiet_disk})
    quiet.close()
    assert all(line.strip() not in ("", "+") for line in quiet.lines)

    nucmask, timer = nucon_offsets("NUCMASK", "TIMER")
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    for line in typed:
        console.type_line(line)
    machine.attach(0x009, console)
    machine.attach(0x190, Dasd2314(cms_system.pack, read_only=True))
    forced_disk = make_disk("forced.2314")
    disk = Dasd2314(forced_disk)
    machine.attach(0x191, disk)
    machine.ipl(0x190)
    forced = 0
    for _ in range(20_000_000 // interval):
        if machine.run(interval) != "limit":
            break
        if machine.storage.mem[nucmask] == 0x01:
            forced += 1
        machine.storage.write_word(timer, 0xFFFFFF00)
        machine.cpu.request_timer_interruption()
    else:
        raise AssertionError("CMS did not come back to its read: it lost its way")
    disk.close()
    lines = "".join(console.transcript).splitlines()
    # (blips before SET BLIP + took effect are the default's, blank)
    assert [line for line in lines if line.strip() not in ("", "+")] == quiet.lines
    assert forced > 100 and lines.count("+") > 50
    assert files(forced_disk) == files(quiet_disk)


READLEN = """\
READLEN  CSECT
         SAVE  (14,12)
         LR    12,15
         USING READLEN,12
         RDTERM LINE
         LR    3,0                      the length typed
         LINEDIT TEXT='LENGTH ...',SUB=(DEC,(3))
         RETURN (14,12),RC=0
LINE     DS    CL130
         END
"""


def test_a_blip_just_after_each_io_leaves_its_csw_to_the_caller(run_cms, cms_system, tmp_path):
    """The timer made to run out at the first instruction back from every DMSIOS call a
    command makes: the callers read IOCSW then (DMSCRD the length of the line read, for
    &READ; READCARD and DISK LOAD the unit exception), and DMSITE's own I/O is between."""
    from vm370.hardware.devices.console1052 import Console1052
    from vm370.hardware.devices.dasd import Dasd2314
    from vm370.hardware.machine import Machine

    path = create_image(tmp_path / "read.2314", "2314", 2)
    with opened(path, 0, 2) as device:
        disk = CMSDisk.format(device, "BLP191")
        asks = "&READ VARS &A &B\n&TYPE GOT &B &A\n&READ VARS &C\n&TYPE THEN &C\n"
        disk.write("ASKS", "EXEC", text_to_records(asks), "F", 80)
        disk.write("READLEN", "TEXT", deck(READLEN), "F", 80)
    typed = ["set blip +", "asks", "first second", "x", "load readlen", "start", "abc de"]
    typed += ["query blip", "listfile * * a"]
    quiet = run_cms(typed, disks={0x191: path})
    quiet.close()
    assert quiet.after("x")[:2] == ["THEN X", "R;"]
    assert quiet.after("abc de")[:2] == ["LENGTH 6.", "R;"]

    nucmask, timer = nucon_offsets("NUCMASK", "TIMER")
    symbols = cms_system.nucleus.symbols
    start = symbols["DMSIOS"]
    end = min(address for address in symbols.values() if address > start)
    machine = Machine(256 * 1024)
    console = Console1052(None, None)
    for line in typed:
        console.type_line(line)
    machine.attach(0x009, console)
    machine.attach(0x190, Dasd2314(cms_system.pack, read_only=True))
    disk = Dasd2314(path)
    machine.attach(0x191, disk)
    machine.ipl(0x190)
    memory, cpu = machine.storage.mem, machine.cpu
    forced, previous = 0, 0
    for _ in range(3_000_000):
        if machine.run(1) != "limit":
            break
        here = cpu.ia
        if start <= previous < end and not start <= here < end and memory[nucmask] == 0x01:
            forced += 1
            machine.storage.write_word(timer, 0xFFFFFF00)
            cpu.request_timer_interruption()
        previous = here
    else:
        raise AssertionError("CMS did not come back to its read")
    disk.close()
    lines = "".join(console.transcript).splitlines()
    assert [line for line in lines if line.strip() not in ("", "+")] == quiet.lines
    assert forced > 10 and lines.count("+") > 10

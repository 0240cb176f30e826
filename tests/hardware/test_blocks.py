"""Block translation (vm370/hardware/blocks.py): translated runs end exactly as interpreted ones.

The reference is the same CPU with translation off (``block_hot_count`` 0),
run instruction by instruction. Every test compares the whole architected
state a program or an observer can see: registers, PSW, all of storage, the
instruction count, the virtual clock and the associative array's counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "support"))

from random_programs import generate  # noqa: E402

from vm370.hardware.control_registers import (  # noqa: E402
    CR6_EXTENDED_CONTROL_MODE,
    ECPSW,
    MODE_REGISTER,
    SEGMENT_TABLE_REGISTER,
)
from vm370.hardware.dat import (  # noqa: E402
    page_table_entry,
    segment_table_entry,
    segment_table_register,
)
from vm370.hardware.machine import Machine  # noqa: E402
from vm370.hardware.psw import PROGRAM_NEW_PSW, PROGRAM_OLD_PSW  # noqa: E402

DISABLED_WAIT = 0x0002_0000_0000_0000
WAIT_PSW_ADDRESS = 0x408


def state(machine: Machine) -> dict:
    cpu = machine.cpu
    return {
        "psw": f"{cpu.current_psw():016X}",
        "gpr": list(cpu.gpr),
        "fpr": list(cpu.fpr),
        "storage": bytes(machine.storage.mem),
        "instructions": cpu.instructions_executed,
        "clock": machine.clock.now,
        "tlb": (cpu.dat.hits, cpu.dat.misses),
    }


def run_program(image: bytes, psw: int, size: int, hot_count: int, dat: bool = False):
    machine = Machine(size)
    machine.cpu.block_hot_count = hot_count
    machine.load(0, image)
    return machine, start_program(machine, psw, dat)


def run_program_twice(image: bytes, psw: int, size: int, hot_count: int, dat: bool = False):
    """Run the program, put back the storage and registers it changed, and run it again.

    A block runs from the second time its start is met, so in one run only
    loop bodies run translated; the second run meets the blocks the first
    one made all along the program.
    """
    machine, _stop = run_program(image, psw, size, hot_count, dat)
    mem = machine.storage.mem
    changed = [address for address in range(len(image)) if mem[address] != image[address]]
    for address in changed:
        # Byte by byte, as a loader would: a byte of code put back drops its blocks.
        machine.storage.write(address, image[address : address + 1])
    machine.cpu.gpr[:] = [0] * 16
    machine.cpu.fpr[:] = [0] * 4
    return machine, start_program(machine, psw, dat)


def start_program(machine: Machine, psw: int, dat: bool) -> str:
    if dat:
        # The first megabyte mapped to itself, the program in EC mode with
        # translation on (the new PSWs of the image read the same in EC mode).
        identity_map(machine, TABLES, 256)
        machine.set_psw(
            ECPSW(
                translation=True,
                key=(psw >> 52) & 15,
                problem_state=True,
                instruction_address=psw & 0xFFFFFF,
            ).to_int()
        )
    else:
        machine.set_psw(psw)
    return machine.run(200_000)


TABLES = 0x100000


def identity_map(machine: Machine, origin: int, pages: int) -> None:
    page_table = origin + 0x100
    machine.load(origin, segment_table_entry(page_table, pages).to_bytes(4, "big"))
    for page in range(pages):
        machine.load(page_table + 2 * page, page_table_entry(page << 12).to_bytes(2, "big"))
    control = machine.cpu.control
    control.load(MODE_REGISTER, CR6_EXTENDED_CONTROL_MODE)
    control.load(SEGMENT_TABLE_REGISTER, segment_table_register(origin, 16))


@pytest.mark.parametrize("seed", range(3000, 3150))
@pytest.mark.parametrize("hot_count", [1, 2])
def test_random_program_ends_the_same_translated_as_interpreted(seed, hot_count):
    program = generate(seed)
    reference, reference_stop = run_program(program.image, program.psw, program.storage_size, 0)
    machine, stop = run_program(program.image, program.psw, program.storage_size, hot_count)
    assert stop == reference_stop
    assert state(machine) == state(reference), program.describe()


@pytest.mark.parametrize("seed", range(5000, 5400))
@pytest.mark.parametrize("dat", [False, True])
def test_random_program_run_again_over_its_blocks_ends_as_interpreted(seed, dat):
    program = generate(seed)
    size = program.storage_size
    reference, reference_stop = run_program_twice(program.image, program.psw, size, 0, dat)
    machine, stop = run_program_twice(program.image, program.psw, size, 1, dat)
    assert stop == reference_stop
    assert state(machine) == state(reference), program.describe()


@pytest.mark.parametrize("seed", range(4000, 4060))
def test_random_program_ends_the_same_translated_as_interpreted_with_dat_on(seed):
    program = generate(seed)
    size = program.storage_size
    reference, reference_stop = run_program(program.image, program.psw, size, 0, dat=True)
    machine, stop = run_program(program.image, program.psw, size, 1, dat=True)
    assert stop == reference_stop
    assert state(machine) == state(reference), program.describe()
    assert reference.cpu.dat.hits > 0


def loop_machine(
    body: str, count: int, hot_count: int, translated: bool = False, size: int = 256 * 1024
) -> Machine:
    """L 3,COUNT; the body; BCT 3,body; LPSW wait, at X'200', as benchmarks/cpu_mips.py."""
    machine = Machine(size)
    machine.cpu.block_hot_count = hot_count
    code = bytes.fromhex(
        "58300400" + body.replace(" ", "") + "4630 0204".replace(" ", "") + "82000408"
    )
    machine.load(0x200, code)
    machine.load(0x400, count.to_bytes(4, "big"))
    wait = ECPSW(wait=True).to_int() if translated else DISABLED_WAIT
    machine.load(WAIT_PSW_ADDRESS, wait.to_bytes(8, "big"))
    machine.load(PROGRAM_NEW_PSW, (wait | 0xBAD0).to_bytes(8, "big"))
    machine.load(0x500, bytes(4))
    machine.cpu.gpr[1] = 1
    if translated:
        identity_map(machine, 0x10000, 16)
        machine.set_psw(ECPSW(translation=True, instruction_address=0x200).to_int())
    else:
        machine.set_psw(0x200)
    return machine


@pytest.mark.parametrize("translated", [False, True])
def test_a_loop_runs_as_one_block_with_the_same_counts_time_and_tlb(translated):
    body = "5820 0500 1A21 5020 0500 4144 0001"
    reference = loop_machine(body, 5000, 0, translated)
    machine = loop_machine(body, 5000, 2, translated)
    assert reference.run(1_000_000) == machine.run(1_000_000) == "disabled-wait"
    assert state(machine) == state(reference)
    assert [block.start for block in machine.cpu.translated_blocks()] == [0x204]
    assert machine.cpu.gpr[2] == 5000


def test_the_interval_timer_interrupts_at_the_same_instruction_translated():
    # External new PSW: a disabled wait; the timer starts at 1 unit, the
    # external mask is on, so the loop is cut by the timer mid-run.
    results = []
    for hot_count in (0, 1):
        machine = loop_machine("1A21", 1_000_000, hot_count)
        machine.load(0x58, DISABLED_WAIT.to_bytes(8, "big"))
        machine.load(0x50, (40).to_bytes(4, "big"))
        machine.set_psw(0x0100_0000_0000_0200)
        machine.run(3_000_000)
        results.append(state(machine))
    assert results[0] == results[1]
    assert results[0]["gpr"][2] not in (0, 1_000_000)


def test_an_overflow_inside_a_block_leaves_the_psw_at_the_next_instruction():
    # Program mask 8: the AR that overflows interrupts; ILC 1, address after it.
    results = []
    for hot_count in (0, 1):
        machine = loop_machine("1A21 1A22", 100, hot_count)
        machine.cpu.gpr[2] = 0x10000000
        machine.set_psw(0x0000_0000_0800_0200)
        machine.run(10_000)
        results.append(state(machine))
        old = int.from_bytes(machine.storage.mem[PROGRAM_OLD_PSW : PROGRAM_OLD_PSW + 8], "big")
        assert old & 0xFFFF_0000_0000 == 0x0008_0000_0000
        assert (old >> 30) & 3 == 1
    assert results[0] == results[1]


@pytest.mark.parametrize("translated", [False, True])
@pytest.mark.parametrize("timer", [None, 37, 1000])
def test_a_loop_whose_adds_overflow_unmasked_ends_with_the_interpreted_code(translated, timer):
    # AR 2,1 with R1 = X'30000000': every few passes the sum overflows (code
    # 3, program mask 0, no interruption), between them codes 1 and 2. The
    # block keeps the code of its last AR until it leaves; the timer, when
    # set, cuts the loop at some pass with the PSW (and its code) stored.
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine("1A21", 1001, hot_count, translated)
        machine.cpu.gpr[1] = 0x30000000
        if timer is not None:
            machine.load(0x58, DISABLED_WAIT.to_bytes(8, "big"))
            machine.load(0x50, timer.to_bytes(4, "big"))
            machine.cpu.system_mask |= 0x01
        machine.run(100_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    if timer is None:
        assert results[0]["gpr"][2] == (1001 * 0x30000000) & 0xFFFFFFFF


@pytest.mark.parametrize(
    "body, start, code",
    [
        # L 4,0(5); LA 5,4(5); AR 2,1: the load fails in pass 11, before its
        # AR: ten ARs of 3 to -30 leave 0.
        ("5840 5000 4155 0004 1A21", -30, 0),
        # AR 2,1; L 4,0(5); LA 5,4(5): it fails after the eleventh AR (3).
        ("1A21 5840 5000 4155 0004", -30, 2),
        # SR 2,1; OR 2,2; L 4,0(5); LA 5,4(5): eleven SRs of 3 from 33; the
        # code is the OR's.
        ("1B21 1622 5840 5000 4155 0004", 33, 0),
    ],
)
@pytest.mark.parametrize("translated", [False, True])
def test_a_program_check_in_a_later_pass_stores_the_code_of_the_last_setter(
    body, start, code, translated
):
    # Register 5 walks up to the end of storage: an addressing exception
    # (with translation on, a translation exception) in the eleventh pass,
    # whose code differs from that of the first pass (stepped before the
    # block runs) and the PSW's at the start (0).
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine(body, 1000, hot_count, translated)
        machine.cpu.gpr[1] = 3
        machine.cpu.gpr[2] = start & 0xFFFFFFFF
        machine.cpu.gpr[5] = (0x10000 if translated else 0x40000) - 40
        machine.run(100_000)
        results.append(state(machine))
        assert machine.cpu.ia == 0xBAD0
    assert results[0] == results[1] == results[2]
    old = int.from_bytes(results[0]["storage"][PROGRAM_OLD_PSW : PROGRAM_OLD_PSW + 8], "big")
    # The code in the old PSW: bits 34-35 in BC mode, 18-19 in EC mode.
    assert ((old >> 44) if translated else (old >> 28)) & 3 == code


@pytest.mark.parametrize("instruction", ["1A21", "1B21"])
@pytest.mark.parametrize(
    "first, second",
    [
        (0x7FFFFFF0, 1),
        (0x80000010, 0xFFFFFFFF),
        (0x7FFFFFF0, 0xFFFFFFFF),
        (0x80000010, 1),
        (0, 0x80000000),
        (0xFFFFFFF0, 0x80000000),
        (0x10, 0x7FFFFFFF),
        (0xFFFFFFF0, 0x7FFFFFFF),
        (5, 0),
    ],
)
@pytest.mark.parametrize("program_mask", [0, 8])
def test_adds_and_subtracts_of_an_unchanging_register_overflow_as_interpreted(
    instruction, first, second, program_mask
):
    # AR 2,1 or SR 2,1 forty times with register 1 fixed: register 2 walks
    # across the bound where the sum or difference overflows (or, for some
    # pairs, never does); with the mask on the first overflow interrupts.
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine(instruction, 40, hot_count)
        machine.cpu.gpr[1] = second
        machine.cpu.gpr[2] = first
        machine.set_psw(0x200 | program_mask << 24)
        machine.run(10_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]


def test_an_operand_page_whose_frame_ends_beyond_storage_is_an_addressing_exception_there():
    # 258K of storage; page 5 maps to X'40000', whose first 2K are storage.
    # L 4,0(5) reads X'40000'; L 6,0(7) with register 7 X'5F00' (the same
    # page) reads beyond the end: an addressing exception on every pass. The
    # program-check routine at X'300' counts with BCT 3 back into the loop,
    # fifty times, then stops.
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine("5840 5000 5867 0000 1A21", 50, hot_count, True, 258 * 1024)
        machine.cpu.gpr[5] = 0x5000
        machine.cpu.gpr[7] = 0x5F00
        machine.load(0x10100 + 2 * 5, page_table_entry(0x40000).to_bytes(2, "big"))
        machine.load(0x40000, (1234).to_bytes(4, "big"))
        machine.load(0x300, bytes.fromhex("46300204 82000408"))
        new_psw = ECPSW(translation=True, instruction_address=0x300).to_int()
        machine.load(PROGRAM_NEW_PSW, new_psw.to_bytes(8, "big"))
        machine.run(100_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    old = int.from_bytes(results[0]["storage"][PROGRAM_OLD_PSW : PROGRAM_OLD_PSW + 8], "big")
    assert old & 0xFFFF_FFFF == 0x20C  # after the second L
    assert results[0]["gpr"][3] == 0 and results[0]["gpr"][4] == 1234
    assert results[0]["gpr"][2] == 0  # no AR ran


@pytest.mark.parametrize(
    "body",
    [
        "1A21 1B41",  # AR 2,1; SR 4,1
        "1E21 1F41",  # ALR 2,1; SLR 4,1
        "1E21 1221",  # ALR 2,1; LTR 2,1
        "1421 1641 1721",  # NR, OR, XR
        "5E20 0500 5F40 0504",  # AL 2,X'500'; SL 4,X'504'
        "1A21 8920 0001",  # AR 2,1; SLL 2,1
        "4322 0500 1A21",  # IC 2,X'500'(2); AR 2,1
        "6A00 0508 1E21",  # AD 0,X'508'; ALR 2,1
    ],
)
@pytest.mark.parametrize("target", ["register", "elsewhere"])
@pytest.mark.parametrize("count", [1, 7, 0x10000])
def test_counted_loops_of_register_instructions_end_as_interpreted(body, target, count):
    # The body, then BCTR 3,12 with register 12 the body's start, or BCT
    # 3,0(12) with register 12 an unconditional branch back to the start;
    # after the loop BALR 14,0 keeps the condition code in register 14.
    code = bytes.fromhex(body.replace(" ", ""))
    if target == "register":
        tail = bytes.fromhex("063C 05E0 8200 0408".replace(" ", ""))
        branch_to = 0x200
    else:
        tail = bytes.fromhex("4630 C000 05E0 8200 0408 47F0 0200".replace(" ", ""))
        branch_to = 0x200 + len(code) + 10
    results = []
    for hot_count in (0, 1, 2):
        machine = Machine(64 * 1024)
        machine.cpu.block_hot_count = hot_count
        machine.load(0x200, code + tail)
        machine.load(0x500, bytes.fromhex("7FFFFFF0 00000007 4110000000000000"))
        machine.load(WAIT_PSW_ADDRESS, DISABLED_WAIT.to_bytes(8, "big"))
        machine.load(PROGRAM_NEW_PSW, (DISABLED_WAIT | 0xBAD0).to_bytes(8, "big"))
        machine.cpu.gpr[1] = 0x3FFFFFF1
        machine.cpu.gpr[2] = 0x12345678
        machine.cpu.gpr[3] = count
        machine.cpu.gpr[4] = 5
        machine.cpu.gpr[12] = branch_to
        machine.cpu.fpr[0] = 0x4110000000000000
        machine.set_psw(0x200)
        machine.run(50_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize(
    "code",
    [
        # AR 2,1; BXLE 4,6,X'200' (register 4 by 1 up to 200): the code of
        # the AR is kept until the block leaves; BALR 14,0 keeps it in
        # register 14 before the LPSW that ends the program.
        "1A21 8746 0200 05E0 8200 0408",
        # SR 2,1; OR 2,2; BXH 4,6,X'200' (register 4 by -1 down to 0).
        "1B21 1622 8646 0200 05E0 8200 0408",
    ],
)
@pytest.mark.parametrize("timer", [None, 29])
def test_index_loops_end_with_the_code_of_their_last_setter(code, timer):
    results = []
    for hot_count in (0, 1, 2):
        machine = Machine(64 * 1024)
        machine.cpu.block_hot_count = hot_count
        machine.load(0x200, bytes.fromhex(code.replace(" ", "")))
        machine.load(WAIT_PSW_ADDRESS, DISABLED_WAIT.to_bytes(8, "big"))
        machine.load(PROGRAM_NEW_PSW, (DISABLED_WAIT | 0xBAD0).to_bytes(8, "big"))
        machine.cpu.gpr[1] = 0x7FFF0000
        machine.cpu.gpr[2] = 0x80001234
        up = code.startswith("1A21")
        machine.cpu.gpr[4] = 0 if up else 200
        machine.cpu.gpr[6] = 1 if up else 0xFFFFFFFF
        machine.cpu.gpr[7] = 200 if up else 0
        if timer is not None:
            machine.load(0x58, DISABLED_WAIT.to_bytes(8, "big"))
            machine.load(0x50, timer.to_bytes(4, "big"))
            machine.set_psw(0x0100_0000_0000_0200)
        else:
            machine.set_psw(0x200)
        machine.run(50_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("timer", [None, 37, 5000])
def test_a_loop_counting_from_zero_goes_round_2_to_the_32_times(timer):
    # BCT from 0 counts to X'FFFFFFFF' and on: the run stops at its limit
    # (or at the timer) with the count, the sum and the clock as interpreted.
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine("1A21", 0, hot_count)
        if timer is not None:
            machine.load(0x58, DISABLED_WAIT.to_bytes(8, "big"))
            machine.load(0x50, timer.to_bytes(4, "big"))
            machine.cpu.system_mask |= 0x01
        machine.run(30_001)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    assert results[0]["gpr"][3] > 0xFFFF0000


@pytest.mark.parametrize(
    "code",
    [
        # LA 12,X'208'; LA 3,100; AR 2,1; BCTR 3,12: the target in a register.
        "41C0 0208 4130 0064 1A21 063C 8200 0408",
        # LA 12,X'210'; LA 3,100; AR 2,1; BCT 3,0(12); LPSW; BC 15,X'208':
        # each pass goes round by a branch elsewhere.
        "41C0 0210 4130 0064 1A21 4630 C000 8200 0408 47F0 0208",
        # The same with LA 3,1: one pass, then the fall-through.
        "41C0 0210 4130 0001 1A21 4630 C000 8200 0408 47F0 0208",
        # ALR 2,1 (whose template works in a temporary) with the target in
        # register 12 (BCTR) and elsewhere (BCT).
        "41C0 0208 4130 0064 1E21 063C 8200 0408",
        "41C0 0210 4130 0064 1E21 4630 C000 8200 0408 47F0 0208",
    ],
)
def test_counted_loops_through_registers_end_as_interpreted(code):
    results = []
    for hot_count in (0, 1, 2):
        machine = Machine(64 * 1024)
        machine.cpu.block_hot_count = hot_count
        machine.load(0x200, bytes.fromhex(code.replace(" ", "")))
        machine.load(WAIT_PSW_ADDRESS, DISABLED_WAIT.to_bytes(8, "big"))
        machine.load(PROGRAM_NEW_PSW, (DISABLED_WAIT | 0xBAD0).to_bytes(8, "big"))
        machine.cpu.gpr[1] = 1
        machine.set_psw(0x200)
        assert machine.run(100_000) == "disabled-wait"
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    assert results[0]["gpr"][2] == (100 if "0064" in code else 1)
    assert results[0]["gpr"][3] == 0


@pytest.mark.parametrize("translated", [False, True])
def test_a_store_into_the_running_block_takes_effect_at_the_next_instruction(translated):
    # STH 2 over the base and displacement of the LA after it: with R2 =
    # X'4000' + n, LA 4,1 becomes LA 4,n(,4) on pass n. With translation on
    # the associative array's counts match too: the block's first instruction,
    # not stored into, stays decoded as the interpreter keeps it.
    body = "1A21 4020 020C 4140 0001"
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine(body, 50, hot_count, translated)
        machine.cpu.gpr[2] = 0x4000
        machine.run(10_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    assert results[0]["gpr"][4] == sum(range(1, 51))


def test_a_channel_or_loader_write_over_a_block_drops_it():
    machine = loop_machine("1A21", 100, 1)
    machine.run(10_000)
    assert machine.cpu.translated_blocks()
    # LR 2,1 where AR 2,1 was, written as a channel would (through Storage).
    machine.storage.write(0x204, bytes.fromhex("1821"))
    assert machine.cpu.translated_blocks() == []
    machine.load(0x400, (10).to_bytes(4, "big"))
    machine.cpu.gpr[2] = 7
    machine.set_psw(0x200)
    machine.run(10_000)
    assert machine.cpu.gpr[2] == 1


def test_an_instruction_observer_sees_every_instruction_of_a_translated_loop():
    machine = loop_machine("1A21", 10, 1)
    machine.run(40)
    assert machine.cpu.translated_blocks()
    seen = []
    machine.cpu.instruction_observers.append(seen.append)
    machine.load(0x400, (3).to_bytes(4, "big"))
    machine.set_psw(0x200)
    machine.run(100)
    assert seen == [0x200, 0x204, 0x206, 0x204, 0x206, 0x204, 0x206, 0x20A]


def test_a_purge_drops_the_blocks_made_with_translation_on():
    machine = loop_machine("1A21", 100, 1, translated=True)
    machine.run(10_000)
    assert machine.cpu.translated_blocks()
    machine.cpu.dat.purge()
    assert machine.cpu.translated_blocks() == []


def test_flushing_clears_only_the_granules_it_marked():
    machine = loop_machine("1A21", 100, 1)
    machine.run(10_000)
    granules = machine.storage.code_granules
    assert any(granules)
    machine.cpu.flush_instruction_cache()
    assert not any(granules)


def test_a_block_source_names_its_instructions():
    machine = loop_machine("1A21", 100, 1)
    machine.run(10_000)
    (block,) = [block for block in machine.cpu.translated_blocks() if block.start == 0x204]
    listing = block.listing()
    assert "000204 AR" in listing and "000206 BCT" in listing
    assert listing.count("def block_000204(") == 1


def zero_storage_run(observe: bool, limit: int) -> Machine:
    machine = Machine(64 * 1024)
    if observe:
        # An observer makes the CPU run every repeat of the loop.
        machine.cpu.interruption_observers.append(lambda kind, old_psw: None)
    machine.set_psw(0)
    assert machine.run(limit) == "limit"
    return machine


def test_a_program_check_loop_skipped_ends_as_one_run_through():
    skipped = zero_storage_run(False, 50_000)
    stepped = zero_storage_run(True, 50_000)
    assert state(skipped) == state(stepped)
    # The interval timer kept counting through the loop, as it does when stepped.
    assert skipped.storage.mem[80:84] != bytes(4)
    assert skipped.cpu.interruption_loop == {
        "class": "program",
        "code": "0001",
        "old_psw": "0000000140000002",
        "psw": "0000000000000000",
    }
    assert stepped.cpu.interruption_loop is None


def test_a_program_check_loop_to_the_default_limit_is_quick():
    import time

    started = time.process_time()
    machine = zero_storage_run(False, 10_000_000)
    assert machine.cpu.instructions_executed == 10_000_000
    # Stepped, this took 24-45 s; skipped, it is a few thousand steps.
    assert time.process_time() - started < 5


def test_repeats_of_one_program_check_with_work_between_are_not_an_interruption_loop():
    # The program new PSW addresses AR 2,1 and LPSW of a PSW addressing X'00'
    # (operation): each interruption has the same old PSW, but each time
    # after an AR that changed R2.
    machine = Machine(64 * 1024)
    machine.load(0x68, (0x300).to_bytes(8, "big"))
    machine.load(0x300, bytes.fromhex("1A21 8200 0310"))
    machine.load(0x310, (0x400).to_bytes(8, "big"))
    machine.cpu.gpr[1] = 1
    machine.set_psw(0x300)
    machine.run(3000)
    assert machine.cpu.interruption_loop is None
    assert machine.cpu.gpr[2] == 1000


def test_a_handler_store_into_the_running_block_takes_effect_at_the_next_instruction():
    # MVC (no template: its handler stores) puts the byte at X'300' into the
    # displacement of the LA after it: LA 4,1(,4) becomes LA 4,5(,4).
    body = "D200 020D 0300 4140 4001"
    results = []
    for hot_count in (0, 1, 2):
        machine = loop_machine(body, 50, hot_count)
        machine.load(0x300, bytes([5]))
        machine.run(10_000)
        results.append(state(machine))
    assert results[0] == results[1] == results[2]
    assert results[0]["gpr"][4] == 5 * 50


def test_code_that_keeps_storing_into_itself_stays_interpreted():
    body = "D200 020D 0300 4140 4001"
    machine = loop_machine(body, 200, 1)
    machine.load(0x300, bytes([5]))
    machine.run(10_000)
    assert machine.cpu.gpr[4] == 5 * 200
    assert 0x204 not in [block.start for block in machine.cpu.translated_blocks()]


def test_changing_the_storage_key_of_translated_code_drops_its_blocks():
    machine = loop_machine("1A21", 100, 1)
    machine.run(10_000)
    assert machine.cpu.translated_blocks()
    machine.cpu.set_storage_key(0x000, 0x10)
    assert machine.cpu.translated_blocks() == []


@pytest.mark.parametrize(
    ("first", "second", "program_mask"),
    [
        (0x4110000000000000, 0x4110000000000000, 0),  # 1 + 1
        (0x4110000000000000, 0xC110000000000000, 0),  # 1 - 1: zero, true zero
        (0x4110000000000000, 0xC110000000000000, 1),  # significance interruption
        (0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0),  # exponent overflow
        (0x0010000000000000, 0x8008000000000000, 2),  # exponent underflow, mask on
        (0x0010000000000000, 0x8008000000000000, 0),  # underflow, mask off
        (0x4512345678ABCDEF, 0xC2FFFFFFFFFFFFFF, 0),  # guard digit, signs differ
        (0x0000000000000000, 0x3F00000000000001, 0),  # unnormalized operand
        (0x5310000000000000, 0xC4657064656FA0DD, 0),  # a negative fraction shifted out
        (0x4610000000000000, 0xC2123456789AB0DF, 0),  # negative, shifted past the guard
    ],
)
def test_add_normalized_long_translated_ends_as_interpreted(first, second, program_mask):
    results = []
    # Hot at the second pass, the block of AD and BCT at X'204' runs from the
    # third (with 1 the block would start at the L before the loop).
    for hot_count in (0, 2):
        machine = loop_machine("6A00 0520", 6, hot_count)
        machine.load(0x520, second.to_bytes(8, "big"))
        machine.cpu.fpr[0] = first
        machine.set_psw(program_mask << 24 | 0x200)
        machine.run(1000)
        results.append(state(machine))
        if hot_count and machine.cpu.ia != 0xBAD0:  # no program interruption ended the loop
            assert [block.start for block in machine.cpu.translated_blocks()] == [0x204]
    assert results[0] == results[1]


def test_a_block_the_translator_cannot_build_runs_interpreted(monkeypatch):
    machine = loop_machine("1A21", 100, 1)

    def broken(start, step):
        raise RuntimeError("translator bug")

    monkeypatch.setattr(machine.cpu._translator, "build", broken)
    with pytest.warns(UserWarning, match="no block at") as caught:
        assert machine.run(10_000) == "disabled-wait"
    assert "no block at 000200: RuntimeError('translator bug')" in str(caught[0].message)
    assert machine.cpu.gpr[2] == 100
    assert machine.cpu.translated_blocks() == []


# The CMS nucleus's clearing of a bit in a disk's allocation map as it frees
# a block: the bit's byte and position by D, a one-bit mask shifted by
# SRL from a register (the shift amount from a base register, not the
# displacement), inverted by X and ANDed into the byte. Called by BAL for
# bits 0, 3, 6, ... 57 of an 8-byte map that starts all ones.
CLEAR_BITS_PROGRAM = {
    0x200: "5890 0400"  # L    9,COUNT
    " 1B22"  # SR   2,2             bit number
    " 45E0 0220"  # BAL  14,CLEAR
    " 4122 0003"  # LA   2,3(,2)
    " 4690 0206"  # BCT  9,*-12
    " 8200 0408",  # LPSW WAIT
    0x220: "9025 0500"  # CLEAR STM 2,5,SAVE
    " 1B44"  # SR   4,4
    " 1852"  # LR   5,2
    " 5D40 0410"  # D    4,EIGHT        R5 = byte, R4 = bit in the byte
    " 4130 0080"  # LA   3,X'80'
    " 8830 4000"  # SRL  3,0(4)
    " 5730 0414"  # X    3,ONES
    " 4345 0600"  # IC   4,MAP(5)
    " 1443"  # NR   4,3
    " 4245 0600"  # STC  4,MAP(5)
    " 9825 0500"  # LM   2,5,SAVE
    " 07FE",  # BR   14
    0x400: "00000014",  # COUNT: 20 bits
    0x408: f"{DISABLED_WAIT:016X}",  # WAIT
    0x410: "00000008 FFFFFFFF",  # EIGHT, ONES
    0x600: "FFFFFFFF FFFFFFFF",  # MAP
}


@pytest.mark.parametrize("hot_count", [1, 2])
def test_a_shift_by_a_base_register_amount_clears_the_bits_cms_frees(hot_count):
    results = []
    for hot in (0, hot_count):
        machine = Machine(64 * 1024)
        machine.cpu.block_hot_count = hot
        for address, text in CLEAR_BITS_PROGRAM.items():
            machine.load(address, bytes.fromhex(text.replace(" ", "")))
        machine.load(PROGRAM_NEW_PSW, (DISABLED_WAIT | 0xBAD0).to_bytes(8, "big"))
        machine.set_psw(0x200)
        assert machine.run(10_000) == "disabled-wait"
        results.append(state(machine))
        if hot:
            assert any("SRL" in block.mnemonics for block in machine.cpu.translated_blocks())
    assert results[1] == results[0]
    cleared = sum(1 << (63 - bit) for bit in range(0, 60, 3))
    map_after = int.from_bytes(results[1]["storage"][0x600:0x608], "big")
    assert map_after == 0xFFFF_FFFF_FFFF_FFFF - cleared


@pytest.mark.parametrize(
    ("shift", "expected"),
    [("8920 4000", 0x20), ("8820 4000", 0x04), ("8920 403C", 0x02), ("8820 403D", 0x20)],
)
def test_a_logical_shift_takes_the_low_six_bits_of_base_plus_displacement(shift, expected):
    # LA 2,1 (SLL) or LA 2,X'80' (SRL), then the shift by D(4) with R4 = 5: 5 + X'3C'
    # shifts by 1, 5 + X'3D' by 2.
    load = "4120 0001" if shift.startswith("89") else "4120 0080"
    results = []
    for hot_count in (0, 1):
        machine = loop_machine(f"{load} {shift}", 10, hot_count)
        machine.cpu.gpr[4] = 5
        machine.run(1000)
        results.append(state(machine))
    assert results[1] == results[0]
    assert results[1]["gpr"][2] == expected

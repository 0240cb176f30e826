"""The equivalence suite: the same programs on the bare machine and as a guest of CP.

Full virtualization (Popek and Goldberg) means a program cannot tell: the
registers, the PSW and storage must end the same. The interval timer word at
location 80 is left out of the comparison (it counts the guest's own time
under CP, vtimer.py), and so is the instruction count (bare.py says why).
"""

import tempfile
from pathlib import Path

import pytest
from cp_guests import PAGE_WALK_CODE, PAGE_WALK_DATA, VIRTUAL_67
from hypothesis import given, settings
from hypothesis import strategies as st
from random_programs import COMPARE_RANGES, generate

from vm370.cp.bare import run_under_cp
from vm370.hardware.machine import BareRun, Machine, run_bare


def both(
    tmp_path,
    image: bytes,
    psw: int,
    storage_size: int,
    dumps,
    real_storage=None,
    control_registers=(),
    extended_control_mode=False,
):
    path = tmp_path / "image.bin"
    path.write_bytes(image)
    request = BareRun(
        storage_size=storage_size,
        loads=[(str(path), 0)],
        psw=psw,
        max_instructions=200_000,
        dumps=[(f"{address:X}", address, length) for address, length in dumps],
        control_registers=list(control_registers),
        extended_control_mode=extended_control_mode,
    )
    bare = run_bare(request, Machine(storage_size, interval_timer=False))
    guest = run_under_cp(request, real_storage=real_storage)
    return bare, guest


def assert_same(bare, guest, context=""):
    for field in ("stop", "psw", "gpr", "fpr", "dump"):
        assert guest[field] == bare[field], f"{field} differs under CP\n{context}"


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_end_the_same_under_cp(tmp_path, seed):
    program = generate(seed)
    bare, guest = both(tmp_path, program.image, program.psw, program.storage_size, COMPARE_RANGES)
    assert_same(bare, guest, program.describe())


def hand_program(pieces: dict[int, str], size: int) -> bytes:
    image = bytearray(size)
    for address, text in pieces.items():
        data = bytes.fromhex(text.replace(" ", ""))
        image[address : address + len(data)] = data
    return bytes(image)


WAITS = {
    0x58: "0002000000000333",
    0x60: "0002000000000111",
    0x68: "0002000000000222",
    0x78: "0002000000000333",
}

PAGE_WALK = {**WAITS, 0x100: PAGE_WALK_DATA, 0x200: PAGE_WALK_CODE}


def test_a_program_that_pages_ends_the_same_with_real_storage_short(tmp_path):
    image = hand_program(PAGE_WALK, 64 * 1024)
    dumps = [(0x20, 16), (0x1000, 0xF000)]
    bare, guest = both(tmp_path, image, 0x200, 64 * 1024, dumps, real_storage=40 * 1024)
    assert_same(bare, guest)
    assert bare["stop"] == "disabled-wait" and bare["gpr"][7] != "00000000"
    assert guest["cp"]["page_faults"] >= 15
    assert guest["instructions"] == bare["instructions"]


# Privileged instructions in supervisor state: CP simulates each one.
PRIVILEGED = {
    **WAITS,
    0x300: "00",
    0x308: "0000000000000400",
    0x200: "8000 0300"  # SSM X'300' (all masks off)
    " 4110 0800 4120 0030 0821 0931"  # LA 1,X'800'; LA 2,X'30'; SSK 2,1; ISK 3,1
    " 9D00 0123 0570"  # TIO X'123' (no device: cc 3); BALR 7,0 (keeps the cc)
    " 8200 0308",  # LPSW X'308': on at X'400'
    0x400: "83AB 0FF0",  # DIAG with a code nobody answers: specification
}


def test_privileged_instructions_simulated_end_the_same(tmp_path):
    image = hand_program(PRIVILEGED, 64 * 1024)
    bare, guest = both(tmp_path, image, 0xFF00000000000200, 64 * 1024, [(0x18, 0x28)])
    assert_same(bare, guest)
    assert bare["gpr"][3] == "00000030" and bare["gpr"][7][:2] == "70"
    assert guest["cp"]["privops"] == 6 and guest["cp"]["reflected"] == 1
    assert guest["instructions"] == bare["instructions"]


def test_a_problem_state_program_gets_privileged_operation_as_on_the_bare_machine(tmp_path):
    image = hand_program({**WAITS, 0x200: "1812 8200 0308"}, 64 * 1024)
    bare, guest = both(tmp_path, image, 0x0001000000000200, 64 * 1024, [(0x28, 8)])
    assert_same(bare, guest)
    assert bare["dump"]["28"][4:8] == "0002"
    assert guest["cp"]["privops"] == 0


def test_execute_of_privileged_instructions_ends_the_same(tmp_path):
    program = {
        **WAITS,
        0x300: "0000000000000400",
        0x200: "4110 0800 4120 0030 4130 0040"  # LA 1,X'800'; LA 2,X'30'; LA 3,X'40'
        " 4400 0240 4430 0242"  # EX 0,SSK 2,1; EX 3,ISK 0,1 (register 3 makes it ISK 4,1)
        " 4400 0244",  # EX 0,LPSW X'300'
        0x240: "0821 0901 8200 0300",
        0x400: "4400 0248 0A03",  # EX 0,SIO X'00C'; SVC 3
        0x248: "9C00 000C",
    }
    image = hand_program(program, 64 * 1024)
    bare, guest = both(tmp_path, image, 0x200, 64 * 1024, [(0x20, 16)])
    assert_same(bare, guest)
    assert bare["gpr"][4] == "00000030"  # ISK into register 4
    assert bare["psw"] == "0002000000000111"  # ended by the SVC
    assert guest["cp"]["privops"] == 4


def test_execute_of_a_privileged_instruction_in_problem_state_is_reflected_alike(tmp_path):
    image = hand_program({**WAITS, 0x200: "4400 0240", 0x240: "0821"}, 64 * 1024)
    bare, guest = both(tmp_path, image, 0x0001000000000200, 64 * 1024, [(0x28, 8)])
    assert_same(bare, guest)
    assert bare["dump"]["28"] == "0001000280000204"  # ILC 2 (EX's), past the EX


@settings(max_examples=25, deadline=None)
@given(st.integers(1000, 10**6))
def test_any_random_program_ends_the_same_under_cp(seed):
    program = generate(seed)
    with tempfile.TemporaryDirectory() as directory:
        bare, guest = both(
            Path(directory), program.image, program.psw, program.storage_size, COMPARE_RANGES
        )
    assert_same(bare, guest, program.describe())


def test_storage_protection_by_the_guests_own_keys_ends_the_same(tmp_path):
    program = {
        **WAITS,
        0x68: "0000000000000500",  # program checks go to X'500', key 0
        0x300: "0061000000000400",  # problem state, key 6, at X'400'
        0x200: "4110 0800 4120 0058 0821"  # SSK: block X'800' key 5, fetch protected
        " 4111 0800 4120 0060 0821"  # SSK: block X'1000' key 6
        " 5830 0300 8200 0300",  # L 3,X'300'; LPSW: key 6, problem state
        0x400: "5030 0800 5830 0800 5030 1000 0A02",  # ST, L into key 5 (both fail); ST ok
        0x500: "D207 0A00 0028 4180 0001 1A98 8200 0028",  # log, count, resume after it
    }
    image = hand_program(program, 64 * 1024)
    bare, guest = both(tmp_path, image, 0x200, 64 * 1024, [(0xA00, 8), (0x1000, 4)])
    assert bare["stop"] == "disabled-wait" and bare["gpr"][9] == "00000002"
    assert bare["dump"]["A00"][4:8] == "0004"  # protection
    assert_same(bare, guest)


def test_a_program_with_its_own_translation_ends_the_same_under_cp(tmp_path):
    image = hand_program(VIRTUAL_67, 64 * 1024)
    dumps = [(0x10, 0x20), (0x2000, 0x100), (0x7000, 8), (0x8000, 8)]
    bare, guest = both(tmp_path, image, 0x200, 64 * 1024, dumps)
    assert_same(bare, guest)
    assert bare["gpr"][5] == "BBBBBBBB"


EC_WAIT = "0002000000000{:03X}"


def translated_program() -> bytes:
    """A program that starts translated (--ec, CR0): a page-crossing MVC, LRA, a page fault."""
    image = bytearray(256 * 1024)

    def put(address: int, text: str) -> None:
        data = bytes.fromhex(text.replace(" ", ""))
        image[address : address + len(data)] = data

    for location, mark in ((0x58, 0x333), (0x60, 0x111), (0x68, 0x222), (0x78, 0x333)):
        put(location, EC_WAIT.format(mark))
    put(0x100, "00006FF8 00009000")
    put(0x110, "0123456789ABCDEF FEDCBA9876543210")
    put(0x10000, "FF018000" + "00000001" * 15)  # segment 0: a full page table at X'18000'
    put(0x18000, "0008" * 256)
    for page, frame in ((0, 0x0000), (5, 0x20000), (6, 0x21000), (7, 0x22000)):
        put(0x18000 + 2 * page, f"{frame >> 8:04X}")
    put(
        0x20000,
        "5820 0100 D20F 2000 0110"  # L 2,X'100'; MVC 0(16,2),X'110' across pages 6 and 7
        " B132 0000 5840 0104"  # LRA 3,0(2); L 4,X'104'
        " B154 0000 0570 5864 0000",  # LRA 5,0(4) (cc 2); BALR 7,0; L 6,0(4): page fault
    )
    return bytes(image)


def test_a_program_that_starts_translated_ends_the_same_under_cp(tmp_path):
    dumps = [(0x10, 0x28), (0x21FF0, 0x20), (0x18000, 0x20)]
    bare, guest = both(
        tmp_path,
        translated_program(),
        0x0400000000005000,
        256 * 1024,
        dumps,
        control_registers=[(0, 0x00010000)],
        extended_control_mode=True,
    )
    assert_same(bare, guest)
    assert guest["cr"] == bare["cr"] and bare["cr"][2] == "00009000"
    assert bare["gpr"][3] == "00021FF8" and bare["dump"]["10"][4:8] == "0011"
    assert bare["dump"]["21FF0"][16:48] == "0123456789ABCDEFFEDCBA9876543210"
    # The Model 67 suppresses a translation exception (docs/model67.md): the
    # program old PSW points past the faulting L 6,0(4) at X'5018', ILC 2.
    old_program_psw = int(bare["dump"]["10"][48:64], 16)
    assert old_program_psw & 0xFFFFFFFF == 0x501C and (old_program_psw >> 46) & 3 == 2

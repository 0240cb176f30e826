"""Helpers for CP's tests: a guest set up the way a trap would find it."""

from __future__ import annotations

from vm370.cp.privops import fetch_instruction, handle_privileged_operation
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import VirtualMachine
from vm370.hardware.psw import (
    BCPSW,
    EXTERNAL_NEW_PSW,
    IO_NEW_PSW,
    PROGRAM_NEW_PSW,
    PROGRAM_OLD_PSW,
    SVC_NEW_PSW,
)

ORIGIN = 0x200
PROGRAM_MARK = 0xBBBB
SVC_MARK = 0xEEEE
EXTERNAL_MARK = 0xDDDD
IO_MARK = 0xAAAA
DISABLED_WAIT = 0x0002_0000_0000_0000


def new_guest(cp: ControlProgram, name: str = "GUEST", size: int = 64 * 1024) -> VirtualMachine:
    """A stopped guest whose new PSWs are disabled waits marked by class."""
    guest = cp.create_virtual_machine(name, size)
    for location, mark in (
        (EXTERNAL_NEW_PSW, EXTERNAL_MARK),
        (SVC_NEW_PSW, SVC_MARK),
        (PROGRAM_NEW_PSW, PROGRAM_MARK),
        (IO_NEW_PSW, IO_MARK),
    ):
        cp.load(name, location, (DISABLED_WAIT | mark).to_bytes(8, "big"))
    return guest


def trap(cp: ControlProgram, guest: VirtualMachine, instruction: str, psw: BCPSW | None = None):
    """Put ``instruction`` at ORIGIN and let CP handle it as a privileged-operation trap."""
    raw = bytes.fromhex(instruction.replace(" ", ""))
    cp.load(guest.name, ORIGIN, raw)
    if psw is None:
        psw = BCPSW()
    psw.instruction_address = ORIGIN + len(raw)
    guest.psw = psw
    guest.start()
    handle_privileged_operation(cp, guest, fetch_instruction(guest, ORIGIN))


def program_old_psw(cp: ControlProgram, guest: VirtualMachine) -> BCPSW:
    return BCPSW.from_bytes(cp.read(guest.name, PROGRAM_OLD_PSW, 8))


# A virtual 360/67's program (guest-real addresses -> hex): it turns on its
# own translation, remaps a page in its own table, purges, and ends by SVC 1.
VIRTUAL_67 = {
    # BC mode, untranslated: EC mode on, the guest's segment table, then
    # LPSW to an EC PSW with translation on at virtual X'10000'.
    0x200: "B866 0300 B800 0304 8200 0308",
    0x300: "00800000 00002000 04000000 00010000",
    0x100: "00011000 00012000 0000 0080",
    0x60: "0002000000000111",
    0x68: "0002000000000222",
    # The guest's tables: one segment, pages 0 (identity), X'10' -> X'6000'
    # (code), X'11' -> X'7000' (data), X'12' -> X'2000' (the tables themselves).
    0x2000: "FF002040" + "00000001" * 15,
    0x2040: "0000" + "0008" * 15 + "0060 0070 0020" + "0008" * 237,
    0x6000: "58C0 0100 58B0 0104"  # L 12,X'100'; L 11,X'104'
    " 5820 C000 4830 010A"  # L 2,0(12) (virtual X'11000'); LH 3,X'10A'
    " 403B 0062 B800 0304"  # STH 3 into the entry of page X'11'; LMC 0,0 (purge)
    " 5850 C000 5020 C004"  # L 5,0(12): the new page; ST 2,4(12)
    " B100 C000 0A01",  # LRA 0,0(12); SVC 1
    0x7000: "AAAAAAAA",
    0x8000: "BBBBBBBB",
}

# Stores a word into each of 15 pages, then adds them up: every page is
# touched twice. PAGE_WALK_DATA goes at X'100': the page size, the count, the
# first address and the first value.
PAGE_WALK_DATA = "00001000 0000000F 00001000 11111111"
PAGE_WALK_CODE = (
    "5820 0100 5830 0104 5840 0108 5860 010C"  # L 2,3,4,6
    " 5060 4000 1A62 1A42 4630 0210"  # ST 6,0(4); AR 6,2; AR 4,2; BCT 3
    " 5830 0104 5840 0108 1B77"  # L 3; L 4; SR 7,7
    " 5A70 4000 1A42 4630 0226"  # A 7,0(4); AR 4,2; BCT 3
    " 0A01"  # SVC 1
)

# A virtual 360/67 whose shadow tables would never fit: in the 32-bit mode,
# 4,096 segments all share one page table (page 0 -> X'0000', page 1 ->
# X'1000'), and it loads a word from each segment in turn (R1 = X'100000'
# and up, R3 counts 4,095 down), then SVC 1. Each new segment is another
# shadow page table for CP to build.
SHADOW_HOG = {
    0x0: "5EEDF00D",
    0x58: "00020000 00000111" * 5,  # disabled waits for every new PSW
    0x100: "00100000 00100000 00000FFF 00001010",
    0x200: "B866 0300 B800 0304 8200 0308",  # LMC CR6 (EC), LMC CR0, LPSW
    0x300: "00800000 FF004000 0C000000 00001000",  # 32-bit, translation on, at X'1000'
    0x1000: "5810 0100 5820 0104 5830 0108 5840 010C"  # L 1,2,3,4
    " 5800 1000 1A12 0634 0A01",  # L 0,0(1); AR 1,2; BCTR 3,4; SVC 1
    0x4000: "FF008000" * 4096,  # the segment table: 4,096 entries, one page table
    0x8000: "0000 0010" + "0008" * 254,
}

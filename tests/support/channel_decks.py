"""Standalone programs as card decks, hand-encoded, for the channel and IPL tests.

Each line of hex carries its assembler form in a comment (the project's
assembler was written in parallel). Shared by tests/hardware/test_channel_machine.py
and test_channel_hercules.py, which runs the same decks on Hercules.
"""

from __future__ import annotations

from channel_programs import ccw

from vm370.hardware.channel import CHAIN_COMMAND, SUPPRESS_LENGTH
from vm370.hardware.devices.codepage import to_ebcdic

CHAIN_SLI = CHAIN_COMMAND | SUPPRESS_LENGTH

# Prints HELLO, 1403 on the printer at 00E (polling with TIO), then types
# HELLO, 1052 on the console at 01F and waits, enabled, for its interruption;
# the I/O new PSW leads to a disabled wait at X'AA'.
HELLO_PROGRAM = (
    bytes.fromhex(
        "D207 0078 0430"  # 400 MVC 120(8,0),IONEW      I/O new PSW -> 42A
        "4110 0448"  # 406 LA 1,PRTCCW
        "5010 0048"  # 40A ST 1,72                   CAW
        "9C00 000E"  # 40E SIO X'00E'
        "9D00 000E"  # 412 TIO X'00E'                poll the printer
        "4770 0412"  # 416 BC 7,*-4
        "4110 0450"  # 41A LA 1,CONCCW
        "5010 0048"  # 41E ST 1,72
        "9C00 001F"  # 422 SIO X'01F'
        "8200 0438"  # 426 LPSW WAITE                wait for the console's interruption
        "8200 0440"  # 42A LPSW WAITD
        "0000"  # 42E
        "000000000000042A"  # 430 IONEW
        "8002000000000000"  # 438 WAITE  channel 0 enabled, wait
        "00020000000000AA"  # 440 WAITD  disabled wait
    )
    + ccw(0x09, 0x460, SUPPRESS_LENGTH, 11)  # 448 PRTCCW write, space 1 after
    + ccw(0x09, 0x470, SUPPRESS_LENGTH, 11)  # 450 CONCCW write, carrier return
    + bytes(8)  # 458
    + to_ebcdic("HELLO, 1403").ljust(16, b"\x40")  # 460
    + to_ebcdic("HELLO, 1052").ljust(16, b"\x40")  # 470
)


def hello_deck() -> list[bytes]:
    """The IPL card (PSW and two CCWs) and the program on two more cards."""
    ipl_card = (
        bytes.fromhex("0000000000000400")
        + ccw(0x02, 0x400, CHAIN_SLI, 80)
        + ccw(0x02, 0x450, SUPPRESS_LENGTH, 80)
    ).ljust(80, b"\x00")
    program = HELLO_PROGRAM.ljust(160, b"\x00")
    assert len(HELLO_PROGRAM) <= 160
    return [ipl_card, program[:80], program[80:]]


LIST_AREA = 0x8000
CCWS_PER_CARD = 10


def bootstrap_deck(psw: bytes, image: dict[int, bytes]) -> list[bytes]:
    """An IPL deck that loads a core image card by card, then loads ``psw``.

    The IPL card reads the first list card (ten CCWs) to LIST_AREA and TICs
    to it; each list card reads up to nine 80-byte data cards to their places
    and, with its tenth CCW, the next list card right behind itself, where
    command chaining carries on.
    """
    low = min(image)
    high = max(address + len(data) for address, data in image.items())
    core = bytearray(high - low)
    for address, data in image.items():
        core[address - low : address - low + len(data)] = data
    pieces = [
        (low + offset, bytes(core[offset : offset + 80])) for offset in range(0, len(core), 80)
    ]
    deck = [
        (
            psw
            + ccw(0x02, LIST_AREA, CHAIN_COMMAND | SUPPRESS_LENGTH, 80)
            + ccw(0x08, LIST_AREA, 0, 0)
        ).ljust(80, b"\x00")
    ]
    groups = [pieces[i : i + CCWS_PER_CARD - 1] for i in range(0, len(pieces), CCWS_PER_CARD - 1)]
    for number, group in enumerate(groups):
        last_group = number == len(groups) - 1
        ccws = []
        for index, (address, _) in enumerate(group):
            final = last_group and index == len(group) - 1
            flags = SUPPRESS_LENGTH if final else CHAIN_COMMAND | SUPPRESS_LENGTH
            ccws.append(ccw(0x02, address, flags, 80))
        if not last_group:
            next_list = LIST_AREA + 80 * (number + 1)
            ccws.append(ccw(0x02, next_list, CHAIN_COMMAND | SUPPRESS_LENGTH, 80))
        deck.append(b"".join(ccws).ljust(80, b"\x00"))
        deck += [data.ljust(80, b"\x00") for _, data in group]
    return deck


READBACK_LINE_OK = "DASD OK"
READBACK_LINE_BAD = "DASD BAD"
R2_ID = bytes.fromhex("0005 0002 02")  # cylinder 5, head 2, record 2


def dasd_core_image() -> dict[int, bytes]:
    """Format cylinder 5 head 2 of the 2314 at 190, write R1-R3, read R2 back, print.

    The program starts at X'400'. It checks the read-back's CSW (channel end,
    device end, nothing else) and compares the 800 bytes read with R2's data
    in two 256-byte pieces, then prints DASD OK or DASD BAD on the 1403 at
    00E and ends in a disabled wait at X'BB'.
    """
    code = bytes.fromhex(
        "4120 0800"  # 400 LA 2,2048
        "1A22"  # 404 AR 2,2                 R2 = X'1000'
        "4132 2000"  # 406 LA 3,0(2,2)            R3 = X'2000'
        "4110 0500"  # 40A LA 1,X'500'            the formatting program
        "5010 0048"  # 40E ST 1,72
        "9C00 0190"  # 412 SIO X'190'
        "9D00 0190"  # 416 TIO X'190'
        "4770 0416"  # 41A BC 7,*-4
        "4110 0580"  # 41E LA 1,X'580'            the read-back program
        "5010 0048"  # 422 ST 1,72
        "9C00 0190"  # 426 SIO X'190'
        "9D00 0190"  # 42A TIO X'190'             stores the ending CSW
        "4770 042A"  # 42E BC 7,*-4
        "D501 0044 0678"  # 432 CLC 68(2,0),X'678'  CE DE, no channel status
        "4770 0460"  # 438 BC 7,BAD
        "D5FF 3000 2408"  # 43C CLC 0(256,3),X'408'(2)
        "4770 0460"  # 442 BC 7,BAD
        "D5FF 3220 2628"  # 446 CLC X'220'(256,3),X'628'(2)
        "4770 0460"  # 44C BC 7,BAD
        "4110 0660"  # 450 LA 1,OKCCW
        "47F0 0464"  # 454 B PRINT
        "0000000000000000"  # 458
        "4110 0668"  # 460 BAD LA 1,BADCCW
        "5010 0048"  # 464 PRINT ST 1,72
        "9C00 000E"  # 468 SIO X'00E'
        "9D00 000E"  # 46C TIO X'00E'
        "4770 046C"  # 470 BC 7,*-4
        "8200 0478"  # 474 LPSW WAITD
        "00020000000000BB"  # 478 WAITD
    )
    assert len(code) == 0x80
    count = {n: R2_ID[:4] + bytes((n, 0)) + (800).to_bytes(2, "big") for n in (1, 2, 3)}
    record = {n: count[n] + bytes([0xC0 + n]) * 800 for n in (1, 2, 3)}
    format_program = b"".join(
        [
            ccw(0x07, 0x600, CHAIN_COMMAND, 6),  # 500 seek
            ccw(0x1F, 0x610, CHAIN_COMMAND, 1),  # 508 set file mask
            ccw(0x19, 0x618, CHAIN_COMMAND, 5),  # 510 write home address
            ccw(0x15, 0x620, CHAIN_COMMAND, 16),  # 518 write R0
            ccw(0x1D, 0x1000, CHAIN_COMMAND, 808),  # 520 write CKD R1
            ccw(0x1D, 0x1400, CHAIN_COMMAND, 808),  # 528 write CKD R2
            ccw(0x1D, 0x1800, 0, 808),  # 530 write CKD R3
        ]
    )
    read_program = b"".join(
        [
            ccw(0x07, 0x600, CHAIN_COMMAND, 6),  # 580 seek
            ccw(0x31, 0x640, CHAIN_COMMAND, 5),  # 588 search ID equal R2
            ccw(0x08, 0x588, 0, 0),  # 590 TIC *-8
            ccw(0x06, 0x2000, 0, 800),  # 598 read data
        ]
    )
    return {
        0x400: code,
        0x500: format_program,
        0x580: read_program,
        0x600: bytes.fromhex("0000 0005 0002"),  # seek argument BBCCHH
        0x610: b"\xc0",  # file mask: allow every write
        0x618: b"\x00" + R2_ID[:4],  # home address: flag, CCHH
        0x620: R2_ID[:4] + b"\x00\x00\x00\x08" + bytes(8),  # R0 count and data
        0x640: R2_ID,
        0x660: ccw(0x09, 0x680, SUPPRESS_LENGTH, len(READBACK_LINE_OK)),  # OKCCW
        0x668: ccw(0x09, 0x690, SUPPRESS_LENGTH, len(READBACK_LINE_BAD)),  # BADCCW
        0x678: b"\x0c\x00",
        0x680: to_ebcdic(READBACK_LINE_OK),
        0x690: to_ebcdic(READBACK_LINE_BAD),
        0x1000: record[1],
        0x1400: record[2],
        0x1800: record[3],
    }

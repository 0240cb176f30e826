"""Standalone programs on the whole machine: IPL from cards, print, type, and DASD I/O.

The programs are hand-encoded machine code (the assembler is written in
parallel); each line of hex carries its assembler form in a comment.
"""

import json

from channel_decks import READBACK_LINE_OK, bootstrap_deck, dasd_core_image, hello_deck
from channel_programs import ccw

from vm370.cli import main
from vm370.hardware.channel import CHAIN_COMMAND, SUPPRESS_LENGTH
from vm370.hardware.devices.card2540 import CardReader2540
from vm370.hardware.devices.ckd_image import CKDImage, Record, create_image
from vm370.hardware.devices.console1052 import Console1052
from vm370.hardware.devices.dasd import Dasd2311, Dasd2314
from vm370.hardware.devices.printer1403 import Printer1403
from vm370.hardware.machine import BareRun, Machine, run_bare


def test_program_ipled_from_cards_prints_on_the_1403_and_types_on_the_1052(tmp_path):
    machine = Machine()
    reader = CardReader2540()
    reader.load_cards(hello_deck())
    printer = Printer1403(tmp_path / "printer.txt")
    console = Console1052(output_stream=None)
    machine.attach(0x00C, reader)
    machine.attach(0x00E, printer)
    machine.attach(0x01F, console)
    machine.ipl(0x00C)
    assert machine.storage.read(2, 2) == b"\x00\x0c"  # the IPL device address
    stop = machine.run(1_000_000)
    printer.close()
    assert stop == "disabled-wait"
    assert (tmp_path / "printer.txt").read_text() == "HELLO, 1403\n"
    assert console.transcript == ["HELLO, 1052\n"]
    io_old_psw = machine.storage.read(0x38, 8)
    assert io_old_psw[2:4] == b"\x00\x1f"  # interruption code: the console's address
    assert machine.storage.read(0x40 + 4, 2) == b"\x0c\x00"  # CSW: channel end, device end
    assert machine.cpu.current_psw() & 0xFFFFFF == 0xAA


def test_vm370_bare_ipl_with_attached_devices_from_the_command_line(tmp_path, capsys):
    deck = tmp_path / "hello.deck"
    deck.write_bytes(b"".join(hello_deck()))
    out = tmp_path / "out.txt"
    con = tmp_path / "console.txt"
    status = main(
        [
            "bare",
            "--attach",
            f"00C=2540R:{deck}",
            "--attach",
            f"00E=1403:{out}",
            "--attach",
            f"01F=1052:{con}",
            "--ipl",
            "00C",
            "--dump",
            "38:8",
            "--json",
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stop"] == "disabled-wait"
    assert report["dump"]["38"][4:8] == "001F"
    assert out.read_text() == "HELLO, 1403\n"
    assert con.read_text() == "HELLO, 1052\n"


def test_vm370_bare_rejects_bad_attach_and_ipl_arguments(tmp_path, capsys):
    assert main(["bare", "--attach", "00C"]) == 2
    assert "HEXDEV=TYPE" in capsys.readouterr().err
    assert main(["bare", "--attach", "00C=9999"]) == 2
    assert "unknown device type" in capsys.readouterr().err
    assert main(["bare", "--attach", f"00C=2540R:{tmp_path / 'missing.txt'}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["bare", "--ipl", "00C"]) == 2
    assert "no device" in capsys.readouterr().err
    assert main(["bare", "--ipl", "00C", "--psw", "0000000000000000"]) == 2
    assert "only one" in capsys.readouterr().err
    deck = tmp_path / "deck.txt"
    deck.write_text("CARD\n")
    twice = ["--attach", f"00C=2540R:{deck}", "--attach", f"00C=1403:{tmp_path / 'p.txt'}"]
    assert main(["bare", *twice]) == 2
    assert "already attached" in capsys.readouterr().err
    assert main(["bare", "--attach", f"700=2540R:{deck}"]) == 2
    assert "000-6FF" in capsys.readouterr().err
    assert main(["bare", "--attach", "01F=1052", "--json"]) == 2
    assert "give it a file" in capsys.readouterr().err


# The DASD program: seek to cylinder 5 head 2, format the track (home address,
# R0, then three 800-byte records R1-R3), then read R2 back by searching for its
# identifier, looping through a TIC until the search is satisfied.
SEEK_ARGUMENT = bytes.fromhex("0000 0005 0002")
R2_ID = bytes.fromhex("0005 0002 02")


def dasd_program() -> tuple[bytes, dict[int, bytes]]:
    """The code at 0x400 and the data it uses, by address."""
    code = bytes.fromhex(
        "4110 0500"  # 400 LA 1,FORMAT           the formatting channel program
        "5010 0048"  # 404 ST 1,72
        "9C00 0190"  # 408 SIO X'190'
        "9D00 0190"  # 40C TIO X'190'
        "4770 040C"  # 410 BC 7,*-4
        "4110 0580"  # 414 LA 1,READBACK
        "5010 0048"  # 418 ST 1,72
        "9C00 0190"  # 41C SIO X'190'
        "9D00 0190"  # 420 TIO X'190'
        "4770 0420"  # 424 BC 7,*-4             (TIO stored the CSW at 64)
        "8200 0430"  # 428 LPSW WAITD
        "0000 0000"
        "00020000000000BB"  # 430 WAITD
    )
    data_area = 0x1000
    count_field = {n: R2_ID[:4] + bytes((n, 0)) + (800).to_bytes(2, "big") for n in (1, 2, 3)}
    records = {n: count_field[n] + bytes([0xC0 + n]) * 800 for n in (1, 2, 3)}
    data = {
        0x600: SEEK_ARGUMENT,
        0x610: b"\xc0",  # file mask: allow all writes
        0x618: b"\x00" + R2_ID[:4],  # home address: flag, CCHH
        0x620: R2_ID[:4] + b"\x00\x00\x00\x08" + bytes(8),  # R0 count and data
        data_area: records[1],
        data_area + 0x400: records[2],
        data_area + 0x800: records[3],
        0x640: R2_ID,
    }
    format_program = b"".join(
        [
            ccw(0x07, 0x600, CHAIN_COMMAND, 6),  # 500 seek
            ccw(0x1F, 0x610, CHAIN_COMMAND, 1),  # 508 set file mask
            ccw(0x19, 0x618, CHAIN_COMMAND, 5),  # 510 write home address
            ccw(0x15, 0x620, CHAIN_COMMAND, 16),  # 518 write R0
            ccw(0x1D, data_area, CHAIN_COMMAND, 808),  # 520 write CKD R1
            ccw(0x1D, data_area + 0x400, CHAIN_COMMAND, 808),  # 528 write CKD R2
            ccw(0x1D, data_area + 0x800, 0, 808),  # 530 write CKD R3
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
    data[0x400] = code
    data[0x500] = format_program
    data[0x580] = read_program
    return code, data


def test_dasd_program_formats_a_track_writes_records_and_reads_one_back_by_search(tmp_path):
    pack = create_image(tmp_path / "work.2314", "2314", cylinders=10)
    machine = Machine(256 * 1024)
    machine.attach(0x190, Dasd2314(pack))
    _, data = dasd_program()
    for address, content in data.items():
        machine.load(address, content)
    machine.set_psw(0x0000000000000400)
    assert machine.run(2_000_000) == "disabled-wait"
    assert machine.cpu.current_psw() & 0xFFFFFF == 0xBB
    assert machine.storage.read(0x2000, 800) == bytes([0xC2]) * 800
    csw = machine.storage.read(0x40, 8)
    assert csw[4:6] == b"\x0c\x00"  # channel end, device end; no channel errors
    assert int.from_bytes(csw[1:4], "big") == 0x5A0  # ended after the read CCW
    assert csw[6:8] == b"\x00\x00"
    machine.channels.close()
    # The pack file now holds the formatted track, readable by anyone.
    track = CKDImage(pack, read_only=True).read_track(5, 2)
    assert [r.record for r in track.records] == [0, 1, 2, 3]
    assert track.records[3].data == bytes([0xC3]) * 800


def test_ipl_from_a_dasd_reads_r1_of_cylinder_0_track_0(tmp_path):
    pack = create_image(tmp_path / "ipl.2311", "2311", cylinders=2)
    disk = Dasd2311(pack)
    # The IPL record: a PSW, then the CCW the IPL chains to at location 8 (a NOP).
    ipl_record = bytes.fromhex("00020000000000CC") + ccw(0x03, 0, SUPPRESS_LENGTH, 1) + bytes(8)
    track = disk.image.read_track(0, 0)
    track.records.append(Record(0, 0, 1, b"", ipl_record))
    disk.image.write_track(0, 0, track)
    machine = Machine()
    machine.attach(0x191, disk)
    machine.ipl(0x191)
    assert machine.run(1000) == "disabled-wait"
    assert machine.cpu.current_psw() & 0xFFFFFF == 0xCC
    assert machine.storage.read(2, 2) == b"\x01\x91"


def test_dasd_program_on_a_pack_attached_read_only_fails_and_leaves_the_file_alone(tmp_path):
    pack = create_image(tmp_path / "ro.2314", "2314", cylinders=10)
    before = pack.read_bytes()
    machine = Machine(256 * 1024)
    _, data = dasd_program()
    for address, content in data.items():
        machine.load(address, content)
    request = BareRun(attaches=[(0x190, "2314", f"{pack}:ro")], psw=0x0000000000000400)
    report = run_bare(request, machine)
    assert report["stop"] == "disabled-wait"
    csw = machine.storage.read(0x40, 8)
    assert csw[4] & 0x02  # unit check: the formatting program was refused
    assert pack.read_bytes() == before


def test_device_schedule_runs_work_on_the_machine_clock():
    machine = Machine()
    console = Console1052(output_stream=None)
    assert console.schedule(10, lambda: None) is None  # not attached yet
    machine.attach(0x01F, console)
    fired = []
    console.schedule(50, lambda: fired.append(machine.clock.now))
    machine.clock.now = 49
    machine.clock.run_due()
    assert fired == []
    machine.clock.now = 50
    machine.clock.run_due()
    assert fired == [50]


def test_dasd_deck_ipled_through_a_bootstrap_chain_prints_dasd_ok(tmp_path):
    deck = bootstrap_deck(bytes.fromhex("0000000000000400"), dasd_core_image())
    assert len(deck) > 60  # the chain of list cards loads the whole program
    pack = create_image(tmp_path / "work.2314", "2314", cylinders=10)
    machine = Machine()
    reader = CardReader2540()
    reader.load_cards(deck)
    printer = Printer1403(tmp_path / "printer.txt")
    machine.attach(0x00C, reader)
    machine.attach(0x00E, printer)
    machine.attach(0x190, Dasd2314(pack))
    machine.ipl(0x00C)
    assert reader.cards_read == len(deck)
    assert machine.run(1_000_000) == "disabled-wait"
    printer.close()
    assert (tmp_path / "printer.txt").read_text() == READBACK_LINE_OK + "\n"
    assert machine.cpu.current_psw() & 0xFFFFFF == 0xBB

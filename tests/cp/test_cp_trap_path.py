"""CP's trap path kept fast without going stale: decoded instructions and low-storage access."""

from vm370.cp.supervisor import Supervisor
from vm370.cp.system import ControlProgram
from vm370.cp.vmblock import RunState
from vm370.hardware.machine import Machine

DISABLED_WAIT = 0x0002_0000_0000_0000
WAIT_MARK = 0xABC


def run_guest(code: dict[int, str], size: int = 64 * 1024):
    cp = ControlProgram(Machine(256 * 1024))
    supervisor = Supervisor(cp)
    guest = cp.create_virtual_machine("GUEST", size)
    for location in (0x58, 0x60, 0x68, 0x78):  # every new PSW: a disabled wait marked 0x333
        cp.load("GUEST", location, (DISABLED_WAIT | 0x333).to_bytes(8, "big"))
    cp.load("GUEST", 0x300, (DISABLED_WAIT | WAIT_MARK).to_bytes(8, "big"))
    for address, text in code.items():
        cp.load("GUEST", address, bytes.fromhex(text.replace(" ", "")))
    cp.set_psw("GUEST", 0x200)
    supervisor.run(10_000)
    return cp, guest


def test_a_privileged_instruction_rewritten_in_place_is_simulated_as_it_now_reads():
    # SSM X'300' traps; the guest then turns the same bytes into LPSW X'300'
    # (MVI of the opcode) and branches back: the second trap at the same
    # address must load the wait PSW, not set the mask again.
    cp, guest = run_guest({0x200: "8000 0300 9282 0200 47F0 0200"})
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK
    assert guest.counters.privops == 2


def test_an_executed_privileged_instruction_takes_the_register_it_is_executed_with():
    # The same EX target, SSK 0,0, executed with R1 = X'45' (SSK 4,5) and then
    # X'65' (SSK 6,5): the block at X'800' must end with R6's key, X'70'.
    code = {
        0x200: "4140 0050 4160 0070 4150 0800 4110 0045 4410 0400 4110 0065 4410 0400 8200 0300",
        0x400: "0800",
    }
    cp, guest = run_guest(code)
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK
    assert guest.storage_keys[1] == 0x70
    assert guest.counters.privops == 3


def test_a_privileged_instruction_across_a_page_boundary_is_fetched_from_both_pages():
    cp, guest = run_guest({0x200: "47F0 0FFE", 0xFFE: "8200 0300"})
    assert guest.state is RunState.DISABLED_WAIT
    assert guest.psw.instruction_address == WAIT_MARK


def test_words_of_guest_storage_read_and_write_within_and_across_pages():
    cp, guest = run_guest({0x200: "8200 0300"})
    storage = guest.storage
    cp.load("GUEST", 0xFFC, bytes.fromhex("0102030405060708"))
    assert storage.read_word(0xFFC) == 0x01020304
    assert storage.read_word(0xFFE) == 0x03040506
    assert storage.read_doubleword(0xFFC) == 0x0102030405060708
    storage.write_word(0xFFE, 0xA1A2A3A4)
    assert storage.read_real(0xFFC, 8) == bytes.fromhex("0102A1A2A3A40708")
    storage.write_doubleword(0x1000, 0xB1B2B3B4B5B6B7B8)
    assert cp.read("GUEST", 0x1000, 8) == bytes.fromhex("B1B2B3B4B5B6B7B8")


def test_a_psw_exchange_stores_one_doubleword_and_reads_another():
    cp, guest = run_guest({0x200: "8200 0300"})
    storage = guest.storage
    cp.load("GUEST", 0x68, bytes.fromhex("0102030405060708"))
    assert storage.exchange_doublewords(0x28, 0xA0A1A2A3A4A5A6A7, 0x68) == 0x0102030405060708
    assert cp.read("GUEST", 0x28, 8) == bytes.fromhex("A0A1A2A3A4A5A6A7")
    # Across pages it still does both (through the general path).
    cp.load("GUEST", 0x1008, bytes.fromhex("1112131415161718"))
    assert storage.exchange_doublewords(0xFF8, 0xB0B1B2B3B4B5B6B7, 0x1008) == 0x1112131415161718
    assert cp.read("GUEST", 0xFF8, 8) == bytes.fromhex("B0B1B2B3B4B5B6B7")

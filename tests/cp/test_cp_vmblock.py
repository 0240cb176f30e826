"""The VMBLOK: virtual PSW formats, masks, wait states, and its checks."""

import random

import pytest

from vm370.cp.vmblock import RunState, VirtualMachine, VirtualMachineError
from vm370.hardware.control_registers import ECPSW
from vm370.hardware.psw import BCPSW


def test_names_and_sizes_are_checked():
    with pytest.raises(VirtualMachineError, match="1-8 letters"):
        VirtualMachine("", 4096)
    with pytest.raises(VirtualMachineError, match="4K"):
        VirtualMachine("A", 2048)
    with pytest.raises(VirtualMachineError, match="16M"):
        VirtualMachine("A", 32 * 1024 * 1024)
    machine = VirtualMachine("A", 8192)
    assert len(machine.storage_keys) == 4 and machine.state is RunState.STOPPED


def test_psw_images_follow_the_virtual_cr6():
    machine = VirtualMachine("A", 8192)
    machine.load_psw_image(0xFF15_0000_2000_0400)
    assert isinstance(machine.psw, BCPSW) and machine.psw.key == 1 and machine.problem_state
    machine.control.load(6, 0x00800000)
    machine.load_psw_image(0x0F05_0000_0000_0400)
    assert isinstance(machine.psw, ECPSW)
    assert machine.translation_on and machine.address_mask == 0xFFFFFFFF
    assert machine.external_enabled


def test_bc_channel_masks_and_ec_summary_mask_with_cr4():
    machine = VirtualMachine("A", 8192)
    machine.psw = BCPSW(system_mask=0x40)
    assert machine.channel_enabled(1) and not machine.channel_enabled(0)
    assert machine.channel_enabled(1) and not machine.external_enabled
    machine.psw = BCPSW(system_mask=0x02)
    assert machine.channel_enabled(6) and machine.channel_enabled(7)  # bit 6: channels 6 and up
    machine.control.load(6, 0x00800000)
    machine.psw = ECPSW(io_mask=True)
    assert not machine.channel_enabled(2)
    machine.control.load(4, 0x20000000)
    assert machine.channel_enabled(2)


def test_wait_states_by_masks():
    machine = VirtualMachine("A", 8192)
    machine.start()
    machine.load_psw_image(0x0102_0000_0000_0000)
    assert machine.state is RunState.ENABLED_WAIT
    machine.load_psw_image(0x0002_0000_0000_0000)
    assert machine.state is RunState.DISABLED_WAIT
    machine.load_psw_image(0x0000_0000_0000_0200)
    assert machine.state is RunState.RUNNING


def test_a_stopped_machine_stays_stopped_until_started():
    machine = VirtualMachine("A", 8192)
    machine.load_psw_image(0x0000_0000_0000_0200)
    assert machine.state is RunState.STOPPED
    machine.start()
    assert machine.state is RunState.RUNNING


def test_switching_modes_keeps_the_psw_fields():
    machine = VirtualMachine("A", 8192)
    machine.psw = BCPSW(system_mask=0x81, key=7, cc=2, program_mask=5, instruction_address=0x1234)
    machine.control.load(6, 0x00800000)
    machine.set_mode_from_control()
    psw = machine.psw
    assert isinstance(psw, ECPSW)
    assert (psw.io_mask, psw.external_mask, psw.key, psw.cc, psw.program_mask) == (
        True,
        True,
        7,
        2,
        5,
    )
    assert psw.instruction_address == 0x1234
    psw.translation = True
    machine.control.load(6, 0)
    machine.set_mode_from_control()
    assert isinstance(machine.psw, BCPSW)
    assert machine.psw.system_mask == 0xFF and machine.psw.instruction_address == 0x1234
    assert not machine.translation_on


def test_loading_a_psw_image_over_one_of_the_same_format_reads_every_field():
    rng = random.Random(67)
    vm = VirtualMachine("PSWS", 64 * 1024)
    vm.start()
    for extended in (False, True):
        vm.control.values[6] = 0x00800000 if extended else 0
        fmt = ECPSW if extended else BCPSW
        vm.psw = fmt()
        for _ in range(500):
            image = rng.getrandbits(64)
            vm.load_psw_image(image)
            assert vm.psw == fmt.from_int(image)
            expected = (
                RunState.RUNNING
                if not vm.psw.wait
                else RunState.ENABLED_WAIT
                if vm.any_interruption_enabled
                else RunState.DISABLED_WAIT
            )
            assert vm.state is expected

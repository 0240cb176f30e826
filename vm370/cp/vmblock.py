"""The virtual machine block (CP-67's VMBLOK): everything CP knows about one virtual machine.

The registers and PSW here are the virtual machine's while CP holds it; while
the machine runs on the real CPU they are in the CPU and CP copies them back
when it regains control. The virtual PSW is kept as the hardware's own PSW
dataclasses: ``BCPSW`` in basic-control mode, ``ECPSW`` when the virtual
CR6 selects extended-control mode (a virtual 360/67, GA27-2719).

The virtual machine's storage itself is not here: it is the pages of its
address space (tables.py), in real frames or on the paging device
(paging.py). Its storage keys are virtualized: ``storage_keys`` holds one key
byte per 2 KB block of virtual storage, as SSK set it; CP copies a block's
key into the real key of the frame whenever the page is in storage.
"""

from __future__ import annotations

import enum
from dataclasses import astuple, dataclass, field
from typing import Any

from vm370.hardware.control_registers import (
    CR6_EXTENDED_CONTROL_MODE,
    ECPSW,
    MODE_REGISTER,
    ControlRegisters,
)
from vm370.hardware.dat import DynamicAddressTranslator
from vm370.hardware.psw import BCPSW, EXTERNAL_MASK, channel_mask_bit
from vm370.hardware.storage import BLOCK_SHIFT

MINIMUM_STORAGE = 4096
MAXIMUM_STORAGE = 16 * 1024 * 1024


# The PSW fields that mean the same in the BC and the EC format.
_SHARED_PSW_FIELDS = (
    "key",
    "ascii",
    "machine_check_mask",
    "wait",
    "problem_state",
    "ilc",
    "cc",
    "program_mask",
)


class RunState(enum.Enum):
    """What a virtual machine is doing, as the dispatcher sees it."""

    RUNNING = "running"  # ready to run, or running
    ENABLED_WAIT = "enabled-wait"  # waiting for an interruption it has enabled: costs nothing
    DISABLED_WAIT = "disabled-wait"  # waiting with every interruption masked: stopped for good
    STOPPED = "stopped"  # not started (no PSW yet) or stopped by the operator


class VirtualMachineError(ValueError):
    """A virtual machine definition CP cannot honour (bad name or storage size)."""


@dataclass
class Counters:
    """What CP counted for one virtual machine."""

    privops: int = 0  # privileged instructions simulated
    reflected: int = 0  # interruptions reflected into the guest's low storage
    page_faults: int = 0  # translation exceptions CP resolved by paging
    page_reads: int = 0  # pages read from the paging device
    page_writes: int = 0  # pages written to the paging device
    reclaims: int = 0  # faults on pages still in storage (reference sampling)
    diagnoses: int = 0  # DIAGNOSE hypercalls
    instructions: int = 0  # instructions the machine executed on the real CPU
    dispatches: int = 0  # times the dispatcher gave it the CPU
    start_ios: int = 0  # SIOs CP simulated for it (INDICATE USER)


# The fields of a virtual PSW's high word, by its value and format
# (VirtualMachine.load_psw_image): a guest loads the same few PSWs again and
# again, the old PSWs of its interruption handlers above all.
_EC_HIGH_WORDS: dict[int, tuple] = {}
_BC_HIGH_WORDS: dict[int, tuple] = {}
_HIGH_WORDS_LIMIT = 4096


def _high_word_fields(psw_class: type, high: int) -> tuple:
    """The fields the high word ``high`` of a PSW of ``psw_class`` holds, remembered.

    They are the class's first fields, in its own order, as load_psw_image
    assigns them: all but the address for ECPSW, up to the interruption
    code for BCPSW (the rest of a BC PSW is in its low word).
    """
    known, count = (_EC_HIGH_WORDS, 12) if psw_class is ECPSW else (_BC_HIGH_WORDS, 7)
    fields = astuple(psw_class.from_int(high << 32))[:count]
    if len(known) >= _HIGH_WORDS_LIMIT:
        known.clear()
    known[high] = fields
    return fields


@dataclass
class VirtualMachine:
    """CP's block for one virtual machine (VMBLOK)."""

    name: str
    storage_size: int
    # VM/370 privilege classes (A-G) from the directory: they gate CP commands
    # and the restricted DIAGNOSE codes.
    classes: str = "G"
    # The Model 67's extended-control facilities (LMC, STMC, LRA, and so the
    # virtual CR6 that selects EC mode and translation): VM/370's ECMODE
    # option. Without them the machine is a plain 360, to which those are
    # invalid operation codes (SET ECMODE OFF, or no OPTION ECMODE).
    extended_control: bool = True
    gpr: list[int] = field(default_factory=lambda: [0] * 16)
    fpr: list[int] = field(default_factory=lambda: [0] * 4)
    psw: BCPSW | ECPSW = field(default_factory=BCPSW)
    control: ControlRegisters = field(default_factory=ControlRegisters)
    state: RunState = RunState.STOPPED
    # External interruption code bits waiting to be presented (timer X'80',
    # interrupt key X'40'). Pending I/O interruptions are the virtual
    # channel's (``channel``, vchannel.py), as on the real machine.
    pending_external: int = 0
    counters: Counters = field(default_factory=Counters)
    # The virtual interval timer: the part of a timer unit not yet subtracted.
    timer_fraction: int = 0
    # Instructions charged to the timer twice: started, stopped by a page
    # fault CP resolved, and started again. The next charge gives them back,
    # so the timer counts what the machine did, not how others made it page.
    timer_credit: int = 0
    # CP's watch over an enabled wait (supervisor.py): the clock up to which
    # the timer has been charged for it, -1 while CP does not count the
    # machine as waiting, and the clock by which the timer may go negative.
    wait_since: int = -1
    wait_deadline: int = 0
    storage_keys: bytearray = field(default_factory=bytearray)
    # Set by CP when it creates the machine (system.py): its address space
    # (tables.py), CP's view of its storage (vstorage.py), the translator of
    # its own tables when it is a virtual 360/67 (the hardware's DAT unit over
    # its storage and its virtual control registers), its shadow tables.
    address_space: Any = field(default=None, repr=False)
    storage: Any = field(default=None, repr=False)
    dat: DynamicAddressTranslator | None = field(default=None, repr=False)
    shadow: Any = field(default=None, repr=False)
    # The machine's channel subsystem (vchannel.py) and its virtual devices
    # by address (vdevices.py): built at LOGON from the directory.
    channel: Any = field(default=None, repr=False)
    devices: dict[int, Any] = field(default_factory=dict, repr=False)
    # ADSTOP and TRACE (debugging.py): None while nobody debugs the machine,
    # the one thing CP's trap handlers test.
    debug: Any = field(default=None, repr=False)
    # Why reflection stopped the machine (VM/370's message), for CP to report
    # once the trap ends; None otherwise.
    stopped_by_reflection: str | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 8 or not self.name.isalnum():
            raise VirtualMachineError(
                f"virtual machine name {self.name!r} must be 1-8 letters or digits"
            )
        if not MINIMUM_STORAGE <= self.storage_size <= MAXIMUM_STORAGE or self.storage_size % 4096:
            raise VirtualMachineError(
                f"virtual storage of {self.storage_size} bytes must be a multiple of 4K "
                f"from 4K to 16M"
            )
        if not self.storage_keys:
            self.storage_keys = bytearray(self.storage_size >> BLOCK_SHIFT)
        if self.channel is None:
            from vm370.cp.vchannel import VirtualChannel

            self.channel = VirtualChannel(self)

    @property
    def pending_io(self) -> list[tuple[int, bytes]]:
        """(device, CSW) of each I/O interruption waiting to be presented, oldest first."""
        return self.channel.pending_interruptions()

    @property
    def ec_mode(self) -> bool:
        """The virtual CR6 selects extended-control mode (a virtual 360/67)."""
        return self.control.extended_control_mode

    @property
    def problem_state(self) -> bool:
        return self.psw.problem_state

    @property
    def translation_on(self) -> bool:
        """The guest has turned on its own dynamic address translation."""
        psw = self.psw
        return psw.__class__ is ECPSW and psw.translation

    @property
    def address_mask(self) -> int:
        psw = self.psw
        if psw.__class__ is ECPSW and psw.addressing_32:
            return 0xFFFFFFFF
        return 0x00FFFFFF

    @property
    def external_enabled(self) -> bool:
        if isinstance(self.psw, ECPSW):
            return self.psw.external_mask
        return bool(self.psw.system_mask & EXTERNAL_MASK)

    def channel_enabled(self, channel: int) -> bool:
        """I/O interruptions from ``channel`` are enabled by the virtual PSW (and CR4)."""
        if isinstance(self.psw, ECPSW):
            return self.psw.io_mask and self.control.channel_masked_on(channel)
        return bool(self.psw.system_mask & channel_mask_bit(channel))

    @property
    def any_interruption_enabled(self) -> bool:
        """Something could end a wait (PoO: a wait with every mask off lasts forever)."""
        if isinstance(self.psw, ECPSW):
            return self.psw.external_mask or self.psw.io_mask
        return bool(self.psw.system_mask)

    def psw_image(self, interruption_code: int = 0) -> int:
        """The 64-bit image of the virtual PSW in the current mode.

        In BC mode the interruption code goes into the image; in EC mode there
        is no such field and the caller stores the code in low storage.
        """
        if isinstance(self.psw, BCPSW):
            self.psw.interruption_code = interruption_code & 0xFFFF
        return self.psw.to_int()

    def load_psw_image(self, value: int) -> None:
        """Make ``value`` the virtual PSW, read in the format the virtual CR6 selects.

        Every reflected interruption and simulated LPSW comes here: a PSW of
        the same format is overwritten field by field rather than built
        anew, with the fields its high word holds taken apart once for each
        value by ``ECPSW.from_int`` or ``BCPSW.from_int`` (_high_word_fields).
        """
        psw = self.psw
        high = (value >> 32) & 0xFFFFFFFF
        if self.control.values[MODE_REGISTER] & CR6_EXTENDED_CONTROL_MODE:  # ec_mode
            if psw.__class__ is not ECPSW:
                self.psw = ECPSW.from_int(value)
                self.update_wait_state()
                return
            (
                psw.addressing_32,
                psw.translation,
                psw.io_mask,
                psw.external_mask,
                psw.key,
                psw.ascii,
                psw.machine_check_mask,
                psw.wait,
                psw.problem_state,
                psw.ilc,
                psw.cc,
                psw.program_mask,
            ) = _EC_HIGH_WORDS.get(high) or _high_word_fields(ECPSW, high)
            psw.instruction_address = value & 0xFFFFFFFF
        else:
            if psw.__class__ is not BCPSW:
                self.psw = BCPSW.from_int(value)
                self.update_wait_state()
                return
            (
                psw.system_mask,
                psw.key,
                psw.ascii,
                psw.machine_check_mask,
                psw.wait,
                psw.problem_state,
                psw.interruption_code,
            ) = _BC_HIGH_WORDS.get(high) or _high_word_fields(BCPSW, high)
            low = value & 0xFFFFFFFF
            psw.ilc = low >> 30
            psw.cc = (low >> 28) & 3
            psw.program_mask = (low >> 24) & 0xF
            psw.instruction_address = low & 0xFFFFFF
        self.update_wait_state()

    def update_wait_state(self) -> None:
        """Set the run state from the virtual PSW's wait bit and masks."""
        if not self.psw.wait:
            if self.state is not RunState.STOPPED:
                self.state = RunState.RUNNING
            return
        self.state = (
            RunState.ENABLED_WAIT if self.any_interruption_enabled else RunState.DISABLED_WAIT
        )

    def start(self) -> None:
        """Let the dispatcher run the machine from its current PSW."""
        self.state = RunState.RUNNING
        self.update_wait_state()

    def set_mode_from_control(self) -> None:
        """After a load of the virtual CR6: carry the current PSW into the selected format.

        The PSW's fields are machine state, not an image, so switching modes
        keeps them; the masks that exist only in one format map onto the
        other (BC channel masks 0-6 <-> the EC I/O summary mask, with CR4
        holding the channel masks), and translation and 32-bit addressing
        are off in BC mode. A documented choice: GA27-2719 does not say what
        a mode change does to the current PSW.
        """
        psw = self.psw
        shared = {name: getattr(psw, name) for name in _SHARED_PSW_FIELDS}
        if self.ec_mode and isinstance(psw, BCPSW):
            self.psw = ECPSW(
                io_mask=bool(psw.system_mask & 0xFE),
                external_mask=bool(psw.system_mask & EXTERNAL_MASK),
                instruction_address=psw.instruction_address,
                **shared,
            )
        elif not self.ec_mode and isinstance(psw, ECPSW):
            system_mask = (0xFE if psw.io_mask else 0) | (EXTERNAL_MASK if psw.external_mask else 0)
            self.psw = BCPSW(
                system_mask=system_mask,
                instruction_address=psw.instruction_address & 0x00FFFFFF,
                **shared,
            )

    def storage_key(self, address: int) -> int:
        """The virtual key byte of the 2 KB block holding ``address``."""
        return self.storage_keys[address >> BLOCK_SHIFT]

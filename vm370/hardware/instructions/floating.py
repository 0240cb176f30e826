"""Floating-point instructions, short and long, around ``vm370.hardware.hfp``.

PoO (GA22-6821), "Floating-Point Arithmetic". ``cpu.fpr`` holds the 64-bit
images of registers 0, 2, 4 and 6; a register field naming any other
register is a specification exception, as is a storage operand not on a
word (short) or doubleword (long) boundary. Short operations use and change
only the left half of a register: the right half is left as it was (PoO:
"the low-order halves ... are ignored and remain unchanged"), except that
MER/ME put their long product in the whole register.

The arithmetic functions return the result, the condition code and the
interruption to raise; the handler stores the result and sets the code
first, so the instruction is completed when the interruption is taken.
"""

from __future__ import annotations

from vm370.hardware import hfp
from vm370.hardware.instructions.operands import rx_address
from vm370.hardware.interrupts import SPECIFICATION, ProgramInterrupt

SHORT = hfp.SHORT
LONG = hfp.LONG
LOW_HALF = 0xFFFFFFFF


def _index(r: int) -> int:
    """The fpr index of register r; specification unless r is 0, 2, 4 or 6."""
    if r & 9:
        raise ProgramInterrupt(SPECIFICATION)
    return r >> 1


def _set_short(cpu, index: int, value: int) -> None:
    fpr = cpu.fpr
    fpr[index] = (value << 32) | (fpr[index] & LOW_HALF)


def _finish(cpu, result: hfp.FloatResult) -> None:
    if result.cc is not None:
        cpu.cc = result.cc
    if result.interrupt is not None:
        raise ProgramInterrupt(result.interrupt)


def _add_short(cpu, index: int, second: int, normalize: bool, subtract: bool) -> None:
    result = hfp.add(cpu.fpr[index] >> 32, second, SHORT, cpu.program_mask, normalize, subtract)
    _set_short(cpu, index, result.value)
    _finish(cpu, result)


def _add_long(cpu, index: int, second: int, normalize: bool, subtract: bool) -> None:
    result = hfp.add(cpu.fpr[index], second, LONG, cpu.program_mask, normalize, subtract)
    cpu.fpr[index] = result.value
    _finish(cpu, result)


def _short_register(cpu, r1: int, r2: int) -> tuple[int, int]:
    index = _index(r1)
    return index, cpu.fpr[_index(r2)] >> 32


def _long_register(cpu, r1: int, r2: int) -> tuple[int, int]:
    index = _index(r1)
    return index, cpu.fpr[_index(r2)]


def _short_storage(cpu, r1: int, x2: int, b2: int, d2: int) -> tuple[int, int]:
    index = _index(r1)
    return index, cpu.fetch_word(rx_address(cpu, x2, b2, d2))


def _long_storage(cpu, r1: int, x2: int, b2: int, d2: int) -> tuple[int, int]:
    index = _index(r1)
    return index, cpu.fetch_doubleword(rx_address(cpu, x2, b2, d2))


def load_long_register(cpu, r1, r2):
    """28 LDR Load (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    cpu.fpr[index] = value


def load_short_register(cpu, r1, r2):
    """38 LER Load (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _set_short(cpu, index, value)


def load_long(cpu, r1, x2, b2, d2):
    """68 LD Load (long) [RX]"""
    index, value = _long_storage(cpu, r1, x2, b2, d2)
    cpu.fpr[index] = value


def load_short(cpu, r1, x2, b2, d2):
    """78 LE Load (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    _set_short(cpu, index, value)


def store_long(cpu, r1, x2, b2, d2):
    """60 STD Store (long) [RX]"""
    index = _index(r1)
    cpu.store_doubleword(rx_address(cpu, x2, b2, d2), cpu.fpr[index])


def store_short(cpu, r1, x2, b2, d2):
    """70 STE Store (short) [RX]"""
    index = _index(r1)
    cpu.store_word(rx_address(cpu, x2, b2, d2), cpu.fpr[index] >> 32)


def _sign_control_long(cpu, r1: int, r2: int, operation) -> None:
    index, value = _long_register(cpu, r1, r2)
    cpu.fpr[index], cpu.cc = operation(value, LONG)


def _sign_control_short(cpu, r1: int, r2: int, operation) -> None:
    index, value = _short_register(cpu, r1, r2)
    result, cpu.cc = operation(value, SHORT)
    _set_short(cpu, index, result)


def load_and_test_long_register(cpu, r1, r2):
    """22 LTDR Load and Test (long) [RR]"""
    _sign_control_long(cpu, r1, r2, hfp.load_and_test)


def load_complement_long_register(cpu, r1, r2):
    """23 LCDR Load Complement (long) [RR]"""
    _sign_control_long(cpu, r1, r2, hfp.load_complement)


def load_positive_long_register(cpu, r1, r2):
    """20 LPDR Load Positive (long) [RR]"""
    _sign_control_long(cpu, r1, r2, hfp.load_positive)


def load_negative_long_register(cpu, r1, r2):
    """21 LNDR Load Negative (long) [RR]"""
    _sign_control_long(cpu, r1, r2, hfp.load_negative)


def load_and_test_short_register(cpu, r1, r2):
    """32 LTER Load and Test (short) [RR]"""
    _sign_control_short(cpu, r1, r2, hfp.load_and_test)


def load_complement_short_register(cpu, r1, r2):
    """33 LCER Load Complement (short) [RR]"""
    _sign_control_short(cpu, r1, r2, hfp.load_complement)


def load_positive_short_register(cpu, r1, r2):
    """30 LPER Load Positive (short) [RR]"""
    _sign_control_short(cpu, r1, r2, hfp.load_positive)


def load_negative_short_register(cpu, r1, r2):
    """31 LNER Load Negative (short) [RR]"""
    _sign_control_short(cpu, r1, r2, hfp.load_negative)


def halve_long_register(cpu, r1, r2):
    """24 HDR Halve (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    cpu.fpr[index] = hfp.halve(value, LONG)


def halve_short_register(cpu, r1, r2):
    """34 HER Halve (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _set_short(cpu, index, hfp.halve(value, SHORT))


def add_normalized_long_register(cpu, r1, r2):
    """2A ADR Add Normalized (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    _add_long(cpu, index, value, True, False)


def subtract_normalized_long_register(cpu, r1, r2):
    """2B SDR Subtract Normalized (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    _add_long(cpu, index, value, True, True)


def add_unnormalized_long_register(cpu, r1, r2):
    """2E AWR Add Unnormalized (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    _add_long(cpu, index, value, False, False)


def subtract_unnormalized_long_register(cpu, r1, r2):
    """2F SWR Subtract Unnormalized (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    _add_long(cpu, index, value, False, True)


def add_normalized_short_register(cpu, r1, r2):
    """3A AER Add Normalized (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _add_short(cpu, index, value, True, False)


def subtract_normalized_short_register(cpu, r1, r2):
    """3B SER Subtract Normalized (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _add_short(cpu, index, value, True, True)


def add_unnormalized_short_register(cpu, r1, r2):
    """3E AUR Add Unnormalized (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _add_short(cpu, index, value, False, False)


def subtract_unnormalized_short_register(cpu, r1, r2):
    """3F SUR Subtract Unnormalized (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    _add_short(cpu, index, value, False, True)


def add_normalized_long(cpu, r1, x2, b2, d2):
    """6A AD Add Normalized (long) [RX]"""
    # Written out, without helpers: AD is the commonest floating-point
    # instruction in loops.
    if r1 & 9:
        raise ProgramInterrupt(SPECIFICATION)
    gpr = cpu.gpr
    address = (d2 + (gpr[x2] if x2 else 0) + (gpr[b2] if b2 else 0)) & cpu.address_mask
    second = cpu.fetch_doubleword(address)
    fpr = cpu.fpr
    index = r1 >> 1
    value, cc, interrupt = hfp.add(fpr[index], second, LONG, cpu.program_mask)
    fpr[index] = value
    cpu.cc = cc
    if interrupt is not None:
        raise ProgramInterrupt(interrupt)


def subtract_normalized_long(cpu, r1, x2, b2, d2):
    """6B SD Subtract Normalized (long) [RX]"""
    index, value = _long_storage(cpu, r1, x2, b2, d2)
    _add_long(cpu, index, value, True, True)


def add_unnormalized_long(cpu, r1, x2, b2, d2):
    """6E AW Add Unnormalized (long) [RX]"""
    index, value = _long_storage(cpu, r1, x2, b2, d2)
    _add_long(cpu, index, value, False, False)


def subtract_unnormalized_long(cpu, r1, x2, b2, d2):
    """6F SW Subtract Unnormalized (long) [RX]"""
    index, value = _long_storage(cpu, r1, x2, b2, d2)
    _add_long(cpu, index, value, False, True)


def add_normalized_short(cpu, r1, x2, b2, d2):
    """7A AE Add Normalized (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    _add_short(cpu, index, value, True, False)


def subtract_normalized_short(cpu, r1, x2, b2, d2):
    """7B SE Subtract Normalized (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    _add_short(cpu, index, value, True, True)


def add_unnormalized_short(cpu, r1, x2, b2, d2):
    """7E AU Add Unnormalized (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    _add_short(cpu, index, value, False, False)


def subtract_unnormalized_short(cpu, r1, x2, b2, d2):
    """7F SU Subtract Unnormalized (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    _add_short(cpu, index, value, False, True)


def compare_long_register(cpu, r1, r2):
    """29 CDR Compare (long) [RR]"""
    index, value = _long_register(cpu, r1, r2)
    cpu.cc = hfp.compare(cpu.fpr[index], value, LONG)


def compare_short_register(cpu, r1, r2):
    """39 CER Compare (short) [RR]"""
    index, value = _short_register(cpu, r1, r2)
    cpu.cc = hfp.compare(cpu.fpr[index] >> 32, value, SHORT)


def compare_long(cpu, r1, x2, b2, d2):
    """69 CD Compare (long) [RX]"""
    index, value = _long_storage(cpu, r1, x2, b2, d2)
    cpu.cc = hfp.compare(cpu.fpr[index], value, LONG)


def compare_short(cpu, r1, x2, b2, d2):
    """79 CE Compare (short) [RX]"""
    index, value = _short_storage(cpu, r1, x2, b2, d2)
    cpu.cc = hfp.compare(cpu.fpr[index] >> 32, value, SHORT)


def _multiply_short(cpu, index: int, value: int) -> None:
    # MER/ME: short operands, long product in the whole register.
    result = hfp.multiply(cpu.fpr[index] >> 32, value, SHORT, cpu.program_mask)
    cpu.fpr[index] = result.value
    _finish(cpu, result)


def _multiply_long(cpu, index: int, value: int) -> None:
    result = hfp.multiply(cpu.fpr[index], value, LONG, cpu.program_mask)
    cpu.fpr[index] = result.value
    _finish(cpu, result)


def multiply_long_register(cpu, r1, r2):
    """2C MDR Multiply (long) [RR]"""
    _multiply_long(cpu, *_long_register(cpu, r1, r2))


def multiply_short_register(cpu, r1, r2):
    """3C MER Multiply (short) [RR]"""
    _multiply_short(cpu, *_short_register(cpu, r1, r2))


def multiply_long(cpu, r1, x2, b2, d2):
    """6C MD Multiply (long) [RX]"""
    _multiply_long(cpu, *_long_storage(cpu, r1, x2, b2, d2))


def multiply_short(cpu, r1, x2, b2, d2):
    """7C ME Multiply (short) [RX]"""
    _multiply_short(cpu, *_short_storage(cpu, r1, x2, b2, d2))


def _divide_short(cpu, index: int, value: int) -> None:
    result = hfp.divide(cpu.fpr[index] >> 32, value, SHORT, cpu.program_mask)
    _set_short(cpu, index, result.value)
    _finish(cpu, result)


def _divide_long(cpu, index: int, value: int) -> None:
    result = hfp.divide(cpu.fpr[index], value, LONG, cpu.program_mask)
    cpu.fpr[index] = result.value
    _finish(cpu, result)


def divide_long_register(cpu, r1, r2):
    """2D DDR Divide (long) [RR]"""
    _divide_long(cpu, *_long_register(cpu, r1, r2))


def divide_short_register(cpu, r1, r2):
    """3D DER Divide (short) [RR]"""
    _divide_short(cpu, *_short_register(cpu, r1, r2))


def divide_long(cpu, r1, x2, b2, d2):
    """6D DD Divide (long) [RX]"""
    _divide_long(cpu, *_long_storage(cpu, r1, x2, b2, d2))


def divide_short(cpu, r1, x2, b2, d2):
    """7D DE Divide (short) [RX]"""
    _divide_short(cpu, *_short_storage(cpu, r1, x2, b2, d2))

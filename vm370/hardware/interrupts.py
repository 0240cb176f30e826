"""Interruption codes and the exception that carries a program interruption.

Codes from the Principles of Operation (GA22-6821, "Program Interruption"),
with the Model 67's translation exceptions (GA27-2719).
"""

from __future__ import annotations

OPERATION = 0x01
PRIVILEGED_OPERATION = 0x02
EXECUTE = 0x03
PROTECTION = 0x04
ADDRESSING = 0x05
SPECIFICATION = 0x06
DATA = 0x07
FIXED_POINT_OVERFLOW = 0x08
FIXED_POINT_DIVIDE = 0x09
DECIMAL_OVERFLOW = 0x0A
DECIMAL_DIVIDE = 0x0B
EXPONENT_OVERFLOW = 0x0C
EXPONENT_UNDERFLOW = 0x0D
SIGNIFICANCE = 0x0E
FLOATING_POINT_DIVIDE = 0x0F
SEGMENT_TRANSLATION = 0x10  # Model 67
PAGE_TRANSLATION = 0x11  # Model 67

PROGRAM_INTERRUPTION_NAMES = {
    OPERATION: "operation",
    PRIVILEGED_OPERATION: "privileged-operation",
    EXECUTE: "execute",
    PROTECTION: "protection",
    ADDRESSING: "addressing",
    SPECIFICATION: "specification",
    DATA: "data",
    FIXED_POINT_OVERFLOW: "fixed-point-overflow",
    FIXED_POINT_DIVIDE: "fixed-point-divide",
    DECIMAL_OVERFLOW: "decimal-overflow",
    DECIMAL_DIVIDE: "decimal-divide",
    EXPONENT_OVERFLOW: "exponent-overflow",
    EXPONENT_UNDERFLOW: "exponent-underflow",
    SIGNIFICANCE: "significance",
    FLOATING_POINT_DIVIDE: "floating-point-divide",
    SEGMENT_TRANSLATION: "segment-translation",
    PAGE_TRANSLATION: "page-translation",
}

# Program-mask bits as the CPU keeps them (PSW bits 36-39, PoO "Program Status Word").
MASK_FIXED_POINT_OVERFLOW = 0x8
MASK_DECIMAL_OVERFLOW = 0x4
MASK_EXPONENT_UNDERFLOW = 0x2
MASK_SIGNIFICANCE = 0x1


class ProgramInterrupt(Exception):
    """Raised by an instruction handler to cause a program interruption.

    ``code`` is one of the constants above. Every program interruption of
    the Model 67 stores the old PSW past the instruction with its length in
    the ILC (the translation exceptions included: docs/model67.md), so the
    code is all an interruption needs.
    """

    __slots__ = ("code",)

    def __init__(self, code: int):
        # No call to Exception.__init__ and no message built here: every
        # trap raises one, and the name is only wanted when someone prints it.
        self.code = code

    def __str__(self) -> str:
        return PROGRAM_INTERRUPTION_NAMES.get(self.code, f"code {self.code:02X}")

    def __repr__(self) -> str:
        return f"ProgramInterrupt({self.code:#04x})"

"""USING and DROP: which base registers the assembler may use, and choosing one.

GC28-6514, "USING": an implicit address is resolved against every base
register whose USING value is in the same section and at most 4095 below
it; the register giving the smallest displacement wins, and between equal
displacements the higher-numbered register. Absolute addresses 0-4095 need
no base register (base 0) unless an absolute USING covers them.
"""

from __future__ import annotations

from assembler.diagnostics import ERROR, AssemblyError
from assembler.expressions import Value

MAX_DISPLACEMENT = 4095


class UsingTable:
    """The base registers in effect at one point of pass 2."""

    def __init__(self) -> None:
        self.bases: dict[int, Value] = {}

    def using(self, base: Value, registers: list[int]) -> None:
        for index, register in enumerate(registers):
            self.bases[register] = base.plus(4096 * index)

    def drop(self, registers: list[int] | None) -> None:
        if registers is None:
            self.bases.clear()
            return
        for register in registers:
            self.bases.pop(register, None)

    def resolve(self, value: Value, describe, column: int = -1) -> tuple[int, int]:
        """(base register, displacement) for an implicit address."""
        best: tuple[int, int] | None = None
        if value.absolute:
            # Register 0 stands for base 0 without a USING, but an absolute USING that
            # covers the address competes with it under the same rule: the smaller
            # displacement, then the higher register (GC28-6514, "USING"), so
            # USING 0,2 turns LA 1,X'100' into 4110 2100.
            if 0 <= value.offset <= MAX_DISPLACEMENT:
                best = (0, value.offset)
            section = None
        else:
            section = value.simple_section
            if section is None:
                raise AssemblyError(
                    "a complexly relocatable expression cannot be used as an address", column
                )
        for register, base in self.bases.items():
            if section is None:
                if not base.absolute:
                    continue
            elif base.simple_section != section:
                continue
            displacement = value.offset - base.offset
            if 0 <= displacement <= MAX_DISPLACEMENT and (
                best is None
                or displacement < best[1]
                or (displacement == best[1] and register > best[0])
            ):
                best = (register, displacement)
        if best is None:
            where = f"{value.offset:06X}"
            if section is not None:
                where += f" in {describe(section)}"
            raise AssemblyError(
                f"address {where} is not addressable: no USING base register covers it "
                "(add USING or write an explicit D(B) operand)",
                column,
                ERROR,
            )
        return best

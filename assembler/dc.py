"""Constants: the lengths and bytes of DC, DS and literal operands.

GC28-6514, "DC -- Define Constant": types C X B F H E D L P Z A Y S V Q,
the duplication factor, the length (L), scale (S) and exponent (E)
modifiers, several constants in one operand (in the quotes, or in the
parentheses of the address types), and boundary alignment of F H E D L A Y
S V Q when no length is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from assembler.diagnostics import ERROR, SERIOUS, AssemblyError
from assembler.expressions import Value
from assembler.nodes import DCOperand, Operand, SymbolRef

# type: (implicit length or None when it comes from the nominal value,
#        alignment without a length modifier, largest explicit length)
TYPES: dict[str, tuple[int | None, int, int]] = {
    "C": (None, 1, 256),
    "X": (None, 1, 256),
    "B": (None, 1, 256),
    "F": (4, 4, 8),
    "H": (2, 2, 8),
    "E": (4, 4, 8),
    "D": (8, 8, 8),
    "L": (16, 8, 16),
    "P": (None, 1, 16),
    "Z": (None, 1, 16),
    "A": (4, 4, 4),
    "Y": (2, 2, 2),
    "S": (2, 2, 2),
    "V": (4, 4, 4),
    "Q": (4, 4, 4),
}
ADDRESS_TYPES = frozenset("AYSVQ")
# GC28-6514, summary of constants: "In a DS assembler instruction, C and X type
# constants may have length specification to 65,535"; DC keeps 256.
DS_LARGEST_LENGTH = 65535
DS_LONG_TYPES = frozenset("CX")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where an operand's constants go: alignment, duplication, one length per constant."""

    alignment: int
    duplication: int
    lengths: tuple[int, ...]  # bytes; for a bit length, the bytes that many bits need
    bits: tuple[int, ...] = ()  # one bit length per constant, when the length is L.n

    @property
    def length_attribute(self) -> int:
        return max(self.lengths[0], 1) if self.lengths else 1

    @property
    def total(self) -> int:
        return self.duplication * sum(self.lengths)

    @property
    def total_bits(self) -> int:
        return self.duplication * sum(self.bits)


@dataclass(frozen=True, slots=True)
class Relocation:
    """An address constant field that the loader must adjust."""

    offset: int  # from the start of the operand's bytes
    length: int
    value: Value
    v_type: bool
    pseudo: bool = False  # a Q-type constant: the loader puts a displacement there


def character_bytes(nominal: str, column: int = -1) -> bytes:
    """The EBCDIC bytes of C'...' text (two apostrophes or ampersands stand for one)."""
    text = nominal.replace("''", "'").replace("&&", "&")
    try:
        return text.encode("cp037")
    except UnicodeEncodeError as error:
        raise AssemblyError(
            f"character {text[error.start]!r} has no EBCDIC code (code page 037)", column
        ) from None


def split_nominal(nominal: str) -> list[str]:
    return [part.strip() for part in nominal.split(",")]


def layout(operand: DCOperand, absolute: Callable, is_ds: bool) -> Layout:
    """Alignment and lengths; ``absolute(expression)`` evaluates a modifier now."""
    kind = operand.type
    implicit, alignment, largest = TYPES[kind]
    duplication = 1
    if operand.duplication is not None:
        duplication = absolute(operand.duplication)
        if duplication < 0:
            raise AssemblyError("duplication factor must not be negative", operand.column, SERIOUS)
    if kind in DS_LONG_TYPES and is_ds:
        largest = DS_LARGEST_LENGTH
    # With a zero duplication factor DC, like DS, may leave the value out.
    count = _constant_count(operand, is_ds or duplication == 0)
    if operand.length is not None and operand.length_in_bits:
        bits = absolute(operand.length)
        if kind in "SVQ" or not 1 <= bits <= largest * 8:
            raise AssemblyError(
                f"a bit length does not apply to {kind}-type constants"
                if kind in "SVQ"
                else f"bit length of a {kind}-type constant must be 1 to {largest * 8}",
                operand.length.column,
                SERIOUS,
            )
        return Layout(1, duplication, ((bits + 7) // 8,) * count, (bits,) * count)
    if operand.length is not None:
        length = absolute(operand.length)
        if not 1 <= length <= largest:
            raise AssemblyError(
                f"length modifier of a {kind}-type constant must be 1 to {largest}",
                operand.length.column,
                SERIOUS,
            )
        return Layout(1, duplication, (length,) * count)
    if implicit is not None:
        return Layout(alignment, duplication, (implicit,) * count)
    return Layout(1, duplication, tuple(_implicit_lengths(operand)))


def first_alignment(operand: DCOperand) -> int:
    """The boundary an operand starts on: its type's, unless a length modifier is given."""
    return 1 if operand.length is not None else TYPES[operand.type][1]


def _constant_count(operand: DCOperand, is_ds: bool) -> int:
    if operand.addresses is not None:
        if operand.type not in ADDRESS_TYPES:
            raise AssemblyError(
                f"a {operand.type}-type constant takes its value in quotes, not parentheses",
                operand.column,
                SERIOUS,
            )
        return len(operand.addresses)
    if operand.nominal is None:
        if not is_ds:
            raise AssemblyError(
                "DC operand has no value (write it in quotes, as F'1')", operand.column, SERIOUS
            )
        return 1
    if operand.type in ADDRESS_TYPES:
        raise AssemblyError(
            f"a {operand.type}-type constant takes its value in parentheses, as "
            f"{operand.type}(SYMBOL)",
            operand.column,
            SERIOUS,
        )
    if operand.type == "C":
        return 1
    return len(split_nominal(operand.nominal))


def _implicit_lengths(operand: DCOperand) -> list[int]:
    kind, nominal = operand.type, operand.nominal
    if nominal is None:
        return [1]
    if kind == "C":
        return [max(len(character_bytes(nominal, operand.column)), 1)]
    # X'' and B'' have no digits: they take no space, and DC reports them when the
    # bytes are made.
    lengths = []
    for part in split_nominal(nominal):
        if kind == "X":
            lengths.append((len(part) + 1) // 2)
        elif kind == "B":
            lengths.append((len(part) + 7) // 8)
        else:
            digits = sum(char.isdigit() for char in part)
            lengths.append(max((digits + 2) // 2 if kind == "P" else digits, 1))
    return lengths


_NUMBER = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:E([+-]?\d+))?$")


def _decimal_value(text: str, column: int) -> Fraction:
    match = _NUMBER.match(text.upper())
    if match is None or not (match.group(2) or match.group(3)):
        raise AssemblyError(f"{text!r} is not a decimal number", column, SERIOUS)
    sign, whole, fraction, exponent = match.groups()
    if exponent and abs(int(exponent)) > NOMINAL_EXPONENT_LIMIT:
        raise AssemblyError(f"exponent of {text} is out of range for any constant", column)
    value = Fraction(int((whole or "0") + (fraction or "")), 10 ** len(fraction or ""))
    if exponent:
        value *= Fraction(10) ** int(exponent)
    return -value if sign == "-" else value


def _round_half_away(value: Fraction) -> int:
    magnitude = int(abs(value) + Fraction(1, 2))
    return -magnitude if value < 0 else magnitude


def fixed_point_bytes(text: str, length: int, scale: int, exponent: int, column: int) -> bytes:
    """F and H: a binary integer, two's complement, after the exponent and scale."""
    value = _decimal_value(text, column) * Fraction(10) ** exponent * Fraction(2) ** scale
    integer = _round_half_away(value)
    bits = length * 8
    if not -(1 << (bits - 1)) <= integer < (1 << (bits - 1)):
        raise AssemblyError(f"value {text} does not fit in {length} bytes", column)
    return (integer & ((1 << bits) - 1)).to_bytes(length, "big")


def floating_point_bytes(text: str, length: int, scale: int, exponent: int, column: int) -> bytes:
    """E and D: hexadecimal floating point (PoO: sign, 7-bit characteristic excess 64)."""
    value = _decimal_value(text, column) * Fraction(10) ** exponent
    negative = value < 0 or text.strip().startswith("-")
    magnitude = abs(value)
    fraction_digits = (length - 1) * 2
    if magnitude == 0:
        return bytes(length)
    characteristic = 0
    while magnitude >= 1:
        magnitude /= 16
        characteristic += 1
    while magnitude < Fraction(1, 16):
        magnitude *= 16
        characteristic -= 1
    if scale:
        magnitude /= Fraction(16) ** scale
        characteristic += scale
    mantissa = _round_half_away(magnitude * Fraction(16) ** fraction_digits)
    if fraction_digits == 0:
        mantissa = 1  # a one-byte constant keeps only the sign and characteristic
    elif mantissa >= 16**fraction_digits:
        mantissa //= 16
        characteristic += 1
    characteristic += 64
    if not 0 <= characteristic <= 127:
        raise AssemblyError(f"value {text} is outside the floating-point range", column)
    if mantissa == 0:
        raise AssemblyError(f"scale modifier shifts every digit of {text} out", column)
    fraction = mantissa.to_bytes(length - 1, "big") if fraction_digits else b""
    return bytes([(0x80 if negative else 0) | characteristic]) + fraction


def extended_bytes(text: str, length: int, scale: int, exponent: int, column: int) -> bytes:
    """L: extended-precision floating point, two long numbers (PoO, "Extended-Precision
    Floating-Point"): the high part as D, the low part with the same sign, a
    characteristic 14 less (modulo 128) and the next 14 fraction digits. A length
    below 16 keeps the leftmost bytes."""
    if length <= 8:
        return floating_point_bytes(text, length, scale, exponent, column)
    data = floating_point_bytes(text, 15, scale, exponent, column)
    if not any(data):
        return bytes(length)
    high, low_fraction = data[:8], data[8:]
    low_characteristic = (high[0] & 0x80) | ((high[0] - 14) & 0x7F)
    return (high + bytes([low_characteristic]) + low_fraction)[:length]


def _decimal_digits(text: str, column: int) -> tuple[str, bool]:
    body = text.strip()
    negative = body.startswith("-")
    body = body.lstrip("+-")
    if not body or not all(char.isdigit() or char == "." for char in body) or (body.count(".") > 1):
        raise AssemblyError(f"{text!r} is not a decimal number", column, SERIOUS)
    return body.replace(".", ""), negative


def packed_bytes(text: str, length: int, column: int) -> bytes:
    digits, negative = _decimal_digits(text, column)
    nibbles = digits + ("D" if negative else "C")
    if len(nibbles) % 2:
        nibbles = "0" + nibbles
    data = bytes.fromhex(nibbles)
    return data[-length:].rjust(length, b"\x00")


def zoned_bytes(text: str, length: int, column: int) -> bytes:
    digits, negative = _decimal_digits(text, column)
    data = bytearray(0xF0 | int(digit) for digit in digits)
    data[-1] = (0xD0 if negative else 0xC0) | (data[-1] & 0x0F)
    return bytes(data[-length:]).rjust(length, b"\xf0")


def _empty_constant(kind: str, column: int) -> AssemblyError:
    return AssemblyError(
        f"{kind}'' has nothing in it; the constant is left out (no space is reserved)",
        column,
        ERROR,
    )


def hexadecimal_bytes(text: str, length: int, column: int) -> bytes:
    if not text:
        raise _empty_constant("X", column)
    if any(char not in "0123456789ABCDEFabcdef" for char in text):
        raise AssemblyError(
            f"X'{text}' contains a character that is not a hex digit", column, SERIOUS
        )
    value = int(text, 16)
    return (value & ((1 << (length * 8)) - 1)).to_bytes(length, "big")


def binary_bytes(text: str, length: int, column: int) -> bytes:
    if not text:
        raise _empty_constant("B", column)
    if any(char not in "01" for char in text):
        raise AssemblyError(f"B'{text}' contains a digit other than 0 and 1", column, SERIOUS)
    value = int(text, 2)
    return (value & ((1 << (length * 8)) - 1)).to_bytes(length, "big")


@dataclass(slots=True)
class AddressServices:
    """What address constants need from pass 2."""

    value: Callable  # expression -> Value
    absolute: Callable  # expression -> int
    base_displacement: Callable  # Operand -> (base, displacement) for S-type
    external: Callable  # SymbolRef -> Value (the ER item V-type constants refer to)
    # Moves * to the operand's start plus an offset: each duplicated address
    # constant sees its own location (GC28-6514, duplication factor).
    move_location: Callable | None = None
    pseudo: Callable | None = None  # SymbolRef -> Value (the PR item a Q-type constant names)


# Modifier ranges as the HLASM Language Reference gives them ("Scale modifier",
# "Exponent modifier"; taken to be Assembler F's too); they also keep the exact
# arithmetic below from computing 10**99999999.
SCALE_RANGES = {
    "F": (-187, 346),
    "H": (-187, 346),
    "E": (0, 14),
    "D": (0, 14),
    "L": (0, 27),
}
EXPONENT_RANGE = (-85, 75)
# No decimal constant can hold a value past 10**±400: a nominal exponent beyond
# this bound is refused before the arithmetic is done.
NOMINAL_EXPONENT_LIMIT = 400


def _modifiers(operand: DCOperand, services: AddressServices) -> tuple[int, int]:
    """The scale and exponent modifiers of an operand (0 when absent), range-checked."""
    scale = services.absolute(operand.scale) if operand.scale is not None else 0
    exponent = services.absolute(operand.exponent) if operand.exponent is not None else 0
    low, high = SCALE_RANGES.get(operand.type, (scale, scale))
    if not low <= scale <= high:
        raise AssemblyError(
            f"scale modifier of a {operand.type}-type constant must be {low} to {high}",
            operand.scale.column,
            SERIOUS,
        )
    low, high = EXPONENT_RANGE
    if operand.type in "FHEDL" and not low <= exponent <= high:
        raise AssemblyError(
            f"exponent modifier must be {low} to {high}", operand.exponent.column, SERIOUS
        )
    return scale, exponent


def constant_bytes(
    operand: DCOperand, operand_layout: Layout, services: AddressServices
) -> tuple[bytes, list[Relocation]]:
    """The bytes of one DC operand (all duplications) and its address fields."""
    kind = operand.type
    scale, exponent = _modifiers(operand, services)
    if operand.scale is not None and kind not in "FHEDL":
        raise AssemblyError(
            f"a scale modifier does not apply to {kind}-type constants",
            operand.scale.column,
            SERIOUS,
        )
    if operand.exponent is not None and kind not in "FHEDL":
        raise AssemblyError(
            f"an exponent modifier does not apply to {kind}-type constants",
            operand.exponent.column,
            SERIOUS,
        )
    duplication = operand_layout.duplication
    if duplication == 0:
        # Nothing is generated and no ESD or RLD items made, but a value is still checked.
        if operand.nominal is not None:
            _one_constant(operand, operand_layout, services, scale, exponent)
        return b"", []
    if operand.addresses is not None and duplication > 1 and services.move_location:
        size = sum(operand_layout.lengths)
        data = bytearray()
        relocations: list[Relocation] = []
        for copy in range(duplication):
            services.move_location(copy * size)
            one, found = _one_constant(operand, operand_layout, services, scale, exponent)
            data += one
            relocations.extend(
                Relocation(
                    copy * size + item.offset, item.length, item.value, item.v_type, item.pseudo
                )
                for item in found
            )
        services.move_location(0)
        return bytes(data), relocations
    one, relocations = _one_constant(operand, operand_layout, services, scale, exponent)
    if relocations and duplication > 1:
        size = len(one)
        relocations = [
            Relocation(copy * size + item.offset, item.length, item.value, item.v_type, item.pseudo)
            for copy in range(duplication)
            for item in relocations
        ]
    return one * duplication, relocations


def _one_constant(
    operand: DCOperand,
    operand_layout: Layout,
    services: AddressServices,
    scale: int,
    exponent: int,
) -> tuple[bytes, list[Relocation]]:
    """One copy of the operand's constants, before duplication."""
    kind = operand.type
    column = operand.column
    pieces: list[bytes] = []
    relocations: list[Relocation] = []
    lengths = operand_layout.lengths
    if kind == "C":
        data = character_bytes(operand.nominal, column)
        pieces.append(data[: lengths[0]].ljust(lengths[0], b"\x40"))
    elif operand.addresses is not None:
        offset = 0
        for item, length in zip(operand.addresses, lengths, strict=True):
            data, relocation = _address_constant(kind, item, length, services)
            if relocation is not None:
                relocations.append(
                    Relocation(
                        offset + relocation[0], length, relocation[1], kind == "V", kind == "Q"
                    )
                )
            pieces.append(data)
            offset += length
    else:
        for part, length in zip(split_nominal(operand.nominal), lengths, strict=True):
            if kind == "X":
                pieces.append(hexadecimal_bytes(part, length, column))
            elif kind == "B":
                pieces.append(binary_bytes(part, length, column))
            elif kind in "FH":
                pieces.append(fixed_point_bytes(part, length, scale, exponent, column))
            elif kind in "ED":
                pieces.append(floating_point_bytes(part, length, scale, exponent, column))
            elif kind == "L":
                pieces.append(extended_bytes(part, length, scale, exponent, column))
            elif kind == "P":
                pieces.append(packed_bytes(part, length, column))
            else:
                pieces.append(zoned_bytes(part, length, column))
    return b"".join(pieces), relocations


def _address_constant(kind: str, item, length: int, services: AddressServices):
    if not isinstance(item, Operand):
        raise AssemblyError(
            f"a literal cannot be the value of a {kind}-type constant", item.column, SERIOUS
        )
    if kind == "S":
        if length != 2:
            raise AssemblyError("an S-type constant is 2 bytes long", item.column, SERIOUS)
        base, displacement = services.base_displacement(item)
        return ((base << 12) | displacement).to_bytes(2, "big"), None
    if item.parenthesized:
        raise AssemblyError(
            f"a {kind}-type constant takes an expression, not D(B)", item.column, SERIOUS
        )
    if kind == "Q":
        # GC28-6514, "Q-type address constant": the displacement of an external dummy
        # section (a DXD, or a DSECT named here) in the pseudo-register vector,
        # filled in by the linkage editor or loader.
        if not isinstance(item.expression, SymbolRef):
            raise AssemblyError(
                "a Q-type constant names one DXD or DSECT, as Q(AREA)", item.column, SERIOUS
            )
        return bytes(length), (0, services.pseudo(item.expression))
    if kind == "V":
        if not isinstance(item.expression, SymbolRef):
            raise AssemblyError("a V-type constant names one external symbol", item.column, SERIOUS)
        if length < 3:
            raise AssemblyError("a V-type constant must be 3 or 4 bytes long", item.column)
        value = services.external(item.expression)
        return bytes(length), (0, value)
    value = services.value(item.expression)
    if value.relocations and length < (3 if kind == "A" else 2):
        raise AssemblyError(
            f"a relocatable {kind}-type constant must be "
            f"{'3 or 4' if kind == 'A' else '2'} bytes long",
            item.column,
        )
    bits = length * 8
    if value.absolute and not -(1 << (bits - 1)) <= value.offset < (1 << bits):
        raise AssemblyError(
            f"value {value.offset} does not fit in {length} bytes", item.column, ERROR
        )
    data = (value.offset & ((1 << bits) - 1)).to_bytes(length, "big")
    return data, ((0, value) if value.relocations else None)


def constant_bits(operand: DCOperand, operand_layout: Layout, services: AddressServices) -> int:
    """The bits of an operand with a bit length (L.n), duplications included, as one
    integer of ``operand_layout.total_bits`` bits (GC28-6514, bit-length specification).

    C, E and D constants keep their leftmost bits, the other types their rightmost.
    """
    kind = operand.type
    scale, exponent = _modifiers(operand, services)
    column = operand.column
    if operand.addresses is not None:
        parts = list(operand.addresses)
    elif kind == "C":
        parts = [operand.nominal]
    else:
        parts = split_nominal(operand.nominal)
    one = 0
    for part, bits in zip(parts, operand_layout.bits, strict=True):
        one = (one << bits) | _bit_value(kind, part, bits, services, scale, exponent, column)
    size = sum(operand_layout.bits)
    value = 0
    for _ in range(operand_layout.duplication):
        value = (value << size) | one
    return value


def _bit_value(kind: str, part, bits: int, services, scale: int, exponent: int, column) -> int:
    mask = (1 << bits) - 1
    length = (bits + 7) // 8
    if kind in "FHAY":
        if kind in "AY":
            if not isinstance(part, Operand) or part.parenthesized:
                raise AssemblyError(f"a {kind}-type constant takes an expression", column)
            value = services.value(part.expression)
            if value.relocations:
                raise AssemblyError(
                    "a relocatable address constant cannot have a bit length", part.column
                )
            integer, low = value.offset, -(1 << (bits - 1))
        else:
            integer = _round_half_away(
                _decimal_value(part, column) * Fraction(10) ** exponent * Fraction(2) ** scale
            )
            low = -(1 << (bits - 1))
        high = (1 << bits) - 1 if kind in "AY" else (1 << (bits - 1)) - 1
        if not low <= integer <= high:
            raise AssemblyError(f"value {integer} does not fit in {bits} bits", column)
        return integer & mask
    if kind == "C":
        data = character_bytes(part, column)[:length].ljust(length, b"\x40")
    elif kind in "ED":
        data = floating_point_bytes(part, length, scale, exponent, column)
    elif kind == "L":
        data = extended_bytes(part, length, scale, exponent, column)
    elif kind == "X":
        data = hexadecimal_bytes(part, length, column)
    elif kind == "B":
        data = binary_bytes(part, length, column)
    elif kind == "P":
        data = packed_bytes(part, length, column)
    else:
        data = zoned_bytes(part, length, column)
    integer = int.from_bytes(data, "big")
    if kind in "CEDL":
        return integer >> (length * 8 - bits)
    return integer & mask

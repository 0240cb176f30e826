"""Pass 2: evaluate operands, resolve base registers, and produce object code.

Machine instructions are encoded from their operand form in the one ISA
table (vm370.hardware.isa): the form decides which operands are
registers, masks, immediates or storage addresses, and how each storage
operand's D(X,B), D(B) or D(L,B) parts are read (GC28-6514, "Machine
Instruction Statements", explicit and implied addresses and lengths).
"""

from __future__ import annotations

from assembler.assembly import (
    RLD_CUMULATIVE_LENGTH,
    RLD_PSEUDO_REGISTER,
    Assembly,
    PunchedCard,
    RelocationItem,
    TextRecord,
)
from assembler.dc import AddressServices, constant_bits, constant_bytes
from assembler.diagnostics import CRITICAL, ERROR, SERIOUS, WARNING, AssemblyError
from assembler.expressions import (
    EvaluationContext,
    UndefinedSymbolError,
    Value,
    evaluate,
    leftmost_term,
)
from assembler.nodes import (
    Expression,
    Literal,
    LocationCounter,
    Number,
    Omitted,
    Operand,
    SymbolRef,
)
from assembler.statements import Statement
from assembler.using import MAX_DISPLACEMENT, UsingTable

# Operand form (isa.py ``operands`` column) -> the kind of each operand.
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "R1,R2": ("R", "R"),
    "R1": ("R",),
    "M1,R2": ("M", "R"),
    "I": ("I",),
    "R1,D2(X2,B2)": ("R", "DXB"),
    "M1,D2(X2,B2)": ("M", "DXB"),
    "R1,R3,D2(B2)": ("R", "R", "DB"),
    "R1,D2(B2)": ("R", "DB"),
    "D1(B1),I2": ("DB", "I"),
    "D1(B1)": ("DB",),
    "D1(L,B1),D2(B2)": ("DLB256", "DB"),
    "D1(L1,B1),D2(L2,B2)": ("DLB16", "DLB16"),
}

_FORM_EXAMPLES = {
    "R": "a register 0-15",
    "M": "a mask 0-15",
    "I": "an immediate byte 0-255",
    "DXB": "an address, or D(X,B)",
    "DB": "an address, or D(B)",
    "DLB256": "an address, or D(L,B)",
    "DLB16": "an address, or D(L,B)",
}


class Generator:
    """Pass 2 over one assembly."""

    def __init__(self, assembly: Assembly):
        self.assembly = assembly
        self.symbols = assembly.symbols
        self.usings = UsingTable()
        self.statement: Statement | None = None
        self.context = EvaluationContext(self._lookup, Value(0), 1)

    def _lookup(self, name: str, column: int) -> tuple[Value, int]:
        symbol = self.symbols.symbols.get(name)
        if symbol is None:
            raise UndefinedSymbolError(name, column)
        number = self.statement.number
        references = symbol.references
        if (not references or references[-1] != number) and symbol.statement != number:
            references.append(number)
        return symbol.value, symbol.length

    def value(self, expression: Expression) -> Value:
        return evaluate(expression, self.context)

    def absolute(self, expression: Expression, low: int, high: int, what: str) -> int:
        value = evaluate(expression, self.context)
        if not value.absolute:
            raise AssemblyError(
                f"{what} must be an absolute value, not an address", expression.column
            )
        if not low <= value.offset <= high:
            raise AssemblyError(f"{what} {value.offset} is outside {low}-{high}", expression.column)
        return value.offset

    def resolve(self, value: Value, column: int) -> tuple[int, int]:
        return self.usings.resolve(value, self.symbols.describe_key, column)

    # The statement loop

    def run(self) -> None:
        assembly = self.assembly
        for statement in assembly.statements:
            if statement.after_end or statement.kind in ("comment", "unknown"):
                continue
            self.statement = statement
            self.context.location = assembly.location_value(statement)
            self.context.own_length = statement.length
            if statement.kind == "repro-data":
                self._punch(statement.source.cards[0])
                continue
            if statement.has_error:
                self._emit(statement, bytes(statement.length))
                continue
            try:
                if statement.kind == "machine":
                    self._machine(statement)
                else:
                    handler = _DIRECTIVES.get(statement.operation)
                    if handler is not None:
                        handler(self, statement)
            except AssemblyError as error:
                assembly.report_error(statement, error)
                self._keep_length(statement)
            except UnicodeEncodeError:
                assembly.report(statement, "a character has no EBCDIC code (code page 037)")
            except RecursionError:
                assembly.report(statement, "expression nested too deeply to evaluate", -1, SERIOUS)
            except Exception as error:  # noqa: BLE001 - one bad statement must not stop the rest
                assembly.report(statement, f"internal assembler error: {error!r}", -1, CRITICAL)

    def _keep_length(self, statement: Statement) -> None:
        """After an error, zeros where the code would be, so nothing after it moves."""
        if statement.object_code or not statement.length or statement.operation == "DS":
            return
        if statement.kind == "machine" or statement.operation in ("DC", "CCW", "CNOP"):
            self._emit(statement, bytes(statement.length))

    def _emit(self, statement: Statement, data: bytes, location: int | None = None) -> None:
        section = statement.section
        if location is None:
            statement.object_code = data
            location = statement.location
        if data and section is not None and section.in_esd:
            self.assembly.text_records.append(TextRecord(section.key, location, data))

    def _punch(self, text: str) -> None:
        self.assembly.punched_cards.append(PunchedCard(text, len(self.assembly.text_records)))

    def _relocate(
        self,
        statement: Statement,
        address: int,
        length: int,
        value: Value,
        v_type: bool,
        column: int,
        pseudo: bool = False,
    ) -> None:
        section = statement.section
        if section is None or not section.in_esd:
            return
        type_code = RLD_PSEUDO_REGISTER if pseudo else 0
        for key, count in value.relocations:
            if key < 0:
                raise AssemblyError(
                    "an address constant cannot hold a DSECT address (DSECTs are not loaded); "
                    "use a difference of two DSECT symbols",
                    column,
                )
            external = self.symbols.externals_by_key.get(key)
            if not pseudo and external is not None and external.kind == "PR":
                raise AssemblyError(
                    f"{external.name} is an external dummy section: only a Q-type constant "
                    "can refer to it",
                    column,
                )
            for _ in range(abs(count)):
                self.assembly.relocation_items.append(
                    RelocationItem(
                        key,
                        section.key,
                        address,
                        length,
                        v_type,
                        count < 0,
                        statement.number,
                        type_code,
                    )
                )

    # Machine instructions

    def _machine(self, statement: Statement) -> None:
        instruction = statement.instruction
        kinds = FIELD_KINDS[instruction.operands]
        if statement.mask is not None:
            kinds = kinds[1:]
        operands = statement.operands
        if len(operands) != len(kinds):
            form = instruction.operands
            if statement.mask is not None:
                form = form.split(",", 1)[1]
            raise AssemblyError(
                f"{statement.operation} takes {len(kinds)} operand"
                f"{'s' if len(kinds) != 1 else ''} ({form}), found {len(operands)}",
                -1,
                SERIOUS,
            )
        fields: list = []
        addresses: list[int | None] = []
        for operand, kind in zip(operands, kinds, strict=True):
            try:
                field, address = self._operand_field(statement, operand, kind)
            except AssemblyError as error:
                self.assembly.report_error(statement, error)
                field, address = _ZERO_FIELD[kind], None
            fields.append(field)
            addresses.append(address)
        if statement.mask is not None:
            fields.insert(0, statement.mask)
        code = _encode(
            instruction.format,
            instruction.opcode,
            kinds if statement.mask is None else ("M", *kinds),
            fields,
        )
        storage = [
            address for address, kind in zip(addresses, kinds, strict=True) if kind.startswith("D")
        ]
        # ADDR1 and ADDR2 of the listing: the implied addresses of the storage operands.
        if len(storage) == 2:
            statement.address1, statement.address2 = storage
        elif storage and instruction.format == "SI":
            statement.address1 = storage[0]
        elif storage:
            statement.address2 = storage[0]
        self._emit(statement, code)

    def _operand_field(self, statement: Statement, operand, kind: str):
        if isinstance(operand, Omitted):
            raise AssemblyError(f"operand missing: expected {_FORM_EXAMPLES[kind]}", -1, SERIOUS)
        if kind in ("R", "M", "I"):
            if not isinstance(operand, Operand) or operand.parenthesized:
                raise AssemblyError(f"expected {_FORM_EXAMPLES[kind]}", operand.column, SERIOUS)
            high = 255 if kind == "I" else 15
            what = {"R": "register", "M": "mask", "I": "immediate value"}[kind]
            return self.absolute(operand.expression, 0, high, what), None
        if isinstance(operand, Literal):
            entry = (statement.literals or {}).get(operand.constant.text)
            if entry is None or entry.section is None:
                raise AssemblyError("literal was not placed in a literal pool", operand.column)
            value = Value(entry.location, ((entry.section.key, 1),))
            base, displacement = self.resolve(value, operand.column)
            if kind == "DXB":
                return (0, base, displacement), entry.location
            if kind == "DB":
                return (base, displacement), entry.location
            return (entry.layout.length_attribute, base, displacement), entry.location
        if kind == "DXB":
            return self._indexed_address(operand)
        if kind == "DB":
            return self._base_address(operand)
        return self._length_address(operand, 256 if kind == "DLB256" else 16)

    def _displacement(self, expression: Expression) -> int:
        return self.absolute(expression, 0, MAX_DISPLACEMENT, "displacement")

    def _register(self, expression: Expression, what: str) -> int:
        return self.absolute(expression, 0, 15, what)

    def _indexed_address(self, operand: Operand):
        """RX: E, E(X), E(X,B) or E(,B)."""
        if operand.parenthesized and operand.second is not None:
            index = self._register(operand.first, "index register") if operand.first else 0
            base = self._register(operand.second, "base register")
            return (index, base, self._displacement(operand.expression)), None
        value = self.value(operand.expression)
        index = self._register(operand.first, "index register") if operand.parenthesized else 0
        base, displacement = self.resolve(value, operand.column)
        return (index, base, displacement), value.offset

    def _base_address(self, operand: Operand):
        """RS and SI: E or E(B)."""
        if operand.parenthesized:
            if operand.second is not None:
                raise AssemblyError(
                    "this operand takes D(B); an index register cannot be used",
                    operand.column,
                    SERIOUS,
                )
            base = self._register(operand.first, "base register")
            return (base, self._displacement(operand.expression)), None
        value = self.value(operand.expression)
        base, displacement = self.resolve(value, operand.column)
        return (base, displacement), value.offset

    def _length_address(self, operand: Operand, longest: int):
        """SS: E, E(L), E(L,B) or E(,B); the implied length is the leftmost term's length
        attribute, also when the length is left out before an explicit base (CLC A-B(,5),C)."""
        if operand.parenthesized and operand.first is not None:
            length = self.absolute(operand.first, 0, longest, "length")
        else:
            length = self._implied_length(operand.expression)
            if length > longest:
                raise AssemblyError(
                    f"implied length {length} is more than {longest}; give an explicit length",
                    operand.column,
                )
        if operand.parenthesized and operand.second is not None:
            base = self._register(operand.second, "base register")
            return (length, base, self._displacement(operand.expression)), None
        value = self.value(operand.expression)
        base, displacement = self.resolve(value, operand.column)
        return (length, base, displacement), value.offset

    def _implied_length(self, expression: Expression) -> int:
        term = leftmost_term(expression)
        if isinstance(term, SymbolRef):
            return self._lookup(term.name, term.column)[1]
        if isinstance(term, LocationCounter):
            return self.statement.length
        return 1

    # Assembler instructions

    def _dc(self, statement: Statement) -> None:
        if statement.operation == "DS":
            return
        services = self._address_services()
        data = bytearray(statement.length)
        section_key = statement.section.key
        for (offset, operand_layout, bit_offset), operand in zip(
            statement.layouts, statement.operands, strict=True
        ):
            start = statement.location + offset
            services.move_location = lambda delta, start=start: setattr(
                self.context, "location", Value(start + delta, ((section_key, 1),))
            )
            services.move_location(0)
            if bit_offset is not None:
                _merge_bits(
                    data,
                    offset,
                    bit_offset,
                    operand_layout.total_bits,
                    constant_bits(operand, operand_layout, services),
                )
                continue
            piece, relocations = constant_bytes(operand, operand_layout, services)
            data[offset : offset + len(piece)] = piece
            for relocation in relocations:
                self._relocate(
                    statement,
                    statement.location + offset + relocation.offset,
                    relocation.length,
                    relocation.value,
                    relocation.v_type,
                    operand.column,
                    relocation.pseudo,
                )
        if statement.fill_before:
            self._emit(
                statement, bytes(statement.fill_before), statement.location - statement.fill_before
            )
        self._emit(statement, bytes(data))

    def _address_services(self) -> AddressServices:
        """What the constants of DC and of literal pools need from pass 2."""
        return AddressServices(
            value=self.value,
            absolute=lambda node: self.absolute(node, -(1 << 31), (1 << 31) - 1, "modifier"),
            base_displacement=self._s_constant,
            external=self._v_constant,
            pseudo=self._q_constant,
        )

    def _s_constant(self, operand: Operand) -> tuple[int, int]:
        if operand.parenthesized:
            if operand.second is not None:
                raise AssemblyError("an S-type constant takes D(B)", operand.column, SERIOUS)
            return (
                self._register(operand.first, "base register"),
                self._displacement(operand.expression),
            )
        return self.resolve(self.value(operand.expression), operand.column)

    def _v_constant(self, symbol: SymbolRef) -> Value:
        external = self.symbols.externals.get(symbol.name)
        if external is None:
            external = self.symbols.new_external(symbol.name, "ER")
        return Value(0, ((external.key, 1),))

    def _q_constant(self, symbol: SymbolRef) -> Value:
        """The PR item of Q(NAME): a DXD, or a DSECT, which becomes an external dummy
        section of its own length on a doubleword boundary (GC28-6514, "DXD")."""
        value, _ = self._lookup(symbol.name, symbol.column)
        key = value.simple_section
        external = self.symbols.externals_by_key.get(key) if key is not None else None
        if external is not None and external.kind == "PR":
            return value
        section = self.symbols.sections_by_key.get(key) if key is not None else None
        if section is not None and section.kind == "DSECT" and section.name == symbol.name:
            external = self.symbols.externals.get(symbol.name)
            if external is None:
                external = self.symbols.new_external(symbol.name, "PR", section.length, 8)
            return Value(0, ((external.key, 1),))
        raise AssemblyError(
            f"Q({symbol.name}) needs the name of a DXD or a DSECT", symbol.column, ERROR
        )

    def _cxd(self, statement: Statement) -> None:
        # CXD: a fullword the loader fills with the length of all external dummy
        # sections (GC28-6514, "CXD"); its RLD item names no ESD item.
        if statement.fill_before:
            self._emit(
                statement, bytes(statement.fill_before), statement.location - statement.fill_before
            )
        self._emit(statement, bytes(4))
        section = statement.section
        if section is not None and section.in_esd:
            self.assembly.relocation_items.append(
                RelocationItem(
                    0,
                    section.key,
                    statement.location,
                    4,
                    False,
                    False,
                    statement.number,
                    RLD_CUMULATIVE_LENGTH,
                )
            )

    def _literal_pool(self, statement: Statement) -> None:
        services = self._address_services()
        for entry in statement.pool:
            first = self.assembly.statements[entry.statement - 1]
            saved = self.context.location, self.statement
            self.statement = first
            self.context.location = self.assembly.location_value(first)
            try:
                data, relocations = constant_bytes(entry.constant, entry.layout, services)
            except AssemblyError as error:
                self.assembly.report_error(first, error)
                data, relocations = bytes(entry.layout.total), []
            finally:
                self.context.location, self.statement = saved
            entry.object_code = data
            section = entry.section
            if section.in_esd:
                self.assembly.text_records.append(TextRecord(section.key, entry.location, data))
                for relocation in relocations:
                    pool_statement = Statement(statement.number, statement.source, section=section)
                    self._relocate(
                        pool_statement,
                        entry.location + relocation.offset,
                        relocation.length,
                        relocation.value,
                        relocation.v_type,
                        -1,
                        relocation.pseudo,
                    )

    def _ltorg(self, statement: Statement) -> None:
        self._literal_pool(statement)

    def _end(self, statement: Statement) -> None:
        self._literal_pool(statement)
        operands = statement.operands
        if not operands or isinstance(operands[0], Omitted):
            return
        operand = operands[0]
        if not isinstance(operand, Operand) or operand.parenthesized:
            raise AssemblyError(
                "END takes the entry point address, as END BEGIN", operand.column, SERIOUS
            )
        value = self.value(operand.expression)
        key = value.simple_section
        if key in self.symbols.externals_by_key:
            self.assembly.entry_point = (key, value.offset)
            self.assembly.entry_external = self.symbols.externals_by_key[key].name
            return
        section = self.symbols.sections_by_key.get(key) if key is not None else None
        if section is None or not section.in_esd or section.kind == "CM":
            raise AssemblyError(
                "END's entry point must be an address in a control section", operand.column
            )
        self.assembly.entry_point = (key, value.offset)
        statement.address2 = value.offset

    def _using(self, statement: Statement) -> None:
        operands = statement.operands
        if len(operands) < 2 or any(
            not isinstance(o, Operand) or o.parenthesized for o in operands
        ):
            raise AssemblyError(
                "USING needs a base address and 1 to 16 registers, as USING *,12", -1, SERIOUS
            )
        base = self.value(operands[0].expression)
        if base.relocations and base.simple_section is None:
            raise AssemblyError(
                "USING base must be absolute or simply relocatable", operands[0].column
            )
        registers = [self._register(o.expression, "base register") for o in operands[1:]]
        if 0 in registers and not self._zero_based(base, registers):
            raise AssemblyError(
                "register 0 means address 0: USING with register 0 needs a base of absolute 0 "
                "or the start of a DSECT mapping low storage (USING 0,0 or USING PSA,0)",
                operands[1].column,
            )
        if len(set(registers)) != len(registers):
            raise AssemblyError("a register appears twice in USING", operands[1].column)
        self.usings.using(base, registers)
        statement.address2 = base.offset

    def _zero_based(self, base: Value, registers: list[int]) -> bool:
        """Register 0 as a base always contributes 0, so its base must be address 0:
        absolute 0, or offset 0 of a dummy section that maps low storage."""
        if registers[0] != 0 or base.offset != 0:
            return False
        key = base.simple_section
        return base.absolute or (key is not None and key < 0)

    def _drop(self, statement: Statement) -> None:
        operands = [o for o in statement.operands if not isinstance(o, Omitted)]
        if not operands:
            self.usings.drop(None)
            return
        registers = []
        for operand in operands:
            if not isinstance(operand, Operand) or operand.parenthesized:
                raise AssemblyError("DROP names registers, as DROP 12", operand.column, SERIOUS)
            register = self._register(operand.expression, "register")
            if register not in self.usings.bases:
                self.assembly.report(
                    statement,
                    f"register {register} is not in use; nothing to drop",
                    operand.column,
                    WARNING,
                )
            registers.append(register)
        self.usings.drop(registers)

    def _cnop(self, statement: Statement) -> None:
        # BCR 0,0 (a no-operation) fills to the boundary (GC28-6514, CNOP).
        self._emit(statement, b"\x07\x00" * (statement.length // 2))

    def _ccw(self, statement: Statement) -> None:
        operands = statement.operands
        if len(operands) != 4 or not all(
            isinstance(o, Operand) and not o.parenthesized for o in operands
        ):
            raise AssemblyError(
                "CCW needs four operands: command, data address, flags, count", -1, SERIOUS
            )
        command = self.absolute(operands[0].expression, 0, 255, "command code")
        address = self.value(operands[1].expression)
        if address.relocations and address.simple_section is None:
            raise AssemblyError(
                "CCW data address must be absolute or simply relocatable", operands[1].column
            )
        if address.absolute and not 0 <= address.offset <= 0xFFFFFF:
            raise AssemblyError("CCW data address must fit in 24 bits", operands[1].column)
        flags = self.absolute(operands[2].expression, 0, 255, "flags")
        count = self.absolute(operands[3].expression, 0, 65535, "count")
        code = (
            bytes([command])
            + (address.offset & 0xFFFFFF).to_bytes(3, "big")
            + bytes([flags, 0])
            + count.to_bytes(2, "big")
        )
        self._relocate(statement, statement.location + 1, 3, address, False, operands[1].column)
        self._emit(statement, code)
        statement.address2 = address.offset & 0xFFFFFF

    def _punch_statement(self, statement: Statement) -> None:
        if not statement.operands:
            return
        text = statement.operands[0]
        if len(text) > 80:
            raise AssemblyError("PUNCH text is longer than 80 characters", 0, ERROR)
        text.encode("cp037")
        self._punch(text)

    def _print(self, statement: Statement) -> None:
        known = {"ON", "OFF", "GEN", "NOGEN", "DATA", "NODATA"}
        for operand in statement.operands:
            if isinstance(operand, Omitted):
                continue
            if not (
                isinstance(operand, Operand)
                and isinstance(operand.expression, SymbolRef)
                and operand.expression.name in known
            ):
                raise AssemblyError(
                    "PRINT takes ON, OFF, GEN, NOGEN, DATA or NODATA", operand.column, WARNING
                )

    def _space(self, statement: Statement) -> None:
        operands = statement.operands
        if operands and isinstance(operands[0], Operand):
            expression = operands[0].expression
            if not isinstance(expression, Number):
                raise AssemblyError(
                    "SPACE takes a decimal number of lines", expression.column, WARNING
                )


_DIRECTIVES = {
    "DC": Generator._dc,
    "DS": Generator._dc,
    "LTORG": Generator._ltorg,
    "END": Generator._end,
    "USING": Generator._using,
    "DROP": Generator._drop,
    "CNOP": Generator._cnop,
    "CCW": Generator._ccw,
    "CXD": Generator._cxd,
    "PUNCH": Generator._punch_statement,
    "PRINT": Generator._print,
    "SPACE": Generator._space,
}

_ZERO_FIELD = {
    "R": 0,
    "M": 0,
    "I": 0,
    "DXB": (0, 0, 0),
    "DB": (0, 0),
    "DLB256": (1, 0, 0),
    "DLB16": (1, 0, 0),
}


def _merge_bits(data: bytearray, offset: int, bit_offset: int, bits: int, value: int) -> None:
    """OR ``bits`` bits of ``value`` into ``data`` starting ``bit_offset`` bits after
    ``offset``; bits left over in the last byte stay zero."""
    if bits == 0:
        return
    count = (bit_offset + bits + 7) // 8
    region = int.from_bytes(data[offset : offset + count], "big")
    region |= value << (count * 8 - bit_offset - bits)
    data[offset : offset + count] = region.to_bytes(count, "big")


def _encode(instruction_format: str, opcode: int, kinds, fields) -> bytes:
    """Instruction bytes from decoded fields (PoO, "Instruction Formats")."""
    if instruction_format == "RR":
        if kinds == ("I",):
            return bytes([opcode, fields[0]])
        second = fields[1] if len(fields) > 1 else 0
        return bytes([opcode, (fields[0] << 4) | second])
    if instruction_format == "RX":
        index, base, displacement = fields[1]
        return bytes(
            [
                opcode,
                (fields[0] << 4) | index,
                (base << 4) | (displacement >> 8),
                displacement & 0xFF,
            ]
        )
    if instruction_format == "RS":
        if len(fields) == 3:
            register1, register3, (base, displacement) = fields
        else:
            register1, (base, displacement) = fields
            register3 = 0
        return bytes(
            [
                opcode,
                (register1 << 4) | register3,
                (base << 4) | (displacement >> 8),
                displacement & 0xFF,
            ]
        )
    if instruction_format == "SI":
        base, displacement = fields[0]
        immediate = fields[1] if len(fields) > 1 else 0
        return bytes([opcode, immediate, (base << 4) | (displacement >> 8), displacement & 0xFF])
    (length1, base1, displacement1) = fields[0]
    if kinds[0] == "DLB16":
        length2, base2, displacement2 = fields[1]
        length_byte = (max(length1 - 1, 0) << 4) | max(length2 - 1, 0)
    else:
        base2, displacement2 = fields[1]
        length_byte = max(length1 - 1, 0)
    return bytes(
        [
            opcode,
            length_byte,
            (base1 << 4) | (displacement1 >> 8),
            displacement1 & 0xFF,
            (base2 << 4) | (displacement2 >> 8),
            displacement2 & 0xFF,
        ]
    )


def generate(assembly: Assembly) -> None:
    """Pass 2 over every statement."""
    Generator(assembly).run()

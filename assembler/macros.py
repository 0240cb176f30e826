"""The macro pass: macro definitions, macro calls and conditional assembly.

It runs between reading cards and parsing (GC28-6514, "Macro Language",
"Conditional Assembly"): source statements in, source statements out. Open
code passes through with its variable symbols substituted; MACRO ... MEND
definitions, COPY, OPSYN and the conditional-assembly instructions (LCLx,
GBLx, SETx, AIF, AGO, ANOP, ACTR, MNOTE, MEXIT) are done here and then listed
as comments; a macro call is listed and followed by the statements its
expansion generates, marked ``generated`` (``+`` in the listing). Problems
are attached to the statements they belong to, with the macro call stack.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assembler.cards import (
    CardProblem,
    SourceStatement,
    after_apostrophe,
    read_source,
    split_fields,
)
from assembler.conditional import ConditionalError, Evaluator, to_bool, to_int, to_text, wrap32
from assembler.dc import TYPES
from assembler.diagnostics import CRITICAL, ERROR, SERIOUS
from vm370.hardware.isa import BY_MNEMONIC, EXTENDED_BRANCHES

DECLARATIONS = frozenset({"LCLA", "LCLB", "LCLC", "GBLA", "GBLB", "GBLC"})
SETS = frozenset({"SETA", "SETB", "SETC"})
CONDITIONAL = DECLARATIONS | SETS | {"AIF", "AGO", "ANOP", "ACTR", "MNOTE", "MEXIT"}
DEFAULT_ACTR = 4096  # GC28-6514: ACTR's initial value
MAX_DEPTH = 100
# Statements that macro expansions and conditional-assembly loops may go through in
# one assembly (each statement of a macro body each time it is reached, and each
# open-code statement reached again after AGO or AIF): past it no macro is expanded
# and no branch taken. A macro that calls itself twice would otherwise expand 2**100
# times under MAX_DEPTH, and a loop under ACTR 2147483647 run for hours.
MAX_STATEMENTS = 200_000
# Macro calls named in full in a message; a longer chain shows its innermost calls,
# how many were left out, and the open-code call it started from.
MAX_CALLS_NAMED = 4
# &SYSDATE and &SYSTIME when the caller gives no time: a fixed moment (the start of
# 1970, as SOURCE_DATE_EPOCH=0 would give), so that assemblies through the API are
# reproducible. The vm370 asm command passes the time of day.
DEFAULT_NOW = datetime.datetime(1970, 1, 1, 0, 0)
# System variables a generated macro definition keeps for its own calls.
PER_CALL = frozenset({"SYSNDX", "SYSECT", "SYSLIST"})
MAX_COPIES = 1000
_NAME = re.compile(r"[A-Za-z$#@][A-Za-z0-9$#@_]*")
_SELF_DEFINING = re.compile(r"^(\d+|[XBC]'([^']|'')*')$")
_SYMBOL = re.compile(r"^[A-Z$#@][A-Z0-9$#@_]*$")


class MacroError(Exception):
    """A macro-language problem; ``offset`` is where it is in the text examined, if known."""

    def __init__(self, message: str, severity: int = ERROR, offset: int = -1):
        super().__init__(message)
        self.message = message
        self.severity = severity
        self.offset = offset


@dataclass
class Prototype:
    name: str
    name_parameter: str | None
    positional: list[str]
    keywords: dict[str, str]


@dataclass
class MacroDefinition:
    prototype: Prototype
    body: list[SourceStatement]
    labels: dict[str, int]
    where: str


@dataclass(frozen=True, slots=True)
class Attributes:
    """What the macro pass knows of an ordinary symbol: T', L', S' and I'."""

    type: str
    length: int
    scale: int = 0
    integer: int = 0


UNDEFINED = Attributes("U", 1)


@dataclass
class SetVariable:
    kind: str  # "A", "B" or "C"
    value: object = None
    dimension: int = 0  # 0 for a scalar
    elements: dict[int, object] = field(default_factory=dict)

    def initial(self):
        return "" if self.kind == "C" else (False if self.kind == "B" else 0)


@dataclass
class Scope:
    """The variable symbols one macro expansion (or open code) can see."""

    local: dict[str, SetVariable] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)  # &SYSLIST(1..n)
    name_value: str = ""  # &SYSLIST(0)
    global_names: set[str] = field(default_factory=set)
    system: dict[str, str] = field(default_factory=dict)
    actr: int = DEFAULT_ACTR
    macro: str = ""
    errors: list[str] = field(default_factory=list)  # reported at the call


def split_top_level(text: str) -> list[str]:
    """Operands separated by commas outside quotes and parentheses."""
    parts, depth, start, index = [], 0, 0, 0
    opened = 0  # where the outermost open parenthesis is
    length = len(text)
    while index < length:
        char = text[index]
        if char == "'":
            after = after_apostrophe(text, index, start)
            if after == -1:
                raise MacroError(
                    f"apostrophe not closed in operand {text[start:]!r}", SERIOUS, index
                )
            index = after
            continue
        if char == "(":
            if depth == 0:
                opened = index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise MacroError(
                    f"unbalanced parenthesis in operand {text[start:]!r}", SERIOUS, index
                )
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    if depth:
        raise MacroError(f"unbalanced parenthesis in operand {text[start:]!r}", SERIOUS, opened)
    parts.append(text[start:])
    return parts


def sublist(value: str) -> list[str] | None:
    """The elements of a sublist operand such as (A,B,C); None if it is not one."""
    if len(value) >= 2 and value[0] == "(" and value[-1] == ")":
        try:
            return split_top_level(value[1:-1])
        except MacroError:
            return None
    return None


def _operation_known(name: str) -> bool:
    return name in BY_MNEMONIC or name in EXTENDED_BRANCHES


class MacroProcessor:
    """Expands one source; ``expand(sources)`` returns the statements to assemble."""

    def __init__(
        self,
        libraries: Sequence[str | Path] = (),
        sysparm: str = "",
        now: datetime.datetime | None = None,
    ):
        self.libraries = [Path(library) for library in libraries]
        now = now or DEFAULT_NOW
        self.system = {
            "SYSPARM": sysparm,
            "SYSDATE": now.strftime("%m/%d/%y"),
            "SYSTIME": now.strftime("%H.%M"),
        }
        self.definitions: dict[str, MacroDefinition] = {}
        self.library_misses: set[str] = set()
        self.library_indexes: dict[Path, tuple[dict, dict]] = {}
        self.globals: dict[str, SetVariable] = {}
        self.opsyn: dict[str, str | None] = {}
        self.attributes: dict[str, Attributes] = {}
        self.output: list[SourceStatement] = []
        self.sysndx = 0
        self.sysect = ""
        self.expansion_stopped = False
        self.statements_gone_through = 0  # counted against MAX_STATEMENTS
        self.unreadable_library_files: dict[Path, str] = {}  # *.macro, *.copy: why skipped
        self.too_deep: set[tuple[str, ...]] = set()  # open-code calls that passed MAX_DEPTH
        self.copies = 0

    # Helpers for output and problems

    def _past_statement_cap(self, stack: tuple[str, ...]) -> bool:
        """Have macros and loops gone through more than MAX_STATEMENTS statements? The
        first time, the last statement out carries the critical diagnostic."""
        if self.statements_gone_through <= MAX_STATEMENTS:
            return False
        if not self.expansion_stopped:
            self.expansion_stopped = True
            message = (
                f"more than {MAX_STATEMENTS} statements in one assembly gone through by macro "
                "expansion and AGO or AIF loops (a loop, or a macro calling itself more than "
                "once?); no more macros are expanded and no more branches taken"
            )
            self.output[-1].problems.append(
                CardProblem(self.output[-1].line, 0, CRITICAL, describe_calls(message, stack))
            )
        return True

    def _emit(self, statement: SourceStatement) -> None:
        self.output.append(statement)

    def _listed(
        self,
        statement: SourceStatement,
        problem: tuple[int, str] | None = None,
        stack: tuple[str, ...] = (),
    ) -> SourceStatement:
        """The statement as a listing-only line (not assembled)."""
        copy = SourceStatement(
            statement.text,
            statement.cards,
            statement.line,
            list(statement.segments),
            comment=True,
            generated=statement.generated or bool(stack),
            problems=list(statement.problems),
            macro_stack=stack,
        )
        if problem is not None:
            severity, message = problem
            copy.problems.append(
                CardProblem(statement.line, 0, severity, _in_macro(message, stack))
            )
        return copy

    def _problem(
        self, statement: SourceStatement, severity: int, message: str, stack: tuple[str, ...]
    ) -> None:
        self._emit(self._listed(statement, (severity, message), stack))

    # Attributes of ordinary symbols, from a look-ahead over open code

    def _prescan(
        self, sources: list[SourceStatement], copying: frozenset[str] = frozenset()
    ) -> None:
        """Note the attributes of the symbols open code defines, COPY members included."""
        depth = 0
        for statement in sources:
            if statement.comment or not statement.text.strip():
                continue
            fields = split_fields(statement.text)
            operation = fields.operation.upper()
            if operation == "MACRO":
                depth += 1
            elif operation == "MEND":
                depth = max(depth - 1, 0)
            if depth:
                continue
            member = fields.operands.strip().upper()
            if operation == "COPY" and _SYMBOL.match(member) and member not in copying:
                try:
                    copied = self._copy_member(member)
                except MacroError:
                    copied = None  # reported when the COPY is reached
                if copied:
                    self._prescan(copied, copying | {member})
                continue
            self._note_definition(fields.name, operation, fields.operands)

    def _note_definition(self, name: str, operation: str, operands: str) -> None:
        """Record the attributes of a symbol defined in the name field (the first
        definition wins; the assembler reports any later one as a duplicate)."""
        if operation in ("EXTRN", "WXTRN"):
            # GC28-6514, "Type Attribute": T is an external symbol named on EXTRN.
            for external in operands.upper().split(","):
                if _SYMBOL.match(external):
                    self.attributes.setdefault(external, Attributes("T", 1))
        if not name or name[0] in ".&":
            return
        name = name.upper()
        if name in self.attributes:
            return
        if _operation_known(operation):
            mnemonic = EXTENDED_BRANCHES.get(operation, (operation,))[0]
            self.attributes[name] = Attributes("I", BY_MNEMONIC[mnemonic].length)
        elif operation in ("DC", "DS"):
            self.attributes[name] = _constant_attributes(operands)
        elif operation in ("CSECT", "START", "DSECT", "COM"):
            self.attributes[name] = Attributes("J", 1)
        elif operation == "CCW":
            self.attributes[name] = Attributes("W", 8)
        elif operation == "EQU":
            self.attributes[name] = Attributes("U", 1)

    # Open code

    def expand(self, sources: list[SourceStatement]) -> list[SourceStatement]:
        self._prescan(sources)
        scope = Scope(system=self.system)
        statements = list(sources)
        index = 0
        furthest = 0  # statements before this one have been gone through once already
        labels: dict[str, int] | None = None
        while index < len(statements):
            statement = statements[index]
            index += 1
            if index <= furthest:
                self.statements_gone_through += 1  # reached again by AGO or AIF
            furthest = max(furthest, index)
            if statement.comment or not statement.text.strip():
                self._emit(statement)
                continue
            fields = split_fields(statement.text)
            operation = self._operation(fields.operation)
            if operation == "MACRO":
                index = self._define(statements, index - 1, listed=True)
                labels = None
                continue
            if operation == "COPY":
                copied = self._copy(statement, fields, ())
                statements[index:index] = copied
                labels = None
                continue
            if operation in CONDITIONAL:
                if operation == "MEXIT":
                    self._problem(statement, ERROR, "MEXIT is only for macro definitions", ())
                    continue
                try:
                    target = self._conditional(statement, fields, operation, scope, ())
                except (MacroError, ConditionalError) as error:
                    self._problem(statement, error.severity, error.message, ())
                    continue
                if operation != "MNOTE":
                    self._emit(self._listed(statement))
                if target is not None:
                    if labels is None:
                        labels = _open_code_labels(statements)
                    if target not in labels:
                        self._problem(
                            statement,
                            ERROR,
                            f"sequence symbol {target} is not defined in open code",
                            (),
                        )
                        continue
                    if self._past_statement_cap(()):
                        continue
                    scope.actr -= 1
                    if scope.actr < 0:
                        self._problem(
                            statement,
                            SERIOUS,
                            "ACTR limit reached: conditional branches in open code stop here",
                            (),
                        )
                        scope.actr = 0
                        continue
                    index = labels[target]
                continue
            self._model_or_call(statement, fields, scope, (), 0)
        return self.output

    def _operation(self, operation: str) -> str:
        operation = operation.upper()
        return self.opsyn.get(operation, operation) or ""

    def _copy(self, statement: SourceStatement, fields, stack) -> list[SourceStatement]:
        """The statements of a COPY member; the COPY card is listed, with any problem."""
        member = fields.operands.strip().upper()
        problem = None
        copied: list[SourceStatement] = []
        self.copies += 1
        if self.copies > MAX_COPIES:
            problem = f"more than {MAX_COPIES} COPY statements (does a member copy itself?)"
        elif not _SYMBOL.match(member):
            problem = "COPY names one library member, as COPY REGS"
        else:
            try:
                found = self._copy_member(member)
            except MacroError as error:
                found, problem = [], error.message
            if found is None:
                problem = f"COPY member {member} not found in the macro libraries (--maclib)"
            else:
                copied = [_relocated(item, statement.line) for item in found]
        self._emit(self._listed(statement, (SERIOUS, problem) if problem else None, stack))
        return copied

    def _copy_member(self, member: str) -> list[SourceStatement] | None:
        for library in self.libraries:
            for suffix in (".copy", ".cpy", ".mac", ".asm"):
                for name in (member, member.lower()):
                    path = library / (name + suffix)
                    if path.is_file():
                        return _read_library_file(path)
            members = self._library_index(library)[1]
            if member in members:
                return members[member]
        return None

    # Definitions

    def _define(
        self, statements: list[SourceStatement], start: int, listed: bool, where: str = ""
    ) -> int:
        """Read MACRO ... MEND from ``statements[start]``; returns the index after it.

        A definition with no MEND ends before the first END statement outside any
        inner definition (or at the end of the source): it is reported at its MACRO
        statement, defined as far as it goes, and the assembly goes on at END."""
        macro_statement = statements[start]
        macro_listing = self._listed(macro_statement) if listed else None
        if macro_listing is not None:
            self._emit(macro_listing)
        index = start + 1
        while index < len(statements) and (
            statements[index].comment or not statements[index].text.strip()
        ):
            if listed:
                self._emit(self._listed(statements[index]))
            index += 1
        if index >= len(statements):
            self._flag(
                macro_listing, macro_statement, SERIOUS, "MACRO is not followed by a prototype"
            )
            return index
        prototype_statement = statements[index]
        prototype_listing = self._listed(prototype_statement) if listed else None
        if prototype_listing is not None:
            self._emit(prototype_listing)
        index += 1
        unclosed_end = _end_of_unclosed_definition(statements, index)
        body: list[SourceStatement] = []
        labels: dict[str, int] = {}
        depth = 0
        ended = False
        while index < len(statements) and index != unclosed_end:
            statement = statements[index]
            index += 1
            if listed:
                self._emit(self._listed(statement))
            if statement.comment or not statement.text.strip():
                body.append(statement)
                continue
            fields = split_fields(statement.text)
            operation = fields.operation.upper()
            if operation == "COPY":
                # COPY in a definition brings its member into the definition (GC28-6514).
                copied = self._copy(statement, fields, ())
                copy_card = self.output.pop()  # listed by _copy
                if listed:
                    self.output[-1].problems.extend(copy_card.problems)  # listed above
                statements[index:index] = copied
                if unclosed_end is not None:
                    unclosed_end += len(copied)
                continue
            if operation == "MACRO":
                depth += 1
            elif operation == "MEND":
                if depth == 0:
                    if fields.name.startswith("."):
                        labels[fields.name.upper()] = len(body)
                    ended = True
                    break
                depth -= 1
            if fields.name.startswith(".") and depth == 0:
                labels[fields.name.upper()] = len(body)
            body.append(statement)
        if not ended:
            where_it_ends = (
                f"; the definition ends before END at line {statements[index].line}"
                if index < len(statements)
                else ""
            )
            self._flag(
                macro_listing,
                macro_statement,
                SERIOUS,
                f"MACRO at line {macro_statement.line} has no MEND{where_it_ends}",
            )
        try:
            prototype = _prototype(prototype_statement)
        except MacroError as error:
            self._flag(prototype_listing, prototype_statement, error.severity, error.message)
            return index
        if not ended and not listed:
            return index  # a library member must be whole
        self.definitions[prototype.name] = MacroDefinition(
            prototype, body, labels, where or f"line {macro_statement.line}"
        )
        return index

    def _flag(
        self,
        listing: SourceStatement | None,
        statement: SourceStatement,
        severity: int,
        message: str,
    ) -> None:
        """A problem on a statement already listed, or on a new listing line."""
        if listing is None:
            self._problem(statement, severity, message, ())
        else:
            listing.problems.append(CardProblem(statement.line, 0, severity, message))

    def _find(self, name: str) -> MacroDefinition | None:
        if not name or not _SYMBOL.match(name):
            return None
        definition = self.definitions.get(name)
        if definition is not None or name in self.library_misses:
            return definition
        for library in self.libraries:
            for file_name in (name + ".mac", name.lower() + ".mac"):
                path = library / file_name
                if path.is_file():
                    statements = _read_library_file(path)
                    start = next(
                        (i for i, s in enumerate(statements) if _operation_of(s) == "MACRO"), None
                    )
                    if start is None:
                        raise MacroError(f"{path} holds no MACRO statement", SERIOUS)
                    return self._load_library_macro(name, path, statements, start)
            found = self._library_index(library)[0].get(name)
            if found is not None:
                path, statements, start = found
                # A copy: COPY inside the definition splices into the list it reads.
                return self._load_library_macro(name, path, list(statements), start)
        self.library_misses.add(name)
        return None

    def _library_index(self, library: Path) -> tuple[dict, dict]:
        """The CMS-style source files of a library: ``*.macro`` files holding several
        definitions (named by their prototypes) and ``*.copy`` files split into members
        by ``*COPY NAME`` cards, as the CMS MACLIB command reads them."""
        cached = self.library_indexes.get(library)
        if cached is not None:
            return cached
        macros: dict[str, tuple[Path, list[SourceStatement], int]] = {}
        copies: dict[str, list[SourceStatement]] = {}
        try:
            paths = sorted(library.iterdir()) if library.is_dir() else []
        except OSError:
            paths = []
        for path in paths:
            suffix = path.suffix.lower()
            if suffix not in (".macro", ".copy") or not path.is_file():
                continue
            try:
                statements = _read_library_file(path)
            except MacroError as error:
                self.unreadable_library_files[path] = error.message.split(f"{path}: ", 1)[-1]
                continue
            if suffix == ".macro":
                for index, statement in enumerate(statements):
                    if _operation_of(statement) != "MACRO":
                        continue
                    prototype = next(
                        (s for s in statements[index + 1 :] if not s.comment and s.text.strip()),
                        None,
                    )
                    if prototype is not None:
                        macros.setdefault(
                            split_fields(prototype.text).operation.upper(),
                            (path, statements, index),
                        )
                continue
            member = None
            for statement in statements:
                words = statement.text.split()
                if statement.comment and len(words) == 2 and words[0].upper() == "*COPY":
                    member = words[1].upper()
                    copies.setdefault(member, [])
                elif member is not None:
                    copies[member].append(statement)
        self.library_indexes[library] = (macros, copies)
        return macros, copies

    def _load_library_macro(
        self, name: str, path: Path, statements: list[SourceStatement], start: int
    ) -> MacroDefinition | None:
        saved = len(self.output)
        self._define(statements, start, listed=False, where=str(path))
        problems = self.output[saved:]
        del self.output[saved:]
        definition = self.definitions.get(name)
        if definition is None:
            detail = problems[0].problems[0].message if problems and problems[0].problems else ""
            raise MacroError(
                f"macro library member {path} does not define {name}"
                + (f": {detail}" if detail else ""),
                SERIOUS,
            )
        return definition

    # Model statements and macro calls

    def _model_or_call(
        self, statement: SourceStatement, fields, scope: Scope, stack: tuple[str, ...], depth: int
    ) -> None:
        generated = bool(stack)
        try:
            name = "" if fields.name.startswith(".") else self._substitute(fields.name, scope)
            operation = self._substitute(fields.operation, scope).upper()
            operands = self._substitute(fields.operands, scope)
        except (MacroError, ConditionalError) as error:
            self._problem(statement, error.severity, error.message, stack)
            return
        operation = self.opsyn.get(operation, operation) or ""
        if operation == "OPSYN":
            self._opsyn(statement, name, operands, stack)
            return
        try:
            definition = self._find(operation) if not _operation_known(operation) else None
        except MacroError as error:
            self._problem(statement, error.severity, error.message, stack)
            return
        if definition is not None and "&" in fields.operation:
            # GC28-6514: a variable symbol in the operation field may not produce a
            # macro instruction; the statement is not expanded.
            self._problem(
                statement,
                ERROR,
                f"a variable symbol in the operation field cannot call a macro ({operation})",
                stack,
            )
            return
        if definition is not None:
            if not generated:
                self._emit(self._listed(statement))
            else:
                self._emit(
                    self._generated(
                        statement,
                        name,
                        operation,
                        operands,
                        fields.remarks,
                        stack,
                        listed_only=True,
                    )
                )
            self._call(definition, statement, name, operands, scope, stack, depth)
            return
        if operation in ("CSECT", "START", "DSECT", "COM") and name:
            self.sysect = name.upper()
        # A symbol defined in generated code has its attributes from here on.
        self._note_definition(name, operation, operands)
        if (
            not generated
            and name == fields.name
            and operands == fields.operands
            and (operation == fields.operation.upper())
        ):
            self._emit(statement)
            return
        self._emit(self._generated(statement, name, operation, operands, fields.remarks, stack))

    def _generated(
        self,
        statement: SourceStatement,
        name: str,
        operation: str,
        operands: str,
        remarks: str,
        stack: tuple[str, ...],
        listed_only: bool = False,
    ) -> SourceStatement:
        text = f"{name:<8} {operation:<5} {operands}"
        if remarks:
            text = f"{text} {remarks}"
        text = text.rstrip()
        return SourceStatement(
            text,
            [text],
            statement.line,
            [(0, 0, 1)],
            comment=listed_only,
            generated=bool(stack),
            macro_stack=stack,
        )

    def _opsyn(self, statement: SourceStatement, name: str, operands: str, stack) -> None:
        self._emit(self._listed(statement, stack=stack))
        new, old = name.upper(), operands.strip().upper()
        if not new:
            self._problem(
                statement, SERIOUS, "OPSYN needs the new operation code as its name", stack
            )
            return
        self.opsyn[new] = self.opsyn.get(old, old) if old else None

    def _call(
        self,
        definition: MacroDefinition,
        statement: SourceStatement,
        name: str,
        operands: str,
        caller: Scope,
        stack: tuple[str, ...],
        depth: int,
    ) -> None:
        prototype = definition.prototype
        frame = f"{prototype.name} called at line {statement.line}"
        inner_stack = (*stack, frame)
        if self._past_statement_cap(stack):
            return
        if depth >= MAX_DEPTH:
            if stack[:1] in self.too_deep:
                return  # this open-code call already has its diagnostic
            self.too_deep.add(stack[:1])
            self.output[-1].problems.append(
                CardProblem(
                    statement.line,
                    0,
                    CRITICAL,
                    _in_macro(f"macro calls nested more than {MAX_DEPTH} deep", stack),
                )
            )
            return
        call_listing = self.output[-1]  # the call, listed just before its expansion
        try:
            scope = self._bind(definition, name, operands, caller)
        except MacroError as error:
            line, column = statement.line, 0
            fields = split_fields(statement.text)
            if not stack and fields.operands == operands:
                # Open code, nothing substituted: the card column of the problem is known.
                offset = fields.operands_offset + max(error.offset, 0)
                line, column = statement.card_position(offset)
            call_listing.problems.append(
                CardProblem(line, column, error.severity, _in_macro(error.message, stack))
            )
            return
        for error in scope.errors:
            call_listing.problems.append(
                CardProblem(statement.line, 0, ERROR, _in_macro(error, stack))
            )
        body = definition.body
        index = 0
        while index < len(body):
            model = body[index]
            index += 1
            self.statements_gone_through += 1
            if self._past_statement_cap(inner_stack):
                return
            if model.comment:
                if not model.text.startswith(".*"):
                    self._emit(
                        SourceStatement(
                            model.text,
                            [model.text],
                            statement.line,
                            [(0, 0, 1)],
                            comment=True,
                            generated=True,
                            macro_stack=inner_stack,
                        )
                    )
                continue
            if not model.text.strip():
                continue
            fields = split_fields(model.text)
            operation = fields.operation.upper()
            if operation in CONDITIONAL:
                if operation == "MEXIT":
                    return
                try:
                    target = self._conditional(
                        model, fields, operation, scope, inner_stack, statement.line
                    )
                except (MacroError, ConditionalError) as error:
                    self._problem(
                        self._at(model, statement), error.severity, error.message, inner_stack
                    )
                    continue
                if target is not None:
                    if target not in definition.labels:
                        self._problem(
                            self._at(model, statement),
                            ERROR,
                            f"sequence symbol {target} is not defined in macro {prototype.name}",
                            inner_stack,
                        )
                        return
                    scope.actr -= 1
                    if scope.actr < 0:
                        self._problem(
                            self._at(model, statement),
                            SERIOUS,
                            f"ACTR limit reached in macro {prototype.name}: "
                            "expansion stopped (a loop?)",
                            inner_stack,
                        )
                        return
                    index = definition.labels[target]
                continue
            if operation == "MACRO":
                # A definition inside a macro is a definition generated by the expansion:
                # it is defined when the outer macro is expanded, with the outer macro's
                # variable symbols substituted in it (those it declares itself stay).
                end = _matching_mend(body, index - 1)
                inner = self._generated_definition(body[index - 1 : end + 1], scope)
                saved = len(self.output)
                self._define(inner, 0, listed=False, where=f"inside {prototype.name}")
                for problem_statement in self.output[saved:]:
                    problem_statement.generated = True
                    problem_statement.macro_stack = inner_stack
                index = end + 1
                continue
            self._model_or_call(self._at(model, statement), fields, scope, inner_stack, depth + 1)
            if self.expansion_stopped:
                return  # the statement cap was passed inside: every expansion ends

    def _generated_definition(
        self, statements: list[SourceStatement], scope: Scope
    ) -> list[SourceStatement]:
        """An inner MACRO ... MEND with the outer expansion's values put in."""
        own = _declared_names(statements)
        generated = []
        for statement in statements:
            if statement.comment or "&" not in statement.text:
                generated.append(statement)
                continue
            text = self._substitute_known(statement.text, scope, own)
            generated.append(
                SourceStatement(
                    text, [text], statement.line, [(0, 0, 1)], comment=statement.comment
                )
            )
        return generated

    def _substitute_known(self, text: str, scope: Scope, own: set[str]) -> str:
        """Substitute the variable symbols ``scope`` knows, except the names in ``own``
        and the system variables that belong to each call; anything else (the inner
        macro's parameters and SET symbols, ``&&``) stays."""
        pieces = []
        index = 0
        length = len(text)
        while index < length:
            char = text[index]
            if char != "&":
                pieces.append(char)
                index += 1
                continue
            if text[index + 1 : index + 2] == "&":
                pieces.append("&&")
                index += 2
                continue
            match = _NAME.match(text, index + 1)
            name = match.group().upper() if match else ""
            if not name or name in own or name in PER_CALL or not self._known(name, scope):
                pieces.append("&")
                index += 1
                continue
            try:
                value, index = self._reference(text, name, match.end(), scope)
            except (MacroError, ConditionalError):
                # Left for the generated definition to report when it is used.
                pieces.append("&")
                index += 1
                continue
            pieces.append(value)
        return "".join(pieces)

    def _known(self, name: str, scope: Scope) -> bool:
        return (
            name in scope.parameters
            or name in scope.system
            or name in self.system
            or self._variable_of(name, scope) is not None
        )

    @staticmethod
    def _at(model: SourceStatement, call: SourceStatement) -> SourceStatement:
        """A model statement placed at its call's source line (for diagnostics)."""
        return SourceStatement(
            model.text, [model.text], call.line, [(0, 0, 1)], comment=model.comment
        )

    def _bind(self, definition: MacroDefinition, name: str, operands: str, caller: Scope) -> Scope:
        prototype = definition.prototype
        self.sysndx += 1
        system = dict(self.system)
        system["SYSNDX"] = f"{self.sysndx:04d}"
        system["SYSECT"] = self.sysect
        scope = Scope(system=system, macro=prototype.name, name_value=name)
        if prototype.name_parameter:
            scope.parameters[prototype.name_parameter] = name
        keywords = dict(prototype.keywords)
        positional: list[str] = []
        for operand in split_top_level(operands) if operands else []:
            match = re.match(r"^([A-Za-z$#@][A-Za-z0-9$#@_]*)=(.*)$", operand, re.S)
            if match and match.group(1).upper() in prototype.keywords:
                keywords[match.group(1).upper()] = match.group(2)
            elif match and prototype.keywords:
                # An undefined keyword is an error (GC28-6514, "Keyword Operands");
                # the operand is left out and the macro expanded without it.
                scope.errors.append(
                    f"{match.group(1).upper()}= is not a keyword of macro {prototype.name}; "
                    "the operand is ignored"
                )
            else:
                positional.append(operand)
        for index, parameter in enumerate(prototype.positional):
            scope.parameters[parameter] = positional[index] if index < len(positional) else ""
        scope.parameters.update(keywords)
        scope.positional = positional
        return scope

    # Conditional assembly

    def _conditional(
        self,
        statement: SourceStatement,
        fields,
        operation: str,
        scope: Scope,
        stack: tuple[str, ...],
        line: int | None = None,
    ) -> str | None:
        """Do one conditional-assembly instruction; returns a sequence symbol to go to."""
        operands = _conditional_operands(statement.text, fields)
        if operation in DECLARATIONS:
            for operand in split_top_level(operands) if operands else []:
                self._declare(operation, operand.strip(), scope)
            return None
        if operation in SETS:
            self._set(fields.name, operation[3], operands, scope)
            return None
        if operation == "ANOP":
            return None
        if operation == "ACTR":
            scope.actr = to_int(self._evaluator(scope).evaluate(operands), "ACTR value")
            return None
        if operation == "AGO":
            target = operands.strip().upper()
            if not target.startswith("."):
                raise MacroError("AGO names a sequence symbol, as AGO .LOOP", SERIOUS)
            return target
        if operation == "AIF":
            condition, target = _aif_parts(operands)
            return target if to_bool(self._evaluator(scope).evaluate(condition)) else None
        if operation == "MNOTE":
            self._mnote(statement, operands, scope, stack, line)
        return None

    def _mnote(
        self,
        statement: SourceStatement,
        operands: str,
        scope: Scope,
        stack: tuple[str, ...],
        line: int | None,
    ) -> None:
        parts = split_top_level(operands)
        if len(parts) == 1:
            severity_text, message = "1", parts[0]
        else:
            severity_text, message = parts[0].strip(), ",".join(parts[1:])
        message = self._substitute(message.strip(), scope)
        if message.startswith("'") and message.endswith("'") and len(message) >= 2:
            message = message[1:-1].replace("''", "'")
        text = f"{'':8} MNOTE {self._substitute(operands, scope)}".rstrip()
        listed = SourceStatement(
            text,
            [text],
            line or statement.line,
            [(0, 0, 1)],
            comment=True,
            generated=bool(stack),
            macro_stack=stack,
        )
        if severity_text != "*":
            severity = to_int(self._substitute(severity_text, scope) or "0", "MNOTE severity")
            if severity > 0:
                listed.problems.append(
                    CardProblem(
                        listed.line,
                        0,
                        _severity_code(severity),
                        _in_macro(f"MNOTE: {message}", stack),
                    )
                )
        self._emit(listed)

    def _declare(self, operation: str, operand: str, scope: Scope) -> None:
        match = re.match(r"^&([A-Za-z$#@][A-Za-z0-9$#@_]*)(?:\((\d+)\))?$", operand)
        if not match:
            raise MacroError(
                f"{operation} declares SET symbols, as {operation} &NAME or &NAME(10)", SERIOUS
            )
        name = match.group(1).upper()
        dimension = int(match.group(2)) if match.group(2) else 0
        kind = operation[3]
        if operation.startswith("GBL"):
            variable = self.globals.get(name)
            if variable is None:
                variable = self.globals[name] = SetVariable(kind, dimension=dimension)
                variable.value = variable.initial()
            scope.global_names.add(name)
            scope.local.pop(name, None)
            return
        variable = SetVariable(kind, dimension=dimension)
        variable.value = variable.initial()
        scope.local[name] = variable

    def _variable_of(self, name: str, scope: Scope) -> SetVariable | None:
        if name in scope.global_names:
            return self.globals[name]
        return scope.local.get(name)

    def _set(self, target: str, kind: str, operands: str, scope: Scope) -> None:
        match = re.match(r"^&([A-Za-z$#@][A-Za-z0-9$#@_]*)(?:\((.+)\))?$", target)
        if not match:
            raise MacroError(
                f"SET{kind} needs a SET symbol in the name field, as &X SET{kind} 1", SERIOUS
            )
        name = match.group(1).upper()
        if name in scope.parameters or name in scope.system or name == "SYSLIST":
            raise MacroError(f"&{name} is a parameter or system variable; it cannot be SET")
        variable = self._variable_of(name, scope)
        if variable is None:
            variable = scope.local[name] = SetVariable(kind)  # implicitly local (as in XF)
            variable.value = variable.initial()
        if variable.kind != kind:
            raise MacroError(f"&{name} is a SET{variable.kind} symbol, not SET{kind}")
        value = self._evaluator(scope).evaluate(operands)
        if kind == "A":
            value = wrap32(to_int(value, "SETA value"))
        elif kind == "B":
            value = to_bool(value)
        else:
            value = to_text(value)
            if len(value) > 255:
                raise MacroError("a SETC value is at most 255 characters")
        if match.group(2) is None:
            if variable.dimension:
                raise MacroError(f"&{name} is subscripted: write &{name}(n)")
            variable.value = value
            return
        subscript = to_int(self._evaluator(scope).evaluate(match.group(2)), "subscript")
        if not variable.dimension:
            raise MacroError(f"&{name} is not subscripted")
        if not 1 <= subscript <= variable.dimension:
            raise MacroError(f"subscript {subscript} of &{name} is outside 1-{variable.dimension}")
        variable.elements[subscript] = value

    def _evaluator(self, scope: Scope) -> Evaluator:
        return Evaluator(
            lambda name, subscripts: self._value(name, subscripts, scope),
            lambda letter, name, subscripts: self._attribute(letter, name, subscripts, scope),
            lambda text: self._substitute(text, scope),
        )

    # Variable symbols

    def _value(self, name: str, subscripts: tuple[int, ...], scope: Scope):
        """A variable symbol's value: int, bool or str."""
        variable = self._variable_of(name, scope)
        if variable is not None:
            if not subscripts:
                if variable.dimension:
                    raise MacroError(f"&{name} is subscripted: write &{name}(n)")
                return variable.value
            index = subscripts[0]
            if not variable.dimension or not 1 <= index <= variable.dimension:
                raise MacroError(f"subscript {index} of &{name} is outside 1-{variable.dimension}")
            return variable.elements.get(index, variable.initial())
        if name == "SYSLIST":
            if not scope.macro:
                raise MacroError("&SYSLIST is only for macro definitions")
            if not subscripts:
                raise MacroError("&SYSLIST needs a subscript, as &SYSLIST(1)")
            value = (
                scope.name_value
                if subscripts[0] == 0
                else (
                    scope.positional[subscripts[0] - 1]
                    if 0 < subscripts[0] <= len(scope.positional)
                    else ""
                )
            )
            return _element(value, subscripts[1:])
        if name in scope.parameters:
            return _element(scope.parameters[name], subscripts)
        if name in scope.system:
            return scope.system[name]
        if name in self.system:
            return self.system[name]
        raise MacroError(f"undefined variable symbol &{name}")

    def _attribute(self, letter: str, name: str, subscripts: tuple[int, ...], scope: Scope):
        if name.startswith("&"):
            base = name[1:]
            if letter == "N":
                if base == "SYSLIST" and not subscripts:
                    return len(scope.positional)
                variable = self._variable_of(base, scope)
                if variable is not None and variable.dimension:
                    return max(variable.elements, default=0)
                value = to_text(self._value(base, subscripts, scope))
                items = sublist(value)
                return len(items) if items is not None else (1 if value else 0)
            value = to_text(self._value(base, subscripts, scope))
            if letter == "K":
                return len(value)
            items = sublist(value)
            if items:
                # T' L' S' I' of a sublist are those of its first operand (GC28-6514,
                # "Attributes"); K' and N' above describe the whole sublist.
                value = items[0]
            if letter == "T":
                return self._type_of(value)
            return self._symbol_attribute(letter, value.upper())
        if letter == "T":
            return self._type_of(name)
        if letter in "KN":
            raise MacroError(f"{letter}' applies to variable symbols, as {letter}'&P")
        return self._symbol_attribute(letter, name)

    def _symbol_attribute(self, letter: str, name: str) -> int:
        """L', S' or I' of an ordinary symbol (GC28-6514, "Attributes"): a symbol
        not defined, or not a constant, has length 1 and scale and integer 0."""
        attributes = self.attributes.get(name, UNDEFINED)
        if letter == "L":
            return attributes.length
        if letter == "S":
            return attributes.scale
        return attributes.integer

    def _type_of(self, value: str) -> str:
        """T' of an operand value (GC28-6514, "Type Attribute")."""
        if not value:
            return "O"
        text = value.upper()
        if _SELF_DEFINING.match(text):
            return "N"
        if _SYMBOL.match(text):
            if text in self.definitions:
                return "M"
            return self.attributes.get(text, UNDEFINED).type
        return "U"

    def _substitute(self, text: str, scope: Scope) -> str:
        """Replace variable symbols in ``text`` (GC28-6514, "Concatenation": a period
        after a variable symbol joins what follows and is dropped)."""
        if "&" not in text:
            return text
        pieces = []
        index = 0
        length = len(text)
        while index < length:
            char = text[index]
            if char != "&":
                pieces.append(char)
                index += 1
                continue
            if text[index + 1 : index + 2] == "&":
                pieces.append("&&")
                index += 2
                continue
            match = _NAME.match(text, index + 1)
            if match is None:
                raise MacroError(
                    f"'&' not followed by a variable symbol in {text!r} (write && for an ampersand)"
                )
            value, index = self._reference(text, match.group().upper(), match.end(), scope)
            pieces.append(value)
        return "".join(pieces)

    def _reference(self, text: str, name: str, end: int, scope: Scope) -> tuple[str, int]:
        """The value of the variable symbol ``&name`` whose name ends at ``end`` in
        ``text``, with its subscripts if it has them, and where the reference ends
        (past a concatenating period)."""
        subscripts: tuple[int, ...] = ()
        if text[end : end + 1] == "(":
            close = _matching_parenthesis(text, end)
            inner = self._substitute(text[end + 1 : close], scope)
            evaluator = self._evaluator(scope)
            subscripts = tuple(
                to_int(evaluator.evaluate(part), "subscript") for part in split_top_level(inner)
            )
            end = close + 1
        value = to_text(self._value(name, subscripts, scope))
        if text[end : end + 1] == ".":
            end += 1
        return value, end


def _conditional_operands(text: str, fields) -> str:
    """The operand field of a conditional-assembly instruction, where blanks inside
    parentheses belong to the expression: AIF ('&A' EQ 'X').Y (GC28-6514)."""
    start = fields.operands_offset
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "'":
            index = after_apostrophe(text, index, start)
            if index == -1:
                return text[start:]
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == " " and depth <= 0:
            break
        index += 1
    return text[start:index]


def _element(value: str, subscripts: tuple[int, ...]) -> str:
    """&P(n): the n-th element of a sublist operand; &P(1) of a plain operand is itself."""
    if not subscripts:
        return value
    items = sublist(value)
    index = subscripts[0]
    if items is None:
        return value if index == 1 else ""
    if not 1 <= index <= len(items):
        return ""
    return _element(items[index - 1], subscripts[1:])


def _matching_parenthesis(text: str, start: int) -> int:
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "'":
            index = after_apostrophe(text, index, start)
            if index == -1:
                break
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise MacroError(f"unbalanced parenthesis in {text!r}", SERIOUS)


def _read_library_file(path: Path) -> list[SourceStatement]:
    try:
        # Bytes decoded, not read_text(): its newline translation would end a line at a lone CR.
        statements, _ = read_source(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MacroError(f"cannot read macro library file {path}: {error}", SERIOUS) from None
    return statements


def _operation_of(statement: SourceStatement) -> str:
    if statement.comment or not statement.text.strip():
        return ""
    return split_fields(statement.text).operation.upper()


def _relocated(statement: SourceStatement, line: int) -> SourceStatement:
    return SourceStatement(
        statement.text, statement.cards, line, list(statement.segments), comment=statement.comment
    )


def _end_of_unclosed_definition(statements: list[SourceStatement], start: int) -> int | None:
    """For a definition whose body starts at ``start`` and has no MEND: the index of the
    END statement where it stops (len(statements) if none); None if MEND closes it."""
    depth = 0
    end_at = None
    for index in range(start, len(statements)):
        operation = _operation_of(statements[index])
        if operation == "MACRO":
            depth += 1
        elif operation == "MEND":
            if depth == 0:
                return None
            depth -= 1
        elif operation == "END" and depth == 0 and end_at is None:
            end_at = index
    return len(statements) if end_at is None else end_at


def _matching_mend(body: list[SourceStatement], start: int) -> int:
    """The index of the MEND that closes the MACRO at ``body[start]`` (or the last)."""
    depth = 0
    for index in range(start, len(body)):
        statement = body[index]
        if statement.comment or not statement.text.strip():
            continue
        operation = split_fields(statement.text).operation.upper()
        if operation == "MACRO":
            depth += 1
        elif operation == "MEND":
            depth -= 1
            if depth == 0:
                return index
    return len(body) - 1


def _declared_names(statements: list[SourceStatement]) -> set[str]:
    """The variable symbols a (nested) macro definition owns: the parameters of its
    prototypes and the SET symbols it declares or sets."""
    names: set[str] = set()
    expect_prototype = False
    for statement in statements:
        if statement.comment or not statement.text.strip():
            continue
        fields = split_fields(statement.text)
        operation = fields.operation.upper()
        if operation == "MACRO":
            expect_prototype = True
            continue
        words: list[str] = []
        if expect_prototype:
            expect_prototype = False
            words = [fields.name, *(part.split("=")[0] for part in fields.operands.split(","))]
        elif operation in DECLARATIONS:
            words = fields.operands.split(",")
        elif operation in SETS:
            words = [fields.name]
        for word in words:
            match = re.match(r"\s*&([A-Za-z$#@][A-Za-z0-9$#@_]*)", word)
            if match:
                names.add(match.group(1).upper())
    return names


def _aif_parts(operands: str) -> tuple[str, str]:
    """AIF (condition).SEQ -> ("(condition)", ".SEQ")."""
    text = operands.strip()
    if not text.startswith("("):
        raise MacroError(
            "AIF needs a condition in parentheses and a sequence symbol, as AIF (&N GT 0).LOOP",
            SERIOUS,
        )
    close = _matching_parenthesis(text, 0)
    target = text[close + 1 :].strip().upper()
    if not target.startswith(".") or not _NAME.fullmatch(target[1:]):
        raise MacroError(
            "AIF needs a sequence symbol after the condition, as (&N GT 0).LOOP", SERIOUS
        )
    return text[: close + 1], target


def _prototype(statement: SourceStatement) -> Prototype:
    fields = split_fields(statement.text)
    name = fields.operation.upper()
    if not _SYMBOL.match(name) or len(name) > 8:
        raise MacroError(
            f"macro prototype needs a macro name as its operation, not {name!r}", SERIOUS
        )
    name_parameter = None
    if fields.name:
        if not fields.name.startswith("&"):
            raise MacroError("the prototype's name field must be a parameter, as &NAME", SERIOUS)
        name_parameter = fields.name[1:].upper()
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for operand in split_top_level(fields.operands) if fields.operands else []:
        match = re.match(r"^&([A-Za-z$#@][A-Za-z0-9$#@_]*)(=(.*))?$", operand.strip(), re.S)
        if not match:
            raise MacroError(
                f"prototype operand {operand!r} must be a parameter, as &P or &KEY=DEFAULT", SERIOUS
            )
        parameter = match.group(1).upper()
        if parameter in keywords or parameter in positional or parameter == name_parameter:
            raise MacroError(f"parameter &{parameter} appears twice in the prototype", SERIOUS)
        if match.group(2):
            keywords[parameter] = match.group(3)
        else:
            positional.append(parameter)
    return Prototype(name, name_parameter, positional, keywords)


def _open_code_labels(statements: list[SourceStatement]) -> dict[str, int]:
    labels: dict[str, int] = {}
    depth = 0
    for index, statement in enumerate(statements):
        if statement.comment or not statement.text.strip():
            continue
        fields = split_fields(statement.text)
        operation = fields.operation.upper()
        if operation == "MACRO":
            depth += 1
        elif operation == "MEND":
            depth = max(depth - 1, 0)
        elif depth == 0 and fields.name.startswith("."):
            labels.setdefault(fields.name.upper(), index)
    return labels


_CONSTANT = re.compile(
    r"^\d*([CXBFHEDLPZAYSVQ])(?:L(\d+))?(?:S(\(?[-+]?\d+\)?))?(?:E[-+(\d)]+)?(?:'([^']*)')?"
)


def _constant_attributes(operands: str) -> Attributes:
    """T', L', S' and I' of a symbol defined by DC or DS, from its first operand."""
    match = _CONSTANT.match(operands.upper())
    if not match:
        return Attributes("U", 1)
    kind, length_text, scale_text, nominal = match.groups()
    first = (nominal or "").split(",")[0]
    scale = 0
    if kind in "FHEDL" and scale_text:
        scale = int(scale_text.strip("()"))
    elif kind in "PZ":
        # GC28-6514: S' of a decimal constant is the number of digits after its point.
        point = first.find(".")
        scale = sum(char.isdigit() for char in first[point + 1 :]) if point >= 0 else 0
    if length_text:
        length = int(length_text)
    elif TYPES[kind][0] is not None:
        length = TYPES[kind][0]
    elif nominal is None:
        length = 1
    elif kind == "C":
        length = max(len(nominal.replace("''", "'").replace("&&", "&")), 1)
    elif kind == "X":
        length = max((len(first) + 1) // 2, 1)
    elif kind == "B":
        length = max((len(first) + 7) // 8, 1)
    elif kind == "P":
        length = sum(char.isdigit() for char in first) // 2 + 1
    elif kind == "Z":
        length = max(sum(char.isdigit() for char in first), 1)
    else:
        length = 1
    return Attributes(kind, length, scale, _integer_attribute(kind, length, scale))


def _integer_attribute(kind: str, length: int, scale: int) -> int:
    """I' (GC28-6514, "Integer Attribute"): the digits (or bits) left of the point."""
    if kind in "FH":
        return 8 * length - scale - 1
    if kind in "ED" or (kind == "L" and length <= 8):
        return 2 * (length - 1) - scale
    if kind == "L":
        # The low part's characteristic byte holds no digits.
        return 2 * (length - 2) - scale
    if kind == "P":
        return 2 * length - scale - 1
    if kind == "Z":
        return length - scale
    return 0


def _severity_code(severity: int) -> int:
    """An MNOTE severity (0-255) as one of the return codes 4, 8, 12, 16."""
    for code in (4, 8, 12):
        if severity <= code:
            return code
    return 16


def describe_calls(message: str, stack: tuple[str, ...]) -> str:
    """A message with the macro calls that generated its statement, innermost first;
    a chain longer than MAX_CALLS_NAMED names its innermost calls and the first."""
    if not stack:
        return message
    calls = [f"in {call}" for call in reversed(stack)]
    if len(calls) > MAX_CALLS_NAMED:
        left_out = len(calls) - MAX_CALLS_NAMED
        calls = [*calls[: MAX_CALLS_NAMED - 1], f"... {left_out} more calls ...", calls[-1]]
    return f"{message} ({'; '.join(calls)})"


_in_macro = describe_calls

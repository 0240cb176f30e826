"""Reading source cards into statements, and splitting a statement into fields.

Fixed format (GC28-6514, "Coding Conventions"): the statement occupies the
begin column (1) through the end column (71); a character in the column
after the end (72) continues it on the next card, whose text starts at the
continue column (16) and whose columns before that must be blank; 73-80 is
the sequence field. ICTL, which may only be the first card, changes the
three columns. A ``*`` in the begin column makes a comment statement.

This is the first step of the pipeline: read cards -> (expand macros) ->
parse -> assign locations -> generate -> listing and deck. A macro pass
consumes and produces ``SourceStatement`` objects, so it can sit between
reading and parsing without either knowing.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from assembler.diagnostics import ERROR, SERIOUS, WARNING

CARD_WIDTH = 80


@dataclass(slots=True)
class CardProblem:
    """A problem found while reading cards, before statements are numbered."""

    line: int
    column: int
    severity: int
    message: str


@dataclass(slots=True)
class SourceStatement:
    """One logical statement: its text with continuations joined, and its cards."""

    text: str
    cards: list[str]
    line: int  # source line of the first card, from 1
    # (offset in text, card index, card column) where each card's part begins
    segments: list[tuple[int, int, int]] = field(default_factory=list)
    comment: bool = False
    generated: bool = False  # produced by a macro expansion (marked + in the listing)
    problems: list[CardProblem] = field(default_factory=list)
    # for a generated statement, the macro calls it came from, outermost first
    macro_stack: tuple[str, ...] = ()

    def card_position(self, offset: int) -> tuple[int, int]:
        """(source line, card column from 1) of an offset inside ``text``."""
        offset = max(offset, 0)
        # Segments begin at rising offsets: the last one at or before ``offset`` holds it.
        found = bisect_right(self.segments, offset, key=lambda segment: segment[0])
        if not found:
            return self.line, offset + 1
        start, card_index, card_column = self.segments[found - 1]
        return self.line + card_index, card_column + offset - start


@dataclass(frozen=True, slots=True)
class Columns:
    """The begin, end and continue columns (1-based), set by ICTL."""

    begin: int = 1
    end: int = 71
    continue_: int = 16


def _ictl_columns(card: str) -> Columns | None:
    fields = split_fields(card[:71])
    if fields.operation.upper() != "ICTL":
        return None
    numbers = [part.strip() for part in fields.operands.split(",")]
    if not all(part.isdigit() for part in numbers) or not 1 <= len(numbers) <= 3:
        raise ValueError("ICTL operands must be one to three column numbers, as ICTL 1,71,16")
    begin = int(numbers[0])
    end = int(numbers[1]) if len(numbers) > 1 else 71
    continue_ = int(numbers[2]) if len(numbers) > 2 else 16
    # GC28-6514, ICTL: begin 1-40, end 41-80 and at least begin+5, continue 2-40 after begin.
    if not (1 <= begin <= 40 and 41 <= end <= 80 and end >= begin + 5):
        raise ValueError("ICTL begin column must be 1-40 and end column 41-80, 5 or more apart")
    if len(numbers) > 2 and not (2 <= continue_ <= 40 and continue_ > begin):
        raise ValueError("ICTL continue column must be 2-40 and after the begin column")
    return Columns(begin, end, continue_)


def source_lines(source_text: str) -> list[str]:
    """The cards of a source: a line ends at LF or CRLF and nowhere else.

    str.splitlines() would also end one at a form feed, a vertical tab, a lone
    CR, X'1C'-X'1E', NEL, U+2028 and U+2029; on a card they are characters (in
    a comment or a C constant), and counting them as line ends would put every
    later diagnostic on the wrong line.
    """
    lines = source_text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_source(source_text: str) -> tuple[list[SourceStatement], Columns]:
    """Cut source text (one card per line) into logical statements."""
    lines = source_lines(source_text)
    columns = Columns()
    statements: list[SourceStatement] = []
    index = 0
    if lines:
        try:
            ictl = _ictl_columns(_card(lines[0]))
        except ValueError as error:
            statement = SourceStatement(
                _card(lines[0])[:71], [_card(lines[0])], 1, [(0, 0, 1)], comment=True
            )
            statement.problems.append(CardProblem(1, 1, SERIOUS, str(error)))
            statements.append(statement)
            index = 1
        else:
            if ictl is not None:
                columns = ictl
                statements.append(
                    SourceStatement(lines[0][:80], [_card(lines[0])], 1, [(0, 0, 1)], comment=True)
                )
                index = 1
    begin, end, continue_ = columns.begin - 1, columns.end, columns.continue_ - 1
    continuation_column = end  # 0-based: the column after the end column
    can_continue = end < CARD_WIDTH
    count = len(lines)
    while index < count:
        raw = lines[index]
        card = _card(raw)
        statement = SourceStatement(card[begin:end], [card], index + 1, [(0, 0, begin + 1)])
        if len(raw.rstrip()) > CARD_WIDTH:
            statement.problems.append(
                CardProblem(index + 1, 81, WARNING, "line longer than 80 columns; the rest is lost")
            )
        if "\t" in raw:
            statement.problems.append(
                CardProblem(
                    index + 1, raw.index("\t") + 1, WARNING, "tab character treated as one blank"
                )
            )
        index += 1
        if statement.text[:1] == "*" or statement.text[:2] == ".*":
            statement.comment = True
        joined = None
        while can_continue and card[continuation_column] != " ":
            if index >= count:
                statement.problems.append(
                    CardProblem(
                        statement.line + len(statement.cards) - 1,
                        continuation_column + 1,
                        ERROR,
                        "continuation indicated in column "
                        f"{continuation_column + 1} but there is no next card",
                    )
                )
                break
            card = _card(lines[index])
            if card[begin:continue_].strip():
                # A continued comment is only a warning: nothing of it is assembled.
                statement.problems.append(
                    CardProblem(
                        index + 1,
                        begin + 1,
                        WARNING if statement.comment else ERROR,
                        f"continuation card must be blank before column {continue_ + 1}",
                    )
                )
            if joined is None:
                joined = _JoinedText(statement.text, statement.comment)
            _close_operand_gap(joined)
            segments = statement.segments
            while len(segments) > 1 and segments[-1][0] >= joined.length:
                segments.pop()  # that card's text was all dropped as the gap closed
            segments.append((joined.length, len(statement.cards), continue_ + 1))
            joined.append(card[continue_:end])
            statement.cards.append(card)
            index += 1
        statement.text = (joined.text() if joined else statement.text).rstrip()
        statements.append(statement)
    return statements, columns


def _close_operand_gap(joined: _JoinedText) -> None:
    """Let an operand field that ends in a comma go on at the next card's continue column.

    This is the alternate format of macro prototypes and calls (GC28-6514,
    "Alternate Statement Format"): an operand, a comma, a blank and remarks on
    one card, the next operand at the continue column of the next. Later
    assemblers accept it for every statement, and so does this one. Only a
    comma that ends the operand field counts, never one in the remarks; the
    remarks before the continuation are dropped from the statement's text
    (the listing shows its cards as punched).
    """
    scan = joined.scan
    if scan is None or scan.operands_end < 0:
        return
    if joined.character_before(scan.operands_end) == ",":
        joined.truncate(scan.operands_end)


class _JoinedText:
    """The text of a statement as its continuation cards are joined, in linear time.

    Its parts are kept in a list (not added to one string card by card) and the
    operand field is scanned as the parts come (``_OperandFieldScan``), so a
    statement of thousands of cards costs time and memory in proportion to its
    length.
    """

    def __init__(self, first: str, comment: bool) -> None:
        self.parts = [first]
        self.length = len(first)
        self.scan = None if comment else _OperandFieldScan()
        if self.scan is not None:
            self.scan.feed(first)

    def append(self, part: str) -> None:
        self.parts.append(part)
        self.length += len(part)
        if self.scan is not None:
            self.scan.feed(part)

    def character_before(self, offset: int) -> str:
        """The character at ``offset - 1`` (parts are searched from the end)."""
        position = self.length
        for part in reversed(self.parts):
            position -= len(part)
            if position <= offset - 1:
                return part[offset - 1 - position]
        return ""

    def truncate(self, length: int) -> None:
        """Drop the text from ``length`` on; the operand field goes on from there."""
        while self.length - len(self.parts[-1]) >= length:
            self.length -= len(self.parts.pop())
        keep = len(self.parts[-1]) - (self.length - length)
        self.parts[-1] = self.parts[-1][:keep]
        self.length = length
        self.scan.reopen(self.character_before(length), self.character_before(length - 1))

    def text(self) -> str:
        return "".join(self.parts)


_ATTRIBUTE_LETTERS = frozenset("LTSIKNltsikn")
_DELIMITERS = frozenset(" ,(+-*/=")
_SYMBOL_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$#@*&")


class _OperandFieldScan:
    """Where ``split_fields`` would end the operand field of a text fed to it piece by
    piece, each character looked at once.

    The same rules as ``split_fields`` and ``after_apostrophe``, as a state
    machine: an apostrophe is decided when the character after it arrives (an
    attribute such as L'SYM, or a string, in which '' stands for one
    apostrophe). ``operands_end`` is where a blank outside quotes ended the
    field (-1 while it has not ended); ``remarks_follow`` tells whether anything
    but blanks came after that.
    """

    # What the scan is in: the four fields, then inside the operands.
    NAME, BEFORE_OPERATION, OPERATION, BEFORE_OPERANDS = range(4)
    OPERANDS, AFTER_APOSTROPHE, STRING, QUOTE_IN_STRING, ENDED = range(4, 9)

    def __init__(self) -> None:
        self.state = self.NAME
        self.position = 0  # characters fed so far
        self.operands_start = -1
        self.operands_end = -1
        self.remarks_follow = False
        # The two characters before the current one inside the operand field ("" and
        # " " stand for positions before the field, as after_apostrophe has them).
        self.previous = ""
        self.before = " "
        self.apostrophe_previous = ""
        self.apostrophe_before = " "

    def reopen(self, previous: str, before: str) -> None:
        """The text was cut back to where the operand field ended (``previous`` and
        ``before`` are the last two characters left): the field goes on there."""
        self.state = self.OPERANDS
        self.position = self.operands_end
        self.operands_end = -1
        self.remarks_follow = False
        if self.position - 2 < self.operands_start:
            before = " "
        self.before, self.previous = before, previous

    def feed(self, part: str) -> None:
        if self.state == self.ENDED:
            # Remarks: only whether they hold more than blanks matters.
            self.remarks_follow = self.remarks_follow or bool(part.strip())
            self.position += len(part)
            return
        for char in part:
            self._step(char)
            self.position += 1

    def _step(self, char: str) -> None:
        state = self.state
        if state >= self.OPERANDS:
            self._operand_step(char)
        elif state == self.NAME:
            # A name starts in the begin column (a blank there means none) and ends at a blank.
            if char == " ":
                self.state = self.BEFORE_OPERATION
        elif state == self.BEFORE_OPERATION:
            if char != " ":
                self.state = self.OPERATION
        elif state == self.OPERATION:
            if char == " ":
                self.state = self.BEFORE_OPERANDS
        elif char != " ":
            self.state = self.OPERANDS
            self.operands_start = self.position
            self._operand_step(char)

    def _operand_step(self, char: str) -> None:
        state = self.state
        if state == self.ENDED:
            if char != " ":
                self.remarks_follow = True
            return
        if state == self.AFTER_APOSTROPHE:
            if (
                self.apostrophe_previous in _ATTRIBUTE_LETTERS
                and self.apostrophe_before in _DELIMITERS
                and char in _SYMBOL_START
            ):
                state = self.OPERANDS  # L'SYM: the character is an operand character
            else:
                self.state = self.QUOTE_IN_STRING if char == "'" else self.STRING
                self._remember(char)
                return
        elif state == self.STRING:
            if char == "'":
                self.state = self.QUOTE_IN_STRING
            self._remember(char)
            return
        elif state == self.QUOTE_IN_STRING:
            if char == "'":
                self.state = self.STRING  # '' is one apostrophe inside the string
                self._remember(char)
                return
            state = self.OPERANDS  # the string ended; the character is looked at afresh
        if char == " ":
            self.state = self.ENDED
            self.operands_end = self.position
            return
        if char == "'":
            self.state = self.AFTER_APOSTROPHE
            self.apostrophe_previous, self.apostrophe_before = self.previous, self.before
        else:
            self.state = self.OPERANDS
        self._remember(char)

    def _remember(self, char: str) -> None:
        self.before, self.previous = self.previous or " ", char


def _card(line: str) -> str:
    return line.replace("\t", " ")[:CARD_WIDTH].ljust(CARD_WIDTH)


@dataclass(frozen=True, slots=True)
class Fields:
    """The four fields of a statement and where each begins (offsets in its text)."""

    name: str
    operation: str
    operands: str
    remarks: str
    operation_offset: int
    operands_offset: int
    remarks_offset: int


def after_apostrophe(text: str, index: int, start: int = 0) -> int:
    """Where scanning goes on after the apostrophe at ``index`` (``start``: where the
    operand begins): past the quoted string it opens, or just past it when it belongs
    to an attribute such as T'&P or L'SYM. -1 for a string that is never closed."""
    previous = text[index - 1] if index > start else ""
    before = text[index - 2] if index - 2 >= start else " "
    following = text[index + 1] if index + 1 < len(text) else ""
    if previous in _ATTRIBUTE_LETTERS and before in _DELIMITERS and following in _SYMBOL_START:
        return index + 1
    closing = text.find("'", index + 1)
    while closing != -1 and text[closing + 1 : closing + 2] == "'":
        closing = text.find("'", closing + 2)
    return -1 if closing == -1 else closing + 1


def operand_field_end(text: str, start: int) -> int:
    """Where the operand field starting at ``start`` ends: the first blank outside quotes.

    An apostrophe after an attribute letter (L'SYM) opens no string.
    """
    index = start
    length = len(text)
    while index < length:
        char = text[index]
        if char == " ":
            return index
        if char == "'":
            index = after_apostrophe(text, index, start)
            if index == -1:
                return length
            continue
        index += 1
    return length


@lru_cache(maxsize=65536)
def split_fields(text: str) -> Fields:
    """Name, operation, operands and remarks of one logical statement."""
    length = len(text)
    if text[:1] not in ("", " "):
        name_end = text.find(" ")
        if name_end == -1:
            name_end = length
        name = text[:name_end]
    else:
        name, name_end = "", 0
    operation_offset = name_end
    while operation_offset < length and text[operation_offset] == " ":
        operation_offset += 1
    operation_end = text.find(" ", operation_offset)
    if operation_end == -1:
        operation_end = length
    operation = text[operation_offset:operation_end]
    operands_offset = operation_end
    while operands_offset < length and text[operands_offset] == " ":
        operands_offset += 1
    operands_end = operand_field_end(text, operands_offset)
    remarks_offset = operands_end
    while remarks_offset < length and text[remarks_offset] == " ":
        remarks_offset += 1
    return Fields(
        name,
        operation,
        text[operands_offset:operands_end],
        text[remarks_offset:],
        operation_offset,
        operands_offset,
        remarks_offset,
    )

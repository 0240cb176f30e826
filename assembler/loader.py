"""A relocating loader for OS/360 object decks (ESD, TXT, RLD and END cards).

``load(decks, storage, address)`` places the control sections of each deck
one after another from ``address`` (each deck on a doubleword boundary),
allocates common sections after them, copies the text, resolves external
references (ER, WX, V-type constants) against the section names and ENTRY
points (LD) of all the decks, applies the relocation dictionary, and
returns where everything went and the entry point. External dummy sections
(PR items of DXD and Q-type constants) are laid out as the linkage editor
lays out pseudo registers: one vector for all the decks, each name once,
with its greatest length on its strictest boundary, in the order first met;
a Q-type constant gets its displacement in the vector and a CXD the
vector's length. The vector itself is not allocated: the program acquires
it when it runs. Cards that are not
object cards (no X'02' in column 1, or an unknown type) are skipped, as the
OS/360 loader skips them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assembler.objdeck import CARD_LENGTH, ESD_TYPES

_TYPE_NAMES = {code: name for name, code in ESD_TYPES.items()}


class ObjectDeckError(Exception):
    """An object deck that cannot be read: the message names the card."""


class UnresolvedSymbolsError(Exception):
    """External references that no deck defines."""

    def __init__(self, names: list[str]):
        super().__init__(
            "unresolved external symbol" + ("s" if len(names) > 1 else "") + ": " + ", ".join(names)
        )
        self.names = names


@dataclass(slots=True)
class EsdItem:
    name: str
    kind: str  # SD LD ER PC CM PR WX
    esdid: int | None
    address: int
    length: int
    owner: int  # LD: the ESD ID of its section


@dataclass(slots=True)
class ObjectModule:
    """One object deck, read but not yet loaded."""

    items: list[EsdItem] = field(default_factory=list)
    text: list[tuple[int, int, bytes, int]] = field(default_factory=list)  # id, addr, data, card
    relocations: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    entry: tuple[int, int] | None = None  # (ESD ID, address)
    entry_name: str = ""


@dataclass(slots=True)
class LoadedSection:
    name: str
    kind: str
    deck: int
    address: int  # where it was loaded
    length: int


@dataclass
class LoadResult:
    entry_point: int
    sections: list[LoadedSection]
    symbols: dict[str, int]
    unresolved: list[str]
    end_address: int  # first byte after everything loaded
    pseudo_registers: dict[str, int] = field(default_factory=dict)  # name -> displacement
    pseudo_register_length: int = 0  # what a CXD holds


def _name(data: bytes) -> str:
    return data.decode("cp037").rstrip()


def read_object_deck(deck: bytes) -> ObjectModule:
    """Parse the cards of one object deck."""
    if len(deck) % CARD_LENGTH:
        raise ObjectDeckError(
            f"object deck is {len(deck)} bytes, not a whole number of 80-byte cards"
        )
    module = ObjectModule()
    ended = False
    for number, start in enumerate(range(0, len(deck), CARD_LENGTH), start=1):
        card = deck[start : start + CARD_LENGTH]
        if card[0] != 0x02:
            continue
        kind = card[1:4].decode("cp037", errors="replace")
        count = int.from_bytes(card[10:12], "big")
        if ended and kind in ("ESD", "TXT", "RLD", "END"):
            raise ObjectDeckError(
                f"card {number}: {kind} card after the END card (two decks in one file? "
                f"give each one its own --load-deck)"
            )
        if kind == "ESD":
            _read_esd(module, card, count, number)
        elif kind == "TXT":
            if count > 56:
                raise ObjectDeckError(f"card {number}: TXT byte count {count} is more than 56")
            esdid = int.from_bytes(card[14:16], "big")
            address = int.from_bytes(card[5:8], "big")
            module.text.append((esdid, address, bytes(card[16 : 16 + count]), number))
        elif kind == "RLD":
            _read_rld(module, card, count, number)
        elif kind == "END":
            ended = True
            if card[14:16] != b"\x40\x40":
                module.entry = (
                    int.from_bytes(card[14:16], "big"),
                    int.from_bytes(card[5:8], "big"),
                )
            elif card[16:24] != b"\x40" * 8:
                module.entry_name = _name(card[16:24])
    if not ended:
        # An object deck always ends with END (GC28-6514): without it the file was cut short.
        raise ObjectDeckError(
            "object deck has no cards" if not deck else "object deck has no END card (truncated?)"
        )
    return module


def _read_esd(module: ObjectModule, card: bytes, count: int, number: int) -> None:
    if count % 16 or count > 48:
        raise ObjectDeckError(f"card {number}: ESD byte count {count} is not 16, 32 or 48")
    esdid = int.from_bytes(card[14:16], "big") if card[14:16] != b"\x40\x40" else None
    for offset in range(16, 16 + count, 16):
        item = card[offset : offset + 16]
        kind = _TYPE_NAMES.get(item[8])
        if kind is None:
            raise ObjectDeckError(f"card {number}: unknown ESD item type X'{item[8]:02X}'")
        if kind == "LD":
            module.items.append(
                EsdItem(
                    _name(item[:8]),
                    kind,
                    None,
                    int.from_bytes(item[9:12], "big"),
                    0,
                    int.from_bytes(item[13:16], "big"),
                )
            )
            continue
        if esdid is None:
            raise ObjectDeckError(f"card {number}: ESD card has no ESD ID for its {kind} item")
        address = int.from_bytes(item[9:12], "big") if kind not in ("ER", "WX") else 0
        length = int.from_bytes(item[13:16], "big") if kind not in ("ER", "WX") else 0
        module.items.append(EsdItem(_name(item[:8]), kind, esdid, address, length, 0))
        esdid += 1


def _read_rld(module: ObjectModule, card: bytes, count: int, number: int) -> None:
    if count > 56:
        raise ObjectDeckError(f"card {number}: RLD byte count {count} is more than 56")
    data = card[16 : 16 + count]
    index = 0
    same = False
    relocation = position = 0
    while index < len(data):
        if not same:
            if index + 8 > len(data):
                raise ObjectDeckError(f"card {number}: RLD item cut short")
            relocation = int.from_bytes(data[index : index + 2], "big")
            position = int.from_bytes(data[index + 2 : index + 4], "big")
            index += 4
        if index + 4 > len(data):
            raise ObjectDeckError(f"card {number}: RLD item cut short")
        flag = data[index]
        address = int.from_bytes(data[index + 1 : index + 4], "big")
        module.relocations.append((relocation, position, flag, address, number))
        same = bool(flag & 0x01)
        index += 4


def _align(value: int, boundary: int = 8) -> int:
    return (value + boundary - 1) & -boundary


_RLD_ADDRESS, _RLD_BRANCH, _RLD_PSEUDO_REGISTER, _RLD_CUMULATIVE_LENGTH = range(4)


def _pseudo_register_vector(modules: list[ObjectModule]) -> tuple[dict[str, int], int]:
    """Displacement of each external dummy section, and the vector's length."""
    lengths: dict[str, int] = {}
    boundaries: dict[str, int] = {}
    for module in modules:
        for item in module.items:
            if item.kind == "PR":
                # The address field holds the boundary less one: 0, 1, 3 or 7.
                boundary = (item.address & 7) + 1
                lengths[item.name] = max(lengths.get(item.name, 0), item.length)
                boundaries[item.name] = max(boundaries.get(item.name, 1), boundary)
    displacements: dict[str, int] = {}
    here = 0
    for name, length in lengths.items():
        here = _align(here, boundaries[name])
        displacements[name] = here
        here += length
    return displacements, here


def load(
    decks: Sequence[bytes | tuple[bytes, int]],
    storage,
    address: int = 0,
    *,
    allow_unresolved: bool = False,
) -> LoadResult:
    """Load object decks into ``storage`` (a bytearray or a Storage) from ``address``.

    A deck given as ``(deck, address)`` is loaded at its own address instead
    of after the previous one; references are still resolved across all.
    Raises ObjectDeckError for a bad deck or one that does not fit, and
    UnresolvedSymbolsError for ER references nothing defines (unless
    ``allow_unresolved``: they are then listed in the result and left 0).
    Every card is checked before anything is stored: when either error is
    raised, storage is unchanged.
    """
    memory = storage.mem if hasattr(storage, "mem") else storage
    modules = []
    placements: list[int | None] = []
    for deck in decks:
        if isinstance(deck, tuple):
            deck, own_address = deck
            placements.append(own_address)
        else:
            placements.append(None)
        modules.append(read_object_deck(deck))
    sections: list[LoadedSection] = []
    relocation_of: list[dict[int, int]] = []  # per deck: ESD ID -> load address - assembled
    symbols: dict[str, int] = {}
    common: dict[str, int] = {}
    here = address
    extents: list[dict[int, EsdItem]] = []  # per deck: ESD ID -> its SD, PC or CM item
    for deck_number, module in enumerate(modules):
        extent: dict[int, EsdItem] = {}
        seen: set[int] = set()
        for item in module.items:
            if item.esdid is None:
                continue
            if item.esdid in seen:
                raise ObjectDeckError(
                    f"deck {deck_number + 1}: ESD ID {item.esdid} is given to two items"
                )
            seen.add(item.esdid)
            if item.kind in ("SD", "PC", "CM"):
                extent[item.esdid] = item
        for item in module.items:
            if item.kind == "LD" and item.owner not in extent:
                raise ObjectDeckError(
                    f"deck {deck_number + 1}: entry {item.name} names ESD ID {item.owner}, "
                    "which is not a section of the deck"
                )
        extents.append(extent)
    for deck_number, module in enumerate(modules):
        relocation: dict[int, int] = {}
        controls = [item for item in module.items if item.kind in ("SD", "PC")]
        base = _align(here) if placements[deck_number] is None else placements[deck_number]
        lowest = min((item.address for item in controls), default=0)
        highest = base
        for item in controls:
            loaded_at = base + item.address - lowest
            relocation[item.esdid] = loaded_at - item.address
            sections.append(
                LoadedSection(item.name, item.kind, deck_number, loaded_at, item.length)
            )
            if item.name and item.name not in symbols:
                symbols[item.name] = loaded_at
            highest = max(highest, loaded_at + item.length)
        for item in module.items:
            if item.kind == "CM":
                common[item.name] = max(common.get(item.name, 0), item.length)
        relocation_of.append(relocation)
        here = max(here, highest)
    common_address: dict[str, int] = {}
    for name, length in common.items():
        here = _align(here)
        common_address[name] = here
        sections.append(LoadedSection(name, "CM", -1, here, length))
        here += length
    for deck_number, module in enumerate(modules):
        for item in module.items:
            if item.kind == "CM":
                relocation_of[deck_number][item.esdid] = common_address[item.name] - item.address
            elif item.kind == "LD" and item.owner in relocation_of[deck_number]:
                symbols.setdefault(item.name, item.address + relocation_of[deck_number][item.owner])
    pseudo_registers, pseudo_register_length = _pseudo_register_vector(modules)
    unresolved: list[str] = []
    size = len(memory)
    if here > size:
        raise ObjectDeckError(
            f"the decks need storage up to {here:06X} but storage ends at {size:06X}"
        )
    # Everything is checked before the first byte is stored, so that a bad deck
    # or an unresolved name leaves storage as it was.
    text_writes: list[tuple[int, bytes]] = []
    relocation_writes: list[tuple[int, int, int, bool]] = []  # address, length, amount, minus
    for deck_number, module in enumerate(modules):
        relocation = relocation_of[deck_number]
        external: dict[int, int] = {}
        for item in module.items:
            if item.kind in ("ER", "WX"):
                if item.name in symbols:
                    external[item.esdid] = symbols[item.name]
                else:
                    external[item.esdid] = 0
                    if item.kind == "ER" and item.name not in unresolved:
                        unresolved.append(item.name)
        for esdid, text_address, data, card in module.text:
            if esdid not in relocation:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: TXT names ESD ID "
                    f"{esdid}, which is not a section"
                )
            section = extents[deck_number][esdid]
            if not (
                section.address <= text_address
                and text_address + len(data) <= section.address + section.length
            ):
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: text at {text_address:06X} "
                    f"(length {len(data)}) is outside section {section.name or '(private)'} "
                    f"({section.address:06X}, length {section.length})"
                )
            target = text_address + relocation[esdid]
            if target < 0 or target + len(data) > size:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: text at {target:06X} is beyond storage"
                )
            text_writes.append((target, data))
        pseudo = {
            item.esdid: pseudo_registers[item.name] for item in module.items if item.kind == "PR"
        }
        for relocation_id, position_id, flag, field_address, card in module.relocations:
            rld_type = flag >> 4
            if rld_type > _RLD_CUMULATIVE_LENGTH:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: RLD item type {rld_type} "
                    "is not one this loader knows (0 A, 1 V, 2 Q, 3 CXD)"
                )
            if rld_type == _RLD_CUMULATIVE_LENGTH:
                amount = pseudo_register_length
            elif rld_type == _RLD_PSEUDO_REGISTER:
                if relocation_id not in pseudo:
                    raise ObjectDeckError(
                        f"deck {deck_number + 1} card {card}: Q-type RLD item names ESD ID "
                        f"{relocation_id}, which is not an external dummy section (PR)"
                    )
                amount = pseudo[relocation_id]
            elif relocation_id in pseudo:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: an A- or V-type RLD item names "
                    f"external dummy section ESD ID {relocation_id}; only Q-type items may"
                )
            elif relocation_id in relocation:
                amount = relocation[relocation_id]
            elif relocation_id in external:
                amount = external[relocation_id]
            else:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: RLD names ESD ID "
                    f"{relocation_id}, which the deck does not define"
                )
            if position_id not in relocation:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: RLD position "
                    f"ESD ID {position_id} is not a section"
                )
            length = ((flag >> 2) & 0x03) + 1
            section = extents[deck_number][position_id]
            if not (
                section.address <= field_address
                and field_address + length <= section.address + section.length
            ):
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: RLD field at {field_address:06X} "
                    f"is outside section {section.name or '(private)'} "
                    f"({section.address:06X}, length {section.length})"
                )
            target = field_address + relocation[position_id]
            if target < 0 or target + length > size:
                raise ObjectDeckError(
                    f"deck {deck_number + 1} card {card}: RLD field at {target:06X} is "
                    "outside storage"
                )
            relocation_writes.append((target, length, amount, bool(flag & 0x02)))
    if unresolved and not allow_unresolved:
        raise UnresolvedSymbolsError(unresolved)
    entry_point = None
    for deck_number, module in enumerate(modules):
        if module.entry is not None:
            esdid, entry_address = module.entry
            if esdid in relocation_of[deck_number]:
                entry_point = entry_address + relocation_of[deck_number][esdid]
                break
        if module.entry_name:
            if module.entry_name in symbols:
                entry_point = symbols[module.entry_name]
                break
            raise UnresolvedSymbolsError([module.entry_name])
    for target, data in text_writes:
        memory[target : target + len(data)] = data
    for target, length, amount, minus in relocation_writes:
        old = int.from_bytes(memory[target : target + length], "big")
        new = old - amount if minus else old + amount
        memory[target : target + length] = (new & ((1 << (8 * length)) - 1)).to_bytes(length, "big")
    if entry_point is None:
        entry_point = sections[0].address if sections else address
    return LoadResult(
        entry_point,
        sections,
        symbols,
        unresolved,
        here,
        pseudo_registers,
        pseudo_register_length,
    )

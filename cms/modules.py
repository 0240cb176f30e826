"""Build CMS's disk-resident commands: one MODULE file per ``cms/commands/*.asm``.

A disk-resident command (EDIT, ...) is not in the nucleus: CMS runs it by
name from the ``name MODULE`` file it finds on an accessed disk (DMSLDR's
DMSMOD). Each source is assembled with the macros of ``cms/maclib/``, loaded
by the relocating loader at the start of the user area (``USER_AREA``,
X'20000', where DMSMOD puts a module), and written in the format GENMOD
writes (DMSLDR's DMSGEN):

- record 1, 12 bytes: the origin, the end address (past the last byte) and
  the entry point, three fullwords;
- then the loaded storage from the origin to the end, in V records of up to
  4,096 bytes.

``install_modules`` puts every module on a CMS disk (the system disk's file
area) as ``name MODULE S2``, as VM/370's system disk holds its commands.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from assembler.loader import ObjectDeckError, UnresolvedSymbolsError, load
from cms.build import MACLIB_DIRECTORY, USER_AREA, BuildError, assemble_module
from cms.filesystem import CMSDisk, CMSError

COMMANDS_DIRECTORY = Path(__file__).resolve().parent / "commands"
MODULE_PIECE = 4096  # the most storage GENMOD puts in one record
MODULE_MODE = "S2"


@dataclass
class CommandModule:
    """A command assembled and loaded, ready to be a MODULE file."""

    name: str
    origin: int
    image: bytes
    entry_point: int
    listing: str

    def records(self) -> list[bytes]:
        """The MODULE file's records, as GENMOD writes them."""
        end = self.origin + len(self.image)
        header = struct.pack(">III", self.origin, end, self.entry_point)
        pieces = [
            self.image[offset : offset + MODULE_PIECE]
            for offset in range(0, len(self.image), MODULE_PIECE)
        ]
        return [header, *pieces]


def command_sources(directory: Path = COMMANDS_DIRECTORY) -> list[Path]:
    """The command sources, by name."""
    return sorted(directory.glob("*.asm"))


def build_command(source: Path, maclib: Path = MACLIB_DIRECTORY) -> CommandModule:
    """Assemble one command and load it at the user area."""
    module = assemble_module(source, maclib)
    storage = bytearray(USER_AREA + 0x40000)
    try:
        loaded = load([module.deck], storage, USER_AREA)
    except (UnresolvedSymbolsError, ObjectDeckError) as error:
        raise BuildError(f"{source.name}: {error}") from None
    end = max(section.address + section.length for section in loaded.sections)
    image = bytes(storage[USER_AREA:end])
    return CommandModule(module.name, USER_AREA, image, loaded.entry_point, module.listing)


def build_commands(directory: Path = COMMANDS_DIRECTORY) -> list[CommandModule]:
    """Every command of ``directory``, assembled and loaded."""
    return [build_command(source) for source in command_sources(directory)]


def install_modules(disk: CMSDisk, modules: list[CommandModule]) -> None:
    """Write each module on ``disk`` as ``name MODULE S2`` (replacing one so named)."""
    for module in modules:
        try:
            disk.write(module.name, "MODULE", module.records(), "V", mode=MODULE_MODE)
        except CMSError as error:
            raise BuildError(f"{module.name} MODULE: {error}") from None

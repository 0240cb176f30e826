"""Build CMS: assemble the nucleus, link it, and write a bootable system disk.

The nucleus is every module in ``cms/nucleus/`` (``*.asm``), assembled with
the macros of ``cms/maclib/`` and linked by the relocating loader into one
core image that starts at real address 0: DMSNUC first (low storage, the
IPL PSW and the new PSWs), then the other modules in name order.

The system disk (the 190 minidisk) holds, as VM/370's did, the nucleus
outside the CMS file area, on the last cylinders of the minidisk. The first
cylinders are a CMS file system (docs/cms-disk-format.md) whose MFD says how
many cylinders it covers, so the file system never reaches the nucleus:

- blocks 1 and 2 of the file system (cylinder 0, head 0, R1 and R2, 800
  bytes each, which the format keeps for IPL records) hold the IPL program.
  R1 starts with a PSW (key 0, every interruption masked, address DMSINI)
  and two CCWs: read data (X'06') of the next record, R2, into
  ``IPL_CHAIN_ADDRESS`` (command chained, SLI), then TIC to it. The IPL
  reads only those 24 bytes of R1 (SLI).
- R2 is the rest of the IPL channel program: for each nucleus cylinder a
  seek, a search ID equal with its TIC back, a read data of R1 and a
  multitrack read data of R1 of each next track, the records going to
  consecutive storage from address 0; the seek and search arguments follow
  the CCWs.
- the nucleus cylinders: every track a standard R0 and one record R1 as
  large as the track holds in whole 512-byte pieces (7,168 bytes on a 2314,
  3,584 on a 2311), the core image in order.

Cylinder numbers in the IPL channel program are relative to the minidisk;
record IDs on the pack carry real cylinder numbers, as the file system's
do, so CP relocates the cylinder of both the seek and the search arguments
of a minidisk channel program. On the bare machine the minidisk must start at
cylinder 0 of the pack to be IPLed. When the IPL channel program ends, the
hardware (or CP) loads the PSW at 0 (the nucleus's own) and DMSINI runs.

``python -m cms.build PACK [--start CYL] [--cylinders N]`` writes the
nucleus on an existing pack image (``vm370 dasd create`` makes one).
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from assembler import assemble
from assembler.loader import ObjectDeckError, UnresolvedSymbolsError, load
from assembler.maclib import MaclibError, build_maclib
from cms.filesystem import CMSDisk, CMSError
from cms.minidisk import Minidisk, MinidiskError
from vm370.hardware.devices.ckd_image import CKDImage, CKDImageError, Record, Track

CMS_DIRECTORY = Path(__file__).resolve().parent
NUCLEUS_DIRECTORY = CMS_DIRECTORY / "nucleus"
MACLIB_DIRECTORY = CMS_DIRECTORY / "maclib"
FIRST_MODULE = "DMSNUC"

# Storage layout (the CMSLAYO macro holds the same figures for the nucleus).
# The IPL channel program sits in the last nucleus page below the user key's
# first block, so the nucleus image must end below it.
IPL_CHAIN_ADDRESS = 0x1F000
USER_AREA = 0x20000
EXEC_WORK_AREA = 0x16000  # EXEC's tables (CMSLAYO EXECWORK): the image must end below
MINIMUM_STORAGE = 256 * 1024

RECORD_UNIT = 512  # a nucleus record is the most 512-byte pieces a track holds
IPL_RECORD_LENGTH = 24
BLOCK_SIZE = 800  # R1 and R2 are blocks 1 and 2 of the file system
SYSTEM_LABEL = "CMS190"

READ_DATA = 0x06
MULTITRACK = 0x80
SEEK = 0x07
SEARCH_ID_EQUAL = 0x31
TIC = 0x08
CHAIN_COMMAND = 0x40
SUPPRESS_LENGTH = 0x20


class BuildError(Exception):
    """The nucleus cannot be built or written: the message says what to fix."""


@dataclass
class Module:
    name: str
    deck: bytes
    listing: str


@dataclass
class Nucleus:
    """The linked nucleus: a core image from address 0 and where things went."""

    image: bytes
    entry_point: int
    symbols: dict[str, int]
    modules: list[Module]


@dataclass
class SystemDisk:
    """Where ``build_system_disk`` put the nucleus (cylinders relative to the minidisk)."""

    file_cylinders: int  # cylinders 0 .. file_cylinders-1 are the CMS file area
    nucleus_cylinder: int
    nucleus_cylinders: int
    nucleus_records: int
    record_size: int  # one nucleus record a track


def module_sources(directory: Path = NUCLEUS_DIRECTORY) -> list[Path]:
    """The nucleus sources in load order: DMSNUC first, then by name."""
    sources = sorted(directory.glob("*.asm"))
    sources.sort(key=lambda path: (path.stem.upper() != FIRST_MODULE, path.stem.upper()))
    if not sources or sources[0].stem.upper() != FIRST_MODULE:
        raise BuildError(f"{directory} has no {FIRST_MODULE}.asm (low storage must load first)")
    return sources


def assemble_module(source: Path, maclib: Path = MACLIB_DIRECTORY) -> Module:
    """Assemble one module; any diagnostic of severity 4 or more fails the build."""
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise BuildError(f"cannot read {source}: {error.strerror or error}") from None
    result = assemble(text, deck_name=source.stem[:4].upper(), maclib=[maclib])
    problems = [d for d in result.diagnostics if d.severity >= 4]
    if problems or result.return_code >= 4:
        first = problems[0] if problems else None
        where = f"{source.name}:{first.line}: " if first else f"{source.name}: "
        message = first.message if first else f"return code {result.return_code}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BuildError(f"{where}{message}{more}")
    return Module(source.stem.upper(), result.object_deck, result.listing)


def build_nucleus(directory: Path = NUCLEUS_DIRECTORY, maclib: Path = MACLIB_DIRECTORY) -> Nucleus:
    """Assemble every module and link them into the core image."""
    modules = [assemble_module(source, maclib) for source in module_sources(directory)]
    storage = bytearray(IPL_CHAIN_ADDRESS)
    try:
        loaded = load([module.deck for module in modules], storage, 0)
    except UnresolvedSymbolsError as error:
        raise BuildError(f"the nucleus does not link: {error}") from None
    except ObjectDeckError as error:
        message = str(error)
        if "storage" in message:
            message = f"the nucleus is larger than {IPL_CHAIN_ADDRESS:X} bytes ({message})"
        raise BuildError(message) from None
    image = bytes(storage[: loaded.end_address])
    if len(image) > EXEC_WORK_AREA:
        raise BuildError(
            f"the nucleus image ends at {len(image):X},"
            f" past the EXEC work area at {EXEC_WORK_AREA:X}"
        )
    psw_address = int.from_bytes(image[4:8], "big") & 0xFFFFFF
    if psw_address != loaded.symbols.get("DMSINI"):
        raise BuildError("the IPL PSW in DMSNUC does not point at DMSINI")
    return Nucleus(image, psw_address, dict(loaded.symbols), modules)


def _ccw(command: int, address: int, flags: int, count: int) -> bytes:
    return struct.pack(">B3sBBH", command, address.to_bytes(3, "big"), flags, 0, count)


def nucleus_record_size(image: CKDImage) -> int:
    """The nucleus record of this device: one keyless record filling the track."""
    geometry = image.geometry
    return geometry.capacity // RECORD_UNIT * RECORD_UNIT


def ipl_channel_program(tracks: list[tuple[int, int]], record_size: int) -> bytes:
    """R2's data: the chain that reads the nucleus from R1 of each ``(cylinder, head)``.

    For each cylinder: a seek to its first nucleus track, a search for R1 there
    and the TIC back to it, a read data of that R1, then a multitrack read
    data (X'86') for each next head, which passes the index point to the next
    head and its R0 to read its R1. Thirteen CCWs read a 2311 cylinder (35 KB)
    and twenty-three a 2314 cylinder (140 KB), so the 800-byte record holds
    the chain for several cylinders.
    """
    cylinders: list[list[tuple[int, int]]] = []
    for cylinder, head in tracks:
        if cylinders and cylinders[-1][-1][0] == cylinder and cylinders[-1][-1][1] + 1 == head:
            cylinders[-1].append((cylinder, head))
        else:
            cylinders.append([(cylinder, head)])
    ccw_count = sum(3 + len(group) for group in cylinders)
    arguments_at = IPL_CHAIN_ADDRESS + 8 * ccw_count
    ccws: list[bytes] = []
    arguments: list[bytes] = []
    storage_address = 0
    reads_left = len(tracks)
    for group in cylinders:
        cylinder, head = group[0]
        seek_at = arguments_at + 8 * len(arguments)
        arguments.append(struct.pack(">HHH", 0, cylinder, head) + bytes(2))
        search_at = arguments_at + 8 * len(arguments)
        arguments.append(struct.pack(">HHB", cylinder, head, 1) + bytes(3))
        ccws.append(_ccw(SEEK, seek_at, CHAIN_COMMAND, 6))
        search_ccw_at = IPL_CHAIN_ADDRESS + 8 * len(ccws)
        ccws.append(_ccw(SEARCH_ID_EQUAL, search_at, CHAIN_COMMAND, 5))
        ccws.append(_ccw(TIC, search_ccw_at, 0, 0))
        for index in range(len(group)):
            reads_left -= 1
            command = READ_DATA if index == 0 else READ_DATA | MULTITRACK
            flags = SUPPRESS_LENGTH | (CHAIN_COMMAND if reads_left else 0)
            ccws.append(_ccw(command, storage_address, flags, record_size))
            storage_address += record_size
    return b"".join(ccws) + b"".join(arguments)


def ipl_record(nucleus: Nucleus) -> bytes:
    """R1: the nucleus's own IPL PSW and the two CCWs that run R2."""
    psw = nucleus.image[:8]
    read_r2 = _ccw(READ_DATA, IPL_CHAIN_ADDRESS, CHAIN_COMMAND | SUPPRESS_LENGTH, BLOCK_SIZE)
    return psw + read_r2 + _ccw(TIC, IPL_CHAIN_ADDRESS, 0, 0)


def build_system_disk(
    image_path: str | Path,
    start_cylinder: int = 0,
    cylinders: int | None = None,
    nucleus: Nucleus | None = None,
    label: str = SYSTEM_LABEL,
    maclib: bool = False,
) -> SystemDisk:
    """Make the minidisk of ``cylinders`` cylinders at ``start_cylinder`` of the
    pack image ``image_path`` a CMS system disk: an empty file system labelled
    ``label`` on its first cylinders, the IPL records, the nucleus on the last.

    With ``maclib``, the file area gets CMSLIB MACLIB S2, the macros of
    ``cms/maclib`` (what ASSEMBLE's GLOBAL MACLIB CMSLIB reads); the command
    line does this. Everything on the minidisk is replaced. Raises BuildError with a message
    for a bad pack or extent.
    """
    nucleus = nucleus or build_nucleus()
    try:
        image = CKDImage(image_path)
    except CKDImageError as error:
        raise BuildError(str(error)) from None
    try:
        return _write_system_disk(image, start_cylinder, cylinders, nucleus, label, maclib)
    except CKDImageError as error:
        raise BuildError(f"{image_path}: {error}") from None
    finally:
        image.flush()
        image.close()


def cmslib_records(maclib: Path = MACLIB_DIRECTORY) -> list[bytes]:
    """CMSLIB MACLIB: the macros of ``cms/maclib`` (one a file, named for it) as a MACLIB."""
    members = [
        (path.stem.upper(), path.read_text().splitlines()) for path in sorted(maclib.glob("*.mac"))
    ]
    try:
        return build_maclib(members)
    except MaclibError as error:
        raise BuildError(f"CMSLIB MACLIB: {error}") from None


def _write_system_disk(
    image: CKDImage,
    start_cylinder: int,
    cylinders: int | None,
    nucleus: Nucleus,
    label: str,
    maclib: bool,
) -> SystemDisk:
    if cylinders is None:
        cylinders = image.cylinders - start_cylinder
    if start_cylinder < 0 or cylinders < 1 or start_cylinder + cylinders > image.cylinders:
        raise BuildError(
            f"cylinders {start_cylinder}-{start_cylinder + cylinders - 1} are not on "
            f"{image.path} ({image.cylinders} cylinders)"
        )
    record_size = nucleus_record_size(image)
    heads = image.geometry.heads
    track_count = math.ceil(len(nucleus.image) / record_size)
    nucleus_cylinders = math.ceil(track_count / heads)
    file_cylinders = cylinders - nucleus_cylinders
    if file_cylinders < 1:
        raise BuildError(
            f"a {cylinders}-cylinder minidisk cannot hold the nucleus ({nucleus_cylinders} "
            "cylinders) and a file area"
        )
    tracks = [(file_cylinders + index // heads, index % heads) for index in range(track_count)]
    chain = ipl_channel_program(tracks, record_size)
    if IPL_CHAIN_ADDRESS + len(chain) > USER_AREA:
        raise BuildError("the IPL channel program does not fit below the user area")

    if len(chain) > BLOCK_SIZE:
        raise BuildError(
            f"the IPL channel program is {len(chain)} bytes; the nucleus is too large for "
            f"one {BLOCK_SIZE}-byte IPL record"
        )
    try:
        files = CMSDisk.format(Minidisk(image, start_cylinder, cylinders), label, file_cylinders)
        if maclib:
            files.write("CMSLIB", "MACLIB", cmslib_records(), "F", 80, mode="S2")
    except (CMSError, MinidiskError) as error:
        raise BuildError(str(error)) from None
    # The disk-resident commands (EDIT, ...) as MODULE files; cms.modules
    # builds on this module, hence the import here.
    from cms.modules import build_commands, install_modules

    install_modules(files, build_commands())

    padded = nucleus.image.ljust(track_count * record_size, b"\x00")
    for index, (cylinder, head) in enumerate(tracks):
        real = start_cylinder + cylinder
        track = Track.blank(real, head)
        data = padded[index * record_size : (index + 1) * record_size]
        track.records.append(Record(real, head, 1, b"", data))
        image.write_track(real, head, track)

    first = image.read_track(start_cylinder, 0)
    blocks = {record.record: record for record in first.records}
    ipl = ipl_record(nucleus).ljust(BLOCK_SIZE, b"\x00")
    blocks[1] = Record(start_cylinder, 0, 1, b"", ipl)
    blocks[2] = Record(start_cylinder, 0, 2, b"", chain.ljust(BLOCK_SIZE, b"\x00"))
    image.write_track(
        start_cylinder, 0, Track(first.home_address, [blocks[n] for n in sorted(blocks)])
    )
    return SystemDisk(file_cylinders, file_cylinders, nucleus_cylinders, track_count, record_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cms.build",
        description="Assemble the CMS nucleus and make a minidisk of a pack a system disk.",
    )
    parser.add_argument("pack", help="an existing 2311 or 2314 pack image (vm370 dasd create)")
    parser.add_argument("--start", type=int, default=0, help="first cylinder of the minidisk")
    parser.add_argument("--cylinders", type=int, help="size of the minidisk (default: the rest)")
    parser.add_argument("--listing", help="folder to write each module's listing into")
    args = parser.parse_args(argv)
    try:
        nucleus = build_nucleus()
        disk = build_system_disk(args.pack, args.start, args.cylinders, nucleus, maclib=True)
        if args.listing:
            folder = Path(args.listing)
            folder.mkdir(parents=True, exist_ok=True)
            for module in nucleus.modules:
                (folder / f"{module.name}.lst").write_text(module.listing)
    except (BuildError, OSError) as error:
        print(f"cms build: {error}", file=sys.stderr)
        return 1
    last = disk.nucleus_cylinder + disk.nucleus_cylinders - 1
    print(
        f"nucleus {len(nucleus.image)} bytes, entry {nucleus.entry_point:06X}; "
        f"{disk.nucleus_records} records on cylinders {disk.nucleus_cylinder}-{last} "
        f"of the minidisk; file area cylinders 0-{disk.file_cylinders - 1}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

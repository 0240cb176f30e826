"""The ``vm370`` command (layer 6): one subcommand per job.

Each subcommand has an ``_add_<name>(subparsers)`` that declares its
arguments and sets ``func``; the function returns the exit status. Errors a
user can act on are printed as one line on stderr, never as a traceback
(unless ``VM370_DEBUG`` is set in the environment).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vm370 import __version__


class UsageError(Exception):
    """Bad arguments or input files: one line on stderr, exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    """Reports a bad command line in one line on stderr, exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="vm370",
        description="A reconstruction of CP-67/CMS on an emulated IBM System/360 Model 67.",
    )
    parser.add_argument("--version", action="version", version=f"vm370 {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def _add_bare(subparsers) -> None:
    parser = subparsers.add_parser(
        "bare",
        help="run a program on the bare machine, no CP",
        description=(
            "Load binary files into real storage, load a PSW (BC mode; EC mode with --ec; "
            "default: the doubleword at location 0), run until a wait state that nothing can end "
            "or the instruction limit, and report the machine's state."
        ),
    )
    parser.add_argument("--storage", default="256K", help="real storage size (default 256K)")
    parser.add_argument(
        "--load", action="append", default=[], metavar="FILE@HEXADDR", help="load a file"
    )
    parser.add_argument("--psw", metavar="HEX16", help="the PSW to start with (16 hex digits)")
    parser.add_argument(
        "--load-deck",
        action="append",
        default=[],
        metavar="FILE@HEXADDR",
        help="load an object deck (from vm370 asm -o) with the relocating loader",
    )
    parser.add_argument(
        "--max-instructions",
        default=None,
        metavar="N",
        help="stop after N instructions (default 10000000)",
    )
    parser.add_argument(
        "--dump",
        action="append",
        default=[],
        metavar="HEXADDR:HEXLEN",
        help="report storage bytes",
    )
    parser.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="HEXDEV=TYPE[:FILE]",
        help=(
            "attach a device: 1052, 2540R, 2540P, 1403, 2311, 2314, 3277 "
            "(e.g. 00C=2540R:deck.txt, 00E=1403:out.txt, 190=2314:pack.ckd; "
            "add :ro to attach a pack read-only)"
        ),
    )
    parser.add_argument(
        "--ipl", metavar="HEXDEV", help="IPL from this device instead of loading a PSW"
    )
    parser.add_argument(
        "--ec",
        action="store_true",
        help="start in the Model 67's extended-control mode (CR6 bit 8): the PSW is an EC PSW",
    )
    parser.add_argument(
        "--cr",
        action="append",
        default=[],
        metavar="N=HEX",
        help="load control register N (0-15) before the PSW, e.g. --cr 0=00001000 (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--show-blocks",
        action="store_true",
        help=(
            "after the run, print the Python source the CPU generated for the blocks of "
            "instructions it translated (to stderr with --json)"
        ),
    )
    parser.add_argument(
        "--tn3270",
        metavar="HOST:PORT",
        help=(
            "serve the attached 3277s to TN3270 clients (x3270, c3270, s3270) on HOST:PORT; "
            "the machine runs paced until Ctrl+C"
        ),
    )
    parser.add_argument(
        "--tui", action="store_true", help="be the first attached 3277's terminal (Textual)"
    )
    parser.add_argument(
        "--under-cp",
        action="store_true",
        help=(
            "run the program in a virtual machine under CP (--storage is its size) and add "
            'CP\'s counters to the report ("cp": privops, reflected, page_faults)'
        ),
    )
    parser.add_argument(
        "--real-storage",
        metavar="SIZE",
        help="with --under-cp: the real machine's storage (default: the guest's plus 64K)",
    )
    parser.set_defaults(func=_run_bare)


def _hex_number(text: str, what: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a hexadecimal number") from None
    if value < 0:
        raise UsageError(f"{what} {text!r} must not be negative")
    return value


def _file_at_address(option: str, item: str) -> tuple[str, int]:
    """FILE@HEXADDR of --load and --load-deck."""
    path, at, address = item.rpartition("@")
    if not at or not path:
        raise UsageError(f"{option} {item!r} must be FILE@HEXADDR")
    return path, _hex_number(address, "load address")


def _run_bare(args: argparse.Namespace) -> int:
    import json

    from vm370.hardware.machine import DEFAULT_MAX_INSTRUCTIONS, BareRun, MachineError, run_bare
    from vm370.hardware.psw import parse_psw
    from vm370.hardware.storage import parse_size

    request = BareRun()
    try:
        request.storage_size = parse_size(args.storage)
        if args.psw is not None:
            request.psw = parse_psw(args.psw)
    except ValueError as error:
        raise UsageError(str(error)) from None
    request.loads = [_file_at_address("--load", item) for item in args.load]
    for item in args.dump:
        address, colon, length = item.partition(":")
        if not colon:
            raise UsageError(f"--dump {item!r} must be HEXADDR:HEXLEN")
        request.dumps.append(
            (
                address.upper(),
                _hex_number(address, "dump address"),
                _hex_number(length, "dump length"),
            )
        )
    request.max_instructions = DEFAULT_MAX_INSTRUCTIONS
    if args.max_instructions is not None:
        try:
            request.max_instructions = int(args.max_instructions, 0)
        except ValueError:
            raise UsageError(
                f"--max-instructions {args.max_instructions!r} is not a number"
            ) from None
        if request.max_instructions < 0:
            raise UsageError("--max-instructions must not be negative")
    request.attaches = [_parse_attach(item) for item in args.attach]
    for address, device_type, file in request.attaches:
        if args.json and device_type == "1052" and file is None:
            raise UsageError(
                f"with --json the console's typing would mix with the JSON: "
                f"give it a file, e.g. --attach {address:03X}=1052:console.txt"
            )
    if args.ipl is not None:
        if args.psw is not None:
            raise UsageError("--ipl and --psw both set the PSW: give only one")
        request.ipl = _hex_number(args.ipl, "IPL device address")
    from vm370.hardware.control_registers import parse_control_register_setting

    request.extended_control_mode = args.ec
    try:
        request.control_registers = [parse_control_register_setting(item) for item in args.cr]
    except ValueError as error:
        raise UsageError(f"--cr: {error}") from None
    if args.under_cp and (args.tn3270 is not None or args.tui):
        raise UsageError("--under-cp cannot be combined with --tn3270 or --tui yet")
    real_storage = None
    if args.real_storage is not None:
        if not args.under_cp:
            raise UsageError("--real-storage is for --under-cp (--storage is the bare machine's)")
        try:
            real_storage = parse_size(args.real_storage)
        except ValueError as error:
            raise UsageError(f"--real-storage: {error}") from None
    machine = _machine_with_decks(args.load_deck, request.storage_size)
    if args.show_blocks:
        if args.under_cp or args.tn3270 is not None or args.tui:
            raise UsageError(
                "--show-blocks is for a plain bare run (no --under-cp, --tn3270, --tui)"
            )
        if machine is None:
            from vm370.hardware.machine import Machine

            machine = Machine(request.storage_size)
    try:
        if args.under_cp:
            from vm370.cp.bare import run_under_cp

            report = run_under_cp(request, real_storage=real_storage, preloaded=machine)
        elif args.tn3270 is not None or args.tui:
            report = _serve_bare(args, request, machine)
        else:
            report = run_bare(request, machine)
    except MachineError as error:
        raise UsageError(str(error)) from None
    if args.show_blocks:
        listings = [block.listing() for block in machine.cpu.translated_blocks()]
        print(
            "\n".join(listings) or "# no blocks were translated",
            file=sys.stderr if args.json else sys.stdout,
        )
    if args.json:
        print(json.dumps(report))
    else:
        print(f"stop {report['stop']}  PSW {report['psw']}  instructions {report['instructions']}")
        loop = report.get("interruption_loop")
        if loop is not None:
            print(
                f"ended in a {loop['class']}-interruption loop: code {loop['code']}, "
                f"old PSW {loop['old_psw']}, new PSW {loop['psw']}"
            )
        for row in range(0, 16, 4):
            registers = " ".join(report["gpr"][row : row + 4])
            print(f"GPR {row:2d}-{row + 3:2d}  {registers}")
        print("FPR 0-6    " + " ".join(report["fpr"]))
        if "cp" in report:
            counters = report["cp"]
            print(
                f"CP  privops {counters['privops']}  reflected {counters['reflected']}  "
                f"page faults {counters['page_faults']}"
            )
        if (args.ec or args.cr) and "cr" in report:
            for row in range(0, 16, 8):
                print(f"CR  {row:2d}-{row + 7:2d}  " + " ".join(report["cr"][row : row + 8]))
            tlb = report["tlb"]
            print(f"TLB hits {tlb['hits']}  misses {tlb['misses']}")
        for label, data in report["dump"].items():
            print(f"{label}: {data}")
    return 0


# A deck for 16M of storage is well under this; an endless file must not fill memory.
_LARGEST_DECK = 64 * 2**20


def _machine_with_decks(items: list[str], storage_size: int):
    """A machine with the object decks of ``--load-deck`` loaded, or None for none."""
    if not items:
        return None

    from assembler.loader import ObjectDeckError, UnresolvedSymbolsError, load
    from vm370.hardware.machine import Machine

    decks = []
    for item in items:
        path, address = _file_at_address("--load-deck", item)
        try:
            with open(path, "rb") as file:
                deck = file.read(_LARGEST_DECK + 1)
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
        if len(deck) > _LARGEST_DECK:
            raise UsageError(f"{path} is over {_LARGEST_DECK // 2**20} MB: not an object deck")
        decks.append((deck, address))
    machine = Machine(storage_size)
    try:
        load(decks, machine.storage)
    except (ObjectDeckError, UnresolvedSymbolsError) as error:
        raise UsageError(str(error)) from None
    return machine


def _add_asm(subparsers) -> None:
    parser = subparsers.add_parser(
        "asm",
        help="assemble System/360 assembler source into an object deck",
        description=(
            "Assemble a System/360 Assembler F source file. Diagnostics go to stderr, one "
            "line each; the exit status is the assembly's return code (0, 4, 8, 12 or 16), "
            "16 also when the source cannot be read or an output cannot be written."
        ),
    )
    parser.add_argument("source", metavar="SOURCE", help="the source file, one card per line")
    parser.add_argument(
        "-o",
        "--object",
        metavar="DECK",
        help="write the object deck (80-byte EBCDIC cards) to DECK",
    )
    parser.add_argument(
        "--listing", metavar="FILE", help="write the listing to FILE ('-' for standard output)"
    )
    parser.add_argument(
        "--maclib",
        action="append",
        default=[],
        metavar="DIR",
        help="a directory of macros (NAME.mac, *.macro) and COPY members; "
        "repeat to search several in order",
    )
    parser.add_argument("--sysparm", default="", metavar="TEXT", help="the value of &SYSPARM")
    parser.add_argument(
        "--now",
        metavar="YYYY-MM-DDTHH:MM",
        help="the time for &SYSDATE and &SYSTIME (default: $SOURCE_DATE_EPOCH "
        "if set, else the time of day); give it for a reproducible build",
    )
    parser.set_defaults(func=_run_asm)


def _assembly_time(text: str | None):
    """--now, else $SOURCE_DATE_EPOCH (reproducible builds), else the time of day."""
    import datetime

    if text:
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(
                f"--now {text!r} must be a date and time, as 1972-08-03T14:05"
            ) from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} must be seconds since 1970") from None
    return datetime.datetime.now()


# A source this large is a mistake (/dev/zero, a disk image): refused before it fills memory.
MAX_SOURCE_BYTES = 64 * 1024 * 1024


def _run_asm(args: argparse.Namespace) -> int:
    from pathlib import Path

    from assembler import assemble

    source_path = Path(args.source)
    try:
        with open(source_path, "rb") as source_file:
            raw = source_file.read(MAX_SOURCE_BYTES + 1)
        if len(raw) > MAX_SOURCE_BYTES:
            print(
                f"vm370 asm: cannot read {args.source}: larger than "
                f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB, not a source file",
                file=sys.stderr,
            )
            return 16
        source_text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is dropped
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(f"vm370 asm: cannot read {args.source}: {reason}", file=sys.stderr)
        return 16
    for library in args.maclib:
        if not Path(library).is_dir():
            print(f"vm370 asm: macro library {library} is not a directory", file=sys.stderr)
            return 16
    clash = _output_clash(source_path, args.object, args.listing)
    if clash:
        print(f"vm370 asm: {clash}; nothing was written", file=sys.stderr)
        return 16
    result = assemble(
        source_text,
        deck_name=source_path.stem[:4],
        maclib=args.maclib,
        sysparm=args.sysparm,
        now=_assembly_time(args.now),
    )
    for diagnostic in result.diagnostics:
        location = f"{args.source}:{diagnostic.line}" if diagnostic.line else args.source
        if diagnostic.column:
            location += f":{diagnostic.column}"
        print(
            f"{location}: statement {diagnostic.statement}: severity {diagnostic.severity}: "
            f"{diagnostic.message}",
            file=sys.stderr,
        )
    try:
        if args.object:
            Path(args.object).write_bytes(result.object_deck)
        if args.listing == "-":
            sys.stdout.write(result.listing)
        elif args.listing:
            Path(args.listing).write_text(result.listing, encoding="utf-8")
    except OSError as error:
        where = error.filename or args.object or args.listing
        print(f"vm370 asm: cannot write {where}: {error.strerror or error}", file=sys.stderr)
        return 16
    if args.listing != "-":
        print(
            f"{args.source}: {len(result.assembly.statements)} statements, "
            f"return code {result.return_code}"
        )
    return result.return_code


def _output_clash(source, deck: str | None, listing: str | None) -> str | None:
    """Why -o/--listing would overwrite the source or each other, or None if they don't."""
    from pathlib import Path

    def same(first, second) -> bool:
        try:
            return Path(first).resolve() == Path(second).resolve() or os.path.samefile(
                first, second
            )
        except OSError:
            return False

    listing_file = listing if listing and listing != "-" else None
    for option, output in (("-o", deck), ("--listing", listing_file)):
        if output and same(output, source):
            return f"{option} {output} is the source file"
    if deck and listing_file and same(deck, listing_file):
        return f"-o and --listing name the same file {deck}"
    return None


def _parse_attach(item: str) -> tuple[int, str, str | None]:
    """HEXDEV=TYPE[:FILE] of --attach."""
    address, equals, rest = item.partition("=")
    device_type, colon, file = rest.partition(":")
    if not equals or not device_type or (colon and not file):
        raise UsageError(f"--attach {item!r} must be HEXDEV=TYPE[:FILE], e.g. 00C=2540R:deck.txt")
    device = _hex_number(address, "device address")
    if device > 0x6FF:
        raise UsageError(f"device address {address!r} must be 000-6FF (channels 0-6)")
    return device, device_type.upper(), file or None


def _add_dasd(subparsers) -> None:
    parser = subparsers.add_parser(
        "dasd",
        help="create disk pack images (Hercules CKD format)",
        description="Work with disk pack images in Hercules' uncompressed CKD format.",
    )
    actions = parser.add_subparsers(dest="dasd_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="create a blank pack: every track with its home address and R0",
        description=(
            "Create a blank pack image, byte for byte what Hercules' `dasdinit -r` makes. "
            "An existing file is never overwritten."
        ),
    )
    create.add_argument("type", metavar="TYPE", help="2311 or 2314")
    create.add_argument("file", metavar="FILE", help="the image file to create")
    create.add_argument(
        "--cylinders", type=int, default=None, help="number of cylinders (default 200)"
    )
    create.add_argument(
        "--alternates", action="store_true", help="add the 3 alternate cylinders (203)"
    )
    parser.set_defaults(func=_run_dasd)


def _run_dasd(args: argparse.Namespace) -> int:
    """Dispatch ``vm370 dasd ACTION`` (only ``create`` so far)."""
    return _run_dasd_create(args)


def _run_dasd_create(args: argparse.Namespace) -> int:
    from vm370.hardware.devices.ckd_image import CKDImage, CKDImageError, create_image

    try:
        path = create_image(args.file, args.type, args.cylinders, args.alternates)
        image = CKDImage(path, read_only=True)
    except CKDImageError as error:
        raise UsageError(str(error)) from None
    print(
        f"{path}: {image.geometry.device_type} pack, {image.cylinders} cylinders, "
        f"{image.heads} tracks a cylinder"
    )
    image.close()
    return 0


def _serve_bare(args: argparse.Namespace, request, machine) -> dict:
    """``bare --tn3270`` / ``--tui``: run paced for the attached 3277s (vm370.terminal.serve)."""
    from vm370.terminal.serve import serve_bare
    from vm370.terminal.tn3270_client import parse_host_port

    address = None
    if args.tn3270 is not None:
        try:
            address = parse_host_port(args.tn3270, default_port=3270)
        except ValueError as error:
            raise UsageError(f"--tn3270: {error}") from None
    return serve_bare(request, machine, tn3270=address, tui=args.tui)


def _add_tui(subparsers) -> None:
    parser = subparsers.add_parser(
        "tui",
        help="a 3270 terminal (Textual) for any TN3270 server",
        description=(
            "Open the vm370 3270 terminal and connect it over TN3270 to HOST:PORT (this "
            "project's `vm370 bare --tn3270`, or Hercules). For a terminal on a machine in "
            "this process use `vm370 bare ... --tui`. Ctrl+K lists the keys."
        ),
    )
    parser.add_argument(
        "--connect", metavar="HOST:PORT", required=True, help="the TN3270 server to connect to"
    )
    parser.add_argument(
        "--model",
        type=int,
        choices=(2, 3, 4, 5),
        default=2,
        help="3278 model: 2 is 24x80, 3 is 32x80, 4 is 43x80, 5 is 27x132 (default 2)",
    )
    parser.set_defaults(func=_run_tui)


def _run_tui(args: argparse.Namespace) -> int:
    from vm370.hardware.display3270 import MODELS
    from vm370.terminal.tn3270_client import parse_host_port
    from vm370.terminal.tui.app import TerminalApp
    from vm370.terminal.tui.connection import TN3270Link

    try:
        host, port = parse_host_port(args.connect)
    except ValueError as error:
        raise UsageError(f"--connect: {error}") from None
    link = TN3270Link(host, port, f"IBM-3278-{args.model}")
    TerminalApp(link, model=MODELS[args.model]).run()
    return 0


# Subcommands register here as they become real.
_SUBCOMMANDS: list = [_add_bare, _add_asm, _add_dasd, _add_tui]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except UsageError as error:
        print(f"vm370 {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a last resort: one line, never a traceback
        if os.environ.get("VM370_DEBUG"):
            raise
        print(f"vm370 {args.command}: internal error: {error}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())

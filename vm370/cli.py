"""The ``vm370`` command (layer 6): one subcommand per job.

Each subcommand has an ``_add_<name>(subparsers)`` that declares its
arguments and sets ``func``; the function returns the exit status. Errors a
user can act on are printed as one line on stderr, never as a traceback
(unless ``VM370_DEBUG`` is set in the environment).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from vm370 import __version__

# Python 3.11's argparse drops a value "--" given as --option=-- and hands the
# option a list; it travels through parsing as this stand-in instead.
_DOUBLE_DASH_VALUE = "\x00double-dash\x00"


class UsageError(Exception):
    """Bad arguments or input files: one line on stderr, exit status 2."""


class _OneLineParser(argparse.ArgumentParser):
    """Reports a bad command line in one line on stderr, exit status 2."""

    def error(self, message: str):
        # A value "--" travels as a stand-in (see _parse): show it as typed.
        message = message.replace(repr(_DOUBLE_DASH_VALUE), "'--'")
        message = message.replace(_DOUBLE_DASH_VALUE, "--")
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="vm370",
        description="A reconstruction of CP-67/CMS on an emulated IBM System/360 Model 67.",
    )
    parser.add_argument("--version", action="version", version=f"vm370 {__version__}")
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="with no command: the system to bring up (default $VM370_HOME or your data folder)",
    )
    parser.add_argument(
        "--restore",
        metavar="NAME",
        help="with no command: resume the system from its checkpoint NAME (vm370 checkpoint)",
    )
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
            "serve the attached 3277s to TN3270 clients (x3270, c3270, s3270) on HOST:PORT "
            "(a PORT alone means 127.0.0.1:PORT); the machine runs paced until Ctrl+C"
        ),
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help=(
            "with --tn3270: allow a HOST other than this machine's loopback (0.0.0.0, a "
            "network address), so other machines can connect"
        ),
    )
    parser.add_argument(
        "--tls-cert",
        metavar="FILE",
        help="with --tn3270: serve TN3270 over TLS with this certificate (PEM)",
    )
    parser.add_argument(
        "--tls-key",
        metavar="FILE",
        help="with --tls-cert: its private key (PEM), if not in the certificate's file",
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

    from vm370.hardware.machine import (
        DEFAULT_MAX_INSTRUCTIONS,
        BareRun,
        MachineError,
        check_dump,
        run_bare,
    )
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
        if args.json and device_type == "1403" and file is None:
            raise UsageError(
                f"with --json the printer's lines would mix with the JSON: "
                f"give it a file, e.g. --attach {address:03X}=1403:out.txt"
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
    if args.tn3270 is None:
        for option, value in (
            ("--public", args.public),
            ("--tls-cert", args.tls_cert),
            ("--tls-key", args.tls_key),
        ):
            if value:
                raise UsageError(f"{option} is for --tn3270")
    if args.tls_key and not args.tls_cert:
        raise UsageError("--tls-key needs --tls-cert (the certificate it belongs to)")
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
    try:
        for _, address, length in request.dumps:
            check_dump(address, length, request.storage_size)
    except MachineError as error:
        raise UsageError(str(error)) from None
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
            print(f"CP  stop: {report['stop_reason']}")
            for line in report["cp_log"]:
                print(f"CP  log: {line}")
        if (args.ec or args.cr) and "cr" in report:
            for row in range(0, 16, 8):
                print(f"CR  {row:2d}-{row + 7:2d}  " + " ".join(report["cr"][row : row + 8]))
            tlb = report["tlb"]
            print(f"TLB hits {tlb['hits']}  misses {tlb['misses']}")
        for label, data in report["dump"].items():
            print(f"{label}: {data}")
    _hint_unattached(report)
    return 0


def _hint_unattached(report: dict) -> None:
    """On stderr: devices the program addressed that were not attached (its likely error)."""
    addresses = report.get("unattached_devices")
    if not addresses:
        return
    names = ", ".join(addresses)
    print(
        f"vm370 bare: note: the program addressed device {names}, which is not attached "
        f"(condition code 3); attach it with --attach {addresses[0]}=TYPE "
        f"(TYPE: 1052, 2540R, 2540P, 1403, 2311, 2314 or 3277)",
        file=sys.stderr,
    )


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
    from vm370.hardware.host_files import write_file

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
        # Each file appears whole or not at all; a failure keeps the previous one.
        if args.object:
            write_file(args.object, result.object_deck)
        if args.listing == "-":
            sys.stdout.write(result.listing)
        elif args.listing:
            write_file(args.listing, result.listing.encode("utf-8"))
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


def _add_directory(subparsers) -> None:
    parser = subparsers.add_parser(
        "directory",
        help="check a VM/370 user directory",
        description="Work with a user directory in VM/370's format (see docs/cp.md).",
    )
    actions = parser.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check a directory and summarize each user",
        description=(
            "Parse and check a directory: one line per user on standard output (storage, "
            "classes, minidisks, devices; never a password). Problems go to standard error, "
            "one FILE:LINE:COL line each; the exit status is 0 for a clean directory, 1 if "
            "it has problems."
        ),
    )
    check.add_argument("file", metavar="FILE", help="the directory file (e.g. user.direct)")
    check.add_argument(
        "--system",
        metavar="CONF",
        help="a real configuration (system.conf): check volumes and CP areas against it",
    )
    hashing = actions.add_parser(
        "hash-password",
        help="write a password in the directory's hashed form",
        description=(
            "Read a password (typed without echo, asked twice; or the first line of standard "
            "input when that is not a terminal) and print the HASH:PBKDF2-SHA256:... form "
            "that a USER or MDISK statement takes in its place."
        ),
    )
    hashing.add_argument(
        "--iterations",
        type=int,
        default=None,
        metavar="N",
        help="PBKDF2 iterations (1000-10000000, default 100000)",
    )
    parser.set_defaults(func=_run_directory)


def _run_directory(args: argparse.Namespace) -> int:
    """Dispatch ``vm370 directory ACTION``."""
    if args.directory_command == "hash-password":
        return _run_directory_hash_password(args)
    return _run_directory_check(args)


def _run_directory_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from vm370.cp.passwords import (
        DEFAULT_ITERATIONS,
        MAX_ITERATIONS,
        MAX_PLAIN_LENGTH,
        MIN_ITERATIONS,
        hash_password,
    )

    iterations = DEFAULT_ITERATIONS if args.iterations is None else args.iterations
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise UsageError(f"--iterations must be {MIN_ITERATIONS} to {MAX_ITERATIONS}")
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ; nothing was written")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not 1 <= len(password) <= MAX_PLAIN_LENGTH or not all(" " < c <= "~" for c in password):
        raise UsageError(
            f"a password is 1 to {MAX_PLAIN_LENGTH} printable characters without blanks"
        )
    print(hash_password(password, iterations))
    return 0


def _size_text(size: int) -> str:
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)}M"
    return f"{size // 1024}K"


def _run_directory_check(args: argparse.Namespace) -> int:
    from vm370.cp.configfile import ConfigFileError
    from vm370.cp.directory import load_directory
    from vm370.cp.sysconfig import load_system

    try:
        system = load_system(args.system) if args.system else None
        directory = load_directory(args.file, system)
    except ConfigFileError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 1
    for user in directory.users.values():
        cylinders = sum(disk.cylinders for disk in user.minidisks.values())
        devices = " ".join(f"{cuu:03X} {what}" for cuu, what in user.device_addresses())
        print(
            f"{user.userid:<8}  storage {_size_text(user.storage)} "
            f"(max {_size_text(user.max_storage)})  classes {user.classes}  "
            f"minidisks {len(user.minidisks)} ({cylinders} cyl)  devices: {devices or 'none'}"
        )
    count = len(directory.users)
    print(f"{args.file}: {count} user{'s' if count != 1 else ''}, no problems")
    return 0


_CMS_OPERANDS = {
    "list": (),
    "get": ("FILEID", "FILE"),
    "put": ("FILE", "FILEID"),
    "erase": ("FILEID",),
    "format": (),
    "check": (),
}
# More than a CMS file can hold even as text (F lines lose their padding in the host file).
_CMS_MAX_HOST_FILE = 64 * 1024 * 1024
_CMS_DISK_FORMS = "DISK --extent START:COUNT | --data DIR --user USERID --cuu CUU"


class _CMSFailure(Exception):
    """A CMS error (no such file, disk full, damaged disk, system running): exit status 1."""


def _add_cms(subparsers) -> None:
    parser = subparsers.add_parser(
        "cms",
        help="list, read, write and format CMS minidisks",
        description=(
            "Work with the files of a CMS minidisk (the 800-byte-block format of "
            "docs/cms-disk-format.md). The disk is a cylinder extent of a pack image "
            "(DISK --extent START:COUNT) or a user's minidisk in a system's data folder "
            "(--data DIR --user USERID --cuu 191; refused while that system runs). Text is "
            "converted between the host's UTF-8 and EBCDIC (code page 037). Exit status: 0 "
            "done, 1 a CMS error (no such file, disk full, damaged disk), 2 a usage error."
        ),
    )
    actions = parser.add_subparsers(dest="cms_command", metavar="ACTION", required=True)
    helps = {
        "list": ("list the files, with the label and block counts", ""),
        "get": ("copy a file to the host (FILE '-' is standard output)", "FILEID FILE"),
        "put": ("copy a host file onto the disk (create or replace)", "FILE FILEID"),
        "erase": ("erase a file", "FILEID"),
        "format": ("make an empty CMS disk (everything on it is lost)", ""),
        "check": ("read every file's chain and records; report lost blocks", ""),
    }
    for name, (summary, operands) in helps.items():
        action = actions.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}. FILEID is 'FN FT [FM]'.",
            usage=f"vm370 cms {name} [{_CMS_DISK_FORMS}] {operands}".rstrip(),
        )
        action.add_argument("operands", nargs="*", help=argparse.SUPPRESS)
        action.add_argument("--extent", metavar="START:COUNT", help="cylinders of the pack")
        action.add_argument("--data", metavar="DIR", help="a system's data folder")
        action.add_argument("--user", metavar="USERID", help="the minidisk's owner (with --data)")
        action.add_argument("--cuu", metavar="CUU", help="its virtual address, hex (with --data)")
        if name in ("get", "put"):
            action.add_argument(
                "--binary",
                action="store_true",
                help="bytes unchanged: no EBCDIC conversion, no line ends",
            )
        if name == "put":
            action.add_argument(
                "--recfm", choices=("F", "V", "f", "v"), default="F", help="default F"
            )
            action.add_argument(
                "--lrecl", type=int, help="record length (F default 80; V default the longest)"
            )
        if name == "format":
            action.add_argument("--label", required=True, help="the disk label, 1-6 characters")
            action.add_argument(
                "--cylinders",
                type=int,
                help="format only the first N cylinders (CMS FORMAT cuu mode N; default all)",
            )
    parser.set_defaults(func=_run_cms)


def _run_cms(args: argparse.Namespace) -> int:
    from cms.filesystem import CMSError
    from cms.minidisk import MinidiskError
    from vm370.cp.datafolder import DataFolderError, SystemLocked, UnknownMinidisk
    from vm370.hardware.devices.ckd_image import CKDImageError

    wanted = _CMS_OPERANDS[args.cms_command]
    operands = list(args.operands)
    if args.data is None:
        if len(operands) != len(wanted) + 1:
            raise UsageError(_cms_operands_message(args.cms_command, ("DISK", *wanted)))
        image = operands.pop(0)
    else:
        if len(operands) != len(wanted):
            raise UsageError(_cms_operands_message(args.cms_command, wanted))
        image = None
    try:
        with _cms_minidisk(args, image) as device:
            named = dict(zip(wanted, operands, strict=True))
            return _CMS_ACTIONS[args.cms_command](args, device, named)
    except (SystemLocked, CMSError, _CMSFailure) as error:
        print(f"vm370 cms {args.cms_command}: {error}", file=sys.stderr)
        return 1
    except (UnknownMinidisk, DataFolderError, CKDImageError, MinidiskError) as error:
        raise UsageError(str(error)) from None


def _cms_operands_message(action: str, operands: tuple[str, ...]) -> str:
    needed = " ".join(operands) or "no operands"
    return f"{action} takes {needed} (with --data, no DISK)"


@contextlib.contextmanager
def _cms_minidisk(args: argparse.Namespace, image_path: str | None):
    """The minidisk the arguments name, open for the action; a data folder stays locked."""
    from cms.minidisk import Minidisk
    from vm370.cp.configfile import ConfigFileError
    from vm370.cp.datafolder import DataFolder
    from vm370.hardware.devices.ckd_image import CKDImage

    read_only = args.cms_command in ("list", "get", "check")
    if args.data is None:
        if args.user or args.cuu:
            raise UsageError("--user and --cuu go with --data DIR, not with a pack image")
        if not args.extent:
            raise UsageError("a pack image needs --extent START:COUNT (cylinders)")
        start, cylinders = _cms_extent(args.extent)
        image = CKDImage(image_path, read_only=read_only)
        try:
            yield Minidisk(image, start, cylinders)
        finally:
            image.close()
        return
    if args.extent:
        raise UsageError("--extent goes with a pack image, not with --data")
    if not args.user or not args.cuu:
        raise UsageError("--data DIR needs --user USERID and --cuu CUU")
    cuu = _hex_number(args.cuu, "--cuu")
    folder = DataFolder(args.data)
    with folder.locked():
        try:
            path, device_type, start, cylinders = folder.minidisk_location(args.user, cuu)
        except ConfigFileError as error:
            first, more = error.diagnostics[0], len(error.diagnostics) - 1
            also = f" (and {more} more problems: see `vm370 directory check`)" if more else ""
            raise UsageError(f"{first}{also}") from None
        image = CKDImage(path, read_only=read_only)
        try:
            if image.geometry.device_type != device_type:
                raise UsageError(
                    f"the directory says {args.user.upper()} {cuu:03X} is a {device_type}, "
                    f"but {path} is a {image.geometry.device_type} pack"
                )
            yield Minidisk(image, start, cylinders)
        finally:
            image.close()


def _cms_extent(text: str) -> tuple[int, int]:
    start, colon, count = text.partition(":")
    if not colon or not start.isdigit() or not count.isdigit() or int(count) < 1:
        raise UsageError(f"--extent {text!r} must be START:COUNT in cylinders, e.g. 1:10")
    return int(start), int(count)


def _cms_fileid(text: str):
    from cms.filesystem import CMSError, parse_fileid

    try:
        return parse_fileid(text)
    except CMSError as error:
        raise UsageError(str(error)) from None


def _cms_list(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    disk = CMSDisk.open(device)
    entries = disk.files()
    used = disk.blocks_used
    print(
        f"LABEL {disk.label:<6}  {device.device_type}  {disk.cylinders} cylinders  "
        f"{disk.total_blocks} blocks: {used} used, {disk.total_blocks - used} free  "
        f"{len(entries)} file{'s' if len(entries) != 1 else ''}"
    )
    if entries:
        print("FILENAME FILETYPE FM FORMAT LRECL   RECS BLOCKS DATE     TIME")
    for entry in entries:
        written = entry.written.strftime("%m/%d/%y %H:%M") if entry.written else "--/--/-- --:--"
        print(
            f"{entry.filename:<8} {entry.filetype:<8} {entry.mode:<2} {entry.recfm:<6} "
            f"{entry.lrecl:>5} {entry.records:>6} {entry.blocks:>6} {written}"
        )
    return 0


def _cms_get(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    fileid = operands["FILEID"]
    _cms_fileid(fileid)
    data = CMSDisk.open(device).get(fileid, args.binary)
    target = operands["FILE"]
    try:
        if target == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            Path(target).write_bytes(data)
    except OSError as error:
        raise _CMSFailure(f"cannot write {target}: {error.strerror}") from None
    return 0


def _cms_put(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    fileid = operands["FILEID"]
    _cms_fileid(fileid)
    source = operands["FILE"]
    if args.lrecl is not None and not 1 <= args.lrecl <= 65535:
        raise UsageError(f"--lrecl must be 1 to 65535, not {args.lrecl}")
    try:
        size = Path(source).stat().st_size
        if size > _CMS_MAX_HOST_FILE:
            raise UsageError(
                f"{source} is {size} bytes; a CMS file holds at most 12,848,000 bytes of data"
            )
        data = Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None
    disk = CMSDisk.open(device)
    entry = disk.put(fileid, data, args.recfm, args.lrecl, args.binary)
    print(
        f"{entry.fileid}: {entry.records} records, RECFM {entry.recfm} LRECL {entry.lrecl}, "
        f"{entry.blocks} blocks"
    )
    return 0


def _cms_erase(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    file_id = _cms_fileid(operands["FILEID"])
    CMSDisk.open(device).erase(file_id.filename, file_id.filetype, file_id.mode_number)
    return 0


def _cms_format(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    disk = CMSDisk.format(device, args.label, args.cylinders)
    print(
        f"{device.device_type} minidisk formatted: label {disk.label}, {disk.cylinders} "
        f"cylinders, {disk.total_blocks} blocks ({disk.total_blocks - disk.blocks_used} free)"
    )
    return 0


def _cms_check(args, device, operands) -> int:
    from cms.filesystem import CMSDisk

    disk = CMSDisk.open(device)
    lost = disk.check()
    count = len(disk.files())
    print(
        f"LABEL {disk.label}: {count} file{'s' if count != 1 else ''} readable, "
        f"{disk.blocks_used} blocks in use, {len(lost)} marked in use but unowned"
    )
    return 1 if lost else 0


_CMS_ACTIONS = {
    "list": _cms_list,
    "get": _cms_get,
    "put": _cms_put,
    "erase": _cms_erase,
    "format": _cms_format,
    "check": _cms_check,
}


def _serve_bare(args: argparse.Namespace, request, machine) -> dict:
    """``bare --tn3270`` / ``--tui``: run paced for the attached 3277s (vm370.terminal.serve)."""
    from vm370.terminal.serve import is_loopback, parse_listen_address, serve_bare

    if args.tui:
        _require_terminal()
    address = None
    if args.tn3270 is not None:
        try:
            address = parse_listen_address(args.tn3270)
        except ValueError as error:
            raise UsageError(f"--tn3270: {error}") from None
        if not args.public and not is_loopback(address[0]):
            raise UsageError(
                f"--tn3270 {address[0]}:{address[1]} would serve the 3277s beyond this machine: "
                f"add --public to mean it, or serve on 127.0.0.1"
            )
    # With --json, stdout is the JSON's alone: the serving lines go to stderr.
    out = sys.stderr if args.json else sys.stdout
    return serve_bare(
        request, machine, tn3270=address, tui=args.tui, out=out, tls=_tls_context(args)
    )


def _tls_context(args: argparse.Namespace):
    """The server's TLS context from --tls-cert and --tls-key, or None without them."""
    if not args.tls_cert:
        return None
    from vm370.terminal.tn3270 import TLSSetupError, server_tls_context

    try:
        return server_tls_context(args.tls_cert, args.tls_key)
    except TLSSetupError as error:
        raise UsageError(str(error)) from None


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
    _require_terminal()
    link = TN3270Link(host, port, f"IBM-3278-{args.model}")
    app = TerminalApp(link, model=MODELS[args.model], quit_if_unreachable=True)
    app.run()
    if app.connection_error is not None:
        print(f"vm370 tui: {app.connection_error}", file=sys.stderr)
        return 1
    return 0


def _add_init(subparsers) -> None:
    parser = subparsers.add_parser(
        "init",
        help="generate a system in a data folder",
        description=(
            "Create a complete system in DIR: 2314 pack images, system.conf (storage, CP's "
            "paging, spool and temporary-disk areas, four 3277s at 0C0-0C3, the real reader, "
            "punch and printer), user.direct, the CMS system disk on MAINT 190 (the nucleus "
            "from cms/) and a formatted 191 with sample files for each user. Without "
            "--directory: MAINT (classes A-G), OPERATOR (A, B, C) and N class G users "
            "USER1..USERn, with random passwords, printed once and kept in DIR/passwords.txt "
            "(mode 0600)."
        ),
    )
    parser.add_argument("folder", metavar="DIR", help="the data folder (created if need be)")
    parser.add_argument(
        "--directory",
        metavar="FILE",
        help="use this VM/370-format directory; every pack its MDISK statements name is made",
    )
    parser.add_argument(
        "--users", type=int, default=None, metavar="N", help="number of class G users (default 4)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace a system already in DIR (its packs are lost)"
    )
    parser.set_defaults(func=_run_init)


def _run_init(args: argparse.Namespace) -> int:
    from vm370.sysgen import DEFAULT_USERS, GenerationError

    if args.directory is not None and args.users is not None:
        raise UsageError("--users makes the standard directory; --directory brings its own")
    try:
        users = DEFAULT_USERS if args.users is None else args.users
        _initialize(Path(args.folder), users, args.directory, args.force)
    except GenerationError as error:
        raise UsageError(str(error)) from None
    return 0


def _initialize(folder: Path, users: int, directory: str | None, force: bool) -> None:
    """Generate a system in ``folder``, saying what it makes and showing the passwords once."""
    from vm370.sysgen import generate

    text = None
    if directory is not None:
        try:
            text = Path(directory).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise UsageError(f"cannot read {directory}: {reason}") from None
    result = generate(
        folder,
        users,
        directory_text=text,
        directory_name=directory or "<directory>",
        force=force,
        progress=lambda line: print(f"  {line}", flush=True),
    )
    print(f"vm370: a system is in {folder}: packs {', '.join(result.packs)}")
    if result.passwords:
        print("Passwords (shown only now; kept in passwords.txt, readable by you alone):")
        for userid, password in result.passwords.items():
            print(f"  {userid:<8} {password}")


@contextlib.contextmanager
def _running_system(folder: Path, restore: str | None = None):
    """The system of ``folder``, brought up with the folder locked; shut down and unlocked after.

    With ``restore``, the system is that checkpoint of the folder's, resumed. While it
    runs, `vm370 checkpoint` may ask it (SIGUSR1) for a checkpoint.
    """
    from vm370.cp.checkpoint import CheckpointError, restore_system
    from vm370.cp.configfile import ConfigFileError
    from vm370.cp.datafolder import DataFolder, DataFolderError
    from vm370.cp.realsystem import RealSystem, RealSystemError

    data = DataFolder(folder)
    if not data.system_path.exists():
        raise UsageError(f"{folder} holds no system (no system.conf): make one with vm370 init")
    try:
        data.lock()
    except DataFolderError as error:
        raise UsageError(str(error)) from None
    try:
        try:
            if restore is None:
                system = RealSystem(data)
            else:
                system = restore_system(data, restore)
                print(
                    f"vm370: {folder}: checkpoint {restore.upper()} restored",
                    file=sys.stderr,
                    flush=True,
                )
        except ConfigFileError as error:
            first, more = error.diagnostics[0], len(error.diagnostics) - 1
            raise UsageError(f"{first}" + (f" (and {more} more)" if more else "")) from None
        except (RealSystemError, CheckpointError) as error:
            raise UsageError(str(error)) from None
        try:
            with _checkpoint_requests_served(system):
                yield system
        finally:
            system.shutdown()
    finally:
        data.unlock()


@contextlib.contextmanager
def _checkpoint_requests_served(system):
    """SIGUSR1 from `vm370 checkpoint` takes the requests it left in the folder."""
    from vm370.cp.checkpoint import pending_requests

    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def requested(_signal, _frame) -> None:
        for name, reply in pending_requests(system.folder):
            system.cp.checkpoint_requests.append((name, None, reply))

    previous = signal.signal(usr1, requested)
    try:
        yield
    finally:
        signal.signal(usr1, previous)


def _log_reader(system):
    """The lines CP logged since the last call (taken out of CP's log, so it does not grow)."""

    def new_lines() -> list[str]:
        lines = list(system.cp.log)
        del system.cp.log[: len(lines)]
        return lines

    return new_lines


def _run_main_job(args: argparse.Namespace) -> int:
    """``vm370`` [--data DIR]: the system in the Textual terminal (made the first time)."""
    from vm370.sysgen import DEFAULT_USERS, GenerationError, default_data_folder, existing_system
    from vm370.terminal.system_host import run_terminal

    _require_terminal()
    folder = Path(args.data) if args.data else default_data_folder()
    if args.restore is not None and not (folder / "system.conf").exists():
        raise UsageError(f"--restore: {folder} holds no system")
    if not (folder / "system.conf").exists():
        if existing_system(folder):
            raise UsageError(
                f"{folder} holds part of a system but no system.conf: "
                f"`vm370 init --force {folder}` makes it anew"
            )
        print(f"vm370: no system in {folder} yet; generating one (vm370 init)")
        try:
            _initialize(folder, DEFAULT_USERS, None, False)
        except GenerationError as error:
            raise UsageError(str(error)) from None
        input("Note the passwords, then press Enter to bring the system up... ")
    from vm370.cp.observe import system_view

    stop = threading.Event()
    with _running_system(folder, args.restore) as system, open(folder / "cp.log", "a") as log:
        system.cp.on_shutdown.append(stop.set)  # the operator's SHUTDOWN ends the run
        run_terminal(system, _log_reader(system), log, lambda: system_view(system.cp), stop)
    print(f"vm370: {folder}: shut down; every user logged off")
    return 0


def _add_serve(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run a system headless for TN3270 users",
        description=(
            "Bring up the system of a data folder and serve its 3277 displays to TN3270 clients "
            "(x3270, c3270, `vm370 tui --connect`, `vm370 session --connect`) until Ctrl+C or "
            "SIGTERM, which log every user off, flush the packs and release the folder. CP's "
            "log (logons, logoffs, errors; never a password) goes to standard error."
        ),
    )
    parser.add_argument("--data", metavar="DIR", help="the data folder (default: vm370's own)")
    parser.add_argument(
        "--tn3270",
        metavar="HOST:PORT",
        required=True,
        help="where to listen, e.g. 127.0.0.1:3270 (a PORT alone: the loopback address)",
    )
    parser.add_argument(
        "--telnet",
        metavar="HOST:PORT",
        help="also serve the 2741 lines (TERMINAL in system.conf) to line-mode telnet clients",
    )
    parser.add_argument(
        "--displays", type=int, metavar="N", help="serve only the first N displays (default all)"
    )
    parser.add_argument(
        "--web",
        metavar="HOST:PORT",
        help=(
            "also serve the Textual 3270 terminal as a web page (textual-serve; "
            "pip install 'vm370[web]'), each browser a TN3270 client of --tn3270"
        ),
    )
    parser.add_argument(
        "--public", action="store_true", help="allow an address other than the loopback"
    )
    parser.add_argument(
        "--restore", metavar="NAME", help="resume the system from its checkpoint NAME"
    )
    parser.set_defaults(func=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from vm370.sysgen import default_data_folder
    from vm370.terminal.system_host import HostError, serve_system

    address = _listen_address("--tn3270", args.tn3270, args.public)
    telnet = None if args.telnet is None else _listen_address("--telnet", args.telnet, args.public)
    web = None if args.web is None else _listen_address("--web", args.web, args.public)
    if args.displays is not None and args.displays < 1:
        raise UsageError("--displays must be 1 or more")
    if web is not None:
        from vm370.terminal.web import WebUnavailable, require_textual_serve

        try:
            require_textual_serve()  # before the system comes up, not after
        except WebUnavailable as error:
            raise UsageError(str(error)) from None
    folder = Path(args.data) if args.data else default_data_folder()
    with _running_system(folder, args.restore) as system:
        if args.restore is not None:
            # Whoever was at a display in the checkpoint is not the next client there.
            system.drop_terminals()
        read_log = _log_reader(system)
        if telnet is not None and not system.lines:
            raise UsageError(
                f"--telnet: {folder / 'system.conf'} has no 2741 lines "
                "(add e.g. TERMINAL 020-023 2741)"
            )
        if args.displays is not None and args.displays > len(system.displays):
            raise UsageError(
                f"--displays {args.displays}: the system has {len(system.displays)} displays"
            )
        stop = threading.Event()
        system.cp.on_shutdown.append(stop.set)  # the operator's SHUTDOWN ends the run
        try:
            serve_system(
                system,
                address,
                read_log,
                displays=args.displays,
                telnet=telnet,
                web=web,
                stop=stop,
            )
        except HostError as error:
            raise UsageError(str(error)) from None
    for line in read_log():  # the logoffs of the shutdown
        print(f"vm370: {line}", file=sys.stderr, flush=True)
    print("vm370: shut down; every user logged off", flush=True)
    return 0


def _listen_address(option: str, text: str, public: bool) -> tuple[str, int]:
    """HOST:PORT (or a PORT alone: the loopback) to listen on; only loopback without --public."""
    from vm370.terminal.serve import is_loopback, parse_listen_address

    try:
        address = parse_listen_address(text)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None
    if not public and not is_loopback(address[0]):
        raise UsageError(
            f"{option} {address[0]}:{address[1]} would serve the system beyond this machine "
            "(the passwords cross the network in the clear): add --public to mean it, or "
            "serve on 127.0.0.1"
        )
    return address


def _add_session(subparsers) -> None:
    parser = subparsers.add_parser(
        "session",
        help="drive one terminal from a script (labs, grading, tests)",
        description=(
            "Log on as USER, type each line of standard input at the next VM READ or CP READ "
            "(a line #PA1, #PA2, #CLEAR or #ENTER presses that key), log off if the script did "
            "not, and write the lines of the console's output area to standard output. The "
            "password comes from --password-file or VM370_PASSWORD and is never shown. Exit "
            "status 1 when the logon fails, a line is NOT ACCEPTED or the system stops "
            "answering."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", metavar="DIR", help="bring this system up for the session")
    where.add_argument("--connect", metavar="HOST:PORT", help="a running `vm370 serve`")
    parser.add_argument("--user", required=True, metavar="U", help="the userid")
    parser.add_argument("--password-file", metavar="F", help="a file whose first line is it")
    parser.add_argument(
        "--model", type=int, choices=(2, 3, 4, 5), default=2, help="3278 model (default 2)"
    )
    parser.add_argument(
        "--restore",
        metavar="NAME",
        help=(
            "with --data: resume the system from its checkpoint NAME; a user logged on in it "
            "goes on at the display where the checkpoint left it, without a new LOGON"
        ),
    )
    parser.set_defaults(func=_run_session)


def _run_session(args: argparse.Namespace) -> int:
    from vm370.sysgen import default_data_folder
    from vm370.terminal.session import InProcessDriver, RemoteDriver, SessionError, run_session
    from vm370.terminal.tn3270_client import parse_host_port

    # A session resumed from a checkpoint needs no password when the user is logged on in it.
    password = _session_password(args.password_file, needed=args.restore is None)
    if args.connect is not None:
        if args.restore is not None:
            raise UsageError("--restore goes with --data: restore with `vm370 serve --restore`")
        try:
            host, port = parse_host_port(args.connect, default_port=3270)
        except ValueError as error:
            raise UsageError(f"--connect: {error}") from None
        try:
            driver = RemoteDriver(host, port, args.model)
        except SessionError as error:
            raise UsageError(str(error)) from None
        result = run_session(driver, args.user.upper(), password, sys.stdin, sys.stdout)
    else:
        from vm370.hardware.display3270 import MODELS

        folder = Path(args.data) if args.data else default_data_folder()
        with _running_system(folder, args.restore) as system:
            index, resumed = system.display_for(args.user.upper())
            if not resumed and not password:
                raise UsageError(
                    f"{args.user.upper()} is not logged on in checkpoint {args.restore.upper()}: "
                    "give the password in --password-file F or VM370_PASSWORD"
                )
            driver = InProcessDriver(system, index, MODELS[args.model])
            result = run_session(
                driver, args.user.upper(), password, sys.stdin, sys.stdout, resumed=resumed
            )
    for problem in result.problems:
        print(f"vm370 session: {problem}", file=sys.stderr)
    if result.not_accepted:
        print("vm370 session: a line was NOT ACCEPTED", file=sys.stderr)
    return result.status


def _session_password(path: str | None, needed: bool = True) -> str:
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                password = file.readline(256).strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise UsageError(f"cannot read the password file {path}: {reason}") from None
        if not password:
            raise UsageError(f"the password file {path} is empty")
        return password
    password = os.environ.get("VM370_PASSWORD", "").strip()
    if not password and needed:
        raise UsageError("give the password in --password-file F or VM370_PASSWORD")
    return password


def _require_terminal() -> None:
    """The Textual terminal reads keys from standard input: it must be a terminal.

    At the end of a pipe or file the input would be readable for ever with
    nothing in it, and the terminal would spin a core waiting for keys.
    """
    # Under `serve --web` textual-serve runs the terminal with Textual's web driver, which
    # reads keys from a pipe as packets from the page's server; that server ends the process.
    web_driven = os.environ.get("TEXTUAL_DRIVER") == "textual.drivers.web_driver:WebDriver"
    if not sys.stdin.isatty() and not web_driven:
        raise UsageError(
            "standard input is not a terminal: run it in a terminal window "
            "(to drive a 3270 from a script, use a TN3270 client such as s3270)"
        )


def _add_lab(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="the teaching labs: list them, show one, check your work",
        description="The teaching labs (docs/labs/): each a page to follow and programs to run.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the labs, and where their programs are")
    show = actions.add_parser("show", help="print a lab's page")
    show.add_argument("number", metavar="N", help="the lab's number")
    check = actions.add_parser("check", help="check your own work for a lab")
    check.add_argument("number", metavar="N", help="the lab's number")
    check.add_argument("files", nargs="*", metavar="FILE", help="your source files")
    run = actions.add_parser("run", help="run a lab's experiment (labs 4, 6, 8 and 10)")
    run.add_argument("number", metavar="N", help="the lab's number")
    parser.set_defaults(func=_run_lab)


def _run_lab(args: argparse.Namespace) -> int:
    from vm370 import labs
    from vm370.labs.checks import check_lab
    from vm370.labs.experiments import run_experiment

    try:
        if args.action == "list":
            for item in labs.LABS:
                print(f"{item.number:2d}  {item.title}  ({item.minutes} minutes)")
            print(f"programs: {labs.DECKS.resolve()}")
            return 0
        number = _lab_number(args.number)
        if args.action == "show":
            sys.stdout.write(labs.lab(number).text())
            return 0
        if args.action == "run":
            labs.lab(number)
            lines = run_experiment(number)
            print("\n".join(lines))
            return 0
        labs.lab(number)
        passed, lines = check_lab(number, args.files)
    except labs.LabError as error:
        raise UsageError(str(error)) from None
    print("\n".join(lines))
    return 0 if passed else 1


def _lab_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a lab number (see vm370 lab list)") from None


def _add_checkpoint(subparsers) -> None:
    parser = subparsers.add_parser(
        "checkpoint",
        help="save a running system whole, to resume it later (--restore)",
        description=(
            "Ask the system running on a data folder (vm370, vm370 serve, vm370 session --data) "
            "to save itself whole while it runs: real storage, the CPU, the devices, CP and every "
            "virtual machine, with copies of the packs, in DIR/checkpoints/NAME. `vm370 --data "
            "DIR --restore NAME` (or serve/session --restore) resumes it from that instruction; "
            "the packs go back to that moment. The class-A CP command CHECKPOINT does the same "
            "from inside."
        ),
    )
    parser.add_argument("name", nargs="?", help="its name (default: the date and time)")
    parser.add_argument("--data", metavar="DIR", help="the data folder (default: vm370's own)")
    parser.add_argument("--list", action="store_true", help="list the folder's checkpoints instead")
    parser.add_argument(
        "--wait", type=float, default=60.0, metavar="SECONDS", help="how long to wait (60)"
    )
    parser.set_defaults(func=_run_checkpoint)


def _run_checkpoint(args: argparse.Namespace) -> int:
    import datetime

    from vm370.cp.checkpoint import (
        CheckpointError,
        checkpoint_name,
        list_checkpoints,
        request_checkpoint,
    )
    from vm370.cp.datafolder import DataFolder
    from vm370.sysgen import default_data_folder

    folder = DataFolder(Path(args.data) if args.data else default_data_folder())
    if not folder.system_path.exists():
        raise UsageError(f"{folder.path} holds no system (no system.conf)")
    if args.list:
        for info in list_checkpoints(folder):
            users = " ".join(info.get("users", [])) or "nobody logged on"
            print(
                f"{info['name']:<16} {info.get('taken', '?')}  virtual "
                f"{info.get('virtual_time', '?')}  {users}"
            )
        return 0
    try:
        name = checkpoint_name(args.name or datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
        line = request_checkpoint(folder, name, args.wait)
    except CheckpointError as error:
        raise UsageError(str(error)) from None
    print(line)
    return 0 if " TAKEN AT " in line else 1


# Subcommands register here as they become real.
_SUBCOMMANDS: list = [
    _add_init,
    _add_serve,
    _add_session,
    _add_checkpoint,
    _add_bare,
    _add_asm,
    _add_dasd,
    _add_directory,
    _add_cms,
    _add_tui,
    _add_lab,
]


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """``parser.parse_args``, keeping a value "--" given as --option=--."""
    argv = list(sys.argv[1:] if argv is None else argv)
    protected = [
        item[:-2] + _DOUBLE_DASH_VALUE if item.startswith("--") and item.endswith("=--") else item
        for item in argv
    ]
    args = parser.parse_args(protected)
    for name, value in vars(args).items():
        if value == _DOUBLE_DASH_VALUE:
            setattr(args, name, "--")
        elif isinstance(value, list):
            setattr(args, name, ["--" if item == _DOUBLE_DASH_VALUE else item for item in value])
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    if not getattr(args, "func", None):
        args.func = _run_main_job
    name = f"vm370 {args.command}" if args.command else "vm370"
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
        return status
    except UsageError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`vm370 bare --json | head -c 300`): nothing
        # left to say to it. Python's own flush at exit must not fail too.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as error:  # a last resort: one line, never a traceback
        if os.environ.get("VM370_DEBUG"):
            raise
        print(f"{name}: internal error: {error}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())

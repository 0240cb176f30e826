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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vm370",
        description="A reconstruction of CP-67/CMS on an emulated IBM System/360 Model 67.",
    )
    parser.add_argument("--version", action="version", version=f"vm370 {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


# Subcommands register here as they become real.
_SUBCOMMANDS: list = []


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

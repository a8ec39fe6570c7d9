"""The entry point of ``douai-delivery``: the parser made of every command group, and
one place where an error the user can fix becomes one line and exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from logistics.clock import ClockError
from logistics.errors import DomainError
from logistics.settings import SettingsError

from . import benchmarks, planning, platform, store
from .options import EXIT_USAGE, Parser, UserError

#: the command groups, in the order ``--help`` lists them
GROUPS = (planning, platform, store, benchmarks)


def build_parser() -> Parser:
    """The command-line interface; each command's namespace carries its handler."""
    parser = Parser(
        prog="douai-delivery",
        description="Plan cargo-bike and on-foot delivery rounds on OpenStreetMap streets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in GROUPS:
        for name, handler in group.register(sub).items():
            sub.choices[name].set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (UserError, DomainError, SettingsError, ClockError) as e:
        print(f"douai-delivery {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`scs`: one command line for everything.

Each subcommand lives in its own module under `scs.commands` with two functions:
`register(subparsers)` adds its parser (and must import nothing heavy, so start-up
stays fast) and `run(args) -> int` does the work and returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = [
    "scs.commands.crawl",
    "scs.commands.demo",
    "scs.commands.sources",
    "scs.commands.notices",
    "scs.commands.mirror",
    "scs.commands.runs",
    "scs.commands.health",
    "scs.commands.quarantine",
    "scs.commands.parse_date",
    "scs.commands.bench",
    "scs.commands.db",
    "scs.commands.worker",
    "scs.commands.serve",
    "scs.commands.user",
    "scs.commands.publish",
    "scs.commands.evaluate",
    "scs.commands.reclassify",
    "scs.commands.new_source",
    "scs.commands.check_sources",
    "scs.commands.draft",
    "scs.commands.train",
    "scs.commands.entities",
    "scs.commands.extract",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scs", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: $SCS_DATABASE_URL, else a SQLite file in the data directory)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from scs.errors import run_command  # expected failures: one stderr line and a documented exit code

    args = build_parser().parse_args(argv)
    return run_command(args.run, args)


if __name__ == "__main__":
    sys.exit(main())

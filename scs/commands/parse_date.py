"""`scs parse-date`: normalise date expressions the way the pipeline does, one output line per input."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "parse-date",
        help="print the ISO date of each TEXT (or each stdin line); an empty line when there is none",
    )
    parser.add_argument(
        "--reference",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="date that relative and yearless texts (3天前, 4月20日) resolve against; without it they give none",
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="date expressions (default: read stdin lines)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.dates import parse_date

    texts = args.texts if args.texts else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        date = parse_date(text, args.reference)
        print(date.isoformat() if date else "")
    sys.stdout.flush()
    return 0

"""`scs publish OUTDIR`: write the public static site and feeds of approved items."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("publish", help="write the static site and feeds of approved items")
    parser.add_argument("outdir", help="folder to write the site into (its previous contents are replaced)")
    parser.add_argument(
        "--base-url",
        default="https://scs-tracker.example/",
        help="public URL of the site, used for absolute links in the feeds",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from publisher import PublishError, publish

    try:
        count = publish(args.db, args.outdir, base_url=args.base_url)
    except PublishError as error:
        print(f"scs publish: {error}", file=sys.stderr)
        return 1
    print(f"published {count} item{'s' if count != 1 else ''} to {args.outdir}")
    return 0

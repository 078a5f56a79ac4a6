"""`scs publish OUTDIR`: bring the public static site and feeds of approved items up to date."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("publish", help="write the static site and feeds of approved items")
    parser.add_argument(
        "outdir", help="folder of the site (created if missing; only files whose content changed are written)"
    )
    parser.add_argument(
        "--base-url",
        default="https://scs-tracker.example/",
        help="public URL of the site, used for absolute links in the feeds",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="render every file again, restoring any deleted by hand (still writes only those that differ)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from publisher import PublishError, publish_site

    try:
        result = publish_site(args.db, args.outdir, base_url=args.base_url, rebuild=args.rebuild)
    except PublishError as error:
        print(f"scs publish: {error}", file=sys.stderr)
        return 1
    print(
        f"published {result.items} item{'s' if result.items != 1 else ''} to {args.outdir}: "
        f"{result.written} files written, {result.unchanged} unchanged, {result.removed} removed"
    )
    return 0

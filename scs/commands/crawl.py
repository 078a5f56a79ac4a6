"""`scs crawl [SOURCE ...]`: crawl sources into the database and print the run summary."""

from __future__ import annotations

import argparse
import os
import sys


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("crawl", help="crawl sources into the database")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids (default: all)")
    parser.add_argument(
        "--mirror",
        metavar="URL",
        default=os.environ.get("SCS_MIRROR_URL"),
        help="send every request to this offline mirror (default: $SCS_MIRROR_URL)",
    )
    add_crawl_options(parser)
    parser.set_defaults(run=run)


def resolve_sources(requested: list[str]) -> list[str]:
    """The requested source ids, checked against the configured sources (all of them when none is named)."""
    from crawler.sourceconfig import load_sources

    known = load_sources()
    unknown = [source for source in requested if source not in known]
    if unknown:
        raise SystemExit(f"scs: unknown source(s): {', '.join(unknown)}; see `scs sources`")
    return requested or sorted(known)


def run(args: argparse.Namespace) -> int:
    from scs.crawling import format_summary, run_crawl
    from scs.runlock import EX_TEMPFAIL, RunLockBusy, acquire_run_lock, busy_message
    from store.db import database_url

    sources = resolve_sources(args.sources)
    db_url = database_url(args.db)
    try:
        lock = acquire_run_lock(db_url)
    except RunLockBusy as busy:
        print(busy_message("crawl", busy), file=sys.stderr)
        return EX_TEMPFAIL
    try:
        summaries = run_crawl(sources, db_url=db_url, mirror_url=args.mirror, command="crawl", log_level=args.log_level)
    finally:
        lock.release()
    print(format_summary(summaries))
    failed = [s.source for s in summaries if s.failed]
    if failed:
        print(f"scs: source(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0

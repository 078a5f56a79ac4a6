"""`scs crawl [SOURCE ...]`: crawl sources into the database and print the run summary."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from scs.errors import EXIT_ALARM, CommandError


def add_mirror_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mirror",
        metavar="URL",
        default=os.environ.get("SCS_MIRROR_URL"),
        help="send every request to this offline mirror (default: $SCS_MIRROR_URL)",
    )


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    parser.add_argument(
        "--full", action="store_true", help="backfill: page every column to the end and fetch known notices again"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=_iso_date,
        help="stop paging a column at notices listed before DATE (YYYY-MM-DD)",
    )
    parser.add_argument(
        "-s",
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="override a Scrapy setting, e.g. -s DOWNLOAD_TIMEOUT=10 (repeatable)",
    )
    parser.add_argument(
        "--http-cache",
        metavar="DIR",
        help="development: keep every response in Scrapy's HTTP cache under DIR and serve repeats from it",
    )


def _iso_date(value: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def scope_settings(args: argparse.Namespace) -> dict[str, object]:
    """Scrapy settings for --full, --since, --http-cache and -s NAME=VALUE."""
    settings: dict[str, object] = {"SCS_FULL_CRAWL": args.full, "SCS_SINCE": args.since or ""}
    if args.http_cache:
        settings.update(HTTPCACHE_ENABLED=True, HTTPCACHE_DIR=os.path.abspath(args.http_cache))
    for assignment in args.set:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            raise CommandError(f"-s expects NAME=VALUE, got {assignment!r}")
        settings[name] = value
    return settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("crawl", help="crawl sources into the database")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids (default: all)")
    add_mirror_option(parser)
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="only seed the shared Redis frontier with the start requests; `scs worker` processes crawl",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="with --distributed: return once the workers have done every request, and close the run record",
    )
    parser.add_argument("--redis", metavar="URL", help="Redis URL of the frontier (default: $SCS_REDIS_URL)")
    add_crawl_options(parser)
    parser.set_defaults(run=run)


def resolve_sources(requested: list[str], broken: list[str] | None = None) -> list[str]:
    """The requested source ids, checked against the configured sources (all of them when none is named).

    A source file that does not load is reported on stderr and left out (its id added to `broken`):
    the other sources still crawl, and the command exits non-zero at the end.
    """
    from crawler.sourceconfig import SourceConfigError, load_sources

    failed: dict[str, SourceConfigError] = {}
    known = load_sources(broken=failed)
    for error in failed.values():
        print(f"scs: broken source file skipped: {error}", file=sys.stderr)
    if broken is not None:
        broken.extend(failed)
    unknown = [source for source in requested if source not in known and source not in failed]
    if unknown:
        raise CommandError(f"unknown source(s): {', '.join(unknown)}; see `scs sources`")
    chosen = [source for source in requested if source not in failed] if requested else sorted(known)
    if not chosen:
        raise CommandError("no source left to crawl")
    return chosen


def run(args: argparse.Namespace) -> int:
    from scs.crawling import run_crawl
    from scs.runlock import run_exclusively
    from store.db import database_url

    broken: list[str] = []
    sources = resolve_sources(args.sources, broken)
    if args.distributed:
        return max(seed(args, sources), 1 if broken else 0)
    db_url = database_url(args.db)

    def crawl() -> int:
        summaries = run_crawl(
            sources,
            db_url=db_url,
            mirror_url=args.mirror,
            command="crawl",
            log_level=args.log_level,
            settings=scope_settings(args),
        )
        return report(summaries)

    code = run_exclusively(db_url, "crawl", crawl)
    return code or (EXIT_ALARM if broken else 0)


def report(summaries: list[Any]) -> int:
    """Print the run summary; 1 (and the failed sources on stderr) when any source is in alarm."""
    from scs.crawling import format_summary

    print(format_summary(summaries))
    unstored = [url for s in summaries for url in s.unstored]
    if unstored:
        print(
            f"scs: {len(unstored)} listed notice(s) could not be stored; the next run fetches them again:",
            *unstored,
            sep="\n  ",
            file=sys.stderr,
        )
    failed = [s.source for s in summaries if s.failed]
    if failed:
        print(f"scs: source(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def seed(args: argparse.Namespace, sources: list[str]) -> int:
    """`--distributed`: the workers crawl; this only puts the start requests in the shared frontier."""
    from scs.distributed import redis_url, seed_frontier, wait_until_drained

    redis = redis_url(args.redis)
    run_id, queued = seed_frontier(
        sources, db_url=args.db, redis=redis, log_level=args.log_level, settings=scope_settings(args)
    )
    for source, count in queued.items():
        print(f"{source}: {count} request(s) queued")
    print(f"seeded {len(queued)} source(s) for run {run_id}; start workers with `scs worker`", flush=True)
    if args.wait:
        wait_until_drained(sources, db_url=args.db, redis=redis, run_id=run_id)
        print(f"run {run_id}: the workers have done every request")
    return 0

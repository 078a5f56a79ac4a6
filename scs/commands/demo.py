"""`scs demo`: start the offline mirror, crawl every source from it, print the summary."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from scs.commands.crawl import add_crawl_options

    parser = subparsers.add_parser("demo", help="crawl every source from the offline mirror into the database")
    add_crawl_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scs.runlock import run_exclusively
    from store.db import database_url

    db_url = database_url(args.db)
    # The lock comes before the mirror or anything else starts.
    return run_exclusively(db_url, "demo", lambda: demo(db_url, args))


def demo(db_url: str, args: argparse.Namespace) -> int:
    """Every source crawled from a mirror started for the purpose; the summary, then the count of stored notices."""
    from sqlalchemy import func, select

    from mirror.server import MirrorServer
    from scs.commands.crawl import report, resolve_sources, scope_settings
    from scs.crawling import run_crawl
    from store.db import Store
    from store.models import Notice

    broken: list[str] = []
    sources = resolve_sources([], broken)
    with MirrorServer() as mirror:
        print(f"mirror serving synthetic pages on {mirror.url}", file=sys.stderr)
        summaries = run_crawl(
            sources,
            db_url=db_url,
            mirror_url=mirror.url,
            command="demo",
            log_level=args.log_level,
            settings=scope_settings(args),
        )
    exit_code = report(summaries)
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(Notice))
    print(f"\n{stored} notices in {store.url}")
    return exit_code or (1 if broken else 0)

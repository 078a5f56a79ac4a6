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
    from sqlalchemy import func, select

    from mirror.server import MirrorServer
    from scs.commands.crawl import resolve_sources, scope_settings
    from scs.crawling import format_summary, run_crawl
    from scs.runlock import EX_TEMPFAIL, RunLockBusy, acquire_run_lock, busy_message
    from store.db import Store, database_url
    from store.models import Notice

    db_url = database_url(args.db)
    try:
        lock = acquire_run_lock(db_url)  # before the mirror or anything else starts
    except RunLockBusy as busy:
        print(busy_message("demo", busy), file=sys.stderr)
        return EX_TEMPFAIL
    try:
        with MirrorServer() as mirror:
            print(f"mirror serving saved pages on {mirror.url}", file=sys.stderr)
            summaries = run_crawl(
                resolve_sources([]),
                db_url=db_url,
                mirror_url=mirror.url,
                command="demo",
                log_level=args.log_level,
                settings=scope_settings(args),
            )
    finally:
        lock.release()
    print(format_summary(summaries))
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(Notice))
    print(f"\n{stored} notices in {store.url}")
    failed = [s.source for s in summaries if s.failed]
    if failed:
        print(f"scs: source(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0

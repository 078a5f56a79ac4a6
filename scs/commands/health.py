"""`scs health [--json] [--source S]`: each source's status (ok, stale, drifting, broken, blocked, failing) and why.

Per source: the last successful crawl, notices published in the last 30 days, the
publication cadence learned from its history, the status the monitors give its
latest run plus staleness now, and how many listed notices are not stored (the ledger:
the next crawls fetch them again, with backoff). Exit code 1 when any source is not `ok`, so it can
run from cron or a monitoring agent on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("health", help="per-source health: ok, stale, drifting, broken, blocked or failing")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from crawler.sourceconfig import load_sources
    from scs.crawling import notice_dates, source_history
    from scs.monitoring import source_health
    from store.db import Store
    from store.ledger import unstored_counts
    from store.models import SourceRun

    store = Store(args.db)
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        recorded = set(session.scalars(select(SourceRun.source).distinct()))
        sources = sorted(args.source or (set(load_sources()) | recorded))
        report = [
            source_health(source, source_history(session, source), notice_dates(session, source), now)
            for source in sources
        ]
        unstored = unstored_counts(session)
    store.dispose()
    if args.json:
        rows = [{**row.as_dict(), "unstored": unstored.get(row.source, 0)} for row in report]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(f"{'source':<14} {'status':<8} {'last success':<17} {'30d':>4} {'cadence':>8} {'unstored':>8}  reasons")
        for row in report:
            success = f"{row.last_success:%Y-%m-%d %H:%M}" if row.last_success else "never"
            cadence = f"{row.cadence_days:g}d" if row.cadence_days is not None else "?"
            reasons = "; ".join(row.reasons) or "-"
            missing = unstored.get(row.source, 0)
            figures = f"{success:<17} {row.notices_30d:>4} {cadence:>8} {missing:>8}"
            print(f"{row.source:<14} {row.status:<8} {figures}  {reasons}")
    return 0 if all(row.status == "ok" for row in report) else 1

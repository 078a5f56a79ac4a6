"""`scs runs [--json] [--limit N] [--source S]`: the crawl runs, newest first, with their per-source records."""

from __future__ import annotations

import argparse
import json
from typing import Any

from scs.errors import MAX_LIMIT, int_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("runs", help="list crawl runs and their per-source records, newest first")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--limit", type=int_in(0, MAX_LIMIT), default=10, help="at most N runs (0: all; default 10)")
    parser.add_argument("--source", help="only this source's records")
    parser.set_defaults(run=run)


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def run_to_dict(run: Any, source: str | None = None) -> dict[str, Any]:
    return {
        "id": run.id,
        "command": run.command,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "sources": [
            {
                "source": row.source,
                "status": row.status,
                "started_at": _iso(row.started_at),
                "finished_at": _iso(row.finished_at),
                "finish_reason": row.finish_reason,
                "pages": row.pages,
                "list_pages": row.list_pages,
                "list_items": row.list_items,
                "new": row.notices_new,
                "updated": row.notices_updated,
                "unchanged": row.notices_unchanged,
                "errors": row.errors,
                "field_coverage": row.field_coverage,
                "blocked": row.blocked,
                "blocked_reason": row.blocked_reason,
            }
            for row in sorted(run.sources, key=lambda r: r.source)
            if source is None or row.source == source
        ],
    }


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from store.db import Store
    from store.models import CrawlRun, SourceRun

    store = Store(args.db)
    query = select(CrawlRun).options(selectinload(CrawlRun.sources)).order_by(CrawlRun.id.desc())
    if args.source:
        query = query.where(CrawlRun.id.in_(select(SourceRun.run_id).where(SourceRun.source == args.source)))
    if args.limit:
        query = query.limit(args.limit)
    with store.session() as session:
        runs = [run_to_dict(crawl_run, args.source) for crawl_run in session.scalars(query)]
    store.dispose()
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=2))
        return 0
    if not runs:
        print("no crawl runs yet")
    for crawl_run in runs:
        finished = crawl_run["finished_at"] or "-"
        head = f"run {crawl_run['id']}  {crawl_run['command']}  {crawl_run['status']}"
        print(f"{head}  {crawl_run['started_at']} → {finished}")
        for row in crawl_run["sources"]:
            errors = ", ".join(f"{kind}={count}" for kind, count in sorted(row["errors"].items())) or "-"
            blocked = f"  BLOCKED: {row['blocked_reason'] or 'yes'}" if row["blocked"] else ""
            print(
                f"  {row['source']:<14} {row['status']:<8} {row['finish_reason']:<10} pages={row['pages']}"
                f" new={row['new']} updated={row['updated']} unchanged={row['unchanged']} errors: {errors}{blocked}"
            )
    return 0

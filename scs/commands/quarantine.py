"""`scs quarantine [--json]`: pages that could not become notices; `scs quarantine retry`: fetch them again.

A retry re-fetches each quarantined detail page through the normal spider and pipelines
(the spider's detail-URL mode), under the run lock like any crawl. A page that now
becomes a notice resolves every quarantine row of its URL; one that fails again updates
its row (attempts, reason), and rows of other kinds it no longer fails with are resolved.
List pages are not retried here (kinds `empty-list`, `list-parse-error`, `not-json`, and
URLs that are a column's or its later pages'): the next `scs crawl` fetches them anyway.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

LIST_PAGE_KINDS = ("empty-list", "list-parse-error", "not-json")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("quarantine", help="list pages that could not become notices; retry them")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--all", action="store_true", help="include resolved rows")
    add_filters(parser)
    parser.set_defaults(run=run_list)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    retry = actions.add_parser("retry", help="fetch the quarantined detail pages again, after a fix")
    add_filters(retry)
    retry.add_argument(
        "--mirror", metavar="URL", default=os.environ.get("SCS_MIRROR_URL"), help="fetch from this offline mirror"
    )
    retry.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    retry.set_defaults(run=run_retry)


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--kind", action="append", help="only this kind, e.g. parse-error (repeatable)")


def _query(args: argparse.Namespace, include_resolved: bool = False) -> Any:
    from sqlalchemy import select

    from store.models import QuarantinedPage

    query = select(QuarantinedPage).order_by(QuarantinedPage.source, QuarantinedPage.last_seen.desc())
    if not include_resolved:
        query = query.where(QuarantinedPage.resolved.is_(False))
    if args.source:
        query = query.where(QuarantinedPage.source.in_(args.source))
    if args.kind:
        query = query.where(QuarantinedPage.kind.in_(args.kind))
    return query


def row_to_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source,
        "url": row.url,
        "kind": row.kind,
        "reason": row.reason,
        "status": row.status,
        "body_bytes": len(row.body or b""),
        "attempts": row.attempts,
        "first_seen": row.first_seen.isoformat(timespec="seconds"),
        "last_seen": row.last_seen.isoformat(timespec="seconds"),
        "resolved": row.resolved,
    }


def run_list(args: argparse.Namespace) -> int:
    from store.db import Store

    store = Store(args.db)
    with store.session() as session:
        rows = [row_to_dict(row) for row in session.scalars(_query(args, include_resolved=args.all))]
    store.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("quarantine is empty")
    for row in rows:
        mark = "resolved " if row["resolved"] else ""
        status = row["status"] if row["status"] is not None else "-"
        head = f"{row['id']:>5} {row['source']:<14} {mark}{row['kind']:<16} HTTP {status:<4}"
        print(f"{head} ×{row['attempts']} {row['url']}")
        print(f"      {row['reason']}")
    return 0


def looks_like_list_page(url: str, column_urls: set[str]) -> bool:
    """A column's URL, one of its later pages (`index_3.html` beside `index.html`), or its API with other params."""
    from posixpath import dirname, splitext
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    for column_url in column_urls:
        column = urlsplit(column_url)
        if (parts.netloc, parts.path) == (column.netloc, column.path):
            return True
        stem = splitext(column.path.rsplit("/", 1)[-1])[0]
        same_dir = parts.netloc == column.netloc and dirname(parts.path) == dirname(column.path)
        if stem and same_dir and parts.path.rsplit("/", 1)[-1].startswith(f"{stem}_"):
            return True
    return False


def retry_targets(rows: list[Any], column_urls: dict[str, set[str]]) -> dict[str, list[str]]:
    """source -> detail URLs to fetch again (list pages excluded), each once, in order."""
    targets: dict[str, list[str]] = {}
    for row in rows:
        if row.kind in LIST_PAGE_KINDS or looks_like_list_page(row.url, column_urls.get(row.source, set())):
            continue
        urls = targets.setdefault(row.source, [])
        if row.url not in urls:
            urls.append(row.url)
    return targets


def settle(session: Any, targets: dict[str, list[str]], retried_since: Any) -> tuple[list[str], list[str]]:
    """Mark what the retry fixed; returns (resolved URLs, URLs still failing)."""
    from sqlalchemy import select

    from store.models import Notice, QuarantinedPage

    resolved, failing = [], []
    for urls in targets.values():
        for url in urls:
            rows = list(session.scalars(select(QuarantinedPage).where(QuarantinedPage.url == url)))
            if session.scalar(select(Notice.id).where(Notice.url == url)) is not None:
                for row in rows:
                    row.resolved = True
                resolved.append(url)
                continue
            for row in rows:
                if row.last_seen < retried_since:  # not seen again: it fails another way now
                    row.resolved = True
            failing.append(url)
    return resolved, failing


def run_retry(args: argparse.Namespace) -> int:
    from scs.runlock import run_exclusively
    from store.db import database_url

    db_url = database_url(args.db)
    return run_exclusively(db_url, "quarantine retry", lambda: retry(db_url, args))


def retry(db_url: str, args: argparse.Namespace) -> int:
    """Fetch the quarantined URLs again through the normal spiders and pipelines; 1 when some still fail."""
    import datetime as dt

    from crawler.sourceconfig import load_sources
    from scs.crawling import run_crawl
    from store.db import Store

    sources = load_sources()
    store = Store(db_url)
    with store.session() as session:
        rows = [row for row in session.scalars(_query(args)) if row.source in sources]
    columns = {source_id: {column.url for column in source.columns} for source_id, source in sources.items()}
    targets = retry_targets(rows, columns)
    if not targets:
        print("nothing to retry")
        return 0
    started = dt.datetime.now(dt.UTC)
    run_crawl(
        sorted(targets),
        db_url=db_url,
        mirror_url=args.mirror,
        command="quarantine-retry",
        log_level=args.log_level,
        settings={"SCS_DETAIL_URLS": targets},
    )
    with store.session() as session:
        resolved, failing = settle(session, targets, started)
    store.dispose()
    for url in resolved:
        print(f"resolved  {url}")
    for url in failing:
        print(f"failing   {url}")
    print(f"{len(resolved)} resolved, {len(failing)} still failing (see `scs quarantine`)")
    return 0 if not failing else 1

"""`scs reclassify [--source S] [--workers N]`: re-tag stored notices after a lexicon or model change.

Only automatic output is replaced (auto tags, terms, relevance_auto/score/evidence);
analyst tags and the analyst columns of a notice are never touched.

The notices are cut into batches of ids; N worker processes (default: one per core) each
tag a batch with no transaction open, then write it in short transactions of WRITE_BATCH
notices, so the classifiers run in parallel and a crawl started meanwhile waits milliseconds
for the write lock, not minutes.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from scs.errors import int_in

BATCH = 200  # notices read and classified at a time by one worker, with no write lock held
WRITE_BATCH = 20  # notices written per transaction: the write lock is held for milliseconds, not minutes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reclassify", help="re-run the classifiers on stored notices (auto tags only)")
    parser.add_argument("--source", help="only notices of this source")
    parser.add_argument(
        "--workers",
        type=int_in(1, 256),
        default=os.cpu_count() or 1,
        help="processes tagging in parallel (default: the cores)",
    )
    parser.set_defaults(run=run)


_STORES: dict[str, Any] = {}


def _store(url: str) -> Any:
    """One Store per process and database (a worker handles many batches)."""
    from store.db import Store

    if url not in _STORES:
        _STORES[url] = Store(url, upgrade=False)
    return _STORES[url]


def reclassify_batch(url: str, ids: list[int]) -> int:
    """Re-tag the notices `ids`, writing WRITE_BATCH at a time; how many changed their auto tags or relevance.

    A notice whose content changed since it was read (a crawl updated it, and classified it) is left alone.
    """
    from sqlalchemy import select, update

    from newsroom.review import redraft
    from pipelines.tagging import tag_notice
    from store.models import Notice
    from store.repository import reclassify_notice

    store = _store(url)
    with store.sessions() as session:  # reads only: a reader blocks no writer (WAL, PostgreSQL MVCC)
        read = session.scalars(select(Notice).where(Notice.id.in_(ids)))
        classified = [(notice.id, notice.content_hash, tag_notice(notice)) for notice in read]
    changed = 0
    for start in range(0, len(classified), WRITE_BATCH):
        with store.session() as session:
            if session.get_bind().dialect.name == "sqlite":
                # Take the write lock before reading (as BEGIN IMMEDIATE would): a read snapshot could not become
                # a write once another worker has committed.
                session.execute(update(Notice).where(Notice.id == -1).values(id=Notice.id))
            for notice_id, content_hash, tagging in classified[start : start + WRITE_BATCH]:
                notice = session.get(Notice, notice_id)
                if notice is None or notice.content_hash != content_hash:
                    continue  # deleted, or re-crawled (and classified) since it was read
                before = _auto_output(notice)
                reclassify_notice(session, notice, tagging)
                if any(tag.origin == "analyst" for tag in notice.tags):
                    redraft(notice)  # the draft follows the analyst's tag corrections, not the auto tags alone
                changed += before != _auto_output(notice)
    return changed


def _auto_output(notice: Any) -> tuple[bool, list[tuple[str, str]]]:
    return notice.relevant_auto, sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto" and t.present)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from store.db import Store
    from store.models import Notice

    store = Store(args.db)
    query = select(Notice.id).order_by(Notice.id)
    if args.source:
        query = query.where(Notice.source == args.source)
    with store.sessions() as session:
        ids = list(session.scalars(query))
    batches = [ids[offset : offset + BATCH] for offset in range(0, len(ids), BATCH)]
    workers = max(1, min(args.workers, len(batches)))
    if workers == 1:
        changed = sum(reclassify_batch(store.url, batch) for batch in batches)
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            changed = sum(pool.map(reclassify_batch, [store.url] * len(batches), batches))
    print(
        f"reclassified {len(ids)} notices with {workers} worker(s); {changed} changed their automatic tags or relevance"
    )
    return 0

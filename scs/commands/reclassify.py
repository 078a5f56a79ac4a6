"""`scs reclassify [--source S] [--workers N]`: re-tag stored notices after a lexicon change.

Only automatic output is replaced (auto tags, terms, relevance_auto/score/evidence);
analyst tags and the analyst columns of a notice are never touched.

The notices are cut into batches of ids; N worker processes (default: one per core) each
tag a batch with no transaction open, then write it in one short transaction of its own,
so the classifiers run in parallel and the writes, serialised by the database, stay brief.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

BATCH = 200


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reclassify", help="re-run the classifiers on stored notices (auto tags only)")
    parser.add_argument("--source", help="only notices of this source")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes tagging in parallel (default: the cores)"
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
    """Re-tag the notices `ids` and write the result in one transaction; how many changed tags or relevance."""
    from sqlalchemy import select, update
    from sqlalchemy.orm import selectinload

    from pipelines.tagging import tag_notice
    from store.models import Notice
    from store.repository import reclassify_notice

    store = _store(url)
    with store.session() as session:  # read, then tag outside any transaction
        notices = list(session.scalars(select(Notice).where(Notice.id.in_(ids))))
    taggings = {notice.id: tag_notice(notice) for notice in notices}
    changed = 0
    with store.session() as session:
        if session.get_bind().dialect.name == "sqlite":
            # Take the write lock before reading (as BEGIN IMMEDIATE would): a read snapshot could not become
            # a write once another worker has committed.
            session.execute(update(Notice).where(Notice.id == -1).values(id=Notice.id))
        query = select(Notice).where(Notice.id.in_(list(taggings))).options(selectinload(Notice.tags))
        for notice in session.scalars(query):
            before = (notice.relevant_auto, sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto"))
            reclassify_notice(session, notice, taggings[notice.id])
            after = (notice.relevant_auto, sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto"))
            changed += before != after
    return changed


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from store.db import Store
    from store.models import Notice

    store = Store(args.db)
    query = select(Notice.id).order_by(Notice.id)
    if args.source:
        query = query.where(Notice.source == args.source)
    with store.session() as session:
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

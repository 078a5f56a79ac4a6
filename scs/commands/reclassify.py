"""`scs reclassify [--source S]`: re-tag stored notices after a lexicon change.

Only automatic output is replaced (auto tags, terms, relevance_auto/score/evidence);
analyst tags and the analyst columns of a notice are never touched.
"""

from __future__ import annotations

import argparse
from typing import Any

READ_BATCH = 200  # notices read and classified at a time, with no write lock held
WRITE_BATCH = 20  # notices written per transaction: the write lock is held for milliseconds, not minutes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reclassify", help="re-run the classifiers on stored notices (auto tags only)")
    parser.add_argument("--source", help="only notices of this source")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Classify outside any write transaction, then write in short transactions.

    Classifying 200 large notices takes a minute; holding SQLite's write lock (or PostgreSQL's row locks)
    meanwhile made a crawl started then fail with `database is locked`. Each write transaction now holds
    only the writes of WRITE_BATCH notices, and waits for the lock as the crawl does (SCS_DB_LOCK_TIMEOUT).
    A notice whose content changed since it was read (a crawl updated it, and classified it) is left alone.
    """
    from sqlalchemy import select

    from newsroom.review import redraft
    from pipelines.tagging import tag_notice
    from store.db import Store
    from store.models import Notice
    from store.repository import reclassify_notice

    store = Store(args.db)
    query = select(Notice.id).order_by(Notice.id)
    if args.source:
        query = query.where(Notice.source == args.source)
    with store.sessions() as session:
        ids = list(session.scalars(query))
    changed = 0
    for offset in range(0, len(ids), READ_BATCH):
        with store.sessions() as session:  # reads only: a reader blocks no writer (WAL, PostgreSQL MVCC)
            read = session.scalars(select(Notice).where(Notice.id.in_(ids[offset : offset + READ_BATCH])))
            classified = [(notice.id, notice.content_hash, tag_notice(notice)) for notice in read]
        for start in range(0, len(classified), WRITE_BATCH):
            with store.session() as session:
                for notice_id, content_hash, tagging in classified[start : start + WRITE_BATCH]:
                    notice = session.get(Notice, notice_id)
                    if notice is None or notice.content_hash != content_hash:
                        continue  # deleted, or re-crawled (and classified) since it was read
                    before = _auto_output(notice)
                    reclassify_notice(session, notice, tagging)
                    if any(tag.origin == "analyst" for tag in notice.tags):
                        redraft(notice)  # the draft follows the analyst's tag corrections, not the auto tags alone
                    changed += before != _auto_output(notice)
    print(f"reclassified {len(ids)} notices; {changed} changed their automatic tags or relevance")
    return 0


def _auto_output(notice: Any) -> tuple[bool, list[tuple[str, str]]]:
    return notice.relevant_auto, sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto" and t.present)

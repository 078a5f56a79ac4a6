"""`scs reclassify [--source S]`: re-tag stored notices after a lexicon change.

Only automatic output is replaced (auto tags, terms, relevance_auto/score/evidence);
analyst tags and the analyst columns of a notice are never touched.
"""

from __future__ import annotations

import argparse

BATCH = 200


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reclassify", help="re-run the classifiers on stored notices (auto tags only)")
    parser.add_argument("--source", help="only notices of this source")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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
    with store.session() as session:
        ids = list(session.scalars(query))
    changed = 0
    for offset in range(0, len(ids), BATCH):
        with store.session() as session:
            for notice in session.scalars(select(Notice).where(Notice.id.in_(ids[offset : offset + BATCH]))):
                before = (
                    notice.relevant_auto,
                    sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto" and t.present),
                )
                reclassify_notice(session, notice, tag_notice(notice))
                if any(tag.origin == "analyst" for tag in notice.tags):
                    redraft(notice)  # the draft follows the analyst's tag corrections, not the auto tags alone
                after = (
                    notice.relevant_auto,
                    sorted((t.facet, t.value) for t in notice.tags if t.origin == "auto" and t.present),
                )
                changed += before != after
    print(f"reclassified {len(ids)} notices; {changed} changed their automatic tags or relevance")
    return 0

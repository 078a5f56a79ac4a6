"""`scs train [GOLD ...] [--from-store] [--out PATH]`: fit the tag model from gold files and analysts' decisions.

Writes a versioned JSON model (weights, thresholds, the data it was fitted on, its K-fold CV scores on the
gold); the same inputs give the same bytes. `scs reclassify` then re-tags stored notices with it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from classifiers.tagmodel import MODEL_PATH
    from classifiers.training import FOLDS

    parser = subparsers.add_parser("train", help="fit the tag model from gold files and analysts' decisions")
    parser.add_argument("gold", type=Path, nargs="*", help="gold notices, one JSON object a line")
    parser.add_argument(
        "--from-store",
        action="store_true",
        help="also learn from the store: tags analysts added or removed, relevance they set",
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help=f"model file to write (default: {MODEL_PATH})")
    parser.add_argument("--folds", type=int, default=FOLDS, help=f"CV folds for the scores in the file ({FOLDS})")
    parser.set_defaults(run=run)


def store_examples(db_url: str | None) -> tuple[list[Any], str]:
    """Each notice an analyst decided something on, as a partly labelled example, and a digest of them all.

    An analyst tag row is a decision (present: the value applies; removed: it does not); `relevant_analyst`
    is a relevance decision. Nothing else is taken as a label (an untouched auto tag is not a confirmation).
    """
    from sqlalchemy import or_, select
    from sqlalchemy.orm import selectinload

    from classifiers.engine import TAGGED_FACETS
    from classifiers.model import Document
    from classifiers.training import Example
    from store.db import Store
    from store.models import Notice, Tag

    store = Store(db_url)
    examples = []
    digest = hashlib.sha256()
    try:
        with store.session() as session:
            decided = (
                select(Notice)
                .where(
                    or_(
                        Notice.relevant_analyst.is_not(None),
                        Notice.tags.any((Tag.origin == "analyst") & Tag.facet.in_(TAGGED_FACETS)),
                    )
                )
                .options(selectinload(Notice.tags))
                .order_by(Notice.url)
            )
            for notice in session.scalars(decided):
                positive: dict[str, set[str]] = {facet: set() for facet in TAGGED_FACETS}
                negative: dict[str, set[str]] = {facet: set() for facet in TAGGED_FACETS}
                for tag in notice.tags:
                    if tag.origin == "analyst" and tag.facet in positive:
                        (positive if tag.present else negative)[tag.facet].add(tag.value)
                document = Document(
                    title=notice.title,
                    text=notice.body,
                    publisher=notice.publisher,
                    url=notice.url,
                    jurisdiction=notice.jurisdiction,
                    site_code=str((notice.meta or {}).get("SiteIDCode", "")),
                )
                examples.append(Example(document, notice.relevant_analyst, positive, negative))
                record = [notice.url, notice.content_hash, notice.relevant_analyst]
                record += [sorted(positive[f]) + ["-" + v for v in sorted(negative[f])] for f in TAGGED_FACETS]
                digest.update(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    finally:
        store.dispose()
    return examples, digest.hexdigest() if examples else ""


def run(args: argparse.Namespace) -> int:
    from classifiers.engine import default_tagger
    from classifiers.evaluation import read_gold
    from classifiers.training import build_model_file, dumps

    if not args.gold and not args.from_store:
        print("scs train: give gold files, --from-store, or both")
        return 2
    try:
        gold = [(path, read_gold(path)) for path in args.gold]
    except (OSError, ValueError) as error:
        print(f"scs train: {error}")
        return 2
    missing = [
        f"{path}: {r.get('id', i)}" for path, records in gold for i, r in enumerate(records) if "relevant" not in r
    ]
    if missing:
        print(f"scs train: records without a 'relevant' field: {missing[:5]}")
        return 2
    examples, digest = store_examples(args.db) if args.from_store else ([], "")
    model = build_model_file(default_tagger(), gold, examples, digest, folds=args.folds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(model), encoding="utf-8")
    cv = model["cv"]["scores"]
    notices = sum(len(records) for _, records in gold)
    print(f"wrote {args.out}: {notices} gold notices, {len(examples)} notices with analysts' decisions")
    if cv:
        print(
            f"{model['cv']['folds']}-fold CV on the gold: relevance F1 {cv['relevance']['f1']:.3f}, "
            f"scs_types F1 {cv['scs_types']['f1']:.3f}, industries F1 {cv['industries']['f1']:.3f}"
        )
    return 0

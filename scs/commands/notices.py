"""`scs notices [--json] [--limit N]` and `scs show ID`: the stored notices with their tags and evidence."""

from __future__ import annotations

import argparse
import json

from scs.errors import MAX_LIMIT, int_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("notices", help="list stored notices, newest first")
    parser.add_argument("--json", action="store_true", help="print a JSON array (stable shape for scripts)")
    parser.add_argument("--limit", type=int_in(0, MAX_LIMIT), default=50, help="at most N notices (0: all; default 50)")
    parser.add_argument("--source", help="only this source")
    parser.set_defaults(run=run_list)
    show = subparsers.add_parser("show", help="show one stored notice in full")
    show.add_argument("id", type=int_in(1, 2**63 - 1))
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(run=run_show)


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from store.db import Store
    from store.models import Notice
    from store.repository import notice_to_dict

    store = Store(args.db)
    query = select(Notice).options(selectinload(Notice.tags), selectinload(Notice.terms), selectinload(Notice.versions))
    if args.source:
        query = query.where(Notice.source == args.source)
    query = query.order_by(Notice.published.desc().nulls_last(), Notice.id.desc())
    if args.limit:
        query = query.limit(args.limit)
    with store.session() as session:
        rows = [notice_to_dict(notice) for notice in session.scalars(query)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        mark = "*" if row["relevant"] else " "
        tags = " ".join(row["scs_types"] + row["industries"] + row["locations"])
        print(f"{row['id']:>5} {mark} {row['published'] or '----------'} {row['source']:<12} {row['title']}  [{tags}]")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from store.db import Store
    from store.models import Notice
    from store.repository import notice_to_dict

    store = Store(args.db)
    with store.session() as session:
        notice = session.get(Notice, args.id)
        if notice is None:
            print(f"scs: no notice with id {args.id}")
            return 1
        data = notice_to_dict(notice, with_body=True)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(data["title"])
    for key in ("url", "source", "publisher", "doc_number", "published", "written", "relevant", "status"):
        print(f"  {key}: {data[key]}")
    for facet in ("scs_types", "industries", "locations"):
        print(f"  {facet}: {', '.join(data[facet]) or '-'}")
        for value, evidence in data["evidence"][facet].items():
            terms = ", ".join(f"{e['term']}@{e['field']}:{e['start']}" for e in evidence[:5])
            print(f"      {value}: {terms}")
    print()
    print(data["body"])
    return 0

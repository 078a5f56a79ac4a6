"""`scs notices [--json] [--limit N]` and `scs show ID`: the stored notices with their tags and evidence."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

from scs.errors import MAX_LIMIT, int_in

STREAM_BATCH = 500  # notices read per round trip; memory stays flat whatever the number of notices


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("notices", help="list stored notices, newest first")
    parser.add_argument("--json", action="store_true", help="print a JSON array (stable shape for scripts)")
    parser.add_argument("--limit", type=int_in(0, MAX_LIMIT), default=50, help="at most N notices (0: all; default 50)")
    parser.add_argument("--source", help="only this source")
    parser.add_argument("--search", metavar="TEXT", help="only notices whose title or text contains TEXT")
    parser.set_defaults(run=run_list)
    show = subparsers.add_parser("show", help="show one stored notice in full")
    show.add_argument("id", type=int_in(1, 2**63 - 1))
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(run=run_show)


def write_json_array(rows: Iterable[dict[str, Any]], out: Any) -> None:
    """`json.dumps(list(rows), ensure_ascii=False, indent=2)`, written one row at a time as the rows come."""
    out.write("[")
    first = True
    for row in rows:
        out.write("\n" if first else ",\n")
        out.write(textwrap.indent(json.dumps(row, ensure_ascii=False, indent=2), "  "))
        first = False
    out.write("]\n" if first else "\n]\n")


def run_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from store.db import Store
    from store.models import Notice
    from store.repository import notice_to_dict
    from store.search import search_clause

    store = Store(args.db)
    query = select(Notice).options(selectinload(Notice.tags), selectinload(Notice.terms), selectinload(Notice.versions))
    if args.source:
        query = query.where(Notice.source == args.source)
    if args.search:
        query = query.where(search_clause(store.engine.dialect.name, args.search))
    query = query.order_by(Notice.published.desc().nulls_last(), Notice.id.desc())
    if args.limit:
        query = query.limit(args.limit)
    # Streamed: rows are read in batches (a server-side cursor on PostgreSQL) and written as they come.
    query = query.execution_options(yield_per=STREAM_BATCH)
    with store.session() as session:
        rows = (notice_to_dict(notice) for notice in session.scalars(query))
        if args.json:
            write_json_array(rows, sys.stdout)
            return 0
        for row in rows:
            mark = "*" if row["relevant"] else " "
            tags = " ".join(row["scs_types"] + row["industries"] + row["locations"])
            published = row["published"] or "----------"
            print(f"{row['id']:>5} {mark} {published} {row['source']:<12} {row['title']}  [{tags}]")
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

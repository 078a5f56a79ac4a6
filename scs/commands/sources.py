"""`scs sources [--json]`: the configured sources, validated."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sources", help="list the configured sources")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.sourceconfig import load_sources

    sources = load_sources().values()
    rows = [
        {
            "id": source.id,
            "name": source.name,
            "family": source.family,
            "jurisdiction": source.jurisdiction,
            "publisher": source.publisher,
            "columns": [column.name for column in source.columns],
            "start_urls": source.start_urls,
        }
        for source in sources
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']:<16} {row['family']:<14} {row['jurisdiction']}  {row['name']}")
    return 0

"""`scs entities --name 某某建设 | --code 9132… [--json]`: every list an organisation or person appears on."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "entities",
        help="which lists an organisation (统一社会信用代码) or a person appears on",
        description="Search the entities found in stored notices and their attachments, by name or by code. "
        "Codes that fail the GB 32100 check character are shown apart, as invalid mentions, never as entities.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--name", help="part of the name, e.g. 某某建设")
    what.add_argument("--code", help="an 18-character 统一社会信用代码 (or a masked identity number as published)")
    what.add_argument(
        "--rescan", action="store_true", help="read the entities of every stored notice and attachment again"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array of entities")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from store.db import Store
    from store.entities import rescan_entities, search_entities

    store = Store(args.db)
    if args.rescan:
        with store.session() as session:
            notices, mentions = rescan_entities(session)
        print(f"read {notices} notices again: {mentions} mentions")
        return 0
    with store.session() as session:
        found = search_entities(session, name=args.name or "", code=args.code or "")
    if args.json:
        print(json.dumps(found.entities, ensure_ascii=False, indent=2))
    else:
        for entity in found.entities:
            _print_entity(entity)
    if found.invalid:
        print(f"{len(found.invalid)} invalid mention(s), not entities (the code fails its check):", file=sys.stderr)
        for m in found.invalid:
            print(f"  {m['code']} {m['name'] or '-'}  notice {m['notice_id']}: {m['reason']}", file=sys.stderr)
    if not found.entities:
        print(f"scs: no entity matches {args.name or args.code!r}", file=sys.stderr)
        return 1
    return 0


def _print_entity(entity: dict[str, object]) -> None:
    valid = {True: "valid", None: "masked ID", False: "INVALID"}[entity["valid"]]  # type: ignore[index]
    print(f"{entity['code']}  {entity['name'] or '-'}  ({valid}; {entity['region'] or 'region unknown'}", end="")
    print(f"; {entity['authority']} {entity['org_type']})" if entity["authority"] else ")")
    other_names = [name for name in entity["names"] if name != entity["name"]]  # type: ignore[attr-defined]
    if other_names:
        print(f"  also listed as: {', '.join(other_names)}")
    for entry in entity["lists"]:  # type: ignore[attr-defined]
        where = ", ".join(
            f"attachment {found['attachment_url']}" if found["field"] == "attachment" else "notice text"
            for found in entry["found_in"]
        )
        print(
            f"  {entry['date'] or '----------'}  {entry['kind']:<16} {entry['publisher'] or '-'}"
            f" ({entry['jurisdiction_name'] or entry['jurisdiction'] or '-'})  notice {entry['notice_id']}"
        )
        print(f"      {entry['title']}\n      {entry['url']}\n      found in: {where}")
    print()

"""`scs evaluate GOLD.jsonl [--json]`: precision, recall and F1 of the classifiers against a gold file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("evaluate", help="score the classifiers on a gold file (JSON lines)")
    parser.add_argument("gold", type=Path, help="gold notices, one JSON object a line")
    parser.add_argument("--json", action="store_true", help="print one JSON object with the micro averages")
    parser.add_argument("--errors", action="store_true", help="also list the notices the classifiers got wrong")
    parser.add_argument(
        "--subset",
        choices=("even", "odd"),
        help="only records whose id ends in an even/odd number (tune on one half, check the other)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from classifiers.evaluation import evaluate, format_report, read_gold

    try:
        records = read_gold(args.gold)
    except (OSError, ValueError) as error:
        print(f"scs evaluate: {error}")
        return 2
    missing = [r.get("id", i) for i, r in enumerate(records) if "relevant" not in r]
    if missing:
        print(f"scs evaluate: records without a 'relevant' field: {missing[:5]}")
        return 2
    if args.subset:
        records = [r for r in records if _parity(str(r.get("id", ""))) == args.subset]
    report = evaluate(records)
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False))
    else:
        print(format_report(report))
    if args.errors:
        for error in report.errors:
            print(json.dumps(error, ensure_ascii=False))
    return 0


def _parity(record_id: str) -> str:
    digits = "".join(char for char in record_id if char.isdigit())
    if not digits:
        return ""
    return "even" if int(digits) % 2 == 0 else "odd"

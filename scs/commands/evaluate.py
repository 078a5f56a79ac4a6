"""`scs evaluate GOLD.jsonl [--json] [--cv K]`: precision, recall and F1 of the classifiers against a gold file.

With `--cv K`, also the K-fold cross-validated scores (a model fitted on the other folds tags each fold),
beside the shipped model's: the gap between fitting the gold and generalising from it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scs.errors import CommandError


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
    parser.add_argument(
        "--fold",
        type=_fold,
        metavar="I/K",
        help="only the I-th of K folds by position in the file (1/4 = records 1, 5, 9, ...); "
        "--cv K scores each fold with a model fitted on the others",
    )
    parser.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="also K-fold cross-validate: fit on the other folds (fold = position %% K), score each held-out fold, "
        "and print the pooled scores beside the shipped model's",
    )
    parser.set_defaults(run=run)


def _fold(value: str) -> tuple[int, int]:
    index, _, folds = value.partition("/")
    try:
        fold = (int(index), int(folds))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not I/K: {value!r}") from None
    if not 1 <= fold[0] <= fold[1]:
        raise argparse.ArgumentTypeError(f"fold {fold[0]} is not one of 1..{fold[1]}")
    return fold


def run(args: argparse.Namespace) -> int:
    from classifiers.evaluation import evaluate, format_report, format_side_by_side, read_gold

    try:
        records = read_gold(args.gold)
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from error
    not_objects = [number for number, record in enumerate(records, 1) if not isinstance(record, dict)]
    if not_objects:
        raise CommandError(f"{args.gold}: record(s) {not_objects[:5]} are not JSON objects")
    missing = [r.get("id", i) for i, r in enumerate(records) if "relevant" not in r]
    if missing:
        raise CommandError(f"{args.gold}: records without a 'relevant' field: {missing[:5]}")
    if args.subset:
        records = [r for r in records if _parity(str(r.get("id", ""))) == args.subset]
    if args.fold:
        index, folds = args.fold
        records = [r for position, r in enumerate(records) if position % folds == index - 1]
    if not records:  # no score at all, not a perfect one
        raise CommandError(
            f"{args.gold}: no gold records to score" + (" in this subset or fold" if args.subset or args.fold else "")
        )
    report = evaluate(records)
    cv_report = None
    if args.cv:
        if not 2 <= args.cv <= len(records):
            print(f"scs evaluate: --cv needs 2 to {len(records)} folds, not {args.cv}")
            return 2
        from classifiers.engine import default_tagger
        from classifiers.training import cross_validate

        cv_report = cross_validate(default_tagger(), records, args.cv)
    if args.json:
        summary = report.summary()
        if cv_report is not None:
            summary["cv"] = {"folds": args.cv, **cv_report.summary()}
        print(json.dumps(summary, ensure_ascii=False))
    elif cv_report is not None:
        print(format_side_by_side(report, cv_report, args.cv))
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

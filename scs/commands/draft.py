"""`scs draft GOLD.jsonl [--json] [--score HEADLINES.jsonl]`: English drafts of notices in the gold format."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("draft", help="draft English headlines and summaries for notices (JSON lines)")
    parser.add_argument("gold", type=Path, help="notices in the gold format (id, title, publisher, text, url)")
    parser.add_argument("--json", action="store_true", help="one JSON object per notice (and the scores as JSON)")
    parser.add_argument(
        "--score",
        type=Path,
        metavar="HEADLINES.jsonl",
        help="compare with an editor's headlines (id, event, place, headline): event and place accuracy, "
        "share of drafts with Chinese or article/number disagreement, chrF of the headlines",
    )
    parser.set_defaults(run=run)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError(f"{path}:{number}: not an object with an id")
            records.append(record)
    return records


def run(args: argparse.Namespace) -> int:
    from newsroom.draft_check import agreement_problems, has_chinese, score
    from newsroom.drafts import draft_record

    try:
        notices = _read_lines(args.gold)
        references = {str(r["id"]): r for r in _read_lines(args.score)} if args.score else None
    except (OSError, ValueError) as error:
        print(f"scs draft: {error}")
        return 2
    if references is not None:
        notices = [notice for notice in notices if str(notice["id"]) in references]
    else:
        notices = [notice for notice in notices if notice.get("relevant", True) is not False]
    drafts = []
    for notice in notices:
        try:
            drafts.append(draft_record(notice))
        except Exception as error:  # one bad notice never stops the others
            print(f"scs draft: {notice.get('id')}: {type(error).__name__}: {error}")
    if references is None:
        for draft in drafts:
            if args.json:
                print(json.dumps(draft, ensure_ascii=False))
            else:
                print(f"{draft['id']}\t{draft['event']}\t{draft['headline']}\n\t{draft['summary']}")
        return 0 if len(drafts) == len(notices) else 1
    try:
        scores = score(drafts, references)
    except ValueError as error:
        print(f"scs draft: {error}")
        return 2
    if args.json:
        print(json.dumps(scores.as_dict()))
        return 0
    print(f"notices drafted        {scores.notices}")
    print(f"event accuracy         {scores.event_accuracy:.3f}")
    print(f"place exact            {scores.place_accuracy:.3f}")
    print(f"with Chinese           {scores.chinese_share:.3f}")
    print(f"number disagreement    {scores.disagreement_share:.3f}")
    print(f"headline chrF          {scores.chrf:.1f}")
    for draft in drafts:
        reference = references[str(draft["id"])]
        wrong = [key for key in ("event", "place") if str(draft[key] or "None") != str(reference[key] or "None")]
        problems = agreement_problems(f"{draft['headline']} {draft['summary']}")
        if wrong or problems or has_chinese(f"{draft['headline']} {draft['summary']}"):
            details = ", ".join(f"{key} {draft[key]!r} (editor: {reference[key]!r})" for key in wrong)
            print(f"  {draft['id']}: {'; '.join(filter(None, [details, *problems]))}")
    return 0

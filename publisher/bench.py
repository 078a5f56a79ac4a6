"""What an incremental `scs publish` costs on a large site: `python -m publisher.bench --items N`.

Builds a database of N approved SYNTHETIC items (plus 100 waiting for review), publishes the site once, approves
the 100, and publishes again: the second publish is the figure (seconds, files written, peak memory of the
process). A benchmark, not a test: it prints measurements, it asserts nothing. Items are written with bulk
inserts (the store's approval path is not what is measured here); bodies are `--body-kb` long, as crawled
notices are (~14 KB), because the store must read past them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

NEW = 100
MONTHS = 36


def _places() -> list[str]:
    """Real prefecture codes (every tenth), so location pages and province grouping are exercised."""
    from classifiers.gazetteer import divisions, level

    return sorted(code for code in divisions() if level(code) == "prefecture")[::10]


def build(db_url: str, items: int, *, body_kb: int = 14, spread: bool = False) -> None:
    """N approved items dated over 36 months, then NEW unreviewed ones: the newest days, or (spread) any day."""
    from publisher.items import FACET_LABELS
    from store.db import Store
    from store.models import Notice, Tag

    scs_types, industries, places = sorted(FACET_LABELS["scs_types"]), sorted(FACET_LABELS["industries"]), _places()
    first_day, body = dt.date(2023, 1, 1), "正文" * (body_kb * 1024 // 6)
    days = MONTHS * 30
    store = Store(db_url)
    try:
        for start in range(0, items + NEW, 2000):
            notices, tags = [], []
            for number in range(start, min(start + 2000, items + NEW)):
                approved = number < items
                offset = (number * 7919) % days if approved or spread else days - 1 - (number - items) % 30
                published = first_day + dt.timedelta(days=offset)
                notices.append(
                    {
                        "id": number + 1,
                        "source": "synthetic",
                        "url": f"https://example.gov.cn/synthetic/{number}.html",
                        "title": f"关于第{number}号合成通知",
                        "publisher": "某市发展和改革委员会",
                        "doc_number": f"合成〔2024〕{number}号",
                        "published": published,
                        "body": body,
                        "content_hash": hashlib.sha256(str(number).encode()).hexdigest(),
                        "fetched_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                        "first_seen": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                        "relevant_auto": True,
                        "status": "approved" if approved else "new",
                        "headline_en": f"Synthetic item {number}: a measure on credit" if approved else "",
                        "summary_en": f"The synthetic body number {number} issued rules on credit records."
                        if approved
                        else "",
                        "slug": f"synthetic-item-{number}" if approved else "",
                        "reviewed_at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC) if approved else None,
                    }
                )
                values = [
                    ("scs_types", scs_types[number % len(scs_types)]),
                    ("scs_types", scs_types[(number // 7) % len(scs_types)]),
                    ("industries", industries[number % len(industries)]),
                    ("locations", places[(number * 31) % len(places)]),
                ]
                tags += [
                    {"notice_id": number + 1, "facet": facet, "value": value, "origin": "auto", "present": True}
                    for facet, value in dict.fromkeys(values)
                ]
            with store.session() as db:
                db.execute(insert(Notice), notices)
                db.execute(insert(Tag), tags)
    finally:
        store.dispose()


def approve_new(db_url: str, items: int) -> None:
    """What analysts did since the last publish: the NEW waiting items approved, with English text and slugs."""
    from store.db import Store
    from store.models import Notice

    store = Store(db_url)
    try:
        with store.session() as db:
            for number in range(items, items + NEW):
                db.execute(
                    update(Notice)
                    .where(Notice.id == number + 1)
                    .values(
                        status="approved",
                        headline_en=f"Synthetic item {number}: newly approved",
                        summary_en=f"The synthetic body number {number} issued a new notice on credit repair.",
                        slug=f"synthetic-item-{number}",
                        reviewed_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
                    )
                )
    finally:
        store.dispose()


def timed_publish(db_url: str, outdir: Path) -> dict[str, Any]:
    """One `publish_site` in a fresh process, so its peak memory is its own; CPU seconds (the process's, imports
    included) next to the wall-clock ones, which depend on what else the machine runs."""
    code = (
        "import json, resource, sys, time\n"
        "from publisher import publish_site\n"
        "started = time.perf_counter()\n"
        "result = publish_site(sys.argv[1], sys.argv[2])\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'seconds': round(time.perf_counter() - started, 2),\n"
        "    'cpu_s': round(usage.ru_utime + usage.ru_stime, 2), 'items': result.items,\n"
        "    'written': result.written, 'unchanged': result.unchanged, 'removed': result.removed,\n"
        "    'peak_mb': round(usage.ru_maxrss / 1024)}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code, db_url, str(outdir)], check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="approved items already published")
    parser.add_argument("--body-kb", type=int, default=14, help="size of each notice's body")
    parser.add_argument("--spread", action="store_true", help="the 100 new items dated any day, not the newest")
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scs-bench-publish-") as folder:
        db_url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        started = time.perf_counter()
        build(db_url, args.items, body_kb=args.body_kb, spread=args.spread)
        built = round(time.perf_counter() - started, 1)
        site = Path(folder) / "site"
        full = timed_publish(db_url, site)
        approve_new(db_url, args.items)
        incremental = timed_publish(db_url, site)
        unchanged = timed_publish(db_url, site)
    report = {
        "items": args.items,
        "new": NEW,
        "spread": args.spread,
        "build_s": built,
        "full_publish": full,
        "publish_incremental": incremental,
        "publish_unchanged": unchanged,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

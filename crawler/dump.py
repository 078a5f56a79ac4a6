"""`python -m crawler.dump SOURCE_ID ... [--mirror URL] [--out FILE]`: crawl, write raw items as JSON lines.

No pipelines, no database: what the spiders yield, one JSON object a line
(`{"type": "notice", ...}` / `{"type": "failed", ...}`), then one `{"type": "stats"}`
line per spider with its `scs/*` counters. For developing a source, and for the
spider tests, which run it in a subprocess (a Twisted reactor cannot restart).
With `--mirror` the crawl goes to the offline mirror and politeness delays are
off (it is a local server).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import IO, Any

from crawler.items import FailedPage, NoticeItem


def item_record(item: Any) -> dict[str, Any]:
    """A JSON-ready summary of one item (a FailedPage's raw body becomes its size)."""
    data = dataclasses.asdict(item)
    if isinstance(item, FailedPage):
        data["body_size"] = len(data.pop("body"))
        kind = "failed"
    else:
        kind = "notice" if isinstance(item, NoticeItem) else type(item).__name__
    return {"type": kind, **data}


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def crawl_to_jsonl(source_ids: Sequence[str], out: IO[str], mirror_url: str = "") -> None:
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings

    from crawler.spiders.sources import spider_class

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")  # whatever the working directory
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    if mirror_url:
        settings.set("SCS_MIRROR_URL", mirror_url, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    process = AsyncCrawlerProcess(settings)

    def write(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
        out.flush()

    for source_id in source_ids:
        crawler = process.create_crawler(spider_class(source_id))

        def on_item(item: Any, source_id: str = source_id) -> None:
            write(item_record(item))

        def on_closed(reason: str, crawler: Any = crawler, source_id: str = source_id) -> None:
            stats = {key: value for key, value in crawler.stats.get_stats().items() if key.startswith("scs/")}
            write({"type": "stats", "source": source_id, "finish_reason": reason, "stats": stats})

        # Signal receivers are weak references: without weak=False these closures would be collected.
        crawler.signals.connect(on_item, signal=signals.item_scraped, weak=False)
        crawler.signals.connect(on_closed, signal=signals.spider_closed, weak=False)
        process.crawl(crawler)
    process.start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.dump", description=__doc__.splitlines()[0])
    parser.add_argument("source_ids", nargs="+", metavar="SOURCE_ID")
    parser.add_argument("--mirror", default="", metavar="URL", help="crawl the offline mirror at URL")
    parser.add_argument("--out", default="-", metavar="FILE", help="JSON lines file (default: stdout)")
    args = parser.parse_args(argv)
    if args.out == "-":
        crawl_to_jsonl(args.source_ids, sys.stdout, args.mirror)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            crawl_to_jsonl(args.source_ids, out, args.mirror)
    return 0


if __name__ == "__main__":
    sys.exit(main())

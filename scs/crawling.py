"""Running crawls: one Scrapy process for the chosen sources, a run record, a summary.

The database is migrated once here, before any spider starts, and every run gets a
`CrawlRun` row with one `SourceRun` per source built from that spider's stats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from store.db import Store
from store.models import CrawlRun, SourceRun


@dataclass
class SourceSummary:
    source: str
    finish_reason: str = ""
    pages: int = 0
    list_pages: int = 0
    list_items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    blocked_reason: str = ""

    @property
    def notices(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def failed(self) -> bool:
        """A source failed when its spider did not finish cleanly, was blocked, or gave no notice at all."""
        return self.finish_reason != "finished" or bool(self.blocked_reason) or self.notices == 0

    @classmethod
    def from_stats(cls, source: str, stats: dict[str, Any]) -> SourceSummary:
        def prefixed(prefix: str) -> dict[str, int]:
            return {key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)}

        errors = prefixed("scs/failed/")
        for key, value in stats.items():
            if key.startswith("spider_exceptions/"):
                errors[key] = int(value)
        return cls(
            source=source,
            finish_reason=str(stats.get("finish_reason", "not started")),
            pages=int(stats.get("downloader/response_count", 0)),
            list_pages=int(stats.get("scs/list_pages", 0)),
            list_items=int(stats.get("scs/list_entries", 0)),
            new=int(stats.get("scs/notices/new", 0)),
            updated=int(stats.get("scs/notices/updated", 0)),
            unchanged=int(stats.get("scs/notices/unchanged", 0)),
            errors=errors,
            flags=prefixed("scs/flags/"),
            blocked_reason=str(stats.get("scs/blocked", "")),
        )


def crawl_settings(db_url: str, run_id: int, mirror_url: str | None, log_level: str) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("SCS_DATABASE_URL", db_url, priority="cmdline")
    settings.set("SCS_RUN_ID", run_id, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if mirror_url:
        # The mirror is ours, on loopback: no need to be polite to it.
        settings.set("SCS_MIRROR_URL", mirror_url, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    return settings


def run_crawl(
    source_ids: Sequence[str],
    *,
    db_url: str | None = None,
    mirror_url: str | None = None,
    command: str = "crawl",
    log_level: str = "WARNING",
) -> list[SourceSummary]:
    """Crawl `source_ids` into the database in this process; returns one summary per source."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.sources import spider_class

    store = Store(db_url)
    with store.session() as session:
        run = CrawlRun(command=command, status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    process = CrawlerProcess(crawl_settings(store.url, run_id, mirror_url, log_level))
    crawlers = {}
    for source_id in source_ids:
        crawler = process.create_crawler(spider_class(source_id))
        crawlers[source_id] = crawler
        process.crawl(crawler)
    process.start()
    summaries = [SourceSummary.from_stats(source, crawler.stats.get_stats()) for source, crawler in crawlers.items()]
    record_run(store, run_id, summaries)
    store.dispose()
    return summaries


def record_run(store: Store, run_id: int, summaries: Sequence[SourceSummary]) -> None:
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        run.finished_at = now
        run.status = "failed" if any(s.failed for s in summaries) else "ok"
        for summary in summaries:
            run.sources.append(
                SourceRun(
                    source=summary.source,
                    started_at=run.started_at,
                    finished_at=now,
                    finish_reason=summary.finish_reason,
                    pages=summary.pages,
                    list_pages=summary.list_pages,
                    list_items=summary.list_items,
                    notices_new=summary.new,
                    notices_updated=summary.updated,
                    notices_unchanged=summary.unchanged,
                    errors=summary.errors,
                    blocked=bool(summary.blocked_reason),
                    blocked_reason=summary.blocked_reason,
                    status="failing" if summary.failed else "ok",
                )
            )


def format_summary(summaries: Sequence[SourceSummary]) -> str:
    """The per-source summary table printed by `scs crawl` and `scs demo`."""
    header = ("source", "pages", "new", "updated", "unchanged", "errors", "status")
    rows = [header]
    for s in summaries:
        errors = ", ".join(f"{kind}={count}" for kind, count in sorted(s.errors.items())) or "-"
        status = "FAILED: " + (s.blocked_reason or s.finish_reason) if s.failed else "ok"
        if s.failed and not s.blocked_reason and s.finish_reason == "finished":
            status = "FAILED: no notices"
        rows.append((s.source, str(s.pages), str(s.new), str(s.updated), str(s.unchanged), errors, status))
    total = sum(s.notices for s in summaries)
    rows.append(
        (
            "total",
            str(sum(s.pages for s in summaries)),
            str(sum(s.new for s in summaries)),
            str(sum(s.updated for s in summaries)),
            str(sum(s.unchanged for s in summaries)),
            str(sum(sum(s.errors.values()) for s in summaries)),
            f"{total} notices",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(lines)

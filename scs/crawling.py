"""Running crawls: one Scrapy process for the chosen sources, a run record, a summary.

The database is migrated once here, before any spider starts, and every run gets a
`CrawlRun` row with one `SourceRun` per source built from that spider's stats. After
the run the monitors (`scs.monitoring`) judge each source against its history; the
verdict is stored with the run, printed, and POSTed to `$SCS_ALERT_WEBHOOK` on alarms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.stages import UNSTORED_STAT
from scs.monitoring import ALARMS, DEFAULT_THRESHOLDS, RunFigures, Thresholds, assess
from store.db import Store
from store.models import CrawlRun, Notice, SourceRun


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
    coverage: dict[str, Any] = field(default_factory=dict)  # see coverage_shares
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    status: str = ""  # the monitors' verdict (scs.monitoring), set by record_run
    reasons: list[str] = field(default_factory=list)
    unstored: list[str] = field(default_factory=list)  # URLs whose notice or failure record could not be written

    @property
    def notices(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def failed(self) -> bool:
        """An alarm: the source is broken, blocked or failing, or lost a write (`scs crawl` exits non-zero)."""
        if self.unstored:
            return True
        if self.status:
            return self.status in ALARMS
        return self.finish_reason != "finished" or bool(self.blocked_reason) or self.notices == 0

    @classmethod
    def from_stats(cls, source: str, stats: dict[str, Any]) -> SourceSummary:
        def prefixed(prefix: str) -> dict[str, int]:
            return {key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)}

        # Failed pages as the store counted them (exactly once each, whichever stage failed them).
        errors = prefixed("scs/quarantined/")
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
            # A known notice listed again and not re-fetched (incremental crawl) is unchanged as far as we know.
            unchanged=int(stats.get("scs/notices/unchanged", 0)) + int(stats.get("scs/skipped/known", 0)),
            errors=errors,
            flags=prefixed("scs/flags/"),
            blocked_reason=str(stats.get("scs/blocked", "")),
            coverage=coverage_shares(prefixed("scs/coverage/checked/"), prefixed("scs/coverage/missing/")),
            started_at=_aware(stats.get("start_time")),
            finished_at=_aware(stats.get("finish_time")),
            unstored=sorted(prefixed(UNSTORED_STAT)),
        )

    def figures(self, started_at: dt.datetime) -> RunFigures:
        return RunFigures(
            source=self.source,
            started_at=self.started_at or started_at,
            finished_at=self.finished_at,
            finish_reason=self.finish_reason,
            pages=self.pages,
            list_pages=self.list_pages,
            list_items=self.list_items,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            errors=self.errors,
            coverage=self.coverage,
            blocked_reason=self.blocked_reason,
        )


def coverage_shares(checked: dict[str, int], missing: dict[str, int]) -> dict[str, Any]:
    """Store counts -> `{"pages": 12, "title": 1.0, "body": 0.9167, "date": 1.0, "missing": {"body": 1}}`."""
    if not checked:
        return {}
    shares: dict[str, Any] = {"pages": max(checked.values())}
    for name, count in sorted(checked.items()):
        shares[name] = round((count - missing.get(name, 0)) / count, 4)
    shares["missing"] = {name: count for name, count in sorted(missing.items()) if count}
    return shares


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def figures_of(row: SourceRun) -> RunFigures:
    return RunFigures(
        source=row.source,
        started_at=row.started_at,
        finished_at=row.finished_at,
        finish_reason=row.finish_reason,
        pages=row.pages,
        list_pages=row.list_pages,
        list_items=row.list_items,
        new=row.notices_new,
        updated=row.notices_updated,
        unchanged=row.notices_unchanged,
        errors=dict(row.errors),
        coverage=dict(row.field_coverage),
        blocked_reason=row.blocked_reason,
        status=row.status,
    )


# The newest notice dates a run's verdict reads: the cadence uses the most recent distinct dates only.
RECENT_DATES = 2000

# Runs that crawl list pages; a `quarantine retry` run only re-fetches single pages and judges nothing.
MONITORED_COMMANDS = ("crawl", "demo")


def source_history(session: Any, source: str, before_run: int | None = None) -> list[RunFigures]:
    """The source's monitored runs, oldest first (those before run id `before_run` when given)."""
    from sqlalchemy import select

    query = (
        select(SourceRun)
        .join(CrawlRun)
        .where(SourceRun.source == source, CrawlRun.command.in_(MONITORED_COMMANDS))
        .order_by(SourceRun.started_at, SourceRun.id)
    )
    if before_run is not None:
        query = query.where(SourceRun.run_id < before_run)
    return [figures_of(row) for row in session.scalars(query)]


def notice_dates(session: Any, source: str, limit: int | None = None) -> list[dt.date]:
    """One date per stored notice of the source: published, else the day it was first seen.

    With `limit`, only the newest `limit` published dates and first-seen days (enough for the cadence
    and the newest notice): a run's verdict then reads a bounded number of rows, not the whole source.
    """
    from sqlalchemy import select

    if limit is None:
        rows = session.execute(select(Notice.published, Notice.first_seen).where(Notice.source == source))
        return [published or first_seen.date() for published, first_seen in rows]
    published = session.scalars(
        select(Notice.published)
        .where(Notice.source == source, Notice.published.is_not(None))
        .order_by(Notice.published.desc())
        .limit(limit)
    )
    undated = session.scalars(
        select(Notice.first_seen)
        .where(Notice.source == source, Notice.published.is_(None))
        .order_by(Notice.first_seen.desc())
        .limit(limit)
    )
    return [*published, *(first_seen.date() for first_seen in undated)]


def crawl_settings(
    db_url: str, run_id: int, mirror_url: str | None, log_level: str, extra: dict[str, Any] | None = None
) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(extra or {}, priority="cmdline")
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
    settings: dict[str, Any] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[SourceSummary]:
    """Crawl `source_ids` into the database in this process; returns one summary per source.

    The caller holds the run lock (`scs.runlock`), so any run still marked 'running' was killed.
    `settings` are extra Scrapy settings (e.g. `SCS_FULL_CRAWL`, `SCS_SINCE`).
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.sources import spider_class
    from scs.alerts import alert_on_alarms

    store = Store(db_url)
    close_interrupted_runs(store)
    with store.session() as session:
        run = CrawlRun(command=command, status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    process = CrawlerProcess(crawl_settings(store.url, run_id, mirror_url, log_level, settings))
    crawlers = {}
    for source_id in source_ids:
        crawler = process.create_crawler(spider_class(source_id))
        crawlers[source_id] = crawler
        process.crawl(crawler)
    process.start()
    summaries = [SourceSummary.from_stats(source, crawler.stats.get_stats()) for source, crawler in crawlers.items()]
    record_run(store, run_id, summaries, thresholds)
    store.dispose()
    alert_on_alarms(run_id, command, summaries)
    return summaries


def record_run(
    store: Store, run_id: int, summaries: Sequence[SourceSummary], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> None:
    """Judge every source against its history, then store the run and its per-source records."""
    now = dt.datetime.now(dt.UTC)
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        monitored = run.command in MONITORED_COMMANDS
        for summary in summaries:
            if monitored:
                verdict = assess(
                    summary.figures(run.started_at),
                    source_history(session, summary.source, before_run=run_id),
                    notice_dates(session, summary.source, limit=RECENT_DATES),
                    now,
                    thresholds,
                )
                summary.status, summary.reasons = verdict.status, list(verdict.reasons)
            else:
                summary.status = "failing" if summary.finish_reason != "finished" else "ok"
        run.finished_at = now
        run.status = "failed" if any(s.failed for s in summaries) else "ok"
        for summary in summaries:
            run.sources.append(
                SourceRun(
                    source=summary.source,
                    started_at=summary.started_at or run.started_at,
                    finished_at=summary.finished_at or now,
                    finish_reason=summary.finish_reason,
                    pages=summary.pages,
                    list_pages=summary.list_pages,
                    list_items=summary.list_items,
                    notices_new=summary.new,
                    notices_updated=summary.updated,
                    notices_unchanged=summary.unchanged,
                    errors=summary.errors,
                    field_coverage=summary.coverage,
                    blocked=bool(summary.blocked_reason) or summary.status == "blocked",
                    blocked_reason=summary.blocked_reason,
                    status=summary.status,
                )
            )


def close_interrupted_runs(store: Store) -> int:
    """Mark runs left 'running' by a killed process as 'interrupted' (call only while holding the run lock)."""
    from sqlalchemy import update

    with store.session() as session:
        result = session.execute(update(CrawlRun).where(CrawlRun.status == "running").values(status="interrupted"))
        return int(getattr(result, "rowcount", 0) or 0)


def format_summary(summaries: Sequence[SourceSummary]) -> str:
    """The per-source summary table printed by `scs crawl` and `scs demo`."""
    header = ("source", "pages", "new", "updated", "unchanged", "errors", "status")
    rows = [header]
    for s in summaries:
        errors = ", ".join(f"{kind}={count}" for kind, count in sorted(s.errors.items())) or "-"
        status = s.status.upper() if s.failed else (s.status or "ok")
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
    reasons = [f"{s.source}: {reason}" for s in summaries for reason in s.reasons]
    if reasons:
        lines += ["", *reasons]
    return "\n".join(lines)

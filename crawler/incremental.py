"""Incremental crawling: what a spider may skip, decided from what the database already holds.

The database is the one source of truth of what is stored (no Scrapy JOBDIR: after a
SIGKILL it marks queued URLs as seen that were never stored, and the next run fetches
nothing). Each list page asks the database about its own entries (`store.ledger.known_among`:
never every URL of the source); then

- a list entry whose URL is known is not fetched again (`--full` fetches everything);
  known = stored notices (also under the URL they were listed at, when it redirected),
  plus pages quarantined for their content (a PDF link, a page without a body): those
  wait for `scs quarantine retry`. Pages that failed for a passing reason (HTTP error,
  timeout, block, a failed store) stay in the ledger and are fetched again by later runs
  with backoff (`retry_urls`), whatever list pages those read.
- paging a column stops after a list page whose entries are all known, or all dated
  before `--since`;
- except when the source's previous run was killed or failed to store something: that run
  may have stored page 1 and died (or lost a write) before page 2's details, so this run
  pages on (still skipping known details) and so finishes the killed run's work. A kill -9 followed by a rerun thus
  ends with the same notices as one uninterrupted crawl.

Settings: `SCS_FULL_CRAWL` (bool), `SCS_SINCE` (ISO date), `SCS_DETAIL_URLS` (source
id -> URLs to fetch as detail pages instead of crawling the lists: quarantine retry),
`SCS_LEDGER_RETRY_BASE` (seconds, default 600) and `SCS_LEDGER_MAX_ATTEMPTS` (default 8):
the backoff of a listed URL that failed, and when it is given up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Error kinds of a source run after which some listed notice may be missing: the next run pages on.
LOSS_KINDS = ("store-error", "quarantine-error")


@dataclass
class CrawlScope:
    full: bool = False
    since: dt.date | None = None
    known_urls: frozenset[str] = frozenset()
    resuming: bool = False  # the previous run of this source was killed or lost a write
    detail_urls: tuple[str, ...] = ()  # fetch only these, as detail pages
    retry_urls: tuple[str, ...] = ()  # listed earlier, not stored, due again (the ledger)
    lookup: Callable[[Sequence[str]], frozenset[str]] | None = field(default=None, repr=False)
    close: Callable[[], None] = field(default=lambda: None, repr=False)

    def look_up(self, urls: Sequence[str]) -> None:
        """Learn which of one list page's URLs the database already holds (adds to `known_urls`)."""
        if self.lookup is not None and not self.full:
            self.known_urls = self.known_urls | self.lookup(urls)

    def skip_reason(self, url: str, date_raw: str = "") -> str | None:
        """Why a list entry's detail page is not fetched ("known", "older"), or None to fetch it."""
        if self.full:
            return None
        if url in self.known_urls:
            return "known"
        if self.since is not None:
            published = entry_date(date_raw)
            if published is not None and published < self.since:
                return "older"
        return None

    def keep_paging(self, entries: Sequence[Any]) -> bool:
        """Whether to request the next list page after one with these entries (with `url`, `date_raw`)."""
        if self.full or not entries:
            return True
        if self.since is not None:
            dates = [entry_date(entry.date_raw) for entry in entries]
            if all(day is not None and day < self.since for day in dates):
                return False
        if self.resuming:
            return True
        return not all(entry.url in self.known_urls for entry in entries)


def entry_date(raw: str) -> dt.date | None:
    if not raw:
        return None
    from pipelines.dates import parse_date_fast

    try:
        return parse_date_fast(raw)
    except ValueError:
        return None


def parse_since(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def previous_run_was_killed(session: Any, source: str, run_id: int | None) -> bool:
    """Whether the last crawl before `run_id` that could have covered `source` died before recording it,
    or recorded a notice it could not store (nor quarantine)."""
    from sqlalchemy import select

    from store.models import CrawlRun, SourceRun

    query = select(CrawlRun).where(CrawlRun.command.in_(("crawl", "demo"))).order_by(CrawlRun.id.desc()).limit(50)
    if run_id is not None:
        query = query.where(CrawlRun.id < run_id)
    for run in session.scalars(query):
        if run.status in ("running", "interrupted"):
            return True
        recorded = session.scalar(select(SourceRun).where(SourceRun.run_id == run.id, SourceRun.source == source))
        if recorded is not None:
            errors = recorded.errors or {}
            return recorded.finish_reason != "finished" or any(errors.get(kind) for kind in LOSS_KINDS)
    return False


def load_scope(settings: Any, source: str) -> CrawlScope:
    """The scope of one source's crawl from the Scrapy settings and the database.

    The scope keeps a store open for the per-page lookups; the spider calls `scope.close()` at the end.
    """
    detail_urls = tuple((settings.getdict("SCS_DETAIL_URLS") or {}).get(source, ()))
    full = settings.getbool("SCS_FULL_CRAWL")
    since = parse_since(settings.get("SCS_SINCE"))
    database_url = settings.get("SCS_DATABASE_URL")
    if detail_urls or full or not database_url:
        return CrawlScope(full=True, since=since, detail_urls=detail_urls)
    import datetime as dt

    from store.db import Store
    from store.ledger import due_for_retry, known_among

    store = Store(database_url, upgrade=False)

    def lookup(urls: Sequence[str]) -> frozenset[str]:
        with store.session() as session:
            return known_among(session, urls)

    with store.session() as session:
        return CrawlScope(
            since=since,
            resuming=previous_run_was_killed(session, source, settings.getint("SCS_RUN_ID") or None),
            retry_urls=tuple(
                due_for_retry(
                    session,
                    source,
                    base=dt.timedelta(seconds=settings.getfloat("SCS_LEDGER_RETRY_BASE", 600.0)),
                    max_attempts=settings.getint("SCS_LEDGER_MAX_ATTEMPTS", 8),
                )
            ),
            lookup=lookup,
            close=store.dispose,
        )

"""The item stages: thin adapters from items to the pure functions.

Order: normalise → dates → classify → store (`StageChain`); Scrapy runs the chain
through `pipelines.offload.StagesPipeline`, in a worker process or inline. A
`FailedPage` passes straight through to the store, which quarantines it. Each stage
catches its own errors per item: a crash on one notice turns that notice into a
`FailedPage` with the reason and never stops the crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from pipelines.attachments import is_attachment, refresh_entities, store_attachment
from pipelines.text import clean_body, clean_doc_number, clean_line, clean_title, content_hash

logger = logging.getLogger(__name__)


def _failed(item: Any, kind: str, reason: str) -> Any:
    from crawler.items import FailedPage

    return FailedPage(source=item.source, url=item.url, kind=kind, reason=reason, listed_url=item.listed_url)


def _is_notice(item: Any) -> bool:
    from crawler.items import NoticeItem

    return isinstance(item, NoticeItem)


class _Stage:
    """Runs `handle` on notices only, turning any exception into a quarantined page."""

    error_kind = "pipeline-error"

    def process_item(self, item: Any) -> Any:
        if not _is_notice(item):
            return item
        try:
            return self.handle(item)
        except Exception as error:
            logger.exception("%s failed on %s", type(self).__name__, item.url)
            detail = "".join(traceback.format_exception_only(error)).strip()
            return _failed(item, self.error_kind, f"{type(self).__name__}: {detail}")

    def handle(self, item: Any) -> Any:
        raise NotImplementedError


class NormalizePipeline(_Stage):
    """Cleans text fields; a notice without a title or body becomes a quarantined page."""

    def handle(self, item: Any) -> Any:
        item.title = clean_title(item.title)
        item.body = clean_body(item.body)
        item.publisher = clean_line(item.publisher)
        item.doc_number = clean_doc_number(item.doc_number)
        if not item.title:
            return _failed(item, "no-title", "the page has no title")
        if not item.body:
            return _failed(item, "empty-body", "the page has no body text")
        return item


class DatesPipeline(_Stage):
    """Picks the published and written dates from the page's candidates, with the reason."""

    def handle(self, item: Any) -> Any:
        from pipelines.docdates import pick_document_dates

        crawl_time = item.fetched_at if isinstance(item.fetched_at, dt.datetime) else dt.datetime.now(dt.UTC)
        dates = pick_document_dates(item.date_candidates, url=item.url, body=item.body, crawl_time=crawl_time)
        item.published, item.written = dates.published, dates.written
        item.published_raw, item.written_raw = dates.published_raw, dates.written_raw
        item.published_reason, item.written_reason = dates.published_reason, dates.written_reason
        if item.published is None and "no-date" not in item.flags:
            item.flags.append("no-date")
        item.content_hash = content_hash(
            [
                ("title", item.title),
                ("body", item.body),
                ("publisher", item.publisher),
                ("doc_number", item.doc_number),
                ("published", item.published),
                ("written", item.written),
                ("attachments", [(a.url, a.name) for a in item.attachments]),
            ]
        )
        return item


class ClassifyPipeline(_Stage):
    """Tags the notice (relevance, SCS types, industries, locations) with evidence.

    A relevant notice also gets a machine draft of its English headline and summary,
    for the analyst to edit: it is never published unless an analyst approves it.
    """

    def handle(self, item: Any) -> Any:
        from pipelines.tagging import tag_notice

        tagging = tag_notice(item)
        item.classification = tagging.classification
        item.draft_headline, item.draft_summary = tagging.draft_headline, tagging.draft_summary
        return item


# A FailedPage of these kinds is a detail page that was parsed but lacked a required field: the
# fields that were checked, and whether each was there (the spider checks the title before the body).
_FIELDS_OF_INCOMPLETE_PAGE: dict[str, dict[str, bool]] = {
    "no-title": {"title": False},
    "empty-body": {"title": True, "body": False},
}


def fields_checked(item: Any) -> dict[str, bool] | None:
    """Which of title, body, date a parsed detail page was checked for, and whether it had them.

    None for items that say nothing about page layout (network and HTTP failures). Counted
    per run for the field-coverage monitor: a site redesign shows as a field disappearing
    from most pages before it shows as zero notices.
    """
    if _is_notice(item):
        return {"title": bool(item.title), "body": bool(item.body), "date": item.published is not None}
    return _FIELDS_OF_INCOMPLETE_PAGE.get(getattr(item, "kind", ""))


# Stats key prefix of a notice that could not be stored (nor, for a failed page, quarantined): `scs crawl`
# names these URLs and exits non-zero; the ledger or the next run's paging fetches them again.
UNSTORED_STAT = "scs/unstored/"


class StorePipeline:
    """Writes notices (upsert) and failed pages (quarantine), one transaction per item, each with its
    ledger row (`store.ledger`); a `ListedPage` records a list page's entries in the ledger.

    The outcome of every item is counted in the crawl stats for the run record:
    `scs/notices/<new|updated|unchanged>`, `scs/quarantined/<kind>` (each failed page
    once, whichever stage failed it), `scs/coverage/<checked|missing>/<title|body|date>`,
    `scs/unstored/<url>` (a notice lost to a failed write).
    """

    def __init__(self, database_url: str | None, run_id: int | None, stats: Any) -> None:
        self.database_url = database_url
        self.run_id = run_id
        self.stats = stats  # anything with Scrapy's `inc_value`
        self.store: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        settings = crawler.settings
        return cls(settings.get("SCS_DATABASE_URL"), settings.getint("SCS_RUN_ID") or None, crawler.stats)

    def open_spider(self) -> None:
        from store.db import Store

        # Migrations are run once by the command that starts the crawl, not by every spider.
        self.store = Store(self.database_url, upgrade=False)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.dispose()

    def process_item(self, item: Any) -> Any:
        from crawler.items import ListedPage
        from store.ledger import CONTENT_FAILURE_KINDS, record_listed, record_outcome
        from store.repository import quarantine_page, resolve_quarantined, save_notice

        stats = self.stats
        if isinstance(item, ListedPage):
            try:
                with self.store.session() as session:
                    record_listed(session, item.source, item.list_url, item.urls, item.known, self.run_id)
            except Exception:  # no loss by itself: each detail page settles its own row when stored
                logger.exception("recording the entries of %s in the ledger failed", item.list_url)
                stats.inc_value("scs/ledger-error")
            return item
        for name, present in (fields_checked(item) or {}).items():
            stats.inc_value(f"scs/coverage/checked/{name}")
            if not present:
                stats.inc_value(f"scs/coverage/missing/{name}")
        if is_attachment(item):
            return store_attachment(self.store, item, stats)
        if _is_notice(item):
            try:
                with self.store.session() as session:
                    outcome = save_notice(session, item, run_id=self.run_id)
                    if item.listed_url:  # the same transaction: a stored notice is settled in the ledger
                        record_outcome(
                            session, item.source, item.listed_url, "stored", final_url=item.url, run_id=self.run_id
                        )
                    resolve_quarantined(session, {item.url, item.listed_url or item.url})
            except Exception as error:
                logger.exception("storing %s failed", item.url)
                item = _failed(item, "store-error", f"{type(error).__name__}: {error}")
            else:
                stats.inc_value(f"scs/notices/{outcome}")
                if outcome != "unchanged":
                    refresh_entities(self.store, item.url, stats)
                for flag in item.flags:
                    stats.inc_value(f"scs/flags/{flag}")
                return item
        try:
            with self.store.session() as session:
                quarantine_page(session, item, run_id=self.run_id)
                if item.listed_url:
                    state = "quarantined" if item.kind in CONTENT_FAILURE_KINDS else "failed"
                    reason = f"{item.kind}: {item.reason}"
                    record_outcome(session, item.source, item.listed_url, state, reason=reason, run_id=self.run_id)
        except Exception:
            logger.exception("quarantining %s failed", item.url)
            stats.inc_value("scs/quarantined/quarantine-error")
            stats.inc_value(f"{UNSTORED_STAT}{item.listed_url or item.url}")
        else:
            stats.inc_value(f"scs/quarantined/{item.kind}")
            if item.kind == "store-error":
                stats.inc_value(f"{UNSTORED_STAT}{item.listed_url or item.url}")
        return item


_STAGES_BEFORE_STORE = (NormalizePipeline(), DatesPipeline(), ClassifyPipeline())  # stateless


def prepared(item: Any) -> Any:
    """The item after normalise → dates → classify: everything but the store."""
    for stage in _STAGES_BEFORE_STORE:
        item = stage.process_item(item)
    return item


class StageChain:
    """normalise → dates → classify → store for one item, the store counting outcomes into `stats`."""

    def __init__(self, database_url: str | None, run_id: int | None, stats: Any) -> None:
        self.store = StorePipeline(database_url, run_id, stats)

    def open(self) -> None:
        self.store.open_spider()

    def close(self) -> None:
        self.store.close_spider()

    def process(self, item: Any) -> Any:
        return self.store.process_item(prepared(item))

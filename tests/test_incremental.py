"""Incremental crawls: known notices are not fetched again, paging stops at known or old list pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from crawl_harness import run_scs
from sqlalchemy import func, select

from crawler.incremental import CrawlScope
from mirror.attachments import linked_attachments
from mirror.server import MirrorServer
from store.db import Store
from store.models import Notice, QuarantinedPage


@dataclass
class Entry:
    url: str
    date_raw: str = ""


KNOWN = frozenset({"https://a.gov.cn/1.html", "https://a.gov.cn/2.html"})


@pytest.mark.parametrize(
    ("scope", "url", "date_raw", "reason"),
    [
        (CrawlScope(known_urls=KNOWN), "https://a.gov.cn/1.html", "", "known"),
        (CrawlScope(known_urls=KNOWN), "https://a.gov.cn/3.html", "", None),
        (CrawlScope(known_urls=KNOWN, full=True), "https://a.gov.cn/1.html", "", None),
        (CrawlScope(since=dt.date(2025, 7, 1)), "https://a.gov.cn/3.html", "2025-06-30", "older"),
        (CrawlScope(since=dt.date(2025, 7, 1)), "https://a.gov.cn/3.html", "2025年7月1日", None),
        (CrawlScope(since=dt.date(2025, 7, 1)), "https://a.gov.cn/3.html", "", None),  # no date: fetch it
    ],
)
def test_skip_reason(scope: CrawlScope, url: str, date_raw: str, reason: str | None) -> None:
    assert scope.skip_reason(url, date_raw) == reason


ALL_KNOWN = [Entry("https://a.gov.cn/1.html"), Entry("https://a.gov.cn/2.html")]
ONE_NEW = [Entry("https://a.gov.cn/3.html"), Entry("https://a.gov.cn/1.html")]
OLD = [Entry("https://a.gov.cn/8.html", "2025-06-01"), Entry("https://a.gov.cn/9.html", "2025-05-30")]
MIXED = [Entry("https://a.gov.cn/8.html", "2025-07-02"), Entry("https://a.gov.cn/9.html", "2025-05-30")]


@pytest.mark.parametrize(
    ("scope", "entries", "keep_paging"),
    [
        (CrawlScope(known_urls=KNOWN), ALL_KNOWN, False),
        (CrawlScope(known_urls=KNOWN), ONE_NEW, True),
        (CrawlScope(known_urls=KNOWN, full=True), ALL_KNOWN, True),
        (CrawlScope(known_urls=KNOWN, resuming=True), ALL_KNOWN, True),  # the killed run may have left page 2 undone
        (CrawlScope(since=dt.date(2025, 7, 1)), OLD, False),
        (CrawlScope(since=dt.date(2025, 7, 1), resuming=True), OLD, False),
        (CrawlScope(since=dt.date(2025, 7, 1)), MIXED, True),
        (CrawlScope(), [], True),
    ],
)
def test_keep_paging(scope: CrawlScope, entries: list[Entry], keep_paging: bool) -> None:
    assert scope.keep_paging(entries) == keep_paging


NDRC = "www.ndrc.gov.cn"


def detail_hits(mirror: MirrorServer, start: int = 0) -> Counter[str]:
    """Detail pages (not list pages, not robots.txt, not the notices' attachments) requested from ndrc since `start`."""
    return Counter(
        hit.path
        for hit in mirror.hits[start:]
        if hit.host == NDRC
        and "/index" not in hit.path
        and hit.path != "/robots.txt"
        and PurePosixPath(hit.path).name not in linked_attachments()
    )


def stored(db_url: str) -> tuple[list[str], list[tuple[str, str]]]:
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        urls = sorted(session.scalars(select(Notice.url).where(Notice.source == "ndrc")))
        assert session.scalar(select(func.count(func.distinct(Notice.url)))) == session.scalar(
            select(func.count()).select_from(Notice)
        )
        failed = sorted((url, kind) for url, kind in session.execute(select(QuarantinedPage.url, QuarantinedPage.kind)))
    store.dispose()
    return urls, failed


@pytest.mark.slow
def test_rerun_fetches_no_detail_page_twice_and_full_fetches_all(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        first = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
        first_hits = detail_hits(mirror)
        assert first.returncode == 0, first.stdout + first.stderr
        notices, failed = stored(db_url)
        assert len(notices) >= 5

        mark = len(mirror.hits)
        second = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
        assert second.returncode == 0, second.stdout + second.stderr
        again = detail_hits(mirror, mark)
        stored_paths = {url.split(NDRC, 1)[1] for url in notices}
        content_failed = {url.split(NDRC, 1)[1] for url, kind in failed if kind in ("not-html", "empty-body")}
        assert not set(again) & (stored_paths | content_failed), again
        assert stored(db_url) == (notices, failed)
        row = next(line for line in second.stdout.splitlines() if line.startswith("ndrc")).split()
        assert (row[2], row[3]) == ("0", "0")  # new, updated
        assert 0 < int(row[4]) <= len(notices)  # unchanged: the known ones on the list pages still read

        mark = len(mirror.hits)
        full = run_scs(db_url, "crawl", "ndrc", "--full", "--mirror", mirror.url)
        assert full.returncode == 0, full.stdout + full.stderr
        assert set(detail_hits(mirror, mark)) == set(first_hits)
        assert stored(db_url)[0] == notices


@pytest.mark.slow
def test_since_skips_old_entries_and_stops_paging(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        result = run_scs(db_url, "crawl", "ndrc", "--since", "2025-07-01", "--mirror", mirror.url)
        assert result.returncode == 0, result.stdout + result.stderr
        hit_paths = {hit.path for hit in mirror.hits_for(NDRC)}
    notices, _ = stored(db_url)
    assert notices and all("/202507/" in url for url in notices), notices
    assert not any("/202506/" in path for path in hit_paths)  # June notices: listed, never fetched

"""`scs quarantine` lists the pages that could not become notices; `scs quarantine retry` fetches them again."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from crawl_harness import run_scs
from sqlalchemy import select

from mirror.faults import Fault, FaultyMirror
from mirror.server import MirrorServer
from scs.commands.quarantine import retry_targets
from store.db import Store
from store.models import CrawlRun, Notice, QuarantinedPage

NDRC = "www.ndrc.gov.cn"
BROKEN_THEN_FIXED = "/xxgk/zcfb/tz/202507/t20250718_1399285.html"  # a 500 during the crawl, fine afterwards
EMPTY_BODY = "/xxgk/zcfb/tz/202506/t20250612_1398577.html"  # no body container: fails again


def row(source: str, url: str, kind: str) -> SimpleNamespace:
    return SimpleNamespace(source=source, url=url, kind=kind)


def test_retry_targets_skip_list_pages_and_repeat_urls() -> None:
    rows = [
        row("ndrc", "https://a/1.html", "parse-error"),
        row("ndrc", "https://a/1.html", "http-error"),
        row("ndrc", "https://a/index.html", "http-error"),  # a column's start URL
        row("ndrc", "https://a/index_3.html", "empty-list"),
        row("ndrc", "https://a/index_4.html", "http-error"),  # a later list page
        row("govcn", "https://b/api?p=3", "timeout"),  # the list API, another page
        row("govcn", "https://b/api?p=1", "not-json"),
        row("govcn", "https://b/2.htm", "timeout"),
    ]
    assert retry_targets(rows, {"ndrc": {"https://a/index.html"}, "govcn": {"https://b/api?p=1"}}) == {
        "ndrc": ["https://a/1.html"],
        "govcn": ["https://b/2.htm"],
    }


@pytest.mark.slow
def test_quarantine_list_and_retry_after_a_fix(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    faults = {(NDRC, BROKEN_THEN_FIXED): Fault(status=500)}
    with FaultyMirror(faults) as mirror:
        crawl = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url, "-s", "SCS_RETRY_BASE_DELAY=0.05")
    assert crawl.returncode in (0, 1), crawl.stderr

    listed = run_scs(db_url, "quarantine", "--json", "--source", "ndrc")
    assert listed.returncode == 0, listed.stderr
    rows = {(r["url"].split(NDRC, 1)[1], r["kind"]): r for r in json.loads(listed.stdout)}
    assert rows[(BROKEN_THEN_FIXED, "http-error")]["status"] == 500
    assert rows[(EMPTY_BODY, "empty-body")]["body_bytes"] > 0  # the raw bytes are kept
    only_http = json.loads(run_scs(db_url, "quarantine", "--json", "--kind", "http-error").stdout)
    assert only_http and {r["kind"] for r in only_http} == {"http-error"}

    with MirrorServer() as mirror:
        retry = run_scs(db_url, "quarantine", "retry", "--source", "ndrc", "--mirror", mirror.url)
        retried = {hit.path for hit in mirror.hits_for(NDRC)}
    assert retry.returncode == 1, retry.stdout + retry.stderr  # the empty page still fails
    assert f"resolved  https://{NDRC}{BROKEN_THEN_FIXED}" in retry.stdout
    assert f"failing   https://{NDRC}{EMPTY_BODY}" in retry.stdout
    assert not any("index" in path for path in retried)  # detail pages only, no list crawl

    store = Store(db_url, upgrade=False)
    with store.session() as session:
        assert session.scalar(select(Notice.id).where(Notice.url == f"https://{NDRC}{BROKEN_THEN_FIXED}"))
        states = {
            (r.url.split(NDRC, 1)[1], r.kind): (r.resolved, r.attempts)
            for r in session.scalars(select(QuarantinedPage))
        }
        commands = [run.command for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    store.dispose()
    assert states[(BROKEN_THEN_FIXED, "http-error")][0] is True
    assert states[(EMPTY_BODY, "empty-body")] == (False, 2)
    assert commands == ["crawl", "quarantine-retry"]

    after = json.loads(run_scs(db_url, "quarantine", "--json").stdout)
    assert BROKEN_THEN_FIXED not in {r["url"].split(NDRC, 1)[1] for r in after}

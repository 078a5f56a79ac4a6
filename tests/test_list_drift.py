"""A source whose list selectors drift is reported: the crawl records the disagreement, `scs health` says drifting.

The page is the real NDRC list (shared/pages/lists/01.html, read in place); the drifting selector is
the one the ndrc source had before it was checked against that page (`.u-list li`, which also
matches the nested 相关解读 items and the separators).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import shared_dir
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import FailedPage
from crawler.listdetect import ListPage, detect_list, drift_reason
from crawler.spiders.base import NoticeSpider
from crawler.spiders.sources import spider_class
from scs.crawling import SourceSummary
from scs.monitoring import source_health

NDRC_LIST = shared_dir() / "pages" / "lists" / "01.html"
NDRC_URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"
needs_page = pytest.mark.skipif(not NDRC_LIST.is_file(), reason=f"no real list pages at {NDRC_LIST.parent}")


def ndrc_spider(item_selector: str | None = None) -> NoticeSpider:
    cls = spider_class("ndrc")
    if item_selector is not None:
        options = dataclasses.replace(cls.source.options, item_selector=item_selector)
        cls = type("DriftedNdrc", (cls,), {"source": dataclasses.replace(cls.source, options=options)})
    crawler = get_crawler(cls)
    spider = crawler.spidercls.from_crawler(crawler)
    assert isinstance(spider, NoticeSpider)
    return spider


def drift_pages(spider: NoticeSpider) -> list[FailedPage]:
    response = HtmlResponse(NDRC_URL, body=NDRC_LIST.read_bytes(), encoding="utf-8")
    out = spider.parse_list(response, column=spider.source.columns[0], page=1)
    return [item for item in out if isinstance(item, FailedPage) and item.kind == "list-drift"]


@needs_page
def test_the_checked_ndrc_selector_agrees_with_the_detector() -> None:
    assert drift_pages(ndrc_spider()) == []


@needs_page
def test_a_drifting_selector_is_recorded_with_the_page_and_reported_by_health() -> None:
    (drift,) = drift_pages(ndrc_spider(".u-list li"))
    assert "the detector 25" in drift.reason and drift.body == NDRC_LIST.read_bytes()
    # The store counts each quarantined page under scs/quarantined/<kind>; the run's figures come from there.
    stats = {
        "finish_reason": "finished",
        "scs/list_pages": 1,
        "scs/list_entries": 70,
        "scs/notices/new": 25,
        "scs/quarantined/list-drift": 1,
    }
    now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    figures = SourceSummary.from_stats("ndrc", stats).figures(now)
    health = source_health("ndrc", [figures], [now.date()], now)
    assert health.status == "drifting"
    assert any("list-drift" in reason for reason in health.reasons)


def test_drift_reasons() -> None:
    rows = "".join(
        f'<li><a href="/a/t2026110{i}_{i}.html">第{i}个通知的标题文字</a><span>2026-11-0{i}</span></li>'
        for i in range(1, 5)
    )
    detected = detect_list(f"<ul>{rows}</ul>", "https://example.gov.cn/a/")
    assert len(detected.entries) == 4
    assert drift_reason([("title", True)] * 4, detected) == ""
    assert "found 5 entries, the detector 4" in drift_reason([("title", True)] * 5, detected)
    assert "1 configured entries have no title" in drift_reason([("", True)] + [("t", True)] * 3, detected)
    assert "2 configured entries have no date" in drift_reason([("t", False)] * 2 + [("t", True)] * 2, detected)
    assert drift_reason([("t", False)], ListPage()) == ""  # no list found: no opinion

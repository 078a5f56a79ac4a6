"""The three pagination traps of issue 14 end within their bound, with the reason recorded.

(1) a next page that always exists, (2) list pages that repeat the same entries, (3) an
interrupted run that resumes (pages past known list pages) on such a site. Driven through
the shared list flow with SYNTHETIC ndrc list pages; the end-to-end check crawls a SYNTHETIC
mirror whose page 2 repeats page 1 and claims 99,999 pages.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import scrapy
from crawl_harness import run_scs
from generated_mirror import build_mirror
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.incremental import CrawlScope
from crawler.items import FailedPage
from crawler.sourceconfig import DEFAULT_MAX_PAGES, SourceConfigError, load_sources, parse_source
from crawler.spiders.base import NoticeSpider
from crawler.spiders.families import FAMILIES
from crawler.spiders.sources import spider_class
from mirror.faults import Fault, FaultyMirror
from store.db import Store
from store.models import QuarantinedPage

ENDLESS = 'createPageHTML(99999, 0, "index", "html");'  # the site claims 99,999 pages


def make_spider(max_pages: int | None = None, scope: CrawlScope | None = None) -> NoticeSpider:
    cls = spider_class("ndrc")
    if max_pages is not None:
        cls = type("Limited", (cls,), {"source": dataclasses.replace(cls.source, max_pages=max_pages)})
    crawler = get_crawler(cls)
    spider: NoticeSpider = crawler.spidercls.from_crawler(crawler)
    if scope is not None:
        spider.scope = scope
    return spider


def list_page(url: str, ids: range) -> HtmlResponse:
    items = "".join(f'<li><a href="./202507/t20250718_{n}.html">标题{n}</a><span>2025/07/18</span></li>' for n in ids)
    body = f'<ul class="u-list">{items}</ul><script>{ENDLESS}</script>'
    return HtmlResponse(url, body=body.encode(), encoding="utf-8")


def page_through(spider: NoticeSpider, pages: int, ids_of_page: Any) -> tuple[int, list[FailedPage]]:
    """Feed list pages 1, 2, … while the spider asks for the next one; (pages read, paging-stopped records)."""
    column = spider.source.columns[0]
    stopped: list[FailedPage] = []
    for page in range(1, pages + 1):
        out = list(spider.parse_list(list_page(column.url, ids_of_page(page)), column=column, page=page))
        stopped += [o for o in out if isinstance(o, FailedPage) and o.kind == "paging-stopped"]
        if not any(isinstance(o, scrapy.Request) and o.callback == spider.parse_list for o in out):
            return page, stopped
    raise AssertionError(f"still paging after {pages} pages")


def test_a_next_page_that_always_exists_ends_at_the_page_limit() -> None:
    read, stopped = page_through(make_spider(max_pages=5), 50, lambda page: range(page * 10, page * 10 + 10))
    assert read == 5
    assert [s.reason for s in stopped] == ["page limit reached: 5 list pages of column 'notices' (max_pages)"]


def test_list_pages_repeating_the_same_entries_end_at_the_first_repeat() -> None:
    read, stopped = page_through(make_spider(), 50, lambda page: range(10))  # every page is page 1 again
    assert read == 2
    assert "only repeats entries of earlier pages" in stopped[0].reason


def test_a_resumed_run_on_an_endless_site_ends_at_the_page_limit() -> None:
    # Resuming pages past known list pages: without a limit it would never stop on this site.
    known = frozenset(f"https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/t20250718_{n}.html" for n in range(10_000))
    spider = make_spider(max_pages=7, scope=CrawlScope(known_urls=known, resuming=True))
    read, stopped = page_through(spider, 50, lambda page: range(page * 10, page * 10 + 10))
    assert read == 7 and len(stopped) == 1


def test_every_source_has_a_page_limit_and_a_file_may_change_it() -> None:
    sources = load_sources()
    assert all(source.max_pages >= 1 for source in sources.values())
    assert sources["ndrc"].max_pages == DEFAULT_MAX_PAGES and sources["govcn"].max_pages == 50
    data = {
        "id": "x",
        "name": "x",
        "family": "trs_static",
        "jurisdiction": "000000",
        "publisher": "x",
        "columns": [{"name": "notices", "url": "https://x.gov.cn/tz/index.html"}],
        "options": {"item_selector": "li"},
    }
    for bad in (0, -3, "ten", True):
        with pytest.raises(SourceConfigError, match="max_pages"):
            parse_source({**data, "max_pages": bad}, "x.toml", FAMILIES)


@pytest.mark.slow
def test_a_site_whose_page_2_repeats_page_1_is_crawled_to_an_end_with_the_reason(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    build_mirror(fixtures, {"mot": 90})
    page_1 = next((fixtures / "www.mot.gov.cn" / "bodies").rglob("hudong_yijianzhengji_index.html")).read_text("utf-8")
    looping = page_1.replace("createPageHTML(3,", "createPageHTML(99999,").encode()
    faults = {
        ("www.mot.gov.cn", "/hudong/yijianzhengji/index.html"): Fault(body=looping),
        ("www.mot.gov.cn", "/hudong/yijianzhengji/index_1.html"): Fault(body=looping),
    }
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with FaultyMirror(faults, fixtures_dir=fixtures) as mirror:
        result = run_scs(db_url, "crawl", "mot", "--mirror", mirror.url, "--full", timeout=120)
        list_hits = [hit.path for hit in mirror.hits if hit.path.startswith("/hudong/yijianzhengji/index")]
    assert "Traceback" not in result.stderr, result.stderr
    assert list_hits == ["/hudong/yijianzhengji/index.html", "/hudong/yijianzhengji/index_1.html"]
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        reasons = list(session.scalars(select(QuarantinedPage.reason).where(QuarantinedPage.kind == "paging-stopped")))
    store.dispose()
    assert len(reasons) == 1 and "only repeats entries of earlier pages" in reasons[0]

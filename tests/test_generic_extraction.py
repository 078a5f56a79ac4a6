"""Generic extraction on detail pages of CMS dialects that no source file names.

The pages (synthetic, written by us in each dialect's documented structure) and what a reader sees on them are in
tests/fixtures/generic/ (`expected.toml`). Each goes through what a spider does with
a detail response: decode by the declared charset (GB-family as GB18030), extract with
no per-site selector, pick the published date from the candidates.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from crawler.encoding import decode_html, is_mojibake
from crawler.extract import FALLBACK_FLAG, extract_detail
from crawler.spiders.base import ListEntry, NoticeSpider
from pipelines.docdates import pick_document_dates

GENERIC = Path(__file__).parent / "fixtures" / "generic"
PAGES: list[dict[str, Any]] = tomllib.loads((GENERIC / "expected.toml").read_text(encoding="utf-8"))["page"]
BOILERPLATE = ("版权所有", "ICP备", "相关链接", "上一篇", "当前位置", "网站标识码", "热点推荐", "打印本页", "分享到")
CRAWL_TIME = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_at_least_ten_dialects() -> None:
    assert len(PAGES) >= 10
    assert len({page["file"] for page in PAGES}) == len(PAGES)
    assert any(page.get("fallback") for page in PAGES) and not all(page.get("fallback") for page in PAGES)


@pytest.mark.parametrize("expected", PAGES, ids=[page["file"] for page in PAGES])
def test_generic_extraction_gets_title_date_number_and_body(expected: dict[str, Any]) -> None:
    text, _ = decode_html((GENERIC / expected["file"]).read_bytes(), expected["content_type"])
    page = extract_detail(text, expected["url"])
    published = pick_document_dates(
        NoticeSpider.date_candidates(page, ListEntry(url=expected["url"])),
        url=expected["url"],
        body=page.body,
        crawl_time=CRAWL_TIME,
    ).published

    assert page.title == expected["title"]
    assert published == dt.date.fromisoformat(expected["published"])
    assert page.doc_number == expected["doc_number"]
    for sentence in expected["body_contains"]:
        assert sentence in page.body
    assert not [junk for junk in BOILERPLATE if junk in page.body], page.body
    assert not is_mojibake(page.title + page.body)
    assert (FALLBACK_FLAG in page.flags) == bool(expected.get("fallback"))


def test_a_labelled_time_inside_the_body_is_not_a_byline_date() -> None:
    html = (
        "<html><head><title>关于召开信用工作会议的通知-某市人民政府</title></head><body>"
        "<div class='bt'>关于召开信用工作会议的通知</div><div class='src'>【信息时间：2026-11-02】</div>"
        "<div id='zoom'><p>一、时间：2026年12月1日上午9时</p><p>二、地点：市政府三楼会议室</p></div></body></html>"
    )
    page = extract_detail(html, "https://www.example.gov.cn/content/2026/1.html")
    assert page.title == "关于召开信用工作会议的通知"
    assert page.byline_dates == ["2026-11-02"]


def test_the_fallback_flag_reaches_the_notice() -> None:
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from crawler.items import NoticeItem
    from crawler.spiders.sources import spider_class

    crawler = get_crawler(spider_class("credit_sichuan"))
    spider = crawler.spidercls.from_crawler(crawler)
    expected = next(page for page in PAGES if page["file"] == "dede_county_news.html")
    body = (GENERIC / expected["file"]).read_bytes()
    response = HtmlResponse(expected["url"], body=body, headers={"Content-Type": expected["content_type"]})
    (item,) = spider.parse_detail(response, entry=ListEntry(url=expected["url"]))
    assert isinstance(item, NoticeItem)
    assert FALLBACK_FLAG in item.flags and expected["body_contains"][0] in item.body

"""Every block-page kind, on list and detail pages of real source spiders: recorded as blocked, never parsed."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler
from test_blocking import CAPTCHA_TEXT, CREDITCHINA_40001, JSL_521, RUISHU, TIANAI, WAF_TITLE

from crawler.items import FailedPage, NoticeItem
from crawler.spiders.base import ListEntry, NoticeSpider
from crawler.spiders.sources import spider_class

BLOCKS = [
    ("jsl", 521, {"Set-Cookie": "__jsluid_s=8f1c0a; path=/"}, JSL_521),
    ("ruishu", 412, {}, RUISHU),
    ("captcha", 200, {}, TIANAI),
    ("captcha", 200, {}, CAPTCHA_TEXT),
    ("captcha", 200, {"Content-Type": "application/json"}, CREDITCHINA_40001),
    ("waf", 403, {}, WAF_TITLE),
]


def make_spider(source_id: str) -> NoticeSpider:
    crawler = get_crawler(spider_class(source_id))
    return crawler.spidercls.from_crawler(crawler)  # type: ignore[no-any-return]


def response(url: str, status: int, headers: dict[str, str], body: str) -> Any:
    cls = TextResponse if "json" in headers.get("Content-Type", "") else HtmlResponse
    return cls(url, status=status, headers=headers, body=body.encode("utf-8"), encoding="utf-8")


@pytest.mark.parametrize(("kind", "status", "headers", "body"), BLOCKS)
@pytest.mark.parametrize("source_id", ["spc", "credit_sichuan", "samr", "guangdong"])
def test_blocked_list_page(source_id: str, kind: str, status: int, headers: dict[str, str], body: str) -> None:
    spider = make_spider(source_id)
    column = spider.source.columns[0]
    url = spider.list_request(column, 1).url
    out = list(spider.parse_list(response(url, status, headers, body), column=column, page=1))
    assert [(type(item), item.kind) for item in out] == [(FailedPage, "blocked")]
    assert out[0].reason.startswith(f"{kind}: ") and out[0].status == status
    assert spider.crawler.stats.get_value("scs/blocked").startswith(f"{kind}: ")  # type: ignore[union-attr]


@pytest.mark.parametrize(("kind", "status", "headers", "body"), BLOCKS)
def test_blocked_detail_page_is_never_a_notice(kind: str, status: int, headers: dict[str, str], body: str) -> None:
    spider = make_spider("creditchina")
    url = "https://www.creditchina.gov.cn/xinyongdongtai/202611/t20261117_1.html"
    out = list(spider.parse_detail(response(url, status, headers, body), entry=ListEntry(url, "标题", "2026-11-17")))
    assert not [item for item in out if isinstance(item, NoticeItem)]
    assert [(item.kind, item.reason.split(":")[0]) for item in out] == [("blocked", kind)]

"""The shared spider flow and the family helpers, on hand-made responses (no network, no reactor)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import TCPTimedOutError
from twisted.python.failure import Failure

from crawler.items import FailedPage, ListedPage, NoticeItem
from crawler.sourceconfig import Column, SourceConfigError, load_sources, parse_source
from crawler.spiders.base import ListEntry, NoticeSpider, failure_reason
from crawler.spiders.govcn_api import GovcnApiOptions, api_page_url, strip_tags
from crawler.spiders.hanweb_jpage import HanwebJpageOptions, parse_dataproxy, record_range
from crawler.spiders.sources import spider_class
from crawler.spiders.trs_static import TrsStaticOptions, page_count, page_url


def make_spider(source_id: str) -> NoticeSpider:
    crawler = get_crawler(spider_class(source_id))
    return crawler.spidercls.from_crawler(crawler)  # type: ignore[no-any-return]


def stats(spider: NoticeSpider) -> dict[str, Any]:
    return {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("scs/")}  # type: ignore[union-attr]


def html(url: str, body: str, **kwargs: Any) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", **kwargs)


# -- family helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (1, "https://x.gov.cn/tz/index.html"),
        (2, "https://x.gov.cn/tz/index_1.html"),
        (5, "https://x.gov.cn/tz/index_4.html"),
    ],
)
def test_trs_page_url(page: int, expected: str) -> None:
    assert page_url("https://x.gov.cn/tz/index.html", page) == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(3, 0, "index", "html");', 3),
        ("createPageHTML('page_div',7, 1,'index','html',25);", 7),
        ("var countPage = 12//共多少页", 12),
        ("var pageCount = '4';", 4),
        ("<p>no pager</p>", None),
    ],
)
def test_trs_page_count(script: str, expected: int | None) -> None:
    assert page_count(f"<script>{script}</script>") == expected


def test_govcn_api_page_url_sets_page_and_size_only() -> None:
    url = "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&q=&p=1&n=20&type=gwyzcwjk"
    assert api_page_url(url, 3, 10) == (
        "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&q=&p=3&n=10&type=gwyzcwjk"
    )
    assert strip_tags("关于<em>信用</em>修复") == "关于信用修复"


@pytest.mark.parametrize(("page", "expected"), [(1, (1, 45)), (2, (46, 90)), (3, (91, 135))])
def test_hanweb_record_range(page: int, expected: tuple[int, int]) -> None:
    assert record_range(page, 45) == expected


def test_hanweb_dataproxy_parsing() -> None:
    xml = (
        "<datastore><recordset><record><![CDATA[\n<li><a href='/art/1.html'>一</a></li>\n]]></record>"
        "<record><![CDATA[<li>二]]></record></recordset><totalrecord>120</totalrecord></datastore>"
    )
    assert parse_dataproxy(xml) == (120, ["\n<li><a href='/art/1.html'>一</a></li>\n", "<li>二"])


@pytest.mark.parametrize(
    ("options_class", "raw", "field"),
    [
        (TrsStaticOptions, {"item_selector": " "}, "item_selector"),
        (GovcnApiOptions, {"page_size": 0}, "page_size"),
        (GovcnApiOptions, {"buckets": ["gongwen", "news"]}, "buckets"),
        (HanwebJpageOptions, {"proxy_path": "module/dataproxy.jsp"}, "proxy_path"),
        (HanwebJpageOptions, {"records_per_request": -1}, "records_per_request"),
    ],
)
def test_options_reject_bad_values_naming_the_field(options_class: type, raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        options_class(**raw)


def test_hanweb_column_without_params_is_refused_at_load() -> None:
    from crawler.spiders.families import FAMILIES

    data = {
        "id": "broken",
        "name": "x",
        "family": "hanweb_jpage",
        "jurisdiction": "320000",
        "publisher": "x",
        "columns": [{"name": "policies", "url": "https://www.jiangsu.gov.cn/col/col1/index.html", "params": {}}],
    }
    with pytest.raises(
        SourceConfigError, match=r"broken\.toml: column 'policies': params missing columnid, unitid, webid, webname"
    ):
        parse_source(data, "broken.toml", FAMILIES)


def test_spider_classes_carry_source_settings() -> None:
    cls = spider_class("govcn")
    assert cls.name == "govcn" and cls.source.id == "govcn"
    assert cls.custom_settings == {"ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 1.0}
    with pytest.raises(KeyError, match="no source 'nope'"):
        spider_class("nope")


def test_scrapy_finds_one_spider_per_source_file() -> None:
    """`scrapy crawl <source id>` works: SPIDER_MODULES holds a class per source file, named by its id."""
    settings = Settings()
    settings.setmodule("crawler.settings")
    loader = SpiderLoader.from_settings(settings)
    assert sorted(loader.list()) == sorted(load_sources())
    assert loader.load("ndrc") is spider_class("ndrc")


# -- shared flow ---------------------------------------------------------------------------------


def test_list_page_yields_details_and_the_next_page() -> None:
    spider = make_spider("ndrc")
    column = spider.source.columns[0]
    response = html(
        column.url,
        '<ul class="u-list"><li><a href="./202507/t20250718_1.html" title="标题一">标题一…</a>'
        "<span>2025/07/18</span></li>"
        '<li class="empty"></li></ul><script>createPageHTML(2, 0, "index", "html");</script>',
    )
    listed, *out = spider.parse_list(response, column=column, page=1)
    detail_url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/t20250718_1.html"
    assert listed == ListedPage(source="ndrc", list_url=column.url, urls=[detail_url], known=[])  # for the ledger
    assert [r.url for r in out] == [detail_url, "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html"]
    assert out[0].cb_kwargs["entry"] == ListEntry(out[0].url, "标题一", "2025/07/18")
    assert all(r.errback == spider.on_error for r in out)
    assert stats(spider) == {"scs/list_pages": 1, "scs/list_entries": 1}


def test_max_pages_stops_paging() -> None:
    spider = make_spider("govcn")  # max_pages = 50
    column = spider.source.columns[0]
    rows = [{"title": f"t{i}", "url": f"https://www.gov.cn/zhengce/content/202507/content_{i}.htm"} for i in range(10)]
    body = json.dumps({"searchVO": {"totalCount": 0, "catMap": {"gongwen": {"listVO": rows}}}}).encode()
    response = TextResponse(column.url, body=body, headers={"Content-Type": "application/json"})
    # The ledger's ListedPage, 10 details and page 50; then no page 51, and the stop recorded.
    assert len(list(spider.parse_list(response, column=column, page=49))) == 12
    *_, stop = spider.parse_list(response.replace(body=body.replace(b"content_", b"content_5")), column=column, page=50)
    assert isinstance(stop, FailedPage)
    assert stop.reason == "page limit reached: 50 list pages of column 'policies' (max_pages)"


def test_empty_list_page_is_recorded() -> None:
    spider = make_spider("ndrc")
    column = spider.source.columns[0]
    out = list(spider.parse_list(html(column.url, '<ul class="u-list"></ul>'), column=column, page=1))
    assert [(type(o), o.kind) for o in out] == [(FailedPage, "empty-list")]
    assert stats(spider)["scs/failed/empty-list"] == 1


def test_an_empty_page_ends_the_column_whatever_the_total_says() -> None:
    spider = make_spider("jiangsu")
    column = spider.source.columns[0]
    response = XmlResponse(column.url, body=b"<datastore><totalrecord>500</totalrecord></datastore>")
    out = list(spider.parse_list(response, column=column, page=1))
    assert [(type(o), o.kind) for o in out] == [(FailedPage, "empty-list")]


@pytest.mark.parametrize(
    ("source_id", "body", "kind"),
    [
        ("govcn", b"<html><body>portal</body></html>", "not-json"),
        ("govcn", b'{"result": []}', "list-parse-error"),
        ("jiangsu", b"<datastore><recordset></recordset></datastore>", "list-parse-error"),
    ],
)
def test_unusable_list_pages_become_failed_pages(source_id: str, body: bytes, kind: str) -> None:
    spider = make_spider(source_id)
    column = spider.source.columns[0]
    out = list(spider.parse_list(XmlResponse(column.url, body=body), column=column, page=1))
    assert len(out) == 1 and isinstance(out[0], FailedPage)
    assert (out[0].kind, out[0].status, out[0].body) == (kind, 200, body)


def test_a_crashing_family_hook_does_not_stop_the_crawl() -> None:
    class Crashing(spider_class("ndrc")):  # type: ignore[misc,valid-type]
        def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
            raise RuntimeError("selector exploded")

    crawler = get_crawler(Crashing)
    spider = Crashing.from_crawler(crawler)
    column = spider.source.columns[0]
    out = list(spider.parse_list(html(column.url, "<ul></ul>"), column=column, page=1))
    assert [(o.kind, o.reason) for o in out] == [("list-parse-error", "RuntimeError: selector exploded")]


DETAIL = (
    '<html><head><meta name="PubDate" content="2025-07-18 10:30"><title>页面标题_国家发展和改革委员会</title></head>'
    '<body><div class="TRS_Editor"><p>发改财金〔2025〕1号</p><p>正文。</p></div></body></html>'
)


def test_detail_page_becomes_a_notice() -> None:
    spider = make_spider("ndrc")
    entry = ListEntry("https://www.ndrc.gov.cn/a/t1.html", "列表标题", "2025/07/18", extra={"publisher": "某司"})
    (item,) = spider.parse_detail(html("https://www.ndrc.gov.cn/a/t1.html#top", DETAIL), entry=entry)
    assert isinstance(item, NoticeItem)
    assert (item.url, item.title, item.doc_number, item.publisher) == (
        "https://www.ndrc.gov.cn/a/t1.html",
        "页面标题",
        "发改财金〔2025〕1号",
        "某司",  # no publisher on the page: the list's
    )
    assert [(c.kind, c.raw) for c in item.date_candidates] == [("meta", "2025-07-18 10:30"), ("list", "2025/07/18")]
    assert item.body == "正文。"  # the 文号 line atop the text is read as the doc number, not kept as text
    assert stats(spider) == {"scs/detail_pages": 1, "scs/notices_yielded": 1}


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (
            Response("https://www.ndrc.gov.cn/a.pdf", body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}),
            "not-html",
        ),
        (
            TextResponse(
                "https://www.ndrc.gov.cn/a.html", body=b'{"a": 1}', headers={"Content-Type": "application/json"}
            ),
            "not-html",
        ),
        (HtmlResponse("https://www.ndrc.gov.cn/a.html", body=b"  \n"), "empty-response"),
        (html("https://www.ndrc.gov.cn/a.html", '<div class="TRS_Editor"><p>正文</p></div>'), "no-title"),
        (html("https://www.ndrc.gov.cn/a.html", "<title>标题</title><div class='TRS_Editor'> </div>"), "empty-body"),
        (
            html(
                "https://www.ndrc.gov.cn/a.html",
                "<title>访问受限</title><p>您的访问请求频繁，请稍后再试</p>",
                status=200,
            ),
            "blocked",
        ),
        (
            html(
                "https://www.ndrc.gov.cn/a.html",
                "<title>鍏充簬鍔犲己淇＄敤鐩戠鐨勯€氱煡</title><div id='zoom'>鍏充簬鍔犲己</div>",
            ),
            "mojibake",
        ),
    ],
    ids=["pdf", "json", "empty-response", "no-title", "empty-body", "blocked", "mojibake"],
)
def test_detail_pages_that_cannot_be_notices(response: Response, kind: str) -> None:
    spider = make_spider("ndrc")
    (item,) = spider.parse_detail(response, entry=ListEntry(response.url))
    assert isinstance(item, FailedPage)
    assert item.kind == kind, item.reason
    assert stats(spider)[f"scs/failed/{kind}"] == 1
    if kind == "blocked":
        assert stats(spider)["scs/blocked"].startswith("waf")


def test_wrongly_declared_charset_is_redecoded() -> None:
    spider = make_spider("ndrc")
    body = "<title>关于加强信用监管的通知</title><div id='zoom'><p>为加强信用监管，现通知如下。</p></div>".encode()
    response = HtmlResponse(
        "https://www.ndrc.gov.cn/a.html", body=body, headers={"Content-Type": "text/html; charset=gbk"}
    )
    (item,) = spider.parse_detail(response, entry=ListEntry(response.url))
    assert isinstance(item, NoticeItem)
    assert (item.title, item.flags[:1]) == ("关于加强信用监管的通知", ["redecoded"])


def test_errback_records_http_errors_and_timeouts_under_the_real_url() -> None:
    spider = make_spider("ndrc")
    request = scrapy.Request("http://127.0.0.1:1/a.html", meta={"scs_original_url": "https://www.ndrc.gov.cn/a.html"})
    not_found = html("https://www.ndrc.gov.cn/a.html", "<p>404</p>", status=404, request=request)
    http_failure = Failure(HttpError(not_found, "Ignoring non-200 response"))
    http_failure.request = request  # type: ignore[attr-defined]
    timeout = Failure(TCPTimedOutError())
    timeout.request = request  # type: ignore[attr-defined]
    (http_item,) = spider.on_error(http_failure)
    (timeout_item,) = spider.on_error(timeout)
    assert (http_item.kind, http_item.status, http_item.url) == ("http-error", 404, "https://www.ndrc.gov.cn/a.html")
    assert (timeout_item.kind, timeout_item.url) == ("timeout", "https://www.ndrc.gov.cn/a.html")
    assert stats(spider) == {"scs/failed/http-error": 1, "scs/failed/timeout": 1}


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TCPTimedOutError("took too long"), "took too long"),
        (DownloadCancelledError(), "download cancelled with no reason given"),
        (RuntimeError(), "no message (builtins.RuntimeError)"),
    ],
)
def test_a_failure_always_has_a_reason(error: Exception, reason: str) -> None:
    assert reason in failure_reason(error)


def test_an_empty_message_takes_its_cause() -> None:
    try:
        try:
            raise ConnectionError("body cut off after 4096 bytes")
        except ConnectionError as cause:
            raise DownloadCancelledError() from cause
    except DownloadCancelledError as error:
        assert failure_reason(error) == "body cut off after 4096 bytes"

"""Paging of every CMS family: the last page stops, an empty page stops, page-count scripts are read.

Responses are hand-made (no network, no reactor); spiders are the real per-source classes,
so the selectors and options come from the source files.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import FailedPage
from crawler.spiders.base import NoticeSpider
from crawler.spiders.gkmlpt import api_url, article_date, canonical_post_url
from crawler.spiders.sources import spider_class
from crawler.spiders.static_list import query_page_url, script_page_count, template_page_url
from crawler.spiders.trs_jpaas import param_json, unit_url


def make_spider(source_id: str) -> NoticeSpider:
    crawler = get_crawler(spider_class(source_id))
    return crawler.spidercls.from_crawler(crawler)  # type: ignore[no-any-return]


def html(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8")


def json_response(url: str, data: Any) -> TextResponse:
    return TextResponse(
        url, body=json.dumps(data, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"}
    )


def crawl_list(spider: NoticeSpider, response: Any, page: int, column: int = 0) -> tuple[list[str], list[str]]:
    """(detail URLs, next list URLs) the shared flow yields for one list response."""
    out = list(spider.parse_list(response, column=spider.source.columns[column], page=page))
    requests = [r for r in out if isinstance(r, scrapy.Request)]
    details = [r.url for r in requests if r.callback == spider.parse_detail]
    lists = [r.url for r in requests if r.callback == spider.parse_list]
    return details, lists


def failed_kinds(spider: NoticeSpider, response: Any, page: int = 1) -> list[str]:
    out = spider.parse_list(response, column=spider.source.columns[0], page=page)
    return [item.kind for item in out if isinstance(item, FailedPage)]


# -- trs_static ----------------------------------------------------------------------------------

TRS_ITEMS = (
    '<ul class="news-list"><li class="news-item"><a href="./202611/t20261103_1.html">通知</a>'
    "<span>2026-11-03</span></li></ul>"
)


@pytest.mark.parametrize(
    ("page", "script", "next_url"),
    [
        (1, 'createPageHTML(3, 0, "index", "html");', "https://www.mot.gov.cn/hudong/yijianzhengji/index_1.html"),
        (2, 'createPageHTML(3, 1, "index", "html");', "https://www.mot.gov.cn/hudong/yijianzhengji/index_2.html"),
        (3, 'createPageHTML(3, 2, "index", "html");', None),  # last page
        (1, "var countPage = 1;", None),
        (1, "", None),  # no page-count script: a single page
    ],
)
def test_trs_static_paging(page: int, script: str, next_url: str | None) -> None:
    spider = make_spider("mot")
    url = spider.list_request(spider.source.columns[0], page).url
    details, lists = crawl_list(spider, html(url, f"{TRS_ITEMS}<script>{script}</script>"), page)
    assert details == ["https://www.mot.gov.cn/hudong/yijianzhengji/202611/t20261103_1.html"]
    assert lists == ([next_url] if next_url else [])


def test_trs_static_empty_page_stops() -> None:
    spider = make_spider("mot")
    response = html(
        spider.source.columns[0].url,
        '<ul class="news-list"></ul><script>createPageHTML(3, 0, "index", "html");</script>',
    )
    assert crawl_list(spider, response, 1) == ([], [])  # an empty page ends the column whatever the script says
    assert failed_kinds(spider, response) == ["empty-list"]


# -- hanweb_jpage --------------------------------------------------------------------------------


def dataproxy(total: int, count: int) -> XmlResponse:
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2026/11/{i}/art_1229019364_{i}.html">文件{i}</a>'
        f"<span>2026-11-0{i % 9 + 1}</span></li>]]></record>"
        for i in range(count)
    )
    body = f"<datastore><recordset>{records}</recordset><totalrecord>{total}</totalrecord></datastore>"
    return XmlResponse("https://www.zj.gov.cn/module/jpage/dataproxy.jsp", body=body.encode("utf-8"))


@pytest.mark.parametrize(
    ("page", "extra", "short", "more"),
    [(1, 10, 0, True), (2, 10, 0, True), (3, 10, None, False), (1, 0, 0, False)],
)
def test_hanweb_paging_stops_when_endrecord_reaches_totalrecord(
    page: int, extra: int, short: int | None, more: bool
) -> None:
    spider = make_spider("zhejiang")
    per = spider.source.options.records_per_request
    total = (2 * per + extra) if extra else per
    count = extra if short is None else per
    details, lists = crawl_list(spider, dataproxy(total, count), page)
    assert len(details) == count
    if more:
        assert len(lists) == 1
        query = parse_qs(urlsplit(lists[0]).query)
        assert query["startrecord"] == [str(page * per + 1)] and query["endrecord"] == [str(page * per + per)]
    else:
        assert lists == []


def test_hanweb_empty_page() -> None:
    spider = make_spider("zhejiang")
    assert crawl_list(spider, dataproxy(0, 0), 1) == ([], [])
    assert failed_kinds(spider, dataproxy(0, 0)) == ["empty-list"]


# -- trs_jpaas -----------------------------------------------------------------------------------


def jpaas(count: int) -> TextResponse:
    rows = "".join(
        f'<li class="zjnav04Left02_content"><div class="doctitle"><a href="/xyjgs/gzdt/art/2026/art_{i:032x}.html" '
        f'title="动态{i}">动态{i}</a></div><div class="doctime">2026-11-{i % 28 + 1:02d}</div></li>'
        for i in range(count)
    )
    return json_response(
        "https://www.samr.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit", {"data": {"html": rows}}
    )


def test_jpaas_page_request_carries_paging_inside_param_json() -> None:
    spider = make_spider("samr")
    url = spider.list_request(spider.source.columns[0], 3).url
    query = parse_qs(urlsplit(url).query)
    assert json.loads(query["paramJson"][0]) == {"pageNo": 3, "pageSize": spider.source.options.page_size}
    assert "pageNo" not in query and query["parseType"] == ["bulidstatic"] and query["tagId"] == ["内容区域"]
    assert url == unit_url(
        spider.source.columns[0].url, spider.source.columns[0].params["page_id"], 3, spider.source.options
    )
    assert param_json(2, 20) == '{"pageNo": 2, "pageSize": 20}'


@pytest.mark.parametrize(("count", "more"), [(20, True), (19, False), (1, False)])
def test_jpaas_a_short_page_is_the_last(count: int, more: bool) -> None:
    spider = make_spider("samr")  # page_size 20
    details, lists = crawl_list(spider, jpaas(count), 2)
    assert len(details) == count
    assert details[0] == "https://www.samr.gov.cn/xyjgs/gzdt/art/2026/art_00000000000000000000000000000000.html"
    assert [json.loads(parse_qs(urlsplit(u).query)["paramJson"][0])["pageNo"] for u in lists] == ([3] if more else [])


def test_jpaas_entries_and_dates() -> None:
    spider = make_spider("samr")
    entries = list(spider.parse_list_entries(jpaas(2), spider.source.columns[0], 1))
    assert [(e.title, e.date_raw) for e in entries] == [("动态0", "2026-11-01"), ("动态1", "2026-11-02")]


def test_jpaas_links_resolve_against_the_column_page_not_the_api() -> None:
    spider = make_spider("samr")
    fragment = '<li class="zjnav04Left02_content"><div class="doctitle"><a href="art/2026/art_ab.html">x</a></div></li>'
    response = json_response(
        "https://www.samr.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit", {"data": {"html": fragment}}
    )
    (entry,) = spider.parse_list_entries(response, spider.source.columns[0], 1)
    assert entry.url == "https://www.samr.gov.cn/xyjgs/gzdt/art/2026/art_ab.html"


@pytest.mark.parametrize(("body", "kind"), [(b"<html>shell</html>", "not-json"), (b'{"data": {}}', "list-parse-error")])
def test_jpaas_unusable_answers(body: bytes, kind: str) -> None:
    spider = make_spider("samr")
    response = TextResponse("https://www.samr.gov.cn/api-gateway/x", body=body, headers={"Content-Type": "text/html"})
    assert failed_kinds(spider, response) == [kind]


def test_jpaas_empty_page() -> None:
    spider = make_spider("samr")
    assert crawl_list(spider, jpaas(0), 1) == ([], [])
    assert failed_kinds(spider, jpaas(0)) == ["empty-list"]


# -- gkmlpt --------------------------------------------------------------------------------------


def gkmlpt(total: int, ids: list[int]) -> TextResponse:
    articles = [
        {
            "id": i,
            "title": f"文件{i}",
            "url": f"http://www.gd.gov.cn/gkmlpt/content/1/{i // 1000}/post_{i}.html",
            "create_time": 1763000000 + i,
            "publisher": "广东省人民政府办公厅",
            "document_number": f"粤办函〔2026〕{i % 300}号",
        }
        for i in ids
    ]
    return json_response("http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2", {"total": total, "articles": articles})


@pytest.mark.parametrize(
    ("page", "total", "ids", "more"),
    [
        (1, 250, list(range(1800000, 1800100)), True),
        (2, 250, list(range(1800100, 1800200)), True),
        (3, 250, list(range(1800200, 1800250)), False),  # last page
        (1, 3, [1812337, 1812338, 1812339], False),
    ],
)
def test_gkmlpt_paging_by_total(page: int, total: int, ids: list[int], more: bool) -> None:
    spider = make_spider("guangdong")  # page_size 100
    details, lists = crawl_list(spider, gkmlpt(total, ids), page)
    assert len(details) == len(ids)
    assert lists == ([f"http://www.gd.gov.cn/gkmlpt/api/all/5?page={page + 1}&sid=2"] if more else [])


def test_gkmlpt_empty_page_stops_even_if_total_says_more() -> None:
    spider = make_spider("guangdong")
    assert crawl_list(spider, gkmlpt(500, []), 2) == ([], [])
    assert failed_kinds(spider, gkmlpt(500, []), 2) == ["empty-list"]


def test_gkmlpt_entries_keep_api_fields() -> None:
    spider = make_spider("guangdong")
    (entry,) = spider.parse_list_entries(gkmlpt(1, [1812337]), spider.source.columns[0], 1)
    assert entry.date_kind == "api" and entry.date_raw == article_date({"create_time": 1763000000 + 1812337})
    assert entry.extra == {"publisher": "广东省人民政府办公厅", "doc_number": "粤办函〔2026〕37号", "index_number": ""}


def test_gkmlpt_urls_are_http_and_canonical() -> None:
    assert (
        api_url("https://www.gd.gov.cn/gkmlpt/index", 5, 3, "2") == "http://www.gd.gov.cn/gkmlpt/api/all/5?page=3&sid=2"
    )
    assert canonical_post_url("https://www.gd.gov.cn/gkmlpt/post_1812337.html") == (
        "http://www.gd.gov.cn/gkmlpt/content/1/1812/post_1812337.html"
    )
    assert canonical_post_url("http://www.gd.gov.cn/gkmlpt/content/1/1812/post_1812337.html").endswith(
        "/post_1812337.html"
    )
    assert article_date({"create_time": 1763395200}) == "2025-11-18 00:00:00"  # epoch read as Beijing time
    assert article_date({"created_at": "2026-11-18 17:30:00", "create_time": 1}) == "2026-11-18 17:30:00"


# -- static_list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "count"),
    [
        ('createPageHTML(7, 0, "index", "html");', 7),
        ("var pageName = 'index'; var pageExt = 'html'; var pageIndex = 1; var pageCount = 4;", 4),
        ("var changepage = new ChangePage({current:0,size:12,prefix:'index',suffix:'html'});", 12),
        ("<div class='changepage'><script>new ChangePage({\n current: 2,\n size: '5'});</script></div>", 5),
        ("var x = 1;", None),
    ],
)
def test_page_count_scripts(script: str, count: int | None) -> None:
    assert script_page_count(f"<html><script>{script}</script></html>") == count


@pytest.mark.parametrize(
    ("template", "page", "expected"),
    [
        ("index_{page0}.html", 2, "https://x.gov.cn/a/index_1.html"),
        ("A0906index_{page}.htm", 2, "https://x.gov.cn/a/A0906index_2.htm"),
        ("A0906index_{page}.htm", 1, "https://x.gov.cn/a/A0906index_1.htm"),
    ],
)
def test_template_page_urls(template: str, page: int, expected: str) -> None:
    first = "https://x.gov.cn/a/A0906index_1.htm" if template.startswith("A") else "https://x.gov.cn/a/index.html"
    assert template_page_url(first, template, page) == expected


def test_query_page_urls_replace_only_the_page_parameter() -> None:
    first = "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y"
    assert query_page_url(first, "page", 1) == first
    assert query_page_url(first, "page", 3) == "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y&page=3"
    assert query_page_url(f"{first}&page=2", "page", 3).count("page=") == 1


BEIJING_ITEMS = (
    '<div class="listBox"><ul><li><a href="./202611/t20261116_1.html">诚信建设若干措施</a>'
    "<span>2026-11-16</span></li></ul></div>"
)


@pytest.mark.parametrize(
    ("page", "pager", "next_url"),
    [
        (1, "<script>new ChangePage({current:0,size:3,prefix:'index',suffix:'html'});</script>", "index_1.html"),
        (3, "<script>new ChangePage({current:2,size:3,prefix:'index',suffix:'html'});</script>", None),  # last page
        (1, '<div class="page"><a href="index_1.html">2</a></div>', "index_1.html"),  # no script: link to page 2
        (2, '<div class="page"><a href="index.html">1</a><span>2</span></div>', None),
    ],
)
def test_static_template_paging(page: int, pager: str, next_url: str | None) -> None:
    spider = make_spider("beijing")
    url = spider.list_request(spider.source.columns[0], page).url
    details, lists = crawl_list(spider, html(url, BEIJING_ITEMS + pager), page)
    assert details == ["https://www.beijing.gov.cn/zhengce/zhengcefagui/202611/t20261116_1.html"]
    assert lists == ([f"https://www.beijing.gov.cn/zhengce/zhengcefagui/{next_url}"] if next_url else [])


def test_static_cac_template_counts_pages_from_one() -> None:
    spider = make_spider("cac")
    items = (
        '<div id="loadingInfoPage"><li><a href="/2026-11/14/c_1.htm">规定</a>'
        '<div class="times">2026-11-14</div></li></div>'
    )
    _, lists = crawl_list(
        spider, html("https://www.cac.gov.cn/xxh/A0906index_1.htm", items + '<a href="A0906index_2.htm">2</a>'), 1
    )
    assert lists == ["https://www.cac.gov.cn/xxh/A0906index_2.htm"]


def test_static_query_paging() -> None:
    spider = make_spider("zhengzhou")
    items = '<ul class="page-list"><li><a href="/D12Y/1.jhtml">文件</a><span>2026-11-11</span></li></ul>'
    first = "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y"  # crawler/sources/zhengzhou.toml
    last = "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y&page=2"  # the site's `&page=n` (sites.md §0.1)
    assert spider.source.columns[0].url == first
    _, lists = crawl_list(spider, html(first, items + f'<a href="{last}">2</a>'), 1)
    assert lists == [last]
    assert crawl_list(spider, html(last, items + f'<a href="{first}">1</a>'), 2)[1] == []


SHENZHEN_ITEMS = (
    '<div class="zx_ml_list"><ul><li><span class="tit"><a href="./content/post_1.html" title="通告">通告</a></span>'
    "<span>2026-11-04</span></li></ul></div>"
)


def test_static_next_link_paging_follows_the_link_and_stops_without_one() -> None:
    spider = make_spider("shenzhen")
    column = spider.source.columns[0]
    page1 = html(
        column.url, SHENZHEN_ITEMS + '<div class="rightcon"><a class="next" href="index_2.html">下一页</a></div>'
    )
    assert crawl_list(spider, page1, 1) == (
        ["http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_1.html"],
        ["http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/index_2.html"],
    )
    page2 = html(
        "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/index_2.html",
        SHENZHEN_ITEMS + '<div class="rightcon"><a class="next" href="javascript:void(0)">下一页</a></div>',
    )
    assert crawl_list(spider, page2, 2)[1] == []
    self_link = html(
        page2.url, SHENZHEN_ITEMS + '<div class="rightcon"><a class="next" href="index_2.html">下一页</a></div>'
    )
    assert crawl_list(spider, self_link, 2)[1] == []  # a "next" link to itself is the last page


def test_static_empty_page_stops_even_with_a_page_count() -> None:
    spider = make_spider("beijing")
    response = html(
        spider.source.columns[0].url,
        "<div class='listBox'><ul></ul></div><script>new ChangePage({current:0,size:9});</script>",
    )
    assert crawl_list(spider, response, 1) == ([], [])
    assert failed_kinds(spider, response) == ["empty-list"]


def test_static_skip_pattern_and_title_markers() -> None:
    from dataclasses import replace

    spider = make_spider("shenzhen")
    spider.source = replace(
        spider.source, options=replace(spider.source.options, skip_pattern="答记者问", strip_title=["【进行中】"])
    )
    body = (
        '<div class="zx_ml_list"><ul><li><a href="/a.html">【进行中】关于信用办法的意见征集</a></li>'
        '<li><a href="/b.html">负责人就信用办法答记者问</a></li><li><a href="javascript:;">空</a></li></ul></div>'
    )
    entries = list(spider.parse_list_entries(html(spider.source.columns[0].url, body), spider.source.columns[0], 1))
    assert [e.title for e in entries] == ["关于信用办法的意见征集"]


# -- govcn_api -----------------------------------------------------------------------------------


def govcn(rows_per_bucket: dict[str, int]) -> TextResponse:
    cat_map = {
        bucket: {"listVO": [{"title": f"<em>信用</em>{bucket}{i}", "url": f"https://www.gov.cn/zhengce/content/202611/content_{i}.htm",
                             "pubtimeStr": "2026.11.18"} for i in range(count)]}
        for bucket, count in rows_per_bucket.items()
    }  # fmt: skip
    return json_response(
        "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&p=1&n=20",
        {"searchVO": {"totalCount": 0, "catMap": cat_map}},
    )


@pytest.mark.parametrize(
    ("short_by", "more"),
    [
        ({"gongwen": 0, "bumenfile": 7}, True),  # one full bucket: there is a next page
        ({"gongwen": 1, "bumenfile": 1}, False),  # every bucket short: the last page (totalCount is 0 here)
        ({}, False),  # empty page
    ],
)
def test_govcn_api_paging_by_bucket_size(short_by: dict[str, int], more: bool) -> None:
    spider = make_spider("govcn")
    size = spider.source.options.page_size
    rows = {bucket: size - missing for bucket, missing in short_by.items()}
    details, lists = crawl_list(spider, govcn(rows), 3)
    assert len(details) == sum(rows.values())
    assert [parse_qs(urlsplit(u).query)["p"] for u in lists] == ([["4"]] if more else [])

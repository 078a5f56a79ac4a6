"""TRS jpaas: page 1 of a column first reads the shell page, whose queryData names the build-unit request."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import shared_dir
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.sources import spider_class
from crawler.spiders.trs_jpaas import TrsJpaasSpider, shell_query_data

MOFCOM_SHELL = shared_dir() / "pages" / "lists" / "10.html"  # real 部令公告 shell page, not copied here


def samr_spider() -> TrsJpaasSpider:
    crawler = get_crawler(spider_class("samr"))
    spider = crawler.spidercls.from_crawler(crawler)
    assert isinstance(spider, TrsJpaasSpider)
    return spider


def shell_page(url: str, script_attributes: str) -> HtmlResponse:
    body = f'<html><body><ul></ul><script src="/cms_files/unitbuild.js" {script_attributes}></script></body></html>'
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8")


def query_of(request: Any) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}


@pytest.mark.skipif(not MOFCOM_SHELL.is_file(), reason=f"no real list pages at {MOFCOM_SHELL.parent}")
def test_real_mofcom_shell_names_its_unit_request() -> None:
    assert shell_query_data(MOFCOM_SHELL.read_text(encoding="utf-8")) == {
        "webId": "8f43c7ad3afc411fb56f281724b73708",
        "tplSetId": "52551ea0e2c14bca8c84792f7aa37ead",
        "tagId": "分页列表",
        "pageId": "e17b35bcd44d43908368d7e92c7bef00",
    }


def test_page_one_reads_the_shell_then_asks_for_the_unit_it_names() -> None:
    spider = samr_spider()
    column = spider.source.columns[0]
    first = spider._list_request(column, 1)
    assert first.url == column.url and first.callback == spider.parse_shell
    query_data = "{'parseType':'bulidstatic','webId':'" + "a" * 32 + "','tagId':'分页列表','pageId':'" + "b" * 32 + "'}"
    (unit,) = spider.parse_shell(shell_page(column.url, f'queryData="{query_data}"'), column)
    query = query_of(unit)
    assert (query["webId"], query["tagId"], query["pageId"]) == ("a" * 32, "分页列表", "b" * 32)
    assert query["tplSetId"] == spider.source.options.tpl_set_id  # not in this shell: the configured one
    assert query_of(spider._list_request(column, 2))["tagId"] == "分页列表"  # later pages keep the shell's ids


def test_a_shell_without_query_data_leaves_the_configured_ids() -> None:
    spider = samr_spider()
    column = spider.source.columns[0]
    (unit,) = spider.parse_shell(shell_page(column.url, ""), column)
    query = query_of(unit)
    assert (query["pageId"], query["tagId"]) == (column.params["page_id"], spider.source.options.tag_id)

"""Hanweb 大汉 jcms portals (Jiangsu, Zhejiang, Shandong and many departments/counties).

Quirks:
- The column page `/col/col<N>/index.html` is a shell; entries come from a POST to
  `<proxy_path>?startrecord=S&endrecord=E&perpage=P` (Jiangsu `/module/web/jpage/dataproxy.jsp`,
  Zhejiang `/module/jpage/dataproxy.jsp`) with the form `col=1&appid=1&webid=W&path=/&columnid=C&
  sourceContentType=1&unitid=U&webname=…&permissiontype=0`, `X-Requested-With: XMLHttpRequest`
  and the column page as Referer. One request returns `records_per_request` records.
- The answer is XML: `<totalrecord>N</totalrecord>` and one `<record><![CDATA[<li>…</li>]]></record>`
  per entry (link + `<span>` date). The last request is the one whose endrecord >= totalrecord.
- Column params (source file): `columnid`, `unitid`, `webid`, `webname`; optional `sourceContentType`.
- Details `/art/YYYY/M/D/art_<col>_<id>.html`: either `table.xxgk_table` (索引号/所属主题,
  发布机构/发文日期, 标题, 文号/主题分类), body `#zoom`, attachments `ul.xgbd a`; or news style
  `div.sp_title` + `div.sp_time` (来源：…, 发布日期：…). Both are covered by the generic extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import scrapy
from bs4 import BeautifulSoup
from scrapy.http import Response

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError

_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.IGNORECASE | re.DOTALL)
REQUIRED_PARAMS = ("columnid", "unitid", "webid", "webname")


@dataclass(frozen=True)
class HanwebJpageOptions:
    proxy_path: str = "/module/web/jpage/dataproxy.jsp"
    records_per_request: int = 45  # endrecord - startrecord + 1
    perpage: int = 15  # what the site's own pager asks for; sent as is

    def __post_init__(self) -> None:
        if not self.proxy_path.startswith("/"):
            raise ValueError(f"option 'proxy_path' must start with '/', got {self.proxy_path!r}")
        for name in ("records_per_request", "perpage"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"option '{name}' must be a positive integer, got {value!r}")


def record_range(page: int, records_per_request: int) -> tuple[int, int]:
    """Request `page` (1-based) -> (startrecord, endrecord), both 1-based and inclusive."""
    start = (page - 1) * records_per_request + 1
    return start, start + records_per_request - 1


def parse_dataproxy(xml: str) -> tuple[int, list[str]]:
    """(totalrecord, the HTML of each record) from a dataproxy answer."""
    total = _TOTAL.search(xml)
    if total is None:
        raise PageError("list-parse-error", "no <totalrecord> in the dataproxy answer")
    return int(total.group(1)), _RECORD.findall(xml)


class HanwebJpageSpider(NoticeSpider):
    family = "hanweb_jpage"
    Options = HanwebJpageOptions
    http_fallback = True  # shandong.gov.cn fails the TLS handshake (sites.md §0.3; crawler/httpfallback.py)

    @classmethod
    def check_column(cls, column: Column) -> None:
        missing = [name for name in REQUIRED_PARAMS if not str(column.params.get(name, "")).strip()]
        if missing:
            raise ValueError(f"column {column.name!r}: params missing {', '.join(missing)}")

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        start, end = record_range(page, self.options.records_per_request)
        parts = urlsplit(column.url)
        params = column.params
        return scrapy.FormRequest(
            f"{parts.scheme}://{parts.netloc}{self.options.proxy_path}"
            f"?startrecord={start}&endrecord={end}&perpage={self.options.perpage}",
            formdata={
                "col": "1",
                "appid": "1",
                "webid": str(params["webid"]),
                "path": "/",
                "columnid": str(params["columnid"]),
                "sourceContentType": str(params.get("sourceContentType", 1)),
                "unitid": str(params["unitid"]),
                "webname": str(params["webname"]),
                "permissiontype": "0",
            },
            headers={"X-Requested-With": "XMLHttpRequest", "Referer": column.url},
        )

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        _, records = parse_dataproxy(response.text)
        for record in records:
            item = BeautifulSoup(record, "html.parser")
            link = item.find("a", href=True)
            if link is None:
                continue
            date = item.find("span")
            yield ListEntry(
                url=response.urljoin(str(link["href"]).strip()),
                title=clean_text(str(link.get("title") or link.get_text(" "))),
                date_raw=clean_text(date.get_text()) if date is not None else "",
            )

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        total, _ = parse_dataproxy(response.text)
        _, end = record_range(page, self.options.records_per_request)
        return end < total

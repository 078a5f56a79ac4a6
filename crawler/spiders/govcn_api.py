"""gov.cn State Council policy library, through its JSON search API.

Quirks:
- The library's HTML pages are JS-rendered and 403 to crawlers; the API
  `sousuo.www.gov.cn/search-gov/data` is used instead. Its WAF rejects non-browser
  User-Agents, so API requests carry a desktop Chrome UA, `Referer:
  https://sousuo.www.gov.cn/` and `Accept: application/json`.
- Rows are under `searchVO.catMap.<gongwen|bumenfile|otherfile|gongbao>.listVO[]`;
  the top-level `searchVO.totalCount` is 0 for `t=zhengcelibrary`, so paging is by
  row count: a page where every bucket has fewer than `n` rows is the last.
- Row fields: `title` (with `<em>` highlights), `url`, `pubtimeStr` (dotted date
  `2025.07.18`), `puborg` (发文机关), `pcode` (发文字号), `summary`.
- "No results" is `{"code": 1001, "searchVO": null}` (zero entries); `catMap` holds only the
  buckets that have rows. Titles may hold `<br/>` and U+3000 padding (collapsed to one space);
  公报 URLs end in `.html`; `otherfile` rows have `ptime: 0` (the date is `pubtimeStr`).
- A WAF block answers HTML instead of JSON: recorded as FailedPage kind `not-json`.
- Details (`/zhengce/content/YYYYMM/content_<id>.htm`, `/zhengce/zhengceku/...`) have the
  `policyLibraryOverview_header` table (or the old `table.bd1`), body `#UCAP-CONTENT`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
BUCKETS = ("gongwen", "bumenfile", "otherfile", "gongbao")
NO_RESULTS_CODE = 1001  # the API's "抱歉，没有找到相关结果" answer


@dataclass(frozen=True)
class GovcnApiOptions:
    page_size: int = 20  # the API's `n`
    buckets: tuple[str, ...] = BUCKETS  # catMap buckets to read

    def __post_init__(self) -> None:
        if not isinstance(self.page_size, int) or not 1 <= self.page_size <= 100:
            raise ValueError(f"option 'page_size' must be an integer from 1 to 100, got {self.page_size!r}")
        object.__setattr__(self, "buckets", tuple(self.buckets))
        unknown = sorted(set(self.buckets) - set(BUCKETS))
        if not self.buckets or unknown:
            raise ValueError(f"option 'buckets' must be a non-empty subset of {list(BUCKETS)}, got {self.buckets!r}")


def api_page_url(url: str, page: int, page_size: int) -> str:
    """The column's API URL with `p` and `n` set (other parameters kept, in order)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(p=str(page), n=str(page_size))
    return urlunsplit(parts._replace(query=urlencode(query)))


def api_rows(data: Any, buckets: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Rows per catMap bucket; a missing bucket has no rows.

    "No results" is a real answer, not an error: `{"code": 1001, "searchVO": null, ...}`.
    """
    if isinstance(data, dict) and data.get("code") == NO_RESULTS_CODE and data.get("searchVO") is None:
        return {bucket: [] for bucket in buckets}
    if not isinstance(data, dict) or not isinstance(data.get("searchVO"), dict):
        raise PageError("list-parse-error", "JSON without a searchVO object")
    cat_map = data["searchVO"].get("catMap") or {}
    return {bucket: list((cat_map.get(bucket) or {}).get("listVO") or []) for bucket in buckets}


def strip_tags(text: str) -> str:
    return clean_text(re.sub(r"<[^>]+>", "", text))


class GovcnApiSpider(NoticeSpider):
    family = "govcn_api"
    Options = GovcnApiOptions

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        return scrapy.Request(
            api_page_url(column.url, page, self.options.page_size),
            headers={
                "User-Agent": BROWSER_USER_AGENT,
                "Referer": "https://sousuo.www.gov.cn/",
                "Accept": "application/json, text/javascript, */*; q=0.01",
            },
        )

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        try:
            data = json.loads(response.body)
        except ValueError as error:
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "none"
            raise PageError("not-json", f"expected JSON from the API, got {content_type}: {error}") from error
        entries = []
        for bucket, rows in api_rows(data, self.options.buckets).items():
            for row in rows:
                if not row.get("url"):
                    continue
                entries.append(
                    ListEntry(
                        url=response.urljoin(str(row["url"])),
                        title=strip_tags(str(row.get("title") or "")),
                        date_raw=str(row.get("pubtimeStr") or ""),
                        date_kind="api",
                        extra={
                            "publisher": clean_text(str(row.get("puborg") or "")),
                            "doc_number": clean_text(str(row.get("pcode") or "")),
                            "summary": strip_tags(str(row.get("summary") or "")),
                            "bucket": bucket,
                        },
                    )
                )
        return entries

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        rows = api_rows(json.loads(response.body), self.options.buckets)  # parse_list_entries checked it
        return max(map(len, rows.values()), default=0) >= self.options.page_size

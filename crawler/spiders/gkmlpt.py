"""gkmlpt 政府信息公开 platform (Guangdong province and every Guangdong city, Shenzhen units).

Quirks:
- Lists come from a JSON API: `GET /gkmlpt/api/all/<catId>?page=<n>&sid=<siteId>` →
  `{"total": N, "articles": [{id, title, url, post_url, create_time (epoch seconds),
  created_at, publisher, document_number, identifier …}]}`. The site id (`SID: '755xxx'`
  in the page JS) is per site, the category per column. Paging ends when the pages read
  so far hold `total` articles, or on an empty page.
- gkmlpt hosts are reached over plain HTTP (HTTPS handshakes fail on many of them), so
  every request is rewritten to `http://`.
- gd.gov.cn redirects a short `post_<id>.html` to `/gkmlpt/content/<id//1e6>/<id//1e3>/post_<id>.html`;
  short links are rewritten to the final URL so every notice has one canonical URL.
- Details: 2019+ template has `div.introduce` label/`span` pairs (索引号, 分类, 文号, 发布日期,
  发布机构, 成文日期, 标题) and body `div.zw` inside `div.viewList`; the 2016 one has
  `div.classify td` pairs and `div.article-content`. Both are generic-extractor material.
- Column params (source file): `category` (the `<catId>`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError

_SHORT_POST = re.compile(r"^(?P<prefix>https?://[^/]+)/(?:gkmlpt/)?post_(?P<id>\d+)\.html$")
_BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class GkmlptOptions:
    sid: str  # the site id from the page JS, e.g. "2" (gd.gov.cn) or "755031" (a Shenzhen unit)
    page_size: int = 100  # articles per API page

    def __post_init__(self) -> None:
        if not str(self.sid).isdigit():
            raise ValueError(f"option 'sid' must be the numeric gkmlpt site id, got {self.sid!r}")
        if not isinstance(self.page_size, int) or self.page_size < 1:
            raise ValueError(f"option 'page_size' must be a positive integer, got {self.page_size!r}")


def as_http(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="http"))


def api_url(column_url: str, category: int | str, page: int, sid: str) -> str:
    host = urlsplit(column_url).netloc
    return f"http://{host}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def canonical_post_url(url: str) -> str:
    """`http://www.gd.gov.cn/gkmlpt/post_1812337.html` -> `…/gkmlpt/content/1/1812/post_1812337.html`."""
    match = _SHORT_POST.match(url)
    if not match:
        return as_http(url)
    post_id = int(match["id"])
    return as_http(f"{match['prefix']}/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html")


def api_articles(body: bytes) -> tuple[int, list[dict[str, Any]]]:
    """(total, articles) of one API answer; PageError when it is not one."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise PageError("not-json", f"expected gkmlpt API JSON: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise PageError("list-parse-error", "gkmlpt JSON without an 'articles' list")
    try:
        total = int(data.get("total") or 0)
    except (TypeError, ValueError) as error:
        raise PageError("list-parse-error", f"gkmlpt JSON 'total' is not a number: {data.get('total')!r}") from error
    return total, [article for article in data["articles"] if isinstance(article, dict)]


def article_date(article: dict[str, Any]) -> str:
    """The publication time as printed on the site (Beijing time), from `created_at` or epoch `create_time`."""
    if article.get("created_at"):
        return clean_text(str(article["created_at"]))
    try:
        stamp = int(article.get("create_time") or 0)
    except (TypeError, ValueError):
        return ""
    return dt.datetime.fromtimestamp(stamp, _BEIJING).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


class GkmlptSpider(NoticeSpider):
    family = "gkmlpt"
    Options = GkmlptOptions

    @classmethod
    def check_column(cls, column: Column) -> None:
        if not str(column.params.get("category", "")).isdigit():
            raise ValueError(
                f"column {column.name!r}: params 'category' must be the numeric gkmlpt category id, "
                f"got {column.params.get('category')!r}"
            )

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        return scrapy.Request(
            api_url(column.url, column.params["category"], page, self.options.sid),
            headers={"Accept": "application/json, text/javascript, */*; q=0.01", "Referer": as_http(column.url)},
        )

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        _, articles = api_articles(response.body)
        entries = []
        for article in articles:
            url = article.get("url") or article.get("post_url")
            if not url:
                continue
            entries.append(
                ListEntry(
                    url=canonical_post_url(response.urljoin(str(url))),
                    title=clean_text(str(article.get("title") or "")),
                    date_raw=article_date(article),
                    date_kind="api",
                    extra={
                        "publisher": clean_text(str(article.get("publisher") or "")),
                        "doc_number": clean_text(str(article.get("document_number") or "")),
                        "index_number": clean_text(str(article.get("identifier") or "")),
                    },
                )
            )
        return entries

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        total, articles = api_articles(response.body)
        return bool(articles) and (page - 1) * self.options.page_size + len(articles) < total

"""TRS WCM static sites (NDRC, most ministries, many cities).

Quirks:
- List page 1 is the column's `index.html`; page *n* is `index_{n-1}.html` in the same folder.
- The page count sits in a script, as `createPageHTML(count, current, 'index', 'html')`
  (current is 0-based) or as `var countPage = N` / `var pageCount = N`. No count: one page.
- Items are `<li>` with a link (title in the `title` attribute or the text) and a date
  `<span>`; hrefs are relative (`./202507/t20250718_1399285.html`, `../../..`).
- Details live at `/<col>/YYYYMM/tYYYYMMDD_<id>.html` with `<meta name="PubDate">`, body
  `.TRS_Editor` inside `.article_con`; NDRC pages have no metadata table, the 文号 is a
  line of its own at the top of the body (found by the generic `find_doc_number`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import scrapy
from scrapy.http import Response

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError

# createPageHTML(count, current, 'index', 'html'); some sites first pass the pager element's id.
_CREATE_PAGE_HTML = re.compile(r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)")
_PAGE_COUNT_VAR = re.compile(r"var\s+(?:countPage|pageCount)\s*=\s*['\"]?(\d+)")


@dataclass(frozen=True)
class TrsStaticOptions:
    item_selector: str = ".u-list li"  # one element per entry
    date_selector: str = "span"  # inside the item

    def __post_init__(self) -> None:
        for name in ("item_selector", "date_selector"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"option '{name}' must be a non-empty CSS selector")


def page_url(first_page_url: str, page: int) -> str:
    """`…/tz/index.html`, page 3 -> `…/tz/index_2.html`."""
    if page == 1:
        return first_page_url
    folder, _, name = first_page_url.rpartition("/")
    stem, dot, extension = (name or "index.html").rpartition(".")
    return f"{folder}/{stem}_{page - 1}{dot}{extension}"


def page_count(html: str) -> int | None:
    """The list's page count announced in its scripts, or None."""
    match = _CREATE_PAGE_HTML.search(html) or _PAGE_COUNT_VAR.search(html)
    return int(match.group(1)) if match else None


class TrsStaticSpider(NoticeSpider):
    family = "trs_static"
    Options = TrsStaticOptions

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        return scrapy.Request(page_url(column.url, page))

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        if not hasattr(response, "css"):
            raise PageError("not-html", "list page is not HTML")
        for item in response.css(self.options.item_selector):
            link = item.css("a[href]")
            if not link:
                continue
            href = link[0].attrib["href"].strip()
            title = link[0].attrib.get("title") or " ".join(link[0].css("::text").getall())
            date = " ".join(item.css(f"{self.options.date_selector}::text").getall())
            yield ListEntry(url=response.urljoin(href), title=clean_text(title), date_raw=clean_text(date))

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        count = page_count(response.text)
        return count is not None and page < count

"""Generic static HTML lists: every site whose list is plain HTML, described by selectors in the source file.

This is the family for the sites that run no CMS we have a base for, or a CMS whose
list page is ordinary HTML with its own paging convention. The source file names the
selectors; the family knows the paging conventions seen on government sites:

- ``template``: page *n* is a file next to page 1, named by `page_template` with
  `{page}` (1-based) or `{page0}` (0-based) — TRS `index_{page0}.html` (page 1 is
  `index.html`), CAC `A0906index_{page}.htm` (page 1 is `A0906index_1.htm`), NFCMS and
  Beijing `index_{page0}.html`.
- ``query``: page *n* is the first page's URL with `<page_param>=n` (page 1 as is).
- ``next_link``: follow the `next_selector` link ("下一页", `a.next`) — Shenzhen
  `div.rightcon a.next`, Guangdong `div.page a.next`.
- ``single``: one list page only.

Where the page count is known it comes from the page's scripts: TRS
`createPageHTML(count, current, …)`, `var pageCount/countPage = N`, or Beijing's
`changepage` widget (`size:N` pages, `current` 0-based). Without a count, the next page
exists when the page links to it (an `<a>` whose URL is the next page's URL) — so a
list never runs past its last page into 404s.

Entries: `item_selector` picks one element per entry; the link is the first
`link_selector` inside it (title from `title=` or the text); the date is the text of
`date_selector` inside it, else the first date in the item's text. `skip_pattern`
drops entries whose title matches (e.g. 答记者问 rows among 意见征集).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError
from crawler.spiders.trs_static import page_count as trs_page_count

PAGING_MODES = ("template", "query", "next_link", "single")
_CHANGEPAGE = re.compile(r"changepage.{0,400}?\bsize\s*:\s*['\"]?(\d+)", re.IGNORECASE | re.DOTALL)
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?")
_NOT_A_LINK = re.compile(r"^(?:javascript:|#|mailto:)", re.IGNORECASE)


@dataclass(frozen=True)
class StaticListOptions:
    item_selector: str  # CSS, one element per entry
    paging: str = "template"
    page_template: str = "index_{page0}.html"  # template mode: file name of page n, next to page 1
    page_param: str = "page"  # query mode
    next_selector: str = "a.next"  # next_link mode
    link_selector: str = "a[href]"
    date_selector: str = ""  # CSS inside the item; empty: first date in the item's text
    skip_pattern: str = ""  # regex on the entry title; matching entries are dropped
    strip_title: list[str] = field(default_factory=list)  # markers removed from titles, e.g. 【进行中】

    def __post_init__(self) -> None:
        if not str(self.item_selector).strip():
            raise ValueError("option 'item_selector' must be a non-empty CSS selector")
        if self.paging not in PAGING_MODES:
            raise ValueError(f"option 'paging' must be one of {', '.join(PAGING_MODES)}, got {self.paging!r}")
        if self.paging == "template" and not re.search(r"\{page0?\}", self.page_template):
            raise ValueError(f"option 'page_template' must contain {{page}} or {{page0}}, got {self.page_template!r}")
        if self.paging == "template" and "/" in self.page_template:
            raise ValueError(f"option 'page_template' is a file name next to page 1, got {self.page_template!r}")
        if self.paging == "query" and not str(self.page_param).strip():
            raise ValueError("option 'page_param' must not be empty in query paging")
        if self.paging == "next_link" and not str(self.next_selector).strip():
            raise ValueError("option 'next_selector' must not be empty in next_link paging")
        try:
            re.compile(self.skip_pattern)
        except re.error as error:
            raise ValueError(f"option 'skip_pattern' is not a valid regex: {error}") from error
        object.__setattr__(self, "strip_title", list(self.strip_title))


def template_page_url(first_page_url: str, template: str, page: int) -> str:
    """Page `page` of a template-paged list (page 1 is the column URL itself)."""
    if page == 1:
        return first_page_url
    folder = first_page_url.rsplit("/", 1)[0]
    return f"{folder}/{template.format(page=page, page0=page - 1)}"


def query_page_url(first_page_url: str, param: str, page: int) -> str:
    if page == 1:
        return first_page_url
    parts = urlsplit(first_page_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != param]
    return urlunsplit(parts._replace(query=urlencode([*query, (param, str(page))])))


def script_page_count(html: str) -> int | None:
    """The page count a list page announces in its scripts (TRS or Beijing changepage), or None."""
    count = trs_page_count(html)
    if count is not None:
        return count
    match = _CHANGEPAGE.search(html)
    return int(match.group(1)) if match else None


def _texts(selection: SelectorList[Selector]) -> str:
    """The text of every element a (possibly comma-separated) selector matched."""
    return " ".join(text for element in selection for text in element.css("::text").getall())


def _same_page(url_a: str, url_b: str) -> bool:
    """Equal but for the scheme (sites mix http and https links)."""
    a, b = urlsplit(url_a), urlsplit(url_b)
    return (a.netloc, a.path, sorted(parse_qsl(a.query))) == (b.netloc, b.path, sorted(parse_qsl(b.query)))


class StaticListSpider(NoticeSpider):
    family = "static_list"
    Options = StaticListOptions
    http_fallback = True  # small sites with broken TLS are common here (crawler/httpfallback.py)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._next_links: dict[tuple[str, int], str] = {}  # next_link mode: (column url, page) -> URL

    def page_url(self, column: Column, page: int) -> str:
        options = self.options
        if page == 1 or options.paging == "single":
            return column.url
        if options.paging == "template":
            return template_page_url(column.url, options.page_template, page)
        if options.paging == "query":
            return query_page_url(column.url, options.page_param, page)
        return self._next_links.pop((column.url, page))

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        return scrapy.Request(self.page_url(column, page))

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        if not hasattr(response, "css"):
            raise PageError("not-html", "list page is not HTML")
        options = self.options
        skip = re.compile(options.skip_pattern) if options.skip_pattern else None
        entries = []
        for item in response.css(options.item_selector):
            link = item.css(options.link_selector)
            href = link[0].attrib.get("href", "").strip() if link else ""
            if not href or _NOT_A_LINK.match(href):
                continue
            title = clean_text(link[0].attrib.get("title") or " ".join(link[0].css("::text").getall()))
            for marker in options.strip_title:
                title = clean_text(title.replace(marker, ""))
            if skip and skip.search(title):
                continue
            date_text = _texts(item.css(options.date_selector)) if options.date_selector else ""
            date = _DATE.search(date_text or " ".join(item.css("::text").getall()))
            entries.append(
                ListEntry(url=response.urljoin(href), title=title, date_raw=clean_text(date.group(0)) if date else "")
            )
        return entries

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        options = self.options
        if options.paging == "single" or not entries:
            return False
        if options.paging == "next_link":
            for link in response.css(options.next_selector):
                href = link.attrib.get("href", "").strip()
                url = response.urljoin(href)
                if href and not _NOT_A_LINK.match(href) and not _same_page(url, response.url):
                    self._next_links[(column.url, page + 1)] = url
                    return True
            return False
        count = script_page_count(response.text)
        if count is not None:
            return page < count
        next_url = self.page_url(column, page + 1)
        return any(_same_page(response.urljoin(href), next_url) for href in response.css("a::attr(href)").getall())

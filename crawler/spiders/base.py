"""The base every source spider shares, whatever its CMS family.

A family subclass only knows how to (1) build the request for list page *n* of a
column and (2) read list entries and the next page out of a list response. Detail
pages go through the shared generic extraction (`crawler.extract`), which a family
may refine by overriding `extract_detail`. Every request carries an errback, so no
URL ends unaccounted for: it becomes a notice, or a `FailedPage` with the reason.

Anti-bot pages (`crawler.blocking.detect_block`) are recorded as kind `blocked` and
never parsed; mis-decoded text (`crawler.encoding`) is re-decoded or refused.

Incremental (`crawler.incremental`): each list page asks the database which of its entries
it holds; those are not fetched again and paging stops at a list page that is all known
(or all before `--since`), unless `--full`. Every list page's entries go to the ledger
(a `ListedPage` item, `store.ledger`), and the URLs listed by earlier runs but never
stored are fetched again at start (`scope.retry_urls`).

Stats (read by the run summary): `scs/skipped/<known|older>`, `scs/list_pages`, `scs/list_entries`, `scs/retried`,
`scs/detail_pages`, `scs/notices_yielded`, `scs/failed/<kind>`, `scs/blocked` (the first block's reason).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urldefrag

import scrapy
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.attachments import attachment_failure, attachment_item
from crawler.blocking import detect_block
from crawler.encoding import decode_html, is_mojibake
from crawler.extract import DATE_META_NAMES, DetailPage, extract_detail
from crawler.incremental import CrawlScope, load_scope
from crawler.items import AttachmentItem, DateCandidate, FailedPage, ListedPage, NoticeItem
from crawler.listdetect import detect_list, drift_reason
from crawler.sourceconfig import Column, Source

# Meta key under which the mirror middleware keeps a request's real URL.
ORIGINAL_URL_META = "scs_original_url"


@dataclass
class ListEntry:
    """One link on a list page (or one record of a list API)."""

    url: str
    title: str = ""
    date_raw: str = ""
    extra: dict[str, Any] | None = None  # API fields worth keeping: publisher, doc_number, summary ...
    date_kind: str = "list"  # DateCandidate kind of `date_raw`: "list" (HTML list) or "api" (a list API field)


@dataclass
class NoOptions:
    """For families that need no options beyond the columns."""


class PageError(Exception):
    """A page that cannot be used, with the FailedPage `kind` to record it under."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class NoticeSpider(scrapy.Spider):
    """Base spider: subclasses set `family`, `Options` and implement the list hooks."""

    family: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    source: ClassVar[Source]

    scope: CrawlScope = CrawlScope(full=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listed_by_column: dict[str, set[str]] = {}  # detail URLs listed so far in this run (paging_trap)

    async def start(self) -> AsyncIterator[Any]:
        self.scope = load_scope(self.crawler.settings, self.source.id)  # what the database already holds
        if self.scope.detail_urls:  # `scs quarantine retry`: just these pages, as detail pages
            for url in self.scope.detail_urls:
                yield self._detail_request(ListEntry(url=url), dont_filter=True)
            return
        for url in self.scope.retry_urls:  # listed by an earlier run, never stored: the ledger says so
            self._inc("scs/retried")
            yield self._detail_request(ListEntry(url=url))
        for column in self.source.columns:
            yield self._list_request(column, page=1)

    def closed(self, reason: str) -> None:
        self.scope.close()

    @property
    def options(self) -> Any:
        return self.source.options

    # -- family hooks -------------------------------------------------------------------------

    @classmethod
    def check_column(cls, column: Column) -> None:
        """Raise ValueError naming the missing/wrong `params` key; called when the spider class is built."""

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        """The request for list page `page` (1-based) of `column` (callback and errback are set by the base)."""
        raise NotImplementedError

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        """The entries on one list page; raise PageError for a response that is not a list."""
        raise NotImplementedError

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        """Whether list page `page + 1` exists."""
        raise NotImplementedError

    def extract_detail(self, html: str, url: str) -> DetailPage:
        """Generic extraction; a family overrides this to fix what its templates do differently."""
        return extract_detail(html, url)

    # -- shared flow --------------------------------------------------------------------------

    def _list_request(self, column: Column, page: int) -> scrapy.Request:
        request = self.list_request(column, page)
        return request.replace(
            callback=self.parse_list,
            errback=self.on_error,
            cb_kwargs={"column": column, "page": page},
        )

    def parse_list(self, response: Response, column: Column, page: int) -> Iterator[Any]:
        self._inc("scs/list_pages")
        if blocked := self.blocked_page(response):
            yield blocked
            return
        try:
            entries = list(self.parse_list_entries(response, column, page))
            more = self.has_next_page(response, column, page, entries)
        except PageError as error:
            yield self.failed_page(response, error.kind, error.reason)
            return
        except Exception as error:  # one broken list page must not stop the crawl
            self.logger.exception("list page %s", response.url)
            yield self.failed_page(response, "list-parse-error", f"{type(error).__name__}: {error}")
            return
        if not entries:
            yield self.failed_page(response, "empty-list", f"list page {page} of column {column.name!r} has no entries")
        elif drift := self.list_drift(response, entries):
            yield self.failed_page(response, "list-drift", drift)  # the page is kept for `scs extract --list`
        self._inc("scs/list_entries", len(entries))
        urls = [entry.url for entry in entries]
        try:
            self.scope.look_up(urls)  # this page's entries only, never the whole source
        except Exception:  # the database unreadable for a moment: fetch them (storing is idempotent)
            self.logger.exception("looking up the entries of %s in the database failed", response.url)
        if urls:
            known = [url for url in urls if url in self.scope.known_urls]
            yield ListedPage(source=self.source.id, list_url=response.url, urls=urls, known=known)
        for entry in entries:
            if skip := self.scope.skip_reason(entry.url, entry.date_raw):
                self._inc(f"scs/skipped/{skip}")  # incremental: already stored, or before --since
                continue
            yield self._detail_request(entry)
        # An empty page ends the column whatever the site announces: a stale total must not page forever.
        if more and entries and self.scope.keep_paging(entries):
            if stop := self.paging_trap(column, page, entries):
                yield self.failed_page(response, "paging-stopped", stop)
            else:
                yield self._list_request(column, page + 1)

    def list_drift(self, response: Response, entries: list[ListEntry]) -> str:
        """Where the generic list detector disagrees with the configured selectors on an HTML list page."""
        if not isinstance(response, HtmlResponse):
            return ""  # API answers and build-unit fragments: the detector reads whole HTML pages only
        try:
            detected = detect_list(response.text, response.url)
        except Exception:  # a check that breaks must not cost the page's entries
            self.logger.exception("list detector on %s", response.url)
            return ""
        return drift_reason([(entry.title, bool(entry.date_raw)) for entry in entries], detected)

    def paging_trap(self, column: Column, page: int, entries: list[ListEntry]) -> str | None:
        """Why paging `column` must stop after `page` although the site offers a next page, or None.

        A list page that only repeats entries of the column's earlier pages (a site ignoring the page
        number, or paging in a loop), or the source's page limit (`max_pages`, DEFAULT_MAX_PAGES unless
        its file says otherwise): a next page that always exists, or a resumed run, ends there.
        """
        seen = self._listed_by_column.setdefault(column.name, set())
        repeated = all(entry.url in seen for entry in entries)
        seen.update(entry.url for entry in entries)
        if repeated:
            return f"list page {page} of column {column.name!r} only repeats entries of earlier pages (a paging loop)"
        if page >= self.source.max_pages:
            return f"page limit reached: {self.source.max_pages} list pages of column {column.name!r} (max_pages)"
        return None

    def _detail_request(self, entry: ListEntry, dont_filter: bool = False) -> scrapy.Request:
        return scrapy.Request(
            entry.url,
            callback=self.parse_detail,
            errback=self.on_error,
            cb_kwargs={"entry": entry},
            dont_filter=dont_filter,
        )

    def parse_detail(self, response: Response, entry: ListEntry) -> Iterator[NoticeItem | FailedPage]:
        self._inc("scs/detail_pages")
        try:
            item: NoticeItem | FailedPage = self.blocked_page(response) or self.build_notice(response, entry)
        except PageError as error:
            item = self.failed_page(response, error.kind, error.reason)
        except Exception as error:  # a crash in one notice never stops the crawl
            self.logger.exception("detail page %s", response.url)
            item = self.failed_page(response, "parse-error", f"{type(error).__name__}: {error}")
        item.listed_url = entry.url
        if isinstance(item, NoticeItem):
            self._inc("scs/notices_yielded")
        yield item

    def build_notice(self, response: Response, entry: ListEntry) -> NoticeItem:
        """One detail response -> NoticeItem, or PageError saying why not (see `notice_from_response`)."""
        item, _ = notice_from_response(
            response,
            entry,
            source_id=self.source.id,
            default_publisher=self.source.publisher,
            jurisdiction=self.source.jurisdiction,
            extract=self.extract_detail,
        )
        return item

    def blocked_page(self, response: Response) -> FailedPage | None:
        """A FailedPage of kind `blocked` if the response is an anti-bot page, else None."""
        verdict = detect_block(response.status, response.headers, response.body)
        if verdict is None:
            return None
        if self.crawler.stats is not None and not self.crawler.stats.get_value("scs/blocked"):
            self.crawler.stats.set_value("scs/blocked", str(verdict))
        return self.failed_page(response, "blocked", str(verdict))

    @staticmethod
    def date_candidates(page: DetailPage, entry: ListEntry) -> list[DateCandidate]:
        """Every raw date, most trusted kinds first: meta, labelled fields, list/API, byline."""
        candidates = [
            DateCandidate(kind="meta", raw=page.meta[name], label=name)
            for name in DATE_META_NAMES
            if page.meta.get(name)
        ]
        candidates += [DateCandidate(kind="label", raw=value, label=label) for label, value in page.labelled_dates]
        if entry.date_raw:
            candidates.append(DateCandidate(kind=entry.date_kind, raw=entry.date_raw))
        candidates += [DateCandidate(kind="byline", raw=raw) for raw in page.byline_dates]
        return candidates

    def on_error(self, failure: Failure) -> Iterator[FailedPage]:
        """Errback of every request: HTTP errors, timeouts, network errors, robots.txt refusals."""
        request = failure.request  # type: ignore[attr-defined]
        entry = request.cb_kwargs.get("entry")
        listed_url = entry.url if isinstance(entry, ListEntry) else ""  # a detail page: settles its ledger row
        # A detail page's failure is recorded under the URL its list gave, wherever its redirects led.
        url = listed_url or request.meta.get(ORIGINAL_URL_META, request.url)
        if failure.check(HttpError):
            response = failure.value.response
            status = f"HTTP {response.status}"
            failed = self.blocked_page(response) or self.failed_page(response, "http-error", status, url=url)
            failed.url, failed.listed_url = url, listed_url
            yield failed
            return
        if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):  # Scrapy ≥ 2.13 raises the last
            kind = "timeout"
        elif failure.check(DNSLookupError):
            kind = "dns-error"
        elif isinstance(getattr(failure.value, "kind", None), str):
            kind = failure.value.kind  # e.g. redirect-refused (crawler.redirectpolicy)
        elif failure.check(IgnoreRequest):
            kind = "ignored"  # e.g. forbidden by robots.txt
        else:
            kind = "network-error"
        self._inc(f"scs/failed/{kind}")
        reason = f"{failure.type.__name__}: {failure_reason(failure.value)}"
        yield FailedPage(source=self.source.id, url=url, kind=kind, reason=reason, listed_url=listed_url)

    def failed_page(self, response: Response, kind: str, reason: str, url: str = "") -> FailedPage:
        self._inc(f"scs/failed/{kind}")
        self.logger.warning("failed page [%s] %s: %s", kind, url or response.url, reason)
        return FailedPage(
            source=self.source.id,
            url=url or urldefrag(response.url).url,
            kind=kind,
            reason=reason,
            status=response.status,
            headers={
                key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()
            },
            body=response.body,
        )

    # -- attachments: requested by `crawler.attachments.AttachmentFetchMiddleware`, spider methods so that
    # -- the requests serialise (scrapy-redis frontier)

    def parse_attachment(self, response: Response) -> Iterator[AttachmentItem]:
        yield attachment_item(response)

    def on_attachment_error(self, failure: Failure) -> Iterator[AttachmentItem]:
        yield attachment_failure(failure)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)


def failure_reason(error: BaseException) -> str:
    """What went wrong, never empty: Scrapy wraps Twisted's CancelledError (no message) as DownloadCancelledError."""
    for cause in (error, error.__cause__, error.__context__):
        if cause is not None and str(cause).strip():
            return str(cause).strip()
    if type(error).__name__ == "DownloadCancelledError":
        return "download cancelled with no reason given (a body past DOWNLOAD_MAXSIZE without Content-Length?)"
    return f"no message ({type(error).__module__}.{type(error).__qualname__})"


def notice_from_response(
    response: Response,
    entry: ListEntry,
    *,
    source_id: str,
    default_publisher: str = "",
    jurisdiction: str = "",
    extract: Callable[[str, str], DetailPage] = extract_detail,
) -> tuple[NoticeItem, DetailPage]:
    """One detail response -> (NoticeItem, the DetailPage it came from), or PageError saying why not.

    What a crawl does with every detail page, and what `scs extract` shows for one saved page.
    `meta` holds the page's <meta> values and every labelled field as found (索引号, 主题分类,
    有效性, 公文种类 ...): raw strings the store keeps for analysts and later rules.
    """
    if not response.body.strip():
        raise PageError("empty-response", "the response body is empty")
    if not isinstance(response, HtmlResponse | XmlResponse) or not _looks_like_html(response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "none"
        raise PageError("not-html", f"expected an HTML page, got Content-Type {content_type}")
    page, flags = decoded_detail(response, extract)
    title = page.title or entry.title
    if not title:
        raise PageError("no-title", "no title in meta ArticleTitle, title elements, 标题 field or <title>")
    if not page.body:
        raise PageError("empty-body", "no known body container with text on the page")
    extra = entry.extra or {}
    item = NoticeItem(
        source=source_id,
        url=urldefrag(response.url).url,
        title=title,
        body=page.body,
        publisher=page.publisher or str(extra.get("publisher") or "") or default_publisher,
        doc_number=page.doc_number or str(extra.get("doc_number") or ""),
        date_candidates=NoticeSpider.date_candidates(page, entry),
        attachments=page.attachments,
        list_date_raw=entry.date_raw,
        meta={**page.meta, **page.fields},  # <meta> names are ASCII, labels Chinese: no clash
        jurisdiction=jurisdiction,
    )
    item.flags = [*flags, *page.flags, *notice_flags(item)]
    return item, page


def decoded_detail(response: TextResponse, extract: Callable[[str, str], DetailPage]) -> tuple[DetailPage, list[str]]:
    """Extraction of the page as Scrapy decoded it; if that reads as mojibake, of a re-decoding.

    Scrapy already decodes gb2312/gbk as GB18030; what is left is a wrong declared
    charset (UTF-8 bytes labelled GBK, or latin-1), where `decode_html` guesses again.
    """
    page = extract(response.text, response.url)
    if not is_mojibake(page.title + page.body):
        return page, []
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    for text in (decode_html(response.body, content_type)[0], decode_html(response.body)[0]):
        page = extract(text, response.url)
        if not is_mojibake(page.title + page.body):
            return page, ["redecoded"]
    raise PageError("mojibake", f"text is mis-decoded (declared {response.encoding!r}) and no re-decoding fixes it")


def _looks_like_html(response: TextResponse) -> bool:
    """Scrapy may pick HtmlResponse from a URL ending in .html even when the server sent JSON."""
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    return not content_type or "html" in content_type or "xml" in content_type


def notice_flags(item: NoticeItem) -> list[str]:
    """Warnings for the analyst: the notice exists, but something about it needs a look."""
    flags = []
    if not item.date_candidates:
        flags.append("no-date-candidates")
    if len(item.body) < 200 and item.attachments:
        flags.append("text-in-attachments")  # e.g. 印发通知 whose real text is only in the PDF
    return flags

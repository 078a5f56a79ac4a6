"""Fetching notices' attachments through the same crawl: a spider middleware and the spider's two callbacks.

After every `NoticeItem` a spider yields, `AttachmentFetchMiddleware` yields a request for
each of its attachment links not fetched before; when the spider's start requests are
done, it also yields those of the source's stored notices whose links were never fetched
(a notice stored before attachments were read, or whose detail page an incremental crawl
skips). The requests go through the same downloader as every page: robots.txt, delays,
AutoThrottle, backoff retries, the mirror. Each carries a size cap (`download_maxsize`,
`SCS_ATTACHMENT_MAXSIZE`): Scrapy cancels a download whose announced or received size
passes it, so a 200 MB file is never held in memory, and the attachment is recorded
`too-large`.

A link is fetched again only when it changes (a new URL on the notice) or when its last
download failed. Every outcome is an `AttachmentItem` for the store, never a quarantined
page: an attachment cannot fail its notice. `SCS_FETCH_ATTACHMENTS = False` turns it off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urldefrag

import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from crawler.blocking import detect_block
from crawler.items import AttachmentItem, NoticeItem

ATTACHMENT_META = "scs_attachment"  # (source, notice URL, link as on the notice, attachment name, link extension)


class AttachmentFetchMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.enabled = settings.getbool("SCS_FETCH_ATTACHMENTS", True)
        self.maxsize = settings.getint("SCS_ATTACHMENT_MAXSIZE")
        self.database_url: str | None = settings.get("SCS_DATABASE_URL")
        self._seen: set[tuple[str, str]] | None = None  # (notice URL, link) fetched before or requested in this run

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request in start:
            yield request
        spider = self.crawler.spider
        if not self._active(spider) or spider.scope.detail_urls:  # `quarantine retry` fetches just its pages
            return
        for notice_url, attachment in self._stored_links(spider.source.id):
            request = self._request(
                spider, notice_url, attachment.get("url", ""), attachment.get("name", ""), attachment.get("type", "")
            )
            if request is not None:
                yield request

    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            yield output
            yield from self._follow(output)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            yield output
            for request in self._follow(output):
                yield request

    def _follow(self, output: Any) -> Iterator[scrapy.Request]:
        spider = self.crawler.spider
        if isinstance(output, NoticeItem) and self._active(spider):
            for attachment in output.attachments:
                request = self._request(spider, output.url, attachment.url, attachment.name, attachment.type)
                if request is not None:
                    yield request

    def _active(self, spider: Any) -> bool:
        return self.enabled and hasattr(spider, "parse_attachment") and hasattr(spider, "source")

    def _request(self, spider: Any, notice_url: str, url: str, name: str, declared: str) -> scrapy.Request | None:
        url = urldefrag(url).url
        key = (notice_url, url)
        seen = self._fetched(spider.source.id)
        if not url.startswith(("http://", "https://")) or key in seen:
            return None
        seen.add(key)
        self._inc("scs/attachments/requested")
        return scrapy.Request(
            url,
            callback=spider.parse_attachment,
            errback=spider.on_attachment_error,
            meta={
                ATTACHMENT_META: (spider.source.id, notice_url, url, name, declared),
                "download_maxsize": self.maxsize,
                "download_warnsize": self.maxsize,
            },
            priority=-10,  # notices first
            dont_filter=True,  # two notices may link the same file; each gets its row
        )

    def _fetched(self, source: str) -> set[tuple[str, str]]:
        if self._seen is None:
            self._seen = set()
            if self.database_url:
                from store.db import Store
                from store.entities import fetched_attachments

                store = Store(self.database_url, upgrade=False)
                try:
                    with store.session() as session:
                        self._seen = fetched_attachments(session, source)
                finally:
                    store.dispose()
        return self._seen

    def _stored_links(self, source: str) -> list[tuple[str, dict[str, Any]]]:
        if not self.database_url:
            return []
        from store.db import Store
        from store.entities import stored_attachment_links

        store = Store(self.database_url, upgrade=False)
        try:
            with store.session() as session:
                return stored_attachment_links(session, source)
        finally:
            store.dispose()

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


def attachment_item(response: Response) -> AttachmentItem:
    """The downloaded attachment, or an anti-bot page recorded as a failed download."""
    source, notice_url, url, name, declared = response.request.meta[ATTACHMENT_META]  # type: ignore[union-attr]
    item = AttachmentItem(source=source, notice_url=notice_url, url=url, name=name, declared_type=declared)
    verdict = detect_block(response.status, response.headers, response.body)
    if verdict is not None:
        item.status, item.reason = "failed", f"blocked: {verdict}"
        return item
    item.body = response.body
    item.etag = response.headers.get("ETag", b"").decode("latin-1")
    return item


def attachment_failure(failure: Failure) -> AttachmentItem:
    """A download that failed: HTTP error, over the size cap, timeout, network error."""
    request = failure.request  # type: ignore[attr-defined]
    source, notice_url, url, name, declared = request.meta[ATTACHMENT_META]
    item = AttachmentItem(source=source, notice_url=notice_url, url=url, name=name, declared_type=declared)
    if failure.check(HttpError):
        item.status, item.reason = "failed", f"HTTP {failure.value.response.status}"
    elif failure.check(DownloadCancelledError, CancelledError):
        item.status = "too-large"
        item.reason = f"cancelled at the size cap of {request.meta.get('download_maxsize')} bytes: {failure.value}"
    else:
        item.status, item.reason = "failed", f"{failure.type.__name__}: {failure.value}"
    return item

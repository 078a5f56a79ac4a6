"""Retry an https request over plain http when the site's TLS is broken.

Some government hosts publish https links but fail the TLS handshake (shandong.gov.cn,
npc.gov.cn; see shared/sites.md §0.3 "TLS quirks") or do not listen on 443 at all.
Retrying such a request three times over https only wastes the crawl's time: the
handshake fails the same way every time. For spiders whose family sets
`http_fallback = True`, this middleware answers a TLS or refused-connection failure of
an https request with the same request over http, once (and never for the mirror).
Sits above the retry middleware, so it sees the failure first.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from twisted.internet.error import ConnectionRefusedError, SSLError

FALLBACK_META = "scs_http_fallback"


def is_tls_failure(exception: BaseException) -> bool:
    """A failed TLS handshake or a closed 443, however Twisted wraps it."""
    if isinstance(exception, (SSLError, ConnectionRefusedError)):
        return True
    if type(exception).__module__.startswith("OpenSSL"):
        return True
    reasons = getattr(exception, "reasons", None)  # ResponseNeverReceived / ResponseFailed wrap failures
    if reasons:
        return any(is_tls_failure(getattr(reason, "value", reason)) for reason in reasons)
    return False


def http_url(url: str) -> str:
    return "http://" + url.removeprefix("https://")


class HttpFallbackMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> Request | None:
        spider = self.crawler.spider
        if not getattr(spider, "http_fallback", False) or request.meta.get(FALLBACK_META):
            return None
        real_url: str = request.meta.get("scs_original_url", request.url)  # the mirror rewrites the URL
        if not real_url.startswith("https://") or not request.url.startswith("https://"):
            return None
        if not is_tls_failure(exception):
            return None
        if spider is not None:
            spider.logger.info("TLS failure on %s (%s): trying http", request.url, type(exception).__name__)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("scs/http_fallback")
        return request.replace(url=http_url(request.url), meta={**request.meta, FALLBACK_META: True}, dont_filter=True)

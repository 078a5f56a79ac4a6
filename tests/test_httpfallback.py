"""http fallback: an https request whose TLS fails is retried once over http, for families that ask for it."""

from __future__ import annotations

import pytest
from OpenSSL import SSL
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, SSLError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawler.httpfallback import FALLBACK_META, HttpFallbackMiddleware, is_tls_failure
from crawler.spiders.sources import spider_class


def _wrapped_ssl_error() -> ResponseNeverReceived:
    try:
        raise SSL.Error([("SSL routines", "", "sslv3 alert handshake failure")])
    except SSL.Error:
        return ResponseNeverReceived([Failure()])


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (SSLError(), True),
        (ConnectionRefusedError(), True),
        (_wrapped_ssl_error(), True),
        (TimeoutError(), False),
        (ResponseNeverReceived([Failure(TimeoutError())]), False),
    ],
)
def test_tls_failures(exception: BaseException, expected: bool) -> None:
    assert is_tls_failure(exception) is expected


def middleware(source_id: str) -> HttpFallbackMiddleware:
    crawler = get_crawler(spider_class(source_id))
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return HttpFallbackMiddleware.from_crawler(crawler)


def test_https_tls_failure_is_retried_once_over_http() -> None:
    fallback = middleware("zhejiang")  # hanweb_jpage: Shandong-style TLS failures
    request = Request("https://www.zj.gov.cn/art/2026/11/9/art_1229019364_1.html", meta={"x": 1})
    retried = fallback.process_exception(request, _wrapped_ssl_error())
    assert retried is not None
    assert retried.url == "http://www.zj.gov.cn/art/2026/11/9/art_1229019364_1.html"
    assert retried.meta["x"] == 1 and retried.meta[FALLBACK_META] and retried.dont_filter
    assert fallback.process_exception(retried, SSLError()) is None  # only once
    assert fallback.crawler.stats.get_value("scs/http_fallback") == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("source_id", "url", "exception"),
    [
        ("zhejiang", "https://www.zj.gov.cn/a.html", TimeoutError()),  # not a TLS failure: the retries handle it
        ("zhejiang", "http://www.zj.gov.cn/a.html", ConnectionRefusedError()),  # already http
        ("mot", "https://www.mot.gov.cn/a.html", SSLError()),  # trs_static does not ask for the fallback
    ],
)
def test_no_fallback(source_id: str, url: str, exception: BaseException) -> None:
    assert middleware(source_id).process_exception(Request(url), exception) is None

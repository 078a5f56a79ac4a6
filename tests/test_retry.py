"""Backoff retries: delays, Retry-After parsing, and the middleware's decisions (no network, no reactor)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import scrapy
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, TimeoutError

from crawler.retry import BackoffRetryMiddleware, backoff_delay, parse_retry_after

NOW = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0),  # in the past: now
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),  # RFC 9110: delay-seconds is an integer
    ],
)
def test_parse_retry_after(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("retry_number", "rand", "delay"),
    [
        (1, 0.0, 2.0),
        (2, 0.0, 4.0),
        (3, 0.0, 8.0),
        (3, 1.0, 4.0),  # jitter takes off at most half
        (10, 0.0, 60.0),  # capped
        (10, 0.5, 45.0),
    ],
)
def test_backoff_delay(retry_number: int, rand: float, delay: float) -> None:
    assert backoff_delay(retry_number, base=2.0, cap=60.0, jitter=0.5, rand=lambda: rand) == delay


def middleware(monkeypatch: pytest.MonkeyPatch, **settings: Any) -> tuple[BackoffRetryMiddleware, list[float]]:
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2, "SCS_RETRY_JITTER": 0.0, **settings})
    crawler.spider = scrapy.Spider.from_crawler(crawler, name="test")
    crawler.stats.open_spider()
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return BackoffRetryMiddleware.from_crawler(crawler), sleeps


def respond(mw: BackoffRetryMiddleware, request: Request, status: int, **headers: str) -> Request | Response:
    response = Response(request.url, status=status, headers=headers, request=request)
    return asyncio.run(mw.process_response(request, response))


def test_server_errors_retry_with_growing_delays_then_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch)
    request = Request("https://www.ndrc.gov.cn/a.html")
    first = respond(mw, request, 500)
    assert isinstance(first, Request) and first.meta["retry_times"] == 1 and first.dont_filter
    second = respond(mw, first, 502)
    assert isinstance(second, Request) and second.meta["retry_times"] == 2
    given_up = respond(mw, second, 500)
    assert isinstance(given_up, Response) and given_up.status == 500  # on to the errback: recorded as failed
    assert sleeps == [2.0, 4.0]


def test_retry_after_seconds_is_honoured_on_429_and_503(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch)
    assert isinstance(respond(mw, Request("https://a.gov.cn/1"), 429, **{"Retry-After": "7"}), Request)
    assert isinstance(respond(mw, Request("https://a.gov.cn/2"), 503, **{"Retry-After": "3"}), Request)
    assert isinstance(respond(mw, Request("https://a.gov.cn/3"), 500, **{"Retry-After": "30"}), Request)  # not 429/503
    assert sleeps == [7.0, 3.0, 2.0]


def test_retry_after_http_date(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch)
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40)
    respond(mw, Request("https://a.gov.cn/1"), 429, **{"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")})
    assert 35 <= sleeps[0] <= 40


def test_a_retry_after_beyond_the_cap_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch, SCS_RETRY_AFTER_MAX=60)
    result = respond(mw, Request("https://a.gov.cn/1"), 429, **{"Retry-After": "3600"})
    assert isinstance(result, Response) and result.status == 429
    assert sleeps == []
    assert mw.crawler.stats.get_value("retry/retry_after_too_long") == 1


def test_other_statuses_and_dont_retry_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch)
    assert isinstance(respond(mw, Request("https://a.gov.cn/1"), 404), Response)
    assert isinstance(respond(mw, Request("https://a.gov.cn/1", meta={"dont_retry": True}), 503), Response)
    assert sleeps == []


def test_network_errors_retry_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    mw, sleeps = middleware(monkeypatch, SCS_RETRY_BASE_DELAY=0.5)
    request = Request("https://a.gov.cn/1")
    retry = asyncio.run(mw.process_exception(request, TimeoutError()))
    assert isinstance(retry, Request)
    again = asyncio.run(mw.process_exception(retry, ConnectionRefusedError()))
    assert isinstance(again, Request)
    assert asyncio.run(mw.process_exception(again, TimeoutError())) is None  # exhausted: errback
    assert asyncio.run(mw.process_exception(request, ValueError())) is None  # not a network error
    assert sleeps == [0.5, 1.0]


def test_settings_put_the_backoff_middleware_in_place_of_scrapys() -> None:
    from crawler import settings

    assert settings.DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert settings.DOWNLOADER_MIDDLEWARES["crawler.retry.BackoffRetryMiddleware"] == 550

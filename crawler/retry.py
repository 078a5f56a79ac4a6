"""Retries that respect servers: exponential backoff with jitter, and `Retry-After` honoured.

Scrapy's own RetryMiddleware re-queues a failed request at once and ignores
`Retry-After` (scrapy issue #3849): against a struggling government server that is a
burst of identical requests at the worst moment. `BackoffRetryMiddleware` replaces it
(same settings: RETRY_ENABLED, RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS, meta
`dont_retry`/`max_retry_times`) and waits before each retry without blocking the
reactor (an asyncio sleep inside a coroutine middleware method):

- retry n waits `SCS_RETRY_BASE_DELAY × 2^(n-1)`, capped at `SCS_RETRY_MAX_DELAY`, minus
  up to `SCS_RETRY_JITTER` of it at random (so many requests do not retry in step);
- a 429 or 503 with `Retry-After` (seconds or an HTTP date) waits exactly that long;
  one asking for more than `SCS_RETRY_AFTER_MAX` seconds is not waited for: the page is
  recorded as failed (HTTP 429/503) and the next run tries again.
When retries run out the response (or exception) goes on to the spider's errback, so
the URL is recorded as a failure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

RETRY_AFTER_STATUSES = frozenset({429, 503})


def parse_retry_after(value: str, now: dt.datetime) -> float | None:
    """`Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` -> seconds from `now`; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    retry_number: int, base: float, cap: float, jitter: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait before retry `retry_number` (1-based): exponential, capped, with downward jitter."""
    delay = min(cap, base * 2 ** (retry_number - 1))
    return delay * (1 - jitter * rand())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base_delay = settings.getfloat("SCS_RETRY_BASE_DELAY", 2.0)
        self.max_delay = settings.getfloat("SCS_RETRY_MAX_DELAY", 60.0)
        self.retry_after_max = settings.getfloat("SCS_RETRY_AFTER_MAX", 120.0)
        self.jitter = settings.getfloat("SCS_RETRY_JITTER", 0.5)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def delay_for(self, request: Request, response: Response | None) -> float | None:
        """Seconds to wait before retrying `request`; None when the server asks for too long a wait."""
        if response is not None and response.status in RETRY_AFTER_STATUSES:
            header = response.headers.get("Retry-After")
            if header:
                seconds = parse_retry_after(header.decode("latin-1"), dt.datetime.now(dt.UTC))
                if seconds is not None:
                    return seconds if seconds <= self.retry_after_max else None
        retry_number = request.meta.get("retry_times", 0) + 1
        return backoff_delay(retry_number, self.base_delay, self.max_delay, self.jitter)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self.delay_for(request, response)
        if delay is None:
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(delay)
        return retry

    async def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._wait(self.delay_for(request, None) or 0.0)
        return retry

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.crawler.stats.inc_value("retry/backoff_seconds", round(seconds, 3))
            await asyncio.sleep(seconds)

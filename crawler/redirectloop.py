"""Redirect loops end as recorded failures instead of vanishing.

A redirect A→B→A sends A back through the scheduler, whose duplicate filter drops it
without calling any errback: the URL is silently lost. `RedirectLoopMiddleware` sits
just above Scrapy's RedirectMiddleware and refuses a redirect to a URL the request has
already been at, raising `IgnoreRequest`, so the spider's errback records the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.spiders.base import ORIGINAL_URL_META


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already visited on this request's way."""


def redirect_loop(visited: list[str], targets: list[str]) -> str | None:
    """The first redirect target already visited, if any (fragments ignored)."""
    seen = {urldefrag(url).url for url in visited}
    return next((target for target in targets if urldefrag(target).url in seen), None)


class RedirectLoopMiddleware:
    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = location.decode("latin-1")
        visited = [*request.meta.get("redirect_urls", []), request.url, request.meta.get(ORIGINAL_URL_META, "")]
        looped = redirect_loop(
            [url for url in visited if url], [urljoin(request.url, target), urljoin(response.url, target)]
        )
        if looped:
            chain = " → ".join([*request.meta.get("redirect_urls", []), request.url, looped])
            raise RedirectLoop(f"redirect loop: {chain}")
        return response

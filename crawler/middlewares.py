"""Downloader middlewares.

`MirrorMiddleware` lets every spider run offline against `mirror/` (tests, demo,
CI): requests to real hosts go to the mirror with the host in `X-Mirror-Host`,
and the response comes back to the spider under the ORIGINAL URL, so relative
links resolve against the real site and stored URLs are the real ones.
"""

from __future__ import annotations

import os
from typing import Self
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.spiders.base import ORIGINAL_URL_META

MIRROR_HOST_HEADER = "X-Mirror-Host"


def mirror_url_for(url: str, mirror_url: str) -> str:
    """`https://www.ndrc.gov.cn/a/b.html?x=1` -> `<mirror>/a/b.html?x=1` (path and query kept)."""
    parts = urlsplit(url)
    return mirror_url.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class MirrorMiddleware:
    """Send every request to the mirror when `SCS_MIRROR_URL` (setting, else environment) is set.

    The rewritten request skips robots.txt (already checked against the real host)
    and the duplicate filter (two hosts may share a path).
    """

    def __init__(self, mirror_url: str) -> None:
        self.mirror_url = mirror_url.rstrip("/")
        self.mirror_netloc = urlsplit(self.mirror_url).netloc

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mirror_url = crawler.settings.get("SCS_MIRROR_URL") or os.environ.get("SCS_MIRROR_URL", "")
        if not mirror_url:
            raise NotConfigured("SCS_MIRROR_URL is not set")
        return cls(mirror_url)

    def process_request(self, request: Request) -> Request | None:
        parts = urlsplit(request.url)
        if parts.netloc == self.mirror_netloc:
            original = request.meta.get(ORIGINAL_URL_META)
            if original and request.meta.get("redirect_urls"):
                # A redirect the mirror answered with a path: the real URL is that path on the real host, so a
                # moved page is stored under its new URL as it would be on the live site.
                request.meta[ORIGINAL_URL_META] = urlunsplit(
                    urlsplit(original)._replace(path=parts.path, query=parts.query, fragment="")
                )
            return None
        mirrored = request.replace(
            url=mirror_url_for(request.url, self.mirror_url),
            dont_filter=True,
            meta={**request.meta, ORIGINAL_URL_META: request.url, "dont_obey_robotstxt": True},
        )
        mirrored.headers[MIRROR_HOST_HEADER] = parts.netloc
        return mirrored

    def process_response(self, request: Request, response: Response) -> Response:
        original_url = request.meta.get(ORIGINAL_URL_META)
        if original_url and urlsplit(response.url).netloc == self.mirror_netloc:
            return response.replace(url=original_url)
        return response

"""Redirects are followed only to public http(s) addresses.

A listed page that answers `302 Location: http://127.0.0.1:22/` (or `http://localhost/…`,
`http://10.0.0.5/`, `file:///etc/passwd`) would make the crawler fetch an internal address
and store what it finds there. `RedirectPolicyMiddleware` sits just above Scrapy's
RedirectMiddleware and refuses such a redirect before it is followed: the target must be
http or https, and each address its host resolves to must be public (not loopback, private,
link-local, reserved, multicast or unspecified). The refusal raises `RedirectRefused`, which
the spider records under the listed URL as kind `redirect-refused` with the reason.

Always allowed: the source's own hosts (whatever they resolve to: an intranet deployment
is configured, not redirected into) and the offline mirror's host and port (`SCS_MIRROR_URL`:
it serves on 127.0.0.1, and a redirect to *another* port there is still refused). A host that
does not resolve is let through: fetching it fails on its own, recorded as a DNS error.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from functools import lru_cache
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response


class RedirectRefused(IgnoreRequest):
    """A redirect to an address the crawler must not fetch; `kind` is the FailedPage kind to record."""

    kind = "redirect-refused"


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


@lru_cache(maxsize=1024)
def resolved_addresses(host: str) -> tuple[str, ...]:
    """Every address `host` resolves to (an IP literal is itself); empty when it does not resolve."""
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        return tuple(sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)}))
    except (OSError, UnicodeError):
        return ()


def refusal(target: str, allowed_netlocs: frozenset[str]) -> str | None:
    """Why following a redirect to `target` is refused, or None to follow it."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https"):
        return f"redirect to a non-http(s) URL refused: {target}"
    host = (parts.hostname or "").lower()
    if not host:
        return f"redirect to a URL without a host refused: {target}"
    if parts.netloc.lower() in allowed_netlocs or host in allowed_netlocs:
        return None
    internal = [address for address in resolved_addresses(host) if not is_public_address(address)]
    if internal:
        return f"redirect to an internal address refused: {target} ({host} is {', '.join(internal)})"
    return None


class RedirectPolicyMiddleware:
    def __init__(self, crawler: Crawler, mirror_url: str) -> None:
        self.crawler = crawler
        self.mirror_netloc = urlsplit(mirror_url).netloc.lower() if mirror_url else ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.get("SCS_MIRROR_URL") or os.environ.get("SCS_MIRROR_URL", ""))

    def allowed_netlocs(self) -> frozenset[str]:
        source = getattr(self.crawler.spider, "source", None)
        hosts = {host.lower() for host in source.hosts} if source is not None else set()
        return frozenset(hosts | ({self.mirror_netloc} if self.mirror_netloc else set()))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = urljoin(response.url, location.decode("latin-1").strip())
        reason = refusal(target, self.allowed_netlocs())
        if reason:
            raise RedirectRefused(reason)
        return response

"""`scs check-sources [SOURCE ...]`: fetch each source's first list page and one detail page live.

For people with network access, before the cron run (never in CI): it reports what the
family hooks and the generic extractor found on today's pages (entries, paging, title,
dates, 文号, publisher, body size, flags) or why not (HTTP error, block page, no entries),
so layout drift shows up before a nightly crawl quietly stores nothing. Requests go
through the source's own hooks, so headers, POST forms and paging parameters are the
ones the crawler sends; robots.txt is asked first unless the source opts out.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from scs.errors import float_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check-sources", help="fetch each source's first list page and one detail page live; report what was found"
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids (default: all)")
    parser.add_argument("--json", action="store_true", help="print a JSON array instead of a report")
    parser.add_argument("--timeout", type=float_in(0.1, 3600), default=30.0, help="seconds per request (default 30)")
    parser.add_argument(
        "--mirror", metavar="URL", default="", help="ask this offline mirror instead of the real sites (for testing)"
    )
    parser.set_defaults(run=run)


@dataclass
class Check:
    source: str
    ok: bool = False
    list_url: str = ""
    list_status: int | None = None
    entries: int = 0
    next_page: bool = False
    first_entry: dict[str, str] = field(default_factory=dict)
    detail_url: str = ""
    detail_status: int | None = None
    notice: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


class Fetcher:
    """Plain synchronous HTTP (no reactor): a handful of requests, one at a time."""

    def __init__(self, timeout: float, mirror: str, user_agent: str) -> None:
        self.timeout = timeout
        self.mirror = mirror
        self.user_agent = user_agent

    def fetch(self, request: Any) -> Any:
        """A Scrapy Response for a Scrapy Request (any status), fetched with urllib."""
        import urllib.error
        import urllib.request

        from scrapy.responsetypes import responsetypes

        from crawler.middlewares import MIRROR_HOST_HEADER, mirror_url_for

        headers = {key.decode(): b", ".join(values).decode("latin-1") for key, values in request.headers.items()}
        headers.setdefault("User-Agent", self.user_agent)
        url = request.url
        if self.mirror:
            headers[MIRROR_HOST_HEADER] = _host(url)
            url = mirror_url_for(url, self.mirror)
        raw = urllib.request.Request(url, data=request.body or None, headers=headers, method=request.method)
        try:
            with urllib.request.urlopen(raw, timeout=self.timeout) as reply:
                status, reply_headers, body = reply.status, dict(reply.headers.items()), reply.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, body = error.code, dict(error.headers.items()), error.read()
        cls = responsetypes.from_args(headers=reply_headers, url=request.url, body=body)
        return cls(url=request.url, status=status, headers=reply_headers, body=body, request=request)

    def allowed(self, url: str, obey: bool) -> bool:
        """robots.txt of the real host (skipped against a mirror, like the crawler's middleware)."""
        if not obey or self.mirror:
            return True
        import urllib.robotparser

        robots = urllib.robotparser.RobotFileParser()
        robots.set_url(f"{url.split('/', 3)[0]}//{_host(url)}/robots.txt")
        try:
            robots.read()
        except OSError:
            return True  # no robots.txt reachable: nothing forbids the request
        return robots.can_fetch(self.user_agent, url)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def check_source(source_id: str, fetcher: Fetcher) -> Check:
    """Run one source's hooks over its live first list page and first detail page."""
    from scrapy.crawler import Crawler

    from crawler.blocking import detect_block
    from crawler.spiders.base import PageError
    from crawler.spiders.sources import spider_class

    check = Check(source_id)
    cls = spider_class(source_id)
    spider = cls.from_crawler(Crawler(cls, crawler_settings()))
    column = spider.source.columns[0]
    request = spider.list_request(column, 1)
    check.list_url = request.url
    try:
        if not fetcher.allowed(request.url, spider.source.obey_robots):
            check.problem = "robots.txt forbids the list page"
            return check
        response = fetcher.fetch(request)
        check.list_status = response.status
        if verdict := detect_block(response.status, response.headers, response.body):
            check.problem = f"list page blocked: {verdict}"
            return check
        if response.status >= 400:
            check.problem = f"list page: HTTP {response.status}"
            return check
        entries = list(spider.parse_list_entries(response, column, 1))
        check.entries, check.next_page = len(entries), spider.has_next_page(response, column, 1, entries)
        if not entries:
            check.problem = "list page has no entries: selectors or API parameters have drifted"
            return check
        entry = entries[0]
        check.first_entry = {"url": entry.url, "title": entry.title, "date": entry.date_raw}
        check.detail_url = entry.url
        detail = fetcher.fetch(spider._detail_request(entry))
        check.detail_status = detail.status
        if verdict := detect_block(detail.status, detail.headers, detail.body):
            check.problem = f"detail page blocked: {verdict}"
            return check
        if detail.status >= 400:
            check.problem = f"detail page: HTTP {detail.status}"
            return check
        notice = spider.build_notice(detail, entry)
    except PageError as error:
        check.problem = f"{error.kind}: {error.reason}"
        return check
    except OSError as error:  # DNS, refused, timeout, TLS
        check.problem = f"network: {error}"
        return check
    check.notice = {
        "title": notice.title,
        "publisher": notice.publisher,
        "doc_number": notice.doc_number,
        "dates": [f"{c.kind}:{c.label}={c.raw}" if c.label else f"{c.kind}={c.raw}" for c in notice.date_candidates],
        "body_chars": len(notice.body),
        "attachments": len(notice.attachments),
        "flags": notice.flags,
    }
    check.ok = True
    return check


def report(check: Check) -> str:
    head = f"{'ok  ' if check.ok else 'FAIL'} {check.source}"
    lines = [head, f"     list   {check.list_status} {check.list_url}"]
    if check.entries:
        lines.append(f"            {check.entries} entries, next page: {'yes' if check.next_page else 'no'}")
        lines.append(f"            first: {check.first_entry.get('title', '')} [{check.first_entry.get('date', '')}]")
    if check.detail_url:
        lines.append(f"     detail {check.detail_status} {check.detail_url}")
    for key, value in check.notice.items():
        lines.append(f"            {key}: {value}")
    if check.problem:
        lines.append(f"     problem: {check.problem}")
    return "\n".join(lines)


def crawler_settings() -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def run(args: argparse.Namespace) -> int:
    from scs.commands.crawl import resolve_sources

    fetcher = Fetcher(args.timeout, args.mirror, str(crawler_settings().get("USER_AGENT")))
    checks = []
    for source_id in resolve_sources(args.sources):
        check = check_source(source_id, fetcher)
        checks.append(check)
        if not args.json:
            print(report(check), flush=True)
    if args.json:
        print(json.dumps([asdict(check) for check in checks], ensure_ascii=False, indent=2))
    failed = [check.source for check in checks if not check.ok]
    if failed:
        print(f"scs check-sources: {len(failed)} of {len(checks)} failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0

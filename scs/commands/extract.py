"""`scs extract PAGE`: what the project would store from one saved detail page, and which rule found each field.

The page goes through what a crawl does with a detail response (`crawler.spiders.base.
notice_from_response`: Scrapy's decoding, the mojibake re-decoding, the generic extraction),
then the normalise and date stages (`pipelines.stages`); nothing is stored. It is the
command to run on a page when a source drifts.

`scs extract --list PAGE --url URL [--source ID]`: the entries (title, URL, date), next page
and page count read from a saved list page or API answer: with `--source`, by that source's
configured family and options (what a crawl does); without it, by the generic detector
(`crawler.listdetect`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# The URL a page read from stdin or a file is given when --url is not: it carries no date and no host.
_NO_URL = "http://scs-extract.invalid/page.html"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="show what a crawl would store from one saved detail page, with the rule behind each field",
    )
    parser.add_argument("page", metavar="PAGE", help="the saved page (raw bytes as served), or - for stdin")
    parser.add_argument(
        "--url",
        default="",
        help="the URL the page was served at (attachment links, dates in the path); default: none known",
    )
    parser.add_argument(
        "--content-type",
        default="",
        metavar="HEADER",
        help='the Content-Type header it was served with, e.g. "text/html; charset=gbk" (default: none)',
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--list", action="store_true", help="PAGE is a list page or list API answer: read its entries")
    parser.add_argument(
        "--source",
        default="",
        metavar="ID",
        help="with --list: read it with this source's configuration (default: the generic list detector)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.page == "-" else Path(args.page).read_bytes()
    except OSError as error:
        print(f"scs extract: cannot read {args.page}: {error.strerror or error}", file=sys.stderr)
        return 2
    if args.list:
        return _run_list(raw, args)
    record, problem = extract_record(raw, args.url or _NO_URL, args.content_type)
    if problem:
        print(f"scs extract: no notice from {args.page}: {problem}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print(render(record))
    return 0


def extract_record(raw: bytes, url: str, content_type: str = "") -> tuple[dict[str, Any], str]:
    """(what the crawl would store, "") for one page's bytes; ({}, "kind: reason") when it would store no notice."""
    from scrapy.http import HtmlResponse

    from crawler.items import FailedPage
    from crawler.spiders.base import ListEntry, PageError, notice_from_response
    from pipelines.stages import DatesPipeline, NormalizePipeline

    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse(url, body=raw, headers=headers)
    try:
        item, page = notice_from_response(response, ListEntry(url=url), source_id="scs-extract")
    except PageError as error:
        return {}, f"{error.kind}: {error.reason}"
    for stage in (NormalizePipeline(), DatesPipeline()):
        item = stage.process_item(item)
        if isinstance(item, FailedPage):
            return {}, f"{item.kind}: {item.reason}"
    rules = dict(page.rules)
    rules["published"] = item.published_reason
    rules["written"] = item.written_reason
    return {
        "url": url if url != _NO_URL else None,
        "encoding": response.encoding,
        "title": item.title,
        "published": item.published.isoformat() if item.published else None,
        "written": item.written.isoformat() if item.written else None,
        "publisher": item.publisher or None,
        "doc_number": item.doc_number or None,
        "body": item.body,
        "attachments": [{"name": a.name, "type": a.type, "url": a.url} for a in item.attachments],
        "fields": page.fields,
        "meta": page.meta,
        "date_candidates": [{"kind": c.kind, "label": c.label, "raw": c.raw} for c in item.date_candidates],
        "flags": item.flags,
        "rules": {name: rule for name, rule in rules.items() if rule},
    }, ""


def render(record: dict[str, Any]) -> str:
    """The record as text: one line per field with its rule in brackets, then the labelled fields and the body."""
    rules = record["rules"]
    lines = []
    for name in ("title", "published", "written", "publisher", "doc_number"):
        value = record[name] if record[name] is not None else "-"
        rule = f"  [{rules[name]}]" if name in rules else ""
        lines.append(f"{name:<11} {value}{rule}")
    lines.append(f"{'encoding':<11} {record['encoding']}")
    if record["flags"]:
        lines.append(f"{'flags':<11} {', '.join(record['flags'])}")
    lines.append(f"attachments ({len(record['attachments'])})")
    lines += [f"  {a['name']}  <{a['url']}>" for a in record["attachments"]]
    lines.append(f"fields ({len(record['fields'])})")
    lines += [f"  {label}: {value}" for label, value in record["fields"].items()]
    lines.append(f"body ({len(record['body'])} characters)  [{rules.get('body', '-')}]")
    lines.append(record["body"])
    return "\n".join(lines)


def _run_list(raw: bytes, args: argparse.Namespace) -> int:
    if not args.url:
        print("scs extract: --list needs --url (entry links are relative to it)", file=sys.stderr)
        return 2
    try:
        record = (
            list_record_by_source(raw, args.url, args.source) if args.source else list_record_detected(raw, args.url)
        )
    except (KeyError, ValueError) as error:
        print(f"scs extract: cannot read the list of {args.page}: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print(render_list(record))
    return 0


def list_record_detected(raw: bytes, url: str) -> dict[str, Any]:
    """Entries, next page and page count of an HTML list page found by the generic detector."""
    from scrapy.http import HtmlResponse

    from crawler.listdetect import detect_list

    page = detect_list(HtmlResponse(url, body=raw).text, url)
    return {
        "entries": [
            {"title": e.title, "url": e.url, "date": e.date.isoformat() if e.date else None} for e in page.entries
        ],
        "next_page": page.next_page,
        "total_pages": page.total_pages,
        "rules": {"by": "generic list detector", **page.rules},
    }


def list_record_by_source(raw: bytes, url: str, source_id: str) -> dict[str, Any]:
    """Entries, next page and page count of a list page read as the source's crawl reads it (page 1 of a column)."""
    from scrapy.http import HtmlResponse, TextResponse

    from crawler.spiders.base import PageError
    from crawler.spiders.sources import spider_class
    from crawler.spiders.trs_static import page_count
    from pipelines.dates import parse_date

    spider = spider_class(source_id)()
    columns = spider.source.columns
    column = next((c for c in columns if c.url.rsplit("/", 1)[0] == url.rsplit("/", 1)[0]), columns[0])
    is_json = raw.lstrip()[:1] in (b"{", b"[")
    response = (TextResponse if is_json else HtmlResponse)(url, body=raw, encoding="utf-8" if is_json else None)
    try:
        entries = list(spider.parse_list_entries(response, column, 1))
        more = spider.has_next_page(response, column, 1, entries)
    except PageError as error:
        raise ValueError(f"{error.kind}: {error.reason}") from error
    announced = None if is_json else page_count(response.text)
    total = announced if announced is not None else (1 if entries and not more else None)
    return {
        "entries": [
            {"title": e.title, "url": e.url, "date": _iso(parse_date(e.date_raw, None)) if e.date_raw else None}
            for e in entries
        ],
        "next_page": spider.list_request(column, 2).url if more else None,
        "total_pages": total,
        "rules": {"by": f"source {source_id} (family {spider.family}, column {column.name})"},
    }


def _iso(date: Any) -> str | None:
    return date.isoformat() if date else None


def render_list(record: dict[str, Any]) -> str:
    lines = [f"{'rule':<11} {rule}" for rule in record["rules"].values()]
    lines.append(f"{'next_page':<11} {record['next_page'] or '-'}")
    lines.append(f"{'total':<11} {record['total_pages'] if record['total_pages'] is not None else '-'}")
    lines.append(f"entries ({len(record['entries'])})")
    lines += [f"  {e['date'] or '----------'}  {e['title']}  <{e['url']}>" for e in record["entries"]]
    return "\n".join(lines)

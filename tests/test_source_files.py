"""Rules every source file obeys, and the coverage the project promises.

Each source is also walked offline through its own mirror fixtures with its family's
hooks (no reactor): every list page it asks for is served, the entries it reads are
served too, so `scs demo` can crawl it.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import Request
from scrapy.http.response import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from classifiers.gazetteer import divisions
from crawler.sourceconfig import COLUMN_KINDS, SourceConfigError, load_sources, parse_source
from crawler.spiders.base import NoticeSpider, PageError
from crawler.spiders.families import FAMILIES
from crawler.spiders.sources import spider_class
from mirror.server import Fixture, load_fixtures

CONTENT_DIR = Path(__file__).resolve().parents[1] / "mirror" / "content"
SOURCES = load_sources()
FIXTURES = load_fixtures()


def test_coverage_of_sources_families_and_jurisdictions() -> None:
    assert len(SOURCES) >= 25
    assert len({source.family for source in SOURCES.values()}) >= 5
    assert len({source.jurisdiction for source in SOURCES.values()}) >= 12
    levels = {source.jurisdiction[2:] == "0000" and source.jurisdiction != "000000" for source in SOURCES.values()}
    assert levels == {True, False}  # provinces and others
    assert sum(source.id.startswith("credit_") for source in SOURCES.values()) >= 3


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_source_rules(source_id: str) -> None:
    source = SOURCES[source_id]
    assert source.family in FAMILIES
    assert source.jurisdiction in divisions(), f"{source.jurisdiction} is not a GB/T 2260 code"
    assert source.columns and all(column.name in COLUMN_KINDS for column in source.columns)
    assert source.download_delay >= 0.5
    assert (CONTENT_DIR / f"{source_id}.toml").is_file(), "mirror content file missing"
    family_doc = importlib.import_module(FAMILIES[source.family].__module__).__doc__ or ""
    assert len(family_doc) > 300, "each family documents its quirks in its docstring"


def _served(request: Request) -> Fixture | None:
    """The mirror fixture that answers this request, as the mirror server would pick it."""
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)) if request.method == "POST" else {}
    matches = [f for f in FIXTURES.get(parts.netloc, []) if f.matches(request.method, parts.path or "/", query, form)]
    return max(matches, key=lambda fixture: fixture.specificity) if matches else None


def _response(request: Request, fixture: Fixture) -> Response:
    body = fixture.body_path.read_bytes()
    cls = responsetypes.from_args(headers=fixture.headers, url=request.url, body=body)
    return cls(url=request.url, status=fixture.status, headers=fixture.headers, body=body, request=request)


def walk_offline(source_id: str) -> tuple[int, list[str], list[str]]:
    """(list pages served, detail URLs read, URLs missing from the mirror) for one source."""
    crawler = get_crawler(spider_class(source_id))
    spider: NoticeSpider = crawler.spidercls.from_crawler(crawler)
    pages, details, missing = 0, [], []
    for column in spider.source.columns:
        page = 1
        while page < 20:
            request = spider.list_request(column, page)
            fixture = _served(request)
            if fixture is None:
                missing.append(request.url)
                break
            pages += 1
            response = _response(request, fixture)
            try:
                entries = list(spider.parse_list_entries(response, column, page))
                more = spider.has_next_page(response, column, page, entries)
            except PageError:  # a deliberately unusable answer (a `[[raw]]` WAF page in the content file)
                missing.append(request.url)
                break
            details += [entry.url for entry in entries]
            if not more:
                break
            page += 1
    for url in details:
        fixture = _served(Request(url))
        if fixture is None or fixture.status != 200 or "html" not in fixture.headers.get("Content-Type", ""):
            missing.append(url)
    return pages, details, missing


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_source_has_list_and_detail_fixtures(source_id: str) -> None:
    pages, details, missing = walk_offline(source_id)
    assert pages >= len(SOURCES[source_id].columns)
    assert len(details) >= 3
    # Sources may serve deliberately broken pages (a `bad` notice in their content file) to exercise failures.
    content = CONTENT_DIR.joinpath(f"{source_id}.toml").read_text(encoding="utf-8")
    bad = content.count("bad = ") + content.count("[[raw]]")
    assert len(missing) <= bad, missing


# -- load-time errors name the field -------------------------------------------------------------

VALID: dict[str, Any] = {
    "id": "example",
    "name": "示例市人民政府 通知公告",
    "family": "static_list",
    "jurisdiction": "330300",
    "publisher": "示例市人民政府",
    "columns": [{"name": "notices", "url": "https://www.example.gov.cn/tzgg/index.html"}],
    "options": {"item_selector": "ul.list li"},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """VALID with one field replaced (`value` None: removed); `path` like `columns.0.url`."""
    data = copy.deepcopy(VALID)
    *parents, leaf = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is None:
        del target[leaf]
    else:
        target[leaf] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_with("id", None), "id"),
        (_with("id", "Bad-Id"), "id"),
        (_with("family", "wordpress"), "family"),
        (_with("jurisdiction", None), "jurisdiction"),
        (_with("jurisdiction", "3303"), "jurisdiction"),
        (_with("publisher", ""), "publisher"),
        (_with("columns", None), "columns"),
        (_with("columns.0.name", "news"), "name"),
        (_with("columns.0.url", "/tzgg/index.html"), "url"),
        (_with("homepage", "https://www.example.gov.cn/"), "homepage"),
        (_with("options.item_selector", None), "item_selector"),
        (_with("options.paging", "infinite"), "paging"),
        (_with("options.page_template", "index.html"), "page_template"),
        (_with("options.skip_pattern", "(["), "skip_pattern"),
        (_with("options.colour", "red"), "colour"),
        ({**VALID, "family": "trs_jpaas", "options": {"web_id": "x", "tpl_set_id": "0" * 32}}, "web_id"),
        ({**VALID, "family": "trs_jpaas", "options": {"web_id": "0" * 32, "tpl_set_id": "0" * 32}}, "page_id"),
        ({**VALID, "family": "gkmlpt", "options": {"sid": "755abc"}}, "sid"),
        ({**VALID, "family": "gkmlpt", "options": {"sid": "2"}}, "category"),
        ({**VALID, "family": "hanweb_jpage", "options": {}}, "columnid"),
    ],
)
def test_a_missing_or_wrong_field_fails_at_load_naming_it(data: dict[str, Any], field: str) -> None:
    with pytest.raises(SourceConfigError, match=rf"example\.toml: .*{field}"):
        parse_source(data, "example.toml", FAMILIES)


def test_the_valid_example_loads() -> None:
    source = parse_source(VALID, "example.toml", FAMILIES)
    assert source.options.paging == "template" and source.options.page_template == "index_{page0}.html"

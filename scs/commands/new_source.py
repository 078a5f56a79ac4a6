"""`scs new-source ID --family F ...`: scaffold a source file, its mirror content and a failing test.

The source file is validated exactly as the crawler will load it before anything is
written, so a scaffold never breaks the other sources. The mirror content starts with
no notices and the generated test fails until at least three notices are written and
their fixtures built: a source cannot be "added" without offline pages to prove it.
Steps for people: docs/adding-a-source.md.

With `--from-page FILE` (a saved list page of the column, served at `--url`) the family and
list options are proposed by the generic list detector (`crawler.listdetect`): a
`static_list` source with the item and link selectors of the run of links it found and the
paging its pager shows. The proposal is read back over that page with the crawl's own code
before anything is written, and both readings are printed for the operator to review.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_DETAIL_STYLE = {
    "trs_static": "trs",
    "trs_jpaas": "jpaas",
    "hanweb_jpage": "hanweb",
    "gkmlpt": "gkmlpt",
    "static_list": "simple",
    "govcn_api": "simple",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "new-source",
        help="scaffold a new source: configuration, mirror content, fixture folder and a failing test",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("id", help="source id: lower case, digits and _ (e.g. credit_anhui)")
    parser.add_argument("--family", help="CMS family (see `scs sources`; docs/adding-a-source.md); or --from-page")
    parser.add_argument(
        "--from-page",
        type=Path,
        metavar="FILE",
        help="a saved list page of the column (served at --url): propose family, list selectors and paging from it",
    )
    parser.add_argument("--jurisdiction", required=True, help="GB/T 2260 code, 000000 for national bodies")
    parser.add_argument("--name", required=True, help="human name, e.g. 信用安徽 信用动态")
    parser.add_argument("--publisher", required=True, help="default issuing body, e.g. 安徽省发展和改革委员会")
    parser.add_argument("--url", required=True, help="the first column's first list page (or API endpoint)")
    parser.add_argument("--column", default="notices", help="column kind: notices, policies or credit-news")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="family option (repeat)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="column param (repeat)")
    parser.add_argument("--root", type=Path, default=None, help="repository root to write into (default: this one)")
    parser.set_defaults(run=run)


def _pairs(items: list[str], what: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"scs new-source: --{what} needs KEY=VALUE, got {item!r}")
        values[key.strip()] = int(raw) if re.fullmatch(r"-?\d+", raw) and what == "option" else raw
    return values


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def source_toml(args: argparse.Namespace, options: dict[str, Any], params: dict[str, Any]) -> str:
    lines = [
        f"# {args.name}: scaffolded by `scs new-source`. Say here which CMS family the site runs and the",
        "# evidence (URL shapes, list scripts, API calls seen in the browser), and what is unverified.",
        f"id = {_toml_value(args.id)}",
        f"name = {_toml_value(args.name)}",
        f"family = {_toml_value(args.family)}",
        f"jurisdiction = {_toml_value(args.jurisdiction)}",
        f"publisher = {_toml_value(args.publisher)}",
        "",
        "[[columns]]",
        f"name = {_toml_value(args.column)}",
        f"url = {_toml_value(args.url)}",
    ]
    if params:
        lines += ["", "[columns.params]", *(f"{key} = {_toml_value(value)}" for key, value in params.items())]
    if options:
        lines += ["", "[options]", *(f"{key} = {_toml_value(value)}" for key, value in options.items())]
    return "\n".join(lines) + "\n"


def content_toml(args: argparse.Namespace) -> str:
    style = DEFAULT_DETAIL_STYLE.get(args.family, "simple")
    return f"""# Mirror content of `{args.id}`: notices WE write (never copied from a real page), rendered into the real
# site's structures by mirror/family_templates.py. Build with: python -m mirror.build_fixtures {args.id}
source = {_toml_value(args.id)}
template = "coverage"
detail_style = {_toml_value(style)}  # trs, hanweb, jpaas, gkmlpt, nfcms, beijing, shanghai or simple
site_name = {_toml_value(args.publisher)}
column_title = "通知公告"
# HTML list families: the real site's list markup, matching the source's selectors ({{href}} {{title}} {{date}}).
# list_wrapper = '<ul class="list">{{items}}</ul>'
# list_item = '<li><a href="{{href}}" title="{{title}}">{{title}}</a><span>{{date}}</span></li>'

# Write at least three notices over at least two list pages, e.g.:
# [[notices]]
# page = 1
# title = "关于……的通知"
# published = "2026-11-20 10:00"
# doc_number = "某政办发〔2026〕1号"
# body = \"\"\"
# 第一段。
#
# 第二段。
# \"\"\"
"""


def test_py(source_id: str) -> str:
    return f'''"""Source `{source_id}` (from `scs new-source`): fails until its mirror content is written and built."""

from __future__ import annotations

from test_source_files import walk_offline


def test_{source_id}_is_crawlable_offline() -> None:
    pages, details, missing = walk_offline("{source_id}")
    assert len(details) >= 3, (
        "write at least three notices in mirror/content/{source_id}.toml, "
        "then run: python -m mirror.build_fixtures {source_id}"
    )
    assert not missing, f"requests the mirror cannot answer: {{missing}}"
'''


def options_from_page(page: bytes, url: str) -> tuple[dict[str, Any], str]:
    """`static_list` options proposed by the list detector for a saved list page ({} and why, if it finds no list)."""
    from scrapy.http import HtmlResponse

    from crawler.listdetect import detect_list

    detected = detect_list(HtmlResponse(url, body=page).text, url)
    if not detected.entries:
        return {}, detected.rules.get("entries", "no list found")
    options: dict[str, Any] = {"item_selector": detected.item_selector, "link_selector": detected.link_selector}
    following = detected.next_page or ""
    template = re.fullmatch(r"index_1\.(s?html?)", following.rsplit("/", 1)[-1])
    if template:
        options.update(paging="template", page_template=f"index_{{page0}}.{template.group(1)}")
    elif "下一页" in detected.rules.get("pagination", ""):
        options.update(paging="next_link", next_selector="a:contains('下一页')")
    else:
        options["paging"] = "single"
    return options, ""


def check_against_page(text: str, page: bytes, url: str) -> tuple[int, int]:
    """(entries the proposed source reads from the page, entries the detector found): the operator compares them."""
    from scrapy.http import HtmlResponse

    from crawler.listdetect import detect_list
    from crawler.sourceconfig import parse_source
    from crawler.spiders.families import FAMILIES
    from crawler.spiders.sources import build_spider_class

    source = parse_source(tomllib.loads(text), "proposed.toml", FAMILIES)
    spider = build_spider_class(source)()
    response = HtmlResponse(url, body=page)
    configured = list(spider.parse_list_entries(response, source.columns[0], 1))
    return len(configured), len(detect_list(response.text, url).entries)


def run(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from crawler.sourceconfig import SourceConfigError, parse_source
    from crawler.spiders.families import FAMILIES

    root = args.root or Path(__file__).resolve().parents[2]
    source_file = root / "crawler" / "sources" / f"{args.id}.toml"
    content_file = root / "mirror" / "content" / f"{args.id}.toml"
    test_file = root / "tests" / f"test_source_{args.id}.py"
    existing = [path for path in (source_file, content_file, test_file) if path.exists()]
    if existing:
        print(f"scs new-source: already exists: {', '.join(map(str, existing))}")
        return 1
    options = _pairs(args.option, "option")
    page = b""
    if args.from_page:
        try:
            page = args.from_page.read_bytes()
        except OSError as error:
            print(f"scs new-source: cannot read {args.from_page}: {error.strerror or error}")
            return 2
        proposed, problem = options_from_page(page, args.url)
        if problem:
            print(f"scs new-source: no list found on {args.from_page}: {problem}")
            return 1
        args.family = args.family or "static_list"
        options = {**proposed, **options}  # what the operator gave wins
    if not args.family:
        print("scs new-source: give --family, or --from-page FILE to have it proposed")
        return 2
    text = source_toml(args, options, _pairs(args.param, "param"))
    try:
        parse_source(tomllib.loads(text), f"{args.id}.toml", FAMILIES)
    except SourceConfigError as error:
        print(f"scs new-source: {error}")
        return 2
    if args.from_page:
        read, found = check_against_page(text, page, args.url)
        print(f"proposed from {args.from_page}: the detector found {found} entries, the proposed selectors read {read}")
        print(f"check: scs extract --list {args.from_page} --url {args.url} (and --source {args.id} once written)")
    host_dir = root / "mirror" / "fixtures" / (urlsplit(args.url).hostname or "")
    for path, body in ((source_file, text), (content_file, content_toml(args)), (test_file, test_py(args.id))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        print(f"wrote {path}")
    host_dir.mkdir(parents=True, exist_ok=True)
    print(f"fixture folder {host_dir}")
    print("next: write the notices, build the fixtures, run the test (docs/adding-a-source.md)")
    return 0

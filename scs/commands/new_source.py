"""`scs new-source ID --family F ...`: scaffold a source file, its mirror content and a failing test.

The source file is validated exactly as the crawler will load it before anything is
written, so a scaffold never breaks the other sources. The mirror content starts with
no notices and the generated test fails until at least three notices are written and
their fixtures built: a source cannot be "added" without offline pages to prove it.
Steps for people: docs/adding-a-source.md.
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
    parser.add_argument("--family", required=True, help="CMS family (see `scs sources`; docs/adding-a-source.md)")
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
    text = source_toml(args, _pairs(args.option, "option"), _pairs(args.param, "param"))
    try:
        parse_source(tomllib.loads(text), f"{args.id}.toml", FAMILIES)
    except SourceConfigError as error:
        print(f"scs new-source: {error}")
        return 2
    host_dir = root / "mirror" / "fixtures" / (urlsplit(args.url).hostname or "")
    for path, body in ((source_file, text), (content_file, content_toml(args)), (test_file, test_py(args.id))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        print(f"wrote {path}")
    host_dir.mkdir(parents=True, exist_ok=True)
    print(f"fixture folder {host_dir}")
    print("next: write the notices, build the fixtures, run the test (docs/adding-a-source.md)")
    return 0

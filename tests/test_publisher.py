"""The published site and feeds: approved items only, valid feeds, escaped content, same database → same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import jsonschema
import pytest
from newsroom_data import ANALYST, BIKE_TITLE, SCRIPT_TITLE, add_notice, seeded_store
from sqlalchemy import select

from newsroom.review import update_review
from publisher import PublishError, publish_site
from publisher.output import MANIFEST
from store.db import Store
from store.models import Notice, Tag

BASE = "https://tracker.example.org/"

# JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the fields the spec requires, and the types it gives.
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "object", "minProperties": 1}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "external_url": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def approve(store: Store, title: str, headline: str, summary: str) -> None:
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == title)).one()
        update_review(db, notice, ANALYST, headline, summary, "approve")


@pytest.fixture
def store(db_url: str) -> Store:
    store = seeded_store(db_url)
    approve(
        store,
        BIKE_TITLE,
        "Shenzhen, Guangdong: untrustworthy list for rental bike companies",
        "Shenzhen will list bike-sharing companies that break the rules & punish them jointly.",
    )
    approve(store, SCRIPT_TITLE, "Guangdong: <script>alert(1)</script> list", "A <b>bold</b> & <i>risky</i> summary.")
    return store


@pytest.fixture
def site(store: Store, db_url: str, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    assert publish_site(db_url, out, base_url=BASE).items == 2
    return out


def tree_digest(root: Path) -> dict[str, str]:
    """Every file of the site and its hash (the manifest is the writer's bookkeeping, not part of the site)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def test_only_approved_items_are_published(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "untrustworthy list for rental bike companies" in index
    assert "Guangdong: &lt;script&gt;" in index
    assert (
        "建筑市场信用评价" not in index and "Shenzhen, Guangdong: untrustworthy list for rental bike companies" in index
    )
    assert len(list(site.glob("2025/*/*/index.html"))) == 2


def test_item_page_at_its_permalink(site: Path) -> None:
    page = site / "2025/03/shenzhen-guangdong-untrustworthy-list-for-rental-bike-companies/index.html"
    html = page.read_text(encoding="utf-8")
    assert BIKE_TITLE in html
    assert 'href="https://jtys.sz.gov.cn/zwgk/tzgg/content/post_100001.html"' in html
    assert '<link rel="canonical" href="https://tracker.example.org/2025/03/shenzhen-guangdong-' in html
    assert 'href="../../../style.css"' in html


def test_facet_pages_list_matching_items(site: Path) -> None:
    transport = (site / "industries/transport/index.html").read_text(encoding="utf-8")
    assert "rental bike companies" in transport and "risky" not in transport
    guangdong = (site / "locations/440000/index.html").read_text(encoding="utf-8")  # a city counts for its province
    assert "rental bike companies" in guangdong and "&lt;b&gt;bold&lt;/b&gt;" in guangdong
    assert (site / "locations/440300/index.html").exists()
    assert (site / "scs-types/blacklist/feed.xml").exists() and (site / "scs-types/blacklist/feed.json").exists()
    assert not (site / "scs-types/credit-rating").exists()  # only on an unapproved notice


def all_feed_folders(site: Path) -> list[Path]:
    return sorted(path.parent for path in site.rglob("feed.xml"))


def test_rss_and_atom_feeds_parse_cleanly(site: Path) -> None:
    folders = all_feed_folders(site)
    assert len(folders) > 5
    for folder in folders:
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((folder / name).read_bytes())
            assert parsed.bozo == 0, (folder / name, parsed.get("bozo_exception"))
            assert parsed.version == version
            assert parsed.entries
    top = feedparser.parse((site / "feed.xml").read_bytes())
    assert [entry.link for entry in top.entries] == [
        BASE + "2025/03/shenzhen-guangdong-untrustworthy-list-for-rental-bike-companies/",
        BASE + "2025/02/guangdong-script-alert-1-script-list/",
    ]
    assert top.entries[0].published_parsed[:3] == (2025, 3, 14)


def test_json_feeds_follow_the_spec(site: Path) -> None:
    checker = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    for folder in all_feed_folders(site):
        feed = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        checker.validate(feed)
        assert feed["items"]
    top = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert top["items"][0]["external_url"] == "https://jtys.sz.gov.cn/zwgk/tzgg/content/post_100001.html"
    assert "transport" in " ".join(top["items"][0]["tags"])


def test_schema_rejects_an_invalid_feed() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{}]}, JSON_FEED_SCHEMA
        )


def test_markup_in_notice_content_is_inert_everywhere(site: Path) -> None:
    own_scripts = '<script src="search/months.js" defer></script>\n<script src="search.js" defer></script>'
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".xml", ".json", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        if path == site / "search.html":
            assert own_scripts in text
            text = text.replace(own_scripts, "")
        if path.parent == site / "search":  # the search index: JSON in ASCII, markup characters as \u escapes
            assert "<" not in text, path
        elif path.suffix == ".json":
            for item in json.loads(text)["items"]:
                assert "<script" not in item["content_html"] and "<b>" not in item["content_html"]
                assert "<img" not in item["content_html"]
        elif path.suffix != ".js":
            assert "<script" not in text and "<img" not in text and "<b>" not in text, path
    item = next(site.glob("2025/02/*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;关于&lt;img" in item
    atom = feedparser.parse((site / "atom.xml").read_bytes())
    script_entry = next(e for e in atom.entries if "Guangdong:" in e.title and "Shenzhen" not in e.title)
    assert script_entry.title == "Guangdong: <script>alert(1)</script> list"  # text, not markup


def test_publishing_is_deterministic(site: Path, db_url: str, tmp_path: Path) -> None:
    again = tmp_path / "again"
    publish_site(db_url, again, base_url=BASE)
    assert tree_digest(site) == tree_digest(again)
    publish_site(db_url, site, base_url=BASE)  # re-publishing into the same folder replaces it with the same files
    assert tree_digest(site) == tree_digest(again)


def test_withdrawn_item_disappears_on_republish(site: Path, store: Store, db_url: str) -> None:
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == SCRIPT_TITLE)).one()
        update_review(db, notice, ANALYST, notice.headline_en, notice.summary_en, "reject")
    publish_site(db_url, site, base_url=BASE)
    assert not list(site.glob("2025/02/*"))
    assert not (site / "locations/440000/index.html").read_text(encoding="utf-8").count("risky")


def test_refuses_to_replace_a_folder_it_did_not_write(store: Store, db_url: str, tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(PublishError, match="not empty"):
        publish_site(db_url, tmp_path, base_url=BASE)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_permalink_is_fixed_at_first_approval(store: Store, db_url: str, tmp_path: Path) -> None:
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == BIKE_TITLE)).one()
        update_review(db, notice, ANALYST, "Shenzhen: a better headline", notice.summary_en, "approve")
        assert notice.slug == "shenzhen-guangdong-untrustworthy-list-for-rental-bike-companies"


def test_empty_database_publishes_an_empty_but_valid_site(db_url: str, tmp_path: Path) -> None:
    Store(db_url)
    assert publish_site(db_url, tmp_path / "empty", base_url=BASE).items == 0
    assert feedparser.parse((tmp_path / "empty" / "atom.xml").read_bytes()).bozo == 0
    feed = json.loads((tmp_path / "empty" / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(feed, JSON_FEED_SCHEMA)
    assert feed["items"] == [] and dt.date.today().isoformat() not in (tmp_path / "empty" / "feed.xml").read_text()


def test_scs_publish_command(store: Store, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scs.cli import main

    assert main(["--db", db_url, "publish", str(tmp_path / "out"), "--base-url", BASE]) == 0
    assert "published 2 items" in capsys.readouterr().out
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    assert main(["--db", db_url, "publish", str(tmp_path / "mine")]) == 1
    assert "refusing to replace it" in capsys.readouterr().err


class _Markup(HTMLParser):
    """The elements and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.elements.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def html_fragment(fragment: str) -> _Markup:
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    return parser


def test_rss_description_is_escaped_html_that_reads_as_the_summary(site: Path) -> None:
    """A reader renders <description> as HTML: the summary's markup must arrive as text, not as elements."""
    summary = "A <b>bold</b> & <i>risky</i> summary."
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site / name).read_bytes(), sanitize_html=False)
        entry = next(e for e in parsed.entries if "Shenzhen" not in e.title)
        assert entry.summary_detail.type == "text/html"
        description = html_fragment(entry.summary)
        assert description.elements == ["p"], (name, entry.summary)  # only our own paragraph
        assert description.text == summary


def test_tag_values_never_become_paths_outside_the_site(db_url: str, tmp_path: Path) -> None:
    store = seeded_store(db_url)
    with store.session() as db:
        notice = add_notice(
            db,
            title="关于信用修复的通知",
            body="信用修复。",
            url="https://example.gov.cn/traversal.html",
            tags={
                "scs_types": {"../../x": [], "credit-repair": []},
                "industries": {"../x": [], "/tmp/abs": []},
                "locations": {"../../../x": [], "440300/../..": []},
            },
        )
        db.add(Tag(notice=notice, facet="scs_types", value="..\\..\\y", origin="analyst", present=True))
    approve(store, "关于信用修复的通知", "Shenzhen: credit repair", "How to repair credit.")
    out = tmp_path / "deep" / "er" / "site"
    before = {path for path in tmp_path.rglob("*") if not path.is_relative_to(out)}
    assert publish_site(db_url, out, base_url=BASE).items == 1
    after = {path for path in tmp_path.rglob("*") if not path.is_relative_to(out)}
    assert after == before | {out.parent, out.parent.parent} - {out}
    assert not (tmp_path / "x").exists() and not (tmp_path / "deep" / "x").exists()
    assert (out / "scs-types/credit-repair/index.html").exists()  # the valid tag still gets its page
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert ".." not in path.relative_to(out).parts
    page = next(out.glob("*/*/shenzhen-credit-repair/index.html")).read_text(encoding="utf-8")
    assert "Credit repair" in page and "../../x" not in page

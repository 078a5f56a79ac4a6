"""The published site at more than a page of items: pagination, feeds of the latest 50, labels in words,
incremental re-publishing. The items are SYNTHETIC, written straight into a test database."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import feedparser
import pytest
from conftest import shared_dir
from publisher_data import add_approved, synthetic_dates
from sqlalchemy import select

from publisher import publish_site
from publisher.items import FACET_LABELS
from publisher.output import MANIFEST
from store.db import Store
from store.models import Notice

BASE = "https://tracker.example.org/"


@pytest.fixture
def many(db_url: str) -> list[tuple[dt.date, int]]:
    """130 approved items: odd numbers are blacklist items in Shenzhen, even ones credit ratings in Hangzhou."""
    added = []
    store = Store(db_url)
    for number, published in enumerate(synthetic_dates(), start=1):
        odd = number % 2 == 1
        add_approved(store, number, published, "blacklist" if odd else "credit-rating", "440300" if odd else "330100")
        added.append((published, number))
    store.dispose()
    return added


def newest_first(added: list[tuple[dt.date, int]]) -> list[int]:
    return [number for _date, number in sorted(added, reverse=True)]


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def numbers_on(page: Path) -> list[int]:
    return [
        int(n) for n in re.findall(r'class="permalink" href="[^"]*synthetic-item-(\d+)/index.html"', page.read_text())
    ]


def test_feeds_hold_the_latest_50_items(many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert publish_site(db_url, out, base_url=BASE).items == len(many)
    expected = newest_first(many)[:50]
    for name in ("feed.xml", "atom.xml"):
        entries = feedparser.parse((out / name).read_bytes()).entries
        assert [int(e.link.rstrip("/").rsplit("-", 1)[1]) for e in entries] == expected
    blacklist = feedparser.parse((out / "scs-types/blacklist/feed.xml").read_bytes()).entries
    assert [int(e.link.rstrip("/").rsplit("-", 1)[1]) for e in blacklist] == [n for n in newest_first(many) if n % 2][
        :50
    ]
    assert numbers_on(out / "index.html") == expected


def follow_archive(out: Path, folder: str) -> list[list[int]]:
    """The items of each archive page of a list, newest page first, following the "Older" links."""
    months = (out / folder / "archive/index.html").read_text()
    first = re.search(r'<li><a href="([^"]+)">', months)
    assert first is not None
    page = (out / folder / "archive" / first.group(1).rsplit("/", 1)[1]).resolve()
    pages = []
    while True:
        pages.append(numbers_on(page))
        older = re.search(r'class="older" href="([^"]+)"', page.read_text())
        if older is None:
            return pages
        page = (page.parent / older.group(1)).resolve()
        assert page.is_file()


def test_archive_pages_hold_every_item_once_50_at_most(
    many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    publish_site(db_url, out, base_url=BASE)
    pages = follow_archive(out, "")
    assert all(0 < len(items) <= 50 for items in pages)
    assert [n for items in pages for n in items] == newest_first(many)
    may_pages = sorted(out.glob("archive/2024-05*.html"))
    assert [p.name for p in may_pages] == ["2024-05-2.html", "2024-05.html"]  # 60 items in May: two pages
    hangzhou = follow_archive(out, "locations/330100")
    assert [n for items in hangzhou for n in items] == [n for n in newest_first(many) if n % 2 == 0]
    zhejiang = follow_archive(out, "locations/330000")  # the province lists its cities' items
    assert zhejiang == hangzhou


def test_labels_in_words_and_cities_under_their_provinces(
    many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    publish_site(db_url, out, base_url=BASE)
    front = (out / "index.html").read_text()
    assert '<a href="scs-types/blacklist/index.html">Blacklists</a> <small>(65)</small>' in front
    assert '<a href="scs-types/credit-rating/index.html">Credit ratings</a>' in front
    locations = front[front.index('data-facet="locations"') :]
    guangdong, zhejiang = locations.index(">Guangdong<"), locations.index(">Zhejiang<")
    shenzhen, hangzhou = locations.index(">Shenzhen<"), locations.index(">Hangzhou<")
    assert guangdong < shenzhen < zhejiang < hangzhou
    assert locations[guangdong:shenzhen].count('<ul class="cities">') == 1
    assert "<h1>SCS type: Blacklists</h1>" in (out / "scs-types/blacklist/index.html").read_text()


def taxonomy_slugs(text: str) -> dict[str, set[str]]:
    scs = text[text.index("## scs_types") : text.index("## industries")]
    industries = text[text.index("## industries") : text.index("## locations")]
    return {
        "scs_types": set(re.findall(r"^\| `([a-z-]+)` \|", scs, re.MULTILINE)),
        "industries": set(re.findall(r"`([a-z-]+)`", industries.split("\n\n")[1])),
    }


def test_every_taxonomy_slug_has_a_label() -> None:
    taxonomy = shared_dir() / "taxonomy.md"
    if not taxonomy.exists():
        pytest.skip(f"{taxonomy} is not available")
    slugs = taxonomy_slugs(taxonomy.read_text(encoding="utf-8"))
    assert len(slugs["scs_types"]) == 13 and len(slugs["industries"]) == 29
    for facet, values in slugs.items():
        assert set(FACET_LABELS[facet]) == values


def test_republishing_writes_only_what_changed(many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = publish_site(db_url, out, base_url=BASE)
    assert first.written == len(tree_digest(out)) - 1 and first.removed == 0  # all but the marker, made first
    before = tree_digest(out)

    again = publish_site(db_url, out, base_url=BASE)
    assert (again.written, again.removed, again.unchanged) == (0, 0, first.written)
    assert tree_digest(out) == before

    # One new approval, a Shenzhen blacklist item of 10 March 2024.
    store = Store(db_url)
    add_approved(store, 999, dt.date(2024, 3, 10), "blacklist", "440300")
    third = publish_site(db_url, out, base_url=BASE)
    after = tree_digest(out)
    changed = {path for path in after if before.get(path) != after[path]}
    assert third.written == len(changed) and third.removed == 0
    assert "2024/03/synthetic-item-999/index.html" in changed
    assert {"index.html", "archive/2024-03.html", "search/2024-03.js"} <= changed
    assert {"feed.xml", "archive/2024-05.html", "archive/2024-01.html", "search/2024-05.js"}.isdisjoint(changed)
    untouched = ("scs-types/credit-rating/", "locations/330100/", "locations/330000/", "2024/05/", "2024/01/")
    assert not [path for path in changed if path.startswith(untouched)]
    assert len(changed) < 40 < len(after)

    # Withdrawing it removes its page and puts the other pages back as they were.
    with store.session() as db:
        db.scalars(select(Notice).where(Notice.slug == "synthetic-item-999")).one().status = "rejected"
    store.dispose()
    fourth = publish_site(db_url, out, base_url=BASE)
    assert fourth.removed == 1 and tree_digest(out) == before


def test_same_database_same_files(many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path) -> None:
    publish_site(db_url, tmp_path / "one", base_url=BASE)
    publish_site(db_url, tmp_path / "two", base_url=BASE, rebuild=True)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    result = publish_site(db_url, tmp_path / "one", base_url=BASE, rebuild=True)
    assert result.written == 0  # rendered again, but every file's bytes were the same


def test_a_file_deleted_by_hand_comes_back_with_rebuild(
    many: list[tuple[dt.date, int]], db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    publish_site(db_url, out, base_url=BASE)
    (out / "archive/2024-05-2.html").unlink()
    assert publish_site(db_url, out, base_url=BASE, rebuild=True).written == 1
    assert (out / "archive/2024-05-2.html").is_file()


def test_items_sharing_a_slug_in_a_month_get_a_page_each(db_url: str, tmp_path: Path) -> None:
    """The newsroom keeps slugs unique per month; a database edited by hand may not, and one bad row must not
    stop the publish or hide an item."""
    store = Store(db_url)
    add_approved(store, 1, dt.date(2024, 3, 1), "blacklist", "440300")
    add_approved(store, 2, dt.date(2024, 3, 2), "blacklist", "440300")
    add_approved(store, 3, dt.date(2024, 3, 3), "blacklist", "440300")
    with store.session() as db:
        for notice in db.scalars(select(Notice)):
            notice.slug = {1: "same", 2: "same", 3: "../../evil"}[notice.id]
        ids = {notice.slug: notice.id for notice in db.scalars(select(Notice))}
    store.dispose()
    out = tmp_path / "site"
    assert publish_site(db_url, out, base_url=BASE).items == 3
    pages = sorted(str(path.relative_to(out)) for path in out.glob("2024/03/*/index.html"))
    assert len(pages) == 3 and "2024/03/same/index.html" in pages
    assert f"2024/03/notice-{ids['../../evil']}/index.html" in pages
    assert not (tmp_path / "evil").exists()


def test_a_second_publish_into_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    from publisher import PublishError
    from publisher.output import SiteWriter

    first = SiteWriter(tmp_path / "site")
    first.emit("index.html", "k", lambda: b"ours\n")
    with pytest.raises(PublishError, match="being published by another"):
        SiteWriter(tmp_path / "site")
    assert first.finish().written == 1
    second = SiteWriter(tmp_path / "site")  # once the first has finished, the next one runs
    assert second.finish().removed == 1  # it made no index.html this time, so the file goes
    assert sorted(path.name for path in (tmp_path / "site").iterdir()) == [".scs-manifest.sqlite3", ".scs-site"]

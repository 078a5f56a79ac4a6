"""The published site opened from disk (file://) in Chromium: every link lands on a page, search works offline.

Drives Debian's Chromium through Playwright as tests/test_newsroom_browser.py does (skips where it is absent,
except under CI). The items are SYNTHETIC, plus the two approved test notices of newsroom_data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from newsroom_data import ANALYST, BIKE_TITLE, SCRIPT_TITLE, seeded_store
from publisher_data import add_approved
from sqlalchemy import select
from test_newsroom_browser import SCREENSHOTS

from newsroom.review import update_review
from publisher import publish_site
from store.models import Notice

pytestmark = pytest.mark.slow

BIKE_HEADLINE = "Shenzhen, Guangdong: bike-sharing firms face untrustworthy list"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site of 57 items: the two test notices and 55 SYNTHETIC ones, 52 of them in May 2024 (two pages)."""
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    store = seeded_store(db_url)
    with store.session() as db:
        for title, headline, summary in (
            (BIKE_TITLE, BIKE_HEADLINE, "Shenzhen will list rental bicycle companies that break the rules."),
            (SCRIPT_TITLE, "Guangdong: <script>alert(2)</script> list", "<img src=x onerror=alert(3)> summary"),
        ):
            notice = db.scalars(select(Notice).where(Notice.title == title)).one()
            update_review(db, notice, ANALYST, headline, summary, "approve")
    for number in range(1, 56):
        published = dt.date(2024, 5, 1 + number % 28) if number <= 52 else dt.date(2024, 4, number - 40)
        add_approved(store, number, published, "blacklist" if number % 2 else "credit-rating", "330100")
    store.dispose()
    out = tmp_path / "site"
    assert publish_site(db_url, out, base_url="https://tracker.example.org/").items == 57
    return out


def local_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def test_every_link_from_disk_lands_on_a_page(site: Path, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    start = (site / "index.html").as_uri()
    queue, seen, files = [start], {start}, set()
    while queue:
        url = queue.pop()
        response = page.goto(url)
        assert response is None or response.ok, url
        assert page.locator("header.top a.brand").count() == 1, f"{url} is not one of our pages"
        assert "Index of" not in page.title(), f"{url} shows a directory listing"
        targets = "elements => elements.map(e => e.href || e.action)"
        for href in page.eval_on_selector_all("a[href], link[href], form[action]", targets):
            target, _fragment = urldefrag(href)
            if not target.startswith("file://"):
                assert target.startswith("https://"), (url, href)  # only the notices' sources, never followed
                continue
            path = local_path(target)
            assert not target.endswith("/") and path.is_file(), f"{url} links to {href}: not a file"
            assert path.resolve().is_relative_to(site.resolve()), (url, href)
            files.add(path)
            if path.suffix == ".html" and target not in seen:
                seen.add(target)
                queue.append(target)
    pages = {path for path in files if path.suffix == ".html"}
    assert pages == set(site.rglob("*.html"))  # every page of the site is reachable, and only those
    assert {path.name for path in files} >= {"feed.xml", "atom.xml", "feed.json", "style.css"}
    assert len(pages) > 80
    assert errors == [] and dialogs == []


def test_search_finds_an_approved_item_by_an_english_word(site: Path, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    from playwright.sync_api import expect

    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto((site / "index.html").as_uri())
    page.screenshot(path=str(SCREENSHOTS / "site-front.png"), full_page=True)

    page.get_by_label("Search the items").fill("bicycle")  # a word of the summary only
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-status")).to_have_text("1 item matches “bicycle”.")
    results = page.locator("#search-results a.result")
    expect(results).to_have_count(1)
    expect(results).to_have_text(BIKE_HEADLINE)
    page.screenshot(path=str(SCREENSHOTS / "site-search.png"), full_page=True)
    results.click()
    expect(page.locator("h1")).to_have_text(BIKE_HEADLINE)
    assert page.url.endswith("/index.html")

    # Prefixes of several words, in any order; a topic name counts as words of the item.
    page.goto((site / "search.html").as_uri())
    page.locator("#q").fill("untrust shenz")
    page.locator("#search-form button").click()
    expect(page.locator("#search-results a.result")).to_have_text([BIKE_HEADLINE])
    page.locator("#q").fill("blacklists synthetic")
    page.locator("#search-form button").click()
    expect(page.locator("#search-status")).to_have_text("28 items match “blacklists synthetic”.")

    # Markup in a headline is shown as text, and runs nothing.
    page.locator("#q").fill("script")
    page.locator("#search-form button").click()
    expect(page.locator("#search-results a.result")).to_have_text(["Guangdong: <script>alert(2)</script> list"])
    page.locator("#q").fill("nothingmatchesthis")
    page.locator("#search-form button").click()
    expect(page.locator("#search-status")).to_have_text("0 items match “nothingmatchesthis”.")
    assert errors == [] and dialogs == []

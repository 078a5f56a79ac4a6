"""Build the static site and feeds of approved items: incrementally, in one streaming pass, deterministically.

Same database, same bytes: items come sorted, every date comes from the data (never from the clock),
slugs are fixed at approval, JSON keys are sorted. Only approved items are read, and only their
analyst-reviewed English text is published; every piece of notice content is escaped in pages and feeds.

The site, for the whole list of items and for each facet value (FOLDER is "" or e.g. `scs-types/blacklist/`):
- FOLDER`index.html`: the latest 50 items; the site's own front page also has the filters;
- FOLDER`feed.xml`, `atom.xml`, `feed.json`: the same latest 50;
- FOLDER`archive/index.html`: the months, and FOLDER`archive/YYYY-MM.html`, `YYYY-MM-2.html`…: every item,
  50 a page, newest first, with links to the newer and older page. Pages are cut per month, so a new approval
  changes the pages of its own month only, not every page after it;
- `YYYY/MM/slug/index.html` per item, `search.html` and its index `search/YYYY-MM.js` (one part per month).
Every link names a file (`…/index.html`), so the site works opened from disk as well as over HTTP.

Items are read newest first in batches; each page is passed to the writer as soon as it is complete, with a key
of everything it shows, so the writer renders only pages whose key changed (see `publisher.output`). Memory holds
at most three pages of items per list (the latest 50, the current page and the one before it), whatever the total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from classifiers.gazetteer import ENGLISH_NAMES
from publisher import feeds
from publisher.items import FACET_DIRS, FACET_TITLES, NATIONAL, Item, approved_items, facet_label
from publisher.output import SiteWriter, WriteCounts

SITE_TITLE = "SCS tracker: the latest"
PAGE_SIZE = 50
FEED_SIZE = 50
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
LABELS = Path(__file__).with_name("data")
FORMAT = "2"  # bump when the site's layout changes in code rather than in templates
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PublishResult:
    items: int
    written: int
    unchanged: int
    removed: int


def facet_folder(facet: str, value: str) -> str:
    return f"{FACET_DIRS[facet]}/{value}/"


def month_label(month: str) -> str:
    return dt.date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


@dataclass
class ArchivePage:
    """Up to 50 items of one month of one list."""

    listing: Listing
    month: str
    number: int
    items: list[Item]
    newer: str = ""
    older: str = ""

    @property
    def path(self) -> str:
        name = self.month if self.number == 1 else f"{self.month}-{self.number}"
        return f"{self.listing.folder}archive/{name}.html"


@dataclass
class Listing:
    """One list of items, newest first: the whole site (facet "") or the items of one facet value."""

    facet: str
    value: str
    publish_page: Callable[[ArchivePage], None]
    count: int = 0
    latest: list[Item] = field(default_factory=list)
    months: list[list[Any]] = field(default_factory=list)  # [month, count], newest first
    page: ArchivePage | None = None
    previous: ArchivePage | None = None  # complete, but its "older" link waits for the next page

    @property
    def folder(self) -> str:
        return facet_folder(self.facet, self.value) if self.facet else ""

    @property
    def title(self) -> str:
        return f"{FACET_TITLES[self.facet]}: {facet_label(self.facet, self.value)}" if self.facet else "All items"

    def add(self, item: Item) -> None:
        self.count += 1
        if len(self.latest) < FEED_SIZE:
            self.latest.append(item)
        month, months, page = item.month, self.months, self.page
        if months and months[-1][0] == month:
            months[-1][1] += 1
        else:
            months.append([month, 1])
        if page is not None and page.month == month and len(page.items) < PAGE_SIZE:
            page.items.append(item)
            return
        number = page.number + 1 if page is not None and page.month == month else 1
        self._close_page()
        self.page = ArchivePage(self, month, number, [item])

    def _close_page(self) -> None:
        if self.page is None:
            return
        if self.previous is not None:
            self.previous.older = self.page.path
            self.page.newer = self.previous.path
            self.publish_page(self.previous)
        self.previous, self.page = self.page, None

    def finish(self) -> None:
        self._close_page()
        if self.previous is not None:
            self.publish_page(self.previous)
            self.previous = None


def _version(base_url: str) -> str:
    """Part of every page key: a change of template, static file, label table, place names, format or base URL
    re-renders everything."""
    digest = hashlib.blake2b(f"{FORMAT}\0{base_url}".encode(), digest_size=16)
    for path in sorted([*TEMPLATES.iterdir(), *STATIC.iterdir(), *LABELS.iterdir(), ENGLISH_NAMES]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _words(item: Item) -> str:
    """The search words of an item: its English headline, summary and topic names, lower case, each once."""
    labels = [facet_label(facet, value) for facet, values in item.tags.items() for value in values]
    text = " ".join([item.headline, item.summary, *labels]).lower()
    return " ".join(dict.fromkeys(WORD.findall(text)))


def _js(data: Any) -> str:
    """JSON as a JavaScript literal, in ASCII (no markup or line separator can end a script early)."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")


class SiteBuilder:
    """Receives the items newest first and hands every file of the site to the writer."""

    def __init__(self, writer: SiteWriter, base_url: str) -> None:
        self.writer = writer
        self.base_url = base_url
        self.version = _version(base_url)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(
            facet_label=facet_label, facet_folder=facet_folder, facet_titles=FACET_TITLES, safe_link=feeds.safe_link
        )
        self.main = Listing("", "", self.archive_page)
        self.listings: dict[tuple[str, str], Listing] = {}
        self.search_month = ""
        self.search_items: list[Item] = []
        self.items = 0

    def key(self, *parts: str | int | list[str]) -> str:
        """A hash of what a file shows (strings and lists of item digests), and of the site's version."""
        digest = hashlib.blake2b(self.version.encode(), digest_size=16)
        for part in parts:
            digest.update(b"\x1e" + "\x1f".join(part if isinstance(part, list) else [str(part)]).encode())
        return digest.hexdigest()

    def render(self, path: str, template: str, **context: Any) -> bytes:
        root = "../" * path.count("/")
        return self.env.get_template(template).render(root=root, **context).encode("utf-8")

    def emit_page(self, path: str, key: str, template: str, **context: Any) -> None:
        self.writer.emit(path, key, lambda: self.render(path, template, **context))

    def add(self, item: Item) -> None:
        self.items += 1
        permalink = self.base_url + item.path
        self.emit_page(item.page, self.key("item", item.digest), "item.html", item=item, permalink=permalink)
        self.main.add(item)
        for facet, values in item.tags.items():
            for value in values:
                listing = self.listings.get((facet, value))
                if listing is None:
                    listing = self.listings[(facet, value)] = Listing(facet, value, self.archive_page)
                listing.add(item)
        if item.month != self.search_month:
            self.search_part()
            self.search_month = item.month
        self.search_items.append(item)

    def archive_page(self, page: ArchivePage) -> None:
        listing = page.listing
        heading = f"{listing.title} · {month_label(page.month)}" + (f" · page {page.number}" if page.number > 1 else "")
        digests = [item.digest for item in page.items]
        key = self.key("archive", page.path, heading, page.newer, page.older, digests)
        context = {"items": page.items, "newer": page.newer, "older": page.older}
        self.emit_page(
            page.path, key, "archive.html", heading=heading, folder=listing.folder, list_title=listing.title, **context
        )

    def search_part(self) -> None:
        """The search index of one month: page, headline, date, summary and words of each item."""
        if not self.search_items:
            return
        items, self.search_items = self.search_items, []

        def render() -> bytes:
            entries = [[item.page, item.headline, str(item.date), item.summary, _words(item)] for item in items]
            return f"SCS_SEARCH_ADD({_js(entries)});\n".encode()

        key = self.key("search", [item.digest for item in items])
        self.writer.emit(f"search/{self.search_month}.js", key, render)

    def listing_files(self, listing: Listing, filters: list[Any] | None) -> None:
        """A list's front page, month index and feeds."""
        folder, digests = listing.folder, [item.digest for item in listing.latest]
        heading = "The latest" if not listing.facet else listing.title
        front_key = self.key("front", folder, heading, listing.count, digests, json.dumps(filters))
        self.emit_page(
            folder + "index.html",
            front_key,
            "front.html",
            heading=heading,
            folder=folder,
            items=listing.latest,
            count=listing.count,
            filters=filters,
        )
        months = [
            (month, month_label(month), count, f"{folder}archive/{month}.html") for month, count in listing.months
        ]
        self.emit_page(
            folder + "archive/index.html",
            self.key("months", folder, json.dumps(months)),
            "months.html",
            heading=f"{listing.title}, by month",
            folder=folder,
            list_title=listing.title,
            months=months,
        )
        title = SITE_TITLE if not listing.facet else f"{SITE_TITLE} — {listing.title}"
        feed_key = self.key("feed", folder, title, digests)
        latest, base = listing.latest, self.base_url
        self.writer.emit(folder + "feed.xml", feed_key, lambda: feeds.rss(latest, title, base, folder))
        self.writer.emit(folder + "atom.xml", feed_key, lambda: feeds.atom(latest, title, base, folder))
        self.writer.emit(folder + "feed.json", feed_key, lambda: feeds.json_feed(latest, title, base, folder))

    def filters(self) -> list[Any]:
        """Per facet, its values in words with their counts; places grouped as provinces with their cities."""
        from classifiers.gazetteer import province_of

        def entry(listing: Listing) -> dict[str, Any]:
            label = facet_label(listing.facet, listing.value)
            href = facet_folder(listing.facet, listing.value) + "index.html"
            return {"label": label, "count": listing.count, "href": href, "children": []}

        by_facet: dict[str, list[Listing]] = {facet: [] for facet in FACET_DIRS}
        for (facet, _value), listing in sorted(self.listings.items()):
            by_facet[facet].append(listing)
        groups: list[Any] = []
        for facet, listings in by_facet.items():
            if facet != "locations":
                groups.append((facet, sorted((entry(x) for x in listings), key=lambda e: e["label"])))
                continue
            provinces = {x.value: entry(x) for x in listings if x.value == NATIONAL or x.value.endswith("0000")}
            for listing in listings:
                province = provinces.get(province_of(listing.value))
                if listing.value not in provinces and province is not None:
                    province["children"].append(entry(listing))
            for province in provinces.values():
                province["children"].sort(key=lambda e: e["label"])
            ordered = sorted(provinces.items(), key=lambda pair: (pair[0] != NATIONAL, pair[1]["label"]))
            groups.append((facet, [province for _code, province in ordered]))
        return groups

    def finish(self) -> None:
        self.search_part()
        self.main.finish()
        for listing in self.listings.values():
            listing.finish()
        self.listing_files(self.main, self.filters())
        for _value, listing in sorted(self.listings.items()):
            self.listing_files(listing, None)
        months = [month for month, _count in self.main.months]
        index = f"window.SCS_SEARCH_MONTHS = {_js(months)};\n".encode()
        self.writer.emit("search/months.js", self.key("search-months", months), lambda: index)
        self.emit_page("search.html", self.key("search-page"), "search.html", heading="Search")
        for name in ("style.css", "search.js"):
            self.writer.emit(name, self.key("static", name), (STATIC / name).read_bytes)


def publish_site(
    db_url: str | None, outdir: str | Path, base_url: str = "https://scs-tracker.example/", *, rebuild: bool = False
) -> PublishResult:
    """Bring the site in `outdir` up to date with the approved items; only files whose content changed are written.

    `rebuild` renders every file again (restoring any deleted by hand) but still writes only those that differ.
    """
    from store.db import Store

    base_url = base_url.rstrip("/") + "/"
    store = Store(db_url)  # first: a database that cannot be opened leaves the folder untouched
    try:
        writer = SiteWriter(Path(outdir), rebuild=rebuild)
        try:
            builder = SiteBuilder(writer, base_url)
            with store.session() as db:
                for item in approved_items(db):
                    builder.add(item)
            builder.finish()
        except BaseException:
            writer.abort()
            raise
    finally:
        store.dispose()
    counts: WriteCounts = writer.finish()
    return PublishResult(builder.items, counts.written, counts.unchanged, counts.removed)

"""Build the static site and feeds of approved items, deterministically.

Same database, same bytes: items are sorted, every date comes from the data
(never from the clock), slugs are fixed at approval, JSON keys are sorted.
Only approved items are read, and only their analyst-reviewed English text is
published; every piece of notice content is escaped in pages and feeds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

SITE_TITLE = "SCS tracker: the latest"
SITE_DESCRIPTION = "Reviewed English news items on China's Social Credit System, from Chinese government notices."
MARKER = ".scs-site"  # marks a folder as ours, so re-publishing may replace it
FACET_DIRS = {"scs_types": "scs-types", "industries": "industries", "locations": "locations"}
FACET_TITLES = {"scs_types": "SCS type", "industries": "Industry", "locations": "Location"}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
TEMPLATES = Path(__file__).with_name("templates")
FACET_LABELS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).with_name("data") / "facet_labels.json").read_text(encoding="utf-8")
)
LOCATION_CODE = re.compile(r"\d{6}")


class PublishError(RuntimeError):
    """The site cannot be written where asked."""


@dataclass(frozen=True)
class Item:
    """One approved news item, as published."""

    id: int
    date: dt.date
    headline: str
    summary: str
    title_zh: str
    publisher: str
    doc_number: str
    source_url: str
    slug: str
    updated: dt.datetime
    tags: dict[str, list[str]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The permalink path, relative to the site root: YYYY/MM/slug/."""
        return f"{self.date.year:04d}/{self.date.month:02d}/{self.slug}/"

    @property
    def published_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(), tzinfo=dt.UTC)


def facet_label(facet: str, value: str) -> str:
    """A facet value in words: "Blacklists", "Credit repair", "Shenzhen"."""
    if facet == "locations":
        from classifiers.gazetteer import english_name

        return "National" if value == "000000" else english_name(value) or value
    return FACET_LABELS[facet][value]


def publishable_value(facet: str, value: str) -> bool:
    """Whether a tag value may become a facet page: a known slug, or a six-digit division code.

    Tag values name folders of the site, so anything else (`../../x`, a slash, an unknown slug) is left out.
    """
    if facet == "locations":
        return LOCATION_CODE.fullmatch(value) is not None
    return value in FACET_LABELS.get(facet, {})


def _expand_locations(codes: Iterable[str]) -> list[str]:
    """A city's items are also its province's items."""
    from classifiers.gazetteer import province_of

    expanded = set(codes)
    expanded.update(p for p in (province_of(code) for code in codes) if p)
    return sorted(expanded)


def load_items(db_url: str | None) -> list[Item]:
    """Approved items, newest first (ties broken by id, so the order is total)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from newsroom.review import item_month, slugify
    from store.db import Store
    from store.models import Notice
    from store.repository import effective_tags

    store = Store(db_url)
    items = []
    try:
        with store.session() as db:
            notices = db.scalars(select(Notice).where(Notice.status == "approved").options(selectinload(Notice.tags)))
            for notice in notices:
                tags = {
                    facet: [value for value in values if publishable_value(facet, value)]
                    for facet, values in effective_tags(notice).items()
                    if facet in FACET_DIRS
                }
                tags["locations"] = _expand_locations(tags.get("locations", []))
                reviewed = notice.reviewed_at or notice.first_seen
                if reviewed.tzinfo is None:  # SQLite returns naive datetimes; they are stored as UTC
                    reviewed = reviewed.replace(tzinfo=dt.UTC)
                items.append(
                    Item(
                        id=notice.id,
                        date=item_month(notice),
                        headline=notice.headline_en,
                        summary=notice.summary_en,
                        title_zh=notice.title,
                        publisher=notice.publisher,
                        doc_number=notice.doc_number,
                        source_url=notice.url,
                        slug=notice.slug or slugify(notice.headline_en) or f"notice-{notice.id}",
                        updated=reviewed,
                        tags={facet: sorted(values) for facet, values in sorted(tags.items())},
                    )
                )
    finally:
        store.dispose()
    return sorted(items, key=lambda item: (item.date, item.id), reverse=True)


def _safe_link(url: str) -> str:
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(facet_label=facet_label, facet_dirs=FACET_DIRS, facet_titles=FACET_TITLES, safe_link=_safe_link)
    return env


def _facet_index(items: list[Item]) -> dict[str, dict[str, list[Item]]]:
    index: dict[str, dict[str, list[Item]]] = {facet: {} for facet in FACET_DIRS}
    for item in items:
        for facet in FACET_DIRS:
            for value in item.tags.get(facet, []):
                index[facet].setdefault(value, []).append(item)
    return {facet: dict(sorted(values.items())) for facet, values in index.items()}


def _content_html(item: Item) -> str:
    """The body of a feed entry: the summary, the Chinese title and the source, all escaped."""
    parts = [Markup("<p>{}</p>").format(item.summary), Markup('<p lang="zh">{}</p>').format(item.title_zh)]
    link = _safe_link(item.source_url)
    if link:
        parts.append(Markup('<p><a href="{}">Original notice</a></p>').format(link))
    return str(Markup("").join(parts))


def _feed_updated(items: list[Item]) -> dt.datetime:
    return max((item.updated for item in items), default=EPOCH)


def _feed_generator(items: list[Item], title: str, base_url: str, folder: str, self_name: str) -> Any:
    from feedgen.feed import FeedGenerator

    site = base_url + folder
    generator = FeedGenerator()
    generator.id(site)
    generator.title(title)
    generator.subtitle(SITE_DESCRIPTION)
    generator.author({"name": "scs-tracker"})
    # The self link first: for RSS, feedgen takes the channel <link> from the last of these two.
    generator.link(href=site + self_name, rel="self")
    generator.link(href=site, rel="alternate")
    generator.language("en")
    generator.updated(_feed_updated(items))
    generator.lastBuildDate(_feed_updated(items))
    generator.generator("scs-tracker publisher")
    for item in items:
        url = base_url + item.path
        entry = generator.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(item.headline)
        entry.link(href=url, rel="alternate")
        entry.published(item.published_at)
        entry.updated(item.updated)
        # RSS readers take <description> as HTML: the summary goes in as escaped HTML, so it arrives as text.
        entry.summary(Markup("<p>{}</p>").format(item.summary), type="html")
        entry.content(_content_html(item), type="html")
        for facet, values in item.tags.items():
            for value in values:
                entry.category(term=f"{facet}:{value}", label=facet_label(facet, value))
    return generator


def _xml_feeds(items: list[Item], title: str, base_url: str, folder: str) -> dict[str, bytes]:
    rss = _feed_generator(items, title, base_url, folder, "feed.xml").rss_str(pretty=True)
    atom = _feed_generator(items, title, base_url, folder, "atom.xml").atom_str(pretty=True)
    return {folder + "feed.xml": rss, folder + "atom.xml": atom}


def _json_feed(items: list[Item], title: str, base_url: str, folder: str) -> dict[str, bytes]:
    site = base_url + folder
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site,
        "feed_url": site + "feed.json",
        "description": SITE_DESCRIPTION,
        "language": "en",
        "authors": [{"name": "scs-tracker"}],
        "items": [
            {
                "id": base_url + item.path,
                "url": base_url + item.path,
                "external_url": _safe_link(item.source_url) or None,
                "title": item.headline,
                "summary": item.summary,
                "content_html": _content_html(item),
                "date_published": item.published_at.isoformat(),
                "date_modified": item.updated.isoformat(),
                "tags": [f"{facet}:{value}" for facet, values in item.tags.items() for value in values],
            }
            for item in items
        ],
    }
    for entry in feed["items"]:
        if entry["external_url"] is None:
            del entry["external_url"]
    text = json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return {folder + "feed.json": text.encode("utf-8")}


def render_site(items: list[Item], base_url: str) -> dict[str, bytes]:
    """Every file of the site, path → bytes (a pure function of the items)."""
    base_url = base_url.rstrip("/") + "/"
    env = _environment()
    facets = _facet_index(items)
    files: dict[str, bytes] = {}

    def page(path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        html = env.get_template(template).render(root="../" * depth or "./", facets=facets, **context)
        files[path] = html.encode("utf-8")

    page("index.html", "list.html", items=items, heading="The latest", feed_folder="", current=None)
    files.update(_xml_feeds(items, SITE_TITLE, base_url, ""))
    files.update(_json_feed(items, SITE_TITLE, base_url, ""))
    for facet, values in facets.items():
        for value, facet_items in values.items():
            folder = f"{FACET_DIRS[facet]}/{value}/"
            heading = f"{FACET_TITLES[facet]}: {facet_label(facet, value)}"
            page(
                folder + "index.html",
                "list.html",
                items=facet_items,
                heading=heading,
                feed_folder=folder,
                current=(facet, value),
            )
            title = f"{SITE_TITLE} — {heading}"
            files.update(_xml_feeds(facet_items, title, base_url, folder))
            files.update(_json_feed(facet_items, title, base_url, folder))
    for item in items:
        page(item.path + "index.html", "item.html", item=item, permalink=base_url + item.path)
    files["style.css"] = (TEMPLATES / "style.css").read_bytes()
    files[MARKER] = b"scs-tracker static site; `scs publish` replaces this folder\n"
    return dict(sorted(files.items()))


def write_site(files: dict[str, bytes], outdir: Path) -> None:
    """Replace `outdir` with exactly these files; a non-empty folder we did not write is refused."""
    if outdir.exists():
        if not outdir.is_dir():
            raise PublishError(f"{outdir} exists and is not a folder")
        if any(outdir.iterdir()) and not (outdir / MARKER).exists():
            raise PublishError(f"{outdir} is not empty and was not written by `scs publish`; refusing to replace it")
        for child in outdir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    root = outdir.resolve()
    for relative, data in files.items():
        target = outdir / relative
        if not target.resolve().is_relative_to(root):
            raise PublishError(f"refusing to write {relative!r} outside {outdir}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def publish(db_url: str | None, outdir: str | Path, base_url: str = "https://scs-tracker.example/") -> int:
    """Write the site of approved items into `outdir`; returns the number of items."""
    items = load_items(db_url)
    write_site(render_site(items, base_url), Path(outdir))
    return len(items)

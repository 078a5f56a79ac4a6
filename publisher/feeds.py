"""RSS 2.0, Atom and JSON Feed files of a list of items (the latest few: readers poll them often)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from publisher.items import Item, facet_label

SITE_DESCRIPTION = "Reviewed English news items on China's Social Credit System, from Chinese government notices."
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def safe_link(url: str) -> str:
    """An http(s) URL, else "" (a `javascript:` source URL never becomes a link)."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def content_html(item: Item) -> str:
    """The body of a feed entry: the summary, the Chinese title and the source, all escaped."""
    parts = [Markup("<p>{}</p>").format(item.summary), Markup('<p lang="zh">{}</p>').format(item.title_zh)]
    link = safe_link(item.source_url)
    if link:
        parts.append(Markup('<p><a href="{}">Original notice</a></p>').format(link))
    return str(Markup("").join(parts))


def _updated(items: list[Item]) -> dt.datetime:
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
    generator.updated(_updated(items))
    generator.lastBuildDate(_updated(items))
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
        entry.content(content_html(item), type="html")
        for facet, values in item.tags.items():
            for value in values:
                entry.category(term=f"{facet}:{value}", label=facet_label(facet, value))
    return generator


def rss(items: list[Item], title: str, base_url: str, folder: str) -> bytes:
    data: bytes = _feed_generator(items, title, base_url, folder, "feed.xml").rss_str(pretty=True)
    return data


def atom(items: list[Item], title: str, base_url: str, folder: str) -> bytes:
    data: bytes = _feed_generator(items, title, base_url, folder, "atom.xml").atom_str(pretty=True)
    return data


def json_feed(items: list[Item], title: str, base_url: str, folder: str) -> bytes:
    site = base_url + folder
    entries = []
    for item in items:
        entry = {
            "id": base_url + item.path,
            "url": base_url + item.path,
            "title": item.headline,
            "summary": item.summary,
            "content_html": content_html(item),
            "date_published": item.published_at.isoformat(),
            "date_modified": item.updated.isoformat(),
            "tags": [f"{facet}:{value}" for facet, values in item.tags.items() for value in values],
        }
        if safe_link(item.source_url):
            entry["external_url"] = item.source_url
        entries.append(entry)
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site,
        "feed_url": site + "feed.json",
        "description": SITE_DESCRIPTION,
        "language": "en",
        "authors": [{"name": "scs-tracker"}],
        "items": entries,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

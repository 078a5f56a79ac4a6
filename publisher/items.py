"""Approved items as the site publishes them, read from the store in batches, newest first.

Only the columns a page shows are read (never a notice's body), as plain rows: loading ORM objects
for a hundred thousand items and their tags costs ten times as much.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

FACET_DIRS = {"scs_types": "scs-types", "industries": "industries", "locations": "locations"}
FACET_TITLES = {"scs_types": "SCS type", "industries": "Industry", "locations": "Location"}
FACET_LABELS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).with_name("data") / "facet_labels.json").read_text(encoding="utf-8")
)
NATIONAL = "000000"
LOCATION_CODE = re.compile(r"\d{6}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
BATCH = 500


def facet_label(facet: str, value: str) -> str:
    """A facet value in words: "Blacklists", "Credit repair", "Shenzhen"."""
    if facet != "locations":
        return FACET_LABELS[facet][value]
    from classifiers.gazetteer import chinese_name, english_name, level

    if value == NATIONAL:
        return "China (national)"
    english = english_name(value)
    if level(value) == "county":  # a county's English name is its prefecture's: add its own Chinese name
        return f"{chinese_name(value)}, {english}" if english else chinese_name(value) or value
    return english or chinese_name(value) or value


@cache
def publishable_value(facet: str, value: str) -> bool:
    """Whether a tag value may become a facet page: a known slug, or a six-digit division code.

    Tag values name folders of the site, so anything else (`../../x`, a slash, an unknown slug) is left out.
    """
    if facet == "locations":
        return LOCATION_CODE.fullmatch(value) is not None
    return value in FACET_LABELS.get(facet, {})


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
    # Derived once (every page of a list reads them): month "YYYY-MM", permalink folder YYYY/MM/slug/, its page
    # file (links name the file, so they work from disk as well as over HTTP), and a digest of everything shown.
    month: str = field(init=False)
    path: str = field(init=False)
    page: str = field(init=False)
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        month = f"{self.date.year:04d}-{self.date.month:02d}"
        path = f"{month.replace('-', '/')}/{self.slug}/"
        tags = [f"{facet}:{value}" for facet, values in self.tags.items() for value in values]
        fields = [str(self.id), str(self.date), self.headline, self.summary, self.title_zh, self.publisher]
        fields += [self.doc_number, self.source_url, self.slug, self.updated.isoformat(), *tags]
        digest = hashlib.blake2b("\x1f".join(fields).encode(), digest_size=16).hexdigest()
        for name, value in (("month", month), ("path", path), ("page", path + "index.html"), ("digest", digest)):
            object.__setattr__(self, name, value)

    @property
    def published_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(), tzinfo=dt.UTC)


def _item_date_sql(session: Session) -> Any:
    """SQL for `newsroom.review.item_month`: the publication date, else the (UTC) day first seen."""
    from store.models import Notice

    first_day: Any
    if session.get_bind().dialect.name == "postgresql":
        first_day = cast(func.timezone("UTC", Notice.first_seen), Date)
    else:  # SQLite stores UTC timestamps as ISO text
        first_day = func.date(Notice.first_seen)
    return func.coalesce(Notice.published, first_day)


def _effective(rows: Iterable[tuple[str, str, str, bool]]) -> dict[str, list[str]]:
    """Tag values in force per facet, by the rule of `store.repository.effective_tags`:
    (auto ∪ analyst-added) − analyst-removed; only values that may become paths are kept, and a city
    brings its province (a city's items are also its province's items)."""
    scs_types: set[str] = set()
    industries: set[str] = set()
    locations: set[str] = set()
    values = {"scs_types": scs_types, "industries": industries, "locations": locations}
    removed = []
    for facet, value, origin, present in rows:
        if origin == "analyst" and not present:
            removed.append((facet, value))
        elif facet in values and publishable_value(facet, value):
            values[facet].add(value)
    for facet, value in removed:
        values.get(facet, set()).discard(value)
    for code in list(locations):
        locations.add(_province(code))
    locations.discard("")
    return {"scs_types": sorted(scs_types), "industries": sorted(industries), "locations": sorted(locations)}


@cache
def _province(code: str) -> str:
    from classifiers.gazetteer import province_of

    return province_of(code)


def _tags_of(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str, str, bool]]]:
    """The tag rows of a batch of notices, through the driver's own cursor (a third of the cost of result rows).

    The ids are integers read from the database, so they are written into the statement as numbers.
    """
    rows: dict[int, list[tuple[str, str, str, bool]]] = {notice_id: [] for notice_id in ids}
    if not ids:
        return rows
    listed = ",".join(str(int(notice_id)) for notice_id in ids)
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"SELECT notice_id, facet, value, origin, present FROM tags WHERE notice_id IN ({listed})")
        for notice_id, facet, value, origin, present in cursor.fetchall():
            rows[notice_id].append((facet, value, origin, bool(present)))
    finally:
        cursor.close()
    return rows


def approved_items(session: Session) -> Iterator[Item]:
    """Every approved item, newest first (ties broken by id, so the order is total), read in batches.

    A slug that is not plain (`[a-z0-9-]`) or already taken in its month (the newsroom prevents both; a database
    edited by hand may not) gets the item's id, as `newsroom.review.unique_slug` does, so no two items share a page.
    """
    from newsroom.review import slugify
    from store.models import Notice

    columns = (
        Notice.id,
        Notice.published,
        Notice.first_seen,
        Notice.headline_en,
        Notice.summary_en,
        Notice.title,
        Notice.publisher,
        Notice.doc_number,
        Notice.url,
        Notice.slug,
        Notice.reviewed_at,
    )
    query = (
        select(*columns)
        .where(Notice.status == "approved")
        .order_by(_item_date_sql(session).desc(), Notice.id.desc())
        .execution_options(yield_per=BATCH)
    )
    month: tuple[int, int] = (0, 0)
    slugs_of_month: set[str] = set()
    for batch in session.connection().execute(query).partitions():
        tags = _tags_of(session, [row[0] for row in batch])
        for notice_id, published, first_seen, headline, summary, title, publisher, doc, url, slug, reviewed in batch:
            date = published if published is not None else first_seen.date()
            if (date.year, date.month) != month:  # items come newest first: a month's items come together
                month, slugs_of_month = (date.year, date.month), set()
            slug = slug or slugify(headline) or f"notice-{notice_id}"
            if SLUG.fullmatch(slug) is None:
                slug = f"notice-{notice_id}"
            elif slug in slugs_of_month:
                slug = f"{slug}-{notice_id}"
            slugs_of_month.add(slug)
            yield Item(
                id=notice_id,
                date=date,
                headline=headline,
                summary=summary,
                title_zh=title,
                publisher=publisher,
                doc_number=doc,
                source_url=url,
                slug=slug,
                updated=reviewed or first_seen,
                tags=_effective(tags[notice_id]),
            )

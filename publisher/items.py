"""Approved items as the site publishes them, read from the store in batches, newest first.

Only the columns a page shows are read (never a notice's body), as plain rows: loading ORM objects
for a hundred thousand items and their tags costs ten times as much.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
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

    @property
    def path(self) -> str:
        """The permalink folder, relative to the site root: YYYY/MM/slug/."""
        return f"{self.date.year:04d}/{self.date.month:02d}/{self.slug}/"

    @property
    def page(self) -> str:
        """The item's page file: links name the file, so they work from disk as well as over HTTP."""
        return self.path + "index.html"

    @property
    def month(self) -> str:
        return f"{self.date.year:04d}-{self.date.month:02d}"

    @property
    def published_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(), tzinfo=dt.UTC)

    @cached_property
    def digest(self) -> str:
        """A hash of everything a page shows of this item: equal digests, equal pages."""
        fields = [
            self.id,
            self.date.isoformat(),
            self.headline,
            self.summary,
            self.title_zh,
            self.publisher,
            self.doc_number,
            self.source_url,
            self.slug,
            self.updated.isoformat(),
            self.tags,
        ]
        return hashlib.blake2b(json.dumps(fields, ensure_ascii=False).encode(), digest_size=16).hexdigest()


def _item_date_sql(session: Session) -> Any:
    """SQL for `newsroom.review.item_month`: the publication date, else the (UTC) day first seen."""
    from store.models import Notice

    first_day: Any
    if session.get_bind().dialect.name == "postgresql":
        first_day = cast(func.timezone("UTC", Notice.first_seen), Date)
    else:  # SQLite stores UTC timestamps as ISO text
        first_day = func.date(Notice.first_seen)
    return func.coalesce(Notice.published, first_day)


def _effective(rows: Iterable[Any]) -> dict[str, list[str]]:
    """Tag values in force per facet, by the rule of `store.repository.effective_tags`:
    (auto ∪ analyst-added) − analyst-removed; only values that may become paths are kept."""
    values: dict[str, set[str]] = {facet: set() for facet in FACET_DIRS}
    removed: dict[str, set[str]] = {facet: set() for facet in FACET_DIRS}
    for row in rows:
        if row.facet not in FACET_DIRS or not publishable_value(row.facet, row.value):
            continue
        if row.origin == "analyst" and not row.present:
            removed[row.facet].add(row.value)
        else:
            values[row.facet].add(row.value)
    return {facet: sorted(values[facet] - removed[facet]) for facet in FACET_DIRS}


def _with_provinces(codes: Sequence[str]) -> list[str]:
    """A city's items are also its province's items."""
    from classifiers.gazetteer import province_of

    expanded = set(codes)
    expanded.update(p for p in (province_of(code) for code in codes) if p)
    return sorted(expanded)


def _tags_of(session: Session, ids: list[int]) -> dict[int, list[Any]]:
    from store.models import Tag

    rows: dict[int, list[Any]] = {notice_id: [] for notice_id in ids}
    query = select(Tag.notice_id, Tag.facet, Tag.value, Tag.origin, Tag.present).where(Tag.notice_id.in_(ids))
    for row in session.execute(query):
        rows[row.notice_id].append(row)
    return rows


def approved_items(session: Session) -> Iterator[Item]:
    """Every approved item, newest first (ties broken by id, so the order is total), read in batches."""
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
    for batch in session.execute(query).partitions():
        tags = _tags_of(session, [row.id for row in batch])
        for row in batch:
            effective = _effective(tags[row.id])
            effective["locations"] = _with_provinces(effective["locations"])
            slug = row.slug or slugify(row.headline_en)
            yield Item(
                id=row.id,
                date=row.published if row.published is not None else row.first_seen.date(),
                headline=row.headline_en,
                summary=row.summary_en,
                title_zh=row.title,
                publisher=row.publisher,
                doc_number=row.doc_number,
                source_url=row.url,
                slug=slug if SLUG.fullmatch(slug) else f"notice-{row.id}",
                updated=row.reviewed_at or row.first_seen,
                tags=effective,
            )

"""SYNTHETIC approved items for the publisher tests, written straight into a test database."""

from __future__ import annotations

import datetime as dt
import hashlib

from store.db import Store
from store.models import Notice, Tag

MAY = 60  # items dated May 2024: more than one page of that month


def synthetic_dates() -> list[dt.date]:
    """130 publication dates: 70 spread over January to April 2024, then 60 in May 2024."""
    spread = [dt.date(2024, 1, 1) + dt.timedelta(days=round(i * 120 / 70)) for i in range(70)]
    may = [dt.date(2024, 5, 1) + dt.timedelta(days=i // 2) for i in range(MAY)]
    return spread + may


def add_approved(store: Store, number: int, published: dt.date, scs_type: str, location: str) -> None:
    with store.session() as db:
        notice = Notice(
            source="synthetic",
            url=f"https://example.gov.cn/synthetic/{number}.html",
            title=f"关于第{number}号合成通知",
            body="合成正文。",
            publisher="某市发展和改革委员会",
            published=published,
            content_hash=hashlib.sha256(str(number).encode()).hexdigest(),
            fetched_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
            first_seen=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
            status="approved",
            headline_en=f"Synthetic item {number} about widgets{number}",
            summary_en=f"Summary of synthetic item {number}.",
            slug=f"synthetic-item-{number}",
            reviewed_by="alice",
            reviewed_at=dt.datetime(2024, 6, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
        )
        notice.tags = [
            Tag(facet="scs_types", value=scs_type, origin="auto"),
            Tag(facet="locations", value=location, origin="auto"),
        ]
        db.add(notice)

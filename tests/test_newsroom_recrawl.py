"""A re-crawl after approval keeps the analyst's tags and English text, and flags the item for another look."""

from __future__ import annotations

import datetime as dt

from newsroom_data import ANALYST, BIKE_BODY, BIKE_TITLE, seeded_store
from sqlalchemy import select

from classifiers.model import Classification, Evidence, TagResult, TermHit
from crawler.items import NoticeItem
from newsroom.review import set_tag, update_review
from pipelines.text import content_hash
from store.models import AuditEntry, Notice, Tag
from store.repository import effective_tags, save_notice


def recrawled_item(notice: Notice, body: str) -> NoticeItem:
    """The same page fetched again with changed text, and a fresh classification that disagrees with the analyst."""
    item = NoticeItem(
        source=notice.source,
        url=notice.url,
        title=notice.title,
        body=body,
        publisher=notice.publisher,
        doc_number=notice.doc_number,
        published=notice.published,
        fetched_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    item.content_hash = content_hash([("title", item.title), ("body", item.body)])
    hit = Evidence(term="信用修复", field="text", start=0, end=4, rule="lexicon:信用修复")
    item.classification = Classification(
        relevant=True,
        relevance_score=0.95,
        relevance_evidence=[],
        tags={
            "scs_types": [TagResult(value="credit-repair", score=0.9, evidence=[hit])],
            "industries": [],
            "locations": [TagResult(value="440300", score=1.0, evidence=[])],
        },
        terms=[TermHit(term="信用修复", count=1, offsets=[("text", 0)])],
    )
    item.draft_headline = "Shenzhen, Guangdong: credit repair"
    item.draft_summary = "A new machine draft."
    return item


def test_recrawl_after_approval_keeps_analyst_work(db_url: str) -> None:
    store = seeded_store(db_url)
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == BIKE_TITLE)).one()
        set_tag(db, notice, "scs_types", "credit-repair", False, ANALYST)
        set_tag(db, notice, "scs_types", "supervision", True, ANALYST)
        update_review(db, notice, ANALYST, "Shenzhen, Guangdong: bike firms face list", "Analyst text.", "approve")
        db.flush()
        analyst_rows = sorted((t.facet, t.value, t.present, t.set_by) for t in notice.tags if t.origin == "analyst")
        slug, reviewed_at = notice.slug, notice.reviewed_at

    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == BIKE_TITLE)).one()
        outcome = save_notice(db, recrawled_item(notice, "信用修复：" + BIKE_BODY))
    assert outcome == "updated"

    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == BIKE_TITLE)).one()
        assert notice.body.startswith("信用修复：")  # the crawl's columns were refreshed
        assert notice.draft_headline == "Shenzhen, Guangdong: credit repair"
        assert (notice.status, notice.headline_en, notice.summary_en) == (
            "approved",
            "Shenzhen, Guangdong: bike firms face list",
            "Analyst text.",
        )
        assert (notice.slug, notice.reviewed_by) == (slug, ANALYST)
        assert notice.reviewed_at == reviewed_at
        assert notice.changed_since_review is True
        rows = sorted((t.facet, t.value, t.present, t.set_by) for t in notice.tags if t.origin == "analyst")
        assert rows == analyst_rows
        # The new auto tag the analyst had removed stays hidden; the analyst's addition stays.
        assert effective_tags(notice)["scs_types"] == ["supervision"]
        assert db.scalars(select(Tag).where(Tag.origin == "auto", Tag.value == "credit-repair")).one()
        assert [e.action for e in db.scalars(select(AuditEntry).where(AuditEntry.notice_id == notice.id))] == [
            "tag-remove",
            "tag-add",
            "approve",
        ]

        # Another look and a new approval clears the flag.
        update_review(db, notice, ANALYST, notice.headline_en, notice.summary_en, "approve")
        assert notice.changed_since_review is False

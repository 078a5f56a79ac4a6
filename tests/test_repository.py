"""The crawl upsert: idempotent on the canonical URL, versioned on change, blind to analyst work."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import func, select

from classifiers import Evidence, TagResult
from crawler.items import NoticeItem
from pipelines.text import content_hash
from store.db import Store
from store.models import Notice, Tag
from store.repository import effective_tags, quarantine_page, save_notice

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202501/t20250110_1234567.html"


def evidence(term: str, start: int) -> Evidence:
    return Evidence(term=term, field="text", start=start, end=start + len(term), rule=f"lexicon:{term}")


def classification(*scs_types: str) -> SimpleNamespace:
    """Shaped like `classifiers.Classification` (a dataclass tree)."""
    return SimpleNamespace(
        relevant=bool(scs_types),
        relevance_score=0.9 if scs_types else 0.1,
        relevance_evidence=[evidence("失信", 3)] if scs_types else [],
        tags={
            "scs_types": [TagResult(value=v, score=0.8, evidence=[evidence("失信名单", 10)]) for v in scs_types],
            "industries": [],
            "locations": [TagResult(value="000000", score=1.0, evidence=[])],
        },
        terms=[SimpleNamespace(term="失信名单", count=2, offsets=[("text", 10), ("text", 40)])],
    )


def item(
    body: str = "各省、自治区、直辖市发展改革委：现就失信名单管理有关事项通知如下。", *scs_types: str
) -> NoticeItem:
    notice = NoticeItem(
        source="ndrc",
        url=URL,
        title="关于进一步规范失信名单管理的通知",
        body=body,
        publisher="国家发展改革委",
        doc_number="发改财金〔2025〕12号",
        published=dt.date(2025, 1, 10),
        fetched_at=dt.datetime(2025, 1, 11, tzinfo=dt.UTC),
    )
    notice.content_hash = content_hash([("title", notice.title), ("body", notice.body)])
    notice.classification = classification(*(scs_types or ("blacklist",)))
    return notice


def count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_page_twice_is_stored_once(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        assert save_notice(session, item()) == "new"
    with store.session() as session:
        assert save_notice(session, item()) == "unchanged"
    assert count(store, Notice) == 1
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert effective_tags(notice) == {"scs_types": ["blacklist"], "industries": [], "locations": ["000000"]}
        assert [t.term for t in notice.terms] == ["失信名单"]
        assert len(notice.versions) == 1


def test_changed_page_updates_and_records_the_change(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        save_notice(session, item())
    with store.session() as session:
        assert save_notice(session, item("正文已修改：信用修复有关事项。", "credit-repair")) == "updated"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.body == "正文已修改：信用修复有关事项。"
        assert [v.changed_fields for v in notice.versions] == [[], ["body"]]
        assert effective_tags(notice)["scs_types"] == ["credit-repair"]
        assert notice.changed_since_review is False  # nobody had reviewed it


def test_analyst_work_survives_a_changed_recrawl(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        save_notice(session, item())
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        notice.tags.append(Tag(facet="scs_types", value="joint-enforcement", origin="analyst", present=True))
        notice.tags.append(Tag(facet="scs_types", value="blacklist", origin="analyst", present=False))
        notice.relevant_analyst = True
        notice.status = "approved"
        notice.headline_en = "China: rules for the untrustworthy list"
        notice.reviewed_by = "analyst1"
        notice.reviewed_at = dt.datetime(2025, 1, 12, tzinfo=dt.UTC)
    with store.session() as session:
        assert save_notice(session, item("修订后的正文。", "blacklist", "credit-repair")) == "updated"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert effective_tags(notice)["scs_types"] == ["credit-repair", "joint-enforcement"]
        assert notice.status == "approved"
        assert notice.headline_en == "China: rules for the untrustworthy list"
        assert notice.relevant_analyst is True
        assert notice.changed_since_review is True
        analyst = sorted((t.value, t.present) for t in notice.tags if t.origin == "analyst")
        assert analyst == [("blacklist", False), ("joint-enforcement", True)]


def test_failing_page_is_kept_once_with_attempts(db_url: str) -> None:
    store = Store(db_url)
    page = SimpleNamespace(
        source="ndrc", url=URL, kind="empty-body", reason="no body", status=200, headers={}, body=b"<html></html>"
    )
    for _ in range(2):
        with store.session() as session:
            quarantine_page(session, page)
    with store.session() as session:
        from store.models import QuarantinedPage

        row = session.scalars(select(QuarantinedPage)).one()
        assert (row.attempts, row.body, row.reason) == (2, b"<html></html>", "no body")

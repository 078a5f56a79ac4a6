"""The crawl upsert: idempotent on the canonical URL, versioned on change, blind to analyst work."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import func, select

from classifiers import Evidence, TagResult
from crawler.items import Attachment, NoticeItem
from pipelines.text import content_hash
from store.db import Store
from store.models import Notice, Tag
from store.repository import effective_tags, notice_to_dict, quarantine_page, save_notice

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


def test_new_page_is_stored_with_its_tags_terms_and_first_version(db_url: str) -> None:
    store = Store(db_url)
    new = item()
    new.attachments = [Attachment(url=f"{URL}.pdf", name="附件1", type="pdf")]
    new.flags = ["no-written-date"]
    new.meta = {"SiteIDCode": "bm04000001"}
    new.draft_headline, new.draft_summary = "China: list rules", "A draft."
    with store.session() as session:
        assert save_notice(session, new) == "new"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert (notice.url, notice.title, notice.publisher, notice.published) == (
            URL,
            new.title,
            "国家发展改革委",
            dt.date(2025, 1, 10),
        )
        assert notice.attachments == [{"url": f"{URL}.pdf", "name": "附件1", "type": "pdf"}]
        assert (notice.flags, notice.meta) == (["no-written-date"], {"SiteIDCode": "bm04000001"})
        assert (notice.draft_headline, notice.draft_summary) == ("China: list rules", "A draft.")
        assert (notice.relevant_auto, notice.relevance_score) == (True, 0.9)
        assert notice.relevance_evidence == [
            {"term": "失信", "field": "text", "start": 3, "end": 5, "rule": "lexicon:失信"}
        ]
        assert (notice.status, notice.headline_en, notice.changed_since_review) == ("new", "", False)
        assert notice.fetched_at == dt.datetime(2025, 1, 11, tzinfo=dt.UTC)
        tags = sorted((t.facet, t.value, t.origin, t.present, t.score, t.evidence) for t in notice.tags)
        assert tags == [
            ("locations", "000000", "auto", True, 1.0, []),
            (
                "scs_types",
                "blacklist",
                "auto",
                True,
                0.8,
                [{"term": "失信名单", "field": "text", "start": 10, "end": 14, "rule": "lexicon:失信名单"}],
            ),
        ]
        assert [(t.term, t.count, t.offsets) for t in notice.terms] == [("失信名单", 2, [["text", 10], ["text", 40]])]
        assert [(v.content_hash, v.changed_fields, v.run_id) for v in notice.versions] == [(new.content_hash, [], None)]


def test_unchanged_page_only_records_the_fetch(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        save_notice(session, item())
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        notice.status, notice.headline_en = "approved", "China: rules for the untrustworthy list"
    again = item()
    again.fetched_at = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    with store.session() as session:
        assert save_notice(session, again) == "unchanged"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.fetched_at == dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
        assert (notice.status, notice.headline_en) == ("approved", "China: rules for the untrustworthy list")
        assert notice.changed_since_review is False
        assert len(notice.versions) == 1
        # A notice already loaded in the saving session sees the fetch too.
        again.fetched_at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        assert save_notice(session, again) == "unchanged"
        assert notice.fetched_at == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    with store.session() as session:
        assert session.scalars(select(Notice)).one().fetched_at == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


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


def test_canonical_doc_number_is_stored_and_follows_an_update(db_url: str) -> None:
    """The 文号 key is written with the notice, shown by `scs notices --json`, and recomputed when the page changes."""
    store = Store(db_url)
    with store.session() as session:
        assert save_notice(session, item()) == "new"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert (notice.doc_number, notice.doc_number_key) == ("发改财金〔2025〕12号", "发改财金〔2025〕12号")
    renumbered = item("各省、自治区、直辖市发展改革委：更正。")
    renumbered.doc_number = "发改财金 [2025] 第13 号"
    with store.session() as session:
        assert save_notice(session, renumbered) == "updated"
    with store.session() as session:
        data = notice_to_dict(session.scalars(select(Notice)).one())
    assert (data["doc_number"], data["doc_number_key"]) == ("发改财金 [2025] 第13 号", "发改财金〔2025〕13号")
    store.dispose()

"""`scs reclassify` refreshes automatic tags and terms and never touches analyst work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from scs.cli import main
from store.db import Store
from store.models import Notice, Tag, TermCount

REVIEWED_AT = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def make_notice(store: Store) -> int:
    with store.session() as session:
        notice = Notice(
            source="ownsource",
            url="https://example.gov.cn/xyjs/1.html",
            title="关于公布第一批失信被执行人名单的公告",
            publisher="某市中级人民法院",
            body="本院依法将下列被执行人纳入失信被执行人名单，并对其采取限制高消费措施。",
            content_hash="x" * 64,
            fetched_at=REVIEWED_AT,
            relevant_auto=False,
            relevance_score=0.0,
            relevant_analyst=True,
            status="reviewed",
            headline_en="Court names judgment defaulters",
            summary_en="Analyst summary.",
            reviewed_by="ana",
            reviewed_at=REVIEWED_AT,
        )
        notice.tags = [
            Tag(facet="industries", value="tourism", origin="auto", score=1.0),  # stale auto tag
            Tag(facet="scs_types", value="court-defaulters", origin="analyst", set_by="ana"),
            Tag(facet="scs_types", value="blacklist", origin="analyst", present=False, set_by="ana"),
            Tag(facet="locations", value="440300", origin="analyst", set_by="ana"),
        ]
        notice.terms = [TermCount(term="旧词", count=1, offsets=[["text", 0]])]
        session.add(notice)
        session.flush()
        return notice.id


def test_reclassify_replaces_auto_output_and_keeps_analyst_work(db_url: str) -> None:
    store = Store(db_url)
    notice_id = make_notice(store)
    assert main(["--db", db_url, "reclassify"]) == 0
    with store.session() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        analyst = sorted((t.facet, t.value, t.present, t.set_by) for t in notice.tags if t.origin == "analyst")
        assert analyst == [
            ("locations", "440300", True, "ana"),
            ("scs_types", "blacklist", False, "ana"),
            ("scs_types", "court-defaulters", True, "ana"),
        ]
        auto = {(t.facet, t.value) for t in notice.tags if t.origin == "auto"}
        assert ("industries", "tourism") not in auto
        assert ("scs_types", "court-defaulters") in auto
        assert all(t.evidence for t in notice.tags if t.origin == "auto")
        assert notice.relevant_auto is True and notice.relevance_score > 0 and notice.relevance_evidence
        terms = {t.term: t for t in session.scalars(select(TermCount).where(TermCount.notice_id == notice_id))}
        assert "旧词" not in terms and terms["失信被执行人名单"].count == 2  # title and body
        assert (notice.relevant_analyst, notice.status, notice.headline_en, notice.summary_en) == (
            True,
            "reviewed",
            "Court names judgment defaulters",
            "Analyst summary.",
        )
        assert notice.reviewed_by == "ana" and notice.reviewed_at == REVIEWED_AT


def test_reclassify_can_be_limited_to_one_source(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(db_url)
    make_notice(store)
    assert main(["--db", db_url, "reclassify", "--source", "othersource"]) == 0
    assert "reclassified 0 notices" in capsys.readouterr().out
    with store.session() as session:
        auto = [t.value for t in session.scalars(select(Tag).where(Tag.origin == "auto"))]
    assert auto == ["tourism"]


def test_reclassify_drafts_from_the_analysts_tags(db_url: str) -> None:
    store = Store(db_url)
    notice_id = make_notice(store)
    with store.session() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        notice.headline_en, notice.summary_en = "", ""  # no text of the analyst's own: the draft may change
    assert main(["--db", db_url, "reclassify"]) == 0
    with store.session() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        # the analyst tagged Shenzhen; the text names no place the classifiers would find
        assert notice.draft_headline.startswith("Shenzhen, Guangdong publishes")


def test_reclassify_holds_no_write_lock_while_it_classifies(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: a crawl started during `scs reclassify` must be able to write between its short transactions."""
    import sqlite3

    import pipelines.tagging

    path = tmp_path / "scs.sqlite3"
    store = Store(f"sqlite:///{path}")
    with store.session() as session:
        for number in range(45):  # three write batches
            session.add(
                Notice(
                    source="ownsource",
                    url=f"https://example.gov.cn/xyjs/{number}.html",
                    title=f"关于公布第{number}批失信被执行人名单的公告",
                    body="本院依法将下列被执行人纳入失信被执行人名单。",
                    content_hash=f"{number:064d}",
                    fetched_at=REVIEWED_AT,
                )
            )
    store.dispose()
    classify = pipelines.tagging.tag_notice
    other_writer_waited: list[bool] = []

    def tag_while_another_writer_writes(notice: Any) -> Any:
        writer = sqlite3.connect(path, timeout=0)  # another writer that does not wait at all
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("ROLLBACK")
            other_writer_waited.append(False)
        except sqlite3.OperationalError:  # database is locked: reclassify holds the write lock
            other_writer_waited.append(True)
        finally:
            writer.close()
        return classify(notice)

    monkeypatch.setattr(pipelines.tagging, "tag_notice", tag_while_another_writer_writes)
    assert main(["--db", f"sqlite:///{path}", "reclassify"]) == 0
    assert len(other_writer_waited) == 45 and not any(other_writer_waited)


def test_reclassify_in_parallel_batches(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import scs.commands.reclassify as reclassify

    monkeypatch.setattr(reclassify, "BATCH", 1)  # three notices, three batches, two worker processes
    store = Store(db_url)
    ids = [make_notice(store)]
    with store.session() as session:
        for number in (2, 3):
            session.add(
                Notice(
                    source="ownsource",
                    url=f"https://example.gov.cn/xyjs/{number}.html",
                    title="关于公布失信被执行人名单的公告",
                    body="依法纳入失信被执行人名单。",
                    content_hash=str(number) * 64,
                    fetched_at=REVIEWED_AT,
                )
            )
        session.flush()
        ids = list(session.scalars(select(Notice.id).order_by(Notice.id)))
    assert main(["--db", db_url, "reclassify", "--workers", "2"]) == 0
    assert "reclassified 3 notices with 2 worker(s); 3 changed" in capsys.readouterr().out
    with store.session() as session:
        for notice_id in ids:
            tags = session.scalars(select(Tag).where(Tag.notice_id == notice_id)).all()
            assert ("scs_types", "court-defaulters") in {(t.facet, t.value) for t in tags if t.origin == "auto"}
        analyst = session.scalars(select(Tag).where(Tag.origin == "analyst")).all()
        assert sorted(t.value for t in analyst) == ["440300", "blacklist", "court-defaulters"]

"""The item pipelines as used by Scrapy, item by item (no crawl needed)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from sqlalchemy import select

from crawler.items import Attachment, DateCandidate, FailedPage, NoticeItem
from pipelines.offload import CountingStats
from pipelines.stages import ClassifyPipeline, DatesPipeline, NormalizePipeline, StorePipeline
from store.db import Store
from store.models import Notice, QuarantinedPage

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/t20250618_1398650.html"


def notice(**overrides: Any) -> NoticeItem:
    fields: dict[str, Any] = {
        "source": "ndrc",
        "url": URL,
        "title": "国家发展改革委办公厅关于\n  做好失信主体信用修复工作的通知",
        "body": "\u3000\u3000各省、自治区、直辖市发展改革委：\r\n\r\n\u3000\u3000为进一步规范信用修复工作，"
        "对已纳入严重失信主体名单的企业，依法依规开展信用修复。\n\n国家发展改革委办公厅\n2025年6月16日",
        "publisher": " 国家发展改革委办公厅 ",
        "doc_number": "发改办财金[2025]455号",
        "date_candidates": [
            DateCandidate(kind="meta", raw="2025-06-18 10:30", label="PubDate"),
            DateCandidate(kind="label", raw="2025年06月16日", label="成文日期"),
        ],
        "attachments": [Attachment(url=URL.replace(".html", ".pdf"), name="附件.pdf", type="pdf")],
        "jurisdiction": "000000",
        "fetched_at": dt.datetime(2025, 6, 20, tzinfo=dt.UTC),
    }
    fields.update(overrides)
    return NoticeItem(**fields)


def through(item: Any, *stages: Any) -> Any:
    for stage in stages:
        item = stage.process_item(item)
    return item


def test_normalise_cleans_fields_and_keeps_paragraphs() -> None:
    item = through(notice(), NormalizePipeline())
    assert item.title == "国家发展改革委办公厅关于 做好失信主体信用修复工作的通知"
    assert item.publisher == "国家发展改革委办公厅"
    assert item.doc_number == "发改办财金〔2025〕455号"
    assert item.body.split("\n\n")[0] == "各省、自治区、直辖市发展改革委："


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [({"body": " \u3000\n\n"}, "empty-body"), ({"title": "\n "}, "no-title")],
)
def test_unusable_notice_becomes_a_failed_page(overrides: dict[str, str], kind: str) -> None:
    result = through(notice(**overrides), NormalizePipeline())
    assert isinstance(result, FailedPage)
    assert (result.kind, result.url) == (kind, URL)


def test_dates_pick_published_and_written_with_reasons_and_hash() -> None:
    item = through(notice(), NormalizePipeline(), DatesPipeline())
    assert (item.published, item.written) == (dt.date(2025, 6, 18), dt.date(2025, 6, 16))
    assert item.published_reason.startswith("meta") and item.written_reason.startswith("label")
    assert item.published_raw == "2025-06-18 10:30"
    assert len(item.content_hash) == 64
    assert "no-date" not in item.flags


def test_notice_without_any_date_is_kept_and_flagged() -> None:
    item = through(
        notice(date_candidates=[], body="正文没有日期。", url=URL.replace("t20250618_", "x")), DatesPipeline()
    )
    assert item.published is None
    assert "no-date" in item.flags


def test_classify_tags_with_evidence_and_drafts_a_headline() -> None:
    item = through(notice(), NormalizePipeline(), DatesPipeline(), ClassifyPipeline())
    classification = item.classification
    assert classification.relevant
    assert "credit-repair" in [tag.value for tag in classification.tags["scs_types"]]
    for tag in classification.tags["scs_types"]:
        assert tag.evidence
    assert item.draft_headline and item.draft_summary


def test_irrelevant_notice_gets_no_draft() -> None:
    item = notice(
        title="关于2026年元旦放假安排的通知",
        body="根据国务院办公厅通知精神，现将2026年元旦放假安排通知如下：1月1日放假，共1天。",
        doc_number="",
    )
    item = through(item, NormalizePipeline(), DatesPipeline(), ClassifyPipeline())
    assert not item.classification.relevant
    assert item.draft_headline == ""


def test_a_crash_in_one_stage_quarantines_that_notice_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("lexicon exploded")

    monkeypatch.setattr("classifiers.classify", explode)
    result = through(notice(), NormalizePipeline(), DatesPipeline(), ClassifyPipeline())
    assert isinstance(result, FailedPage)
    assert result.kind == "pipeline-error" and "lexicon exploded" in result.reason


def test_store_pipeline_upserts_and_quarantines(db_url: str) -> None:
    Store(db_url)  # migrated by the command that starts a crawl
    crawler = SimpleNamespace(settings=Settings({"SCS_DATABASE_URL": db_url}), stats=CountingStats())
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        for _ in range(2):
            through(notice(), NormalizePipeline(), DatesPipeline(), ClassifyPipeline(), pipeline)
        failed = FailedPage(source="ndrc", url=URL + "?x", kind="empty-body", reason="no body", body=b"<html/>")
        assert pipeline.process_item(failed) is failed
    finally:
        pipeline.close_spider()
    values = crawler.stats.values
    assert (values["scs/notices/new"], values["scs/notices/unchanged"]) == (1, 1)
    with Store(db_url, upgrade=False).session() as session:
        stored = session.scalars(select(Notice)).one()
        assert stored.draft_headline
        assert session.scalars(select(QuarantinedPage.kind)).all() == ["empty-body"]

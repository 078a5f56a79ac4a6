"""Attachments and entities through the store: what `scs entities` answers afterwards (SYNTHETIC notices)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from classifiers import TagResult
from crawler.items import Attachment, AttachmentItem, NoticeItem
from mirror.synthetic_files import pdf_file, xlsx_file
from pipelines.offload import CountingStats
from pipelines.stages import StorePipeline
from pipelines.text import content_hash
from scs.cli import main
from store.db import Store
from store.models import AttachmentText, EntityMention, Notice, Tag

NOTICE_URL = "https://www.mohurd.gov.cn/gongkai/zc/wjk/art/2026/art_1.html"
XLSX_URL = "https://www.mohurd.gov.cn/file/2026/list.xlsx"
PDF_URL = "https://www.mohurd.gov.cn/file/2026/list.pdf"
HEADER = ["序号", "企业名称", "统一社会信用代码", "列入原因"]
XLSX_ROWS = [
    HEADER,
    ["1", "某某建设工程有限公司", "91310110666007217T", "拖欠农民工工资"],
    ["2", "某某劳务分包有限公司", "91350211M00013FA1N", "围标串标"],  # a code that fails its check
]
PDF_ROWS = [HEADER, ["1", "某某建设工程有限公司", "91310110666007217T", "虚假承诺"]]


def notice(url: str, body: str, attachments: list[Attachment], *scs_types: str, day: int = 10) -> NoticeItem:
    item = NoticeItem(
        source="mohurd",
        url=url,
        title="关于公布2026年第三批建筑市场主体严重失信名单的通知",
        body=body,
        publisher="住房和城乡建设部",
        attachments=attachments,
        published=dt.date(2026, 10, day),
        jurisdiction="000000",
    )
    item.content_hash = content_hash([("body", body), ("attachments", [a.url for a in attachments])])
    item.classification = SimpleNamespace(
        relevant=True,
        relevance_score=0.9,
        relevance_evidence=[],
        tags={"scs_types": [TagResult(value=v, score=0.9, evidence=[]) for v in scs_types]},
        terms=[],
    )
    return item


@pytest.fixture
def pipeline(db_url: str) -> StorePipeline:
    Store(db_url).dispose()  # migrated
    stage = StorePipeline(db_url, None, CountingStats())
    stage.open_spider()
    yield stage
    stage.close_spider()


def attachment(url: str, data: bytes, declared: str, notice_url: str = NOTICE_URL) -> AttachmentItem:
    return AttachmentItem(
        source="mohurd", notice_url=notice_url, url=url, name="名单", declared_type=declared, body=data
    )


def test_a_list_in_an_xlsx_and_a_pdf_gives_the_entity_with_every_list(
    pipeline: StorePipeline, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    links = [Attachment(XLSX_URL, "名单.xlsx", "xlsx")]
    pipeline.process_item(notice(NOTICE_URL, "现将名单予以公布。", links, "blacklist"))
    pipeline.process_item(attachment(XLSX_URL, xlsx_file("严重失信名单", XLSX_ROWS), "xlsx"))
    second = NOTICE_URL.replace("art_1", "art_2")
    pipeline.process_item(
        notice(second, "现将移出名单予以公布。", [Attachment(PDF_URL, "名单.pdf", "pdf")], "credit-repair", day=20)
    )
    pipeline.process_item(attachment(PDF_URL, pdf_file("移出名单", (), PDF_ROWS), "pdf", notice_url=second))
    assert pipeline.stats.values["scs/attachments/ok"] == 2

    assert main(["--db", db_url, "entities", "--name", "某某建设", "--json"]) == 0
    (entity,) = json.loads(capsys.readouterr().out)
    assert (entity["code"], entity["name"], entity["valid"]) == ("91310110666007217T", "某某建设工程有限公司", True)
    assert entity["region"] == "上海市杨浦区"
    assert [(e["kind"], e["date"], e["jurisdiction"]) for e in entity["lists"]] == [
        ("blacklist", "2026-10-10", "000000"),
        ("credit-repair", "2026-10-20", "000000"),
    ]
    assert [e["found_in"][0]["attachment_url"] for e in entity["lists"]] == [XLSX_URL, PDF_URL]
    assert main(["--db", db_url, "entities", "--code", "91310110666007217t"]) == 0
    out = capsys.readouterr().out
    assert "某某建设工程有限公司" in out and "blacklist" in out and "credit-repair" in out


def test_an_invalid_code_is_kept_as_a_mention_never_an_entity(
    pipeline: StorePipeline, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.process_item(
        notice(NOTICE_URL, "现将名单予以公布。", [Attachment(XLSX_URL, "名单.xlsx", "xlsx")], "blacklist")
    )
    pipeline.process_item(attachment(XLSX_URL, xlsx_file("严重失信名单", XLSX_ROWS), "xlsx"))
    store = Store(db_url)
    with store.session() as session:
        stored = {(m.code, m.valid) for m in session.scalars(select(EntityMention))}
    assert stored == {("91310110666007217T", True), ("91350211M00013FA1N", False)}
    assert main(["--db", db_url, "entities", "--name", "某某劳务", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "91350211M00013FA1N" in captured.err and "invalid" in captured.err


def test_the_notice_body_the_analysts_tags_and_a_changed_link(pipeline: StorePipeline, db_url: str) -> None:
    body = "经查，某某市政工程有限公司（统一社会信用代码：91110000600037341L）存在严重失信行为。"
    pipeline.process_item(notice(NOTICE_URL, body, [Attachment(XLSX_URL, "名单.xlsx", "xlsx")], "blacklist"))
    pipeline.process_item(attachment(XLSX_URL, xlsx_file("名单", XLSX_ROWS), "xlsx"))
    store = Store(db_url)
    with store.session() as session:  # an analyst says the notice is a red list, not a black list
        stored = session.scalar(select(Notice))
        assert stored is not None
        session.add(Tag(notice_id=stored.id, facet="scs_types", value="blacklist", origin="analyst", present=False))
        session.add(Tag(notice_id=stored.id, facet="scs_types", value="redlist", origin="analyst", present=True))
    with store.session() as session:
        from store.entities import search_entities

        (entity,) = search_entities(session, code="91110000600037341L").entities
        assert entity["name"] == "某某市政工程有限公司"
        assert [(e["kind"], e["found_in"][0]["field"]) for e in entity["lists"]] == [("redlist", "body")]

    # the page changes: the xlsx link is replaced by a pdf; the old attachment and its mentions go
    pipeline.process_item(notice(NOTICE_URL, body, [Attachment(PDF_URL, "名单.pdf", "pdf")], "blacklist"))
    with store.session() as session:
        assert [row.url for row in session.scalars(select(AttachmentText))] == []
        assert {m.code for m in session.scalars(select(EntityMention))} == {"91110000600037341L"}


def test_a_failed_download_is_recorded_on_the_attachment_not_the_notice(pipeline: StorePipeline, db_url: str) -> None:
    pipeline.process_item(notice(NOTICE_URL, "正文。", [Attachment(PDF_URL, "名单.pdf", "pdf")], "blacklist"))
    failed = AttachmentItem(source="mohurd", notice_url=NOTICE_URL, url=PDF_URL, status="failed", reason="HTTP 404")
    pipeline.process_item(failed)
    with Store(db_url).session() as session:
        row = session.scalar(select(AttachmentText))
        assert row is not None
        assert (row.status, row.reason) == ("failed", "HTTP 404")
        assert session.scalar(select(Notice.title)) is not None


def test_an_attachment_stored_before_its_notice_is_linked_when_the_notice_arrives(
    pipeline: StorePipeline, db_url: str
) -> None:
    pipeline.process_item(attachment(XLSX_URL, xlsx_file("名单", XLSX_ROWS), "xlsx"))
    pipeline.process_item(notice(NOTICE_URL, "正文。", [Attachment(XLSX_URL, "名单.xlsx", "xlsx")], "blacklist"))
    with Store(db_url).session() as session:
        from store.entities import search_entities

        (entity,) = search_entities(session, name="某某建设").entities
        assert entity["lists"][0]["found_in"][0]["attachment_url"] == XLSX_URL


def test_rescan_reads_everything_again(
    pipeline: StorePipeline, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.process_item(notice(NOTICE_URL, "正文。", [Attachment(XLSX_URL, "名单.xlsx", "xlsx")], "blacklist"))
    pipeline.process_item(attachment(XLSX_URL, xlsx_file("名单", XLSX_ROWS), "xlsx"))
    assert main(["--db", db_url, "entities", "--rescan"]) == 0
    assert "read 1 notices again: 2 mentions" in capsys.readouterr().out

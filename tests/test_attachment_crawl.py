"""Attachments fetched by the crawl from the mirror's SYNTHETIC files: stored once, capped, backfilled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from crawl_harness import run_scs
from sqlalchemy import select

from mirror.faults import Fault, FaultyMirror
from mirror.server import MirrorServer
from store.db import Store
from store.models import AttachmentText, EntityMention, Notice, QuarantinedPage

MOHURD = "www.mohurd.gov.cn"
MOHURD_PDF = "/gongkai/zhengce/zhengcefilelib/202610/W020261012589964718801.pdf"
SAMR = "www.samr.gov.cn"
SAMR_XLSX = "/zw/zfxxgk/fdzdgknr/spcjs/art/2026/P020261118347722618311.xlsx"
SZ = "fgw.sz.gov.cn"
SZ_XLS = "/gkmlpt/content/3/3180/post_attach_2026q3.xls"
SOURCES = ("mohurd", "samr", "shenzhen_fgw")
HUGE = 200 * 1024 * 1024


@dataclass
class Crawled:
    db_url: str
    mirror: MirrorServer

    def rows(self) -> list[AttachmentText]:
        store = Store(self.db_url, upgrade=False)
        try:
            with store.session() as session:
                rows = list(session.scalars(select(AttachmentText).order_by(AttachmentText.url)))
                session.expunge_all()
                return rows
        finally:
            store.dispose()

    def attachment_hits(self) -> list[tuple[str, str]]:
        return [(hit.host, hit.path) for hit in self.mirror.hits if hit.path in (MOHURD_PDF, SAMR_XLSX, SZ_XLS)]


def crawl(db_url: str, mirror: MirrorServer, *sources: str, settings: tuple[str, ...] = ()) -> None:
    options = [item for setting in settings for item in ("-s", setting)]
    result = run_scs(db_url, "crawl", *sources, "--mirror", mirror.url, *options)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('attachments') / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        crawl(db_url, mirror, *SOURCES)
        first = Crawled(db_url, mirror)
        first_hits = first.attachment_hits()
        crawl(db_url, mirror, *SOURCES)  # a second run: the links are known
    assert sorted(first_hits) == sorted([(MOHURD, MOHURD_PDF), (SAMR, SAMR_XLSX), (SZ, SZ_XLS)])
    return first


def test_every_linked_attachment_is_stored_with_its_text(crawled: Crawled) -> None:
    rows = crawled.rows()
    assert {(row.kind, row.status) for row in rows} == {("pdf", "ok"), ("xlsx", "ok"), ("xls", "ok")}
    assert all(row.notice_id is not None and row.text and len(row.content_hash) == 64 for row in rows)
    assert any("深圳某某建设集团有限公司" in row.text for row in rows if row.kind == "pdf")


def test_a_known_link_is_not_fetched_again(crawled: Crawled) -> None:
    assert sorted(crawled.attachment_hits()) == sorted([(MOHURD, MOHURD_PDF), (SAMR, SAMR_XLSX), (SZ, SZ_XLS)])


def entities(db_url: str, name: str) -> list[dict[str, object]]:
    result = run_scs(db_url, "entities", "--name", name, "--json")
    assert result.returncode == 0, result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_entities_from_a_pdf_list_and_an_xlsx_list(crawled: Crawled) -> None:
    by_code = {entity["code"]: entity for entity in entities(crawled.db_url, "某某建设")}
    both = by_code["91440300MA5H2C7L4B"]  # on the PDF black list and on the XLS red list
    assert (both["name"], both["valid"], both["region"]) == ("深圳某某建设集团有限公司", True, "广东省深圳市")
    lists = both["lists"]
    assert isinstance(lists, list)
    assert [(entry["date"], entry["jurisdiction"]) for entry in lists] == [
        ("2026-10-12", "000000"),
        ("2026-11-06", "440300"),
    ]
    assert [entry["found_in"][0]["attachment_url"] for entry in lists] == [
        f"https://{MOHURD}{MOHURD_PDF}",
        f"http://{SZ}{SZ_XLS}",
    ]
    (food,) = [e for e in entities(crawled.db_url, "杭州某某食品") if e["code"] == "91330106MA2KF0D377"]
    assert food["lists"][0]["found_in"][0]["attachment_url"].startswith(f"https://{SAMR}{SAMR_XLSX}")  # type: ignore[index]


def test_codes_failing_their_check_are_invalid_mentions_only(crawled: Crawled) -> None:
    store = Store(crawled.db_url, upgrade=False)
    with store.session() as session:
        invalid = {m.code for m in session.scalars(select(EntityMention).where(EntityMention.valid.is_(False)))}
    store.dispose()
    assert invalid == {"91110108MA04T7HB3N", "92320115MA7TUW3C8Y"}  # the two wrong on purpose in the mirror lists
    result = run_scs(crawled.db_url, "entities", "--code", "91110108MA04T7HB3N", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == []
    assert "invalid mention" in result.stderr


def test_attachments_of_notices_stored_before_are_fetched_by_the_next_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        crawl(db_url, mirror, "shenzhen_fgw", settings=("SCS_FETCH_ATTACHMENTS=False",))
        assert Crawled(db_url, mirror).rows() == []
        crawl(db_url, mirror, "shenzhen_fgw")  # the detail pages are known and skipped; their attachments are not
        rows = Crawled(db_url, mirror).rows()
        detail_hits = [hit for hit in mirror.hits if hit.path.endswith("post_3180326.html")]
    assert [(row.url, row.status) for row in rows] == [(f"http://{SZ}{SZ_XLS}", "ok")]
    assert len(detail_hits) == 1


def test_a_200_mb_attachment_is_cancelled_at_the_cap_and_never_fails_its_notice(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    faults = {(MOHURD, MOHURD_PDF): Fault(huge=HUGE), (SAMR, SAMR_XLSX): Fault(huge=HUGE, announce=False)}
    cap = 5 * 1024 * 1024
    mirror = FaultyMirror(faults).start()
    try:
        crawl(db_url, mirror, "mohurd", "samr", settings=(f"SCS_ATTACHMENT_MAXSIZE={cap}", "RETRY_TIMES=0"))
    finally:
        mirror.stop()
    rows = {row.url.split("?")[0]: row for row in Crawled(db_url, mirror).rows()}
    for url in (f"https://{MOHURD}{MOHURD_PDF}", f"https://{SAMR}{SAMR_XLSX}"):
        assert rows[url].status == "too-large", (rows[url].status, rows[url].reason)
        assert f"size cap of {cap} bytes" in rows[url].reason
    # announced: refused before the body; streamed without a length: the client let go soon after the cap
    assert mirror.streamed[(SAMR, SAMR_XLSX)] < 4 * cap
    assert mirror.streamed.get((MOHURD, MOHURD_PDF), 0) < 4 * cap
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        assert session.scalar(select(Notice.id).where(Notice.source == "mohurd")) is not None
        quarantined = list(session.scalars(select(QuarantinedPage.url)))
    store.dispose()
    assert not [url for url in quarantined if url.endswith((".pdf", ".xlsx"))]

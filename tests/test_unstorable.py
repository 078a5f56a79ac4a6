"""Characters no database accepts (U+0000, lone surrogates) are removed at the store boundary, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from test_stages import URL, notice

from crawler.items import Attachment, FailedPage
from pipelines.offload import CountingStats
from pipelines.stages import StageChain
from pipelines.text import clean_body, storable
from store.db import Store
from store.models import Notice, QuarantinedPage


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain ascii", "plain ascii"),
        ("nul\x00inside", "nulinside"),
        ("信用\x00修复", "信用修复"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        (["a\x00", {"k\x00": ("v\x00", 3, None)}], ["a", {"k": ["v", 3, None]}]),
        (42, 42),
    ],
)
def test_storable(value: Any, expected: Any) -> None:
    assert storable(value) == expected


def test_the_body_loses_them_before_classification_so_offsets_stay_right() -> None:
    assert clean_body("失信\x00名单\ud800") == "失信名单"


def test_nul_everywhere_stores_on_both_backends(db_url: str) -> None:
    Store(db_url).dispose()
    stats = CountingStats()
    chain = StageChain(db_url, None, stats)
    chain.open()
    item = notice(
        title="关于\x00信用修复的通知",
        body="为进一步规范信用修复工作\x00，依法依规开展失信名单管理。",
        publisher="国家发展改革委\x00办公厅",
        meta={"ArticleTitle": "关于\x00信用修复", "Keywords\x00": "信用\ud800"},
        attachments=[Attachment(url=URL.replace(".html", ".pdf"), name="附件\x00.pdf", type="pdf")],
    )
    failed = FailedPage(
        source="ndrc", url=URL + "?q", kind="http-error", reason="HTTP 500 \x00", headers={"X-A\x00": "b\x00"}
    )
    chain.process(item)
    chain.process(failed)
    chain.close()
    assert stats.values["scs/notices/new"] == 1 and stats.values["scs/quarantined/http-error"] == 1
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        stored = session.scalars(select(Notice)).one()
        quarantined = session.scalars(select(QuarantinedPage)).one()
        assert (stored.title, stored.publisher) == ("关于信用修复的通知", "国家发展改革委办公厅")
        assert "\x00" not in stored.body and stored.meta == {"ArticleTitle": "关于信用修复", "Keywords": "信用"}
        assert stored.attachments[0]["name"] == "附件.pdf"
        assert (quarantined.reason, quarantined.headers) == ("HTTP 500 ", {"X-A": "b"})
    store.dispose()


def test_term_offsets_are_capped_and_the_count_kept(db_url: str) -> None:
    from store.models import TermCount
    from store.repository import MAX_TERM_OFFSETS

    Store(db_url).dispose()
    stats = CountingStats()
    chain = StageChain(db_url, None, stats)
    chain.open()
    chain.process(notice(body="依法依规开展信用修复工作。" * (MAX_TERM_OFFSETS * 3)))
    chain.close()
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        term = session.scalars(select(TermCount).where(TermCount.term == "信用修复")).one()
        assert term.count >= MAX_TERM_OFFSETS * 3 and len(term.offsets) == MAX_TERM_OFFSETS
    store.dispose()

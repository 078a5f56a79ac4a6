"""Notices for the newsroom and publisher tests, written straight into a test database."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy.orm import Session

from newsroom.auth import add_user
from store.db import Store
from store.models import Notice, Tag

ANALYST, PASSWORD = "alice", "correct horse battery"
SECRET_KEY = "test-only-cookie-signing-key-0123456789abcdef"  # strong enough for create_app, public: tests only
SCRIPT_TITLE = '<script>alert("xss")</script>关于<img src=x onerror=alert(1)>失信名单的通知'

BIKE_TITLE = "深圳市交通运输局关于将共享单车企业纳入失信名单管理的通知"
BIKE_BODY = (
    "各共享单车运营企业：\n为加强共享单车行业信用监管，对严重违规的企业依法纳入失信名单，"
    "并实施联合惩戒。企业可依法申请信用修复。\n特此通知。"
)


def evidence(text: str, term: str, field: str = "text", rule: str = "lexicon") -> dict[str, Any]:
    """Evidence pointing at the first occurrence of `term` in `text`, as the classifiers record it."""
    start = text.index(term)
    return {"term": term, "field": field, "start": start, "end": start + len(term), "rule": f"{rule}:{term}"}


def add_notice(
    db: Session,
    *,
    title: str,
    body: str,
    url: str,
    source: str = "sz-jtys",
    publisher: str = "深圳市交通运输局",
    published: dt.date = dt.date(2025, 3, 14),
    tags: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    relevant: bool = True,
    **columns: Any,
) -> Notice:
    """A crawled, classified notice; `tags` maps facet → value → evidence (auto tags)."""
    notice = Notice(
        source=source,
        url=url,
        title=title,
        body=body,
        publisher=publisher,
        doc_number=columns.pop("doc_number", "深交规〔2025〕3号"),
        published=published,
        content_hash=hashlib.sha256(url.encode()).hexdigest(),
        fetched_at=dt.datetime(2025, 3, 15, 8, 0, tzinfo=dt.UTC),
        first_seen=dt.datetime(2025, 3, 15, 8, 0, tzinfo=dt.UTC),
        relevant_auto=relevant,
        relevance_score=0.9 if relevant else 0.1,
        **columns,
    )
    for facet, values in (tags or {}).items():
        for value, found in values.items():
            notice.tags.append(Tag(facet=facet, value=value, origin="auto", present=True, score=0.8, evidence=found))
    db.add(notice)
    db.flush()
    return notice


def bike_notice(db: Session, **overrides: Any) -> Notice:
    title = overrides.pop("title", BIKE_TITLE)
    body = overrides.pop("body", BIKE_BODY)
    tags = {
        "scs_types": {
            "blacklist": [evidence(body, "失信名单"), evidence(title, "失信名单", field="title")],
            "joint-enforcement": [evidence(body, "联合惩戒")],
            "credit-repair": [evidence(body, "信用修复")],
        },
        "industries": {"transport": [evidence(body, "共享单车")]},
        "locations": {
            "440300": [
                evidence(title, "深圳市", field="title"),
                evidence("深圳市交通运输局", "深圳市", field="publisher", rule="location"),
            ]
        },
    }
    defaults: dict[str, Any] = {
        "url": "https://jtys.sz.gov.cn/zwgk/tzgg/content/post_100001.html",
        "tags": tags,
        "draft_headline": "Shenzhen, Guangdong: untrustworthy list for rental bike companies",
        "draft_summary": "The Shenzhen Transport Bureau issued a notice on the untrustworthy list.",
    }
    defaults.update(overrides)
    return add_notice(db, title=title, body=body, **defaults)


def script_notice(db: Session, **overrides: Any) -> Notice:
    """A notice whose title and body carry markup that must stay inert text everywhere."""
    body = "正文<script>alert('body')</script>：依法纳入失信名单。"
    defaults: dict[str, Any] = {
        "url": "https://www.gd.gov.cn/zwgk/tzgg/content/post_200002.html",
        "source": "gd-gov",
        "publisher": "广东省<b>发展改革委</b>",
        "published": dt.date(2025, 2, 3),
        "tags": {
            "scs_types": {"blacklist": [evidence(body, "失信名单")]},
            "locations": {"440000": []},
        },
    }
    defaults.update(overrides)
    return add_notice(db, title=SCRIPT_TITLE, body=body, **defaults)


def seeded_store(db_url: str) -> Store:
    """A migrated database with one analyst account and a few notices of different kinds."""
    store = Store(db_url)
    with store.session() as db:
        add_user(db, ANALYST, PASSWORD)
        bike_notice(db)
        script_notice(db)
        add_notice(
            db,
            title="关于开展建筑市场信用评价工作的通知",
            body="为规范建筑市场秩序，开展建筑企业信用评价。",
            url="https://zjj.sz.gov.cn/xxgk/tzgg/content/post_300003.html",
            source="sz-zjj",
            publisher="深圳市住房和城乡建设局",
            published=dt.date(2025, 1, 20),
            tags={
                # Stale offsets (the text changed since classification): the term is found again by text.
                "scs_types": {"credit-rating": [{"term": "信用评价", "field": "text", "start": 17, "end": 21}]},
                "industries": {"construction": []},
                "locations": {"440300": []},
            },
        )
        add_notice(
            db,
            title="关于2025年春节放假安排的通知",
            body="春节放假安排如下。",
            url="https://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_400004.html",
            source="sz-gov",
            published=dt.date(2025, 1, 5),
            relevant=False,
        )
    return store

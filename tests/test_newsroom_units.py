"""Pure parts of the newsroom: English drafts, evidence highlighting, slugs."""

from __future__ import annotations

import pytest

from newsroom.drafts import draft_headline_and_summary, glossary, glossary_matches, place_name
from newsroom.highlight import Span, evidence_spans, highlight
from newsroom.review import slugify

BIKE = "深圳市交通运输局关于将共享单车企业纳入失信名单管理的通知"


@pytest.mark.parametrize(
    ("title", "publisher", "tags", "terms", "headline", "summary"),
    [
        (
            BIKE,
            "深圳市交通运输局",
            {"scs_types": ["blacklist"], "industries": ["transport"], "locations": ["440300"]},
            ["失信名单", "联合惩戒", "信用修复"],
            "Shenzhen, Guangdong issues notice on untrustworthy list for rental bike companies",
            "The Shenzhen Transport Bureau issued a notice on the untrustworthy list for rental bike companies."
            " The notice also covers joint punishment, credit repair and blacklists.",
        ),
        (
            "关于印发《江苏省社会信用体系建设实施方案》的通知",
            "江苏省人民政府办公厅",
            {"scs_types": ["system-building"], "locations": ["320000"]},
            ["社会信用体系建设"],
            "Jiangsu issues implementation plan on social credit system construction",
            "The Jiangsu Provincial Government General Office issued an implementation plan on social credit"
            " system construction.",
        ),
        (  # a national item starts with the body
            "关于对失信被执行人实施联合惩戒的合作备忘录",
            "国家发展改革委",
            {"scs_types": ["court-defaulters"], "industries": ["justice"], "locations": ["000000"]},
            ["失信被执行人", "联合惩戒"],
            "NDRC issues memorandum of understanding on judgment defaulters in the courts",
            "The National Development and Reform Commission issued a memorandum of understanding on judgment"
            " defaulters in the courts. The memorandum of understanding also covers joint punishment.",
        ),
        (  # no location, no body, no term in the title: the tags carry the topic
            "关于开展有关工作的通知",
            "",
            {"scs_types": ["credit-rating"], "industries": ["construction"]},
            [],
            "Local authorities issue notice on credit ratings in construction",
            "Authorities issued a notice on credit ratings in construction.",
        ),
        (  # unknown Chinese never reaches the English: a shorter sentence instead
            "关于某事项的通知",
            "某局",
            {},
            [],
            "Local authorities issue notice",
            "Authorities issued a notice.",
        ),
    ],
)
def test_drafts(
    title: str, publisher: str, tags: dict[str, list[str]], terms: list[str], headline: str, summary: str
) -> None:
    assert draft_headline_and_summary(title, publisher, tags, terms) == (headline, summary)


@pytest.mark.parametrize(
    ("codes", "place"),
    [
        (["440300"], "Shenzhen, Guangdong"),
        (["440000", "440300"], "Shenzhen, Guangdong"),  # the city implies the province
        (["320000"], "Jiangsu"),
        (["320000", "330000"], "Jiangsu and Zhejiang"),
        (["110000"], "Beijing"),
        (["110101"], "Dongcheng District, Beijing"),  # a county-level division: its own name and the province
        (["320583"], "Kunshan, Jiangsu"),  # a county-level city goes by its name
        (["520113"], "Baiyun District, Guizhou"),
        (["532300"], "Chuxiong, Yunnan"),  # an autonomous prefecture by its short English name
        (["000000"], "China"),
        (["000000", "330300"], "Wenzhou, Zhejiang"),
        ([], ""),
    ],
)
def test_place_names(codes: list[str], place: str) -> None:
    assert place_name(codes) == place


def test_longer_glossary_terms_win() -> None:
    assert [e.en for e in glossary_matches("严重失信主体名单和失信名单", "term")] == [
        "the list of seriously untrustworthy entities",
        "the untrustworthy list",
    ]


def test_glossary_rows_are_complete() -> None:
    entries = glossary()
    assert len({(e.zh, e.kind) for e in entries}) == len(entries), "duplicate glossary rows"
    assert all(e.zh and e.en and e.kind in {"term", "subject", "scs_type", "industry", "launched"} for e in entries)


def test_highlight_escapes_and_marks_overlapping_evidence() -> None:
    text = "<b>纳入失信名单</b>"
    spans = [Span(5, 9, "scs_types:blacklist"), Span(5, 7, "relevance:relevant")]
    assert str(highlight(text, spans)) == (
        "&lt;b&gt;纳入"
        '<mark class="evidence" title="relevance:relevant scs_types:blacklist">失信</mark>'
        '<mark class="evidence" title="scs_types:blacklist">名单</mark>'
        "&lt;/b&gt;"
    )


def test_evidence_spans_check_offsets_and_field() -> None:
    text = "依法纳入失信名单。"
    evidence = [
        {"term": "失信名单", "field": "text", "start": 4, "end": 8},
        {"term": "失信名单", "field": "text", "start": 0, "end": 4},  # stale: found again by its term
        {"term": "失信名单", "field": "title", "start": 4, "end": 8},  # another field
        {"term": "黑名单", "field": "text", "start": 0, "end": 3},  # not in this text any more
    ]
    spans = evidence_spans(text, "text", [("scs_types", "blacklist", evidence)])
    assert spans == [Span(4, 8, "scs_types:blacklist"), Span(4, 8, "scs_types:blacklist")]


@pytest.mark.parametrize(
    ("headline", "slug"),
    [
        ("Shenzhen, Guangdong: untrustworthy list", "shenzhen-guangdong-untrustworthy-list"),
        ("Ürümqi: credit repair", "urumqi-credit-repair"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("深圳", ""),
    ],
)
def test_slugify(headline: str, slug: str) -> None:
    assert slugify(headline) == slug


def test_scs_user_add_reads_the_password_from_stdin(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from sqlalchemy import select

    from scs.cli import main
    from store.db import Store
    from store.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--db", db_url, "user", "add", "carol", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["--db", db_url, "user", "add", "carol", "--password-stdin"]) == 1  # exists already
    with Store(db_url).session() as db:
        from newsroom.auth import authenticate

        assert authenticate(db, "carol", "a long enough password") is not None
        assert db.scalars(select(User.name)).all() == ["carol"]

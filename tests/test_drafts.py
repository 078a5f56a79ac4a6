"""English drafts read from the notice: event, genre and number, acting body, place; no Chinese, no
article/number disagreement (over the SYNTHETIC mirror notices and, where ../shared is present, the dev gold)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from newsroom.draft_check import agreement_problems, has_chinese
from newsroom.drafts import (
    _glossary_of,
    draft_headline_and_summary,
    draft_record,
    genres,
    read_actor,
    read_event,
    read_genre,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("title", "event"),
    [
        ("广州市发展和改革委员会关于印发《广州市信用修复工作指引》的通知", "issue"),
        ("福建省公共信用信息管理办法（福建省人民政府令第228号）", "issue"),
        ("关于建立完善守信联合激励和失信联合惩戒制度的实施意见（节选）", "issue"),
        ("交通运输部令2026年第3号 公路建设市场信用管理办法", "issue"),
        ("十部门联合签署对严重失信主体开展联合惩戒的合作备忘录", "issue"),
        ("最高人民法院关于公布失信被执行人名单信息的若干规定", "issue"),  # 名单 inside a regulation: issue
        ("关于公开征求《安徽省社会信用条例（草案）》意见的公告", "consult"),
        ("海南省企业信用风险分类管理办法（征求意见稿）", "consult"),
        ("杭州拟出台网约车驾驶员信用积分办法", "consult"),
        ("关于拟纳入严重失信主体名单企业的公示", "list"),  # a proposed listing is a list of named entities
        ("某市拟认定守信激励对象名单公示", "list"),
        ("《浙江省公共信用信息管理条例》解读", "interpret"),
        ("南京市召开社会信用体系建设联席会议", "meeting"),
        ("市场监管局召开信用修复工作座谈会", "meeting"),
        ("苏州市信用信息平台二期正式上线", "launch"),
        ("无锡市启动诚信企业评价工作", "launch"),
        ("关于开展2026年诚信宣传月活动的通知", "campaign"),
        ("全省开展失信被执行人专项行动", "campaign"),
        ("宁波市公布5家严重失信企业名单", "list"),
        ("关于2026年度A级纳税人名单的公示", "list"),
        ("省发展改革委发布信用监管典型案例", "case"),
        ("对省人大代表第112号建议的答复", "report"),
        ("评《社会信用体系建设法》的三个看点", "report"),
        ("我市信用建设工作取得新进展", "report"),
        ("國務院辦公廳印發《關於推進社會信用體系建設的意見》", "issue"),  # traditional characters
        ("《某市信用承诺管理办法》明日起正式实施", "issue"),
        ("关于征求《某省信用修复办法》意见的函", "consult"),
        ("一图读懂《某市公共信用信息管理办法》", "interpret"),
        ("某市开展“诚信进企业”主题宣传活动", "campaign"),
        ("某县通报三起拖欠农民工工资失信案件", "case"),
    ],
)
def test_event_from_the_title_structure(title: str, event: str) -> None:
    assert read_event(title) == event


@pytest.mark.parametrize(
    ("title", "genre", "plural"),
    [
        ("关于印发《广州市信用修复管理办法》的通知", "measures", True),
        ("关于印发广州市社会信用体系建设实施方案的通知", "implementation plan", False),
        ("某某市公共信用信息管理条例", "regulations", True),
        ("关于进一步加强诚信建设的指导意见", "guiding opinions", True),
        ("某某省旅游市场黑名单管理实施细则（试行）", "implementing rules", True),
        ("关于对失信主体实施联合惩戒的合作备忘录", "memorandum of understanding", False),
        ("关于做好信用评价工作的通知", "notice", False),
        ("八部门发布行动计划 联合惩戒炒信行为", "action plan", False),  # the genre right after the verb
    ],
)
def test_genre_with_its_number(title: str, genre: str, plural: bool) -> None:
    found = read_genre(title)
    assert found is not None
    assert (found.en, found.plural) == (genre, plural)


@pytest.mark.parametrize("name", ["glossary.tsv", "genres.tsv", "bodies.tsv", "local_bodies.tsv"])
def test_name_files_have_unique_rows_and_english_only_in_english(name: str) -> None:
    rows = [line.split("\t") for line in (REPO / "newsroom" / name).read_text("utf-8").splitlines()]
    rows = [row for row in rows if row[0] and not row[0].startswith("#")]
    assert rows
    keys = [(row[0], row[2]) if name == "glossary.tsv" else row[0] for row in rows]
    assert len(set(keys)) == len(keys), "duplicate rows"
    assert not [row for row in rows if has_chinese("\t".join(row[1:]))], "Chinese in an English column"


def test_every_genre_row_has_a_number_and_a_role() -> None:
    assert genres()
    assert {genre.plural for genre in genres()} == {True, False}
    assert all(genre.en and not has_chinese(genre.en) for genre in genres())


@pytest.mark.parametrize(
    ("title", "publisher", "codes", "actor", "short"),
    [
        ("通知", "深圳市交通运输局", ["440300"], "Shenzhen Transport Bureau", "Shenzhen"),
        (
            "通知",
            "贵州省人力资源社会保障厅",
            ["520000"],
            "Guizhou Department of Human Resources and Social Security",
            "Guizhou",
        ),
        ("通知", "内蒙古自治区人民政府", ["150000"], "Inner Mongolia Regional Government", "Inner Mongolia"),
        ("通知", "楚雄州人民政府办公室", ["532300"], "Chuxiong Prefecture Government General Office", "Chuxiong"),
        ("通知", "中共贵阳市白云区委", ["520113"], "Baiyun District Party Committee", "Baiyun District"),
        ("市民政局关于印发办法的通知", "", ["210100"], "Shenyang Civil Affairs Bureau", "Shenyang"),
        ("人社部出台新办法", "新华社", ["000000"], "Ministry of Human Resources and Social Security", "MOHRSS"),
        ("通知", "国家发展改革委、人民银行等41部门", ["000000"], "National Development and Reform Commission", "NDRC"),
        (
            "通知",
            "国家统计局（某市统计局转载）",
            ["000000"],
            "National Bureau of Statistics",
            "National Bureau of Statistics",
        ),
    ],
)
def test_acting_body_in_english(title: str, publisher: str, codes: list[str], actor: str, short: str) -> None:
    found = read_actor(title, publisher, "", codes)
    assert found is not None
    assert (found.en, found.short) == (actor, short)


def test_a_body_named_in_the_text_must_fit_the_tagged_place() -> None:
    body = "各区县人民政府，国务院有关部门：现将有关事项通知如下。"
    assert read_actor("某市召开会议", "", body, ["330300"]) is None
    assert read_actor("我省出台新办法", "", "商务部日前印发通知。", []) is None  # no place to check it against
    found = read_actor("八部门发布行动计划", "新华社", "國家發展改革委11日稱，將實施聯合懲戒。", ["000000"])
    assert found is not None and found.short == "NDRC"  # traditional characters in the text


def test_tag_values_all_have_english() -> None:
    from newsroom.review import vocabulary

    for facet, kind in (("scs_types", "scs_type"), ("industries", "industry")):
        assert set(vocabulary(facet)) <= {entry.zh for entry in _glossary_of(kind)}, facet


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("The NDRC issued a measures on credit repair.", ["'a measures'"]),
        ("The bureau issued an opinions.", ["'an opinions'"]),
        ("Shanxi issued a detailed rules.", ["'a detailed rules'"]),
        ("The measures covers credit repair.", ["'the measures covers'"]),
        ("The plan cover credit repair.", ["'the plan cover'"]),
        ("The bureau issued a implementation plan.", ["'a implementation'"]),
        ("The bureau issued measures and an implementation plan.", []),
        ("It set up a list of measures for a unified code and a 2023-2025 plan.", []),
        ("The measures also cover an NDRC list.", []),
    ],
)
def test_agreement_checker(text: str, problems: list[str]) -> None:
    assert agreement_problems(text) == problems


def synthetic_mirror_notices() -> list[dict[str, str]]:
    """Every SYNTHETIC notice of the offline mirror's content files, in the gold format."""
    notices = []
    for path in sorted((REPO / "mirror" / "content").glob("*.toml")):
        content = tomllib.loads(path.read_text(encoding="utf-8"))
        for number, notice in enumerate(content.get("notices", [])):
            publisher = notice.get("publisher") or notice.get("content_source") or content.get("site_name", "")
            body = f"{notice.get('body', '')}\n{notice.get('signature', '')}"
            notices.append(
                {"id": f"{path.stem}-{number}", "title": notice["title"], "publisher": publisher, "text": body}
            )
    return notices


def test_no_chinese_and_no_disagreement_in_drafts_of_the_synthetic_mirror_notices() -> None:
    notices = synthetic_mirror_notices()
    assert len(notices) > 100
    bad = []
    for notice in notices:
        draft = draft_record(notice)
        text = f"{draft['headline']} {draft['summary']}"
        if has_chinese(text) or agreement_problems(text):
            bad.append((notice["id"], text))
    assert bad == []


def test_no_chinese_and_no_disagreement_in_drafts_of_the_dev_gold(gold_dir: Path) -> None:
    bad = []
    for line in (gold_dir / "notices-dev.jsonl").read_text(encoding="utf-8").splitlines():
        draft = draft_record(json.loads(line))
        text = f"{draft['headline']} {draft['summary']}"
        if has_chinese(text) or agreement_problems(text):
            bad.append((draft["id"], text))
    assert bad == []


def test_unknown_chinese_falls_back_to_a_shorter_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsroom import drafts

    # A glossary row whose English slipped in untranslated must not leak: the draft loses the topic instead.
    monkeypatch.setattr(drafts, "translate_term", lambda term: "信用修复")
    monkeypatch.setattr(drafts, "_glossary_of", lambda kind: (drafts.GlossaryEntry("信用修复", "信用修复", kind),))
    headline, summary = draft_headline_and_summary(
        "关于印发《信用修复管理办法》的通知", "国家发展改革委", {"locations": ["000000"]}, ["信用修复"]
    )
    assert (headline, summary) == (
        "NDRC issues measures",
        "The National Development and Reform Commission issued measures.",
    )


def test_two_places_take_a_plural_verb() -> None:
    headline, _ = draft_headline_and_summary(
        "关于印发《长三角信用修复协同办法》的通知", "", {"locations": ["320000", "330000"]}, ["信用修复"]
    )
    assert headline == "Jiangsu and Zhejiang issue measures on credit repair"

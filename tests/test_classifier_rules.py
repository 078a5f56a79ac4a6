"""Rules of the classifiers, each shown on a short notice we wrote for it."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from classifiers import Document, classify, gazetteer
from classifiers.lexicon import LEXICON_DIR, load_lexicons
from classifiers.text import to_simplified


def tags(result, facet: str) -> list[str]:
    return [tag.value for tag in result.tags[facet]]


# --- relevance: negative cues and scope -------------------------------------------------------------


def test_credit_card_promotion_is_not_scs() -> None:
    doc = Document(
        title="关于开展信用卡分期优惠活动的公告",
        text="即日起，持本行信用卡在指定商户消费可享受分期免息。信用卡额度可在手机银行查询。活动期间信用卡积分翻倍。",
        publisher="某商业银行",
    )
    assert classify(doc).relevant is False


def test_integrity_in_a_school_motto_is_not_a_credit_mechanism() -> None:
    doc = Document(
        title="第一中学举行新学期开学典礼",
        text="典礼上，校长带领全体师生重温校训“诚信、勤奋、求实”，勉励同学们做一个诚信守信的人。随后举行了升旗仪式。",
    )
    result = classify(doc)
    assert result.relevant is False
    assert not any(hit.term == "诚信" for hit in result.terms)


def test_boilerplate_credit_record_line_does_not_make_a_traffic_notice_relevant() -> None:
    doc = Document(
        title="关于人民路实施临时交通管制的通告",
        text=(
            "因管网施工需要，人民路（解放路至中山路段）自3月1日至3月20日实施封闭，禁止机动车通行。\n"
            "请过往车辆提前绕行，服从现场交警指挥。\n"
            "对拒不服从管理的，依法予以处罚，并纳入信用记录。"
        ),
        publisher="某市公安局交通警察支队",
    )
    result = classify(doc)
    assert result.relevant is False
    assert result.tags["scs_types"] == []


def test_the_same_phrase_in_a_real_scs_notice_keeps_it_relevant() -> None:
    doc = Document(
        title="关于印发交通运输领域严重失信主体名单管理办法的通知",
        text="对列入严重失信主体名单的运输企业实施联合惩戒，相关失信信息纳入信用记录，并在信用中国网站公示。",
        publisher="某省交通运输厅",
    )
    result = classify(doc)
    assert result.relevant is True
    assert "blacklist" in tags(result, "scs_types")
    # the sector's only body mention is in the stock sentence: the model may keep it a suggestion
    assert "transport" in tags(result, "industries") + [s.value for s in result.suggestions["industries"]]


def test_a_term_in_the_title_weighs_more_than_in_the_body() -> None:
    body_only = classify(Document(title="工作动态", text="本周召开会议，研究信用修复工作。会议强调要抓好落实。"))
    in_title = classify(Document(title="关于做好信用修复工作的通知", text="本周召开会议。会议强调要抓好落实。"))
    assert in_title.relevance_score > body_only.relevance_score
    assert "credit-repair" in tags(in_title, "scs_types")
    title_evidence = [e for e in in_title.relevance_evidence if e.term == "信用修复"]
    assert title_evidence and title_evidence[0].field == "title" and "×title" in title_evidence[0].rule


def test_citations_of_other_documents_count_less_than_the_subject() -> None:
    doc = Document(
        title="关于加强景区安全管理的通知",
        text="根据《社会信用体系建设规划纲要》和《关于建立完善守信联合激励和失信联合惩戒制度的指导意见》，现就景区安全管理通知如下。",
    )
    assert classify(doc).relevant is False


# --- terms ------------------------------------------------------------------------------------------


def test_multi_character_scs_terms_stay_whole_with_offsets() -> None:
    text = "对失信被执行人依法限制高消费。建立守信联合激励机制。对失信被执行人加强惩戒。"
    doc = Document(title="关于推行双随机、一公开监管的通知", text=text)
    result = classify(doc)
    hits = {hit.term: hit for hit in result.terms}
    assert hits["双随机、一公开"].offsets == [("title", 4)]
    assert hits["失信被执行人"].count == 2
    assert [offset for _field, offset in hits["失信被执行人"].offsets] == [1, text.rindex("失信被执行人")]
    assert "守信联合激励" in hits
    assert "失信" not in hits  # covered by the longer term, not counted twice


def test_tokenizer_keeps_lexicon_terms_whole() -> None:
    from classifiers.engine import default_tagger

    tokens = default_tagger().matcher.tokenize("依法实施守信联合激励和双随机、一公开监管")
    assert "守信联合激励" in tokens
    assert "双随机、一公开" in tokens


def test_short_terms_must_sit_on_word_boundaries() -> None:
    doc = Document(title="人像特征信息采集规范", text="采集人员面部特征信息，用于身份核验。")
    assert not any(hit.term == "征信" for hit in classify(doc).terms)
    real = classify(Document(title="关于加强征信机构管理的通知", text="征信机构应当依法采集信用信息。"))
    assert "financial-credit" in tags(real, "scs_types")


def test_traditional_characters_are_matched_with_offsets_into_the_original() -> None:
    title = "最高人民法院關於公布失信被執行人名單信息的若干規定"
    text = "被執行人未履行生效法律文書確定的義務，人民法院應當將其納入失信被執行人名單，依法對其進行信用懲戒。"
    result = classify(Document(title=title, text=text, publisher="最高人民法院"))
    assert result.relevant is True
    assert "court-defaulters" in tags(result, "scs_types")
    assert tags(result, "locations") == ["000000"]
    originals = {"title": title, "text": text}
    for tag in result.tags["scs_types"]:
        for evidence in tag.evidence:
            original = originals[evidence.field][evidence.start : evidence.end]
            assert len(original) == len(evidence.term)
            assert to_simplified(original) == evidence.term


def test_conversion_keeps_the_length() -> None:
    text = "國務院辦公廳關於進一步完善失信約束制度構建誠信建設長效機制的指導意見"
    assert len(to_simplified(text)) == len(text)
    assert to_simplified("just ascii") == "just ascii"


# --- lexicons ---------------------------------------------------------------------------------------


def test_a_term_under_two_labels_of_one_facet_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("relevance", "scs_types", "industries"):
        (tmp_path / f"{name}.json").write_text((LEXICON_DIR / f"{name}.json").read_text(encoding="utf-8"))
    data = json.loads((tmp_path / "scs_types.json").read_text(encoding="utf-8"))
    data["labels"]["redlist"]["黑名单"] = 1.0  # already under blacklist
    (tmp_path / "scs_types.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="classifiers.lexicon"):
        lexicons = load_lexicons(tmp_path)
    assert [(c.facet, c.term, c.labels) for c in lexicons.conflicts] == [
        ("scs_types", "黑名单", ("blacklist", "redlist"))
    ]
    assert "黑名单" in caplog.text


def test_shipped_lexicons_have_no_conflicts_and_use_the_taxonomy() -> None:
    lexicons = load_lexicons()
    assert lexicons.conflicts == []
    assert set(lexicons.facets["scs_types"].labels) == {
        "blacklist", "redlist", "joint-enforcement", "credit-rating", "credit-repair", "credit-commitment",
        "supervision", "credit-information", "court-defaulters", "financial-credit", "government-integrity",
        "personal-credit", "system-building",
    }  # fmt: skip
    industries = set(lexicons.facets["industries"].labels)
    assert industries <= {
        "construction", "transport", "environment", "research", "education", "healthcare", "food-drug", "finance",
        "taxation", "customs-trade", "internet", "e-commerce", "domestic-services", "labor", "market-regulation",
        "intellectual-property", "tourism", "culture-sports", "agriculture", "energy", "work-safety",
        "public-procurement", "real-estate", "social-organizations", "statistics", "justice", "government",
        "telecom", "water-resources",
    }  # fmt: skip


# --- locations --------------------------------------------------------------------------------------


def test_national_bodies_give_the_national_code_even_when_reposted_locally() -> None:
    doc = Document(
        title="国家发展改革委关于印发信用修复管理办法的通知",
        text="各省、自治区、直辖市发展改革委：现将办法印发给你们。",
        publisher="国家发展改革委（某县人民政府网站转载）",
        jurisdiction="441802",
    )
    result = classify(doc)
    assert tags(result, "locations") == ["000000"]
    assert result.tags["locations"][0].evidence[0].field == "publisher"


def test_a_city_is_tagged_alone_and_implies_its_province() -> None:
    doc = Document(
        title="深圳市关于推进个人信用积分应用的通知",
        text="市民可通过平台查询个人信用积分。",
        publisher="深圳市发展和改革委员会",
    )
    result = classify(doc)
    assert tags(result, "locations") == ["440300"]
    assert gazetteer.province_of("440300") == "440000"


def test_district_names_are_disambiguated_by_the_city_before_them() -> None:
    doc = Document(title="关于推进诚信建设的意见", text="全区各单位要加强信用建设。", publisher="中共贵阳市白云区委")
    assert tags(classify(doc), "locations") == ["520113"]


def test_credit_code_region_digits_place_a_list_with_no_place_names() -> None:
    doc = Document(
        title="关于公布2023年度第二批严重失信主体名单的公告",
        text="经核查，以下企业列入严重失信主体名单：\n1. 某某贸易有限公司 统一社会信用代码：91330106MA2GXXXX1K\n"
        "2. 某某建材有限公司 统一社会信用代码：91330106MA2HYYYY2L\n",
    )
    result = classify(doc)
    assert tags(result, "locations") == ["330106"]
    assert result.tags["locations"][0].evidence[0].field == "text"
    assert result.tags["locations"][0].evidence[0].rule == "location:credit-code-region"


def test_an_unnamed_local_issuer_leaves_the_location_empty() -> None:
    doc = Document(
        title="我市启动家政服务信用体系建设", text="记者从市商务局获悉，我市家政企业将全部录入信用信息平台。"
    )
    assert tags(classify(doc), "locations") == []


def test_the_source_jurisdiction_and_site_code_are_fallbacks() -> None:
    doc = Document(title="关于开展诚信宣传周活动的通知", text="各单位要组织好诚信宣传活动。", site_code="3303000012")
    assert tags(classify(doc), "locations") == ["330300"]
    doc = dataclasses.replace(doc, jurisdiction="330382")
    assert tags(classify(doc), "locations") == ["330382"]


def test_gazetteer_names() -> None:
    assert gazetteer.english_name("440300") == "Shenzhen"
    assert gazetteer.english_name("440000") == "Guangdong"
    assert gazetteer.english_name("000000") == "China"
    assert gazetteer.english_name("150000") == "Inner Mongolia"
    assert gazetteer.english_name("150100") == "Hohhot"
    assert gazetteer.english_name("610000") == "Shaanxi"
    assert gazetteer.chinese_name("330300") == "温州市"
    assert gazetteer.province_of("320583") == "320000"
    assert gazetteer.province_of("000000") == "000000"


# --- output shape -----------------------------------------------------------------------------------


def test_every_tag_carries_evidence_and_the_result_is_json_serialisable() -> None:
    doc = Document(
        title="上海市市场监督管理局关于印发企业信用风险分类管理办法的通知",
        text="对企业实施信用风险分类管理，结合双随机、一公开监管，对高风险企业提高抽查比例。",
        publisher="上海市市场监督管理局",
    )
    result = classify(doc)
    assert result.relevant and 0.5 <= (result.relevance_confidence or 0) <= 1
    for facet in ("scs_types", "industries", "locations"):
        for tag in result.tags[facet] + result.suggestions.get(facet, []):
            assert tag.evidence and tag.score > 0
            assert all(e.rule for e in tag.evidence)
            # the fitted facets carry the model's probability; locations come from the gazetteer
            assert (tag.confidence is None) == (facet == "locations")
            assert tag.confidence is None or 0 < tag.confidence <= 1
    assert "supervision" in tags(result, "scs_types")
    assert tags(result, "locations") == ["310000"]
    json.dumps(dataclasses.asdict(result), ensure_ascii=False)


# --- facet interplay --------------------------------------------------------------------------------


def test_a_general_scs_plan_carries_no_industry() -> None:
    doc = Document(
        title="某市社会信用体系建设三年行动计划",
        text="推进社会信用体系建设。加强交通运输、生态环境、食品药品、安全生产、税务等重点领域信用监管，"
        "完善交通运输领域信用评价，开展生态环境信用评价，建立食品安全信用档案。",
        publisher="某市人民政府办公室",
    )
    result = classify(doc)
    assert "system-building" in tags(result, "scs_types")
    assert result.tags["industries"] == []


def test_a_sector_named_in_the_title_of_a_plan_is_kept() -> None:
    doc = Document(
        title="关于推进家政服务业信用体系建设的实施方案",
        text="建立家政服务员信用档案，推进家政服务信用信息平台建设，加快家政服务业信用体系建设。",
    )
    assert tags(classify(doc), "industries") == ["domestic-services"]


def test_credit_information_yields_to_a_credit_repair_notice() -> None:
    doc = Document(
        title="关于做好行政处罚信息信用修复工作的通知",
        text="对已公示的行政处罚信息，当事人可申请信用修复。修复后，信用信息共享平台和信用中国网站停止公示相关失信信息，"
        "并将修复结果共享至信用信息共享平台。",
    )
    result = classify(doc)
    assert tags(result, "scs_types")[0] == "credit-repair"
    assert "credit-information" not in tags(result, "scs_types")


def test_a_long_report_mentioning_the_credit_system_in_passing_is_not_relevant() -> None:
    filler = "今年以来，全县上下坚持稳中求进工作总基调，扎实推进项目建设、乡村振兴、城市更新和民生保障各项工作。" * 120
    doc = Document(
        title="2024年县政府工作报告",
        text=filler + "深化放管服改革，推进社会信用体系建设，健全失信惩戒机制，优化营商环境。" + filler,
    )
    result = classify(doc)
    assert result.relevant is False
    assert result.relevance_score > 0  # the mention is still found and shown as evidence


def test_a_provincial_branch_of_a_national_agency_is_local() -> None:
    doc = Document(
        title="关于发布2023年度纳税信用A级纳税人名单的公告",
        text="经评价，现将2023年度纳税信用A级纳税人名单予以公布。",
        publisher="国家税务总局江苏省税务局",
    )
    result = classify(doc)
    assert tags(result, "locations") == ["320000"]
    assert "credit-rating" in tags(result, "scs_types") and tags(result, "industries") == ["taxation"]


def test_a_short_term_inside_a_longer_one_is_not_counted() -> None:
    doc = Document(title="关于开展信用分级分类监管的通知", text="按照信用分级结果实施差异化监管。")
    assert "personal-credit" not in tags(classify(doc), "scs_types")


def test_supplier_credit_checks_in_a_procurement_result_do_not_make_it_relevant() -> None:
    doc = Document(
        title="某某中学食堂食材采购项目中标结果公告",
        text="中标供应商：某某食品有限公司，中标金额：128万元。\n"
        "供应商须提供信用中国网站查询截图，未被列入失信被执行人名单、重大税收违法失信主体名单。",
        publisher="某某中学",
    )
    assert classify(doc).relevant is False


def test_a_relevant_notice_gets_its_best_supported_mechanism() -> None:
    doc = Document(
        title="关于规范网约车经营者信用管理的通知",
        text="对网约车平台公司和驾驶员建立信用记录，考核结果向社会公示。",
        publisher="某市交通运输局",
    )
    result = classify(doc)
    assert result.relevant
    assert tags(result, "scs_types") == ["credit-information"]
    assert tags(result, "industries") == ["transport"]


# --- one short notice per mechanism and per sector (our own wording) -------------------------------

MECHANISMS = [
    (
        "关于全面推行证明事项告知承诺制的实施方案",
        "申请人书面承诺符合条件的，行政机关不再索要证明。",
        "credit-commitment",
    ),
    ("关于公布2023年度守信激励对象红名单的通知", "经评审，以下企业列入守信红名单，享受绿色通道等激励措施。", "redlist"),
    (
        "关于开展政务失信专项治理的通知",
        "对政府机构不履行招商引资承诺等政务失信行为开展专项治理。",
        "government-integrity",
    ),
    ("苏州市民个人信用积分应用推广方案", "个人信用积分可在图书借阅、公共交通等场景享受优惠。", "personal-credit"),
    ("关于深化信易贷工作的通知", "依托信用信息共享平台，推动金融机构发放信用贷款。", "financial-credit"),
    ("关于公布失信被执行人名单的公告", "本院将下列被执行人纳入失信被执行人名单，限制高消费。", "court-defaulters"),
    ("关于公布失信被执行人名单的公告", "本院将下列被执行人纳入失信被执行人名单，限制高消费。", "blacklist"),
    ("关于做好失信主体信用修复工作的通知", "符合条件的失信主体可申请信用修复。", "credit-repair"),
    ("关于推行企业信用风险分类管理的指导意见", "根据信用风险分类结果实施差异化监管，合理确定抽查比例。", "supervision"),
]


@pytest.mark.parametrize(("title", "text", "mechanism"), MECHANISMS)
def test_each_mechanism_is_recognised(title: str, text: str, mechanism: str) -> None:
    result = classify(Document(title=title, text=text))
    assert result.relevant
    assert mechanism in tags(result, "scs_types")


SECTORS = [
    ("关于建立校外培训机构黑名单制度的通知", "对违规收费的校外培训机构列入黑名单。", "education"),
    ("电力行业严重失信主体名单管理办法", "对电力市场主体的严重失信行为列入名单。", "energy"),
    ("知识产权领域严重失信主体名单管理办法", "对非正常专利申请、恶意商标注册行为人列入名单。", "intellectual-property"),
    (
        "政府采购领域严重违法失信行为记录名单",
        "供应商存在严重违法失信行为的，禁止参加政府采购活动。",
        "public-procurement",
    ),
    ("关于加强农资市场信用体系建设的意见", "对种子、农药、化肥经营主体建立信用档案。", "agriculture"),
    ("水利建设市场主体信用评价管理办法", "对水利工程建设市场主体开展信用评价。", "water-resources"),
]


@pytest.mark.parametrize(("title", "text", "sector"), SECTORS)
def test_each_sector_is_recognised(title: str, text: str, sector: str) -> None:
    assert tags(classify(Document(title=title, text=text)), "industries") == [sector]


def test_departments_named_generically_are_not_ministries() -> None:
    doc = Document(
        title="关于加强家政服务信用建设的通知",
        text="各地商务部门、教育部门要会同有关部门建立家政服务员信用档案。",
        jurisdiction="330300",
    )
    assert tags(classify(doc), "locations") == ["330300"]


# --- scs_types: the notice's own subject vs passing mentions ------------------------------------------


def test_cues_sharing_characters_count_as_one_mention() -> None:
    # 以信用为基础的新型监管机制 holds two supervision cues: one mention, and one clause is no supervision notice
    doc = Document(
        title="关于公布2024年度全市建筑业企业信用评价结果的通知",
        text="经企业自评、主管部门审核，评定AAA级企业12家、AA级企业30家，评价结果作为招标投标的参考。"
        "下一步将建立以信用为基础的新型监管机制。",
        publisher="某市住房和城乡建设局",
    )
    assert tags(classify(doc), "scs_types") == ["credit-rating"]


def test_a_mechanism_mentioned_once_in_a_plans_review_is_not_its_subject() -> None:
    doc = Document(
        title="某县“十四五”社会信用体系建设规划",
        text="“十三五”期间，全县社会信用体系建设取得积极成效，诚信文化深入人心，为企业提供信用修复指导服务，"
        "探索失信主体信用重建机制，重点领域信用建设稳步推进。\n"
        "“十四五”时期，要坚持以社会信用体系建设为统领，推进诚信建设制度化，加强诚信文化宣传，"
        "完善社会信用体系建设工作机制，营造良好的信用环境。",
        publisher="某县人民政府",
    )
    assert tags(classify(doc), "scs_types") == ["system-building"]


def test_a_genre_word_in_the_title_does_not_make_a_notice_system_building() -> None:
    doc = Document(
        title="五部门印发行动计划 联合惩戒网络直播虚假宣传行为",
        text="行动计划提出，对网络直播中虚假宣传、刷单炒信的主播和机构实施联合惩戒，推动联合惩戒措施落地，"
        "并推进行业信用体系建设。",
        publisher="某部新闻办",
    )
    assert tags(classify(doc), "scs_types") == ["joint-enforcement"]


def test_a_plan_for_the_credit_system_is_system_building() -> None:
    doc = Document(
        title="某市推进社会信用体系建设三年行动计划",
        text="到2026年，全市社会信用体系建设取得明显成效，诚信建设制度化水平显著提升。",
        publisher="某市人民政府办公室",
    )
    assert "system-building" in tags(classify(doc), "scs_types")


def test_two_names_in_one_sentence_are_one_passing_mention() -> None:
    doc = Document(
        title="关于印发某市物业服务企业信用评价办法的通知",
        text="第一条 物业服务企业信用评价实行年度评价，信用评价结果分为A、B、C、D四个信用等级。"
        "第二条 信用评价结果向社会公布，作为招投标的参考。"
        "第三条 鼓励物业服务企业作出信用承诺，签署信用承诺书并公开。"
        "第四条 对信用等级为D级的企业，增加检查频次。"
        "第五条 信用评价指标包括基础管理、服务质量和投诉处理。",
        publisher="某市住房和城乡建设局",
    )
    assert tags(classify(doc), "scs_types") == ["credit-rating"]


def test_a_jurisdictions_general_credit_information_law_is_system_building() -> None:
    general = Document(
        title="某省公共信用信息管理条例",
        text="第一条 为了规范公共信用信息的归集、披露和使用，根据有关法律、行政法规，结合本省实际，制定本条例。"
        "第二条 本条例所称公共信用信息，是指行政机关在履行职责过程中产生或者获取的信用信息。"
        "第三条 公共信用信息实行目录管理。",
        publisher="某省人民代表大会常务委员会",
    )
    sector = Document(
        title="某市交通运输信用信息管理办法",
        text="第一条 为规范交通运输信用信息的归集和使用，制定本办法。"
        "第二条 交通运输信用信息包括运输企业和从业人员的基础信息、良好信息和不良信息。"
        "第三条 信用信息通过市信用信息共享平台共享。",
        publisher="某市交通运输局",
    )
    assert tags(classify(general), "scs_types") == ["credit-information", "system-building"]
    assert tags(classify(general), "industries") == []
    assert tags(classify(sector), "scs_types") == ["credit-information"]


def test_every_convertible_character_is_flagged_by_the_quick_search() -> None:
    from classifiers.text import _traditional_chars, _traditional_search

    search = _traditional_search().search
    assert all(search(f"简体{char}文字") for char in _traditional_chars())
    assert search("只有简体的公告，以及 ASCII text") is None

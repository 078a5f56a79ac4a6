"""统一社会信用代码 and masked identity numbers: table tests from REAL published codes.

The valid codes are real ones quoted by other projects' test suites (Hutool's CreditCodeUtilTest;
python-stdnum's tests/test_cn_uscc.doctest, "found online"); the invalid ones are Hutool's
non-conforming pilot code, python-stdnum's wrong-check example and real codes with their last
character changed (a code has exactly one check character, so any other one is wrong).
The names around them in the text samples are SYNTHETIC.
"""

from __future__ import annotations

import pytest

from entities.find import find_mentions
from entities.uscc import check_code, is_citizen_id

REAL_VALID = [
    "91310110666007217T",  # Hutool
    "91110000600037341L",  # python-stdnum
    "121200004013590816",
    "91110000710926094P",
    "91320214745555318W",
    "9144030071526726XG",
    "91340600MA2PBM9HXD",
    "91620105L015101280",
    "92340602MA2PBMEM24",
    "913101127033980359",
    "91440300568520498A",
    "91110000MA01A7RH2R",  # wbximy-common's test
]

WRONG_CHECK = [
    "91350211M00013FA1N",  # Hutool: an early pilot-region code that does not conform to the standard
    "91110000600037341N",  # python-stdnum's wrong-check example
    "91310110666007217U",
    "91320214745555318X",
    "121200004013590817",
    "92340602MA2PBMEM25",
]


@pytest.mark.parametrize("code", REAL_VALID)
def test_real_codes_pass_the_check_character(code: str) -> None:
    result = check_code(code)
    assert result.valid, result.reason
    assert result.reason == ""


@pytest.mark.parametrize("code", WRONG_CHECK)
def test_codes_with_a_wrong_check_character_fail(code: str) -> None:
    result = check_code(code)
    assert not result.valid
    assert "check character" in result.reason


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [("9111000060003IOZSV", "alphabet"), ("9111000060003734", "16 characters"), ("Z1110000600037341L", "alphabet")],
)
def test_malformed_codes_say_what_is_wrong(code: str, reason_part: str) -> None:
    result = check_code(code)
    assert not result.valid
    assert reason_part in result.reason


@pytest.mark.parametrize(
    ("code", "authority", "org_type", "region"),
    [
        ("91310110666007217T", "工商", "企业", "上海市杨浦区"),
        ("121200004013590816", "机构编制", "事业单位", "天津市"),
        ("92340602MA2PBMEM24", "工商", "个体工商户", "安徽省淮北市杜集区"),
        ("91110000600037341L", "工商", "企业", "北京市"),
    ],
)
def test_authority_type_and_region_are_decoded(code: str, authority: str, org_type: str, region: str) -> None:
    result = check_code(code)
    assert (result.authority, result.org_type, result.region) == (authority, org_type, region)
    assert result.region_code == code[2:8]


def test_a_citizen_identity_number_is_never_taken_for_a_code() -> None:
    # The example number printed in GB 11643-1999 itself.
    assert is_citizen_id("11010519491231002X")
    assert not is_citizen_id("91110000600037341L")
    assert find_mentions("身份证号码11010519491231002X") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a tab-separated sheet row (XLSX/XLS/DOCX) under a header
            "序号\t企业名称\t统一社会信用代码\t列入原因\n1\t某某建设工程有限公司\t91310110666007217T\t拖欠农民工工资",
            [("某某建设工程有限公司", "91310110666007217T", True)],
        ),
        (  # the same without a header: the cell that reads as an organisation's name
            "1\t91110000600037341L\t某某市政工程有限公司\t北京市",
            [("某某市政工程有限公司", "91110000600037341L", True)],
        ),
        (  # a PDF line: cells apart by runs of spaces
            "序号    单位名称    统一社会信用代码\n\n2    某某劳务分包有限公司    91350211M00013FA1N",
            [("某某劳务分包有限公司", "91350211M00013FA1N", False)],
        ),
        (  # prose: the organisation before the code in the same sentence
            "经查，某某建设集团有限公司（统一社会信用代码：91320214745555318W）存在围标串标行为。",
            [("某某建设集团有限公司", "91320214745555318W", True)],
        ),
        (  # prose, two sentences: each code keeps its own name
            "将某某物业服务有限公司（统一社会信用代码为91110000710926094P）列入名单。"
            "某某餐饮店（统一社会信用代码：92340602MA2PBMEM25）一并公布。",
            [
                ("某某物业服务有限公司", "91110000710926094P", True),
                ("某某餐饮店", "92340602MA2PBMEM25", False),
            ],
        ),
        (  # a header with the name column named 当事人名称, the code column in between
            "序号\t统一社会信用代码\t当事人名称\t决定文号\n3\t91440300568520498A\t某某科技有限公司\t深市监罚〔2026〕1号",
            [("某某科技有限公司", "91440300568520498A", True)],
        ),
        (  # two name columns and two codes in a row: each code takes the name on its left
            "序号\t生产企业名称\t统一社会信用代码\t被抽样单位名称\t统一社会信用代码\n"
            "1\t某某食品有限公司\t913304007429141869\t某某超市有限公司\t91320214745555318W",
            [("某某食品有限公司", "913304007429141869", True), ("某某超市有限公司", "91320214745555318W", True)],
        ),
    ],
    ids=["sheet-row", "row-no-header", "pdf-line", "prose", "prose-two", "header-name-column", "two-codes"],
)
def test_each_code_gets_the_name_from_its_row_or_sentence(text: str, expected: list[tuple[str, str, bool]]) -> None:
    found = [(m.name, m.code, m.valid) for m in find_mentions(text) if m.kind == "organisation"]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "name", "number", "region"),
    [
        (
            "序号\t被执行人姓名\t身份证号码\t执行法院\n1\t张某某\t3201********1234\t南京市中级人民法院",
            "张某某",
            "3201********1234",
            "江苏省南京市",
        ),
        (
            "失信被执行人王某（身份证号：320102********1234）拒不履行生效判决。",
            "王某",
            "320102********1234",
            "江苏省南京市玄武区",
        ),
        ("被执行人：李某某，公民身份证号码4403031980****123X。", "李某某", "4403031980****123X", "广东省深圳市罗湖区"),
    ],
    ids=["table", "prose", "prose-birth-year"],
)
def test_masked_persons_of_defaulter_lists(text: str, name: str, number: str, region: str) -> None:
    (mention,) = find_mentions(text)
    assert (mention.kind, mention.name, mention.code, mention.valid, mention.region) == (
        "person",
        name,
        number,
        None,
        region,
    )


def test_text_without_codes_has_no_mentions() -> None:
    assert find_mentions("关于印发《社会信用体系建设规划纲要》的通知\n2026年11月18日") == []

"""Table tests for `pipelines.dates`: every form the issue lists, plus traps that must give None."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from pipelines.dates import Role, label_role, parse_date, parse_date_fallback, parse_date_fast

REF = dt.date(2023, 3, 15)
D = dt.date

ABSOLUTE = [
    # YYYY年M月D日, padding, spaces, times, weekdays, 元月, 号
    ("2021年03月09日", D(2021, 3, 9)),
    ("2021年3月9日", D(2021, 3, 9)),
    ("2021 年 3 月 9 日", D(2021, 3, 9)),
    ("2021年3月 9 日", D(2021, 3, 9)),
    ("2021年3月9日 08:05", D(2021, 3, 9)),
    ("2021年3月9日14时05分", D(2021, 3, 9)),
    ("2021年03月09日 星期二", D(2021, 3, 9)),
    ("2021年3月9日（周二）", D(2021, 3, 9)),
    ("2022年元月18日", D(2022, 1, 18)),
    ("2022年1月18号", D(2022, 1, 18)),
    ("2021年03月09", D(2021, 3, 9)),
    ("21年3月9日", D(2021, 3, 9)),
    # Chinese numerals, full-width digits
    ("二〇二一年三月九日", D(2021, 3, 9)),
    ("二零一八年十一月三十日", D(2018, 11, 30)),
    ("二○一六年十二月二十一日", D(2016, 12, 21)),
    ("二〇一七年元月十日", D(2017, 1, 10)),
    ("二〇二〇年二月廿九日", D(2020, 2, 29)),
    ("２０２１年３月９日", D(2021, 3, 9)),
    ("２０２１－０３－０９", D(2021, 3, 9)),
    # ISO, slashes, dots, brackets, two-digit years, compact, English
    ("2021-03-09", D(2021, 3, 9)),
    ("2021-3-9", D(2021, 3, 9)),
    ("2021-03-09T10:15:00+08:00", D(2021, 3, 9)),
    ("2021-03-08T20:00:00Z", D(2021, 3, 9)),  # an instant: its Beijing day
    ("2021-03-09 10:30-11:30", D(2021, 3, 9)),  # a time range, not an offset
    ("2021—03—09", D(2021, 3, 9)),
    ("2021/03/09 10:15:00", D(2021, 3, 9)),
    ("2021.3.9", D(2021, 3, 9)),
    ("(2021-03-09)", D(2021, 3, 9)),
    ("［2021-03-09］", D(2021, 3, 9)),
    ("【2021.03.09】", D(2021, 3, 9)),
    ("（2021/3/9）", D(2021, 3, 9)),
    ("21-03-09 10:15", D(2021, 3, 9)),
    ("98/12/01", D(1998, 12, 1)),
    ("20210309", D(2021, 3, 9)),
    ("t20210309_1234567.html", D(2021, 3, 9)),
    ("Mar 9, 2021", D(2021, 3, 9)),
    ("March 9th, 2021", D(2021, 3, 9)),
    ("9 March 2021", D(2021, 3, 9)),
    ("Sept. 30, 2020", D(2020, 9, 30)),
    ("30/09/2020", D(2020, 9, 30)),
    ("Tue Mar 09 23:30:00 CST 2021", D(2021, 3, 9)),  # Java's Date.toString(): CST is China time
    ("Tue, 09 Mar 2021 23:30:00 +0800", D(2021, 3, 9)),
    ("Mon, 08 Mar 2021 20:30:00 GMT", D(2021, 3, 9)),  # an RSS instant: its Beijing day
    # labels (simplified and traditional) glued to the value, noise after it
    ("发布时间：2021-03-09", D(2021, 3, 9)),
    ("发布日期:2021-03-09 10:15:00", D(2021, 3, 9)),
    ("發布日期：2021年3月9日", D(2021, 3, 9)),
    ("發佈時間:2021-03-09", D(2021, 3, 9)),
    ("成文日期】2021年3月9日", D(2021, 3, 9)),
    ("【成文日期】2021-03-09", D(2021, 3, 9)),
    ("印发日期：二〇二一年三月九日", D(2021, 3, 9)),
    ("时间:2021年03月09日来源:湖南省发展和改革委员会", D(2021, 3, 9)),
    ("发布时间：2021-03-09 浏览次数：1024", D(2021, 3, 9)),
    ("2021-03-09 14:02 來源：人民網", D(2021, 3, 9)),
    ("日期: 2021/3/9  点击数: 17", D(2021, 3, 9)),
    ("[ 2021-03-09 ] 【字体：大 中 小】", D(2021, 3, 9)),
    ("Posted on 2021-03-09 by admin", D(2021, 3, 9)),
    ("公元2021年3月9日（农历正月廿六）", D(2021, 3, 9)),
    ("二〇二一年三月九日（星期二）", D(2021, 3, 9)),
    ("发布时间：2021年03月09日 09:30:00 【打印】【关闭】", D(2021, 3, 9)),
    ("作者：张三 发布时间：2021-03-09 阅读：123次", D(2021, 3, 9)),
    ("来源：市发改委 | 2021-03-09", D(2021, 3, 9)),
    ("2021.3.9.", D(2021, 3, 9)),
    ("2021年3月9日至2021年3月15日", D(2021, 3, 9)),
    ("1949年10月1日", D(1949, 10, 1)),
]

SEVERAL_DATES = [
    ("成文日期：2021年3月2日 发布日期：2021年3月5日", D(2021, 3, 5)),
    ("发布日期：2021-03-05 成文日期：2021-03-02", D(2021, 3, 5)),
    ("印发日期：2021年3月2日 发布日期：2021年3月5日 废止日期：2026-01-01", D(2021, 3, 5)),
    ("实施日期:2021-05-01 发布日期:2021-03-05", D(2021, 3, 5)),
    ("施行日期：2021-05-01 废止日期：2026-05-01 成文日期：2021-03-02", D(2021, 3, 2)),
    ("生效日期：2021-05-01 失效日期：2026-05-01", D(2021, 5, 1)),
    ("2021年3月2日印发 自2021年5月1日起施行", D(2021, 3, 2)),
    ("自2021年5月1日起施行，2021年3月5日发布", D(2021, 3, 5)),
    ("更新时间：2022-01-01 發布時間：2021-03-05", D(2021, 3, 5)),
    ("公开日期：2021-03-09 成文日期：2021-03-02", D(2021, 3, 9)),
    ("2021-03-09发布 2021-05-01实施", D(2021, 3, 9)),
    ("2021年5月1日起实施（2021年3月9日发布）", D(2021, 3, 9)),
    ("索引号：000014349/2021-00123 发布日期：2021-03-09", D(2021, 3, 9)),
    ("国发〔2021〕7号 2021年03月09日", D(2021, 3, 9)),
    ("废止日期：2026-01-01", D(2026, 1, 1)),  # alone, it is still the date on the line
]

RELATIVE = [  # reference 2023-03-15
    ("3天前", D(2023, 3, 12)),
    ("三天前", D(2023, 3, 12)),
    ("昨天 10:12", D(2023, 3, 14)),
    ("前天", D(2023, 3, 13)),
    ("大前天", D(2023, 3, 12)),
    ("今天 09:00", D(2023, 3, 15)),
    ("两周前", D(2023, 3, 1)),
    ("1个月前", D(2023, 2, 15)),
    ("5小时前", D(2023, 3, 15)),
    ("半小时前", D(2023, 3, 15)),
    ("3月15日", D(2023, 3, 15)),  # same day counts as "not after"
    ("3月16日", D(2022, 3, 16)),  # a day later would be in the future: last year
    ("4月20日 18:10", D(2022, 4, 20)),
    ("新华社北京3月2日电", D(2023, 3, 2)),
    ("本报北京3月2日讯", D(2023, 3, 2)),
    ("人民网北京12月30日电（记者 张三）", D(2022, 12, 30)),
    ("十二月二十一日", D(2022, 12, 21)),
    ("2月29日", D(2020, 2, 29)),  # the latest 29 February not after the reference
    ("03-10", D(2023, 3, 10)),  # list-page date
    ("[12-01]", D(2022, 12, 1)),
    ("3 days ago", D(2023, 3, 12)),  # English goes through the dateparser fallback
    ("yesterday", D(2023, 3, 14)),
]

NO_DATE = [
    "",
    "无",
    "请于近日报送",
    "国统字〔2019〕33号",
    "国办发明电〔2023〕7号",
    "发改投资[2003]1346号",
    "海关总署令第282号",
    "国家发展和改革委员会令 第36号",
    "2019",
    "2019年",
    "2019年7月",
    "2019年度工作要点",
    "2019-2020学年",
    "2019-02-30",
    "2019年13月45日",
    "2019年2月29日",
    "二〇一九年二月三十日",
    "20190230",
    "1899年1月1日",
    "05/04/2019",  # day-first or month-first: refuse to guess
    "201774",  # 2017年7月4日 with 年/月/日 lost in text extraction
    "2019320",
    "2019313日",
    "2023101日起施行",
    "国统字〔201933",
    "20xx年3月5日",
    "二〇一*年七月一日",
    "10:30",
    "电话：0571-87051234",
    "邮编 310025",
    "浏览次数：2023",
    "共5日",
    "3.15",
    "中华民国110年3月9日",
    "____年__月__日",
    "XXXX年XX月XX日",
    "2021年×月×日",
    "2021 03 09",
    "202103091030",
    "索引号：000014349/2021-00123",
    "192.168.1.1",
    "农历六月廿三日",
    "2019年农历七月初七",
    "2019年上半年",
    "截至2019年6月底",
    "2019年7月下旬",
    "25/07",
]


@pytest.mark.parametrize(("text", "expected"), ABSOLUTE + SEVERAL_DATES)
def test_absolute_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert parse_date(text, REF) == expected  # a reference changes nothing for absolute dates


@pytest.mark.parametrize(("text", "expected"), ABSOLUTE + SEVERAL_DATES)
def test_fast_path_alone_reads_every_absolute_form(text: str, expected: dt.date) -> None:
    assert parse_date_fast(text) == expected


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_and_yearless_forms_resolve_against_the_reference(text: str, expected: dt.date) -> None:
    assert parse_date(text, REF) == expected


@pytest.mark.parametrize(("text", "_"), RELATIVE)
def test_relative_and_yearless_forms_need_a_reference(text: str, _: dt.date) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", NO_DATE)
def test_things_that_are_not_dates(text: str) -> None:
    assert parse_date(text) is None
    assert parse_date(text, REF) is None


def test_yearless_date_beside_a_full_date() -> None:
    assert parse_date("成文日期：2023年03月01日 发布日期：3月10日", REF) == D(2023, 3, 10)
    assert parse_date("发布日期：2023-03-10 新华社3月9日电", REF) == D(2023, 3, 10)


def test_yearless_date_at_a_year_boundary() -> None:
    assert parse_date("12月31日", dt.date(2024, 1, 1)) == D(2023, 12, 31)
    assert parse_date("1月1日", dt.date(2024, 1, 1)) == D(2024, 1, 1)


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("发布日期", Role.PUBLISHED),
        ("發布時間", Role.PUBLISHED),
        ("颁布时间", Role.PUBLISHED),
        ("发文日期", Role.PUBLISHED),
        ("成文日期", Role.WRITTEN),
        ("印发日期", Role.WRITTEN),
        ("公文生成日期", Role.WRITTEN),
        ("实施日期", Role.EFFECTIVE),
        ("施行日期", Role.EFFECTIVE),
        ("废止日期", Role.EXPIRY),
        ("更新时间", Role.UPDATED),
        ("日期", Role.UNLABELLED),
    ],
)
def test_label_roles(label: str, role: Role) -> None:
    assert label_role(label) == role


class TestDateparserIssues:
    """The three dateparser bugs the issue names: our parser must get them right."""

    def test_866_spaced_chinese_date_is_not_year_one(self) -> None:
        assert parse_date("2019 年 10 月 30 日") == D(2019, 10, 30)

    def test_519_yearless_date_with_time_is_not_a_year(self) -> None:
        assert parse_date("4月20日 18:10", D(2019, 7, 25)) == D(2019, 4, 20)

    def test_204_date_with_chinese_hour_and_minute(self) -> None:
        assert parse_date("2016年06月30日09时30分") == D(2016, 6, 30)


def test_fallback_reads_english_the_fast_path_leaves_alone() -> None:
    assert parse_date_fast("2 weeks ago", REF) is None
    assert parse_date("2 weeks ago", REF) == D(2023, 3, 1)
    assert parse_date("Wednesday the 15th of March 2023") == D(2023, 3, 15)


def test_fallback_without_reference_refuses_relative_text() -> None:
    assert parse_date_fallback("3 days ago") is None
    assert parse_date_fallback("in 3 days") is None


def test_importing_does_not_load_dateparser() -> None:
    code = (
        "import sys, pipelines.dates as d\n"
        "assert d.parse_date('2019年7月25日') is not None\n"
        "print('dateparser' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _overlap_free_reference(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The overlap rule as first written: keep a span unless it overlaps any span kept before it."""
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not any(start < other_end and other_start < end for other_start, other_end in kept):
            kept.append((start, end))
    return sorted(kept)


@pytest.mark.parametrize(
    "text",
    [
        "2019年7月25日 2019-07-25 20190725 7月25日",
        "发布时间：2019-07-23 08:43:00 成文日期：2019年7月15日 （2019/7/26）",
        "2019.7.25/2019-7-25 25/07/2019 19-07-23 3天前 7月25日",
    ],
)
def test_the_kept_date_matches_never_overlap(text: str) -> None:
    from pipelines.dates import _find_dates, normalise_date_text

    normalised = normalise_date_text(text)
    found = [(match.start, match.end) for match in _find_dates(normalised, D(2025, 1, 1))]
    assert found == _overlap_free_reference(found)  # kept matches never overlap
    assert len(found) >= 3


def test_a_date_bomb_is_read_only_in_its_first_characters() -> None:
    from pipelines.dates import MAX_DATE_TEXT, labelled_dates

    bomb = "发布日期：2019年7月25日 " * 40_000  # 40,000 dates, 720 KB
    assert parse_date(bomb) == D(2019, 7, 25)
    assert len(labelled_dates(bomb)) < MAX_DATE_TEXT // 10
    # The cut never leaves half a date behind: 2019年10月3|0日 is not 3 October.
    cut_in_half = "x" * (MAX_DATE_TEXT - 9) + "2019年10月30日"
    assert labelled_dates(cut_in_half) == []
    assert parse_date(cut_in_half) is None

"""Document-level dates: fixture pages with competing dates (成文, 发布, 废止, repost times, URLs, signatures).

The pages are short notices written for these tests; the candidates are what a spider would
extract from them (`crawler.items.DateCandidate`, which must satisfy the pipeline's Protocol).
"""

from __future__ import annotations

import datetime as dt

from crawler.items import DateCandidate
from pipelines.docdates import DocumentDates, body_lines, pick_document_dates, signature_date

CRAWLED = dt.datetime(2023, 9, 1, 3, 0, tzinfo=dt.UTC)

GOVCN_POLICY_PAGE = """
<table class="policy-meta">
  <tr><td>索 引 号：</td><td>000014349/2023-00081</td><td>主题分类：</td><td>综合政务\\其他</td></tr>
  <tr><td>发文机关：</td><td>国务院办公厅</td><td>成文日期：</td><td>2023年08月08日</td></tr>
  <tr><td>标　　题：</td><td>国务院办公厅关于推进社会信用体系建设高质量发展的通知</td></tr>
  <tr><td>发文字号：</td><td>国办发〔2023〕27号</td><td>发布日期：</td><td>2023年08月11日</td></tr>
</table>
<div id="UCAP-CONTENT">
<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>
<p>为加快推进社会信用体系建设，经国务院同意，现就有关事项通知如下。</p>
<p>一、本通知自2023年10月1日起施行，有效期至2028年9月30日。</p>
<p style="text-align:right">国务院办公厅</p>
<p style="text-align:right">2023年8月8日</p>
<p>（此件公开发布）</p>
</div>
"""


def candidates_of_govcn_page() -> list[DateCandidate]:
    return [
        DateCandidate("label", "2023年08月08日", "成文日期"),
        DateCandidate("label", "2023年08月11日", "发布日期"),
        DateCandidate("meta", "2023-08-11 17:05:32", "lastmodifiedtime"),
        DateCandidate("meta", "2023-08-11 16:40:01", "firstpublishedtime"),
        DateCandidate("list", "2023-08-12"),
    ]


def test_govcn_page_publish_label_beats_written_and_list_meta_beats_label() -> None:
    dates = pick_document_dates(
        candidates_of_govcn_page(),
        url="https://www.gov.cn/zhengce/content/202308/content_6897001.htm",
        body=GOVCN_POLICY_PAGE,
        crawl_time=CRAWLED,
    )
    assert dates.published == dt.date(2023, 8, 11)
    assert dates.published_reason == "meta:firstpublishedtime"  # above lastmodifiedtime listed before it
    assert dates.published_raw == "2023-08-11 16:40:01"
    assert dates.written == dt.date(2023, 8, 8)
    assert (dates.written_reason, dates.written_raw) == ("label:成文日期", "2023年08月08日")
    assert dates.notes == ()


def test_without_meta_the_publish_label_wins_over_list_and_written() -> None:
    candidates = [c for c in candidates_of_govcn_page() if c.kind != "meta"]
    dates = pick_document_dates(candidates, url="https://www.gov.cn/x.htm", body="", crawl_time=CRAWLED)
    assert (dates.published, dates.published_reason) == (dt.date(2023, 8, 11), "label:发布日期")
    assert dates.written == dt.date(2023, 8, 8)


REGULATION_PAGE = """
<div class="xxgk">
 <span>成文日期：</span><span>2016-05-04</span>
 <span>实施日期：</span><span>2016-06-01</span>
 <span>废止日期：</span><span>2021-12-31</span>
 <span>有效性：</span><span>已废止</span>
</div>
<div class="TRS_Editor"><p>第一条 为了规范失信联合惩戒对象名单管理，制定本办法。</p>
<p>第三十条 本办法自2016年6月1日起施行。</p></div>
"""


def test_expiry_and_effective_dates_are_never_the_publish_date() -> None:
    candidates = [
        DateCandidate("label", "2021-12-31", "废止日期"),
        DateCandidate("label", "2016-06-01", "实施日期"),
        DateCandidate("label", "2016-05-04", "成文日期"),
    ]
    dates = pick_document_dates(
        candidates,
        url="https://www.ndrc.gov.cn/xxgk/zcfb/tz/201605/t20160510_963210.html",
        body=REGULATION_PAGE,
        crawl_time=CRAWLED,
    )
    assert (dates.published, dates.published_reason) == (dt.date(2016, 5, 10), "url:tYYYYMMDD")
    assert (dates.written, dates.written_reason) == (dt.date(2016, 5, 4), "label:成文日期")


def test_expiry_date_alone_gives_no_date() -> None:
    dates = pick_document_dates(
        [DateCandidate("label", "2021-12-31", "废止日期"), DateCandidate("label", "2016-06-01", "施行日期")],
        url="https://example.gov.cn/a/123.html",
        body="<p>本办法自2016年6月1日起施行。</p>",
        crawl_time=CRAWLED,
    )
    assert dates.published is None
    assert dates.written is None
    assert dates.published_reason == ""


REPOST_PAGE = """
<div class="info">2019-07-26 09:12 来源：新华网 作者：王五</div>
<div class="article">
<p>新华社北京7月22日电 国家发展改革委22日召开新闻发布会，介绍信用信息共享平台建设进展。</p>
<p>据介绍，……</p>
<p>（责任编辑：李四）</p>
</div>
"""


REPOST_URL = "https://credit.example.gov.cn/xydt/201907/b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6.shtml"
REPOST_BODY_WITHOUT_DATELINE = REPOST_PAGE.replace("新华社北京7月22日电 ", "")


def test_dateline_beats_the_repost_times_of_byline_list_and_url() -> None:
    candidates = [
        DateCandidate("byline", "2019-07-26 09:12 来源：新华网 作者：王五"),
        DateCandidate("list", "07-26"),  # yearless on the list page: the repost day
    ]
    dates = pick_document_dates(candidates, url=REPOST_URL, body=REPOST_PAGE, crawl_time=CRAWLED)
    assert (dates.published, dates.published_reason) == (dt.date(2019, 7, 22), "dateline")
    assert dates.published_raw == "新华社北京7月22日电"
    assert dates.written is None  # a dateline is not a signature


def test_list_date_beats_a_repost_time_in_the_byline() -> None:
    candidates = [
        DateCandidate("byline", "2019-07-26 09:12 来源：新华网 作者：王五"),
        DateCandidate("list", "07-22"),
    ]
    dates = pick_document_dates(candidates, url=REPOST_URL, body=REPOST_BODY_WITHOUT_DATELINE, crawl_time=CRAWLED)
    # "07-22" resolves against the /201907/ path month, not against the 2023 crawl day.
    assert (dates.published, dates.published_reason, dates.published_raw) == (dt.date(2019, 7, 22), "list", "07-22")


def test_repost_byline_is_used_when_nothing_better_exists() -> None:
    dates = pick_document_dates(
        [DateCandidate("byline", "2019-07-26 09:12 来源：新华网 作者：王五")],
        url="https://news.example.com/a/5521.html",
        body=REPOST_BODY_WITHOUT_DATELINE,
        crawl_time=CRAWLED,
    )
    assert (dates.published, dates.published_reason) == (dt.date(2019, 7, 26), "byline")


def test_dateline_across_new_year_and_dateline_far_before_the_page_date() -> None:
    body = "<p>新華社北京12月30日電 國務院辦公廳日前印發通知。</p>"
    dates = pick_document_dates(
        [DateCandidate("meta", "2020-01-03 10:00", "PubDate")], url="https://x.cn/a.html", body=body, crawl_time=CRAWLED
    )
    assert (dates.published, dates.published_reason) == (dt.date(2019, 12, 30), "dateline")
    late = pick_document_dates(
        [DateCandidate("meta", "2020-03-03 10:00", "PubDate")], url="https://x.cn/a.html", body=body, crawl_time=CRAWLED
    )
    assert (late.published, late.published_reason) == (dt.date(2020, 3, 3), "meta:PubDate")
    assert any("dateline" in note for note in late.notes)


def test_byline_with_two_labelled_dates_gives_both() -> None:
    dates = pick_document_dates(
        [DateCandidate("byline", "成文日期: 2023年08月08日 發布日期: 2023年08月11日 浏览次数: 87")],
        url="https://fgw.example.gov.cn/zwgk/5521.html",
        body="",
        crawl_time=CRAWLED,
    )
    assert (dates.published, dates.published_reason) == (dt.date(2023, 8, 11), "byline")
    assert (dates.written, dates.written_reason) == (dt.date(2023, 8, 8), "byline")


def test_future_and_pre_1949_dates_are_rejected_and_noted() -> None:
    candidates = [
        DateCandidate("meta", "2031-01-01 00:00", "PubDate"),  # a CMS default in the future
        DateCandidate("label", "1900-01-01", "发布日期"),  # a placeholder
        DateCandidate("api", "1970-01-01 08:00:00"),  # an empty epoch field
        DateCandidate("list", "2023-02-14"),
    ]
    dates = pick_document_dates(candidates, url="https://x.gov.cn/1.html", body="", crawl_time=CRAWLED)
    assert (dates.published, dates.published_reason) == (dt.date(2023, 2, 14), "list")
    assert len(dates.notes) == 3
    assert "meta:PubDate" in dates.notes[0] and "after the crawl day" in dates.notes[0]
    assert "label:发布日期" in dates.notes[1] and "before 1949" in dates.notes[1]
    assert "api" in dates.notes[2] and "epoch" in dates.notes[2]


def test_crawl_day_is_the_beijing_day() -> None:
    just_after_midnight_in_beijing = dt.datetime(2019, 7, 24, 16, 30, tzinfo=dt.UTC)
    dates = pick_document_dates(
        [DateCandidate("meta", "2019-07-25 00:10", "PubDate")],
        url="https://x.gov.cn/1.html",
        body="",
        crawl_time=just_after_midnight_in_beijing,
    )
    assert dates.published == dt.date(2019, 7, 25)


def test_api_epoch_seconds_are_read_in_beijing_time() -> None:
    dates = pick_document_dates(
        [DateCandidate("api", "1563984000")],  # 2019-07-24T16:00:00Z
        url="http://www.gd.gov.cn/gkmlpt/content/2/2541/post_2541111.html",
        body="",
        crawl_time=CRAWLED,
    )
    assert (dates.published, dates.published_reason) == (dt.date(2019, 7, 25), "api")


SIGNATURE_PAGE = """
<div class="article-content">
<p>各县（市、区）发展改革局：</p>
<p>现将《2021年社会信用体系建设工作要点》印发给你们，请认真贯彻落实。</p>
<p>附件：2021年社会信用体系建设工作要点</p>
<p style="text-align: right;">市发展和改革委员会</p>
<p style="text-align: right;">二〇二一年三月二日</p>
</div>
"""


def test_signature_date_is_the_written_date_and_path_date_the_published() -> None:
    dates = pick_document_dates(
        [],
        url="https://fgw.example.gov.cn/art/2021/3/9/art_1229_4567.html",
        body=SIGNATURE_PAGE,
        crawl_time=CRAWLED,
    )
    assert (dates.published, dates.published_reason) == (dt.date(2021, 3, 9), "url:path")
    assert (dates.written, dates.written_reason) == (dt.date(2021, 3, 2), "signature")
    assert dates.written_raw == "二〇二一年三月二日"


def test_written_date_stands_in_for_a_missing_published_date() -> None:
    dates = pick_document_dates([], url="https://x.gov.cn/a/9.html", body=SIGNATURE_PAGE, crawl_time=CRAWLED)
    assert dates.published == dates.written == dt.date(2021, 3, 2)
    assert dates.published_reason == "signature"
    assert any("using the written date" in note for note in dates.notes)


def test_garbled_signature_gives_no_written_date() -> None:
    body = "<p>本办法自2019年4月1日起施行。</p><p>国家统计局</p><p>2019320</p>"
    assert signature_date(body, None) is None
    dates = pick_document_dates([], url="https://x.gov.cn/b.html", body=body, crawl_time=CRAWLED)
    assert dates == DocumentDates(None, None)


def test_yearless_signature_resolves_against_the_published_date() -> None:
    body = "<p>特此通知。</p><p>省信用办</p><p>12月21日</p>"
    dates = pick_document_dates(
        [DateCandidate("label", "2020-01-06", "发布日期")], url="https://x.gov.cn/c.html", body=body, crawl_time=CRAWLED
    )
    assert dates.written == dt.date(2019, 12, 21)


def test_body_lines_break_on_block_tags_and_unescape() -> None:
    assert body_lines("<p>甲&nbsp;乙</p><div>丙<br/>丁</div>") == ["甲\xa0乙", "丙", "丁"]


def test_signature_skips_the_publication_note_and_the_effective_clause() -> None:
    assert signature_date(GOVCN_POLICY_PAGE, None) == (dt.date(2023, 8, 8), "2023年8月8日")


def test_signature_above_the_printing_line_is_the_written_date() -> None:
    body = (
        "<p>特此通知。</p><p>国务院办公厅</p><p>2019年7月25日</p><p>（此件公开发布）</p>"
        "<p>抄送：党中央各部门，中央军委办公厅，全国人大常委会办公厅，全国政协办公厅，最高人民法院，最高人民检察院。</p>"
        "<p>国务院办公厅秘书局　　2019年7月26日印发</p>"
    )
    assert signature_date(body, None) == (dt.date(2019, 7, 25), "2019年7月25日")
    only_printing_line = body.replace("<p>2019年7月25日</p>", "")
    assert signature_date(only_printing_line, None) == (dt.date(2019, 7, 26), "国务院办公厅秘书局　　2019年7月26日印发")


def test_a_compact_number_near_the_end_is_not_a_signature() -> None:
    assert signature_date("<p>联系人：张三</p><p>电话：20130528</p>", None) is None


def test_meta_update_times_rank_below_publish_labels_and_lists() -> None:
    candidates = [
        DateCandidate("meta", "2023-08-20 09:00", "lastpublishedtime"),
        DateCandidate("meta", "2023-08-19 09:00", "article:modified_time"),
        DateCandidate("list", "2023-08-11"),
    ]
    dates = pick_document_dates(candidates, url="https://x.gov.cn/d.html", body="", crawl_time=CRAWLED)
    assert (dates.published, dates.published_reason) == (dt.date(2023, 8, 11), "list")


def test_dateline_prefilter_knows_every_character_that_normalises_to_ri_dian_or_xun() -> None:
    """The dateline scan skips lines without 日电/日讯/日電 or another form of 日: no other character may
    normalise to 电 or 讯, nor to something with 日 in it."""
    import sys
    import unicodedata

    from pipelines.dates import _TRADITIONAL
    from pipelines.docdates import _DATELINE_PAIRS, _DAY_FORMS

    dian_xun, day = set(), set()
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        normalised = unicodedata.normalize("NFKC", chr(code)).translate(_TRADITIONAL)
        if "电" in normalised or "讯" in normalised:
            dian_xun.add(chr(code))
        if "日" in normalised:
            day.add(chr(code))
    assert dian_xun == {pair[1] for pair in _DATELINE_PAIRS}
    assert day == {"日", *_DAY_FORMS}
    assert all(_TRADITIONAL.values())  # nothing is deleted, so no characters are joined

"""Generic detail extraction: table tests over small HTML snippets shaped like the real sites."""

from __future__ import annotations

import pytest

from crawler.extract import (
    _SPACES,
    FALLBACK_FLAG,
    attachment_type,
    clean_text,
    clean_title,
    container_text,
    extract_attachments,
    extract_detail,
    extract_labelled_fields,
    extract_meta,
    find_body_container,
    find_doc_number,
    parse_html,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000\u3000一、总体要求", "一、总体要求"),
        ("a\u00a0\u00a0b", "a b"),
        ("第一条\u200b 内容\r\n\t续", "第一条 内容 续"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("关于做好信用修复工作的通知_国家发展和改革委员会", "关于做好信用修复工作的通知"),
        ("关于做好信用修复工作的通知 - 江苏省人民政府", "关于做好信用修复工作的通知"),
        ("标题 | 中国政府网", "标题"),
        ("没有站名的标题", "没有站名的标题"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_meta_tags_are_kept_by_canonical_name() -> None:
    root = parse_html(
        '<meta name="pubdate" content="2025-07-18 10:30"><meta name="SiteIDCode" content="bm04000001">'
        '<meta name="viewport" content="width=device-width"><meta name="ArticleTitle" content=" 标题 ">'
    )
    assert extract_meta(root) == {"PubDate": "2025-07-18 10:30", "SiteIDCode": "bm04000001", "ArticleTitle": "标题"}


GOVCN_HEADER = """
<div class="policyLibraryOverview_header"><table>
<tr><td><b>标　　题：</b></td><td colspan="3"><span>国务院办公厅关于某事的通知</span></td></tr>
<tr><td><b>发文机关：</b></td><td><span>国务院办公厅</span></td><td><b>发文字号：</b></td><td>国办发〔2025〕24号</td></tr>
<tr><td><b>成文日期：</b></td><td>2025年07月08日</td><td><b>发布日期：</b></td><td>2025年07月15日</td></tr>
</table></div>"""
JIANGSU_TABLE = """
<table class="xxgk_table"><tr><td>索&nbsp;引&nbsp;号：</td><td>014000319/2025-00213</td>
<td>所属主题：</td><td>社会信用</td></tr>
<tr><td>发布机构：</td><td>江苏省人民政府办公厅</td><td>发文日期：</td><td>2025-07-14</td></tr>
<tr><td>文　　号：</td><td>苏政办发〔2025〕41号</td><td>主题分类：</td><td></td></tr></table>"""
LABEL_SPANS = """
<div class="introduce"><ul><li><label>索引号：</label><span>006939748/2025-01234</span></li>
<li><label>发布机构：</label><span>广东省人民政府办公厅</span></li>
<li><em>成文日期：</em>2025-06-30</li></ul></div>"""
BYLINE = (
    '<div class="sp_time"><font>来源：省发展改革委</font>　<font>发布日期：2025-07-04 11:08</font>　浏览次数：3</div>'
)
DT_DD = "<dl><dt>公文种类</dt><dd>通知</dd></dl>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            GOVCN_HEADER,
            {
                "标题": "国务院办公厅关于某事的通知",
                "发文机关": "国务院办公厅",
                "发文字号": "国办发〔2025〕24号",
                "成文日期": "2025年07月08日",
                "发布日期": "2025年07月15日",
            },
        ),
        (
            JIANGSU_TABLE,
            {
                "索引号": "014000319/2025-00213",
                "所属主题": "社会信用",
                "发布机构": "江苏省人民政府办公厅",
                "发文日期": "2025-07-14",
                "文号": "苏政办发〔2025〕41号",
            },
        ),
        (LABEL_SPANS, {"索引号": "006939748/2025-01234", "发布机构": "广东省人民政府办公厅", "成文日期": "2025-06-30"}),
        (BYLINE, {"来源": "省发展改革委", "发布日期": "2025-07-04 11:08"}),
        (DT_DD, {"公文种类": "通知"}),
        ("<p>新闻来源：某报</p>", {}),  # 新闻来源 is not the label 来源
    ],
    ids=["govcn-header", "xxgk-table", "label-span", "byline", "dt-dd", "label-inside-word"],
)
def test_labelled_fields(html: str, expected: dict[str, str]) -> None:
    assert extract_labelled_fields(parse_html(html)) == expected


def test_labelled_fields_skip_the_body_container() -> None:
    root = parse_html('<div class="sp_time">来源：省政府办公厅</div><div id="zoom"><p>来源：群众来信</p></div>')
    found = find_body_container(root)
    assert found is not None and found[0] == "#zoom"
    assert extract_labelled_fields(root, exclude=found[1]) == {"来源": "省政府办公厅"}


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<div id="UCAP-CONTENT"><p>一</p></div><div class="TRS_Editor"><p>二</p></div>', "一"),
        ('<div class="article_con"><div class="TRS_Editor"><p>正文</p></div><p>附件</p></div>', "正文"),
        ('<div class="TRS_Editor"><p>&nbsp;</p></div><div id="zoom"><p>后备</p></div>', "后备"),
        ('<div class="pages_content"><p>正文</p><div class="editor">责任编辑：王洋</div></div>', "正文"),
        ("<div class='unknown'><p>正文</p></div>", None),
    ],
)
def test_body_container_choice(html: str, expected: str | None) -> None:
    found = find_body_container(parse_html(html))
    assert (container_text(found[1]) if found is not None else None) == expected


def test_body_text_keeps_paragraphs_and_drops_layout_whitespace() -> None:
    html = (
        '<div id="zoom"><p style="text-align:center">苏政办发〔2025〕41号</p>'
        "<p>\u3000\u3000一、总体要求。<span>坚持</span>依法\u00a0依规。</p>"
        "<p>二、工作措施<br>（一）加强领导</p><table><tr><td>序号</td><td>事项</td></tr></table>"
        "<p> </p><div><p>江苏省人民政府办公厅</p></div></div>"
    )
    assert container_text(find_body_container(parse_html(html))[1]) == (  # type: ignore[index]
        "苏政办发〔2025〕41号\n\n一、总体要求。坚持依法 依规。\n\n二、工作措施\n\n（一）加强领导\n\n"
        "序号 事项\n\n江苏省人民政府办公厅"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.gov.cn/a/P020250718380261745632.pdf", "pdf"),
        ("https://x.gov.cn/a/b.DOCX", "docx"),
        ("https://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2507031640123.pdf", "pdf"),
        ("https://x.gov.cn/cms_files/abc?fileName=%E9%99%84%E4%BB%B6.wps", "wps"),
        ("https://x.gov.cn/a/t20250718_1399285.html", ""),
        ("https://x.gov.cn/a/b.ofd", "ofd"),
    ],
)
def test_attachment_type(url: str, expected: str) -> None:
    assert attachment_type(url) == expected


def test_attachments_are_absolute_named_and_unique() -> None:
    root = parse_html(
        '<a href="./P0202507.pdf">附件1：办法.pdf</a><a href="./P0202507.pdf">下载</a>'
        '<a href="/module/download/downfile.jsp?classid=0&amp;filename=25.xlsx"></a>'
        '<a href="./t20250718_1.html">相关</a><a href="javascript:void(0)">打印</a>'
    )
    attachments = extract_attachments(root, "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/t20250718_1399285.html")
    assert [(a.url, a.name, a.type) for a in attachments] == [
        ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/P0202507.pdf", "附件1：办法.pdf", "pdf"),
        (
            "https://www.ndrc.gov.cn/module/download/downfile.jsp?classid=0&filename=25.xlsx",
            "25.xlsx",
            "xlsx",
        ),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("发改办财金〔2025〕512号\n\n各省、自治区：", "发改办财金〔2025〕512号"),
        ("标题\n\n洪府发[2016]41号\n\n正文", "洪府发[2016]41号"),
        ("国家发展和改革委员会令 第36号\n\n正文", "国家发展和改革委员会令 第36号"),
        ("根据国办发〔2025〕24号文件精神，制定本办法。", ""),  # mentioned in a sentence, not standing alone
        ("", ""),
    ],
)
def test_find_doc_number(body: str, expected: str) -> None:
    assert find_doc_number(body) == expected


def test_extract_detail_title_order_and_scripts_dropped() -> None:
    html = (
        "<html><head><title>站内标题_某某网</title><script>var x = '正文';</script></head><body>"
        '<h1>H1 标题</h1><div class="pages-date">2025-07-15 16:30 <span>来源：中国政府网</span></div>'
        '<div id="UCAP-CONTENT"><p>第一段</p><style>p{}</style><p>第二段</p></div></body></html>'
    )
    page = extract_detail(html, "https://www.gov.cn/zhengce/content/202507/content_7033812.htm")
    assert page.title == "H1 标题"
    assert page.body == "第一段\n\n第二段"
    assert page.byline_dates == ["2025-07-15 16:30"]
    with_meta = extract_detail('<meta name="ArticleTitle" content="元标题">' + html, "https://www.gov.cn/")
    assert with_meta.title == "元标题"
    bare = extract_detail("<title>只有标题 - 站名</title><p>x</p>", "https://www.gov.cn/")
    assert bare.title == "只有标题"


def test_content_after_closing_html_is_recovered() -> None:
    """Old gov.cn pages put the body after </html>; the parser keeps it (libxml2 alone would drop it)."""
    html = '<html><body><table class="bd1"><tr><td>发文字号：</td><td>国办发〔2019〕1号</td></tr></table></body></html>'
    html += '<table><tr><td id="UCAP-CONTENT"><p>正文在外面</p></td></tr></table>'
    page = extract_detail(html, "https://www.gov.cn/")
    assert page.body == "正文在外面"
    assert page.doc_number == "国办发〔2019〕1号"


def test_detail_page_shortcuts() -> None:
    page = extract_detail(GOVCN_HEADER + '<div id="UCAP-CONTENT"><p>正文</p></div>', "https://www.gov.cn/")
    assert page.publisher == "国务院办公厅"
    assert page.doc_number == "国办发〔2025〕24号"
    assert page.labelled_dates == [("成文日期", "2025年07月08日"), ("发布日期", "2025年07月15日")]


EVERY_SPACE = "".join(chr(code) for code in range(0x110000) if _SPACES.match(chr(code)))


@pytest.mark.parametrize(
    "raw",
    [
        EVERY_SPACE,
        f"{EVERY_SPACE}a{EVERY_SPACE}b{EVERY_SPACE}",
        "a".join(EVERY_SPACE),
        "\u200b\u200b标题\ufeff",
        "  a  b\u3000\u3000c\n",
        "不变的文本",
        "\u200c\u2060\u00ad",  # not spaces: kept
    ],
)
def test_clean_text_is_the_spaces_regex(raw: str) -> None:
    assert clean_text(raw) == _SPACES.sub(" ", raw).strip()


# -- rules read off real pages (shapes from ../shared/pages, written here as small synthetic snippets) -------------


def test_a_metadata_table_inside_the_body_container_is_read_and_cut() -> None:
    html = (
        '<html><head><title>关于某事的通告</title></head><body><div id="zoom"><table>'
        "<tr><td>索 引 号：</td><td>1122/2022-00426</td><td>发文机关：</td><td>吉林省人民政府</td></tr>"
        "<tr><td>发文字号：</td><td>吉政明电〔2022〕1号</td><td>发布日期：</td><td>2022年01月28日</td></tr>"
        "</table><div><p>关于某事的通告</p><p>吉政明电〔2022〕1号</p><p>为做好工作，现通告如下。</p>"
        "<p>特此通告。</p></div><div>扫一扫在手机打开当前页</div><div>pdf下载 word下载</div></div></body></html>"
    )
    page = extract_detail(html, "https://xxgk.jl.gov.cn/")
    assert (page.publisher, page.doc_number) == ("吉林省人民政府", "吉政明电〔2022〕1号")
    assert page.body == "为做好工作，现通告如下。\n\n特此通告。"
    assert page.rules["publisher"] == "label 发文机关" and "metadata table cut" in page.rules["body"]


@pytest.mark.parametrize(
    ("head", "byline", "expected", "rule"),
    [
        ("", "<div>发文机关：某局</div><div>来源：某报</div>", "某局", "label 发文机关"),
        ('<meta name="ContentSource" content="某报">', "<p>信息来源：某厅</p>", "某厅", "label 信息来源"),
        ('<meta name="ContentSource" content="某报">', "<p>来源：【打印】</p>", "某报", "meta ContentSource"),
        ('<meta name="SiteName" content="某市人民政府">', "<p>打印 关闭</p>", "", ""),
    ],
)
def test_publisher_falls_back_from_issuer_to_source(head: str, byline: str, expected: str, rule: str) -> None:
    page = extract_detail(f"<html><head>{head}</head><body>{byline}<div id='zoom'><p>正文</p></div></body></html>", "")
    assert (page.publisher, page.rules.get("publisher", "")) == (expected, rule)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("【文 号】 黔府发〔2024〕3号 【发布日期】2024-06-27\n\n正文", "黔府发〔2024〕3号"),
        ("行政处罚决定书文号 金罚决字〔2024〕36号\n\n被处罚当事人 某公司", "金罚决字〔2024〕36号"),
        ("根据国办发〔2025〕24号文件精神，制定本办法。", ""),
    ],
)
def test_doc_number_labelled_in_the_text(text: str, expected: str) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n\n"))
    assert extract_detail(f"<div id='zoom'>{paragraphs}</div>", "").doc_number == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta name="ArticleTitle" content="&lt;p&gt;关于某事的&lt;br&gt;通知&lt;/p&gt;">', "", "关于某事的通知"),
        ("<title>凯里市人民政府- 某方案</title>", "<div>凯里市人民政府</div><div>某方案全文标题</div>", "某方案"),
        ("<title>凯里市人民政府- 某某实施方案</title>", "<div>某某实施方案</div>", "某某实施方案"),
        ("<title>1-10月投资结构趋稳_某委</title>", "", "1-10月投资结构趋稳"),
        ('<meta name="SiteName" content="某某网"><title>真标题_某某网</title>', "<h1>某某网</h1>", "真标题"),
    ],
)
def test_title_rules(head: str, body: str, expected: str) -> None:
    page = extract_detail(f"<html><head>{head}</head><body>{body}<div id='zoom'><p>正文</p></div></body></html>", "")
    assert page.title == expected


def test_dates_under_other_labels_and_before_the_source() -> None:
    html = (
        "<div class='a'>公告时间：2024-05-06</div><div class='b'>2024-05-07 来源：某局</div>"
        "<ul><li>来源：新华社</li><li>作者：</li><li>2023-12-01 14:43</li></ul><div id='zoom'><p>正文</p></div>"
    )
    page = extract_detail(html, "")
    assert ("公告时间", "2024-05-06") in page.labelled_dates
    assert page.byline_dates == ["2024-05-07", "2023-12-01 14:43"]


def test_chrome_before_and_after_the_text_is_cut() -> None:
    html = (
        "<div id='zoom'><p>X</p><p>分享到：</p><p>【字体：大 中 小】</p><p>第一段正文，内容足够长。</p>"
        "<p>第二段正文。</p><p>（责任编辑：王洋）</p><p>相关公告</p><p>另一则公告</p></div>"
    )
    assert extract_detail(html, "").body == "第一段正文，内容足够长。\n\n第二段正文。"


def test_a_table_layout_without_a_known_container_gives_the_article() -> None:
    nav = "".join(f"<a href='/c{n}.html'>栏目{n}</a> " for n in range(30))
    html = (
        f"<html><head><meta charset='gb2312'><title>某县公告</title></head><body><table><tr><td>{nav}</td></tr>"
        "<tr><td><table><tr><td>某县公告</td></tr><tr><td>第一段正文，说明有关事项。<br>第二段正文，"
        "请相关单位按时办理。<br>某县人民政府</td></tr></table></td></tr><tr><td>版权所有 某县</td></tr></table>"
    )
    page = extract_detail(html, "")
    assert page.body == "第一段正文，说明有关事项。\n\n第二段正文，请相关单位按时办理。\n\n某县人民政府"
    assert FALLBACK_FLAG in page.flags and page.rules["body"].startswith("densest text block <td>")


def test_malformed_markup_is_recovered() -> None:
    html = "<div id='zoom'><p>第一段<p>第二段</div></div><li>不相干</body></html><p>页脚</p>"
    page = extract_detail(html, "")
    assert page.body == "第一段\n\n第二段"


@pytest.mark.parametrize(
    ("first_line", "dropped"),
    [
        ("发布时间：2026-11-04 来源：某市人民政府办公室 浏览次数：128", True),
        ("【信息时间：2026-10-21 10:15:32】【来源：市发展改革委】【字体：大 中 小】", True),
        ("2023-12-01 14:43 来源：新华社", True),
        ("来源：新华社记者报道，今年全省信用体系建设取得明显成效。", False),  # a sentence, not a byline
    ],
)
def test_a_byline_atop_the_text_is_read_not_kept(first_line: str, dropped: bool) -> None:
    page = extract_detail(f"<div id='zoom'><p>{first_line}</p><p>正文第一段。</p></div>", "")
    assert page.body.startswith("正文第一段") == dropped


def test_a_heading_broken_over_lines_gives_one_title() -> None:
    page = extract_detail("<h1>关于做好信用修复工作的<br>通知</h1><div id='zoom'><p>正文</p></div>", "")
    assert page.title == "关于做好信用修复工作的通知"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h1>国家发展改革委 国家能源局关于开展试点的通知</h1>", "国家发展改革委 国家能源局关于开展试点的通知"),
        ("<h1>关于做好信用修复工作的\n    通知</h1>", "关于做好信用修复工作的通知"),
        ('<meta name="ArticleTitle" content="关于做好信用\n修复工作的通知">', "关于做好信用修复工作的通知"),
    ],
)
def test_a_written_space_in_a_title_is_kept_a_line_break_is_not(html: str, expected: str) -> None:
    assert extract_detail(html + "<div id='zoom'><p>正文</p></div>", "").title == expected

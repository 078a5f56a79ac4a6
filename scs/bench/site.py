"""The benchmark's generated site: a TRS-static government site of N notices, in the mirror's fixture format.

`generate_site(root, notices)` writes `root/fixtures/<HOST>/responses.json` with its body
files (lists of 20 items, `tYYYYMMDD_n.html` details with `meta PubDate` and a body of
2–20 KB of text), and `write_source(root/sources, ...)` a source file for it, loaded through
$SCS_EXTRA_SOURCES so the real `scs crawl` can crawl it.

Detail pages have the weight and shape of real ones (30–120 KB, log-uniform; the real pages
in shared/pages weigh 38–413 KB): inline styles and scripts in the head and at the end of the
body, a navigation of 60–140 links, a metadata table (索引号 / 发文机关 / 发文字号 …) above or
inside the body container, Word-exported paragraphs (`<span style="mso-…">`), some `<p>`
left unclosed and a stray `</div>`, trailing chrome (扫一扫在手机打开当前页, 打印, 相关链接)
and a footer of links. All of it synthetic, modelled on those pages' structure.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scs.bench.phrases import DEPARTMENTS, PROVINCES, notice_paragraphs, notice_title

HOST = "www.bench.scs-tracker.invalid"  # .invalid never resolves: without the mirror nothing leaves the machine
COLUMN_PATH = "/xxgk/zcfb/tz/"
COLUMN_URL = f"https://{HOST}{COLUMN_PATH}index.html"
ITEMS_PER_LIST = 20
BODY_CHARACTERS = (700, 6300)  # 2–20 KB of UTF-8; log-uniform, mean ~2,600 characters
PAGE_BYTES = (30_000, 120_000)  # whole detail page, log-uniform
CREDIT_SHARE = 1 / 3  # notices about the Social Credit System
LATEST = dt.date(2025, 12, 30)
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}

_NAVIGATION = "".join(
    f'<li><a href="/xxgk/{name}/index.html">{label}</a></li>'
    for name, label in [
        ("zcfb", "政策发布"),
        ("jd", "政策解读"),
        ("fgjd", "法规解读"),
        ("tzgg", "通知公告"),
        ("rsxx", "人事信息"),
        ("tjsj", "统计数据"),
        ("zwfw", "政务服务"),
        ("hdjl", "互动交流"),
    ]
)
_PAGE_TOP = (
    '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
    '<meta name="SiteName" content="基准测试委员会"><meta name="SiteDomain" content="{host}">\n'
    '<meta name="SiteIDCode" content="bm99000001"><meta name="ColumnName" content="通知">\n{meta}'
    "<title>{title}_基准测试委员会</title>\n"
    '<link rel="stylesheet" href="/images/common.css"><script src="/images/jquery.min.js"></script>\n'
    '</head><body><div class="header"><div class="logo"><img src="/images/logo.png" alt="基准测试委员会"></div>'
    '<ul class="nav">{navigation}</ul></div>\n'
)
_PAGE_BOTTOM = (
    '<div class="footer"><p>主办单位：基准测试委员会 地址：北京市西城区月坛南街38号 邮编：100824</p>'
    "<p>网站标识码bm99000001 京ICP备05052393号</p></div></body></html>\n"
)


@dataclass(frozen=True)
class GeneratedNotice:
    index: int
    published: dt.date
    title: str
    path: str
    html: str
    paragraphs: list[str]

    @property
    def url(self) -> str:
        return f"https://{HOST}{self.path}"

    @property
    def text(self) -> str:
        """The body as the extractor gives it: one paragraph a line, blank lines between."""
        return "\n\n".join(self.paragraphs)


def notice_date(index: int) -> dt.date:
    """Newest first, three notices a day (lists are sorted by date like the real ones)."""
    return LATEST - dt.timedelta(days=index // 3)


def list_page_path(page: int) -> str:
    return f"{COLUMN_PATH}index.html" if page == 1 else f"{COLUMN_PATH}index_{page - 1}.html"


def generate_notice(index: int, seed: int = 20251130) -> GeneratedNotice:
    """Notice `index` of the site; the same index always gives the same page."""
    rng = random.Random(seed * 1_000_003 + index)
    published = notice_date(index)
    about_credit = rng.random() < CREDIT_SHARE
    title = notice_title(rng, published.year, about_credit)
    low, high = BODY_CHARACTERS
    characters = int(math.exp(rng.uniform(math.log(low), math.log(high))))
    paragraphs = notice_paragraphs(rng, published.year, about_credit, characters)
    if rng.random() < 0.5:
        paragraphs.insert(0, f"发改办〔{published.year}〕{100 + index % 900}号")
    publisher = rng.choice(PROVINCES) + rng.choice(DEPARTMENTS)
    written = published - dt.timedelta(days=rng.randint(0, 10))
    paragraphs += [publisher, f"{written.year}年{written.month}月{written.day}日"]
    path = f"{COLUMN_PATH}{published:%Y%m}/t{published:%Y%m%d}_{1_000_000 + index}.html"
    meta = (
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n'
        f'<meta name="PubDate" content="{published:%Y-%m-%d} {9 + index % 8:02d}:{index % 60:02d}">\n'
        f'<meta name="ContentSource" content="基准测试委员会">\n'
    )
    low, high = PAGE_BYTES
    target = int(math.exp(rng.uniform(math.log(low), math.log(high))))
    page = _detail_page(rng, index, title, published, written, meta, paragraphs, target)
    return GeneratedNotice(index, published, title, path, page, paragraphs)


def _detail_page(
    rng: random.Random,
    index: int,
    title: str,
    published: dt.date,
    written: dt.date,
    meta: str,
    paragraphs: list[str],
    target_bytes: int,
) -> str:
    """A detail page of about `target_bytes`, shaped like the real pages (see the module docstring)."""
    doc_number = paragraphs[0] if paragraphs[0].startswith("发改办〔") else ""
    metadata = (
        '<table class="xxgk_table" cellpadding="0" cellspacing="0">'
        f"<tr><td>索 引 号：</td><td>bm99000001/{published.year}-{index:05d}</td><td>分　　类：</td><td>通知</td></tr>"
        "<tr><td>发文机关：</td><td>基准测试委员会</td>"
        f"<td>成文日期：</td><td>{written.year}年{written.month:02d}月{written.day:02d}日</td></tr>"
        f'<tr><td>标　　题：</td><td colspan="3">{html.escape(title)}</td></tr>'
        f"<tr><td>发文字号：</td><td>{doc_number}</td>"
        f"<td>发布日期：</td><td>{published.year}年{published.month:02d}月{published.day:02d}日</td></tr></table>\n"
    )
    body = "\n".join(_word_paragraph(rng, text, unclosed=rng.random() < 0.2) for text in paragraphs)
    chrome = (
        '<div class="ewm"><span>扫一扫在手机打开当前页</span><img src="/images/qrcode.png"></div>'
        '<div class="print"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
        '<div class="xglj"><h4>相关链接</h4><ul>'
        + "".join(
            f'<li><a href="../t{published:%Y%m%d}_{n}.html">{_link_text(rng)}</a>' for n in range(rng.randint(6, 14))
        )
        + "</ul></div>"
    )
    if rng.random() < 0.5:  # metadata table and chrome inside the body container, as on xxgk pages
        article = f'<div id="zoom">{metadata}<div class="zw">\n{body}\n</div>{chrome}</div></div>'
    else:
        article = f'{metadata}<div class="article_con"><div class="TRS_Editor">\n{body}\n</div></div></div>{chrome}'
    navigation = "".join(
        f'<li><a href="/col/col{1000 + n}/index.html">{_link_text(rng)}</a>'
        + (
            "<ul>"
            + "".join(f'<li><a href="/col/col{n}{m}/index.html">{_link_text(rng)}</a></li>' for m in range(4))
            + "</ul>"
            if n % 3 == 0
            else ""
        )
        + "</li>"
        for n in range(rng.randint(30, 70))
    )
    footer = (
        '<div class="footer"><div class="links">'
        + "".join(f'<a href="https://www.{n}.gov.cn/">{_link_text(rng)}</a>' for n in range(rng.randint(20, 40)))
        + "</div><p>主办单位：基准测试委员会 地址：北京市西城区月坛南街38号 邮编：100824</p>"
        "<p>网站标识码bm99000001 京ICP备05052393号</p></div>"
    )
    head = (
        _PAGE_TOP.format(host=HOST, meta=meta, title=html.escape(title), navigation=navigation)
        + '<div class="container"><div class="crumbs">首页 &gt; 政策发布 &gt; 通知</div>'
        + f'<div class="article"><h2 class="article_title">{html.escape(title)}</h2>'
        + f'<div class="article_time">发布时间：{published:%Y/%m/%d}　来源：基准测试委员会</div>'
        + '<div class="share bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a>'
        + '<a class="bds_tsina">微博</a></div>'
    )
    page = head + article + "</div></div>" + footer  # the container's end tag, then a stray one
    # The rest of the weight is what real pages carry most of: inline scripts and styles.
    filler = max(target_bytes - len(page.encode()) - 200, 0)
    scripts = _inline_script(rng, filler * 3 // 4)
    styles = _inline_style(rng, filler // 4)
    return (
        page.replace("</head>", f"<style>{styles}</style></head>", 1)
        + f"<script>{scripts}</script>\n"
        + "</body></html>\n"
    )


def _word_paragraph(rng: random.Random, text: str, unclosed: bool) -> str:
    """A paragraph as Word exports it: split into styled runs; some left unclosed, as real pages do."""
    cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(0, 3)))) if len(text) > 1 else []
    runs = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    spans = "".join(
        "<span style=\"font-family:仿宋_GB2312;font-size:16.0000pt;mso-spacerun:'yes';mso-font-kerning:1.0000pt;\">"
        f"{html.escape(run)}</span>"
        for run in runs
    )
    return f'<p class="MsoNormal" style="text-indent:32.0000pt;line-height:28.0000pt;">{spans}' + (
        "" if unclosed else "</p>"
    )


def _link_text(rng: random.Random) -> str:
    return rng.choice(DEPARTMENTS) + rng.choice(("工作动态", "通知公告", "政策解读", "办事指南", "信息公开"))


def _inline_script(rng: random.Random, size: int) -> str:
    lines: list[str] = []
    total = 0
    while total < size:
        name = f"fn{rng.randrange(16**6):06x}"
        line = (
            f"function {name}(el){{var box=document.getElementById('{name}');if(!box){{return false;}}"
            f"box.style.display=(box.style.display=='none')?'block':'none';"
            f"$.ajax({{url:'/api/{name}',type:'get',data:{{id:{rng.randint(1, 99999)}}},"
            "success:function(d){box.innerHTML=d;}});}\n"
        )
        lines.append(line)
        total += len(line)
    return "".join(lines)


def _inline_style(rng: random.Random, size: int) -> str:
    rules: list[str] = []
    total = 0
    while total < size:
        rule = (
            f".c{rng.randrange(16**5):05x} li a{{color:#{rng.randrange(16**6):06x};font-size:{rng.randint(12, 18)}px;"
            f"line-height:{rng.randint(20, 36)}px;padding:0 {rng.randint(0, 20)}px;}}\n"
        )
        rules.append(rule)
        total += len(rule)
    return "".join(rules)


def list_page_html(page: int, pages: int, notices: list[GeneratedNotice]) -> str:
    items = "\n".join(
        f'<li><a href=".{n.path[len(COLUMN_PATH) - 1 :]}" title="{html.escape(n.title)}" target="_blank">'
        f"{html.escape(n.title)}</a><span>{n.published:%Y/%m/%d}</span></li>"
        for n in notices
    )
    return (
        _PAGE_TOP.format(host=HOST, meta="", title="通知", navigation=_NAVIGATION)
        + f'<div class="container"><div class="list"><ul class="u-list">\n{items}\n</ul>'
        + f"<script>createPageHTML({pages}, {page - 1}, 'index', 'html');</script></div></div>\n"
        + _PAGE_BOTTOM
    )


def generate_site(root: Path, notices: int, *, attachments: bool = False) -> Path:
    """Write the site's fixtures under `root/fixtures`; returns that fixtures directory.

    With `attachments`, every notice links a list of its own (`attachment_lists`): an XLSX, every fourth a PDF.
    """
    fixtures_dir = root / "fixtures"
    bodies = fixtures_dir / HOST / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    pages = math.ceil(notices / ITEMS_PER_LIST)
    entries = []
    if attachments:
        for kind, data in attachment_lists().items():
            (bodies / f"list.{kind}").write_bytes(data)
    for page in range(1, pages + 1):
        first = (page - 1) * ITEMS_PER_LIST
        listed = [generate_notice(index) for index in range(first, min(first + ITEMS_PER_LIST, notices))]
        for notice in listed:
            name = f"n{notice.index}.html"
            page_html = notice.html
            if attachments:
                kind = "pdf" if notice.index % 4 == 0 else "xlsx"
                link = f"{notice.path.rsplit('.', 1)[0]}_list.{kind}"
                page_html = page_html.replace(  # after the article text, where real pages list attachments
                    '<div class="ewm">',
                    f'<div class="attachment">附件：<a href="{link}">名单.{kind}</a></div><div class="ewm">',
                )
                entries.append(
                    {
                        "method": "GET",
                        "path": link,
                        "status": 200,
                        "headers": {"Content-Type": ATTACHMENT_TYPES[kind]},
                        "body": f"bodies/list.{kind}",
                    }
                )
            (bodies / name).write_text(page_html, encoding="utf-8")
            entries.append(
                {"method": "GET", "path": notice.path, "status": 200, "headers": HTML_HEADERS, "body": f"bodies/{name}"}
            )
        name = f"list{page}.html"
        (bodies / name).write_text(list_page_html(page, pages, listed), encoding="utf-8")
        entries.append(
            {
                "method": "GET",
                "path": list_page_path(page),
                "status": 200,
                "headers": HTML_HEADERS,
                "body": f"bodies/{name}",
            }
        )
    (fixtures_dir / HOST / "responses.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return fixtures_dir


ATTACHMENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
LIST_ROWS = {"xlsx": 500, "pdf": 100}


def attachment_lists() -> dict[str, bytes]:
    """SYNTHETIC list attachments: an XLSX of 500 rows and a PDF of 100, organisation names with codes."""
    from entities.uscc import ALPHABET, check_character
    from mirror.synthetic_files import pdf_file, xlsx_file

    rng = random.Random(20261204)
    header = ["序号", "企业名称", "统一社会信用代码", "列入原因"]

    def rows(count: int) -> list[list[str]]:
        made = [header]
        for number in range(1, count + 1):
            first17 = "91" + rng.choice(PROVINCE_CODES) + "".join(rng.choice(ALPHABET) for _ in range(9))
            name = f"{rng.choice(PROVINCES)}某某{rng.choice(('建设', '商贸', '物流', '食品'))}有限公司"
            made.append([str(number), name, first17 + check_character(first17), "未履行信用承诺"])
        return made

    return {"xlsx": xlsx_file("名单", rows(LIST_ROWS["xlsx"])), "pdf": pdf_file("名单", (), rows(LIST_ROWS["pdf"]))}


PROVINCE_CODES = ("110000", "310000", "320100", "440300", "510100", "330100")


def write_source(directory: Path, source_id: str, notices: int) -> str:
    """A trs_static source over the first `notices` notices of the site (whole list pages); returns its id."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{source_id}.toml").write_text(
        f'id = "{source_id}"\n'
        'name = "基准测试委员会 通知（scs bench 生成）"\n'
        'family = "trs_static"\n'
        'jurisdiction = "000000"\n'
        'publisher = "基准测试委员会"\n'
        "download_delay = 0\n"
        f"max_pages = {math.ceil(notices / ITEMS_PER_LIST)}\n\n"
        f'[[columns]]\nname = "notices"\nurl = "{COLUMN_URL}"\n',
        encoding="utf-8",
    )
    return source_id


def notice_item(notice: GeneratedNotice) -> Any:
    """The `NoticeItem` the spider yields for `notice` (fields as the extractor finds them on the page)."""
    from crawler.items import DateCandidate, NoticeItem

    pub_date = f"{notice.published:%Y-%m-%d} {9 + notice.index % 8:02d}:{notice.index % 60:02d}"
    return NoticeItem(
        source="bench",
        url=notice.url,
        title=notice.title,
        body=notice.text,
        publisher="基准测试委员会",
        date_candidates=[
            DateCandidate(kind="meta", raw=pub_date, label="PubDate"),
            DateCandidate(kind="list", raw=f"{notice.published:%Y/%m/%d}"),
            DateCandidate(kind="byline", raw=f"发布时间：{notice.published:%Y/%m/%d}"),
        ],
        list_date_raw=f"{notice.published:%Y/%m/%d}",
        meta={"SiteIDCode": "bm99000001", "ArticleTitle": notice.title, "PubDate": pub_date},
        jurisdiction="000000",
    )

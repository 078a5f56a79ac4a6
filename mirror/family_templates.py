"""Fixture templates for the coverage sources: one `coverage` template for every CMS family.

A content file with `template = "coverage"` holds only what differs per site: the
notices we wrote, the list-item markup of the real site (`list_item`, `list_wrapper`)
and which detail dialect the site serves (`detail_style`). Everything the crawler
derives from the source file is derived here from the same file
(`crawler/sources/<source>.toml`) with the family's own URL functions, so the
fixtures cannot drift from the configuration: list page URLs (TRS `index_N`, CAC
`A…index_N.htm`, `?page=N`, next links), Hanweb dataproxy record ranges and form,
jpaas `paramJson`, gkmlpt `page`/`sid`.

Detail dialects (`detail_style`) reproduce the structures in shared/sites.md:
`trs` (meta tags, `.TRS_Editor`, optional 索引号 table), `hanweb` (`table.xxgk_table`, `#zoom`),
`jpaas` (SAMR `div.Three_xilan_07`, `ul.contentLeft0102box`), `gkmlpt` (`div.introduce`
label/span pairs, `div.zw`), `nfcms` (Shenzhen `div.xx_con` `em` labels, `news_cont_d_wrap`),
`beijing` (`ol li` label/span pairs), `shanghai` (`#ivs_title`, `#ivs_content`),
`simple` (title, 发布时间/来源 line, `div.article-content`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.sourceconfig import SOURCES_DIR, Column, Source, load_source_file
from crawler.spiders.families import FAMILIES
from mirror.build_fixtures import HTML_UTF8, Page, attachment_links, body_html, detail_pages, meta_tags

_BEIJING = dt.timezone(dt.timedelta(hours=8))

DEFAULT_ITEMS = {
    "trs_jpaas": (
        '<li class="zjnav04Left02_content"><div class="doctitle"><a href="{href}" target="_blank" title="{title}">'
        '{title}</a></div><div class="doctime">{date}</div></li>'
    ),
    "hanweb_jpage": '<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{date}</span></li>',
}


# -- notices ---------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def notice_id(notice: dict[str, Any]) -> int:
    """A stable 7-digit article id (TRS, Hanweb, gkmlpt ids have 7 digits) from the title."""
    return int(_digest(notice["title"])[:8], 16) % 9_000_000 + 1_000_000


def detail_url(source: Source, column: Column, notice: dict[str, Any], content: dict[str, Any]) -> str:
    """Where the real site would publish this notice, in the family's URL dialect."""
    parts = urlsplit(column.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    folder = posixpath.dirname(parts.path)
    day = dt.date.fromisoformat(notice["published"][:10])
    post_id = notice_id(notice)
    values = {
        "folder": folder,
        "yyyy": f"{day:%Y}",
        "yyyymm": f"{day:%Y%m}",
        "yyyymmdd": f"{day:%Y%m%d}",
        "mm": f"{day:%m}",
        "dd": f"{day:%d}",
        "m": str(day.month),
        "d": str(day.day),
        "id": str(post_id),
        "hex": _digest(notice["title"])[:32],
        "ext": posixpath.splitext(parts.path)[1] or ".html",
        "columnid": str(column.params.get("columnid", "")),
        "a": str(post_id // 1_000_000),
        "b": str(post_id // 1000),
    }
    default = {
        "hanweb_jpage": "/art/{yyyy}/{m}/{d}/art_{columnid}_{id}.html",
        "trs_jpaas": "{folder}/art/{yyyy}/art_{hex}.html",
        "gkmlpt": "/gkmlpt/content/{a}/{b}/post_{id}.html",
    }.get(source.family, "{folder}/{yyyymm}/t{yyyymmdd}_{id}{ext}")
    path = notice.get("path") or content.get("detail_path") or default
    return origin + path.format(**values)


def prepare(source: Source, content: dict[str, Any]) -> list[dict[str, Any]]:
    notices = []
    for raw in content["notices"]:
        notice = {"column": 0, "page": 1, "publisher": source.publisher, **raw}
        column = source.columns[notice["column"]]
        notice.setdefault("url", detail_url(source, column, notice, content))
        notice.setdefault("list_date", notice["published"][:10])
        notice["attachments"] = [
            {"name": item["name"], "href": posixpath.join(posixpath.dirname(notice["url"]), item["file"])}
            for item in raw.get("attachments", [])
        ]
        notices.append(notice)
    return notices


def href_from(list_url: str, target: str) -> str:
    """The link as a CMS writes it: relative (`./202609/t…html`) on the same host, else absolute."""
    a, b = urlsplit(list_url), urlsplit(target)
    if a.netloc != b.netloc:
        return target
    relative = posixpath.relpath(b.path, posixpath.dirname(a.path) or "/")
    return relative if relative.startswith("../") else f"./{relative}"


# -- list pages per family -------------------------------------------------------------------------


def _column_pages(notices: list[dict[str, Any]], index: int) -> dict[int, list[dict[str, Any]]]:
    pages: dict[int, list[dict[str, Any]]] = {}
    for notice in notices:
        if notice["column"] == index:
            pages.setdefault(notice["page"], []).append(notice)
    return dict(sorted(pages.items()))


def _html_list(
    content: dict[str, Any], source: Source, list_url: str, entries: list[dict[str, Any]], pager: str
) -> bytes:
    item = content.get("list_item") or DEFAULT_ITEMS.get(source.family, "")
    items = "\n".join(
        item.format(href=escape(href_from(list_url, n["url"])), title=escape(n["title"]), date=escape(n["list_date"]))
        for n in entries
    )
    wrapper = content.get("list_wrapper", "<ul>{items}</ul>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(content.get("column_title", "通知公告"))}_{escape(content["site_name"])}</title>
{meta_tags({"SiteName": content["site_name"], "ColumnName": content.get("column_title", "")})}
</head>
<body>
<div class="header"><a href="/">{escape(content["site_name"])}</a></div>
<div class="main">
{wrapper.format(items=items)}
{pager}
</div>
<div class="footer">主办：{escape(content["site_name"])}　网站标识码：{escape(content.get("site_id_code", ""))}</div>
</body>
</html>
""".encode()


def _trs_pager(total: int, page: int, list_url: str) -> str:
    name, ext = posixpath.splitext(posixpath.basename(urlsplit(list_url).path))
    stem = name.rsplit("_", 1)[0] if page > 1 else name
    script = f'createPageHTML({total}, {page - 1}, "{stem}", "{ext[1:]}");'
    return f'<div class="page"><script type="text/javascript">{script}</script></div>'


def _static_pager(content: dict[str, Any], options: Any, total: int, page: int, page_urls: dict[int, str]) -> str:
    style = content.get("pager", "links")
    if options.paging == "next_link":
        if page >= total:
            return content.get("last_page_pager", "")
        return content["next_link"].format(next=escape(page_urls[page + 1]))
    if style == "createPageHTML":
        return f'<div class="page"><script>createPageHTML({total}, {page - 1}, "index", "html");</script></div>'
    if style == "pageCount":
        return (
            f'<script type="text/javascript">var pageName = "index"; var pageExt = "html"; '
            f"var pageIndex = {page}; var pageCount = {total};</script>"
        )
    if style == "changepage":
        return (
            '<div class="changepage"><script type="text/javascript">'
            f"var changepage = new ChangePage({{current:{page - 1},size:{total},prefix:'index',suffix:'html'}});"
            "</script></div>"
        )
    links = " ".join(
        f'<a href="{escape(page_urls[number])}">{number}</a>' if number != page else f"<span>{number}</span>"
        for number in range(1, total + 1)
    )
    return f'<div class="pagination">{links}</div>'


# List-page URLs as the sites publish them (shared/sites.md), written here rather than taken from the
# spiders: a wrong pattern in a spider must fail against the mirror, not be reproduced by it.


def _trs_page_url(first_page_url: str, page: int) -> str:
    """TRS static lists: `…/index.html`, then `…/index_1.html`, `…/index_2.html` …"""
    if page == 1:
        return first_page_url
    folder, name = first_page_url.rsplit("/", 1)
    stem, extension = (name or "index.html").rsplit(".", 1)
    return f"{folder}/{stem}_{page - 1}.{extension}"


def _template_page_url(first_page_url: str, template: str, page: int) -> str:
    """A list whose page n is a file named by the source's template (`{page}`, or `{page0}` = n - 1)."""
    if page == 1:
        return first_page_url
    return f"{first_page_url.rsplit('/', 1)[0]}/{template.format(page=page, page0=page - 1)}"


def _query_page_url(first_page_url: str, param: str, page: int) -> str:
    """A list whose page n is the first page's URL with `param=n` (any earlier value of it replaced)."""
    if page == 1:
        return first_page_url
    parts = urlsplit(first_page_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != param]
    return urlunsplit(parts._replace(query=urlencode([*query, (param, str(page))])))


def html_lists(source: Source, content: dict[str, Any], notices: list[dict[str, Any]]) -> Iterator[Page]:
    options = source.options
    for index, column in enumerate(source.columns):
        pages = _column_pages(notices, index)
        total = max(pages, default=0)
        if source.family == "trs_static":
            urls = {n: _trs_page_url(column.url, n) for n in range(1, total + 2)}
        elif options.paging == "template":
            urls = {n: _template_page_url(column.url, options.page_template, n) for n in range(1, total + 2)}
        elif options.paging == "query":
            urls = {n: _query_page_url(column.url, options.page_param, n) for n in range(1, total + 2)}
        else:  # next_link: the site's own next-page file names
            folder = column.url.rsplit("/", 1)[0]
            name = content.get("next_page_name", "index_{page0}.html")
            urls = {1: column.url} | {n: f"{folder}/{name.format(page=n, page0=n - 1)}" for n in range(2, total + 2)}
        for page, entries in pages.items():
            if source.family == "trs_static":
                pager = _trs_pager(total, page, urls[page])
            else:
                pager = _static_pager(content, options, total, page, urls)
            body = _html_list(content, source, urls[page], entries, pager)
            parts = urlsplit(urls[page])
            query = dict(parse_qsl(parts.query)) or None
            yield Page(urls[page], body, query=query)


def hanweb_lists(source: Source, content: dict[str, Any], notices: list[dict[str, Any]]) -> Iterator[Page]:
    options = source.options
    for index, column in enumerate(source.columns):
        entries = [n for n in notices if n["column"] == index]
        parts = urlsplit(column.url)
        proxy_url = f"{parts.scheme}://{parts.netloc}{options.proxy_path}"
        requests = -(-len(entries) // options.records_per_request)
        for request in range(1, requests + 1):
            start = (request - 1) * options.records_per_request + 1  # startrecord/endrecord: 1-based, inclusive
            end = start + options.records_per_request - 1
            item = content.get("list_item") or DEFAULT_ITEMS["hanweb_jpage"]
            next_group = urlencode({"columnid": column.params["columnid"]})
            records = "\n".join(
                "<record><![CDATA[\n"
                + item.format(
                    href=escape(n["url"].split(parts.netloc, 1)[1]), title=escape(n["title"]), date=n["list_date"]
                )
                + "\n]]></record>"
                for n in entries[start - 1 : end]
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
                f'<nextgroup><![CDATA[<a href="{options.proxy_path}?page=1&{next_group}"></a>]]></nextgroup>\n'
                f"<recordset>\n{records}\n</recordset>\n<totalrecord>{len(entries)}</totalrecord>\n"
                f"<totalpage>{-(-len(entries) // options.perpage)}</totalpage>\n</datastore>\n"
            )
            yield Page(
                proxy_url,
                xml.encode("utf-8"),
                "text/xml;charset=UTF-8",
                method="POST",
                query={"startrecord": str(start), "endrecord": str(end)},
                form={"columnid": str(column.params["columnid"]), "unitid": str(column.params["unitid"])},
            )


def jpaas_lists(source: Source, content: dict[str, Any], notices: list[dict[str, Any]]) -> Iterator[Page]:
    options = source.options
    for index, column in enumerate(source.columns):
        pages = _column_pages(notices, index)
        item = content.get("list_item") or DEFAULT_ITEMS["trs_jpaas"]
        for page, entries in pages.items():
            html = "".join(
                item.format(href=escape(urlsplit(n["url"]).path), title=escape(n["title"]), date=n["list_date"])
                for n in entries
            )
            data = {"code": 200, "msg": "success", "data": {"html": html}}
            parts = urlsplit(column.url)
            yield Page(
                f"{parts.scheme}://{parts.netloc}{options.api_path}",
                json.dumps(data, ensure_ascii=False).encode("utf-8"),
                "application/json;charset=UTF-8",
                query={
                    "pageId": str(column.params["page_id"]),
                    "paramJson": json.dumps({"pageNo": page, "pageSize": options.page_size}),  # what page.js sends
                },
            )


def gkmlpt_lists(source: Source, content: dict[str, Any], notices: list[dict[str, Any]]) -> Iterator[Page]:
    options = source.options
    for index, column in enumerate(source.columns):
        pages = _column_pages(notices, index)
        total = sum(map(len, pages.values()))
        for page, entries in pages.items():
            articles = [
                {
                    "id": notice_id(n),
                    "title": n["title"],
                    "url": n["url"],
                    "post_url": n["url"],
                    "create_time": int(dt.datetime.fromisoformat(n["published"]).replace(tzinfo=_BEIJING).timestamp()),
                    "publisher": n.get("publisher", ""),
                    "document_number": n.get("doc_number", ""),
                    "identifier": n.get("index_number", ""),
                }
                for n in entries
            ]
            yield Page(
                f"http://{urlsplit(column.url).netloc}/gkmlpt/api/all/{column.params['category']}",
                json.dumps({"total": total, "articles": articles}, ensure_ascii=False).encode("utf-8"),
                "application/json;charset=UTF-8",
                query={"page": str(page), "sid": str(options.sid)},
            )


LISTS: dict[str, Callable[[Source, dict[str, Any], list[dict[str, Any]]], Iterator[Page]]] = {
    "trs_static": html_lists,
    "static_list": html_lists,
    "hanweb_jpage": hanweb_lists,
    "trs_jpaas": jpaas_lists,
    "gkmlpt": gkmlpt_lists,
}


# -- detail dialects ---------------------------------------------------------------------------------


def _head(content: dict[str, Any], notice: dict[str, Any], meta: bool = True) -> str:
    tags = (
        meta_tags(
            {
                "SiteName": content["site_name"],
                "SiteDomain": urlsplit(notice["url"]).netloc,
                "SiteIDCode": content.get("site_id_code", ""),
                "ColumnName": notice.get("column_name", content.get("column_title", "")),
                "ArticleTitle": notice["title"],
                "PubDate": notice["published"],
                "ContentSource": notice.get("content_source", notice["publisher"]),
            }
        )
        if meta
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{escape(notice['title'])}_{escape(content['site_name'])}</title>\n{tags}\n</head>\n"
    )


def _origin(notice: dict[str, Any]) -> str:
    return str(notice.get("content_source") or notice["publisher"])


def _labels(notice: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = [
        ("索引号", notice.get("index_number", "")),
        ("主题分类", notice.get("topic", "")),
        ("发文机关", notice["publisher"]),
        ("成文日期", notice.get("written", "")),
        ("标题", notice["title"]),
        ("发文字号", notice.get("doc_number", "")),
        ("发布日期", notice["published"][:10]),
        ("有效性", notice.get("validity", "")),
    ]
    return [(label, value) for label, value in pairs if value]


def style_trs(content: dict[str, Any], notice: dict[str, Any]) -> str:
    table = ""
    if notice.get("index_number"):
        rows = "".join(f"<tr><th>{label}：</th><td>{escape(value)}</td></tr>" for label, value in _labels(notice))
        table = f'<table class="xxgk-table">{rows}</table>'
    return (
        _head(content, notice)
        + f"""<body>
<div class="crumbs">当前位置：<a href="/">首页</a> &gt; {escape(content.get("column_title", ""))}</div>
{table}
<div class="article">
<h1 class="article_title">{escape(notice["title"])}</h1>
<div class="time"><span>发布时间：{escape(notice["published"][:10])}</span>
<span>来源：{escape(_origin(notice))}</span></div>
<div class="article_con"><div class="TRS_Editor">
{body_html(notice)}
</div>
<div class="fujian">{attachment_links(notice)}</div>
</div>
</div>
</body>
</html>
"""
    )


def style_hanweb(content: dict[str, Any], notice: dict[str, Any]) -> str:
    table = "".join(
        f'<tr><td class="td_lable">{label}：</td><td class="td_content">{escape(value)}</td></tr>'
        for label, value in _labels(notice)
    )
    attachments = "".join(
        f'<li><a href="{escape(a["href"])}">{escape(a["name"])}</a></li>' for a in notice["attachments"]
    )
    return (
        _head(content, notice)
        + f"""<body>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; {escape(content.get("column_title", ""))}</div>
<table class="xxgk_table"><tbody>{table}</tbody></table>
<div id="zoom">
{body_html(notice)}
</div>
<ul class="xgbd">{attachments}</ul>
</body>
</html>
"""
    )


def style_jpaas(content: dict[str, Any], notice: dict[str, Any]) -> str:
    attachments = "".join(
        f'<li><a href="{escape(a["href"])}?fileName={escape(a["name"])}">{escape(a["name"])}</a></li>'
        for a in notice["attachments"]
    )
    return (
        _head(content, notice)
        + f"""<body>
<div class="Three_xilan">
<div class="Three_xilan_01"><h2>{escape(notice["title"])}</h2></div>
<ul class="Three_xilan01_02"><li class="Three_xilan01_0201">{escape(notice["published"][:10])}</li>
<li>来源：{escape(notice.get("content_source", ""))}</li></ul>
<div class="Three_xilan_07 article-pagenation" id="zoom">
{body_html(notice)}
</div>
<ul class="contentLeft0102box"></ul>
<ul class="contentLeft0102box">{attachments}</ul>
</div>
</body>
</html>
"""
    )


def style_gkmlpt(content: dict[str, Any], notice: dict[str, Any]) -> str:
    pairs = "".join(
        f'<div class="col"><label>{label}：</label><span>{escape(value)}</span></div>'
        for label, value in [
            ("索引号", notice.get("index_number", "")),
            ("分类", notice.get("topic", "")),
            ("发布机构", notice["publisher"]),
            ("成文日期", notice.get("written", "")),
            ("文号", notice.get("doc_number", "")),
            ("发布日期", notice["published"][:10]),
            ("标题", notice["title"]),
        ]
        if value
    )
    return (
        _head(content, notice, meta=False)
        + f"""<body>
<div class="classify"><div class="introduce"><div>{pairs}</div></div></div>
<div class="viewList">
<h1 class="zw-title">{escape(notice["title"])}</h1>
<div class="zw">
{body_html(notice)}
</div>
<div class="zw-attach">{attachment_links(notice)}</div>
</div>
</body>
</html>
"""
    )


def style_nfcms(content: dict[str, Any], notice: dict[str, Any]) -> str:
    labels = "".join(
        f"<p><em>{label}：</em><span>{escape(value)}</span></p>"
        for label, value in [
            ("索引号", notice.get("index_number", "")),
            ("文号", notice.get("doc_number", "")),
            ("发布机构", notice["publisher"]),
            ("发布日期", notice["published"][:10]),
        ]
        if value
    )
    return (
        _head(content, notice)
        + f"""<body>
<div class="xx_con">{labels}</div>
<div class="tit"><h1>{escape(notice["title"])}</h1>
<h6><span>来源：{escape(_origin(notice))}</span><span>信息提供日期：{escape(notice["published"][:10])}</span></h6></div>
<div class="news_cont_d_wrap">
{body_html(notice)}
</div>
<div class="fjdown">{attachment_links(notice)}</div>
</body>
</html>
"""
    )


def style_beijing(content: dict[str, Any], notice: dict[str, Any]) -> str:
    items = "".join(f"<li><span>[{label}]</span>{escape(value)}</li>" for label, value in _labels(notice))
    return (
        _head(content, notice)
        + f"""<body>
<div class="container">
<div class="header"><ol class="doc-info">{items}</ol></div>
<div class="article"><h1>{escape(notice["title"])}</h1>
<div class="view TRS_UEDITOR trs_paper_default">
{body_html(notice)}
</div>
<div class="relevantdoc">{attachment_links(notice)}</div>
</div>
</div>
</body>
</html>
"""
    )


def style_shanghai(content: dict[str, Any], notice: dict[str, Any]) -> str:
    written = f"　印发日期：{escape(notice['written'])}" if notice.get("written") else ""
    return (
        _head(content, notice, meta=False)
        + f"""<body>
<ul class="breadcrumb"><li><a href="/">首页</a></li><li>{escape(content.get("column_title", ""))}</li></ul>
<div id="ivs_title" class="Article-title">{escape(notice["title"])}</div>
<h2 class="no-margin-top"><small>发布日期：{escape(notice["published"][:10])}{written}</small></h2>
<div id="ivs_content" class="Article_content">
{body_html(notice)}
</div>
<div class="attach">{attachment_links(notice)}</div>
</body>
</html>
"""
    )


def style_simple(content: dict[str, Any], notice: dict[str, Any]) -> str:
    return (
        _head(content, notice)
        + f"""<body>
<div class="main">
<div class="position">您当前的位置：<a href="/">首页</a> &gt; {escape(content.get("column_title", ""))}</div>
<h1 class="article-title">{escape(notice["title"])}</h1>
<div class="info"><span>发布时间：{escape(notice["published"])}</span>
<span>来源：{escape(_origin(notice))}</span></div>
<div class="article-content">
{body_html(notice)}
</div>
<div class="attachments">{attachment_links(notice)}</div>
</div>
</body>
</html>
"""
    )


DETAIL_STYLES: dict[str, Callable[[dict[str, Any], dict[str, Any]], str]] = {
    "trs": style_trs,
    "hanweb": style_hanweb,
    "jpaas": style_jpaas,
    "gkmlpt": style_gkmlpt,
    "nfcms": style_nfcms,
    "beijing": style_beijing,
    "shanghai": style_shanghai,
    "simple": style_simple,
}


def coverage(content: dict[str, Any], sources_dir: Path = SOURCES_DIR) -> Iterator[Page]:
    """Every response of one coverage source: its list pages (per family) and detail pages (per dialect)."""
    source = load_source_file(sources_dir / f"{content['source']}.toml", FAMILIES)
    notices = prepare(source, content)
    yield from LISTS[source.family](source, content, notices)
    render = DETAIL_STYLES[content["detail_style"]]
    yield from detail_pages(notices, lambda notice: render(content, notice))


TEMPLATES = {"coverage": coverage}
__all__ = ["HTML_UTF8", "TEMPLATES", "coverage"]

# ruff: noqa: E501  (page templates keep the real sites' one-line HTML rows)
"""Dev tool: render mirror fixtures from hand-written notice content.

    python -m mirror.build_fixtures            # every mirror/content/*.toml
    python -m mirror.build_fixtures ndrc       # one content file

A content file (`mirror/content/<source>.toml`) holds the notices we wrote (title,
文号, dates, body paragraphs, attachments, where each sits in the lists) and names a
template; the template wraps them in the real site's page structure (meta tags,
metadata tables, body containers, list pages or list-API answers) as described in
`shared/sites.md`. The generated files under `mirror/fixtures/` are committed and are
the source of truth: this tool only saves typing. Each source's bodies go to
`fixtures/<host>/bodies/<source>/`; entries of other sources on a shared host are kept.

Per-notice `bad` values make pages that exercise failure handling:
`missing` (linked, not served: 404), `empty-body` (body container without text),
`pdf` (link to a document served as application/pdf), `empty-response` (200, no bytes).
A notice's `encoding = "gb18030"` serves GB18030 bytes declared as gb2312.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

MIRROR_DIR = Path(__file__).resolve().parent
CONTENT_DIR = MIRROR_DIR / "content"
FIXTURES_DIR = MIRROR_DIR / "fixtures"
HTML_UTF8 = "text/html; charset=utf-8"
FAKE_PDF = b"%PDF-1.4\n% scs-tracker mirror placeholder\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class Page:
    """One response to serve."""

    url: str
    body: bytes
    content_type: str = HTML_UTF8
    method: str = "GET"
    query: dict[str, str] | None = None
    form: dict[str, str] | None = None
    status: int = 200

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


# -- shared HTML pieces ---------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]


def body_html(notice: dict[str, Any]) -> str:
    """文号, 主送, paragraphs, signature and date, as a TRS/Hanweb editor would save them."""
    if notice.get("bad") == "empty-body":
        return '<p style="text-indent: 2em;">&nbsp;</p>'
    parts = []
    if notice.get("doc_number") and notice.get("doc_number_in_body", True):
        parts.append(f'<p style="text-align: center;">{escape(notice["doc_number"])}</p>')
    if notice.get("addressee"):
        parts.append(f"<p>{escape(notice['addressee'])}</p>")
    for paragraph in paragraphs(notice.get("body", "")):
        parts.append(f'<p style="text-indent: 2em;">{escape(paragraph)}</p>')
    for line in (notice.get("signature", ""), notice.get("written", "")):
        if line:
            parts.append(f'<p style="text-align: right;">{escape(line)}</p>')
    return "\n".join(parts)


def meta_tags(values: dict[str, str]) -> str:
    return "\n".join(f'<meta name="{name}" content="{escape(value)}">' for name, value in values.items() if value)


def attachment_links(notice: dict[str, Any]) -> str:
    return "\n".join(
        f'<a href="{escape(item["href"])}" target="_blank">{escape(item["name"])}</a><br>'
        for item in notice.get("attachments", [])
    )


def detail_pages(notices: list[dict[str, Any]], render: Callable[[dict[str, Any]], str]) -> Iterator[Page]:
    """Detail responses for the notices, honouring `bad` and `encoding`."""
    for notice in notices:
        bad = notice.get("bad", "")
        if bad == "missing":
            continue
        if bad == "pdf":
            yield Page(notice["url"], FAKE_PDF, "application/pdf")
        elif bad == "empty-response":
            yield Page(notice["url"], b"")
        elif notice.get("encoding") == "gb18030":
            html = render(notice).replace("charset=utf-8", "charset=gb2312")
            yield Page(notice["url"], html.encode("gb18030"), "text/html; charset=gb2312")
        else:
            yield Page(notice["url"], render(notice).encode("utf-8"))


# -- trs_static (NDRC) ----------------------------------------------------------------------------


def trs_static(content: dict[str, Any]) -> Iterator[Page]:
    site = content["site_name"]
    for column in content["columns"]:
        notices = [notice for notice in content["notices"] if notice["column"] == column["key"]]
        page_total = max(notice["page"] for notice in notices)
        for page in range(1, page_total + 1):
            items = []
            for index, notice in enumerate(n for n in notices if n["page"] == page):
                if index and index % 5 == 0:
                    items.append('<li class="empty"></li>')
                items.append(
                    f'<li><a href="{escape(notice["href"])}" target="_blank" title="{escape(notice["title"])}">'
                    f"{escape(notice['title'])}</a><span>{escape(notice['list_date'])}</span></li>"
                )
            name = "index.html" if page == 1 else f"index_{page - 1}.html"
            url = column["url"].rsplit("/", 1)[0] + "/" + name
            yield Page(url, _trs_list_html(site, url, column["name"], items, page_total, page).encode("utf-8"))
    yield from detail_pages(content["notices"], lambda notice: _trs_detail_html(site, content, notice))


def _trs_list_html(site: str, url: str, column_name: str, items: list[str], page_total: int, page: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(column_name)}_{escape(site)}</title>
{meta_tags({"SiteName": site, "SiteDomain": urlsplit(url).netloc, "ColumnName": column_name, "ColumnType": "政策发布"})}
</head>
<body>
<div class="container">
<div class="crumbs">当前位置：<a href="../../../">首页</a> &gt; <a href="../../">政务公开</a> &gt; {escape(column_name)}</div>
<div class="list">
<ul class="u-list">
{chr(10).join(items)}
</ul>
<div class="page"><script type="text/javascript">createPageHTML({page_total}, {page - 1}, "index", "html");</script></div>
</div>
</div>
</body>
</html>
"""


def _trs_detail_html(site: str, content: dict[str, Any], notice: dict[str, Any]) -> str:
    meta = {
        "SiteName": site,
        "SiteDomain": urlsplit(notice["url"]).netloc,
        "SiteIDCode": content.get("site_id_code", ""),
        "ColumnName": notice.get("column_name", ""),
        "ColumnType": "政策发布",
        "ArticleTitle": notice["title"],
        "PubDate": notice["published"],
        "ContentSource": notice.get("content_source", ""),
        "Keywords": notice.get("keywords", ""),
    }
    attachments = attachment_links(notice)
    attachment_block = (
        f'<div class="attachment"><div class="attachment_l">附件：</div><div class="attachment_r">\n{attachments}\n</div></div>'
        if attachments
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{escape(notice["title"])}_{escape(site)}</title>
{meta_tags(meta)}
<link rel="stylesheet" href="../../../../images/common.css">
<script src="../../../../images/jquery.min.js"></script>
</head>
<body>
<div class="container">
<div class="crumbs">当前位置：<a href="../../../../">首页</a> &gt; <a href="../../../">政务公开</a> &gt; <a href="../">{escape(notice.get("column_name", ""))}</a></div>
<div class="article">
<div class="article_title"><h2>{escape(notice["title"])}</h2></div>
<div class="time"><span>发布时间：{escape(notice["published"].split()[0].replace("-", "/"))}</span><span>来源：{escape(notice.get("content_source", ""))}</span></div>
<div class="article_con article_con_title">
<div class="TRS_Editor">
{body_html(notice)}
</div>
{attachment_block}
</div>
<div class="share"><span>分享到：</span><a class="wx">微信</a><a class="wb">微博</a></div>
</div>
</div>
<script>var shareTitle = document.title;</script>
</body>
</html>
"""


# -- govcn_api (State Council policy library) ------------------------------------------------------


def govcn_api(content: dict[str, Any]) -> Iterator[Page]:
    api_url = content["api_url"]
    notices = content["notices"]
    for page in sorted({notice["page"] for notice in notices}):
        cat_map = {}
        for bucket in ("gongwen", "bumenfile", "otherfile", "gongbao"):
            rows = [_govcn_row(n) for n in notices if n["page"] == page and n.get("bucket", "gongwen") == bucket]
            cat_map[bucket] = {"listVO": rows, "totalCount": sum(n.get("bucket", "gongwen") == bucket for n in notices)}
        data = {
            "code": 200,
            "msg": "操作成功",
            "searchVO": {"totalCount": 0, "listVO": [], "catMap": cat_map},
        }
        yield Page(
            api_url,
            json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
            "application/json;charset=UTF-8",
            query={"t": content["api_t"], "p": str(page), "n": str(content["page_size"])},
        )
    yield from detail_pages(notices, _govcn_detail_html)


def _govcn_row(notice: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": notice.get("api_title", notice["title"]),
        "url": notice["url"],
        "pubtimeStr": notice["published_date"].replace("-", "."),
        "puborg": notice.get("publisher", ""),
        "pcode": notice.get("doc_number", ""),
        "childtype": notice.get("topic", ""),
        "summary": paragraphs(notice.get("body", ""))[0][:60] if notice.get("body") else "",
    }


def _govcn_detail_html(notice: dict[str, Any]) -> str:
    if notice.get("style") == "old":
        return _govcn_old_html(notice)
    y, m, d = notice["published_date"].split("-")
    meta = {
        "firstpublishedtime": f"{notice['published_date']}-{notice.get('published_time', '17:00:00')}",
        "lastmodifiedtime": f"{notice['published_date']}-{notice.get('published_time', '17:00:00')}",
        "manuscriptId": notice["url"].rsplit("_", 1)[-1].split(".")[0],
    }
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{escape(notice["title"])}_国务院文件_中国政府网</title>
{meta_tags(meta)}
<meta name="description" content="{escape(notice["title"])}">
</head>
<body>
<div class="header"><a href="https://www.gov.cn/">中国政府网</a></div>
<div class="BreadcrumbNav"><a href="https://www.gov.cn/">首页</a> &gt; <a href="https://www.gov.cn/zhengce/">政策</a> &gt; {escape(notice.get("crumb", "国务院文件"))}</div>
<div class="policyLibraryOverview_header">
<table class="table">
<tbody>
<tr><td class="textLabel"><b>标　　题：</b></td><td colspan="3" class="line"><span>{escape(notice["title"])}</span></td></tr>
<tr><td class="textLabel"><b>发文机关：</b></td><td class="line"><span>{escape(notice.get("publisher", ""))}</span></td><td class="textLabel"><b>发文字号：</b></td><td class="line"><span>{escape(notice.get("doc_number", ""))}</span></td></tr>
<tr><td class="textLabel"><b>来　　源：</b></td><td class="line"><span>{escape(notice.get("origin", "国务院公报"))}</span></td><td class="textLabel"><b>主题分类：</b></td><td class="line"><span>{escape(notice.get("topic", ""))}</span></td></tr>
<tr><td class="textLabel"><b>公文种类：</b></td><td class="line"><span>{escape(notice.get("doc_type", "通知"))}</span></td><td class="textLabel"><b>成文日期：</b></td><td class="line"><span>{escape(notice.get("written_label", ""))}</span></td></tr>
<tr><td class="textLabel"><b>发布日期：</b></td><td class="line"><span>{y}年{m}月{d}日</span></td><td></td><td></td></tr>
</tbody>
</table>
</div>
<div class="article oneColumn pub_border">
<h1 id="ti">{escape(notice["title"])}</h1>
<div class="pages-date">{notice["published_date"]} {notice.get("published_time", "17:00:00")[:5]}<span class="font">来源： {escape(notice.get("origin", "中国政府网"))}</span></div>
<div class="pages_content" id="UCAP-CONTENT">
{body_html(notice)}
<p>{attachment_links(notice)}</p>
</div>
<div class="editor">【我要纠错】 责任编辑：{escape(notice.get("editor", "王洋"))}</div>
</div>
<div id="pagination"></div>
</body>
</html>
"""


def _govcn_old_html(notice: dict[str, Any]) -> str:
    y, m, d = notice["published_date"].split("-")
    # Old template: table.bd1 layout, body in td#UCAP-CONTENT.b12c, no ArticleTitle meta, and (as on the
    # real site) part of the page after </body>, which only a lenient parser keeps.
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(notice["title"])}_政府信息公开专栏</title>
</head>
<body>
<table class="bd1" width="100%" cellpadding="0" cellspacing="1">
<tr><td width="70"><b>索 引 号：</b></td><td>{escape(notice.get("index_number", ""))}</td><td width="70"><b>主题分类：</b></td><td>{escape(notice.get("topic", ""))}</td></tr>
<tr><td><b>发文机关：</b></td><td>{escape(notice.get("publisher", ""))}</td><td><b>成文日期：</b></td><td>{escape(notice.get("written_label", ""))}</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{escape(notice["title"])}</td></tr>
<tr><td><b>发文字号：</b></td><td>{escape(notice.get("doc_number", ""))}</td><td><b>发布日期：</b></td><td>{y}年{m}月{d}日</td></tr>
</table>
</body>
</html>
<table width="100%"><tr><td id="UCAP-CONTENT" class="b12c">
{body_html(notice)}
<p>{attachment_links(notice)}</p>
</td></tr></table>
"""


# -- hanweb_jpage (Jiangsu) -----------------------------------------------------------------------


def hanweb_jpage(content: dict[str, Any]) -> Iterator[Page]:
    notices = content["notices"]
    per_request = content["records_per_request"]
    column = content["column"]
    total = len(notices)
    for start in range(1, total + 1, per_request):
        records = "\n".join(
            f'<record><![CDATA[\n<li><a href="{escape(n["href"])}" target="_blank" title="{escape(n["title"])}">'
            f"{escape(n['title'])}</a><span>{escape(n['list_date'])}</span></li>\n]]></record>"
            for n in notices[start - 1 : start - 1 + per_request]
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
            f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&{urlencode(column["form"])}"></a>]]></nextgroup>\n'
            f"<recordset>\n{records}\n</recordset>\n<totalrecord>{total}</totalrecord>\n"
            f"<totalpage>{-(-total // content['perpage'])}</totalpage>\n</datastore>\n"
        )
        yield Page(
            content["proxy_url"],
            xml.encode("utf-8"),
            "text/xml;charset=UTF-8",
            method="POST",
            query={"startrecord": str(start), "endrecord": str(start + per_request - 1)},
            form={"columnid": column["form"]["columnid"], "unitid": column["form"]["unitid"]},
        )
    yield from detail_pages(notices, lambda notice: _hanweb_detail_html(content, notice))


def _hanweb_detail_html(content: dict[str, Any], notice: dict[str, Any]) -> str:
    meta = {
        "SiteName": content["site_name"],
        "SiteDomain": urlsplit(notice["url"]).netloc,
        "SiteIDCode": content.get("site_id_code", ""),
        "ColumnName": notice.get("column_name", content["column"]["name"]),
        "ColumnType": notice.get("column_type", "政府文件"),
        "ArticleTitle": notice["title"],
        "PubDate": notice["published"],
        "ContentSource": notice.get("content_source", ""),
    }
    attachments = "\n".join(
        f'<li><a href="{escape(item["href"])}" target="_blank">{escape(item["name"])}</a></li>'
        for item in notice.get("attachments", [])
    )
    if notice.get("style") == "news":
        head = f"""<div class="sp_title">{escape(notice["title"])}</div>
<div class="sp_time"><font>来源：{escape(notice.get("content_source", ""))}</font>　<font>发布日期：{escape(notice["published"])}</font>　<font>浏览次数：<span id="c">1</span></font></div>"""
    else:
        head = f"""<table class="xxgk_table" cellspacing="0" cellpadding="0">
<tbody>
<tr><td class="td_lable">索&nbsp;引&nbsp;号：</td><td class="td_content">{escape(notice.get("index_number", ""))}</td><td class="td_lable">所属主题：</td><td class="td_content">{escape(notice.get("subject", ""))}</td></tr>
<tr><td class="td_lable">发布机构：</td><td class="td_content">{escape(notice.get("publisher", ""))}</td><td class="td_lable">发文日期：</td><td class="td_content">{escape(notice.get("issued", ""))}</td></tr>
<tr><td class="td_lable">标　　题：</td><td class="td_content" colspan="3">{escape(notice["title"])}</td></tr>
<tr><td class="td_lable">文　　号：</td><td class="td_content">{escape(notice.get("doc_number", ""))}</td><td class="td_lable">主题分类：</td><td class="td_content">{escape(notice.get("topic", ""))}</td></tr>
</tbody>
</table>
<div class="sp_title" style="display:none">{escape(notice["title"])}</div>"""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{escape(notice["title"])} {escape(content["column"]["name"])} {escape(content["site_name"])}</title>
{meta_tags(meta)}
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col76705/index.html">政府信息公开</a> &gt; <a href="/col/col{content["column"]["form"]["columnid"]}/index.html">{escape(content["column"]["name"])}</a></div>
<div class="main-txt">
{head}
<div id="zoom">
{body_html(notice)}
</div>
<ul class="xgbd">
{attachments}
</ul>
</div>
</body>
</html>
"""


# -- driver ---------------------------------------------------------------------------------------

TEMPLATES: dict[str, Callable[[dict[str, Any]], Iterator[Page]]] = {
    "trs_static": trs_static,
    "govcn_api": govcn_api,
    "hanweb_jpage": hanweb_jpage,
}


def all_templates() -> dict[str, Callable[[dict[str, Any]], Iterator[Page]]]:
    """These templates plus `coverage` (mirror/family_templates.py), which renders every other family."""
    from mirror.family_templates import TEMPLATES as coverage_templates

    return {**TEMPLATES, **coverage_templates}


def raw_pages(content: dict[str, Any]) -> Iterator[Page]:
    """`[[raw]]` entries: responses written out in full (WAF pages, odd answers)."""
    for raw in content.get("raw", []):
        yield Page(
            raw["url"],
            raw["text"].encode(raw.get("encoding", "utf-8")),
            raw.get("content_type", HTML_UTF8),
            method=raw.get("method", "GET"),
            query=raw.get("query"),
            status=raw.get("status", 200),
        )


def build(content_path: Path, fixtures_dir: Path = FIXTURES_DIR) -> int:
    return build_content(tomllib.loads(content_path.read_text(encoding="utf-8")), fixtures_dir)


def build_content(content: dict[str, Any], fixtures_dir: Path = FIXTURES_DIR) -> int:
    """Render one source's content (a parsed content file) into `fixtures_dir`; returns the response count."""
    source = content["source"]
    pages = [*all_templates()[content["template"]](content), *raw_pages(content)]
    for host in {page.host for page in pages}:
        shutil.rmtree(fixtures_dir / host / "bodies" / source, ignore_errors=True)
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for page in pages:
        name = page.path.strip("/").replace("/", "_") or "root"
        if page.query:
            name += "_" + "_".join(f"{key}-{value}" for key, value in sorted(page.query.items()))
        if page.form:  # two columns behind one POST endpoint differ only in the form
            name += "_" + "_".join(f"{key}-{value}" for key, value in sorted(page.form.items()))
        body = f"bodies/{source}/{name}"
        host_dir = fixtures_dir / page.host
        (host_dir / body).parent.mkdir(parents=True, exist_ok=True)
        (host_dir / body).write_bytes(page.body)
        entry: dict[str, Any] = {"method": page.method, "path": page.path}
        if page.query:
            entry["query"] = page.query
        if page.form:
            entry["form"] = page.form
        entry.update(status=page.status, headers={"Content-Type": page.content_type}, body=body)
        by_host[page.host].append(entry)
    for host, entries in by_host.items():
        responses_file = fixtures_dir / host / "responses.json"
        kept = []
        if responses_file.exists():
            old = json.loads(responses_file.read_text(encoding="utf-8"))
            kept = [entry for entry in old if not entry["body"].startswith(f"bodies/{source}/")]
        responses_file.write_text(json.dumps(kept + entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(pages)


def main(argv: list[str]) -> int:
    names = argv or sorted(path.stem for path in CONTENT_DIR.glob("*.toml"))
    for name in names:
        count = build(CONTENT_DIR / f"{name}.toml")
        print(f"{name}: {count} responses")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`scs extract`: one saved page through the crawl's own decoding, extraction and date stages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scs.commands.extract import extract_record, render

# A synthetic table-layout page in the shape of old county sites: GB2312 declared in a <meta>, no known
# body container, the site name before a bare `-` in <title>, markup inside ArticleTitle, 公告时间 and
# 来源 on one line with buttons, 【文 号】 in the text, trailing chrome.
TABLE_LAYOUT = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="<font color=red>关于公布2023年度守信企业名单的公告</font>">
<title>某县人民政府-关于公布2023年度守信企业名单的公告</title></head>
<body><table><tr><td><a href="/">首页</a> <a href="/a">政务公开</a> <a href="/b">政策文件</a>
<a href="/c">办事服务</a></td></tr>
<tr><td><table><tr><td>关于公布2023年度守信企业名单的公告</td></tr>
<tr><td>公告时间：2023-05-06 来源：县发展和改革局 【打印】【关闭】</td></tr>
<tr><td><p>【文 号】 某发改〔2023〕12号
<p>根据《某县守信联合激励办法》，经审核，现将2023年度守信企业名单公告如下：
<p>一、某某公司<p>二、某某合作社<p>特此公告。<p>某县发展和改革局<p>2023年5月6日
</td></tr></table></td></tr><tr><td>扫一扫在手机打开当前页</td></tr>
<tr><td>版权所有：某县人民政府 地址：某县某路1号 电话：0000-1234567</td></tr></table></body></html>
"""


def test_a_gb2312_table_layout_page() -> None:
    record, problem = extract_record(TABLE_LAYOUT.encode("gb2312"), "http://www.example.gov.cn/art/1.html")
    assert problem == ""
    assert record["encoding"] == "gb18030"  # GB2312 declared, decoded as its superset
    assert (record["title"], record["published"], record["publisher"], record["doc_number"]) == (
        "关于公布2023年度守信企业名单的公告",
        "2023-05-06",
        "县发展和改革局",
        "某发改〔2023〕12号",
    )
    assert record["body"].startswith("根据《某县守信联合激励办法》")
    assert record["body"].endswith("某县发展和改革局\n\n2023年5月6日")
    assert record["rules"]["publisher"] == "label 来源"
    assert record["rules"]["published"] == "label:公告时间"
    assert record["rules"]["body"].startswith("densest text block <td>")
    assert "fallback-extractor" in record["flags"]
    text = render(record)
    assert "publisher   县发展和改革局  [label 来源]" in text.splitlines()


def _scs(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    scs = Path(sys.executable).with_name("scs")
    command = [str(scs)] if scs.exists() else [sys.executable, "-m", "scs.cli"]
    return subprocess.run([*command, "extract", *args], input=stdin, capture_output=True, check=False)


def test_cli_reads_stdin_and_prints_json() -> None:
    result = _scs("-", "--json", stdin=TABLE_LAYOUT.encode("gb2312"))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert {"title", "published", "doc_number", "publisher", "body", "rules"} <= record.keys()
    assert record["url"] is None and record["doc_number"] == "某发改〔2023〕12号"


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    missing = _scs(str(tmp_path / "none.html"))
    assert missing.returncode == 2 and b"cannot read" in missing.stderr
    empty_body = tmp_path / "empty.html"
    empty_body.write_bytes(b"<html><head><title>t</title></head><body><div id='zoom'> </div></body></html>")
    result = _scs(str(empty_body))
    assert result.returncode == 1 and b"no notice from" in result.stderr and b"empty-body" in result.stderr

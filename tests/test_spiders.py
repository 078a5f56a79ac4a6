"""The three first sources, crawled for real from the offline mirror (a subprocess per run).

Expectations come from the hand-written content files the fixtures were built from
(`mirror/content/<source>.toml`) plus explicit checks of the tricky pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from mirror.server import MirrorServer, load_fixtures

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("ndrc", "govcn", "jiangsu")
BAD_KINDS = {"missing": "http-error", "empty-body": "empty-body", "pdf": "not-html", "empty-response": "empty-response"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("crawl") / "items.jsonl"
    with MirrorServer() as mirror:
        result = subprocess.run(
            [sys.executable, "-m", "crawler.dump", *SOURCES, "--mirror", mirror.url, "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=REPO,
        )
        hits = list(mirror.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    by_source: dict[str, dict[str, Any]] = defaultdict(lambda: {"notices": {}, "failed": [], "stats": None})
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        bucket = by_source[record["source"]]
        if record["type"] == "notice":
            assert record["url"] not in bucket["notices"], f"notice yielded twice: {record['url']}"
            bucket["notices"][record["url"]] = record
        elif record["type"] == "failed":
            bucket["failed"].append(record)
        else:
            bucket["stats"] = record
    return {"sources": by_source, "hits": hits}


def content(source: str) -> dict[str, Any]:
    return tomllib.loads((REPO / "mirror" / "content" / f"{source}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", SOURCES)
def test_every_good_page_becomes_a_notice_with_its_fields(crawl: dict[str, Any], source: str) -> None:
    notices = crawl["sources"][source]["notices"]
    good = [n for n in content(source)["notices"] if not n.get("bad")]
    assert sorted(notices) == sorted(n["url"] for n in good)
    for expected in good:
        notice = notices[expected["url"]]
        assert notice["title"] == expected["title"]
        assert notice["source"] == source
        assert notice["doc_number"] == expected.get("doc_number", "")
        assert notice["jurisdiction"] == ("320000" if source == "jiangsu" else "000000")
        assert notice["body"] and "\n\n\n" not in notice["body"]
        for paragraph in expected["body"].strip().split("\n\n"):
            assert " ".join(paragraph.split()) in notice["body"].split("\n\n"), paragraph
        assert [a["name"] for a in notice["attachments"]] == [a["name"] for a in expected.get("attachments", [])]
        assert all(a["url"].startswith("https://") for a in notice["attachments"])
        assert notice["date_candidates"], notice["url"]


@pytest.mark.parametrize("source", SOURCES)
def test_bad_pages_are_failed_pages_with_their_kind(crawl: dict[str, Any], source: str) -> None:
    failed = {(f["url"], f["kind"]) for f in crawl["sources"][source]["failed"]}
    expected = {(n["url"], BAD_KINDS[n["bad"]]) for n in content(source)["notices"] if n.get("bad")}
    assert expected <= failed
    stats = crawl["sources"][source]["stats"]
    assert stats["finish_reason"] == "finished"
    assert sum(v for k, v in stats["stats"].items() if k.startswith("scs/failed/")) == len(failed)
    assert stats["stats"]["scs/detail_pages"] + stats["stats"].get("scs/failed/http-error", 0) >= len(
        content(source)["notices"]
    )


def test_ndrc_notice_fields(crawl: dict[str, Any]) -> None:
    notice = crawl["sources"]["ndrc"]["notices"]["https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/t20250718_1399285.html"]
    assert notice["publisher"] == "财金司"  # no 发文机关 on the page: its 来源 (the content file's content_source)
    assert notice["list_date_raw"] == "2025/07/18"
    assert {(c["kind"], c["label"], c["raw"]) for c in notice["date_candidates"]} >= {
        ("meta", "PubDate", "2025-07-18 10:30"),
        ("list", "", "2025/07/18"),
    }
    paragraphs = notice["body"].split("\n\n")
    assert notice["doc_number"] == "发改办财金〔2025〕512号"  # read off the line atop the text, which is cut
    assert paragraphs[0].startswith("各省、自治区、直辖市及计划单列市、新疆生产建设兵团发展改革委")
    assert paragraphs[-2:] == ["国家发展改革委办公厅", "2025年7月15日"]
    assert notice["attachments"] == [
        {
            "url": "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/P020250718380261745632.pdf",
            "name": "信用修复申请材料清单.pdf",
            "type": "pdf",
        }
    ]
    assert notice["meta"]["SiteIDCode"] == "bm04000001"
    assert notice["meta"]["ColumnName"] == "通知"


def test_ndrc_paging_stops_at_the_last_page(crawl: dict[str, Any]) -> None:
    paths = {hit.path for hit in crawl["hits"] if hit.host == "www.ndrc.gov.cn"}
    assert {"/xxgk/zcfb/tz/index.html", "/xxgk/zcfb/tz/index_1.html", "/xxgk/zcfb/ghxwj/index.html"} <= paths
    assert "/xxgk/zcfb/tz/index_2.html" not in paths
    assert "/xxgk/zcfb/ghxwj/index_1.html" not in paths
    assert crawl["sources"]["ndrc"]["stats"]["stats"]["scs/list_pages"] == 3


def test_govcn_api_rows_and_page_metadata(crawl: dict[str, Any]) -> None:
    notices = crawl["sources"]["govcn"]["notices"]
    notice = notices["https://www.gov.cn/zhengce/content/202507/content_7033812.htm"]
    assert notice["publisher"] == "国务院办公厅"
    candidates = [(c["kind"], c["label"], c["raw"]) for c in notice["date_candidates"]]
    assert candidates[:4] == [
        ("meta", "firstpublishedtime", "2025-07-15-16:30:12"),
        ("label", "成文日期", "2025年07月08日"),
        ("label", "发布日期", "2025年07月15日"),
        ("api", "", "2025.07.15"),
    ]
    assert (notice["meta"]["公文种类"], notice["meta"]["主题分类"]) == ("通知", "综合政务\\其他")
    department = notices["https://www.gov.cn/zhengce/zhengceku/202507/content_7033850.htm"]
    assert (department["publisher"], department["doc_number"]) == ("市场监管总局", "国市监信规〔2025〕3号")
    old = notices["https://www.gov.cn/zhengce/content/202507/content_7033498.htm"]
    assert old["title"] == "国务院办公厅关于切实做好夏季森林草原防火工作的紧急通知"  # from <title>, site name cut
    assert old["body"].startswith("各省、自治区、直辖市人民政府")  # body sits after </html> on the old template
    assert old["doc_number"] == "国办发明电〔2025〕6号"


def test_govcn_api_requests_and_paging(crawl: dict[str, Any]) -> None:
    api_hits = [hit for hit in crawl["hits"] if hit.host == "sousuo.www.gov.cn" and hit.path == "/search-gov/data"]
    combined = sorted(hit.query["p"] for hit in api_hits if hit.query["t"] == "zhengcelibrary")
    assert combined == ["1", "2"]  # page 2 has fewer rows than n=10 in every bucket
    assert all(hit.query["n"] == "10" for hit in api_hits)
    assert all("Chrome" in hit.headers["User-Agent"] for hit in api_hits)
    assert all(hit.headers["Referer"] == "https://sousuo.www.gov.cn/" for hit in api_hits)
    failed = {f["kind"]: f for f in crawl["sources"]["govcn"]["failed"]}
    assert "zhengcelibrary_gw" in failed["not-json"]["url"]
    assert failed["not-json"]["status"] == 200 and failed["not-json"]["body_size"] > 0


def test_jiangsu_gb18030_page_and_xxgk_fields(crawl: dict[str, Any]) -> None:
    notices = crawl["sources"]["jiangsu"]["notices"]
    fixtures = load_fixtures()["www.jiangsu.gov.cn"]
    gb_page = next(f for f in fixtures if f.path == "/art/2025/7/7/art_46143_11588406.html")
    assert gb_page.headers["Content-Type"] == "text/html; charset=gb2312"
    assert "陈堃".encode("gb18030") in gb_page.body_path.read_bytes()
    notice = notices["https://www.jiangsu.gov.cn/art/2025/7/7/art_46143_11588406.html"]
    assert "陈堃" in notice["body"] and "南京镕达建设工程有限公司" in notice["body"]
    assert notice["flags"] == []
    assert (notice["publisher"], notice["doc_number"]) == ("江苏省人民政府", "省政府令第168号")
    assert (notice["meta"]["索引号"], notice["meta"]["所属主题"]) == ("014000319/2025-00188", "社会信用")
    assert ("label", "发文日期", "2025-06-30") in [(c["kind"], c["label"], c["raw"]) for c in notice["date_candidates"]]
    promise = notices["https://www.jiangsu.gov.cn/art/2025/6/10/art_46143_11580577.html"]
    assert [(a["type"], a["url"]) for a in promise["attachments"]] == [
        ("doc", "https://www.jiangsu.gov.cn/module/download/downfile.jsp?classid=0&filename=2506101700112.doc"),
        ("xlsx", "https://www.jiangsu.gov.cn/module/download/downfile.jsp?classid=0&filename=2506101700113.xlsx"),
    ]


def test_jiangsu_news_page_byline(crawl: dict[str, Any]) -> None:
    news = crawl["sources"]["jiangsu"]["notices"]["https://www.jiangsu.gov.cn/art/2025/7/4/art_60096_11587655.html"]
    assert news["publisher"] == "省发展改革委"  # no 发文机关 on a news page: its 来源 names who published it
    candidates = [(c["kind"], c["label"], c["raw"]) for c in news["date_candidates"]]
    assert ("label", "发布日期", "2025-07-04 11:08") in candidates
    assert ("byline", "", "2025-07-04 11:08") in candidates


def test_jiangsu_dataproxy_requests(crawl: dict[str, Any]) -> None:
    posts = [hit for hit in crawl["hits"] if hit.host == "www.jiangsu.gov.cn" and hit.method == "POST"]
    assert sorted((hit.query["startrecord"], hit.query["endrecord"]) for hit in posts) == [("1", "10"), ("11", "20")]
    for hit in posts:
        assert hit.path == "/module/web/jpage/dataproxy.jsp"
        assert hit.form["columnid"] == "76841" and hit.form["unitid"] == "297589"
        assert hit.form["webname"] == "江苏省人民政府"
        assert hit.headers["X-Requested-With"] == "XMLHttpRequest"
        assert hit.headers["Referer"] == "https://www.jiangsu.gov.cn/col/col76841/index.html"


def test_robots_txt_is_asked_of_every_real_host(crawl: dict[str, Any]) -> None:
    asked = {hit.host for hit in crawl["hits"] if hit.path == "/robots.txt"}
    assert asked == {"www.ndrc.gov.cn", "sousuo.www.gov.cn", "www.gov.cn", "www.jiangsu.gov.cn"}


def test_stored_urls_are_the_real_ones(crawl: dict[str, Any]) -> None:
    for source in SOURCES:
        bucket = crawl["sources"][source]
        for url in [*bucket["notices"], *(f["url"] for f in bucket["failed"])]:
            assert url.startswith("https://") and "127.0.0.1" not in url

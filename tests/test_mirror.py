"""The offline mirror server and the middleware that points crawls at it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import MIRROR_HOST_HEADER, MirrorMiddleware, mirror_url_for
from crawler.spiders.base import ORIGINAL_URL_META
from mirror.server import FIXTURES_DIR, FixtureError, MirrorServer, load_fixtures

GB18030_PAGE = '<html><head><meta charset="gb2312"><title>陈堃</title></head><body>镕</body></html>'.encode("gb18030")


@pytest.fixture
def fixtures_dir(tmp_path: Path) -> Path:
    host = tmp_path / "www.example.gov.cn"
    (host / "bodies").mkdir(parents=True)
    (host / "bodies" / "page.html").write_bytes(GB18030_PAGE)
    (host / "bodies" / "list1.xml").write_bytes(b"<totalrecord>2</totalrecord>1")
    (host / "bodies" / "list2.xml").write_bytes(b"<totalrecord>2</totalrecord>2")
    (host / "bodies" / "any.xml").write_bytes(b"any")
    entries = [
        {
            "method": "GET",
            "path": "/art/page.html",
            "status": 200,
            "headers": {"Content-Type": "text/html; charset=gb2312"},
            "body": "bodies/page.html",
        },
        {"method": "POST", "path": "/proxy.jsp", "form": {"columnid": "1"}, "body": "bodies/any.xml"},
        {
            "method": "POST",
            "path": "/proxy.jsp",
            "query": {"startrecord": "1"},
            "form": {"columnid": "1"},
            "body": "bodies/list1.xml",
        },
        {
            "method": "POST",
            "path": "/proxy.jsp",
            "query": {"startrecord": "3"},
            "form": {"columnid": "1"},
            "body": "bodies/list2.xml",
        },
    ]
    (host / "responses.json").write_text(json.dumps(entries), encoding="utf-8")
    return tmp_path


def fetch(url: str, host: str = "", data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers={MIRROR_HOST_HEADER: host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_serves_raw_bytes_with_recorded_headers(fixtures_dir: Path) -> None:
    with MirrorServer(fixtures_dir=fixtures_dir) as mirror:
        status, headers, body = fetch(f"{mirror.url}/art/page.html", "www.example.gov.cn")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=gb2312"
    assert body == GB18030_PAGE


def test_unknown_paths_hosts_and_robots_are_404(fixtures_dir: Path) -> None:
    with MirrorServer(fixtures_dir=fixtures_dir) as mirror:
        assert fetch(f"{mirror.url}/art/other.html", "www.example.gov.cn")[0] == 404
        assert fetch(f"{mirror.url}/art/page.html", "www.elsewhere.gov.cn")[0] == 404
        assert fetch(f"{mirror.url}/robots.txt", "www.example.gov.cn")[0] == 404


def test_post_matches_query_and_form_most_specific_first(fixtures_dir: Path) -> None:
    with MirrorServer(fixtures_dir=fixtures_dir) as mirror:
        host = "www.example.gov.cn"
        page1 = fetch(f"{mirror.url}/proxy.jsp?startrecord=1&endrecord=2", host, b"columnid=1&webid=1")
        page2 = fetch(f"{mirror.url}/proxy.jsp?startrecord=3&endrecord=4", host, b"columnid=1&webid=1")
        other_range = fetch(f"{mirror.url}/proxy.jsp?startrecord=9", host, b"columnid=1")
        wrong_form = fetch(f"{mirror.url}/proxy.jsp?startrecord=1", host, b"columnid=2")
        as_get = fetch(f"{mirror.url}/proxy.jsp?startrecord=1", host)
    assert page1[2].endswith(b"1") and page2[2].endswith(b"2")
    assert other_range[2] == b"any"  # the entry without a query matches any query
    assert wrong_form[0] == 404
    assert as_get[0] == 404


def test_hit_log_records_every_request(fixtures_dir: Path) -> None:
    with MirrorServer(fixtures_dir=fixtures_dir) as mirror:
        fetch(f"{mirror.url}/art/page.html?a=1", "www.example.gov.cn")
        fetch(f"{mirror.url}/proxy.jsp?startrecord=1", "www.example.gov.cn", b"columnid=1")
        fetch(f"{mirror.url}/nothing", "www.example.gov.cn")
        hits = mirror.hits_for("www.example.gov.cn")
    assert [(h.method, h.path, h.query, h.form, h.status) for h in hits] == [
        ("GET", "/art/page.html", {"a": "1"}, {}, 200),
        ("POST", "/proxy.jsp", {"startrecord": "1"}, {"columnid": "1"}, 200),
        ("GET", "/nothing", {}, {}, 404),
    ]
    assert hits[0].headers[MIRROR_HOST_HEADER] == "www.example.gov.cn"


def test_browser_path_form_names_the_host(fixtures_dir: Path) -> None:
    with MirrorServer(fixtures_dir=fixtures_dir) as mirror:
        status, _, body = fetch(f"{mirror.url}/www.example.gov.cn/art/page.html")
    assert (status, body) == (200, GB18030_PAGE)


def test_broken_fixture_files_fail_at_load(tmp_path: Path) -> None:
    host = tmp_path / "www.example.gov.cn"
    host.mkdir()
    (host / "responses.json").write_text('[{"path": "/a.html", "body": "bodies/missing.html"}]', encoding="utf-8")
    with pytest.raises(FixtureError, match="does not exist"):
        load_fixtures(tmp_path)
    (host / "responses.json").write_text("[{", encoding="utf-8")
    with pytest.raises(FixtureError, match="not valid JSON"):
        load_fixtures(tmp_path)


def test_committed_fixtures_load() -> None:
    fixtures = load_fixtures(FIXTURES_DIR)
    assert {"www.ndrc.gov.cn", "sousuo.www.gov.cn", "www.gov.cn", "www.jiangsu.gov.cn"} <= set(fixtures)


# -- middleware ----------------------------------------------------------------------------------


def test_mirror_url_keeps_path_and_query() -> None:
    assert mirror_url_for("https://www.ndrc.gov.cn/a/b.html?x=1&y=", "http://127.0.0.1:9/") == (
        "http://127.0.0.1:9/a/b.html?x=1&y="
    )
    assert mirror_url_for("https://www.gov.cn", "http://127.0.0.1:9") == "http://127.0.0.1:9/"


def test_middleware_sends_requests_to_the_mirror_and_restores_the_url() -> None:
    middleware = MirrorMiddleware("http://127.0.0.1:9")
    original = Request("https://www.ndrc.gov.cn/xxgk/index.html?p=2", method="POST", body=b"a=1")
    mirrored = middleware.process_request(original)
    assert mirrored is not None
    assert mirrored.url == "http://127.0.0.1:9/xxgk/index.html?p=2"
    assert mirrored.headers[MIRROR_HOST_HEADER] == b"www.ndrc.gov.cn"
    assert (mirrored.method, mirrored.body) == ("POST", b"a=1")
    assert mirrored.meta[ORIGINAL_URL_META] == original.url
    assert mirrored.dont_filter and mirrored.meta["dont_obey_robotstxt"]
    assert middleware.process_request(mirrored) is None  # already on the mirror
    response = HtmlResponse(mirrored.url, body=b"<html></html>", request=mirrored)
    assert middleware.process_response(mirrored, response).url == original.url


def test_middleware_is_off_without_a_mirror_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCS_MIRROR_URL", raising=False)
    with pytest.raises(NotConfigured):
        MirrorMiddleware.from_crawler(get_crawler(settings_dict={"SCS_MIRROR_URL": ""}))
    monkeypatch.setenv("SCS_MIRROR_URL", "http://127.0.0.1:8765")
    assert MirrorMiddleware.from_crawler(get_crawler()).mirror_url == "http://127.0.0.1:8765"


# -- encoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/html; charset=gb2312"}, {"Content-Type": "text/html; charset=GBK"}, {}],
    ids=["header-gb2312", "header-gbk", "meta-only"],
)
def test_gb_family_pages_decode_as_gb18030(headers: dict[str, str]) -> None:
    """堃 and 镕 are outside GB2312: decoding with the declared codec would lose them."""
    response = HtmlResponse("https://www.example.gov.cn/", body=GB18030_PAGE, headers=headers)
    assert response.encoding == "gb18030"
    assert "陈堃" in response.text and "镕" in response.text


def test_scs_mirror_command_serves_the_fixtures() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "scs.cli", "mirror", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first_line)
        assert match, first_line
        status, _, body = fetch(f"{match.group(0)}/xxgk/zcfb/tz/index.html", "www.ndrc.gov.cn")
        assert status == 200 and 'class="u-list"' in body.decode("utf-8")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_scs_mirror_serves_a_fault_table_from_json(tmp_path: Path) -> None:
    import signal

    table = tmp_path / "faults.json"
    table.write_text(
        json.dumps([{"host": "www.ndrc.gov.cn", "path": "/xxgk/zcfb/tz/index.html", "status": 503, "times": 1}]),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "scs.cli", "mirror", "--port", "0", "--faults", str(table)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as mirror:
        assert mirror.stdout is not None
        assert mirror.stdout.readline() == f"with 1 fault(s) from {table}\n"
        url = re.findall(r"http://127\.0\.0\.1:\d+", mirror.stdout.readline())[0]
        request = urllib.request.Request(
            url + "/xxgk/zcfb/tz/index.html", headers={MIRROR_HOST_HEADER: "www.ndrc.gov.cn"}
        )
        with pytest.raises(urllib.error.HTTPError) as first:
            urllib.request.urlopen(request, timeout=10)
        first.value.close()
        with urllib.request.urlopen(request, timeout=10) as second:  # times = 1: then the recorded page
            assert second.status == 200
        mirror.send_signal(signal.SIGINT)
        _out, err = mirror.communicate(timeout=30)
    assert first.value.code == 503 and mirror.returncode == 0 and "Traceback" not in err

"""Fault injection: crawl the mirror while it misbehaves in every way a real server does.

One crawl of ndrc and govcn against a `FaultyMirror` with a different fault on each
listed page; then, per fault: no crash, retries only where sensible (counted in the
mirror's own hit log), nothing wrong stored, every listed URL ending as exactly one of
stored or recorded failure, and every failure counted in the run record.
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from dataclasses import dataclass

import pytest
from crawl_harness import REPO, run_scs
from sqlalchemy import select

from crawler.redirectloop import redirect_loop
from mirror.faults import Fault, FaultyMirror
from store.db import Store
from store.models import CrawlRun, Notice, QuarantinedPage, SourceRun

pytestmark = pytest.mark.slow

NDRC = "www.ndrc.gov.cn"
TZ = "/xxgk/zcfb/tz"
GHXWJ = "/xxgk/zcfb/ghxwj"
TIMEOUT = 3.0  # DOWNLOAD_TIMEOUT of the crawl under test: generous, so a busy machine does not time out healthy pages
RETRIES = 2  # RETRY_TIMES: a page that always fails is requested 1 + 2 times

WAF_PAGE = "<html><head><title>访问受限</title></head><body><p>您的访问过于频繁，请稍后再试。</p></body></html>"
FAULTS = {
    (NDRC, f"{TZ}/202507/t20250718_1399285.html"): Fault(status=503, times=1),
    (NDRC, f"{TZ}/202507/t20250716_1399207.html"): Fault(status=429, headers={"Retry-After": "1"}, times=1),
    (NDRC, f"{TZ}/202507/t20250711_1399102.html"): Fault(status=500),
    (NDRC, f"{TZ}/202507/t20250709_1399051.html"): Fault(delay=TIMEOUT + 5),
    (NDRC, f"{TZ}/202507/t20250704_1398966.html"): Fault(reset=True),
    (NDRC, f"{TZ}/202506/t20250627_1398803.html"): Fault(truncate=True),
    (NDRC, f"{TZ}/202506/t20250624_1398755.html"): Fault(charset="gbk"),  # UTF-8 bytes declared gbk
    (NDRC, f"{TZ}/202506/t20250619_1398690.html"): Fault(redirect_to="/loop-b.html"),
    (NDRC, "/loop-b.html"): Fault(redirect_to=f"{TZ}/202506/t20250619_1398690.html"),
    (NDRC, f"{TZ}/202506/t20250612_1398577.html"): Fault(body=b""),
    (NDRC, f"{TZ}/202506/t20250606_1398490.html"): Fault(huge=50 * 1024 * 1024),
    (NDRC, f"{GHXWJ}/202507/t20250715_1399180.html"): Fault(body=WAF_PAGE.encode()),
    # GB18030 bytes (of the page above, re-encoded) served as UTF-8, instead of the 404 that was there.
    (NDRC, f"{TZ}/202506/t20250617_1398641.html"): Fault(
        body=(REPO / "mirror/fixtures" / NDRC / "bodies/ndrc/xxgk_zcfb_tz_202506_t20250624_1398755.html")
        .read_bytes()
        .decode("utf-8")
        .encode("gb18030")
    ),
    (NDRC, "/robots.txt"): Fault(body=f"User-agent: *\nDisallow: {GHXWJ}/202506/t20250630_1398850.html\n".encode()),
    ("sousuo.www.gov.cn", "/search-gov/data"): Fault(
        body=b"<html><body>\xe7\xbb\xb4\xe6\x8a\xa4\xe4\xb8\xad</body></html>"
    ),
}


@dataclass
class FaultyCrawl:
    result: subprocess.CompletedProcess[str]
    mirror: FaultyMirror
    db_url: str

    def hits(self, path: str, host: str = NDRC) -> int:
        return sum(1 for hit in self.mirror.hits if (hit.host, hit.path) == (host, path))

    def outcome(self, path: str) -> list[str]:
        """What became of the ndrc page at `path`: ["stored"] or the quarantine kinds."""
        url = f"https://{NDRC}{path}"
        store = Store(self.db_url, upgrade=False)
        with store.session() as session:
            stored = ["stored"] if session.scalar(select(Notice.id).where(Notice.url == url)) else []
            kinds = list(session.scalars(select(QuarantinedPage.kind).where(QuarantinedPage.url == url)))
        store.dispose()
        return stored + kinds

    def reason(self, path: str) -> str:
        store = Store(self.db_url, upgrade=False)
        with store.session() as session:
            reasons = session.scalars(
                select(QuarantinedPage.reason).where(QuarantinedPage.url == f"https://{NDRC}{path}")
            )
            text = " | ".join(reasons)
        store.dispose()
        return text


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> FaultyCrawl:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'scs.sqlite3'}"
    mirror = FaultyMirror(FAULTS).start()
    try:
        result = run_scs(
            db_url,
            "crawl",
            "ndrc",
            "govcn",
            "--mirror",
            mirror.url,
            "-s",
            f"DOWNLOAD_TIMEOUT={TIMEOUT}",
            "-s",
            f"RETRY_TIMES={RETRIES}",
            "-s",
            "SCS_RETRY_BASE_DELAY=0.2",
            "-s",
            "SCS_RETRY_JITTER=0",
            "--log-level",
            "INFO",
        )
    finally:
        mirror.stop()
    return FaultyCrawl(result, mirror, db_url)


def test_the_crawl_survives_and_exits_non_zero(crawl: FaultyCrawl) -> None:
    # The one traceback allowed: Twisted's AlreadyCalledError when the HTTP handler's connection pool
    # is closed while the faulty server still holds a connection (scrapy #2653), after the spider closed.
    tracebacks = crawl.result.stderr.split("Traceback (most recent call last):")[1:]
    assert all("AlreadyCalledError" in block for block in tracebacks), tracebacks
    assert crawl.result.returncode == 1, crawl.result.stdout + crawl.result.stderr[-3000:]
    assert "Spider closed (finished)" in crawl.result.stderr


@pytest.mark.parametrize(
    ("path", "outcome", "hits"),
    [
        (f"{TZ}/202507/t20250718_1399285.html", ["stored"], 2),  # 503 once: retried, then stored
        (f"{TZ}/202507/t20250716_1399207.html", ["stored"], 2),  # 429 + Retry-After once
        (f"{TZ}/202507/t20250711_1399102.html", ["http-error"], 1 + RETRIES),  # 500 for good
        (f"{TZ}/202507/t20250709_1399051.html", ["timeout"], 1 + RETRIES),
        # Connection reset. Twisted's connection pool itself re-sends once a request whose reused
        # keep-alive connection died, so each of Scrapy's attempts may reach the server twice.
        (f"{TZ}/202507/t20250704_1398966.html", ["network-error"], range(1 + RETRIES, 2 * (1 + RETRIES) + 1)),
        (f"{TZ}/202506/t20250627_1398803.html", ["network-error"], 1 + RETRIES),  # truncated body
        (f"{TZ}/202506/t20250612_1398577.html", ["empty-response"], 1),  # empty 200
        (f"{GHXWJ}/202507/t20250715_1399180.html", ["blocked"], 1),  # WAF page: not parsed, not retried
        (f"{GHXWJ}/202506/t20250630_1398850.html", ["ignored"], 0),  # robots.txt: never requested
        (f"{GHXWJ}/202506/P020250620512398765432.pdf", ["not-html"], 1),
    ],
)
def test_each_fault_ends_as_exactly_one_outcome(
    crawl: FaultyCrawl, path: str, outcome: list[str], hits: int | range
) -> None:
    assert crawl.outcome(path) == outcome, crawl.reason(path)
    assert crawl.hits(path) in (hits if isinstance(hits, range) else [hits])


def test_retry_after_was_waited_for(crawl: FaultyCrawl) -> None:
    first, second = crawl.mirror.times_of(NDRC, f"{TZ}/202507/t20250716_1399207.html")
    assert second - first >= 0.95


def test_backoff_grows_between_retries(crawl: FaultyCrawl) -> None:
    times = crawl.mirror.times_of(NDRC, f"{TZ}/202507/t20250711_1399102.html")
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[0] >= 0.19 and gaps[1] >= 0.39, gaps  # 0.2 s, then 0.4 s


def test_redirect_loop_is_recorded_not_dropped(crawl: FaultyCrawl) -> None:
    path = f"{TZ}/202506/t20250619_1398690.html"
    assert crawl.outcome(path) == ["ignored"]
    assert "redirect loop" in crawl.reason(path)
    assert crawl.hits(path) == 1 and crawl.hits("/loop-b.html") == 1


def test_a_50_mb_page_is_cut_off_and_recorded(crawl: FaultyCrawl) -> None:
    path = f"{TZ}/202506/t20250606_1398490.html"
    outcome = crawl.outcome(path)
    assert len(outcome) == 1 and outcome != ["stored"], outcome


def stored_notice(crawl: FaultyCrawl, path: str) -> Notice:
    """The notice stored for the NDRC page at `path` (its attributes loaded: sessions do not expire on commit)."""
    store = Store(crawl.db_url, upgrade=False)
    with store.session() as session:
        notice = session.scalars(select(Notice).where(Notice.url == f"https://{NDRC}{path}")).one()
    store.dispose()
    return notice


def test_a_utf8_page_declared_gbk_is_never_stored_as_mojibake(crawl: FaultyCrawl) -> None:
    path = f"{TZ}/202506/t20250624_1398755.html"
    outcome = crawl.outcome(path)
    assert len(outcome) == 1, outcome
    if outcome == ["stored"]:
        notice = stored_notice(crawl, path)
        assert notice.title == "国家发展改革委关于降低部分地区跨省跨区专项工程输电价格的通知"
        assert "鍏" not in notice.body and "鍙" not in notice.body


def test_gbk_bytes_declared_utf8_are_never_stored_garbled(crawl: FaultyCrawl) -> None:
    path = f"{TZ}/202506/t20250617_1398641.html"
    outcome = crawl.outcome(path)
    assert len(outcome) == 1, outcome
    if outcome == ["stored"]:
        notice = stored_notice(crawl, path)
        assert notice.title == "国家发展改革委关于降低部分地区跨省跨区专项工程输电价格的通知"
        assert "\ufffd" not in notice.title + notice.body


def test_html_where_json_was_expected_is_recorded(crawl: FaultyCrawl) -> None:
    store = Store(crawl.db_url, upgrade=False)
    with store.session() as session:
        kinds = Counter(session.scalars(select(QuarantinedPage.kind).where(QuarantinedPage.source == "govcn")))
        assert kinds == {"not-json": 2}  # both API columns
        assert session.scalar(select(Notice.id).where(Notice.source == "govcn")) is None
    store.dispose()


def test_nothing_wrong_is_stored(crawl: FaultyCrawl) -> None:
    store = Store(crawl.db_url, upgrade=False)
    with store.session() as session:
        notices = list(session.scalars(select(Notice)))
    store.dispose()
    for notice in notices:
        for marker in ("访问受限", "fault: HTTP", "padding", "鍏充簬"):
            assert marker not in notice.title + notice.body, (notice.url, marker)
    assert {n.url.rsplit("/", 1)[1] for n in notices} <= {
        "t20250718_1399285.html",
        "t20250716_1399207.html",
        "t20250624_1398755.html",
        "t20250617_1398641.html",
    }


def test_every_failure_is_counted_in_the_run_record(crawl: FaultyCrawl) -> None:
    store = Store(crawl.db_url, upgrade=False)
    with store.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        rows = {row.source: row for row in session.scalars(select(SourceRun).where(SourceRun.run_id == run.id))}
        quarantined = Counter(session.scalars(select(QuarantinedPage.kind).where(QuarantinedPage.source == "ndrc")))
        stored = session.scalar(select(Notice.id).where(Notice.source == "ndrc"))
    store.dispose()
    ndrc = rows["ndrc"]
    assert {kind: count for kind, count in ndrc.errors.items() if not kind.startswith("spider_exceptions")} == dict(
        quarantined
    )
    assert stored is not None and ndrc.notices_new >= 2
    assert ndrc.status == "blocked" and ndrc.blocked
    assert rows["govcn"].status in ("failing", "broken")
    assert run.status == "failed"


def test_redirect_loop_detection() -> None:
    assert redirect_loop(["https://a/x", "https://a/y"], ["https://a/x#top"]) == "https://a/x#top"
    assert redirect_loop(["https://a/x"], ["https://a/z"]) is None

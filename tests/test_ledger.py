"""The ledger of listed URLs: a notice whose store failed is fetched again, whatever list pages a run reads.

Unit tests of `store.ledger` on SQLite and PostgreSQL, then crawls of a generated SYNTHETIC
mirror of `mot` (90 notices, 3 list pages per column): a notice missing from the store but
listed is fetched by the next run although its list page is not read again, and the locked
database case from issue 14 (stores fail mid-crawl) ends, one run later, with every listed
notice stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from crawl_harness import run_scs
from generated_mirror import build_mirror
from sqlalchemy import delete, func, select, update

from mirror.faults import Fault, FaultyMirror
from mirror.server import MirrorServer
from store.db import Store
from store.ledger import due_for_retry, known_among, record_listed, record_outcome, retry_delay, unstored_counts
from store.models import ListedUrl, Notice, NoticeVersion, QuarantinedPage

SOURCE = "mot"
NOTICES = 90  # 45 per column: list pages index, index_1, index_2
HOST = "www.mot.gov.cn"
COLUMN = "/hudong/yijianzhengji"


def test_retry_delay_doubles_up_to_the_cap() -> None:
    base = dt.timedelta(minutes=10)
    assert [retry_delay(n, base) for n in (0, 1, 2, 3)] == [dt.timedelta(0), base, 2 * base, 4 * base]
    assert retry_delay(40, base) == dt.timedelta(days=7)


def test_ledger_states_lookups_and_backoff(db_url: str) -> None:
    store = Store(db_url)
    a, b, c, d = (f"https://x.gov.cn/{n}.html" for n in "abcd")
    with store.session() as session:
        record_listed(session, "x", "https://x.gov.cn/list.html", [a, b, c, d, a], known=[d], run_id=None)
    with store.session() as session:
        record_outcome(session, "x", a, "stored", final_url="https://x.gov.cn/a-moved.html", run_id=None)
        record_outcome(session, "x", b, "failed", reason="timeout: no answer", run_id=None)
        record_listed(session, "x", "https://x.gov.cn/list.html", [a, b], known=[], run_id=None)  # keeps states
    with store.session() as session:
        rows = {row.url: row for row in session.scalars(select(ListedUrl))}
        assert {url: row.state for url, row in rows.items()} == {a: "stored", b: "failed", c: "listed", d: "stored"}
        assert rows[a].final_url == "https://x.gov.cn/a-moved.html" and rows[b].attempts == 1
        # Only the URLs asked about, known from the ledger alone (no notice row exists).
        assert known_among(session, [a, b, c, "https://x.gov.cn/other.html"]) == {a}
        assert unstored_counts(session) == {"x": 2}
        later = rows[b].updated_at + dt.timedelta(minutes=11)
        assert due_for_retry(session, "x", rows[b].updated_at, base=dt.timedelta(minutes=10)) == [c]
        assert due_for_retry(session, "x", later, base=dt.timedelta(minutes=10)) == [b, c]
        assert due_for_retry(session, "x", later, max_attempts=1) == [c]  # b gave up after one failure
    with store.session() as session:
        record_outcome(session, "x", b, "failed", reason="timeout again", run_id=None)
    with store.session() as session:
        assert session.scalar(select(ListedUrl.attempts).where(ListedUrl.url == b)) == 2
    store.dispose()


def stored_urls(db_url: str) -> list[str]:
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        urls = list(session.scalars(select(Notice.url).where(Notice.source == SOURCE)))
    store.dispose()
    return urls


def list_page_urls(fixtures: Path, page_path: str) -> list[str]:
    """The detail URLs a generated list page links to, read from the fixture itself."""
    body = next((fixtures / HOST / "bodies").rglob(page_path.strip("/").replace("/", "_"))).read_text("utf-8")
    base = f"https://{HOST}{COLUMN}/"
    return [base + href.removeprefix("./") for href in re.findall(r'href="(\./\d{6}/t\d+_\d+\.html)"', body)]


@pytest.mark.slow
def test_a_listed_notice_missing_from_the_store_is_fetched_although_its_list_page_is_not_read(
    tmp_path: Path,
) -> None:
    fixtures = tmp_path / "fixtures"
    build_mirror(fixtures, {SOURCE: NOTICES})
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    last_page = f"{COLUMN}/index_2.html"
    missing = list_page_urls(fixtures, last_page)[-1]
    with MirrorServer(fixtures_dir=fixtures) as mirror:
        first = run_scs(db_url, "crawl", SOURCE, "--mirror", mirror.url)
        assert first.returncode == 0, first.stderr
        assert len(stored_urls(db_url)) == NOTICES
        # The state a lost write leaves: listed, no notice.
        store = Store(db_url, upgrade=False)
        with store.session() as session:
            session.execute(delete(Notice).where(Notice.url == missing))
            session.execute(update(ListedUrl).where(ListedUrl.url == missing).values(state="listed"))
        store.dispose()
        health = run_scs(db_url, "health", "--json", "--source", SOURCE)
        assert json.loads(health.stdout)[0]["unstored"] == 1, health.stdout + health.stderr
        mirror.hits.clear()
        second = run_scs(db_url, "crawl", SOURCE, "--mirror", mirror.url)
    assert second.returncode == 0, second.stderr
    paths = [hit.path for hit in mirror.hits]
    assert last_page not in paths  # page 1 is all known: paging stops there ...
    assert paths.count(missing.removeprefix(f"https://{HOST}")) == 1  # ... and the ledger fetched it anyway
    assert sorted(stored_urls(db_url)) == sorted(set(stored_urls(db_url))) and len(stored_urls(db_url)) == NOTICES


def lock_once_storing(path: Path, hold: float) -> None:
    """Another writer: once the crawl has stored its first notice, takes SQLite's write lock for `hold` seconds."""
    while True:
        time.sleep(0.05)
        try:
            with sqlite3.connect(path, timeout=30) as reader:
                if reader.execute("SELECT count(*) FROM notices").fetchone()[0]:
                    break
        except sqlite3.OperationalError:  # no schema yet
            continue
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    time.sleep(hold)
    connection.execute("ROLLBACK")
    connection.close()


@pytest.mark.slow
def test_locked_database_mid_crawl_fails_the_run_then_the_next_run_stores_every_listed_notice(
    tmp_path: Path,
) -> None:
    fixtures = tmp_path / "fixtures"
    build_mirror(fixtures, {SOURCE: NOTICES})
    db_path = tmp_path / "scs.sqlite3"
    db_url = f"sqlite:///{db_path}"
    # The last list page answers late, so the crawl is still running when the lock is released.
    mirror = FaultyMirror({(HOST, f"{COLUMN}/index_2.html"): Fault(delay=10.0)}, fixtures_dir=fixtures).start()
    try:
        locker = threading.Thread(target=lock_once_storing, args=(db_path, 3.0), daemon=True)
        locker.start()
        faulty = run_scs(db_url, "crawl", SOURCE, "--mirror", mirror.url, SCS_DB_LOCK_TIMEOUT="1")
        locker.join(timeout=30)
    finally:
        mirror.stop()
    assert faulty.returncode == 1, faulty.stdout + faulty.stderr
    assert "Traceback" not in faulty.stdout
    named = set(re.findall(r"^  (https://\S+)$", faulty.stderr, re.MULTILINE))
    assert named, faulty.stderr
    assert "could not be stored" in faulty.stderr
    assert not named & set(stored_urls(db_url))  # what it names is what is missing

    with MirrorServer(fixtures_dir=fixtures) as mirror:
        rerun = run_scs(db_url, "crawl", SOURCE, "--mirror", mirror.url)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == NOTICES
        assert session.scalar(select(func.count()).select_from(NoticeVersion)) == NOTICES  # each stored once
        states = dict(session.execute(select(ListedUrl.state, func.count()).group_by(ListedUrl.state)).all())
        assert states == {"stored": NOTICES}
        open_store_errors = session.scalar(
            select(func.count()).select_from(QuarantinedPage).where(QuarantinedPage.resolved.is_(False))
        )
        assert open_store_errors == 0  # the store-error rows of run 1 are closed by the stores of run 2
    store.dispose()
    assert named <= set(stored_urls(db_url))

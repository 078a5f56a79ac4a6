"""What cron needs, end to end on the mirror: resume after kill -9, no twin runs, layout drift alarms."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from crawl_harness import REPO, run_scs, scs_command, scs_env
from sqlalchemy import func, select

from mirror.faults import Fault, FaultyMirror
from mirror.server import MirrorServer
from scs.runlock import EX_TEMPFAIL
from store.db import Store
from store.models import CrawlRun, Notice

pytestmark = pytest.mark.slow

NDRC = "www.ndrc.gov.cn"
SLOW = 0.6  # seconds per detail page, so a crawl lasts long enough to be killed or overlapped


def slow_detail_pages() -> dict[tuple[str, str], Fault]:
    responses = json.loads((REPO / "mirror/fixtures" / NDRC / "responses.json").read_text(encoding="utf-8"))
    return {
        (NDRC, entry["path"]): Fault(delay=SLOW)
        for entry in responses
        if "/index" not in entry["path"] and entry.get("status", 200) == 200
    }


def notices(db_url: str) -> dict[str, str]:
    """url -> content hash of every stored notice (and no URL twice)."""
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        rows = list(session.execute(select(Notice.url, Notice.content_hash)))
        assert session.scalar(select(func.count(func.distinct(Notice.url)))) == len(rows)
    store.dispose()
    return dict((url, content_hash) for url, content_hash in rows)


def child_pids(pid: int) -> set[int]:
    """Processes whose parent is `pid` (Linux /proc), e.g. the crawl's pipeline worker."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def wait_until_gone(pids: set[int], timeout: float = 15) -> set[int]:
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        pids = {pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)}
        time.sleep(0.1)
    return pids


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def start_crawl(db_url: str, mirror_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        scs_command(db_url, "crawl", "ndrc", "--mirror", mirror_url, "-s", "CONCURRENT_REQUESTS=1"),
        cwd=REPO,
        env=scs_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_notices(db_url: str, count: int, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        try:
            if len(notices(db_url)) >= count:
                return
        except Exception:  # the database is still being created and migrated
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} notices after {timeout} s")


def test_kill_9_then_rerun_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    reference_db = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    killed_db = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    with MirrorServer() as mirror:
        reference = run_scs(reference_db, "crawl", "ndrc", "--mirror", mirror.url)
        assert reference.returncode == 0, reference.stdout + reference.stderr
    expected = notices(reference_db)
    assert len(expected) >= 6

    with FaultyMirror(slow_detail_pages()) as slow_mirror:
        crawl = start_crawl(killed_db, slow_mirror.url)
        try:
            wait_for_notices(killed_db, 3, crawl)
            workers = child_pids(crawl.pid)
        finally:
            crawl.send_signal(signal.SIGKILL)
            crawl.communicate()
        assert crawl.returncode == -signal.SIGKILL
        assert workers, "the crawl runs its pipeline in a worker process"
        assert not wait_until_gone(workers), "a process of the killed crawl lives on"
    stored_before_kill = notices(killed_db)
    assert 3 <= len(stored_before_kill) < len(expected)

    with MirrorServer() as mirror:
        rerun = run_scs(killed_db, "crawl", "ndrc", "--mirror", mirror.url)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        refetched = {f"https://{NDRC}{hit.path}" for hit in mirror.hits_for(NDRC)}
    assert notices(killed_db) == expected  # same notices, same content, none twice
    assert not refetched & set(stored_before_kill)  # what the killed run stored is not fetched again
    store = Store(killed_db, upgrade=False)
    with store.session() as session:
        assert [run.status for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))] == ["interrupted", "ok"]
    store.dispose()


def test_a_second_crawl_while_one_runs_exits_75(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with FaultyMirror(slow_detail_pages()) as slow_mirror:
        first = start_crawl(db_url, slow_mirror.url)
        try:
            wait_for_notices(db_url, 1, first)
            second = run_scs(db_url, "crawl", "ndrc", "--mirror", slow_mirror.url, timeout=60)
            assert first.poll() is None  # the first one was still running
        finally:
            out, err = first.communicate(timeout=120)
    assert second.returncode == EX_TEMPFAIL, second.stderr
    assert "another crawl is running on this database" in second.stderr
    assert first.returncode == 0, out + err


REDESIGNED_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知_国家发展和改革委员会</title></head>
<body><div class="news-list-v2"><div class="item"><h3><a href="./202507/t20250718_1399285.html">国家发展改革委办公厅关于
进一步做好信用修复工作的通知</a></h3><time>2025-07-18</time></div></div></body></html>"""


def test_list_layout_drift_is_broken_in_health_and_fails_the_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        healthy = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr

    redesign = {
        (NDRC, path): Fault(body=REDESIGNED_LIST.encode())
        for path in ("/xxgk/zcfb/tz/index.html", "/xxgk/zcfb/ghxwj/index.html")
    }
    with FaultyMirror(redesign) as mirror:
        drifted = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert "BROKEN" in drifted.stdout
    assert "ndrc: broken: 2 list page(s) fetched but no entries found; the last run with entries had" in drifted.stdout

    health = run_scs(db_url, "health", "--json", "--source", "ndrc")
    assert health.returncode == 1
    [row] = json.loads(health.stdout)
    assert row["status"] == "broken"
    assert row["last_success"] is not None

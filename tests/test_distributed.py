"""The distributed crawl end to end: a real Redis, two `scs worker` processes, one killed mid-crawl.

A generated mirror serves 220 notices over two sources (two CMS families, three list columns). The
frontier is seeded with `scs crawl --distributed --wait`, then two workers crawl it; once the crawl is
under way and worker A holds leased requests, A gets SIGKILL. What is asserted:

* every notice is stored exactly once (one row per URL, one version each, nothing quarantined);
* every list and detail page was fetched (mirror hit log) exactly once, except pages whose request
  worker A held at the moment it died (read from its lease hashes right after the kill): those may be
  fetched twice, never more; robots.txt is left out (each worker process checks it once per host);
* the kill really left requests behind (A held at least one lease), and afterwards no lease and no
  queued request remains;
* the seeder returns once the workers are done and closes the run record that every version points to.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from generated_mirror import build_mirror
from sqlalchemy import func, select

from mirror.server import MirrorServer, Reply
from store.db import Store
from store.models import CrawlRun, Notice, NoticeVersion, QuarantinedPage

REPO = Path(__file__).resolve().parents[1]
SOURCES = {"beijing": 110, "mot": 110}  # source -> generated notices
LEASE_SECONDS = 4

pytestmark = pytest.mark.slow


class SlowMirror(MirrorServer):
    """The mirror answering in a fifth of a second, as real sites do at best.

    On loopback with no delay, and with the default 16 requests in hand, one worker takes every request a
    list page adds before an idle worker looks at the queue again (Scrapy's engine checks every few
    seconds when idle): the crawl would be over, done by one worker, before there is anything to kill.
    Slow answers and `--concurrency 4` leave work in the queue for both.
    """

    def respond(self, *args: Any, **kwargs: Any) -> Reply:
        time.sleep(0.2)
        return super().respond(*args, **kwargs)


def scs(*args: str) -> list[str]:
    return [sys.executable, "-m", "scs.cli", *args]


def page_key(host: str, path: str, query: dict[str, str]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return host, path, tuple(sorted(query.items()))


def leased_pages(redis_client: object, prefix: str, worker: str, mirror_netloc: str) -> set[tuple[object, ...]]:
    """The pages of the requests `worker` held (its lease hashes), as mirror hit keys."""
    from scrapy_redis import picklecompat

    pages = set()
    for key in redis_client.keys(f"{prefix}:leases:{worker}:*"):  # type: ignore[attr-defined]
        for value in redis_client.hvals(key):  # type: ignore[attr-defined]
            request = picklecompat.loads(value.split(b"\n", 1)[1])
            parts = urlsplit(request["url"])
            host = parts.netloc
            if host == mirror_netloc:
                headers = {name.lower(): values for name, values in request["headers"].items()}
                host = headers[b"x-mirror-host"][0].decode()
            pages.add(page_key(host, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))))
    return pages


def stored_count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Notice)) or 0)


def test_two_workers_one_killed_store_every_notice_once(db_url: str, redis_url: str, tmp_path: Path) -> None:
    import redis

    hosts = build_mirror(tmp_path / "fixtures", SOURCES)
    prefix = "scs-test"
    env = {
        **os.environ,
        "SCS_DATABASE_URL": db_url,
        "SCS_REDIS_URL": redis_url,
        "SCS_REDIS_PREFIX": prefix,
        "SCS_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(REPO),
    }
    client = redis.Redis.from_url(redis_url)
    with SlowMirror(fixtures_dir=tmp_path / "fixtures") as mirror:
        # The seeder waits for the workers (--wait) and then closes the run record.
        seeder = subprocess.Popen(
            scs("crawl", "--distributed", "--wait", *SOURCES), env=env, stdout=subprocess.PIPE, text=True
        )
        assert seeder.stdout is not None
        seeded = [seeder.stdout.readline() for _ in SOURCES]
        assert seeded == ["beijing: 1 request(s) queued\n", "mot: 2 request(s) queued\n"]

        logs = {name: (tmp_path / f"worker-{name}.log").open("w") for name in ("a", "b")}
        workers = {
            name: subprocess.Popen(
                scs(
                    "worker",
                    "--mirror",
                    mirror.url,
                    "--exit-when-done",
                    "--concurrency",
                    "4",
                    "--log-level",
                    "INFO",
                    *SOURCES,
                ),
                env={**env, "SCS_WORKER_ID": f"worker-{name}"},
                stdout=logs[name],
                stderr=subprocess.STDOUT,
            )
            for name in ("a", "b")
        }
        store = Store(db_url, upgrade=False)
        try:
            # Mid-crawl: a fair share stored, and worker A holding requests.
            deadline = time.monotonic() + 180
            while not (stored_count(store) >= 40 and client.keys(f"{prefix}:leases:worker-a:*")):
                assert time.monotonic() < deadline, "the crawl did not get under way"
                assert workers["a"].poll() is None, "worker A ended before it could be killed"
                time.sleep(0.05)
            workers["a"].send_signal(signal.SIGKILL)
            workers["a"].wait(timeout=10)
            in_flight = leased_pages(client, prefix, "worker-a", urlsplit(mirror.url).netloc)
            stored_at_kill = stored_count(store)

            assert workers["b"].wait(timeout=300) == 0, (tmp_path / "worker-b.log").read_text()[-3000:]
            waited, _ = seeder.communicate(timeout=60)
            assert seeder.returncode == 0
            assert "the workers have done every request" in waited
        finally:
            for worker in [*workers.values(), seeder]:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            for log in logs.values():
                log.close()
            seeder.stdout.close()
        hits = [hit for hit in mirror.hits if hit.path != "/robots.txt"]

    assert in_flight, "worker A held no request when killed: the test did not exercise recovery"
    total = sum(SOURCES.values())
    assert stored_at_kill < total, "the crawl was over before the kill"

    with store.session() as session:
        urls = session.scalars(select(Notice.url)).all()
        assert len(urls) == total == len(set(urls))
        per_notice = Counter(session.scalars(select(NoticeVersion.notice_id)).all())
        assert set(per_notice.values()) == {1}, "a notice stored twice shows up as a second version"
        quarantined = session.scalars(select(QuarantinedPage.url)).all()
        assert quarantined == []
        run = session.scalars(select(CrawlRun)).one()
        assert (run.command, run.status) == ("crawl --distributed", "finished")
        assert run.finished_at is not None
        assert set(session.scalars(select(NoticeVersion.run_id)).all()) == {run.id}
    store.dispose()

    fetches = Counter(page_key(hit.host, hit.path, hit.query) for hit in hits if hit.host in hosts)
    assert all(hit.status == 200 for hit in hits), [hit for hit in hits if hit.status != 200][:5]
    fetched_twice = {page for page, count in fetches.items() if count == 2}
    assert fetched_twice <= in_flight, (
        f"fetched twice but not in flight on the killed worker: {fetched_twice - in_flight}"
    )
    assert max(fetches.values()) <= 2
    stored_pages = {page_key(urlsplit(url).netloc, urlsplit(url).path, {}) for url in urls}
    assert stored_pages <= set(fetches)
    assert client.keys(f"{prefix}:leases:*") == []
    assert client.zcard(f"{prefix}:beijing:requests") == client.zcard(f"{prefix}:mot:requests") == 0
    client.close()

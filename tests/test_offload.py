"""The stages pipeline: items go to a worker process and come back with their stats; a dead worker costs nothing."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from slow_items import SlowPage
from sqlalchemy import select
from test_stages import URL, notice

from crawler.items import FailedPage
from pipelines.offload import CountingStats, StagesPipeline
from store.db import Store
from store.models import Notice, QuarantinedPage


def pipeline_for(db_url: str, *, worker: bool) -> StagesPipeline:
    settings = Settings({"SCS_DATABASE_URL": db_url, "SCS_PIPELINE_WORKER": worker})
    return StagesPipeline.from_crawler(SimpleNamespace(settings=settings, stats=CountingStats()))


def run_items(pipeline: StagesPipeline, items: list[Any], *, kill_worker_after: int | None = None) -> list[Any]:
    async def run() -> list[Any]:
        await pipeline.open_spider()
        try:
            results = []
            for index, item in enumerate(items):
                if index == kill_worker_after:
                    assert pipeline.worker is not None
                    pipeline.worker.process.kill()
                    pipeline.worker.process.join()
                results.append(await pipeline.process_item(item))
            return results
        finally:
            await pipeline.close_spider()

    return asyncio.run(run())


def stored(db_url: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    with Store(db_url, upgrade=False).session() as session:
        notices = [(n.url, n.title, n.content_hash) for n in session.scalars(select(Notice).order_by(Notice.url))]
        quarantined = [(q.url, q.kind) for q in session.scalars(select(QuarantinedPage).order_by(QuarantinedPage.url))]
    return notices, quarantined


def items() -> list[Any]:
    return [
        notice(),
        notice(url=URL.replace("1398650", "1398651"), title="第二份通知"),
        notice(url=URL.replace("1398650", "1398652"), body="   "),  # no body: quarantined
        FailedPage(source="ndrc", url=URL + "?p=2", kind="http-error", reason="HTTP 500", status=500),
        notice(),  # the first again: unchanged
    ]


def test_the_worker_stores_what_the_inline_chain_stores(tmp_path: Any) -> None:
    results, counted = {}, {}
    for worker in (True, False):
        db_url = f"sqlite:///{tmp_path / f'worker-{worker}.sqlite3'}"
        Store(db_url)  # migrated by the command that starts a crawl
        pipeline = pipeline_for(db_url, worker=worker)
        returned = run_items(pipeline, items())
        assert [type(item).__name__ for item in returned] == [
            "NoticeItem",
            "NoticeItem",
            "FailedPage",
            "FailedPage",
            "NoticeItem",
        ]
        assert returned[0].classification is not None and returned[0].published is not None
        results[worker] = stored(db_url)
        counted[worker] = pipeline.stats.values
    assert results[True] == results[False]
    assert len(results[True][0]) == 2
    assert results[True][1] == sorted([(URL.replace("1398650", "1398652"), "empty-body"), (URL + "?p=2", "http-error")])
    assert counted[True] == counted[False]
    assert (counted[True]["scs/notices/new"], counted[True]["scs/notices/unchanged"]) == (2, 1)
    assert counted[True]["scs/quarantined/empty-body"] == 1


def test_the_workers_log_records_reach_the_crawl_log(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    bad = notice(url=URL.replace("1398650", "1398653"))
    bad.date_candidates = "not a list"  # type: ignore[assignment]  # the dates stage fails on it
    with caplog.at_level(logging.ERROR):
        returned = run_items(pipeline_for(db_url, worker=True), [bad])
    assert isinstance(returned[0], FailedPage) and returned[0].kind == "pipeline-error"
    assert any("DatesPipeline failed on" in record.getMessage() and record.exc_text for record in caplog.records)


def test_a_dead_worker_leaves_the_rest_of_the_crawl_to_the_inline_chain(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    pipeline = pipeline_for(db_url, worker=True)
    with caplog.at_level(logging.ERROR):
        returned = run_items(pipeline, items(), kill_worker_after=1)
    assert [type(item).__name__ for item in returned][:2] == ["NoticeItem", "NoticeItem"]
    notices, quarantined = stored(db_url)
    assert len(notices) == 2 and len(quarantined) == 2  # nothing lost
    assert pipeline.stats.values["scs/notices/new"] == 2
    assert any("pipeline worker" in record.getMessage() for record in caplog.records)


def test_the_crawlers_of_one_process_share_one_worker(tmp_path: Any) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    first, second = pipeline_for(db_url, worker=True), pipeline_for(db_url, worker=True)

    async def run() -> tuple[Any, Any, bool]:
        await asyncio.gather(first.open_spider(), second.open_spider())  # as `scs crawl` opens its sources
        assert first.worker is not None
        shared = first.worker is second.worker
        returned = await asyncio.gather(
            first.process_item(notice()), second.process_item(notice(url=URL.replace("1398650", "1398651")))
        )
        await first.close_spider()
        still_running = second.worker is not None and second.worker.process.is_alive()
        await second.close_spider()
        return shared, returned, still_running

    shared, returned, still_running = asyncio.run(run())
    assert shared and still_running  # the worker outlives the first crawler to close, not the last
    assert [type(item).__name__ for item in returned] == ["NoticeItem", "NoticeItem"]
    assert (first.stats.values["scs/notices/new"], second.stats.values["scs/notices/new"]) == (1, 1)
    assert len(stored(db_url)[0]) == 2


def test_an_item_past_its_time_is_quarantined_and_the_worker_replaced(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    settings = Settings({"SCS_DATABASE_URL": db_url, "SCS_PIPELINE_WORKER": True, "SCS_ITEM_TIMEOUT": 2})
    pipeline = StagesPipeline.from_crawler(SimpleNamespace(settings=settings, stats=CountingStats()))
    stuck = SlowPage(source="ndrc", url=URL + "?stuck", kind="http-error", reason="HTTP 500", seconds=600)
    behind = FailedPage(source="ndrc", url=URL + "?behind", kind="http-error", reason="HTTP 500")

    async def run() -> tuple[list[Any], int, int]:
        await pipeline.open_spider()
        assert pipeline.worker is not None
        first_pid = pipeline.worker.process.pid
        try:
            # Queued together: the two behind the stuck one were sent to the worker that is killed.
            returned = list(await asyncio.gather(*(pipeline.process_item(i) for i in (stuck, behind, notice()))))
            return returned, first_pid, pipeline.worker.process.pid
        finally:
            await pipeline.close_spider()

    with caplog.at_level(logging.ERROR):
        returned, first_pid, second_pid = asyncio.run(run())
    assert (returned[0].kind, returned[1].kind, type(returned[2]).__name__) == (
        "pipeline-timeout",
        "http-error",
        "NoticeItem",
    )
    assert first_pid != second_pid
    notices, quarantined = stored(db_url)
    assert len(notices) == 1
    assert quarantined == [(URL + "?behind", "http-error"), (URL + "?stuck", "pipeline-timeout")]
    assert any("spent more than 2 s" in record.getMessage() for record in caplog.records)


WORKER_OF_A_PARENT = """
import asyncio, sys
sys.path.insert(0, sys.argv[2])
from pipelines.offload import PipelineWorker
from slow_items import SlowPage

async def main() -> None:
    worker = PipelineWorker(sys.argv[1], None, item_timeout=0)
    await worker.started
    while not worker.ready:
        await asyncio.sleep(0.05)
    item = SlowPage(source="ndrc", url="https://x.gov.cn/1.html", kind="http-error", reason="", seconds=120)
    busy = asyncio.ensure_future(worker.run(item))
    await asyncio.sleep(0.5)
    print(worker.process.pid, flush=True)  # the worker is 0.5 s into a 120 s item
    await busy

asyncio.run(main())
"""


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie nobody reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_worker_dies_with_its_parent_even_in_the_middle_of_an_item(tmp_path: Any) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    with subprocess.Popen(
        [sys.executable, "-c", WORKER_OF_A_PARENT, db_url, str(Path(__file__).parent)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    ) as parent:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        assert running(worker_pid)
        parent.kill()
    deadline = time.monotonic() + 10
    while running(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(worker_pid)


def test_a_stopped_worker_does_not_stall_the_crawl(tmp_path: Any) -> None:
    """Issue 14: a worker stopped with SIGSTOP answered nothing, and the crawl waited for ever."""
    import os
    import signal

    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(db_url)
    settings = Settings({"SCS_DATABASE_URL": db_url, "SCS_PIPELINE_WORKER": True, "SCS_ITEM_TIMEOUT": 2})
    pipeline = StagesPipeline.from_crawler(SimpleNamespace(settings=settings, stats=CountingStats()))

    async def run() -> list[Any]:
        await pipeline.open_spider()
        assert pipeline.worker is not None
        try:
            while not pipeline.worker.ready:
                await asyncio.sleep(0.05)
            os.kill(pipeline.worker.process.pid, signal.SIGSTOP)
            return [await pipeline.process_item(item) for item in (notice(), items()[3])]
        finally:
            await pipeline.close_spider()

    first, second = asyncio.run(run())
    assert (first.kind, second.kind) == ("pipeline-timeout", "http-error")
    assert stored(db_url)[1] == [(URL, "pipeline-timeout"), (URL + "?p=2", "http-error")]

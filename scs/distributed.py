"""Crawling on several machines: seeding the shared frontier, and the worker process.

One database URL (`SCS_DATABASE_URL`, PostgreSQL when workers run on several machines), one Redis URL
(`SCS_REDIS_URL`) and any number of `scs worker` processes. `scs crawl --distributed` puts each source's
start requests in the frontier; workers fetch, parse and store. How requests survive a killed worker
is explained in `crawler.distributed`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from store.db import Store
from store.models import CrawlRun

DISTRIBUTED_RUN_STATUS = "distributed"  # workers report per page; the seeding run is never "running"


def redis_url(explicit: str | None = None) -> str:
    """`--redis`, else $SCS_REDIS_URL; there is no default: without Redis the crawl is single-machine."""
    url = explicit or os.environ.get("SCS_REDIS_URL")
    if not url:
        raise SystemExit("scs: the distributed crawl needs a Redis URL: --redis URL or $SCS_REDIS_URL")
    return url


def redis_prefix() -> str:
    from crawler.distributed import DEFAULT_PREFIX

    return os.environ.get("SCS_REDIS_PREFIX") or DEFAULT_PREFIX


def connect_frontier(redis: str) -> Any:
    """The deployment's `Frontier`, or a clear error when Redis cannot be reached."""
    import redis as redis_client

    from crawler.distributed import Frontier

    try:
        frontier = Frontier.from_url(redis, redis_prefix())
        frontier.server.ping()
    except (ValueError, redis_client.RedisError) as error:
        raise SystemExit(f"scs: cannot use Redis at {redis}: {error}") from None
    return frontier


def seed_frontier(
    source_ids: Sequence[str],
    *,
    db_url: str | None,
    redis: str,
    log_level: str = "WARNING",
    settings: dict[str, Any] | None = None,
) -> tuple[int, dict[str, int]]:
    """Put the start requests of `source_ids` in the shared queue; returns the run id and the queue length
    per source.

    A source whose previous distributed crawl is over (queue empty, nothing leased) starts afresh: its
    duplicate filter is cleared so its list pages are fetched again. A source still being crawled gets
    only the start requests it has not seen.
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed import frontier_settings
    from crawler.spiders.sources import spider_class
    from scs.crawling import crawl_settings

    prefix = redis_prefix()
    frontier = connect_frontier(redis)
    frontier.recover_dead_workers()
    for source in source_ids:
        if frontier.drained(source):
            frontier.reset(source)
    store = Store(db_url)
    with store.session() as session:
        run = CrawlRun(command="crawl --distributed", status=DISTRIBUTED_RUN_STATUS)
        session.add(run)
        session.flush()
        run_id = run.id
    frontier.server.set(frontier.run_key, run_id)
    extra = {**(settings or {}), **frontier_settings(redis, role="seed", prefix=prefix)}
    process = CrawlerProcess(crawl_settings(store.url, run_id, None, log_level, extra))
    for source in source_ids:
        process.crawl(spider_class(source))
    process.start()
    store.dispose()
    return run_id, {source: frontier.queued(source) for source in source_ids}


def wait_until_drained(
    source_ids: Sequence[str], *, db_url: str | None, redis: str, run_id: int, poll_seconds: float = 2.0
) -> None:
    """Block until no request of `source_ids` is queued or held by a worker, then close the run record.

    Dead workers' requests are put back meanwhile, so this also ends when workers were killed, as long as
    one worker is still running. The run gets its finish time and status `finished`; the per-source
    figures of a distributed crawl live in each worker's log (Scrapy stats), not in `source_runs`.
    """
    import datetime as dt
    import time

    frontier = connect_frontier(redis)
    while True:
        frontier.recover_dead_workers()
        if all(frontier.drained(source) for source in source_ids):
            break
        time.sleep(poll_seconds)
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            run.finished_at = dt.datetime.now(dt.UTC)
            run.status = "finished"
    store.dispose()


def run_worker(
    source_ids: Sequence[str],
    *,
    db_url: str | None,
    redis: str,
    mirror_url: str | None = None,
    log_level: str = "WARNING",
    exit_when_done: bool = False,
    settings: dict[str, Any] | None = None,
) -> None:
    """Fetch, parse and store requests of `source_ids` from the shared frontier until stopped
    (or, with `exit_when_done`, until none of these sources has work left anywhere)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed import frontier_settings, worker_spider_class
    from crawler.spiders.sources import spider_class
    from scs.crawling import crawl_settings

    prefix = redis_prefix()
    frontier = connect_frontier(redis)
    store = Store(db_url)  # migrations are serialised, so workers may start together
    run_id = int(frontier.server.get(frontier.run_key) or 0)
    extra = {
        **(settings or {}),
        **frontier_settings(redis, role="worker", prefix=prefix, worker_id=os.environ.get("SCS_WORKER_ID", "")),
        "SCS_WORKER_EXIT_WHEN_DONE": exit_when_done,
    }
    process = CrawlerProcess(crawl_settings(store.url, run_id, mirror_url, log_level, extra))
    for source in source_ids:
        process.crawl(worker_spider_class(spider_class(source)))
    process.start()
    store.dispose()

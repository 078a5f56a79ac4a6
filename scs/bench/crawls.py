"""Crawl-side measurements: bare vs full crawl, peak memory at N and 5·N, start-up to the first request.

Every crawl runs in a fresh child process (`python -m scs.bench.crawls bare|full ...`):
Twisted's reactor cannot restart, and peak RSS must belong to one crawl. The child
prints one JSON object: pages fetched, seconds (wall and CPU) from spider open to spider
close (so interpreter start-up is measured apart, by `startup`), and peak RSS. CPU time
and peak RSS count the crawl process plus its pipeline worker (`pipelines.offload`).
The mirror serving the generated site runs in the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mirror.server import MirrorServer, Reply


class BenchMirror(MirrorServer):
    """The mirror without the hit log (thousands of pages), keeping the time of the first request."""

    def __init__(self, fixtures_dir: Path) -> None:
        super().__init__(port=0, fixtures_dir=fixtures_dir)
        self.first_request_at: float | None = None
        self.requests = 0
        self._count_lock = threading.Lock()

    def respond(
        self, method: str, host: str, path: str, query: dict[str, str], form: dict[str, str], *_: Any, **__: Any
    ) -> Reply:
        with self._count_lock:
            if self.first_request_at is None:
                self.first_request_at = time.perf_counter()
            self.requests += 1
        return self.reply_for(method, host, path, query, form)


# -- the child side ------------------------------------------------------------------------------


class _CrawlClock:
    """Spider open → spider close, and the pages fetched, from Scrapy's signals (whoever started the crawl)."""

    def __init__(self) -> None:
        from pydispatch import dispatcher
        from scrapy import signals

        self.opened: float | None = None
        self.closed: float | None = None
        self.cpu_seconds = 0.0
        self.pages = 0
        dispatcher.connect(self._opened, signal=signals.spider_opened)
        dispatcher.connect(self._closed, signal=signals.spider_closed)

    def _opened(self, **_: Any) -> None:
        self.opened = time.perf_counter()
        self.cpu_seconds = -_cpu_seconds_with_children()

    def _closed(self, spider: Any, **_: Any) -> None:
        self.closed = time.perf_counter()
        self.cpu_seconds += _cpu_seconds_with_children()
        self.pages = int(spider.crawler.stats.get_value("downloader/response_count", 0))

    @property
    def seconds(self) -> float:
        assert self.opened is not None and self.closed is not None, "the spider never ran"
        return self.closed - self.opened


def bare_spider_class(start_url: str, list_pages: int) -> type:
    """The floor: a plain spider that fetches the same list and detail pages and does nothing with them."""
    import scrapy

    from crawler.spiders.trs_static import page_url

    class BareSpider(scrapy.Spider):
        name = "bench_bare"

        async def start(self) -> Any:
            yield scrapy.Request(start_url, callback=self.parse_list, cb_kwargs={"page": 1})

        def parse_list(self, response: Any, page: int) -> Any:
            for href in response.css(".u-list li a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_detail)
            if page < list_pages:
                yield scrapy.Request(
                    page_url(start_url, page + 1), callback=self.parse_list, cb_kwargs={"page": page + 1}
                )

        def parse_detail(self, response: Any) -> None:
            return None

    return BareSpider


def _cpu_seconds_with_children() -> float:
    """CPU time of this process and of its ended children: the pipeline worker has ended by spider close."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    """Peak RSS of this process plus that of its largest ended child (the pipeline worker)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_maxrss + children.ru_maxrss) / 1024  # KiB on Linux


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scs.bench.crawls")
    parser.add_argument("kind", choices=("bare", "full"))
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--source", required=True, help="the bench source id (found through $SCS_EXTRA_SOURCES)")
    parser.add_argument("--db", required=True)
    parser.add_argument("--refetch", action="store_true", help="fetch known notices again (scs crawl --full)")
    args = parser.parse_args(argv)
    clock = _CrawlClock()
    result: dict[str, Any] = {"kind": args.kind}
    if args.kind == "full":
        from scs.crawling import run_crawl

        summaries = run_crawl(
            [args.source],
            db_url=args.db,
            mirror_url=args.mirror,
            command="bench",
            settings={"SCS_FULL_CRAWL": args.refetch},
        )
        result.update(
            notices_new=sum(s.new for s in summaries),
            notices_unchanged=sum(s.unchanged for s in summaries),
            errors=sum(sum(s.errors.values()) for s in summaries),
        )
    else:
        from scrapy.crawler import CrawlerProcess

        from crawler.sourceconfig import load_sources
        from scs.crawling import crawl_settings

        source = load_sources()[args.source]
        settings = crawl_settings(args.db, 0, args.mirror, "WARNING")  # the full crawl's settings ...
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")  # ... minus our pipelines
        settings.set("ROBOTSTXT_OBEY", source.obey_robots, priority="cmdline")
        process = CrawlerProcess(settings)
        process.crawl(bare_spider_class(source.columns[0].url, source.max_pages))
        process.start()
    result.update(pages=clock.pages, seconds=clock.seconds, cpu_seconds=clock.cpu_seconds, peak_rss_mb=_peak_rss_mb())
    print(json.dumps(result))
    return 0


# -- the parent side -----------------------------------------------------------------------------


def child_env(sources_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SCS_EXTRA_SOURCES"] = str(sources_dir)
    env.pop("SCS_MIRROR_URL", None)
    return env


def run_child_crawl(
    kind: str, mirror: BenchMirror, sources_dir: Path, source_id: str, db_url: str, *, refetch: bool = False
) -> dict[str, Any]:
    """One crawl in a child process; adds the share of a core the mirror (this process) used meanwhile."""
    command = [sys.executable, "-m", "scs.bench.crawls", kind, "--mirror", mirror.url, "--source", source_id]
    command += ["--refetch"] if refetch else []
    wall, cpu = time.perf_counter(), time.process_time()
    done = subprocess.run(
        [*command, "--db", db_url], env=child_env(sources_dir), capture_output=True, text=True, check=False
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{kind} crawl failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["mirror_cpu_share"] = cpu / wall
    return result


def _stored_notices(database: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.05) as connection:
            return int(connection.execute("SELECT count(*) FROM notices").fetchone()[0])
    except sqlite3.Error:  # not created yet, or locked for a moment
        return 0


def spawn_crawl_until_done(mirror: BenchMirror, sources_dir: Path, source_id: str, database: Path) -> dict[str, float]:
    """`scs crawl SOURCE --mirror URL` as a user runs it, into the (migrated, empty) SQLite file `database`:
    seconds from spawn to its first request, to its first stored notice, and to its exit."""
    scs = Path(sys.executable).with_name("scs")
    program = [str(scs)] if scs.exists() else [sys.executable, "-m", "scs.cli"]
    command = [*program, "--db", f"sqlite:///{database}", "crawl", source_id, "--mirror", mirror.url]
    mirror.first_request_at = None
    first_notice_at = None
    spawned = time.perf_counter()
    with subprocess.Popen(
        command, env=child_env(sources_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as child:
        while child.poll() is None:
            if first_notice_at is None and _stored_notices(database):
                first_notice_at = time.perf_counter()
            time.sleep(0.02)
        finished = time.perf_counter()
        stderr = child.stderr.read() if child.stderr else ""
    if child.returncode != 0 or mirror.first_request_at is None:
        raise RuntimeError(f"`scs crawl {source_id}` failed (exit {child.returncode}):\n{stderr[-3000:]}")
    return {
        "first_request_s": mirror.first_request_at - spawned,
        "first_notice_s": (first_notice_at or finished) - spawned,
        "total_s": finished - spawned,
    }


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))

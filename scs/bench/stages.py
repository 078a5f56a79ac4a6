"""The benchmark stages that need the generated site: crawl, tagging, store, memory, start-up.

Each stage measures our code against the cheapest thing that does the same job, in the
same run, and reports the ratio, so the figures hold on any machine. A stage takes the
`BenchRun` (generated site, mirror, scratch databases, crawls already made) and returns
a flat dict of figures.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scs.bench.crawls import BenchMirror, run_child_crawl, spawn_crawl_until_done
from scs.bench.site import generate_notice, generate_site, notice_item, write_source

STARTUP_RUNS = 3


@dataclass
class BenchRun:
    """What the stages of one `scs bench` share: N, the site (generated once, big enough for all), the mirror."""

    notices: int
    site_notices: int
    attachments: bool = False  # every notice links a list attachment (the `attachments` stage's own run)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="scs-bench-")))
    crawls: dict[str, dict[str, Any]] = field(default_factory=dict)
    _mirror: BenchMirror | None = None
    _databases: int = 0

    @property
    def sources_dir(self) -> Path:
        return self.workdir / "sources"

    def mirror(self) -> BenchMirror:
        if self._mirror is None:
            fixtures = generate_site(self.workdir, self.site_notices, attachments=self.attachments)
            self._mirror = BenchMirror(fixtures).start()
        return self._mirror

    def source(self, notices: int) -> str:
        """The id of a bench source crawling the first `notices` notices of the site."""
        if notices > self.site_notices:
            raise ValueError(f"the generated site has {self.site_notices} notices, not {notices}")
        return write_source(self.sources_dir, f"bench_trs_{notices}", notices)

    def fresh_database(self, name: str) -> str:
        self._databases += 1
        return f"sqlite:///{self.workdir / f'{self._databases:02d}-{name}.sqlite3'}"

    def full_crawl(self, notices: int) -> dict[str, Any]:
        """Our whole pipeline over `notices` notices into a fresh SQLite database (made once per size)."""
        key = f"full-{notices}"
        if key not in self.crawls:
            db_url = self.fresh_database(key)
            result = run_child_crawl("full", self.mirror(), self.sources_dir, self.source(notices), db_url)
            self.crawls[key] = {**result, "db_url": db_url}
        return self.crawls[key]

    def close(self) -> None:
        import shutil

        if self._mirror is not None:
            self._mirror.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _per_second(count: float, seconds: float) -> float:
    return round(count / seconds, 1)


def _checked_pages(result: dict[str, Any], expected: int, what: str) -> None:
    if result["pages"] < expected:
        raise RuntimeError(f"the {what} fetched {result['pages']} pages, expected at least {expected}")


def bench_crawl(run: BenchRun) -> dict[str, float]:
    """Pages per second of a bare spider and of our full crawl over the same site.

    crawl_ratio is the time per page, full over bare (2.0: the full pipeline runs at half the bare pace).
    """
    n = run.notices
    expected_pages = n + math.ceil(n / 20)
    bare = run_child_crawl("bare", run.mirror(), run.sources_dir, run.source(n), run.fresh_database("bare"))
    _checked_pages(bare, expected_pages, "bare crawl")
    full = run.full_crawl(n)
    _checked_pages(full, expected_pages, "full crawl")
    if full["notices_new"] < n:
        raise RuntimeError(f"the full crawl stored {full['notices_new']} new notices of {n} ({full['errors']} errors)")
    bare_rate = bare["pages"] / bare["seconds"]
    full_rate = full["pages"] / full["seconds"]
    bare_cpu_ms = 1000 * bare["cpu_seconds"] / bare["pages"]
    full_cpu_ms = 1000 * full["cpu_seconds"] / full["pages"]
    return {
        "pages": full["pages"],
        "bare_pages_per_s": round(bare_rate, 1),
        "full_pages_per_s": round(full_rate, 1),
        "crawl_ratio": round(bare_rate / full_rate, 2),
        # CPU time per page of the crawling process: what our code costs, whatever else the machine runs.
        "bare_cpu_ms_per_page": round(bare_cpu_ms, 2),
        "full_cpu_ms_per_page": round(full_cpu_ms, 2),
        "crawl_cpu_ratio": round(full_cpu_ms / bare_cpu_ms, 2),
        "mirror_cpu_share_bare": round(bare["mirror_cpu_share"], 4),
        "mirror_cpu_share_full": round(full["mirror_cpu_share"], 4),
    }


def bench_tagging(run: BenchRun) -> dict[str, float]:
    """Our term extraction + classification vs plain `jieba.lcut`, notices per second over the same texts."""
    import jieba

    from classifiers import Document, classify

    notices = [generate_notice(index) for index in range(run.notices)]
    documents = [
        Document(title=n.title, text=n.text, publisher="基准测试委员会", url=n.url, jurisdiction="000000")
        for n in notices
    ]
    texts = [f"{n.title}\n{n.text}" for n in notices]
    jieba.setLogLevel(60)
    jieba.initialize()  # loading dictionaries and automata is start-up, not tagging
    classify(documents[0])
    jieba.lcut(texts[0])
    started = time.perf_counter()
    relevant = sum(bool(classify(document).relevant) for document in documents)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    plain = time.perf_counter() - started
    return {
        "notices": len(documents),
        "characters_per_notice": round(statistics.mean(len(text) for text in texts)),
        "ours_per_s": _per_second(len(documents), ours),
        "jieba_lcut_per_s": _per_second(len(texts), plain),
        "ours_ms_per_notice": round(1000 * ours / len(documents), 2),
        "jieba_ms_per_notice": round(1000 * plain / len(texts), 2),
        "tagging_ratio": round(ours / plain, 2),
        "relevant_share": round(relevant / len(documents), 2) or 0.01,
    }


def bench_store(run: BenchRun) -> dict[str, float]:
    """Notices per second written to a fresh SQLite database, then saved again unchanged (one transaction each,
    as the store pipeline does); and a whole re-crawl of the unchanged site through our pipeline."""
    from pipelines.stages import prepared
    from store.db import Store
    from store.repository import save_notice

    items = [prepared(notice_item(generate_notice(index))) for index in range(run.notices)]
    store = Store(run.fresh_database("store"))
    timings = {}
    try:
        for phase in ("new", "unchanged"):
            started = time.perf_counter()
            for item in items:
                with store.session() as session:
                    outcome = save_notice(session, item)
                if outcome != phase:
                    raise RuntimeError(f"saving {item.url} gave {outcome!r}, expected {phase!r}")
            timings[phase] = time.perf_counter() - started
    finally:
        store.dispose()
    first = run.full_crawl(run.notices)
    # Every page fetched again (`scs crawl --full`): an incremental crawl would stop at the first known list page.
    source = run.source(run.notices)
    again = run_child_crawl("full", run.mirror(), run.sources_dir, source, first["db_url"], refetch=True)
    if again["notices_unchanged"] < run.notices:
        raise RuntimeError(f"the re-crawl found {again['notices_unchanged']} unchanged notices of {run.notices}")
    return {
        "written_per_s": _per_second(len(items), timings["new"]),
        "unchanged_per_s": _per_second(len(items), timings["unchanged"]),
        "recrawl_pages_per_s": _per_second(again["pages"], again["seconds"]),
        "first_crawl_pages_per_s": _per_second(first["pages"], first["seconds"]),
    }


def bench_memory(run: BenchRun) -> dict[str, float]:
    """Peak RSS of the full crawl at N and at 5·N notices; memory_growth is their ratio (1.0: no growth)."""
    small = run.full_crawl(run.notices)
    large = run.full_crawl(5 * run.notices)
    return {
        "peak_rss_mb_n": round(small["peak_rss_mb"], 1),
        "peak_rss_mb_5n": round(large["peak_rss_mb"], 1),
        "memory_growth": round(large["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "full_pages_per_s_5n": _per_second(large["pages"], large["seconds"]),
    }


def bench_attachments(run: BenchRun) -> dict[str, float]:
    """The memory stage on a site where every notice links a list (XLSX, every fourth a PDF), fetched, read and
    searched for entities by the same crawl: peak RSS at N and 5·N notices and their ratio."""
    import sqlite3

    own = BenchRun(run.notices, 5 * run.notices, attachments=True)
    try:
        small = own.full_crawl(run.notices)
        large = own.full_crawl(5 * run.notices)
        database = large["db_url"].removeprefix("sqlite:///")
        with sqlite3.connect(database) as connection:
            read = connection.execute("SELECT count(*) FROM attachment_texts WHERE status = 'ok'").fetchone()[0]
    finally:
        own.close()
    return {
        "attachments_rss_mb_n": round(small["peak_rss_mb"], 1),
        "attachments_rss_mb_5n": round(large["peak_rss_mb"], 1),
        "attachments_memory_growth": round(large["peak_rss_mb"] / small["peak_rss_mb"], 3),
        "attachments_read_5n": int(read),
        "attachments_pages_per_s_5n": _per_second(large["pages"], large["seconds"]),
    }


def bench_startup(run: BenchRun) -> dict[str, float]:
    """Seconds from spawning `scs crawl` to its first request at the mirror, each run into a fresh database
    migrated beforehand (as every run but the very first finds it); the first run may also fill on-disk caches
    and is reported apart. `first_notice_s` adds what loads lazily before the first notice is stored."""
    from store.db import Store

    source = run.source(20)
    runs = []
    for _ in range(STARTUP_RUNS):
        db_url = run.fresh_database("startup")
        Store(db_url).dispose()
        runs.append(
            spawn_crawl_until_done(run.mirror(), run.sources_dir, source, Path(db_url.removeprefix("sqlite:///")))
        )
    later = runs[1:]
    return {
        "startup_s": round(statistics.median(r["first_request_s"] for r in later), 3),
        "startup_first_run_s": round(runs[0]["first_request_s"], 3),
        "first_notice_s": round(statistics.median(r["first_notice_s"] for r in later), 3),
        "crawl_20_notices_s": round(statistics.median(r["total_s"] for r in later), 3),
    }

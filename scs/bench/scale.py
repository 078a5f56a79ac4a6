"""`scs bench scale [--notices N] [--json]`: the pages an analyst opens, on a database of N notices.

The database is built with the store's own functions: `base` notices (10,000 by default) are
generated (SYNTHETIC TRS-static notices from `scs.bench.site`), prepared by the pipeline stages
(normalise, dates, classify) and saved by `store.repository.save_notice`; a tenth of them are
approved with a slug, one in a hundred has an analyst's tag removal. Each figure is measured
there, then the rows are copied (notices, tags, terms, versions and search entries, new ids and
URLs) until there are N, and measured again. `growth` is each figure at N divided by the one at
`base`. Times are warm: the best of `REPEATS` runs after one untimed run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text

REPEATS = 3
RECRAWL_NOTICES = 200  # the SYNTHETIC site re-crawled (at most half the base), its notices among the base ones
FIGURES = (
    "queue_first_page_s",
    "queue_facet_s",
    "queue_search_s",
    "approve_s",
    "publish_incremental_s",
    "notices_json_peak_mb",
    "recrawl_s",
)
PUBLISH_NOTE = (
    "not measured: incremental publishing is another branch's work (issue 16, publisher/); "
    "this branch's `scs publish` rewrites the whole site"
)
SEARCHES = ("信用修复", "信用")


def _best_seconds(action: Callable[[], object]) -> float:
    action()  # warm: caches, the page cache, prepared plans
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


class ScaleDatabase:
    """The bench database: built at `base` notices, grown by copies; measured at each size."""

    def __init__(self, url: str, base: int, source: str, progress: Callable[[str], None]) -> None:
        from store.db import Store

        self.url = url
        self.base = base
        self.source = source
        self.progress = progress
        self.store = Store(url)
        self.dialect = self.store.engine.dialect.name
        self.base_max_id = 0
        self.copies = 0

    # -- building ---------------------------------------------------------------------------------------------

    def build_base(self) -> None:
        """`base` notices (the re-crawled site's included) through the pipeline stages and `save_notice`;
        then approvals and analysts' removals."""
        from newsroom.review import slugify
        from pipelines.stages import prepared
        from scs.bench.site import generate_notice, notice_item
        from store.repository import save_notice

        batch = 500
        generated = max(0, self.base - self.count())
        for start in range(0, generated, batch):
            items = []
            for index in range(start, min(start + batch, generated)):
                item = notice_item(generate_notice(RECRAWL_NOTICES + index))  # after the re-crawled site's notices
                item.source = self.source
                items.append(prepared(item))
            with self.store.session() as session:
                for item in items:
                    save_notice(session, item)
            self.progress(f"base: {min(start + batch, generated)} of {generated} generated notices saved")
        with self.store.session() as session:
            self.base_max_id = session.scalar(select(func.max(text("id"))).select_from(text("notices"))) or 0
            rows = session.execute(
                text("SELECT id, draft_headline, title FROM notices WHERE id % 10 = 0 ORDER BY id")
            ).all()
            approved = [
                {
                    "id": row.id,
                    "headline": row.draft_headline or f"Notice {row.id}",
                    "slug": slugify(row.draft_headline or f"notice {row.id}") or f"notice-{row.id}",
                }
                for row in rows
            ]
            session.execute(
                text(
                    "UPDATE notices SET status = 'approved', headline_en = :headline, summary_en = 'Summary.',"
                    " slug = :slug, reviewed_by = 'bench', reviewed_at = first_seen WHERE id = :id"
                ),
                approved,
            )
            session.execute(
                text(
                    "INSERT INTO tags (notice_id, facet, value, origin, present, score, evidence, set_by, set_at)"
                    " SELECT notice_id, facet, value, 'analyst', :false, 0, :empty, 'bench', set_at FROM tags"
                    " WHERE origin = 'auto' AND facet = 'scs_types' AND notice_id % 100 = 7"
                ),
                {"false": False, "empty": "[]"},
            )

    def grow_to(self, notices: int) -> None:
        """Copy the base rows (new ids, URLs and slugs) until the database holds `notices` notices."""
        from store.search import notice_grams

        grams: list[tuple[int, str]] = []
        if self.dialect == "sqlite":  # contentless FTS5: the indexed text is given again for each copy
            with self.store.session() as session:
                for row in session.execute(
                    text("SELECT id, title, body FROM notices WHERE id <= :m"), {"m": self.base_max_id}
                ):
                    grams.append((row.id, " ".join(notice_grams(row.title, row.body))))
        columns = [column.name for column in _notice_columns() if column.name not in ("id", "url", "slug")]
        listed = ", ".join(columns)
        copy_notices = text(
            f"INSERT INTO notices (id, url, slug, {listed}) SELECT id + :offset, url || :suffix,"
            f" CASE WHEN slug = '' THEN '' ELSE slug || :suffix_slug END, {listed} FROM notices WHERE id <= :base_max"
        )
        children = {
            "tags": "facet, value, origin, present, score, evidence, set_by, set_at",
            "terms": "term, count, offsets",
            "notice_versions": "content_hash, seen_at, changed_fields, run_id",
        }
        total = self.count()
        while total < notices:
            self.copies += 1
            offset = self.copies * self.base_max_id
            limit = min(self.base_max_id, notices - total)
            parameters = {"offset": offset, "base_max": limit, "suffix": f"#copy-{self.copies}"}
            with self.store.session() as session:
                session.execute(copy_notices, {**parameters, "suffix_slug": f"-c{self.copies}"})
                for table, listed_children in children.items():
                    session.execute(
                        text(
                            f"INSERT INTO {table} (notice_id, {listed_children}) SELECT notice_id + :offset,"
                            f" {listed_children} FROM {table} WHERE notice_id <= :base_max"
                        ),
                        parameters,
                    )
                if self.dialect == "sqlite":
                    session.execute(
                        text("INSERT INTO notice_grams (rowid, grams) VALUES (:id, :grams)"),
                        [
                            {"id": notice_id + offset, "grams": value}
                            for notice_id, value in grams
                            if notice_id <= limit
                        ],
                    )
                else:
                    session.execute(
                        text(
                            "INSERT INTO notice_grams (notice_id, grams) SELECT notice_id + :offset, grams"
                            " FROM notice_grams WHERE notice_id <= :base_max"
                        ),
                        parameters,
                    )
            total = self.count()
            self.progress(f"grown to {total} of {notices} notices ({time.strftime('%H:%M:%S')})")
        if self.dialect == "postgresql":
            with self.store.session() as session:
                for table in ("notices", "tags", "terms", "notice_versions"):
                    session.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                    )
            with self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does after a bulk load

    def count(self) -> int:
        with self.store.session() as session:
            return session.scalar(text("SELECT count(*) FROM notices")) or 0

    # -- measuring --------------------------------------------------------------------------------------------

    def _queue_seconds(self, filters: dict[str, str]) -> float:
        """What the queue view does for these filters: the capped count and the first page with its tags."""
        from newsroom.review import queue_view
        from store.repository import effective_tags

        def view() -> None:  # what newsroom.views.queue asks the database
            with self.store.session() as session:
                [effective_tags(notice) for notice in queue_view(session, filters).notices]

        return _best_seconds(view)

    def facet_filters(self) -> list[dict[str, str]]:
        """The most common value of each facet in the base notices (the provinces for locations)."""
        filters = []
        with self.store.session() as session:
            for facet in ("scs_types", "industries"):
                value = session.scalar(
                    text(
                        "SELECT value FROM tags WHERE facet = :facet AND notice_id <= :m"
                        " GROUP BY value ORDER BY count(*) DESC, value LIMIT 1"
                    ),
                    {"facet": facet, "m": self.base_max_id},
                )
                if value:
                    filters.append({facet: value})
        filters.append({"locations": "110000"})
        return filters

    def approve_seconds(self) -> float:
        """Approving an open notice (headline and summary given): the median of five, each committed."""
        from newsroom.review import update_review
        from store.models import Notice

        with self.store.session() as session:
            ids = list(
                session.scalars(select(Notice.id).where(Notice.status == "new").order_by(Notice.id.desc()).limit(6))
            )
        timings = []
        for number, notice_id in enumerate(ids):
            started = time.perf_counter()
            with self.store.session() as session:
                notice = session.get(Notice, notice_id)
                assert notice is not None
                update_review(session, notice, "bench", f"Bench approval {notice_id}", "Summary.", "approve")
            if number:  # the first one warms up
                timings.append(time.perf_counter() - started)
        return statistics.median(timings)

    def notices_json(self, limit: int) -> tuple[float, float]:
        """Peak RSS (MB) and seconds of `scs notices --json --limit LIMIT` in a process of its own, output discarded."""
        command = [sys.executable, "-m", "scs.cli", "--db", self.url, "notices", "--json", "--limit", str(limit)]
        started = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            child = subprocess.Popen(command, stdout=sink)
            _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"`scs notices --json` failed: {status}")
        return usage.ru_maxrss / 1024, seconds

    def measure(self, run: RecrawlRun, json_limit: int) -> dict[str, Any]:
        details: dict[str, Any] = {"notices": self.count()}
        views = {
            "open": {},
            "approved": {"status": "approved"},
            "changed": {"status": "changed"},
            "all": {"status": "all", "relevance": "any"},
        }
        for name, filters in views.items():
            details[f"queue_{name}_s"] = self._queue_seconds(filters)
        for filters in self.facet_filters():
            ((facet, value),) = filters.items()
            details[f"queue_{facet}={value}_s"] = self._queue_seconds(filters)
        for query in SEARCHES:
            details[f"queue_q={query}_s"] = self._queue_seconds({"q": query})
        details["approve_s"] = self.approve_seconds()
        peak, seconds = self.notices_json(min(json_limit, details["notices"]) if json_limit else 0)
        details["notices_json_limit"] = json_limit or "all"
        details["notices_json_s"] = seconds
        details["recrawl_s"] = run.recrawl_seconds(self.url)
        figures = {
            "queue_first_page_s": max(details[f"queue_{name}_s"] for name in views),
            "queue_facet_s": max(
                v for k, v in details.items() if k.startswith("queue_") and "=" in k and "q=" not in k
            ),
            "queue_search_s": max(details[f"queue_q={query}_s"] for query in SEARCHES),
            "approve_s": details["approve_s"],
            "publish_incremental_s": None,
            "notices_json_peak_mb": peak,
            "recrawl_s": details["recrawl_s"],
        }
        return {**figures, "details": details}

    def dispose(self) -> None:
        self.store.dispose()


def _notice_columns() -> list[Any]:
    from store.models import Notice

    return list(Notice.__table__.columns)


class RecrawlRun:
    """An unchanged re-crawl of a small SYNTHETIC site whose notices are stored among all the others."""

    def __init__(self, workdir: Path, notices: int) -> None:
        from scs.bench.crawls import BenchMirror
        from scs.bench.site import generate_site, write_source

        self.notices = notices
        self.sources_dir = workdir / "sources"
        self.source = write_source(self.sources_dir, f"bench_trs_{notices}", notices)
        self.mirror = BenchMirror(generate_site(workdir, notices)).start()
        self.crawled: set[str] = set()

    def urls(self) -> list[str]:
        from scs.bench.site import generate_notice

        return [generate_notice(index).url for index in range(self.notices)]

    def first_crawl(self, url: str) -> None:
        """Store the site's notices in the database at `url` (not timed)."""
        from scs.bench.crawls import run_child_crawl

        if url not in self.crawled:
            first = run_child_crawl("full", self.mirror, self.sources_dir, self.source, url)
            if first["notices_new"] != self.notices:
                raise RuntimeError(f"the first crawl stored {first['notices_new']} of {self.notices} notices")
            self.crawled.add(url)

    def recrawl_seconds(self, url: str) -> float:
        """Seconds of `scs crawl` finding the site unchanged, the best of `REPEATS`."""
        from scs.bench.crawls import run_child_crawl

        self.first_crawl(url)
        timings = []
        for _ in range(REPEATS):
            again = run_child_crawl("full", self.mirror, self.sources_dir, self.source, url)
            if again["notices_new"]:
                raise RuntimeError(f"the re-crawl stored {again['notices_new']} new notices")
            timings.append(again["seconds"])
        return min(timings)

    def close(self) -> None:
        self.mirror.stop()


@contextmanager
def _empty_database_like(url: str, workdir: Path) -> Iterator[str]:
    """A new empty database of the same kind as `url` (PostgreSQL: on the same server, dropped afterwards)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        yield f"sqlite:///{workdir / 'empty.sqlite3'}"
        return
    name = f"{parsed.database}_empty_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def run_scale(
    notices: int, base: int, db_url: str | None, json_limit: int, progress: Callable[[str], None]
) -> dict[str, Any]:
    """Build, measure at `base`, grow to `notices`, measure again; the report with `growth`."""
    workdir = Path(tempfile.mkdtemp(prefix="scs-bench-scale-"))
    url = db_url or f"sqlite:///{workdir / 'scale.sqlite3'}"
    recrawl = RecrawlRun(workdir, min(RECRAWL_NOTICES, base // 2))
    database = ScaleDatabase(url, base, recrawl.source, progress)
    try:
        if database.count():
            raise RuntimeError(f"{url} already holds notices: the scale bench needs an empty database")
        with _empty_database_like(url, workdir) as empty:
            empty_recrawl_s = recrawl.recrawl_seconds(empty)
        started = time.perf_counter()
        recrawl.first_crawl(url)  # the re-crawled site's notices are among the base ones, then copied with them
        database.build_base()
        build_base_s = time.perf_counter() - started
        progress("measuring at the base size")
        at_base = database.measure(recrawl, json_limit)
        progress(f"at the base size: {json.dumps(at_base, ensure_ascii=False)}")
        started = time.perf_counter()
        database.grow_to(notices)
        grow_s = time.perf_counter() - started
        progress(f"measuring at {notices} notices")
        at_n = database.measure(recrawl, json_limit)
    finally:
        database.dispose()
        recrawl.close()
        shutil.rmtree(workdir, ignore_errors=True)
    growth = {
        key: (round(at_n[key] / at_base[key], 2) if at_n[key] is not None and at_base[key] else None) for key in FIGURES
    }
    return {
        **{key: at_n[key] for key in FIGURES},
        "growth": growth,
        "notices": at_n["details"]["notices"],
        "base_notices": at_base["details"]["notices"],
        "database": database.dialect,
        "publish_incremental_note": PUBLISH_NOTE,
        "recrawl_empty_database_s": empty_recrawl_s,
        "at_base": at_base,
        "at_n": at_n,
        "build_base_s": round(build_base_s, 1),
        "grow_s": round(grow_s, 1),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def measure_existing(db_url: str, json_limit: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Measure, at its size, a database an earlier `scs bench scale` built (for a run stopped while it grew)."""
    workdir = Path(tempfile.mkdtemp(prefix="scs-bench-scale-"))
    recrawl = RecrawlRun(workdir, RECRAWL_NOTICES)
    database = ScaleDatabase(db_url, 0, recrawl.source, progress)
    try:
        with database.store.session() as session:
            database.base_max_id = session.scalar(text("SELECT max(id) FROM notices")) or 0
            in_site = text("SELECT count(*) FROM notices WHERE url IN :urls").bindparams(
                bindparam("urls", expanding=True)
            )
            stored = session.scalar(in_site, {"urls": recrawl.urls()})
        if stored != RECRAWL_NOTICES:
            raise RuntimeError(f"{db_url} holds {stored} of the re-crawled site's {RECRAWL_NOTICES} notices")
        recrawl.crawled.add(db_url)
        progress(f"measuring at {database.count()} notices")
        at_n = database.measure(recrawl, json_limit)
    finally:
        database.dispose()
        recrawl.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        **{key: at_n[key] for key in FIGURES},
        "notices": at_n["details"]["notices"],
        "database": database.dialect,
        "publish_incremental_note": PUBLISH_NOTE,
        "at_n": at_n,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }

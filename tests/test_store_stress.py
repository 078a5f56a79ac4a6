"""The database under stress: WAL and a busy timeout on SQLite, and no half-stored notice after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from crawler.items import NoticeItem
from store.db import Store, make_engine
from store.models import Notice, NoticeVersion, Tag
from store.repository import save_notice

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202507/t20250718_1399285.html"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'scs.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert int(connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000
    engine.dispose()


class Exploding:
    """A classification whose tags blow up half-way through the write (after the notice row is flushed)."""

    relevant = True
    relevance_score = 0.9
    relevance_evidence = ()
    terms = ()

    @property
    def tags(self) -> dict[str, list[object]]:
        raise RuntimeError("crash between two writes")


def item() -> NoticeItem:
    notice = NoticeItem(source="ndrc", url=URL, title="关于信用修复的通知", body="正文" * 50)
    notice.content_hash = "h1"
    return notice


def test_a_crash_between_two_writes_leaves_no_half_stored_notice(db_url: str) -> None:
    store = Store(db_url)
    broken = item()
    broken.classification = Exploding()
    with pytest.raises(RuntimeError), store.session() as session:
        save_notice(session, broken)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0
        assert session.scalar(select(func.count()).select_from(NoticeVersion)) == 0
    fine = item()
    fine.classification = SimpleNamespace(relevant=False, relevance_score=0.0, relevance_evidence=[], tags={}, terms=[])
    with store.session() as session:
        assert save_notice(session, fine) == "new"
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 1
        assert session.scalar(select(func.count()).select_from(Tag)) == 0
    store.dispose()


WRITER = """
import sys, time
from sqlalchemy import text
from store.db import Store
store = Store(sys.argv[1], upgrade=False)
with store.session() as session:
    session.execute(text("INSERT INTO users (name, password_hash, created_at, active) "
                         "VALUES ('x', 'h', '2026-01-01', 1)"))
    print("writing", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_mid_transaction_leaves_the_database_usable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    Store(url).dispose()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={k: v for k, v in os.environ.items() if not k.startswith("SCS_")},
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    store = Store(url, upgrade=False)
    started = time.monotonic()
    with store.session() as session:
        assert session.scalar(text("SELECT count(*) FROM users")) == 0  # the uncommitted row is gone
        session.execute(
            text("INSERT INTO users (name, password_hash, created_at, active) VALUES ('y', 'h', '2026-01-01', 1)")
        )
    assert time.monotonic() - started < 5  # no stale lock to wait out
    store.dispose()

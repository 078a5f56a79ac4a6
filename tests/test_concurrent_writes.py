"""Several crawler processes write to one database: the same page saved by two writers at once is stored once.

With distributed workers the same URL can be fetched twice (a request re-queued after a worker died), so
two transactions may save the same new page concurrently. The second must wait for the first and then see
its row, never fail on the unique URL (which would quarantine a good page as a store error).
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from sqlalchemy import func, select

from crawler.items import NoticeItem
from pipelines.text import content_hash
from store.db import Store, migrate
from store.models import Notice, NoticeVersion, QuarantinedPage
from store.repository import quarantine_page, save_notice

URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202502/t20250214_7654321.html"


def notice_item(body: str = "各地区信用平台：现就信用信息共享有关事项通知如下。") -> NoticeItem:
    item = NoticeItem(source="ndrc", url=URL, title="关于信用信息共享的通知", body=body)
    item.content_hash = content_hash([("title", item.title), ("body", item.body)])
    return item


def in_second_writer(store: Store, work: object) -> tuple[threading.Thread, dict[str, object]]:
    """Start `work(session)` in its own transaction on another thread; its result lands in the dict."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            with store.session() as session:
                result["value"] = work(session)  # type: ignore[operator]
        except Exception as error:  # the assertion below reports it
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_same_new_page_saved_by_two_writers_at_once_is_stored_once(db_url: str) -> None:
    store = Store(db_url)
    first = store.sessions()
    first.begin()
    assert save_notice(first, notice_item()) == "new"  # flushed, not committed: the URL is taken
    thread, result = in_second_writer(store, lambda session: save_notice(session, notice_item()))
    time.sleep(0.5)  # let the second writer reach the database and wait on the first
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert result == {"value": "unchanged"}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 1
        assert session.scalar(select(func.count()).select_from(NoticeVersion)) == 1
    store.dispose()


def test_same_changed_page_saved_by_two_writers_at_once_is_one_update(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        save_notice(session, notice_item())
    changed = "各地区信用平台：信用信息共享有关事项调整如下。"
    first = store.sessions()
    first.begin()
    assert save_notice(first, notice_item(changed)) == "updated"
    thread, result = in_second_writer(store, lambda session: save_notice(session, notice_item(changed)))
    time.sleep(0.5)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert result == {"value": "unchanged"}
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert [v.changed_fields for v in notice.versions] == [[], ["body"]]
    store.dispose()


def test_same_failure_quarantined_by_two_writers_at_once_is_one_row(db_url: str) -> None:
    store = Store(db_url)
    page = SimpleNamespace(
        source="ndrc", url=URL, kind="empty-body", reason="no body", status=200, headers={}, body=b""
    )
    first = store.sessions()
    first.begin()
    quarantine_page(first, page)
    first.flush()
    thread, result = in_second_writer(store, lambda session: quarantine_page(session, page).attempts)
    time.sleep(0.5)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert result == {"value": 2}
    with store.session() as session:
        assert session.scalars(select(QuarantinedPage)).one().attempts == 2
    store.dispose()


def test_workers_starting_together_migrate_once(db_url: str) -> None:
    errors: list[Exception] = []

    def upgrade() -> None:
        try:
            migrate(db_url)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0
    store.dispose()

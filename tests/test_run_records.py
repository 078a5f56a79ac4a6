"""Run records, `scs runs`, `scs health`, field coverage and the alarm webhook."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from crawler.items import FailedPage, NoticeItem
from pipelines.stages import fields_checked
from scs.alerts import alert_on_alarms
from scs.cli import main
from scs.crawling import SourceSummary, close_interrupted_runs, coverage_shares, format_summary, record_run
from store.db import Store
from store.models import CrawlRun, Notice, SourceRun


def notice(**changes: Any) -> NoticeItem:
    item = NoticeItem(source="ndrc", url="https://www.ndrc.gov.cn/a.html", title="关于信用的通知", body="正文")
    item.published = dt.date(2026, 1, 5)
    for name, value in changes.items():
        setattr(item, name, value)
    return item


@pytest.mark.parametrize(
    ("item", "checked"),
    [
        (notice(), {"title": True, "body": True, "date": True}),
        (notice(published=None), {"title": True, "body": True, "date": False}),
        (FailedPage(source="ndrc", url="u", kind="no-title", reason="r"), {"title": False}),
        (FailedPage(source="ndrc", url="u", kind="empty-body", reason="r"), {"title": True, "body": False}),
        (FailedPage(source="ndrc", url="u", kind="http-error", reason="r"), None),  # not a parsed page
    ],
)
def test_fields_checked(item: Any, checked: dict[str, bool] | None) -> None:
    assert fields_checked(item) == checked


def test_summary_from_stats_reads_store_counts_and_coverage() -> None:
    stats = {
        "finish_reason": "finished",
        "downloader/response_count": 12,
        "scs/list_pages": 2,
        "scs/list_entries": 10,
        "scs/notices/new": 8,
        "scs/failed/no-title": 1,  # the spider's own count: diagnostic only
        "scs/quarantined/no-title": 1,
        "scs/quarantined/http-error": 1,
        "scs/coverage/checked/title": 9,
        "scs/coverage/missing/title": 1,
        "scs/coverage/checked/body": 8,
        "scs/coverage/checked/date": 8,
        "scs/coverage/missing/date": 2,
        "start_time": dt.datetime(2026, 1, 1, 3, 0),
    }
    summary = SourceSummary.from_stats("ndrc", stats)
    assert summary.errors == {"no-title": 1, "http-error": 1}
    assert summary.coverage == {
        "pages": 9,
        "title": 0.8889,
        "body": 1.0,
        "date": 0.75,
        "missing": {"title": 1, "date": 2},
    }
    assert summary.started_at == dt.datetime(2026, 1, 1, 3, 0, tzinfo=dt.UTC)
    assert coverage_shares({}, {}) == {}


def summary(source: str, **figures: Any) -> SourceSummary:
    values: dict[str, Any] = {
        "finish_reason": "finished",
        "pages": 12,
        "list_pages": 2,
        "list_items": 10,
        "new": 10,
        "coverage": {"pages": 10, "title": 1.0, "body": 1.0, "date": 1.0},
    }
    values.update(figures)
    return SourceSummary(source=source, **values)


def start_run(store: Store, command: str = "crawl") -> int:
    with store.session() as session:
        run = CrawlRun(command=command, status="running")
        session.add(run)
        session.flush()
        return run.id


def add_notices(store: Store, source: str, dates: list[dt.date]) -> None:
    with store.session() as session:
        for index, published in enumerate(dates):
            session.add(
                Notice(
                    source=source,
                    url=f"https://example.gov.cn/{source}/{index}.html",
                    title="t",
                    body="b",
                    published=published,
                    content_hash="h",
                    fetched_at=dt.datetime.now(dt.UTC),
                )
            )


def test_layout_drift_is_recorded_broken_and_shown_by_health(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(db_url)
    today = dt.date.today()
    add_notices(store, "ndrc", [today - dt.timedelta(days=d) for d in (0, 3, 6, 9, 12)])
    add_notices(store, "govcn", [today - dt.timedelta(days=d) for d in (1, 2, 3, 4)])
    first = [summary("ndrc"), summary("govcn")]
    record_run(store, start_run(store), first)
    assert [s.status for s in first] == ["ok", "ok"]

    drifted = [summary("ndrc", list_items=0, new=0, coverage={}), summary("govcn", new=0, unchanged=10)]
    second_id = start_run(store)
    record_run(store, second_id, drifted)
    assert [s.status for s in drifted] == ["broken", "ok"]
    assert drifted[0].failed and not drifted[1].failed
    assert "the last run with entries had 10" in " ".join(drifted[0].reasons)
    table = format_summary(drifted)
    assert "BROKEN" in table and "ndrc: broken: 2 list page(s) fetched but no entries found" in table

    with store.session() as session:
        run = session.get(CrawlRun, second_id)
        assert run is not None and run.status == "failed" and run.finished_at is not None
        row = session.scalar(select(SourceRun).where(SourceRun.run_id == second_id, SourceRun.source == "ndrc"))
        assert row is not None and (row.status, row.list_items) == ("broken", 0)
    store.dispose()

    assert main(["--db", db_url, "health", "--json", "--source", "ndrc", "--source", "govcn"]) == 1
    health = {row["source"]: row for row in json.loads(capsys.readouterr().out)}
    assert health["ndrc"]["status"] == "broken"
    assert health["ndrc"]["notices_30d"] == 5 and health["ndrc"]["cadence_days"] == 3.0
    assert health["govcn"]["status"] == "ok" and health["govcn"]["last_success"] is not None

    assert main(["--db", db_url, "health", "--source", "govcn"]) == 0
    assert "govcn" in capsys.readouterr().out

    assert main(["--db", db_url, "runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in runs] == [second_id, second_id - 1]
    assert {s["source"]: s["status"] for s in runs[0]["sources"]} == {"ndrc": "broken", "govcn": "ok"}
    assert runs[0]["sources"][0]["field_coverage"]["pages"] == 10  # govcn, sorted first
    assert main(["--db", db_url, "runs", "--source", "ndrc"]) == 0
    out = capsys.readouterr().out
    assert f"run {second_id}  crawl  failed" in out and "govcn" not in out


def test_runs_left_running_by_a_killed_process_are_marked_interrupted(db_url: str) -> None:
    store = Store(db_url)
    killed = start_run(store)
    assert close_interrupted_runs(store) == 1
    with store.session() as session:
        run = session.get(CrawlRun, killed)
        assert run is not None and run.status == "interrupted"
    store.dispose()


class Hook:
    """A local HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    thread.join()


def test_webhook_gets_the_alarms(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCS_ALERT_WEBHOOK", hook.url)
    broken = summary("ndrc", status="broken", reasons=["broken: list pages gave no entries"])
    assert alert_on_alarms(7, "crawl", [broken, summary("govcn", status="ok")])
    assert hook.received == [
        {
            "event": "scs-crawl-alarm",
            "run_id": 7,
            "command": "crawl",
            "alarms": [{"source": "ndrc", "status": "broken", "reasons": broken.reasons, "errors": {}}],
            "text": "scs crawl run 7: ndrc broken",
        }
    ]


def test_no_webhook_call_without_alarms_or_without_url(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCS_ALERT_WEBHOOK", hook.url)
    assert not alert_on_alarms(1, "crawl", [summary("ndrc", status="stale")])
    monkeypatch.delenv("SCS_ALERT_WEBHOOK")
    assert not alert_on_alarms(1, "crawl", [summary("ndrc", status="failing")])
    assert hook.received == []


def test_an_unreachable_webhook_is_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    assert not alert_on_alarms(1, "crawl", [summary("ndrc", status="failing")], webhook="http://127.0.0.1:9/x")
    assert "could not deliver the alarm" in capsys.readouterr().err

"""The monitors as pure functions: one row per rule, plus cadence learning and staleness."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scs.monitoring import RunFigures, Thresholds, assess, judge_run, judge_staleness, learn_cadence, source_health

NOW = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
FULL = {"pages": 20, "title": 1.0, "body": 1.0, "date": 1.0}


def coverage(pages: int = 20, **missing: int) -> dict[str, object]:
    """Coverage as stored (scs.crawling.coverage_shares) for `pages` detail pages, `missing` per field."""
    shares: dict[str, object] = {name: (pages - missing.get(name, 0)) / pages for name in ("title", "body", "date")}
    return {"pages": pages, **shares, "missing": missing}


def figures(**changes: object) -> RunFigures:
    """A healthy run of 2 list pages, 40 entries, 20 detail pages; `changes` override fields."""
    base = RunFigures(
        source="ndrc",
        started_at=NOW - dt.timedelta(hours=1),
        finished_at=NOW - dt.timedelta(minutes=50),
        finish_reason="finished",
        pages=22,
        list_pages=2,
        list_items=40,
        new=5,
        updated=1,
        unchanged=14,
        errors={},
        coverage=FULL,
        status="ok",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


HISTORY = [figures(started_at=NOW - dt.timedelta(days=d), finished_at=NOW - dt.timedelta(days=d)) for d in (3, 2, 1)]


@pytest.mark.parametrize(
    ("run", "status", "reason_part"),
    [
        (figures(), "ok", None),
        (figures(new=0, updated=0, unchanged=0, coverage={}), "ok", None),  # incremental: nothing new is fine
        (
            figures(list_items=0, new=0, updated=0, unchanged=0, coverage={}),
            "broken",
            "the last run with entries had 40",
        ),
        (figures(errors={"empty-list": 1}), "broken", "empty-list=1"),
        (figures(errors={"list-parse-error": 2}), "broken", "no longer understands"),
        (figures(coverage=coverage(date=3)), "broken", "date found on 85% of 20"),
        (figures(coverage=coverage(title=10, body=10)), "broken", "title found on 50%"),
        (figures(coverage=coverage(body=1, date=1)), "ok", None),  # 95 %: at the minimum
        (figures(coverage=coverage(pages=12, body=2)), "ok", None),  # 83 % but only 2 pages: noise, not a pattern
        (figures(coverage=coverage(pages=4, title=3)), "ok", None),  # too few pages to judge
        (figures(blocked_reason="jsl: 加速乐 challenge (HTTP 521)"), "blocked", "加速乐"),
        (figures(errors={"waf": 3}, list_items=0), "blocked", "anti-bot pages: waf=3"),
        (figures(finish_reason="shutdown"), "failing", "'shutdown'"),
        (figures(list_pages=0, list_items=0, errors={"http-error": 2}), "failing", "no list page could be fetched"),
        (figures(errors={"timeout": 10, "http-error": 5}), "failing", "15 of 37 pages failed"),
        (figures(errors={"timeout": 2}), "ok", None),  # 2 of 24: under the error-rate limit
    ],
)
def test_judge_run(run: RunFigures, status: str, reason_part: str | None) -> None:
    verdict = judge_run(run, HISTORY)
    assert verdict.status == status, verdict.reasons
    if reason_part is None:
        assert verdict.reasons == ()
    else:
        assert any(reason_part in reason for reason in verdict.reasons), verdict.reasons
        assert verdict.alarm


def test_the_most_severe_finding_wins_and_every_reason_is_kept() -> None:
    run = figures(list_items=0, errors={"waf": 2, "timeout": 30})
    verdict = judge_run(run, HISTORY)
    assert verdict.status == "blocked"
    assert [reason.split(":")[0] for reason in verdict.reasons] == ["blocked", "broken", "failing"]


def days(*offsets: int) -> list[dt.date]:
    return [NOW.date() - dt.timedelta(days=offset) for offset in offsets]


@pytest.mark.parametrize(
    ("dates", "cadence"),
    [
        ([], None),
        (days(1, 2, 3), None),  # three dates: too few to learn from
        (days(0, 7, 14, 21, 28), 7.0),
        (days(0, 0, 7, 7, 14, 21), 7.0),  # several notices a day count once
        (days(0, 1, 2, 30, 60), 14.5),  # median of 1, 1, 28, 30
        (days(*range(30), *range(100, 1000, 30)), 1.0),  # only the 30 most recent dates count
    ],
)
def test_learn_cadence(dates: list[dt.date], cadence: float | None) -> None:
    assert learn_cadence(dates) == cadence


@pytest.mark.parametrize(
    ("dates", "last_success", "status", "reason_part"),
    [
        (days(0, 7, 14, 21), NOW - dt.timedelta(hours=2), "ok", None),
        (days(22, 29, 36, 43), NOW - dt.timedelta(hours=2), "stale", "newest notice is from"),  # 22 > 3 × 7
        (days(20, 27, 34, 41), NOW - dt.timedelta(hours=2), "ok", None),  # 20 ≤ 21
        (days(10, 11, 12, 13), NOW - dt.timedelta(hours=2), "ok", None),  # daily source: never sooner than 14 days
        (days(15, 16, 17, 18), NOW - dt.timedelta(hours=2), "stale", "expected within 14"),
        (days(0, 7, 14, 21), NOW - dt.timedelta(days=5), "stale", "no successful crawl for 5.0 days"),
        (days(0, 7, 14, 21), None, "stale", "never crawled successfully"),
        (days(100), NOW - dt.timedelta(hours=2), "ok", None),  # no cadence learned: no opinion
    ],
)
def test_judge_staleness(
    dates: list[dt.date], last_success: dt.datetime | None, status: str, reason_part: str | None
) -> None:
    verdict = judge_staleness(dates, last_success, NOW)
    assert verdict.status == status
    if reason_part:
        assert any(reason_part in reason for reason in verdict.reasons), verdict.reasons


def test_assess_combines_run_and_staleness() -> None:
    stale_dates = days(40, 47, 54, 61)
    assert assess(figures(), HISTORY, stale_dates, NOW).status == "stale"
    assert assess(figures(list_items=0), HISTORY, stale_dates, NOW).status == "broken"
    assert assess(figures(), HISTORY, days(0, 7, 14, 21), NOW).status == "ok"


def test_a_failed_run_after_old_successes_is_failing_and_stale_after_three_days() -> None:
    old = [dataclasses.replace(run, finished_at=NOW - dt.timedelta(days=10)) for run in HISTORY]
    verdict = assess(figures(finish_reason="shutdown"), old, days(0, 7, 14, 21), NOW)
    assert verdict.status == "failing"
    assert any("no successful crawl for 10.0 days" in reason for reason in verdict.reasons)


def test_thresholds_are_parameters() -> None:
    run = figures(coverage=coverage(date=3))
    assert judge_run(run, HISTORY, Thresholds(min_coverage=0.8)).status == "ok"


def test_source_health_row() -> None:
    broken = figures(list_items=0, status="broken", finished_at=NOW - dt.timedelta(minutes=5))
    health = source_health("ndrc", [*HISTORY, broken], days(0, 7, 14, 21, 40), NOW)
    assert health.status == "broken"
    assert health.last_success == HISTORY[-1].finished_at
    assert health.last_run == broken.finished_at
    assert health.notices_30d == 4
    assert health.cadence_days == 7.0
    assert health.stale_after_days == 21.0
    assert health.as_dict()["reasons"] == list(health.reasons)


def test_source_health_of_a_source_never_crawled() -> None:
    health = source_health("new", [], [], NOW)
    assert (health.status, health.last_success, health.last_run, health.cadence_days) == ("stale", None, None, None)

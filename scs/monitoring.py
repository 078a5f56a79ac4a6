"""Monitors: is each source healthy after a run, and right now?

Pure functions over a source's run history and the dates of its notices, so every
rule is table-tested (tests/test_monitoring.py) and `scs crawl` (after a run) and
`scs health` (at any time) reach the same verdict from the same data.

Statuses, most severe first:
- ``blocked``: the site answered with anti-bot or WAF pages.
- ``broken``: layout drift. List pages that give no entries (when they are fetched
  fine), list pages that cannot be parsed, or title/body/date found on too few
  detail pages: the spider no longer understands the site.
- ``failing``: the spider did not finish, no list page could be fetched, or too many
  requests failed (HTTP errors, timeouts, resets).
- ``stale``: nothing published for longer than the source's learned cadence allows,
  or no successful crawl for too long (a cron job that silently died).
- ``ok``.
`blocked`, `broken` and `failing` are alarms: `scs crawl` exits non-zero on them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("blocked", "broken", "failing", "drifting", "stale", "ok")  # most severe first
ALARMS = frozenset({"blocked", "broken", "failing"})
COVERAGE_FIELDS = ("title", "body", "date")

# FailedPage kinds (see crawler.blocking.BLOCK_KINDS) that mean the site refused us.
BLOCK_ERROR_KINDS = frozenset({"blocked", "jsl", "ruishu", "captcha", "waf"})
# FailedPage kinds that mean a list page no longer has the layout the spider knows.
LAYOUT_ERROR_KINDS = frozenset({"empty-list", "list-parse-error"})
# A list page where the configured selectors and the generic list detector disagree: a warning, not a
# failed page (its entries were still crawled).
DRIFT_ERROR_KIND = "list-drift"


@dataclass(frozen=True)
class Thresholds:
    min_coverage: float = 0.95  # share of detail pages with each of title, body, date
    coverage_min_pages: int = 5  # fewer parsed detail pages than this: too few to judge coverage
    coverage_min_missing: int = 3  # one odd page in a dozen is noise, three are a pattern
    max_error_rate: float = 0.25  # failed pages / all pages handled
    error_min_pages: int = 4
    stale_factor: float = 3.0  # stale when nothing new for stale_factor × the learned cadence ...
    min_stale_days: float = 14.0  # ... and never sooner than this
    max_days_without_success: float = 3.0  # a daily cron job that stopped is noticed within this
    cadence_min_dates: int = 4  # distinct publication dates needed to learn a cadence
    cadence_window: int = 30  # the most recent distinct dates used


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class RunFigures:
    """One source's figures of one run (a `SourceRun` row or this run's `SourceSummary`)."""

    source: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    finish_reason: str = "finished"
    pages: int = 0
    list_pages: int = 0
    list_items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: Mapping[str, int] = field(default_factory=dict)
    coverage: Mapping[str, Any] = field(default_factory=dict)  # scs.crawling.coverage_shares
    blocked_reason: str = ""
    status: str = ""  # the verdict stored with the run, "" when not judged yet

    @property
    def notices(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def succeeded(self) -> bool:
        return self.status in ("ok", "stale", "drifting")


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...] = ()

    @property
    def alarm(self) -> bool:
        return self.status in ALARMS


def worst(statuses: Sequence[str]) -> str:
    return min(statuses, key=STATUSES.index, default="ok")


def _counts(errors: Mapping[str, int], kinds: frozenset[str] | None = None) -> str:
    return ", ".join(f"{kind}={count}" for kind, count in sorted(errors.items()) if kinds is None or kind in kinds)


def judge_run(run: RunFigures, history: Sequence[RunFigures], thresholds: Thresholds = Thresholds()) -> Verdict:
    """The monitors over one run, given the source's earlier runs (oldest first)."""
    findings: list[tuple[str, str]] = []
    blocks = {kind: n for kind, n in run.errors.items() if kind in BLOCK_ERROR_KINDS}
    if run.blocked_reason or blocks:
        findings.append(("blocked", run.blocked_reason or f"anti-bot pages: {_counts(blocks)}"))
    if run.finish_reason != "finished":
        findings.append(("failing", f"the spider ended with {run.finish_reason!r}, not 'finished'"))
    if run.list_pages == 0:
        errors = _counts(run.errors) or "no error recorded"
        findings.append(("failing", f"no list page could be fetched ({errors})"))
    elif run.list_items == 0:
        before = [r.list_items for r in history if r.list_items > 0]
        used_to = f"; the last run with entries had {before[-1]}" if before else ""
        findings.append(("broken", f"{run.list_pages} list page(s) fetched but no entries found{used_to}"))
    layout = {kind: n for kind, n in run.errors.items() if kind in LAYOUT_ERROR_KINDS}
    if layout and run.list_items > 0:
        findings.append(("broken", f"list pages the spider no longer understands: {_counts(layout)}"))
    if drifted := run.errors.get(DRIFT_ERROR_KIND, 0):
        findings.append(
            ("drifting", f"{drifted} list page(s) where the selectors and the list detector disagree (list-drift)")
        )
    checked = int(run.coverage.get("pages", 0))
    if checked >= thresholds.coverage_min_pages:
        missing = run.coverage.get("missing", {})
        for name in COVERAGE_FIELDS:
            share = float(run.coverage.get(name, 1.0))
            if share < thresholds.min_coverage and missing.get(name, 0) >= thresholds.coverage_min_missing:
                findings.append(
                    (
                        "broken",
                        f"{name} found on {share:.0%} of {checked} detail pages"
                        f" (minimum {thresholds.min_coverage:.0%})",
                    )
                )
    failed = sum(count for kind, count in run.errors.items() if kind != DRIFT_ERROR_KIND)
    handled = run.list_pages + run.notices + failed
    if handled >= thresholds.error_min_pages and failed / handled > thresholds.max_error_rate:
        findings.append(
            ("failing", f"{failed} of {handled} pages failed ({failed / handled:.0%}): {_counts(run.errors)}")
        )
    if not findings:
        return Verdict("ok")
    return Verdict(worst([status for status, _ in findings]), tuple(f"{status}: {why}" for status, why in findings))


def learn_cadence(dates: Sequence[dt.date], thresholds: Thresholds = Thresholds()) -> float | None:
    """Typical days between publications: the median gap between the most recent distinct dates.

    None when there are too few dates to say (a new or very quiet source).
    """
    distinct = sorted(set(dates))[-thresholds.cadence_window :]
    if len(distinct) < thresholds.cadence_min_dates:
        return None
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(distinct)]
    return float(statistics.median(gaps))


def stale_after_days(cadence: float | None, thresholds: Thresholds = Thresholds()) -> float | None:
    if cadence is None:
        return None
    return max(thresholds.stale_factor * cadence, thresholds.min_stale_days)


def judge_staleness(
    notice_dates: Sequence[dt.date],
    last_success: dt.datetime | None,
    now: dt.datetime,
    thresholds: Thresholds = Thresholds(),
) -> Verdict:
    """Stale when the newest notice is older than the learned cadence allows, or crawls stopped succeeding."""
    reasons = []
    if last_success is None:
        reasons.append("stale: never crawled successfully")
    else:
        days = (now - last_success).total_seconds() / 86400
        if days > thresholds.max_days_without_success:
            reasons.append(f"stale: no successful crawl for {days:.1f} days (since {last_success:%Y-%m-%d %H:%M})")
    limit = stale_after_days(learn_cadence(notice_dates, thresholds), thresholds)
    if limit is not None:
        newest = max(notice_dates)
        quiet = (now.date() - newest).days
        if quiet > limit:
            reasons.append(f"stale: newest notice is from {newest} ({quiet} days ago; expected within {limit:.0f})")
    return Verdict("stale", tuple(reasons)) if reasons else Verdict("ok")


def assess(
    run: RunFigures | None,
    history: Sequence[RunFigures],
    notice_dates: Sequence[dt.date],
    now: dt.datetime,
    thresholds: Thresholds = Thresholds(),
) -> Verdict:
    """The status of a source after `run` (its latest run; None if never run) and everything before it."""
    verdicts = []
    last_success = None
    if run is not None:
        verdict = judge_run(run, history, thresholds)
        verdicts.append(verdict)
        if not verdict.alarm:
            last_success = run.finished_at or run.started_at
    if last_success is None:
        earlier = [r.finished_at or r.started_at for r in history if r.succeeded]
        last_success = max(earlier, default=None)
    staleness = judge_staleness(notice_dates, last_success, now, thresholds)
    if run is not None:  # "never crawled successfully" says nothing the failed run's reasons don't
        staleness = Verdict(staleness.status, tuple(r for r in staleness.reasons if "never crawled" not in r))
        staleness = staleness if staleness.reasons else Verdict("ok")
    verdicts.append(staleness)
    return Verdict(
        worst([v.status for v in verdicts]), tuple(reason for verdict in verdicts for reason in verdict.reasons)
    )


@dataclass(frozen=True)
class SourceHealth:
    source: str
    status: str
    reasons: tuple[str, ...]
    last_run: dt.datetime | None
    last_success: dt.datetime | None
    notices_30d: int
    cadence_days: float | None
    stale_after_days: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "status": self.status,
            "reasons": list(self.reasons),
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "notices_30d": self.notices_30d,
            "cadence_days": self.cadence_days,
            "stale_after_days": self.stale_after_days,
        }


def source_health(
    source: str,
    runs: Sequence[RunFigures],
    notice_dates: Sequence[dt.date],
    now: dt.datetime,
    thresholds: Thresholds = Thresholds(),
) -> SourceHealth:
    """`scs health` for one source: `runs` oldest first, `notice_dates` one per stored notice."""
    latest = runs[-1] if runs else None
    verdict = assess(latest, runs[:-1], notice_dates, now, thresholds)
    successes = [r.finished_at or r.started_at for r in runs if r.succeeded]
    if latest is not None and not judge_run(latest, runs[:-1], thresholds).alarm:
        successes.append(latest.finished_at or latest.started_at)
    cadence = learn_cadence(notice_dates, thresholds)
    month_ago = now.date() - dt.timedelta(days=30)
    return SourceHealth(
        source=source,
        status=verdict.status,
        reasons=verdict.reasons,
        last_run=(latest.finished_at or latest.started_at) if latest else None,
        last_success=max(successes, default=None),
        notices_30d=sum(1 for day in notice_dates if day >= month_ago),
        cadence_days=cadence,
        stale_after_days=stale_after_days(cadence, thresholds),
    )

"""The ledger of listed detail URLs: what a list page promised, and what became of each promise.

Incremental crawls stop paging at a list page whose entries are all known, so a notice
whose store failed on page 3 would never be reached again. The ledger (`ListedUrl`)
remembers every detail URL seen on a list page with its state, written in the same
transaction as the notice or quarantine row that settles it:

- `listed`: seen, no outcome recorded (the store failed, or the run died first);
- `stored`: a notice holds it (under `final_url` when its redirects led elsewhere);
- `quarantined`: its content cannot become a notice (waits for `scs quarantine retry`);
- `failed`: a passing failure (HTTP error, timeout, store error ...), retried with backoff.

Every run fetches again the source's `listed` and due `failed` URLs (`due_for_retry`),
whatever list pages it reads. Lookups are per list page (`known_among`), never per source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipelines.text import storable
from store.models import ListedUrl, Notice, QuarantinedPage, utcnow

# Quarantine kinds caused by the page itself: fetching it again without a fix gives the same result.
CONTENT_FAILURE_KINDS = frozenset(
    {
        "not-html",
        "not-json",
        "no-title",
        "empty-body",
        "parse-error",
        "pipeline-error",
        "pipeline-timeout",
        "mojibake",
        "redirect-refused",
    }
)
SETTLED_STATES = ("stored", "quarantined")
UNSTORED_STATES = ("listed", "failed")

# Backoff of a failed URL: retried base × 2^(attempts-1) after its last failure (at most RETRY_MAX), given up after
# MAX_ATTEMPTS failures (it stays `failed`, counted by `scs health`).
RETRY_BASE = dt.timedelta(minutes=10)
RETRY_MAX = dt.timedelta(days=7)
MAX_ATTEMPTS = 8


def known_among(session: Session, urls: Sequence[str]) -> frozenset[str]:
    """Which of `urls` need no fetch: stored, settled in the ledger, or quarantined for their content."""
    if not urls:
        return frozenset()
    wanted = list(dict.fromkeys(urls))
    stored = session.scalars(select(Notice.url).where(Notice.url.in_(wanted)))
    settled = session.scalars(
        select(ListedUrl.url).where(ListedUrl.url.in_(wanted), ListedUrl.state.in_(SETTLED_STATES))
    )
    quarantined = session.scalars(
        select(QuarantinedPage.url).where(
            QuarantinedPage.url.in_(wanted),
            QuarantinedPage.resolved.is_(False),
            QuarantinedPage.kind.in_(CONTENT_FAILURE_KINDS),
        )
    )
    return frozenset(stored) | frozenset(settled) | frozenset(quarantined)


def _upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no upsert for the {dialect} dialect")
    return insert(ListedUrl)


def record_listed(
    session: Session, source: str, list_url: str, urls: Iterable[str], known: Iterable[str], run_id: int | None
) -> None:
    """Note the detail URLs of one list page; a URL already in the ledger keeps its state."""
    settled = set(storable(list(known)))
    urls = storable(list(urls))
    now = utcnow()
    rows = [
        {
            "source": source,
            "url": url,
            "list_url": list_url,
            "final_url": "",
            "state": "stored" if url in settled else "listed",
            "reason": "",
            "attempts": 0,
            "first_listed": now,
            "updated_at": now,
            "run_id": run_id,
        }
        for url in dict.fromkeys(urls)
    ]
    if rows:
        session.execute(_upsert(session).on_conflict_do_nothing(index_elements=["url"]), rows)


def retry_delay(attempts: int, base: dt.timedelta = RETRY_BASE, cap: dt.timedelta = RETRY_MAX) -> dt.timedelta:
    """How long a URL that failed `attempts` times waits before the next try."""
    if attempts <= 0:
        return dt.timedelta(0)
    return min(base * 2 ** min(attempts - 1, 32), cap)


def record_outcome(
    session: Session, source: str, url: str, state: str, *, final_url: str = "", reason: str = "", run_id: int | None
) -> None:
    """Settle (or fail) the ledger row of a listed URL, creating it when the listing was never recorded."""
    now = utcnow()
    failed = state == "failed"
    url, final_url, reason = storable(url), storable(final_url), storable(reason)
    statement = _upsert(session).values(
        source=source,
        url=url,
        list_url="",
        final_url=final_url if final_url != url else "",
        state=state,
        reason=reason,
        attempts=1 if failed else 0,
        first_listed=now,
        updated_at=now,
        run_id=run_id,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["url"],
        set_={
            "state": state,
            "reason": reason,
            "final_url": statement.excluded.final_url,
            "attempts": ListedUrl.attempts + 1 if failed else 0,
            "updated_at": now,
            "run_id": run_id,
        },
    )
    session.execute(statement)


def due_for_retry(
    session: Session,
    source: str,
    now: dt.datetime | None = None,
    *,
    base: dt.timedelta = RETRY_BASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[str]:
    """The source's listed-but-not-stored URLs whose backoff has passed, oldest first."""
    now = now or utcnow()
    rows = session.execute(
        select(ListedUrl.url, ListedUrl.attempts, ListedUrl.updated_at)
        .where(ListedUrl.source == source, ListedUrl.state.in_(UNSTORED_STATES), ListedUrl.attempts < max_attempts)
        .order_by(ListedUrl.id)
    )
    return [url for url, attempts, updated_at in rows if updated_at + retry_delay(attempts, base) <= now]


def unstored_counts(session: Session) -> dict[str, int]:
    """Per source: listed URLs with no notice (state listed or failed), for `scs health`."""
    rows = session.execute(
        select(ListedUrl.source, func.count()).where(ListedUrl.state.in_(UNSTORED_STATES)).group_by(ListedUrl.source)
    )
    return {source: int(count) for source, count in rows}

"""What analysts do to a notice: correct tags, write the English text, decide; each change is audited.

Only analyst-owned columns and `analyst` tag rows are written here, so a re-crawl or
re-classification (which owns the rest) can never undo an analyst's work.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, bindparam, func, or_, select, text, tuple_, update
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from store.models import AuditEntry, Notice, Tag, utcnow

FACETS = ("scs_types", "industries", "locations")
STATUSES = ("new", "needs-work", "approved", "rejected")
ACTIONS = {"approve": "approved", "reject": "rejected", "needs-work": "needs-work"}
LOCATION_CODE = re.compile(r"^\d{6}$")
OPEN = "open"  # new or needs-work, or changed at the source since review
PAGE_SIZE = 25
COUNT_CAP = 1000  # beyond this many matches the queue says "1000+" instead of counting them all
COMMON_VALUE = 20_000  # tag rows: a value this common is counted by walking the sort index, not from its notices


class ReviewError(ValueError):
    """An analyst's request that cannot be carried out (unknown tag value, approval without a headline...)."""


class EditConflict(ReviewError):
    """The notice was saved or decided by someone else since the analyst's form was made."""


def claim_review_version(db: Session, notice_id: int, expected: int | None) -> bool:
    """Bump the notice's review version if it is still `expected` (any version when None).

    One conditional UPDATE, run first in the transaction: it takes the row's write lock, so of two
    analysts sending forms made from the same version exactly one succeeds; False for the other
    (or when the notice does not exist).
    """
    condition = [Notice.id == notice_id]
    if expected is not None:
        condition.append(Notice.review_version == expected)
    result = db.execute(update(Notice).where(*condition).values(review_version=Notice.review_version + 1))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def vocabulary(facet: str) -> list[str]:
    """The fixed values of scs_types or industries: the labels of the classifiers' lexicon, where they are listed once.

    (`classifiers/vocabulary.py` is planned as the single list; switch here when it lands.)
    """
    from classifiers.lexicon import default_lexicons

    if facet not in ("scs_types", "industries"):
        raise KeyError(facet)
    return default_lexicons().facets[facet].labels


def valid_value(facet: str, value: str) -> bool:
    if facet == "locations":
        from classifiers.gazetteer import divisions

        return bool(LOCATION_CODE.match(value)) and value in divisions()
    return facet in FACETS and value in vocabulary(facet)


def audit(db: Session, notice: Notice, user: str, action: str, detail: dict[str, Any]) -> None:
    db.add(AuditEntry(notice_id=notice.id, user=user, action=action, detail=detail, at=utcnow()))


def set_tag(db: Session, notice: Notice, facet: str, value: str, present: bool, user: str) -> bool:
    """Add (present) or remove an effective tag value as an analyst decision; False when nothing changed."""
    from store.repository import effective_tags

    value = value.strip()
    if facet not in FACETS or not valid_value(facet, value):
        raise ReviewError(f"{value!r} is not a value of {facet}")
    if (value in effective_tags(notice).get(facet, [])) == present:
        return False
    row = next((t for t in notice.tags if t.origin == "analyst" and t.facet == facet and t.value == value), None)
    if row is None:
        row = Tag(facet=facet, value=value, origin="analyst")
        notice.tags.append(row)
    row.present = present
    row.set_by = user
    row.set_at = utcnow()
    audit(db, notice, user, "tag-add" if present else "tag-remove", {"facet": facet, "value": value})
    redraft(notice)
    return True


def redraft(notice: Notice) -> bool:
    """Draft the English again from the tags in force (the analyst's corrections included).

    The machine draft is all that changes; once the analyst has written a headline or summary of their
    own, nothing is touched. False when nothing was redrafted.
    """
    from newsroom.drafts import draft_headline_and_summary
    from store.repository import effective_tags

    if notice.headline_en or notice.summary_en or not notice.relevant:
        return False
    terms = [row.term for row in sorted(notice.terms, key=lambda row: -row.count)]
    notice.draft_headline, notice.draft_summary = draft_headline_and_summary(
        notice.title, notice.publisher, effective_tags(notice), terms, notice.body
    )
    return True


def set_relevance(db: Session, notice: Notice, relevant: bool | None, user: str) -> bool:
    """The analyst's relevance decision (None hands it back to the classifier); False when nothing changed."""
    if notice.relevant_analyst is relevant:
        return False
    audit(db, notice, user, "relevance", {"relevant_analyst": [notice.relevant_analyst, relevant]})
    notice.relevant_analyst = relevant
    return True


def update_review(
    db: Session, notice: Notice, user: str, headline: str, summary: str, action: str | None
) -> dict[str, list[Any]]:
    """Save the English headline and summary and optionally decide (approve, reject, needs-work).

    Approving needs a headline and a summary; it clears the changed-since-review flag and fixes the
    item's slug at first approval so its permalink never moves.
    """
    headline, summary = " ".join(headline.split()), summary.strip()
    changes: dict[str, list[Any]] = {}
    if headline != notice.headline_en:
        changes["headline_en"] = [notice.headline_en, headline]
        notice.headline_en = headline
    if summary != notice.summary_en:
        changes["summary_en"] = [notice.summary_en, summary]
        notice.summary_en = summary
    if action is not None:
        if action not in ACTIONS:
            raise ReviewError(f"unknown action {action!r}")
        status = ACTIONS[action]
        if status == "approved" and not (headline and summary):
            raise ReviewError("an item needs an English headline and summary before it can be approved")
        if status != notice.status:
            changes["status"] = [notice.status, status]
            notice.status = status
        if notice.changed_since_review:
            changes["changed_since_review"] = [True, False]
            notice.changed_since_review = False
        notice.reviewed_by = user
        notice.reviewed_at = utcnow()
        if status == "approved" and not notice.slug:
            notice.slug = unique_slug(db, notice)
            changes["slug"] = ["", notice.slug]
    if changes:
        audit(db, notice, user, action or "edit", changes)
    elif action is not None:
        audit(db, notice, user, action, {})
    return changes


def slugify(text: str, max_words: int = 10) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words[:max_words])


def item_month(notice: Notice) -> dt.date:
    """The date an item is filed under in permalinks: its publication date, else when it was first seen."""
    if notice.published is not None:
        return notice.published
    return notice.first_seen.date()


def unique_slug(db: Session, notice: Notice) -> str:
    """A slug from the English headline, unique among the items of the same month (one indexed lookup)."""
    base = slugify(notice.headline_en) or f"notice-{notice.id}"
    month = item_month(notice)
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    same_month = or_(
        and_(Notice.published >= start, Notice.published < end),
        and_(
            Notice.published.is_(None),
            Notice.first_seen >= dt.datetime.combine(start, dt.time(), dt.UTC),
            Notice.first_seen < dt.datetime.combine(end, dt.time(), dt.UTC),
        ),
    )
    taken = db.scalar(select(Notice.id).where(Notice.slug == base, Notice.id != notice.id, same_month).limit(1))
    return base if taken is None else f"{base}-{notice.id}"


def relevant_clause(relevant: bool = True) -> ColumnElement[bool]:
    """SQL for Notice.relevant == relevant: the analyst's decision if any, else the classifier's."""
    return or_(
        Notice.relevant_analyst.is_(relevant),
        and_(Notice.relevant_analyst.is_(None), Notice.relevant_auto.is_(relevant)),
    )


def _value_match(tag: Any, facet: str, value: str) -> ColumnElement[bool]:
    """The tag rows of `value`: a province code also matches its cities and counties (a range of the index)."""
    if facet == "locations" and value.endswith("0000") and value != "000000":
        return tag.value.between(value[:2] + "0000", value[:2] + "9999")
    return tag.value == value  # type: ignore[no-any-return]


def is_common_value(db: Session, facet: str, value: str) -> bool:
    """Whether at least COMMON_VALUE tag rows carry the value: one capped read of `ix_tags_facet_value`."""
    rows = select(Tag.id).where(Tag.facet == facet, _value_match(Tag, facet, value), Tag.present.is_(True))
    return (db.scalar(select(func.count()).select_from(rows.limit(COMMON_VALUE).subquery())) or 0) >= COMMON_VALUE


def facet_clause(facet: str, value: str, *, in_sort_order: bool = True) -> ColumnElement[bool]:
    """SQL for 'value is an effective tag of facet'; a province code also matches its cities and counties.

    `in_sort_order`: checked per notice while the queue walks its sort index (EXISTS); False: the notices
    carrying the value, found through `ix_tags_facet_value` (IN), for counting and for values on few notices.

    The analyst's removal is looked up for the same notice, facet and value as the tag shown (a subquery
    correlated with that tag row). Both lookups are per notice, through the tags' unique (notice_id, facet,
    value, origin) index, so the queue can walk its sort index and stop after one page.
    """
    shown, removed = aliased(Tag), aliased(Tag)
    value_match = _value_match(shown, facet, value)
    removed_by_analyst = (
        select(removed.id)
        .where(
            removed.notice_id == shown.notice_id,
            removed.facet == shown.facet,
            removed.value == shown.value,
            removed.origin == "analyst",
            removed.present.is_(False),
        )
        .correlate(shown)
        .exists()
    )
    if not in_sort_order:
        tagged = select(shown.notice_id).where(shown.facet == facet, value_match, shown.present.is_(True))
        return Notice.id.in_(tagged.where(~removed_by_analyst))
    return (
        select(shown.id)
        .where(shown.notice_id == Notice.id, shown.facet == facet, value_match, shown.present.is_(True))
        .where(~removed_by_analyst)
        .correlate(Notice)
        .exists()
    )


def queue_conditions(
    filters: Mapping[str, str],
    dialect: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    for_count: bool = False,
    common_values: Collection[str] = (),
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the review queue for its filters (status, relevance, source, facets, q).

    `for_count`: conditions that start from the notices a facet value or a search term picks (see
    `facet_clause`, `store.search.search_clause`): for `capped_count`, and for pages of few matches; except
    the facets in `common_values`, whose value is on so many notices that walking the sort index finds
    COUNT_CAP of them sooner than reading them all.
    """
    from store.search import search_clause

    conditions = []
    if filters.get("relevance") == "not-relevant":
        conditions.append(relevant_clause(False))
    elif filters.get("relevance") != "any":
        conditions.append(relevant_clause(True))
    status = filters.get("status", OPEN)
    if status == OPEN:
        # Most notices are open: the page is found by walking the sort index (ix_notices_queue) and checking each
        # notice. SQLite would rather collect every open notice through the status and changed indexes and sort
        # them all; `status || ''` (SQLite's documented way to keep a term off an index) stops it.
        open_status = (Notice.status + "") if dialect == "sqlite" else Notice.status
        conditions.append(or_(open_status.in_(("new", "needs-work")), Notice.changed_since_review.is_(True)))
    elif status == "changed":
        conditions.append(Notice.changed_since_review.is_(True))
    elif status != "all":
        conditions.append(Notice.status == status)
    if filters.get("source"):
        conditions.append(Notice.source == filters["source"])
    for facet in FACETS:
        if filters.get(facet):
            walk = not for_count or facet in common_values
            conditions.append(facet_clause(facet, filters[facet], in_sort_order=walk))
    if filters.get("q"):
        conditions.append(search_clause(dialect, filters["q"], in_sort_order=not for_count))
    if date_from:
        conditions.append(Notice.published >= date_from)
    if date_to:
        conditions.append(Notice.published <= date_to)
    return conditions


@dataclass(frozen=True)
class QueueCursor:
    """Where a queue page ends, in its sort order (published newest first, undated last; then id descending)."""

    published: dt.date | None
    id: int

    def encode(self) -> str:
        return f"{self.published.isoformat() if self.published else 'none'}.{self.id}"

    @classmethod
    def decode(cls, raw: str) -> QueueCursor | None:
        """The cursor written by `encode`, or None for anything else (a bad link starts at the first page)."""
        published, _, number = raw.partition(".")
        try:
            return cls(None if published == "none" else dt.date.fromisoformat(published), int(number))
        except ValueError:
            return None


def queue_page(
    db: Session,
    conditions: list[ColumnElement[bool]],
    after: QueueCursor | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[Notice], QueueCursor | None]:
    """One page of the queue after `after` (keyset pagination), and the cursor of the next page if there is one.

    Dated and undated notices are read by two range scans of the sort order (published, id), so no page
    costs more than its own rows, however deep: no OFFSET, and no `NULLS LAST` that an index cannot serve.
    """
    wanted = size + 1
    notices: list[Notice] = []
    if after is None or after.published is not None:
        dated = [Notice.published.is_not(None), *conditions]
        if after is not None:
            dated.append(
                tuple_(Notice.published, Notice.id) < tuple_(bindparam(None, after.published, Date()), after.id)
            )
        notices += db.scalars(
            select(Notice)
            .where(*dated)
            .order_by(Notice.published.desc(), Notice.id.desc())
            .limit(wanted)
            .options(selectinload(Notice.tags))
        )
    if len(notices) < wanted:
        undated = [Notice.published.is_(None), *conditions]
        if after is not None and after.published is None:
            undated.append(Notice.id < after.id)
        notices += db.scalars(
            select(Notice)
            .where(*undated)
            .order_by(Notice.id.desc())
            .limit(wanted - len(notices))
            .options(selectinload(Notice.tags))
        )
    if len(notices) <= size:
        return notices, None
    last = notices[size - 1]
    return notices[:size], QueueCursor(last.published, last.id)


def capped_count(db: Session, conditions: list[ColumnElement[bool]], cap: int = COUNT_CAP) -> int:
    """How many notices match, counted up to cap + 1 (so "more than cap" is known without counting them all)."""
    matching = select(Notice.id).where(*conditions).limit(cap + 1).subquery()
    return db.scalar(select(func.count()).select_from(matching)) or 0


# One index probe per distinct source (a loose index scan), where DISTINCT would read the whole source index.
_SOURCE_NAMES = text(
    "WITH RECURSIVE names (source) AS ("
    " SELECT min(source) FROM notices"
    " UNION ALL SELECT (SELECT min(source) FROM notices WHERE source > names.source) FROM names"
    " WHERE names.source IS NOT NULL"
    ") SELECT source FROM names WHERE source IS NOT NULL"
)


def source_names(db: Session) -> list[str]:
    """The sources of the stored notices, in order (for the queue's source filter)."""
    return list(db.scalars(_SOURCE_NAMES))


@dataclass
class QueueView:
    """What the queue page shows: the (capped) count, one page of notices, the next page's cursor, the sources."""

    total: int
    notices: list[Notice]
    next_page: QueueCursor | None
    sources: list[str]


def queue_view(
    db: Session,
    filters: Mapping[str, str],
    after: QueueCursor | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    size: int = PAGE_SIZE,
) -> QueueView:
    """The queue's queries. The count comes first: up to COUNT_CAP matches, the page starts from them and sorts
    them (a rare tag or term); beyond, it walks the sort index, where matches are frequent enough to find soon."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql" and (filters.get("q") or any(filters.get(facet) for facet in FACETS)):
        # PostgreSQL's cost model does not see what reading a notice's TOASTed body or search vector costs, and
        # would read them all in a sequential scan rather than ask the search and tag indexes: not in this view.
        db.execute(text("SET LOCAL enable_seqscan = off"))
    common = [facet for facet in FACETS if filters.get(facet) and is_common_value(db, facet, filters[facet])]
    few_matches = queue_conditions(filters, dialect, date_from, date_to, for_count=True, common_values=common)
    total = capped_count(db, few_matches)
    if total > COUNT_CAP:
        notices, next_page = queue_page(db, queue_conditions(filters, dialect, date_from, date_to), after, size)
    else:
        notices, next_page = queue_page(db, few_matches, after, size)
    return QueueView(total, notices, next_page, source_names(db))

"""What analysts do to a notice: correct tags, write the English text, decide; each change is audited.

Only analyst-owned columns and `analyst` tag rows are written here, so a re-crawl or
re-classification (which owns the rest) can never undo an analyst's work.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from store.models import AuditEntry, Notice, Tag, utcnow

FACETS = ("scs_types", "industries", "locations")
STATUSES = ("new", "needs-work", "approved", "rejected")
ACTIONS = {"approve": "approved", "reject": "rejected", "needs-work": "needs-work"}
LOCATION_CODE = re.compile(r"^\d{6}$")


class ReviewError(ValueError):
    """An analyst's request that cannot be carried out (unknown tag value, approval without a headline...)."""


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
    """A slug from the English headline, unique among the items of the same month."""
    base = slugify(notice.headline_en) or f"notice-{notice.id}"
    month = item_month(notice)
    taken = {
        other.slug
        for other in db.scalars(select(Notice).where(Notice.slug != "", Notice.id != notice.id))
        if (item_month(other).year, item_month(other).month) == (month.year, month.month)
    }
    return base if base not in taken else f"{base}-{notice.id}"


def relevant_clause(relevant: bool = True) -> ColumnElement[bool]:
    """SQL for Notice.relevant == relevant: the analyst's decision if any, else the classifier's."""
    return or_(
        Notice.relevant_analyst.is_(relevant),
        and_(Notice.relevant_analyst.is_(None), Notice.relevant_auto.is_(relevant)),
    )


def facet_clause(facet: str, value: str) -> ColumnElement[bool]:
    """SQL for 'value is an effective tag of facet'; a province code also matches its cities and counties.

    The analyst's removal is looked up for the same notice, facet and value as the tag shown (a subquery
    correlated with that tag row), through the tags' unique (notice_id, facet, value, origin) index; the
    tags themselves through `ix_tags_facet_value` (facet, value, notice_id).
    """
    shown, removed = aliased(Tag), aliased(Tag)
    if facet == "locations" and value.endswith("0000") and value != "000000":
        value_match = shown.value.like(value[:2] + "%")
    else:
        value_match = shown.value == value
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
    tagged = select(shown.notice_id).where(
        shown.facet == facet, value_match, shown.present.is_(True), ~removed_by_analyst
    )
    return Notice.id.in_(tagged)

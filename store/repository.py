"""Writing crawled notices and reading them back.

`save_notice` is the crawl's upsert on the canonical URL: the same page twice is
stored once; a changed page updates the crawl-owned columns, replaces the `auto`
tags and terms and records a `NoticeVersion`; analyst columns and `analyst` tag
rows are never written here. When a reviewed notice changes, it is flagged
(`changed_since_review`) for another look.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal, cast

from sqlalchemy import Connection, Table, bindparam, case, insert, select, update
from sqlalchemy.orm import Session

from pipelines.docnumbers import doc_number_key
from pipelines.text import storable
from store.models import Notice, NoticeVersion, QuarantinedPage, Tag, TermCount, utcnow
from store.search import index_notices

FACETS = ("scs_types", "industries", "locations")
SaveOutcome = Literal["new", "updated", "unchanged"]

# Crawl-owned columns compared to tell what changed; the content hash covers them all.
CONTENT_FIELDS = (
    "title",
    "publisher",
    "doc_number",
    "published",
    "written",
    "body",
    "attachments",
)
_CRAWL_FIELDS = (
    *CONTENT_FIELDS,
    "source",
    "published_raw",
    "written_raw",
    "published_reason",
    "written_reason",
    "list_date_raw",
    "meta",
    "flags",
    "jurisdiction",
    "content_hash",
    "fetched_at",
)


_ATOMIC = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _asdict(value: Any) -> dict[str, Any]:
    """`dataclasses.asdict(value)` without its deep copy when every field holds a plain scalar (evidence,
    attachments): the same dict, at a fraction of the cost. Anything nested goes through `asdict` itself."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES.setdefault(type(value), tuple(field.name for field in dataclasses.fields(value)))
    plain = {}
    for name in names:
        field_value = getattr(value, name)
        if type(field_value) not in _ATOMIC:
            return dataclasses.asdict(value)
        plain[name] = field_value
    return plain


def _plain(value: Any) -> Any:
    """Dataclasses (attachments, evidence) as JSON-ready dicts."""
    if type(value) in _ATOMIC:
        return value
    if type(value) in _FIELD_NAMES or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return _asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# Offsets kept per term and notice (its count stays exact): a 9 MB page naming a term 100,000 times must not
# store 100,000 offsets. The first ones are what an analyst jumps to.
MAX_TERM_OFFSETS = 100


def _term_offsets(hit: Any) -> list[list[Any]]:
    return [list(offset) for offset in hit.offsets[:MAX_TERM_OFFSETS]]


def _crawl_values(item: Any) -> dict[str, Any]:
    """The crawl-owned column values of `item`, without characters no database accepts (NUL, surrogates)."""
    values = {name: storable(_plain(getattr(item, name))) for name in _CRAWL_FIELDS}
    values["doc_number_key"] = doc_number_key(values["doc_number"])
    return values


def _auto_rows(classification: Any) -> list[tuple[str, list[Any], bool]]:
    """(facet, results, present) for the tags and then the suggestions (stored as not-present auto rows)."""
    return [(facet, results, True) for facet, results in classification.tags.items()] + [
        (facet, results, False) for facet, results in getattr(classification, "suggestions", {}).items()
    ]


def _apply_classification(session: Session, notice: Notice, classification: Any) -> None:
    """Replace the notice's auto tags, terms and relevance with a fresh classification."""
    for tag in [t for t in notice.tags if t.origin == "auto"]:
        notice.tags.remove(tag)
    notice.terms.clear()
    session.flush()
    if classification is None:
        notice.relevant_auto = False
        notice.relevance_score = 0.0
        notice.relevance_evidence = []
        return
    notice.relevant_auto = bool(classification.relevant)
    notice.relevance_score = float(classification.relevance_score)
    notice.relevance_evidence = storable(_plain(list(classification.relevance_evidence)))
    for facet, results, present in _auto_rows(classification):
        for result in results:
            notice.tags.append(
                Tag(
                    facet=facet,
                    value=result.value,
                    origin="auto",
                    present=present,
                    score=float(result.score),
                    confidence=result.confidence,
                    evidence=storable(_plain(list(result.evidence))),
                )
            )
    for hit in classification.terms:
        notice.terms.append(TermCount(term=hit.term, count=hit.count, offsets=_term_offsets(hit)))


def reclassify_notice(session: Session, notice: Notice, tagging: Any) -> None:
    """Refresh the automatic classification and draft of a stored notice; analyst rows and columns are untouched.

    `tagging` is a `pipelines.tagging.Tagging`.
    """
    _apply_classification(session, notice, tagging.classification)
    notice.draft_headline, notice.draft_summary = storable(tagging.draft_headline), storable(tagging.draft_summary)


def _locked_row(session: Session, model: type[Any], *criteria: Any) -> Any:
    """The row matching `criteria`, locked for this transaction, or None.

    Several crawler processes may save the same page at once. PostgreSQL: `SELECT … FOR UPDATE`, so a
    second writer waits and then reads the first one's committed row. SQLite has no row locks: an empty
    write takes the database write lock first (as `BEGIN IMMEDIATE` would), with the same effect.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(model).where(*criteria).values(id=model.id).execution_options(synchronize_session=False))
        return session.scalar(select(model).where(*criteria))
    return session.scalar(select(model).where(*criteria).with_for_update())


def _insert_unless_present(session: Session, model: type[Any], values: dict[str, Any], key: list[str]) -> int | None:
    """INSERT … ON CONFLICT (key) DO NOTHING: the new row's id, or None when a concurrent writer won."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:
        raise NotImplementedError(f"no upsert for the {dialect} dialect")
    statement = upsert(model).values(**values).on_conflict_do_nothing(index_elements=key).returning(model.id)
    row_id: int | None = session.execute(statement).scalar()
    return row_id


_NOTICES = cast(Table, Notice.__table__)
_TAGS = cast(Table, Tag.__table__)
_TERMS = cast(Table, TermCount.__table__)
_VERSIONS = cast(Table, NoticeVersion.__table__)

# Built once: Core statements on the tables, their values passed as parameters, so each call skips building
# the construct, the ORM's bulk machinery and most of the cache-key work.
#
# The claim of a URL: lock its row and read its id and content hash, and when the content is unchanged record the
# fetch in the same statement. PostgreSQL: the UPDATE locks the row as `SELECT … FOR UPDATE` would (a second writer
# waits, then sees the first one's committed row). SQLite: a write takes the database write lock, even when it matches
# no row (as `BEGIN IMMEDIATE` would), so the insert of a new URL that follows cannot race another writer.
_CLAIM = (
    update(_NOTICES)
    .where(_NOTICES.c.url == bindparam("claim_url"))
    .values(
        fetched_at=case(
            (
                _NOTICES.c.content_hash == bindparam("claim_hash", type_=_NOTICES.c.content_hash.type),
                bindparam("claim_fetched_at", type_=_NOTICES.c.fetched_at.type),
            ),
            else_=_NOTICES.c.fetched_at,
        )
    )
    .returning(_NOTICES.c.id, _NOTICES.c.content_hash)
)
_INSERT_TAGS = insert(_TAGS)
_INSERT_TERMS = insert(_TERMS)
_INSERT_VERSION = insert(_VERSIONS)
_INSERT_NOTICE: dict[str, Any] = {}


def _insert_notice_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT (url) DO NOTHING RETURNING id, built once per dialect."""
    statement = _INSERT_NOTICE.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as postgresql_insert

            statement = postgresql_insert(_NOTICES).on_conflict_do_nothing(index_elements=["url"])
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(_NOTICES).on_conflict_do_nothing(index_elements=["url"])
        else:
            raise NotImplementedError(f"no upsert for the {dialect} dialect")
        statement = _INSERT_NOTICE.setdefault(dialect, statement.returning(_NOTICES.c.id))
    return statement


def _insert_new_notice(connection: Connection, item: Any, run_id: int | None) -> bool:
    """Claim a new URL and write its notice, auto tags, terms and first version; False when a concurrent writer won.

    Plain INSERTs (executemany for tags and terms) in the session's transaction: a row just inserted can have no
    tags, terms or versions yet, so there is nothing to load, compare or delete first.
    """
    classification = item.classification
    values = _crawl_values(item)
    values["url"] = storable(item.url)
    if classification is None:
        values["relevant_auto"], values["relevance_score"], values["relevance_evidence"] = False, 0.0, []
    else:
        values["relevant_auto"] = bool(classification.relevant)
        values["relevance_score"] = float(classification.relevance_score)
        values["relevance_evidence"] = storable(_plain(list(classification.relevance_evidence)))
    values["draft_headline"], values["draft_summary"] = storable(item.draft_headline), storable(item.draft_summary)
    notice_id = connection.execute(_insert_notice_statement(connection.dialect.name), values).scalar()
    if notice_id is None:
        return False
    if classification is not None:
        tags = [
            {
                "notice_id": notice_id,
                "facet": facet,
                "value": result.value,
                "origin": "auto",
                "present": present,
                "score": float(result.score),
                "confidence": result.confidence,
                "evidence": storable(_plain(list(result.evidence))),
            }
            for facet, results, present in _auto_rows(classification)
            for result in results
        ]
        terms = [
            {
                "notice_id": notice_id,
                "term": hit.term,
                "count": hit.count,
                "offsets": _term_offsets(hit),
            }
            for hit in classification.terms
        ]
        if tags:
            connection.execute(_INSERT_TAGS, tags)
        if terms:
            connection.execute(_INSERT_TERMS, terms)
    connection.execute(
        _INSERT_VERSION,
        {"notice_id": notice_id, "content_hash": item.content_hash, "changed_fields": [], "run_id": run_id},
    )
    index_notices(connection, [(notice_id, values["title"], values["body"])])
    return True


def save_notice(session: Session, item: Any, run_id: int | None = None) -> SaveOutcome:
    """Insert or update the notice for `item` (a `crawler.items.NoticeItem`) by its canonical URL.

    Safe with concurrent writers: the row is locked while it is compared and updated, and a new URL is
    claimed with an insert that cannot fail on the unique URL.

    A new or unchanged page is written with Core statements on the session's connection (one statement for an
    unchanged page, the notice and its rows for a new one); only a changed page is loaded and updated through the ORM.
    """
    if session.autoflush:
        session.flush()  # pending ORM changes first, as the ORM statements this replaces would have flushed them
    connection = session.connection()
    claim = {"claim_url": storable(item.url), "claim_hash": item.content_hash, "claim_fetched_at": item.fetched_at}
    row = connection.execute(_CLAIM, claim).first()
    if row is None:
        if _insert_new_notice(connection, item, run_id):
            return "new"
        row = connection.execute(_CLAIM, claim).first()
        assert row is not None, "a concurrent insert of this URL must be visible once it committed"
    notice_id, stored_hash = row
    if stored_hash == item.content_hash:
        # The claim recorded the fetch in the database; a copy of the notice already loaded in this session
        # gets it too, as if it had been set there.
        loaded = session.identity_map.get(session.identity_key(Notice, notice_id)) if session.identity_map else None
        if loaded is not None:
            loaded.fetched_at = item.fetched_at
        return "unchanged"
    notice = session.get(Notice, notice_id)
    assert notice is not None, "the claimed row is locked by this transaction"
    values = _crawl_values(item)
    changed = [name for name in CONTENT_FIELDS if getattr(notice, name) != values[name]]
    for name, value in values.items():
        setattr(notice, name, value)
    notice.draft_headline, notice.draft_summary = storable(item.draft_headline), storable(item.draft_summary)
    notice.last_changed = utcnow()
    if notice.status != "new" or notice.reviewed_at is not None:
        notice.changed_since_review = True
    _apply_classification(session, notice, item.classification)
    notice.versions.append(NoticeVersion(content_hash=item.content_hash, changed_fields=changed, run_id=run_id))
    return "updated"


def effective_tags(notice: Notice) -> dict[str, list[str]]:
    """The tag values in force per facet: (auto ∪ analyst-added) − analyst-removed."""
    values: dict[str, set[str]] = {facet: set() for facet in FACETS}
    removed: dict[str, set[str]] = {facet: set() for facet in FACETS}
    for tag in notice.tags:
        if tag.origin == "analyst" and not tag.present:
            removed.setdefault(tag.facet, set()).add(tag.value)
        elif tag.present:  # an auto row not present is a suggestion, not a tag
            values.setdefault(tag.facet, set()).add(tag.value)
    return {facet: sorted(values[facet] - removed.get(facet, set())) for facet in values}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def notice_to_dict(notice: Notice, *, with_body: bool = False) -> dict[str, Any]:
    """The stable JSON shape of a notice used by `scs notices --json` and `scs show --json`."""
    tags = effective_tags(notice)
    evidence: dict[str, dict[str, list[Any]]] = {facet: {} for facet in FACETS}
    for tag in notice.tags:
        if tag.origin == "auto" and tag.present:
            evidence.setdefault(tag.facet, {})[tag.value] = tag.evidence
    data: dict[str, Any] = {
        "id": notice.id,
        "source": notice.source,
        "url": notice.url,
        "title": notice.title,
        "published": _iso(notice.published),
        "written": _iso(notice.written),
        "published_raw": notice.published_raw,
        "written_raw": notice.written_raw,
        "published_reason": notice.published_reason,
        "written_reason": notice.written_reason,
        "publisher": notice.publisher,
        "doc_number": notice.doc_number,
        "doc_number_key": notice.doc_number_key,
        "relevant": notice.relevant,
        "relevance_score": notice.relevance_score,
        "relevance_evidence": notice.relevance_evidence,
        **tags,
        "tags": [
            {
                "facet": tag.facet,
                "value": tag.value,
                "origin": tag.origin,
                "present": tag.present,
                "score": tag.score,
                "confidence": tag.confidence,
                "evidence": tag.evidence,
            }
            for tag in sorted(notice.tags, key=lambda t: (t.facet, t.value, t.origin))
        ],
        "evidence": evidence,
        "terms": {term.term: term.count for term in sorted(notice.terms, key=lambda t: t.term)},
        "attachments": notice.attachments,
        "flags": notice.flags,
        "status": notice.status,
        "fetched_at": _iso(notice.fetched_at),
        "content_hash": notice.content_hash,
        "versions": len(notice.versions),
    }
    if with_body:
        data["body"] = notice.body
        data["meta"] = notice.meta
    return data


def quarantine_page(session: Session, page: Any, run_id: int | None = None) -> QuarantinedPage:
    """Keep a page that could not become a notice, with its raw bytes and the reason.

    The same URL failing the same way again updates the row (attempt count, last seen),
    so a daily crawl of a broken page does not pile up copies.
    """
    url, reason = storable(page.url), storable(page.reason)
    criteria = (QuarantinedPage.url == url, QuarantinedPage.kind == page.kind)
    row = _locked_row(session, QuarantinedPage, *criteria)
    if row is None:
        values = {"source": page.source, "url": url, "kind": page.kind, "reason": reason, "attempts": 0}
        _insert_unless_present(session, QuarantinedPage, values, ["url", "kind"])
        row = _locked_row(session, QuarantinedPage, *criteria)
    row.reason = reason
    row.status = page.status
    row.headers = storable(dict(page.headers))
    row.body = page.body
    row.last_seen = utcnow()
    row.attempts += 1
    row.resolved = False
    row.run_id = run_id
    return row


def resolve_quarantined(session: Session, urls: set[str]) -> None:
    """A page now stored as a notice: its open quarantine rows (a store error, a timeout ...) are resolved."""
    session.execute(
        update(QuarantinedPage)
        .where(QuarantinedPage.url.in_(sorted(urls)), QuarantinedPage.resolved.is_(False))
        .values(resolved=True)
        .execution_options(synchronize_session=False)
    )

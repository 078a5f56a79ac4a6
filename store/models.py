"""Typed SQLAlchemy models.

Ownership rule: columns and rows written by the crawl (`auto`) and those
written by analysts are kept apart, so a re-crawl or re-classification can
refresh the former without ever touching the latter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# JSONB on PostgreSQL: plain `json` has no equality operator, so DISTINCT, UNION or GROUP BY over a row
# with a JSON column fails there; JSONB compares (and indexes). SQLite keeps its JSON text.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL returns aware datetimes for `timestamptz` but SQLite returns naive ones and would store an
    aware non-UTC value as its wall-clock time; this type converts to UTC on the way in (naive values are
    taken as UTC) and returns aware UTC datetimes on the way out, so code behaves the same on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONDocument,
        list[Any]: JSONDocument,
        dt.datetime: UTCDateTime,
    }


class Notice(Base):
    __tablename__ = "notices"
    # The review queue's sort order (newest first) with the columns its status and relevance conditions read,
    # so a page is found by walking one index; per status, per source and for changed-at-source notices an index
    # that starts with the filter. The slug index answers "is this slug taken" at approval.
    __table_args__ = (
        Index(
            "ix_notices_queue",
            "published",
            "id",
            "status",
            "changed_since_review",
            "relevant_analyst",
            "relevant_auto",
        ),
        Index("ix_notices_status_queue", "status", "published", "id"),
        Index("ix_notices_source_queue", "source", "published", "id"),
        Index("ix_notices_changed_queue", "changed_since_review", "published", "id"),
        Index("ix_notices_slug", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str] = mapped_column(String(255), default="")
    # The canonical 文号 (pipelines.docnumbers), the key reposts and citations are matched on; None: no 文号.
    doc_number_key: Mapped[str | None] = mapped_column(String(255), index=True)
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)
    written: Mapped[dt.date | None] = mapped_column(Date)
    published_raw: Mapped[str] = mapped_column(Text, default="")
    written_raw: Mapped[str] = mapped_column(Text, default="")
    published_reason: Mapped[str] = mapped_column(String(64), default="")
    written_reason: Mapped[str] = mapped_column(String(64), default="")
    list_date_raw: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    jurisdiction: Mapped[str] = mapped_column(String(6), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_changed: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Classification output (auto). Analyst decisions live in the columns below and in Tag rows.
    relevant_auto: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    relevance_score: Mapped[float] = mapped_column(Float, default=0.0)
    relevance_evidence: Mapped[list[Any]] = mapped_column(default=list)
    draft_headline: Mapped[str] = mapped_column(Text, default="")
    draft_summary: Mapped[str] = mapped_column(Text, default="")

    # Analyst-owned: never written by crawl or classification.
    relevant_analyst: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    headline_en: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    changed_since_review: Mapped[bool] = mapped_column(Boolean, default=False)
    slug: Mapped[str] = mapped_column(String(255), default="")
    # Bumped by every save or decision of the English item: a form sent with an older number is an edit conflict.
    review_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    tags: Mapped[list[Tag]] = relationship(back_populates="notice", cascade="all, delete-orphan")
    terms: Mapped[list[TermCount]] = relationship(back_populates="notice", cascade="all, delete-orphan")
    versions: Mapped[list[NoticeVersion]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeVersion.id"
    )

    @property
    def relevant(self) -> bool:
        return self.relevant_analyst if self.relevant_analyst is not None else self.relevant_auto


class NoticeVersion(Base):
    """One row per observed content change of a notice (the first fetch included)."""

    __tablename__ = "notice_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_fields: Mapped[list[Any]] = mapped_column(default=list)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))

    notice: Mapped[Notice] = relationship(back_populates="versions")


class Tag(Base):
    """A facet value on a notice.

    origin ``auto``: written by the classifiers, replaced wholesale on re-classification.
    origin ``analyst``: an analyst's decision; ``present`` false means the analyst removed
    the value, which hides an auto tag of the same value.
    An ``auto`` row with ``present`` false is a suggestion: the model's probability (``confidence``)
    fell below its tag threshold, so it is shown to analysts but is no tag.
    """

    __tablename__ = "tags"
    # The unique constraint's index finds an analyst's removal of a notice's tag; ix_tags_facet_value the
    # notices carrying a value (the queue's facet filter).
    __table_args__ = (
        UniqueConstraint("notice_id", "facet", "value", "origin"),
        Index("ix_tags_facet_value", "facet", "value", "present", "notice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    facet: Mapped[str] = mapped_column(String(32))  # scs_types | industries | locations
    value: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16))  # auto | analyst
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    confidence: Mapped[float | None] = mapped_column(Float)  # the fitted model's probability (auto rows)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="tags")


class TermCount(Base):
    """An SCS term found in a notice, with its count and character offsets (field:start)."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("notice_id", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(64), index=True)
    count: Mapped[int] = mapped_column(Integer)
    offsets: Mapped[list[Any]] = mapped_column(default=list)

    notice: Mapped[Notice] = relationship(back_populates="terms")


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    command: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(32), default="running")

    sources: Mapped[list[SourceRun]] = relationship(back_populates="run", cascade="all, delete-orphan")


class SourceRun(Base):
    """Per-source figures of one run."""

    __tablename__ = "source_runs"
    __table_args__ = (UniqueConstraint("run_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finish_reason: Mapped[str] = mapped_column(String(64), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    list_pages: Mapped[int] = mapped_column(Integer, default=0)
    list_items: Mapped[int] = mapped_column(Integer, default=0)
    notices_new: Mapped[int] = mapped_column(Integer, default=0)
    notices_updated: Mapped[int] = mapped_column(Integer, default=0)
    notices_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)  # kind -> count
    field_coverage: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field -> share
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="")  # ok | stale | broken | blocked | failing

    run: Mapped[CrawlRun] = relationship(back_populates="sources")


class QuarantinedPage(Base):
    """A page that could not be made into a valid notice, kept with its raw bytes and the reason."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("url", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AnalystSession(Base):
    """A signed-in newsroom session; the cookie holds only its random token, whose hash is kept here.

    Deleting the row (logout, password change, disabling the account) ends the session at once.
    """

    __tablename__ = "analyst_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A failed login, by account name and client address: what login throttling counts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class AuditEntry(Base):
    """Who changed what on a notice, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListedUrl(Base):
    """The ledger: every detail URL seen on a list page, and what became of it.

    `state`: listed (seen, no outcome recorded yet), stored, quarantined (content failure: waits for
    `scs quarantine retry`), failed (passing failure: retried by later runs with backoff). Each run
    fetches again what is listed or failed and due, whatever list pages it reads (`crawler.ledger`).
    """

    __tablename__ = "listed_urls"
    __table_args__ = (Index("ix_listed_urls_source_state", "source", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    list_url: Mapped[str] = mapped_column(String(1024), default="")  # the list page it was last seen on
    final_url: Mapped[str] = mapped_column(String(1024), default="")  # where its redirects led, when elsewhere
    state: Mapped[str] = mapped_column(String(16), default="listed")
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failures since it was last settled (backoff)
    first_listed: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))


class AttachmentText(Base):
    """One attachment link of a notice, fetched once: what the file is, whether its text could be read, the text.

    Keyed by the notice's URL and the link, so a new link is fetched and a known one is not (only a
    `failed` fetch is tried again). `notice_id` is the stored notice the link was found on.
    """

    __tablename__ = "attachment_texts"
    __table_args__ = (UniqueConstraint("notice_url", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    notice_url: Mapped[str] = mapped_column(String(1024))
    url: Mapped[str] = mapped_column(String(1024))
    name: Mapped[str] = mapped_column(Text, default="")
    declared_type: Mapped[str] = mapped_column(String(16), default="")  # the link's extension
    kind: Mapped[str] = mapped_column(String(16), default="")  # what the bytes are
    status: Mapped[str] = mapped_column(String(16), index=True)  # ok | empty | unsupported | too-large | failed
    reason: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    etag: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntityMention(Base):
    """An organisation's 统一社会信用代码, or a person's masked identity number, found in a notice or attachment.

    `valid` is the check character's verdict (None for a masked number, which has none to check): a
    mention with `valid` false is kept as an invalid mention and is never an entity. The list kind,
    date and jurisdiction are read from the notice when asked, so an analyst's tag corrections count.
    """

    __tablename__ = "entity_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment_texts.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16))  # body | attachment
    kind: Mapped[str] = mapped_column(String(16))  # organisation | person
    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    valid: Mapped[bool | None] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    authority: Mapped[str] = mapped_column(String(64), default="")
    org_type: Mapped[str] = mapped_column(String(64), default="")
    region_code: Mapped[str] = mapped_column(String(6), default="")
    region: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")

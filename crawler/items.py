"""What spiders yield.

Spiders only extract: they fill the raw fields (title, body HTML/text, raw date
candidates, metadata) and the pipelines normalise, tag and store. A page that
cannot become a notice is yielded as a `FailedPage` so it is recorded with its
reason instead of vanishing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Attachment:
    url: str
    name: str
    type: str  # file extension in lower case: pdf, doc, docx, xls, xlsx, wps, ofd, ...


@dataclass
class DateCandidate:
    """A raw date string found on a page, with where it was found.

    `kind` is one of: ``meta`` (a <meta> tag, `label` names it, e.g. PubDate),
    ``label`` (a labelled metadata field, `label` is the label text, e.g. 成文日期),
    ``list`` (the date printed next to the link on the list page), ``api`` (a
    field of a JSON/XML list API), ``byline`` (a visible date line near the title).
    URL and signature dates are derived by the date pipeline from `url` and `body`.
    """

    kind: str
    raw: str
    label: str = ""


@dataclass
class NoticeItem:
    source: str
    url: str
    title: str
    body: str
    publisher: str = ""
    doc_number: str = ""
    date_candidates: list[DateCandidate] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    list_date_raw: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    jurisdiction: str = ""
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    listed_url: str = ""  # the URL the list page gave (before redirects): its ledger row (store.ledger)
    # Filled by the pipelines.
    published: dt.date | None = None
    written: dt.date | None = None
    published_raw: str = ""
    written_raw: str = ""
    published_reason: str = ""
    written_reason: str = ""
    content_hash: str = ""
    classification: Any = None
    draft_headline: str = ""
    draft_summary: str = ""


@dataclass
class FailedPage:
    """A response that could not be turned into a notice; stored in quarantine with the reason."""

    source: str
    url: str
    kind: str  # parse-error, empty-body, no-date, not-html, blocked, http-error, ...
    reason: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    listed_url: str = ""  # a detail page: the URL the list page gave, whose ledger row this settles


@dataclass
class ListedPage:
    """The detail URLs one list page gave, for the ledger (`store.ledger`); `known` were already stored."""

    source: str
    list_url: str
    urls: list[str]
    known: list[str] = field(default_factory=list)


@dataclass
class AttachmentItem:
    """One attachment of a notice as downloaded (`body`), or why it could not be (`status`, `reason`).

    The store reads its text (`attachments.extract`) and the entities in it; a failed download is
    recorded on the attachment, never on the notice.
    """

    source: str
    notice_url: str
    url: str
    name: str = ""
    declared_type: str = ""  # the link's extension
    body: bytes = b""
    status: str = ""  # "" when downloaded; failed | too-large when not
    reason: str = ""
    etag: str = ""
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

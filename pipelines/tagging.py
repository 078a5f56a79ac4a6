"""Classification of a notice-shaped record, shared by the crawl pipeline and `scs reclassify`.

Both a crawled `NoticeItem` and a stored `Notice` have the fields the classifiers read
(title, body, publisher, url, jurisdiction, meta), so one function serves both and a
re-classification gives exactly what a fresh crawl would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class NoticeLike(Protocol):
    title: str
    body: str
    publisher: str
    url: str
    jurisdiction: str
    meta: Any


@dataclass(frozen=True)
class Tagging:
    classification: Any  # classifiers.Classification
    draft_headline: str
    draft_summary: str


def tag_notice(notice: NoticeLike) -> Tagging:
    """Relevance, tags with evidence and terms; for a relevant notice also the English draft for analysts."""
    from classifiers import Document, classify
    from newsroom.drafts import draft_headline_and_summary

    classification = classify(
        Document(
            title=notice.title,
            text=notice.body,
            publisher=notice.publisher,
            url=notice.url,
            jurisdiction=notice.jurisdiction,
            site_code=str((notice.meta or {}).get("SiteIDCode", "")),
        )
    )
    if not classification.relevant:
        return Tagging(classification, "", "")
    tags = {facet: [tag.value for tag in results] for facet, results in classification.tags.items()}
    terms = [hit.term for hit in sorted(classification.terms, key=lambda hit: -hit.count)]
    headline, summary = draft_headline_and_summary(notice.title, notice.publisher, tags, terms, notice.body)
    return Tagging(classification, headline, summary)

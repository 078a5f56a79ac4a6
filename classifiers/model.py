"""The classifier's input and output types: plain dataclasses, JSON-ready via `dataclasses.asdict`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Document:
    """What the classifiers see of a notice."""

    title: str
    text: str
    publisher: str = ""
    url: str = ""
    jurisdiction: str = ""  # the source's own GB/T 2260 code
    site_code: str = ""  # <meta name="SiteIDCode">


@dataclass
class Evidence:
    """Why a tag was given: the matched term, where it is (offsets into `field`, -1 if not textual), the rule."""

    term: str
    field: str
    start: int
    end: int
    rule: str


@dataclass
class TagResult:
    """A facet value with its lexicon score, its evidence (strongest matches first) and, for the fitted facets,
    the model's calibrated probability (None for locations, which come from the gazetteer)."""

    value: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float | None = None


@dataclass
class TermHit:
    """A lexicon term found in the notice: how often and where, as (field, start) pairs."""

    term: str
    count: int
    offsets: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Classification:
    relevant: bool
    relevance_score: float
    relevance_evidence: list[Evidence]
    tags: dict[str, list[TagResult]]
    terms: list[TermHit]
    relevance_confidence: float | None = None
    # values the model finds likely but below its tag threshold: shown to analysts, never a tag
    suggestions: dict[str, list[TagResult]] = field(default_factory=dict)

"""Lexicons as data: one JSON file per facet in `classifiers/lexicons/`.

A file maps each label to the terms that support it, with weights, and may list
negative cues (terms that cancel overlapping or nearby matches: 信用卡 is not an
SCS mechanism, 诚信 in a school motto is not a credit mechanism), terms whose
word boundaries must be checked with the tokenizer, and scope settings (title
weight, boilerplate discount). Keeping them as data lets analysts
and reviewers read the rules, and `scs reclassify` apply a change to old notices.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LEXICON_DIR = Path(__file__).with_name("lexicons")
FACET_FILES = ("relevance", "scs_types", "industries")


@dataclass(frozen=True)
class TermEntry:
    """One term supporting one label of one facet."""

    facet: str
    label: str
    term: str
    weight: float


@dataclass(frozen=True)
class NegativeCue:
    """A term that cancels matches: overlapping ones, or (with `window`) the `cancels` terms nearby."""

    facet: str
    term: str
    why: str
    window: int = 0
    cancels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    title: float = 3.0
    text: float = 1.0
    boilerplate: float = 0.2
    citation: float = 0.3
    max_count: int = 3


@dataclass
class FacetLexicon:
    facet: str
    scope: Scope
    entries: list[TermEntry]
    negatives: list[NegativeCue]
    boundary_terms: frozenset[str]
    include: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return sorted({entry.label for entry in self.entries})


@dataclass(frozen=True)
class Conflict:
    """A term registered under two labels of one facet (usually a slip when editing a lexicon)."""

    facet: str
    term: str
    labels: tuple[str, ...]


def parse_facet(data: dict[str, Any]) -> FacetLexicon:
    facet = str(data["facet"])
    entries = [
        TermEntry(facet, str(label), str(term), float(weight))
        for label, terms in data["labels"].items()
        for term, weight in terms.items()
    ]
    negatives = [
        NegativeCue(
            facet,
            str(cue["term"]),
            str(cue.get("why", "")),
            int(cue.get("window", 0)),
            tuple(str(t) for t in cue.get("cancels", ())),
        )
        for cue in data.get("negative", ())
    ]
    scope_data = data.get("scope", {})
    scope = Scope(**{key: type(getattr(Scope(), key))(value) for key, value in scope_data.items()})
    return FacetLexicon(
        facet=facet,
        scope=scope,
        entries=entries,
        negatives=negatives,
        boundary_terms=frozenset(str(t) for t in data.get("boundary", ())),
        include=tuple(str(f) for f in data.get("include", ())),
        boilerplate=tuple(str(t) for t in data.get("boilerplate", ())),
        extra={key: value for key, value in data.items() if key.startswith("x_")},
    )


def find_conflicts(lexicon: FacetLexicon) -> list[Conflict]:
    labels_by_term: dict[str, set[str]] = {}
    for entry in lexicon.entries:
        labels_by_term.setdefault(entry.term, set()).add(entry.label)
    return [
        Conflict(lexicon.facet, term, tuple(sorted(labels)))
        for term, labels in sorted(labels_by_term.items())
        if len(labels) > 1
    ]


@dataclass
class Lexicons:
    facets: dict[str, FacetLexicon]
    conflicts: list[Conflict]

    def all_terms(self) -> set[str]:
        terms: set[str] = set()
        for lexicon in self.facets.values():
            terms.update(entry.term for entry in lexicon.entries)
            terms.update(cue.term for cue in lexicon.negatives)
            terms.update(lexicon.boilerplate)
        return terms


def load_lexicons(directory: Path = LEXICON_DIR) -> Lexicons:
    """Load every facet file and report (log) terms registered under two labels of one facet."""
    facets: dict[str, FacetLexicon] = {}
    for name in FACET_FILES:
        path = directory / f"{name}.json"
        facets[name] = parse_facet(json.loads(path.read_text(encoding="utf-8")))
    conflicts = [conflict for lexicon in facets.values() for conflict in find_conflicts(lexicon)]
    for conflict in conflicts:
        log.warning(
            "lexicon conflict in %s: %r is registered under %s",
            conflict.facet,
            conflict.term,
            ", ".join(conflict.labels),
        )
    return Lexicons(facets, conflicts)


@cache
def default_lexicons() -> Lexicons:
    return load_lexicons()

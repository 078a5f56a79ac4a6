"""Mark the evidence of the auto tags in a notice's text, escaping everything else."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # e.g. "scs_types:blacklist"


def evidence_spans(text: str, field: str, tags: Iterable[tuple[str, str, list[dict[str, object]]]]) -> list[Span]:
    """Spans of `text` that are evidence for a tag, from (facet, value, evidence) triples.

    Offsets are trusted only when they still point at the term (the text may have changed since
    classification); otherwise the first occurrence of the term is marked, or nothing.
    """
    spans = []
    for facet, value, evidence in tags:
        for item in evidence:
            if not isinstance(item, dict) or item.get("field") != field:
                continue
            term = str(item.get("term", ""))
            start, end = item.get("start"), item.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                start = end = None
            if start is None or end is None or (term and text[start:end] != term):
                found = text.find(term) if term else -1
                if found < 0:
                    continue
                start, end = found, found + len(term)
            spans.append(Span(start, end, f"{facet}:{value}"))
    return spans


def highlight(text: str, spans: list[Span]) -> Markup:
    """`text` escaped, with each evidence span wrapped in <mark> naming the tags it supports (overlaps merge)."""
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    parts = []
    for start, end in itertools.pairwise(bounds):
        piece = escape(text[start:end])
        labels = sorted({s.label for s in spans if s.start <= start and end <= s.end})
        if labels:
            parts.append(Markup('<mark class="evidence" title="{}">{}</mark>').format(" ".join(labels), piece))
        else:
            parts.append(piece)
    return Markup("").join(parts)

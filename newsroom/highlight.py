"""Mark the evidence of the auto tags in a notice's text, escaping everything else."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # e.g. "scs_types:blacklist"


def locate(text: str, field: str, item: object) -> tuple[int, int] | None:
    """Where one evidence item of `field` lies in `text`, or None.

    Offsets are trusted only when they still point at the term (the text may have changed since
    classification); otherwise the first occurrence of the term is taken, or nothing.
    """
    if not isinstance(item, dict) or item.get("field") != field:
        return None
    term = str(item.get("term", ""))
    start, end = item.get("start"), item.get("end")
    offsets_valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    if offsets_valid and (not term or text[start:end] == term):  # type: ignore[index]
        return start, end  # type: ignore[return-value]
    found = text.find(term) if term else -1
    return (found, found + len(term)) if found >= 0 else None


def evidence_spans(text: str, field: str, tags: Iterable[tuple[str, str, list[dict[str, object]]]]) -> list[Span]:
    """Spans of `text` that are evidence for a tag, from (facet, value, evidence) triples."""
    spans = []
    for facet, value, evidence in tags:
        for item in evidence:
            position = locate(text, field, item)
            if position is not None:
                spans.append(Span(*position, f"{facet}:{value}"))
    return spans


def anchor_id(field: str, start: int) -> str:
    """The id of the highlight that starts at `start` in `field`, the target of links to that evidence."""
    return f"ev-{field}-{start}"


def highlight(text: str, spans: list[Span], field: str = "", classes: Mapping[str, str] | None = None) -> Markup:
    """`text` escaped, with each evidence span wrapped in <mark> naming the tags it supports (overlaps merge).

    `classes` maps a label to the CSS classes that colour it; where labels overlap, the first label
    in the order of `classes` gives the colour and the mark is also `multi`. With `field`, a mark
    where a span starts gets the id `anchor_id(field, start)`.
    """
    order = {label: index for index, label in enumerate(classes or {})}
    starts = {s.start for s in spans}
    bounds = sorted({0, len(text), *starts, *(s.end for s in spans)})
    parts = []
    for start, end in itertools.pairwise(bounds):
        piece = escape(text[start:end])
        labels = sorted({s.label for s in spans if s.start <= start and end <= s.end})
        if not labels:
            parts.append(piece)
            continue
        css = "evidence"
        if classes:
            first = min(labels, key=lambda label: (order.get(label, len(order)), label))
            css = " ".join(filter(None, (css, classes.get(first, ""), "multi" if len(labels) > 1 else "")))
        anchor = Markup(' id="{}"').format(anchor_id(field, start)) if field and start in starts else Markup("")
        parts.append(Markup('<mark class="{}"{} title="{}">{}</mark>').format(css, anchor, " ".join(labels), piece))
    return Markup("").join(parts)

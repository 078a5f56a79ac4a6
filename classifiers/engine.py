"""Tagging a notice: lexicon matches -> features -> the fitted model's relevance decision and evidenced tags.

The lexicons are the vocabulary of evidence; whether a label is the notice's subject is decided by the
logistic models of `classifiers.tagmodel`, fitted from labelled notices by `scs train`."""

from __future__ import annotations

import copy
import math
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from classifiers.lexicon import FacetLexicon, Lexicons, NegativeCue, Scope, TermEntry, default_lexicons
from classifiers.locations import LocationResolver, default_resolver
from classifiers.matcher import Match, TermMatcher
from classifiers.model import Classification, Document, Evidence, TagResult, TermHit
from classifiers.tagmodel import TagModel, default_model
from classifiers.text import Sentences, to_simplified

MAX_EVIDENCE = 6
TAGGED_FACETS = ("scs_types", "industries")
LEAD_CHARS = 300  # the body's opening (its restated title and first paragraph)
HEADING_CHARS = 30  # a body line this short is a heading (三、信用修复)
STRONG_WEIGHT = 3.0  # a mechanism's own name in the lexicons
GENERAL_LABEL = "system-building"  # a notice named so in its title is a general, cross-sector plan

# What the models read of each (notice, label): where the label's terms occur, how strongly and how often,
# in stock sentences or in lists of several labels, and the label's share of the notice.
LABEL_FEATURES = (
    "title_max_weight",  # strongest term of the label in the title (0: none)
    "lead_max_weight",  # strongest full-weight term in the body's first LEAD_CHARS characters
    "body_score",  # log1p of the body's weighted evidence (max_count per term, discounts applied)
    "body_sentences",  # log1p of the body sentences with a full-weight term
    "strong_sentences",  # log1p of the body sentences naming the mechanism outright (weight >= STRONG_WEIGHT)
    "max_weight",  # strongest term anywhere
    "stock_share",  # share of the body matches in boilerplate sentences or cited documents
    "listed_share",  # share of its body sentences that also hold another label of the facet (lists)
    "own_sentences",  # log1p of the body sentences where it is the facet's only label (content of its own)
    "heading_max_weight",  # strongest term in a short body line (a section or article heading)
    "distinct_terms",  # log1p of the label's distinct terms found (a subject is discussed in many words)
    "first_position",  # where the first full-weight body mention falls (0 = start, 1 = end or none)
    "coverage",  # share of all body sentences that mention it at full weight
    "title_strong",  # 1 when the title names it with a strong cue (weight >= 2)
    "other_titled",  # 1 when the title names another label of the facet but not this one
    "share_of_best",  # label score / best label score of the facet
    "share_of_notice",  # label score / all labels' scores
    "is_best",
    "labels_in_notice",  # log1p of the facet's labels with evidence (notice-level)
    "labels_in_title",  # the facet's labels named in the title (notice-level)
    "body_length",  # log1p(characters / 1000) (notice-level)
    "general_plan",  # strongest system-building cue of the title (notice-level)
)
# One monotone feature: with more, the dev notices (separable by it) let the fit extrapolate oddly on short
# notices unlike them (a stock clause in a fire ban turned relevant); the model fits its threshold.
RELEVANCE_FEATURES = ("score",)  # log1p of the lexicon score (title ×3, long bodies diluted, stock discounted)
_BOOK_TITLE = re.compile(r"《([^《》]{1,80})》")
_DRAFT_NOTE = re.compile(r"[(（][^()（）]*[)）]$")


def _core(book_title: str) -> str:
    """A cited title without its trailing (试行)/(征求意见稿) note, to recognise the notice's own document."""
    return _DRAFT_NOTE.sub("", book_title)


class Scored(NamedTuple):
    """A kept match with the lexicon entry it supports and its weighted contribution (`entry.weight * factor`).

    A NamedTuple with the value computed once: a notice scores hundreds, and sorts them by value.
    """

    match: Match
    entry: TermEntry
    factor: float
    scope_note: str
    value: float

    def evidence(self) -> Evidence:
        rule = f"lexicon:{self.entry.facet}/{self.entry.label}:{self.entry.term} w={self.entry.weight:g}"
        if self.scope_note:
            rule += f" {self.scope_note}"
        return Evidence(self.match.term, self.match.field, self.match.start, self.match.end, rule)


_new_scored = tuple.__new__  # Scored(...) without the Python-level __new__ of a NamedTuple, on the hot path


@dataclass(frozen=True)
class Discounts:
    """Body spans whose terms count less: boilerplate sentences and cited documents."""

    boilerplate: list[tuple[int, int]]
    citations: list[tuple[int, int]]
    _kinds: dict[int, int] = field(default_factory=dict, compare=False, repr=False)

    def kind(self, offset: int) -> int:
        """0 for a body offset at full weight, 1 inside boilerplate, 2 inside a citation (boilerplate first)."""
        kind = self._kinds.get(offset)
        if kind is None:
            kind = 0
            for start, end in self.boilerplate:
                if start <= offset < end:
                    kind = 1
                    break
            else:
                for start, end in self.citations:
                    if start <= offset < end:
                        kind = 2
                        break
            self._kinds[offset] = kind
        return kind


_field_of = operator.itemgetter(1)  # Match.field, as a C-level sort key
# Scored.value, as a C-level sort key: highest first with reverse=True, which keeps equal values in order
_value_of = operator.itemgetter(4)


def _overlaps(a: Match, b: Match) -> bool:
    return a.field == b.field and a.start < b.end and b.start < a.end


def _strictly_inside(inner: Match, outer: Match) -> bool:
    return (
        inner.field == outer.field
        and outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start) > (inner.end - inner.start)
    )


class Candidate(NamedTuple):
    """A label with lexicon evidence in a notice: its score, the matches counted for it, its features."""

    label: str
    total: float
    used: list[Scored]
    features: tuple[float, ...]


@dataclass
class Analysis:
    """A notice as the models see it (`Tagger.analyse`); training reads the same features as classifying."""

    relevance_score: float
    counted: list[Scored]
    pool: list[Scored]
    discounted: Discounts
    sentences: Sentences
    body_length: float
    general_plan: float
    relevance_features: tuple[float, ...] = ()
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)


class Tagger:
    def __init__(self, lexicons: Lexicons, resolver: LocationResolver, model: TagModel | None = None) -> None:
        self.lexicons = lexicons
        self.resolver = resolver
        self._model = model
        self.entries: dict[str, list[TermEntry]] = defaultdict(list)
        self.negatives: dict[str, NegativeCue] = {}
        self.boilerplate: set[str] = set()
        boundary: set[str] = set()
        for lexicon in lexicons.facets.values():
            for entry in lexicon.entries:
                self.entries[entry.term].append(entry)
            for cue in lexicon.negatives:
                self.negatives[cue.term] = cue
            self.boilerplate.update(lexicon.boilerplate)
            boundary.update(lexicon.boundary_terms)
        self.matcher = TermMatcher(lexicons.all_terms(), boundary)
        self._entries_by_facets: dict[tuple[str, ...], dict[str, tuple[TermEntry, ...]]] = {}

    @property
    def model(self) -> TagModel:
        """The fitted model: the one given, else the shipped one (loaded on first use; training needs none)."""
        if self._model is None:
            self._model = default_model()
        return self._model

    def with_model(self, model: TagModel) -> Tagger:
        """The same lexicons and matcher with another model (cross-validation fits one per fold)."""
        tagger = copy.copy(self)
        tagger._model = model
        return tagger

    # -- matching -------------------------------------------------------------------------------------

    def _drop_negated(self, matches: list[Match]) -> list[Match]:
        """Remove matches a negative cue covers (信用 inside 信用卡) or cancels nearby (诚信 near 校训)."""
        cues = [m for m in matches if m.term in self.negatives]
        kept = []
        for match in matches:
            if match.term in self.negatives or match.term in self.boilerplate:
                continue
            length = match.end - match.start
            negated = False
            for cue_match in cues:
                cue = self.negatives[cue_match.term]
                if (_overlaps(match, cue_match) and length <= cue_match.end - cue_match.start) or (
                    cue.window
                    and match.term in cue.cancels
                    and cue_match.field == match.field
                    and abs(cue_match.start - match.start) <= cue.window
                ):
                    negated = True
                if negated:
                    break
            if not negated:
                kept.append(match)
        return kept

    def _boilerplate_spans(self, matches: list[Match], sentences: Sentences) -> list[tuple[int, int]]:
        return [sentences.span(m.start) for m in matches if m.field == "text" and m.term in self.boilerplate]

    @staticmethod
    def _citation_spans(title: str, text: str) -> list[tuple[int, int]]:
        """《…》 in the body naming another document (根据《社会信用体系建设规划纲要》): cited, not the subject.

        A book title the notice's own title also names is the subject and keeps its full weight.
        """
        return [
            (m.start(), m.end())
            for m in _BOOK_TITLE.finditer(text)
            if m.group(1) not in title and not (title and _core(m.group(1)) in title)
        ]

    # -- scoring --------------------------------------------------------------------------------------

    def _facet_entries(self, facets: tuple[str, ...]) -> dict[str, tuple[TermEntry, ...]]:
        """Term -> its entries in `facets` (in lexicon order), built once per facet list."""
        table = self._entries_by_facets.get(facets)
        if table is None:
            wanted = set(facets)
            table = {}
            for term, entries in self.entries.items():
                kept = tuple(entry for entry in entries if entry.facet in wanted)
                if kept:
                    table[term] = kept
            self._entries_by_facets[facets] = table
        return table

    def _scored(
        self,
        facets: Iterable[str],
        scope: Scope,
        matches: list[Match],
        discounted: Discounts,
        nested: str,
    ) -> list[Scored]:
        """The entries of `facets` the matches support, minus those covered (see `_uncovered`), weighted.

        `matches` are in `TermMatcher.find` order within each field (by start, longest first).
        """
        table = self._facet_entries(tuple(facets))
        title_factor = scope.title
        factors = (scope.text, scope.text * scope.boilerplate, scope.text * scope.citation)
        notes = ("", "×boilerplate", "×citation")
        kinds = discounted._kinds
        scored = []
        for match, entry in self._uncovered(matches, table, nested):
            if match.field == "title":
                factor, note = title_factor, "×title"
            else:
                kind = kinds.get(match.start)
                if kind is None:
                    kind = discounted.kind(match.start)
                factor, note = factors[kind], notes[kind]
            scored.append(_new_scored(Scored, (match, entry, factor, note, entry.weight * factor)))
        return scored

    @staticmethod
    def _uncovered(
        matches: list[Match], table: dict[str, tuple[TermEntry, ...]], nested: str
    ) -> list[tuple[Match, TermEntry]]:
        """(match, entry) candidates not strictly inside a longer one (of the same label, or of any label for
        "facet"), ordered by field, start and longest first.

        One sweep by start (longest first): everything seen before a span either starts earlier or is
        longer, so a match is covered when something seen already reaches its end. The matches of one
        field come sorted from the matcher, so a stable sort by field orders them all; a span is one
        match (one term per span), whose entries all see the reach before it.
        """
        kept: list[tuple[Match, TermEntry]] = []
        any_label = nested == "facet"
        current_field = None
        reach_any = -1
        reach_label: dict[str, int] = {}
        for match in sorted(matches, key=_field_of):
            entries = table.get(match.term)
            if not entries:
                continue
            if match.field != current_field:
                current_field, reach_any, reach_label = match.field, -1, {}
            end = match.end
            for entry in entries:
                reach = reach_label.get(entry.label, -1)
                if any_label and reach_any > reach:
                    reach = reach_any
                if reach < end:
                    kept.append((match, entry))
            if end > reach_any:
                reach_any = end
            for entry in entries:
                if reach_label.get(entry.label, -1) < end:
                    reach_label[entry.label] = end
        return kept

    @staticmethod
    def _label_scores(scored: list[Scored], scope: Scope) -> dict[str, tuple[float, list[Scored]]]:
        by_label: dict[str, list[Scored]] = defaultdict(list)
        for item in scored:
            by_label[item.entry.label].append(item)
        results = {}
        for label, items in by_label.items():
            per_term: dict[tuple[str, str], int] = defaultdict(int)
            total = 0.0
            used: list[Scored] = []
            for item in sorted(items, key=_value_of, reverse=True):
                key = (item.entry.term, item.match.field)
                if per_term[key] >= scope.max_count:
                    continue
                match = item.match
                if any(
                    other.match.field == match.field and match.start < other.match.end and other.match.start < match.end
                    for other in used
                ):
                    # two cues of one label sharing characters (以信用为基础的新型监管机制) are one mention
                    continue
                per_term[key] += 1
                total += item.value
                used.append(item)
            results[label] = (total, used)
        return results

    def _candidates(self, lexicon: FacetLexicon, matches: list[Match], analysis: Analysis) -> list[Candidate]:
        """Every label of the facet with lexicon evidence in the notice, with its features (LABEL_FEATURES)."""
        nested = str(lexicon.extra.get("x_nested", "label"))
        scored = self._scored([lexicon.facet], lexicon.scope, matches, analysis.discounted, nested)
        scores = self._label_scores(scored, lexicon.scope)
        if not scores:
            return []
        by_label: dict[str, list[Scored]] = defaultdict(list)
        for item in scored:
            by_label[item.entry.label].append(item)
        sentences = analysis.sentences
        # which labels of the facet each body sentence holds (at full weight), for "named in a list" features
        labels_in_sentence: dict[tuple[int, int], set[str]] = defaultdict(set)
        for item in scored:
            if item.match.field != "title" and not item.scope_note:
                labels_in_sentence[sentences.span(item.match.start)].add(item.entry.label)
        length = max(len(sentences.text), 1)
        sentence_count = max(len(sentences.ends) + 1, 1)
        best = max(total for total, _ in scores.values())
        grand = sum(total for total, _ in scores.values())
        titled = sum(any(item.match.field == "title" for item in by_label[label]) for label in scores)
        notice_level = (math.log1p(len(scores)), float(titled), analysis.body_length, analysis.general_plan)
        candidates = []
        for label, (total, used) in sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0])):
            items = by_label[label]
            title = [item.entry.weight for item in items if item.match.field == "title"]
            body = [item for item in items if item.match.field != "title"]
            full = [item for item in body if not item.scope_note]
            spans = {sentences.span(item.match.start) for item in full}
            strong = {sentences.span(item.match.start) for item in full if item.entry.weight >= STRONG_WEIGHT}
            shared = sum(len(labels_in_sentence[span]) > 1 for span in spans)
            headings = [
                item.entry.weight
                for item in full
                if len(sentences.text[slice(*sentences.span(item.match.start))].strip()) <= HEADING_CHARS
            ]
            title_max = max(title, default=0.0)
            features = (
                title_max,
                max((item.entry.weight for item in full if item.match.start < LEAD_CHARS), default=0.0),
                math.log1p(sum(item.value for item in used if item.match.field != "title")),
                math.log1p(len(spans)),
                math.log1p(len(strong)),
                max(item.entry.weight for item in items),
                (len(body) - len(full)) / len(body) if body else 0.0,
                shared / len(spans) if spans else 0.0,
                math.log1p(len(spans) - shared),
                max(headings, default=0.0),
                math.log1p(len({item.entry.term for item in items})),
                min((item.match.start for item in full), default=length) / length,
                len(spans) / sentence_count,
                1.0 if title_max >= 2.0 else 0.0,
                1.0 if not title and titled else 0.0,
                total / best,
                total / grand,
                1.0 if total == best else 0.0,
                *notice_level,
            )
            candidates.append(Candidate(label, total, used, features))
        return candidates

    @staticmethod
    def _general_plan(title_items: list[Scored]) -> float:
        """The strongest system-building cue of the title (社会信用体系建设规划): a general plan is cross-sector."""
        return max((item.entry.weight for item in title_items if item.entry.label == GENERAL_LABEL), default=0.0)

    # -- the whole notice -----------------------------------------------------------------------------

    def analyse(self, doc: Document) -> Analysis:
        """Everything the fitted models read: the relevance features and each facet's candidate labels."""
        title = to_simplified(doc.title)
        text = to_simplified(doc.text)
        matches = self.matcher.find("title", title) + self.matcher.find("text", text)
        sentences = Sentences(text)
        discounted = Discounts(self._boilerplate_spans(matches, sentences), self._citation_spans(title, text))
        matches = self._drop_negated(matches)

        relevance = self.lexicons.facets["relevance"]
        minimum = float(relevance.extra.get("x_include_min_weight", 0.0))
        pool = [
            item
            for item in self._scored(
                [relevance.facet, *relevance.include], relevance.scope, matches, discounted, nested="facet"
            )
            if item.entry.facet == relevance.facet or item.entry.weight >= minimum
        ]
        # a long report that mentions the credit system in passing is not about it: body evidence is
        # diluted beyond a typical notice's length (the title keeps its full weight)
        norm_chars = float(relevance.extra.get("x_body_norm_chars", 0.0))
        dilution = math.sqrt(len(text) / norm_chars) if norm_chars and len(text) > norm_chars else 1.0
        per_term: dict[tuple[str, str], int] = defaultdict(int)
        seen: set[Match] = set()
        title_score = body_score = 0.0
        counted = []
        for item in sorted(pool, key=_value_of, reverse=True):
            key = (item.entry.term, item.match.field)
            if per_term[key] >= relevance.scope.max_count or item.match in seen:
                continue
            seen.add(item.match)
            per_term[key] += 1
            if item.match.field == "title":
                title_score += item.value
            else:
                body_score += item.value / dilution
            counted.append(item)
        title_scs = [item for item in pool if item.match.field == "title" and item.entry.facet == "scs_types"]
        analysis = Analysis(
            relevance_score=title_score + body_score,
            counted=counted,
            pool=pool,
            discounted=discounted,
            sentences=sentences,
            body_length=math.log1p(len(text) / 1000),
            general_plan=self._general_plan(title_scs),
        )
        for facet in TAGGED_FACETS:
            analysis.candidates[facet] = self._candidates(self.lexicons.facets[facet], matches, analysis)
        analysis.relevance_features = (math.log1p(title_score + body_score),)
        return analysis

    def classify(self, doc: Document) -> Classification:
        """Relevance and tags as the fitted model decides them; each tag with its probability and evidence."""
        analysis = self.analyse(doc)
        model = self.model
        relevance_probability = model.relevance.probability(analysis.relevance_features)
        relevant = relevance_probability >= model.relevance.threshold
        tags: dict[str, list[TagResult]] = {facet: [] for facet in TAGGED_FACETS}
        suggestions: dict[str, list[TagResult]] = {facet: [] for facet in TAGGED_FACETS}
        if relevant:
            for facet in TAGGED_FACETS:
                candidates = analysis.candidates[facet]
                facet_model = model.facets[facet]
                probabilities = [facet_model.probability(c.features) for c in candidates]
                chosen = facet_model.decide(probabilities)
                for candidate, probability, is_tag in zip(candidates, probabilities, chosen, strict=True):
                    if is_tag or probability >= facet_model.suggest:
                        result = TagResult(
                            candidate.label,
                            round(candidate.total, 3),
                            [item.evidence() for item in candidate.used[:MAX_EVIDENCE]],
                            round(probability, 4),
                        )
                        (tags if is_tag else suggestions)[facet].append(result)
        tags["locations"] = self.resolver.resolve(
            to_simplified(doc.title),
            to_simplified(doc.text),
            to_simplified(doc.publisher),
            doc.jurisdiction,
            doc.site_code,
        )
        evidence = [item.evidence() for item in analysis.counted[: MAX_EVIDENCE * 2]]
        return Classification(
            relevant=relevant,
            relevance_score=round(analysis.relevance_score, 3),
            relevance_evidence=evidence,
            tags=tags,
            terms=self._term_hits(analysis.pool),
            relevance_confidence=round(relevance_probability, 4),
            suggestions=suggestions,
        )

    @staticmethod
    def _term_hits(pool: list[Scored]) -> list[TermHit]:
        offsets: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for item in pool:
            offsets[item.match.term].add((item.match.field, item.match.start))
        return [
            TermHit(term, len(places), sorted(places, key=lambda p: (p[0] != "title", p[1])))
            for term, places in sorted(offsets.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]


@cache
def default_tagger() -> Tagger:
    return Tagger(default_lexicons(), default_resolver())


def classify(doc: Document) -> Classification:
    """Tag one notice with the shipped lexicons (loaded once per process)."""
    return default_tagger().classify(doc)

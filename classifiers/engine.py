"""Tagging a notice: lexicon matches -> scored, evidenced facet tags and a relevance decision."""

from __future__ import annotations

import math
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from classifiers.lexicon import FacetLexicon, Lexicons, NegativeCue, Scope, TermEntry, default_lexicons
from classifiers.locations import LocationResolver, default_resolver
from classifiers.matcher import Match, TermMatcher
from classifiers.model import Classification, Document, Evidence, TagResult, TermHit
from classifiers.text import Sentences, to_simplified

MAX_EVIDENCE = 6
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


class Tagger:
    def __init__(self, lexicons: Lexicons, resolver: LocationResolver) -> None:
        self.lexicons = lexicons
        self.resolver = resolver
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

    def _tags(
        self, lexicon: FacetLexicon, matches: list[Match], discounted: Discounts, sentences: Sentences
    ) -> list[TagResult]:
        nested = str(lexicon.extra.get("x_nested", "label"))
        scored = self._scored([lexicon.facet], lexicon.scope, matches, discounted, nested)
        scores = self._label_scores(scored, lexicon.scope)
        if not scores:
            return []
        best = max(total for total, _ in scores.values())
        label_rules: dict[str, dict[str, Any]] = lexicon.extra.get("x_labels", {})
        strong = float(lexicon.extra.get("x_strong_weight", float("inf")))
        chosen = {}
        eligible = {}
        named_mentions = int(lexicon.extra.get("x_named_min_mentions", 1))
        for label, (total, used) in scores.items():
            rules = label_rules.get(label, {})
            # a genre word in the title (规划, 实施方案) does not make the title about this label: only a cue of
            # at least title_min_weight does
            in_title = self._in_title(used, rules)
            if rules.get("title_required") and not in_title and total < float(rules.get("body_threshold", "inf")):
                continue
            eligible[label] = (total, used)
            threshold = float(rules.get("threshold", lexicon.scope.threshold))
            relative = float(rules.get("relative", lexicon.scope.relative))
            if total < threshold or (
                total < relative * best and not self._named(used, strong, named_mentions, sentences)
            ):
                continue
            chosen[label] = (total, used)
        companions = self._add_companions(chosen, eligible, label_rules)
        # a label that is part of another mechanism named in the title yields to it (a credit-repair notice
        # always speaks of the published information it repairs; that is not a credit-information notice)
        titled = {label for label, (_, used) in chosen.items() if self._in_title(used, label_rules.get(label, {}))}
        for label in list(chosen):
            yields_to = label_rules.get(label, {}).get("yields_to_title", [])
            if isinstance(yields_to, list) and label not in titled and titled & set(yields_to):
                del chosen[label]
        fallback = float(lexicon.extra.get("x_fallback_min", 0.0))
        if not chosen and fallback and eligible:
            # a relevant notice gets at least its best-supported mechanism, if there is real support for it
            label, (total, used) = max(eligible.items(), key=lambda kv: kv[1][0])
            if total >= fallback:
                chosen[label] = (total, used)
        cross_sector = int(lexicon.extra.get("x_cross_sector", 0))
        if cross_sector and len(chosen) > cross_sector:
            # many sectors named only in the body: a cross-sector notice, keep only sectors the title names
            chosen = {
                label: value for label, value in chosen.items() if any(item.match.field == "title" for item in value[1])
            }
        return [
            TagResult(
                label,
                round(total, 3),
                [item.evidence() for item in used[:MAX_EVIDENCE]]
                + ([companions[label]] if label in companions else []),
            )
            for label, (total, used) in sorted(chosen.items(), key=lambda kv: -kv[1][0])
        ]

    @staticmethod
    def _in_title(used: list[Scored], rules: dict[str, Any]) -> bool:
        """Whether the title is about this label: a genre word (规划, 实施方案) or a platform named as the place
        of a procedure (信用中国) does not count, only a cue of at least the label's title_min_weight."""
        minimum = float(rules.get("title_min_weight", 0.0))
        return any(item.match.field == "title" and item.entry.weight >= minimum for item in used)

    @staticmethod
    def _named(used: list[Scored], strong: float, mentions: int, sentences: Sentences) -> bool:
        """A mechanism named outright needs no relative support: its own name (a strongest-weight term at
        full weight) in the title, or in `mentions` sentences of the body. One passing sentence (开展信用修复
        40余次 in a plan's review of past work) is not enough."""
        named = [item for item in used if item.entry.weight >= strong and item.factor >= 1.0]
        if any(item.match.field == "title" for item in named):
            return True
        return len({sentences.span(item.match.start) for item in named}) >= mentions

    @staticmethod
    def _add_companions(
        chosen: dict[str, tuple[float, list[Scored]]],
        eligible: dict[str, tuple[float, list[Scored]]],
        label_rules: dict[str, dict[str, Any]],
    ) -> dict[str, Evidence]:
        """Mechanisms that come together: a joint-punishment notice named so in its title punishes the
        subjects of a list, so a blacklist with some support of its own is kept (companion_threshold)
        without reaching the relative share. Returns the rule evidence of each label kept so."""
        added = {}
        for label, rules in label_rules.items():
            companions = rules.get("companions", [])
            if label in chosen or label not in eligible or not isinstance(companions, list):
                continue
            total, used = eligible[label]
            threshold = float(rules.get("companion_threshold", "inf"))
            titled = [
                companion
                for companion in companions
                if companion in chosen and any(item.match.field == "title" for item in chosen[companion][1])
            ]
            if titled and total >= threshold:
                chosen[label] = (total, used)
                rule = f"rule:scs_types/{label}:companion of {titled[0]} named in the title, score>={threshold:g}"
                added[label] = Evidence(titled[0], "rule", -1, -1, rule)
        return added

    def _sector_specific(self, scs_types: list[TagResult], industries: list[TagResult]) -> list[TagResult]:
        """A general SCS plan or law (system-building named in the title) is cross-sector: no industry,
        unless the title itself names the sector (家政服务业信用体系建设)."""
        general = any(
            tag.value == "system-building" and any(e.field == "title" for e in tag.evidence) for tag in scs_types
        )
        if not general:
            return industries
        return [tag for tag in industries if any(e.field == "title" for e in tag.evidence)]

    # -- the whole notice -----------------------------------------------------------------------------

    def classify(self, doc: Document) -> Classification:
        title = to_simplified(doc.title)
        text = to_simplified(doc.text)
        publisher = to_simplified(doc.publisher)
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
        score = 0.0
        counted = []
        for item in sorted(pool, key=_value_of, reverse=True):
            key = (item.entry.term, item.match.field)
            if per_term[key] >= relevance.scope.max_count or item.match in seen:
                continue
            seen.add(item.match)
            per_term[key] += 1
            score += item.value if item.match.field == "title" else item.value / dilution
            counted.append(item)
        relevant = score >= relevance.scope.threshold

        tags: dict[str, list[TagResult]] = {"scs_types": [], "industries": []}
        if relevant:
            for facet in ("scs_types", "industries"):
                tags[facet] = self._tags(self.lexicons.facets[facet], matches, discounted, sentences)
            tags["industries"] = self._sector_specific(tags["scs_types"], tags["industries"])
        tags["locations"] = self.resolver.resolve(title, text, publisher, doc.jurisdiction, doc.site_code)

        evidence = [item.evidence() for item in counted[: MAX_EVIDENCE * 2]]
        return Classification(
            relevant=relevant,
            relevance_score=round(score, 3),
            relevance_evidence=evidence,
            tags=tags,
            terms=self._term_hits(pool),
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

"""Which jurisdiction a notice applies to: one GB/T 2260 code, `000000` for national bodies.

Sources, strongest first: the issuer in the publisher field (a newspaper or a
reposting site is not an issuer; parenthesised repost notes are ignored), the
title, the body (division names against national bodies; 我市/我省 with no name
means a local notice we cannot place), the region digits of unified social credit
codes, then the source's own jurisdiction and its `SiteIDCode`. Within one field
the first named division wins and is refined by the divisions named right after it
(清远市清城区 -> 441802); a city implies its province, so only the most specific
code is tagged.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from classifiers import gazetteer
from classifiers.model import Evidence, TagResult

LEXICON = Path(__file__).with_name("lexicons") / "locations.json"
_PARENTHESISED = re.compile(r"[(（][^()（）]*[)）]")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}(\d{6})[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])")
_BOOK_TITLE = re.compile(r"《[^《》]{0,80}》")
# 新华社北京7月22日电: where a news story was filed, not whose rules it reports
_DATELINE = re.compile(r"[\u4e00-\u9fff]{1,10}\d{1,2}月\d{1,2}日(?:电|讯)")
_REPOST_NOTE = re.compile(r"[(（][^()（）]*(?:转载|转自|来源|网)[^()（）]*[)）]")


def _blank(match: re.Match[str]) -> str:
    """Blank out a span without moving offsets."""
    return "\u3000" * len(match.group(0))


@dataclass(frozen=True)
class PlaceMention:
    name: str
    start: int
    end: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    code: str
    evidence: list[Evidence]
    score: float


class LocationResolver:
    def __init__(self, config: dict[str, Any]) -> None:
        import ahocorasick

        self.national_bodies: list[str] = list(config["national_bodies"])
        self.national_patterns = [re.compile(p) for p in config["national_patterns"]]
        self.media_markers: list[str] = list(config["media_markers"])
        self.self_reference: dict[str, str] = dict(config["self_reference"])
        skip = set(config["ambiguous_short_names"])
        self.index = {name: codes for name, codes in gazetteer.name_index().items() if name not in skip}
        # The names are added reversed and matched in the reversed text: pyahocorasick scans a node's children
        # linearly at every character, and division names share far fewer last characters (市, 县, 区: ~250)
        # than first ones (~900), so this scan is 2-3 times faster than the forward one and finds the same matches.
        self._places_reversed: Any = ahocorasick.Automaton()
        for name in self.index:
            self._places_reversed.add_word(name[::-1], name)
        self._places_reversed.make_automaton()
        self._bodies: Any = ahocorasick.Automaton()
        for body in self.national_bodies:
            self._bodies.add_word(body, body)
        self._bodies.make_automaton()

    # -- finding things -------------------------------------------------------------------------------

    def places(self, text: str) -> list[PlaceMention]:
        """Division names, leftmost-longest, not overlapping."""
        last = len(text) - 1
        # (start, -end, name) sorts by start, longest first, without a key (one name per span, so no ties)
        found = sorted(
            [(last - end, end - last - len(name), name) for end, name in self._places_reversed.iter(text[::-1])]
        )
        mentions: list[PlaceMention] = []
        taken_until = 0
        for start, negative_end, name in found:
            if start < taken_until:
                continue
            mentions.append(PlaceMention(name, start, -negative_end, self.index[name]))
            taken_until = -negative_end
        return mentions

    def national_mentions(self, text: str) -> list[tuple[str, int]]:
        # 商务部 inside 商务部门 ("the commerce departments", at any level) is not the ministry
        hits = [
            (body, end - len(body) + 1)
            for end, body in self._bodies.iter(text)
            if not (body.endswith("部") and text[end + 1 : end + 2] == "门")
        ]
        for pattern in self.national_patterns:
            hits.extend((m.group(0), m.start()) for m in pattern.finditer(text))
        return sorted(hits, key=lambda hit: hit[1])

    def is_issuer_like(self, publisher: str) -> bool:
        return bool(publisher) and not any(marker in publisher for marker in self.media_markers)

    # -- resolving ------------------------------------------------------------------------------------

    @staticmethod
    def _pick(mention: PlaceMention, context: list[str]) -> str:
        """One code for a mention: one inside a division already named, else the broadest nested one."""
        if len(mention.codes) == 1:
            return mention.codes[0]
        for code in mention.codes:
            if any(gazetteer.contains(outer, code) for outer in context):
                return code
        broadest = sorted(
            mention.codes, key=lambda c: ["national", "province", "prefecture", "county"].index(gazetteer.level(c))
        )
        top = broadest[0]
        if all(gazetteer.contains(top, code) for code in mention.codes):
            return top
        return ""

    def chain(self, mentions: list[PlaceMention]) -> tuple[str, list[PlaceMention]]:
        """The first named division, refined by the following names that lie inside it."""
        code = ""
        used: list[PlaceMention] = []
        for mention in mentions:
            picked = self._pick(mention, [code] if code else [])
            if not picked:
                continue
            if not code:
                code, used = picked, [mention]
            elif gazetteer.contains(code, picked) and picked != code:
                code = picked
                used.append(mention)
        return code, used

    def from_field(self, field: str, text: str) -> Resolution | None:
        national = self.national_mentions(text)
        mentions = self.places(text)
        code, used = self.chain(mentions)
        # a division named after a national body is its local branch (国家税务总局江苏省税务局)
        branch = bool(national) and any(m.start <= national[0][1] + len(national[0][0]) + 1 for m in used)
        if code and (not national or used[0].start <= national[0][1] or branch or field == "publisher"):
            evidence = [Evidence(m.name, field, m.start, m.end, f"location:{field}-division") for m in used]
            return Resolution(code, evidence, 1.0)
        self_refs = [term for term in self.self_reference if term in text]
        if self_refs:
            start = text.find(self_refs[0])
            return Resolution(
                "", [Evidence(self_refs[0], field, start, start + len(self_refs[0]), "location:self-reference")], 0.0
            )
        if national:
            body, start = national[0]
            return Resolution(
                gazetteer.NATIONAL,
                [Evidence(body, field, start, start + len(body), f"location:{field}-national-body")],
                1.0,
            )
        return None

    def from_body(self, text: str) -> Resolution | None:
        """Division names counted against national bodies; a bare 我市/我省 leaves the notice unplaced."""
        counts: Counter[str] = Counter()
        evidence: dict[str, list[Evidence]] = {}
        outside_titles = _BOOK_TITLE.sub(_blank, text)
        if "日电" in outside_titles or "日讯" in outside_titles:  # no dateline without one: skip the slow scan
            outside_titles = _DATELINE.sub(_blank, outside_titles)
        mentions = self.places(outside_titles)
        known: list[str] = []
        for mention in mentions:
            code = self._pick(mention, known)
            if not code:
                continue
            known.append(code)
            counts[code] += 1
            evidence.setdefault(code, []).append(
                Evidence(mention.name, "text", mention.start, mention.end, "location:text-division")
            )
        national = self.national_mentions(outside_titles)
        self_refs = [(term, text.find(term)) for term in self.self_reference if term in text]
        if counts:
            best, best_count = counts.most_common(1)[0]
            # refine: a more specific division inside the best one that is named as often
            for code, count in counts.most_common():
                if code != best and gazetteer.contains(best, code) and count * 2 >= best_count:
                    best = code
            if best_count >= max(2, len(national)) or (not national and not self_refs):
                return Resolution(best, evidence[best][:3], min(1.0, 0.3 * best_count))
        if self_refs:
            return Resolution(
                "", [Evidence(t, "text", s, s + len(t), "location:self-reference") for t, s in self_refs], 0.0
            )
        if national:
            body, start = national[0]
            return Resolution(
                gazetteer.NATIONAL,
                [Evidence(body, "text", start, start + len(body), "location:text-national-body")],
                0.6,
            )
        return None

    def from_credit_codes(self, text: str) -> Resolution | None:
        counts: Counter[str] = Counter()
        first: dict[str, Evidence] = {}
        for match in _CREDIT_CODE.finditer(text):
            region = match.group(1)
            if region in gazetteer.divisions():
                counts[region] += 1
                first.setdefault(
                    region, Evidence(match.group(0), "text", match.start(), match.end(), "location:credit-code-region")
                )
        if not counts:
            return None
        region = counts.most_common(1)[0][0]
        # several regions inside one province: the province; otherwise the most common
        provinces = {gazetteer.province_of(code) for code in counts}
        code = region if len(counts) == 1 else (provinces.pop() if len(provinces) == 1 else region)
        return Resolution(code, [first[region]], 0.5)

    def from_source(self, jurisdiction: str, site_code: str) -> Resolution | None:
        if jurisdiction in gazetteer.divisions():
            return Resolution(
                jurisdiction, [Evidence(jurisdiction, "jurisdiction", -1, -1, "location:source-jurisdiction")], 0.4
            )
        region = site_code[:6]
        if region in gazetteer.divisions():
            return Resolution(region, [Evidence(site_code, "site_code", -1, -1, "location:site-id-code")], 0.4)
        return None

    def resolve(
        self, title: str, text: str, publisher: str, jurisdiction: str = "", site_code: str = ""
    ) -> list[TagResult]:
        """`title`, `text`, `publisher` already in simplified characters (same offsets as the originals)."""
        issuer = _PARENTHESISED.sub(_blank, publisher)
        title = _REPOST_NOTE.sub(_blank, title)
        attempts: list[Callable[[], Resolution | None]] = []
        if self.is_issuer_like(issuer):
            attempts.append(lambda: self.from_field("publisher", issuer))
        attempts += [
            lambda: self.from_field("title", title),
            lambda: self.from_body(text),
            lambda: self.from_credit_codes(text),
            lambda: self.from_source(jurisdiction, site_code),
        ]
        for attempt in attempts:
            resolution = attempt()
            if resolution is None:
                continue
            if not resolution.code:  # a local notice whose place is not named
                return []
            return [TagResult(resolution.code, round(resolution.score, 3), resolution.evidence)]
        return []


@cache
def default_resolver() -> LocationResolver:
    return LocationResolver(json.loads(LEXICON.read_text(encoding="utf-8")))

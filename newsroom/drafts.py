"""Machine drafts of the English headline and summary of a notice.

A draft is only a starting point for an analyst: it is built from what the
classifiers found (tags, SCS terms), the English names of the tagged
locations and a small zh→en glossary (`glossary.tsv`), and it is never
published unless an analyst approves it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).with_name("glossary.tsv")
NATIONAL = "000000"


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    en: str
    kind: str  # term | subject | doctype | agency


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    """The glossary, longest Chinese term first so that longer terms win over the shorter ones they contain."""
    entries = []
    with GLOSSARY_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            zh, en, kind = (cell.strip() for cell in row)
            entries.append(GlossaryEntry(zh, en, kind))
    return tuple(sorted(entries, key=lambda entry: (-len(entry.zh), entry.zh)))


@cache
def _glossary_of(kind: str) -> tuple[GlossaryEntry, ...]:
    """The glossary entries of one kind, in glossary order."""
    return tuple(entry for entry in glossary() if entry.kind == kind)


@cache
def _term_translations() -> dict[str, str]:
    """Chinese term -> English, the first "term" entry in glossary order for each."""
    translations: dict[str, str] = {}
    for entry in _glossary_of("term"):
        translations.setdefault(entry.zh, entry.en)
    return translations


def glossary_matches(text: str, kind: str) -> list[GlossaryEntry]:
    """Glossary entries of `kind` found in `text`, in reading order, without overlaps."""
    taken = [False] * len(text)
    found: list[tuple[int, GlossaryEntry]] = []
    for entry in _glossary_of(kind):
        start = text.find(entry.zh)
        while start != -1:
            end = start + len(entry.zh)
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append((start, entry))
                break
            start = text.find(entry.zh, start + 1)
    return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]


def translate_term(term: str) -> str | None:
    return _term_translations().get(term)


def _location_name(code: str) -> str:
    from classifiers.gazetteer import english_name

    return english_name(code) or code


def place_name(codes: list[str]) -> str:
    """'Shenzhen, Guangdong' for a city, 'Guangdong' for a province, 'China' for national notices.

    Only the most specific level tagged is named (a city tag already implies its province).
    """
    from classifiers.gazetteer import province_of

    codes = sorted(set(codes))
    if not codes:
        return ""
    local = [code for code in codes if code != NATIONAL and not code.endswith("0000")]
    provinces = [code for code in codes if code != NATIONAL and code.endswith("0000")]
    if local:
        names = []
        for code in local[:2]:
            province = province_of(code)
            name = _location_name(code)
            province_name = _location_name(province) if province not in ("", code, NATIONAL) else ""
            if province_name and province_name != name:
                name = f"{name}, {province_name}"
            names.append(name)
        return " and ".join(names) if len(local) <= 2 else f"{names[0]} and other places"
    if provinces:
        names = [_location_name(code) for code in provinces[:2]]
        return " and ".join(names) if len(provinces) <= 2 else f"{names[0]} and other provinces"
    return _location_name(NATIONAL)


def _humanise_slug(slug: str) -> str:
    return slug.replace("-", " ")


def _mechanisms(title: str, tags: dict[str, list[str]], terms: list[str]) -> list[str]:
    """English names of the SCS mechanisms: terms of the title first, then the other terms found, then tags."""
    phrases = [entry.en for entry in glossary_matches(title, "term")]
    for term in terms:
        english = translate_term(term)
        if english:
            phrases.append(english)
    if not phrases:
        phrases = [_humanise_slug(slug) for slug in tags.get("scs_types", [])]
    return list(dict.fromkeys(phrases))


def _local_name(codes: list[str]) -> str:
    """The one place an issuing body is named after: the most specific tagged division."""
    codes = sorted(set(codes), key=lambda code: (code == NATIONAL, code.endswith("0000"), code))
    return _location_name(codes[0]) if codes else ""


def _publisher_name(publisher: str, locality: str) -> str:
    agencies = glossary_matches(publisher, "agency")
    if agencies:
        agency = agencies[-1].en
        national = agency.startswith(("National", "State", "Supreme", "People's Bank", "General Office"))
        return f"the {locality} {agency}" if locality and not national and locality != "China" else f"the {agency}"
    if publisher:
        return f"the publisher ({publisher})"
    return "the publisher"


def _with_article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def draft_headline_and_summary(
    title: str, publisher: str, tags: dict[str, list[str]], terms: list[str]
) -> tuple[str, str]:
    """Draft an English headline 'Place: what happened' and a one- or two-sentence summary.

    `tags` maps facet → effective values; `terms` are the SCS terms found in the notice, most important first.
    """
    place = place_name(tags.get("locations", []))
    mechanisms = _mechanisms(title, tags, terms)
    subjects = [entry.en for entry in glossary_matches(title, "subject")]
    subject = subjects[0] if subjects else ""
    if not subject and tags.get("industries"):
        subject = f"the {_humanise_slug(tags['industries'][0])} sector"
    what = mechanisms[0] if mechanisms else ""
    if subject:
        what = f"{what} for {subject}" if what else subject
    what = what or "social credit notice"
    headline = f"{place}: {what}" if place else what[:1].upper() + what[1:]

    doctypes = glossary_matches(title, "doctype")
    # 关于印发《…实施方案》的通知: what is issued is the document inside the cover notice.
    document = (doctypes[0] if "印发" in title else doctypes[-1]).en if doctypes else "notice"
    issuer = _publisher_name(publisher, _local_name(tags.get("locations", [])))
    summary = f"{issuer[:1].upper()}{issuer[1:]} issued {_with_article(document)}"
    summary += f" on {what}." if mechanisms or subject else "."
    others = mechanisms[1:4]
    if others:
        listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
        summary += f" It also covers {listed}."
    return headline, summary

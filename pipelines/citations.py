"""Cited documents in a notice's text: every 《title》, with the 文号 that follows it in brackets when there is one.

Why: a local measure names the policy it implements — 依据《国务院关于……的指导意见》（国发〔2016〕33号）— and
that citation is the link between the two. The scan is by hand rather than one regex because titles nest
(《关于印发〈……〉的通知》, and some pages nest 《 inside 《) and so do the brackets after them
(（国发（2016）33号）). What follows the title counts as its 文号 only when the bracket starts with one
(（国发〔2016〕33号，以下简称《意见》）); other brackets after a title (（试行）, （以下简称……）) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.docnumbers import doc_number_key
from pipelines.text import clean_title

__all__ = ["Citation", "find_citations"]

_OPEN_TITLE, _CLOSE_TITLE = "《", "》"
_OPEN_ROUND, _CLOSE_ROUND = "（(", "）)"
_SPACES_BEFORE_BRACKET = " \u3000\u00a0\t"
_DOC_NUMBER_ENDS = "，,、；;：:"
_MAX_BRACKET = 80  # a 文号 with a remark fits in far less; longer is prose, not a reference
_MAX_TITLE = 300  # the longest real titles are about 100 characters: an unclosed 《 must not swallow the text


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited document: ``start``/``end`` are offsets of the whole citation (《 to 》, or to the closing bracket
    when a 文号 follows); ``doc_number`` is the 文号 as written, ``doc_number_key`` its canonical form."""

    title: str
    doc_number: str
    doc_number_key: str | None
    start: int
    end: int


def _closing(text: str, start: int, openers: str, closers: str, limit: int) -> int | None:
    """The index just after the bracket that closes the one at ``start`` (nesting counted) in the same paragraph
    and within ``limit`` characters, or None."""
    depth = 0
    stop = min(len(text), start + limit)
    for index in range(start, stop):
        char = text[index]
        if char in openers:
            depth += 1
        elif char in closers:
            depth -= 1
            if depth == 0:
                return index + 1
        elif char == "\n":
            return None
    return None


def _doc_number_after(text: str, position: int) -> tuple[str, str, int] | None:
    """The 文号 in a bracket right after a title: (as written, canonical, end of the bracket), or None."""
    while position < len(text) and text[position] in _SPACES_BEFORE_BRACKET:
        position += 1
    if position >= len(text) or text[position] not in _OPEN_ROUND:
        return None
    end = _closing(text, position, _OPEN_ROUND, _CLOSE_ROUND, _MAX_BRACKET)
    if end is None:
        return None
    inside = text[position + 1 : end - 1]
    for separator in _DOC_NUMBER_ENDS:
        inside = inside.split(separator, 1)[0]
    inside = inside.split("以下简称", 1)[0].strip()
    key = doc_number_key(inside)
    return (inside, key, end) if key is not None else None


def find_citations(text: str) -> list[Citation]:
    """Every 《title》 in ``text`` in order, each with the 文号 written right after it when there is one."""
    citations: list[Citation] = []
    position = text.find(_OPEN_TITLE)
    while position != -1:
        title_end = _closing(text, position, _OPEN_TITLE, _CLOSE_TITLE, _MAX_TITLE)
        if title_end is None:  # an unclosed 《: no title here, look for the next one
            position = text.find(_OPEN_TITLE, position + 1)
            continue
        title = clean_title(text[position + 1 : title_end - 1])
        doc_number = _doc_number_after(text, title_end)
        if title:
            if doc_number is None:
                citations.append(Citation(title, "", None, position, title_end))
            else:
                raw, key, title_end = doc_number
                citations.append(Citation(title, raw, key, position, title_end))
        position = text.find(_OPEN_TITLE, title_end)
    return citations

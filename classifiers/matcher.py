"""Finding lexicon terms: an Aho-Corasick automaton for candidates, jieba only where boundaries decide.

Segmenting a whole body with jieba costs far more than one automaton pass, so the
automaton finds every candidate and our own `jieba.Tokenizer` (never the global
one), with a user dictionary built from the lexicons so multi-character SCS terms
stay whole, is asked only about short ambiguous terms (征信 inside 特征信息).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

BOUNDARY_WINDOW = 8  # characters of context either side given to the tokenizer


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@lru_cache(maxsize=4096)
def _cuts_cached(tokenizer_id: int, window: str) -> frozenset[int]:
    tokenizer = _TOKENIZERS[tokenizer_id]
    cuts = {0}
    position = 0
    for token in tokenizer.cut(window, HMM=False):
        position += len(token)
        cuts.add(position)
    return frozenset(cuts)


_TOKENIZERS: dict[int, Any] = {}


def _cuts(tokenizer: Any, window: str) -> frozenset[int]:
    """Offsets where `tokenizer` cuts `window` (boilerplate phrases recur, so results are cached)."""
    _TOKENIZERS.setdefault(id(tokenizer), tokenizer)
    return _cuts_cached(id(tokenizer), window)


class Match(NamedTuple):
    """A term found in a field, by offsets. A NamedTuple: a notice has hundreds, and a dataclass costs more to build."""

    term: str
    field: str
    start: int
    end: int


_new_match = tuple.__new__  # Match(...) without the Python-level __new__ of a NamedTuple, on the hot path


def _cache_dir() -> Path:
    """Where jieba keeps its prefix-dictionary cache: the user cache, else the temp dir (read-only homes)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    path = Path(base) / "scs-tracker"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    return path


class TermMatcher:
    def __init__(self, terms: Iterable[str], boundary_terms: Iterable[str] = ()) -> None:
        import ahocorasick

        self.terms = sorted(set(terms))
        self.boundary_terms = frozenset(boundary_terms)
        self._automaton: Any = ahocorasick.Automaton()
        for term in self.terms:
            self._automaton.add_word(term, term)
        self._automaton.make_automaton()
        self._tokenizer: Any = None

    def find(self, field: str, text: str) -> list[Match]:
        """Every occurrence of every term (overlaps included), minus boundary-checked misses.

        A boundary-checked term inside a longer term is not a word of its own there (公示 in 信息公示),
        so it is dropped without asking the tokenizer; only free-standing occurrences are checked.
        """
        # (start, -end, term): sorted without a key, by start, longest first (one term per span, so no ties)
        found = sorted([(end + 1 - len(term), -end - 1, term) for end, term in self._automaton.iter(text)])
        boundary_terms = self.boundary_terms
        matches = []
        cover_end = -1  # furthest end of the longer matches starting before the current one
        previous_start = longest_end = -1  # the longest match from this start comes first
        for start, negative_end, term in found:
            end = -negative_end
            if start != previous_start:
                previous_start, longest_end = start, end
            match = _new_match(Match, (term, field, start, end))
            if term not in boundary_terms or (
                cover_end < end and longest_end <= end and self.on_token_boundaries(text, match)
            ):
                matches.append(match)
            if end > cover_end:
                cover_end = end
        return matches

    def tokenizer(self) -> Any:
        """Our jieba Tokenizer: loaded on first use, main dictionary cached on disk, lexicon terms added."""
        if self._tokenizer is None:
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(_cache_dir())
            tokenizer.initialize()
            for term in self.terms:
                tokenizer.add_word(term, freq=max(1000, 200 * len(term)))
            self._tokenizer = tokenizer
        return self._tokenizer

    def on_token_boundaries(self, text: str, match: Match) -> bool:
        """Whether jieba, reading the surrounding words, cuts before and after the match."""
        before = text[match.start - 1] if match.start > 0 else ""
        after = text[match.end] if match.end < len(text) else ""
        if not _is_han(before) and not _is_han(after):
            return True
        window_start = max(0, match.start - BOUNDARY_WINDOW)
        window = text[window_start : min(len(text), match.end + BOUNDARY_WINDOW)]
        cuts = _cuts(self.tokenizer(), window)
        return (match.start - window_start) in cuts and (match.end - window_start) in cuts

    def tokenize(self, text: str) -> list[str]:
        """Words of `text`; lexicon terms stay whole, even those jieba's own regex would split (双随机、一公开)."""
        tokens: list[str] = []
        position = 0
        for match in self._whole_terms(text):
            tokens.extend(self.tokenizer().lcut(text[position : match.start], HMM=False))
            tokens.append(match.term)
            position = match.end
        tokens.extend(self.tokenizer().lcut(text[position:], HMM=False))
        return tokens

    def _whole_terms(self, text: str) -> list[Match]:
        """Leftmost-longest lexicon terms that contain a character jieba always cuts at (、 and the like)."""
        chosen: list[Match] = []
        for match in sorted(
            (Match(term, "", end - len(term) + 1, end + 1) for end, term in self._automaton.iter(text)),
            key=lambda m: (m.start, -m.end),
        ):
            if any(not char.isalnum() for char in match.term) and (not chosen or match.start >= chosen[-1].end):
                chosen.append(match)
        return chosen

"""Text normalisation that keeps offsets valid for the original string."""

from __future__ import annotations

import bisect
import re
from functools import cache, cached_property
from pathlib import Path
from typing import Any

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


@cache
def _char_table() -> dict[int, str]:
    """Traditional -> simplified, one character to one character (first candidate of OpenCC's table)."""
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table


@cache
def _traditional_chars() -> frozenset[str]:
    """Every character the table converts: most notices have none and skip conversion.

    `re` searched the ~4,100-character class at several ms per typical body, because some are beyond
    the BMP; `_traditional_search` leaves those to this set.
    """
    return frozenset(chr(code) for code in _char_table())


@cache
def _traditional_search() -> re.Pattern[str]:
    """Finds a traditional character of the BMP, or any character beyond it: none found, nothing to convert.

    `re` tests a BMP-only class with a bitmap, ten times faster than the set membership test; characters
    beyond the BMP in the class made it slow, so for them the pattern only flags that the set must decide.
    """
    bmp = "".join(sorted(char for char in _traditional_chars() if ord(char) <= 0xFFFF))
    return re.compile(f"[{re.escape(bmp)}]|[\U00010000-\U0010ffff]")


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified-character text of exactly the same length, so offsets stay valid for `text`.

    OpenCC's phrase-aware conversion is used when it is char-for-char; where it
    changes the length, fall back to the character table.
    """
    if _traditional_search().search(text) is None or _traditional_chars().isdisjoint(text):
        return text
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return text.translate(_char_table())


class Sentences:
    """Sentence spans of a text, for finding the sentence around an offset."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def ends(self) -> list[int]:
        """Offsets just past each sentence end; found on first use (many notices never ask)."""
        return [match.end() for match in _SENTENCE_END.finditer(self.text)]

    def span(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.ends, offset)
        start = self.ends[index - 1] if index > 0 else 0
        end = self.ends[index] if index < len(self.ends) else len(self.text)
        return start, end

    def sentence(self, offset: int) -> str:
        start, end = self.span(offset)
        return self.text[start:end]

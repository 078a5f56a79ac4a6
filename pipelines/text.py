"""Text normalisation for notices: pure functions, table-tested, used by the Scrapy pipelines.

Government pages mix full-width spaces, non-breaking spaces, zero-width characters,
CRLF line ends and decorative blank lines; analysts and the classifiers want one
clean form: paragraphs separated by one blank line, single spaces inside lines.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# Also NUL and lone surrogates: no database stores them (PostgreSQL refuses U+0000 in text and JSON, and a
# surrogate cannot be encoded as UTF-8), so they are removed before classification computes any offsets.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00\ud800-\udfff]+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]+")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u202f]+")
_BLANK_LINES = re.compile(r"\n{2,}")
_DOC_NUMBER_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕"})
_DOC_NUMBER_YEAR = re.compile(r"[〔(（]\s*((?:19|20)\d{2})\s*[〕)）]")


def _fold_spaces(text: str) -> str:
    """Invisible characters removed, runs of any horizontal space folded to one space; line ends kept."""
    return _HORIZONTAL_SPACE.sub(" ", _INVISIBLE.sub("", text))


def clean_line(text: str) -> str:
    """One line of text: invisible characters removed, runs of any horizontal space folded to one space."""
    return _fold_spaces(text).strip()


def clean_title(text: str) -> str:
    """A title on one line (titles in list pages often carry line breaks and indentation)."""
    return clean_line(" ".join(text.splitlines()))


def clean_body(text: str) -> str:
    """Body text with paragraphs kept: one paragraph per line group, separated by one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # folded once for the whole text (neither pattern spans a line end), then each line stripped: clean_line
    paragraphs = (line.strip() for line in _fold_spaces(text).split("\n"))
    return "\n\n".join(p for p in paragraphs if p)


def clean_doc_number(text: str) -> str:
    """A document number (发文字号) in its standard form: 〔YYYY〕 brackets, no inner spaces.

    Pages write 发改财金[2025]12号, 发改财金〔2025〕12号 or 发改财金 (2025) 12 号; all are the same number.
    """
    text = clean_line(text).translate(_DOC_NUMBER_BRACKETS)
    text = _DOC_NUMBER_YEAR.sub(r"〔\1〕", text)
    return re.sub(r"\s+", "", text)


def storable(value: Any) -> Any:
    """`value` (a string, or JSON-like lists and dicts of them) without the characters no database accepts.

    The store applies it to everything it writes: a NUL in a <meta> value, a header or a reason must not
    make the write fail on PostgreSQL when it succeeds on SQLite.
    """
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value) if not value.isascii() or "\x00" in value else value
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    return value


def content_hash(fields: Iterable[tuple[str, object]]) -> str:
    """A stable fingerprint of a notice's content, to tell an unchanged page from an updated one."""
    payload = json.dumps(list(fields), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()

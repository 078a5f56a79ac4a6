"""Decode Chinese government pages and recognise text that was decoded wrongly.

Two facts drive this module:

* A page that declares ``gb2312`` or ``gbk`` is in practice written with the
  GB18030 superset (names with rare characters such as 镕 or 堃, the euro sign,
  4-byte sequences). Decoding it with the declared codec loses those characters, so
  every GB-family label is decoded as GB18030.
* When the declared charset is wrong (UTF-8 bytes read as GBK, or as latin-1) the
  result is not an error but *mojibake*: 鍏充簬 for 关于, å…³äºŽ for the same bytes
  read as cp1252. Such text must be flagged and never stored as the clean body.

Mojibake recognition relies on a property of real Chinese prose: almost all of
its characters are in GB2312 level 1 (the 3,755 common characters). UTF-8 bytes
read as GBK land mostly in level 2 and the GBK extension areas (rare characters),
and UTF-8 read as latin-1 gives runs of Latin-1 Supplement letters.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode

# Labels of the GB family, as they appear in Content-Type headers and <meta> tags.
_GB_FAMILY = {"gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312"}
# Latin-1 characters that do occur in genuine Chinese text (middle dot in transliterated
# names, degree and multiplication signs in technical notices).
_LATIN1_LEGIT = set("·×÷°±§¥©®²³¹¼½¾")
_CP1252_MOJIBAKE = set("ŠŒŽšœžŸƒˆ˜™‹›‰†‡€")
MOJIBAKE_THRESHOLD = 0.3
_MIN_SUSPICIOUS = 4


def codec_for_label(label: str | None) -> str | None:
    """The codec to decode a declared charset with: GB-family labels become gb18030."""
    if not label:
        return None
    normalised = label.strip().strip("'\"").lower()
    return "gb18030" if normalised in _GB_FAMILY else normalised


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec used): HTTP header charset, then <meta charset>, then BOM/auto-detection.

    GB-family declarations are decoded as GB18030 (see module docstring).
    """
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_auto_detect)
    codec = codec_for_label(encoding) or "utf-8"
    if codec != encoding:
        text = body.decode(codec, errors="replace")
    return text, codec


def _auto_detect(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _common_hanzi() -> str:
    """GB2312 level 1 (lead bytes 0xB0-0xD7): the 3,755 characters that make up almost all real prose."""
    characters = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                characters.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(characters)


# Counted with regex substitutions (C speed) instead of a Python loop per character; a character is
# a candidate when non-ASCII and not a space, suspicious when a candidate that mis-decoding produces:
# the replacement character, private use, Latin-1 letters (but the legitimate signs), cp1252
# punctuation, or a CJK ideograph outside GB2312 level 1.
_CANDIDATE = re.compile(r"[^\x00-\x7f\s]+")
_CJK = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]+")
_COMMON_HANZI = re.compile("[" + "".join(c for c in _common_hanzi() if _CJK.match(c)) + "]+")
_ASCII_OR_COMMON_HANZI = re.compile("[\x00-\x7f" + _COMMON_HANZI.pattern[1:])
_SUSPICIOUS_NOT_CJK = re.compile(
    "["
    + re.escape(
        "".join(chr(code) for code in range(0x80, 0x100) if not chr(code).isspace() and chr(code) not in _LATIN1_LEGIT)
        + "".join(sorted(_CP1252_MOJIBAKE))
        + "\ufffd"
    )
    + "\ue000-\uf8ff]+"
)


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Characters of `text` in `pattern`'s class (the pattern matches runs: one match per run, not per character)."""
    return len(text) - len(pattern.sub("", text))


def _candidates_and_suspicious(text: str) -> tuple[int, int]:
    """(non-ASCII non-space characters, those of them that look like mis-decoding).

    ASCII and common hanzi, most of real text, are taken out first (in long runs, so at little cost): ASCII is in
    no class, and a common hanzi is a candidate, CJK and not suspicious. The other classes are counted over what
    is left, which is short.
    """
    rest = _ASCII_OR_COMMON_HANZI.sub("", text)
    common = len(text) - len(rest) - len(text.encode("ascii", "ignore"))
    cjk = common + _count(_CJK, rest)
    suspicious = _count(_SUSPICIOUS_NOT_CJK, rest) + cjk - common
    return common + _count(_CANDIDATE, rest), suspicious


def mojibake_ratio(text: str) -> float:
    """Share of the non-ASCII characters that look like mis-decoding (0.0 for pure ASCII)."""
    candidates, suspicious = _candidates_and_suspicious(text)
    return suspicious / candidates if candidates else 0.0


def is_mojibake(text: str) -> bool:
    """True when the text is mostly mis-decoded; a handful of rare characters in real prose is not."""
    candidates, suspicious = _candidates_and_suspicious(text)
    return suspicious >= _MIN_SUSPICIOUS and suspicious / candidates >= MOJIBAKE_THRESHOLD

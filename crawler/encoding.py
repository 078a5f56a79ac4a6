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


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_common_hanzi(char: str) -> bool:
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= encoded[0] <= 0xD7  # GB2312 level 1


def _is_suspicious(char: str) -> bool:
    code = ord(char)
    if char == "\ufffd" or 0xE000 <= code <= 0xF8FF:  # replacement char, private use area
        return True
    if 0x80 <= code <= 0xFF:
        return char not in _LATIN1_LEGIT
    if char in _CP1252_MOJIBAKE:
        return True
    return _is_cjk(char) and not _is_common_hanzi(char)


def mojibake_ratio(text: str) -> float:
    """Share of the non-ASCII characters that look like mis-decoding (0.0 for pure ASCII)."""
    candidates = [char for char in text if ord(char) > 0x7F and not char.isspace()]
    if not candidates:
        return 0.0
    return sum(_is_suspicious(char) for char in candidates) / len(candidates)


def is_mojibake(text: str) -> bool:
    """True when the text is mostly mis-decoded; a handful of rare characters in real prose is not."""
    candidates = [char for char in text if ord(char) > 0x7F and not char.isspace()]
    suspicious = sum(_is_suspicious(char) for char in candidates)
    return suspicious >= _MIN_SUSPICIOUS and suspicious / len(candidates) >= MOJIBAKE_THRESHOLD

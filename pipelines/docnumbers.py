"""Document numbers (文号) as a key: one canonical spelling, parsed into issuer, year and serial.

Why: the same document is cited and reposted with its 文号 written many ways — 国发〔2016〕33号,
国发[2016]33号, 国发（2016）33号, 国发﹝2016﹞第33号, full-width digits, spaces inside — and a
key that differs by a bracket would split one document into several. The canonical form is a key,
not a display string:

* a 文号 with a year is ``{issuer}〔{year}〕{serial}号`` — brackets of every kind become 〔〕, a
  ``第`` before the serial is dropped, and the ``公告2019年第29号`` style becomes ``公告〔2019〕29号``;
* an order or announcement without a year is ``{issuer}第{serial}号`` (国务院令第792号), also when
  the page wrote ``国务院令（第792号）`` or ``国务院令792号``;
* the serial loses leading zeros; the issuer is kept as written (中华人民共和国国务院令 and 国务院令
  stay different: we do not guess which issuer an abbreviation means).

Anything else (no issuer, no serial, a year outside 1949-2099) is not a 文号: `parse_doc_number`
returns None rather than a half-parsed key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["DocNumber", "doc_number_key", "parse_doc_number"]

_OPENING_BRACKETS = "[［【(（﹝〘〖｛{〔"
_CLOSING_BRACKETS = "]］】)）﹞〙〗｝}〕"
_TO_TORTOISE_SHELL = str.maketrans({**dict.fromkeys(_OPENING_BRACKETS, "〔"), **dict.fromkeys(_CLOSING_BRACKETS, "〕")})
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
# The longest real issuers are about 20 characters (中华人民共和国国家发展和改革委员会令); 40 keeps keys short.
_ISSUER = r"(?P<issuer>[\u3400-\u9fff]{1,40}?)"
_SERIAL = r"(?P<serial>\d{1,6})"
_YEAR = r"(?P<year>\d{4})"
# 国发〔2016〕33号, 中国人民银行令〔2021〕第4号 (号 sometimes missing at the end of a line)
_BRACKETED_YEAR = re.compile(rf"{_ISSUER}〔{_YEAR}〕第?{_SERIAL}号?")
# 国家税务总局公告2019年第29号
_WORDED_YEAR = re.compile(rf"{_ISSUER}{_YEAR}年第?{_SERIAL}号")
# 国务院令第792号, 国务院令〔第792号〕, 国务院令792号 (without 第 only after 令 or 公告: 发改财金12号 is no 文号)
_ORDINAL = re.compile(rf"{_ISSUER}第{_SERIAL}号")
_ORDINAL_IN_BRACKETS = re.compile(rf"{_ISSUER}〔第{_SERIAL}号〕")
_ORDINAL_WITHOUT_DI = re.compile(rf"(?P<issuer>[\u3400-\u9fff]{{0,38}}?(?:令|公告)){_SERIAL}号")
_FIRST_YEAR, _LAST_YEAR = 1949, 2099


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A parsed 文号: ``issuer`` as written (国发, 发改财金规, 国务院令), ``year`` when the number has one."""

    issuer: str
    year: int | None
    serial: int

    @property
    def canonical(self) -> str:
        """The key spelling: 国发〔2016〕33号, or 国务院令第792号 for numbers without a year."""
        if self.year is None:
            return f"{self.issuer}第{self.serial}号"
        return f"{self.issuer}〔{self.year}〕{self.serial}号"


def _normalised(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), every bracket to 〔〕, all spaces removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_TO_TORTOISE_SHELL)


def _ordinal(text: str) -> DocNumber | None:
    """国务院令第792号 / 国务院令〔第792号〕 / 国务院令792号: a number without a year."""
    for issuer_then_serial in (
        _ORDINAL.fullmatch(text),
        _ORDINAL_IN_BRACKETS.fullmatch(text),
        _ORDINAL_WITHOUT_DI.fullmatch(text),
    ):
        if issuer_then_serial is not None and issuer_then_serial["issuer"]:
            return DocNumber(issuer_then_serial["issuer"], None, int(issuer_then_serial["serial"]))
    return None


def parse_doc_number(text: str) -> DocNumber | None:
    """The 文号 that is the whole of ``text`` (spaces and bracket styles aside), or None."""
    text = _normalised(text)
    for pattern in (_BRACKETED_YEAR, _WORDED_YEAR):
        match = pattern.fullmatch(text)
        if match is not None:
            year = int(match["year"])
            if not _FIRST_YEAR <= year <= _LAST_YEAR:
                return None
            return DocNumber(match["issuer"], year, int(match["serial"]))
    return _ordinal(text)


def doc_number_key(text: str) -> str | None:
    """The canonical spelling of a 文号 (the value stored and compared), or None when it is not one."""
    parsed = parse_doc_number(text)
    return parsed.canonical if parsed is not None else None

"""Turn one Chinese (or English) date expression into a `datetime.date`, or `None`.

Why hand-written: government pages write dates in dozens of ways and general libraries
misread the common ones (dateparser returns year 1 for ``2019 年 10 月 30 日``, reads
``4月20日 18:10`` as a year, misses ``2016年06月30日09时30分``). The fast path below handles
the forms we actually see with a few compiled regexes; `dateparser` is only the fallback for
what the fast path cannot decide, and it is imported lazily (it costs ~0.1 s to import and
more to load its language data on first use).

Rules, in short:

* text is NFKC-normalised (full-width digits and punctuation), a few traditional characters
  used in labels are mapped to simplified, Chinese numerals in date position become digits;
* every date-looking match in the text is collected; a match that is not a real calendar
  date (``2019-02-30``) or only looks like one (``国统字〔2019〕33号``, a lone year, garbled
  ``2019320``, a masked ``20xx年``) makes the answer `None` rather than a guess;
* when a line holds several dates, the label in front of each (or a verb right after it)
  decides: publish (发布) beats written (成文/印发), which beats unlabelled, and effective
  (施行/实施) or expiry (废止) dates are only used when nothing else is there;
* relative (``3天前``, ``昨天``) and yearless (``4月20日``, ``新华社北京7月22日电``) forms need a
  reference date; a yearless date resolves to the latest such date not after the reference;
* ``19-07-23`` is 2019 (two-digit years below 70 are 20xx); ``05/04/2019`` is refused (day or
  month first?); an instant with an offset (``2019-07-24T20:00:00Z``, RSS ``… 20:30:00 GMT``)
  gives its Beijing day, while ``CST`` (Java's ``Date.toString()`` on a Chinese server) is China time;
* the fallback only sees text with an English word in it (``2 weeks ago``); without a
  reference its relative results are rejected rather than read against "now".
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
import warnings
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, NamedTuple

__all__ = [
    "LabelledDate",
    "Role",
    "label_role",
    "labelled_dates",
    "normalise_date_text",
    "parse_date",
    "parse_date_fallback",
    "parse_date_fast",
]

MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2099
TWO_DIGIT_YEAR_PIVOT: Final = 70  # "19-07-23" is 2019, "85-05-04" is 1985

# Traditional forms of the characters that appear in date labels and page noise.
_TRADITIONAL = str.maketrans(
    {
        "發": "发",
        "佈": "布",
        "時": "时",
        "間": "间",
        "頒": "颁",
        "來": "来",
        "號": "号",
        "實": "实",
        "廢": "废",
        "執": "执",
        "簽": "签",
        "訂": "订",
        "瀏": "浏",
        "覽": "览",
        "數": "数",
        "週": "周",
        "點": "点",
        "擊": "击",
        "電": "电",
        "華": "华",
        "聞": "闻",
        "後": "后",
        "內": "内",
        "條": "条",
        "－": "-",
        "／": "/",
        "．": ".",
        "—": "-",
        "–": "-",
    }
)

_CN_DIGIT: Final = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "o": 0,
    "0": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_YEAR = re.compile(r"([一二12][〇零○Oo0一二三四五六七八九]{3})(?=\s*年)")
_CN_MONTH = re.compile(r"(?<![一二三四五六七八九十\d])([一二三四五六七八九十]{1,2}|元)(?=\s*月)")
_CN_DAY = re.compile(r"(?<=月)(\s*)([一二三四五六七八九十廿卅]{1,3})(?=\s*[日号])")
_CN_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3})(?=\s*(?:天|日|周|个?星期|个?礼拜|个月|年|小时|分钟)前)")


def _cn_small_int(numeral: str) -> int | None:
    """Value of a Chinese numeral below 100 (``二十五``, ``十二``, ``廿一``, ``七``), else None."""
    if numeral == "元":
        return 1
    if numeral[0] in "廿卅":
        rest = numeral[1:]
        ones = _CN_DIGIT.get(rest, -1) if rest else 0
        return None if ones < 0 else (20 if numeral[0] == "廿" else 30) + ones
    if "十" in numeral:
        tens_part, _, ones_part = numeral.partition("十")
        tens = _CN_DIGIT.get(tens_part, -1) if tens_part else 1
        ones = _CN_DIGIT.get(ones_part, -1) if ones_part else 0
        return None if tens < 0 or ones < 0 else tens * 10 + ones
    return _CN_DIGIT.get(numeral) if len(numeral) == 1 else None


def _replace_small(match: re.Match[str], group: int = 1) -> str:
    value = _cn_small_int(match.group(group))
    return match.group(0) if value is None else match.group(0)[: match.start(group) - match.start(0)] + str(value)


_HAS_CN_NUMERAL = re.compile(r"[〇零○一二三四五六七八九十元廿卅两]")


def normalise_date_text(text: str) -> str:
    """NFKC, traditional label characters, Chinese numerals in date position, single spaces."""
    if not text.isascii():  # the checks below skip work the common strings do not need
        text = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
        if _HAS_CN_NUMERAL.search(text):
            text = _CN_YEAR.sub(lambda m: "".join(str(_CN_DIGIT[c]) for c in m.group(1)), text)
            text = _CN_MONTH.sub(_replace_small, text)
            text = _CN_DAY.sub(lambda m: _replace_small(m, 2), text)
            text = _CN_COUNT.sub(_replace_small, text)
    return " ".join(text.split())


# --- what a date looks like --------------------------------------------------------------

_MONTHS: Final = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAME = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)

_YMD_CJK = re.compile(r"(?<!\d)(\d{4}|\d{2}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2})(?!\d) ?[日号]?")
_YMD_NUM = re.compile(r"(?<![\d.])(\d{4}) ?([-/.]) ?(\d{1,2}) ?\2 ?(\d{1,2})(?!\d)")
# "Thu Jul 25 10:30:00 CST 2019" is Java's Date.toString() on a Chinese server: CST is China time.
_EN_MDY = re.compile(
    rf"\b{_MONTH_NAME} (\d{{1,2}})(?:st|nd|rd|th)?,? (?:\d{{1,2}}:\d{{2}}(?::\d{{2}})? (?:CST )?)?(\d{{4}})\b",
    re.IGNORECASE,
)
# RFC 2822 (RSS pubDate) with GMT or a numeric offset names an instant: its Beijing day.
_RFC_INSTANT = re.compile(
    rf"\b(\d{{1,2}}) {_MONTH_NAME} (\d{{4}}) (\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?"
    r" ?(GMT|UTC|Z|[+-]\d{2}:?\d{2})(?![\d:])",
    re.IGNORECASE,
)
_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH_NAME},? (\d{{4}})\b", re.IGNORECASE)
_COMPACT = re.compile(r"(?<![\d.])((?:19|20)\d{2})(\d{2})(\d{2})(?![\d.])")
_DMY_NUM = re.compile(r"(?<![\d.])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d)")
_YY_NUM = re.compile(r"(?<![\d./-])(\d{2})([-/])(\d{2})\2(\d{2})(?![\d/]|-\d)")
# The commonest shape of all, tried first as one anchored match: an optional label, ONE full date,
# an optional time and digit-free noise ("发布时间：2019-04-18 16:25:15 来源：…"). With a single date
# on the line there are no labels to weigh, so the general scan below can be skipped.
_COMMON = re.compile(
    r"[^\d前昨今刚]{0,24}+"
    r"(?:(?P<y1>\d{4}) ?年 ?(?P<m1>\d{1,2}) ?月 ?(?P<d1>\d{1,2}) ?[日号]?"
    r"|(?P<y2>\d{4})(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))"
    r"(?:[ T]?\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?| ?\d{1,2}时(?:\d{1,2}分(?:\d{1,2}秒)?)?)?"
    r"(?![\d.])[^\d前昨今刚]*+"
)
# An ISO time with an offset names an instant: its Beijing day can differ from the day written.
_ISO_INSTANT = re.compile(
    r"(?<![\d.])(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)? ?(Z|[+-]\d{2}:?\d{2})(?![\d:])"
)
_BEIJING: Final = dt.timezone(dt.timedelta(hours=8))
_MD_CJK = re.compile(r"(?<!\d)(\d{1,2}) ?月 ?(\d{1,2})(?!\d) ?[日号]")
_MD_ALONE = re.compile(r"[\[(]?(\d{2})[-/](\d{2})[\])]?")  # a list-page "07-25", whole text only (not "3.15")
_RELATIVE = re.compile(
    r"(?P<n>\d{1,3}) ?(?P<unit>天|日|周|个?星期|个?礼拜|个月|年|小时|分钟|秒钟?) ?前|半(?P<half>个?小时|分钟)前"
    r"|(?P<word>大前天|前天|前日|昨天|昨日|今天|今日|刚刚)"
)
_LUNAR = re.compile(r"[农阴夏]历")
_HAS_RELATIVE_CHAR = re.compile(r"[前昨今刚]")
_HAS_LETTERS = re.compile(r"[A-Za-z]{3}")
_RELATIVE_WORD_DAYS: Final = {"大前天": 3, "前天": 2, "前日": 2, "昨天": 1, "昨日": 1, "今天": 0, "今日": 0, "刚刚": 0}

# Things that mean "there is a date here, but we cannot read it safely": no fallback guessing.
_UNREADABLE = re.compile(
    r"(?:19|20|[一二])[xX×*?？○]{1,2} ?年"  # masked template year: 20xx年
    r"|[一二][〇零一二三四五六七八九]{0,2}[xX×*?？]+ ?年"  # 二〇一*年
    r"|(?<!\d)(?:19|20)\d{3,5}(?!\d)"  # text extraction dropped 年/月/日: 201774, 2019320
    r"|[〔\[(] ?\d{4} ?[〕\])]|第 ?\d+ ?号"  # document numbers: 国统字〔2019〕33号, 令第282号
)
# The fast path reads every Chinese and numeric form we know; the fallback only sees text with
# an English word in it. On bare fragments dateparser guesses (``5日`` became "five days ago",
# ``10 2019 12`` a December date) where we would rather say nothing.
_WORTH_A_FALLBACK = re.compile(r"[a-z]{3}", re.IGNORECASE)


class Role(IntEnum):
    """What a labelled date is; lower values win when a line holds several dates."""

    PUBLISHED = 0
    WRITTEN = 1
    UNLABELLED = 2
    UPDATED = 3
    EFFECTIVE = 4
    DEADLINE = 5
    EXPIRY = 6


_LABEL_ROLES: Final = (
    (Role.PUBLISHED, r"发布|颁布|公布|发表|发文|公开日期|公告|刊发|首发|上网|publish"),
    (Role.WRITTEN, r"成文|印发|生成|签发|签署|制发"),
    (Role.UPDATED, r"更新|修改|修订|update|modif"),
    (Role.EFFECTIVE, r"施行|实施|生效|执行|起效|effective"),
    (Role.EXPIRY, r"废止|失效|有效期|截止|到期|expir"),
)
_LABEL = re.compile("|".join(f"(?P<r{role.value}>{words})" for role, words in _LABEL_ROLES), re.IGNORECASE)
_TRAILING_ROLE = re.compile(  # a verb right after the date: 自2020年1月1日起施行, 2019年12月1日印发
    r"^(?: ?起| ?开始)?(?:(?P<r4>施行|实施|生效|执行)|(?P<r6>废止|失效)"
    r"|(?P<r0>发布|公布)|(?P<r1>印发|签发)|(?P<r5>前|之前))"
    r"(?!日期|时间| ?:)"
)


def label_role(label: str) -> Role:
    """The role a field label gives its date (``成文日期`` → WRITTEN); the last keyword wins."""
    return _role_in(normalise_date_text(label))


def _role_in(normalised: str) -> Role:
    role = Role.UNLABELLED
    for match in _LABEL.finditer(normalised):
        role = Role(int(next(name for name, value in match.groupdict().items() if value)[1:]))
    return role


# --- the fast path -----------------------------------------------------------------------


class _Match(NamedTuple):  # a NamedTuple: cheaper to build than a dataclass on the hot path
    start: int
    end: int
    date: dt.date | None  # None: not a real date (2019-02-30), or yearless/relative without a reference


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(two_digits: str) -> int:
    value = int(two_digits)
    return (2000 if value < TWO_DIGIT_YEAR_PIVOT else 1900) + value


def _yearless(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The latest `month`-`day` not after `reference` (a 29 February looks back to a leap year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    year = reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1
    for candidate_year in range(year, year - 8, -1):
        found = _make_date(candidate_year, month, day)
        if found is not None:
            return found
    return None


def _months_before(reference: dt.date, months: int) -> dt.date:
    index = reference.year * 12 + reference.month - 1 - months
    year, month = divmod(index, 12)
    for day in range(reference.day, 27, -1):
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(reference.day, 28))


def _beijing_day(fields: tuple[int, int, int, int, int, int], offset: str) -> dt.date | None:
    """The Beijing day of the instant `fields` (year … second) at UTC `offset` (Z, GMT, +0800, -05:00)."""
    offset = offset.replace(":", "").upper()
    try:
        zone = (
            dt.UTC
            if offset in ("Z", "GMT", "UTC")
            else dt.timezone(int(offset[0] + "1") * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        )
        instant = dt.datetime(*fields, tzinfo=zone)
    except ValueError:
        return None
    return _make_date(*instant.astimezone(_BEIJING).timetuple()[:3])


def _relative(match: re.Match[str], reference: dt.date) -> dt.date | None:
    word = match.group("word")
    if match.group("half"):
        return reference
    if word:
        return reference - dt.timedelta(days=_RELATIVE_WORD_DAYS[word])
    count, unit = int(match.group("n")), match.group("unit")
    if unit in ("天", "日"):
        return reference - dt.timedelta(days=count)
    if unit.endswith(("周", "星期", "礼拜")):
        return reference - dt.timedelta(weeks=count)
    if unit == "个月":
        return _months_before(reference, count)
    if unit == "年":
        return _months_before(reference, 12 * count)
    return reference  # hours, minutes or seconds ago: the reference day is the best we know


def _find_dates(text: str, reference: dt.date | None) -> list[_Match]:
    """All date matches in normalised `text`, earliest first, without overlaps (stronger forms first).

    The matches kept never overlap, so a new one overlaps some kept match exactly when it overlaps
    the kept match that starts last before its end: one binary search per match, not a scan of all.
    """
    found: list[_Match] = []
    starts: list[int] = []  # the starts of `found`, sorted
    ends: list[int] = []  # the ends, in the order of `starts`

    def add(match: re.Match[str], date: dt.date | None) -> None:
        start, end = match.span()
        before = bisect.bisect_left(starts, end)  # kept matches starting before this one ends
        if before and ends[before - 1] > start:
            return
        if lunar and _LUNAR.search(text, max(0, start - 4), start):
            date = None  # 农历六月廿三日 is not 23 June
        found.append(_Match(start, end, date))
        starts.insert(before, start)
        ends.insert(before, end)

    lunar = "历" in text

    has_year_char, has_month_char = "年" in text, "月" in text
    has_separator = "-" in text or "/" in text or "." in text
    has_letters = _HAS_LETTERS.search(text) is not None
    for m in _ISO_INSTANT.finditer(text) if ":" in text else ():
        year, month, day, hour, minute = (int(part) for part in m.group(1, 2, 3, 4, 5))
        add(m, _beijing_day((year, month, day, hour, minute, int(m.group(6) or 0)), m.group(7)))
    for m in _RFC_INSTANT.finditer(text) if has_letters and ":" in text else ():
        month = _MONTHS[m.group(2)[:3].lower()]
        fields = (int(m.group(3)), month, int(m.group(1)), int(m.group(4)), int(m.group(5)), int(m.group(6) or 0))
        add(m, _beijing_day(fields, m.group(7)))
    for m in _YMD_CJK.finditer(text) if has_year_char else ():
        year = int(m.group(1)) if len(m.group(1)) == 4 else _full_year(m.group(1))
        date = _make_date(year, int(m.group(2)), int(m.group(3)))
        add(m, date)
    for m in _YMD_NUM.finditer(text) if has_separator else ():
        date = _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        add(m, date)
    for m in _EN_MDY.finditer(text) if has_letters else ():
        date = _make_date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
        add(m, date)
    for m in _EN_DMY.finditer(text) if has_letters else ():
        date = _make_date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        add(m, date)
    for m in _COMPACT.finditer(text):
        date = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        add(m, date)
    for m in _DMY_NUM.finditer(text) if has_separator else ():
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if first > 12 >= second:
            date = _make_date(year, second, first)
        elif second > 12 >= first:
            date = _make_date(year, first, second)
        else:
            date = None  # 05/04/2019: day-first or month-first? Refuse to guess.
        add(m, date)
    for m in _YY_NUM.finditer(text) if has_separator else ():
        date = _make_date(_full_year(m.group(1)), int(m.group(3)), int(m.group(4)))
        add(m, date)
    yearless_possible = has_month_char and text.count("月") > sum(text.count("月", m.start, m.end) for m in found)
    for m in _MD_CJK.finditer(text) if yearless_possible else ():
        if text[max(0, m.start() - 2) : m.start()].rstrip().endswith("年"):  # normalised: one space at most
            continue  # the year was there but unreadable (masked or garbled)
        month, day = int(m.group(1)), int(m.group(2))
        valid = _make_date(2000, month, day) is not None  # 2000 is a leap year: 2月29日 is fine
        add(m, _yearless(month, day, reference) if reference and valid else None)
    alone = None if found else _MD_ALONE.fullmatch(text)
    if alone is not None:
        month, day = int(alone.group(1)), int(alone.group(2))
        valid = _make_date(2000, month, day) is not None
        add(alone, _yearless(month, day, reference) if reference and valid else None)
    for m in _RELATIVE.finditer(text) if _HAS_RELATIVE_CHAR.search(text) else ():
        relative = _relative(m, reference) if reference else None
        add(m, relative if relative and relative.year >= MIN_YEAR else None)
    found.sort(key=lambda match: match.start)
    return found


def _role_of(text: str, matches: list[_Match], index: int) -> Role:
    """The label just before match `index` (after the previous date), or a verb right after it."""
    match = matches[index]
    following_start = matches[index + 1].start if index + 1 < len(matches) else len(text)
    trailing = _TRAILING_ROLE.match(text[match.end : min(following_start, match.end + 8)])
    if trailing:
        return Role(int(next(name for name, value in trailing.groupdict().items() if value)[1:]))
    previous_end = matches[index - 1].end if index else 0
    return _role_in(text[previous_end : match.start]) if previous_end < match.start else Role.UNLABELLED


class _Undecided:
    """The fast path found nothing it could read and nothing that forbids a fallback guess."""


UNDECIDED: Final = _Undecided()


@dataclass(frozen=True)
class LabelledDate:
    """A readable date found in a line, with the role its label gives it."""

    date: dt.date
    role: Role
    matched: str  # the normalised text that was read as the date


def _labelled(text: str, matches: list[_Match]) -> list[LabelledDate]:
    return [
        LabelledDate(match.date, _role_of(text, matches, index), text[match.start : match.end])
        for index, match in enumerate(matches)
        if match.date is not None
    ]


# A date expression, or a line with a few labelled dates, is short: only the first MAX_DATE_TEXT characters
# of a longer text are read (a 700 KB "date" is a fault or an attack, not a date line).
MAX_DATE_TEXT: Final = 1000
_PARTIAL_DATE_TAIL: Final = "0123456789０１２３４５６７８９年月日号號-/.:： 〇一二三四五六七八九十"


def _capped(text: str) -> str:
    """`text` cut to MAX_DATE_TEXT characters, without a date cut in half at the end (2019年10月3|0日)."""
    if len(text) <= MAX_DATE_TEXT:
        return text
    return text[:MAX_DATE_TEXT].rstrip(_PARTIAL_DATE_TAIL)


def labelled_dates(text: str, reference: dt.date | None = None) -> list[LabelledDate]:
    """Every date the fast path reads in `text`, in text order, each with its label's role."""
    normalised = normalise_date_text(_capped(text))
    return _labelled(normalised, _find_dates(normalised, reference))


def _fast(text: str, reference: dt.date | None) -> dt.date | _Undecided | None:
    text = normalise_date_text(_capped(text))
    if not text:
        return None
    common = None if ":" in text and _ISO_INSTANT.search(text) else _COMMON.fullmatch(text)  # instants: below
    if common is not None:
        year, month, day = common.group("y1", "m1", "d1") if common.group("y1") else common.group("y2", "m2", "d2")
        date = _make_date(int(year), int(month), int(day))
        if date is not None:
            return date
    matches = _find_dates(text, reference)
    readable = [match for match in matches if match.date is not None]
    if len(readable) == 1:
        return readable[0].date  # the common case: no labels to weigh
    if readable:
        found = _labelled(text, matches)
        return min(found, key=lambda labelled: labelled.role).date  # min() keeps the first of equals
    if matches or _UNREADABLE.search(text):
        return None  # invalid, unreadable, or relative/yearless without a reference
    return UNDECIDED


def parse_date_fast(text: str, reference: dt.date | None = None) -> dt.date | None:
    """The hand-written fast path alone: a date, or None when it cannot decide (or there is none)."""
    result = _fast(text, reference)
    return None if isinstance(result, _Undecided) else result


# --- the fallback ------------------------------------------------------------------------

# Relative expressions are computed from this base when the caller gave no reference, so that
# their result falls before MIN_YEAR and is rejected instead of silently meaning "now".
_NO_REFERENCE_BASE: Final = dt.datetime(1800, 1, 1)


def parse_date_fallback(text: str, reference: dt.date | None = None) -> dt.date | None:
    """`dateparser` with explicit languages and settings; imported on first use only."""
    import dateparser  # deliberately lazy: slow to import, and loads language data on first use

    base = dt.datetime.combine(reference, dt.time(12)) if reference else _NO_REFERENCE_BASE
    settings = {
        "TIMEZONE": "Asia/Shanghai",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],  # a lone year or month is not a date
        "RELATIVE_BASE": base,
        "DATE_ORDER": "YMD",
    }
    with warnings.catch_warnings():
        # dateparser and its dependencies (pytz/tzlocal/regex) have emitted DeprecationWarnings
        # from their own internals across versions; they are not ours to fix and must not turn
        # a parse into an error under `-W error`. Only warnings raised from those modules are ignored.
        for module in ("dateparser", "pytz", "tzlocal", "regex", "dateutil"):
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
        parsed = dateparser.parse(text, languages=["zh", "en"], settings=settings)
    if parsed is None:
        return None
    return _make_date(parsed.year, parsed.month, parsed.day)


def parse_date(text: str, reference: dt.date | None = None) -> dt.date | None:
    """One date expression → a date, or None. Relative and yearless forms need `reference`."""
    result = _fast(text, reference)
    if not isinstance(result, _Undecided):
        return result
    cleaned = normalise_date_text(_capped(text))
    if len(cleaned) > 80 or not _WORTH_A_FALLBACK.search(cleaned):
        return None
    return parse_date_fallback(cleaned, reference)

"""Pick one page's published and written dates from the competing dates it offers.

A page carries several dates: the CMS publish time, labelled metadata (成文/发布/实施/废止),
the date beside the link on the list page, the URL, a byline (which on third-party sites is
often a repost time) and the signature date at the end of the text. We take the most
trusted source that gives a plausible date and record which one it was, with the raw string.

Order of trust for ``published`` (reason string in brackets):

0. a news dateline at the start of the body (``新华社北京7月22日电``, ``…日讯``) when it falls
   within 31 days before the date the sources below give: the wire date of the original, which
   a repost's meta, list, URL and byline dates all postdate. It has no year, so without another
   source to anchor it, it is not used  [``dateline``]
1. ``<meta>`` publish tags written by the CMS: PubDate, firstpublishedtime, publishdate, ...  [``meta:<name>``]
2. a labelled field whose label means publishing: 发布日期/发布时间/发文日期/颁布时间/公布日期  [``label:<label>``]
3. a field of the list API  [``api``]
4. the date printed beside the link on the list page  [``list``]
5. a TRS detail URL ``…/tYYYYMMDD_<id>.html`` (usually the publish date)  [``url:tYYYYMMDD``]
6. the visible date line near the title (may be a repost time)  [``byline``]
7. fields with a generic label (日期, 时间) and other meta tags  [``label:<label>`` / ``meta:<name>``]
8. a full date in the URL path: ``/YYYY-MM/DD/``, ``/YYYY/MM/DD/``, ``/YYYY/MMDD/``, ``/YYYY-MM-DD/``,
   ``/YYYYMMDD/`` (can be bogus: a crawl day, or a folder date unrelated to the notice)  [``url:path``]
9. update times (更新时间, lastmodifiedtime)  [``label:<label>`` / ``meta:<name>``]
10. when none of these gives a date: the written date, with the written date's reason.

Order of trust for ``written``: a labelled field 成文日期/印发日期/公文生成日期/签发日期
[``label:<label>``], then such a label inside a byline [``byline``], then the signature date
among the last lines of the body [``signature``]. Effective (实施/施行/生效) and expiry (废止)
dates are never used for either.

A date after the crawl day (Beijing time), before 1949, or 1970-01-01 (the epoch: an empty CMS
field, not a notice from 1970) is rejected and the next source is tried; each rejection is kept
in ``notes``. Yearless and relative raw strings (``07-25``, ``3天前``) resolve against the end of
the month in a ``/YYYYMM/`` path when the URL has one, else against the crawl day; a yearless
signature resolves against the published date.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, Protocol

from pipelines.dates import Role, label_role, labelled_dates, normalise_date_text, parse_date

__all__ = [
    "DateCandidateLike",
    "DocumentDates",
    "body_lines",
    "dateline_date",
    "pick_document_dates",
    "signature_date",
]

EARLIEST: Final = dt.date(1949, 1, 1)
EPOCH_PLACEHOLDER: Final = dt.date(1970, 1, 1)
DATELINE_LINES: Final = 4  # the dateline opens the first paragraph, after at most a title and a byline
DATELINE_MAX_DAYS: Final = 31
BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
SIGNATURE_LINES: Final = 8  # how many last lines of the body may hold the signature date
SIGNATURE_MAX_CHARS: Final = 30  # a signature line is short: "国家发展改革委 2019年7月25日"


class DateCandidateLike(Protocol):
    """What a spider yields for each raw date (see `crawler.items.DateCandidate`)."""

    @property
    def kind(self) -> str: ...  # meta, label, list, api, byline

    @property
    def raw(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class DocumentDates:
    """The chosen dates; each ``*_raw`` is the string it was read from, each ``*_reason`` its source."""

    published: dt.date | None
    written: dt.date | None
    published_raw: str = ""
    written_raw: str = ""
    published_reason: str = ""
    written_reason: str = ""
    notes: tuple[str, ...] = ()  # rejected candidates and doubts, for the analyst


_WRITTEN_LABEL, _WRITTEN_BYLINE, _WRITTEN_SIGNATURE = 1, 2, 3  # trust of the written-date sources


class _Trust(IntEnum):
    META = 1
    LABEL = 2
    API = 3
    LIST = 4
    URL_TRS = 5
    BYLINE = 6
    GENERIC = 7
    URL_PATH = 8
    UPDATED = 9


@dataclass(frozen=True)
class _Option:
    trust: int
    date: dt.date
    raw: str
    reason: str


_PUBLISH_META = re.compile(r"pub|release|issued|firstpublished|created?time|createdate", re.IGNORECASE)
_UPDATE_META = re.compile(r"modif|update|lastpublished", re.IGNORECASE)
_EPOCH = re.compile(r"\d{10}|\d{13}")
_URL_TRS = re.compile(r"/t((?:19|20)\d{6})_\d+")
_URL_PATH_DAY = (
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
)
_URL_PATH_MONTH = re.compile(r"/((?:19|20)\d{2})-?(\d{2})/")
_DATELINE = re.compile(r"[^\d。，,;；]{0,24}?\d{1,2}月\d{1,2}日(?:电|讯)")
# normalise_date_text gives 电 or 讯 only for 电, 讯 and 電, and 日 only for 日 and the forms below (tests check
# all of Unicode); it never joins characters across others. So a line with none of these pairs and none of
# these forms of 日 has no 日电 or 日讯 once normalised: no dateline.
_DATELINE_PAIRS: Final = ("日电", "日讯", "日電")
_DAY_FORMS: Final = "⽇㈰㊐㏠㏡㏢㏣㏤㏥㏦㏧㏨㏩㏪㏫㏬㏭㏮㏯㏰㏱㏲㏳㏴㏵㏶㏷㏸㏹㏺㏻㏼㏽㏾"
_TAG_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _crawl_day(crawl_time: dt.datetime) -> dt.date:
    """The crawl day in Beijing; a naive time is taken as UTC (what `NoticeItem.fetched_at` holds)."""
    aware = crawl_time if crawl_time.tzinfo else crawl_time.replace(tzinfo=dt.UTC)
    return aware.astimezone(BEIJING).date()


def _url_month_end(url: str, crawl_day: dt.date) -> dt.date | None:
    """Last day of the ``/YYYYMM/`` month in the URL (not after the crawl day), for yearless dates."""
    match = _URL_PATH_MONTH.search(url)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    month_end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return min(month_end, crawl_day)


def _url_options(url: str) -> list[_Option]:
    path = url.split("?", 1)[0]
    options = []
    if (match := _URL_TRS.search(path)) and (date := parse_date(match.group(1))):
        options.append(_Option(_Trust.URL_TRS, date, url, "url:tYYYYMMDD"))
    for pattern in _URL_PATH_DAY:
        if (match := pattern.search(path)) is not None:
            try:
                date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
            options.append(_Option(_Trust.URL_PATH, date, url, "url:path"))
            break
    return options


def _epoch_day(raw: str) -> dt.date:
    """API fields such as gkmlpt ``create_time`` hold epoch seconds (or milliseconds)."""
    seconds = int(raw) / (1000 if len(raw) == 13 else 1)
    return dt.datetime.fromtimestamp(seconds, BEIJING).date()


def _first_by_role(raw: str, reference: dt.date) -> dict[Role, dt.date]:
    """The first date of each role in a raw string ("成文日期：… 发布日期：…" holds two)."""
    by_role: dict[Role, dt.date] = {}
    for item in labelled_dates(raw, reference):
        by_role.setdefault(item.role, item.date)
    if not by_role and (date := parse_date(raw, reference)) is not None:
        by_role[Role.UNLABELLED] = date  # a form only the fallback reads
    return by_role


def _meta_trust(name: str) -> _Trust:
    if _UPDATE_META.search(name):  # first: "lastpublishedtime" is an update time
        return _Trust.UPDATED
    return _Trust.META if _PUBLISH_META.search(name) else _Trust.GENERIC


_LABEL_TRUST: Final = {Role.PUBLISHED: _Trust.LABEL, Role.UNLABELLED: _Trust.GENERIC, Role.UPDATED: _Trust.UPDATED}


def _candidate_options(
    candidates: Sequence[DateCandidateLike], reference: dt.date
) -> tuple[list[_Option], list[_Option]]:
    """(published options, written options) from the spider's raw candidates, in page order."""
    published: list[_Option] = []
    written: list[_Option] = []
    for candidate in candidates:
        raw, kind, label = candidate.raw.strip(), candidate.kind, candidate.label
        if not raw:
            continue
        if kind in ("api", "meta") and _EPOCH.fullmatch(raw):
            trust = _Trust.API if kind == "api" else _meta_trust(label)
            published.append(_Option(trust, _epoch_day(raw), raw, f"meta:{label}" if kind == "meta" else kind))
            continue
        by_role = _first_by_role(raw, reference)
        if not by_role:
            continue
        best = by_role[min(by_role)]
        if kind == "meta":
            published.append(_Option(_meta_trust(label), best, raw, f"meta:{label}"))
        elif kind == "label":
            role = label_role(label)
            if role == Role.UNLABELLED:
                role = min(by_role)
            date = by_role.get(role, best)
            if role == Role.WRITTEN:
                written.append(_Option(_WRITTEN_LABEL, date, raw, f"label:{label}"))
            elif role in _LABEL_TRUST:
                published.append(_Option(_LABEL_TRUST[role], date, raw, f"label:{label}"))
        elif kind == "byline":
            if Role.WRITTEN in by_role:
                written.append(_Option(_WRITTEN_BYLINE, by_role[Role.WRITTEN], raw, "byline"))
            shown = by_role.get(Role.PUBLISHED) or by_role.get(Role.UNLABELLED)
            if shown is not None:
                published.append(_Option(_Trust.BYLINE, shown, raw, "byline"))
            elif Role.UPDATED in by_role:
                published.append(_Option(_Trust.UPDATED, by_role[Role.UPDATED], raw, "byline"))
        elif min(by_role) not in (Role.EFFECTIVE, Role.DEADLINE, Role.EXPIRY):
            trust = {"api": _Trust.API, "list": _Trust.LIST}.get(kind, _Trust.GENERIC)
            published.append(_Option(trust, best, raw, kind))
    return published, written


def body_lines(body: str) -> list[str]:
    """Visible text lines of an HTML (or plain text) body."""
    text = html.unescape(_TAG.sub("", _TAG_BREAK.sub("\n", body)))
    return [line.strip() for line in text.splitlines() if line.strip()]


def signature_date(body: str, reference: dt.date | None) -> tuple[dt.date, str] | None:
    """The date of the 落款 (a short line among the last lines of the body), and that line.

    Only dates written with 年 count (a bare ``20130528`` near the end is as likely a phone
    number). The 版记 line below the signature (``国务院办公厅秘书局 2019年7月26日印发``)
    is used only when there is no plain date line, since 成文日期 is the 落款 date.
    """
    return _signature_in(body_lines(body), reference)


def _signature_in(lines: list[str], reference: dt.date | None) -> tuple[dt.date, str] | None:
    printed: tuple[dt.date, str] | None = None
    for line in reversed(lines[-SIGNATURE_LINES:]):
        compact = re.sub(r"\s+", "", line)
        if len(compact) > SIGNATURE_MAX_CHARS:
            continue
        found = [item for item in labelled_dates(compact, reference) if "年" in item.matched or "月" in item.matched]
        if len(found) != 1 or found[0].role > Role.UNLABELLED:
            continue
        if found[0].role == Role.UNLABELLED:
            return found[0].date, line
        printed = printed or (found[0].date, line)
    return printed


def dateline_date(body: str, reference: dt.date) -> tuple[dt.date, str] | None:
    """The yearless wire date opening the first paragraph (新华社北京7月22日电), resolved against `reference`."""
    return _dateline_in(body_lines(body), reference)


def _dateline_in(lines: list[str], reference: dt.date) -> tuple[dt.date, str] | None:
    for line in lines[:DATELINE_LINES]:
        if not any(pair in line for pair in _DATELINE_PAIRS) and not any(form in line for form in _DAY_FORMS):
            continue  # no 日电 or 日讯 even after normalising: skip normalising a whole paragraph
        match = _DATELINE.match(normalise_date_text(line))
        if match is not None:
            date = parse_date(match.group(0), reference)
            return (date, match.group(0)) if date else None
    return None


def _first_acceptable(options: list[_Option], crawl_day: dt.date, notes: list[str], what: str) -> _Option | None:
    for option in sorted(options, key=lambda option: option.trust):  # sort is stable: page order breaks ties
        if option.date > crawl_day:
            notes.append(f"{what}: rejected {option.reason} {option.raw!r}: after the crawl day {crawl_day}")
        elif option.date < EARLIEST:
            notes.append(f"{what}: rejected {option.reason} {option.raw!r}: before {EARLIEST.year}")
        elif option.date == EPOCH_PLACEHOLDER:
            notes.append(f"{what}: rejected {option.reason} {option.raw!r}: the epoch, an empty field")
        else:
            return option
    return None


def pick_document_dates(
    candidates: Sequence[DateCandidateLike],
    *,
    url: str,
    body: str,
    crawl_time: dt.datetime,
) -> DocumentDates:
    """Published and written dates of one page, each with its raw string and the reason it won."""
    crawl_day = _crawl_day(crawl_time)
    reference = _url_month_end(url, crawl_day) or crawl_day
    published_options, written_options = _candidate_options(candidates, reference)
    published_options += _url_options(url)
    notes: list[str] = []
    published = _first_acceptable(published_options, crawl_day, notes, "published")
    lines = body_lines(body)  # read once for the dateline and the signature
    dateline = _dateline_in(lines, published.date) if published else None
    if published is not None and dateline is not None:
        if (published.date - dateline[0]).days <= DATELINE_MAX_DAYS:
            published = (
                _first_acceptable([_Option(0, *dateline, "dateline")], crawl_day, notes, "published") or published
            )
        else:
            notes.append(f"published: dateline {dateline[1]!r} ignored, {published.date} is over a month later")
    written = _first_acceptable(written_options, crawl_day, notes, "written")
    if written is None:
        signature = _signature_in(lines, published.date if published else reference)
        if signature is not None:
            option = _Option(_WRITTEN_SIGNATURE, signature[0], signature[1], "signature")
            written = _first_acceptable([option], crawl_day, notes, "written")
    if published is None and written is not None:
        published = written
        notes.append(f"published: none found, using the written date ({written.reason})")
    if published and written and written.date > published.date:
        notes.append(f"written {written.date} is after published {published.date}")
    return DocumentDates(
        published=published.date if published else None,
        written=written.date if written else None,
        published_raw=published.raw if published else "",
        written_raw=written.raw if written else "",
        published_reason=published.reason if published else "",
        written_reason=written.reason if written else "",
        notes=tuple(notes),
    )

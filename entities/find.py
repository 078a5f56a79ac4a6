"""Entities in notice and attachment text: organisations by their 统一社会信用代码, persons by a masked ID.

Lists come as tables (attachment rows: cells separated by tabs, or by runs of spaces in
PDF text) or as prose ("经查，某某建设有限公司（统一社会信用代码：9132…）存在…"). A
code's name is taken from the same row (the column headed 名称/单位/企业… when there is a
header, else the cell that reads as an organisation's name) or from the same sentence.

Every code-shaped string is reported with `valid` from the check character: the store
keeps the invalid ones as "invalid" mentions, never as entities. Well-formed citizen
identity numbers are skipped: a person is only ever recorded by the masked number a list
published (失信被执行人: 张某某, 3201********1234).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from entities.uscc import CODE_PATTERN, check_code, is_citizen_id, region_name

MAX_CONTEXT = 200

# 3201********1234, 320102********1234, 3201021984****123X: published numbers with the middle starred out.
MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{2,14}\*{4,12}[\dXx]{0,4})(?![0-9A-Za-z*])")
_CELL_SPLIT = re.compile(r"\t| {2,}|\u3000+")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_BREAK = re.compile(r"[，,、：:（(）)\s]|(?:经查|依法|现将|对|将|因)(?=[\u4e00-\u9fff])")
_CODE_LABEL = re.compile(
    r"[（(]?\s*(?:统一社会信用代码|社会信用代码|信用代码|组织机构代码|注册号|代码)\s*[（(]?(?:或身份证号|/身份证号)?[）)]?"
    r"\s*[:：为是]?\s*$"
)
_ID_LABEL = re.compile(r"[（(]?\s*(?:公民)?(?:身份证号码|身份证号|身份证|证件号码|证照号码|证件号)\s*[:：为是]?\s*$")
_PERSON_LABEL = re.compile(r"失信被执行人|被执行人|当事人|自然人|姓名[:：]?")
_NUMBERING = re.compile(r"^(?:\d+[.、．]?|[（(][一二三四五六七八九十\d]+[）)])\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PERSON_NAME = re.compile(r"[\u4e00-\u9fff·]{2,5}")
ORG_SUFFIXES = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "合作社",
    "中心",
    "商行",
    "商店",
    "经营部",
    "门市部",
    "事务所",
    "协会",
    "商会",
    "医院",
    "诊所",
    "药房",
    "学校",
    "幼儿园",
    "研究院",
    "研究所",
    "厂",
    "店",
    "馆",
    "站",
    "社",
    "场",
    "部",
    "院",
    "所",
)
_NAME_HEADERS = ("名称", "单位", "企业", "主体", "当事人", "被执行人", "姓名", "机构", "公司")
_HEADER_WORDS = (*_NAME_HEADERS, "统一社会信用代码", "信用代码", "序号", "代码", "身份证")


@dataclass(frozen=True)
class Mention:
    kind: str  # organisation | person
    code: str  # the 统一社会信用代码, or the masked identity number as published
    name: str
    valid: bool | None  # the check character's verdict; None for a masked identity number (no check possible)
    reason: str
    authority: str
    org_type: str
    region_code: str
    region: str
    context: str  # the row or sentence it was found in


def find_mentions(text: str) -> list[Mention]:
    """Every code and masked identity number in `text`, in order, each with the name beside it."""
    mentions: list[Mention] = []
    header: list[str] = []
    for line in text.splitlines():
        cells = _cells(line)
        codes = list(CODE_PATTERN.finditer(line))
        masked = list(MASKED_ID.finditer(line))
        if not codes and not masked:
            if len(cells) >= 2 and sum(any(word in cell for word in _HEADER_WORDS) for cell in cells) >= 2:
                header = cells
            continue
        for match in codes:
            code = match.group()
            if is_citizen_id(code):
                continue
            name = _name_in_row(cells, code, header, person=False) or _name_in_sentence(line, match, _CODE_LABEL)
            check = check_code(code)
            mentions.append(
                Mention(
                    kind="organisation",
                    code=code,
                    name=name,
                    valid=check.valid,
                    reason=check.reason,
                    authority=check.authority,
                    org_type=check.org_type,
                    region_code=check.region_code,
                    region=check.region,
                    context=_context(line, match.start()),
                )
            )
        for match in masked:
            number = match.group(1).upper()
            if not 14 <= len(number) <= 18:
                continue
            name = _name_in_row(cells, number, header, person=True) or _person_before(line, match)
            region_code = number[:6] if number[:6].isdigit() else (number[:4] + "00" if number[:4].isdigit() else "")
            mentions.append(
                Mention(
                    kind="person",
                    code=number,
                    name=name,
                    valid=None,
                    reason="",
                    authority="",
                    org_type="",
                    region_code=region_code,
                    region=region_name(region_code),
                    context=_context(line, match.start()),
                )
            )
    return mentions


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_SPLIT.split(line.strip())]


def _is_org_name(cell: str) -> bool:
    return len(cell) >= 4 and bool(_CJK.search(cell)) and cell.endswith(ORG_SUFFIXES)


def _name_in_row(cells: list[str], code: str, header: list[str], *, person: bool) -> str:
    """The name cell of a table row holding `code`; "" for a line that is not a row.

    With several name columns (生产企业名称 … 被抽样单位名称) or several codes in a row, the name
    is the nearest name cell to the left of the code's cell, as lists print them.
    """
    at = next((index for index, cell in enumerate(cells) if code in cell), -1)
    if len(cells) < 2 or at < 0:
        return ""
    if len(header) == len(cells):
        columns = [
            index
            for index, title in enumerate(header)
            if index != at and any(word in title for word in _NAME_HEADERS) and _CJK.search(cells[index])
        ]
        if columns:
            return _NUMBERING.sub("", cells[max((i for i in columns if i < at), default=min(columns))])
    nearest_left_first = sorted((i for i in range(len(cells)) if i != at), key=lambda i: (i > at, abs(i - at)))
    for index in nearest_left_first:
        cell = _NUMBERING.sub("", cells[index])
        if (_PERSON_NAME.fullmatch(cell) and not cell.endswith(ORG_SUFFIXES)) if person else _is_org_name(cell):
            return cell
    return ""


def _name_in_sentence(line: str, match: re.Match[str], label: re.Pattern[str]) -> str:
    """The organisation named just before the code in its sentence (or just after, when the code comes first)."""
    start = max((m.end() for m in _SENTENCE_END.finditer(line, 0, match.start())), default=0)
    before = label.sub("", line[start : match.start()]).rstrip()
    pieces = [piece for piece in _CLAUSE_BREAK.split(before) if piece]
    if pieces and _is_org_name(pieces[-1]):
        return pieces[-1]
    end_match = _SENTENCE_END.search(line, match.end())
    after = line[match.end() : end_match.start() if end_match else len(line)]
    for piece in _CLAUSE_BREAK.split(after):
        if piece and _is_org_name(piece):
            return piece
    return ""


def _person_before(line: str, match: re.Match[str]) -> str:
    """The 2-5 character name just before a masked number in prose: 被执行人张某某（身份证号：3201…）."""
    start = max((m.end() for m in _SENTENCE_END.finditer(line, 0, match.start())), default=0)
    before = _ID_LABEL.sub("", line[start : match.start()]).rstrip("，, ")
    before = _PERSON_LABEL.split(before)[-1]
    found = re.search(r"(?<![\u4e00-\u9fff·])([\u4e00-\u9fff·]{2,5})$", before)
    return found.group(1) if found else ""


def _context(line: str, at: int) -> str:
    line = line.strip()
    if len(line) <= MAX_CONTEXT:
        return line
    start = max(0, min(at - MAX_CONTEXT // 2, len(line) - MAX_CONTEXT))
    return line[start : start + MAX_CONTEXT]

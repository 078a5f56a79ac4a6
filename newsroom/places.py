"""Places by name for analysts: labels with the province, the picker's choices, and names back to codes."""

from __future__ import annotations

import re
from functools import cache

from classifiers.gazetteer import NATIONAL, chinese_name, divisions, english_name, level, name_index, parents

CODE = re.compile(r"^\d{6}$")
CODE_IN_BRACKETS = re.compile(r"\((\d{6})\)\s*$")


class PlaceError(ValueError):
    """A place name that matches no division, or several."""


def place_label(code: str) -> str:
    """`深圳市 Shenzhen, Guangdong`: the Chinese name, then the English names of it and its province.

    A county keeps its Chinese name and gets the English names of its prefecture and province.
    """
    names: list[str] = []
    for part in (code, *parents(code)):
        english = english_name(part)
        if english and english not in names:
            names.append(english)
    return " ".join(filter(None, (chinese_name(code) or code, ", ".join(names))))


@cache
def picker_choices() -> tuple[str, ...]:
    """What the place picker offers: the nation, the provinces and the prefectures, each with its code."""
    codes = sorted(code for code in divisions() if level(code) in ("national", "province", "prefecture"))
    return tuple(f"{place_label(code)} ({code})" for code in codes)


@cache
def _english_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code in divisions():
        if level(code) in ("national", "province", "prefecture"):
            index.setdefault(english_name(code).casefold(), []).append(code)
    index.pop("", None)
    return {name: tuple(sorted(codes)) for name, codes in index.items()}


def resolve_place(text: str) -> str:
    """The division code meant by `text`: a code, a picker choice, or a Chinese or English name.

    An ambiguous name (吉林 is a province and a city) raises PlaceError listing the choices.
    """
    text = " ".join(text.split())
    bracketed = CODE_IN_BRACKETS.search(text)
    candidate = bracketed.group(1) if bracketed else text
    if CODE.match(candidate):
        if candidate not in divisions():
            raise PlaceError(f"no place has the code {candidate}")
        return candidate
    codes = name_index().get(text) or _english_index().get(text.casefold()) or ()
    if text == chinese_name(NATIONAL):
        codes = (NATIONAL,)
    if not codes:
        raise PlaceError(f"no place is called {text!r}: pick one from the list")
    if len(codes) > 1:
        choices = "; ".join(f"{place_label(code)} ({code})" for code in codes[:8])
        raise PlaceError(f"{text!r} could be several places: {choices}")
    return codes[0]

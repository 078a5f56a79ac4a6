"""Checks and scores of English drafts: Chinese left in the text, article/number disagreement, and the
scores `scs draft --score` prints against an editor's reference headlines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from newsroom.drafts import CJK, genres

# Nouns a headline or summary may use that take "a"/"an" although they start with a vowel letter
# ("a unified code", "a one-year ban") or "an" although they start with a consonant letter ("an hour").
_A_BEFORE_VOWEL = re.compile(r"^(?:uni|use|usu|one|eu|ur)", re.IGNORECASE)
_AN_BEFORE_CONSONANT = re.compile(r"^(?:hour|honest|honou?r|heir)", re.IGNORECASE)
_STOP = {"of", "on", "for", "to", "with", "and", "or", "in", "by", "from", "that", "which", "the", "its", "their"}
_SINGULAR_VERBS = {"is", "was", "has", "covers", "sets", "requires", "aims", "takes", "applies", "includes", "lists"}
_PLURAL_VERBS = {"are", "were", "have", "cover", "set", "require", "aim", "take", "apply", "include", "list"}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


@cache
def _genre_nouns() -> tuple[frozenset[str], frozenset[str]]:
    """(plural-only genre nouns, singular genre nouns): the last word of each English genre name."""
    plural = {genre.en.split()[-1].lower() for genre in genres() if genre.plural}
    singular = {genre.en.split()[-1].lower() for genre in genres() if not genre.plural}
    return frozenset(plural), frozenset(singular - plural)


def has_chinese(text: str) -> bool:
    return CJK.search(text) is not None


def agreement_problems(text: str) -> list[str]:
    """Article and number disagreements: "a measures", "an plan", "a opinions", "the measures covers",
    "the plan cover". An empty list means none was found."""
    plural_nouns, singular_nouns = _genre_nouns()
    words = _WORD.findall(text)
    lower = [word.lower() for word in words]
    problems = []
    for index, word in enumerate(lower):
        if word in ("a", "an") and index + 1 < len(words):
            following = words[index + 1]
            acronym = following.isupper() and len(following) > 1
            vowel_sound = following[0].lower() in "aeio" or (
                following[0].lower() == "u" and not _A_BEFORE_VOWEL.match(following)
            )
            if following[0].isdigit():  # "an 8-point plan", "an 11-member list", "a 2023-2025 plan"
                vowel_sound = following.startswith("8") or re.match(r"1[18](?:\D|$)", following) is not None
            elif acronym:
                vowel_sound = following[0] in "AEFHILMNORSX"
            elif _AN_BEFORE_CONSONANT.match(following):
                vowel_sound = True
            if word == "a" and vowel_sound:
                problems.append(f"'a {following}'")
            if word == "an" and not vowel_sound:
                problems.append(f"'an {following}'")
        if word in ("a", "an", "this", "one", "each", "every"):
            for ahead in range(index + 1, min(index + 5, len(lower))):
                if lower[ahead] in _STOP:
                    break
                if lower[ahead] in plural_nouns:
                    problems.append(f"'{' '.join(words[index : ahead + 1])}'")
                    break
        if index + 1 < len(lower) and index > 0 and lower[index - 1] == "the":
            verb = lower[index + 1]
            if word in plural_nouns and verb in _SINGULAR_VERBS:
                problems.append(f"'the {words[index]} {words[index + 1]}'")
            if word in singular_nouns and verb in _PLURAL_VERBS:
                problems.append(f"'the {words[index]} {words[index + 1]}'")
        if index + 2 < len(lower) and lower[index + 1] == "also":
            verb = lower[index + 2]
            if (word in plural_nouns and verb in _SINGULAR_VERBS) or (word in singular_nouns and verb in _PLURAL_VERBS):
                problems.append(f"'{words[index]} also {words[index + 2]}'")
    return problems


@dataclass(frozen=True)
class DraftScores:
    notices: int
    event_accuracy: float
    place_accuracy: float
    chinese_share: float
    disagreement_share: float
    chrf: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "notices": self.notices,
            "event_accuracy": round(self.event_accuracy, 4),
            "place_accuracy": round(self.place_accuracy, 4),
            "chinese_share": round(self.chinese_share, 4),
            "disagreement_share": round(self.disagreement_share, 4),
            "chrf": round(self.chrf, 2),
        }


def _place(value: object) -> str:
    """A gold place of None and a draft without a place both mean 'no place'."""
    return "" if value in (None, "None") else str(value)


def score(drafts: Sequence[dict[str, object]], references: dict[str, dict[str, object]]) -> DraftScores:
    """Scores of the drafts whose id has a reference (event and place accuracy, shares of drafts with Chinese
    or disagreement in headline or summary, corpus chrF of the headlines)."""
    import sacrebleu

    pairs = [(draft, references[str(draft["id"])]) for draft in drafts if str(draft["id"]) in references]
    if not pairs:
        raise ValueError("no draft has a reference headline (do the ids match?)")
    total = len(pairs)
    texts = [(str(draft["headline"]), str(draft["summary"])) for draft, _ in pairs]
    chrf = sacrebleu.corpus_chrf([headline for headline, _ in texts], [[str(ref["headline"]) for _, ref in pairs]])
    return DraftScores(
        notices=total,
        event_accuracy=sum(draft["event"] == ref["event"] for draft, ref in pairs) / total,
        place_accuracy=sum(_place(draft["place"]) == _place(ref["place"]) for draft, ref in pairs) / total,
        chinese_share=sum(has_chinese(h) or has_chinese(s) for h, s in texts) / total,
        disagreement_share=sum(bool(agreement_problems(h) or agreement_problems(s)) for h, s in texts) / total,
        chrf=float(chrf.score),
    )

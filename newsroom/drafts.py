"""Machine drafts of the English headline and summary of a notice.

A draft is only a starting point for an analyst, never published unless an analyst approves it. It is
read from the notice itself: what happened (the event, from the title's structure), who acted (the body,
from the publisher, the title or the body), what kind of document it is (its genre, with the grammatical
number English needs) and what it is about (SCS terms and subjects of the document's own title). Every
English word comes from data files beside this module (glossary.tsv, genres.tsv, bodies.tsv,
local_bodies.tsv) or from the gazetteer, so unknown Chinese never reaches the English: where a part is not
known, the draft is a shorter sentence without it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
GLOSSARY_PATH = HERE / "glossary.tsv"
GENRES_PATH = HERE / "genres.tsv"
BODIES_PATH = HERE / "bodies.tsv"
LOCAL_BODIES_PATH = HERE / "local_bodies.tsv"
NATIONAL = "000000"
EVENTS = ("issue", "consult", "interpret", "list", "meeting", "launch", "campaign", "report", "case")

# Han ideographs, CJK punctuation and full-width forms: none of them may appear in an English draft.
CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(handle, delimiter="\t")
            if row and not row[0].startswith("#")
        ]


# ---------------------------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    en: str
    kind: str  # term | subject | scs_type | industry


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    """The glossary, longest Chinese term first so that longer terms win over the shorter ones they contain."""
    entries = [GlossaryEntry(zh, en, kind) for zh, en, kind in _rows(GLOSSARY_PATH)]
    return tuple(sorted(entries, key=lambda entry: (-len(entry.zh), entry.zh)))


@cache
def _glossary_of(kind: str) -> tuple[GlossaryEntry, ...]:
    return tuple(entry for entry in glossary() if entry.kind == kind)


@cache
def _english_of(kind: str) -> dict[str, str]:
    """Chinese (or tag value) -> English for one kind of glossary entry."""
    table: dict[str, str] = {}
    for entry in _glossary_of(kind):
        table.setdefault(entry.zh, entry.en)
    return table


def glossary_matches(text: str, kind: str) -> list[GlossaryEntry]:
    """Glossary entries of `kind` found in `text`, in reading order, without overlaps."""
    taken = [False] * len(text)
    found: list[tuple[int, GlossaryEntry]] = []
    for entry in _glossary_of(kind):
        start = text.find(entry.zh)
        while start != -1:
            end = start + len(entry.zh)
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append((start, entry))
                break
            start = text.find(entry.zh, start + 1)
    return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]


def translate_term(term: str) -> str | None:
    return _english_of("term").get(term)


# ------------------------------------------------------------------------------------------------ genres


@dataclass(frozen=True)
class Genre:
    zh: str
    en: str
    plural: bool
    cover: bool  # a notice or announcement that carries or announces something else


@cache
def genres() -> tuple[Genre, ...]:
    """Document genres, longest Chinese name first."""
    table = [Genre(zh, en, number == "plural", role == "cover") for zh, en, number, role in _rows(GENRES_PATH)]
    return tuple(sorted(table, key=lambda genre: -len(genre.zh)))


def genre_ending(text: str) -> Genre | None:
    """The genre a title ends with (`…管理办法` -> measures), or None."""
    return next((genre for genre in genres() if text.endswith(genre.zh)), None)


# ---------------------------------------------------------------------------------------------- places


def _location_name(code: str) -> str:
    from classifiers.gazetteer import english_name, level

    if level(code) == "county":
        return county_name(code)
    return english_name(code)


_COUNTY_SUFFIXES = (  # longest first
    ("自治县", " County"),
    ("自治旗", " Banner"),
    ("林区", " Forestry District"),
    ("特区", " Special District"),
    ("新区", " New Area"),
    ("县", " County"),
    ("区", " District"),
    ("旗", " Banner"),
    ("市", ""),  # a county-level city goes by its name: Kunshan
)


@cache
def county_name(code: str) -> str:
    """English name of a county-level division: pinyin of its name and its kind (Baiyun District, Kunshan)."""
    from classifiers.gazetteer import _ETHNIC_AUTONOMY, chinese_name

    name = chinese_name(code)
    autonomy = _ETHNIC_AUTONOMY.match(name)
    if autonomy:
        name = autonomy.group(1) + ("旗" if autonomy.group(3) == "旗" else "县")
    for suffix, english in _COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            return f"{pinyin_name(base)}{english}" if base else ""
    return pinyin_name(name) if name else ""


def pinyin_name(chinese: str) -> str:
    """A place name in pinyin as English writes it: one word, capitalised, ' before a, e, o inside (Xi'an)."""
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(chinese)
    if not all(syllable.isascii() and syllable.isalpha() for syllable in syllables):
        return ""
    word = syllables[0] + "".join("'" + s if s[0] in "aeo" else s for s in syllables[1:])
    return word[:1].upper() + word[1:]


def place_name(codes: Iterable[str]) -> str:
    """'Shenzhen, Guangdong' for a city, 'Baiyun District, Guizhou' for a county, 'Guangdong' for a province,
    'China' for national notices, '' without a location.

    Only the most specific level tagged is named (a city tag already implies its province).
    """
    from classifiers.gazetteer import province_of

    codes = sorted(set(codes))
    if not codes:
        return ""
    local = [code for code in codes if code != NATIONAL and not code.endswith("0000")]
    provinces = [code for code in codes if code != NATIONAL and code.endswith("0000")]
    local = [
        code for code in local if not any(other != code and other.startswith(code[:4]) for other in local)
    ] or local
    if local:
        names = []
        for code in local[:2]:
            name = _location_name(code)
            province_name = _location_name(province_of(code))
            if province_name and name and province_name != name:
                name = f"{name}, {province_name}"
            names.append(name or province_name)
        names = [name for name in dict.fromkeys(names) if name]
        if not names:
            return ""
        return " and ".join(names) if len(local) <= 2 else f"{names[0]} and other places"
    if provinces:
        names = [name for name in (_location_name(code) for code in provinces[:2]) if name]
        return " and ".join(names) if len(provinces) <= 2 else f"{names[0]} and other provinces"
    return "China"


def _level_word(code: str) -> str:
    """'Provincial', 'Municipal', 'Prefecture', 'District', 'County' or 'Regional' for a body of that place."""
    from classifiers.gazetteer import chinese_name, level

    name, kind = chinese_name(code), level(code)
    if kind == "province":
        if name.endswith("自治区"):
            return "Regional"
        return "Municipal" if name.endswith("市") else "Provincial"
    if kind == "prefecture":
        return "Prefecture" if name.endswith(("州", "地区", "盟")) else "Municipal"
    if name.endswith("区"):
        return "District"
    return "Municipal" if name.endswith("市") else "County"


# ---------------------------------------------------------------------------------------------- bodies


@dataclass(frozen=True)
class Body:
    """The acting body: its full English name (takes "the") and the name a headline starts with."""

    en: str
    short: str
    national: bool
    place_code: str = ""  # the division a local body belongs to


@cache
def _national_bodies() -> tuple[tuple[str, Body], ...]:
    table = [(zh, Body(en, short, True)) for zh, en, short in _rows(BODIES_PATH)]
    return tuple(sorted(table, key=lambda pair: -len(pair[0])))


@cache
def _local_suffixes() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((zh, en) for zh, en in _rows(LOCAL_BODIES_PATH)), key=lambda pair: -len(pair[0])))


def _place_before(text: str, end: int, codes: list[str]) -> str | None:
    """The division whose name ends at `end` in `text` (longest name first); tagged codes break ties."""
    from classifiers.gazetteer import name_index

    index = name_index()
    for start in range(max(0, end - 12), end - 1):
        candidates = index.get(text[start:end])
        if candidates:
            for code in candidates:
                if code in codes or any(tagged[:2] == code[:2] for tagged in codes if tagged != NATIONAL):
                    return code
            return candidates[0]
    return None


def _local_body(text: str, codes: list[str]) -> tuple[int, Body] | None:
    """The first '<place><suffix>' body in `text` (深圳市交通运输局); a bare 市/省 before the suffix means the
    tagged place of that level (市民政局 in a city's notice)."""
    best: tuple[int, Body] | None = None
    for suffix, template in _local_suffixes():
        position = text.find(suffix)
        while position != -1:
            code = _place_before(text, position, codes)
            if code is None and position > 0 and text[position - 1] in "省市":
                wanted = "province" if text[position - 1] == "省" else "prefecture"
                code = _tagged_of_level(codes, wanted)
            if code is not None:
                place = place_name([code]).split(",")[0] if code != NATIONAL else ""
                if place and (best is None or position < best[0]):
                    english = _without_repeats(template.format(place=place, level=_level_word(code)))
                    best = (position, Body(english, place, False, code))
                break
            position = text.find(suffix, position + 1)
    return best


def _without_repeats(name: str) -> str:
    """'Baiyun District District Government' -> 'Baiyun District Government'."""
    words = name.split()
    return " ".join(word for index, word in enumerate(words) if index == 0 or word != words[index - 1])


def _tagged_of_level(codes: list[str], wanted: str) -> str | None:
    from classifiers.gazetteer import level

    return next((code for code in codes if code != NATIONAL and level(code) == wanted), None)


_ASIDE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def find_body(text: str, codes: list[str]) -> Body | None:
    """The first body named in `text`: a central one from bodies.tsv or a local '<place><suffix>' one."""
    text = _ASIDE.sub("", text)
    found: list[tuple[int, int, Body]] = []
    for zh, body in _national_bodies():
        position = text.find(zh)
        if position != -1:
            found.append((position, -len(zh), body))
    local = _local_body(text, codes)
    if local is not None:
        found.append((local[0], 0, local[1]))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1]))
    return found[0][2]


def read_actor(title: str, publisher: str, body: str, codes: list[str]) -> Body | None:
    """Who acted: the publisher if it is a body, else the body the title names, else one at the top or foot of
    the text (the issuing line or the signature)."""
    first_publisher = re.split(r"[、,，;；]|等", _ASIDE.sub("", _simplified(publisher)))[0]
    for text in (first_publisher, _simplified(title)):
        found = find_body(text, codes) if text else None
        if found is not None:
            return found
    if not codes:  # nothing to check a body named in the text against
        return None
    # The text names many bodies (addressees, cited issuers): one there counts only where it fits the tags.
    national = NATIONAL in codes
    for text in (_simplified(body[:200]), _simplified(body[-200:])):
        found = find_body(text, codes) if text else None
        if found is not None and (found.national == national or (not found.national and found.place_code in codes)):
            return found
    return None


# ----------------------------------------------------------------------------------------------- events


def _simplified(text: str) -> str:
    from classifiers.text import to_simplified

    return to_simplified(text)


_QUOTED = re.compile(r"《([^》]*)》")
_TRAILING_ASIDES = re.compile(r"(?:\s*[（(【\[][^（()）【\]]*[）)】\]])+\s*$")
_ORDER = re.compile(r"令\s*[（(]?第\s*[0-9一二三四五六七八九十百零〇]+\s*号[）)]?")

_INTERPRET = re.compile(r"解读|答记者问|问答|答问|图解|一图读懂")
_CONSULT = re.compile(r"征求|意见稿|草案")
# "plans to" / "may": a proposal, unless what is proposed is a listing (拟纳入…名单的公示 publishes a list)
_PROPOSAL = re.compile(r"拟(?!定|任|录|聘|授|纳入|列入|认定|移出|命名|推荐|表彰|评定)|或将")
_REPLY = re.compile(r"答复|^评|述评|评论")
_COVER_ISSUE = re.compile(r"印发|转发|颁布")
_MEETING = re.compile(r"召开|会议|座谈会|推进会|调度会|部署会|研讨会|培训班|联席会|论坛|举办")
_CAMPAIGN = re.compile(
    r"专项行动|专项治理|专项整治|集中整治|集中行动|宣传月|宣传周|宣传日|主题活动|百日行动|攻坚行动|开展[^，,。]{0,20}活动"
)
_LAUNCH = re.compile(r"上线|启动|启用|试运行|正式运行|投入运行|开通|投入使用|投用|揭牌|推广期|将[^，,。]{0,15}开展")
_CASE = re.compile(r"典型案例|案例|案件|处罚|查处|曝光")
_LIST_NAME = re.compile(r"名单|名录|黑榜|红榜")
_LIST_ACT = re.compile(r"\d+\s*(?:家|户|名|个|人|批)|被纳入|被列入|上了|公布|发布|曝光|移出")
_ISSUE_VERB = re.compile(r"印发|发布|出台|出炉|施行|试行|正式实施|起实施|签署|颁布|公布|制定|修订")
_VERB_GENRE = re.compile(r"(?:印发|发布|出台|签署|试行|制定|公布)(.{0,10})")
_COUNT = re.compile(r"(\d+)\s*(?:家|户)")
_CARRIED = re.compile(r"(?:印发|转发|发布|公布)(.+?)的(?:通知|公告|通告)$")


def clean_title(title: str) -> str:
    """The title in simplified characters without trailing asides such as (节选) or (转载)."""
    title = " ".join(_simplified(title).split())
    return _TRAILING_ASIDES.sub("", title).strip()


def _head(title: str) -> str:
    """What a title ends with once an order number (…令第36号 X办法 / X办法(…令第297号)) is set aside."""
    title = clean_title(title)
    if _ORDER.search(title):
        parts = [part for part in re.split(r"\s+", _ORDER.sub(" ", title)) if part]
        if parts:
            return parts[-1]
    return title


def read_event(title: str) -> str:
    """The event a notice reports, from its title's structure (the issue's closed list of events).

    Cue words are read outside the quoted document name (《…》), which only tells the genre: a notice issuing
    《…名单管理办法》 issues measures, it does not publish a list.
    """
    raw, title = title, clean_title(title)
    outside = _QUOTED.sub("《》", title)
    head = _head(title)
    ending = genre_ending(head)
    if _INTERPRET.search(outside):
        return "interpret"
    if _CONSULT.search(_simplified(raw)):  # also in a trailing aside: …办法（征求意见稿）
        return "consult"
    if _PROPOSAL.search(outside) and not head.endswith(("公示", "名单", "名录")):
        return "consult"
    if _REPLY.search(outside):
        return "report"
    if _COVER_ISSUE.search(outside) or (ending is not None and not ending.cover and ending.zh not in ("名单", "清单")):
        return "issue"
    for event, cue in (("meeting", _MEETING), ("campaign", _CAMPAIGN), ("launch", _LAUNCH), ("case", _CASE)):
        if cue.search(outside):
            return event
    if (_LIST_NAME.search(outside) and _LIST_ACT.search(outside)) or head.endswith(("公示", "名单")):
        return "list"
    if (ending is not None and ending.cover) or _ISSUE_VERB.search(outside):
        return "issue"
    return "report"


def document_title(title: str) -> str:
    """The document's own title: the first 《…》, the document a cover notice issues, or the title itself."""
    title = clean_title(title)
    quoted = _QUOTED.search(title)
    if quoted:
        return quoted.group(1)
    carried = _CARRIED.search(title)
    if carried:
        return carried.group(1)
    about = re.search(r"关于(.+?)的?(?:补充|紧急)?(?:通知|公告|通告|通报)$", title)
    if about:  # 关于将…纳入失信名单管理的通知: what the notice is about, without its issuer
        return about.group(1)
    return _head(title)


def read_genre(title: str) -> Genre | None:
    """The genre of what the notice is about: of the quoted or carried document, else of the notice itself."""
    cleaned = clean_title(title)
    if _QUOTED.search(cleaned) or _CARRIED.search(cleaned):
        document = _TRAILING_ASIDES.sub("", document_title(title))
        for text in (document, re.sub(r"[（(][^）)]*[）)]", "", document)):
            found = genre_ending(text.strip())
            if found is not None:
                return found
        if _QUOTED.search(cleaned):  # a quoted document of unknown genre: not the cover notice's genre
            return None
    found = genre_ending(_head(title))
    if found is not None:
        return found
    verb = _VERB_GENRE.search(_QUOTED.sub("", clean_title(title)))
    if verb:  # 八部门发布行动计划… : the genre right after the issuing verb
        following = verb.group(1)
        ends = [(following.find(genre.zh), genre) for genre in genres() if genre.zh in following and not genre.cover]
        if ends:
            return min(ends, key=lambda pair: (pair[0], -len(pair[1].zh)))[1]
    return None


def _modifier(title: str) -> str:
    """'draft', 'trial' or 'interim' when the title says so (征求意见稿, 草案, 试行, 暂行)."""
    simple = _simplified(title)
    if re.search(r"征求意见稿|草案|意见稿", simple):
        return "draft"
    if "试行" in simple:
        return "trial"
    if "暂行" in simple:
        return "interim"
    return ""


# ------------------------------------------------------------------------------------------------ topic


def _topic(title: str, tags: dict[str, list[str]], terms: list[str]) -> tuple[str, list[str], str]:
    """(topic phrase, mechanisms, sector): what the document is about, all in English from the glossary."""
    document = _simplified(document_title(title))
    whole = clean_title(title)
    mechanisms = [entry.en for entry in glossary_matches(document, "term")]
    mechanisms += [entry.en for entry in glossary_matches(whole, "term")]
    mechanisms += [english for english in (translate_term(term) for term in terms) if english]
    mechanisms += [
        _english_of("scs_type")[slug] for slug in tags.get("scs_types", []) if slug in _english_of("scs_type")
    ]
    mechanisms = _distinct(mechanisms)
    subjects = [entry.en for entry in glossary_matches(document, "subject")]
    subjects += [entry.en for entry in glossary_matches(whole, "subject")]
    industries = [
        _english_of("industry")[slug] for slug in tags.get("industries", []) if slug in _english_of("industry")
    ]
    sector = industries[0] if industries else ""
    subject = subjects[0] if subjects else ""
    main = mechanisms[0] if mechanisms else ""
    if main and subject and subject.lower() not in main.lower():
        topic = f"{main} for {subject}"
    elif main and sector and not subject and sector.lower() not in main.lower():
        topic = f"{main} in {sector}"
    else:
        topic = main or subject or (f"social credit in {sector}" if sector else "")
    return topic, mechanisms, sector


def _distinct(phrases: list[str]) -> list[str]:
    """The phrases in order, without those that repeat an earlier one ('credit system' after 'social credit
    system construction', 'blacklists' after 'the blacklist')."""
    kept: list[str] = []
    for phrase in phrases:
        key = _key(phrase)
        if not any(key in _key(other) or _key(other) in key for other in kept):
            kept.append(phrase)
    return kept


def _key(phrase: str) -> str:
    phrase = phrase.lower().removeprefix("the ")
    return phrase[:-1] if phrase.endswith("s") else phrase


# ---------------------------------------------------------------------------------------------- english


def with_article(phrase: str) -> str:
    """'a plan', 'an implementation plan'."""
    return f"{'an' if phrase[:1].lower() in 'aeio' else 'a'} {phrase}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class Reading:
    """What a notice says happened, read from the notice; the parts a draft is made of."""

    event: str
    place: str  # headline prefix: "Suzhou, Jiangsu", "China"; "" when no location is tagged
    actor: Body | None
    genre: Genre | None
    modifier: str  # draft | trial | interim | ""
    topic: str
    mechanisms: tuple[str, ...]
    sector: str
    count: int | None  # entities named in a list
    launched: str = ""  # what a launch puts in service: platform, pilot …
    typical_cases: bool = True  # a case event publishes typical cases (典型案例) rather than reports penalties


def read_notice(title: str, publisher: str, tags: dict[str, list[str]], terms: list[str], body: str = "") -> Reading:
    codes = list(tags.get("locations", []))
    topic, mechanisms, sector = _topic(title, tags, terms)
    count = _COUNT.search(_QUOTED.sub("", clean_title(title)))
    launched = next((entry.en for entry in glossary_matches(clean_title(title), "launched")), "")
    return Reading(
        event=read_event(title),
        place=place_name(codes),
        actor=read_actor(title, publisher, body, codes),
        genre=read_genre(title),
        modifier=_modifier(title),
        topic=topic,
        mechanisms=tuple(mechanisms),
        sector=sector,
        count=int(count.group(1)) if count else None,
        launched="" if launched in topic else launched,
        typical_cases="案例" in _simplified(title),  # 'credit information platform' names it already
    )


def _subject(reading: Reading) -> tuple[str, bool]:
    """Who a headline starts with, and whether that subject is plural: the place, or for national notices
    the central body ("NDRC issues …")."""
    if reading.place == "China" and reading.actor is not None and reading.actor.national:
        return reading.actor.short, False
    if reading.place:
        return reading.place, " and " in reading.place  # "Jiangsu and Zhejiang issue …"
    if reading.actor is not None:
        return reading.actor.short, False
    return "Local authorities", True


def _verb(singular: str, plural: bool) -> str:
    """'issues' -> 'issue' for a plural subject."""
    if not plural:
        return singular
    if singular.endswith(("ches", "shes", "sses")):
        return singular[:-2]
    return singular[:-1] if singular.endswith("s") else singular


def _genre_phrase(reading: Reading) -> tuple[str, bool]:
    """'draft measures', 'trial implementation plan', 'notice', …, and whether it is plural.

    A notice whose genre is unknown issues "rules"; trial/interim qualify only a known document genre.
    """
    genre = reading.genre
    if genre is None:
        return "rules", True
    name = genre.en
    wanted = ("trial", "interim", "draft") if reading.event == "interpret" else ("trial", "interim")
    if reading.modifier in wanted and not genre.cover and reading.modifier not in name:
        name = f"{reading.modifier} {name}"
    return name, genre.plural


def _headline_topic(topic: str) -> str:
    """Headlines drop articles: 'the blacklist' -> 'blacklist'."""
    return topic[4:] if topic.startswith("the ") else topic


def _listed_name(reading: Reading) -> str:
    """The list a list event publishes ('the blacklist'), from the mechanisms, else 'a list'."""
    return next((m for m in reading.mechanisms if "list" in m.split()[-1] or m.startswith("the list")), "")


def draft_headline(reading: Reading) -> str:
    subject, plural = _subject(reading)
    topic = _headline_topic(reading.topic)
    on = f" on {topic}" if topic else ""
    genre, _ = _genre_phrase(reading)
    event = reading.event
    if event == "issue":
        text = f"{_verb('issues', plural)} {genre}{on}"
    elif event == "consult":
        text = f"{_verb('seeks', plural)} comments on draft {genre}{on}"
    elif event == "interpret":
        text = f"{_verb('explains', plural)} {genre}{on}"
    elif event == "list":
        listed = _headline_topic(_listed_name(reading)) or "list"
        if reading.count is not None:
            entities = "company" if reading.count == 1 else "companies"
            text = f"{_verb('names', plural)} {reading.count} {entities} on {listed}"
        else:
            text = f"{_verb('publishes', plural)} {listed}"
    elif event == "meeting":
        text = f"{_verb('holds', plural)} meeting{on}"
    elif event == "launch" and reading.launched:
        text = f"{_verb('launches', plural)} {reading.launched}{' for ' + topic if topic else ''}"
    elif event == "launch":
        text = f"{_verb('launches', plural)} {topic}" if topic else f"{_verb('launches', plural)} social credit work"
    elif event == "campaign":
        text = f"{_verb('launches', plural)} campaign{on}"
    elif event == "case":
        cases = "typical cases" if reading.typical_cases else "penalties"
        text = f"{_verb('publishes', plural)} {cases}{on}"
    else:
        text = f"{_verb('reports', plural)} on {topic or 'social credit work'}"
    return f"{subject} {text}"


def draft_summary(reading: Reading) -> str:
    actor = f"The {reading.actor.en}" if reading.actor is not None else ""
    if not actor:
        actor = f"Authorities in {reading.place}" if reading.place and reading.place != "China" else "Authorities"
    genre, plural = _genre_phrase(reading)
    topic = reading.topic
    on = f" on {topic}" if topic else ""
    event = reading.event
    covered_by, covered_plural = genre, plural  # what the second sentence says "also covers"
    if event == "issue":
        first = f"{actor} issued {genre if plural else with_article(genre)}{on}."
    elif event == "consult":
        draft = f"draft {genre}"
        first = f"{actor} released {draft if plural else with_article(draft)}{on} for public comment."
        covered_by = draft
    elif event == "interpret":
        first = f"{actor} published an interpretation of the {genre}{on}."
    elif event == "list":
        listed = _listed_name(reading) or "a list"
        if reading.count is not None:
            entities = "company" if reading.count == 1 else "companies"
            first = f"{actor} named {reading.count} {entities} on {listed}."
        else:
            first = f"{actor} published {listed}."
        covered_by, covered_plural = "list", False
    elif event == "meeting":
        first = f"{actor} held a meeting{on}."
        covered_by, covered_plural = "meeting", False
    elif event in ("launch", "campaign"):
        launched = reading.launched if event == "launch" else "campaign"
        what = with_article(launched) if launched else "work"
        preposition = " for " if event == "launch" and launched else " on "
        first = f"{actor} launched {what}{preposition + topic if topic else ''}."
        covered_by, covered_plural = launched or "work", False
    elif event == "case":
        cases = "typical cases" if reading.typical_cases else "penalties"
        first = f"{actor} published {cases}{on}."
        covered_by, covered_plural = cases.split()[-1], True
    else:
        first = f"{actor} reported on {topic or 'social credit work'}."
        covered_by, covered_plural = "report", False
    named = {_key(part) for part in [topic, _listed_name(reading), genre, *topic.split(" for ")] if part}
    others = [m for m in reading.mechanisms if _key(m) not in named and _key(m) not in _key(topic)][:3]
    if not others:
        return first
    covers = "cover" if covered_plural else "covers"
    return f"{first} The {covered_by} also {covers} {_listed(others)}."


def _safe(text: str, fallback: str) -> str:
    """The text, or the fallback where any Chinese slipped into it."""
    return fallback if CJK.search(text) else text


def draft_headline_and_summary(
    title: str, publisher: str, tags: dict[str, list[str]], terms: list[str], body: str = ""
) -> tuple[str, str]:
    """Draft an English headline 'Place: what happened' and a one- or two-sentence summary.

    `tags` maps facet → effective values; `terms` are the SCS terms found in the notice, most important first.
    """
    reading = read_notice(title, publisher, tags, terms, body)
    bare = Reading(reading.event, reading.place, reading.actor, reading.genre, reading.modifier, "", (), "", None)
    headline = _safe(draft_headline(reading), _safe(draft_headline(bare), "Social credit notice"))
    summary = _safe(draft_summary(reading), _safe(draft_summary(bare), "A social credit notice."))
    return headline, summary


def draft_record(record: dict[str, object]) -> dict[str, object]:
    """The draft of one notice in the gold format (title, publisher, text, url): classified as the crawl
    classifies it, then drafted. `place` is None where no location is tagged."""
    from classifiers import Document, classify

    title, publisher, text = (str(record.get(key) or "") for key in ("title", "publisher", "text"))
    classification = classify(
        Document(title=title, text=text, publisher=publisher, url=str(record.get("url") or ""), jurisdiction="")
    )
    tags = {facet: [tag.value for tag in results] for facet, results in classification.tags.items()}
    terms = [hit.term for hit in sorted(classification.terms, key=lambda hit: -hit.count)]
    reading = read_notice(title, publisher, tags, terms, text)
    headline, summary = draft_headline_and_summary(title, publisher, tags, terms, text)
    return {
        "id": record.get("id"),
        "event": reading.event,
        "place": reading.place or None,
        "actor": reading.actor.en if reading.actor is not None else None,
        "headline": headline,
        "summary": summary,
    }

"""A generic list detector: the notice entries and the pager of an HTML list page, found by shape.

No selectors are configured. A list page is a run of links that share one place in the
page (the same tag/class path from the root: `div.list/ul.u-list/li/a`), each pointing to
a detail page on the same site or one of its subdomains, with a title and usually a
date next to it or inside the link. Navigation, sidebars and the 相关解读 links nested
inside items sit on other paths; the detector keeps the path whose links look most like
notices (long titles, dates, detail-looking URLs) and drops short menu-like runs.

Pagination comes from the page's own scripts and links: TRS `createPageHTML(total,
current, "index", "html")`, `var countPage = N` (with `currentPage` and the extension the
pager script writes), `index_N` links, or a 下一页 link.

A TRS jpaas shell (the list is filled in by `unitbuild.js` from a build-unit request) has
no entries in its HTML at all: the detector says so rather than reading its sidebar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError, _Element

from crawler.extract import clean_text

_DATE = re.compile(r"(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?")
_LONE_DATE = re.compile(rf"[\[【(（]?\s*{_DATE.pattern}\s*[\]】)）]?")
_NOT_A_LINK = re.compile(r"^(?:javascript:|#|mailto:|tel:)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
# createPageHTML(total, current, "index", "html") on a line not commented out; some sites first pass an element id.
_CREATE_PAGE_HTML = re.compile(
    r"^(?![ \t]*//).*?createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,"
    r"\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]",
    re.MULTILINE,
)
_COUNT_PAGE = re.compile(r"var\s+(?:countPage|pageCount)\s*=\s*['\"]?(\d+)")
_CURRENT_PAGE = re.compile(r"var\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGER_EXTENSION = re.compile(r"index[\"'\s+_]*(?:\w+[\"'\s+]*)?[\"'\s+]*\.?[\"'\s+]*\.?(shtml|html|htm)\b")
_JPAAS_SHELL = re.compile(r"unitbuild\.js|jpaas-publish-server/front/page/build/unit", re.IGNORECASE)
_MIN_ENTRIES = 3  # fewer links on one path is not a list
_MIN_TITLE = 6  # characters; menu items are shorter


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    date: dt.date | None


@dataclass
class ListPage:
    entries: list[Entry] = field(default_factory=list)
    next_page: str | None = None
    total_pages: int | None = None
    rules: dict[str, str] = field(default_factory=dict)  # "entries" / "pagination" -> the rule that found them
    item_selector: str = ""  # CSS for one entry's block (`ul.u-list > li`), for proposing a source file
    link_selector: str = ""  # CSS for the entry's link inside that block


def site_of(host: str) -> str:
    """The registrable part of a host, for gov.cn-style names: `szs.mof.gov.cn` -> `mof.gov.cn`."""
    labels = host.lower().split(":")[0].split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in {"gov", "com", "org", "edu", "net"} else 2
    return ".".join(labels[-keep:])


def _path_key(element: _Element) -> str:
    """tag.class/…/tag.class from the root: the place an element has in the page's structure."""
    parts = []
    node: _Element | None = element
    while node is not None and isinstance(node.tag, str):
        classes = ".".join(sorted((node.get("class") or "").split()))
        parts.append(f"{node.tag}.{classes}" if classes else str(node.tag))
        node = node.getparent()
    return "/".join(reversed(parts))


def _date_of(text: str) -> dt.date | None:
    from pipelines.dates import parse_date

    match = _DATE.search(text)
    return parse_date(match.group(0), None) if match else None


def _text(element: _Element) -> str:
    return clean_text(" ".join(element.itertext()))


def _title_and_inner_date(anchor: _Element) -> tuple[str, dt.date | None]:
    """The link's title (its `title=` or its text without a date inside it) and that inner date."""
    inner = _text(anchor)
    inner_date = _DATE.search(inner)
    title = clean_text(_TAGS.sub("", anchor.get("title") or ""))
    if not title:
        title = clean_text(inner.replace(inner_date.group(0), "")) if inner_date else inner
    return title, _date_of(inner_date.group(0)) if inner_date else None


def _item_of(anchor: _Element, siblings: set[_Element]) -> _Element:
    """The largest ancestor of the link that holds no other link of its run: the entry's block."""
    item = anchor
    parent = anchor.getparent()
    while parent is not None and isinstance(parent.tag, str):
        if any(other is not anchor and other in siblings for other in parent.iter("a")):
            break
        item = parent
        parent = parent.getparent()
    return item


def _date_beside(item: _Element, anchor: _Element) -> dt.date | None:
    """The first date that stands alone in the entry's block outside the link (`<span>2026/05/11</span>`).

    A date inside running text (a summary's 2025年12月29日 公布) is not the list date.
    """
    parts: list[str] = []

    def walk(node: _Element) -> None:
        if node is anchor or not isinstance(node.tag, str):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(item)
    for part in parts:
        if _LONE_DATE.fullmatch(clean_text(part)):
            return _date_of(part)
    return None


def _entries_of_run(anchors: list[_Element], page_url: str) -> list[Entry]:
    members = set(anchors)
    entries = []
    for anchor in anchors:
        title, date = _title_and_inner_date(anchor)
        if date is None:
            date = _date_beside(_item_of(anchor, members), anchor)
        entries.append(Entry(title=title, url=urljoin(page_url, anchor.get("href", "").strip()), date=date))
    return entries


def _score(entries: list[Entry]) -> float:
    """How much a run looks like a notice list: long titles, dates, detail-looking URLs, many entries."""
    titled = [entry for entry in entries if len(entry.title) >= _MIN_TITLE]
    if len(titled) < _MIN_ENTRIES or len(titled) * 2 < len(entries):
        return 0.0
    mean_title = sum(len(entry.title) for entry in titled) / len(titled)
    dated = sum(entry.date is not None for entry in entries) / len(entries)
    detail = sum(bool(re.search(r"\d{4,}", urlsplit(entry.url).path)) for entry in entries) / len(entries)
    return len(titled) * min(mean_title, 40) * (1 + dated) * (0.5 + detail)


def selectors_of_run(anchors: list[_Element]) -> tuple[str, str]:
    """CSS for the entry blocks of a run (their parent, grandparent and themselves) and for the link inside one."""
    anchor = anchors[0]
    item = _item_of(anchor, set(anchors))
    item_path = _path_key(item).split("/")
    link_path = _path_key(anchor).split("/")[len(item_path) :]
    return " > ".join(item_path[-3:]), " > ".join(link_path or item_path[-1:])


def detect_entries(root: _Element, page_url: str) -> tuple[list[Entry], str]:
    """The best run of links by shape, as entries, and the path that held them."""
    site = site_of(urlsplit(page_url).netloc)
    runs: dict[str, list[_Element]] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or _NOT_A_LINK.match(href):
            continue
        target = urlsplit(urljoin(page_url, href))
        if target.scheme not in ("http", "https") or site_of(target.netloc) != site:
            continue
        if target.path.rstrip("/") == urlsplit(page_url).path.rstrip("/"):
            continue  # a link to the page itself (pager, 首页)
        runs.setdefault(_path_key(anchor), []).append(anchor)
    best: tuple[float, str, list[Entry]] = (0.0, "", [])
    for key, anchors in runs.items():
        entries = _entries_of_run(anchors, page_url)
        score = _score(entries)
        if score > best[0]:
            best = (score, key, entries)
    entries = [entry for entry in best[2] if entry.title]
    return entries, best[1]


def _run_at(root: _Element, path: str) -> list[_Element]:
    """The links at one tag/class path."""
    return [anchor for anchor in root.iter("a") if _path_key(anchor) == path]


def _pager_extension(html: str, page_url: str) -> str:
    found = Counter(match.group(1) for match in _PAGER_EXTENSION.finditer(html))
    if found:
        return found.most_common(1)[0][0]
    name = urlsplit(page_url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if "." in name else "html"


def detect_pagination(html: str, root: _Element, page_url: str) -> tuple[str | None, int | None, str]:
    """(next page URL, page count, rule) from the pager scripts or links."""
    match = _CREATE_PAGE_HTML.search(html)
    if match:
        total, current, stem, extension = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        following = urljoin(page_url, f"{stem}_{current + 1}.{extension}") if current + 1 < total else None
        return following, total, "createPageHTML(total, current, stem, ext)"
    match = _COUNT_PAGE.search(html)
    if match:
        total = int(match.group(1))
        current_match = _CURRENT_PAGE.search(html)
        current = int(current_match.group(1)) if current_match else 0
        extension = _pager_extension(html, page_url)
        following = urljoin(page_url, f"index_{current + 1}.{extension}") if current + 1 < total else None
        return following, total, "var countPage = N (index_N pages)"
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if "下一页" in _text(anchor) and href and not _NOT_A_LINK.match(href):
            return urljoin(page_url, href), None, "下一页 link"
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if re.fullmatch(r"(?:\./)?index_1\.(?:s?html?)", href):
            return urljoin(page_url, href), None, "index_1 link"
    return None, None, ""


def detect_list(html: str, page_url: str) -> ListPage:
    """Entries and pager of one HTML list page, with the rule behind each."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return ListPage(rules={"entries": "not HTML"})
    for junk in root.xpath("//script | //style | //noscript"):
        junk.drop_tree()
    if _JPAAS_SHELL.search(html):
        return ListPage(rules={"entries": "TRS jpaas shell: the list is filled in by unitbuild.js, none in the HTML"})
    entries, path = detect_entries(root, page_url)
    next_page, total_pages, pager_rule = detect_pagination(html, root, page_url)
    rules = {"entries": f"repeated links at {path}" if path else "no repeated run of detail links"}
    if pager_rule:
        rules["pagination"] = pager_rule
    item_selector, link_selector = selectors_of_run(_run_at(root, path)) if path else ("", "")
    return ListPage(entries, next_page, total_pages, rules, item_selector, link_selector)


def drift_reason(configured: list[tuple[str, bool]], detected: ListPage) -> str:
    """Why the configured selectors and the detector disagree on one list page ("" when they agree).

    `configured` is one (title, has a date) pair per entry the source's selectors found. The
    detector has no opinion on a page where it finds no list (a JS shell, a tiny list).
    """
    if not detected.entries:
        return ""
    reasons = []
    if len(configured) != len(detected.entries):
        reasons.append(
            f"the configured selectors found {len(configured)} entries, the detector {len(detected.entries)}"
        )
    untitled = sum(1 for title, _ in configured if not title)
    if untitled:
        reasons.append(f"{untitled} configured entries have no title")
    undated = sum(1 for _, dated in configured if not dated)
    if undated and all(entry.date is not None for entry in detected.entries):
        reasons.append(f"{undated} configured entries have no date, the detector dates every entry")
    return "; ".join(reasons)

"""Generic extraction of a notice detail page: pure functions over HTML text.

Government CMSs (TRS, Hanweb, gov.cn's own templates, NFCMS, ...) differ in
layout but share a vocabulary: the same `<meta>` names, metadata blocks keyed by
the same label texts (索引号, 发文机关, 成文日期 ...) and a handful of body
containers. Matching by label text and by a list of known containers keeps one
extractor working across families; a family can still refine the result.

Parsing uses `html.parser`: gov.cn pages are sometimes malformed (content after
`</body>`), which lxml drops and html.parser keeps. Building that tree costs most of
the extraction, so well-formed pages, where lxml builds the very same tree, take a
fast path on lxml (the `_x_` functions) that mirrors the BeautifulSoup one exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from crawler.items import Attachment

# <meta name=...> values worth keeping, by their canonical spelling (matched case-insensitively).
META_NAMES = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnType",
    "ColumnDescription",
    "ColumnKeywords",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Url",
    "firstpublishedtime",
    "lastmodifiedtime",
    "manuscriptId",
)
DATE_META_NAMES = ("PubDate", "firstpublishedtime")

PUBLISHER_LABELS = ("发文机关", "发文机构", "发布机构", "发布单位", "发文单位")
DOC_NUMBER_LABELS = ("发文字号", "文号", "发布文号", "备注/文号")
DATE_LABELS = (
    "成文日期",
    "公文生成日期",
    "印发日期",
    "发布日期",
    "发布时间",
    "发文日期",
    "颁布时间",
    "实施日期",
    "生效日期",
    "废止日期",
)
OTHER_LABELS = (
    "索引号",
    "主题分类",
    "所属主题",
    "分类",
    "主题词",
    "联合发文单位",
    "有效性",
    "公文时效",
    "有效性状态",
    "公文种类",
    "标题",
    "名称",
    "文件名称",
    "来源",
)
KNOWN_LABELS = frozenset(PUBLISHER_LABELS + DOC_NUMBER_LABELS + DATE_LABELS + OTHER_LABELS)

# Body containers, most specific first; the first one holding text wins.
BODY_SELECTORS = (
    "#UCAP-CONTENT",
    ".TRS_Editor",
    ".TRS_UEDITOR",
    "#zoom",
    ".article_con",
    ".news_cont_d_wrap",
    ".pages_content",
    ".bt-content",
    "#ivs_content",
    ".article-content",
    "#zoomcon",
    "div.zw",
)
# Flag of a notice whose body came from `fallback_main_text` (no known body container on the page).
FALLBACK_FLAG = "fallback-extractor"
# Parts of a body container that are page furniture, not the notice.
BODY_NOISE_SELECTORS = ("#pagination", ".jiedu-blk", ".editor", ".share", ".bdsharebuttonbox")
TITLE_SELECTORS = ("h1#ti", "div.sp_title", "#ivs_title", "div.tit h1", ".article_title", ".article-title", "h1")
BYLINE_SELECTORS = (".pages-date", ".sp_time", ".article_time", ".time", "#ivs_date", ".zw-info", ".info")
ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "et")

# Every kind of space: what `\s` (and str.split(), the same set) matches, which includes the full-width
# space, nbsp and the typographic spaces, plus the zero-width ones, which are not whitespace to Python.
_SPACES = re.compile(r"[\s\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]+")
_ZERO_WIDTH_SPACES = ("\u200b", "\ufeff")
_LABEL_JUNK = re.compile(r"[\s\u3000\u00a0:：]+")
_DATE_IN_TEXT = re.compile(
    r"(?:19|20)\d{2}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_TIMED_LINE = re.compile(r"(?:^|[\s【\[（(|])(?:信息时间|发布时间|时间)\s*[：:]\s*(" + _DATE_IN_TEXT.pattern + ")")
_DOC_NUMBER = re.compile(
    r"^(?:[\u4e00-\u9fa5]{1,16}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*第?\s*\d+\s*号"
    r"|[\u4e00-\u9fa5]{2,20}令\s*第?\s*\d+\s*号)$"
)
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|——| - | – )\s*")
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}
    | {"blockquote", "dd", "dt", "center", "pre"}
)
_NOT_CONTENT_TAGS = frozenset({"script", "style", "noscript", "template"})
_CELL_TAGS = frozenset({"td", "th"})
_INLINE_LABEL_TAGS = frozenset({"label", "b", "strong", "em", "span", "dt", "font"})
_LINE_TAGS = frozenset({"li", "p", "div", "span"})
_TIMED_LINE_TAGS = frozenset({"div", "p", "span", "td", "li"})
_LINK_TAGS = frozenset({"a"})


class SimpleSelector:
    """`tag`, `#id`, `.class`, `tag#id` or `tag.class`, matched as soupsieve does, without its overhead.

    soupsieve evaluates every selector of a list on every element of the page in
    Python; these are the only shapes the body and byline lists use, and checking
    them directly costs a dict look-up per element.
    """

    _SHAPE = re.compile(r"([a-z][a-z0-9]*)?(?:#([\w-]+)|\.([\w-]+))?")

    def __init__(self, selector: str) -> None:
        shape = self._SHAPE.fullmatch(selector)
        if shape is None or not selector:
            raise ValueError(f"not a simple selector: {selector!r}")
        self.tag, self.id, self.class_ = shape.groups()

    def match(self, element: Tag) -> bool:
        if self.tag is not None and element.name != self.tag:
            return False
        if self.id is not None and element.get("id", "") != self.id:
            return False
        if self.class_ is not None:
            classes = element.get("class", [])
            return self.class_ in (classes.split() if isinstance(classes, str) else classes)
        return True


class SelectorGroup:
    """Simple selectors tried in priority order, at the cost of one tree walk instead of one per selector.

    `select` finds every element matching any of them in one pass; `in_order` then
    gives (selector order, then document order) exactly what a `select` per selector
    would, matching only the few elements found against each selector.
    """

    def __init__(self, selectors: tuple[str, ...]) -> None:
        self.each = [SimpleSelector(selector) for selector in selectors]
        # When every selector names an id or a class, an element with neither attribute is skipped unchecked.
        self.needs_id_or_class = all(selector.id or selector.class_ for selector in self.each)

    def select(self, scope: Tag) -> list[Tag]:
        """Every element under `scope` (itself excluded, like `Tag.select`) matching any selector."""
        return [
            node
            for node in _tags(scope)
            if (not self.needs_id_or_class or "id" in node.attrs or "class" in node.attrs)
            and any(selector.match(node) for selector in self.each)
        ]

    def in_order(self, found: list[Tag]) -> list[Tag]:
        return [element for selector in self.each for element in found if selector.match(element)]


_BODY_GROUP = SelectorGroup(BODY_SELECTORS)
_BODY_NOISE = SelectorGroup(BODY_NOISE_SELECTORS)
_BYLINE_GROUP = SelectorGroup(BYLINE_SELECTORS)
# Text that can hold a known label / a `时间：` line lies within one string of the page: get_text(" ")
# puts a space between strings, which neither a label nor `时间` can contain.
_HAS_KNOWN_LABEL = re.compile("|".join(re.escape(label) for label in sorted(KNOWN_LABELS)))
_HAS_TIME_LABEL = re.compile("时间")


@dataclass
class DetailPage:
    """What the generic extractor found on one detail page (raw strings; pipelines normalise)."""

    title: str = ""
    body: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # label (spaces/colons removed) -> value
    attachments: list[Attachment] = field(default_factory=list)
    byline_dates: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. FALLBACK_FLAG

    @property
    def publisher(self) -> str:
        return first_field(self.fields, PUBLISHER_LABELS)

    @property
    def doc_number(self) -> str:
        return first_field(self.fields, DOC_NUMBER_LABELS) or find_doc_number(self.body)

    @property
    def labelled_dates(self) -> list[tuple[str, str]]:
        return [(label, self.fields[label]) for label in DATE_LABELS if self.fields.get(label)]


def clean_text(text: str) -> str:
    """Collapse every kind of space (full-width, nbsp, zero-width) to one ASCII space and strip.

    `_SPACES.sub(" ", text).strip()`, computed as split() and join, which cost a fraction of the regex.
    """
    for space in _ZERO_WIDTH_SPACES:
        if space in text:
            text = text.replace(space, " ")
    return " ".join(text.split())


def normalise_label(text: str) -> str:
    """`标　　题：` -> `标题`: labels are padded with full-width spaces and end with a colon."""
    return _LABEL_JUNK.sub("", text)


def first_field(fields: dict[str, str], labels: tuple[str, ...]) -> str:
    return next((fields[label] for label in labels if fields.get(label)), "")


def _tags(scope: Tag, names: frozenset[str] | None = None) -> list[Tag]:
    """Elements under `scope` in document order (only those named in `names` if given).

    Same result as `scope.find_all(list_of_names)`, several times faster: bs4's
    generic filter machinery costs more than the walk itself.
    """
    return [node for node in scope.descendants if isinstance(node, Tag) and (names is None or node.name in names)]


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def extract_detail(html: str, url: str) -> DetailPage:
    """Run every generic extractor over one page."""
    tree = _fast_tree(html)
    fast = _fast_extract(tree, url) if tree is not None else None
    if fast is not None:
        return fast
    soup = parse_html(html)
    for element in _tags(soup, _NOT_CONTENT_TAGS):
        element.decompose()
    for comment in [node for node in soup.descendants if isinstance(node, Comment)]:
        comment.extract()
    body_container = find_body_container(soup)
    meta = extract_meta(soup)
    fields = extract_labelled_fields(soup, exclude=body_container)
    body, flags = container_text(body_container) if body_container is not None else "", []
    if body_container is None and not _BODY_GROUP.select(soup):
        body = fallback_main_text(html)  # an unknown template: no known container, not an empty one
        flags = [FALLBACK_FLAG] if body else []
    return DetailPage(
        title=extract_title(soup, meta, fields),
        body=body,
        meta=meta,
        fields=fields,
        attachments=extract_attachments(soup, url),
        byline_dates=extract_byline_dates(soup, exclude=body_container),
        flags=flags,
    )


def fallback_main_text(html: str) -> str:
    """Main text by trafilatura, for pages whose template has none of the known body containers.

    A maintained boilerplate remover beats guessing one more selector; the notice is
    flagged (FALLBACK_FLAG) so an analyst knows its body boundaries were inferred.
    """
    import trafilatura  # slow to import; most pages never need it

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True) or ""
    return "\n\n".join(line for line in (clean_text(line) for line in text.split("\n")) if line)


def extract_meta(soup: BeautifulSoup) -> dict[str, str]:
    """The interesting `<meta name=... content=...>` values, keyed by canonical name."""
    wanted = {name.lower(): name for name in META_NAMES}
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = wanted.get(str(tag.get("name", "")).strip().lower())
        content = clean_text(str(tag.get("content", "")))
        if name and content and name not in found:
            found[name] = content
    return found


def extract_labelled_fields(soup: BeautifulSoup, exclude: Tag | None = None) -> dict[str, str]:
    """Metadata keyed by label text, wherever the label sits.

    Three shapes cover the sites we know: a table cell holding only the label with
    the value in the next cell (xxgk_table, policyLibraryOverview_header, table.bd1);
    an inline label element (`<label>`, `<b>`, `<em>`, `<span>`, `<dt>`) followed by its
    value; and short text lines `标签：值　标签：值` (bylines such as `div.sp_time`).
    The first value found for a label wins. The body container is skipped so body
    text like "来源：" never turns into metadata.
    """
    fields: dict[str, str] = {}

    def keep(label: str, value: str) -> None:
        value = clean_text(value)
        if value and label not in fields:
            fields[label] = value

    # By identity: bs4 tags compare equal when they merely look alike.
    excluded = {id(node) for node in exclude.descendants} if exclude is not None else set()
    for cell in _tags(soup, _CELL_TAGS):
        if id(cell) in excluded:
            continue
        label = normalise_label(cell.get_text())
        if label in KNOWN_LABELS:
            value_cell = cell.find_next_sibling(["td", "th"])
            if value_cell is not None:
                keep(label, value_cell.get_text(" "))
    for element in _tags(soup, _INLINE_LABEL_TAGS):
        if id(element) in excluded:
            continue
        label = normalise_label(element.get_text())
        if label not in KNOWN_LABELS or element.parent is None:
            continue
        sibling = element.find_next_sibling()
        if element.name == "dt" and sibling is not None:
            keep(label, sibling.get_text(" "))
            continue
        parent_text = clean_text(element.parent.get_text(" "))
        own_text = clean_text(element.get_text(" "))
        if parent_text.startswith(own_text) and len(parent_text) > len(own_text):
            # The value is the rest of the parent, up to the next known label.
            keep(label, _split_labelled_line(parent_text).get(label, ""))
        elif sibling is not None:
            keep(label, sibling.get_text(" "))
    holding_label = _ancestors_of_strings(soup, _HAS_KNOWN_LABEL)
    for line_element in _tags(soup, _LINE_TAGS):
        if id(line_element) not in holding_label:
            continue  # no known label in its text: nothing to split (skips the costly checks below)
        if id(line_element) in excluded or _tags(line_element, _BLOCK_TAGS):
            continue
        text = clean_text(line_element.get_text(" "))
        if len(text) <= 160:
            for label, value in _split_labelled_line(text).items():
                keep(label, value)
    return fields


def _ancestors_of_strings(soup: BeautifulSoup, pattern: re.Pattern[str]) -> set[int]:
    """ids of every element with a string matching `pattern` among its descendants."""
    return {
        id(parent)
        for node in soup.descendants
        if isinstance(node, NavigableString) and pattern.search(node)
        for parent in node.parents
    }


_LABEL_IN_LINE = re.compile(
    "(" + "|".join(sorted((re.escape(label) for label in KNOWN_LABELS), key=len, reverse=True)) + r")\s*[：:]"
)


_ANY_LABEL = re.compile(r"(?:^|\s)[\u4e00-\u9fa5]{2,6}\s*[：:]")


def _split_labelled_line(text: str) -> dict[str, str]:
    """`来源：江苏省政府办公厅 发布日期：2025-07-03` -> {"来源": ..., "发布日期": ...}."""
    matches = list(_LABEL_IN_LINE.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(matches):
        if match.start() > 0 and text[match.start() - 1] not in " |｜/　":
            continue  # part of a longer word, e.g. 新闻来源： is not 来源：
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        unknown_label = _ANY_LABEL.search(value)  # e.g. 浏览次数： after the date in a byline
        if unknown_label:
            value = value[: unknown_label.start()]
        value = value.strip(" |｜")
        if value:
            values.setdefault(match.group(1), value)
    return values


def find_body_container(soup: BeautifulSoup) -> Tag | None:
    """The first known body container that holds text (noise like share bars removed)."""
    for container in _BODY_GROUP.in_order(_BODY_GROUP.select(soup)):
        if container.decomposed:
            continue  # inside the noise of a container tried before: no longer in the page
        for noise in _BODY_NOISE.select(container):
            noise.decompose()
        if clean_text(container.get_text()):
            return container
    return None


def container_text(container: Tag) -> str:
    """Text with paragraphs kept: one paragraph per block element or <br>, joined by a blank line."""
    pieces: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                pieces.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    pieces.append("\n")
                elif child.name in _BLOCK_TAGS:
                    pieces.append("\n")
                    walk(child)
                    pieces.append("\n")
                elif child.name in ("td", "th"):
                    walk(child)
                    pieces.append(" ")
                else:
                    walk(child)

    walk(container)
    paragraphs = (clean_text(line) for line in "".join(pieces).split("\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def extract_title(soup: BeautifulSoup, meta: dict[str, str], fields: dict[str, str]) -> str:
    """meta ArticleTitle, else a known title element, else the 标题 field, else <title> minus the site name."""
    if meta.get("ArticleTitle"):
        return meta["ArticleTitle"]
    found = soup.select(", ".join(TITLE_SELECTORS))  # one soupsieve pass; then the first of each, in order
    for selector in TITLE_SELECTORS:
        element = next((element for element in found if element.css.match(selector)), None)
        if element is not None and clean_text(element.get_text()):
            return clean_text(element.get_text(" "))
    for label in ("标题", "文件名称", "名称"):
        if fields.get(label):
            return fields[label]
    if soup.title is not None:
        return heading_repeating_title(soup, soup.title.get_text()) or clean_title(soup.title.get_text())
    return ""


def heading_repeating_title(soup: BeautifulSoup, title: str) -> str:
    """The longest visible text that starts the <title>: the page's own heading, whatever its markup.

    Unknown templates put the heading in any element (`div.ewb-article-tt`, `div.news-title`)
    and join the site name to <title> with any separator (a bare `-` included); a heading
    that the <title> begins with needs neither known.
    """
    title = clean_text(title)
    best = ""
    for node in soup.body.find_all(string=True) if soup.body is not None else []:
        text = clean_text(str(node))
        if len(text) > max(len(best), 5) and title.startswith(text):
            best = text
    return best


def clean_title(text: str) -> str:
    """`关于…的通知_国家发展和改革委员会` -> `关于…的通知`: the site name follows a separator."""
    text = clean_text(text)
    parts = [part for part in _TITLE_SEPARATORS.split(text) if part]
    return parts[0] if parts else ""


def extract_attachments(soup: BeautifulSoup, page_url: str) -> list[Attachment]:
    """Links to documents (pdf, doc, xls, wps, ofd, archives ...), absolute, each once, in page order."""
    base = soup.find("base", href=True)
    base_url = urljoin(page_url, str(base["href"])) if base is not None else page_url
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for link in (link for link in _tags(soup, _LINK_TAGS) if "href" in link.attrs):
        href = str(link["href"]).strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href)
        file_type = attachment_type(url)
        if not file_type or url in seen:
            continue
        seen.add(url)
        name = clean_text(link.get_text(" ")) or clean_text(str(link.get("title", "")))
        attachments.append(Attachment(url=url, name=name or _file_name(url), type=file_type))
    return attachments


def attachment_type(url: str) -> str:
    """The document type of a link (`pdf`, `docx` ...), from its path or a `fileName=` query; "" if none."""
    parts = urlsplit(url)
    candidates = [parts.path, *re.findall(r"(?:file_?name|filename)=([^&]+)", parts.query, re.IGNORECASE)]
    for candidate in candidates:
        match = re.search(r"\.([A-Za-z0-9]{2,4})$", unquote(candidate))
        if match and match.group(1).lower() in ATTACHMENT_TYPES:
            return match.group(1).lower()
    return ""


def _file_name(url: str) -> str:
    """`…/downfile.jsp?filename=25.xlsx` -> `25.xlsx`; `…/P0202507.pdf` -> `P0202507.pdf`."""
    parts = urlsplit(url)
    in_query = re.search(r"(?:file_?name|filename)=([^&]+)", parts.query, re.IGNORECASE)
    return unquote(in_query.group(1) if in_query else parts.path.rsplit("/", 1)[-1])


def extract_byline_dates(soup: BeautifulSoup, exclude: Tag | None = None) -> list[str]:
    """Dates printed in a byline under the title (`2025-07-18 10:30 来源：…`).

    Known byline containers first; then, for unknown templates, any short line whose
    date is labelled as the item's time (`【信息时间：…】` on epoint, `时间:` on DedeCMS),
    outside the body container (a 会议 `时间：` line in the text is not the page's date).
    """
    dates: list[str] = []
    for element in _BYLINE_GROUP.in_order(_BYLINE_GROUP.select(soup)):
        for match in _DATE_IN_TEXT.finditer(clean_text(element.get_text(" "))):
            date = match.group(0).strip()
            if date not in dates:
                dates.append(date)
    excluded = {id(node) for node in exclude.descendants} if exclude is not None else set()
    holding_time = _ancestors_of_strings(soup, _HAS_TIME_LABEL)
    for element in _tags(soup, _TIMED_LINE_TAGS):
        if id(element) not in holding_time:
            continue  # no `时间` in its text, so no `时间：` line
        text = clean_text(element.get_text(" "))
        if len(text) <= 120 and id(element) not in excluded and element is not exclude:
            for match in _TIMED_LINE.finditer(text):
                if match.group(1).strip() not in dates:
                    dates.append(match.group(1).strip())
    return dates


def find_doc_number(body: str, max_paragraphs: int = 6) -> str:
    """A 文号 standing alone in one of the first paragraphs (TRS pages put it above the addressee)."""
    for paragraph in body.split("\n\n")[:max_paragraphs]:
        candidate = clean_text(paragraph)
        if _DOC_NUMBER.match(candidate):
            return candidate
    return ""


# ---- lxml fast path -------------------------------------------------------------------------------------------
# Same results as the BeautifulSoup functions above on well-formed pages, at a fraction of the cost: libxml2 builds
# the tree in C. Pages where the two parsers could build different trees go to the html.parser path.

_AFTER_BODY = re.compile(r"</body\s*>(.*)\Z", re.IGNORECASE | re.DOTALL)
_ONLY_CLOSING_HTML = re.compile(r"\s*(?:</html\s*>\s*)?\Z", re.IGNORECASE)
_RISKY_MARKUP = re.compile(r"<\?|<!\[CDATA\[", re.IGNORECASE)
_HTML_PARSER = lxml.etree.HTMLParser()
# A comment, a script/style with its raw text, or a start or end tag (attribute values may hold `>`).
_TAG = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</(?P=raw)\s*>"
    r"|<(?P<closing>/)?(?P<name>[a-zA-Z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<self_closing>/)?>",
    re.DOTALL | re.IGNORECASE,
)
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_WITH_ID_OR_CLASS = lxml.etree.XPath("descendant::*[@id or @class]")


def _fast_tree(html: str) -> lxml.etree._Element | None:
    """The lxml tree of a page both parsers read alike, else None."""
    if "<body" not in html.lower() or _RISKY_MARKUP.search(html):
        return None
    after_body = _AFTER_BODY.search(html)
    if after_body is None or not _ONLY_CLOSING_HTML.match(after_body.group(1)):
        return None  # content after </body>: html.parser keeps it where lxml moves or drops it
    try:
        root = lxml.etree.fromstring(html, _HTML_PARSER)
    except (ValueError, lxml.etree.XMLSyntaxError):
        return None
    return root if root is not None and _same_shape(html, root) else None


def _same_shape(html: str, root: lxml.etree._Element) -> bool:
    """Whether lxml built the tree the markup spells out: every end tag closes the innermost open element.

    On such markup html.parser builds exactly that tree too; lxml also repairs markup that is
    well-formed but invalid (a `<div>` inside a `<p>` closes the `<p>`), so its tree is compared
    element by element: same names, same parents.
    """
    spelt: list[tuple[str, int]] = []
    open_elements: list[int] = []
    for raw, closing, name, self_closing in _TAG.findall(html):  # groups that did not take part are ""
        if raw:
            spelt.append((raw.lower(), open_elements[-1] if open_elements else -1))
            continue
        if not name:
            continue  # a comment
        name = name.lower()
        if closing:
            if not open_elements or spelt[open_elements[-1]][0] != name:
                return False
            open_elements.pop()
            continue
        spelt.append((name, open_elements[-1] if open_elements else -1))
        if self_closing and name not in _VOID_TAGS:
            return False  # `<div/>`: empty for html.parser, left open by lxml
        if name not in _VOID_TAGS:
            open_elements.append(len(spelt) - 1)
    if open_elements:
        return False
    elements = list(root.iter(lxml.etree.Element))
    position = {element: index for index, element in enumerate(elements)}
    built = [
        (element.tag, position[parent] if (parent := element.getparent()) is not None else -1) for element in elements
    ]
    return built == spelt


class _GluedStrings(Exception):
    """Removing an element would join the strings around it, which html.parser's tree keeps apart."""


def _in_tree(node: lxml.etree._Element, root: lxml.etree._Element) -> bool:
    return any(ancestor is root for ancestor in node.iterancestors())


def _drop(node: lxml.etree._Element) -> None:
    """Remove `node` (not its tail), as `decompose` does; raises _GluedStrings where that would differ.

    lxml keeps the text after an element as its tail, so the tail joins the text before it; bs4 keeps
    them as two strings, which `get_text(" ")` separates by a space.
    """
    parent = node.getparent()
    if parent is None:
        return  # already removed with an enclosing element
    previous = node.getprevious()
    if node.tail:
        before = (previous.tail if previous is not None else parent.text) or ""
        if before.strip() and node.tail.strip():
            raise _GluedStrings
        if previous is not None:
            previous.tail = before + node.tail
        else:
            parent.text = before + node.tail
    parent.remove(node)


def _x_text(element: lxml.etree._Element, separator: str = "") -> str:
    return separator.join(element.itertext())


def _x_matches(selector: SimpleSelector, element: lxml.etree._Element) -> bool:
    if selector.tag is not None and element.tag != selector.tag:
        return False
    if selector.id is not None and element.get("id", "") != selector.id:
        return False
    if selector.class_ is not None:
        return selector.class_ in element.get("class", "").split()
    return True


def _x_select(group: SelectorGroup, scope: lxml.etree._Element) -> list[lxml.etree._Element]:
    """`SelectorGroup.select`; libxml2 finds the elements with an id or class."""
    if not group.needs_id_or_class:
        candidates = scope.iterdescendants(lxml.etree.Element)
        return [node for node in candidates if any(_x_matches(selector, node) for selector in group.each)]
    by_id, by_class = _SELECTOR_INDEX[group]
    found = []
    for node in _WITH_ID_OR_CLASS(scope):
        tags = by_id.get(node.get("id", ""))
        if tags is not None and (None in tags or node.tag in tags):
            found.append(node)
            continue
        for class_ in node.get("class", "").split():
            tags = by_class.get(class_)
            if tags is not None and (None in tags or node.tag in tags):
                found.append(node)
                break
    return found


def _selector_index(group: SelectorGroup) -> tuple[dict[str, set[str | None]], dict[str, set[str | None]]]:
    """The group's selectors by id and by class, each with the tags it asks for (None: any), so matching an element
    against all of them (what `_x_matches` does one by one) costs a look-up per id or class of the element."""
    by_id: dict[str, set[str | None]] = {}
    by_class: dict[str, set[str | None]] = {}
    for selector in group.each:
        if selector.id is not None:
            by_id.setdefault(selector.id, set()).add(selector.tag)
        elif selector.class_ is not None:
            by_class.setdefault(selector.class_, set()).add(selector.tag)
    return by_id, by_class


_SELECTOR_INDEX = {group: _selector_index(group) for group in (_BODY_GROUP, _BODY_NOISE, _BYLINE_GROUP)}


def _x_in_order(group: SelectorGroup, found: list[lxml.etree._Element]) -> list[lxml.etree._Element]:
    return [element for selector in group.each for element in found if _x_matches(selector, element)]


def _x_tags(scope: lxml.etree._Element, names: frozenset[str]) -> list[lxml.etree._Element]:
    return list(scope.iterdescendants(*names))


def _fast_extract(root: lxml.etree._Element, url: str) -> DetailPage | None:
    """`extract_detail` on the lxml tree; None where only the html.parser path can decide."""
    try:
        for node in list(root.iter(lxml.etree.Comment, *_NOT_CONTENT_TAGS)):
            _drop(node)
        container = _x_find_body_container(root)
    except _GluedStrings:
        return None
    if container is None:
        return None  # no container: the html.parser path decides between an empty body and the fallback
    meta = _x_meta(root)
    # Nothing below changes the tree: the strings holding a label or `时间` are found in one pass.
    holding_label, holding_time = _x_ancestors_of_strings(root, (_HAS_KNOWN_LABEL, _HAS_TIME_LABEL))
    fields = _x_labelled_fields(root, container, holding_label)
    return DetailPage(
        title=_x_title(root, meta, fields),
        body=_x_container_text(container),
        meta=meta,
        fields=fields,
        attachments=_x_attachments(root, url),
        byline_dates=_x_byline_dates(root, container, holding_time),
        flags=[],
    )


def _x_find_body_container(root: lxml.etree._Element) -> lxml.etree._Element | None:
    for container in _x_in_order(_BODY_GROUP, _x_select(_BODY_GROUP, root)):
        if not _in_tree(container, root):
            continue  # inside the noise of a container tried before: no longer in the page
        for noise in _x_select(_BODY_NOISE, container):
            if _in_tree(noise, root):
                _drop(noise)
        if clean_text(_x_text(container)):
            return container
    return None


def _x_meta(root: lxml.etree._Element) -> dict[str, str]:
    wanted = {name.lower(): name for name in META_NAMES}
    found: dict[str, str] = {}
    for tag in _x_tags(root, frozenset({"meta"})):
        name = wanted.get(tag.get("name", "").strip().lower())
        content = clean_text(tag.get("content", ""))
        if name and content and name not in found:
            found[name] = content
    return found


def _x_next_element(element: lxml.etree._Element, names: frozenset[str] | None = None) -> lxml.etree._Element | None:
    """`find_next_sibling(names)`: the next element (of those names) after `element`."""
    return next(element.itersiblings(*names) if names else element.itersiblings(lxml.etree.Element), None)


def _x_ancestors_of_strings(
    root: lxml.etree._Element, patterns: tuple[re.Pattern[str], ...]
) -> list[set[lxml.etree._Element]]:
    """Per pattern, the elements with a string (a text or a tail) matching it among their descendants."""
    holding: list[set[lxml.etree._Element]] = [set() for _ in patterns]
    for node in root.iter(lxml.etree.Element):
        text, tail = node.text, node.tail
        if not text and not tail:
            continue
        for pattern, found in zip(patterns, holding, strict=True):
            if text and pattern.search(text):
                found.add(node)
                found.update(node.iterancestors())
            if tail and pattern.search(tail):
                parent = node.getparent()
                if parent is not None:
                    found.add(parent)
                    found.update(parent.iterancestors())
    return holding


def _x_labelled_fields(
    root: lxml.etree._Element, exclude: lxml.etree._Element, holding_label: set[lxml.etree._Element]
) -> dict[str, str]:
    fields: dict[str, str] = {}

    def keep(label: str, value: str) -> None:
        value = clean_text(value)
        if value and label not in fields:
            fields[label] = value

    # Only the elements of the names looked at below; membership is all that is asked of the set.
    excluded = set(exclude.iterdescendants(*(_CELL_TAGS | _INLINE_LABEL_TAGS | _LINE_TAGS)))
    for cell in _x_tags(root, _CELL_TAGS):
        if cell in excluded:
            continue
        label = normalise_label(_x_text(cell))
        if label in KNOWN_LABELS:
            value_cell = _x_next_element(cell, _CELL_TAGS)
            if value_cell is not None:
                keep(label, _x_text(value_cell, " "))
    for element in _x_tags(root, _INLINE_LABEL_TAGS):
        if element in excluded:
            continue
        label = normalise_label(_x_text(element))
        parent = element.getparent()
        if label not in KNOWN_LABELS or parent is None:
            continue
        sibling = _x_next_element(element)
        if element.tag == "dt" and sibling is not None:
            keep(label, _x_text(sibling, " "))
            continue
        parent_text = clean_text(_x_text(parent, " "))
        own_text = clean_text(_x_text(element, " "))
        if parent_text.startswith(own_text) and len(parent_text) > len(own_text):
            keep(label, _split_labelled_line(parent_text).get(label, ""))
        elif sibling is not None:
            keep(label, _x_text(sibling, " "))

    def skipped(line: lxml.etree._Element) -> bool:
        return line in excluded or bool(_x_tags(line, _BLOCK_TAGS))

    for text in _x_short_lines(root, _LINE_TAGS, holding_label, skipped, 160):
        for label, value in _split_labelled_line(text).items():
            keep(label, value)
    return fields


def _x_short_lines(
    root: lxml.etree._Element,
    tags: frozenset[str],
    holding: set[lxml.etree._Element],
    skipped: Callable[[lxml.etree._Element], bool],
    max_chars: int,
) -> Iterator[str]:
    """In document order, the cleaned text of each `tags` element in `holding` and not `skipped`, if short enough."""
    for element in _x_tags(root, tags):
        if element in holding and not skipped(element):
            text = clean_text(_x_text(element, " "))
            if len(text) <= max_chars:
                yield text


def _x_container_text(container: lxml.etree._Element) -> str:
    pieces: list[str] = []

    def walk(node: lxml.etree._Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            name = child.tag
            if name == "br":
                pieces.append("\n")
            elif name in _BLOCK_TAGS:
                pieces.append("\n")
                walk(child)
                pieces.append("\n")
            elif name in _CELL_TAGS:
                walk(child)
                pieces.append(" ")
            else:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(container)
    paragraphs = (clean_text(line) for line in "".join(pieces).split("\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


_TITLE_SIMPLE = {selector: SimpleSelector(selector) for selector in TITLE_SELECTORS if " " not in selector}


def _x_title_matches(selector: str, element: lxml.etree._Element) -> bool:
    """`element.css.match(selector)` for the title selectors: simple ones, and `div.tit h1`."""
    if selector == "div.tit h1":
        return element.tag == "h1" and any(
            ancestor.tag == "div" and "tit" in ancestor.get("class", "").split() for ancestor in element.iterancestors()
        )
    return _x_matches(_TITLE_SIMPLE[selector], element)


def _x_title(root: lxml.etree._Element, meta: dict[str, str], fields: dict[str, str]) -> str:
    if meta.get("ArticleTitle"):
        return meta["ArticleTitle"]
    elements = list(root.iter(lxml.etree.Element))
    for selector in TITLE_SELECTORS:
        element = next((element for element in elements if _x_title_matches(selector, element)), None)
        if element is not None and clean_text(_x_text(element)):
            return clean_text(_x_text(element, " "))
    for label in ("标题", "文件名称", "名称"):
        if fields.get(label):
            return fields[label]
    title = next((element for element in elements if element.tag == "title"), None)
    if title is not None:
        body = next((element for element in elements if element.tag == "body"), None)
        return _x_heading_repeating_title(body, _x_text(title)) or clean_title(_x_text(title))
    return ""


def _x_heading_repeating_title(body: lxml.etree._Element | None, title: str) -> str:
    title = clean_text(title)
    best = ""
    for node in body.itertext() if body is not None else []:
        text = clean_text(node)
        if len(text) > max(len(best), 5) and title.startswith(text):
            best = text
    return best


def _x_attachments(root: lxml.etree._Element, page_url: str) -> list[Attachment]:
    base = next((node for node in _x_tags(root, frozenset({"base"})) if node.get("href") is not None), None)
    base_url = urljoin(page_url, base.get("href", "")) if base is not None else page_url
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for link in (link for link in _x_tags(root, _LINK_TAGS) if "href" in link.attrib):
        href = link.get("href", "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href)
        file_type = attachment_type(url)
        if not file_type or url in seen:
            continue
        seen.add(url)
        name = clean_text(_x_text(link, " ")) or clean_text(link.get("title", ""))
        attachments.append(Attachment(url=url, name=name or _file_name(url), type=file_type))
    return attachments


def _x_byline_dates(
    root: lxml.etree._Element, exclude: lxml.etree._Element, holding_time: set[lxml.etree._Element]
) -> list[str]:
    dates: list[str] = []
    for element in _x_in_order(_BYLINE_GROUP, _x_select(_BYLINE_GROUP, root)):
        for match in _DATE_IN_TEXT.finditer(clean_text(_x_text(element, " "))):
            date = match.group(0).strip()
            if date not in dates:
                dates.append(date)

    def skipped(line: lxml.etree._Element) -> bool:
        return line is exclude or _in_tree(line, exclude)

    for text in _x_short_lines(root, _TIMED_LINE_TAGS, holding_time, skipped, 120):
        for match in _TIMED_LINE.finditer(text):
            if match.group(1).strip() not in dates:
                dates.append(match.group(1).strip())
    return dates

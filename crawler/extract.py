"""Generic extraction of a notice detail page: pure functions over one lxml tree.

Government CMSs (TRS, Hanweb, gov.cn's own templates, NFCMS, ...) differ in
layout but share a vocabulary: the same `<meta>` names, metadata blocks keyed by
the same label texts (索引号, 发文机关, 成文日期 ...) and a handful of body
containers. Matching by label text and by a list of known containers keeps one
extractor working across families; a family can still refine the result.

Real pages are malformed (unclosed `<p>`/`<li>`, stray `</div>`, content after
`</html>`): the page is parsed once, by libxml2 in recover mode, after its `</body>`
and `</html>` end tags are dropped so that whatever follows them stays in the body.
Every field records the rule that produced it (`DetailPage.rules`), which
`scs extract` prints for an operator looking at a drifting source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree

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
# Where a notice came from: the publisher when the page names no issuing body.
SOURCE_LABELS = ("来源", "信息来源", "文章来源", "稿件来源")
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
)
KNOWN_LABELS = frozenset(PUBLISHER_LABELS + SOURCE_LABELS + DOC_NUMBER_LABELS + DATE_LABELS + OTHER_LABELS)

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
# Flag of a notice whose body came from `densest_block` (no known body container on the page).
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
_LABEL_JUNK = re.compile(r"[\s\u3000\u00a0:：【】\[\]]+")
_DATE_IN_TEXT = re.compile(
    r"(?:19|20)\d{2}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
# A byline's date: labelled as the item's time (`【信息时间：…】`, `时间:`), or printed just before or after
# its 来源 (`2023-12-01 来源：新华社`, `来源：新华社 作者： 2023-12-01 14:43`).
_TIMED_LINE = re.compile(
    r"(?:^|[\s【\[（(|])(?:信息时间|发布时间|时间)\s*[：:]\s*(" + _DATE_IN_TEXT.pattern + ")"
    r"|(" + _DATE_IN_TEXT.pattern + r")\s*[|｜]?\s*(?:信息|文章)?来源\s*[：:]"
    r"|(?:^|\s)(?:信息|文章)?来源\s*[：:].{0,60}?\s(" + _DATE_IN_TEXT.pattern + ")"
)
_DOC_NUMBER_SHAPE = (
    r"[\u4e00-\u9fa5A-Za-z]{1,16}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d+\s*号"
    r"|[\u4e00-\u9fa5]{2,20}令\s*第?\s*\d+\s*号"
)
_DOC_NUMBER = re.compile(f"^(?:{_DOC_NUMBER_SHAPE})$")
# A 文号 labelled in the text: `【文 号】…`, `文号：…`, a table row `行政处罚决定书文号 …`.
_LABELLED_DOC_NUMBER = re.compile(r"(?:文\s*号|字\s*号)\s*[】\]：:]?\s*(" + _DOC_NUMBER_SHAPE + ")")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|——| - | – )\s*")
# Also a bare `-` between two words (`凯里市人民政府- 标题`), not between digits (`1-10月`, `4.10-4.16`).
_LOOSE_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|——|–|(?<![\d.])-(?![\d.]))\s*")
_SITE_NAME_ENDINGS = ("网", "网站", "门户", "人民政府", "官网")
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}
    | {"blockquote", "dd", "dt", "center", "pre", "dl"}
)
_NOT_CONTENT_TAGS = ("script", "style", "noscript", "template", "select", "button", "input", "textarea")
_CELL_TAGS = frozenset({"td", "th"})
_INLINE_LABEL_TAGS = frozenset({"label", "b", "strong", "em", "span", "dt", "font"})
_LINE_TAGS = frozenset({"li", "p", "div", "span", "td", "h6", "h5", "h4"})
_TIMED_LINE_TAGS = frozenset({"div", "p", "span", "td", "li", "ul", "h6", "h5", "h4"})
_METADATA_BLOCK_TAGS = ("table", "ul", "dl", "div")
_MIN_METADATA_LABELS = 2
_MAX_METADATA_STRING = 120  # a title fits; a paragraph of the text seldom does

_BUTTON = r"(?:打印|关闭|收藏|返回顶部|返回|字体|字号|分享)(?:本页|此页|窗口|本文|文章)?"
# Page furniture printed as a paragraph of its own. Before the article it is dropped; after the first
# paragraph of the article it ends it (what follows is more furniture: related links, the footer).
_CHROME_PARAGRAPH = re.compile(
    r"^(?:扫一扫在手机(?:上)?(?:打开|查看)当前页(?:面)?"
    r"|(?:(?:pdf|word|wps|ofd)\s*下载\s*)+"
    r"|[【\[（(]?\s*(?:责任编辑|编辑|责编|审核|校对)\s*[：:].{0,30}?[】\]）)]?"
    r"|(?:相关(?:公告|文章|链接|新闻|阅读|文件|稿件|信息|附件)|上一篇|下一篇|分享到|打印本页|关闭窗口)(?:\s*[：:].{0,80}|\s*-.{0,20})?"
    r"|(?:[【\[]\s*)?" + _BUTTON + r"(?:\s*[：:]?\s*[大中小](?:\s*[大中小]){0,2})?(?:\s*[】\]])?"
    r"(?:\s*(?:[【\[]\s*)?(?:" + _BUTTON + r"|[大中小])(?:\s*[】\]])?)*)$",
    re.IGNORECASE,
)
# A publisher value that is page furniture, not a body: `来源：【打印】`.
_NOT_A_PUBLISHER = re.compile(r"打印|关闭|字号|字体|分享|收藏|浏览|\{\{|^[\s\W]*$")


class SimpleSelector:
    """`tag`, `#id`, `.class`, `tag#id` or `tag.class`: the only selector shapes the lists above use."""

    _SHAPE = re.compile(r"([a-z][a-z0-9]*)?(?:#([\w-]+)|\.([\w-]+))?")

    def __init__(self, selector: str) -> None:
        shape = self._SHAPE.fullmatch(selector)
        if shape is None or not selector:
            raise ValueError(f"not a simple selector: {selector!r}")
        self.text = selector
        self.tag, self.id, self.class_ = shape.groups()

    def match(self, element: lxml.etree._Element) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.id is not None and element.get("id", "") != self.id:
            return False
        if self.class_ is not None:
            return self.class_ in element.get("class", "").split()
        return True


class SelectorGroup:
    """Simple selectors tried in priority order, at the cost of one look-up per element with an id or class."""

    def __init__(self, selectors: tuple[str, ...]) -> None:
        self.each = [SimpleSelector(selector) for selector in selectors]
        self.by_id: dict[str, set[str | None]] = {}
        self.by_class: dict[str, set[str | None]] = {}
        for selector in self.each:
            if selector.id is not None:
                self.by_id.setdefault(selector.id, set()).add(selector.tag)
            elif selector.class_ is not None:
                self.by_class.setdefault(selector.class_, set()).add(selector.tag)
            else:
                raise ValueError(f"a group selector names an id or a class: {selector.text!r}")

    def select(self, scope: lxml.etree._Element) -> list[lxml.etree._Element]:
        """Every element under `scope` (itself excluded) matching any selector, in document order."""
        found = []
        for node in _WITH_ID_OR_CLASS(scope):
            tags = self.by_id.get(node.get("id", ""))
            if tags is not None and (None in tags or node.tag in tags):
                found.append(node)
                continue
            for class_ in node.get("class", "").split():
                tags = self.by_class.get(class_)
                if tags is not None and (None in tags or node.tag in tags):
                    found.append(node)
                    break
        return found

    def in_order(self, found: list[lxml.etree._Element]) -> list[tuple[str, lxml.etree._Element]]:
        """(selector, element) in selector priority order, then document order."""
        return [(selector.text, element) for selector in self.each for element in found if selector.match(element)]


_WITH_ID_OR_CLASS = lxml.etree.XPath("descendant::*[@id or @class]")
_BODY_GROUP = SelectorGroup(BODY_SELECTORS)
_BODY_NOISE = SelectorGroup(BODY_NOISE_SELECTORS)
_BYLINE_GROUP = SelectorGroup(BYLINE_SELECTORS)
_HAS_KNOWN_LABEL = re.compile("|".join(re.escape(label) for label in sorted(KNOWN_LABELS)) + "|日期|时间")
_HAS_TIME_LABEL = re.compile("时间|来源")
_END_TAGS_OF_PAGE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_PARSER = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


@dataclass
class DetailPage:
    """What the generic extractor found on one detail page (raw strings; pipelines normalise).

    `rules` names, per field (title, body, publisher, doc_number), the rule or selector that
    produced it, e.g. `meta ArticleTitle`, `container #zoom`, `label 发文机关`.
    """

    title: str = ""
    body: str = ""
    publisher: str = ""
    doc_number: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # label (spaces/colons removed) -> value
    attachments: list[Attachment] = field(default_factory=list)
    byline_dates: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. FALLBACK_FLAG
    rules: dict[str, str] = field(default_factory=dict)

    @property
    def labelled_dates(self) -> list[tuple[str, str]]:
        """Labelled fields holding a date: the known date labels, then any other `…日期` / `…时间` label."""
        known = [(label, self.fields[label]) for label in DATE_LABELS if self.fields.get(label)]
        others = [
            (label, value)
            for label, value in self.fields.items()
            if label not in DATE_LABELS and label.endswith(("日期", "时间")) and _DATE_IN_TEXT.search(value)
        ]
        return known + others


def clean_text(text: str) -> str:
    """Collapse every kind of space (full-width, nbsp, zero-width) to one ASCII space and strip.

    `_SPACES.sub(" ", text).strip()`, computed as split() and join, which cost a fraction of the regex.
    """
    for space in _ZERO_WIDTH_SPACES:
        if space in text:
            text = text.replace(space, " ")
    return " ".join(text.split())


def normalise_label(text: str) -> str:
    """`标　　题：` -> `标题`, `【文 号】` -> `文号`: labels are padded with spaces and end with a colon."""
    return _LABEL_JUNK.sub("", text)


def first_field(fields: dict[str, str], labels: tuple[str, ...]) -> tuple[str, str]:
    """(label, value) of the first label in `labels` with a value; ("", "") if none."""
    return next(((label, fields[label]) for label in labels if fields.get(label)), ("", ""))


def parse_html(html: str) -> lxml.etree._Element:
    """The page's tree: libxml2 in recover mode, comments dropped, content after `</body>`/`</html>` kept."""
    root = lxml.etree.fromstring(_END_TAGS_OF_PAGE.sub("", html).encode("utf-8", "surrogatepass"), _PARSER)
    if root is None:  # an empty or whitespace-only document
        root = lxml.etree.fromstring(b"<html><body></body></html>", _PARSER)
    lxml.etree.strip_elements(root, *_NOT_CONTENT_TAGS, with_tail=False)
    return root


def text_of(element: lxml.etree._Element, separator: str = "") -> str:
    return separator.join(element.itertext())


def extract_detail(html: str, url: str) -> DetailPage:
    """Run every generic extractor over one page."""
    root = parse_html(html)
    rules: dict[str, str] = {}
    meta = extract_meta(root)
    found = find_body_container(root)
    container = found[1] if found is not None else None
    metadata_blocks = metadata_blocks_in(container) if container is not None else []
    fields = extract_labelled_fields(root, exclude=container, include=metadata_blocks)
    byline_dates = extract_byline_dates(root, exclude=container)
    attachments = extract_attachments(root, url)
    title, rules["title"] = extract_title(root, meta, fields)
    flags: list[str] = []
    if found is not None:
        for block in metadata_blocks:
            _drop(block)
        body = container_text(found[1])
        rules["body"] = f"container {found[0]}" + (" (metadata table cut)" if metadata_blocks else "")
    elif _BODY_GROUP.select(root):
        body, rules["body"] = "", "known container without text"
    else:
        dense = densest_block(root)  # an unknown template: no known container, not an empty one
        body = container_text(dense) if dense is not None else ""
        if dense is not None and body:
            flags = [FALLBACK_FLAG]
            rules["body"] = f"densest text block <{dense.tag}{_describe(dense)}> (no known container)"
    doc_number, rules["doc_number"] = pick_doc_number(fields, body)
    body, leading_fields, cut = trim_body(body, title, attachments)
    for label, value in leading_fields.items():
        fields.setdefault(label, value)
    if cut:
        rules["body"] = f"{rules.get('body', '')}; {cut}"
    publisher, rules["publisher"] = pick_publisher(fields, meta)
    return DetailPage(
        title=title,
        body=body,
        publisher=publisher,
        doc_number=doc_number,
        meta=meta,
        fields=fields,
        attachments=attachments,
        byline_dates=byline_dates,
        flags=flags,
        rules={name: rule for name, rule in rules.items() if rule},
    )


def pick_publisher(fields: dict[str, str], meta: dict[str, str]) -> tuple[str, str]:
    """The issuing body (发文机关-type labels), else where the notice came from: 来源 labels, then ContentSource.

    Never the site's name, and never a value that is page furniture (`来源：【打印】`).
    """
    for label in PUBLISHER_LABELS + SOURCE_LABELS:
        value = fields.get(label, "")
        if value and not _NOT_A_PUBLISHER.search(value) and not _SENTENCE.search(value):
            return value, f"label {label}"
    source = meta.get("ContentSource", "")
    if source and not _NOT_A_PUBLISHER.search(source):
        return source, "meta ContentSource"
    return "", ""


def pick_doc_number(fields: dict[str, str], body: str) -> tuple[str, str]:
    """文号 from a labelled field, else one labelled in the text, else one standing alone atop the body."""
    label, value = first_field(fields, DOC_NUMBER_LABELS)
    if value:
        return value, f"label {label}"
    labelled = _LABELLED_DOC_NUMBER.search(body[:3000])
    if labelled:
        return clean_text(labelled.group(1)), "文号 labelled in the text"
    alone = find_doc_number(body)
    return (alone, "文号 line atop the body") if alone else ("", "")


def extract_meta(root: lxml.etree._Element) -> dict[str, str]:
    """The interesting `<meta name=... content=...>` values, keyed by canonical name, markup inside them removed."""
    wanted = {name.lower(): name for name in META_NAMES}
    found: dict[str, str] = {}
    for tag in root.iter("meta"):
        name = wanted.get(tag.get("name", "").strip().lower())
        content = clean_text(_joined_lines(_MARKUP.sub("", tag.get("content", ""))))
        if name and content and name not in found:
            found[name] = content
    return found


_MARKUP = re.compile(r"<[^>]*>")
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# A line break between two Chinese characters is layout (a heading broken over lines), not a space;
# a space written as such is kept (国家发展改革委 国家能源局关于…: joint issuers).
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t]*[\\r\\n]\\s*(?=[{_CJK}])")


def _joined_lines(text: str) -> str:
    return _CJK_LINE_BREAK.sub("", text)


def metadata_blocks_in(container: lxml.etree._Element) -> list[lxml.etree._Element]:
    """Tables (or lists) inside the body container that hold the notice's metadata, not its text.

    A block counts when at least two of its cells or label elements are known labels (索引号,
    发文机关, 发文字号 ...) and it holds no paragraph of running text (no string longer than a
    title, no `<p>` outside a table cell); the outermost such block is taken.
    """
    blocks: list[lxml.etree._Element] = []
    for block in container.iterdescendants(*_METADATA_BLOCK_TAGS):
        if any(_in_tree(block, kept) for kept in blocks):
            continue
        labels = sum(
            1
            for element in block.iter(*(_CELL_TAGS | _INLINE_LABEL_TAGS))
            if normalise_label(text_of(element)) in KNOWN_LABELS
        )
        if labels >= _MIN_METADATA_LABELS and not _holds_running_text(block):
            blocks.append(block)
    return blocks


def _holds_running_text(block: lxml.etree._Element) -> bool:
    if any(len(clean_text(text)) > _MAX_METADATA_STRING for text in block.itertext()):
        return True
    return any(not any(a.tag in _CELL_TAGS for a in p.iterancestors()) for p in block.iterdescendants("p"))


def extract_labelled_fields(
    root: lxml.etree._Element,
    exclude: lxml.etree._Element | None = None,
    include: list[lxml.etree._Element] | None = None,
) -> dict[str, str]:
    """Metadata keyed by label text, wherever the label sits.

    Three shapes cover the sites we know: a table cell holding only the label with
    the value in the next cell (xxgk_table, policyLibraryOverview_header, table.bd1);
    an inline label element (`<label>`, `<b>`, `<em>`, `<span>`, `<dt>`) followed by its
    value; and short text lines `标签：值　标签：值` (bylines such as `div.sp_time`).
    The first value found for a label wins. The body container (`exclude`) is skipped so
    body text like "来源：" never turns into metadata, except its metadata blocks (`include`).
    """
    fields: dict[str, str] = {}

    def keep(label: str, value: str) -> None:
        value = clean_text(value)
        if value and label not in fields:
            fields[label] = value

    wanted = _CELL_TAGS | _INLINE_LABEL_TAGS | _LINE_TAGS
    excluded = set(exclude.iterdescendants(*wanted)) if exclude is not None else set()
    for block in include or []:
        excluded.difference_update(block.iter(*wanted))
    holding_label = _ancestors_of_strings(root, _HAS_KNOWN_LABEL)
    for cell in root.iterdescendants(*_CELL_TAGS):
        if cell in excluded:
            continue
        label = normalise_label(text_of(cell))
        if label in KNOWN_LABELS:
            value_cell = _next_element(cell, _CELL_TAGS)
            if value_cell is not None and normalise_label(text_of(value_cell)) not in KNOWN_LABELS:
                keep(label, text_of(value_cell, " "))
    for element in root.iterdescendants(*_INLINE_LABEL_TAGS):
        if element in excluded:
            continue
        label = normalise_label(text_of(element))
        parent = element.getparent()
        if label not in KNOWN_LABELS or parent is None:
            continue
        sibling = _next_element(element)
        if element.tag == "dt" and sibling is not None:
            keep(label, text_of(sibling, " "))
            continue
        parent_text = clean_text(text_of(parent, " "))
        own_text = clean_text(text_of(element, " "))
        if parent_text.startswith(own_text) and len(parent_text) > len(own_text):
            keep(label, _split_labelled_line(parent_text).get(label, ""))
        elif sibling is not None:
            keep(label, text_of(sibling, " "))

    def skipped(line: lxml.etree._Element) -> bool:
        return line in excluded or any(True for _ in line.iterdescendants(*_BLOCK_TAGS))

    for text in _short_lines(root, _LINE_TAGS, holding_label, skipped, 160):
        for label, value in _split_labelled_line(text).items():
            keep(label, value)
    return fields


def _short_lines(
    root: lxml.etree._Element,
    tags: frozenset[str],
    holding: set[lxml.etree._Element],
    skipped: Callable[[lxml.etree._Element], bool],
    max_chars: int,
) -> Iterator[str]:
    """In document order, the cleaned text of each `tags` element in `holding` and not `skipped`, if short enough."""
    for element in root.iterdescendants(*tags):
        if element in holding and not skipped(element):
            text = clean_text(text_of(element, " "))
            if len(text) <= max_chars:
                yield text


def _ancestors_of_strings(root: lxml.etree._Element, pattern: re.Pattern[str]) -> set[lxml.etree._Element]:
    """The elements with a string (a text or a tail) matching `pattern` among their descendants."""
    found: set[lxml.etree._Element] = set()
    for node in root.iter(lxml.etree.Element):
        text, tail = node.text, node.tail
        if text and pattern.search(text):
            found.add(node)
            found.update(node.iterancestors())
        if tail and pattern.search(tail):
            parent = node.getparent()
            if parent is not None:
                found.add(parent)
                found.update(parent.iterancestors())
    return found


_LABEL_IN_LINE = re.compile(
    "("
    + "|".join(sorted((re.escape(label) for label in KNOWN_LABELS), key=len, reverse=True))
    + r"|[\u4e00-\u9fa5]{1,4}(?:日期|时间))\s*[：:】]"
)
_ANY_LABEL = re.compile(r"(?:^|\s)[\u4e00-\u9fa5]{2,6}\s*[：:]|【[\u4e00-\u9fa5\s]{2,6}[】：:]")


def _split_labelled_line(text: str) -> dict[str, str]:
    """`来源：江苏省政府办公厅 发布日期：2025-07-03` -> {"来源": ..., "发布日期": ...}; `【文 号】` too."""
    text = re.sub(r"(?<=[\u4e00-\u9fa5])\s(?=[\u4e00-\u9fa5]\s*[：:】])", "", text)  # 文 号：-> 文号：
    matches = list(_LABEL_IN_LINE.finditer(text))
    values: dict[str, str] = {}
    for index, match in enumerate(matches):
        if match.start() > 0 and text[match.start() - 1] not in " |｜/　【[":
            continue  # part of a longer word, e.g. 新闻来源： is not 来源：
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        unknown_label = _ANY_LABEL.search(value)  # e.g. 浏览次数： after the date in a byline
        if unknown_label:
            value = value[: unknown_label.start()]
        value = value.strip(" |｜【[】]")
        if value:
            values.setdefault(match.group(1), value)
    return values


def find_body_container(root: lxml.etree._Element) -> tuple[str, lxml.etree._Element] | None:
    """(selector, element) of the first known body container that holds text (share bars and such removed)."""
    for selector, container in _BODY_GROUP.in_order(_BODY_GROUP.select(root)):
        if not _in_tree(container, root):
            continue  # inside the noise of a container tried before: no longer in the page
        for noise in _BODY_NOISE.select(container):
            if _in_tree(noise, root):
                _drop(noise)
        if clean_text(text_of(container)):
            return selector, container
    return None


def container_text(container: lxml.etree._Element) -> str:
    """Text with paragraphs kept: one paragraph per block element or <br>, joined by a blank line."""
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


def trim_body(body: str, title: str, attachments: list[Attachment]) -> tuple[str, dict[str, str], str]:
    """(body, fields, what was cut): the article without the furniture around it.

    Before the article: the title repeated (on one line or several), metadata lines
    (`发布时间：… 来源：…`, `【文 号】…`, read as fields), a 文号 standing alone and chrome are
    dropped. Chrome in the first half of the text (a share bar, `【字体：大 中 小】`) is dropped
    with whatever short furniture precedes it; from the first chrome paragraph in the second
    half (扫一扫在手机打开当前页, pdf下载, 责任编辑, 相关公告, 打印 ...) to the end, all is cut.
    So are the attachment links that close the text (they are kept as attachments).
    """
    paragraphs = body.split("\n\n") if body else []
    fields: dict[str, str] = {}
    cut: list[str] = []
    start = _skip_leading_furniture(paragraphs, 0, title, fields, cut)
    end = len(paragraphs)
    chrome = {index for index in range(start, end) if _CHROME_PARAGRAPH.match(paragraphs[index])}
    kept: list[int] = []
    for index in range(start, end):
        if index not in chrome:
            kept.append(index)
            continue
        seen = sum(len(paragraphs[i]) for i in kept)
        if seen * 2 >= sum(len(paragraphs[i]) for i in range(index, end) if i not in chrome) + seen:
            end = index
            cut.append(f"chrome from {paragraphs[index][:20]!r} on")
            break
        if seen <= _MAX_LEADING_FURNITURE:
            kept = []  # what came before a share bar at the top is furniture too (a close button's `X`)
        cut.append("chrome before the text")
    paragraphs = [paragraphs[index] for index in kept]
    start, end = _skip_leading_furniture(paragraphs, 0, title, fields, cut), len(paragraphs)
    names = {_squeeze(attachment.name) for attachment in attachments}
    while end > start + 1 and _squeeze(paragraphs[end - 1]) in names:
        end -= 1
        cut.append("attachment link")
    return "\n\n".join(paragraphs[start:end]), fields, ", ".join(dict.fromkeys(cut))


_MAX_LEADING_FURNITURE = 10  # characters before a share bar that are furniture too (a close button's `X`)


def _skip_leading_furniture(
    paragraphs: list[str], start: int, title: str, fields: dict[str, str], cut: list[str]
) -> int:
    """The index of the first paragraph from `start` on that is neither the title, a metadata line nor chrome."""
    squeezed_title = _squeeze(title)
    title_seen = ""
    while start < len(paragraphs):
        paragraph = paragraphs[start]
        squeezed = _squeeze(paragraph)
        labelled = _split_labelled_line(paragraph) if len(paragraph) <= 200 else {}
        if squeezed_title and len(squeezed) >= 4 and squeezed_title.startswith(title_seen + squeezed):
            title_seen += squeezed  # the heading, maybe broken over several lines
            cut.append("title line")
        elif labelled and _covers(paragraph, labelled):
            for label, value in labelled.items():
                fields.setdefault(label, value)
            cut.append("metadata line")
        elif _DOC_NUMBER.match(clean_text(paragraph)):
            cut.append("文号 line")
        elif _CHROME_PARAGRAPH.match(paragraph):
            cut.append("chrome before the text")
        else:
            return start
        start += 1
    return start


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _covers(paragraph: str, labelled: dict[str, str]) -> bool:
    """Whether a line is nothing but labelled values (a metadata line, not a sentence).

    Besides the known labels: other short `标签：值` pairs (浏览次数：3, 作者：…), dates and buttons.
    """
    if any(len(value) > _MAX_FIELD_VALUE or _SENTENCE.search(value) for value in labelled.values()):
        return False  # a sentence that begins with a label (来源：新华社记者报道，…) is text
    rest = paragraph
    for value in labelled.values():
        rest = rest.replace(value, " ", 1)
    rest = _DATE_IN_TEXT.sub(" ", rest)
    rest = _SHORT_PAIR.sub(" ", rest)
    return len(_LINE_FURNITURE.sub("", _squeeze(rest))) <= 2


_MAX_FIELD_VALUE = 60
_SENTENCE = re.compile("[，。；！？]")
# `标签：值` with a short value, the value ending at a space: 浏览次数：3, 作者：县政府办, 点击数：.
_SHORT_PAIR = re.compile(r"[\u4e00-\u9fa5]{1,6}\s*[：:】]\s*[^\s：:【]{0,16}(?=\s|【|$)")


# What may sit beside the fields on a metadata line: punctuation and buttons (【打印】【关闭】, 字号：大 中 小).
_LINE_FURNITURE = re.compile(r"打印|关闭|收藏|分享|字体|字号|[大中小](?=[大中小】\]\s]|$)|[：:【】\[\]|｜/\-\s]")


def extract_title(root: lxml.etree._Element, meta: dict[str, str], fields: dict[str, str]) -> tuple[str, str]:
    """(title, rule): meta ArticleTitle, else a known title element, else the 标题 field, else <title>.

    A bare `h1` that only names the site (its logo) is passed over.
    """
    if meta.get("ArticleTitle"):
        return meta["ArticleTitle"], "meta ArticleTitle"
    site_name = meta.get("SiteName", "")
    # Every title selector names h1, an id or a class: only such elements can match.
    candidates = list(root.xpath("//h1 | //*[@id or @class]"))
    for selector in TITLE_SELECTORS:
        element = next((element for element in candidates if _title_matches(selector, element)), None)
        # Element boundaries (<br>, spans) add no space: 关于…<br>的通知 is one title.
        text = clean_text(_joined_lines(text_of(element))) if element is not None else ""
        if text and not (selector == "h1" and _is_site_name(text, site_name)):
            return text, f"selector {selector}"
    for label in ("标题", "文件名称", "名称"):
        if fields.get(label):
            return fields[label], f"label {label}"
    title = next(root.iter("title"), None)
    if title is None:
        return "", ""
    body = next(root.iter("body"), None)
    heading = heading_repeating_title(body, text_of(title))
    if heading:
        return heading, "<title>, as a heading on the page repeats it"
    return clean_title(text_of(title), site_name), "<title> without the site name"


def _is_site_name(text: str, site_name: str) -> bool:
    """The site's name (its SiteName meta), or a text ending like one (…网, …网站, …人民政府)."""
    return (bool(site_name) and _squeeze(text) == _squeeze(site_name)) or text.endswith(_SITE_NAME_ENDINGS)


def _title_matches(selector: str, element: lxml.etree._Element) -> bool:
    """Whether `element` matches one of the title selectors: simple ones, and `div.tit h1`."""
    if selector == "div.tit h1":
        return element.tag == "h1" and any(
            ancestor.tag == "div" and "tit" in ancestor.get("class", "").split() for ancestor in element.iterancestors()
        )
    return _TITLE_SIMPLE[selector].match(element)


_TITLE_SIMPLE = {selector: SimpleSelector(selector) for selector in TITLE_SELECTORS if " " not in selector}


def heading_repeating_title(body: lxml.etree._Element | None, title: str) -> str:
    """The longest visible text that begins or ends the <title>: the page's own heading, whatever its markup.

    Unknown templates put the heading in any element (`div.ewb-article-tt`, `div.news-title`)
    and join the site name to <title> before or after it with any separator (a bare `-`
    included); a heading that the <title> begins or ends with needs neither known.
    """
    title = clean_text(title)
    best = ""
    for node in body.itertext() if body is not None else []:
        text = clean_text(node)
        if (
            len(text) > max(len(best), 5)
            and (title.startswith(text) or title.endswith(text))
            and not _is_site_name(text, "")
        ):
            best = text
    return best


def clean_title(text: str, site_name: str = "") -> str:
    """`关于…的通知_国家发展和改革委员会` -> `关于…的通知`: the site name is the part before or after a separator."""
    text = clean_text(text)
    parts = [part for part in _TITLE_SEPARATORS.split(text) if part]
    if len(parts) < 2:
        parts = [part for part in _LOOSE_TITLE_SEPARATORS.split(text) if part] or parts
    named = [part for part in parts if not _is_site_name(part, site_name)]
    return (named or parts or [""])[0]


def extract_attachments(root: lxml.etree._Element, page_url: str) -> list[Attachment]:
    """Links to documents (pdf, doc, xls, wps, ofd, archives ...), absolute, each once, in page order."""
    base = next((node for node in root.iter("base") if node.get("href") is not None), None)
    base_url = urljoin(page_url, base.get("href", "")) if base is not None else page_url
    attachments: list[Attachment] = []
    seen: set[str] = set()
    for link in root.iter("a"):
        href = link.get("href", "").strip()
        if not _MAYBE_ATTACHMENT.search(href) or href.startswith(("javascript:", "mailto:", "#")):
            continue  # most links of a page lead to pages: no need to resolve them
        url = urljoin(base_url, href)
        file_type = attachment_type(url)
        if not file_type or url in seen:
            continue
        seen.add(url)
        name = clean_text(text_of(link, " ")) or clean_text(link.get("title", ""))
        attachments.append(Attachment(url=url, name=name or _file_name(url), type=file_type))
    return attachments


_MAYBE_ATTACHMENT = re.compile(r"\.(?:" + "|".join(ATTACHMENT_TYPES) + r")(?:$|[?#&])", re.IGNORECASE)


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


def extract_byline_dates(root: lxml.etree._Element, exclude: lxml.etree._Element | None = None) -> list[str]:
    """Dates printed in a byline under the title (`2025-07-18 10:30 来源：…`).

    Known byline containers first; then, for unknown templates, any short line whose
    date is labelled as the item's time (`【信息时间：…】` on epoint, `时间:` on DedeCMS)
    or printed just before its 来源, outside the body container (a 会议 `时间：` line in
    the text is not the page's date).
    """
    dates: list[str] = []
    for _, element in _BYLINE_GROUP.in_order(_BYLINE_GROUP.select(root)):
        for match in _DATE_IN_TEXT.finditer(clean_text(text_of(element, " "))):
            date = match.group(0).strip()
            if date not in dates:
                dates.append(date)

    def skipped(line: lxml.etree._Element) -> bool:
        return exclude is not None and (line is exclude or _in_tree(line, exclude))

    holding_time = _ancestors_of_strings(root, _HAS_TIME_LABEL)
    for text in _short_lines(root, _TIMED_LINE_TAGS, holding_time, skipped, 120):
        for match in _TIMED_LINE.finditer(text):
            date = next(group for group in match.groups() if group).strip()
            if date not in dates:
                dates.append(date)
    return dates


def find_doc_number(body: str, max_paragraphs: int = 6) -> str:
    """A 文号 standing alone in one of the first paragraphs (TRS pages put it above the addressee)."""
    for paragraph in body.split("\n\n")[:max_paragraphs]:
        candidate = clean_text(paragraph)
        if _DOC_NUMBER.match(candidate):
            return candidate
    return ""


def _next_element(element: lxml.etree._Element, names: frozenset[str] | None = None) -> lxml.etree._Element | None:
    """The next sibling element (of those names) after `element`."""
    return next(element.itersiblings(*names) if names else element.itersiblings(lxml.etree.Element), None)


def _in_tree(node: lxml.etree._Element, root: lxml.etree._Element) -> bool:
    return any(ancestor is root for ancestor in node.iterancestors())


def _drop(node: lxml.etree._Element) -> None:
    """Remove `node` from the tree, keeping the text that follows it."""
    parent = node.getparent()
    if parent is None:
        return  # already removed with an enclosing element
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _describe(element: lxml.etree._Element) -> str:
    """` id="…" class="…"` of an element, for the rule that names it."""
    return "".join(f' {name}="{element.get(name)}"' for name in ("id", "class") if element.get(name))


def densest_block(root: lxml.etree._Element) -> lxml.etree._Element | None:
    """The most specific element holding nearly as much running text as the best of all.

    Each element scores its text outside links minus its text inside links (navigation is all
    links, an article has few). The page body often scores best (the article plus a footer), so
    the deepest element within 15% of the best score is taken: the article's own container.
    """
    elements = list(root.iter(lxml.etree.Element))
    in_link: dict[lxml.etree._Element, bool] = {}
    plain: dict[lxml.etree._Element, int] = {}
    linked: dict[lxml.etree._Element, int] = {}
    for element in elements:
        parent = element.getparent()
        in_link[element] = element.tag == "a" or (parent is not None and in_link.get(parent, False))
        plain[element] = linked[element] = 0
    for element in elements:
        parent = element.getparent()
        if element.text:
            counted = linked if in_link[element] else plain
            counted[element] += len("".join(element.text.split()))
        if element.tail and parent is not None:
            counted = linked if in_link[parent] else plain
            counted[parent] += len("".join(element.tail.split()))
    for element in reversed(elements):  # descendants before ancestors: totals flow upwards
        parent = element.getparent()
        if parent is not None:
            plain[parent] += plain[element]
            linked[parent] += linked[element]
    scores = {element: plain[element] - linked[element] for element in elements if element.tag in _DENSE_TAGS}
    if not scores:
        return None
    best = max(scores.values())
    if best <= 0:
        return None
    return min((element for element, score in scores.items() if score >= _DENSE_SHARE * best), key=lambda e: plain[e])


_DENSE_SHARE = 0.5
_DENSE_TAGS = frozenset({"div", "td", "article", "section", "table", "body", "main", "center", "tbody"})

"""TRS jpaas "build unit" sites (SAMR, MIIT and other ministries on the jpaas publish server).

Quirks:
- The column page (`…/index.html`) is a ~4.6 KB JS shell that loads `unitbuild.js`; the
  entries come from `GET /api-gateway/jpaas-publish-server/front/page/build/unit` with
  `parseType=bulidstatic` (sic), `webId`, `tplSetId`, `pageType=column`, `tagId=内容区域`,
  `editType=null` and the column's `pageId`.
- Paging parameters must be inside a JSON-encoded `paramJson` query field
  (`{"pageNo": N, "pageSize": M}`); passed as bare parameters they are silently ignored
  and page 1 comes back every time. The answer carries no total: a page with fewer than
  `page_size` rows is the last one.
- The answer is JSON `{"data": {"html": "<li …>…</li>…"}}`: the rows are an HTML fragment meant for
  the column page, so its links resolve against the column page, not the API URL;
  `li.zjnav04Left02_content` with `.doctitle a[href]` and `.doctime` on most columns
  (征集调查 columns print `YYYY-MM-DD至YYYY-MM-DD`: the first date is the publication).
- Details `/…/art/YYYY/art_<32hex>.html`: body `div.Three_xilan_07` (`#zoom`), meta
  `ArticleTitle`/`PubDate`/`ContentSource` (ContentSource is the 司局, not the issuing
  authority), attachments in `ul.contentLeft0102box` as `/cms_files/…pdf?fileName=…`.
- The shell page names the request itself: its `unitbuild.js` `<script>` carries
  `queryData="{'webId':…,'tplSetId':…,'tagId':'分页列表','pageId':…}"` (real MOFCOM 部令公告
  page, shared/pages/lists/10.html: `tagId` is not always `内容区域`). So page 1 of a column
  first fetches the shell and its queryData values win over the configured ones; a shell
  without queryData, or one that fails to load (logged, stat `scs/jpaas_shell_unread`), leaves
  the configured values in use.
- Column params (source file): `page_id`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract import clean_text
from crawler.sourceconfig import Column
from crawler.spiders.base import ListEntry, NoticeSpider, PageError

_DATE = re.compile(r"(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?")
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")
_QUERY_DATA = re.compile(r'queryData\s*=\s*"(\{[^"]*\})"', re.IGNORECASE)
_QUERY_PAIR = re.compile(r"'(\w+)'\s*:\s*'([^']*)'")
SHELL_KEYS = ("webId", "tplSetId", "tagId", "pageId")  # what a shell's queryData may set in the unit request


@dataclass(frozen=True)
class TrsJpaasOptions:
    web_id: str  # the site's webId (32 hex), the same for every column
    tpl_set_id: str  # the site's tplSetId (32 hex)
    api_path: str = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    tag_id: str = "内容区域"
    page_size: int = 20
    item_selector: str = "li.zjnav04Left02_content, li.nav04Left02_content"
    link_selector: str = ".doctitle a[href], a[href]"
    date_selector: str = ".doctime, .nav04Left02_contenttime"

    def __post_init__(self) -> None:
        for name in ("web_id", "tpl_set_id"):
            if not _HEX_ID.match(str(getattr(self, name))):
                raise ValueError(f"option '{name}' must be 32 lower-case hex digits, got {getattr(self, name)!r}")
        if not self.api_path.startswith("/"):
            raise ValueError(f"option 'api_path' must start with '/', got {self.api_path!r}")
        if not isinstance(self.page_size, int) or not 1 <= self.page_size <= 100:
            raise ValueError(f"option 'page_size' must be an integer from 1 to 100, got {self.page_size!r}")
        for name in ("tag_id", "item_selector", "link_selector"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"option '{name}' must not be empty")


def param_json(page: int, page_size: int) -> str:
    """The `paramJson` value for one page, exactly as the site's own page.js sends it."""
    return json.dumps({"pageNo": page, "pageSize": page_size})


def shell_query_data(html: str) -> dict[str, str]:
    """webId/tplSetId/tagId/pageId from the build-unit script's `queryData` attribute on a shell page ({} if none)."""
    match = _QUERY_DATA.search(html)
    if not match:
        return {}
    pairs = dict(_QUERY_PAIR.findall(match.group(1)))
    return {key: pairs[key] for key in SHELL_KEYS if pairs.get(key)}


def unit_url(
    column_url: str, page_id: str, page: int, options: TrsJpaasOptions, shell: dict[str, str] | None = None
) -> str:
    """The build-unit request for one page: the configured ids, overridden by the shell's queryData."""
    parts = urlsplit(column_url)
    query = {
        "parseType": "bulidstatic",
        "webId": options.web_id,
        "tplSetId": options.tpl_set_id,
        "pageType": "column",
        "tagId": options.tag_id,
        "editType": "null",
        "pageId": page_id,
    }
    query.update(shell or {})
    query["paramJson"] = param_json(page, options.page_size)
    return f"{parts.scheme}://{parts.netloc}{options.api_path}?{urlencode(query)}"


def unit_html(body: bytes) -> str:
    """The HTML fragment of a build-unit answer; PageError when the answer is not one."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise PageError("not-json", f"expected build-unit JSON, got something else: {error}") from error
    html = data.get("data", {}).get("html") if isinstance(data, dict) and isinstance(data.get("data"), dict) else None
    if not isinstance(html, str):
        raise PageError("list-parse-error", "build-unit JSON without data.html")
    return html


class TrsJpaasSpider(NoticeSpider):
    family = "trs_jpaas"
    Options = TrsJpaasOptions

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._shell: dict[str, dict[str, str]] = {}  # column name -> what its shell page's queryData said

    @classmethod
    def check_column(cls, column: Column) -> None:
        page_id = str(column.params.get("page_id", ""))
        if not _HEX_ID.match(page_id):
            raise ValueError(
                f"column {column.name!r}: params 'page_id' must be 32 lower-case hex digits, got {page_id!r}"
            )

    def _list_request(self, column: Column, page: int) -> scrapy.Request:
        if page == 1 and column.name not in self._shell:  # the shell first: it names the unit request
            return scrapy.Request(
                column.url,
                callback=self.parse_shell,
                errback=self.on_shell_error,
                cb_kwargs={"column": column},
                dont_filter=True,
            )
        return super()._list_request(column, page)

    def parse_shell(self, response: Response, column: Column) -> Iterator[scrapy.Request]:
        self._shell[column.name] = shell_query_data(response.text) if hasattr(response, "text") else {}
        yield self._list_request(column, 1)

    def on_shell_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """The shell did not load: not a lost page (the configured ids still name the request), so log and go on."""
        column = failure.request.cb_kwargs["column"]  # type: ignore[attr-defined]
        self._inc("scs/jpaas_shell_unread")
        self.logger.warning("shell page of column %r not read (%s): configured ids used", column.name, failure.value)
        self._shell[column.name] = {}
        yield self._list_request(column, 1)

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        return scrapy.Request(
            unit_url(column.url, str(column.params["page_id"]), page, self.options, self._shell.get(column.name)),
            headers={"Accept": "application/json, text/javascript, */*; q=0.01", "Referer": column.url},
        )

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        fragment = Selector(text=f"<ul>{unit_html(response.body)}</ul>")
        entries = []
        for item in fragment.css(self.options.item_selector):
            link = item.css(self.options.link_selector)
            if not link:
                continue
            href = link[0].attrib["href"].strip()
            title = link[0].attrib.get("title") or " ".join(link[0].css("::text").getall())
            dates = item.css(self.options.date_selector) if self.options.date_selector else []
            date_text = " ".join(text for element in dates for text in element.css("::text").getall())
            date = _DATE.search(date_text or " ".join(item.css("::text").getall()))
            entries.append(
                ListEntry(
                    url=urljoin(column.url, href), title=clean_text(title), date_raw=date.group(0) if date else ""
                )
            )
        return entries

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        return len(entries) >= self.options.page_size

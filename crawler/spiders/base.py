"""The base every source spider shares, whatever its CMS family.

A family subclass only knows how to (1) build the request for list page *n* of a
column and (2) read list entries and the next page out of a list response. Detail
pages go through the shared generic extraction (`crawler.extract`), which a family
may refine. Every request carries an errback, so no URL ends unaccounted for: it
becomes a notice, or a `FailedPage` with the reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import FailedPage, NoticeItem
from crawler.sourceconfig import Column, Source


@dataclass
class ListEntry:
    """One link on a list page (or one record of a list API)."""

    url: str
    title: str = ""
    date_raw: str = ""
    extra: dict[str, Any] | None = None  # API fields worth keeping (publisher, doc number, ...)


@dataclass
class NoOptions:
    """For families that need no options beyond the columns."""


class NoticeSpider(scrapy.Spider):
    """Base spider: subclasses set `family`, `Options` and implement the two list hooks."""

    family: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    source: ClassVar[Source]

    async def start(self) -> AsyncIterator[Any]:
        for column in self.source.columns:
            yield self.list_request(column, page=1)

    # -- family hooks -------------------------------------------------------------------------

    def list_request(self, column: Column, page: int) -> scrapy.Request:
        """The request for list page `page` (1-based) of `column`."""
        raise NotImplementedError

    def parse_list_entries(self, response: Response, column: Column, page: int) -> Iterable[ListEntry]:
        """The entries on one list page."""
        raise NotImplementedError

    def has_next_page(self, response: Response, column: Column, page: int, entries: list[ListEntry]) -> bool:
        """Whether list page `page + 1` exists."""
        raise NotImplementedError

    # -- shared flow --------------------------------------------------------------------------

    def parse_list(self, response: Response, column: Column, page: int) -> Iterator[Any]:
        raise NotImplementedError

    def parse_detail(self, response: Response, entry: ListEntry) -> Iterator[NoticeItem | FailedPage]:
        raise NotImplementedError

    def on_error(self, failure: Failure) -> Iterator[FailedPage]:
        raise NotImplementedError

"""The registry of CMS-family base spiders, keyed by the `family` name used in source files."""

from __future__ import annotations

from crawler.spiders.base import NoticeSpider

FAMILIES: dict[str, type[NoticeSpider]] = {}

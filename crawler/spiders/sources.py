"""One spider class per source file, so `scrapy crawl <source id>` works.

The classes are built from `crawler/sources/*.toml` on import (every file is
validated then) and placed in this module, where Scrapy's SPIDER_MODULES finds them.
A source's politeness settings become the class's `custom_settings`.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from crawler.sourceconfig import Source, SourceConfigError, load_sources
from crawler.spiders.base import NoticeSpider
from crawler.spiders.families import FAMILIES

logger = logging.getLogger(__name__)


def source_settings(source: Source) -> dict[str, Any]:
    """The per-source Scrapy settings: robots.txt, delay and (when set) User-Agent."""
    settings: dict[str, Any] = {"ROBOTSTXT_OBEY": source.obey_robots, "DOWNLOAD_DELAY": source.download_delay}
    if source.user_agent:
        settings["USER_AGENT"] = source.user_agent
    return settings


def build_spider_class(source: Source) -> type[NoticeSpider]:
    family = FAMILIES[source.family]
    for column in source.columns:
        try:
            family.check_column(column)
        except ValueError as error:
            raise SourceConfigError(f"{source.path.name if source.path else source.id}: {error}") from error
    class_name = "".join(part.title() for part in source.id.split("_")) + "Spider"
    return type(
        class_name,
        (family,),
        {
            "name": source.id,
            "source": source,
            "custom_settings": source_settings(source),
            "__module__": __name__,
            "__doc__": f"{source.name} ({source.family}).",
        },
    )


@cache
def all_spider_classes() -> dict[str, type[NoticeSpider]]:
    """Spider class per source id, for every source file that loads (the others are logged and left out)."""
    broken: dict[str, SourceConfigError] = {}
    classes = {source_id: build_spider_class(source) for source_id, source in load_sources(broken=broken).items()}
    for error in broken.values():
        logger.error("source file skipped: %s", error)
    return classes


def spider_class(source_id: str) -> type[NoticeSpider]:
    """The spider class of one source; KeyError naming the known ids if there is none."""
    classes = all_spider_classes()
    if source_id not in classes:
        raise KeyError(f"no source {source_id!r}; known: {', '.join(sorted(classes))}")
    return classes[source_id]


globals().update({spider.__name__: spider for spider in all_spider_classes().values()})

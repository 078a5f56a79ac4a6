"""The registry of CMS-family base spiders, keyed by the `family` name used in source files."""

from __future__ import annotations

from crawler.spiders.base import NoticeSpider
from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.govcn_api import GovcnApiSpider
from crawler.spiders.hanweb_jpage import HanwebJpageSpider
from crawler.spiders.static_list import StaticListSpider
from crawler.spiders.trs_jpaas import TrsJpaasSpider
from crawler.spiders.trs_static import TrsStaticSpider

FAMILIES: dict[str, type[NoticeSpider]] = {
    spider.family: spider
    for spider in (
        TrsStaticSpider,
        GovcnApiSpider,
        HanwebJpageSpider,
        TrsJpaasSpider,
        GkmlptSpider,
        StaticListSpider,
    )
}

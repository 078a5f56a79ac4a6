"""Each source's list request for pages 1 and 2, stated literally (never built with the spiders' own helpers).

Where a URL comes from: shared/sites.md (section or family row named in the comment), else the
pattern the family documents there (TRS static `index_{n-1}.html`, Hanweb `startrecord/endrecord/
perpage`), marked `family pattern` where the site itself is not described. A spider whose paging
drifts from these fails here, whatever the mirror serves.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.utils.test import get_crawler

from crawler.sourceconfig import load_sources
from crawler.spiders.sources import spider_class

HANWEB = "/module/web/jpage/dataproxy.jsp"
ZJ_HANWEB = "/module/jpage/dataproxy.jsp"
JPAAS = (
    "https://www.samr.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic"
    "&webId=29e9522dc89d4e088a953d8cede72f4c&tplSetId=5c30fb89ae5e48b9aefe3cdf49853830&pageType=column"
    "&tagId=内容区域&editType=null&pageId=3b6f1e8a2c0d4e5fa9b7c6d5e4f30211"
)
GOVCN = (
    "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&q=&timetype=timeqb&mintime=&maxtime=&sort=pubtime"
    "&sortType=1&searchfield=title&pcode=&puborg=&p={p}&n=10&inpro=&bmfl=&dup=&orpro=&type=gwyzcwjk"
)

# source: (method, page 1, page 2); page 2 None where the site's next link names it (next_link paging).
EXPECTED: dict[str, tuple[str, str, str | None]] = {
    # TRS static, sites.md family row: page 1 = index.html, page n = index_{n-1}.html
    "ndrc": (
        "GET",
        "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html",
        "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html",
    ),
    "mot": (
        "GET",
        "https://www.mot.gov.cn/hudong/yijianzhengji/index.html",
        "https://www.mot.gov.cn/hudong/yijianzhengji/index_1.html",
    ),
    "mee": (
        "GET",
        "https://www.mee.gov.cn/zcwj/zyygwj/index.shtml",
        "https://www.mee.gov.cn/zcwj/zyygwj/index_1.shtml",
    ),
    "mohurd": (
        "GET",
        "https://www.mohurd.gov.cn/gongkai/zhengce/zhengcefilelib/index.html",
        "https://www.mohurd.gov.cn/gongkai/zhengce/zhengcefilelib/index_1.html",
    ),
    "hunan": (  # family pattern
        "GET",
        "https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfwj/index.html",
        "https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfwj/index_1.html",
    ),
    "hohhot": (
        "GET",
        "http://www.hohhot.gov.cn/zwgk/tzgg/index.html",
        "http://www.hohhot.gov.cn/zwgk/tzgg/index_1.html",
    ),
    "sichuan": (  # family pattern on a list_ft page
        "GET",
        "https://www.sc.gov.cn/10462/c103044/list_ft.shtml",
        "https://www.sc.gov.cn/10462/c103044/list_ft_1.shtml",
    ),
    # static lists paged by file name
    "beijing": (
        "GET",
        "https://www.beijing.gov.cn/zhengce/zhengcefagui/index.html",
        "https://www.beijing.gov.cn/zhengce/zhengcefagui/index_1.html",
    ),
    "henan": (
        "GET",
        "https://www.henan.gov.cn/zwgk/fgwj/szfwj/index.html",
        "https://www.henan.gov.cn/zwgk/fgwj/szfwj/index_1.html",
    ),
    "creditchina": (
        "GET",
        "https://www.creditchina.gov.cn/xinyongdongtai/index.html",
        "https://www.creditchina.gov.cn/xinyongdongtai/index_1.html",
    ),
    # sites.md §8: Shanghai's JS vars pageName/pageExt/pageIndex → index_{n}.html
    "shanghai": (
        "GET",
        "https://www.shanghai.gov.cn/xxzfgzwj/index.html",
        "https://www.shanghai.gov.cn/xxzfgzwj/index_2.html",
    ),
    # sites.md §4: CAC channel lists A<code>index_1.htm, then A<code>index_2.htm
    "cac": ("GET", "https://www.cac.gov.cn/xxh/A0906index_1.htm", "https://www.cac.gov.cn/xxh/A0906index_2.htm"),
    # static lists paged by a query parameter
    "credit_hunan": (
        "GET",
        "https://credit.fgw.hunan.gov.cn/credithn2020/page/news/zcfg.jsp",
        "https://credit.fgw.hunan.gov.cn/credithn2020/page/news/zcfg.jsp?pageNo=2",
    ),
    "credit_sichuan": (
        "GET",
        "https://credit.sc.gov.cn/xysc/c100100/list.shtml",
        "https://credit.sc.gov.cn/xysc/c100100/list.shtml?page=2",
    ),
    "spc": (
        "GET",
        "https://www.court.gov.cn/fabu/gengduo/16.html",
        "https://www.court.gov.cn/fabu/gengduo/16.html?page=2",
    ),
    "zhengzhou": (
        "GET",
        "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y",
        "https://public.zhengzhou.gov.cn/?a=path&d=19&p=D12Y&page=2",
    ),
    # next-link lists (sites.md §9 Shenzhen `a.next`; PBOC, STA): page 2 is whatever link the page gives
    "pboc": ("GET", "http://www.pbc.gov.cn/zhengxinguanliju/128332/128342/index.html", None),
    "shenzhen": ("GET", "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/index.html", None),
    "sta": ("GET", "https://www.chinatax.gov.cn/chinatax/n810341/n810825/index.html", None),
    # Hanweb jpage (sites.md family row, §7 Jiangsu, §13 Zhejiang: startrecord=1&endrecord=45&perpage=15)
    "jiangsu": (
        "POST",
        f"https://www.jiangsu.gov.cn{HANWEB}?startrecord=1&endrecord=10&perpage=10",
        f"https://www.jiangsu.gov.cn{HANWEB}?startrecord=11&endrecord=20&perpage=10",
    ),
    "credit_jiangsu": (
        "POST",
        f"https://credit.jiangsu.gov.cn{HANWEB}?startrecord=1&endrecord=15&perpage=15",
        f"https://credit.jiangsu.gov.cn{HANWEB}?startrecord=16&endrecord=30&perpage=15",
    ),
    "zhejiang": (
        "POST",
        f"https://www.zj.gov.cn{ZJ_HANWEB}?startrecord=1&endrecord=45&perpage=15",
        f"https://www.zj.gov.cn{ZJ_HANWEB}?startrecord=46&endrecord=90&perpage=15",
    ),
    "wenzhou": (  # Zhejiang's conventions, unverified on the live site (sites.md §13)
        "POST",
        f"https://www.wenzhou.gov.cn{ZJ_HANWEB}?startrecord=1&endrecord=45&perpage=15",
        f"https://www.wenzhou.gov.cn{ZJ_HANWEB}?startrecord=46&endrecord=90&perpage=15",
    ),
    # gkmlpt JSON (sites.md family row, §10): /gkmlpt/api/all/<cat>?page=N&sid=<site>
    "guangdong": (
        "GET",
        "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2",
        "http://www.gd.gov.cn/gkmlpt/api/all/5?page=2&sid=2",
    ),
    "shenzhen_fgw": (
        "GET",
        "http://fgw.sz.gov.cn/gkmlpt/api/all/19251?page=1&sid=755015",
        "http://fgw.sz.gov.cn/gkmlpt/api/all/19251?page=2&sid=755015",
    ),
    # TRS jpaas (sites.md §6 SAMR): paging only inside paramJson, 20 a page
    "samr": (
        "GET",
        JPAAS + '&paramJson={"pageNo": 1, "pageSize": 20}',
        JPAAS + '&paramJson={"pageNo": 2, "pageSize": 20}',
    ),
    # gov.cn policy library search API: p=<page>&n=<size>
    "govcn": ("GET", GOVCN.format(p=1), GOVCN.format(p=2)),
}


def _same_url(actual: str, expected: str) -> bool:
    """Same scheme, host, path and query parameters (percent-encoding and `+`/space spelling aside)."""
    a, b = urlsplit(actual), urlsplit(expected)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path) and parse_qs(
        a.query, keep_blank_values=True
    ) == parse_qs(b.query, keep_blank_values=True)


def test_every_source_is_listed() -> None:
    assert set(EXPECTED) == set(load_sources())


@pytest.mark.parametrize("source_id", sorted(EXPECTED))
def test_list_requests_of_pages_one_and_two(source_id: str) -> None:
    crawler = get_crawler(spider_class(source_id))
    spider = crawler.spidercls.from_crawler(crawler)
    column = spider.source.columns[0]
    method, first, second = EXPECTED[source_id]
    request = spider.list_request(column, 1)
    assert request.method == method and _same_url(request.url, first), request.url
    if second is not None:
        request = spider.list_request(column, 2)
        assert request.method == method and _same_url(request.url, second), request.url

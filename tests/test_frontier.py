"""The shared frontier's guarantees, on a real Redis: one worker per request, nothing lost with a dead worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.distributed import LEASE_META, Frontier, LeasingScheduler, frontier_settings


class ListSpider(Spider):
    name = "ndrc"


@pytest.fixture
def schedulers(redis_url: str) -> Iterator[dict[str, LeasingScheduler]]:
    """Two workers' schedulers on one frontier (no heartbeat: each test decides who is alive)."""
    opened = {}
    for worker in ("a", "b"):
        crawler = get_crawler(ListSpider, frontier_settings(redis_url, role="worker", worker_id=worker, prefix="t"))
        spider = ListSpider.from_crawler(crawler)
        scheduler = LeasingScheduler.from_crawler(crawler)
        scheduler.open(spider)
        opened[worker] = scheduler
    yield opened
    for scheduler in opened.values():
        scheduler.server.close()


def urls(requests: list[Request | None]) -> list[str | None]:
    return [request.url if request else None for request in requests]


def test_each_request_goes_to_one_worker_once(schedulers: dict[str, LeasingScheduler]) -> None:
    a, b = schedulers["a"], schedulers["b"]
    for page in (1, 2, 3):
        assert a.enqueue_request(Request(f"https://www.ndrc.gov.cn/list_{page}.html"))
    assert not b.enqueue_request(Request("https://www.ndrc.gov.cn/list_2.html"))  # seen: filtered
    taken = [a.next_request(), b.next_request(), a.next_request(), b.next_request()]
    assert sorted(u for u in urls(taken) if u) == [f"https://www.ndrc.gov.cn/list_{p}.html" for p in (1, 2, 3)]
    assert taken[-1] is None


def test_a_dead_workers_requests_go_back_in_priority_order(schedulers: dict[str, LeasingScheduler]) -> None:
    a, b = schedulers["a"], schedulers["b"]
    frontier: Frontier = a.frontier
    a.enqueue_request(Request("https://www.ndrc.gov.cn/detail.html", priority=10))
    a.enqueue_request(Request("https://www.ndrc.gov.cn/list_2.html", priority=0))
    held = [a.next_request(), a.next_request()]
    assert urls(held) == ["https://www.ndrc.gov.cn/detail.html", "https://www.ndrc.gov.cn/list_2.html"]
    assert b.next_request() is None
    assert not frontier.drained("ndrc")  # nothing queued, but worker a holds two requests

    frontier.beat("b", 30)  # b is alive, a never beat: a is dead
    assert frontier.recover_dead_workers() == 2
    assert urls([b.next_request(), b.next_request(), b.next_request()]) == [*urls(held), None]


def test_a_live_workers_requests_stay_with_it(schedulers: dict[str, LeasingScheduler]) -> None:
    a, b = schedulers["a"], schedulers["b"]
    a.frontier.beat("a", 30)
    a.enqueue_request(Request("https://www.ndrc.gov.cn/list_1.html"))
    request = a.next_request()
    assert request is not None
    assert a.frontier.recover_dead_workers() == 0
    assert b.next_request() is None
    a.frontier.release("a", "ndrc", request.meta[LEASE_META])
    assert a.frontier.drained("ndrc")


def test_a_rescheduled_request_hands_its_lease_to_its_successor(schedulers: dict[str, LeasingScheduler]) -> None:
    a, b = schedulers["a"], schedulers["b"]
    a.enqueue_request(Request("http://www.ndrc.gov.cn/list_1.html"))
    request = a.next_request()
    assert request is not None and LEASE_META in request.meta
    # A redirect (or retry, or the mirror rewrite) comes back to the scheduler as a new request.
    assert a.enqueue_request(request.replace(url="https://www.ndrc.gov.cn/list_1.html"))
    assert a.frontier.leased("ndrc") == 0
    successor = b.next_request()
    assert successor is not None and successor.url == "https://www.ndrc.gov.cn/list_1.html"
    assert successor.meta[LEASE_META] != request.meta[LEASE_META]


def test_seeding_only_enqueues(redis_url: str) -> None:
    crawler = get_crawler(ListSpider, frontier_settings(redis_url, role="seed", prefix="t"))
    spider = ListSpider.from_crawler(crawler)
    seeder = LeasingScheduler.from_crawler(crawler)
    seeder.open(spider)
    assert seeder.enqueue_request(Request("https://www.ndrc.gov.cn/list_1.html"))
    assert seeder.next_request() is None
    assert not seeder.has_pending_requests()
    assert seeder.frontier.queued("ndrc") == 1
    seeder.server.close()

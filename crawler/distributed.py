"""The shared crawl frontier: a Redis request queue and duplicate filter (scrapy-redis) with leases.

Any number of worker processes (`scs worker`, on any machine) take requests from one Redis: a
priority queue per source (`<prefix>:<source>:requests`) and a fingerprint set per source
(`<prefix>:<source>:dupefilter`), scrapy-redis's own. A request enters the queue at most once
(the duplicate filter) and leaves it for exactly one worker, so across all workers each page is
fetched once.

Why leases: scrapy-redis pops a request destructively, so a worker killed with requests in hand
(waiting for a download slot, downloading, or being parsed and stored) would lose them. Here a pop
atomically moves the request into the worker's lease hash (`<prefix>:leases:<worker>:<source>`); the
lease is released only once the request is fully handled: its callback or errback has run, the
requests it yielded are in the shared queue and the items it yielded have been through the pipelines
(stored). A request the worker re-schedules (redirect, retry, the mirror rewrite) hands its lease
over to the successor in the queue. Every worker keeps a heartbeat key alive (`<prefix>:worker:<id>`,
TTL `SCS_WORKER_LEASE_SECONDS`); any worker that finds a lease hash whose owner has no heartbeat
returns its requests to the queue. So a killed worker loses nothing: what it held is fetched again by
another worker after at most one lease period, and the store's upsert on the URL keeps each notice
stored once. The database stays the source of truth for what has been stored.

Seeding (`scs crawl --distributed`) runs each source's spider with `role = seed`: its start requests go
into the queue through the same scheduler, and nothing is downloaded.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

LEASE_META = "scs_lease"
DEFAULT_PREFIX = "scs"
DEFAULT_LEASE_SECONDS = 30

# Pop the best-scored request and record it in the worker's lease hash, atomically.
# KEYS: queue, lease hash, lease sequence, lease-hash registry. Returns {lease id, request data} or nil.
_LEASE_SCRIPT = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, popped[2] .. '\\n' .. popped[1])
redis.call('SADD', KEYS[4], KEYS[2])
return {id, popped[1]}
"""

# Put every request of a lease hash back in its queue (with its score) and delete the hash, atomically.
# KEYS: lease hash, queue, lease-hash registry. Returns how many requests went back.
_RETURN_SCRIPT = """
local leases = redis.call('HVALS', KEYS[1])
for _, value in ipairs(leases) do
  local newline = string.find(value, '\\n', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(value, 1, newline - 1), string.sub(value, newline + 1))
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], KEYS[1])
return #leases
"""


# Requests of one spider still to do: queued plus leased by any worker, counted atomically (a request
# moving from the queue into a lease, or a lease's successor entering the queue, is never missed).
# KEYS: queue, lease-hash registry. ARGV: the lease-hash key suffix of the spider (":<spider>").
_PENDING_SCRIPT = """
local total = redis.call('ZCARD', KEYS[1])
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if string.sub(key, -string.len(ARGV[1])) == ARGV[1] then
    total = total + redis.call('HLEN', key)
  end
end
return total
"""


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def frontier_settings(
    redis_url: str, *, role: str, prefix: str = DEFAULT_PREFIX, worker_id: str = "", lease_seconds: int = 0
) -> dict[str, Any]:
    """Scrapy settings that put a crawler on the shared frontier. `role`: `worker` or `seed`."""
    if role not in ("worker", "seed"):
        raise ValueError(f"role must be 'worker' or 'seed', not {role!r}")
    return {
        "SCHEDULER": "crawler.distributed.LeasingScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "SCHEDULER_PERSIST": True,  # the queue is shared: a worker that stops must not clear it
        "REDIS_URL": redis_url,
        "SCS_FRONTIER_PREFIX": prefix,
        "SCS_FRONTIER_ROLE": role,
        "SCS_WORKER_ID": worker_id or default_worker_id(),
        "SCS_WORKER_LEASE_SECONDS": lease_seconds
        or int(os.environ.get("SCS_WORKER_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS),
        "EXTENSIONS": {"crawler.distributed.WorkerLeases": 0},
    }


class Frontier:
    """The Redis keys of one deployment (`prefix`) and the lease operations on them."""

    def __init__(self, server: Any, prefix: str = DEFAULT_PREFIX) -> None:
        self.server = server
        self.prefix = prefix
        self._lease = server.register_script(_LEASE_SCRIPT)
        self._return = server.register_script(_RETURN_SCRIPT)
        self._pending = server.register_script(_PENDING_SCRIPT)

    @classmethod
    def from_url(cls, redis_url: str, prefix: str = DEFAULT_PREFIX) -> Frontier:
        import redis

        return cls(redis.Redis.from_url(redis_url), prefix)

    def queue_key(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:requests"

    def dupefilter_key(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:dupefilter"

    def lease_key(self, worker: str, spider: str) -> str:
        return f"{self.prefix}:leases:{worker}:{spider}"

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    @property
    def registry_key(self) -> str:
        return f"{self.prefix}:leases"

    @property
    def run_key(self) -> str:
        """The id of the crawl run (database `crawl_runs.id`) the seeded requests belong to."""
        return f"{self.prefix}:run"

    def _owner(self, lease_key: str) -> tuple[str, str]:
        worker, _, spider = lease_key.removeprefix(f"{self.prefix}:leases:").rpartition(":")
        return worker, spider

    # -- leases --------------------------------------------------------------------------------

    def lease(self, worker: str, spider: str) -> tuple[int, bytes] | None:
        """The next request of `spider`'s queue, now leased to `worker`: (lease id, request data)."""
        popped = self._lease(
            keys=[self.queue_key(spider), self.lease_key(worker, spider), f"{self.prefix}:lease-seq", self.registry_key]
        )
        if not popped:
            return None
        lease_id, data = popped
        return int(lease_id), data

    def release(self, worker: str, spider: str, lease_id: int) -> None:
        self.server.hdel(self.lease_key(worker, spider), lease_id)

    def return_leases(self, worker: str, spider: str) -> int:
        """Put all of `worker`'s leased requests of `spider` back in the queue."""
        returned: int = self._return(keys=[self.lease_key(worker, spider), self.queue_key(spider), self.registry_key])
        return returned

    def beat(self, worker: str, lease_seconds: int) -> None:
        self.server.set(self.heartbeat_key(worker), "1", ex=lease_seconds)

    def recover_dead_workers(self) -> int:
        """Return the leases of every worker whose heartbeat expired; how many requests went back."""
        returned = 0
        for raw_key in self.server.smembers(self.registry_key):
            lease_key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            worker, spider = self._owner(lease_key)
            if not self.server.exists(self.heartbeat_key(worker)):
                count = self.return_leases(worker, spider)
                if count:
                    logger.warning("worker %s is gone: %d request(s) of %s back in the queue", worker, count, spider)
                returned += count
        return returned

    # -- state ---------------------------------------------------------------------------------

    def queued(self, spider: str) -> int:
        return int(self.server.zcard(self.queue_key(spider)))

    def leased(self, spider: str) -> int:
        """Requests of `spider` held by workers (alive or not yet recovered)."""
        total = 0
        for raw_key in self.server.smembers(self.registry_key):
            lease_key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            if self._owner(lease_key)[1] == spider:
                total += int(self.server.hlen(lease_key))
        return total

    def pending(self, spider: str) -> int:
        """Requests of `spider` queued or held by a worker, read in one atomic step."""
        return int(self._pending(keys=[self.queue_key(spider), self.registry_key], args=[f":{spider}"]))

    def drained(self, spider: str) -> bool:
        """Nothing of `spider` left to fetch: its queue is empty and no worker holds one of its requests."""
        return self.pending(spider) == 0

    def reset(self, spider: str) -> None:
        """Forget the fingerprints of a finished crawl, so a new one fetches the list pages again."""
        self.server.delete(self.dupefilter_key(spider))


class LeasingScheduler(Scheduler):
    """scrapy-redis's scheduler (shared priority queue and duplicate filter) with leased pops.

    Role `seed`: only enqueues (the seeding spider's start requests) and never hands out a request.
    """

    crawler: Crawler
    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        scheduler: LeasingScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.frontier = Frontier(scheduler.server, settings.get("SCS_FRONTIER_PREFIX", DEFAULT_PREFIX))
        scheduler.role = settings.get("SCS_FRONTIER_ROLE", "worker")
        scheduler.worker_id = settings.get("SCS_WORKER_ID") or default_worker_id()
        return scheduler

    def open(self, spider: Spider) -> None:
        from scrapy.utils.misc import load_object

        # As scrapy-redis's open(), minus its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name}, serializer=self.serializer
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if len(self.queue):
            spider.logger.info("joining the shared frontier: %d request(s) queued", len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        # A leased request coming back (redirect, retry, mirror rewrite): the successor goes into the
        # shared queue first, then the lease is released, so a kill in between duplicates, never loses.
        # If Redis fails here the lease stays, and the request comes back when this worker is gone.
        lease_id = request.meta.pop(LEASE_META, None)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            queued = False
        else:
            self.queue.push(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            queued = True
        if lease_id is not None:
            self.frontier.release(self.worker_id, self.spider.name, lease_id)
        return queued

    def next_request(self) -> Request | None:
        if self.role == "seed":
            return None
        leased = self.frontier.lease(self.worker_id, self.spider.name)
        if leased is None:
            return None
        lease_id, data = leased
        request: Request = self.queue._decode_request(data)
        request.meta[LEASE_META] = lease_id
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return self.role != "seed" and super().has_pending_requests()


class WorkerLeases:
    """Extension of a worker's crawler: releases leases when requests are done, keeps the heartbeat,
    recovers dead workers' leases and keeps the spider open while its source still has work anywhere.

    `SCS_WORKER_EXIT_WHEN_DONE`: close the spider once its source is drained everywhere (batch runs,
    tests); otherwise the worker waits for new seeds.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if settings.get("SCS_FRONTIER_ROLE") != "worker":
            raise NotConfigured("not a frontier worker")
        import redis

        self.crawler = crawler
        self.worker_id: str = settings.get("SCS_WORKER_ID")
        self.lease_seconds = max(settings.getint("SCS_WORKER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS), 2)
        self.exit_when_done = settings.getbool("SCS_WORKER_EXIT_WHEN_DONE")
        self.frontier = Frontier(
            redis.Redis.from_url(settings.get("REDIS_URL")), settings.get("SCS_FRONTIER_PREFIX", DEFAULT_PREFIX)
        )
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLeases:
        return cls(crawler)

    def engine_started(self) -> None:
        self.frontier.beat(self.worker_id, self.lease_seconds)
        self._heartbeat = threading.Thread(target=self._beat, name=f"heartbeat-{self.worker_id}", daemon=True)
        self._heartbeat.start()
        self._release_when_scraped()

    def _beat(self) -> None:
        # A thread, not a reactor call: a long CPU-bound pipeline step must not make a live worker look dead.
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                self.frontier.beat(self.worker_id, self.lease_seconds)
            except Exception:  # Redis briefly away: the next beat retries
                logger.warning("heartbeat of %s failed", self.worker_id, exc_info=True)

    def _release_when_scraped(self) -> None:
        """Release a request's lease when the scraper is done with it.

        `Scraper.enqueue_scrape` returns a Deferred that fires once the callback/errback output has been
        consumed: yielded requests scheduled (in Redis) and yielded items through every pipeline. Scrapy
        has no signal for that moment, so the scraper's method is wrapped on this crawler's instance.
        """
        engine = self.crawler.engine
        assert engine is not None
        scraper = engine.scraper
        enqueue_scrape = scraper.enqueue_scrape

        def enqueue_then_release(result: Any, request: Request) -> Any:
            deferred = enqueue_scrape(result, request)
            lease_id = request.meta.get(LEASE_META)
            if lease_id is not None:
                deferred.addBoth(self._release, request, lease_id)
            return deferred

        scraper.enqueue_scrape = enqueue_then_release  # type: ignore[method-assign]

    def _release(self, result: Any, request: Request, lease_id: int) -> Any:
        spider = self.crawler.spider
        assert spider is not None
        self.frontier.release(self.worker_id, spider.name, lease_id)
        return result

    def spider_idle(self, spider: Spider) -> None:
        self.frontier.recover_dead_workers()
        if self.exit_when_done and self.frontier.drained(spider.name):
            return  # let the spider close: nothing of this source is left anywhere
        raise DontCloseSpider

    def spider_closed(self, spider: Spider) -> None:
        # Requests still held (a stop before they were done) go back for the other workers.
        returned = self.frontier.return_leases(self.worker_id, spider.name)
        if returned:
            logger.info("%d unfinished request(s) of %s returned to the queue", returned, spider.name)
        self._stop.set()


def worker_spider_class(base: type[Spider]) -> type[Spider]:
    """`base` for a worker: it takes every request from the shared queue and yields no start requests."""

    async def start(self: Any) -> AsyncIterator[Any]:
        from crawler.incremental import load_scope

        # As the base spider's start() does: what the database holds decides which list entries to skip.
        self.scope = load_scope(self.crawler.settings, self.source.id)
        return
        yield  # an async generator that yields nothing

    return type(base.__name__, (base,), {"start": start, "__module__": base.__module__, "__doc__": base.__doc__})

"""The one Scrapy item pipeline: the item stages, run in a worker process so our CPU work overlaps Scrapy's.

Scrapy downloads, parses and runs its pipelines on one thread. Normalising, dating,
classifying and storing a notice cost more than Scrapy spends fetching and parsing it,
so run inline they set the crawl's pace (`scs bench crawl`). With `SCS_PIPELINE_WORKER`
on (the default), `StagesPipeline` hands each item to one worker process that runs
`StageChain` (normalise → dates → classify → store) and sends back the item, the stats
it counted and the log records it made; the crawl process goes on downloading and
parsing meanwhile. Scrapy's limit on responses in processing
(`SCRAPER_SLOT_MAX_ACTIVE_SIZE`) holds the downloads back if the worker falls behind.

The two talk over a socket pair driven by the crawl's own event loop: no helper threads
in the crawl process (they would fight the reactor for the GIL), and a write never blocks
the reactor. The worker is spawned (not forked: the crawl process runs an event loop and
threads), warms up while the first pages download, handles items in the order sent, and
exits at end of input, so a crawl process killed with -9 leaves no worker behind. If the
worker dies, the items it held and the rest of the crawl run through the same chain
inline: a lost worker never stops a crawl. All crawlers of one process (`scs crawl`
runs every source in one) share one worker.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

from pipelines.stages import StageChain

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")  # length of the pickled message that follows
WORKER_EXIT_SECONDS = 30.0
ITEM_TIMEOUT = 120.0  # seconds the worker may spend on one item (SCS_ITEM_TIMEOUT; 0: no limit)
READY = ("ready", None)  # the worker's first message: warmed up, items are timed from now


class CountingStats:
    """The part of Scrapy's stats collector the stages use, counting into a Counter."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


class WorkerLost(Exception):
    """The worker process ended before answering."""


class PipelineWorker:
    """One worker process and the connection to it, shared by every crawler of this process with the same store.

    `scs crawl` runs all its sources in one process: one worker (one copy of the lexicons
    and jieba's dictionary) serves them all; answers come back in the order items were sent.

    An item the worker spends more than `item_timeout` seconds on (counted from when the worker
    reached it, not from when it was queued) is answered ("timeout", seconds) and the worker is
    killed and replaced; the items queued behind it go to the new worker, in order.
    """

    def __init__(self, database_url: str | None, run_id: int | None, item_timeout: float = ITEM_TIMEOUT) -> None:
        self.key = (database_url, run_id)
        self.item_timeout = item_timeout
        self.users = 0
        self.process: Any = None  # multiprocessing.Process
        self.writer: asyncio.StreamWriter | None = None
        self.waiting: collections.deque[tuple[asyncio.Future[tuple[str, Any]], Any]] = collections.deque()
        self.answers: asyncio.Task[None] | None = None
        self.head_since = time.monotonic()  # when the worker reached the item at the head of `waiting`
        self.ready = False  # the worker has warmed up (lexicons, jieba): its time per item counts from then
        self.watchdog: asyncio.Task[None] | None = None
        self.replacement: asyncio.Task[None] | None = None  # the replacement of a worker past its time, while on
        # Started at once (on the running loop); crawlers opening meanwhile wait for the same start.
        self.started = asyncio.ensure_future(self._start())

    async def _start(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_worker_main, args=(theirs, *self.key, os.getpid()), name="scs-pipeline", daemon=True
        )
        self.process.start()
        theirs.close()
        self.ready = False
        reader, self.writer = await asyncio.open_connection(sock=ours)
        self.answers = asyncio.ensure_future(self._read_answers(reader, self.writer))
        if self.watchdog is None and self.item_timeout > 0:
            self.watchdog = asyncio.ensure_future(self._watch())

    @property
    def alive(self) -> bool:
        return self.writer is not None and not self.writer.is_closing()

    async def run(self, item: Any) -> tuple[str, Any]:
        """("done", (item, stats, log records)), ("failed", traceback) or ("timeout", seconds); WorkerLost if it
        died first."""
        assert self.writer is not None
        answer: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()
        if not self.waiting:
            self.head_since = time.monotonic()
        self.waiting.append((answer, item))
        self.writer.write(_message(item))
        return await answer

    async def stop(self) -> None:
        if self.replacement is not None:
            await self.replacement  # a worker being replaced: stop the new one
        if self.watchdog is not None:
            self.watchdog.cancel()
        assert self.writer is not None and self.answers is not None
        if self.writer.can_write_eof():
            self.writer.write_eof()  # end of input: the worker closes its store and exits
        await self.answers
        self.writer.close()
        self.process.join(WORKER_EXIT_SECONDS)
        if self.process.exitcode != 0:
            logger.error("the pipeline worker exited with %s", self.process.exitcode)

    async def _read_answers(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                (length,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
                answer = pickle.loads(await reader.readexactly(length))
                self.head_since = time.monotonic()
                if answer == READY:
                    self.ready = True
                    continue
                future, _item = self.waiting.popleft()
                future.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError):  # the worker closed its end: done, or dead
            pass
        except Exception:
            logger.exception("reading the pipeline worker's answers failed")
        if writer is not self.writer:
            return  # a worker replaced after a timeout: its successor has the queue
        if self.waiting:
            logger.error("the pipeline worker died; the rest of this crawl runs the stages inline")
        while self.waiting:
            self.waiting.popleft()[0].set_exception(WorkerLost())
        writer.close()

    async def _watch(self) -> None:
        """Every second: is the worker past its time on the item at the head of the queue?"""
        while True:
            await asyncio.sleep(min(1.0, self.item_timeout / 4))
            overdue = time.monotonic() - self.head_since > self.item_timeout
            if self.waiting and self.alive and self.ready and overdue:
                self.replacement = asyncio.ensure_future(self._replace_after_timeout())
                await asyncio.shield(self.replacement)  # stop() cancels the watchdog, never a replacement
                self.replacement = None

    async def _replace_after_timeout(self) -> None:
        future, item = self.waiting.popleft()
        logger.error(
            "the pipeline worker spent more than %g s on %s: item quarantined, worker replaced",
            self.item_timeout,
            getattr(item, "url", item),
        )
        old_writer, old_answers = self.writer, self.answers
        self.writer = None
        self.process.kill()
        self.process.join(WORKER_EXIT_SECONDS)
        assert old_writer is not None and old_answers is not None
        old_writer.close()
        await asyncio.gather(old_answers, return_exceptions=True)
        await self._start()
        assert self.writer is not None
        self.head_since = time.monotonic()
        for _future, queued in self.waiting:  # sent to the killed worker and never answered: send them again
            self.writer.write(_message(queued))
        future.set_result(("timeout", self.item_timeout))  # its caller goes on once the new worker is there


_workers: dict[tuple[str | None, int | None], PipelineWorker] = {}


class StagesPipeline:
    """Runs `StageChain` on every item: in the worker process, or inline with `SCS_PIPELINE_WORKER` off."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.database_url: str | None = settings.get("SCS_DATABASE_URL")
        self.run_id: int | None = settings.getint("SCS_RUN_ID") or None
        self.use_worker = settings.getbool("SCS_PIPELINE_WORKER")
        self.item_timeout = settings.getfloat("SCS_ITEM_TIMEOUT", ITEM_TIMEOUT)
        self.worker: PipelineWorker | None = None
        self.inline: StageChain | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StagesPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        if not self.use_worker:
            self._open_inline()
            return
        key = (self.database_url, self.run_id)
        if key not in _workers:
            _workers[key] = PipelineWorker(*key, item_timeout=self.item_timeout)
        self.worker = _workers[key]
        self.worker.users += 1
        await self.worker.started

    async def process_item(self, item: Any) -> Any:
        if self.worker is not None and self.worker.alive:
            try:
                kind, payload = await self.worker.run(item)
            except WorkerLost:
                pass
            else:
                if kind == "done":
                    return self._take_answer(*payload)
                if kind == "timeout":
                    return self._quarantine_timed_out(item, payload)
                logger.error("the pipeline worker failed on %s; running it inline:\n%s", item.url, payload)
        return self._inline_chain().process(item)

    async def close_spider(self) -> None:
        if self.worker is not None:
            self.worker.users -= 1
            if not self.worker.users:
                del _workers[self.worker.key]
                await self.worker.stop()
        if self.inline is not None:
            self.inline.close()

    def _take_answer(self, item: Any, counted: Counter[str], records: list[logging.LogRecord]) -> Any:
        for key, count in counted.items():
            self.stats.inc_value(key, count)
        for record in records:
            logging.getLogger(record.name).handle(record)
        return item

    def _quarantine_timed_out(self, item: Any, seconds: float) -> Any:
        """An item the worker spent too long on: quarantined as `pipeline-timeout`, never run again here."""
        from crawler.items import FailedPage

        if not hasattr(item, "url"):
            return item  # a ledger record (ListedPage): each of its detail pages settles its own row
        failed = FailedPage(
            source=item.source,
            url=item.url,
            kind="pipeline-timeout",
            reason=f"the item stages took longer than {seconds:g} s (SCS_ITEM_TIMEOUT)",
            listed_url=item.listed_url,
        )
        return self._inline_chain().store.process_item(failed)

    def _open_inline(self) -> StageChain:
        self.inline = StageChain(self.database_url, self.run_id, self.stats)
        self.inline.open()
        return self.inline

    def _inline_chain(self) -> StageChain:
        return self.inline if self.inline is not None else self._open_inline()


def _message(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


# -- the worker process ------------------------------------------------------------------------------


class _RecordCollector(logging.Handler):
    """Keeps the worker's warnings and errors to be logged by the crawl process, with Scrapy's handlers."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # arguments may not pickle
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


PARENT_CHECK_SECONDS = 0.5


def _die_with_parent(parent_pid: int) -> None:
    """End this worker the moment the crawl process that started it is gone, even in the middle of an item.

    Linux: the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG). Everywhere: a thread checks
    twice a second whether this process was re-parented. Without either, a worker busy on one long item
    would notice the closed socket only after it, and store a notice after the run lock was freed.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(70)  # no clean-up: the parent is gone, nothing may be written after it

    threading.Thread(target=watch, name="scs-parent-watch", daemon=True).start()


def _worker_main(connection: socket.socket, database_url: str | None, run_id: int | None, parent_pid: int) -> None:
    """Answers each item with ("done", (item, stats, log records)) or ("failed", traceback), in order."""
    _die_with_parent(parent_pid)
    from classifiers.engine import default_tagger

    collector = _RecordCollector()
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(logging.WARNING)
    counted = CountingStats()
    chain = StageChain(database_url, run_id, counted)
    chain.open()
    default_tagger().matcher.tokenizer()  # lexicons, automaton and jieba's dictionary, before the first item
    connection.sendall(_message(READY))
    incoming = connection.makefile("rb")
    try:
        while header := incoming.read(_HEADER.size):
            (length,) = _HEADER.unpack(header)
            item = pickle.loads(incoming.read(length))
            counted.values.clear()
            collector.records.clear()
            try:
                answer: tuple[str, Any] = ("done", (chain.process(item), Counter(counted.values), collector.records))
                reply = _message(answer)
            except Exception:
                reply = _message(("failed", traceback.format_exc()))
            connection.sendall(reply)
    finally:
        chain.close()
        connection.close()

"""`scs worker [SOURCE ...]`: a crawler process on the shared Redis frontier, writing to the shared database.

Start as many as you like, on any machine, at any time; `scs crawl --distributed` gives them work.
"""

from __future__ import annotations

import argparse

from scs.errors import int_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from scs.commands.crawl import add_crawl_options, add_mirror_option

    parser = subparsers.add_parser("worker", help="crawl requests from the shared Redis frontier (distributed crawl)")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids to work on (default: all)")
    parser.add_argument("--redis", metavar="URL", help="Redis URL of the frontier (default: $SCS_REDIS_URL)")
    add_mirror_option(parser)
    parser.add_argument(
        "--exit-when-done",
        action="store_true",
        help="stop once the frontier of these sources is empty and no worker holds a request (default: wait)",
    )
    parser.add_argument(
        "--concurrency",
        type=int_in(1, 10_000),
        metavar="N",
        help="requests this worker holds at once (Scrapy CONCURRENT_REQUESTS, default 16); what it holds is "
        "not available to other workers",
    )
    add_crawl_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scs.commands.crawl import resolve_sources, scope_settings
    from scs.distributed import redis_url, run_worker

    settings = scope_settings(args)
    if args.concurrency:
        settings["CONCURRENT_REQUESTS"] = args.concurrency
    run_worker(
        resolve_sources(args.sources),
        db_url=args.db,
        redis=redis_url(args.redis),
        mirror_url=args.mirror,
        log_level=args.log_level,
        exit_when_done=args.exit_when_done,
        settings=settings,
    )
    return 0

"""`scs mirror`: serve the offline mirror of the real sites until interrupted."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from scs.errors import int_in


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("mirror", help="serve the offline site mirror (mirror/fixtures) on 127.0.0.1")
    parser.add_argument(
        "--port", type=int_in(0, 65535), default=8765, help="port to listen on (default 8765; 0: any free port)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mirror.server import MirrorServer

    server = MirrorServer(port=args.port)
    print(f"mirror serving {len(server.fixtures)} hosts at {server.url}")
    print(f"crawl against it with: SCS_MIRROR_URL={server.url} scs crawl ...", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        server.serve_forever()
    return 0

"""`scs mirror`: serve the offline mirror of the real sites until interrupted."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from scs.errors import CommandError, int_in


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("mirror", help="serve the offline site mirror (mirror/fixtures) on 127.0.0.1")
    parser.add_argument(
        "--port", type=int_in(0, 65535), default=8765, help="port to listen on (default 8765; 0: any free port)"
    )
    parser.add_argument(
        "--faults",
        type=Path,
        metavar="FILE",
        help="misbehave as the JSON fault table in FILE says (mirror/faults.py: status, delay, reset, redirect ...)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from mirror.faults import FaultyMirror, load_fault_table
    from mirror.server import MirrorServer

    if args.faults:
        try:
            faults = load_fault_table(args.faults)
        except (ValueError, KeyError, TypeError) as error:  # not JSON, or an entry without host/path or a bad field
            raise CommandError(f"{args.faults}: not a fault table: {error!r}") from error
        server: MirrorServer = FaultyMirror(faults, port=args.port)
        print(f"with {len(faults)} fault(s) from {args.faults}")
    else:
        server = MirrorServer(port=args.port)
    print(f"mirror serving {len(server.fixtures)} hosts at {server.url}")
    print(f"crawl against it with: SCS_MIRROR_URL={server.url} scs crawl ...", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        server.serve_forever()
    return 0

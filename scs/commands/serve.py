"""`scs serve`: the analysts' web app (the newsroom)."""

from __future__ import annotations

import argparse
import os

from scs.errors import int_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the newsroom web app for analysts")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int_in(1, 65535), default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--session-minutes", type=int_in(1, 525_600), default=120, help="log analysts out after this many idle minutes"
    )
    parser.add_argument(
        "--secure-cookies", action="store_true", help="send the session cookie over HTTPS only (behind TLS)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from newsroom import create_app

    # A fixed key ($SCS_SECRET_KEY) keeps sessions valid across restarts; without it each start logs everyone out.
    app = create_app(
        args.db,
        secret_key=os.environ.get("SCS_SECRET_KEY"),
        session_minutes=args.session_minutes,
        secure_cookies=args.secure_cookies,
    )
    run_simple(args.host, args.port, app, threaded=True)
    return 0

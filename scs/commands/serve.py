"""`scs serve`: the analysts' web app (the newsroom) on the waitress WSGI server."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from scs.errors import int_in


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the newsroom web app for analysts")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int_in(1, 65535), default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--threads", type=int_in(1, 1024), default=8, help="worker threads serving requests at once (default: 8)"
    )
    parser.add_argument(
        "--session-minutes", type=int_in(1, 525_600), default=120, help="log analysts out after this many idle minutes"
    )
    parser.add_argument(
        "--session-hours",
        type=int_in(1, 8760),
        default=12,
        help="log analysts out this many hours after login, whatever they do",
    )
    parser.add_argument(
        "--secure-cookies", action="store_true", help="send the session cookie over HTTPS only (behind TLS)"
    )
    parser.add_argument(
        "--behind-proxy",
        type=int,
        default=0,
        metavar="N",
        help="trust X-Forwarded-For/-Proto/-Host from N reverse proxies in front (default: 0, none)",
    )
    parser.add_argument(
        "--secret-key-file",
        type=Path,
        help="where the cookie-signing key is kept when $SCS_SECRET_KEY is unset"
        " (default: newsroom-secret.key in the data directory; created with mode 0600)",
    )
    parser.set_defaults(run=run)


def secret_key(key_file: Path | None) -> str:
    """$SCS_SECRET_KEY if set (it must be strong), else the key in the key file (created on first start)."""
    from newsroom.secret_key import KEY_FILE_NAME, key_from_file, require_strong
    from store.db import default_database_path

    from_env = os.environ.get("SCS_SECRET_KEY")
    if from_env is not None:
        return require_strong(from_env, "$SCS_SECRET_KEY")
    path = key_file or default_database_path().parent / KEY_FILE_NAME
    key, created = key_from_file(path)
    print(f"scs serve: {'created' if created else 'using'} the session key in {path}", file=sys.stderr)
    return key


def trust_proxies(app: Any, count: int) -> None:
    """Take the client address, scheme and host from the X-Forwarded-* headers set by `count` proxies.

    Only behind proxies that set them: otherwise any client could choose the address that login
    throttling counts.
    """
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)


def run(args: argparse.Namespace) -> int:
    import logging

    from waitress import serve

    from newsroom import create_app
    from newsroom.secret_key import SecretKeyError

    if args.threads < 1 or args.behind_proxy < 0:
        print("scs serve: --threads must be at least 1 and --behind-proxy at least 0", file=sys.stderr)
        return 2
    try:
        key = secret_key(args.secret_key_file)
    except (SecretKeyError, OSError) as error:
        print(f"scs serve: {error}", file=sys.stderr)
        return 2
    # Failed and throttled logins are logged (logger newsroom.auth) with the account name and address.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(
        args.db,
        secret_key=key,
        session_minutes=args.session_minutes,
        session_hours=args.session_hours,
        secure_cookies=args.secure_cookies,
    )
    trust_proxies(app, args.behind_proxy)
    print(f"scs serve: the newsroom on http://{args.host}:{args.port}/ ({args.threads} threads)", file=sys.stderr)
    # ident="": no Server header naming the software and its version.
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="")
    return 0

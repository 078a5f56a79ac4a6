"""`scs user add NAME`: create an analyst account for the newsroom."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("user", help="manage newsroom analyst accounts")
    actions = parser.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an analyst account (asks for the password)")
    add.add_argument("name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    parser.set_defaults(run=run)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("no terminal to ask for the password on: pass --password-stdin and pipe it in")
    import getpass

    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat password: "):
        raise ValueError("the passwords differ")
    return password


def run(args: argparse.Namespace) -> int:
    from newsroom.auth import UserError, add_user
    from store.db import Store

    try:
        password = _read_password(args.password_stdin)
        store = Store(args.db)
        with store.session() as db:
            add_user(db, args.name, password)
    except (UserError, ValueError) as error:
        print(f"scs user add: {error}", file=sys.stderr)
        return 1
    print(f"created user {args.name}")
    return 0

"""`scs user list | add | disable | enable | passwd`: the newsroom's analyst accounts."""

from __future__ import annotations

import argparse
import sys


class InputError(ValueError):
    """The password could not be read as asked."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("user", help="manage newsroom analyst accounts")
    actions = parser.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    actions.add_parser("list", help="the accounts, whether each is active, and its open sessions")
    for name, text in (
        ("add", "create an analyst account (asks for the password)"),
        ("passwd", "set a new password (asks for it); the account's sessions end"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("name")
        action.add_argument(
            "--password-stdin", action="store_true", help="read the password from the first line of standard input"
        )
    for name, text in (
        ("disable", "refuse the account's logins and end its sessions at once"),
        ("enable", "let a disabled account log in again"),
    ):
        actions.add_parser(name, help=text).add_argument("name")
    parser.set_defaults(run=run)


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at the terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError("no password on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask for the password: use --password-stdin and pipe it in")
    import getpass

    try:
        password = getpass.getpass("Password: ")
        repeated = getpass.getpass("Repeat password: ")
    except (EOFError, KeyboardInterrupt):
        raise InputError("no password given") from None
    if password != repeated:
        raise InputError("the passwords differ")
    return password


def _list(db: object) -> None:
    from sqlalchemy import func, select

    from store.models import AnalystSession, User

    sessions = dict(
        db.execute(  # type: ignore[attr-defined]
            select(AnalystSession.user_id, func.count()).group_by(AnalystSession.user_id)
        ).all()
    )
    users = list(db.scalars(select(User).order_by(User.name)))  # type: ignore[attr-defined]
    if not users:
        print("no users yet: scs user add NAME")
        return
    width = max(len(user.name) for user in users)
    for user in users:
        state = "active" if user.active else "disabled"
        print(
            f"{user.name:<{width}}  {state:<8}  sessions {sessions.get(user.id, 0)}  since {user.created_at:%Y-%m-%d}"
        )


def run(args: argparse.Namespace) -> int:
    from newsroom.auth import UserError, add_user, set_active, set_password
    from store.db import Store

    action = args.user_action
    try:
        password = _read_password(args.password_stdin) if action in ("add", "passwd") else ""
        store = Store(args.db)
        with store.session() as db:
            if action == "list":
                _list(db)
                return 0
            if action == "add":
                add_user(db, args.name, password)
                message = f"created user {args.name}"
            elif action == "passwd":
                set_password(db, args.name, password)
                message = f"new password for {args.name}; their sessions have ended"
            else:
                set_active(db, args.name, action == "enable")
                message = f"{action}d user {args.name}" + ("; their sessions have ended" if action == "disable" else "")
    except (UserError, InputError) as error:
        print(f"scs user {action}: {error}", file=sys.stderr)
        return 1
    print(message)
    return 0

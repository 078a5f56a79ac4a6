"""`scs db upgrade|current`: run the schema migrations, or show where the database stands.

The same Alembic history serves SQLite and PostgreSQL; `--db` / $SCS_DATABASE_URL picks the database.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="database schema: run migrations, show the current revision")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="migrate the database to the newest schema (or --revision)")
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    actions.add_parser("current", help="print the database's schema revision and whether it is up to date")
    parser.set_defaults(run=run)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    from store.db import alembic_config

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def run(args: argparse.Namespace) -> int:
    from store.db import database_url, migrate

    url = database_url(args.db)
    if args.db_action == "upgrade":
        before = current_revision(url)
        migrate(url, args.revision)
        after = current_revision(url)
        change = f"{before or 'empty'} -> {after}" if before != after else f"already at {after}"
        print(f"{_redacted(url)}: {change}")
        return 0
    current, head = current_revision(url), head_revision(url)
    state = "up to date" if current == head else f"behind head {head}: run `scs db upgrade`"
    print(f"{_redacted(url)}: {current or 'empty (no schema)'} ({state})")
    return 0 if current == head else 1

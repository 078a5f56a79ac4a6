"""Engine and session handling, and the migrations that create the schema.

The schema is only ever created by Alembic (`migrate`), never by `create_all`,
so every database, SQLite or PostgreSQL, follows the same versioned history.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker

import store.search  # noqa: F401  (registers the ORM events that keep the search index in sync)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def default_database_path() -> Path:
    """Where the default SQLite file lives: $SCS_DATA_DIR, else the XDG data directory."""
    data_dir = os.environ.get("SCS_DATA_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "scs-tracker"
    )
    return Path(data_dir) / "scs.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one (`--db`), else $SCS_DATABASE_URL, else the default SQLite file."""
    url = explicit or os.environ.get("SCS_DATABASE_URL")
    if url:
        return url
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def lock_timeout() -> float:
    """Seconds a write waits for another writer's lock before failing ($SCS_DB_LOCK_TIMEOUT, default 30)."""
    try:
        return max(0.0, float(os.environ.get("SCS_DB_LOCK_TIMEOUT") or 30))
    except ValueError:
        return 30.0


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout() * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": lock_timeout()})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Any constant shared by all processes: the key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK_KEY = 0x5C5_7AC4


@contextmanager
def _migration_lock(url: str) -> Iterator[Connection | None]:
    """Serialise migrations across processes (several workers may start at once on one database).

    PostgreSQL: a session advisory lock on the connection the migration then runs on. SQLite: an
    exclusive `flock` on a file beside the database. The second process waits, then finds the schema
    at head and does nothing, instead of failing on tables that already exist.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                connection.commit()
                try:
                    yield connection
                    connection.commit()
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                    connection.commit()
        finally:
            engine.dispose()
        return
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        import fcntl

        with open(f"{parsed.database}.migrate-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield None
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    yield None


def migrate(url: str | None = None, revision: str = "head") -> str:
    """Bring the database at `url` up to `revision`; returns the URL used. Safe to run concurrently."""
    from alembic import command

    url = database_url(url)
    config = alembic_config(url)
    with _migration_lock(url) as connection:
        if connection is not None:
            config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return url


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The id of the single head of the migration history, read from the revision files as text.

    Alembic's script machinery costs ~160 ms to import and load on every command, only to find the
    schema already at head; this is a text scan. None when the files say anything less simple than
    one linear history of quoted ids (branches, merges, tuples): then Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        quoted = re.fullmatch(r"""(['"])(\w+)\1""", found.get("revision", ""))
        parent = found.get("down_revision", "")
        if quoted is None or parent == "":
            return None
        revisions.add(quoted.group(2))
        if parent != "None":
            quoted_parent = re.fullmatch(r"""(['"])(\w+)\1""", parent)
            if quoted_parent is None:
                return None
            parents.add(quoted_parent.group(2))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_at_head(engine: Engine) -> bool:
    """Whether the database's `alembic_version` holds exactly the head revision (False when unsure)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            current = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except exc.DBAPIError:  # no alembic_version table yet: a new database
        return False
    return current == {head}


class Store:
    """A migrated database and a session factory bound to it."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        # Alembic is imported and run only when the schema is behind: most commands find it at head.
        if upgrade and not is_at_head(self.engine):
            migrate(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # A Store dropped without `dispose()` still closes its pooled connections (PostgreSQL
        # server connections are a finite resource, and psycopg warns about unclosed ones).
        weakref.finalize(self, self.engine.dispose)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

"""One crawl at a time per database: the run lock taken by `scs crawl` and `scs demo`.

Cron starts a crawl on a fixed schedule; a run that overruns its slot must not get a
twin writing the same notices. The lock belongs to the database, not to the machine:

- SQLite: an exclusive, non-blocking `flock` on `<database file>.run-lock`.
- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection
  kept open for the whole run, so workers on other machines see it too.

Both die with their process: the kernel drops the flock and the server drops the
advisory lock when the connection closes, so a run killed with SIGKILL never leaves a
stale lock behind (unlike a PID file). A busy lock is reported at once (no waiting) and
the commands exit with `EX_TEMPFAIL` (75), "try again later" in sysexits.h.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol

EX_TEMPFAIL = 75

# Any constant shared by all processes; distinct from the migration lock's key in store.db.
RUN_LOCK_KEY = 0x5C5_C4A1


class RunLockBusy(RuntimeError):
    """Another run holds the lock on this database."""


class RunLock(Protocol):
    def acquire(self) -> None:
        """Take the lock or raise RunLockBusy without waiting."""

    def release(self) -> None: ...


class FileRunLock:
    """`flock` on a file next to the SQLite database; the holder's pid and host are written into it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        import fcntl

        lock_file = open(self.path, "a+")  # noqa: SIM115 - held open for the whole run
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "unknown process"
            lock_file.close()
            raise RunLockBusy(f"another crawl is running on this database ({holder}; lock file {self.path})") from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        if self._file is not None:
            import fcntl

            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class AdvisoryRunLock:
    """PostgreSQL session advisory lock, held by a dedicated connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Any = None
        self._connection: Any = None

    def acquire(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url, poolclass=_null_pool())
        connection = engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": RUN_LOCK_KEY}).scalar()
        connection.commit()
        if not got:
            holder = connection.execute(
                text(
                    "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a "
                    "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.objid = :low AND l.classid = :high"
                ),
                {"low": RUN_LOCK_KEY & 0xFFFFFFFF, "high": RUN_LOCK_KEY >> 32},
            ).first()
            connection.close()
            engine.dispose()
            where = (
                f"server backend pid {holder[0]} since {holder[2]:%Y-%m-%d %H:%M:%S}" if holder else "unknown holder"
            )
            raise RunLockBusy(f"another crawl is running on this database (advisory lock {RUN_LOCK_KEY}, {where})")
        self._engine, self._connection = engine, connection

    def release(self) -> None:
        if self._connection is not None:
            from sqlalchemy import text

            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RUN_LOCK_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._engine.dispose()
                self._connection = self._engine = None


class NoRunLock:
    """For an in-memory database, which no other process can see."""

    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def run_lock_for(url: str) -> RunLock:
    """The right lock for a database URL (SQLite file, PostgreSQL, or none for in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return NoRunLock()
        return FileRunLock(f"{parsed.database}.run-lock")
    if backend == "postgresql":
        return AdvisoryRunLock(url)
    raise ValueError(f"no run lock for database backend {backend!r}")


@contextmanager
def run_lock(url: str) -> Iterator[None]:
    """Hold the database's run lock for the block; RunLockBusy (raised before the block runs) if taken."""
    lock = acquire_run_lock(url)
    try:
        yield
    finally:
        lock.release()


def acquire_run_lock(url: str) -> RunLock:
    """Take the run lock of the database at `url` and return it (release it when done); RunLockBusy if taken."""
    lock = run_lock_for(url)
    lock.acquire()
    return lock


def busy_message(command: str, busy: RunLockBusy) -> str:
    return f"scs {command}: {busy}; not starting a second one (exit {EX_TEMPFAIL}, try again later)"


def run_exclusively(url: str, command: str, work: Callable[[], int]) -> int:
    """`work()` under the run lock of the database at `url`; EX_TEMPFAIL, said on stderr, when another run has it."""
    try:
        lock = acquire_run_lock(url)
    except RunLockBusy as busy:
        print(busy_message(command, busy), file=sys.stderr)
        return EX_TEMPFAIL
    try:
        return work()
    finally:
        lock.release()

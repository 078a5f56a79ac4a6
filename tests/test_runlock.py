"""One run at a time per database: a second crawl or demo exits 75 at once; a killed run leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import fresh_postgres_database, postgres_server_url

from scs.cli import main
from scs.runlock import EX_TEMPFAIL, AdvisoryRunLock, FileRunLock, NoRunLock, RunLockBusy, run_lock, run_lock_for

HOLD_LOCK = """
import sys, time
from scs.runlock import run_lock
with run_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_lock_in_subprocess(url: str) -> subprocess.Popen[str]:
    """A process holding the run lock (kill it with `kill_holder`)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def kill_holder(holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert holder.stdout is not None
    holder.stdout.close()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:////tmp/x/scs.sqlite3", FileRunLock),
        ("sqlite:///:memory:", NoRunLock),
        ("sqlite://", NoRunLock),
        ("postgresql+psycopg://u@h/db", AdvisoryRunLock),
    ],
)
def test_lock_kind_per_backend(url: str, kind: type) -> None:
    assert isinstance(run_lock_for(url), kind)


def test_sqlite_lock_file_sits_next_to_the_database(tmp_path: Path) -> None:
    lock = run_lock_for(f"sqlite:///{tmp_path / 'data.sqlite3'}")
    assert isinstance(lock, FileRunLock)
    assert lock.path == str(tmp_path / "data.sqlite3.run-lock")


def test_second_lock_is_refused_until_the_first_is_released(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with run_lock(url), pytest.raises(RunLockBusy, match=f"pid {os.getpid()}"), run_lock(url):
        pass
    with run_lock(url):  # free again
        pass


def test_a_lock_held_by_a_process_killed_with_sigkill_is_free(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    holder = hold_lock_in_subprocess(url)
    try:
        with pytest.raises(RunLockBusy, match=f"pid {holder.pid}"), run_lock(url):
            pass
    finally:
        kill_holder(holder)
    with run_lock(url):
        pass


@pytest.mark.parametrize("command", ["crawl", "demo"])
def test_crawl_and_demo_exit_75_when_a_run_holds_the_lock(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with run_lock(url):
        started = time.monotonic()
        assert main(["--db", url, command]) == EX_TEMPFAIL
        assert time.monotonic() - started < 10  # at once: no waiting for the lock
    err = capsys.readouterr().err
    assert f"scs {command}: another crawl is running on this database" in err
    assert "mirror serving" not in err  # demo starts nothing before it has the lock


def test_second_scs_crawl_process_exits_75(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    holder = hold_lock_in_subprocess(url)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "scs.cli", "--db", url, "crawl"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).parent.parent,
        )
    finally:
        kill_holder(holder)
    assert second.returncode == EX_TEMPFAIL, second.stderr
    assert "another crawl is running" in second.stderr
    assert not list(tmp_path.glob("scs.sqlite3-wal"))  # it did not even open the database


def test_postgres_advisory_lock_refuses_a_second_run() -> None:
    with fresh_postgres_database(postgres_server_url()) as url:
        with run_lock(url), pytest.raises(RunLockBusy, match="advisory lock"), run_lock(url):
            pass
        with run_lock(url):
            pass
        holder = hold_lock_in_subprocess(url)
        try:
            with pytest.raises(RunLockBusy), run_lock(url):
                pass
        finally:
            kill_holder(holder)
        deadline = time.monotonic() + 10  # the server notices the dead connection
        while True:
            try:
                with run_lock(url):
                    break
            except RunLockBusy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The team's read-only `shared/` folder (taxonomy, site notes, gold sets), beside the checkout."""
    return Path(os.environ.get("SCS_SHARED_DIR") or REPO.parent / "shared")


@pytest.fixture
def gold_dir() -> Path:
    """`shared/gold`, or a clean skip where the checkout has no `shared/` beside it."""
    path = shared_dir() / "gold"
    if not path.is_dir():
        pytest.skip(f"gold data not available at {path}")
    return path


def postgres_server_url() -> str:
    """The throwaway PostgreSQL server from `scripts/services.sh start` ($SCS_TEST_POSTGRES_URL).

    Absent, PostgreSQL tests skip; but under CI (env `CI` set) its absence is an error, so a CI run
    can never pass with the PostgreSQL half of the suite silently skipped.
    """
    url = os.environ.get("SCS_TEST_POSTGRES_URL")
    if not url:
        reason = "SCS_TEST_POSTGRES_URL is not set (run `scripts/services.sh start`, then source its env file)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    return url


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server for the duration of the block; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"scs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for one test, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scs.sqlite3'}"
        return
    with fresh_postgres_database(postgres_server_url()) as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server of our own on a free loopback port (scripts/services.sh installs it).

    Absent binary: skip, or fail under CI.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (`scripts/services.sh start redis` installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


# Debian's Chromium (scripts/install-browser.sh), driven headless through Playwright by the browser tests.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: run scripts/install-browser.sh"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the browser tests)")
    pytest.skip(message)


@pytest.fixture
def browser_page() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()

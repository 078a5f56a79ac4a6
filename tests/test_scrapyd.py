"""Deploying to Scrapyd: build the egg with scrapyd-deploy, deploy it to a local scrapyd, schedule one source.

The crawl runs in scrapyd's own process against a generated mirror and must store every notice of the
source in the database given as a Scrapy setting.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from generated_mirror import build_mirror
from sqlalchemy import select

from mirror.server import MirrorServer
from store.db import Store
from store.models import Notice

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCE, NOTICES = "beijing", 20

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def project_copy(into: Path) -> Path:
    """The checkout's code and configuration without caches, tests and recorded fixtures.

    scrapyd-deploy builds in the project directory (setup.py clean, build/, *.egg-info): not in ours.
    """
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", "tests", "fixtures", "test-output", "*.sqlite3"
    )
    shutil.copytree(REPO, into, ignore=ignore)
    return into


def api(base: str, endpoint: str, data: dict[str, Any] | list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    assert answer.get("status") == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A local scrapyd on a free port, running crawls with our runner (scs.scrapyd_runner)."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "runner = scs.scrapyd_runner\nmax_proc = 1\npoll_interval = 0.5\n",
        encoding="utf-8",
    )
    log = (home / "scrapyd.log").open("w")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                api(base, "daemonstatus.json")
                break
            except OSError:
                assert process.poll() is None, (home / "scrapyd.log").read_text()
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_egg_deployed_to_scrapyd_crawls_one_source(db_url: str, scrapyd: str, tmp_path: Path) -> None:
    project = project_copy(tmp_path / "project")
    egg = tmp_path / "scs_tracker.egg"
    subprocess.run(
        [str(BIN / "scrapyd-deploy"), f"--build-egg={egg}"], cwd=project, check=True, capture_output=True, timeout=300
    )
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert f"crawler/sources/{SOURCE}.toml" in names
    assert "store/migrations/versions/0001_initial_schema.py" in names
    assert "[scrapy]" in entry_points and "settings = crawler.settings" in entry_points

    deployed = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "remote", "--version", "test1", f"--egg={egg}"],
        cwd=project,
        env={"PATH": str(BIN), "SCRAPYD_URL": scrapyd, "SCRAPYD_USERNAME": "", "SCRAPYD_PASSWORD": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert api(scrapyd, "listprojects.json")["projects"] == ["scs_tracker"]
    assert SOURCE in api(scrapyd, "listspiders.json?project=scs_tracker&_version=test1")["spiders"]

    build_mirror(tmp_path / "fixtures", {SOURCE: NOTICES})
    Store(db_url).dispose()  # migrated: the crawl's store pipeline never migrates
    with MirrorServer(fixtures_dir=tmp_path / "fixtures") as mirror:
        job = api(
            scrapyd,
            "schedule.json",
            [
                ("project", "scs_tracker"),
                ("spider", SOURCE),
                ("setting", f"SCS_DATABASE_URL={db_url}"),
                ("setting", f"SCS_MIRROR_URL={mirror.url}"),
                ("setting", "DOWNLOAD_DELAY=0"),
                ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ],
        )["jobid"]
        deadline = time.monotonic() + 180
        while job not in {j["id"] for j in api(scrapyd, "listjobs.json?project=scs_tracker")["finished"]}:
            assert time.monotonic() < deadline, "the scheduled crawl did not finish"
            time.sleep(0.5)
    log = (tmp_path / "scrapyd" / "logs" / "scs_tracker" / SOURCE / f"{job}.log").read_text(encoding="utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]

    store = Store(db_url, upgrade=False)
    with store.session() as session:
        titles = session.scalars(select(Notice.title).where(Notice.source == SOURCE)).all()
    store.dispose()
    assert len(titles) == NOTICES
    assert all(title.endswith(f"（{SOURCE}）") for title in titles)


def test_unpacked_eggs_of_dead_runners_are_removed(tmp_path: Path) -> None:
    from scs.scrapyd_runner import remove_stale_workdirs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"scs-egg-{dead.pid}-abc"
    live = tmp_path / f"scs-egg-{os.getpid()}-def"
    other = tmp_path / f"other-egg-{dead.pid}-ghi"
    for folder in (stale, live, other):
        (folder / "code").mkdir(parents=True)
    assert remove_stale_workdirs("scs", tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()

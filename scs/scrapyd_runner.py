"""Scrapyd runner for scs-tracker eggs: `runner = scs.scrapyd_runner` in scrapyd.conf.

Scrapyd's own runner puts the deployed egg on `sys.path` as a zip file. Our code reads data files from
disk beside the modules (source files `crawler/sources/*.toml`, classifier lexicons, migrations), which a
zipped egg cannot provide, so this runner unpacks the egg into a temporary directory, puts that first on
`sys.path` (the deployed version wins over an installed scs-tracker) and then runs the crawl as
scrapyd.runner does. Dependencies are not in the egg: install scs-tracker in Scrapyd's environment.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from configparser import ConfigParser
from pathlib import Path


def unpack_egg(egg: Path, into: Path) -> str:
    """Unpack `egg` into `into`; returns the settings module named by its `scrapy` entry point."""
    with zipfile.ZipFile(egg) as archive:
        archive.extractall(into)
    entry_points = ConfigParser()
    entry_points.read(into / "EGG-INFO" / "entry_points.txt", encoding="utf-8")
    return entry_points.get("scrapy", "settings", fallback="crawler.settings")


def remove_stale_workdirs(project: str, tmp: Path) -> list[Path]:
    """Unpacked eggs left by runners that died without cleaning up (kill -9): their process is gone."""
    removed = []
    for workdir in tmp.glob(f"{project}-egg-*-*"):
        pid = workdir.name.removeprefix(f"{project}-egg-").split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(workdir, ignore_errors=True)
        removed.append(workdir)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def main() -> None:
    from scrapyd import Config
    from scrapyd.utils import initialize_component

    project = os.environ["SCRAPY_PROJECT"]
    storage = initialize_component(Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage")
    _version, egg = storage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    remove_stale_workdirs(project, Path(tempfile.gettempdir()))
    workdir = Path(tempfile.mkdtemp(prefix=f"{project}-egg-{os.getpid()}-"))  # the pid says whose it is
    try:
        if egg is not None:
            egg_file = workdir / "project.egg"
            with egg, egg_file.open("wb") as copy:
                shutil.copyfileobj(egg, copy)
            code = workdir / "code"
            settings_module = unpack_egg(egg_file, code)
            sys.path.insert(0, str(code))
            os.environ.setdefault("SCRAPY_SETTINGS_MODULE", settings_module)
        from scrapy.cmdline import execute

        execute()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

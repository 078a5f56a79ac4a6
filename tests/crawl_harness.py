"""Running `scs` in a subprocess against a mirror served by the test process.

Crawls run in their own process: a Twisted reactor cannot be restarted inside one
pytest process, and a subprocess is what cron runs anyway (and what kill -9 kills).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def scs_command(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "scs.cli", "--db", db_url, *args]


def scs_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCS_")}
    env.update(extra)
    return env


def run_scs(db_url: str, *args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scs_command(db_url, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=scs_env(**env),
        check=False,
    )

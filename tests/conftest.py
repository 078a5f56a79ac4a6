"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh, empty database URL for one test."""
    return f"sqlite:///{tmp_path / 'scs.sqlite3'}"

"""`Store` skips Alembic when the schema is already at head, and still migrates when it is not."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory

import store.db
from store.db import Store, alembic_config, head_revision, is_at_head, migrate


def test_head_revision_read_from_the_files_is_alembics_head() -> None:
    assert [head_revision()] == ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()


def test_store_runs_alembic_only_when_the_schema_is_behind(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counted_migrate(url: str | None = None, revision: str = "head") -> str:
        calls.append(revision)
        return migrate(url, revision)

    monkeypatch.setattr(store.db, "migrate", counted_migrate)
    for expected_calls in (1, 1):  # a new database is migrated; at head, nothing runs
        fresh = Store(db_url)
        assert is_at_head(fresh.engine)
        fresh.dispose()
        assert len(calls) == expected_calls

    command.downgrade(alembic_config(db_url), "base")  # alembic_version exists but is empty
    behind = Store(db_url)
    assert is_at_head(behind.engine)
    behind.dispose()
    assert len(calls) == 2

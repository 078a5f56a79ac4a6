"""`scs user`: accounts from the command line, with a one-line error for every missing or bad input."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from newsroom_data import ANALYST, PASSWORD, seeded_store
from sqlalchemy import select

from newsroom.auth import authenticate
from scs.cli import main
from store.db import Store
from store.models import AnalystSession, User


@pytest.fixture
def store(db_url: str) -> Store:
    return seeded_store(db_url)


def scs_user(db_url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run `scs user ...` in a process of its own, with `stdin` as its standard input (not a terminal)."""
    done = subprocess.run(
        [sys.executable, "-m", "scs.cli", "--db", db_url, "user", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_add_without_a_password_is_one_clear_line(db_url: str) -> None:
    code, _out, err = scs_user(db_url, "add", "bob")  # stdin is empty, like </dev/null
    assert code == 1
    assert err.strip().splitlines() == [
        "scs user add: no terminal to ask for the password: use --password-stdin and pipe it in"
    ]
    code, _out, err = scs_user(db_url, "add", "bob", "--password-stdin")
    assert (code, err.strip()) == (1, "scs user add: no password on standard input")


def test_missing_name_is_a_usage_error(db_url: str) -> None:
    code, _out, err = scs_user(db_url, "disable")
    assert code == 2 and "Traceback" not in err and "the following arguments are required: name" in err


def in_process(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--db", db_url, "user", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_add_disable_enable_passwd(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        return in_process(db_url, monkeypatch, capsys, *args, stdin=stdin)

    assert run("add", "bob", "--password-stdin", stdin="bob's long password\n") == (0, "created user bob\n", "")
    code, out, _ = run("list")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()] == [[ANALYST, "active"], ["bob", "active"]]

    with store.session() as db:
        alice = db.scalars(select(User).where(User.name == ANALYST)).one()
        db.add(AnalystSession(token_hash="0" * 64, user_id=alice.id))
    assert "sessions 1" in run("list")[1].splitlines()[0]

    assert run("disable", ANALYST)[0] == 0
    with store.session() as db:
        assert authenticate(db, ANALYST, PASSWORD) is None
        assert db.scalar(select(AnalystSession.id)) is None  # disabling ended the session
    assert run("list")[1].splitlines()[0].split()[:2] == [ANALYST, "disabled"]
    assert run("enable", ANALYST)[0] == 0
    assert run("passwd", ANALYST, "--password-stdin", stdin="a new long passphrase\n")[0] == 0
    with store.session() as db:
        assert authenticate(db, ANALYST, PASSWORD) is None
        assert authenticate(db, ANALYST, "a new long passphrase") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (("disable", "nobody"), "", "scs user disable: there is no user 'nobody'\n"),
        (("passwd", "nobody", "--password-stdin"), "long enough pw\n", "scs user passwd: there is no user 'nobody'\n"),
        (("passwd", ANALYST, "--password-stdin"), "short\n", "scs user passwd: a password must have at least 8"),
        (("add", ANALYST, "--password-stdin"), "long enough pw\n", "scs user add: user 'alice' already exists\n"),
    ],
)
def test_bad_requests_get_one_line(
    store: Store,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    stdin: str,
    error: str,
) -> None:
    code, _out, err = in_process(db_url, monkeypatch, capsys, *args, stdin=stdin)
    assert code == 1 and err.startswith(error) and err.count("\n") == 1

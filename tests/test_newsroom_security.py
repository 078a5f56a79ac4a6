"""The newsroom as an attacker sees it: redirects after login, revoked sessions, throttled logins,
out-of-range input, cache headers, the cookie-signing key and the server `scs serve` runs."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from newsroom_data import ANALYST, PASSWORD, SECRET_KEY, seeded_store
from sqlalchemy import delete, select, update
from test_newsroom_app import csrf_of, login

from newsroom import auth, create_app
from newsroom.auth import LoginLimits, safe_next, set_active, set_password
from newsroom.secret_key import SecretKeyError, key_from_file, key_problem
from scs.cli import main
from store.db import Store
from store.models import AnalystSession, LoginFailure, User

COOKIE = "scs_newsroom"


@pytest.fixture
def store(db_url: str) -> Store:
    return seeded_store(db_url)


@pytest.fixture
def app(store: Store, db_url: str) -> Flask:
    return create_app(db_url, secret_key=SECRET_KEY, login_limits=LoginLimits(per_account=5, per_address=20))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client)
    return client


def post_login(client: FlaskClient, password: str, name: str = ANALYST, query: str = "") -> object:
    token = csrf_of(client, "/login")
    return client.post("/login" + query, data={"name": name, "password": password, "csrf_token": token})


# --- where the login sends the browser ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/notice/3", "/notice/3"),
        ("/?status=all&page=2", "/?status=all&page=2"),
        ("/\t/evil.example/", "/"),  # browsers drop the tab: //evil.example
        ("/\n/evil.example/", "/"),
        ("/\r\n/evil.example", "/"),
        ("\x00//evil.example", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/notice/1\r\nSet-Cookie: x=1", "/notice/1Set-Cookie: x=1"),  # no header injection, still local
        ("/notice/1#tags", "/notice/1"),
        ("", "/"),
    ],
)
def test_safe_next_keeps_only_local_paths(target: str, expected: str) -> None:
    assert safe_next(target, "/") == expected


@pytest.mark.parametrize(
    "query", ["/%09/evil.example/", "/%0a/evil.example/", "%0d%0a//evil.example", "//evil.example"]
)
def test_login_never_redirects_off_site(app: Flask, query: str) -> None:
    response = post_login(app.test_client(), PASSWORD, query=f"?next={query}")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/"  # type: ignore[attr-defined]


# --- sessions live on the server ----------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_is_refused_after_it(app: Flask, client: FlaskClient) -> None:
    stolen = client.get_cookie(COOKIE).value  # type: ignore[union-attr]
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    replay = app.test_client()
    replay.set_cookie(COOKIE, stolen)
    assert replay.get("/").status_code == 302


@pytest.mark.parametrize("how", ["disabled", "deleted", "new password"])
def test_sessions_end_when_the_account_changes(client: FlaskClient, store: Store, how: str) -> None:
    assert client.get("/").status_code == 200
    with store.session() as db:
        if how == "disabled":
            set_active(db, ANALYST, False)
        elif how == "deleted":
            db.execute(delete(User).where(User.name == ANALYST))
        else:
            set_password(db, ANALYST, "a brand new passphrase")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_disabled_account_is_refused_even_with_a_live_session_row(client: FlaskClient, store: Store) -> None:
    with store.session() as db:
        db.execute(update(User).values(active=False))  # behind the app's back: the row is still there
        assert db.scalar(select(AnalystSession.id)) is not None
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("payload", [{"user": "mallory"}, {"user": ANALYST}, {"sid": "made-up-token"}])
def test_forged_cookies_signed_with_the_key_are_refused(app: Flask, payload: dict[str, str]) -> None:
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    forged = app.test_client()
    forged.set_cookie(COOKIE, signer.dumps(payload))
    assert forged.get("/").status_code == 302


def test_sessions_end_at_the_absolute_lifetime_however_busy(client: FlaskClient, store: Store) -> None:
    assert client.get("/").status_code == 200
    with store.session() as db:
        db.execute(
            update(AnalystSession).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=12, minutes=1),
                last_seen=dt.datetime.now(dt.UTC),
            )
        )
    assert client.get("/").status_code == 302
    with store.session() as db:
        assert db.scalar(select(AnalystSession.id)) is None  # the ended session is gone from the table


# --- throttled logins -----------------------------------------------------------------------------------------


def test_failed_logins_are_throttled_per_account_before_any_hashing(
    app: Flask, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    caplog.set_level(logging.WARNING, logger="newsroom.auth")
    for _ in range(5):
        assert post_login(client, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    assert sum("failed login for user 'alice'" in r.getMessage() for r in caplog.records) == 5

    checks: list[str] = []
    real = auth.authenticate
    monkeypatch.setattr(auth, "authenticate", lambda *a: checks.append("argon2") or real(*a))
    refused = post_login(client, PASSWORD)  # the right password, but too late
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60  # type: ignore[attr-defined]
    assert "Too many failed logins" in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert checks == []  # refused before Argon2 ran
    assert any("throttled" in r.getMessage() for r in caplog.records)

    # Another account from the same address is not locked by alice's failures.
    with store.session() as db:
        auth.add_user(db, "bob", "bob's long password")
    assert post_login(client, "bob's long password", name="bob").status_code == 302  # type: ignore[attr-defined]

    # When the failures are older than the window, the right password works again (and clears them).
    with store.session() as db:
        db.execute(update(LoginFailure).values(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)))
    assert post_login(app.test_client(), PASSWORD).status_code == 302  # type: ignore[attr-defined]
    with store.session() as db:
        assert db.scalar(select(LoginFailure.id).where(LoginFailure.name == ANALYST)) is None


def test_failed_logins_are_throttled_per_address(store: Store, db_url: str) -> None:
    app = create_app(db_url, secret_key=SECRET_KEY, login_limits=LoginLimits(per_account=100, per_address=3))
    client = app.test_client()
    for name in ("carol", "dave", "erin"):
        assert post_login(client, "guess guess", name=name).status_code == 401  # type: ignore[attr-defined]
    assert post_login(client, PASSWORD).status_code == 429  # type: ignore[attr-defined]
    elsewhere = app.test_client()
    token = csrf_of(elsewhere, "/login")
    response = elsewhere.post(
        "/login",
        data={"name": ANALYST, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


# --- out-of-range input is a 400, never a 500 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/?per_page=99999999999999999999",
        "/?per_page=-1",
        "/?per_page=abc",
        "/?after=2025-01-01.99999999999999999999",  # a keyset cursor past what an id column holds
        "/?locations=3%0000",
        "/?locations=44%25",
        "/notice/99999999999999999999",
        "/notice/2147483648",
    ],
)
def test_out_of_range_input_is_a_bad_request(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 400


def test_out_of_range_ids_in_forms_are_bad_requests(client: FlaskClient) -> None:
    token = csrf_of(client, "/")
    for action in ("review", "tags", "relevance"):
        response = client.post(f"/notice/99999999999999999999/{action}", data={"csrf_token": token, "op": "add"})
        assert response.status_code == 400, action


def test_signed_in_pages_are_not_cached_and_name_no_server(client: FlaskClient) -> None:
    for path in ("/", "/notice/1", "/login"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Server" not in response.headers


# --- the cookie-signing key --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "k", "secret", "x" * 64, "abababababababababababababababab"])
def test_weak_keys_are_refused(store: Store, db_url: str, key: str) -> None:
    assert key_problem(key)
    with pytest.raises(SecretKeyError):
        create_app(db_url, secret_key=key)


def test_the_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "newsroom-secret.key"
    key, created = key_from_file(path)
    assert created and key_problem(key) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_from_file(path) == (key, False)
    path.chmod(0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        key_from_file(path)


def test_scs_serve_refuses_a_weak_key(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCS_SECRET_KEY", "changeme")
    assert main(["--db", db_url, "serve"]) == 2
    assert "too weak" in capsys.readouterr().err


@pytest.mark.slow
def test_scs_serve_runs_waitress_with_a_key_file(tmp_path: Path) -> None:
    """The real command: a key file made with 0600, a production server, no Server header, no-store."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SCS_SECRET_KEY"}
    env["SCS_DATA_DIR"] = str(tmp_path)
    db = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    command = [sys.executable, "-m", "scs.cli", "--db", db, "serve", "--port", str(port), "--threads", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):  # a minute at most: the first start migrates a new database
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("scs serve did not answer")
        assert "Server" not in headers
        assert headers["Cache-Control"] == "no-store"
        key_file = tmp_path / "newsroom-secret.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "created the session key" in output
    assert "waitress" in output.lower() or "Serving on" in output


def test_logging_in_clears_sessions_nobody_came_back_to(app: Flask, store: Store) -> None:
    with store.session() as db:
        alice = db.scalars(select(User).where(User.name == ANALYST)).one()
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
        db.add(AnalystSession(token_hash="a" * 64, user_id=alice.id, created_at=long_ago, last_seen=long_ago))
    login(app.test_client())
    with store.session() as db:
        assert "a" * 64 not in db.scalars(select(AnalystSession.token_hash)).all()


@pytest.mark.parametrize(
    ("referrer", "action"),
    [
        ("http://localhost/notice/1", 'action="/login?next=/notice/1"'),
        ("https://evil.example/notice/1", None),
        ("http://localhost//evil.example/", None),
    ],
)
def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_only(
    app: Flask, store: Store, referrer: str, action: str | None
) -> None:
    client = app.test_client()
    token = csrf_of(client, "/login")
    response = client.post("/notice/1/review", data={"csrf_token": token}, headers={"Referer": referrer})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Your session has ended" in html
    if action:
        assert action in html
    else:
        assert '<form method="post" class="login">' in html


@pytest.mark.parametrize(("proxies", "separately"), [(1, True), (0, False)])
def test_behind_a_proxy_the_forwarded_address_is_throttled(
    store: Store, db_url: str, proxies: int, separately: bool
) -> None:
    """`scs serve --behind-proxy 1`: each client behind the proxy has its own count; without it the header is
    ignored (a client cannot pick the address it is counted under)."""
    from scs.commands.serve import trust_proxies

    app = create_app(db_url, secret_key=SECRET_KEY, login_limits=LoginLimits(per_account=100, per_address=2))
    trust_proxies(app, proxies)
    client = app.test_client()

    def attempt(address: str, password: str) -> int:
        token = csrf_of(client, "/login")
        response = client.post(
            "/login",
            data={"name": ANALYST, "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": address},
        )
        return response.status_code

    assert [attempt("198.51.100.1", "wrong guess!") for _ in range(2)] == [401, 401]
    assert attempt("198.51.100.1", PASSWORD) == 429
    assert attempt("198.51.100.2", PASSWORD) == (302 if separately else 429)

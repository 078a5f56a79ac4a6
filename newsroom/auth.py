"""Analyst accounts, server-side sessions, login throttling and CSRF protection for every form.

Passwords are hashed with Argon2id (argon2-cffi). The signed session cookie carries only a random
session token (and the CSRF token); the session itself is a row of `analyst_sessions`, looked up on
every request together with its user, who must exist and be active. Logout, a password change and
disabling an account delete the rows, so a copied cookie stops working at once. A session ends after
`session_minutes` without a request and, whatever the activity, `session_hours` after login.

Failed logins are logged and recorded by account name and client address; past the limits a login
is refused with 429 before any password hashing, so guessing is slow and cannot tie up the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from store.models import AnalystSession, LoginFailure, User

bp = Blueprint("auth", __name__)
log = logging.getLogger("newsroom.auth")
_hasher = PasswordHasher()
PUBLIC_ENDPOINTS = {"auth.login", "static"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MIN_PASSWORD_LENGTH = 8
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=30)  # write last_seen at most this often per session
# Each Argon2 check costs 64 MiB and ~0.1 s: at most this many run at once, whatever the number of threads.
_password_checks = threading.BoundedSemaphore(2)


class UserError(ValueError):
    """A user account cannot be created or changed as asked."""


@dataclass(frozen=True)
class LoginLimits:
    """How many failed logins are allowed within `window` per account name and per client address."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(db: Session, name: str, password: str) -> User:
    """Create an active analyst account; the name must be new and the password long enough."""
    name = name.strip()
    if not name or len(name) > 64:
        raise UserError("a user name must have 1 to 64 characters")
    _check_password(password)
    if db.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, password_hash=hash_password(password), active=True)
    db.add(user)
    return user


def get_user(db: Session, name: str) -> User:
    user = db.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise UserError(f"there is no user {name!r}")
    return user


def end_sessions(db: Session, user: User) -> int:
    """Sign the user out everywhere; the number of sessions ended."""
    result = db.execute(delete(AnalystSession).where(AnalystSession.user_id == user.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_password(db: Session, name: str, password: str) -> User:
    """A new password for an account; every session of the account ends."""
    _check_password(password)
    user = get_user(db, name)
    user.password_hash = hash_password(password)
    end_sessions(db, user)
    return user


def set_active(db: Session, name: str, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions (and it could not log in again)."""
    user = get_user(db, name)
    user.active = active
    if not active:
        end_sessions(db, user)
    return user


def authenticate(db: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, else None (and the same work is done either way)."""
    user = db.scalar(select(User).where(User.name == name))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check, so names cannot be probed by timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token() -> str:
    """This session's CSRF token, created on first use; forms carry it in a hidden `csrf_token` field."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def _db_session() -> Any:
    factory: Callable[[], Any] = current_app.extensions["scs_store"].session
    return factory()


def _signed_in_user() -> str | None:
    """The name of the user of this request's session, if the session row exists, is fresh and its user active."""
    token = session.get("sid")
    if not isinstance(token, str) or not token:
        return None
    now = _now()
    idle_limit = current_app.config["SCS_SESSION_IDLE"]
    absolute_limit = current_app.config["PERMANENT_SESSION_LIFETIME"]
    with _db_session() as db:
        row = db.execute(
            select(AnalystSession, User)
            .join(User, User.id == AnalystSession.user_id)
            .where(AnalystSession.token_hash == _token_hash(token))
        ).one_or_none()
        if row is None:
            return None
        live, user = row
        if not user.active or now - live.created_at > absolute_limit or now - live.last_seen > idle_limit:
            db.delete(live)
            return None
        if now - live.last_seen > LAST_SEEN_RESOLUTION:
            live.last_seen = now
        return str(user.name)


def guard_request() -> Any:
    """Before every request: refuse unsafe methods without a valid CSRF token, and anonymous visitors."""
    if request.method in UNSAFE_METHODS:
        sent = request.form.get("csrf_token", "") or request.headers.get("X-CSRF-Token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            abort(400, description="The form has expired or was not sent by this site (missing CSRF token).")

    g.user = None
    if request.endpoint != "static":
        g.user = _signed_in_user()
        if g.user is None and "sid" in session:
            session.pop("sid")  # ended, expired, or never valid: forget it
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    return None


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after login, else `default` (no open redirect).

    Browsers drop tabs and newlines inside URLs (`/\\t/evil.example` becomes `//evil.example`), so
    control characters are removed before the check; then only a path (with query) is kept, never a
    scheme or a host, and a path that a browser would read as one (`//host`, `/\\host`) is refused.
    """
    if not target:
        return default
    cleaned = "".join(ch for ch in target if not unicodedata.category(ch).startswith("C")).strip()
    if "\\" in cleaned:
        return default
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _client_address() -> str:
    return (request.remote_addr or "")[:64]


def _retry_after(db: Session, column: Any, value: str, limits: LoginLimits, now: dt.datetime) -> int | None:
    """Seconds until the failures of this name (or address) drop below its limit; None when under it."""
    limit = limits.per_account if column is LoginFailure.name else limits.per_address
    since = now - limits.window
    count = db.scalar(select(func.count()).where(column == value, LoginFailure.at > since)) or 0
    if count < limit:
        return None
    times = db.scalars(
        select(LoginFailure.at)
        .where(column == value, LoginFailure.at > since)
        .order_by(LoginFailure.at)
        .limit(count - limit + 1)
    ).all()
    return max(1, math.ceil((times[-1] + limits.window - now).total_seconds()))


def _throttled(name: str, address: str) -> int | None:
    """Seconds to wait before this name may try again from this address; None when a try is allowed."""
    limits: LoginLimits = current_app.config["SCS_LOGIN_LIMITS"]
    now = _now()
    with _db_session() as db:
        waits = [
            wait
            for wait in (
                _retry_after(db, LoginFailure.name, name, limits, now),
                _retry_after(db, LoginFailure.address, address, limits, now),
            )
            if wait is not None
        ]
    return max(waits) if waits else None


def _record_failure(db: Session, name: str, address: str) -> None:
    now = _now()
    db.add(LoginFailure(name=name, address=address, at=now))
    db.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(days=1)))  # keep the table small


def _start_session(db: Session, user: User) -> None:
    now = _now()
    ended = or_(
        AnalystSession.created_at < now - current_app.config["PERMANENT_SESSION_LIFETIME"],
        AnalystSession.last_seen < now - current_app.config["SCS_SESSION_IDLE"],
    )
    db.execute(delete(AnalystSession).where(ended))  # sessions nobody came back to
    token = secrets.token_urlsafe(32)
    db.add(AnalystSession(token_hash=_token_hash(token), user_id=user.id, address=_client_address()))
    session.clear()  # a fresh cookie (and CSRF token) on login
    session.permanent = True
    session["sid"] = token


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error, status = "", 200
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:64]
        address = _client_address()
        wait = _throttled(name, address)
        if wait is not None:
            log.warning("login refused (throttled) for user %r from %s", name, address)
            minutes = math.ceil(wait / 60)
            error = f"Too many failed logins: try again in {minutes} minute{'s' if minutes != 1 else ''}."
            response = current_app.make_response((render_template("login.html", error=error), 429))
            response.headers["Retry-After"] = str(wait)
            return response
        if not _password_checks.acquire(timeout=30):
            abort(503, description="The server is busy checking passwords: try again in a minute.")
        try:
            with _db_session() as db:
                user = authenticate(db, name, request.form.get("password", ""))
                if user is None:
                    _record_failure(db, name, address)
                else:
                    db.execute(delete(LoginFailure).where(LoginFailure.name == name))
                    _start_session(db, user)
        finally:
            _password_checks.release()
        if user is not None:
            log.info("login of user %r from %s", name, address)
            return redirect(safe_next(request.args.get("next"), url_for("review.queue")))
        log.warning("failed login for user %r from %s", name, address)
        error, status = "Unknown user or wrong password.", 401
    return render_template("login.html", error=error), status


@bp.app_errorhandler(401)
def session_ended(_error: Exception) -> Any:
    """A form sent without a live session: the login form, leading back to the page the form was on."""
    referrer = urlsplit(request.referrer or "")
    back = (
        safe_next(urlunsplit(("", "", referrer.path, referrer.query, "")), "")
        if referrer.netloc == request.host
        else ""
    )
    error = "Your session has ended: log in again. Text you typed in this tab is kept and will be put back."
    return render_template("login.html", error=error, login_next=back), 401


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    token = session.get("sid")
    if isinstance(token, str):
        with _db_session() as db:
            db.execute(delete(AnalystSession).where(AnalystSession.token_hash == _token_hash(token)))
    session.clear()
    return redirect(url_for("auth.login"))

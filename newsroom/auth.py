"""Analyst accounts, sessions that expire, and CSRF protection for every form.

Passwords are hashed with Argon2id (argon2-cffi). The session is Flask's signed
cookie; besides the cookie's own expiry the server checks the time of the last
request stored in it, so an old cookie replayed after the idle limit is refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import User

bp = Blueprint("auth", __name__)
_hasher = PasswordHasher()
PUBLIC_ENDPOINTS = {"auth.login", "static"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user account cannot be created as asked."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(db: Session, name: str, password: str) -> User:
    """Create an active analyst account; the name must be new and the password long enough."""
    name = name.strip()
    if not name or len(name) > 64:
        raise UserError("a user name must have 1 to 64 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, password_hash=hash_password(password), active=True)
    db.add(user)
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


def csrf_token() -> str:
    """This session's CSRF token, created on first use; forms carry it in a hidden `csrf_token` field."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def guard_request() -> Any:
    """Before every request: refuse unsafe methods without a valid CSRF token, and anonymous visitors."""
    if request.method in UNSAFE_METHODS:
        sent = request.form.get("csrf_token", "") or request.headers.get("X-CSRF-Token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            abort(400, description="The form has expired or was not sent by this site (missing CSRF token).")

    g.user = None
    name = session.get("user")
    if name:
        last_seen = session.get("seen", 0)
        limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if _now().timestamp() - float(last_seen) > limit:
            session.clear()
        else:
            session["seen"] = _now().timestamp()
            g.user = name
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    return None


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("review.queue")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = ""
    if request.method == "POST":
        db_session: Callable[[], Any] = current_app.extensions["scs_store"].session
        with db_session() as db:
            user = authenticate(db, request.form.get("name", ""), request.form.get("password", ""))
            name = user.name if user else None
        if name:
            session.clear()  # a fresh session (and CSRF token) on login
            session.permanent = True
            session["user"] = name
            session["seen"] = _now().timestamp()
            return redirect(_safe_next(request.args.get("next")))
        error = "Unknown user or wrong password."
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))

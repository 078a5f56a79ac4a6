"""The newsroom: a web app where analysts review auto-tagged notices and write the English news items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

DEFAULT_SESSION_MINUTES = 120
DEFAULT_SESSION_HOURS = 12


def create_app(
    db_url: str | None,
    secret_key: str,
    session_minutes: int = DEFAULT_SESSION_MINUTES,
    session_hours: int = DEFAULT_SESSION_HOURS,
    secure_cookies: bool = False,
    login_limits: Any = None,
) -> Flask:
    """The Flask app on the database at `db_url` (migrated on start).

    `secret_key` signs the session cookie and must be strong (see newsroom.secret_key). A session ends
    after `session_minutes` without a request, and `session_hours` after login whatever the activity.
    `secure_cookies` sends the session cookie over HTTPS only (set it when the app is served behind TLS).
    `login_limits` (newsroom.auth.LoginLimits) sets how many failed logins are allowed.
    """
    from sqlalchemy.exc import DataError
    from werkzeug.exceptions import BadRequest

    from newsroom import auth, entities, views
    from newsroom.secret_key import require_strong
    from store.db import Store

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=require_strong(secret_key, "the caller"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=session_hours),
        SCS_SESSION_IDLE=dt.timedelta(minutes=session_minutes),
        SCS_LOGIN_LIMITS=login_limits or auth.LoginLimits(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="scs_newsroom",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_REFRESH_EACH_REQUEST=False,  # the cookie expires with the absolute lifetime, not later
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions["scs_store"] = Store(db_url)
    app.before_request(auth.guard_request)
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(entities.bp)

    def out_of_range(error: Exception) -> Any:
        # A number the database cannot hold (SQLite: OverflowError, PostgreSQL: DataError) is bad input, not a crash.
        return app.handle_http_exception(BadRequest("A number in the request is out of range."))

    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not response.headers.get("Cache-Control") or response.mimetype == "text/html":
            # Pages show signed-in analysts' work: no browser or proxy may keep a copy.
            response.headers["Cache-Control"] = "no-store"
        return response

    return app

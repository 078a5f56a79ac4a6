"""The newsroom: a web app where analysts review auto-tagged notices and write the English news items."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask

DEFAULT_SESSION_MINUTES = 120


def create_app(
    db_url: str | None,
    secret_key: str | None = None,
    session_minutes: int = DEFAULT_SESSION_MINUTES,
    secure_cookies: bool = False,
) -> Flask:
    """The Flask app on the database at `db_url` (migrated on start).

    Without `secret_key` a random one is made, so sessions end when the server restarts.
    Sessions expire after `session_minutes` without a request. `secure_cookies` sends the session
    cookie over HTTPS only (set it when the app is served behind TLS).
    """
    from newsroom import auth, entities, views
    from store.db import Store

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=session_minutes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="scs_newsroom",
        SESSION_COOKIE_SECURE=secure_cookies,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions["scs_store"] = Store(db_url)
    app.before_request(auth.guard_request)
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(entities.bp)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app

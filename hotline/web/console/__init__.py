"""The operator console: server-rendered pages, French first, no external asset, no inline script.

``init_console(app)`` installs login (Flask-Login), CSRF protection (Flask-WTF) on every form,
session timeouts and the security headers, then the pages' routes on one blueprint.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, current_user, logout_user
from werkzeug.wrappers import Response

from hotline.models import User
from hotline.platform.runtime import Runtime
from hotline.web.console.access import ConsoleUser
from hotline.web.console.base import bp, csrf, runtime, translate

login_manager = LoginManager()
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
LANGUAGES = ("fr", "en")


class ConsoleSessions(SecureCookieSessionInterface):
    """The console's signed cookie session, never opened for the gateway's callbacks.

    Nothing under /webhooks/ reads or writes a session, and a USSD hop is answered thousands of
    times a minute in a campaign: it skips building the signer and checking a cookie. Flask
    gives those requests its null session, which refuses any write.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/webhooks/"):
            return None
        return super().open_session(app, request)


def init_console(app: Flask) -> None:
    production = runtime_of(app).settings.env == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="hotline_session",
        PERMANENT_SESSION_LIFETIME=ABSOLUTE_TIMEOUT,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    from hotline.web.console import auth, banner, pages  # noqa: F401  (routes register on bp)
    from hotline.web.console.errors import init_errors
    from hotline.web.console.frame import init_frame

    app.register_blueprint(bp)
    app.after_request(security_headers)
    app.jinja_env.globals["_"] = translate
    init_frame(app)
    init_errors(app)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["hotline"]


@login_manager.user_loader
def load_user(user_id: str) -> ConsoleUser | None:
    if not user_id.isdigit():
        return None
    with runtime().session() as db:
        user = db.get(User, int(user_id))
        return ConsoleUser(user) if user and user.active else None


@bp.before_request
def enforce_session_timeouts() -> Response | None:
    if "lang" in request.args and request.args["lang"] in LANGUAGES:
        session["lang"] = request.args["lang"]
    if not current_user.is_authenticated:
        return None
    now = runtime().clock.now().timestamp()
    started, seen = session.get("login_at", 0), session.get("seen_at", 0)
    if now - seen > IDLE_TIMEOUT.total_seconds() or now - started > ABSOLUTE_TIMEOUT.total_seconds():
        logout_user()
        session.clear()
        return redirect(url_for("console.login", expired=1))
    if not _background(request):
        session["seen_at"] = now  # idle time counts from the person's last action
    return None


def _background(request: Request) -> bool:
    """A request the page makes by itself (the inbox's reload, the simulator's polling), not a
    person: it must not keep an unattended shared computer signed in."""
    return request.args.get("auto") == "1" or request.headers.get("X-Hotline-Background") == "1"


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts (CSRF).
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.blueprint in ("console", "dev"):
        # Pages with personal data must not stay in a shared computer's cache.
        response.headers["Cache-Control"] = "no-store"
    return response

"""Logging in: password (argon2), then the second factor (TOTP, or a one-time recovery code),
required for admins; a password an admin set is changed before anything else.

Failed logins are limited per account and per address: the sixth failure for an account within a
minute is refused before the password is even checked, so guessing is slow and visible in the
audit log. An address gets ten times as many (an office behind one NAT: one person's typos must not
lock out everyone). Only a POST is an attempt: a HEAD or a GET (a monitor, a link preview) never
counts.
"""

from __future__ import annotations

import hashlib

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline.casework.users import (
    MIN_PASSWORD,
    UserError,
    change_password,
    check_password,
    check_totp,
    new_recovery_codes,
    new_totp_secret,
    recovery_codes_left,
    totp_uri,
    use_recovery_code,
)
from hotline.models import User
from hotline.records.audit import audit
from hotline.web.console.access import ConsoleUser, public, requires
from hotline.web.console.base import bp, runtime
from hotline.web.console.base import translate as _

MAX_ACCOUNT_FAILURES = 5  # per account, per minute
MAX_ADDRESS_FAILURES = 50  # per address, per minute
WINDOW_SECONDS = 60


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if request.method != "POST":  # GET, and the HEAD Flask answers for it
        return render_template("console/login.html", expired=request.args.get("expired"))
    email = request.form.get("email", "").strip().lower()[:200]
    password = request.form.get("password", "")[:200]
    keys = _limit_keys(email)
    rt = runtime()
    if _limited(keys):
        with rt.session() as db:
            audit(db, rt, None, "login_refused", "user", email, reason="too many failures")
            db.commit()
        return render_template("console/login.html", error="limited"), 429
    with rt.session() as db:
        user = db.scalar(select(User).where(User.email == email))
        if user is None or not user.active or not check_password(user, password):
            _count_failure(keys)
            audit(db, rt, user.id if user else None, "login_failed", "user", email)
            db.commit()
            return render_template("console/login.html", error="invalid"), 401
        session.clear()
        session["pending_user"] = user.id
        if user.totp_enabled:
            return redirect(url_for("console.second_factor"))
        if user.role == "admin":
            new_totp_secret(rt, user)  # admins must enrol before they get in
            db.commit()
            return redirect(url_for("console.enrol"))
        return _finish_login(db, user)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_factor() -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        user = _pending(db)
        if user is None:
            return redirect(url_for("console.login"))
        if request.method != "POST":
            return render_template("console/code.html")
        keys = _limit_keys(user.email)
        if _limited(keys):
            return render_template("console/code.html", error="limited"), 429
        typed = request.form.get("code", "")[:32]
        if check_totp(rt, user, typed):
            return _finish_login(db, user)
        if use_recovery_code(db, rt, user, typed):
            audit(db, rt, user.id, "recovery_code_used", "user", user.id, left=recovery_codes_left(db, user))
            return _finish_login(db, user)
        _count_failure(keys)
        audit(db, rt, user.id, "second_factor_failed", "user", user.id)
        db.commit()
        return render_template("console/code.html", error="invalid"), 401


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol() -> ResponseReturnValue:
    """Set up the second factor: a QR code (drawn here, as SVG) and the key it holds; a valid code
    switches it on, and the ten recovery codes are shown, once."""
    rt = runtime()
    with rt.session() as db:
        user = _pending(db)
        if user is None or not user.totp_secret_encrypted:
            return redirect(url_for("console.login"))
        uri = totp_uri(rt, user)
        secret = rt.cipher.decrypt(user.totp_secret_encrypted)
        if request.method == "POST":
            if check_totp(rt, user, request.form.get("code", "")):
                user.totp_enabled = True
                codes = new_recovery_codes(db, rt, user)
                audit(db, rt, user.id, "second_factor_enrolled", "user", user.id)
                _finish_login(db, user)
                return render_template("console/recovery_codes.html", codes=codes)
            flash("invalid")
        qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
        return render_template("console/enrol.html", secret=secret, uri=uri, qr=qr)


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


@bp.route("/password", methods=["GET", "POST"])
@requires("view")  # every signed-in user
def password() -> ResponseReturnValue:
    """A user changes their own password (first, when an admin set it); their recovery codes can
    be renewed here too, shown once."""
    rt = runtime()
    with rt.session() as db:
        user = db.get(User, current_user.id)
        if user is None:
            return redirect(url_for("console.login"))
        if request.method != "POST":
            return _password_page(db, user)
        current = request.form.get("current", "")[:200]
        new = request.form.get("new", "")[:200]
        if request.form.get("action") == "recovery":
            if not check_password(user, current):
                return _password_page(db, user, error=_("The current password is wrong.")), 400
            codes = new_recovery_codes(db, rt, user)
            audit(db, rt, user.id, "recovery_codes_renewed", "user", user.id)
            db.commit()
            return render_template("console/recovery_codes.html", codes=codes)
        if new != request.form.get("confirm", ""):
            return _password_page(db, user, error=_("The two new passwords differ.")), 400
        try:
            change_password(user, current, new)
        except UserError as exc:
            return _password_page(db, user, error=_(str(exc))), 400  # the domain's words, translated
        audit(db, rt, user.id, "password_changed", "user", user.id)
        db.commit()
        login_user(ConsoleUser(user))  # the session's snapshot no longer asks for a change
        flash(_("Your password was changed."))
        return redirect(url_for("console.inbox"))


def _password_page(db: Session, user: User, error: str | None = None) -> str:
    return render_template(
        "console/password.html",
        forced=user.must_change_password,
        error=error,
        minimum=MIN_PASSWORD,
        codes_left=recovery_codes_left(db, user) if user.totp_enabled else None,
    )


@bp.before_app_request
def change_password_first() -> Response | None:
    """A password an admin set is changed before anything else of the console is shown."""
    if (
        request.blueprint == "console"
        and current_user.is_authenticated
        and getattr(current_user, "must_change_password", False)
        and request.endpoint not in ("console.password", "console.logout")
    ):
        return redirect(url_for("console.password"))
    return None


def _finish_login(db: Session, user: User) -> Response:
    rt = runtime()
    now = rt.clock.now()
    user.last_login_at = now
    audit(db, rt, user.id, "login", "user", user.id)
    db.commit()
    session.clear()
    login_user(ConsoleUser(user))
    session.permanent = True
    session["login_at"] = session["seen_at"] = now.timestamp()
    if user.must_change_password:
        return redirect(url_for("console.password"))
    target = request.args.get("next") or ""
    return redirect(target if target.startswith("/console/") else url_for("console.inbox"))


def _pending(db: Session) -> User | None:
    user_id = session.get("pending_user")
    return db.get(User, user_id) if isinstance(user_id, int) else None


def _limit_keys(email: str) -> list[str]:
    # remote_addr is the client once ProxyFix knows how many proxies to trust (HOTLINE_ENV docs).
    address = request.remote_addr or ""
    digest = lambda value: hashlib.sha256(value.encode()).hexdigest()[:32]  # noqa: E731
    return [f"hotline:login:account:{digest(email)}", f"hotline:login:address:{digest(address)}"]


def _limited(keys: list[str]) -> bool:
    account, address = (int(value or 0) for value in runtime().redis.mget(keys))
    return account >= MAX_ACCOUNT_FAILURES or address >= MAX_ADDRESS_FAILURES


def _count_failure(keys: list[str]) -> None:
    rt = runtime()
    for key in keys:
        if rt.redis.incr(key) == 1:
            rt.redis.expire(key, WINDOW_SECONDS)

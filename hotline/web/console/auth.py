"""Logging in: password (argon2), then the second factor (TOTP), required for admins.

Failed logins are limited per account and per address: the sixth failure within a minute is
refused before the password is even checked, so guessing is slow and visible in the audit log.
"""

from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline.casework.users import check_password, check_totp, new_totp_secret, totp_uri
from hotline.models import User
from hotline.records.audit import audit
from hotline.web.console.access import ConsoleUser, public
from hotline.web.console.base import bp, runtime

MAX_FAILURES = 5  # per account and per address, per minute
WINDOW_SECONDS = 60


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("console/login.html", expired=request.args.get("expired"))
    email = request.form.get("email", "").strip().lower()[:200]
    password = request.form.get("password", "")[:200]
    keys = _limit_keys(email)
    rt = runtime()
    if any(int(rt.redis.get(k) or 0) >= MAX_FAILURES for k in keys):
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
        if request.method == "GET":
            return render_template("console/code.html")
        keys = _limit_keys(user.email)
        if any(int(rt.redis.get(k) or 0) >= MAX_FAILURES for k in keys):
            return render_template("console/code.html", error="limited"), 429
        if not check_totp(rt, user, request.form.get("code", "")):
            _count_failure(keys)
            audit(db, rt, user.id, "second_factor_failed", "user", user.id)
            db.commit()
            return render_template("console/code.html", error="invalid"), 401
        return _finish_login(db, user)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol() -> ResponseReturnValue:
    """Set up the second factor: the secret is shown once; a valid code switches it on."""
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
                audit(db, rt, user.id, "second_factor_enrolled", "user", user.id)
                return _finish_login(db, user)
            flash("invalid")
        return render_template("console/enrol.html", secret=secret, uri=uri)


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


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


def _count_failure(keys: list[str]) -> None:
    rt = runtime()
    for key in keys:
        if rt.redis.incr(key) == 1:
            rt.redis.expire(key, WINDOW_SECONDS)

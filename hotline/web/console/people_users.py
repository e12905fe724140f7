"""Console pages: users and roles (admins only). Create, change name, role, areas, password or the
alarm SMS number and opt-in (hotline.web.console.account), deactivate or reactivate, and reset the
second factor (the user enrols again at the next login).

An admin cannot take away their own admin role or deactivate themselves, so the console always
keeps an admin who can undo a mistake. Every change is audited; passwords never are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.casework.users import UserError, create_user, reset_totp, set_password
from hotline.models import ROLES, ROLES_WITHOUT_AREAS, User
from hotline.records.audit import audit
from hotline.web.console.access import USER_ROLE_LABELS, requires
from hotline.web.console.account import apply_alarm_fields, audit_alarm_change, masked_alarm_phone
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import area_choices, area_label
from hotline.web.console.report_common import when


@bp.get("/users")
@requires("users")
def users() -> ResponseReturnValue:
    with runtime().session() as db:
        found = list(db.scalars(select(User).order_by(User.active.desc(), User.name, User.id)))
    return render_template(
        "console/people_users.html",
        users=found,
        role_labels=USER_ROLE_LABELS,
        area_label=area_label,
        when=when,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users")
def user_new() -> ResponseReturnValue:
    if request.method == "GET":
        return _page(None, {"role": "operator", "areas": [], "alarm_sms": False})
    rt = runtime()
    form = _form()
    if not form["name"]:
        return _page(None, form, [translate(N_("Give a name."))], 400)
    with rt.session() as db:
        try:
            user = create_user(
                db,
                rt,
                email=form["email"],
                name=form["name"],
                password=request.form.get("password", ""),
                role=form["role"],
                areas=_areas_for(form),
            )
        except UserError as error:
            return _page(None, form, [translate(str(error))], 400)
        user.must_change_password = True  # the admin chose it: the user chooses their own first
        refused, alarm_changed = apply_alarm_fields(rt, user)
        if refused:
            db.rollback()
            return _page(None, form, refused, 400)
        audit(
            db,
            rt,
            current_user.id,
            "user_created",
            "user",
            user.id,
            email=user.email,
            role=user.role,
            areas=user.areas,
        )
        if alarm_changed:
            audit_alarm_change(db, rt, user, alarm_changed)
        db.commit()
        flash(translate(N_("{name} can now log in."), name=user.name))
    return redirect(url_for("console.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("users")
def user_edit(user_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        user = _user_or_404(db, user_id)
        if request.method == "GET":
            return _page(
                user,
                {
                    "name": user.name,
                    "role": user.role,
                    "areas": list(user.areas),
                    "alarm_sms": user.alarm_sms,
                },
            )
        form = _form()
        areas = _areas_for(form)
        errors = _problems(user, form["name"], form["role"], areas)
        password = request.form.get("password", "")
        if password and not errors:
            try:
                set_password(user, password)
                user.must_change_password = True
            except UserError as error:
                errors.append(translate(str(error)))
        refused, alarm_changed = apply_alarm_fields(rt, user) if not errors else ([], [])
        errors += refused
        if errors:
            db.rollback()
            return _page(user, form, errors, 400)
        changed = [
            name
            for name, value in (("name", form["name"]), ("role", form["role"]), ("areas", areas))
            if getattr(user, name) != value
        ]
        user.name, user.role, user.areas = form["name"], form["role"], areas
        if password:
            changed.append("password")
        if alarm_changed:
            audit_alarm_change(db, rt, user, alarm_changed)
        if changed:
            audit(
                db,
                rt,
                current_user.id,
                "user_updated",
                "user",
                user.id,
                changed=changed,
                role=user.role,
                areas=areas,
            )
        if changed or alarm_changed:
            db.commit()
            flash(translate(N_("The changes to {name} were saved."), name=user.name))
    return redirect(url_for("console.users"))


@bp.post("/users/<int:user_id>/active")
@requires("users")
def user_active(user_id: int) -> Response:
    rt = runtime()
    active = request.form.get("active") == "1"
    with rt.session() as db:
        user = _user_or_404(db, user_id)
        if user.id == current_user.id and not active:
            flash(translate(N_("You cannot deactivate yourself.")), "error")
            return redirect(url_for("console.user_edit", user_id=user_id))
        if user.active != active:
            user.active = active
            audit(
                db, rt, current_user.id, "user_reactivated" if active else "user_deactivated", "user", user.id
            )
            db.commit()
        message = N_("{name} can log in again.") if active else N_("{name} can no longer log in.")
        flash(translate(message, name=user.name))
    return redirect(url_for("console.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/second-factor")
@requires("users")
def user_reset_totp(user_id: int) -> Response:
    """For a lost phone: the old codes stop working; the user sets up a new app at next login
    (an admin must, others may)."""
    rt = runtime()
    with rt.session() as db:
        user = _user_or_404(db, user_id)
        reset_totp(user)
        audit(db, rt, current_user.id, "user_totp_reset", "user", user.id)
        db.commit()
        flash(translate(N_("The second factor of {name} was reset."), name=user.name))
    return redirect(url_for("console.user_edit", user_id=user_id))


def _user_or_404(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    return user


class _UserFields(TypedDict):
    """A posted user form."""

    email: str
    name: str
    role: str
    areas: list[str]
    alarm_sms: bool


def _form() -> _UserFields:
    return {
        "email": request.form.get("email", "").strip()[:200],
        "name": request.form.get("name", "").strip()[:120],
        "role": request.form.get("role", ""),
        "areas": list(dict.fromkeys(request.form.getlist("areas")))[:50],
        "alarm_sms": request.form.get("alarm_sms") == "1",
    }


def _areas_for(form: _UserFields) -> list[str]:
    """Admins see everything and translators no report: their areas would mean nothing, so none
    are kept."""
    return [] if form["role"] in ROLES_WITHOUT_AREAS else list(form["areas"])


def _problems(user: User, name: str, role: str, areas: list[str]) -> list[str]:
    errors = []
    if not name:
        errors.append(translate(N_("Give a name.")))
    if role not in ROLES:
        errors.append(translate(N_("Choose a role.")))
    if any(not runtime().locations.is_valid(code) for code in areas):
        errors.append(translate(N_("Choose areas from the list.")))
    if role not in ROLES_WITHOUT_AREAS and not areas:
        errors.append(translate(N_("A user other than an admin needs at least one area.")))
    if user.id == current_user.id and role != "admin":
        errors.append(translate(N_("You cannot take away your own admin role.")))
    return errors


def _page(
    user: User | None,
    form: Mapping[str, object],
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "console/people_user.html",
        user=user,
        form=form,
        errors=errors or [],
        roles=ROLES,
        role_labels=USER_ROLE_LABELS,
        areas=area_choices(include_country=True),
        when=when,
        alarm_masked=masked_alarm_phone(runtime(), user),
        alarm_sms=bool(form.get("alarm_sms")),
    ), status

"""Console page: the user's own account (« Mon compte »), and the alarm SMS settings it shares with
the admin's user form.

A console user may register a phone number and opt in to the alarm SMS: one SMS, once, for each
report of their areas that nobody accepted in time (``hotline.alerting.alarms``). The number is kept
encrypted (``hotline.casework.users.set_alarm_phone``), shown masked, and never written in the audit
log: the audit says that it changed, and whether the SMS is on.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.casework.users import UserError, set_alarm_phone
from hotline.models import User
from hotline.platform.phones import mask
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import area_label

# set_alarm_phone's refusals, as the console says them.
REFUSALS = {
    "the phone number is not valid": N_("The phone number is not valid (for example +243 81 234 5678)."),
    "the alarm SMS needs a phone number": N_("The alarm SMS needs a phone number."),
}


@bp.route("/account", methods=["GET", "POST"])
@requires("view")
def account() -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        user = db.get_one(User, current_user.id)
        if request.method == "GET":
            return _page(rt, user, user.alarm_sms)
        errors, changed = apply_alarm_fields(rt, user)
        if errors:
            db.rollback()
            return _page(rt, user, request.form.get("alarm_sms") == "1", errors, 400)
        if changed:
            audit_alarm_change(db, rt, user, changed)
            db.commit()
        flash(translate(N_("Your alarm SMS settings were saved.")))
    return redirect(url_for("console.account"))


def apply_alarm_fields(rt: Runtime, user: User) -> tuple[list[str], list[str]]:
    """The posted alarm fields applied to ``user``: (problems, translated; what changed). A blank
    number keeps the one registered; "remove" forgets it. On a problem, roll the session back."""
    typed = request.form.get("alarm_phone", "").strip()[:32]
    remove = request.form.get("remove_phone") == "1"
    opted_in = request.form.get("alarm_sms") == "1"
    before = (user.phone_hash, user.alarm_sms)
    kept = None if remove or user.phone_encrypted is None else rt.cipher.decrypt(user.phone_encrypted)
    try:
        set_alarm_phone(rt, user, typed or kept, opted_in)
    except UserError as refusal:
        return [translate(REFUSALS.get(str(refusal), str(refusal)))], []
    changed = [
        name
        for name, old, new in (
            ("phone", before[0], user.phone_hash),
            ("alarm_sms", before[1], user.alarm_sms),
        )
        if old != new
    ]
    return [], changed


def audit_alarm_change(db: Session, rt: Runtime, user: User, changed: list[str]) -> None:
    audit(
        db,
        rt,
        current_user.id,
        "alarm_sms_changed",
        "user",
        user.id,
        changed=changed,
        alarm_sms=user.alarm_sms,
        has_phone=user.phone_encrypted is not None,
    )


def masked_alarm_phone(rt: Runtime, user: User | None) -> str | None:
    if user is None or user.phone_encrypted is None:
        return None
    return mask(rt.cipher.decrypt(user.phone_encrypted))


def _page(
    rt: Runtime, user: User, alarm_sms: bool, errors: list[str] | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "console/account.html",
        user=user,
        areas=[area_label(code) for code in user.areas or []],
        alarm_masked=masked_alarm_phone(rt, user),
        alarm_sms=alarm_sms,
        errors=errors or [],
    ), status

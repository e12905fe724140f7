"""Console pages: the escalation policy per area, for normal and urgent reports.

A policy is edited with a form (hotline.web.console.policy_form): one row per step, each a kind
(alert by SMS, phone, wait, repeat), levels and a number, checked by
``hotline.alerting.escalation.check_steps``. Rows are added, moved up and removed by buttons that
post the form back without saving it, so the page works without script. The keyword text

    notify primary
    wait 10          (minutes; the policy stores seconds)
    notify backup, supervisor
    call primary     (a phone call, when voice is configured)
    repeat 3

is only the import/export format: shown to copy, and pasted back to replace the steps.

An area without its own policy uses its province's, else the default (hotline/data/escalation.json,
or the file HOTLINE_ESCALATION_POLICY_FILE names). An area's policy may also set its alarm times:
minutes without an acceptance before a report is flagged unanswered (hotline.alerting.alarms);
left empty, the default policy's.
Reports already escalating keep the steps they started with.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.alerting.escalation import Step, alarm_minutes_at, default_alarm_minutes, default_policy
from hotline.models import EscalationPolicy
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime, translate
from hotline.web.console.people_common import LEVEL_LABELS, area_choices, area_label, managed_area_or_404
from hotline.web.console.policy_form import (
    MAX_ROWS,
    Row,
    describe,
    form_context,
    format_steps,
    parse_steps,
    rows_from_form,
    rows_of,
    step_kinds,
    steps_of,
)

KINDS = ("normal", "urgent")
TITLES = {"normal": N_("Normal reports"), "urgent": N_("Urgent reports")}
MAX_ALARM_MINUTES = 7 * 24 * 60  # as the default policy's file allows


@bp.get("/people/policies")
@requires("people")
def policies() -> ResponseReturnValue:
    wanted = request.args.get("area", "")
    if wanted:
        return redirect(url_for("console.policy", area=managed_area_or_404(wanted)))
    with runtime().session() as db:
        own = [
            (p.area_code, area_label(p.area_code), describe(p.steps), describe(p.urgent_steps))
            for p in db.scalars(select(EscalationPolicy).order_by(EscalationPolicy.area_code))
            if current_user.sees(p.area_code)
        ]
    default = default_policy(runtime().settings.escalation_policy_file)
    return render_template(
        "console/people_policies.html",
        own=own,
        normal=describe(default["normal"]),
        urgent=describe(default["urgent"]),
        areas=area_choices(include_country=True),
        **_help(),
    )


@bp.route("/people/policies/<path:area>", methods=["GET", "POST"])
@requires("people")
def policy(area: str) -> ResponseReturnValue:
    area = managed_area_or_404(area)
    rt = runtime()
    with rt.session() as db:
        own = db.scalar(select(EscalationPolicy).where(EscalationPolicy.area_code == area))
        if request.method == "GET":
            return _page(db, area, own)
        action = request.form.get("action", "")
        if action == "reset":
            if own is not None:
                audit(db, rt, current_user.id, "policy_reset", "escalation_policy", area)
                db.delete(own)
                db.commit()
            flash(translate(N_("This area now follows the default policy.")))
            return redirect(url_for("console.policy", area=area))
        rows = {kind: rows_from_form(request.form, kind) for kind in KINDS}
        alarms = {kind: request.form.get(f"alarm_{kind}", "").strip()[:10] for kind in KINDS}
        texts = {kind: request.form.get(kind, "")[:2000] for kind in KINDS}
        if action == "save":
            parsed = {kind: steps_of(rows[kind]) for kind in KINDS}
        elif action == "import":
            parsed = {kind: parse_steps(texts[kind]) for kind in KINDS}
        elif _edit_rows(rows, action):  # a row added, moved or removed: shown again, not saved
            return _page(db, area, own, rows=rows, texts=texts, alarms=alarms)
        else:
            abort(400)
        errors = [
            f"{translate(TITLES[kind])}, {message}"
            for kind in KINDS
            for message in [*parsed[kind][1], *_alarm_problem(alarms[kind])]
        ]
        if errors:
            return _page(db, area, own, errors=errors, rows=rows, texts=texts, alarms=alarms, status=400)
        normal, urgent = parsed["normal"][0], parsed["urgent"][0]
        if own is None:
            own = EscalationPolicy(area_code=area)
            db.add(own)
        own.steps, own.urgent_steps, own.updated_at = normal, urgent, rt.clock.now()
        own.alarm_minutes = int(alarms["normal"]) if alarms["normal"] else None
        own.urgent_alarm_minutes = int(alarms["urgent"]) if alarms["urgent"] else None
        audit(
            db,
            rt,
            current_user.id,
            "policy_saved",
            "escalation_policy",
            area,
            imported=action == "import",
            steps=normal,
            urgent_steps=urgent,
            alarm_minutes=own.alarm_minutes,
            urgent_alarm_minutes=own.urgent_alarm_minutes,
        )
        db.commit()
        flash(translate(N_("The policy was saved. Reports already escalating keep their steps.")))
    return redirect(url_for("console.policy", area=area))


def _edit_rows(rows: dict[str, list[Row]], action: str) -> bool:
    """Carry out ``add:<list>``, ``up:<list>:<row>`` or ``remove:<list>:<row>`` on the posted rows;
    False for anything else."""
    verb, _, rest = action.partition(":")
    kind, _, index_text = rest.partition(":")
    if kind not in KINDS:
        return False
    listed = rows[kind]
    if verb == "add" and not index_text:
        if len(listed) < MAX_ROWS:
            listed.append(Row())
        return True
    index = int(index_text) if index_text.isdigit() else -1
    if not 0 <= index < len(listed):
        return False
    if verb == "remove":
        del listed[index]
        return True
    if verb == "up":
        if index > 0:
            listed[index - 1], listed[index] = listed[index], listed[index - 1]
        return True
    return False


def _page(
    db: Session,
    area: str,
    own: EscalationPolicy | None,
    *,
    errors: list[str] | None = None,
    rows: dict[str, list[Row]] | None = None,
    texts: dict[str, str] | None = None,
    alarms: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    steps, source = _effective(db, area, own)
    exported = {kind: format_steps(steps[kind]) for kind in KINDS}
    own_alarms = {"normal": own.alarm_minutes, "urgent": own.urgent_alarm_minutes} if own else {}
    return render_template(
        "console/people_policy.html",
        area=area,
        label=area_label(area),
        own=own,
        source=source,
        shown={kind: describe(steps[kind]) for kind in KINDS},
        exported=exported,
        texts=texts or exported,
        titles=TITLES,
        kinds=KINDS,
        source_label=area_label(source) if source else None,
        alarm_minutes=alarm_minutes_at(db, runtime(), area),
        alarms=alarms or {kind: str(own_alarms.get(kind) or "") for kind in KINDS},
        default_alarms=default_alarm_minutes(runtime().settings.escalation_policy_file),
        errors=errors or [],
        **form_context(rows or {kind: rows_of(steps[kind]) for kind in KINDS}),
        **_help(),
    ), status


def _effective(
    db: Session, area: str, own: EscalationPolicy | None
) -> tuple[dict[str, list[Step]], str | None]:
    """The steps a report here would copy, and the area they come from (None: the default)."""
    for code in runtime().locations.covering(area):
        found = (
            own
            if code == area
            else db.scalar(select(EscalationPolicy).where(EscalationPolicy.area_code == code))
        )
        if found is not None:
            return {"normal": found.steps, "urgent": found.urgent_steps}, code
    return default_policy(runtime().settings.escalation_policy_file), None


def _alarm_problem(text: str) -> list[str]:
    if not text or (text.isdigit() and 1 <= int(text) <= MAX_ALARM_MINUTES):
        return []
    return [
        translate(
            N_("the alarm time is a whole number of minutes from 1 to {most}, or empty for the default's"),
            most=MAX_ALARM_MINUTES,
        )
    ]


def _help() -> dict[str, Any]:
    return {
        "level_labels": LEVEL_LABELS,
        "step_kinds": step_kinds(),
        "wait_override": runtime().settings.escalation_wait_seconds,
    }

"""Console actions on one report: each a POST form (CSRF-checked by Flask-WTF), each audited and on
the timeline (see hotline.casework.actions), each redirecting back to the report page.

Revealing the reporter's number is the exception: the number is shown once, on the response to
the POST itself, so it is never in a URL, the history or a page that can be reloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.casework.actions import (
    CaseworkError,
    add_note,
    follow_up_done,
    merge,
    refer,
    reveal_number,
    set_status,
)
from hotline.casework.assignment import assign_to
from hotline.models import Report
from hotline.platform.runtime import Runtime
from hotline.privacy.retention import set_keep_text
from hotline.records.audit import audit
from hotline.web.console.access import requires
from hotline.web.console.base import bp, runtime
from hotline.web.console.report_common import find_report, viewer_today
from hotline.web.console.report_timeline import SAFE_TIME_LABELS


@bp.post("/reports/<reference>/assign")
@requires("edit")
def report_assign(reference: str) -> Response:
    """To a console user, a team or a worker (``assignee``: user:<id>, team:<id>, worker:<id>, or ""
    for nobody); ``worker_id`` alone as before."""
    if "assignee" in request.form:
        assignee = request.form.get("assignee", "")[:40]
    else:
        assignee = f"worker:{request.form.get('worker_id', type=int) or 0}"
    return _act(
        reference, lambda db, rt, report, uid: assign_to(db, rt, report, assignee, uid), N_("Assigned.")
    )


@bp.post("/reports/<reference>/status")
@requires("edit")
def report_status(reference: str) -> Response:
    status = request.form.get("status", "")
    return _act(
        reference, lambda db, rt, report, uid: set_status(db, rt, report, status, uid), N_("Status changed.")
    )


@bp.post("/reports/<reference>/note")
@requires("edit")
def report_note(reference: str) -> Response:
    text = request.form.get("note", "")
    return _act(reference, lambda db, rt, report, uid: add_note(db, rt, report, text, uid), N_("Note added."))


@bp.post("/reports/<reference>/merge")
@requires("edit")
def report_merge(reference: str) -> Response:
    wanted = request.form.get("into", "").strip().upper()[:8]

    def act(db: Session, rt: Runtime, report: Report, uid: int) -> None:
        target = db.scalar(select(Report).where(Report.reference == wanted)) if wanted else None
        if target is not None and not current_user.sees(target.location_code):
            target = None  # another area's report: not found, as by URL
        merge(db, rt, report, target, uid, current_user.sees)

    return _act(reference, act, N_("Merged: this report is now a duplicate."))


@bp.post("/reports/<reference>/refer")
@requires("edit")
def report_refer(reference: str) -> Response:
    partner = request.form.get("partner", "")
    follow_up = _date(request.form.get("follow_up_on", ""))
    return _act(
        reference,
        lambda db, rt, report, uid: refer(db, rt, report, partner, follow_up, viewer_today(), uid),
        N_("Referral recorded."),
    )


@bp.post("/reports/<reference>/referrals/<int:referral_id>/done")
@requires("edit")
def referral_done(reference: str, referral_id: int) -> Response:
    return _act(
        reference,
        lambda db, rt, report, uid: follow_up_done(db, rt, report, referral_id, uid),
        N_("Follow-up done."),
    )


@bp.post("/reports/<reference>/keep-text")
@requires("view")
def report_keep_text(reference: str) -> Response:
    """Checked here rather than by ``requires("keep_text")``: a report outside the user's areas
    answers 404 first, as on every report route, so a refusal never confirms it exists."""
    with runtime().session() as db:
        find_report(db, reference)
    if not current_user.can("keep_text"):
        abort(403)
    keep = request.form.get("keep") == "1"
    return _act(
        reference,
        lambda db, rt, report, uid: set_keep_text(db, rt, report, keep, uid),
        N_("The text will be kept.") if keep else N_("The text will no longer be kept."),
    )


@bp.post("/reports/<reference>/reveal")
@requires("view")
def report_reveal(reference: str) -> ResponseReturnValue:
    """Checked here rather than by ``requires("reveal")`` so a refusal says why, in words, and
    is audited like the reveal itself."""
    rt = runtime()
    with rt.session() as db:
        report = find_report(db, reference)
        if not current_user.can("reveal"):
            audit(db, rt, current_user.id, "number_reveal_refused", "report", report.reference, why="role")
            db.commit()
            return _refused(report, N_("Your role does not allow revealing a reporter's number."), 403)
        try:
            number = reveal_number(db, rt, report, request.form.get("reason", ""), current_user.id)
        except CaseworkError as refusal:
            db.commit()  # the refusal's audit line
            has_consent = report.contact is not None and report.contact.consent == "callback"
            return _refused(report, str(refusal), 400 if has_consent else 403)
        db.commit()
        return render_template(
            "console/reports_reveal.html",
            report=report,
            number=number,
            contact=report.contact,
            safe_time_labels=SAFE_TIME_LABELS,
        )


def _act(reference: str, action: Callable[[Session, Runtime, Report, int], object], done: str) -> Response:
    rt = runtime()
    with rt.session() as db:
        report = find_report(db, reference)
        back = url_for("console.report_page", reference=report.reference)
        try:
            action(db, rt, report, current_user.id)
        except CaseworkError as refusal:
            db.rollback()
            flash(str(refusal), "error")
        else:
            db.commit()
            flash(done, "info")
    return redirect(back, code=303)


def _refused(report: Report, message: str, status: int) -> tuple[str, int]:
    return render_template("console/reports_refused.html", report=report, message=message), status


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None

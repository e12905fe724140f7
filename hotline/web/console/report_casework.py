"""Case work on the console (CasePro's and Primero's basics): assignment to console users and teams as
well as SMS workers, "Mes signalements", labels, saved searches, bulk actions on the inbox, SMS to
the accepted worker or the consenting reporter, and possible duplicates.

The domain rules are in hotline.casework (assignment, labels, saved_searches, contact, duplicates);
this module holds the routes and what the inbox and the report page show of them. Every change is a
POST form with a CSRF token, audited per report by the casework functions.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from flows.engine import N_
from hotline.alerting.training import TRAINING_ROLE
from hotline.casework import assignment, contact, duplicates, labels, saved_searches
from hotline.casework.actions import CaseworkError, set_status
from hotline.models import REPORT_STATUSES, Report, SocialWorker, Team, User
from hotline.platform.locations import COUNTRY, area_covers
from hotline.platform.runtime import Runtime
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.report_common import find_report
from hotline.web.console.report_filters import InboxFilters

MAX_BULK = 100
BULK_ACTIONS = ("assign", "status", "label")
# Right after "Signalements" in the menu (the menu follows the order pages.py imports modules in).
NAV.insert(0, ("console.my_reports", N_("My reports"), "view"))


def inbox_context(db: Session, reports: list[Report]) -> dict[str, object]:
    """What the inbox shows of case work: each report's labels and assignee, the labels and saved
    searches to filter on, and who the bulk form may assign to (each report is checked again)."""
    return {
        "report_labels": labels.labels_of(db, [r.id for r in reports]),
        "assignees": assignment.names(db, reports),
        "all_labels": labels.all_labels(db),
        "saved_searches": saved_searches.searches_of(db, current_user.id),
        "bulk_users": [
            u
            for u in db.scalars(
                select(User)
                .where(User.active.is_(True), User.role.in_(assignment.CASEWORK_ROLES))
                .order_by(User.name, User.id)
            )
            if _shares_areas(u.areas if u.role != "admin" else [COUNTRY])
        ],
        "bulk_teams": [
            t
            for t in db.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name))
            if _shares_areas([t.area_code])
        ],
        "bulk_workers": [
            w
            for w in db.scalars(
                select(SocialWorker)
                .where(SocialWorker.active.is_(True), SocialWorker.role != TRAINING_ROLE)
                .options(selectinload(SocialWorker.areas))
                .order_by(SocialWorker.name, SocialWorker.id)
            )
            if _shares_areas([a.location_code for a in w.areas])
        ],
        "bulk_actions": BULK_ACTIONS,
        "all_statuses": REPORT_STATUSES,
    }


def _shares_areas(areas: list[str]) -> bool:
    """Whether someone working in ``areas`` may hold some report the current user sees."""
    mine = [COUNTRY] if current_user.role == "admin" else current_user.areas
    return any(area_covers(a, b) or area_covers(b, a) for a in areas for b in mine)


def report_casework(db: Session, report: Report) -> dict[str, object]:
    """What the report page shows of case work (the can_edit parts only for editors)."""
    rt = runtime()
    editing = current_user.can("edit")
    found = assignment.choices(db, rt, report) if editing else assignment.Choices([], [], [])
    worker = db.get(SocialWorker, report.accepted_by_id) if report.accepted_by_id else None
    return {
        "assignee": assignment.assignee_of(report),
        "assignee_name": assignment.names(db, [report]).get(report.id, ""),
        "assign_choices": found,
        "labels_here": labels.labels_of(db, [report.id]).get(report.id, []),
        "all_labels": labels.all_labels(db),
        "worker_templates": {
            key: contact.preview(rt, worker.language if worker else "fr", key, report.reference)
            for key in contact.WORKER_TEMPLATES
        },
        "reporter_templates": {
            key: contact.preview(rt, report.language, key, report.reference)
            for key in contact.REPORTER_TEMPLATES
        },
        "may_contact_reporter": contact.reporter_may_be_contacted(report),
        "accepted_worker": worker,
        "possible_duplicates": duplicates.possible_duplicates(db, report, current_user.report_filter()),
    }


@bp.post("/reports/<reference>/labels")
@requires("edit")
def report_label_add(reference: str) -> Response:
    name = request.form.get("label", "")[:200]
    return _act(reference, lambda db, rt, r, uid: labels.add_label(db, rt, r, name, uid), N_("Label added."))


@bp.post("/reports/<reference>/labels/<int:label_id>/remove")
@requires("edit")
def report_label_remove(reference: str, label_id: int) -> Response:
    return _act(
        reference,
        lambda db, rt, r, uid: labels.remove_label(db, rt, r, label_id, uid),
        N_("Label removed."),
    )


@bp.post("/reports/<reference>/sms/worker")
@requires("edit")
def report_sms_worker(reference: str) -> Response:
    template, text = request.form.get("template", ""), request.form.get("text", "")[:2000]
    return _act(
        reference,
        lambda db, rt, r, uid: contact.sms_worker(db, rt, r, template, text, uid),
        N_("The SMS to the worker is on its way."),
        send=True,
    )


@bp.post("/reports/<reference>/sms/reporter")
@requires("edit")
def report_sms_reporter(reference: str) -> Response:
    template = request.form.get("template", "")
    return _act(
        reference,
        lambda db, rt, r, uid: contact.sms_reporter(db, rt, r, template, uid),
        N_("The SMS to the reporter is on its way."),
        send=True,
        keep_refusal=True,  # the refusal's audit line
    )


@bp.post("/reports/bulk")
@requires("edit")
def reports_bulk() -> Response:
    """One action on the reports ticked in the inbox; each report changed on its own (a refusal
    for one leaves the others done), each audited."""
    rt = runtime()
    back = _inbox_url(request.form)
    references = list(dict.fromkeys(r.strip().upper()[:8] for r in request.form.getlist("ref") if r.strip()))
    action = request.form.get("action", "")
    if not references or action not in BULK_ACTIONS:
        flash(translate(N_("Tick reports and choose an action.")), "error")
        return redirect(back, code=303)
    if len(references) > MAX_BULK:
        flash(translate(N_("At most {most} reports at once."), most=MAX_BULK), "error")
        return redirect(back, code=303)
    value = request.form.get(action, "")
    act = _bulk_action(action, value)
    done, refused = 0, []
    with rt.session() as db:
        found = db.scalars(
            select(Report).where(Report.reference.in_(references), current_user.report_filter())
        )
        for report in sorted(found, key=lambda r: references.index(r.reference)):
            try:
                with db.begin_nested():  # a refusal undoes that report's change only
                    act(db, rt, report, current_user.id)
            except CaseworkError as refusal:
                refused.append(f"{report.reference} ({translate(str(refusal))})")
            else:
                done += 1
        db.commit()
    missing = len(references) - done - len(refused)
    flash(translate(N_("{count} report(s) changed."), count=done), "info")
    if refused:
        flash(translate(N_("Not changed: {reports}"), reports="; ".join(refused)), "error")
    if missing:
        flash(translate(N_("{count} report(s) not found in your areas."), count=missing), "error")
    return redirect(back, code=303)


@bp.post("/searches")
@requires("view")
def search_save() -> Response:
    rt = runtime()
    filters = InboxFilters.from_args(request.form, rt.locations)
    with rt.session() as db:
        try:
            saved_searches.save_search(db, rt, current_user.id, request.form.get("name", ""), filters.args())
        except CaseworkError as refusal:
            flash(translate(str(refusal)), "error")
        else:
            db.commit()
            flash(translate(N_("Search saved.")), "info")
    query = urlencode(filters.args())
    return redirect(url_for("console.inbox") + (f"?{query}" if query else ""), code=303)


@bp.post("/searches/<int:search_id>/delete")
@requires("view")
def search_delete(search_id: int) -> Response:
    rt = runtime()
    with rt.session() as db:
        try:
            saved_searches.delete_search(db, rt, current_user.id, search_id)
        except CaseworkError as refusal:
            flash(translate(str(refusal)), "error")
        else:
            db.commit()
            flash(translate(N_("Search deleted.")), "info")
    return redirect(url_for("console.inbox"), code=303)


Action = Callable[[Session, Runtime, Report, int], object]


def _bulk_action(action: str, value: str) -> Action:
    if action == "assign":
        return lambda db, rt, r, uid: assignment.assign_to(db, rt, r, value, uid)
    if action == "status":
        return lambda db, rt, r, uid: set_status(db, rt, r, value, uid)
    return lambda db, rt, r, uid: labels.add_label(db, rt, r, value, uid)


def _act(
    reference: str, action: Action, done: str, *, send: bool = False, keep_refusal: bool = False
) -> Response:
    rt = runtime()
    with rt.session() as db:
        report = find_report(db, reference)
        back = url_for("console.report_page", reference=report.reference)
        try:
            result = action(db, rt, report, current_user.id)
        except CaseworkError as refusal:
            if keep_refusal:
                db.commit()
            else:
                db.rollback()
            flash(translate(str(refusal)), "error")
            return redirect(back, code=303)
        db.commit()
    if send and isinstance(result, int):
        rt.queue.send_messages([result])
    flash(translate(done), "info")
    return redirect(back, code=303)


def _inbox_url(form: MultiDict[str, str]) -> str:
    """Back to the inbox with its filters (read again, so only real filters go into the link)."""
    filters = InboxFilters.from_args(MultiDict(list(_query(form.get("back", "")))), runtime().locations)
    query = urlencode(filters.args())
    return url_for("console.inbox") + (f"?{query}" if query else "")


def _query(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text[:2000])

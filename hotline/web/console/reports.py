"""Console pages: the inbox and a report's page (the actions are in report_actions, the export in
report_exports).

Every query is narrowed by the user's areas (``report_filter``), and a single report is looked up
through ``report_or_404``, so another area's report is as absent by URL as it is from the lists.
"""

from __future__ import annotations

from dataclasses import replace

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.alerting.alarms import unanswered, waited
from hotline.casework.actions import ESCALATING_STATUSES, PARTNERS, assignable_workers, record_view
from hotline.models import (
    CATEGORIES,
    REPORT_STATUSES,
    OutboundMessage,
    Referral,
    Report,
    ReportEvent,
)
from hotline.platform.phones import mask
from hotline.web.console.access import requires
from hotline.web.console.base import bp, page_count, runtime, translate
from hotline.web.console.report_casework import inbox_context, report_casework
from hotline.web.console.report_common import find_report, viewer_today, viewer_zone, when
from hotline.web.console.report_filters import CHANNELS, InboxFilters, inbox_order
from hotline.web.console.report_timeline import (
    CHANNEL_LABELS,
    CONSENT_LABELS,
    DELIVERY_LABELS,
    MESSAGE_LABELS,
    PARTNER_LABELS,
    SAFE_TIME_LABELS,
    STATUS_LABELS,
    category_label,
    load_names,
    timeline,
    worker_labels,
)

PAGE_SIZE = 50
REMINDERS = 20
REFRESH_SECONDS = 60
LABELS = {
    "status_labels": STATUS_LABELS,
    "partner_labels": PARTNER_LABELS,
    "channel_labels": CHANNEL_LABELS,
    "consent_labels": CONSENT_LABELS,
    "message_labels": MESSAGE_LABELS,
    "delivery_labels": DELIVERY_LABELS,
    "safe_time_labels": SAFE_TIME_LABELS,
}


@bp.get("/")
@bp.get("/mine", endpoint="my_reports")  # "Mes signalements"
@requires("view")
def inbox() -> ResponseReturnValue:
    rt = runtime()
    filters = InboxFilters.from_args(request.args, rt.locations)
    if request.endpoint == "console.my_reports":
        filters = replace(filters, mine="1")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    scope = [current_user.report_filter(), *filters.conditions(viewer_zone(), current_user.id)]
    with rt.session() as db:
        total = db.scalar(select(func.count()).select_from(Report).where(*scope)) or 0
        reports = list(
            db.scalars(
                select(Report)
                .where(*scope)
                .order_by(*inbox_order())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        workers = worker_labels(db, {r.accepted_by_id for r in reports if r.accepted_by_id}, translate)
        reminders = _reminders(db, filters)
        shown = [r.id for r in reports]
        flagged = set(db.scalars(select(Report.id).where(Report.id.in_(shown), unanswered())))
        casework = inbox_context(db, reports)
    return render_template(
        "console/inbox.html",
        reports=reports,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        filters=filters,
        workers=workers,
        reminders=reminders,
        areas=_area_choices(),
        statuses=REPORT_STATUSES,
        categories=CATEGORIES,
        channels=CHANNELS,
        category_label=category_label,
        place=rt.locations.label,
        when=when,
        waiting_ids=_waiting_ids(reports),
        unanswered_ids=flagged,
        waited=lambda since: waited(since, rt.clock.now()),
        refresh_seconds=REFRESH_SECONDS,
        today=viewer_today(),
        **LABELS,
        **casework,
    )


@bp.get("/reports/<reference>")
@requires("view")
def report_page(reference: str) -> ResponseReturnValue:
    rt = runtime()
    with rt.session() as db:
        report = find_report(db, reference)
        record_view(db, rt, report, current_user.id)
        db.commit()
        context = report_context(db, report)
    return render_template("console/reports_page.html", **context)


def report_context(db: Session, report: Report) -> dict[str, object]:
    """Everything the report page shows, read in one session (the number stays masked)."""
    rt = runtime()
    events = list(
        db.scalars(
            select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .order_by(ReportEvent.at, ReportEvent.id)
        )
    )
    messages = list(
        db.scalars(
            select(OutboundMessage).where(OutboundMessage.report_id == report.id).order_by(OutboundMessage.id)
        )
    )
    can_edit = current_user.can("edit")
    choices = assignable_workers(db, rt, report) if can_edit else []
    names = load_names(db, report, events, messages, {w.id for w in choices}, translate)
    contact = report.contact
    return {
        "report": report,
        "lines": timeline(events, names, translate),
        "messages": messages,
        "names": names,
        "contact": contact,
        "masked": mask(rt.cipher.decrypt(contact.phone_encrypted)) if contact else None,
        "can_reveal": current_user.can("reveal") and contact is not None and contact.consent == "callback",
        "can_edit": can_edit,
        "workers": choices,
        "referrals": list(
            db.scalars(
                select(Referral).where(Referral.report_id == report.id).order_by(Referral.follow_up_on)
            )
        ),
        "merged_into": db.get(Report, report.merged_into_id) if report.merged_into_id else None,
        "duplicates": list(db.scalars(select(Report.reference).where(Report.merged_into_id == report.id))),
        "place": rt.locations.label(report.location_code),
        "category_label": category_label,
        "when": lambda moment: when(moment, report.location_code),  # the report's place's zone
        "statuses": REPORT_STATUSES,
        "partner_codes": PARTNERS,
        "today": viewer_today(),
        **LABELS,
        **report_casework(db, report),
    }


def _waiting_ids(reports: list[Report]) -> set[int]:
    return {r.id for r in reports if r.accepted_at is None and r.status in ESCALATING_STATUSES}


def _reminders(db: Session, filters: InboxFilters) -> list[tuple[Referral, str]]:
    """Referrals whose follow-up date has come, in the user's areas (overdue first)."""
    rows = db.execute(
        select(Referral, Report.reference)
        .join(Report, Report.id == Referral.report_id)
        .where(
            current_user.report_filter(),
            Referral.done.is_(False),
            Referral.follow_up_on <= viewer_today(),
            Report.training.is_(bool(filters.training)),
        )
        .order_by(Referral.follow_up_on, Referral.id)
        .limit(REMINDERS)
    )
    return [(referral, reference) for referral, reference in rows]


def _area_choices() -> list[tuple[str, str]]:
    """Provinces and places the user may filter on: all for admins, else their own areas."""
    locations = runtime().locations
    choices = []
    for province in locations.provinces():
        codes = [province.code, *(p.code for p in province.places)]
        choices += [(code, locations.label(code)) for code in codes if current_user.sees(code)]
    return choices

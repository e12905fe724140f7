"""Console pages: oversight. The dashboard (the audit log is in oversight_audit).

The dashboard's rows are loaded here, narrowed by the user's areas and without training reports;
the arithmetic is in ``hotline.casework.stats`` and the drawing in ``hotline.casework.charts``,
both free of Flask.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.alerting import coverage
from hotline.casework import charts, stats
from hotline.languages.progress import funnels, progress
from hotline.models import OutboundMessage, Report, UssdSessionEvent
from hotline.platform.locations import LocationsError
from hotline.web.console.access import requires
from hotline.web.console.base import NAV, bp, runtime, translate
from hotline.web.console.languages import STATE_LABELS
from hotline.web.console.people_common import LANGUAGE_NAMES
from hotline.web.console.people_oncall import coverage_warnings
from hotline.web.console.report_common import viewer_today, viewer_zone, when
from hotline.web.console.report_timeline import STATUS_LABELS, category_label

NAV.append(("console.dashboard", N_("Dashboard"), "view"))

DAYS, WEEKS = 30, 12
AREAS_SHOWN = 6  # provinces with a colour of their own; the rest are added up as "Other areas"
URGENT_LISTED = 20
FUNNEL_SCREENS = 15
FUNNEL_COLOURS = {"Success": "#009e73", "Incomplete": "#e69f00", "Failed": "#d55e00"}
DELIVERY_COLOURS = {"delivered": "#009e73", "failed": "#d55e00", "pending": "#9aa4ae"}
DELIVERY_LABELS = {"delivered": N_("Delivered"), "failed": N_("Failed"), "pending": N_("Not yet confirmed")}


# The dashboard


@bp.get("/dashboard")
@requires("view")
def dashboard() -> ResponseReturnValue:
    rt = runtime()
    zone, today = viewer_zone(), viewer_today()
    days, weeks = stats.day_starts(today, DAYS), stats.week_starts(today, WEEKS)
    since = datetime.combine(min(days[0], weeks[0]), time.min, zone)
    month_ago = datetime.combine(days[0], time.min, zone)
    with rt.session() as db:
        rows = stats.countable(_report_rows(db, since), current_user.sees)
        urgent, urgent_total = _open_urgent(db)
        alerts = stats.delivery(_alert_statuses(db, month_ago))
        funnel = stats.ussd_funnel(
            db.execute(
                select(UssdSessionEvent.last_screen, UssdSessionEvent.status).where(
                    UssdSessionEvent.received_at >= month_ago
                )
            ).all()
        )
        warnings = coverage_warnings(db)
        languages, language_funnels = progress(db, rt), funnels(db, month_ago)
    waits = stats.acceptance(rows, month_ago)
    return render_template(
        "console/oversight_dashboard.html",
        since=days[0],
        today=today,
        received=sum(1 for r in rows if r.created_at >= month_ago),
        waits=waits,
        urgent=urgent,
        urgent_total=urgent_total,
        alerts=alerts,
        funnel=funnel,
        charts=_report_charts(rows, days, weeks, zone),
        funnel_chart=_funnel_chart(funnel),
        delivery_chart=_delivery_chart(alerts),
        duration=duration,
        place=place_label,
        category_label=category_label,
        status_labels=STATUS_LABELS,
        when=when,
        warnings=warnings,
        days=coverage.DAYS,
        languages=languages,
        language_funnels=language_funnels,
        language_names=LANGUAGE_NAMES,
        language_states=STATE_LABELS,
    )


def _report_rows(db: Session, since: datetime) -> list[stats.ReportRow]:
    columns = (
        Report.created_at,
        Report.accepted_at,
        Report.category,
        Report.location_code,
        Report.urgent,
        Report.status,
        Report.training,
    )
    found = db.execute(
        select(*columns).where(
            current_user.report_filter(), Report.training.is_(False), Report.created_at >= since
        )
    )
    return [stats.ReportRow(*row) for row in found]


def _open_urgent(db: Session) -> tuple[list[Report], int]:
    """Urgent reports still open, however old: the oldest first, as they have waited longest."""
    scope = (
        current_user.report_filter(),
        Report.training.is_(False),
        Report.urgent.is_(True),
        Report.status.not_in(stats.CLOSED_STATUSES),
    )
    total = db.scalar(select(func.count()).select_from(Report).where(*scope)) or 0
    listed = list(
        db.scalars(select(Report).where(*scope).order_by(Report.created_at, Report.id).limit(URGENT_LISTED))
    )
    return listed, total


def _alert_statuses(db: Session, since: datetime) -> list[str]:
    return list(
        db.scalars(
            select(OutboundMessage.status)
            .join(Report, Report.id == OutboundMessage.report_id)
            .where(
                OutboundMessage.purpose == "alert",
                OutboundMessage.training.is_(False),
                Report.training.is_(False),
                current_user.report_filter(),
                OutboundMessage.created_at >= since,
            )
        )
    )


def _report_charts(
    rows: list[stats.ReportRow], days: list[date], weeks: list[date], zone: ZoneInfo
) -> list[tuple[str, str]]:
    other = translate(N_("Other areas"))

    def by_day(row: stats.ReportRow) -> date:
        return stats.local_day(row.created_at, zone)

    def by_week(row: stats.ReportRow) -> date:
        return stats.week_start(by_day(row))

    def by_category(row: stats.ReportRow) -> str:
        return translate(category_label(row.category))

    def by_area(row: stats.ReportRow) -> str:
        return province_label(row.location_code)

    drawn = []
    for title, buckets, bucket_of, group_of, every in (
        (translate(N_("Reports per day, by category")), days, by_day, by_category, 5),
        (translate(N_("Reports per day, by area")), days, by_day, by_area, 5),
        (translate(N_("Reports per week, by category")), weeks, by_week, by_category, 2),
        (translate(N_("Reports per week (from Monday), by area")), weeks, by_week, by_area, 2),
    ):
        groups = stats.count_by(rows, buckets, bucket_of, group_of)
        if group_of is by_area:
            groups = stats.keep_largest(groups, AREAS_SHOWN, other)
        svg = charts.stacked_columns(
            [b.strftime("%d/%m") for b in buckets],
            list(groups.items()),
            title=title,
            empty_text=translate(N_("No report in this period.")),
            label_every=every,
            other=other,
        )
        drawn.append((title, svg))
    return drawn


def _funnel_chart(funnel: list[stats.FunnelStep]) -> str:
    shown = funnel[:FUNNEL_SCREENS]
    statuses = list(dict.fromkeys(s for step in shown for s in step.ended))
    series = [(translate(s), [step.ended.get(s, 0) for step in shown]) for s in statuses]
    svg = charts.stacked_rows(
        [step.screen for step in shown],
        series,
        title=translate(N_("USSD sessions by the screen they ended on")),
        empty_text=translate(N_("No USSD session in this period.")),
        fixed={translate(k): v for k, v in FUNNEL_COLOURS.items()},
    )
    return svg


def _delivery_chart(alerts: stats.Delivery) -> str:
    names = {k: translate(label) for k, label in DELIVERY_LABELS.items()}
    series = [(names[k], [getattr(alerts, k)]) for k in DELIVERY_COLOURS]
    svg = charts.stacked_rows(
        [translate(N_("Alerts"))],
        series,
        title=translate(N_("Alert delivery")),
        empty_text=translate(N_("No alert in this period.")),
        fixed={names[k]: v for k, v in DELIVERY_COLOURS.items()},
    )
    return svg


def province_label(code: str) -> str:
    locations = runtime().locations
    try:
        return locations.label(locations.province_of(code))
    except LocationsError:
        return code


def place_label(code: str) -> str:
    try:
        return runtime().locations.label(code)
    except (LocationsError, KeyError):
        return code


def duration(seconds: float | None) -> str:
    """A wait as a person reads it: "45 min", "3 h 05 min", "2 d 4 h"."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return translate(N_("{minutes} min"), minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return translate(N_("{hours} h {minutes:02d} min"), hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return translate(N_("{days} d {hours} h"), days=days, hours=hours)

"""The alarm banner: every console page shows, at its top, the open notices (hotline.records.notices)
and how many unanswered reports (hotline.alerting.alarms) the user's areas hold, with a link to them."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from flows.engine import N_
from hotline.alerting.alarms import unanswered
from hotline.models import Report
from hotline.records.notices import open_notices
from hotline.web.console.base import bp, runtime

# (kind, level, period) -> the line an operator reads; the values come from the notice's counts.
MESSAGES = {
    ("sms_cap", "warning", "hour"): N_(
        "SMS cap: replies to reporters are stopped for this hour "
        "({counted} of {cap} sent). Alerts still go out."
    ),
    ("sms_cap", "warning", "day"): N_(
        "SMS cap: replies to reporters are stopped for today ({counted} of {cap} sent). Alerts still go out."
    ),
    ("sms_cap", "critical", "hour"): N_(
        "SMS cap reached for this hour ({counted} of {cap}): alerts to social workers wait for the next hour."
    ),
    ("sms_cap", "critical", "day"): N_(
        "SMS cap reached for today ({counted} of {cap}): alerts to social workers wait until tomorrow."
    ),
    ("flood", "warning", None): N_(
        "Flood control today: {reports} report(s) kept without an alert, {sms} SMS left without an answer."
    ),
    ("gateway_balance", "critical", None): N_(
        "The Africa's Talking balance is low: {balance} "
        "{currency} (minimum {minimum}). Top it up before "
        "SMS stop."
    ),
    ("gateway_balance_moved", "critical", None): N_(
        "The Africa's Talking balance is low: {balance} {currency} (minimum {minimum}). New SMS go "
        "through the {route} route first until it is topped up."
    ),
    ("gateway_balance_currency", "warning", None): N_(
        "The Africa's Talking balance is in "
        "{currency} but AT_BALANCE_MIN is in "
        "{minimum_currency}: it cannot be compared."
    ),
}
OTHER = N_("Open alarm: {kind}")


@bp.context_processor
def operator_notices() -> dict[str, object]:
    if not current_user.is_authenticated:
        return {"console_notices": [], "console_unanswered": 0}
    lines = []
    rt = runtime()
    with rt.session() as db:
        waiting = db.scalar(
            select(func.count()).select_from(Report).where(unanswered(), current_user.report_filter())
        )
        for notice in open_notices(db, rt.clock.now()):
            detail = dict(notice.detail or {})
            message = MESSAGES.get((notice.kind, notice.level, detail.get("period")))
            if message is None:
                message, detail = OTHER, {"kind": notice.kind}
            lines.append({"level": notice.level, "message": message, "counts": detail})
    return {"console_notices": lines, "console_unanswered": waiting or 0}

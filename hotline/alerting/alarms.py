"""The alarm nobody can miss: a report that no human has accepted in time.

A report is *unanswered* when nobody accepted it within its policy's alarm time (per area, data
like the rest of the policy; by default 15 minutes for an urgent report, 60 otherwise), or at
once when its escalation ran out of people (the chain ended and its last round reached nobody).

1. When the report opens, ``arm`` writes when its alarm is due (``alarm_due_at``).
2. The cron ticker calls ``raise_due``: each due, unaccepted report is marked raised, written on
   its timeline, and one SMS goes, once, to each console user who opted in to alarm SMS and whose
   areas cover the report (a supervisor, the national coordinator). The SMS names the reference,
   the place and the time waited: nothing personal.
3. ``end`` (acceptance, or an operator finishing the case) marks it ended on the timeline.

The console shows raised alarms (banner, inbox flag), and /metrics and /readyz count them, so an
outside monitor can page too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from flows.engine import N_
from flows.text import fold_ascii, to_gsm7
from flows.ussd import fill
from hotline.models import Report, User
from hotline.platform.locations import area_covers
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import messages

ALARM = N_("NO ANSWER {reference} {urgency}{place}: waiting {waited}, nobody accepted. See the console.")
URGENT = N_("URGENT")
ALARM_LANGUAGE = "fr"  # console users read French first; the SMS carries no words of the report
ALARMING_STATUSES = ("new", "alerted")  # once referred, closed or merged, it is someone's case


def arm(report: Report, delay: timedelta) -> None:
    """When the report opens: its alarm is due after its policy's alarm time."""
    report.alarm_due_at = report.created_at + delay


def out_of_people(session: Session, runtime: Runtime, report: Report) -> None:
    """The escalation ended and its last round reached nobody: the alarm is due now."""
    now = runtime.clock.now()
    if report.alarm_raised_at is None and (report.alarm_due_at is None or report.alarm_due_at > now):
        report.alarm_due_at = now
        record(session, report.id, "escalation_out_of_people", now)


def raise_due(runtime: Runtime, limit: int = 200) -> list[int]:
    """The ticker: raise every due alarm once. Returns the alarm SMS ids to send after commit."""
    now = runtime.clock.now()
    message_ids: list[int] = []
    with runtime.session() as session:
        due = list(
            session.scalars(
                select(Report)
                .where(
                    Report.alarm_due_at <= now,
                    Report.alarm_raised_at.is_(None),
                    Report.accepted_at.is_(None),
                    Report.status.in_(ALARMING_STATUSES),
                    Report.training.is_(False),
                )
                .order_by(Report.alarm_due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        watchers = _watchers(session) if due else []
        for report in due:
            report.alarm_raised_at = now
            notified = [u for u in watchers if _covers(u, report.location_code)]
            for user in notified:
                message_ids.append(_alarm_sms(session, runtime, report, user, now))
            record(session, report.id, "alarm_raised", now, users=[u.id for u in notified])
        session.commit()
    return message_ids


def end(session: Session, runtime: Runtime, report: Report, reason: str) -> None:
    """Someone accepted (or an operator took the case out of the queue): the alarm stops."""
    if report.alarm_raised_at is not None and report.alarm_ended_at is None:
        now = runtime.clock.now()
        report.alarm_ended_at = now
        record(session, report.id, "alarm_ended", now, reason=reason)
    report.alarm_due_at = None


def unanswered() -> ColumnElement[bool]:
    """SQL condition: the report's alarm is raised and not ended."""
    return and_(
        Report.alarm_raised_at.is_not(None),
        Report.alarm_ended_at.is_(None),
        Report.accepted_at.is_(None),
        Report.status.in_(ALARMING_STATUSES),
        Report.training.is_(False),
    )


def count_unanswered(runtime: Runtime) -> int:
    with runtime.session() as session:
        return session.scalar(select(func.count()).select_from(Report).where(unanswered())) or 0


def waited(since: datetime, now: datetime) -> str:
    """ "25 min", "3 h 05", "2 j": short enough for an SMS and a table cell."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // (24 * 60)} j"


def _watchers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.active.is_(True),
                User.alarm_sms.is_(True),
                User.phone_encrypted.is_not(None),
                User.phone_hash.is_not(None),
            )
        )
    )


def _covers(user: User, location_code: str) -> bool:
    if user.role == "admin" and not user.areas:
        return True  # an admin without areas sees every report in the console
    return any(area_covers(area, location_code) for area in user.areas or [])


def _alarm_sms(session: Session, runtime: Runtime, report: Report, user: User, now: datetime) -> int:
    def tr(message: str) -> str:
        return runtime.translations.translate(ALARM_LANGUAGE, message)

    body = to_gsm7(
        fill(
            tr(ALARM),
            {
                "reference": report.reference,
                "urgency": tr(URGENT) + " " if report.urgent else "",
                "place": fold_ascii(runtime.locations.label(report.location_code)),
                "waited": waited(report.created_at, now),
            },
        )
    )
    if user.phone_encrypted is None or user.phone_hash is None:  # _watchers asked for both
        raise ValueError("a watcher without a phone")
    return messages.add_message(
        session,
        runtime,
        recipient_encrypted=user.phone_encrypted,
        recipient_hash=user.phone_hash,
        body=body,
        purpose="alarm",
        report_id=report.id,
    ).id

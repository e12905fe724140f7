"""Escalation as data, until a human accepts (after grafana/oncall's escalate_alert_group).

When a report opens, its area's policy is copied onto it (later edits do not change a running
escalation) and its first step is due at once. A cursor marks the next step; one job runs the
steps up to the next wait and sets when it is due. Every step first claims the report with a
conditional UPDATE on its token, and acceptance is a conditional UPDATE too, so an acceptance
racing a step has exactly one outcome.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hotline.alerting import alarms, calls
from hotline.alerting.alerts import Listed, alert_text, bundle_references, bundle_text, waiting_reports
from hotline.alerting.routing import ESCALATION_LEVELS, recipients
from hotline.models import (
    MESSAGE_BUNDLED,
    MESSAGE_CANCELLED,
    MESSAGE_PENDING,
    EscalationPolicy,
    EscalationStep,
    OutboundMessage,
    Report,
    SocialWorker,
    VoiceCall,
    WaitStep,
)
from hotline.partners import webhooks as partner_webhooks
from hotline.platform.db import rowcount
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import messages
from hotline.sms.outbox import TICKER_GRACE_TICKS

# Shipped with the package; HOTLINE_ESCALATION_POLICY_FILE replaces it.
DEFAULT_POLICY = Path(__file__).resolve().parents[1] / "data" / "escalation.json"
DUE_SLACK = timedelta(seconds=1)  # a job woken by RQ's scheduler a moment early still runs
BUNDLE_WINDOW = timedelta(minutes=10)
BUNDLE_HOLD = timedelta(minutes=1)
# When the policy file does not say: a report nobody accepted alarms after this many minutes.
DEFAULT_ALARM_MINUTES = {"normal": 60, "urgent": 15}

# A step as stored (hotline.models): ``{"notify": [levels]}``, ``{"call": [levels]}`` (a phone call,
# hotline.alerting.calls), ``{"wait": s}`` or ``{"repeat": n}``.
Step = EscalationStep


class PolicyError(ValueError):
    pass


def check_steps(steps: object) -> list[Step]:
    """Validate a list of steps read from JSON (a file, a form): the same steps, typed."""
    if not isinstance(steps, list) or not steps:
        raise PolicyError("a policy is a non-empty list of steps")
    return [_check_step(number, step) for number, step in enumerate(steps, 1)]


def _check_step(number: int, step: object) -> Step:
    if not isinstance(step, dict) or len(step) != 1:
        raise PolicyError(f"step {number}: one of notify, call, wait or repeat")
    ((kind, value),) = step.items()  # untyped JSON: its one key says which step it is
    if kind == "notify":
        if not value or any(level not in ESCALATION_LEVELS for level in value):
            raise PolicyError(f"step {number}: notify takes levels of {ESCALATION_LEVELS}")
        return {"notify": value}
    if kind == "call":
        if not isinstance(value, list) or not value or any(level not in ESCALATION_LEVELS for level in value):
            raise PolicyError(f"step {number}: call takes levels of {ESCALATION_LEVELS}")
        return {"call": value}
    if kind in ("wait", "repeat"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise PolicyError(f"step {number}: {kind} takes a whole number >= 1")
        return {"wait": value} if kind == "wait" else {"repeat": value}
    raise PolicyError(f"step {number}: unknown step {kind!r}")


@lru_cache(maxsize=4)
def default_policy(path: Path | None = None) -> dict[str, list[Step]]:
    """The policy of areas without their own: the shipped one, or the file given in settings."""
    data = json.loads((path or DEFAULT_POLICY).read_text(encoding="utf-8"))
    return {"normal": check_steps(data["normal"]), "urgent": check_steps(data["urgent"])}


@lru_cache(maxsize=4)
def default_alarm_minutes(path: Path | None = None) -> dict[str, int]:
    """The default policy's alarm times: minutes without an acceptance before the alarm."""
    data = json.loads((path or DEFAULT_POLICY).read_text(encoding="utf-8")).get("alarm_minutes") or {}
    return {kind: _minutes(data.get(kind), fallback) for kind, fallback in DEFAULT_ALARM_MINUTES.items()}


def _minutes(value: object, fallback: int) -> int:
    if value is None:
        return fallback
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 7 * 24 * 60:
        raise PolicyError(f"alarm_minutes takes whole numbers of minutes from 1 to {7 * 24 * 60}")
    return value


def area_policy(session: Session, runtime: Runtime, location_code: str) -> EscalationPolicy | None:
    """The policy of the most specific area that has one (the place, then its province)."""
    areas = runtime.locations.covering(location_code)
    found = {
        p.area_code: p
        for p in session.scalars(select(EscalationPolicy).where(EscalationPolicy.area_code.in_(areas)))
    }
    return next((found[area] for area in areas if area in found), None)


def policy_for(runtime: Runtime, report: Report, policy: EscalationPolicy | None) -> list[Step]:
    """The steps for this report: its area's ``policy`` (the most specific, ``area_policy``), else
    the default; waits replaced by HOTLINE_ESCALATION_WAIT_SECONDS when it is set."""
    if policy is not None:
        steps = policy.urgent_steps if report.urgent else policy.steps
    else:
        steps = default_policy(runtime.settings.escalation_policy_file)[
            "urgent" if report.urgent else "normal"
        ]
    wait = runtime.settings.escalation_wait_seconds
    return [WaitStep(wait=wait) if wait and "wait" in s else s.copy() for s in steps]


def alarm_delay_for(runtime: Runtime, report: Report, policy: EscalationPolicy | None) -> timedelta:
    """How long without an acceptance before the report's alarm: its area ``policy``'s time, else
    the default policy's; HOTLINE_ALARM_SECONDS replaces them all (drills, training, tests)."""
    if runtime.settings.alarm_seconds:
        return timedelta(seconds=runtime.settings.alarm_seconds)
    minutes = alarm_minutes_of(runtime, policy)["urgent" if report.urgent else "normal"]
    return timedelta(minutes=minutes)


def alarm_minutes_at(session: Session, runtime: Runtime, location_code: str) -> dict[str, int]:
    """The alarm times of a report there (the console's policy page shows them)."""
    return alarm_minutes_of(runtime, area_policy(session, runtime, location_code))


def alarm_minutes_of(runtime: Runtime, policy: EscalationPolicy | None) -> dict[str, int]:
    """An area policy's alarm times, each one it leaves empty taken from the default policy."""
    default = default_alarm_minutes(runtime.settings.escalation_policy_file)
    if policy is None:
        return default
    return {
        "normal": policy.alarm_minutes or default["normal"],
        "urgent": policy.urgent_alarm_minutes or default["urgent"],
    }


def start(session: Session, runtime: Runtime, report: Report) -> None:
    """Inside the transaction that opens the report: copy the policy, arm the alarm, and make the
    first step due now.

    The first step (who is on call, the alert rows) runs in the worker's escalate job, enqueued
    after the commit, which sends the alerts it writes: the reporter's last screen never waits
    for it (it was a third of a web worker's time in a USSD campaign), and the report, its policy
    and its alarm are durable before anything else happens. A lost enqueue is re-found by the
    ticker (``due_reports``).
    """
    policy = area_policy(session, runtime, report.location_code)  # one lookup for steps and alarm
    report.escalation_steps = policy_for(runtime, report, policy)
    report.escalation_cursor = report.escalation_repeats = 0
    alarms.arm(report, alarm_delay_for(runtime, report, policy))
    report.escalation_due_at = runtime.clock.now()
    report.escalation_token = _new_token()


def run_due(runtime: Runtime, report_id: int) -> list[int] | None:
    """The job: run the report's next steps if they are due and nobody accepted.

    Returns the ids of the alert messages to send (the caller enqueues them after this commit),
    or None when there was nothing to run (not due, accepted, or another job ran it).
    """
    now = runtime.clock.now()
    with runtime.session() as session:
        report = session.get(Report, report_id)
        if (
            report is None
            or report.accepted_at is not None
            or report.escalation_due_at is None
            or report.escalation_due_at > now + DUE_SLACK
        ):
            return None
        if not _claim(session, report, report.escalation_token):
            session.rollback()
            return None  # another job, or an acceptance, got there first
        session.refresh(report)
        message_ids = _advance(session, runtime, report)
        session.commit()
        return message_ids


def escalate_now(
    session: Session, runtime: Runtime, report: Report, reason: str, actor: str | None = None
) -> bool:
    """Skip the current wait (a decline, a failed delivery): the next step is due at once."""
    if report.accepted_at is not None or report.escalation_due_at is None:
        return False
    now = runtime.clock.now()
    report.escalation_due_at = now
    record(session, report.id, "escalation_hastened", now, actor=actor, reason=reason)
    return True


def escalate_failed_alert(runtime: Runtime, message_id: int) -> list[int]:
    """An alert that cannot reach its worker must not wait out the policy: escalate at once.

    Called with the id of a message the outbox has just failed (a refused send, a failed
    delivery report). A failed bundle SMS failed for every report it lists: each escalates.
    Returns the ids of the reports whose next step was made due (and enqueued).
    """
    with runtime.session() as session:
        message = session.get(OutboundMessage, message_id)
        if message is None or message.purpose not in ("alert", "bundle"):
            return []
        if message.purpose == "bundle":
            references = bundle_references(message.body)
            reports = list(session.scalars(select(Report).where(Report.reference.in_(references))))
        else:
            reports = [r for r in [session.get(Report, message.report_id or 0)] if r is not None]
        hastened = [report.id for report in reports if escalate_now(session, runtime, report, "alert_failed")]
        session.commit()
    for report_id in hastened:
        runtime.queue.escalate(report_id)
    return hastened


def accept(session: Session, runtime: Runtime, report: Report, worker: SocialWorker) -> bool:
    """Record that ``worker`` took the report. False if someone else had already accepted it."""
    now = runtime.clock.now()
    taken = rowcount(
        session.execute(
            update(Report)
            .where(Report.id == report.id, Report.accepted_at.is_(None))
            .values(
                accepted_at=now,
                accepted_by_id=worker.id,
                status="accepted",
                escalation_token=None,
                escalation_due_at=None,
                updated_at=now,
            )
        )
    )
    if not taken:
        return False
    # Alerts not yet handed to the gateway are no longer needed.
    session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.report_id == report.id,
            OutboundMessage.purpose == "alert",
            OutboundMessage.status == MESSAGE_PENDING,
        )
        .values(status=MESSAGE_CANCELLED, next_attempt_at=None, updated_at=now)
    )
    record(session, report.id, "accepted", now, actor=f"worker:{worker.id}", worker_id=worker.id)
    session.refresh(report)
    alarms.end(session, runtime, report, "accepted")
    partner_webhooks.emit(session, runtime, report, "accepted")
    return True


def due_reports(runtime: Runtime, limit: int = 500) -> list[int]:
    """Reports whose next step is due (the ticker re-enqueues them if their job was lost).

    A report opened in the last two ticks is left to the escalate job its opening enqueued: in a
    surge the worker is behind, and a second job for each would only put it further behind.
    """
    now = runtime.clock.now()
    fresh = now - timedelta(seconds=TICKER_GRACE_TICKS * runtime.settings.tick_seconds)
    with runtime.session() as session:
        return list(
            session.scalars(
                select(Report.id)
                .where(
                    Report.escalation_due_at <= now,
                    Report.accepted_at.is_(None),
                    or_(Report.escalation_cursor > 0, Report.created_at <= fresh),
                )
                .order_by(Report.escalation_due_at)
                .limit(limit)
            )
        )


def overdue_reports(runtime: Runtime, tolerance: timedelta = timedelta(minutes=2)) -> int:
    """How many escalation steps are late by more than ``tolerance``: the service is unhealthy."""
    cutoff = runtime.clock.now() - tolerance
    with runtime.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Report)
                .where(Report.escalation_due_at < cutoff, Report.accepted_at.is_(None))
            )
            or 0
        )


def _claim(session: Session, report: Report, token: str | None) -> bool:
    return bool(
        rowcount(
            session.execute(
                update(Report)
                .where(Report.id == report.id, Report.escalation_token == token, Report.accepted_at.is_(None))
                .values(escalation_token=_new_token())
            )
        )
    )


def _advance(session: Session, runtime: Runtime, report: Report) -> list[int]:
    """Run steps from the cursor up to the next wait (or the end of the policy)."""
    now = runtime.clock.now()
    steps = report.escalation_steps
    message_ids: list[int] = []
    cursor, repeats = report.escalation_cursor, report.escalation_repeats
    due: datetime | None = None
    reached = False  # has anyone been alerted since the last wait?
    called: list[VoiceCall] = []  # placed by a job after the commit (hotline.alerting.voice_calls)
    while cursor < len(steps):
        step = steps[cursor]
        cursor += 1
        if "notify" in step:
            alerted = _notify(session, runtime, report, step["notify"], now)
            reached = reached or bool(alerted)
            message_ids += alerted
        elif "call" in step:
            ringing = calls.write_calls(session, runtime, report, step["call"], now)
            reached = reached or bool(ringing)
            called += ringing
        elif "wait" in step:
            if not reached:  # a wait is for a human who was alerted, never for an empty level
                record(session, report.id, "wait_skipped", now, seconds=step["wait"])
                continue
            due = now + timedelta(seconds=step["wait"])
            break
        elif repeats + 1 < step["repeat"]:
            repeats, cursor = repeats + 1, 0
    if due is None:
        record(session, report.id, "escalation_finished", now)
        if not reached:  # the chain ends and its last level reached nobody
            alarms.out_of_people(session, runtime, report)
    report.escalation_cursor, report.escalation_repeats = cursor, repeats
    report.escalation_due_at = due
    report.escalation_token = _new_token() if due else None
    report.updated_at = now
    for call in called:  # its outcome hastens the escalation only while it still waits on this step
        call.escalation_token = report.escalation_token
    session.flush()
    return message_ids


def _notify(
    session: Session, runtime: Runtime, report: Report, levels: list[str], now: datetime
) -> list[int]:
    message_ids = []
    for level in levels:
        workers = recipients(session, runtime.locations, report.location_code, level, now)
        for worker in workers:
            message_ids.append(_alert(session, runtime, report, worker, now))
        record(
            session,
            report.id,
            "notified" if workers else "nobody_on_call",
            now,
            level=level,
            workers=[w.id for w in workers],
        )
    if message_ids and report.status == "new":
        report.status = "alerted"
    return message_ids


def _alert(session: Session, runtime: Runtime, report: Report, worker: SocialWorker, now: datetime) -> int:
    """One alert to one worker; past ``HOTLINE_BUNDLE_AFTER`` alerts in BUNDLE_WINDOW they are bundled.

    A worker flooded with SMS reads none of them: from the fourth alert in ten minutes (by
    default; 0 turns bundling off), the alert row is kept (so replies and checks work) as
    "bundled", and one bundle SMS, held a minute to collect the others, gives their count and
    names the most urgent of them in at most two GSM-7 parts; ``LISTE`` sends the others.
    """
    body = alert_text(report, worker.language, runtime.translations, runtime.locations)
    bundle_after = runtime.settings.bundle_after
    if not bundle_after:
        return messages.to_worker(session, runtime, worker, body, "alert", report)
    recent = (
        session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(
                OutboundMessage.worker_id == worker.id,
                OutboundMessage.purpose == "alert",
                OutboundMessage.status != MESSAGE_CANCELLED,
                OutboundMessage.created_at >= now - BUNDLE_WINDOW,
            )
        )
        or 0
    )
    if recent < bundle_after:
        return messages.to_worker(session, runtime, worker, body, "alert", report)
    bundle = _held_bundle(session, runtime, report, worker, now)
    alert = session.get_one(
        OutboundMessage, messages.to_worker(session, runtime, worker, body, "alert", report)
    )
    alert.status, alert.next_attempt_at = MESSAGE_BUNDLED, None
    bundle.body = bundle_text(runtime, _bundled_since(session, worker, bundle), worker.language)
    return bundle.id


def _held_bundle(
    session: Session, runtime: Runtime, report: Report, worker: SocialWorker, now: datetime
) -> OutboundMessage:
    """The worker's bundle still held, or a new one, written BEFORE the alert it will carry: a
    bundle carries the worker's bundled alerts written after it (``_bundled_since``).

    Only a bundle no send has claimed yet (attempts == 0): one on its way out already has its
    text, and a reference added now would never be sent. The row lock keeps a send from
    claiming it between this read and our commit (PostgreSQL; SQLite writes one at a time).
    """
    bundle = session.scalar(
        select(OutboundMessage)
        .where(
            OutboundMessage.worker_id == worker.id,
            OutboundMessage.purpose == "bundle",
            OutboundMessage.status == MESSAGE_PENDING,
            OutboundMessage.next_attempt_at > now,
            OutboundMessage.attempts == 0,
        )
        .order_by(OutboundMessage.id.desc())
        .limit(1)
        .with_for_update()
    )
    if bundle is None:
        bundle = session.get_one(
            OutboundMessage, messages.to_worker(session, runtime, worker, "", "bundle", None)
        )
        bundle.next_attempt_at = now + BUNDLE_HOLD
        bundle.training = report.training
    return bundle


def _bundled_since(session: Session, worker: SocialWorker, bundle: OutboundMessage) -> list[Listed]:
    """What ``bundle`` carries: the reports of the worker's alerts bundled after it was written
    that are still waiting, most urgent first. (A later bundle exists only once this one was
    claimed, and then its text is no longer written; two bundles written at once by concurrent
    transactions may both name an alert, none misses it.)"""
    return waiting_reports(
        session,
        session.scalars(
            select(OutboundMessage.report_id).where(
                OutboundMessage.worker_id == worker.id,
                OutboundMessage.purpose == "alert",
                OutboundMessage.status == MESSAGE_BUNDLED,
                OutboundMessage.id > bundle.id,
                OutboundMessage.report_id.isnot(None),
            )
        ),
    )


def _new_token() -> str:
    return secrets.token_hex(16)

"""Case management from the console: assign, change status, note, merge, refer, reveal a number.

Every operation works in the caller's transaction and writes its audit line and its timeline event
there, so a change and the record of it are committed together or not at all. Invalid input raises
CaseworkError with a message id for the console to translate; nothing is changed then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flows.engine import N_
from hotline.models import (
    MESSAGE_CANCELLED,
    MESSAGE_PENDING,
    REPORT_STATUSES,
    TRAINING_WORKER_ROLE,
    OutboundMessage,
    Referral,
    Report,
    ReportEvent,
    SocialWorker,
    WorkerArea,
)
from hotline.partners import webhooks as partner_webhooks
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.records.timeline import record

PARTNERS = ("129", "122", "police", "health", "shelter", "legal")
# While a report is new or alerted, escalation keeps alerting workers; any other status set by
# a person means someone has taken responsibility, so the remaining steps would only be noise.
ESCALATING_STATUSES = ("new", "alerted")
FINISHED_STATUSES = ("closed", "duplicate", "unfounded")
MAX_NOTE = 2000
MIN_REASON = 10
MAX_MERGE_HOPS = 20


class CaseworkError(ValueError):
    """A refused operation; ``str(error)`` is an English message id for the console."""


def actor(user_id: int | str) -> str:
    """A console user's id, or already an actor string ("api:<client id>", see partners.api_clients)."""
    return user_id if isinstance(user_id, str) else f"user:{user_id}"


def record_view(session: Session, runtime: Runtime, report: Report, user_id: int) -> None:
    """A person opened the report page. The audit log keeps every view; the timeline, which tells
    what happened to the report, says it once a day per person (a day of the report's place)."""
    now = runtime.clock.now()
    audit(session, runtime, user_id, "report_viewed", "report", report.reference)
    zone = ZoneInfo(runtime.locations.timezone(report.location_code))
    day_start = datetime.combine(now.astimezone(zone).date(), time.min, zone)
    seen_today = session.scalar(
        select(ReportEvent.id)
        .where(
            ReportEvent.report_id == report.id,
            ReportEvent.kind == "viewed",
            ReportEvent.actor == actor(user_id),
            ReportEvent.at >= day_start,
        )
        .limit(1)
    )
    if seen_today is None:
        record(session, report.id, "viewed", now, actor=actor(user_id))


def assignable_workers(session: Session, runtime: Runtime, report: Report) -> list[SocialWorker]:
    """Active workers whose areas cover the report's place (the place itself or its province); for
    a training report, the simulator's emulated workers only, never a real one."""
    if report.training:
        return list(
            session.scalars(
                select(SocialWorker)
                .where(SocialWorker.active.is_(True), SocialWorker.role == TRAINING_WORKER_ROLE)
                .order_by(SocialWorker.name, SocialWorker.id)
            )
        )
    areas = runtime.locations.covering(report.location_code)
    return list(
        session.scalars(
            select(SocialWorker)
            .join(WorkerArea)
            .where(SocialWorker.active.is_(True), WorkerArea.location_code.in_(areas))
            .order_by(SocialWorker.name)
            .distinct()
        )
    )


def assign(session: Session, runtime: Runtime, report: Report, worker_id: int, user_id: int) -> None:
    worker = next((w for w in assignable_workers(session, runtime, report) if w.id == worker_id), None)
    if worker is None:
        raise CaseworkError(N_("Choose an active worker who covers this area."))
    now = runtime.clock.now()
    previous = report.assigned_to_id
    report.assigned_to_id, report.updated_at = worker.id, now
    record(session, report.id, "assigned", now, actor=actor(user_id), worker_id=worker.id)
    audit(
        session,
        runtime,
        user_id,
        "report_assigned",
        "report",
        report.reference,
        worker_id=worker.id,
        previous_worker_id=previous,
    )


def set_status(session: Session, runtime: Runtime, report: Report, status: str, user_id: int | str) -> None:
    if status not in REPORT_STATUSES:
        raise CaseworkError(N_("Unknown status."))
    if status == report.status:
        raise CaseworkError(N_("The report already has this status."))
    _change_status(session, runtime, report, status, user_id)
    audit(session, runtime, user_id, "report_status_changed", "report", report.reference, to=status)


def add_note(session: Session, runtime: Runtime, report: Report, text: str, user_id: int | str) -> None:
    note = text.strip()
    if not note:
        raise CaseworkError(N_("The note is empty."))
    if len(note) > MAX_NOTE:
        raise CaseworkError(N_("The note is too long (2000 characters at most)."))
    now = runtime.clock.now()
    report.updated_at = now
    record(session, report.id, "note", now, actor=actor(user_id), note=note)
    # The note may name people: it stays on the report; the audit line only says one was added.
    audit(session, runtime, user_id, "report_note_added", "report", report.reference)


def merge(
    session: Session,
    runtime: Runtime,
    report: Report,
    target: Report | None,
    user_id: int,
    may_see: Callable[[str], bool],
) -> Report:
    """Mark ``report`` a duplicate of ``target`` (or of the report ``target`` was merged into).

    ``may_see`` tells whether the user may see a location code: a report outside their areas
    is "not found", as it would be by URL. Returns the report it was merged into.
    """
    root = _merge_root(session, target)
    if root is None or not may_see(root.location_code):
        raise CaseworkError(N_("No report with this reference."))
    if root.id == report.id:
        raise CaseworkError(N_("A report cannot be merged into itself."))
    if root.training != report.training:
        raise CaseworkError(N_("A training report and a real report cannot be merged."))
    now = runtime.clock.now()
    report.merged_into_id = root.id
    if report.status != "duplicate":
        _change_status(session, runtime, report, "duplicate", user_id)
    record(session, report.id, "merged_into", now, actor=actor(user_id), reference=root.reference)
    record(session, root.id, "merged_from", now, actor=actor(user_id), reference=report.reference)
    root.updated_at = now
    audit(session, runtime, user_id, "report_merged", "report", report.reference, into=root.reference)
    return root


def refer(
    session: Session,
    runtime: Runtime,
    report: Report,
    partner: str,
    follow_up_on: date | None,
    today: date,
    user_id: int,
) -> Referral:
    if partner not in PARTNERS:
        raise CaseworkError(N_("Choose a partner."))
    if follow_up_on is None or follow_up_on < today:
        raise CaseworkError(N_("Give a follow-up date, today or later."))
    now = runtime.clock.now()
    referral = Referral(
        report_id=report.id,
        partner=partner,
        follow_up_on=follow_up_on,
        done=False,
        created_by=user_id,
        created_at=now,
    )
    session.add(referral)
    record(
        session,
        report.id,
        "referred",
        now,
        actor=actor(user_id),
        partner=partner,
        follow_up_on=follow_up_on.isoformat(),
    )
    if report.status not in ("referred", *FINISHED_STATUSES):
        _change_status(session, runtime, report, "referred", user_id)
    session.flush()
    partner_webhooks.emit(session, runtime, report, "referred", key=str(referral.id))
    audit(
        session,
        runtime,
        user_id,
        "report_referred",
        "report",
        report.reference,
        partner=partner,
        follow_up_on=follow_up_on.isoformat(),
        referral_id=referral.id,
    )
    return referral


def follow_up_done(
    session: Session, runtime: Runtime, report: Report, referral_id: int, user_id: int
) -> None:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.report_id != report.id or referral.done:
        raise CaseworkError(N_("This follow-up is not open."))
    now = runtime.clock.now()
    referral.done = True
    record(session, report.id, "follow_up_done", now, actor=actor(user_id), partner=referral.partner)
    audit(
        session, runtime, user_id, "referral_followed_up", "report", report.reference, referral_id=referral.id
    )


def reveal_number(session: Session, runtime: Runtime, report: Report, reason: str, user_id: int | str) -> str:
    """The reporter's number in clear, for someone allowed to call back.

    1. Refuse (and audit the refusal) without the reporter's consent to be called back (a
       confidential or anonymous reporter is never called) or without a typed reason.
    2. Audit the reveal with its reason and mark it on the timeline (without the number).
    The caller checks the user's role and commits.
    """
    reason = reason.strip()
    contact = report.contact
    refusal = None
    if contact is None or contact.consent != "callback":
        refusal = N_("The reporter did not agree to be called back: the number stays hidden.")
    elif len(reason) < MIN_REASON:
        refusal = N_("Type the reason for revealing the number (10 characters at least).")
    if refusal:
        audit(
            session,
            runtime,
            user_id,
            "number_reveal_refused",
            "report",
            report.reference,
            why=refusal,
            reason=reason[:500],
        )
        raise CaseworkError(refusal)
    assert contact is not None
    now = runtime.clock.now()
    audit(session, runtime, user_id, "number_revealed", "report", report.reference, reason=reason[:500])
    record(session, report.id, "number_revealed", now, actor=actor(user_id))
    return runtime.cipher.decrypt(contact.phone_encrypted)


def _change_status(
    session: Session, runtime: Runtime, report: Report, status: str, user_id: int | str
) -> None:
    now = runtime.clock.now()
    previous, report.status, report.updated_at = report.status, status, now
    report.finished_at = now if status in FINISHED_STATUSES else None
    record(session, report.id, "status_changed", now, actor=actor(user_id), previous=previous, status=status)
    if status not in ESCALATING_STATUSES:
        _stop_escalation(session, report, now, user_id)
    if status in FINISHED_STATUSES:  # a case reopened and closed again is a second event
        partner_webhooks.emit(session, runtime, report, "closed", key=now.isoformat())


def _stop_escalation(session: Session, report: Report, now: datetime, user_id: int | str) -> None:
    """No more alert steps: the due time and token go, so a queued step job finds nothing to do."""
    if report.escalation_due_at is None and report.escalation_token is None:
        return
    report.escalation_due_at = report.escalation_token = None
    session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.report_id == report.id,
            OutboundMessage.purpose == "alert",
            OutboundMessage.status == MESSAGE_PENDING,
        )
        .values(status=MESSAGE_CANCELLED, next_attempt_at=None, updated_at=now)
    )
    record(session, report.id, "escalation_stopped", now, actor=actor(user_id))


def _merge_root(session: Session, report: Report | None) -> Report | None:
    """Follow merged_into links to the report that holds the case (bounded, in case of a loop)."""
    for _ in range(MAX_MERGE_HOPS):
        if report is None or report.merged_into_id is None:
            return report
        report = session.get(Report, report.merged_into_id)
    return None

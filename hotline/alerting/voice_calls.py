"""A phone call's life after its escalation step wrote it (hotline.alerting.calls): placed by a job,
answered, a key pressed, ended. Each change is on the report's timeline, without personal data.

Pressing 1 accepts exactly as the SMS ``1 REF`` does (``worker_replies.Replies.accept``: the same
conditional update, the confirmation and the details SMS, the notices to colleagues); 2 declines
as ``2 REF`` does. A call that ends otherwise (no key, no answer, busy, failed) hastens the
escalation, but only while the report still waits on the step that placed it (its token).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.alerting import escalation
from hotline.alerting.worker_replies import Replies
from hotline.gateways import GatewayUnavailable
from hotline.gateways.voice import CallResult
from hotline.models import (
    CALL_ANSWERED,
    CALL_PENDING,
    CALL_PLACING,
    CALL_RINGING,
    Report,
    SocialWorker,
    VoiceCall,
)
from hotline.platform.db import rowcount
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record

KEYS = {"1": "accepted", "2": "declined"}
FINAL = ("accepted", "declined", "taken")  # decided by a key; the call's end changes nothing
BUSY = {"USER_BUSY", "CALL_REJECTED"}
UNANSWERED = {"NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "RECOVERY_ON_TIMER_EXPIRE", ""}


@dataclass(frozen=True)
class CallEnd:
    """AT's final callback: how long, what it cost, why it ended."""

    duration_seconds: int | None = None
    status: str | None = None  # AT's "status"
    hangup_cause: str | None = None
    cost: str | None = None  # "USD 0.0500"


@dataclass
class Outcome:
    """What a key did: the words to answer with (call_script.ANSWERS, or None to ask again),
    and what to enqueue after the commit."""

    answer: str | None = None
    message_ids: list[int] = field(default_factory=list)
    escalate_ids: list[int] = field(default_factory=list)


def place(runtime: Runtime, call_id: int) -> bool:
    """The job: ring the worker. True when the call failed and hastened the escalation (the
    caller enqueues it). A call whose report was accepted, or whose step is over, never rings."""
    with runtime.session() as session:
        claimed = rowcount(
            session.execute(
                update(VoiceCall)
                .where(VoiceCall.id == call_id, VoiceCall.status == CALL_PENDING)
                .values(status=CALL_PLACING)
            )
        )
        session.commit()
        call = session.get(VoiceCall, call_id)
        if not claimed or call is None:
            return False  # another job has it
        report = session.get_one(Report, call.report_id)
        worker = session.get_one(SocialWorker, call.worker_id)
        stale = report.escalation_token != call.escalation_token  # its step is over
        if report.accepted_at is not None or stale or not worker.active:
            call.status, call.ended_at = "cancelled", runtime.clock.now()
            session.commit()
            return False
        phone = runtime.cipher.decrypt(worker.phone_encrypted)
    try:
        result = runtime.voice.call(phone)
    except GatewayUnavailable:  # a call placed late is worse than the next level now
        result = CallResult(accepted=False, status="Unreachable")
    with runtime.session() as session:
        call = session.get_one(VoiceCall, call_id)
        if result.accepted:
            call.status, call.session_id, call.gateway_status = CALL_RINGING, result.session_id, result.status
            session.commit()
            return False
        hastened = _end(session, runtime, call, "failed", CallEnd(status=result.status))
        session.commit()
        return hastened


def find(session: Session, session_id: str) -> VoiceCall | None:
    """The call AT's session id names, if the hotline placed it."""
    # Locked: a key and the final callback of one call may arrive together (PostgreSQL).
    return session.scalar(select(VoiceCall).where(VoiceCall.session_id == session_id).with_for_update())


def answered(session: Session, runtime: Runtime, call: VoiceCall) -> str | None:
    """AT says the worker picked up (a callback with isActive=1). None: ask for a key; else what
    to say and hang up (the report was accepted meanwhile, or the call is over)."""
    if call.status in FINAL:
        return call.status
    if call.status not in (CALL_RINGING, CALL_ANSWERED):
        return "no_key"
    if call.status == CALL_RINGING:
        call.status, call.answered_at = CALL_ANSWERED, runtime.clock.now()
        record(session, call.report_id, "call_answered", call.answered_at, worker_id=call.worker_id)
    report = session.get_one(Report, call.report_id)
    if report.accepted_at is None:
        return None
    call.status = "accepted" if report.accepted_by_id == call.worker_id else "taken"
    return call.status


def pressed(session: Session, runtime: Runtime, call: VoiceCall, digits: str) -> Outcome:
    """A key: 1 accepts, 2 declines (the SMS commands' own code), anything else asks again."""
    said = answered(session, runtime, call)
    if said is not None:
        return Outcome(said)
    key = digits.strip().rstrip("#")  # numDigits="1": one key, else ask again
    if key not in KEYS:
        return Outcome(None)
    report = session.get_one(Report, call.report_id)
    worker = session.get_one(SocialWorker, call.worker_id)
    replies = Replies(session, runtime, worker)
    if key == "1":
        replies.accept(report, None)
    else:
        replies.decline(report, None)
    session.refresh(report)
    mine = report.accepted_by_id == worker.id
    outcome = "taken" if report.accepted_at is not None and not mine else "accepted" if mine else KEYS[key]
    call.status, call.digits = outcome, key
    return Outcome(outcome, replies.message_ids, replies.escalate_ids)


def ended(session: Session, runtime: Runtime, call: VoiceCall, end: CallEnd) -> bool:
    """AT's final callback. True when it hastened the escalation (the caller enqueues it)."""
    if call.ended_at is not None:
        return False  # a repeat
    if call.status in FINAL:
        outcome = call.status
    elif call.status == CALL_ANSWERED or (end.duration_seconds or 0) > 0:
        outcome = "no_key"
    else:
        cause = (end.hangup_cause or "").upper()
        outcome = "busy" if cause in BUSY else "no_answer" if cause in UNANSWERED else "failed"
    return _end(session, runtime, call, outcome, end)


def _end(session: Session, runtime: Runtime, call: VoiceCall, outcome: str, end: CallEnd) -> bool:
    now = runtime.clock.now()
    call.status, call.ended_at = outcome, now
    call.duration_seconds, call.cost = end.duration_seconds, end.cost
    call.gateway_status = (end.hangup_cause or end.status or call.gateway_status or "")[:40] or None
    record(
        session,
        call.report_id,
        "call_ended",
        now,
        worker_id=call.worker_id,
        outcome=outcome,
        key=call.digits,
        seconds=end.duration_seconds,
        status=call.gateway_status,
        cost=end.cost,
    )
    report = session.get_one(Report, call.report_id)
    if outcome in FINAL or report.escalation_token != call.escalation_token or call.escalation_token is None:
        return False  # decided by a key, or the escalation has moved on without this call
    return escalation.escalate_now(session, runtime, report, f"call_{outcome}")

"""A ``call`` step of an escalation policy: the phone calls it writes, before anyone rings.

Like an alert SMS, a call is a row written in the step's transaction (``pending``) and placed by a
worker job after the commit (``hotline.alerting.voice_calls.place``); the ticker re-finds a row
whose job was lost. Without a voice service the step writes nothing and says so on the timeline
(``call_unavailable``): the escalation then goes on as after a level with nobody on call, without
waiting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerting.routing import recipients
from hotline.models import CALL_PENDING, Report, ReportEvent, VoiceCall
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record


def write_calls(
    session: Session, runtime: Runtime, report: Report, levels: list[str], now: datetime
) -> list[VoiceCall]:
    """One pending call per worker on call at these levels, but those who declined the report."""
    if not runtime.voice.available:
        record(session, report.id, "call_unavailable", now, levels=levels)
        return []
    declined = {
        event.detail.get("worker_id")
        for event in session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report.id, ReportEvent.kind == "declined")
        )
    }
    calls: list[VoiceCall] = []
    for level in levels:
        workers = [
            worker
            for worker in recipients(session, runtime.locations, report.location_code, level, now)
            if worker.id not in declined
        ]
        for worker in workers:
            call = VoiceCall(
                report_id=report.id, worker_id=worker.id, level=level, status=CALL_PENDING, created_at=now
            )
            session.add(call)
            calls.append(call)
        record(
            session,
            report.id,
            "called" if workers else "nobody_on_call",
            now,
            level=level,
            workers=[w.id for w in workers],
        )
    if calls and report.status == "new":
        report.status = "alerted"
    session.flush()
    return calls


def pending_calls(runtime: Runtime, report_id: int | None = None, limit: int = 200) -> list[int]:
    """Calls written but not yet placed: a report's (its escalation job places them at once), or
    every one (the ticker: a lost job; placing claims a call, so a duplicate job rings nobody)."""
    with runtime.session() as session:
        query = select(VoiceCall.id).where(VoiceCall.status == CALL_PENDING)
        if report_id is not None:
            query = query.where(VoiceCall.report_id == report_id)
        return list(session.scalars(query.order_by(VoiceCall.id).limit(limit)))

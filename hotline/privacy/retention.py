"""Retention: a finished report keeps its personal data HOTLINE_RETENTION_DAYS, then loses it.

What goes (``purge``): the reporter's contact row and fingerprint, the number copied on the SMS
exchanged with the reporter (sender of the SMS that made the report, recipient of our replies),
the bodies of SMS about the report other than the alert (the details SMS quotes the place and the
call-back number), and, unless an operator marked the text as needed (``keep_text``), the
description, the place detail and the text of the reporter's SMS. What stays: category, place,
dates, statuses and the timeline, so the statistics still count the case. Training reports too.

The daily job and ``hotline retention run`` call ``purge_due``; it is idempotent (``purged_at``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hotline.models import (
    MESSAGE_CANCELLED,
    MESSAGE_PENDING,
    InboundMessage,
    OutboundMessage,
    Report,
    ReporterContact,
)
from hotline.platform.db import rowcount
from hotline.platform.runtime import Runtime
from hotline.records.audit import audit
from hotline.records.timeline import record

log = logging.getLogger(__name__)
BATCH_SIZE = 200


def purge_due(runtime: Runtime, batch_size: int = BATCH_SIZE) -> int:
    """Purge every report finished before the retention period; returns how many (logged)."""
    cutoff = runtime.clock.now() - timedelta(days=runtime.settings.retention_days)
    purged = 0
    with runtime.session() as session:
        while True:
            reports = list(
                session.scalars(
                    select(Report)
                    .where(
                        Report.finished_at.is_not(None),
                        Report.finished_at <= cutoff,
                        Report.purged_at.is_(None),
                    )
                    .order_by(Report.id)
                    .limit(batch_size)
                )
            )
            if not reports:
                break
            for report in reports:
                purge(session, runtime, report)
            session.commit()  # batch by batch: an interrupted run resumes where it stopped
            purged += len(reports)
    log.info("retention: %s report(s) lost their personal data", purged)
    return purged


def purge(session: Session, runtime: Runtime, report: Report) -> None:
    """Remove one report's personal data in the caller's transaction (see the module docstring)."""
    now = runtime.clock.now()
    remove_contact(session, report)
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.report_id == report.id, OutboundMessage.purpose != "alert")
        .values(body="", updated_at=now)
    )
    if not report.keep_text:
        session.execute(update(InboundMessage).where(InboundMessage.report_id == report.id).values(text=""))
        report.description = report.place_detail = None
    report.purged_at = report.updated_at = now
    record(session, report.id, "purged", now, text_kept=report.keep_text)


def remove_contact(session: Session, report: Report) -> int:
    """Forget how to reach the reporter of ``report``: the contact row, the fingerprint, the
    number on the SMS to and from them (pending ones are cancelled). Returns SMS cancelled."""
    session.execute(delete(ReporterContact).where(ReporterContact.report_id == report.id))
    session.expire(report, ["contact"])
    report.reporter_hash = None
    to_reporter = (OutboundMessage.report_id == report.id, OutboundMessage.worker_id.is_(None))
    cancelled = rowcount(
        session.execute(
            update(OutboundMessage)
            .where(*to_reporter, OutboundMessage.status == MESSAGE_PENDING)
            .values(status=MESSAGE_CANCELLED, next_attempt_at=None)
        )
    )
    session.execute(
        update(OutboundMessage).where(*to_reporter).values(recipient_encrypted="", recipient_hash="", body="")
    )
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.report_id == report.id)
        .values(sender_encrypted="", sender_hash="")
    )
    # The accepting worker's details SMS quotes the call-back number in its body.
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.report_id == report.id, OutboundMessage.purpose == "details")
        .values(body="")
    )
    return cancelled


def set_keep_text(session: Session, runtime: Runtime, report: Report, keep: bool, user_id: int) -> None:
    """An operator marks (or unmarks) the free text as needed beyond the retention period;
    audited and on the timeline, in the caller's transaction."""
    now = runtime.clock.now()
    report.keep_text, report.updated_at = keep, now
    record(session, report.id, "keep_text", now, actor=f"user:{user_id}", keep=keep)
    audit(session, runtime, user_id, "report_keep_text", "report", report.reference, keep=keep)

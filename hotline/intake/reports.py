"""Opening a report: one transaction holds the report, its contact, its timeline and its alerts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.alerting import escalation, training
from hotline.intake import flood
from hotline.models import Report, ReporterContact
from hotline.partners import webhooks as partner_webhooks
from hotline.platform.db import limit_lock_wait
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record

MAX_REFERENCE_TRIES = 8


@dataclass(frozen=True)
class NewReport:
    """What a channel collected. ``phone`` is E.164 or None; it is stored only with consent."""

    source_key: str
    channel: str
    language: str
    category: str
    urgent: bool
    location_code: str
    phone: str | None = None
    contact: str = "anonymous"  # callback | confidential | anonymous
    safe_time: str | None = None
    place_detail: str | None = None
    people_count: int | None = None
    children_involved: bool | None = None
    description: str | None = None
    training: bool = False
    reporter_hash: str | None = None
    pin: str | None = None


@dataclass
class Opened:
    report: Report
    message_ids: list[int] = field(default_factory=list)
    created: bool = True
    held: bool = False  # over its number's flood limits: stored, but nobody is alerted


def open_report(runtime: Runtime, new: NewReport, deadline: float | None = None) -> Opened:
    """Store a report durably, then queue its alerts.

    1. If this channel request already made a report (same ``source_key``), return that one.
    2. In ONE transaction: the report, its contact (unless anonymous), a "received" event, its
       escalation policy and alarm, its first step due now (none when the number is over its
       flood limits: the report is held, see hotline.intake.flood).
    3. After the commit, enqueue the escalate job that alerts the first step's workers and sends
       their alerts (a lost enqueue is re-found by the ticker). Only the training simulator's
       alerts are written here.
    ``deadline`` (a ``time.perf_counter()`` value; a USSD hop's budget): the transaction waits for
    another writer's lock only until then, after which an OperationalError and nothing is stored.
    """
    if not runtime.locations.is_valid(new.location_code):
        raise ValueError("unknown location code")
    with runtime.session() as session:
        existing = _by_source(session, new.source_key)
        if existing:
            return Opened(existing, created=False)
        held = not new.training and flood.hold_report(runtime, new.reporter_hash)
        for _ in range(MAX_REFERENCE_TRIES):
            try:
                if deadline is not None:
                    limit_lock_wait(session, max(0.05, deadline - time.perf_counter()))
                opened = _insert(session, runtime, new, held)
                session.commit()
                break
            except IntegrityError:
                session.rollback()
                existing = _by_source(session, new.source_key)
                if existing:  # a concurrent retry of the same request won the race
                    return Opened(existing, created=False)
        else:
            raise RuntimeError("could not allocate a unique reference")
    runtime.queue.send_messages(opened.message_ids)  # the training simulator's alerts
    if opened.report.escalation_due_at is not None:
        runtime.queue.escalate(opened.report.id)  # its first step: who is alerted, in the worker
    return opened


def _by_source(session: Session, source_key: str) -> Report | None:
    return session.scalar(select(Report).where(Report.source_key == source_key))


def _insert(session: Session, runtime: Runtime, new: NewReport, held: bool = False) -> Opened:
    now = runtime.clock.now()
    report = Report(
        reference=runtime.new_reference(),
        source_key=new.source_key,
        channel=new.channel,
        language=new.language,
        category=new.category,
        urgent=new.urgent,
        location_code=new.location_code,
        place_detail=new.place_detail,
        people_count=new.people_count,
        children_involved=new.children_involved,
        description=new.description,
        status="new",
        training=new.training or training.is_training_source(new.source_key),
        created_at=now,
        updated_at=now,
        reporter_hash=new.reporter_hash,
    )
    if new.pin:
        report.pin_hash = pin_hash(runtime, report.reference, new.pin)
    session.add(report)
    session.flush()
    if new.phone and new.contact in ("callback", "confidential"):
        session.add(
            ReporterContact(
                report_id=report.id,
                phone_encrypted=runtime.cipher.encrypt(new.phone),
                phone_hash=runtime.cipher.lookup_hash(new.phone),
                consent=new.contact,
                safe_time=new.safe_time if new.contact == "callback" else None,
                created_at=now,
            )
        )
    record(session, report.id, "received", now, channel=new.channel, urgent=new.urgent)
    if report.training:  # the simulator's: its emulated worker only, never the policy's
        message_ids = training.start_alerts(session, runtime, report)
    elif held:  # kept for the operators; a flood must not page the on-call workers
        record(session, report.id, "flood_held", now)
        flood.record_held(session, runtime, "reports")
        message_ids = []
    else:
        escalation.start(session, runtime, report)
        message_ids = []
    if not held:  # a flood pages nobody here, and must not fill partners' systems either
        partner_webhooks.emit(session, runtime, report, "opened")  # nothing for a training report
    return Opened(report, message_ids, held=held)


def pin_hash(runtime: Runtime, reference: str, pin: str) -> str:
    return runtime.cipher.lookup_hash(f"pin:{reference}:{pin}")

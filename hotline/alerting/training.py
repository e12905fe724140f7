"""The training simulator's side of the service: reserved phones, emulated social workers, and
where a training report's alerts go.

Trainers drive the real USSD and SMS conversations from the console. Whatever they make is
training and must never reach a real worker, the real gateway, or the statistics:

- the simulator's phones are numbers of one reserved range (+243 89 000 0xxx): reporters
  0001-0005, each paired with an emulated social worker 0901-0905 (so trainees working side by
  side do not answer each other's alerts);
- the ids the simulator gives its USSD sessions and SMS start with ``TRAIN-`` (AT's never do), so
  the report they open is marked training whichever channel opened it;
- a training report does not run the escalation policy: its one alert goes to the emulated
  worker paired with the phone that made it, and no step is ever due (routing never returns a
  worker of the "training" role, so no real report alerts one either);
- the outbox sends training messages, and anything addressed to the reserved range, through the
  local outbox whatever SMS_GATEWAY says.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.alerting.alerts import alert_text
from hotline.models import (
    MESSAGE_DELIVERED,
    MESSAGE_SENT,
    TRAINING_WORKER_ROLE,
    OutboundMessage,
    Report,
    SocialWorker,
)
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import messages

TRAINING_ROLE = TRAINING_WORKER_ROLE
TRAINING_ID_PREFIX = "TRAIN-"
REPORTER_PHONES = tuple(f"+24389000000{i}" for i in range(1, 6))
WORKER_PHONES = tuple(f"+24389000090{i}" for i in range(1, 6))
SHOWN_MESSAGES = 30  # an emulated phone lists the latest ones


def is_training_source(source_key: str) -> bool:
    """True for a report opened from a simulator session or SMS (``ussd:TRAIN-...``)."""
    return source_key.partition(":")[2].startswith(TRAINING_ID_PREFIX)


def new_training_id() -> str:
    """A USSD session id or SMS id for the simulator (AT's look like ``ATUid_...``)."""
    return TRAINING_ID_PREFIX + secrets.token_hex(12)


def pair_of(runtime: Runtime, reporter_hash: str | None) -> int:
    """Which reserved reporter phone made a report (its index), 0 when none did."""
    for index, phone in enumerate(REPORTER_PHONES):
        if reporter_hash in runtime.cipher.lookup_hashes(phone):
            return index
    return 0


def worker(session: Session, runtime: Runtime, pair: int) -> SocialWorker:
    """The emulated social worker of ``pair``, created on first use (in the caller's transaction).

    Active, so its SMS take the real worker command path; no area and the "training" role, so
    routing never picks it for a report.
    """
    phone = WORKER_PHONES[pair]
    phone_hash = runtime.cipher.lookup_hash(phone)
    found = session.scalar(
        select(SocialWorker).where(SocialWorker.phone_hash.in_(runtime.cipher.lookup_hashes(phone)))
    )
    if found is not None:
        return found
    now = runtime.clock.now()
    created = SocialWorker(
        name=f"Training worker {pair + 1}",
        phone_encrypted=runtime.cipher.encrypt(phone),
        phone_hash=phone_hash,
        language="fr",
        role=TRAINING_ROLE,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(created)
    session.flush()
    return created


def ensure_worker(runtime: Runtime, pair: int, language: str) -> None:
    """Create (or re-activate) the pair's worker before the trainer needs it; speak ``language``."""
    with runtime.session() as session:
        try:
            found = worker(session, runtime, pair)
            if (found.language, found.active) != (language, True):
                found.language, found.active = language, True
                found.updated_at = runtime.clock.now()
            session.commit()
        except IntegrityError:
            session.rollback()  # another trainer's request created it at the same moment


def start_alerts(session: Session, runtime: Runtime, report: Report) -> list[int]:
    """In the transaction that opens a training report, instead of the escalation policy: one
    alert to the emulated worker paired with the reporting phone, and no step ever due."""
    now = runtime.clock.now()
    report.escalation_steps = []
    report.escalation_cursor = report.escalation_repeats = 0
    report.escalation_due_at, report.escalation_token = None, None
    trainee = worker(session, runtime, pair_of(runtime, report.reporter_hash))
    body = alert_text(report, trainee.language, runtime.translations, runtime.locations)
    message_id = messages.to_worker(session, runtime, trainee, body, "alert", report)
    record(session, report.id, "notified", now, level=TRAINING_ROLE, workers=[trainee.id])
    report.status = "alerted"
    return [message_id]


def received(runtime: Runtime, phone: str) -> list[dict[str, str]]:
    """The SMS an emulated phone has received (handed to the gateway), oldest first; ``at`` is
    when, in ISO 8601 (UTC): the console writes it in the trainer's time zone."""
    with runtime.session() as session:
        rows = session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.recipient_hash.in_(runtime.cipher.lookup_hashes(phone)),
                OutboundMessage.status.in_((MESSAGE_SENT, MESSAGE_DELIVERED)),
            )
            .order_by(OutboundMessage.id.desc())
            .limit(SHOWN_MESSAGES)
        ).all()
        return [
            {
                "id": str(m.id),
                "body": messages.body_of(runtime, m),
                "purpose": m.purpose,
                "at": (m.sent_at or m.created_at).isoformat(),
            }
            for m in reversed(rows)
        ]


def reports_of(runtime: Runtime, pair: int, limit: int = 5) -> list[dict[str, str]]:
    """The latest training reports made from the pair's reporter phone."""
    with runtime.session() as session:
        rows = session.scalars(
            select(Report)
            .where(
                Report.training.is_(True),
                Report.reporter_hash.in_(runtime.cipher.lookup_hashes(REPORTER_PHONES[pair])),
            )
            .order_by(Report.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "reference": r.reference,
                "status": r.status,
                "channel": r.channel,
                "urgent": "1" if r.urgent else "",
            }
            for r in rows
        ]


def mark_training(runtime: Runtime, message_ids: list[int]) -> None:
    """Flag what a simulator SMS caused (replies have no report to take the flag from)."""
    if not message_ids:
        return
    with runtime.session() as session:
        for message in session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(message_ids))):
            message.training = True
        session.commit()

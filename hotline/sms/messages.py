"""Writing outbox rows: every SMS the service sends starts as a row in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hotline.models import MESSAGE_PENDING, OutboundMessage, Report, SocialWorker
from hotline.platform.runtime import Runtime

# A body that quotes personal data (the details SMS gives the call-back number and the reporter's
# words) is kept encrypted at rest, as "pii:<token>"; read every body through body_of().
SEALED = "pii:"
SEALED_PURPOSES = ("details",)


def body_of(runtime: Runtime, message: OutboundMessage) -> str:
    """The text of an SMS as the recipient gets it."""
    body = message.body
    return runtime.cipher.decrypt(body[len(SEALED) :]) if body.startswith(SEALED) else body


def add_message(
    session: Session,
    runtime: Runtime,
    *,
    recipient_encrypted: str,
    recipient_hash: str,
    body: str,
    purpose: str,
    report_id: int | None = None,
    worker_id: int | None = None,
    training: bool = False,
) -> OutboundMessage:
    """Write an outbox row in the caller's transaction; the caller enqueues its id after commit."""
    now = runtime.clock.now()
    message = OutboundMessage(
        report_id=report_id,
        worker_id=worker_id,
        recipient_encrypted=recipient_encrypted,
        recipient_hash=recipient_hash,
        purpose=purpose,
        status=MESSAGE_PENDING,
        body=SEALED + runtime.cipher.encrypt(body) if purpose in SEALED_PURPOSES else body,
        attempts=0,
        next_attempt_at=now,
        training=training,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    return message


def to_worker(
    session: Session,
    runtime: Runtime,
    worker: SocialWorker,
    body: str,
    purpose: str,
    report: Report | None = None,
) -> int:
    return add_message(
        session,
        runtime,
        recipient_encrypted=worker.phone_encrypted,
        recipient_hash=worker.phone_hash,
        body=body,
        purpose=purpose,
        worker_id=worker.id,
        report_id=report.id if report else None,
        training=bool(report and report.training),
    ).id

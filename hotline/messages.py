"""Writing outbox rows: every SMS the service sends starts as a row in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import MESSAGE_PENDING, OutboundMessage, Report, SocialWorker
from .runtime import Runtime


def add_message(session: Session, runtime: Runtime, *, recipient_encrypted: str, recipient_hash: str,
                body: str, purpose: str, report_id: int | None = None, worker_id: int | None = None,
                training: bool = False) -> OutboundMessage:
    """Write an outbox row in the caller's transaction; the caller enqueues its id after commit."""
    now = runtime.clock.now()
    message = OutboundMessage(
        report_id=report_id, worker_id=worker_id, recipient_encrypted=recipient_encrypted,
        recipient_hash=recipient_hash, purpose=purpose, body=body, status=MESSAGE_PENDING,
        attempts=0, next_attempt_at=now, training=training, created_at=now, updated_at=now,
    )
    session.add(message)
    session.flush()
    return message


def to_worker(session: Session, runtime: Runtime, worker: SocialWorker, body: str, purpose: str,
              report: Report | None = None) -> int:
    return add_message(
        session, runtime, recipient_encrypted=worker.phone_encrypted,
        recipient_hash=worker.phone_hash, body=body, purpose=purpose, worker_id=worker.id,
        report_id=report.id if report else None, training=bool(report and report.training),
    ).id

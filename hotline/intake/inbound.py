"""An incoming SMS, after the webhook stored it: from a social worker, or from a reporter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.alerting import training, worker_replies
from hotline.intake import reporter_sms
from hotline.models import InboundMessage, OutboundMessage, SocialWorker
from hotline.platform.db import rowcount
from hotline.platform.runtime import Runtime
from hotline.sms.outbox import TICKER_GRACE_TICKS


def receive_sms(
    runtime: Runtime, gateway_id: str, phone: str, text: str, gateway: str | None = None
) -> int | None:
    """Store an incoming SMS, then hand it to a worker job. Returns its id; None for a message
    the gateway posted again (already stored under its id). ``gateway``: the route it came by, which
    the answers to its sender go out through first.

    Stored first: a lost job is re-found by the ticker (``unprocessed``).
    """
    inbound_id = store_sms(runtime, gateway_id, phone, text, gateway)
    if inbound_id is not None:
        runtime.queue.handle_inbound(inbound_id)
    return inbound_id


def receive_training_sms(runtime: Runtime, phone: str, text: str) -> None:
    """What the SMS webhook and its job do with an incoming SMS, done at once for the simulator.

    1. Store it as the webhook would, under a ``TRAIN-`` id (a report it opens is training).
    2. Process it (reporter or worker, by the sender's number), as the inbound job would.
    3. Flag what it caused as training, then queue the sending.
    """
    inbound_id = store_sms(runtime, training.new_training_id(), phone, text)
    if inbound_id is None:
        return
    processed = process(runtime, inbound_id)
    training.mark_training(runtime, processed.message_ids)
    runtime.queue.send_messages(processed.message_ids)
    for report_id in processed.escalate_ids:  # as the job does (a training report never has one)
        runtime.queue.escalate(report_id)


def store_sms(
    runtime: Runtime, gateway_id: str, phone: str, text: str, gateway: str | None = None
) -> int | None:
    """Keep one incoming SMS (its sender encrypted); None if that gateway id is already kept."""
    with runtime.session() as session:
        if session.scalar(select(InboundMessage.id).where(InboundMessage.gateway_id == gateway_id)):
            return None
        message = InboundMessage(
            gateway_id=gateway_id,
            gateway=gateway,
            sender_encrypted=runtime.cipher.encrypt(phone),
            sender_hash=runtime.cipher.lookup_hash(phone),
            text=text,
            received_at=runtime.clock.now(),
        )
        session.add(message)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None  # the same message, posted twice at once
        return message.id


@dataclass
class Processed:
    """What to enqueue once the SMS's work is committed."""

    message_ids: list[int] = field(default_factory=list)
    escalate_ids: list[int] = field(default_factory=list)


def process(runtime: Runtime, inbound_id: int) -> Processed:
    """Handle one stored SMS once; returns what to enqueue after the commit.

    1. Claim the row (a conditional UPDATE on ``processed_at``) and commit: a duplicate job
       stops here.
    2. A registered, active worker's number -> a worker command; anyone else -> a reporter.
    3. If that fails, release the claim so the ticker tries again (the report is idempotent on
       the gateway's message id, so a retry never makes a second one).
    """
    now = runtime.clock.now()
    with runtime.session() as session:
        claimed = rowcount(
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id, InboundMessage.processed_at.is_(None))
                .values(processed_at=now)
            )
        )
        session.commit()
        message = session.get(InboundMessage, inbound_id)
        if not claimed or message is None:
            return Processed()
        sender = runtime.cipher.hashes_of(message.sender_hash, message.sender_encrypted)
        worker = session.scalar(
            select(SocialWorker).where(SocialWorker.phone_hash.in_(sender), SocialWorker.active.is_(True))
        )
        try:
            if worker is None:
                processed = Processed(reporter_sms.handle(runtime, inbound_id))
            else:
                replies = worker_replies.handle(session, runtime, worker, message.text)
                session.commit()
                processed = Processed(replies.message_ids, replies.escalate_ids)
        except Exception:
            session.rollback()
            session.execute(
                update(InboundMessage).where(InboundMessage.id == inbound_id).values(processed_at=None)
            )
            session.commit()
            raise
        if message.gateway:
            _answer_on_its_route(session, message.gateway, sender, processed.message_ids)
        return processed


def _answer_on_its_route(
    session: Session, gateway: str, sender: tuple[str, ...], message_ids: list[int]
) -> None:
    """The SMS this one caused that go back to its sender go out first through the route it came
    by (a worker's acceptance and details, a reporter's acknowledgement); the others (notices to
    colleagues) keep the configured order."""
    if message_ids:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(message_ids), OutboundMessage.recipient_hash.in_(sender))
            .values(first_gateway=gateway)
        )
        session.commit()


def unprocessed(runtime: Runtime) -> list[int]:
    """Stored SMS whose job was lost (the ticker re-enqueues them), given the same grace as the
    outbox so the fast path goes first."""
    cutoff = runtime.clock.now() - timedelta(seconds=TICKER_GRACE_TICKS * runtime.settings.tick_seconds)
    with runtime.session() as session:
        return list(
            session.scalars(
                select(InboundMessage.id)
                .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at <= cutoff)
                .order_by(InboundMessage.id)
                .limit(500)
            )
        )

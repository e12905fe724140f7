"""An incoming SMS, after the webhook stored it: from a social worker, or from a reporter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from . import worker_replies
from .models import InboundMessage, SocialWorker
from .runtime import Runtime


def process(runtime: Runtime, inbound_id: int) -> list[int]:
    """Handle one stored SMS exactly once. Returns the outbox ids to enqueue after the commit.

    1. Claim the row (a conditional UPDATE on ``processed_at``): a duplicate job stops here.
    2. A registered, active worker's number -> a worker command; anyone else -> a reporter.
    3. Commit the claim and everything it caused together.
    """
    now = runtime.clock.now()
    with runtime.session() as session:
        claimed = session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == inbound_id, InboundMessage.processed_at.is_(None))
            .values(processed_at=now)
        ).rowcount
        message = session.get(InboundMessage, inbound_id)
        if not claimed or message is None:
            session.rollback()
            return []
        worker = session.scalar(select(SocialWorker).where(
            SocialWorker.phone_hash == message.sender_hash, SocialWorker.active.is_(True)))
        if worker is not None:
            message_ids = worker_replies.handle(session, runtime, worker, message.text)
        else:
            message_ids = []  # reporter SMS: handled by the reporter channel
        session.commit()
        return message_ids



def unprocessed(runtime: Runtime, grace: timedelta = timedelta(seconds=30)) -> list[int]:
    """Stored SMS whose job was lost (the ticker re-enqueues them)."""
    cutoff = runtime.clock.now() - grace
    with runtime.session() as session:
        return list(session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at <= cutoff)
            .order_by(InboundMessage.id).limit(500)
        ))

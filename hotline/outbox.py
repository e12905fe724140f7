"""The outbox: sending one stored message through the gateway, and what delivery reports say."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from .gateways import GatewayUnavailable
from .models import (
    FINAL_MESSAGE_STATUSES,
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_PENDING,
    MESSAGE_SENT,
    OutboundMessage,
)
from .runtime import Runtime
from .timeline import record

log = logging.getLogger(__name__)

# AT delivery report statuses (compared case-insensitively).
DELIVERED_STATUSES = {"success"}
FAILED_STATUSES = {"rejected", "failed", "expired", "absentsubscriber"}
IN_FLIGHT_STATUSES = {"sent", "submitted", "buffered"}
RETRY_AFTER = timedelta(minutes=2)


class SendLater(Exception):
    """The gateway was unavailable; the job system retries the same message with backoff."""


def send_message(runtime: Runtime, message_id: int) -> str:
    """Send one outbox row if it still needs sending. Returns its status afterwards.

    1. Load the row; anything but "pending" was already handled (a duplicate job) -> stop.
    2. Count the attempt and commit it before calling the gateway, so a crash is visible.
    3. Call the gateway: accepted -> "sent" (or "delivered" for the local outbox); a permanent
       refusal -> "failed"; unavailable -> stays "pending" and SendLater is raised for a retry.
    """
    with runtime.session() as session:
        message = session.get(OutboundMessage, message_id)
        if message is None or message.status != MESSAGE_PENDING:
            return message.status if message else "missing"
        now = runtime.clock.now()
        message.attempts += 1
        message.next_attempt_at = now + RETRY_AFTER
        message.updated_at = now
        session.commit()

        recipient = runtime.cipher.decrypt(message.recipient_encrypted)
        try:
            result = runtime.gateway.send(recipient, message.body)
        except GatewayUnavailable as exc:
            message.failure_reason = str(exc)[:64]
            session.commit()
            log.warning("message %s: gateway unavailable (attempt %s)", message.id, message.attempts)
            raise SendLater(str(exc)) from None

        now = runtime.clock.now()
        message.gateway = runtime.gateway.name
        message.gateway_status = result.status[:32]
        message.updated_at = now
        if result.accepted:
            message.status = MESSAGE_DELIVERED if result.delivered else MESSAGE_SENT
            message.gateway_message_id = result.message_id
            message.sent_at = now
            message.next_attempt_at = None
            if result.delivered:
                message.delivered_at = now
        elif result.retryable:
            message.failure_reason = result.status[:64]
            session.commit()
            raise SendLater(result.status)
        else:
            message.status = MESSAGE_FAILED
            message.failure_reason = result.status[:64]
            message.next_attempt_at = None
        if message.report_id:
            record(session, message.report_id, "message_" + message.status, now,
                   message_id=message.id, worker_id=message.worker_id, status=result.status)
        session.commit()
        return message.status


def apply_delivery_report(runtime: Runtime, gateway_id: str, status: str,
                          failure_reason: str | None = None) -> bool:
    """Record a delivery report. Returns False for an unknown id. Never downgrades a final status."""
    key = status.strip().lower()
    with runtime.session() as session:
        message = session.scalar(
            select(OutboundMessage).where(OutboundMessage.gateway_message_id == gateway_id)
        )
        if message is None:
            return False
        now = runtime.clock.now()
        if message.status in FINAL_MESSAGE_STATUSES or key in IN_FLIGHT_STATUSES:
            if message.status not in FINAL_MESSAGE_STATUSES:
                message.gateway_status = status[:32]
                message.updated_at = now
                session.commit()
            return True
        if key in DELIVERED_STATUSES:
            message.status, message.delivered_at = MESSAGE_DELIVERED, now
        elif key in FAILED_STATUSES:
            message.status = MESSAGE_FAILED
            message.failure_reason = (failure_reason or status)[:64]
        else:
            return True  # a status we do not know: keep what we have
        message.gateway_status = status[:32]
        message.updated_at = now
        if message.report_id:
            record(session, message.report_id, "message_" + message.status, now,
                   message_id=message.id, worker_id=message.worker_id, status=status[:32])
        session.commit()
        return True

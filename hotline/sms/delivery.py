"""What delivery reports say of a sent message, from any route: delivered, still in flight, failed,
or failed by the route's own network and so sent out again, once, through the next route."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hotline.models import FINAL_MESSAGE_STATUSES, MESSAGE_DELIVERED, MESSAGE_FAILED, OutboundMessage
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import routes

# Delivery statuses, compared case-insensitively: Africa's Talking's (docs/africastalking.md section 4)
# and the Android app's (docs/android-sms-gateway.md: Sent, Delivered, Failed).
DELIVERED_STATUSES = {"success", "delivered"}
FAILED_STATUSES = {"rejected", "failed", "expired", "absentsubscriber"}
IN_FLIGHT_STATUSES = {"sent", "submitted", "buffered", "pending", "processed"}


@dataclass(frozen=True)
class Delivery:
    """What a report changed: the message it failed (the caller escalates a failed alert at once),
    or the message it sent back to the outbox for the next route (the caller enqueues its send)."""

    failed: int | None = None
    resend: int | None = None


def apply_delivery_report(
    runtime: Runtime, gateway_id: str, status: str, failure_reason: str | None = None
) -> Delivery:
    """Record a delivery report. Never downgrades a final status; an unknown id or status changes
    nothing."""
    key = status.strip().lower()
    with runtime.session() as session:
        message = session.scalar(
            select(OutboundMessage).where(OutboundMessage.gateway_message_id == gateway_id)
        )
        if message is None:
            return Delivery()
        now = runtime.clock.now()
        if message.status in FINAL_MESSAGE_STATUSES or key in IN_FLIGHT_STATUSES:
            if message.status not in FINAL_MESSAGE_STATUSES:
                message.gateway_status = status[:32]
                message.updated_at = now
                session.commit()
            return Delivery()
        if key in FAILED_STATUSES and routes.fail_over(session, runtime, message, status, failure_reason):
            session.commit()
            return Delivery(resend=message.id)
        if key in DELIVERED_STATUSES:
            message.status, message.delivered_at = MESSAGE_DELIVERED, now
        elif key in FAILED_STATUSES:
            message.status = MESSAGE_FAILED
            message.failure_reason = (failure_reason or status)[:64]
        else:
            return Delivery()  # a status we do not know: keep what we have
        message.gateway_status = status[:32]
        message.updated_at = now
        if message.report_id:
            record(
                session,
                message.report_id,
                "message_" + message.status,
                now,
                message_id=message.id,
                worker_id=message.worker_id,
                status=status[:32],
                gateway=message.gateway,
            )
        session.commit()
        return Delivery(failed=message.id if message.status == MESSAGE_FAILED else None)

"""A delivery report from the gateway, after the webhook read it: record it, escalate a failed alert
at once, and send again through the next route a message whose route's network failed it."""

from __future__ import annotations

from hotline.alerting.escalation import escalate_failed_alert
from hotline.platform.runtime import Runtime
from hotline.sms.delivery import apply_delivery_report


def receive_delivery_report(
    runtime: Runtime, gateway_id: str, status: str, failure_reason: str | None = None
) -> None:
    """Record what the gateway says of one message; an unknown id is ignored (see the webhook)."""
    delivery = apply_delivery_report(runtime, gateway_id, status, failure_reason)
    if delivery.resend is not None:
        runtime.queue.send_messages([delivery.resend])
    if delivery.failed is not None:
        escalate_failed_alert(runtime, delivery.failed)

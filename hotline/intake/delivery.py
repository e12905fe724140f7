"""A delivery report from the gateway, after the webhook read it: record it, and escalate a
failed alert at once."""

from __future__ import annotations

from hotline.alerting.escalation import escalate_failed_alert
from hotline.platform.runtime import Runtime
from hotline.sms.outbox import apply_delivery_report


def receive_delivery_report(
    runtime: Runtime, gateway_id: str, status: str, failure_reason: str | None = None
) -> None:
    """Record what the gateway says of one message; an unknown id is ignored (see the webhook)."""
    failed = apply_delivery_report(runtime, gateway_id, status, failure_reason)
    if failed is not None:
        escalate_failed_alert(runtime, failed)

"""The outbox: sending one stored message through the gateway (delivery reports: hotline.sms.delivery)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hotline.gateways import Failover, GatewayUnavailable, RoutesUnavailable, SendResult, SmsGateway
from hotline.gateways.local import LocalOutbox
from hotline.gateways.router import GatewayRouter
from hotline.models import (
    MESSAGE_CANCELLED,
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_PENDING,
    MESSAGE_SENT,
    OutboundMessage,
    SmsOptOut,
)
from hotline.platform import meters
from hotline.platform.db import rowcount
from hotline.platform.phones import is_training_phone
from hotline.platform.queue import BACKOFF_SECONDS
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record
from hotline.sms import cap as sms_cap
from hotline.sms import messages, routes

log = logging.getLogger(__name__)

# A claimed message is not sent again by another job until its lease ends: longer than the
# gateway's slowest send, so a live send is never duplicated; no longer, so the alert of a worker
# killed mid-send goes out again about a minute later (lease + ticker grace + a tick), not minutes.
LEASE_MARGIN = timedelta(seconds=5)
# Training messages stay on this machine whatever SMS_GATEWAY says (hotline.alerting.training).
TRAINING_GATEWAY = LocalOutbox()
# The ticker leaves a due row to the fast path (the job enqueued at commit) for this many ticks.
TICKER_GRACE_TICKS = 2


@dataclass(frozen=True)
class Sent:
    """What one call of send_message did: the row's status after it, and whether this call is
    the one that failed it (the caller escalates a failed alert at once; a duplicate job that
    finds the row already failed must not escalate it twice)."""

    status: str
    failed_now: bool = False


class SendLater(Exception):
    """The gateway was unavailable; the job system retries the same message with backoff."""

    def __init__(self, reason: str, retry_at: datetime) -> None:
        super().__init__(reason)
        self.retry_at = retry_at  # the row's next attempt


def lease(runtime: Runtime) -> timedelta:
    return timedelta(seconds=runtime.gateway.max_send_seconds) + LEASE_MARGIN


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def send_message(runtime: Runtime, message_id: int) -> Sent:
    """Send one outbox row if it still needs sending. Returns its status afterwards.

    1. Claim the row: one conditional UPDATE counts the attempt and takes a lease; a duplicate
       job, or one racing another worker, finds nothing to claim and stops.
    2. Call the gateway: accepted -> "sent" (or "delivered" for the local outbox); a permanent
       refusal -> "failed"; unavailable -> stays "pending" with its next attempt set by backoff,
       and SendLater is raised so RQ retries at that time.
    3. A crash between 1 and 2 leaves a lease that expires; the ticker then sends it again.
    """
    now = runtime.clock.now()
    with runtime.session() as session:
        claimed = rowcount(
            session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id == message_id,
                    OutboundMessage.status == MESSAGE_PENDING,
                    or_(
                        OutboundMessage.next_attempt_at.is_(None),
                        OutboundMessage.next_attempt_at <= now + timedelta(seconds=2),
                    ),
                )
                .values(
                    attempts=OutboundMessage.attempts + 1,
                    next_attempt_at=now + lease(runtime),
                    updated_at=now,
                )
            )
        )
        session.commit()
        message = session.get(OutboundMessage, message_id)
        if message is None or not claimed:
            if (
                message is not None
                and message.purpose == "bundle"
                and message.status == MESSAGE_PENDING
                and message.next_attempt_at is not None
            ):
                # A bundle is held a minute to collect alerts: send it then, not a ticker's grace later.
                runtime.queue.send_at(message.id, message.next_attempt_at)
            return Sent(message.status if message else "missing")
        if message.purpose == "reply" and _opted_out(session, runtime, message):
            message.status, message.next_attempt_at = MESSAGE_CANCELLED, None  # they sent STOP
            session.commit()
            return Sent(message.status)

        recipient = runtime.cipher.decrypt(message.recipient_encrypted)
        gateway = gateway_for(runtime, message, recipient)
        if gateway is not TRAINING_GATEWAY and not sms_cap.take(session, runtime, message):
            session.commit()  # held back by the global cap: deferred (to a worker) or cancelled
            return Sent(message.status)
        try:
            result = _send(session, runtime, gateway, message, recipient)
        except GatewayUnavailable as exc:
            raise _retry_later(session, runtime, message, str(exc)) from None
        if not result.accepted and result.retryable:
            raise _retry_later(session, runtime, message, result.status)
        route = result.gateway or gateway.name
        _record_result(session, runtime, message, result, route)
        meters.record_sms_spend(runtime.redis, route, result)  # parts and cost, for /metrics
        session.commit()
    return Sent(message.status, failed_now=message.status == MESSAGE_FAILED)


def _send(
    session: Session, runtime: Runtime, gateway: SmsGateway, message: OutboundMessage, recipient: str
) -> SendResult:
    """One send: through the routes in this message's order when there are several
    (hotline.sms.routes), remembering what each route did."""
    body = messages.body_of(runtime, message)
    training = gateway is TRAINING_GATEWAY
    try:
        if isinstance(gateway, GatewayRouter):
            result = gateway.send(recipient, body, order=routes.order_for(session, runtime, message))
        else:
            result = gateway.send(recipient, body)
    except RoutesUnavailable as exc:
        routes.remember(runtime, exc.failovers)
        raise
    except GatewayUnavailable as exc:
        if not training:
            routes.remember(runtime, (Failover(gateway.name, str(exc)[:64]),))
        raise
    if not training:
        route = result.gateway or gateway.name
        # A refusal about the number (not ``reroute``) says nothing against the route.
        failed = (Failover(route, result.status),) if not result.accepted and result.reroute else ()
        routes.remember(runtime, result.failovers + failed, route if result.accepted else None)
    routes.record_failovers(session, runtime, message, result)
    return result


def _opted_out(session: Session, runtime: Runtime, message: OutboundMessage) -> bool:
    """The recipient sent STOP (an opt-out kept under any configured key, during a rotation)."""
    hashes = runtime.cipher.hashes_of(message.recipient_hash, message.recipient_encrypted)
    return (
        session.scalar(select(SmsOptOut.phone_hash).where(SmsOptOut.phone_hash.in_(hashes)).limit(1))
        is not None
    )


def gateway_for(runtime: Runtime, message: OutboundMessage, recipient: str) -> SmsGateway:
    """The local outbox for a training message or a simulator phone; else the real gateway.

    The number check also covers what a simulator SMS causes before it is flagged (a worker's
    command reply has no report to take the flag from).
    """
    if message.training or is_training_phone(recipient):
        return TRAINING_GATEWAY
    return runtime.gateway


def _retry_later(session: Session, runtime: Runtime, message: OutboundMessage, reason: str) -> SendLater:
    """Set the row's next attempt by backoff; the SendLater for the caller to raise."""
    now = runtime.clock.now()
    retry_at = now + backoff(message.attempts)
    message.failure_reason = reason[:64]
    message.next_attempt_at = retry_at
    message.updated_at = now
    session.commit()
    log.warning("message %s not sent (attempt %s): %s", message.id, message.attempts, reason[:64])
    return SendLater(reason, retry_at)


def _record_result(
    session: Session, runtime: Runtime, message: OutboundMessage, result: SendResult, gateway_name: str
) -> None:
    now = runtime.clock.now()
    message.gateway = gateway_name
    message.gateway_status = result.status[:32]
    message.updated_at = now
    message.next_attempt_at = None
    if result.accepted:
        message.status = MESSAGE_DELIVERED if result.delivered else MESSAGE_SENT
        message.gateway_message_id = result.message_id
        message.sent_at = now
        if result.delivered:
            message.delivered_at = now
    else:
        message.status = MESSAGE_FAILED
        message.failure_reason = result.status[:64]
    if message.report_id:
        record(
            session,
            message.report_id,
            "message_" + message.status,
            now,
            message_id=message.id,
            worker_id=message.worker_id,
            status=result.status,
            gateway=gateway_name,
        )


def due_messages(runtime: Runtime, limit: int = 500) -> list[int]:
    """Pending rows whose job was lost (Redis flushed, worker killed) or whose retry is due."""
    grace = timedelta(seconds=TICKER_GRACE_TICKS * runtime.settings.tick_seconds)
    cutoff = runtime.clock.now() - grace
    with runtime.session() as session:
        return list(
            session.scalars(
                select(OutboundMessage.id)
                .where(OutboundMessage.status == MESSAGE_PENDING, OutboundMessage.next_attempt_at <= cutoff)
                .order_by(OutboundMessage.next_attempt_at)
                .limit(limit)
            )
        )

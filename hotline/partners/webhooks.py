"""Outbound webhooks to partner systems (a Primero instance, an NGO's case tracker) on report events.

A transactional outbox: ``emit`` writes one delivery row per subscribed webhook in the same
transaction as the event, so an event is sent if and only if it happened. After that commit the
delivery ids are enqueued; ``deliver`` (the RQ job) signs and POSTs the stored body. A lost job is
found again by the ticker from the database. The body never holds personal data: no number, no
free text, only the reference, category, place code, status and times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from hotline.models import PartnerWebhook, Report, WebhookDelivery
from hotline.partners import egress
from hotline.platform.db import rowcount
from hotline.platform.locations import area_covers
from hotline.platform.queue import WEBHOOK_BACKOFF_SECONDS
from hotline.platform.runtime import Runtime

log = logging.getLogger(__name__)

EVENTS = ("opened", "accepted", "referred", "closed")
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
MAX_ATTEMPTS = len(WEBHOOK_BACKOFF_SECONDS) + 1
TIMEOUT = (3.05, 5)  # connect, read: a slow partner must not hold a worker
LEASE = timedelta(seconds=30)  # longer than a whole attempt: a live send is never duplicated
RETRYABLE_4XX = (408, 429)
USER_AGENT = "hotline-webhooks/1"
ADDRESS_NOT_ALLOWED = "address not allowed"  # a private or local host: failed, never retried
_PENDING_KEY = "partner_deliveries"


class DeliverLater(Exception):
    """The partner did not take the event this time; RQ retries it with backoff."""


def sign(secret: str, timestamp: int, body: str) -> str:
    """The X-Hotline-Signature value: HMAC-SHA256 over "<timestamp>.<body>" with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"v1={digest}"


def payload(report: Report, event_name: str, at: datetime) -> dict[str, Any]:
    """What a partner learns about an event. Never a phone number nor the reporter's words."""

    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat().replace("+00:00", "Z") if moment else None

    return {
        "event": event_name,
        "occurred_at": iso(at),
        "reference": report.reference,
        "category": report.category,
        "urgent": report.urgent,
        "location_code": report.location_code,
        "status": report.status,
        "created_at": iso(report.created_at),
        "accepted_at": iso(report.accepted_at),
        "finished_at": iso(report.finished_at),
    }


def emit(
    session: Session, runtime: Runtime, report: Report, event_name: str, key: str | None = None
) -> list[int]:
    """In the caller's transaction: one delivery per active webhook subscribed to the event and
    covering the report's place. ``key`` tells repeated events apart (a second referral); the
    same event twice with the same key makes no second delivery. Training reports send nothing.
    """
    if report.training or event_name not in EVENTS:
        return []
    now = runtime.clock.now()
    event_key = f"{event_name}:{report.id}:{key or ''}"[:96]
    session.flush()  # the report's new status and times, and its id when just created
    body = json.dumps(payload(report, event_name, now), separators=(",", ":"))
    ids = []
    for webhook in session.scalars(select(PartnerWebhook).where(PartnerWebhook.active.is_(True))):
        if event_name not in webhook.events or not _covers(webhook.areas, report.location_code):
            continue
        if session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.event_key == event_key
            )
        ):
            continue
        delivery = WebhookDelivery(
            webhook_id=webhook.id,
            report_id=report.id,
            event=event_name,
            event_key=event_key,
            body=body,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        session.flush()
        ids.append(delivery.id)
    _enqueue_after_commit(session, runtime, ids)
    return ids


def _covers(areas: list[str], location_code: str) -> bool:
    return not areas or any(area_covers(area, location_code) for area in areas)


def _enqueue_after_commit(session: Session, runtime: Runtime, ids: list[int]) -> None:
    """Enqueue the jobs once the rows are committed (never before: a job could find nothing),
    without asking every caller of ``emit`` to do it. A rollback forgets them."""
    if not ids:
        return
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = []

        def after_commit(committed: Session) -> None:
            pending, committed.info[_PENDING_KEY] = committed.info[_PENDING_KEY], []
            runtime.queue.deliver_webhooks(pending)

        def after_rollback(rolled_back: Session) -> None:
            rolled_back.info[_PENDING_KEY] = []

        event.listen(session, "after_commit", after_commit)
        event.listen(session, "after_soft_rollback", lambda s, _: after_rollback(s))
    session.info[_PENDING_KEY].extend(ids)


def deliver(runtime: Runtime, delivery_id: int) -> str:
    """Send one delivery if it is still due. Returns its status afterwards.

    1. Claim it: a conditional UPDATE counts the attempt and takes a lease, so a duplicate job
       finds nothing to do.
    2. POST the stored body, signed, with short timeouts and no redirects, to a public address
       (hotline.partners.egress).
    3. 2xx: delivered. A 4xx other than 408/429, or a host that is not public, is permanent:
       failed. Anything else is retried with backoff (DeliverLater for RQ; the row's next
       attempt for the ticker), until MAX_ATTEMPTS, then failed.
    """
    now = runtime.clock.now()
    with runtime.session() as session:
        claimed = rowcount(
            session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == PENDING,
                    or_(
                        WebhookDelivery.next_attempt_at.is_(None),
                        WebhookDelivery.next_attempt_at <= now + timedelta(seconds=2),
                    ),
                )
                .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + LEASE)
            )
        )
        session.commit()
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or not claimed:
            return delivery.status if delivery else "missing"
        webhook = session.get(PartnerWebhook, delivery.webhook_id)
        if webhook is None or not webhook.active:
            delivery.status, delivery.next_attempt_at, delivery.last_error = CANCELLED, None, "disabled"
            session.commit()
            return delivery.status
        code, error = _post(runtime, webhook, delivery)
        return _record(session, runtime, delivery, code, error)


def _post(
    runtime: Runtime, webhook: PartnerWebhook, delivery: WebhookDelivery
) -> tuple[int | None, str | None]:
    import urllib3  # here: the worker posts; the web process only writes deliveries

    timestamp = int(runtime.clock.now().timestamp())
    secret = runtime.cipher.decrypt(webhook.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Hotline-Event": delivery.event,
        "X-Hotline-Delivery": str(delivery.id),
        "X-Hotline-Timestamp": str(timestamp),
        "X-Hotline-Signature": sign(secret, timestamp, delivery.body),
    }
    try:
        code = egress.post(
            webhook.url,
            delivery.body.encode(),
            headers,
            timeout=TIMEOUT,
            private_networks=runtime.settings.webhook_private_networks,
        )
    except egress.AddressNotAllowed:
        log.warning(
            "webhook %s: its host is not a public address; delivery %s refused", webhook.id, delivery.id
        )
        return None, ADDRESS_NOT_ALLOWED
    except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
        return None, type(exc).__name__  # the message may repeat the URL, with its credentials
    return code, None if 200 <= code < 300 else f"HTTP {code}"


def _record(
    session: Session, runtime: Runtime, delivery: WebhookDelivery, code: int | None, error: str | None
) -> str:
    now = runtime.clock.now()
    delivery.last_status_code, delivery.last_error = code, error
    permanent = error == ADDRESS_NOT_ALLOWED or (
        code is not None and 400 <= code < 500 and code not in RETRYABLE_4XX
    )
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, now, None
    elif permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=WEBHOOK_BACKOFF_SECONDS[delivery.attempts - 1])
    session.commit()
    if delivery.status == PENDING:
        log.warning("webhook delivery %s not taken (attempt %s): %s", delivery.id, delivery.attempts, error)
        raise DeliverLater(error or "")
    return delivery.status


def due_deliveries(runtime: Runtime, limit: int = 500) -> list[int]:
    """Pending deliveries whose job was lost or whose retry is due (for the ticker)."""
    grace = timedelta(seconds=2 * runtime.settings.tick_seconds)
    with runtime.session() as session:
        return list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == PENDING,
                    WebhookDelivery.next_attempt_at <= runtime.clock.now() - grace,
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )


def retry_now(session: Session, runtime: Runtime, delivery: WebhookDelivery) -> None:
    """An operator's "retry now": a failed or waiting delivery gets a fresh round of attempts."""
    delivery.status, delivery.attempts = PENDING, 0
    delivery.next_attempt_at = runtime.clock.now()
    _enqueue_after_commit(session, runtime, [delivery.id])


def check_url(url: str, private_networks: Iterable[egress.Network] = ()) -> str:
    """``url`` stripped; ValueError unless http(s) with a host, AddressNotAllowed for a host that
    is plainly not public (checked again, resolved, at every send)."""
    url = url.strip()
    try:
        parsed = urlparse(url)
        host = parsed.hostname
        parsed.port  # noqa: B018 (a port out of range or not a number raises here)
    except ValueError:
        raise ValueError("the URL must be http(s)://host/...") from None
    if parsed.scheme not in ("http", "https") or not host or len(url) > 500:
        raise ValueError("the URL must be http(s)://host/...")
    egress.check_host(host, private_networks)
    return url


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def save_webhook(
    session: Session,
    runtime: Runtime,
    webhook: PartnerWebhook | None,
    *,
    name: str,
    url: str,
    events: list[str],
    areas: list[str],
    active: bool = True,
    user_id: int | None = None,
) -> tuple[PartnerWebhook, str | None]:
    """Create (``webhook`` None) or edit a webhook; a new one gets a secret, returned once.

    Raises ValueError naming the first invalid field. The caller audits and commits.
    """
    name = name.strip()
    if not name or len(name) > 120:
        raise ValueError("the name is empty or longer than 120 characters")
    url = check_url(url, runtime.settings.webhook_private_networks)
    if not events or set(events) - set(EVENTS):
        raise ValueError(f"events must be among {', '.join(EVENTS)}")
    if any(not runtime.locations.is_valid(a) for a in areas):
        raise ValueError("unknown area code")
    secret = None
    if webhook is None:
        secret = new_secret()
        webhook = PartnerWebhook(
            secret_encrypted=runtime.cipher.encrypt(secret),
            created_by=user_id,
            created_at=runtime.clock.now(),
        )
        session.add(webhook)
    webhook.name, webhook.url, webhook.active = name, url, active
    webhook.events = [e for e in EVENTS if e in events]
    webhook.areas = sorted(set(areas))
    session.flush()
    return webhook, secret

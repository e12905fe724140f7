"""The one way the web side hands work to the workers: RQ jobs named by dotted path, taking ids.

The web never imports ``workers``; jobs are enqueued by name. Enqueueing happens after the
database commit, and a Redis failure here never fails the request: the row is already durable
and the outbox ticker picks it up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger(__name__)

SEND_MESSAGE = "workers.jobs.send_message"
ESCALATE = "workers.jobs.escalate"
HANDLE_INBOUND = "workers.jobs.handle_inbound"
DELIVER_WEBHOOK = "workers.jobs.deliver_webhook"
# The same intervals as hotline.sms.outbox.BACKOFF_SECONDS: RQ retries when the row is due again.
# Seconds before the 1st, 2nd, ... retry of a send; the outbox row's next attempt uses the same.
BACKOFF_SECONDS = (5, 15, 60, 300, 900, 1800)
SEND_RETRY = Retry(max=len(BACKOFF_SECONDS), interval=list(BACKOFF_SECONDS))
# Partner webhooks (hotline.partners.webhooks): a partner down for an afternoon still gets the event.
WEBHOOK_BACKOFF_SECONDS = (10, 60, 300, 1800, 7200, 21600)
WEBHOOK_RETRY = Retry(max=len(WEBHOOK_BACKOFF_SECONDS), interval=list(WEBHOOK_BACKOFF_SECONDS))


class JobQueue:
    def __init__(self, redis: Redis, name: str) -> None:
        self.queue = Queue(name, connection=redis)

    def enqueue(self, func: str, *ids: int | str, retry: Retry | None = None, **kwargs: Any) -> bool:
        """Enqueue ``func(*ids)``; False (logged, not raised) when Redis cannot take it."""
        try:
            self.queue.enqueue(func, *ids, retry=retry, **kwargs)
        except RedisError as exc:
            log.warning("could not enqueue %s: %s", func, type(exc).__name__)
            return False
        return True

    def send_messages(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            self.enqueue(SEND_MESSAGE, message_id, retry=SEND_RETRY)

    def deliver_webhooks(self, delivery_ids: list[int]) -> None:
        for delivery_id in delivery_ids:
            self.enqueue(DELIVER_WEBHOOK, delivery_id, retry=WEBHOOK_RETRY)

    def send_at(self, message_id: int, when: datetime) -> None:
        """Send a held message (a bundle) when it is due; one job per message, however often asked."""
        try:
            self.queue.enqueue_at(
                when, SEND_MESSAGE, message_id, job_id=f"hotline-send-at-{message_id}", retry=SEND_RETRY
            )
        except RedisError as exc:  # the ticker sends it a little later
            log.warning("could not schedule %s: %s", SEND_MESSAGE, type(exc).__name__)

    def handle_inbound(self, inbound_id: int) -> None:
        self.enqueue(HANDLE_INBOUND, inbound_id)

    def escalate(self, report_id: int) -> None:
        self.enqueue(ESCALATE, report_id)

    def schedule_escalation(self, report_id: int, due_at: datetime | None) -> None:
        """Run the report's next escalation step at ``due_at`` (RQ's scheduler, in the worker)."""
        if due_at is None:
            return
        try:
            self.queue.enqueue_at(due_at, ESCALATE, report_id)
        except RedisError as exc:
            log.warning("could not schedule %s: %s", ESCALATE, type(exc).__name__)

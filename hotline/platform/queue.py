"""The one way the web side hands work to the workers: RQ jobs named by dotted path, taking ids.

The web never imports ``workers``; jobs are enqueued by name. Enqueueing happens after the
database commit, and a Redis failure here never fails the request: the row is already durable
and the outbox ticker picks it up. After one failure the queue stops trying for a few seconds:
a report with three alerts must not wait out three Redis timeouts before its screen is answered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
PLACE_CALL = "workers.jobs.place_call"
# The same intervals as hotline.sms.outbox.BACKOFF_SECONDS: RQ retries when the row is due again.
# Seconds before the 1st, 2nd, ... retry of a send; the outbox row's next attempt uses the same.
BACKOFF_SECONDS = (5, 15, 60, 300, 900, 1800)
SEND_RETRY = Retry(max=len(BACKOFF_SECONDS), interval=list(BACKOFF_SECONDS))
# Partner webhooks (hotline.partners.webhooks): a partner down for an afternoon still gets the event.
WEBHOOK_BACKOFF_SECONDS = (10, 60, 300, 1800, 7200, 21600)
WEBHOOK_RETRY = Retry(max=len(WEBHOOK_BACKOFF_SECONDS), interval=list(WEBHOOK_BACKOFF_SECONDS))
PAUSE_AFTER_FAILURE = 10.0  # seconds without trying Redis after it failed (the ticker catches up)


class JobQueue:
    def __init__(self, redis: Redis, name: str) -> None:
        self.queue = Queue(name, connection=redis)
        self._paused_until = 0.0  # time.monotonic() before which Redis is not tried

    def enqueue(self, func: str, *ids: int | str, retry: Retry | None = None, **kwargs: Any) -> bool:
        """Enqueue ``func(*ids)``; False (logged, not raised) when Redis cannot take it."""
        return self._try(func, lambda: self.queue.enqueue(func, *ids, retry=retry, **kwargs))

    def _try(self, func: str, call: Callable[[], object]) -> bool:
        if time.monotonic() < self._paused_until:
            return False
        try:
            call()
        except RedisError as exc:
            self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
            log.warning(
                "could not enqueue %s: %s (not trying again for %.0f s)",
                func,
                type(exc).__name__,
                PAUSE_AFTER_FAILURE,
            )
            return False
        return True

    def send_messages(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            self.enqueue(SEND_MESSAGE, message_id, retry=SEND_RETRY)

    def deliver_webhooks(self, delivery_ids: list[int]) -> None:
        for delivery_id in delivery_ids:
            self.enqueue(DELIVER_WEBHOOK, delivery_id, retry=WEBHOOK_RETRY)

    def send_at(self, message_id: int, when: datetime) -> None:
        """Send a held message (a bundle) when it is due; one job per message, however often asked.
        If Redis cannot take it, the ticker sends it a little later."""
        self._try(
            SEND_MESSAGE,
            lambda: self.queue.enqueue_at(
                when, SEND_MESSAGE, message_id, job_id=f"hotline-send-at-{message_id}", retry=SEND_RETRY
            ),
        )

    def place_calls(self, call_ids: list[int]) -> None:
        """Ring the workers of these escalation calls (a call is placed once, whatever the jobs)."""
        for call_id in call_ids:
            self.enqueue(PLACE_CALL, call_id)

    def handle_inbound(self, inbound_id: int) -> None:
        self.enqueue(HANDLE_INBOUND, inbound_id)

    def escalate(self, report_id: int) -> None:
        self.enqueue(ESCALATE, report_id)

    def schedule_escalation(self, report_id: int, due_at: datetime | None) -> None:
        """Run the report's next escalation step at ``due_at`` (RQ's scheduler, in the worker)."""
        if due_at is not None:
            self._try(ESCALATE, lambda: self.queue.enqueue_at(due_at, ESCALATE, report_id))

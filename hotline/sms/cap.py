"""The global cap on outgoing SMS, per clock hour and per day, checked just before each send.

A flood, a bug or a stolen console account must not send thousands of SMS (each one is paid for,
and a burst can get the shortcode blocked). Messages to social workers keep priority: replies to
reporters may use only ``100 - HOTLINE_SMS_CAP_ALERT_SHARE`` percent of each cap, so the rest is
always left for alerts. Over the cap, a worker's message waits for the next period (the ticker
sends it then) and a reporter's reply is cancelled; either way operators get a notice, which ends
with its period.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from hotline.models import MESSAGE_CANCELLED, OutboundMessage
from hotline.platform import counters
from hotline.platform.runtime import Runtime
from hotline.records.notices import raise_notice

log = logging.getLogger(__name__)

PERIODS = (("hour", timedelta(hours=1), "%Y%m%d%H"), ("day", timedelta(days=1), "%Y%m%d"))


def _bucket(now: datetime, pattern: str) -> str:
    return now.strftime(pattern)


def _period_end(now: datetime, length: timedelta, pattern: str) -> datetime:
    start = datetime.strptime(_bucket(now, pattern), pattern).replace(tzinfo=now.tzinfo)
    return start + length


def limits(runtime: Runtime, to_worker: bool) -> dict[str, int]:
    """What this message may use of each period's cap: all of it for a worker, less for a reporter."""
    settings = runtime.settings
    caps = {"hour": settings.sms_cap_hour, "day": settings.sms_cap_day}
    if to_worker:
        return caps
    return {period: cap - cap * settings.sms_cap_alert_share // 100 for period, cap in caps.items()}


def for_staff(message: OutboundMessage) -> bool:
    """A social worker's SMS or a watcher's unanswered-report alarm: the whole cap, deferred when
    over it (never cancelled), as an alert is."""
    return message.worker_id is not None or message.purpose == "alarm"


def take(session: Session, runtime: Runtime, message: OutboundMessage) -> bool:
    """Count ``message`` against the caps; False (and the message held back) when it is over.

    1. Count it in this hour's and this day's Redis counters.
    2. Within the limits: go ahead.
    3. Over: un-count it, raise a notice for operators, then defer a worker's message to the
       start of the next period, or cancel a reporter's reply.
    If Redis is down the cap is not applied: an alert is never held for want of a counter.
    """
    now = runtime.clock.now()
    keys = {period: f"hotline:smscap:{period}:{_bucket(now, pattern)}" for period, _, pattern in PERIODS}
    try:
        expiries = {
            key: int(length.total_seconds()) + 3600
            for (_, length, _), key in zip(PERIODS, keys.values(), strict=True)
        }
        counts = dict(zip(keys, counters.count(runtime.redis, expiries), strict=True))
    except RedisError:
        log.warning("SMS cap: Redis unavailable, message %s not counted", message.id)
        return True
    allowed = limits(runtime, for_staff(message))
    over = [period for period in keys if counts[period] > allowed[period]]
    if not over:
        return True
    try:
        for key in keys.values():
            runtime.redis.decr(key)
    except RedisError:
        pass  # counted once too many: the cap errs on the side of sending less
    _hold(session, runtime, message, now, over[-1], counts)
    return False


def _hold(
    session: Session,
    runtime: Runtime,
    message: OutboundMessage,
    now: datetime,
    period: str,
    counts: dict[str, int],
) -> None:
    to_worker = for_staff(message)
    _, length, pattern = next(p for p in PERIODS if p[0] == period)
    cap = limits(runtime, True)[period]
    end = _period_end(now, length, pattern)
    raise_notice(
        session,
        now,
        f"sms-cap:{period}:{_bucket(now, pattern)}",
        "sms_cap",
        "critical" if to_worker else "warning",
        ends_at=end,
        period=period,
        cap=cap,
        counted=counts[period] - 1,
        held_for_workers=to_worker,
    )
    if to_worker:
        message.next_attempt_at = end
        message.attempts -= 1  # the claim counted an attempt the gateway never saw
    else:
        message.status, message.next_attempt_at = MESSAGE_CANCELLED, None
    message.failure_reason, message.updated_at = "sms_cap", now
    log.warning(
        "SMS cap (%s) reached: %s of %s counted; message %s %s",
        period,
        counts[period] - 1,
        cap,
        message.id,
        "deferred" if to_worker else "cancelled",
    )

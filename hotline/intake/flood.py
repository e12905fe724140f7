"""Flood control: per-number limits on reports and incoming SMS, counted in Redis by keyed hash.

A number over its limits loses nothing it sent: the SMS is stored, the report is stored (held: no
alert goes out for it), and operators see how many were held in a notice on every console page.
The number itself gets a calm screen, and by SMS at most one neutral line per hour.

Counters live in Redis under the number's keyed hash (never the number), one key per clock hour or
day of the service's clock, so a test moves time instead of waiting; each key expires after its
period. If Redis is down the limits are not applied: a report is never refused for want of a
counter.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from hotline.platform import counters
from hotline.platform.runtime import Runtime
from hotline.records.notices import raise_notice

log = logging.getLogger(__name__)

HOUR, DAY = 3600, 86400


def _bucket(now: datetime, seconds: int) -> str:
    return now.strftime("%Y%m%d%H" if seconds == HOUR else "%Y%m%d")


def _count(runtime: Runtime, kind: str, phone_hash: str, *periods: int) -> list[int]:
    """Count one more for each period (one round trip); the new counts, in the periods' order."""
    now = runtime.clock.now()
    return counters.count(
        runtime.redis,
        {f"hotline:flood:{kind}:{_bucket(now, seconds)}:{phone_hash}": seconds + 60 for seconds in periods},
    )


def hold_report(runtime: Runtime, phone_hash: str | None) -> bool:
    """Count one new report from ``phone_hash``; True when it is over the hourly or daily limit."""
    if not phone_hash:
        return False
    settings = runtime.settings
    try:
        hour, day = _count(runtime, "reports", phone_hash, HOUR, DAY)
    except RedisError:
        log.warning("flood control: Redis unavailable, report not counted")
        return False
    return hour > settings.flood_reports_hour or day > settings.flood_reports_day


def quiet_sms(runtime: Runtime, phone_hash: str) -> bool:
    """Count one incoming SMS from ``phone_hash``; True when it is over the hourly limit (no reply)."""
    try:
        return _count(runtime, "sms", phone_hash, HOUR)[0] > runtime.settings.flood_sms_hour
    except RedisError:
        log.warning("flood control: Redis unavailable, SMS not counted")
        return False


def neutral_reply_due(runtime: Runtime, phone_hash: str) -> bool:
    """True the first time in the hour a number over its limits may get the neutral SMS."""
    key = f"hotline:flood:neutral:{_bucket(runtime.clock.now(), HOUR)}:{phone_hash}"
    try:
        return bool(runtime.redis.set(key, 1, nx=True, ex=HOUR + 60))
    except RedisError:
        return False  # unsure: stay silent rather than risk a flood of replies


def record_held(session: Session, runtime: Runtime, what: str) -> None:
    """Count a held report or silenced SMS for today, and keep the operators' notice current.

    ``what`` is "reports" or "sms". The notice holds counts only; it is raised in the caller's
    transaction and is committed with it.
    """
    now = runtime.clock.now()
    day = _bucket(now, DAY)
    key = f"hotline:flood:held:{day}"
    try:
        pipe = runtime.redis.pipeline()
        pipe.hincrby(key, what, 1)
        pipe.expire(key, 2 * DAY)
        pipe.hgetall(key)
        counts = {k.decode(): int(v) for k, v in pipe.execute()[2].items()}
    except RedisError:
        counts = {what: 1}
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    raise_notice(
        session,
        now,
        f"flood:{day}",
        "flood",
        "warning",
        ends_at=midnight,
        reports=counts.get("reports", 0),
        sms=counts.get("sms", 0),
    )

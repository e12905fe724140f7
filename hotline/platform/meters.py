"""Event metrics kept in Redis, so that every web and worker process on every host adds to the
same numbers (a counter in process memory would be one gunicorn worker's share, lost on restart).

Only counts, sums and currency codes are written: no number, text or id of a person.
Read back at scrape time by :mod:`hotline.ops.metrics`.
"""

from __future__ import annotations

import logging
from bisect import bisect_left

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError

from hotline.gateways import SendResult
from hotline.platform.money import AmountError, parse_amount
from hotline.platform.redis_text import text_hash

log = logging.getLogger(__name__)

USSD_HOPS = "hotline:metrics:ussd_hops"  # hash: bucket index -> count, "sum", "count"
SMS_SPEND = "hotline:metrics:sms"  # hash: "parts:<gateway>" -> parts, "cost:<currency>" -> amount
BALANCE = "hotline:metrics:balance"  # hash: currency, amount, checked_at (epoch seconds)
# AT gives up on a hop after 10 s; most should take a few tens of milliseconds.
HOP_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def count_ussd_hop(pipe: Pipeline, seconds: float) -> None:
    """Queue the count of one USSD hop on a pipeline the caller executes (the hop's own writes:
    no round trip of its own)."""
    bucket = bisect_left(HOP_BUCKETS, seconds)  # len(HOP_BUCKETS) means "+Inf"
    pipe.hincrby(USSD_HOPS, str(bucket), 1)
    pipe.hincrby(USSD_HOPS, "count", 1)
    pipe.hincrbyfloat(USSD_HOPS, "sum", seconds)


def record_ussd_hop(redis: Redis, seconds: float) -> None:
    """Count one USSD hop and how long we took to answer it. A Redis failure costs a sample only."""
    try:
        pipe = redis.pipeline(transaction=False)
        count_ussd_hop(pipe, seconds)
        pipe.execute()
    except RedisError as exc:
        log.warning("USSD hop not counted: %s", type(exc).__name__)


def record_sms_spend(redis: Redis, gateway: str, result: SendResult) -> None:
    """Add what one accepted send cost: its parts, and its price when the gateway says it."""
    if not result.accepted or not result.parts:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        pipe.hincrby(SMS_SPEND, f"parts:{gateway}", result.parts)
        if result.cost:
            currency, amount = parse_amount(result.cost)
            pipe.hincrbyfloat(SMS_SPEND, f"cost:{currency or 'unknown'}", float(amount))
        pipe.execute()
    except AmountError:
        log.warning("SMS cost not understood: %r", result.cost[:24] if result.cost else None)
    except RedisError as exc:
        log.warning("SMS spend not counted: %s", type(exc).__name__)


def hop_histogram(redis: Redis) -> tuple[list[tuple[str, float]], float]:
    """Cumulative (le, count) buckets ending with "+Inf", and the sum of seconds."""
    raw = text_hash(redis.hgetall(USSD_HOPS))
    buckets, running = [], 0.0
    for index, bound in enumerate((*HOP_BUCKETS, float("inf"))):
        running += int(raw.get(str(index), 0))
        buckets.append(("+Inf" if bound == float("inf") else str(bound), running))
    return buckets, float(raw.get("sum", 0))


def sms_spend(redis: Redis) -> tuple[dict[str, int], dict[str, float]]:
    """Parts sent by gateway, and cost by currency."""
    raw = text_hash(redis.hgetall(SMS_SPEND))
    parts = {k.split(":", 1)[1]: int(v) for k, v in raw.items() if k.startswith("parts:")}
    cost = {k.split(":", 1)[1]: float(v) for k, v in raw.items() if k.startswith("cost:")}
    return parts, cost

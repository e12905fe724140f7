"""Counters in Redis for one period each (an hour of flood control, a minute of API calls).

The key names its period (``...:2026112714``), so a new period starts a new counter; the expiry only
cleans up after it. Every counter given is counted in one round trip.
"""

from __future__ import annotations

from redis import Redis


def count(redis: Redis, expiries: dict[str, int]) -> list[int]:
    """Add one to each key and (re)set its expiry in seconds; the new counts, in the keys' order."""
    pipe = redis.pipeline()
    for key, seconds in expiries.items():
        pipe.incr(key)
        pipe.expire(key, seconds)
    return [int(value) for value in pipe.execute()[::2]]

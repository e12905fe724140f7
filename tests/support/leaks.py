"""Looking for personal data where it must never be: shared by the privacy tests."""

from __future__ import annotations

from hotline.platform.runtime import Runtime


def redis_values(runtime: Runtime) -> list[bytes]:
    """Every key in Redis and every member, field and value stored under it."""
    redis, found = runtime.redis, []
    for key in redis.scan_iter(count=500):
        found.append(key)
        kind = redis.type(key)
        if kind == b"string":
            found.append(redis.get(key) or b"")
        elif kind == b"hash":
            found += [item for pair in redis.hgetall(key).items() for item in pair]
        elif kind == b"list":
            found += redis.lrange(key, 0, -1)
        elif kind == b"set":
            found += list(redis.smembers(key))
        elif kind == b"zset":
            found += redis.zrange(key, 0, -1)
        elif kind == b"stream":
            found += [item for _, fields in redis.xrange(key) for pair in fields.items() for item in pair]
    return found

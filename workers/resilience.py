"""Riding out a Redis outage: the worker, its scheduler and cron wait and reconnect instead of exiting.

One ``Outage`` per process (and one in the scheduler's child process) pings Redis with backoff
(each ping 1, 2, 4 ... 30 s after the one before) through a client of its own with a short
timeout, so a frozen Redis costs two seconds a try, not the minute an RQ worker's socket timeout
allows. It logs twice per outage, when it starts waiting and when Redis answers again, never per
attempt, and names nothing but the error class. ``keep_running`` is the loop both entry points
use around RQ's own run loops.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from redis import ConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from rq.exceptions import StopRequested

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
BACKOFF_CAP = 30.0  # seconds between two pings at most
PROBE_TIMEOUT = 2.0  # seconds a ping may take
STOP_CHECK = 0.25  # seconds between two looks at the stop flag while waiting

log = logging.getLogger(__name__)


def backoff(cap: float = BACKOFF_CAP) -> Iterator[float]:
    """1, 2, 4 ... seconds, then ``cap`` for ever."""
    delay = 1.0
    while True:
        yield min(delay, cap)
        delay *= 2


def probe_for(connection: Redis) -> Redis:
    """A client to the same Redis as ``connection`` whose calls give up after PROBE_TIMEOUT, at the
    first failure (redis-py's default retries would spend seconds more on each ping)."""
    pool = connection.connection_pool
    kwargs = {
        **pool.connection_kwargs,
        "socket_timeout": PROBE_TIMEOUT,
        "socket_connect_timeout": PROBE_TIMEOUT,
        "retry": Retry(NoBackoff(), 0),
    }
    return Redis(connection_pool=ConnectionPool(connection_class=pool.connection_class, **kwargs))


class Outage:
    """Waits for Redis to answer; ``what`` names the process in the two log lines."""

    def __init__(
        self,
        probe: Redis,
        what: str,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.probe, self.what = probe, what
        self.stop = stop or threading.Event()
        self.clock, self.sleep = clock, sleep

    def wait(self) -> bool:
        """True as soon as Redis answers (at once when it does), False if asked to stop first."""
        down_since: float | None = None
        delays = backoff()
        while not self.stop.is_set():
            tried_at = self.clock()
            try:
                self.probe.ping()
            except REDIS_DOWN as exc:
                if down_since is None:
                    down_since = tried_at
                    log.warning("%s: Redis unreachable (%s), waiting", self.what, type(exc).__name__)
                self._pause_until(tried_at + next(delays))
                continue
            if down_since is not None:
                log.warning("%s: Redis back after %.0f s", self.what, self.clock() - down_since)
            return True
        return False

    def reachable(self) -> bool:
        try:
            self.probe.ping()
        except REDIS_DOWN:
            return False
        return True

    def _pause_until(self, until: float) -> None:
        while not self.stop.is_set() and (left := until - self.clock()) > 0:
            self.sleep(min(STOP_CHECK, left))


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop`` (until RQ installs its own handlers, which set it too)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def keep_running(run: Callable[[], None], outage: Outage) -> bool:
    """Run ``run`` (an RQ run loop) until it returns after a stop request; whenever Redis fails it,
    wait for Redis and run it again. True once stopped; False if ``run`` returned on its own while
    Redis answers (it ended for another reason: the process exits and systemd restarts it)."""
    try:
        while outage.wait():
            try:
                run()
            except REDIS_DOWN:
                continue
            if outage.stop.is_set():
                return True
            if outage.reachable():
                return False
    except StopRequested:  # RQ's signal handlers raise it, also while we wait for Redis
        pass
    return True

"""Waiting out a Redis outage (workers/resilience.py), against a real Redis that is not there yet.

The waits run on a clock the test moves (each sleep advances it), so the backoff costs no time:
a Redis that starts at a given moment is found at the first ping after it, which says when the
pings came. The processes themselves: tests/test_redis_outage_processes.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from hotline.ops.redis_server import PrivateRedis, free_port
from workers.resilience import Outage, keep_running, probe_for


class FakeTime:
    """A clock that sleeping moves, with something to do when it passes a moment."""

    def __init__(self) -> None:
        self.now = 0.0
        self.at: list[tuple[float, Callable[[], object]]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        while self.at and self.now >= self.at[0][0]:
            self.at.pop(0)[1]()


@pytest.fixture
def absent() -> Iterator[PrivateRedis]:
    """A Redis on a port where nothing listens until the test starts it."""
    server = PrivateRedis(free_port())
    yield server
    server.stop()


def outage(server: PrivateRedis, time: FakeTime) -> Outage:
    return Outage(probe_for(Redis(port=server.port)), "worker", clock=time.clock, sleep=time.sleep)


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "workers.resilience"]


def test_a_redis_that_answers_is_not_waited_for(redis_server, caplog):
    time = FakeTime()
    with caplog.at_level(logging.INFO):
        assert outage(redis_server, time).wait() is True
    assert time.now == 0 and lines(caplog) == []


@pytest.mark.parametrize(
    ("back_at", "found_at"),
    [(0.5, 1), (2, 3), (40, 61), (62, 91), (100, 121)],  # pings at 0, 1, 3, 7, 15, 31, 61, 91, 121
)
def test_pings_back_off_to_30_s_and_an_outage_is_logged_once_each_way(absent, caplog, back_at, found_at):
    time = FakeTime()
    time.at.append((back_at, absent.start))
    with caplog.at_level(logging.INFO):
        assert outage(absent, time).wait() is True
    assert time.now == found_at
    assert lines(caplog) == [
        "worker: Redis unreachable (ConnectionError), waiting",
        f"worker: Redis back after {found_at} s",
    ]


def test_a_stop_request_ends_the_wait(absent, caplog):
    time = FakeTime()
    waiting = outage(absent, time)
    time.at.append((5, waiting.stop.set))
    with caplog.at_level(logging.INFO):
        assert waiting.wait() is False
    assert time.now == 5
    assert lines(caplog) == ["worker: Redis unreachable (ConnectionError), waiting"]


def test_a_run_failed_by_redis_runs_again_once_redis_is_back(absent):
    """keep_running: the loop both entry points put around RQ's own run loops."""
    time = FakeTime()
    waiting = outage(absent, time)
    client = probe_for(Redis(port=absent.port))
    runs: list[float] = []

    def run() -> None:  # an RQ loop: fails when Redis goes, returns when asked to stop
        runs.append(time.now)
        if len(runs) == 1:
            absent.stop()
            time.at.append((10, absent.start))
        client.ping()
        waiting.stop.set()

    absent.start()
    assert keep_running(run, waiting) is True
    assert runs == [0, 15]  # pings at 0, 1, 3, 7 and 15 after the failure, Redis back at 10


def test_a_run_that_returns_on_its_own_while_redis_answers_ends_the_process(redis_server):
    """Not a Redis outage: the process exits (status 1) and systemd restarts it, as before."""
    runs: list[int] = []
    assert keep_running(lambda: runs.append(1), outage(redis_server, FakeTime())) is False
    assert runs == [1]


def test_a_run_that_fails_otherwise_fails_the_process(redis_server):
    def run() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        keep_running(run, outage(redis_server, FakeTime()))

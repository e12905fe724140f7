"""On-call alerting with real processes: the issue's "done when" list, measured on the wall clock.

The Procfile's web (gunicorn), worker (RQ with its scheduler) and cron (RQ's CronScheduler running
the ticker) run as written, against the suite's private Redis, a SQLite file and the fake AT, whose
delivery reports come back to the web. Kwilu (CD-KL) has a roster with a different person at each
level, so who gets which SMS, and when, says what the escalation did.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from redis import Redis

from hotline.platform.runtime import Runtime
from tests.support.alerting_stack import (
    EARLY,
    LATE,
    LONG_WAIT,
    WAIT,
    Hotline,
    is_alert,
    kwilu_roster,
    start_stack,
    to_with,
)
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow

PRIMARY, BACKUP, SUPERVISOR = "+243810000101", "+243810000102", "+243810000103"


@pytest.fixture
def start_hotline(environ: dict[str, str], runtime: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A function starting fake AT + web + worker + cron with the given escalation wait and tick.

    The runtime fixture has flushed the private Redis, so nothing of an earlier test (a SIGKILLed
    worker's registration or scheduler lock) is left. A failure inside shows the processes' logs.
    """
    kwilu_roster(runtime, tmp_path, (PRIMARY, BACKUP, SUPERVISOR))

    @contextmanager
    def start(wait: int = WAIT, tick: int = 1) -> Iterator[Hotline]:
        settings = {"HOTLINE_ESCALATION_WAIT_SECONDS": str(wait), "HOTLINE_TICK_SECONDS": str(tick)}
        with start_stack(environ, runtime, tmp_path, **settings) as hotline:
            yield hotline

    return start


def test_when_nobody_answers_the_backup_then_the_supervisor_are_alerted_on_time(start_hotline):
    with start_hotline() as hotline:
        reference, reported_at = hotline.report("ATUid_nobody_answers")
        alerts = hotline.fake.wait_for(is_alert(reference), count=3, timeout=2 * WAIT + 3 * LATE)

    primary, backup, supervisor = alerts[:3]
    assert [primary.to, backup.to, supervisor.to] == [PRIMARY, BACKUP, SUPERVISOR]
    assert primary.received_at - reported_at < LATE
    assert WAIT - EARLY <= backup.received_at - reported_at <= WAIT + LATE
    assert WAIT - EARLY <= supervisor.received_at - backup.received_at <= WAIT + LATE


def test_an_acceptance_by_sms_stops_every_further_alert_for_the_report(start_hotline):
    with start_hotline() as hotline:
        reference, _ = hotline.report("ATUid_accepted")
        hotline.fake.wait_for(is_alert(reference, BACKUP), timeout=WAIT + 2 * LATE)
        hotline.sms_from(PRIMARY, f"1 {reference}")

        hotline.fake.wait_for(to_with(PRIMARY, reference, "is yours"), timeout=10)
        details = hotline.fake.wait_for(to_with(PRIMARY, reference, "People:"), timeout=10)
        notice = hotline.fake.wait_for(to_with(BACKUP, reference, "accepted by a colleague"), timeout=10)
        alerted = hotline.alerts(reference)
        time.sleep(3 * WAIT + 1)  # the supervisor's step, then a second round, would fall in here
        alerts_after = hotline.alerts(reference)

    assert [a.to for a in alerted] == [PRIMARY, BACKUP]
    assert alerts_after == alerted
    assert not [m for m in hotline.fake.messages if m.to == SUPERVISOR]
    assert "Do not call" in details[0].message  # an anonymous report: no number to call back
    assert len(notice) == 1


def test_a_failed_delivery_of_the_alert_escalates_at_once(start_hotline):
    with start_hotline(wait=30) as hotline:
        hotline.fake.deliver_as(PRIMARY, "Failed", "DeliveryFailure")
        reference, _ = hotline.report("ATUid_failed_delivery")
        primary = hotline.fake.wait_for(is_alert(reference, PRIMARY), timeout=LATE)[0]
        backup = hotline.fake.wait_for(is_alert(reference, BACKUP), timeout=5)[0]
        time.sleep(2)  # the backup's alert was delivered: nothing hastens the supervisor's

    assert backup.received_at - primary.received_at < 5  # not 30 s
    assert [a.to for a in hotline.alerts(reference)] == [PRIMARY, BACKUP]


def test_a_decline_by_sms_escalates_at_once(start_hotline):
    # A slow ticker: the backup's alert must come from the decline itself, not from the next tick.
    with start_hotline(wait=30, tick=60) as hotline:
        reference, _ = hotline.report("ATUid_declined")
        hotline.fake.wait_for(is_alert(reference, PRIMARY), timeout=LATE)
        declined_at = time.time()
        hotline.sms_from(PRIMARY, f"2 {reference}")
        backup = hotline.fake.wait_for(is_alert(reference, BACKUP), timeout=5)[0]
        hotline.fake.wait_for(to_with(PRIMARY, reference, "declined"), timeout=5)
        time.sleep(2)  # one decline moves one level on, not two

    assert backup.received_at - declined_at < 5  # not 30 s
    assert [a.to for a in hotline.alerts(reference)] == [PRIMARY, BACKUP]


def test_an_alert_survives_a_redis_flush_right_after_the_report(start_hotline, redis_server):
    with start_hotline(wait=LONG_WAIT) as hotline:
        # The worker is stopped so that the report's send job is surely still in Redis when it goes.
        hotline.readiness(200)  # the worker has registered
        hotline.stack.kill("worker", signal.SIGTERM)
        reference, reported_at = hotline.report("ATUid_redis_flushed")
        Redis.from_url(redis_server.url).flushall()
        hotline.stack.start("worker")
        alert = hotline.fake.wait_for(is_alert(reference, PRIMARY), timeout=60)[0]

    assert alert.received_at - reported_at < 60
    assert len(hotline.alerts(reference)) == 1


def test_an_alert_is_delivered_when_the_worker_is_killed_while_sending(start_hotline):
    with start_hotline(wait=LONG_WAIT) as hotline:
        hotline.fake.timeout_hold = 30  # the gateway does not answer: the send hangs
        hotline.fake.fail_next(1, "timeout")
        reference, reported_at = hotline.report("ATUid_worker_killed")
        wait_for(
            lambda: [r for r in hotline.fake.requests if r.path == "/version1/messaging"],
            timeout=LATE,
            what="the worker's send request",
        )
        hotline.stack.kill("worker", signal.SIGKILL)
        hotline.stack.start("worker")
        alert = hotline.fake.wait_for(is_alert(reference, PRIMARY), timeout=40)[0]
        time.sleep(2)  # a duplicate would follow close behind

    assert 1 <= len(hotline.alerts(reference)) <= 2
    assert alert.received_at - reported_at < 40


def test_readiness_says_whether_a_worker_is_running(start_hotline):
    with start_hotline() as hotline:
        ready = hotline.readiness(200)
        # SIGTERM: RQ unregisters the worker as it stops (a SIGKILLed one lingers until its TTL).
        hotline.stack.kill("worker", signal.SIGTERM)
        not_ready = hotline.readiness(503, timeout=5)
        hotline.stack.start("worker")
        hotline.readiness(200)

    assert ready["checks"] == {
        "database": "ok",
        "redis": "ok",
        "workers": "ok",
        "cron": "ok",
        "escalations": "ok",
    }
    assert not_ready["checks"]["workers"] == "none running"
    assert not_ready["status"] == "unhealthy"

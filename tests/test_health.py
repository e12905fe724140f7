"""/healthz says the process is alive; /readyz says whether the service can do its job."""

from __future__ import annotations

import time

from redis import Redis
from rq import cron_scheduler_registry
from rq.cron import CronScheduler

from hotline.ops.redis_server import free_port
from hotline.platform.runtime import Runtime
from hotline.web.app import create_app
from tests.support.jobs import BurstWorker


def test_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"


def test_readiness_fails_when_redis_cannot_be_reached(runtime):
    nowhere = Redis(port=free_port(), socket_connect_timeout=0.5)  # nothing listens there
    app = create_app(runtime=Runtime(**{**vars(runtime), "redis": nowhere}))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"
    assert response.json["checks"]["database"] == "ok"


def test_readiness_fails_when_the_database_cannot_be_reached(runtime, settings, tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"  # SQLite cannot create it
    broken = Runtime.build(settings.with_overrides(database_url=f"sqlite:///{missing}"), clock=runtime.clock)
    try:
        response = create_app(runtime=broken).test_client().get("/readyz")
    finally:
        broken.close()
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"


def test_readiness_is_ok_with_a_live_worker_and_cron_and_nothing_overdue(runtime, client):
    alive = BurstWorker([runtime.queue.queue], connection=runtime.redis)
    alive.register_birth()
    CronScheduler(connection=runtime.redis).register_birth()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {
        "database": "ok",
        "redis": "ok",
        "workers": "ok",
        "cron": "ok",
        "escalations": "ok",
    }


def test_readiness_fails_without_any_worker(runtime, client):
    CronScheduler(connection=runtime.redis).register_birth()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["workers"] == "none running"


def test_a_killed_worker_stops_counting_once_its_heartbeat_expires(runtime, client):
    CronScheduler(connection=runtime.redis).register_birth()
    killed = BurstWorker([runtime.queue.queue], connection=runtime.redis)
    killed.register_birth()  # then SIGKILL: it never unregisters, its key just stops being renewed
    assert client.get("/readyz").json["checks"]["workers"] == "ok"
    runtime.redis.expire(killed.key, 0)  # what Redis does worker_ttl + 60 s after the last heartbeat
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["workers"] == "none running"


def test_readiness_fails_when_the_cron_process_stopped_beating(runtime, client):
    BurstWorker([runtime.queue.queue], connection=runtime.redis).register_birth()
    cron = CronScheduler(connection=runtime.redis)
    cron.register_birth()
    # Its last heartbeat, as RQ keeps it, five minutes ago: the process is gone.
    runtime.redis.zadd(cron_scheduler_registry.get_registry_key(), {cron.name: time.time() - 300})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["cron"] == "none running"

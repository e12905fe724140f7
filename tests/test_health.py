"""/healthz says the process is alive; /readyz says whether the service can do its job."""

from __future__ import annotations

from redis import Redis

from hotline.app import create_app
from hotline.redis_server import free_port
from hotline.runtime import Runtime


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
    broken = Runtime.build(settings.with_overrides(database_url=f"sqlite:///{missing}"),
                           clock=runtime.clock)
    try:
        response = create_app(runtime=broken).test_client().get("/readyz")
    finally:
        broken.close()
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"

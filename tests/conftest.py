"""Shared fixtures: a private Redis for the session, a migrated database per test, the app, the fake
AT (the ``fake_at`` fixture) and Kwilu's team. Every fixture more than one module uses is here (or in
a plugin of tests/support named in ``pytest_plugins``), once.

SQLite by default; set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/hotline_test)
to run the same suite against PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from hotline.gateways.africastalking import AfricasTalkingGateway
from hotline.ops.migrate import upgrade
from hotline.ops.redis_server import PrivateRedis
from hotline.platform.clock import FrozenClock
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from hotline.web.app import create_app
from tests.support.builders import Team, app_for, kwilu_team
from tests.support.database_reset import empty_postgres
from tests.support.environment import TEST_PII_KEY, TEST_TOKEN
from tests.support.fake_at import FakeAT
from tests.support.jobs import BurstWorker
from workers import context

pytest_plugins = ["tests.support.browser_fixtures"]

FAKE_AT_DEFAULTS: dict[str, Any] = {
    "api_key": "fake-at-key",
    "username": None,
    "settings": {},
    "runtime": True,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_at(api_key=, username=, settings=, runtime=): how the fake_at fixture sets up the fake AT",
    )


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):  # type: ignore[no-untyped-def]
    """Real argon2, with the cheapest parameters: production's cost (~0.5 s a hash) is the point
    in production and only slows the suite."""
    from argon2 import PasswordHasher

    from hotline.casework import users

    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def redis_server() -> Iterator[PrivateRedis]:
    with PrivateRedis() as server:
        yield server


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the Alembic migrations once: a template SQLite file, or the PostgreSQL database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        upgrade(url)
        return url
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    return str(template)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if "://" in migrated_database:  # PostgreSQL: empty every table, keep the schema
        empty_postgres(migrated_database)
        return migrated_database
    path = tmp_path / "hotline.sqlite3"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def environ(database_url: str, redis_server: PrivateRedis, tmp_path: Path) -> dict[str, str]:
    return {
        "HOTLINE_ENV": "test",
        "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "HOTLINE_WEBHOOK_TOKEN": TEST_TOKEN,
        "HOTLINE_PII_KEY": TEST_PII_KEY,
    }


@pytest.fixture
def settings(environ: dict[str, str]) -> Settings:
    return Settings.from_env(environ)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def runtime(settings: Settings, clock: FrozenClock) -> Iterator[Runtime]:
    rt = Runtime.build(settings, clock=clock)
    rt.redis.flushdb()
    context.use(rt)
    yield rt
    context.use(None)
    rt.close()


@pytest.fixture
def app(runtime: Runtime):  # type: ignore[no-untyped-def]
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def run_jobs(runtime: Runtime):  # type: ignore[no-untyped-def]
    """Run every queued job in this process with a real RQ worker, as the worker process would."""

    def run() -> None:
        BurstWorker([runtime.queue.queue], connection=runtime.redis).work(burst=True, logging_level="WARNING")

    return run


@pytest.fixture
def fake_at(request: pytest.FixtureRequest) -> Iterator[FakeAT]:
    """A fake AT API on loopback (tests/support/fake_at.py), with the runtime's gateway the real AT
    adapter and SDK sending to it; the runtime's own gateway is put back after.

    ``@pytest.mark.fake_at(...)`` on a module or a test changes it: ``api_key``; ``username``, the one
    the fake accepts and the gateway sends (by default the fake accepts any and the gateway says
    "sandbox"); ``settings``, overrides for the runtime's settings; ``runtime=False``, the server
    alone, no runtime built (for ``hotline check``, which builds its own from the environment).
    """
    marker = request.node.get_closest_marker("fake_at")
    given = marker.kwargs if marker else {}
    if unknown := set(given) - set(FAKE_AT_DEFAULTS):
        raise TypeError(f"pytest.mark.fake_at takes no {sorted(unknown)}")
    options = {**FAKE_AT_DEFAULTS, **given}
    if not options["runtime"]:
        with FakeAT(api_key=options["api_key"], username=options["username"]) as fake:
            yield fake
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    local = runtime.gateway
    with FakeAT(api_key=options["api_key"], username=options["username"]) as fake:
        username = options["username"] or "sandbox"
        runtime.gateway = AfricasTalkingGateway(username, options["api_key"], api_url=fake.url)
        if options["settings"]:
            runtime.settings = runtime.settings.with_overrides(**options["settings"])
        yield fake
    runtime.gateway = local


@pytest.fixture
def team(runtime: Runtime) -> Team:
    return kwilu_team(runtime)


@pytest.fixture
def coded_client(runtime: Runtime, clock: FrozenClock) -> Iterator[FlaskClient]:
    """The app of a deployment that owns the service code *384*123#."""
    with app_for(runtime.settings.with_overrides(ussd_service_code="*384*123#"), clock) as (client, _):
        yield client

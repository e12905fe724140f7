"""``hotline check``: is this installation ready to take calls? Each check says ok or what is wrong.

Run after every deployment or configuration change. It reads the configuration, reaches the
database (and compares its migration with the code's), Redis and the SMS gateway, and prints the
callback URLs to paste into AT's dashboard, which must match the routes of hotline/web/webhooks.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from hotline.gateways import GatewayUnavailable
from hotline.ops.migrate import alembic_config
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

# Dashboard field -> path under /webhooks/at/<token> (hotline/web/webhooks.py).
CALLBACKS = (
    ("USSD callback URL", "/ussd"),
    ("USSD events callback URL", "/ussd/events"),
    ("SMS incoming messages callback URL", "/sms"),
    ("SMS delivery reports callback URL", "/sms/delivery"),
)
# Sent by --send-test-sms to the operator's own phone; kept short, plain GSM-7, one part.
TEST_SMS = "Hotline: SMS de test / test SMS (hotline check)"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(runtime: Runtime) -> Iterator[Check]:
    """Database and migration, Redis, and the gateway's balance (which proves the API key)."""
    yield _database(runtime)
    yield _redis(runtime)
    yield _gateway(runtime)


def callback_urls(settings: Settings) -> list[tuple[str, str]]:
    """The exact URLs for AT's dashboard, or [] without HOTLINE_PUBLIC_URL."""
    if not settings.public_url:
        return []
    base = f"{settings.public_url}/webhooks/at/{settings.webhook_token}"
    return [(label, base + path) for label, path in CALLBACKS]


def send_test_sms(runtime: Runtime, number: str) -> Check:
    """Straight through the gateway, not the outbox: it tests the gateway itself, now, and leaves
    no row (and no copy of the operator's number) in the database."""
    from hotline.platform.phones import try_normalise

    phone = try_normalise(number)
    if phone is None:
        return Check("test SMS", False, "not a phone number in international form (+243...)")
    try:
        result = runtime.gateway.send(phone, TEST_SMS)
    except GatewayUnavailable as exc:
        return Check("test SMS", False, f"gateway unavailable: {exc}")
    if not result.accepted:
        return Check("test SMS", False, f"refused by {runtime.gateway.name}: {result.status}")
    return Check("test SMS", True, f"accepted by {runtime.gateway.name} (id {result.message_id})")


def _database(runtime: Runtime) -> Check:
    head = ScriptDirectory.from_config(alembic_config(runtime.settings.database_url)).get_current_head()
    try:
        with runtime.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        return Check("database", False, f"unreachable: {type(exc).__name__}")
    if current != head:
        return Check(
            "database",
            False,
            f"schema at revision {current or 'none'}, code needs {head}: run hotline db upgrade",
        )
    return Check("database", True, f"reachable, schema at revision {current} (head)")


def _redis(runtime: Runtime) -> Check:
    try:
        runtime.redis.ping()
    except RedisError as exc:
        return Check("redis", False, f"unreachable: {type(exc).__name__}")
    return Check("redis", True, "reachable")


def _gateway(runtime: Runtime) -> Check:
    name = runtime.gateway.name
    try:
        balance = runtime.gateway.balance()
    except GatewayUnavailable as exc:
        return Check("sms gateway", False, f"{name}: {exc}")
    if balance is None:
        return Check("sms gateway", True, f"{name}: messages stay on this machine (no balance)")
    return Check("sms gateway", True, f"{name}: account reached, balance {balance}")

"""``hotline check``: is this installation ready to take calls? Each check says ok or what is wrong.

Run after every deployment or configuration change. It reads the configuration, reaches the
database (and compares its migration with the code's), Redis and the SMS gateway, and prints the
callback URLs to paste into AT's dashboard, which must match the routes of hotline/web/webhooks.py.
It also warns of escalation levels nobody would answer now or in the coming week
(hotline.alerting.coverage, as the console's on-call page shows them): a warning does not fail the
check, since a pilot may start with thin rosters, but it is printed for someone to act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from hotline.alerting import coverage
from hotline.gateways import GatewayUnavailable, SmsGateway
from hotline.gateways.router import routes_of
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
    warning: bool = False  # ok, but someone should act: printed WARN, never fails the check


def run_checks(runtime: Runtime) -> Iterator[Check]:
    """Database and migration, Redis, the gateway's balance (which proves the API key), then the
    coverage warnings (when the database answered)."""
    database = _database(runtime)
    yield database
    yield _redis(runtime)
    yield from _gateways(runtime)
    if database.ok:
        yield from coverage_checks(runtime)


def coverage_checks(runtime: Runtime) -> Iterator[Check]:
    """One warning per level nobody would be alerted at, now or in the next days; else one ok."""
    now = runtime.clock.now()
    try:
        with runtime.session() as session:
            gaps = coverage.gaps(session, runtime.locations, now)
    except SQLAlchemyError as exc:
        yield Check("coverage", True, f"not read: {type(exc).__name__}", warning=True)
        return
    if not gaps:
        yield Check(
            "coverage",
            True,
            f"someone at every level of every area with workers, and a national duty officer, "
            f"for the next {coverage.DAYS} days",
        )
    for gap in gaps:
        yield Check("coverage", True, describe_gap(runtime, gap, now), warning=True)


def describe_gap(runtime: Runtime, gap: coverage.Gap, now: datetime) -> str:
    """``Kwilu/Kikwit (CD-KL/kikwit), backup: nobody now (no roster)``; times in the area's zone."""
    zone = ZoneInfo(runtime.locations.timezone(gap.area))

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    if gap.level == "national":
        where = "national duty"
    else:
        where = f"{runtime.locations.label(gap.area)} ({gap.area}), {gap.level}"
    if gap.now(now) and gap.ends_at is None:
        return f"{where}: nobody now" + ("" if gap.rostered or gap.level == "national" else " (no roster)")
    if gap.now(now):
        when = f"nobody now, until {local(gap.ends_at)}" if gap.ends_at else "nobody now"
    else:
        until = local(gap.ends_at) if gap.ends_at else f"the end of the next {coverage.DAYS} days"
        when = f"nobody from {local(gap.starts_at)} to {until}"
    return f"{where}: {when} ({zone.key} time)"


def callback_urls(settings: Settings) -> list[tuple[str, str]]:
    """The exact URLs for AT's dashboard, or [] without HOTLINE_PUBLIC_URL."""
    if not settings.public_url:
        return []
    base = f"{settings.public_url}/webhooks/at/{settings.webhook_token}"
    urls = [(label, base + path) for label, path in CALLBACKS]
    if "android" in settings.routes:  # one URL for the app's four events (docs/android-sms-gateway.md)
        android = f"{settings.public_url}/webhooks/android/{settings.webhook_token}/events"
        urls.append(("Android app webhooks (sms:received, sms:sent, sms:delivered, sms:failed)", android))
    if settings.voice:  # the virtual number's callback (docs/africastalking-voice.md)
        urls.append(("Voice → the number's callback URL", base + "/voice"))
    return urls


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
    route = result.gateway or runtime.gateway.name  # a router says which route took it
    return Check("test SMS", True, f"accepted by {route} (id {result.message_id})")


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


def _gateways(runtime: Runtime) -> Iterator[Check]:
    """Every SMS route, in order (SMS_GATEWAYS): each must answer, as the first one would alone."""
    every = routes_of(runtime.gateway)
    for position, route in enumerate(every, 1):
        yield _gateway(route, "sms gateway" if len(every) == 1 else f"sms route {position}")


def _gateway(route: SmsGateway, label: str) -> Check:
    name = route.name
    try:
        balance = route.balance()
    except GatewayUnavailable as exc:
        return Check(label, False, f"{name}: {exc}")
    if balance is None and name == "outbox":
        return Check(label, True, f"{name}: messages stay on this machine (no balance)")
    if balance is None:
        return Check(label, True, f"{name}: reached, credentials accepted (no balance to read)")
    return Check(label, True, f"{name}: account reached, balance {balance}")

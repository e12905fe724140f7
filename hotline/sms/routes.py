"""SMS routes (``SMS_GATEWAYS``): the order one message tries them in, what each route did last, and
the failover a failed delivery report causes. The router (hotline.gateways.router) only sends.

The order for a message: the route the SMS it answers came by first (``first_gateway``), then the
configured order, with a route short of credit (its low-balance notice open) or failing in the last
minute put last, and without the route whose failed report already sent it on (``failed_gateway``).
What each route did last is kept in Redis (best effort: the console and ``hotline check`` read it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.gateways import Failover, SendResult, SmsGateway
from hotline.gateways.router import GatewayRouter, routes_of
from hotline.models import MESSAGE_PENDING, Notice, OutboundMessage
from hotline.platform.redis_text import text_hash
from hotline.platform.runtime import Runtime
from hotline.records.timeline import record

log = logging.getLogger(__name__)

STATE_KEY = "hotline:sms-route:"  # + route name: a hash of what the route did last
COOL_DOWN = timedelta(seconds=60)  # a route that failed and has not sent since goes last this long
BALANCE_NOTICE = "gateway-balance"  # AT's key, kept from before routes; another route's adds ":name"
LOW_BALANCE_KINDS = ("gateway_balance", "gateway_balance_moved")


@dataclass(frozen=True)
class RouteState:
    """One route as the console's integrations page and ``hotline check`` show it."""

    name: str
    last_success: datetime | None
    last_failure: datetime | None
    failure_reason: str | None
    balance: str | None
    held: bool  # short of credit: new traffic goes to the other routes first


def routes(runtime: Runtime) -> tuple[SmsGateway, ...]:
    return routes_of(runtime.gateway)


def balance_notice_key(name: str) -> str:
    return BALANCE_NOTICE if name == "africastalking" else f"{BALANCE_NOTICE}:{name}"


def held(session: Session, runtime: Runtime) -> set[str]:
    """Routes whose low-balance notice is open (hotline.sms.balance raises and clears it)."""
    keys = {balance_notice_key(route.name): route.name for route in routes(runtime)}
    open_keys = session.scalars(
        select(Notice.key).where(
            Notice.key.in_(keys), Notice.kind.in_(LOW_BALANCE_KINDS), Notice.cleared_at.is_(None)
        )
    )
    return {keys[key] for key in open_keys}


def order_for(session: Session, runtime: Runtime, message: OutboundMessage) -> list[str]:
    """The route names ``message`` tries, in order (see the module's doc)."""
    names = [route.name for route in routes(runtime)]
    later = held(session, runtime) | _failing(runtime, names)
    order = [name for name in names if name not in later] + [name for name in names if name in later]
    if message.first_gateway in order:
        order.remove(message.first_gateway)
        order.insert(0, message.first_gateway)
    if message.failed_gateway in order and len(order) > 1:
        order.remove(message.failed_gateway)
    return order


def remember(runtime: Runtime, failovers: tuple[Failover, ...], carried_by: str | None = None) -> None:
    """Keep each route's last failure (and reason) and the carrying route's last success."""
    stamp = str(runtime.clock.now().timestamp())
    try:
        pipe = runtime.redis.pipeline(transaction=False)
        for failover in failovers:
            pipe.hset(
                STATE_KEY + failover.route,
                mapping={"last_failure": stamp, "failure_reason": failover.reason[:64]},
            )
        if carried_by:
            pipe.hset(STATE_KEY + carried_by, "last_success", stamp)
        pipe.execute()
    except RedisError as exc:
        log.warning("SMS route state not kept: %s", type(exc).__name__)


def remember_balance(runtime: Runtime, name: str, balance: str) -> None:
    try:
        runtime.redis.hset(STATE_KEY + name, "balance", balance[:32])
    except RedisError as exc:
        log.warning("SMS route balance not kept: %s", type(exc).__name__)


def states(runtime: Runtime) -> list[RouteState]:
    """Every configured route, in order, with what it did last (empty fields if Redis is down)."""
    with runtime.session() as session:
        short = held(session, runtime)
    found = []
    for route in routes(runtime):
        try:
            raw = text_hash(runtime.redis.hgetall(STATE_KEY + route.name))
        except RedisError:
            raw = {}
        found.append(
            RouteState(
                name=route.name,
                last_success=_moment(raw.get("last_success")),
                last_failure=_moment(raw.get("last_failure")),
                failure_reason=raw.get("failure_reason"),
                balance=raw.get("balance"),
                held=route.name in short,
            )
        )
    return found


def record_failovers(
    session: Session, runtime: Runtime, message: OutboundMessage, result: SendResult
) -> None:
    """On the report's timeline: each route that could not carry the message, and the next one."""
    if not message.report_id or not result.failovers:
        return
    hops = [failover.route for failover in result.failovers] + [result.gateway or ""]
    for failover, to in zip(result.failovers, hops[1:], strict=True):
        record(
            session,
            message.report_id,
            "message_rerouted",
            runtime.clock.now(),
            message_id=message.id,
            worker_id=message.worker_id,
            gateway=failover.route,
            to=to,
            reason=failover.reason[:64],
        )


def fail_over(
    session: Session, runtime: Runtime, message: OutboundMessage, status: str, reason: str | None
) -> bool:
    """A failed delivery report: if the route's network failed (not the recipient's phone) and the
    message has not failed over before, make it pending again for the next route and say so on the
    timeline. Returns whether it did (the caller enqueues the send after the commit)."""
    router = runtime.gateway
    if not isinstance(router, GatewayRouter) or message.failed_gateway or message.training:
        return False
    if not router.reroutes(message.gateway, status, reason):
        return False
    others = [route.name for route in router.routes if route.name != message.gateway]
    if not others or message.gateway is None:
        return False
    now = runtime.clock.now()
    remember(runtime, (Failover(message.gateway, (reason or status)[:64]),))
    message.failed_gateway, message.status = message.gateway, MESSAGE_PENDING
    message.gateway_message_id, message.gateway_status = None, status[:32]
    message.failure_reason = (reason or status)[:64]
    message.next_attempt_at = message.updated_at = now
    if message.report_id:
        record(
            session,
            message.report_id,
            "message_rerouted",
            now,
            message_id=message.id,
            worker_id=message.worker_id,
            gateway=message.failed_gateway,
            to=others[0],
            reason=(reason or status)[:64],
        )
    return True


def _failing(runtime: Runtime, names: list[str]) -> set[str]:
    """Routes that failed in the last COOL_DOWN and have not carried a message since."""
    now = runtime.clock.now()
    failing = set()
    for name in names:
        try:
            raw = text_hash(runtime.redis.hgetall(STATE_KEY + name))
        except RedisError:
            return set()
        failed, sent = _moment(raw.get("last_failure")), _moment(raw.get("last_success"))
        if failed and now - failed < COOL_DOWN and (sent is None or sent < failed):
            failing.add(name)
    return failing


def _moment(raw: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(raw), UTC) if raw else None
    except ValueError:
        return None

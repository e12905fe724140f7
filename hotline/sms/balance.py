"""The gateway account's balance, read once a day: operators are warned before SMS stop.

AT refuses every send with 405 InsufficientBalance once the credit is gone, which would silence
alerts to social workers; a notice a few days ahead leaves time to top up. With several routes
(SMS_GATEWAYS), a route short of credit also stops being tried first until it is topped up.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TypedDict

from redis.exceptions import RedisError

from hotline.gateways import GatewayUnavailable, SmsGateway
from hotline.platform import meters
from hotline.platform.money import parse_amount
from hotline.platform.runtime import Runtime
from hotline.records.notices import clear_notice, raise_notice
from hotline.sms import routes

log = logging.getLogger(__name__)

NOTICE_KEY = routes.BALANCE_NOTICE  # AT's; another route's adds ":<name>" (routes.balance_notice_key)


class _Detail(TypedDict):
    """A balance notice's detail (no personal data)."""

    balance: str
    currency: str | None
    minimum: str


def check_balance(runtime: Runtime) -> str:
    """Read every route's balance and raise or clear its operators' notice. Returns what happened
    (one route: its outcome; several: "name: outcome" for each, joined by "; ")."""
    several = routes.routes(runtime)
    outcomes = [(route.name, _check_route(runtime, route, several)) for route in several]
    if len(outcomes) == 1:
        return outcomes[0][1]
    return "; ".join(f"{name}: {outcome}" for name, outcome in outcomes)


def _check_route(runtime: Runtime, route: SmsGateway, every: tuple[SmsGateway, ...]) -> str:
    """One route:

    1. Ask it (the local outbox and the Android phone have no balance to read: nothing to do).
    2. Keep it in Redis for the metrics and the console.
    3. Below AT_BALANCE_MIN (same currency, or a threshold given without one): raise the notice;
       with other routes, new traffic moves to them (hotline.sms.routes.order_for puts a route
       whose notice is open last) and the notice says so. At or above it: clear it. A threshold
       in another currency cannot be compared: a notice says so rather than staying silent.
    """
    try:
        raw = route.balance()
    except GatewayUnavailable as exc:
        log.warning("balance of %s not read: %s", route.name, exc)
        return "unavailable"
    if raw is None:
        return "no balance"
    currency, amount = parse_amount(raw)
    _remember(runtime, currency, amount)
    routes.remember_balance(runtime, route.name, raw)
    minimum = runtime.settings.balance_minimum
    if minimum is None:
        return f"{raw} (no minimum set)"
    min_currency, min_amount = parse_amount(minimum)
    now = runtime.clock.now()
    key = routes.balance_notice_key(route.name)
    detail = _Detail(balance=str(amount), currency=currency, minimum=str(min_amount))
    others = [other.name for other in every if other.name != route.name]
    with runtime.session() as session:
        if min_currency and currency and min_currency != currency:
            raise_notice(
                session,
                now,
                key,
                "gateway_balance_currency",
                "warning",
                **detail,
                minimum_currency=min_currency,
            )
            outcome = "currency differs"
        elif amount < min_amount and others:
            raise_notice(session, now, key, "gateway_balance_moved", "critical", **detail, route=others[0])
            outcome = f"low: new SMS go through {others[0]} first"
        elif amount < min_amount:
            raise_notice(session, now, key, "gateway_balance", "critical", **detail)
            outcome = "low"
        else:
            clear_notice(session, now, key)
            outcome = "ok"
        session.commit()
    return outcome


def _remember(runtime: Runtime, currency: str | None, amount: Decimal) -> None:
    try:
        runtime.redis.hset(
            meters.BALANCE,
            mapping={
                "currency": currency or "unknown",
                "amount": str(amount),
                "checked_at": str(runtime.clock.now().timestamp()),
            },
        )
    except RedisError as exc:
        log.warning("balance not kept for the metrics: %s", type(exc).__name__)

"""The gateway account's balance, read once a day: operators are warned before SMS stop.

AT refuses every send with 405 InsufficientBalance once the credit is gone, which would silence
alerts to social workers; a notice a few days ahead leaves time to top up.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TypedDict

from redis.exceptions import RedisError

from hotline.gateways import GatewayUnavailable
from hotline.platform import meters
from hotline.platform.money import parse_amount
from hotline.platform.runtime import Runtime
from hotline.records.notices import clear_notice, raise_notice

log = logging.getLogger(__name__)

NOTICE_KEY = "gateway-balance"


class _Detail(TypedDict):
    """A balance notice's detail (no personal data)."""

    balance: str
    currency: str | None
    minimum: str


def check_balance(runtime: Runtime) -> str:
    """Read the balance and raise or clear the operators' notice. Returns what happened.

    1. Ask the gateway (the local outbox has no balance: nothing to do).
    2. Keep it in Redis for the metrics.
    3. Below AT_BALANCE_MIN (same currency, or a threshold given without one): raise the notice;
       at or above it: clear it. A threshold in another currency cannot be compared: a notice
       says so rather than staying silent.
    """
    try:
        raw = runtime.gateway.balance()
    except GatewayUnavailable as exc:
        log.warning("balance not read: %s", exc)
        return "unavailable"
    if raw is None:
        return "no balance"
    currency, amount = parse_amount(raw)
    _remember(runtime, currency, amount)
    minimum = runtime.settings.balance_minimum
    if minimum is None:
        return f"{raw} (no minimum set)"
    min_currency, min_amount = parse_amount(minimum)
    now = runtime.clock.now()
    detail = _Detail(balance=str(amount), currency=currency, minimum=str(min_amount))
    with runtime.session() as session:
        if min_currency and currency and min_currency != currency:
            raise_notice(
                session,
                now,
                NOTICE_KEY,
                "gateway_balance_currency",
                "warning",
                **detail,
                minimum_currency=min_currency,
            )
            outcome = "currency differs"
        elif amount < min_amount:
            raise_notice(session, now, NOTICE_KEY, "gateway_balance", "critical", **detail)
            outcome = "low"
        else:
            clear_notice(session, now, NOTICE_KEY)
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

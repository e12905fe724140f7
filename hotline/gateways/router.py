"""Several SMS routes behind the one port, in order: a message one route cannot carry goes out through
the next (``SMS_GATEWAYS=africastalking,android``).

The router itself keeps no state: which route to try first for a message (the one its question came
by, a route short of credit last) is the outbox's to say (``hotline.sms.routes.order_for``), passed
as ``order``. One ``send`` tries each route at most once, so a message is never accepted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hotline.gateways import (
    Failover,
    GatewayUnavailable,
    ReadsFailures,
    RoutesUnavailable,
    SendResult,
    SmsGateway,
)


class GatewayRouter:
    def __init__(self, routes: Sequence[SmsGateway]) -> None:
        names = [route.name for route in routes]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"a router needs routes with distinct names, not {names}")
        self.routes = tuple(routes)
        self.name = ",".join(names)
        # One send may wait on every route in turn: the outbox's lease must outlast them all.
        self.max_send_seconds = sum(route.max_send_seconds for route in routes)

    def route(self, name: str | None) -> SmsGateway | None:
        return next((route for route in self.routes if route.name == name), None)

    def send(self, to: str, body: str, order: Sequence[str] | None = None) -> SendResult:
        """Send through the first route of ``order`` (route names; by default the configured order)
        that takes the message, each tried once.

        A route that cannot be reached, times out, fails as a whole, or refuses the message for a
        reason of its own (``reroute``: credit, sender id, routing) hands it to the next. A refusal
        about the number ends it there. If every route failed and at least one only for a while,
        RoutesUnavailable says to try again later; else the last refusal is the answer.
        """
        failovers: list[Failover] = []
        refusal: SendResult | None = None
        for_a_while = False
        for route in self._ordered(order):
            try:
                result = route.send(to, body)
            except GatewayUnavailable as exc:
                failovers.append(Failover(route.name, str(exc)[:64] or type(exc).__name__))
                for_a_while = True
                continue
            if result.accepted or not result.reroute:
                return replace(result, gateway=route.name, failovers=tuple(failovers))
            failovers.append(Failover(route.name, result.status[:64]))
            refusal = replace(result, gateway=route.name, failovers=tuple(failovers[:-1]))
            for_a_while = for_a_while or result.retryable
        if for_a_while or refusal is None:
            raise RoutesUnavailable(tuple(failovers))
        return refusal

    def balance(self) -> str | None:
        """The first route's balance (``hotline.sms.balance`` reads every route's)."""
        return self.routes[0].balance()

    def reroutes(self, name: str | None, status: str, reason: str | None) -> bool:
        """Does this failed delivery report, from route ``name``, say another route may get the
        message through? (Each adapter reads its own statuses; an adapter that cannot: no.)"""
        route = self.route(name)
        return isinstance(route, ReadsFailures) and route.route_failure(status, reason)

    def _ordered(self, order: Sequence[str] | None) -> list[SmsGateway]:
        if order is None:
            return list(self.routes)
        return [route for name in order if (route := self.route(name)) is not None]


def routes_of(gateway: SmsGateway) -> tuple[SmsGateway, ...]:
    """Every route behind a gateway: a router's, or the gateway itself."""
    return gateway.routes if isinstance(gateway, GatewayRouter) else (gateway,)

"""The SMS gateway port. Every aggregator (Africa's Talking, an Android phone) sits behind ``SmsGateway``;
``router.GatewayRouter`` puts several behind it, in order, with failover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class SendResult:
    """What the gateway said about one message.

    ``accepted``: the gateway took it (a delivery report may follow). ``retryable``: worth trying
    again later (the gateway or the network failed, not the number). ``delivered``: already on the
    handset (only the local outbox can say so at once). ``reroute``: a refusal another route may get
    past (this route's credit, sender id or routing), not one about the number itself.
    ``gateway`` and ``failovers`` are set by a router: the route that answered, and the routes that
    failed before it.
    """

    accepted: bool
    message_id: str | None = None
    status: str = ""
    retryable: bool = False
    delivered: bool = False
    detail: str | None = None
    parts: int = 0  # SMS parts billed (0 when nothing left the machine)
    cost: str | None = None  # as the gateway reports it, e.g. "USD 0.0200"
    reroute: bool = False
    gateway: str | None = None
    failovers: tuple[Failover, ...] = ()


@dataclass(frozen=True)
class Failover:
    """A route that could not carry a message, and why (a status or an error's name, no personal data)."""

    route: str
    reason: str


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed as a whole: try the same message again later."""


class RoutesUnavailable(GatewayUnavailable):
    """Every route of a router failed, at least one of them for a while only: try again later."""

    def __init__(self, failovers: tuple[Failover, ...]) -> None:
        super().__init__("; ".join(f"{f.route}: {f.reason}" for f in failovers))
        self.failovers = failovers


class SmsGateway(Protocol):
    name: str
    max_send_seconds: float  # the longest one send() can take (its timeouts): sets the outbox lease

    def send(self, to: str, body: str) -> SendResult:
        """Send ``body`` to one E.164 number. Raises GatewayUnavailable on transport failure."""
        ...

    def balance(self) -> str | None:
        """The account's credit as the gateway words it ("USD 12.3400"), or None when the
        gateway has no account (the local outbox). Raises GatewayUnavailable on failure."""
        ...


@runtime_checkable
class ReadsFailures(Protocol):
    """An adapter that can tell, from a failed delivery report, whether another route may get the
    message through (the route's network or account failed) or not (the recipient's phone is off,
    the number does not exist): only the first kind fails over."""

    def route_failure(self, status: str, reason: str | None) -> bool: ...

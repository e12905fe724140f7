"""The SMS gateway port. Every aggregator (Africa's Talking first) sits behind ``SmsGateway``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SendResult:
    """What the gateway said about one message.

    ``accepted``: the gateway took it (a delivery report may follow). ``retryable``: worth trying
    again later (the gateway or the network failed, not the number). ``delivered``: already on the
    handset (only the local outbox can say so at once).
    """

    accepted: bool
    message_id: str | None = None
    status: str = ""
    retryable: bool = False
    delivered: bool = False
    detail: str | None = None
    parts: int = 0  # SMS parts billed (0 when nothing left the machine)
    cost: str | None = None  # as the gateway reports it, e.g. "USD 0.0200"


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed as a whole: try the same message again later."""


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

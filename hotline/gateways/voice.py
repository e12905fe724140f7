"""The voice port: placing one outbound phone call. Africa's Talking first (``africastalking_voice``);
``NoVoice`` when no voice service is configured (an escalation ``call`` step is then skipped).

The call itself is answered later, through the aggregator's voice callback (for AT:
``hotline/web/webhooks.py: voice``), which finds the call again by ``CallResult.session_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CallResult:
    """What the voice gateway said about one call request.

    ``accepted``: the call is queued and will ring (its callbacks carry ``session_id``).
    ``status``: the gateway's own word ("Queued", "InvalidPhoneNumber", ...), for the timeline.
    """

    accepted: bool
    session_id: str | None = None
    status: str = ""


class VoiceGateway(Protocol):
    name: str
    available: bool  # False: calls cannot be placed at all (no voice service configured)

    def call(self, to: str) -> CallResult:
        """Ring one E.164 number from the service's virtual number. Raises
        ``hotline.gateways.GatewayUnavailable`` when the gateway cannot be reached."""
        ...


class NoVoice:
    """No voice service: nothing rings, every call step is recorded as unavailable."""

    name = "none"
    available = False

    def call(self, to: str) -> CallResult:
        return CallResult(accepted=False, status="Unavailable")

"""The local outbox: nothing leaves the machine; messages are shown in the console instead."""

from __future__ import annotations

import uuid

from hotline.gateways import SendResult


class LocalOutbox:
    name = "outbox"
    max_send_seconds = 1.0

    def send(self, to: str, body: str) -> SendResult:
        return SendResult(
            accepted=True, message_id=f"LOCAL-{uuid.uuid4().hex}", status="Local", delivered=True
        )

    def balance(self) -> str | None:
        return None  # nothing is paid for: no balance to watch

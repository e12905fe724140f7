"""RQ jobs. Thin: they take ids, load through hotline's services and act. Nothing personal in args."""

from __future__ import annotations

from hotline import outbox

from .context import runtime


def send_message(message_id: int) -> str:
    """Send one outbox row; a gateway outage raises, and RQ's Retry tries again with backoff."""
    return outbox.send_message(runtime(), message_id)

"""RQ jobs. Thin: they take ids, load through hotline's services and act. Nothing personal in args."""

from __future__ import annotations

from hotline import outbox

from .context import runtime


def send_message(message_id: int) -> str:
    """Send one outbox row; a gateway outage raises, and RQ's Retry tries again with backoff."""
    return outbox.send_message(runtime(), message_id)


def tick() -> int:
    """Every ~15 s (the cron process): re-enqueue outbox rows whose send job was lost or is due.

    Redis is only the fast path; the database is the truth, so a Redis flush or a killed
    worker delays an alert by at most a tick and a lease, never loses it.
    """
    rt = runtime()
    due = outbox.due_messages(rt)
    rt.queue.send_messages(due)
    return len(due)
